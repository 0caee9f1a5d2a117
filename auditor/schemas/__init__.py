"""pandera validation of the tables T2/T3/T4.

:func:`batch_frame` turns the tables of a batch, of every kind and version, into one DataFrame of
cell records (document, template cell, value, kind); :func:`batch_schema` makes the pandera schema
of those template versions with the rule base's identities and value tests, so that a batch is
validated in one call; :func:`validate` returns the failures as :class:`Failure` records (check
name, document, row, column, table).  :func:`cells_frame` and :func:`build_schema` are the same for
one version.  :func:`table_frame` shows
one table as a grid; :func:`arithmetic_value` is a cell's value for arithmetic, with a blank 总计
read as the sum of its row (:func:`derived_total`).

The data of the checks (:class:`Identity`, :class:`ValueTest`, :class:`Failure`) and the arithmetic
values need no pandas: they are imported at once.  pandas and pandera (about 1.2 s of imports) are
imported on the first use of a schema, a frame or :func:`validate`, so the rule files, the web view
and commands that validate nothing do not pay them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from auditor.schemas.spec import VALUE_TESTS, Failure, Identity, ValueTest
from auditor.schemas.values import arithmetic_value, derived_total

if TYPE_CHECKING:
    from auditor.schemas.checks import batch_schema, build_schema
    from auditor.schemas.frames import batch_frame, cells_frame, table_frame
    from auditor.schemas.validation import validate

_DEFERRED: dict[str, str] = {
    "batch_frame": "auditor.schemas.frames",
    "batch_schema": "auditor.schemas.checks",
    "build_schema": "auditor.schemas.checks",
    "cells_frame": "auditor.schemas.frames",
    "table_frame": "auditor.schemas.frames",
    "validate": "auditor.schemas.validation",
}


# The modules are not named after the names they defer ("validation", not "validate"): importing a
# submodule sets it as an attribute of this package, which would then shadow the function of that name.


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
    "batch_frame",
    "batch_schema",
    "build_schema",
    "cells_frame",
    "derived_total",
    "table_frame",
    "validate",
]
