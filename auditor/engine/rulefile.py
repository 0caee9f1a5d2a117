"""Rule files: one YAML file per catalogue id under rules/, read into :class:`RuleSpec`.

A rule file states the id (= its file name), a Chinese title, a message template, the severity, the
legal basis, how to fix it, where it applies, its shape with the shape's parameters, and examples
that must fire and must not fire.  A file that cannot be read is reported in one line and skipped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from auditor.engine.requirements import Requirement, missing, parse_requirement
from auditor.engine.samples import SAMPLE_FORMATS, check_sample
from auditor.engine.schema import RuleFile, describe_error, validate_params
from auditor.engine.shapes import SHAPES, CompiledShape, Params
from auditor.findings.model import SEVERITIES, RuleMeta, Severity
from auditor.level import LEVELS

RULE_ID = re.compile(r"^[A-Z]{2,5}-\d{3}$")
REQUIRED_FIELDS: tuple[str, ...] = ("id", "title", "severity", "basis", "message", "fix", "shape", "examples")
OPTIONAL_FIELDS: tuple[str, ...] = ("applies", "requires", "requires_each", "covers_unevaluated")
PROJECT_RULES = Path(__file__).resolve().parents[2] / "rules"
"""The project's rule folder (the same as the rule base's RULES_DIR)."""
LEVEL_NAMES: dict[str, str] = {"government": "人民政府", "department": "政府部门", "township": "街道、乡镇"}


class RuleFileError(ValueError):
    """A rule file that cannot be used; the message is one line naming the file."""


@dataclass(frozen=True, slots=True)
class Applies:
    """Where a rule applies: report years (inclusive bounds) and body levels."""

    year_from: int | None = None
    year_to: int | None = None
    levels: tuple[str, ...] = LEVELS

    @property
    def needs_year(self) -> bool:
        return self.year_from is not None or self.year_to is not None

    def year_matches(self, year: int | None) -> bool:
        """True within the bounds; an unknown year matches so that "cannot tell" can be reported."""
        if year is None:
            return True
        return (self.year_from is None or year >= self.year_from) and (
            self.year_to is None or year <= self.year_to
        )

    def describe(self) -> str:
        parts = []
        if self.year_from is not None and self.year_to is not None:
            parts.append(f"{self.year_from}—{self.year_to}年度报告")
        elif self.year_from is not None:
            parts.append(f"{self.year_from}年度起的报告")
        elif self.year_to is not None:
            parts.append(f"{self.year_to}年度及以前的报告")
        else:
            parts.append("各年度报告")
        if set(self.levels) != set(LEVELS):
            parts.append("、".join(LEVEL_NAMES[level] for level in self.levels))
        return "；".join(parts)


@dataclass(frozen=True, slots=True)
class ExampleDoc:
    """One document of an example: text in a report layout, or a generated sample (with mutations)."""

    text: str | None = None
    sample: dict[str, Any] | None = None
    format: str = "txt"
    level: str | None = None
    published: date | None = None
    formats: tuple[str, ...] | None = None
    """For a sample: the input formats in which the example holds (default: every format)."""


@dataclass(frozen=True, slots=True)
class Example:
    """Documents audited together; the rule must (or must not) fire on at least one of them."""

    name: str
    documents: tuple[ExampleDoc, ...]
    known_gap: str | None = None
    """Why the rule cannot yet do what this example asks (semgrep's "todo"): reported, not failed."""
    expect_count: int | None = None
    """How many findings of the rule the example must give (``expect: {count: N}``)."""
    expect_location: dict[str, str] = field(default_factory=dict)
    """Location fields (section, table, row, column) one of the rule's findings must have."""


@dataclass(slots=True)
class RuleSpec:
    """One rule, read and compiled."""

    id: str
    title: str
    severity: Severity
    basis: str
    message: str
    fix: str
    shape: str
    params: dict[str, Any]
    applies: Applies
    must_fire: tuple[Example, ...]
    must_not_fire: tuple[Example, ...]
    path: Path
    compiled: CompiledShape
    covers_unevaluated: bool = False
    """Its findings explain why other checks could not be made (a missing or unreadable table)."""
    requires: tuple[Requirement, ...] = ()
    """What must hold of a document for the check to run (all; the first that does not is the reason)."""
    requires_each: tuple[Requirement, ...] = ()
    """Parts the check takes one at a time: it runs when one holds; each that does not is a reason."""
    portal_examples: str | None = None
    """For a portal check (shape ``portal``): why it has no document examples and where its crawl
    examples are; ``rules test`` prints it instead of running examples."""

    def meta(self) -> RuleMeta:
        """The entry of findings.json's "rules" list."""
        return {"id": self.id, "title": self.title, "severity": self.severity, "basis": self.basis}


def _text(data: dict[str, Any], key: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"'{key}' must be a non-empty text")
    return value.strip()


def _applies(raw: object) -> Applies:
    if raw is None:
        return Applies()
    if not isinstance(raw, dict):
        raise TypeError("'applies' must be a mapping")
    unknown = set(raw) - {"year_from", "year_to", "levels"}
    if unknown:
        raise ValueError(f"'applies' has unknown key(s): {', '.join(sorted(unknown))}")
    years = [raw.get("year_from"), raw.get("year_to")]
    if not all(y is None or isinstance(y, int) for y in years):
        raise ValueError("'applies' years must be integers")
    levels = raw.get("levels", list(LEVELS))
    if not isinstance(levels, list) or not levels or not set(levels) <= set(LEVELS):
        raise ValueError(f"'applies.levels' must list some of {', '.join(LEVELS)}")
    return Applies(years[0], years[1], tuple(levels))


def _example_doc(raw: object) -> ExampleDoc:
    if not isinstance(raw, dict):
        raise TypeError("an example document must be a mapping")
    sources = [k for k in ("text", "sample") if k in raw]
    if len(sources) != 1:
        raise ValueError("an example document needs exactly one of 'text' or 'sample'")
    published = raw.get("published")
    if published is not None and not isinstance(published, date):
        raise ValueError("an example's 'published' must be a date (YYYY-MM-DD)")
    sample = raw.get("sample")
    if sample is not None:
        if not isinstance(sample, dict):
            raise TypeError("an example's 'sample' must be a mapping")
        check_sample(sample)
    fmt = str(raw.get("format", "txt"))
    if fmt not in SAMPLE_FORMATS:
        raise ValueError(f"format '{fmt}' is not one of {', '.join(SAMPLE_FORMATS)}")
    formats = raw.get("formats")
    if formats is not None and (not isinstance(formats, list) or not set(formats) <= set(SAMPLE_FORMATS)):
        raise ValueError(f"an example's 'formats' must list some of {', '.join(SAMPLE_FORMATS)}")
    return ExampleDoc(
        formats=tuple(formats) if formats is not None else None,
        text=str(raw["text"]) if "text" in raw else None,
        sample=sample,
        format=fmt,
        level=raw.get("level"),
        published=published,
    )


def _examples(raw: object, kind: str) -> tuple[Example, ...]:
    if not isinstance(raw, list) or not raw:
        raise ValueError(f"'examples.{kind}' must list at least one example")
    out = []
    for i, item in enumerate(raw):
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            raise TypeError(f"'examples.{kind}' item {i + 1} needs a 'name'")
        docs = item.get("batch", [item])
        if not isinstance(docs, list) or not docs:
            raise ValueError(f"'examples.{kind}' item {i + 1}: 'batch' must list documents")
        gap = item.get("known_gap")
        if gap is not None and not isinstance(gap, str):
            raise TypeError(f"'examples.{kind}' item {i + 1}: 'known_gap' must be a text saying why")
        expect = item.get("expect") or {}
        location = {k: str(v) for k, v in (expect.get("location") or {}).items() if v is not None}
        try:
            out.append(Example(item["name"], tuple(_example_doc(d) for d in docs), gap,
                               expect.get("count"), location))
        except (ValueError, TypeError) as exc:
            raise ValueError(f"'examples.{kind}' item {i + 1}: {exc}") from None
    return tuple(out)


def _shape(data: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    shape = data["shape"]
    if not isinstance(shape, dict) or len(shape) != 1:
        raise ValueError("'shape' must be a mapping with one key: the shape's name")
    ((name, params),) = shape.items()
    if name not in SHAPES:
        raise ValueError(f"unknown shape '{name}' (known: {', '.join(SHAPES)})")
    if params is None:
        params = {}
    if not isinstance(params, dict):
        raise TypeError(f"the parameters of shape '{name}' must be a mapping")
    return str(name), params


def _parse(path: Path) -> RuleSpec:
    try:
        # libyaml's safe loader when PyYAML has it: the same data, and loading rules/ takes 25 ms, not 130
        text = path.read_text(encoding="utf-8")
        data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ValueError(f"not readable YAML ({type(exc).__name__})") from None
    if not isinstance(data, dict):
        raise TypeError("not a mapping")
    try:
        RuleFile.model_validate(data)
    except ValidationError as exc:
        raise ValueError(describe_error(exc)) from None
    rule_id = _text(data, "id")
    if not RULE_ID.match(rule_id):
        raise ValueError(f"id '{rule_id}' is not of the form ABC-123")
    if rule_id != path.stem:
        raise ValueError(f"id '{rule_id}' differs from the file name")
    severity = _text(data, "severity")
    if severity not in SEVERITIES:
        raise ValueError(f"severity '{severity}' is not one of {', '.join(SEVERITIES)}")
    examples = data["examples"]
    if not isinstance(examples, dict):
        raise TypeError("'examples' must have 'must_fire' and 'must_not_fire'")
    shape, params = _shape(data)
    validate_params(shape, params)
    portal_note = _portal_examples(shape, examples)
    compiled = SHAPES[shape](Params(rule_id, params, path.parent))
    applies = _applies(data.get("applies"))
    requires = tuple(parse_requirement(r) for r in data.get("requires") or ())
    requires_each = tuple(parse_requirement(r) for r in data.get("requires_each") or ())
    requires, requires_each = _with_needs(shape, compiled, applies, requires, requires_each)
    return RuleSpec(
        id=rule_id,
        title=_text(data, "title"),
        severity=severity,
        basis=_text(data, "basis"),
        message=_text(data, "message"),
        fix=_text(data, "fix"),
        shape=shape,
        params=params,
        applies=applies,
        requires=requires,
        requires_each=requires_each,
        must_fire=() if portal_note else _examples(examples.get("must_fire"), "must_fire"),
        must_not_fire=() if portal_note else _examples(examples.get("must_not_fire"), "must_not_fire"),
        path=path,
        compiled=compiled,
        covers_unevaluated=bool(data.get("covers_unevaluated", False)),
        portal_examples=portal_note,
    )


def _with_needs(
    shape: str,
    compiled: CompiledShape,
    applies: Applies,
    requires: tuple[Requirement, ...],
    requires_each: tuple[Requirement, ...],
) -> tuple[tuple[Requirement, ...], tuple[Requirement, ...]]:
    """The rule's requirements with what its check relies on and the file leaves out: ``year`` first
    for a rule bound to some years, the shape's needs after the declared ones — the engine, not the
    check, tells a document that lacks them."""
    if requires_each and not compiled.needs_each and shape != "python":
        raise ValueError(f"'requires_each' is for checks made part by part; shape '{shape}' is not")
    year = [parse_requirement("year")] if applies.needs_year and missing(["year"], requires) else []
    more = [parse_requirement(text) for text in missing(compiled.needs, requires)]
    declared = (*requires, *requires_each)
    more_each = [parse_requirement(text) for text in missing(compiled.needs_each, declared)]
    return (*year, *requires, *more), (*requires_each, *more_each)


def _portal_examples(shape: str, examples: dict[str, Any]) -> str | None:
    """A portal check's ``examples: {portal: why}`` (document examples cannot show a crawl's facts)."""
    if "portal" not in examples:
        return None
    if shape != "portal":
        raise ValueError("'examples.portal' is only for rules of shape 'portal'")
    if set(examples) != {"portal"}:
        raise ValueError("'examples.portal' stands alone: a portal check has no document examples")
    return _text(examples, "portal")


def project_rule(rule_id: str) -> RuleSpec:
    """The rule file of ``rule_id`` in the project's rules/ folder (read once per process): the one
    title, severity, basis and fix of an id wherever a finding of it is made (the crawler included)."""
    return _project_rule(rule_id)


@cache
def _project_rule(rule_id: str) -> RuleSpec:
    return load_rule(PROJECT_RULES / f"{rule_id}.yaml")


def load_rule(path: Path) -> RuleSpec:
    """Read and compile one rule file; raises :class:`RuleFileError` with a one-line reason."""
    try:
        return _parse(path)
    except (ValueError, TypeError) as exc:
        raise RuleFileError(f"{path.name}: {exc}") from None


@dataclass(slots=True)
class RuleSet:
    """The rules of a folder that could be used, and one line for each file that could not."""

    rules: list[RuleSpec]
    errors: list[str]


def load_rules(folder: Path) -> RuleSet:
    """Every ``*.yaml``/``*.yml`` rule file of ``folder``, sorted by name; of two files with one id
    (BAL-002.yaml and BAL-002.yml) the first is kept and the second reported."""
    rules: list[RuleSpec] = []
    errors: list[str] = []
    seen: dict[str, Path] = {}
    for path in sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")]):
        try:
            rule = load_rule(path)
        except RuleFileError as exc:
            errors.append(str(exc))
            continue
        if rule.id in seen:
            errors.append(f"{path.name}: duplicate id {rule.id} (also {seen[rule.id].name})")
            continue
        seen[rule.id] = path
        rules.append(rule)
    if not rules and not errors:
        errors.append(f"{folder}: no rule files")
    return RuleSet(rules, errors)
