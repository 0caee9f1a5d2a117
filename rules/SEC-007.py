"""SEC-007: section 五 states the problems and, separately, the improvement measures.

Each sentence of the section is read once: a sentence that says something falls short ("工作人员业务
能力有待提升") is a problem, even when it uses a verb of improvement; a sentence is a measure when it
says what is or will be done ("下一步""将进一步加强…""针对上述问题…"), or uses a verb of improvement
without describing a shortcoming.  A bare sub-heading ("（二）改进措施") reports neither, and a sentence that
reports last year's problems settled ("针对上年度报告指出的问题，已逐项制定整改措施并整改到位") is the
follow-up SEC-008 asks for, not a measure for this year's problems.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from functools import lru_cache
from typing import Any

from auditor.engine.api import (
    Context,
    Outcome,
    Violation,
    heading_as_written,
)
from auditor.engine.shapes.base import quote_start

REQUIRES = ("section 五 written",)
"""The engine runs the check only when this holds (declared in the rule file's ``requires``)."""

_SENTENCE = re.compile(r"[^。；;！!？?\n]+")
_DIGIT = re.compile(r"\d")
_LABEL = re.compile(
    r"^\s*(?:[（(]\s*[一二三四五六七八九十\d]{1,2}\s*[)）]|[一二三四五六七八九十]{1,2}[是、]|\d{1,2}[.、．])?\s*"
)


def _patterns(words: Any) -> re.Pattern[str]:
    return _joined((words,) if isinstance(words, str) else tuple(words))


@lru_cache(maxsize=64)
def _joined(words: tuple[str, ...]) -> re.Pattern[str]:
    """The words as one pattern, built once per rule file rather than once per report."""
    return re.compile("|".join(f"(?:{w})" for w in words))


def _kinds(sentence: str, problem: re.Pattern[str], plan: re.Pattern[str], verb: re.Pattern[str]) -> set[str]:
    """'problem' and/or 'measure' for one sentence."""
    # _LABEL opens with "^": it matches once, at the start (a sub would try it at every character)
    label = _LABEL.match(sentence)
    body = (sentence[label.end() :] if label is not None else sentence).strip(" ：:，,")
    if len(body) <= 8 and not _DIGIT.search(body):
        return set()  # a sub-heading such as "主要问题" or "改进措施" on its own reports nothing
    kinds: set[str] = set()
    shortfall = problem.search(body) is not None
    if shortfall:
        kinds.add("problem")
    if plan.search(body) or (verb.search(body) and not shortfall):
        kinds.add("measure")
    return kinds


def check(ctx: Context, params: Mapping[str, Any]) -> Iterator[Outcome]:
    section = ctx.written_section("五")
    problem = _patterns(params["problem"])
    plan = _patterns(params["plan"])
    verb = _patterns(params["verb"])
    follow_up = _patterns(params["follow_up"])
    found: set[str] = set()
    for m in _SENTENCE.finditer(section.text):
        if follow_up.search(m.group(0)):
            continue  # last year's problems reported settled: SEC-008's subject, not this year's measures
        found |= _kinds(m.group(0), problem, plan, verb)
        if len(found) == 2:
            break  # both a problem and a measure: the sentences left can add neither
    text = section.text
    for kind, aspect in (("problem", "存在的主要问题"), ("measure", "改进措施")):
        if kind not in found:
            quoted = quote_start(text) if text.strip() else "（无正文）"
            yield Violation(
                evidence=f"“{heading_as_written(section)}”：{quoted}",
                section="五",
                values={"aspect": aspect},
                key=aspect,
            )
