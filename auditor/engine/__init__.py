"""The rule engine: rule files under rules/ compiled into one experta KnowledgeEngine.

:func:`default_rulebase` returns the rule base of the installed rules/ folder, built once per process.
Its ``audit(results)`` appends findings to each :class:`~auditor.findings.model.ReportResult` and its
``rules_meta()`` lists the rules for findings.json.
"""

from __future__ import annotations

from functools import cache

from auditor.engine.rulebase import RULES_DIR, RuleBase
from auditor.engine.rulefile import RuleSet, load_rules


@cache
def default_rules() -> RuleSet:
    """The rule files of rules/, read and compiled once per process (the rule base and the web
    view's catalogue share them)."""
    return load_rules(RULES_DIR)


@cache
def default_rulebase() -> RuleBase:
    """The rule base of rules/ (built once; a broken rule file is reported and skipped)."""
    return RuleBase.from_rules(default_rules())


__all__ = ["RULES_DIR", "RuleBase", "default_rulebase", "default_rules"]
