"""What the schema checks besides the rules' checks, the order of its failures, and what importing the
schemas costs."""

from __future__ import annotations

import subprocess
import sys

from auditor.model import Cell
from auditor.schemas import Failure, Identity, ValueTest, build_schema, cells_frame, validate
from auditor.schemas.frames import cell_label
from auditor.templates import T3_2019, T3_2021
from tests.engine.support import clean_document

BLANK = ValueTest("VAL-003", ("T3",), "blank")
COLUMN_SUM = Identity("BAL-002", "T3", "column", ("new", "carried"), ("total", "carry_next"))


def _run_fresh(code: str) -> None:
    """Run ``code`` in a fresh interpreter (its imports are what it asserts on): its asserts must hold."""
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)


def test_cells_outside_the_template_fail_the_dtype() -> None:
    frame = cells_frame([(0, clean_document().table("T3"))], T3_2021)
    schema = build_schema(T3_2021, [BLANK])
    assert validate(frame, schema) == []
    frame["cell"] = frame["cell"].cat.add_categories(["T3/2021/bogus/natural"])
    assert validate(frame, schema) == [Failure("dtype('category')", None, None, None)]
    frame["cell"] = frame["cell"].astype(object)
    frame.loc[3, "cell"] = "bogus"
    assert Failure("dtype('category')", 0, "bogus", None) in validate(frame, schema)


def test_a_cell_of_another_version_fails_the_dtype() -> None:
    """The 2019 T3 has no （六）1: a record of that cell is not one of the 2019 schema's cells."""
    frame = cells_frame([(0, clean_document(year=2020).table("T3"))], T3_2019)
    schema = build_schema(T3_2019, [BLANK])
    assert validate(frame, schema) == []
    frame["cell"] = frame["cell"].astype(object)
    frame.loc[0, "cell"] = cell_label(T3_2021, "other_1", "natural")
    assert Failure("dtype('category')", 0, "other_1", "natural", "T3") in validate(frame, schema)


def test_failures_come_in_check_order_then_template_order() -> None:
    docs = [clean_document(seed=s) for s in (1, 2)]
    planted = ([("partial", "legal"), ("new", "other_org")], [("new", "natural")])
    for doc, cells in zip(docs, planted, strict=True):
        t3 = doc.table("T3")
        assert t3 is not None
        for key in cells:
            t3.cells[key] = Cell("", "blank")
    frame = cells_frame([(i, d.table("T3")) for i, d in enumerate(docs)], T3_2021)
    failures = validate(frame, build_schema(T3_2021, [COLUMN_SUM, BLANK]))
    blanks = [(f.doc, f.row, f.column) for f in failures if f.check == "VAL-003"]
    assert blanks == [(0, "new", "other_org"), (0, "partial", "legal"), (1, "new", "natural")]
    assert [f.check for f in failures] == sorted(f.check for f in failures)  # BAL-002 first, as built


def test_the_schemas_data_and_the_rule_engine_import_without_pandas() -> None:
    code = (
        "import sys, auditor.schemas, auditor.engine, auditor.engine.api\n"
        "assert 'pandas' not in sys.modules and 'pandera' not in sys.modules, 'imported too early'\n"
        "from auditor.engine import default_rules\n"
        "default_rules()\n"
        "assert 'pandas' not in sys.modules, 'the rule files imported pandas'\n"
        "from auditor.engine import default_rulebase\n"
        "default_rulebase()\n"
        "assert 'pandera' in sys.modules\n"
    )
    _run_fresh(code)


def test_a_check_that_cannot_run_in_a_batch_is_not_run_for_its_own_tables_only() -> None:
    """One call validates every table of a batch: a check that raises is "not evaluated" for the tables
    it concerns (BAL-004: T4), not for every table of the frame."""
    import pandera.pandas as pa

    from auditor.engine import default_rulebase

    rulebase = default_rulebase()
    at = next(i for i, check in enumerate(rulebase.schema.checks) if check.name == "BAL-004")
    kept = rulebase.schema.checks[at]
    rulebase.schema.checks[at] = pa.Check(lambda frame: frame["nope"] > 0, name="BAL-004", ignore_na=False)
    docs = [clean_document(seed=s) for s in (1, 2)]
    t3 = docs[1].table("T3")
    assert t3 is not None
    t3.cells[("new", "natural")] = Cell("", "blank")
    try:
        failures, broken = rulebase._validate(docs)
    finally:  # the rule base is the process's: later tests must find its check as it was
        rulebase.schema.checks[at] = kept
    assert broken == {0: {("BAL-004", "T4")}, 1: {("BAL-004", "T4")}}
    assert [(f.row, f.column, f.table) for f in failures[1][("VAL-003", "T3")]] == [("new", "natural", "T3")]
    assert set(failures[1]) == {("VAL-003", "T3"), ("BAL-001", "T3"), ("BAL-002", "T3")} and 0 not in failures


def test_checks_name_the_tables_they_concern_when_they_cannot_run() -> None:
    from auditor.schemas import batch_frame, batch_schema
    from auditor.templates import T2_2021

    specs = (T2_2021, T3_2021)
    doc = clean_document()
    frame = batch_frame({T2_2021: [(0, doc.table("T2"))], T3_2021: [(0, doc.table("T3"))]}, specs)
    schema = batch_schema(specs, [COLUMN_SUM, ValueTest("VAL-004", ("T2", "T3", "T4"), "non_integer")])
    assert validate(frame, schema) == []
    frame["cell"] = frame["cell"].astype(str)  # every check reads the cell codes: none can run
    not_run = {f for f in validate(frame, schema) if f.doc is None}
    assert not_run == {
        Failure("dtype('category')", None, None, None),
        Failure("BAL-002", None, None, None, "T3"),
        Failure("VAL-004", None, None, None, "T2"),
        Failure("VAL-004", None, None, None, "T3"),
    }


def test_validating_after_the_rule_base_is_built_imports_no_pandera_module() -> None:
    """The audit workers are forked after the rule base is built: pandera's lazy set-up (backends and
    their modules, imported on a schema's first validation) is done when the schema is built, once,
    not in every worker.  Fails if a pandera release moves more of it to the first failing call."""
    code = (
        "import sys\n"
        "from auditor.engine import default_rulebase\n"
        "from tests.schemas.planted import corpus\n"
        "rulebase = default_rulebase()\n"
        "docs = corpus(12)\n"
        "before = set(sys.modules)\n"
        "failures, _ = rulebase._validate(docs)\n"
        "assert failures, 'the planted corpus has failures'\n"
        "new = sorted(m for m in set(sys.modules) - before if m.startswith('pandera'))\n"
        "assert not new, new\n"
    )
    _run_fresh(code)


def test_a_cell_the_table_lacks_is_a_missing_record_and_fails_as_blank() -> None:
    docs = [clean_document(seed=s) for s in (1, 2)]
    t3 = docs[0].table("T3")
    assert t3 is not None
    del t3.cells[("granted", "legal")]
    frame = cells_frame([(i, d.table("T3")) for i, d in enumerate(docs)], T3_2021)
    kinds = frame.set_index(["doc", "cell"])["kind"]
    label = cell_label(T3_2021, "granted", "legal")
    assert (kinds[(0, label)], kinds[(1, label)]) == ("missing", "number")
    assert (kinds == "missing").sum() == 1
    failures = validate(frame, build_schema(T3_2021, [BLANK]))
    assert failures == [Failure("VAL-003", 0, "granted", "legal", "T3")]


def test_importing_the_submodules_first_does_not_shadow_the_deferred_functions() -> None:
    """A submodule imported as such becomes an attribute of the package: none may bear the name of a
    function the package defers (the rule base calls ``schemas.validate``)."""
    code = (
        "import importlib, pkgutil, auditor.schemas as schemas\n"
        "for module in pkgutil.iter_modules(schemas.__path__):\n"
        "    importlib.import_module(f'auditor.schemas.{module.name}')\n"
        "for name in schemas._DEFERRED:\n"
        "    assert callable(getattr(schemas, name)), name\n"
    )
    _run_fresh(code)


def _failures_as_pandera_reports_them(frame: object, schema: object) -> set[tuple[str, int | None]]:
    """(check, document) of every failure in pandera's own lazy failure cases."""
    import pandas as pd
    import pandera.pandas as pa

    assert isinstance(frame, pd.DataFrame) and isinstance(schema, pa.DataFrameSchema)
    try:
        schema.validate(frame.copy(), lazy=True)
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
        docs = frame["doc"].to_numpy()
        return {
            (str(check), None if pd.isna(index) else int(docs[int(index)]))
            for check, index in zip(cases["check"], cases["index"], strict=True)
        }
    return set()


def test_the_checks_fail_where_pandera_itself_says_they_fail() -> None:
    """validate runs the schema's checks itself (pandera's failure path costs ~1 ms per failing check):
    the records it reports are those of pandera's own lazy validation, a raising check included."""
    import pandera.pandas as pa

    docs = [clean_document(seed=s) for s in (1, 2, 3)]
    for doc, key in zip(docs, [("partial", "legal"), ("new", "natural"), None], strict=True):
        t3 = doc.table("T3")
        assert t3 is not None
        if key is not None:
            t3.cells[key] = Cell("", "blank")
    frame = cells_frame([(i, d.table("T3")) for i, d in enumerate(docs)], T3_2021)
    schema = build_schema(T3_2021, [COLUMN_SUM, BLANK])
    schema.checks.append(pa.Check(lambda frame: frame["nope"] > 0, name="BROKEN", ignore_na=False))
    failures = validate(frame, schema)
    assert {(f.check, f.doc) for f in failures} == _failures_as_pandera_reports_them(frame, schema)
    assert [(f.check, f.doc) for f in failures] == [
        ("BAL-002", 1),
        ("VAL-003", 0),
        ("VAL-003", 1),
        ("BROKEN", None),
    ]
    assert failures[-1] == Failure("BROKEN", None, None, None, None)


def test_a_check_without_a_verdict_per_record_is_not_run() -> None:
    """A check that gives one boolean for the whole frame fails no record: when False, it could not
    tell which cells fail, and its tables are "not evaluated"; when True, nothing is reported."""
    import pandera.pandas as pa

    frame = cells_frame([(0, clean_document().table("T3"))], T3_2021)
    for verdict, expected in ((True, []), (False, [Failure("WHOLE", None, None, None, None)])):
        schema = build_schema(T3_2021, [BLANK])
        schema.checks.append(pa.Check(lambda frame, v=verdict: v, name="WHOLE", ignore_na=False))
        assert validate(frame, schema) == expected
