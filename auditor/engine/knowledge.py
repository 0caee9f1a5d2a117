"""The experta side of the rule base: one KnowledgeEngine class compiled from all rules.

Each document is one coarse fact, :class:`Report`: the attributes rules are conditioned on (year,
level) and the set of rules whose check did not simply pass (a violation or a
"cannot evaluate").  Each rule file becomes one experta rule whose pattern states where the rule
applies; when it matches, the rule's outcome becomes findings.  One pattern per rule and no joins:
experta's cost grows with joins and with the number of facts, and this keeps a document's match to
a fraction of a millisecond.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from experta import Fact, KnowledgeEngine, P, Rule
from experta.strategies import DepthStrategy

from auditor.engine.level import LEVELS
from auditor.engine.rulefile import Applies, RuleSpec


class Report(Fact):
    """One document: year, level, and ``flagged`` (ids of rules with an outcome)."""


def _pattern(rule_id: str, applies: Applies) -> Report:
    """The rule's condition: its check was flagged, and the report is of a year and level it covers.

    Conditions that hold everywhere are left out: every test is a node experta visits per document."""
    tests: dict[str, P] = {"flagged": P(lambda flagged: rule_id in flagged)}
    if applies.needs_year:
        tests["year"] = P(applies.year_matches)
    if set(applies.levels) != set(LEVELS):
        tests["level"] = P(lambda level: level in applies.levels)
    return Report(**tests)


def _action(rule_id: str) -> Callable[[RuleBaseEngine], None]:
    def fire(engine: RuleBaseEngine) -> None:
        engine.fired.append(rule_id)

    fire.__name__ = f"fire_{rule_id.replace('-', '_')}"
    return fire


class _UncachedDepthStrategy(DepthStrategy):
    """experta's depth strategy without its ``lru_cache`` on the activation key: that cache outlives
    ``reset()``, and since every document's activations look alike to it (same rule, same fact id),
    each lookup ran hundreds of equality tests against earlier documents' activations."""

    def get_key(self, activation: Any) -> tuple[int, list[int]]:
        facts = sorted((f["__factid__"] for f in activation.facts), reverse=True)
        return activation.rule.salience, facts


class RuleBaseEngine(KnowledgeEngine):
    """The compiled rule base; ``fired`` lists the rules that applied to the last document."""

    __strategy__ = _UncachedDepthStrategy

    def __init__(self) -> None:
        super().__init__()
        self.fired: list[str] = []

    def applicable(self, year: int | None, level: str, flagged: Iterable[str]) -> set[str]:
        """The flagged rules that apply to a document."""
        self.fired = []
        self.reset()
        self.declare(Report(year=year, level=level, flagged=frozenset(flagged)))
        self.run()
        return set(self.fired)


def compile_engine(rules: Iterable[RuleSpec]) -> RuleBaseEngine:
    """One engine for a rule set: built once, ``reset()`` for every document."""
    attributes = {
        f"rule_{i}": Rule(_pattern(rule.id, rule.applies))(_action(rule.id)) for i, rule in enumerate(rules)
    }
    engine_class = type("CompiledRuleBase", (RuleBaseEngine,), attributes)
    return engine_class()
