"""What a rule requires of a document before its check can run: the ``requires`` vocabulary.

A rule file lists its requirements (``requires: [year, T3 readable]``); the experta engine runs the
rule's check only on documents where all of them hold, and records the first one that does not as
the reason the check could not run ("因此未能执行" on the finding that explains it, else AUD-001).
``requires_each`` lists parts the check can take one at a time (VAL-001 reads T2, T3 and T4): the
check runs when at least one holds, and each one that does not is a reason of its own.

What the engine knows of a document to decide this is coarse: :func:`document_facts` gives the set of
atomic statements that hold (``year``, ``section 五 written``, ``T3 readable`` …), the same for
documents alike, so that one fact in working memory serves them all.

The vocabulary (``K`` a section 一 … 六, several joined by ``|`` meaning "at least one of them"):

- ``year`` — the report year is known.
- ``published`` — the publication date is known (from the document or the crawl).
- ``section K`` — the section is present.
- ``section K written`` — the section is present and says something (not empty, not a bare
  placeholder such as "无" or the template's "（文字描述）"; in section 六 "无" is an answer).
- ``T2 readable`` / ``T3 readable`` / ``T4 readable`` — the table is there, is text (not an image)
  and its structure was read.
- ``template 2019`` / ``template 2021`` — the document's tables are in that template version.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from auditor.engine.api import NotEvaluated, is_written, says_nothing, usable_table
from auditor.model import Document, Table
from auditor.templates import TABLE_NAMES

_SECTION = re.compile(r"^section ([一二三四五六](?:\|[一二三四五六])*)( written)?$")
_TABLE = re.compile(r"^(T[234]) readable$")
_TEMPLATE = re.compile(r"^template (2019|2021)$")
TEMPLATES = ("2019", "2021")
_TEMPLATE_NAMES = {"mixed": "新旧格式混用", "unknown": "格式无法识别"}
VOCABULARY: dict[str, tuple[str, str]] = {
    "year": ("报告年度可以确定", "报告年度不明"),
    "published": ("发布日期已知（文档中或网站栏目）", "发布日期未知"),
    "section K": ("第K部分存在（K 为 一 … 六；“一|五|六”表示其中任一）", "缺少第K部分"),
    "section K written": (
        "第K部分存在且有实际内容（不是空白、“无”或模板的“（文字描述）”；第六部分写“无”也算）",
        "缺少第K部分 / “…”部分没有实际内容",
    ),
    "T2 readable": ("表二存在、不是图片、结构可以读取", "缺少表二 / 表二仅为图片 / 表二结构无法读取"),
    "T3 readable": ("表三存在、不是图片、结构可以读取", "缺少表三 / 表三仅为图片 / 表三结构无法读取"),
    "T4 readable": ("表四存在、不是图片、结构可以读取", "缺少表四 / 表四仅为图片 / 表四结构无法读取"),
    "template 2019": ("报告的表格为2019年格式", "报告表格不是2019年格式"),
    "template 2021": ("报告的表格为2021年格式", "报告表格不是2021年格式"),
}
"""The forms a requirement may take: form -> (what it means, the reason written when it does not hold)."""


@dataclass(frozen=True, slots=True)
class Requirement:
    """One requirement as written in a rule file, and the atomic statements any of which meets it."""

    text: str
    alternatives: tuple[str, ...]

    def holds(self, facts: frozenset[str]) -> bool:
        """Whether a document whose atomic statements are ``facts`` meets it."""
        return any(a in facts for a in self.alternatives)

    def reasons(self, doc: Document) -> list[NotEvaluated]:
        """Why ``doc`` does not meet it, in the words of the finding that lists the check."""
        return _reasons(self.text, doc)


def parse_requirement(text: str) -> Requirement:
    """A requirement from its text; raises ValueError naming the vocabulary when it is not one."""
    text = " ".join(str(text).split())
    if text in ("year", "published") or _TABLE.match(text) or _TEMPLATE.match(text):
        return Requirement(text, (text,))
    match = _SECTION.match(text)
    if match:
        keys = tuple(dict.fromkeys(match[1].split("|")))
        suffix = match[2] or ""
        return Requirement(text, tuple(f"section {k}{suffix}" for k in keys))
    raise ValueError(f"'{text}' is not a requirement (one of: {', '.join(VOCABULARY)}; K is 一 … 六)")


def describe(text: str) -> str:
    """A requirement in the officer's words (the web catalogue, `rules explain`): "表三存在、不是图片、
    结构可以读取", "第二部分存在且有实际内容", "第一、五或六部分存在"."""
    requirement = parse_requirement(text)
    match = _SECTION.match(requirement.text)
    if match is None:
        return VOCABULARY[requirement.text][0]
    keys = list(dict.fromkeys(match[1].split("|")))
    which = keys[0] if len(keys) == 1 else "、".join(keys[:-1]) + "或" + keys[-1]
    return f"第{which}部分存在" + ("且有实际内容" if match[2] else "")


_SECTION_FACTS = {key: (f"section {key}", f"section {key} written") for key in "一二三四五六"}
_TABLE_FACTS = {kind: f"{kind} readable" for kind in TABLE_NAMES}
_TEMPLATE_FACTS = {version: f"template {version}" for version in TEMPLATES}


def document_facts(
    doc: Document, table: Callable[[str], Table | NotEvaluated] | None = None
) -> frozenset[str]:
    """The atomic statements that hold for ``doc``: what the engine knows of it to decide what runs
    (``table``: the document's :func:`usable_table` by kind, where the caller keeps them, as
    :meth:`Context.table` does for the checks)."""
    facts: set[str] = set()
    if doc.year is not None:
        facts.add("year")
    if doc.published is not None:
        facts.add("published")
    for section in doc.sections:
        key = section.key
        present, written = _SECTION_FACTS.get(key) or (f"section {key}", f"section {key} written")
        facts.add(present)
        if is_written(section):
            facts.add(written)
    for kind, readable in _TABLE_FACTS.items():
        if isinstance(table(kind) if table is not None else usable_table(doc, kind), Table):
            facts.add(readable)
    template = _TEMPLATE_FACTS.get(doc.template)
    if template is not None:
        facts.add(template)
    return frozenset(facts)


def _section_reasons(keys: list[str], written: bool, doc: Document) -> list[NotEvaluated]:
    present = [s for k in keys if (s := doc.section(k)) is not None]
    if not present:
        return [NotEvaluated(f"缺少第{'、'.join(keys)}部分", section=keys[0])]
    if not written:
        return []
    return [reason for s in present if (reason := says_nothing(s)) is not None]


def _reasons(text: str, doc: Document) -> list[NotEvaluated]:
    if text in ("year", "published"):
        return [NotEvaluated(VOCABULARY[text][1])]
    table = _TABLE.match(text)
    if table:
        found = usable_table(doc, table[1])
        return [found] if isinstance(found, NotEvaluated) else []
    template = _TEMPLATE.match(text)
    if template:
        written = _TEMPLATE_NAMES.get(doc.template, f"{doc.template}年格式")
        return [NotEvaluated(f"报告表格不是{template[1]}年格式（{written}）")]
    match = _SECTION.match(text)
    assert match is not None, text
    return _section_reasons(list(dict.fromkeys(match[1].split("|"))), bool(match[2]), doc)


def missing(required: Iterable[str], declared: Iterable[Requirement]) -> list[str]:
    """Which of the ``required`` texts (what a shape's check relies on) ``declared`` does not state."""
    stated = {r.text for r in declared}
    return [text for text in required if text not in stated]
