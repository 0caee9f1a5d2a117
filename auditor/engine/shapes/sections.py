"""Shapes about the six sections: a section is required; a section must name some aspects or phrases."""

from __future__ import annotations

import re
from collections.abc import Iterator

from auditor.engine.api import (
    Context,
    Outcome,
    Violation,
    heading_as_written,
    says_nothing,
    section_heading,
)
from auditor.engine.shapes.base import CompiledShape, Params, quote_start
from auditor.engine.shapes.scan import Scan
from auditor.model import SECTION_KEYS


def _section_keys(params: Params) -> tuple[str, ...]:
    keys = params.strings("sections")
    unknown = [k for k in keys if k not in SECTION_KEYS]
    if unknown:
        raise ValueError(f"unknown section(s) {', '.join(unknown)}; use 一 … 六")
    return keys


def required_section(params: Params) -> CompiledShape:
    """Each of ``sections`` must be present; one violation per missing section."""
    keys = _section_keys(params)

    def check(ctx: Context) -> Iterator[Outcome]:
        for key in keys:
            if ctx.section(key) is None:
                heading = section_heading(key)
                yield Violation(
                    evidence=f"未找到“{heading}”或与之对应的标题",
                    section=key,
                    values={"heading": heading},
                )

    return CompiledShape(check)


def _patterns(params: Params, key: str, words: object) -> tuple[Scan, ...]:
    items = [words] if isinstance(words, str) else words
    if not isinstance(items, list) or not items or not all(isinstance(w, str) for w in items):
        raise ValueError(f"aspect '{key}' needs a non-empty list of phrases")
    try:
        return tuple(Scan.of(re.compile(w)) for w in items)
    except re.error as exc:
        raise ValueError(f"aspect '{key}': bad pattern: {exc}") from None


def _reported_part(text: str, plans: re.Pattern[str] | None) -> str:
    """The part of a section's text that reports what was done: before its plans start ("下一步",
    "2020年，我们将采取以下措施"), when ``plans`` marks them.  What a body means to do is no result."""
    if plans is None:
        return text
    m = plans.search(text)
    return text[: m.start()] if m else text


def _aspects_check(
    keys: tuple[str, ...],
    aspects: dict[str, tuple[Scan, ...]],
    plans_in: tuple[str, ...] = (),
    plans: re.Pattern[str] | None = None,
) -> CompiledShape:
    def check(ctx: Context) -> Iterator[Outcome]:
        # the rule requires one of the sections written: the engine runs the check only then
        present = [s for k in keys if (s := ctx.section(k)) is not None]
        if all(says_nothing(s) is not None for s in present):
            return
        text = "\n".join(_reported_part(s.text, plans if s.key in plans_in else None) for s in present)
        where = present[0]
        for name, patterns in aspects.items():
            if not any(p.search(text) for p in patterns):
                quoted = quote_start(text) if text.strip() else "（无正文）"
                yield Violation(
                    evidence=f"“{heading_as_written(where)}”：{quoted}",
                    section=where.key,
                    values={"aspect": name},
                    key=name,
                )

    return CompiledShape(check, needs=(f"section {'|'.join(keys)} written",))


def required_aspects(params: Params) -> CompiledShape:
    """The text of ``sections`` must name every aspect: ``aspects`` maps a name to phrases (regexes),
    any of which counts.  One violation per missing aspect, naming it ({aspect}).  The rule requires
    one of the sections written (``requires: [section 一|五|六 written]``).

    ``plans_in`` names sections whose text turns to plans at the first match of ``plan_markers``
    (section 五: problems, then "下一步…"): only the text before it reports what was done."""
    keys = _section_keys(params)
    raw = params.get("aspects", dict)
    if not raw:
        raise ValueError("shape parameter 'aspects' is empty")
    plans_in = params.strings("plans_in", [])
    markers = params.strings("plan_markers", [])
    if plans_in and not markers:
        raise ValueError("shape parameter 'plans_in' needs 'plan_markers'")
    plans = re.compile("|".join(f"(?:{m})" for m in markers)) if markers else None
    return _aspects_check(
        keys,
        {str(name): _patterns(params, str(name), words) for name, words in raw.items()},
        plans_in,
        plans,
    )


def required_phrases(params: Params) -> CompiledShape:
    """The text of ``sections`` must contain one of ``phrases`` (regexes); ``name`` says what they mean.
    The rule requires one of the sections written (``requires: [section 六 written]``)."""
    keys = _section_keys(params)
    name = params.get("name", str)
    return _aspects_check(keys, {name: _patterns(params, name, list(params.strings("phrases")))})
