"""nianbao auditor: document model, extraction, schemas, rule engine, findings, CLI and web view."""

import decimal

__version__ = "0.1.0"

DECIMAL_PRECISION = 512
"""Significant digits of every Decimal computation.  A cell's number has at most 200 characters (longer is
text), so sums of a table's cells stay exact; the default 28 digits would round a long number and make a
balanced table look unbalanced, or raise InvalidOperation when a value is formatted."""

decimal.DefaultContext.prec = DECIMAL_PRECISION  # threads started later (rule engine, web server)
decimal.getcontext().prec = DECIMAL_PRECISION  # this thread
