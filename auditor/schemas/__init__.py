"""pandera validation of the tables T2/T3/T4.

:func:`cells_frame` turns tables of one kind and version into a DataFrame of cell records (template
row and column ids, value, kind, raw text); :func:`build_schema` makes the pandera schema of a
template version with the rule base's identities and value tests; :func:`validate` returns the
failures as :class:`Failure` records (check name, document, row, column).  :func:`table_frame` shows
one table as a grid; :func:`arithmetic_value` is a cell's value for arithmetic, with a blank 总计
read as the sum of its row (:func:`derived_total`).

The data of the checks (:class:`Identity`, :class:`ValueTest`, :class:`Failure`) and the arithmetic
values need no pandas: they are imported at once.  pandas and pandera (about 1.2 s of imports) are
imported on the first use of :func:`build_schema`, :func:`cells_frame`, :func:`table_frame` or
:func:`validate`, so the rule files, the web view and commands that validate nothing do not pay them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from auditor.schemas.spec import VALUE_TESTS, Failure, Identity, ValueTest
from auditor.schemas.values import arithmetic_value, derived_total

if TYPE_CHECKING:
    from auditor.schemas.checks import build_schema
    from auditor.schemas.frames import cells_frame, table_frame
    from auditor.schemas.validate import validate

_DEFERRED: dict[str, str] = {
    "build_schema": "auditor.schemas.checks",
    "cells_frame": "auditor.schemas.frames",
    "table_frame": "auditor.schemas.frames",
    "validate": "auditor.schemas.validate",
}


def __getattr__(name: str) -> Any:
    """The pandas/pandera parts, imported when first named."""
    module = _DEFERRED.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


__all__ = [
    "VALUE_TESTS",
    "Failure",
    "Identity",
    "ValueTest",
    "arithmetic_value",
    "build_schema",
    "cells_frame",
    "derived_total",
    "table_frame",
    "validate",
]
