"""The shapes a rule file can use, by name.  A shape turns the rule's parameters into a check.

Adding a shape is adding a function ``(Params) -> CompiledShape`` here.
"""

from __future__ import annotations

from collections.abc import Callable

from auditor.engine.shapes.base import CompiledShape, Params
from auditor.engine.shapes.meta import deadline, extraction_issue, not_evaluated, unreadable
from auditor.engine.shapes.portal import portal
from auditor.engine.shapes.python import python
from auditor.engine.shapes.sections import required_aspects, required_phrases, required_section
from auditor.engine.shapes.tables import identity, template_version, value
from auditor.engine.shapes.text import text_against_table, title_pattern

SHAPES: dict[str, Callable[[Params], CompiledShape]] = {
    "required_section": required_section,
    "required_aspects": required_aspects,
    "required_phrases": required_phrases,
    "identity": identity,
    "value": value,
    "template_version": template_version,
    "title_pattern": title_pattern,
    "text_against_table": text_against_table,
    "deadline": deadline,
    "extraction_issue": extraction_issue,
    "not_evaluated": not_evaluated,
    "unreadable": unreadable,
    "python": python,
    "portal": portal,
}

__all__ = ["SHAPES", "CompiledShape", "Params"]
