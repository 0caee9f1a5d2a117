"""What the schema checks besides the rules' checks, the order of its failures, and what importing the
schemas costs."""

from __future__ import annotations

import subprocess
import sys

from auditor.model import Cell
from auditor.schemas import Failure, Identity, ValueTest, build_schema, cells_frame, validate
from auditor.templates import T3_2021
from tests.engine.support import clean_document

BLANK = ValueTest("VAL-003", ("T3",), "blank")
COLUMN_SUM = Identity("BAL-002", "T3", "column", ("new", "carried"), ("total", "carry_next"))


def test_row_and_column_ids_outside_the_template_fail_the_dtype() -> None:
    frame = cells_frame([(0, clean_document().table("T3"))], T3_2021)
    schema = build_schema(T3_2021, [BLANK])
    assert validate(frame, schema) == []
    frame["row"] = frame["row"].cat.add_categories(["bogus"])
    assert validate(frame, schema) == [Failure("dtype('category')", None, None, None)]
    frame["row"] = frame["row"].astype(object)
    frame.loc[3, "row"] = "bogus"
    assert Failure("dtype('category')", 0, "bogus", frame.loc[3, "col"]) in validate(frame, schema)


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
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)
