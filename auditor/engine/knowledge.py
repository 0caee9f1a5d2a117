"""The experta side of the rule base: one KnowledgeEngine class compiled from all rules.

Each document is one coarse fact, :class:`Report`: a key in the batch (``doc``, shared by the
documents of the same coarse state), the attributes rules are conditioned on (year, level) and the
set of rules whose check did not simply pass (a violation or a "cannot evaluate").  Each rule file becomes one experta rule whose
pattern states where the rule applies; when it matches, the rule's outcome becomes findings.  One
pattern per rule and no joins, and one ``reset()`` per batch with every document's fact declared at
once: a reset rebuilds the agenda and the rete memories, and per document it cost more than the
matching itself.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from experta import MATCH, Fact, KnowledgeEngine, P, Rule
from experta.strategies import DepthStrategy

from auditor.engine.level import LEVELS
from auditor.engine.rulefile import Applies, RuleSpec


class Report(Fact):
    """One document (or several alike): ``doc`` (the key in the batch), year, level, and ``flagged``
    (ids of rules with an outcome)."""


def _pattern(rule_id: str, applies: Applies) -> Report:
    """The rule's condition: its check was flagged, and the report is of a year and level it covers.

    Conditions that hold everywhere are left out: every test is a node experta visits per document."""
    tests: dict[str, Any] = {"doc": MATCH.doc, "flagged": P(lambda flagged: rule_id in flagged)}
    if applies.needs_year:
        tests["year"] = P(applies.year_matches)
    if set(applies.levels) != set(LEVELS):
        tests["level"] = P(lambda level: level in applies.levels)
    return Report(**tests)


def _action(rule_id: str) -> Callable[[RuleBaseEngine, int], None]:
    def fire(engine: RuleBaseEngine, doc: int) -> None:
        engine.fired.append((doc, rule_id))

    fire.__name__ = f"fire_{rule_id.replace('-', '_')}"
    return fire


class _UncachedDepthStrategy(DepthStrategy):
    """experta's depth strategy without its ``lru_cache`` on the activation key: that cache outlives
    ``reset()``, and since every document's activations look alike to it (same rule, same fact id),
    each lookup ran hundreds of equality tests against earlier documents' activations."""

    def get_key(self, activation: Any) -> tuple[int, list[int]]:
        facts = sorted((f["__factid__"] for f in activation.facts), reverse=True)
        return activation.rule.salience, facts


Coarse = tuple[int | None, str, Iterable[str]]
"""What the engine knows of one document: (year, level, ids of the rules its checks flagged)."""


class RuleBaseEngine(KnowledgeEngine):
    """The compiled rule base; ``fired`` collects (fact key, rule id) while a batch runs."""

    __strategy__ = _UncachedDepthStrategy

    def __init__(self) -> None:
        super().__init__()
        self.fired: list[tuple[int, str]] = []

    def applicable_batch(self, documents: Sequence[Coarse]) -> list[set[str]]:
        """For each document of a batch (by position), the flagged rules that apply to it.

        One reset and one declaration for the whole batch.  Documents with the same coarse facts share
        one fact (the rules see nothing else, so they decide alike), and a document that flagged
        nothing is not declared: no rule can apply to it."""
        keys: dict[tuple[int | None, str, frozenset[str]], int] = {}
        key_of: list[int | None] = []
        for year, level, flagged in documents:
            coarse = (year, level, frozenset(flagged))
            key_of.append(keys.setdefault(coarse, len(keys)) if coarse[2] else None)
        self.fired = []
        self.reset()
        facts = [
            Report(doc=key, year=year, level=level, flagged=flagged)
            for (year, level, flagged), key in keys.items()
            if flagged
        ]
        if facts:
            self.declare(*facts)
            self.run()
        by_key: dict[int, set[str]] = {}
        for key, rule_id in self.fired:
            by_key.setdefault(key, set()).add(rule_id)
        self.fired = []
        return [set(by_key.get(key, ())) if key is not None else set() for key in key_of]

    def applicable(self, year: int | None, level: str, flagged: Iterable[str]) -> set[str]:
        """The flagged rules that apply to one document."""
        return self.applicable_batch([(year, level, flagged)])[0]


def compile_engine(rules: Iterable[RuleSpec]) -> RuleBaseEngine:
    """One engine for a rule set: built once, ``reset()`` for every batch."""
    attributes = {
        f"rule_{i}": Rule(_pattern(rule.id, rule.applies))(_action(rule.id)) for i, rule in enumerate(rules)
    }
    engine_class = type("CompiledRuleBase", (RuleBaseEngine,), attributes)
    return engine_class()
