"""Lookups the table builders make once per label or template instead of once per row (issue 12)
give what the per-row forms gave."""

from __future__ import annotations

import random

from auditor.extract.tables import _T2_SPEC_IDS, _T4_COL_KEYS, _T4_TITLE_WORDS, _cell_keys, _t4_label
from auditor.extract.textcodec import norm_label
from auditor.templates import T2_2019, T2_2021


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
