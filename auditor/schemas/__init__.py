"""pandera validation of the tables T2/T3/T4.

:func:`cells_frame` turns tables of one kind and version into a DataFrame of cell records (template
row and column ids, numeric value, kind, raw text); :func:`build_schema` makes the pandera schema of a
template version with the rule base's identities and value tests; :func:`validate` returns the
failures as :class:`Failure` records (check name, document, row, column).  :func:`table_frame` shows
one table as a grid; :func:`arithmetic_value` is a cell's value for arithmetic, with a blank 总计
read as the sum of its row (:func:`derived_total`).
"""

from auditor.schemas.checks import VALUE_TESTS, Identity, ValueTest, build_schema
from auditor.schemas.frames import arithmetic_value, cells_frame, derived_total, table_frame
from auditor.schemas.validate import Failure, validate

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
