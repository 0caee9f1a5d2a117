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

from experta import Fact, KnowledgeEngine, P, Rule

from auditor.engine.rulefile import Applies, RuleSpec


class Report(Fact):
    """One document: year, level, and ``flagged`` (ids of rules with an outcome)."""


def _pattern(rule_id: str, applies: Applies) -> Report:
    return Report(
        flagged=P(lambda flagged: rule_id in flagged),
        year=P(applies.year_matches),
        level=P(lambda level: level in applies.levels),
    )


def _action(rule_id: str) -> Callable[[RuleBaseEngine], None]:
    def fire(engine: RuleBaseEngine) -> None:
        engine.fired.append(rule_id)

    fire.__name__ = f"fire_{rule_id.replace('-', '_')}"
    return fire


class RuleBaseEngine(KnowledgeEngine):
    """The compiled rule base; ``fired`` lists the rules that applied to the last document."""

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
