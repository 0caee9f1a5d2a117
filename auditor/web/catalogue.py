"""The rule catalogue as the web view lists it: the rule files (through the engine's loader), the
crawler's portal checks, and any other rule id the store's findings name.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

import yaml

from auditor.engine import default_rules
from auditor.engine.requirements import describe
from auditor.engine.rulefile import Example, ExampleDoc, RuleSpec
from auditor.web.filters import LEVELS

CATEGORIES: dict[str, str] = {
    "DOC": "标题与年度",
    "SEC": "正文六个部分",
    "FMT": "表格格式",
    "VAL": "单元格数值",
    "BAL": "勾稽关系",
    "TXT": "文字与表格一致",
    "PUB": "发布与门户",
}
"""Rule id prefixes in the catalogue's order (DOMAIN.md §6), with a heading for each."""

EXAMPLE_TEXT_LIMIT = 800
"""Characters of an example's text shown on the page (the rule file has the rest)."""


@dataclass(frozen=True, slots=True)
class ExampleView:
    """An example of a rule: its name and each document, as text or as the sample's description."""

    name: str
    documents: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class RuleEntry:
    """One rule of the catalogue."""

    id: str
    title: str
    severity: str
    basis: str
    source: str
    """Where the rule is defined: "rules/BAL-002.yaml" or "审查记录"."""
    message: str = ""
    fix: str = ""
    applies: str = ""
    requires: str = ""
    """What must hold for the check to run, in Chinese ("表三存在、不是图片、结构可以读取"); "" when none."""
    must_fire: tuple[ExampleView, ...] = ()
    must_not_fire: tuple[ExampleView, ...] = ()

    @property
    def prefix(self) -> str:
        return self.id.split("-", 1)[0]


def _order(rule: RuleEntry) -> tuple[int, str]:
    order = list(CATEGORIES)
    return (order.index(rule.prefix) if rule.prefix in order else len(order), rule.id)


@dataclass(frozen=True, slots=True)
class Catalogue:
    """All rules by id, and the rule files that could not be read."""

    rules: tuple[RuleEntry, ...]
    errors: tuple[str, ...]

    def get(self, rule_id: str) -> RuleEntry | None:
        return next((r for r in self.rules if r.id == rule_id), None)

    @property
    def groups(self) -> list[tuple[str, list[RuleEntry]]]:
        """The rules under their category headings, in catalogue order."""
        out: dict[str, list[RuleEntry]] = {}
        for rule in self.rules:
            out.setdefault(CATEGORIES.get(rule.prefix, "其他"), []).append(rule)
        return list(out.items())


def _document(doc: ExampleDoc) -> str:
    """An example document as the page shows it: its text, or the generated sample's description,
    followed by what the example states beside it (level, a publication date from the portal)."""
    if doc.text is not None:
        text = doc.text if doc.text.strip() else "（空文档）"
        body = text if len(text) <= EXAMPLE_TEXT_LIMIT else text[:EXAMPLE_TEXT_LIMIT] + "\n…"
    else:
        sample = yaml.safe_dump(doc.sample, allow_unicode=True, sort_keys=False, default_flow_style=False)
        body = "生成的示例报告：\n" + sample.strip()
    extra = [
        *([f"级别：{LEVELS.get(doc.level, doc.level)}"] if doc.level else []),
        *([f"栏目中的发布日期：{doc.published.isoformat()}"] if doc.published else []),
    ]
    return "\n".join([body, *extra])


def _examples(examples: Iterable[Example]) -> tuple[ExampleView, ...]:
    return tuple(
        ExampleView(e.name, tuple(_document(d) for d in e.documents)) for e in examples
    )


def _requirements(rule: RuleSpec) -> str:
    """The rule's ``requires`` (all must hold) and ``requires_each`` (checked part by part) in words."""
    parts = [describe(r.text) for r in rule.requires]
    if rule.requires_each:
        parts.append("逐项检查：" + "；".join(describe(r.text) for r in rule.requires_each))
    return "；".join(parts)


def _entry(rule: RuleSpec) -> RuleEntry:
    return RuleEntry(
        id=rule.id,
        title=rule.title,
        severity=rule.severity,
        basis=rule.basis,
        source=f"rules/{rule.path.name}",
        message=rule.message,
        fix=rule.fix,
        applies=rule.applies.describe(),
        requires=_requirements(rule),
        must_fire=_examples(rule.must_fire),
        must_not_fire=_examples(rule.must_not_fire),
    )


@cache
def rule_files() -> tuple[tuple[RuleEntry, ...], tuple[str, ...]]:
    """The rule files of the installed rules/ folder (read once per process) and their load errors."""
    loaded = default_rules()
    return tuple(_entry(r) for r in loaded.rules), tuple(loaded.errors)


def known_rules() -> dict[str, RuleEntry]:
    """The rules defined in the project: its rule files (the crawler's portal checks, PUB-001/002/003/005,
    are rule files like every other check, so the web layer needs nothing from the crawler)."""
    files, _ = rule_files()
    return {r.id: r for r in files}


def build_catalogue(recorded: Iterable[RuleEntry]) -> Catalogue:
    """The catalogue: the project's rules, plus ``recorded`` rules only known from stored findings."""
    rules = known_rules()
    for r in recorded:
        rules.setdefault(r.id, r)
    return Catalogue(tuple(sorted(rules.values(), key=_order)), rule_files()[1])
