"""The experta side of the rule base: it decides what runs, what could not run and why, and coverage.

Two engines.  The rule base's (:class:`RuleBaseEngine`) holds one coarse :class:`Report` fact per
distinct document state: the year, the level and the atomic statements that hold
(:func:`auditor.engine.requirements.document_facts`: ``year``, ``section 五 written``, ``T3 readable``
…); documents alike share one fact.  Rule files alike in where they apply and what they require
(:func:`rule_groups`) compile together into experta rules over that one pattern, no joins:

- ``run``: the rules apply (year, level) and their ``requires`` hold (and one part of
  ``requires_each``) — their checks run on every document of the state;
- ``not run``, one per requirement: the rules apply, the requirements before it hold and this one
  does not — the reason is recorded for each rule and document of the state.

What fires depends on the state alone, so a state is decided once, the first time a batch has it, and
its :class:`Decision` list is carried out on the documents of every batch that has it: a reset and a
match per batch cost more than the checks of a rule group.

The checks that could not run (an unmet requirement, or the check said so) for reasons about one
table or section are one :class:`NotRun` fact of their document and place: only a reason that names a
place can be explained by a finding.  The batch's engine (:class:`CoverageEngine`, ``reset()`` per run
of a few whole documents, see :func:`_runs`) decides coverage on those per-document facts: a check
that could not run is covered by a finding that explains why (a rule with ``covers_unevaluated``: the
same table, or the same section where the finding names no table) — its message gets
"（因此未能执行：…）"; the rest is gathered into AUD-001, with the reasons that name no place.  The
rules of shape ``unreadable`` are compiled into it, over the documents that could not be read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from experta import MATCH, NOT, Fact, KnowledgeEngine, P, Rule
from experta.strategies import DepthStrategy

from auditor.engine.api import Context, NotEvaluated, Outcome, Violation
from auditor.engine.requirements import Requirement, document_facts
from auditor.engine.rulefile import Applies, RuleSpec
from auditor.level import LEVELS

Order = tuple[int, int]
"""(rule position, outcome position): the order in which findings and reasons are written."""
State = tuple[int | None, str, frozenset[str]]
"""A coarse document state: (year, level, the atomic statements that hold)."""
_EACH, _CHECKED = 50, 100
"""Outcome positions of a rule's not-run parts (``requires_each``) and of its check's own outcomes,
after those of its ``requires`` (0, 1, …)."""
RUN, DECIDE, COVER, GATHER = 30, 30, 20, 10
"""Salience: checks and not-run decisions first, then coverage, then what is left for AUD-001."""
MAX_STATES = 4096
"""Coarse states the rule base's engine keeps decided (a batch of generated reports has some twenty)."""


class Report(Fact):  # type: ignore[misc]  # experta has no type hints
    """One coarse document state: ``state`` (its number in the engine), ``year``, ``level`` and
    ``facts``."""


class NotRun(Fact):  # type: ignore[misc]  # experta has no type hints
    """The checks that could not run on one document for reasons about one place: ``doc`` (position),
    ``orders`` (each check's rule and outcome position), and ``table`` and/or ``section``, the place
    (the rule ids and the reasons' words are kept beside, in :attr:`Batch.not_run`: the coverage rules
    need only where they are about).  One fact per place, not per check: what explains a check depends
    on its document and place alone, and an unreadable table stops a score of checks, each a fact
    experta would carry through its network.  Only such checks are declared: a reason about no place
    can be explained by no finding."""


class CoversTable(Fact):  # type: ignore[misc]  # experta has no type hints
    """A finding (``at``) of one document that explains why the checks of ``table`` could not run."""


class CoversSection(Fact):  # type: ignore[misc]  # experta has no type hints
    """A finding (``at``) without a table that explains why the checks of ``section`` could not run."""


class Covered(Fact):  # type: ignore[misc]  # experta has no type hints
    """The not-run checks ``orders`` of ``doc`` are explained by a finding."""


class Unreadable(Fact):  # type: ignore[misc]  # experta has no type hints
    """A document that could not be read at all: ``doc`` (its position among them) and ``reason``."""


Evaluate = Callable[[Sequence[RuleSpec], Context], list[tuple[int, list[Outcome]]]]
"""Runs the checks of some rules on one document: (index among the rules, outcomes) of each check that
had any (most have none: one call per document and group rather than per check)."""


@dataclass(frozen=True, slots=True)
class Decision:
    """What experta decided for the documents of a coarse state about the rules ``positions``: run
    their checks (``requirement`` None), or ``requirement`` does not hold and stops them (its reasons
    are written at outcome positions ``seq``, ``seq + 1`` …)."""

    positions: tuple[int, ...]
    requirement: Requirement | None = None
    seq: int = 0


@dataclass(slots=True)
class Batch:
    """One batch's documents and what becomes of them: the decisions applied, then coverage."""

    rules: Sequence[RuleSpec]
    contexts: Sequence[Context]
    evaluate: Evaluate
    violations: list[dict[int, list[Violation]]] = field(default_factory=list)
    """Per document: rule position -> the violations of its check."""
    covering: dict[tuple[int, Order], Order] = field(default_factory=dict)
    """(document, not-run order) -> the first finding that explains it."""
    not_run: dict[tuple[int, Order], tuple[str, str]] = field(default_factory=dict)
    """(document, order) -> (rule id, reason) of every check that could not run."""
    left: list[tuple[int, Order]] = field(default_factory=list)
    """(document, order) of the not-run checks no finding explains (AUD-001)."""
    unreadable: dict[int, list[tuple[int, Violation]]] = field(default_factory=dict)
    """Per unreadable document (by its position among them): (rule position, violation) — READ-001."""
    covers: list[Fact] = field(default_factory=list)
    """The findings that explain why checks of a table or a section could not run."""
    places: dict[tuple[int, str | None, str | None], list[Order]] = field(default_factory=dict)
    """(document, table, section) -> the orders of the checks that could not run for reasons about it."""

    @property
    def facts(self) -> list[Fact]:
        """The per-document facts for the coverage rules: the findings that explain, and the not-run
        checks by place."""
        not_run = [
            NotRun(doc=doc, orders=tuple(orders), **_place(table, section))
            for (doc, table, section), orders in self.places.items()
        ]
        return [*self.covers, *not_run]

    def apply(self, decision: Decision, docs: Sequence[int]) -> None:
        """Carry out one of experta's decisions on the documents ``docs`` (which share its state)."""
        if decision.requirement is None:
            self._run_checks(decision.positions, docs)
        else:
            self._record_unmet(decision.positions, decision.seq, decision.requirement, docs)

    def _run_checks(self, positions: Sequence[int], docs: Sequence[int]) -> None:
        rules = [self.rules[position] for position in positions]
        for doc in docs:
            for k, outcomes in self.evaluate(rules, self.contexts[doc]):
                self._outcomes(doc, positions[k], rules[k], outcomes)

    def _outcomes(self, doc: int, position: int, rule: RuleSpec, outcomes: list[Outcome]) -> None:
        found: list[Violation] = []
        for k, outcome in enumerate(outcomes):
            if isinstance(outcome, Violation):
                if rule.covers_unevaluated:
                    self._cover_fact(doc, (position, len(found)), outcome)
                found.append(outcome)
            else:
                self._not_run(doc, (position, _CHECKED + k), rule.id, outcome)
        if found:
            self.violations[doc][position] = found

    def _record_unmet(
        self, positions: Sequence[int], seq: int, requirement: Requirement, docs: Sequence[int]
    ) -> None:
        rule_ids = [(position, self.rules[position].id) for position in positions]
        for doc in docs:
            reasons = requirement.reasons(self.contexts[doc].doc)
            for position, rule_id in rule_ids:
                for k, reason in enumerate(reasons):
                    self._not_run(doc, (position, seq + k), rule_id, reason)

    def _cover_fact(self, doc: int, at: Order, violation: Violation) -> None:
        if violation.table is not None:
            self.covers.append(CoversTable(doc=doc, table=violation.table, at=at))
        elif violation.section is not None:
            self.covers.append(CoversSection(doc=doc, section=violation.section, at=at))

    def _not_run(self, doc: int, order: Order, rule_id: str, reason: NotEvaluated) -> None:
        self.not_run[(doc, order)] = (rule_id, reason.reason)
        if reason.table is None and reason.section is None:
            # nothing would read the fact: the coverage rules join on the table or the section, so no
            # finding can explain a reason that names neither ("发布日期未知"); AUD-001 lists it
            self.left.append((doc, order))
            return
        self.places.setdefault((doc, reason.table, reason.section), []).append(order)


def _place(table: str | None, section: str | None) -> dict[str, str]:
    """A NotRun's place: the slots it has (a pattern's slot matches only a fact that has it)."""
    where: dict[str, str] = {}
    if table is not None:
        where["table"] = table
    if section is not None:
        where["section"] = section
    return where


RUN_FACTS = 8
"""Facts per run of the coverage engine, about (a document's facts are never split over two runs)."""


def _runs(facts: Sequence[Fact]) -> list[list[Fact]]:
    """The per-document facts of a batch in runs of whole documents, each of about :data:`RUN_FACTS`.

    The coverage rules join facts of the same document only, but experta's join nodes test every new
    fact against every fact of the other side in working memory: over a whole batch that is quadratic
    (a batch of 190 real reports with 520 checks not run and 90 findings explaining them: 0.28 s, 1.5
    ms per report).  In runs of a few documents the joins stay small and the decisions are the same:
    which finding covers which check, and what is left, are per document.
    """
    by_doc: dict[int, list[Fact]] = {}
    for fact in facts:
        by_doc.setdefault(fact["doc"], []).append(fact)
    runs: list[list[Fact]] = []
    current: list[Fact] = []
    for doc_facts in by_doc.values():
        current.extend(doc_facts)
        if len(current) >= RUN_FACTS:
            runs.append(current)
            current = []
    if current:
        runs.append(current)
    return runs


def _applies_tests(applies: Applies) -> dict[str, Any]:
    """Conditions that hold everywhere are left out: every test is a node experta visits per fact."""
    tests: dict[str, Any] = {"state": MATCH.state}
    if applies.needs_year:
        tests["year"] = P(applies.year_matches)
    if set(applies.levels) != set(LEVELS):
        levels = frozenset(applies.levels)
        tests["level"] = P(lambda level: level in levels)
    return tests


def _all(requirements: Sequence[Requirement]) -> Callable[[frozenset[str]], bool]:
    return lambda facts: all(r.holds(facts) for r in requirements)


def _run_pattern(rule: RuleSpec) -> Report:
    tests = _applies_tests(rule.applies)
    requires, each = rule.requires, rule.requires_each
    if requires or each:
        held = _all(requires)
        tests["facts"] = P(lambda facts: held(facts) and (not each or any(r.holds(facts) for r in each)))
    return Report(**tests)


def _unmet_pattern(rule: RuleSpec, before: Sequence[Requirement], unmet: Requirement) -> Report:
    tests = _applies_tests(rule.applies)
    held = _all(before)
    tests["facts"] = P(lambda facts: held(facts) and not unmet.holds(facts))
    return Report(**tests)


class _UncachedDepthStrategy(DepthStrategy):  # type: ignore[misc]
    """experta's depth strategy without its ``lru_cache`` on the activation key: that cache outlives
    ``reset()``, and since every batch's activations look alike to it (same rule, same fact id), each
    lookup ran hundreds of equality tests against earlier batches' activations."""

    def get_key(self, activation: Any) -> tuple[int, list[int]]:
        facts = sorted((f["__factid__"] for f in activation.facts), reverse=True)
        return activation.rule.salience, facts


class _Engine(KnowledgeEngine):  # type: ignore[misc]
    """experta's engine with a cheaper run loop."""

    __strategy__ = _UncachedDepthStrategy

    def run(self, steps: float = float("inf")) -> None:
        """experta's run loop, less two costs paid at every firing: the scan of every rule's conflict
        set for new activations (done here only when the last firing declared or retracted facts: no
        other way adds or removes activations) and the log line formatted with every fact's text."""
        self.running = True
        while steps > 0 and self.running:
            if self.facts.added or self.facts.removed:
                added, removed = self.get_activations()
                self.strategy.update_agenda(self.agenda, added, removed)
            activation = self.agenda.get_next()
            if activation is None:
                break
            steps -= 1
            context = {k: v for k, v in activation.context.items() if not k.startswith("__")}
            activation.rule(self, **context)
        self.running = False


class CoverageEngine(_Engine):
    """The rules over one batch's per-document facts: coverage, and the rules of shape ``unreadable``
    (compiled in) over the documents that could not be read.  ``reset()`` for every batch."""

    def __init__(self) -> None:
        super().__init__()
        self.batch: Batch | None = None

    def run_batch(self, batch: Batch, unreadable: Sequence[str]) -> None:
        """Decide coverage and report the unreadable documents (``unreadable``: their reasons)."""
        self.batch = batch
        runs = _runs(batch.facts)
        if unreadable:
            runs.append([Unreadable(doc=j, reason=reason) for j, reason in enumerate(unreadable)])
        try:
            self.reset()  # working memory holds this batch's facts alone, even when it has none
            for k, facts in enumerate(runs):
                if k:
                    self.reset()
                self.declare(*facts)
                self.run()
        finally:
            self.batch = None

    def record_unreadable(self, positions: Sequence[int], doc: int, reason: str) -> None:
        """Rules ``positions`` (shape ``unreadable``) report the unreadable document ``doc``."""
        found = Violation(evidence=reason, values={"detail": reason})
        self._current().unreadable.setdefault(doc, []).extend((position, found) for position in positions)

    def _current(self) -> Batch:
        assert self.batch is not None, "the engine runs inside run_batch"
        return self.batch

    @Rule(NotRun(doc=MATCH.doc, orders=MATCH.orders, table=MATCH.table),  # type: ignore[untyped-decorator]
          CoversTable(doc=MATCH.doc, table=MATCH.table, at=MATCH.at), salience=COVER)
    def covered_by_table(self, doc: int, orders: tuple[Order, ...], at: Order) -> None:
        """A finding about the same table explains them (FMT-004, FMT-005, FMT-007)."""
        self._cover(doc, orders, at)

    @Rule(NotRun(doc=MATCH.doc, orders=MATCH.orders, section=MATCH.section),  # type: ignore[untyped-decorator]
          CoversSection(doc=MATCH.doc, section=MATCH.section, at=MATCH.at), salience=COVER)
    def covered_by_section(self, doc: int, orders: tuple[Order, ...], at: Order) -> None:
        """A finding about the same section, naming no table, explains them (SEC-001, SEC-004)."""
        self._cover(doc, orders, at)

    def _cover(self, doc: int, orders: tuple[Order, ...], at: Order) -> None:
        covering = self._current().covering
        for order in orders:
            # several findings may explain it: the first written one carries it, as a reader expects
            if (doc, order) not in covering or at < covering[(doc, order)]:
                covering[(doc, order)] = at
        self.declare(Covered(doc=doc, orders=orders))

    @Rule(NotRun(doc=MATCH.doc, orders=MATCH.orders),  # type: ignore[untyped-decorator]
          NOT(Covered(doc=MATCH.doc, orders=MATCH.orders)), salience=GATHER)
    def left_for_summary(self, doc: int, orders: tuple[Order, ...]) -> None:
        """No finding explains them: AUD-001 lists them."""
        self._current().left.extend((doc, order) for order in orders)


class RuleBaseEngine(_Engine):
    """The compiled rule base: decides, once per coarse document state, which rules run and which
    requirement stops which (the state's :class:`Report` fact stays in working memory, its decisions
    in :attr:`decisions`); :attr:`coverage` then decides, per batch, which finding explains which
    check that could not run."""

    def __init__(self, rules: Sequence[RuleSpec], coverage: CoverageEngine) -> None:
        super().__init__()
        self.rule_list = list(rules)
        self.coverage = coverage
        self.states: list[State] = []
        """The coarse states met so far, by their number in the :class:`Report` facts."""
        self.decisions: dict[State, list[Decision]] = {}
        self.reset()

    def decide(self, state: int, decision: Decision) -> None:
        """The action of every compiled rule: ``decision`` holds for coarse state number ``state``."""
        self.decisions[self.states[state]].append(decision)

    def run_batch(
        self, contexts: Sequence[Context], evaluate: Evaluate, unreadable: Sequence[str] = ()
    ) -> Batch:
        """Decide and run every rule on a batch of documents (``unreadable``: the reasons of those that
        could not be read).  Each coarse state is decided once, the first time a batch has it: experta's
        matching and firing depend on the state alone, and a reset per batch cost more than the checks
        of a rule group."""
        members: dict[State, list[int]] = {}
        for i, ctx in enumerate(contexts):
            members.setdefault((ctx.doc.year, ctx.level, document_facts(ctx.doc, ctx.table)), []).append(i)
        new = [state for state in members if state not in self.decisions]
        if new and len(self.states) + len(new) > MAX_STATES:
            # a process that meets ever more states (a service running for years) starts over, not grows
            self._forget()
            new = list(members)
        self._decide(new)
        batch = Batch(self.rule_list, contexts, evaluate, [{} for _ in contexts])
        for state, docs in members.items():
            for decision in self.decisions[state]:
                batch.apply(decision, docs)
        self.coverage.run_batch(batch, unreadable)
        return batch

    def _decide(self, new: Sequence[State]) -> None:
        if not new:
            return
        try:
            facts: list[Fact] = []
            for year, level, held in new:
                facts.append(Report(state=len(self.states), year=year, level=level, facts=held))
                self.states.append((year, level, held))
                self.decisions[self.states[-1]] = []
            self.declare(*facts)
            self.run()
        except BaseException:
            # cut short (a time budget ran out mid-run), the states would stay half decided: start over
            self._forget()
            raise

    def _forget(self) -> None:
        self.states, self.decisions = [], {}
        self.reset()


def _decide_action(decision: Decision) -> Callable[[RuleBaseEngine, int], None]:
    def fire(engine: RuleBaseEngine, state: int) -> None:
        engine.decide(state, decision)

    return fire


def _unreadable_action(positions: tuple[int, ...]) -> Callable[[CoverageEngine, int, str], None]:
    def fire(engine: CoverageEngine, doc: int, reason: str) -> None:
        engine.record_unreadable(positions, doc, reason)

    return fire


def _condition(rule: RuleSpec) -> tuple[object, ...]:
    """What decides whether a rule runs: rules alike in it are one experta rule of a rule base."""
    return (rule.shape == "unreadable", rule.applies, rule.requires, rule.requires_each)


def rule_groups(rules: Sequence[RuleSpec]) -> list[tuple[int, ...]]:
    """The rules' positions grouped by :func:`_condition`, groups in the order of their first rule.

    experta then matches and activates once per group and coarse fact rather than once per rule: most
    rules of the rule base apply everywhere and require nothing, and each activation costs a token, a
    hash and a place on the agenda, more than many of the checks it runs."""
    groups: dict[tuple[object, ...], list[int]] = {}
    for position, rule in enumerate(rules):
        groups.setdefault(_condition(rule), []).append(position)
    return [tuple(positions) for positions in groups.values()]


def _compiled_rules(positions: tuple[int, ...], rule: RuleSpec) -> dict[str, Rule]:
    """The experta rules of a group of alike rule files (``rule`` the first of them): run their checks,
    and one "not run" per requirement."""
    name = rule.id.replace("-", "_") + (f"_and_{len(positions) - 1}" if len(positions) > 1 else "")
    run = Decision(positions)
    compiled = {f"run_{name}": Rule(_run_pattern(rule), salience=RUN)(_decide_action(run))}
    for j, requirement in enumerate(rule.requires):
        pattern = _unmet_pattern(rule, rule.requires[:j], requirement)
        action = _decide_action(Decision(positions, requirement, j))
        compiled[f"unmet_{name}_{j}"] = Rule(pattern, salience=DECIDE)(action)
    for j, part in enumerate(rule.requires_each):
        pattern = _unmet_pattern(rule, rule.requires, part)
        action = _decide_action(Decision(positions, part, _EACH + j))
        compiled[f"unmet_each_{name}_{j}"] = Rule(pattern, salience=DECIDE)(action)
    return compiled


def _unreadable_rules(positions: tuple[int, ...], rule: RuleSpec) -> dict[str, Rule]:
    """The experta rule of rules of shape ``unreadable``: they match the documents that could not be read."""
    pattern = Unreadable(doc=MATCH.doc, reason=MATCH.reason)
    name = rule.id.replace("-", "_")
    return {f"unreadable_{name}": Rule(pattern, salience=RUN)(_unreadable_action(positions))}


def compile_engine(rules: Iterable[RuleSpec]) -> RuleBaseEngine:
    """One engine for a rule set: built once; its coverage engine is ``reset()`` for every batch."""
    listed = list(rules)
    deciding: dict[str, Any] = {}
    per_batch: dict[str, Any] = {}
    for positions in rule_groups(listed):
        first = listed[positions[0]]
        if first.shape == "unreadable":
            per_batch.update(_unreadable_rules(positions, first))
        else:
            deciding.update(_compiled_rules(positions, first))
    coverage: CoverageEngine = type("CompiledCoverage", (CoverageEngine,), per_batch)()
    engine: RuleBaseEngine = type("CompiledRuleBase", (RuleBaseEngine,), deciding)(listed, coverage)
    return engine
