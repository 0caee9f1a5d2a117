"""Running a rule's own examples (``nianbao rules test`` and the test suite).

Each example's documents are built (text as written, or a generated sample rendered in the example's
format), audited together by the whole rule base, and the rule must fire — or must not fire — on at
least one of them.  A rule that fires must also fill every placeholder of its message.

The harness sits above the pipeline (it audits through it), outside auditor.engine, which the pipeline uses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from auditor.engine.rulebase import RuleBase
from auditor.engine.rulefile import Example, ExampleDoc, RuleSpec
from auditor.engine.samples import SAMPLE_FORMATS, render_sample, sample_formats
from auditor.findings.model import Finding
from auditor.pipeline import AuditInput, audit_batch

_PLACEHOLDER = re.compile(r"\{[a-z_]+\}")


@dataclass(frozen=True, slots=True)
class ExampleResult:
    rule_id: str
    expectation: str
    """must_fire or must_not_fire."""
    name: str
    ok: bool
    detail: str = ""
    known_gap: bool = False
    """The example is a known gap that still does not work (not a failure)."""


def example_input(doc: ExampleDoc, index: int, fmt: str | None = None) -> AuditInput:
    """The audit input of one example document; ``fmt`` renders a sample in another format."""
    fmt = fmt or doc.format
    data = render_sample(doc.sample, fmt) if doc.sample is not None else (doc.text or "").encode("utf-8")
    return AuditInput(data=data, source=f"example-{index}.{fmt}", level=doc.level, published=doc.published)


def example_formats(example: Example) -> tuple[str, ...]:
    """The input formats an example can be rendered in: none when one of its documents is text."""
    if any(doc.sample is None for doc in example.documents):
        return ()
    allowed = [
        set(doc.formats or SAMPLE_FORMATS) & set(sample_formats(doc.sample or {}))
        for doc in example.documents
    ]
    return tuple(f for f in SAMPLE_FORMATS if all(f in a for a in allowed))


def findings_of(rulebase: RuleBase, example: Example, fmt: str | None = None) -> list[Finding]:
    """Every finding the rule base makes on the example's documents, audited as one batch."""
    inputs = [example_input(doc, i, fmt) for i, doc in enumerate(example.documents)]
    return [f for result in audit_batch(inputs, rulebase=rulebase) for f in result.findings]


def check_example(
    rulebase: RuleBase, rule: RuleSpec, example: Example, must_fire: bool, fmt: str | None = None
) -> ExampleResult:
    """Whether the rule fires on the example as it must (or does not, as it must not)."""
    expectation = "must_fire" if must_fire else "must_not_fire"
    name = f"{example.name} [{fmt}]" if fmt else example.name
    errors_before = len(rulebase.runtime_errors)
    try:
        mine = [f for f in findings_of(rulebase, example, fmt) if f.rule_id == rule.id]
    except Exception as exc:  # noqa: BLE001 - a broken example is a failed example, not a crash
        return ExampleResult(
            rule.id, expectation, name, False, f"example could not run: {type(exc).__name__}: {exc}"
        )
    raised = [reason for rule_id, reason in rulebase.runtime_errors[errors_before:] if rule_id == rule.id]
    if raised:
        return ExampleResult(rule.id, expectation, name, False, f"the check raised: {raised[0]}")
    if example.known_gap is not None:
        if bool(mine) != must_fire:
            return ExampleResult(rule.id, expectation, name, True, f"known gap: {example.known_gap}", True)
        return ExampleResult(rule.id, expectation, name, False, "known gap now works: remove 'known_gap'")
    if must_fire and not mine:
        return ExampleResult(rule.id, expectation, name, False, "did not fire")
    if not must_fire and mine:
        return ExampleResult(rule.id, expectation, name, False, f"fired: {mine[0].message}")
    if must_fire and (wrong := expectation_failure(example, mine)):
        return ExampleResult(rule.id, expectation, name, False, wrong)
    unfilled = [f.message for f in mine if _PLACEHOLDER.search(f.message)]
    if unfilled:
        return ExampleResult(
            rule.id, expectation, name, False, f"message placeholder not filled: {unfilled[0]}"
        )
    return ExampleResult(rule.id, expectation, name, True)


def expectation_failure(example: Example, mine: list[Finding]) -> str | None:
    """What differs from the example's ``expect`` (count and location of the rule's findings), or None."""
    if example.expect_count is not None and len(mine) != example.expect_count:
        return f"expected {example.expect_count} finding(s), got {len(mine)}"
    wanted = example.expect_location
    if wanted and not any(all(getattr(f.location, k) == v for k, v in wanted.items()) for f in mine):
        got = "; ".join(sorted({str(f.location.to_dict()) for f in mine}))
        return f"no finding at {wanted} (found at {got})"
    return None


def run_examples(rulebase: RuleBase, rule: RuleSpec) -> list[ExampleResult]:
    """All examples of one rule."""
    return [check_example(rulebase, rule, ex, True) for ex in rule.must_fire] + [
        check_example(rulebase, rule, ex, False) for ex in rule.must_not_fire
    ]
