"""The schemas' arithmetic is exact: long numbers (a cell may hold up to 200 digits) are neither rounded
into a false imbalance nor into a false balance, and the value tests read the exact value.

A float holds integers exactly only up to 2^53 (9007199254740993 reads as …992, 10^20 + 1 as 10^20, 0.1 +
0.2 as 0.30000000000000004): sums in floats can call a balanced row unbalanced or, as the schemas did
before with a tolerance, an unbalanced one (10^20 + 1 ≠ 10^20) balanced.
"""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
import pytest

from auditor.model import Cell, Table
from auditor.schemas import Failure, Identity, ValueTest, build_schema, cells_frame, validate
from auditor.schemas.frames import cell_label
from auditor.schemas.values import EMPTY, SCALE, UNFIT, scaled_values
from auditor.templates import T2_2021, T3_2021
from tests.engine.support import clean_document

PARTS = tuple(c.id for c in T3_2021.columns if c.id != "total")
ROW_SUM = Identity("BAL-001", "T3", "row", PARTS, ("total",))
TESTS = [ValueTest(name, ("T2", "T3", "T4"), test) for name, test in
         [("VAL-001", "text"), ("VAL-002", "negative"), ("VAL-003", "blank"),
          ("VAL-004", "non_integer")]]  # fmt: skip
HUGE = "9" * 60


def _number(raw: str) -> Cell:
    return Cell(raw, "number", Decimal(raw))


def _t3_with_row(values: dict[str, str]) -> Table:
    """The clean T3 with its 一 (new) row written as ``values`` (other parts 0)."""
    t3 = clean_document().table("T3")
    assert t3 is not None
    for col in PARTS + ("total",):
        t3.cells[("new", col)] = _number(values.get(col, "0"))
    return t3


def _row_failures(t3: Table) -> list[Failure]:
    return validate(cells_frame([(0, t3)], T3_2021), build_schema(T3_2021, [ROW_SUM]))


@pytest.mark.parametrize(
    ("natural", "legal", "total", "balanced"),
    [
        ("9007199254740993", "1", "9007199254740994", True),
        ("9007199254740993", "0", "9007199254740992", False),  # floats: equal
        (str(10**20 + 1), "0", str(10**20), False),  # floats: equal
        (str(10**20), "3", str(10**20 + 3), True),  # a Decimal and a fitting int in one sum
        (str(10**20), "3", str(10**20 + 2), False),
        (HUGE, "1", "1" + "0" * 60, True),
        (HUGE, "2", "1" + "0" * 60, False),
        ("0.00001", "0.00002", "0.00003", True),  # five decimals: kept as Decimals
        ("0.1", "0.2", "0.3", True),  # floats: 0.30000000000000004
    ],
)
def test_row_sums_are_exact(natural: str, legal: str, total: str, balanced: bool) -> None:
    failures = _row_failures(_t3_with_row({"natural": natural, "legal": legal, "total": total}))
    assert failures == ([] if balanced else [Failure("BAL-001", 0, "new", "total", "T3")])


def _t2_failures(row: str, col: str, raw: str) -> set[Failure]:
    t2 = clean_document().table("T2")
    assert t2 is not None
    t2.cells[(row, col)] = _number(raw)
    return set(validate(cells_frame([(0, t2)], T2_2021), build_schema(T2_2021, TESTS)))


@pytest.mark.parametrize(
    ("raw", "failing"),
    [
        (HUGE + ".5", {"VAL-004"}),  # floats: 1e60, an integer
        ("12345678901234567.5", {"VAL-004"}),  # floats: …568, an integer
        ("12.0000001", {"VAL-004"}),
        ("-" + HUGE, {"VAL-002"}),
        ("-0.00001", {"VAL-002", "VAL-004"}),
        (HUGE, set()),
        ("12.0000", set()),
    ],
)
def test_value_tests_read_the_exact_value(raw: str, failing: set[str]) -> None:
    found = _t2_failures("licensing", "decisions", raw)
    assert {f.check for f in found} == failing
    assert all((f.row, f.column) == ("licensing", "decisions") for f in found)


def test_fractions_pass_in_amount_columns_and_negatives_in_none() -> None:
    assert _t2_failures("fees", "amount", "12.345678901234567890") == set()
    assert {f.check for f in _t2_failures("fees", "amount", "-1")} == {"VAL-002"}


def test_values_are_held_as_ten_thousandths_and_decimals_only_where_they_do_not_fit() -> None:
    t3 = _t3_with_row({"natural": "12", "legal": HUGE, "research": "0.5", "total": "12.00001"})
    t3.cells[("new", "other_org")] = Cell("/", "placeholder")
    t3.cells[("new", "commercial")] = Cell("", "blank")
    columns = [c.id for c in T3_2021.columns]
    frame = cells_frame([(0, t3)], T3_2021).set_index("cell")
    frame = frame.loc[[cell_label(T3_2021, "new", col) for col in columns]].set_axis(columns)
    assert frame.loc["natural", ["scaled", "value"]].tolist() == [12 * SCALE, 12.0]
    assert frame.loc["research", "scaled"] == SCALE // 2 and pd.isna(frame.loc["research", "exact"])
    assert frame.loc["legal", "scaled"] == 0 and frame.loc["legal", "exact"] == Decimal(HUGE)
    assert frame.loc["legal", "value"] == float(HUGE)
    assert frame.loc["total", "exact"] == Decimal("12.00001")
    assert frame.loc["other_org", ["scaled", "value", "kind"]].tolist() == [0, 0.0, "placeholder"]
    assert frame.loc["commercial", "scaled"] == 0 and pd.isna(frame.loc["commercial", "value"])
    numbers = [Decimal("1e-400"), Decimal(10**11), Decimal(10**11 + 1), Decimal("NaN"), None, 7]
    assert scaled_values(numbers) == [UNFIT, 10**15, UNFIT, EMPTY, EMPTY, 7 * SCALE]


def test_scaled_values_scale_a_batchs_new_values_once_and_survive_the_memo_being_cleared(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from auditor.schemas import values

    monkeypatch.setattr(values, "_SCALED", {None: EMPTY})
    monkeypatch.setattr(values, "_SCALED_LIMIT", 4)
    known = [Decimal(1), Decimal("1.0"), None, Decimal("2.5")]
    assert scaled_values(known) == [SCALE, SCALE, EMPTY, 25_000]
    # more new values than the memo keeps: it is cleared, and every value still comes out right
    fresh = [Decimal(n) for n in range(3, 9)] + [Decimal(1), Decimal("NaN"), Decimal("-0.0001")]
    assert scaled_values(fresh) == [n * SCALE for n in range(3, 9)] + [SCALE, EMPTY, -1]
    # a signalling NaN cannot be hashed: the values are taken one by one, and it is no value
    assert scaled_values([Decimal("sNaN"), Decimal(4), None]) == [EMPTY, 4 * SCALE, EMPTY]
