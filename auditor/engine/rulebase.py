"""The rule base: rule files compiled once, applied to batches of documents.

For a batch: the tables of all documents are validated by pandera in one call per table kind and
template version; then the experta engine (:mod:`auditor.engine.knowledge`), over coarse document
states (each decided once per rule base), decides which rules apply to which document (year, level)
and whether what they require holds (``requires``), runs their checks, and says which checks could not
run and, per batch, which finding explains why.  This module turns its decisions into findings: each
violation one finding, "（因此未能执行：…）" on the explaining finding, the rest in one AUD-001, and
READ-001 for a document that could not be read.
"""

from __future__ import annotations

import logging
import re
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

from auditor import schemas
from auditor.engine.api import (
    Context,
    NotEvaluated,
    Outcome,
    Violation,
    section_heading,
    tables_by_template,
)
from auditor.engine.knowledge import Batch, Order, compile_engine
from auditor.engine.rulefile import PROJECT_RULES, RuleSet, RuleSpec, load_rules
from auditor.findings.model import Finding, Location, ReportResult, RuleMeta, document_identity, fingerprint
from auditor.level import level_of
from auditor.model import Document
from auditor.schemas import Failure
from auditor.templates import SPECS, TABLE_NAMES, TableSpec

log = logging.getLogger("nianbao.rules")

RULES_DIR = PROJECT_RULES
"""The rule files: rules/ at the top of the checkout, installed beside the auditor package."""

SchemaResults = dict[int, dict[tuple[str, str], list[Failure]]]


class _Placeholders(dict[str, object]):
    """Message values; an unknown placeholder stays as written so the example tests can see it."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def agency_key(agency: str | None) -> str | None:
    """The body's name as the across-year checks match it (whitespace removed)."""
    return re.sub(r"\s+", "", agency) if agency else None


def previous_reports(docs: Sequence[Document]) -> dict[int, Document]:
    """For each document (by position), the same body's report of the year before, if in the batch."""
    before = predecessors([(agency_key(doc.agency), doc.year) for doc in docs])
    return {i: docs[j] for i, j in before.items()}


MIN_SHORT_NAME = 4
"""A name shorter than this ("教育厅") names a kind of body, not one body: never linked by suffix."""


def _one_related_name(key: str, names: set[str], reversed_names: list[str]) -> str | None:
    """The one name among ``names`` that is ``key`` with a shorter or longer front, if exactly one is
    (``reversed_names``: the same names written backwards, sorted, for the bisection)."""
    shorter = {key[-n:] for n in range(MIN_SHORT_NAME, len(key)) if key[-n:] in names}
    flipped = key[::-1]
    at = bisect_left(reversed_names, flipped)
    longer: set[str] = set()
    while at < len(reversed_names) and reversed_names[at].startswith(flipped) and len(longer) < 2:
        if reversed_names[at] != flipped:
            longer.add(reversed_names[at][::-1])
        at += 1
    matches = shorter | longer
    return matches.pop() if len(matches) == 1 else None


def predecessors(keys: Sequence[tuple[str | None, int | None]]) -> dict[int, int]:
    """For each (body, year) by position, the position of the same body's report of the year before.

    The first report of each (body, year) counts; the same name, else the one report of the year before
    whose name is this one with a longer or shorter front ("省教育厅" / "河北省教育厅") — never when two
    such reports exist ("河北省教育厅", "山西省教育厅": the short name does not say which body it is).
    O(n log n): the longer names are found by bisection among the year's names written backwards.
    """
    first: dict[tuple[str, int], int] = {}
    for i, (key, year) in enumerate(keys):
        if key and year is not None:
            first.setdefault((key, year), i)
    names_of: dict[int, set[str]] = {}
    for key, year in first:
        names_of.setdefault(year, set()).add(key)
    reversed_of = {year: sorted(name[::-1] for name in names) for year, names in names_of.items()}
    found: dict[int, int] = {}
    for i, (key, year) in enumerate(keys):
        if not key or year is None:
            continue
        if (key, year - 1) in first:
            found[i] = first[(key, year - 1)]
        elif len(key) >= MIN_SHORT_NAME and year - 1 in names_of:
            match = _one_related_name(key, names_of[year - 1], reversed_of[year - 1])
            if match is not None:
                found[i] = first[(match, year - 1)]
    return found


class RuleBase:
    """A compiled rule set.  ``audit`` appends findings to results; ``rules_meta`` lists the rules."""

    def __init__(self, rules: Sequence[RuleSpec], errors: Sequence[str] = ()) -> None:
        self.rules = list(rules)
        self.errors = list(errors)
        self.by_id = {rule.id: rule for rule in self.rules}
        self.engine = compile_engine(self.rules)
        checks = [check for rule in self.rules for check in rule.compiled.schema_checks]
        self.specs: dict[tuple[str, str], TableSpec] = {(s.kind, s.version): s for s in SPECS.values()}
        self.schema_specs = tuple(self.specs.values())
        self.schema = schemas.batch_schema(self.schema_specs, checks)
        self.summary_rule = next((r for r in self.rules if r.shape == "not_evaluated"), None)
        self.runtime_errors: list[tuple[str, str]] = []
        """(rule id, one-line reason) of every check that raised: reported, never fatal."""

    @classmethod
    def from_folder(cls, folder: Path = RULES_DIR) -> RuleBase:
        """Load a folder of rule files; each broken file is reported in one line and skipped."""
        return cls.from_rules(load_rules(folder))

    @classmethod
    def from_rules(cls, loaded: RuleSet) -> RuleBase:
        """The rule base of loaded rule files; each broken file is reported in one line."""
        for error in loaded.errors:
            log.warning("规则文件有误，已跳过：%s", error)
        return cls(loaded.rules, loaded.errors)

    def rules_meta(self) -> list[RuleMeta]:
        """id, title, severity and basis of every rule, for findings.json."""
        return [rule.meta() for rule in self.rules]

    # -- auditing ---------------------------------------------------------------------------------

    def audit(
        self, results: list[ReportResult], previous: Sequence[Document | None] | None = None
    ) -> None:
        """Append each result's findings; same-body reports of the batch feed the across-year checks.

        ``previous`` (one entry per result) names each report's predecessor when the caller found it
        outside the batch (`nianbao audit` audits in chunks across processes); else the batch is searched.
        """
        readable = [r for r in results if r.document is not None]
        docs = [r.document for r in readable if r.document is not None]
        failures, broken = self._validate(docs)
        if previous is None:
            prev_of = previous_reports(docs)
        else:
            given = [p for r, p in zip(results, previous, strict=True) if r.document is not None]
            prev_of = {i: p for i, p in enumerate(given) if p is not None}
        contexts = [
            Context(
                doc=doc,
                # extraction sets the level; a document made otherwise (a test, the store) is not changed
                level=doc.level or level_of(doc.title, doc.agency),
                failures=failures.get(i, {}),
                broken_checks=frozenset(broken.get(i, ())),
                previous=prev_of.get(i),
            )
            for i, doc in enumerate(docs)
        ]
        unreadable = [r for r in results if r.document is None and r.error]
        batch = self.engine.run_batch(contexts, self._evaluate, [r.error or "" for r in unreadable])
        covered: dict[int, list[tuple[Order, Order]]] = defaultdict(list)
        for (doc, order), at in batch.covering.items():
            covered[doc].append((order, at))
        left: dict[int, list[Order]] = defaultdict(list)
        for doc, order in batch.left:
            left[doc].append(order)
        for i, result in enumerate(readable):
            identity = document_identity(docs[i], result.source, result.sha256)
            result.findings.extend(self._findings(i, batch, covered.get(i, []), left.get(i, []), identity))
        for j, result in enumerate(unreadable):
            identity = document_identity(None, result.source, result.sha256)
            for position, violation in batch.unreadable.get(j, []):
                result.findings.append(self._finding(self.rules[position], violation, identity))

    def _validate(self, docs: Sequence[Document]) -> tuple[SchemaResults, dict[int, set[tuple[str, str]]]]:
        """pandera over the batch: one frame of every table and one call."""
        groups = tables_by_template(docs)
        by_spec = {self.specs[key]: tables for key, tables in groups.items()}
        frame = schemas.batch_frame(by_spec, self.schema_specs)
        results: SchemaResults = defaultdict(lambda: defaultdict(list))
        broken: dict[int, set[tuple[str, str]]] = defaultdict(set)
        for failure in schemas.validate(frame, self.schema):
            if failure.doc is not None:
                results[failure.doc][(failure.check, failure.table or "")].append(failure)
                continue
            for (kind, _), tables in groups.items():  # a check that could not run: its tables not evaluated
                if failure.table in (None, kind):
                    for i, _ in tables:
                        broken[i].add((failure.check, kind))
        return results, broken

    def _evaluate(self, rules: Sequence[RuleSpec], ctx: Context) -> list[tuple[int, list[Outcome]]]:
        """The outcomes of some rules' checks on one document (the engine decided they run): (index
        among ``rules``, outcomes) of each check that had any."""
        found: list[tuple[int, list[Outcome]]] = []
        for k, rule in enumerate(rules):
            try:
                outcomes = list(rule.compiled.check(ctx))
            except Exception as exc:  # noqa: BLE001 - a broken rule must not stop the audit
                outcomes = [self._crashed(rule, ctx, exc)]
            if outcomes:
                found.append((k, outcomes))
        return found

    def _crashed(self, rule: RuleSpec, ctx: Context, exc: Exception) -> NotEvaluated:
        """A check that raised: reported once in the log and in ``runtime_errors``, never fatal."""
        reason = f"{ctx.doc.source}: {type(exc).__name__}: {exc}"
        self.runtime_errors.append((rule.id, reason))
        log.warning("规则 %s 执行出错：%s", rule.id, reason)
        return NotEvaluated(f"检查执行出错（{type(exc).__name__}）")

    def _findings(
        self, doc: int, batch: Batch, covered: list[tuple[Order, Order]], left: list[Order], identity: str
    ) -> list[Finding]:
        """One document's findings, in rule order; the checks that could not run named on the finding
        the engine found explaining them (``covered``: not-run order, finding), the rest (``left``) in
        one AUD-001."""
        made: dict[Order, Finding] = {}
        for position, violations in sorted(batch.violations[doc].items()):
            rule = self.rules[position]
            for k, violation in enumerate(violations):
                made[(position, k)] = self._finding(rule, violation, identity)
        attached: dict[Order, list[str]] = defaultdict(list)
        for order, at in sorted(covered):
            attached[at].append(batch.not_run[(doc, order)][0])
        for at, ids in attached.items():
            made[at].message += f"（因此未能执行：{'、'.join(dict.fromkeys(ids))}）"
        findings = list(made.values())
        if left and self.summary_rule is not None:
            not_run = [batch.not_run[(doc, order)] for order in sorted(left)]
            findings.append(self._summary(self.summary_rule, not_run, identity))
        return findings

    def _summary(self, rule: RuleSpec, not_run: list[tuple[str, str]], identity: str) -> Finding:
        """AUD-001: the checks that could not run and why, by rule, each reason once."""
        reasons: dict[str, list[str]] = defaultdict(list)
        for rule_id, reason in not_run:
            if reason not in reasons[rule_id]:
                reasons[rule_id].append(reason)
        evidence = "；".join(f"{rule_id}（{'，'.join(why)}）" for rule_id, why in reasons.items())
        return self._finding(rule, Violation(evidence=evidence, key=",".join(reasons)), identity)

    def _finding(self, rule: RuleSpec, violation: Violation, identity: str) -> Finding:
        location = Location(violation.section, violation.table, violation.row, violation.column)
        values = _Placeholders(violation.values)
        values.update(
            section=section_heading(violation.section) if violation.section else "",
            table=TABLE_NAMES.get(violation.table or "", ""),
            row=violation.row or "",
            column=violation.column or "",
            evidence=violation.evidence,
        )
        return Finding(
            rule_id=rule.id,
            severity=rule.severity,
            title=rule.title,
            message=rule.message.format_map(values),
            location=location,
            evidence=violation.evidence,
            basis=rule.basis,
            fix=rule.fix,
            cells=list(violation.cells),
            fingerprint=fingerprint(rule.id, identity, location, violation.key),
        )
