"""Lookups the table builders make once per label or template instead of once per row (issue 12)
give what the per-row forms gave."""

from __future__ import annotations

import random

from auditor.extract.ir import Block
from auditor.extract.readers._grid import SpanCell, expand_spans
from auditor.extract.rows import GapModel, Row, _Stream, row_from_block, stream_rows
from auditor.extract.tables import (
    _T2_SPEC_IDS,
    _T4_COL_KEYS,
    _T4_TITLE_WORDS,
    T3_ANCHORS,
    _cell_keys,
    _put_as_written,
    _put_row,
    _row_values,
    _t4_label,
)
from auditor.extract.textcodec import norm_label
from auditor.model import Table
from auditor.templates import T2_2019, T2_2021, T3_COLUMNS


def test_t4_label_matches_the_per_label_scan() -> None:
    rng = random.Random(4)
    pieces = ["行政", "复议", "诉讼", "直接起诉", "复议后起诉", "结果", "维持", "纠正", "其他", "尚未审结",
              "总计", " ", "（", "）", "未经", "1", "合计"]  # fmt: skip
    for _ in range(3000):
        label = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 5)))
        key = norm_label(label)
        titles = any(w in key for w in _T4_TITLE_WORDS)
        columns = tuple(col_id for col_id, word in _T4_COL_KEYS if word in key and len(key) <= 6)
        assert _t4_label(label) == (titles, columns), label


def test_t2_spec_ids_are_the_spec_s() -> None:
    for spec in (T2_2019, T2_2021):
        row_ids, col_ids, signed = _T2_SPEC_IDS[spec.version]
        assert row_ids == {r.id for r in spec.rows} and col_ids == {c.id for c in spec.columns}
        for r in spec.rows:
            cols = spec.columns_of(r.id)
            assert signed[r.id] == next((i for i, c in enumerate(cols) if spec.col(c).signed), None)
    assert _T2_SPEC_IDS["2019"][2]["licensing"] == 1  # 本年增/减, the second of its block's columns


def test_cell_keys() -> None:
    assert _cell_keys("new", ("natural", "total")) == (("new", "natural"), ("new", "total"))


def _stream_before(rows: list[Row]) -> tuple[list[Row], GapModel | None]:
    stream = _Stream(T3_ANCHORS)
    for row in rows:
        stream.add(row)
    return stream.finish()


def test_grid_rows_stream_as_the_stream_passes_them() -> None:
    rng = random.Random(9)
    pieces = ["", "0", "12", "（一）予以公开", "总计", "自然人", "/", "三、本年度办理结果"]
    for _ in range(500):
        rows = [
            row_from_block(Block("row", cells=[rng.choice(pieces) for _ in range(rng.randint(0, 9))]), i)
            for i in range(rng.randint(0, 12))
        ]
        got, gaps = stream_rows(rows, T3_ANCHORS)
        want, want_gaps = _stream_before(rows)
        assert got == want and gaps == want_gaps
        assert got is not rows


def _put_before(table: Table, rid: str, cols: tuple[str, ...], row: Row, total_last: bool) -> None:
    values = _row_values(row, len(cols), None, table, rid, {}, rid, None, total_last=total_last)
    if values is not None:
        _put_row(table, rid, cols, values, row.recovered)


def test_rows_as_written_are_stored_as_row_values_reads_them() -> None:
    rng = random.Random(5)
    pieces = ["", " ", "0", "12", "1,234", "/", "十二", "3件", "说明", "-2"]
    cols = tuple(c.id for c in T3_COLUMNS)
    stored = 0
    for _ in range(2000):
        row = Row(labels=["（一）予以公开"], values=[rng.choice(pieces) for _ in range(rng.randint(5, 9))])
        row.recovered = rng.choice([None, None, "position"])
        width = rng.choice([len(cols), 3])
        fast, slow = Table(kind="T3", template="2021"), Table(kind="T3", template="2021")
        if _put_as_written(fast, "granted", cols[:width], row):
            stored += 1
            _put_before(slow, "granted", cols[:width], row, total_last=width == len(cols))
            assert list(fast.cells.items()) == list(slow.cells.items())
            assert not slow.problems and not slow.notes
        else:
            assert not fast.cells
    assert stored > 100


def test_plain_string_cells_expand_as_one_position_span_cells() -> None:
    """expand_spans takes a cell of one position as its bare text (the HTML reader's common cell):
    the grid is the one the same cells as SpanCell objects give, among rowspans and colspans."""
    rng = random.Random(11)
    for _ in range(2000):
        rows: list[list[SpanCell | str]] = []
        for _ in range(rng.randint(0, 6)):
            row: list[SpanCell | str] = []
            for _ in range(rng.randint(0, 6)):
                text = rng.choice(["", "a", "12", "总计"])
                if rng.random() < 0.3:
                    row.append(SpanCell(text, rng.randint(0, 3), rng.randint(0, 3)))
                else:
                    row.append(text)
            rows.append(row)
        objects = [[SpanCell(c) if isinstance(c, str) else c for c in row] for row in rows]
        assert expand_spans(rows) == expand_spans(objects)
