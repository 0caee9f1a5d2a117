"""pandera validation of the tables T2/T3/T4.

:func:`cells_frame` turns tables of one kind and version into a DataFrame of cell records (template
row and column ids, numeric value, kind, raw text); :func:`build_schema` makes the pandera schema of a
template version with the rule base's identities and value tests; :func:`validate` returns the
failures as :class:`Failure` records (check name, document, row, column).  :func:`table_frame` shows
one table as a grid.
"""

from auditor.schemas.checks import VALUE_TESTS, Identity, ValueTest, build_schema
from auditor.schemas.frames import cells_frame, table_frame
from auditor.schemas.validate import Failure, validate

__all__ = [
    "VALUE_TESTS",
    "Failure",
    "Identity",
    "ValueTest",
    "build_schema",
    "cells_frame",
    "table_frame",
    "validate",
]
