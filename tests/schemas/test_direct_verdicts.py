"""validate() calls the schema's own check functions directly (checks.VERDICTS), not through pandera's
call: the failures, their order and the checks that could not run are those of pandera's calls."""

from __future__ import annotations

import copy

import pandas as pd
import pandera.pandas as pa

from auditor.engine import default_rules
from auditor.engine.api import tables_by_template
from auditor.schemas import batch_frame, batch_schema, validate
from auditor.schemas.checks import VERDICTS
from auditor.templates import SPECS
from tests.schemas.planted import corpus


def _through_pandera(schema: pa.DataFrameSchema) -> pa.DataFrameSchema:
    """The same schema without the functions: validate() calls each check through pandera."""
    plain = copy.copy(schema)
    plain.metadata = {k: v for k, v in (schema.metadata or {}).items() if k != VERDICTS}
    return plain


def _schema_and_frame() -> tuple[pa.DataFrameSchema, pd.DataFrame]:
    checks = [check for rule in default_rules().rules for check in rule.compiled.schema_checks]
    specs = {(spec.kind, spec.version): spec for spec in SPECS.values()}
    everything = tuple(specs.values())
    docs = corpus(60)
    groups = {specs[key]: tables for key, tables in tables_by_template(docs).items()}
    return batch_schema(everything, checks), batch_frame(groups, everything)


def test_direct_calls_fail_exactly_as_pandera_calls() -> None:
    schema, frame = _schema_and_frame()
    own = dict(schema.metadata or {})[VERDICTS]
    assert [check for check, _ in own] == list(schema.checks)  # every check has its function
    direct = validate(frame, schema)
    assert len(direct) > 50  # the planted corpus does fail
    assert direct == validate(frame, _through_pandera(schema))


def test_a_check_that_raises_is_not_run_on_either_path() -> None:
    schema, frame = _schema_and_frame()
    broken = frame.drop(columns=["scaled"])  # every identity reads it: each raises
    direct = validate(broken, schema)
    assert direct == validate(broken, _through_pandera(schema))
    assert any(f.doc is None and f.check.startswith("BAL") for f in direct)
