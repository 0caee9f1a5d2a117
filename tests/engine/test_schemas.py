"""pandera schemas of T2/T3/T4: the cell records, the identities and value tests as checks, and
failures as plain records naming document, row and column."""

from __future__ import annotations

import math

import pandera.pandas as pa

from auditor.model import Cell
from auditor.schemas import Failure, Identity, ValueTest, build_schema, cells_frame, table_frame, validate
from auditor.schemas.frames import cell_label, layout
from auditor.templates import T2_2019, T2_2021, T3_2019, T3_2021, T4_SPEC
from tests.engine.support import clean_document

T3_BALANCE = Identity("BAL-002", "T3", "column", ("new", "carried"), ("total", "carry_next"))
T4_TOTALS = Identity("BAL-004", "T4", "row", ("upheld", "corrected", "other", "pending"), ("total",))
VALUE_RULES = [("VAL-001", "text"), ("VAL-002", "negative"), ("VAL-003", "blank"), ("VAL-004", "non_integer")]
TESTS = [ValueTest(name, ("T2", "T3", "T4"), test) for name, test in VALUE_RULES]


def test_cells_frame_has_one_record_per_template_cell():
    doc = clean_document()
    frame = cells_frame([(0, doc.table("T3")), (1, doc.table("T3"))], T3_2021)
    assert len(frame) == 2 * len(T3_2021.rows) * len(T3_2021.columns)
    assert list(frame.columns) == ["doc", "cell", "value", "scaled", "exact", "kind"]
    t2 = cells_frame([(0, doc.table("T2"))], T2_2021)
    assert len(t2) == len(T2_2021.required_cells()) == 10
    fees = list(t2["cell"]).index(cell_label(T2_2021, "fees", "amount"))
    assert layout((T2_2021,)).decimal[t2["cell"].cat.codes[fees]]  # the template's, read by the checks


def test_table_frame_is_the_grid_people_read():
    doc = clean_document()
    grid = table_frame(doc.table("T3"), T3_2021)
    assert list(grid.index) == [r.id for r in T3_2021.rows]
    assert grid.loc["new", ("value", "total")] == float(doc.table("T3").value("new", "total"))
    assert grid.loc["new", ("raw", "total")] == doc.table("T3").cell("new", "total").raw


def test_blank_and_text_cells_count_as_zero_but_are_kept():
    doc = clean_document()
    t3 = doc.table("T3")
    t3.cells[("granted", "legal")] = Cell("", "blank")
    t3.cells[("partial", "legal")] = Cell("/", "placeholder")
    frame = cells_frame([(0, t3)], T3_2021).set_index("cell")
    granted, partial = cell_label(T3_2021, "granted", "legal"), cell_label(T3_2021, "partial", "legal")
    assert math.isnan(frame.loc[granted, "value"]) and frame.loc[granted, "kind"] == "blank"
    assert frame.loc[partial, "value"] == 0.0


def test_a_clean_batch_passes():
    docs = [clean_document(seed=s) for s in (1, 2, 3)]
    schema = build_schema(T3_2021, [T3_BALANCE, *TESTS])
    assert validate(cells_frame([(i, d.table("T3")) for i, d in enumerate(docs)], T3_2021), schema) == []


def test_failures_name_document_row_and_column():
    docs = [clean_document(seed=s) for s in (1, 2)]
    t3 = docs[1].table("T3")
    t3.cells[("new", "natural")] = Cell("99", "number", 99)
    t3.cells[("granted", "legal")] = Cell("", "blank")
    t3.cells[("partial", "research")] = Cell("-2", "number", -2)
    frame = cells_frame([(i, d.table("T3")) for i, d in enumerate(docs)], T3_2021)
    failures = set(validate(frame, build_schema(T3_2021, [T3_BALANCE, *TESTS])))
    assert failures == {
        Failure("BAL-002", 1, "total", "natural", "T3"),
        Failure("VAL-003", 1, "granted", "legal", "T3"),
        Failure("VAL-002", 1, "partial", "research", "T3"),
    }


def test_row_identities_report_the_row_and_signed_columns_allow_negatives():
    doc = clean_document(year=2020)
    t4 = doc.table("T4")
    t4.cells[("review", "total")] = Cell("7", "number", 7)
    failures = validate(cells_frame([(0, t4)], T4_SPEC), build_schema(T4_SPEC, [T4_TOTALS, *TESTS]))
    assert failures == [Failure("BAL-004", 0, "review", "total", "T4")]
    t2 = doc.table("T2")
    t2.cells[("licensing", "change")] = Cell("-3", "number", -3)
    assert validate(cells_frame([(0, t2)], T2_2019), build_schema(T2_2019, TESTS)) == []


def test_an_identity_names_only_the_rows_of_its_version():
    both = Identity("BAL-003", "T3", "column", ("granted", "other", "other_1"), ("total",))
    assert both.for_spec(T3_2019).left == ("granted", "other")
    assert both.for_spec(T3_2021).left == ("granted", "other_1")
    assert Identity("X", "T3", "column", ("other_1",), ("total",)).for_spec(T3_2019) is None


def test_a_check_that_cannot_run_is_reported_for_the_whole_frame():
    doc = clean_document()
    frame = cells_frame([(3, doc.table("T3"))], T3_2021)
    broken = build_schema(T3_2021, [])
    broken.checks.append(pa.Check(lambda f: f["nope"] > 0, name="BAL-009"))
    assert validate(frame, broken) == [Failure("BAL-009", None, None, None)]
