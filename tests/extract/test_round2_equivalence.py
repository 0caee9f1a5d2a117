"""Round 2 of issue 12's extraction work: each cheaper form gives what the form it replaced gave, and
the caches shared between documents never carry one document's changes into another."""

from __future__ import annotations

import random
from pathlib import Path

from auditor.extract.api import extract, read_raw
from auditor.extract.cells import shared_cell
from auditor.extract.headings import (
    _INLINE_HEADING,
    Candidate,
    _inline_cuts,
    _InlineBudget,
    _scores,
    candidates,
    score,
)
from auditor.extract.ir import Block, NotAReport
from auditor.extract.rows import Row, row_from_block
from auditor.extract.tables import _put_as_written, _put_row, _row_cells, _row_values
from auditor.model import SECTION_KEYS, Table

SHARED = Path(__file__).resolve().parents[2].parent / "shared"


def _shared_texts() -> list[tuple[str, bytes]]:
    files = sorted((SHARED / "real").iterdir()) + sorted((SHARED / "seeds").iterdir())
    return [(p.name, p.read_bytes()) for p in files if p.suffix in (".txt", ".md")]


def test_cached_scores_are_the_per_section_scores() -> None:
    words = ["总体情况", "主动公开政府信息情况", "收到和处理政府信息公开申请情况", "行政复议",
             "存在的主要问题", "其他需要报告的事项", "概述", "工作", "其他", "a", "改进情况"]  # fmt: skip
    rng = random.Random(2)
    for _ in range(600):
        text = "".join(rng.choice(words) for _ in range(rng.randint(1, 3)))
        num = rng.choice([None, 1, 2, 3, 4, 5, 6, 7])
        standalone = rng.random() < 0.5
        cand = Candidate(rng.randint(0, 50), "any heading", text, num, standalone)
        assert _scores(text, num, standalone) == tuple(score(key, cand) for key in SECTION_KEYS)


def test_cached_scores_on_the_shared_reports_headings() -> None:
    seen = 0
    for name, data in _shared_texts():
        try:
            doc = extract(data, name)
        except NotAReport:
            continue
        lines = [Block("para", text=line.strip()) for line in doc.body.split("\n") if line.strip()]
        for cand in candidates(lines, [b.text for b in lines]):
            seen += 1
            expected = [score(key, cand) for key in SECTION_KEYS]
            assert list(_scores(cand.text, cand.num, cand.standalone)) == expected
    assert seen


def test_paragraphs_passed_over_have_no_inline_heading() -> None:
    """The one search that passes a paragraph over finds nothing exactly where the full test cuts nothing."""
    pieces = ["一、", "二、", "七、", "总体情况", "。", " ", "  ", "主动公开", "1", "（一）", "三 、",
              "六、其他需要报告的事项"]  # fmt: skip
    rng = random.Random(3)
    for _ in range(3000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 8)))
        if _INLINE_HEADING.search(text) is None:
            assert _inline_cuts(text, _InlineBudget()) == []


def test_header_or_no_values_is_no_values() -> None:
    """build_t2 asks only has_values: a header row never has values."""
    rng = random.Random(4)
    for _ in range(3000):
        labels = rng.sample(["", "（一）", "其他"], rng.randint(0, 2))
        values = [rng.choice(["", " ", "0", "\u3000", "5"]) for _ in range(rng.randint(0, 3))]
        flat = rng.choice([None, "", " ", "3 4"])
        row = Row(labels, values, flat)
        assert (row.is_header or not row.has_values) == (not row.has_values)


def test_cached_row_cells_are_never_changed_by_a_table() -> None:
    cols = ("natural", "total")
    cells = _row_cells("granted", cols, ("3", "3"))
    assert cells == {("granted", "natural"): shared_cell("3"), ("granted", "total"): shared_cell("3")}
    for name, data in _shared_texts():
        try:
            first = extract(data, name)
        except NotAReport:
            continue
        before = [dict(t.cells) for t in first.tables]
        for table in first.tables:
            for key in list(table.cells):
                table.cells[key] = shared_cell("999")  # one document's tables changed after reading
        again = extract(data, name)
        assert [dict(t.cells) for t in again.tables] == before, name
    assert _row_cells("granted", cols, ("3", "3")) == {
        ("granted", "natural"): shared_cell("3"),
        ("granted", "total"): shared_cell("3"),
    }


def test_shared_row_lists_are_never_changed_by_the_table_builders() -> None:
    """A grid row's label, value and cell lists are shared by every row of the same texts (copying
    them cost a third of making the row): reading a whole document leaves them as they were, and
    a row made again from the same cells is equal to the first."""
    from auditor.extract.structure import build_document

    seen = 0
    for name, data in _shared_texts():
        raw = read_raw(data, name)
        rows = [
            row_from_block(b, i) for i, b in enumerate(raw.blocks) if b.kind == "row" and True not in b.cont
        ]
        before = [(list(r.labels), list(r.values), list(r.cells)) for r in rows]
        try:
            build_document(raw, source=name, sha256="")
        except NotAReport:
            continue
        seen += len(rows)
        assert [(r.labels, r.values, r.cells) for r in rows] == before, name
        again = [row_from_block(Block("row", cells=list(r.cells)), r.order) for r in rows]
        assert [(r.labels, r.values) for r in again] == [(r.labels, r.values) for r in rows], name
    assert seen > 100


def test_rows_put_as_written_are_read_as_the_full_path_reads_them() -> None:
    """A grid row stored by _put_as_written (its blank layout cells dropped) gets the cells, and no
    more notes or problems, than _row_values and _put_row give it; any other row is left to them."""
    cols = ("natural", "business", "research", "social", "legal", "other_org", "total")
    rng = random.Random(5)
    stored = 0
    for _ in range(3000):
        values = [rng.choice(["", "", " ", "0", "3", "12", "/", "无"]) for _ in range(rng.randint(0, 10))]
        row = Row(["（一）予以公开"], values, None, 1)
        fast = Table(kind="T3", template="2021", section="三")
        full = Table(kind="T3", template="2021", section="三")
        if _put_as_written(fast, "granted", cols, row):
            stored += 1
            cells = _row_values(row, len(cols), None, full, "（一）予以公开", {}, "granted", total_last=True)
            assert cells is not None and not full.problems and not full.notes
            _put_row(full, "granted", cols, cells, None)
            assert list(fast.cells.items()) == list(full.cells.items()), values
        else:
            assert not fast.cells
    assert stored > 300


def test_cached_section_assignment_is_the_best_in_order() -> None:
    """_best_assignment (cached by the scores) gives an in-order assignment whose total is the best
    any in-order assignment reaches, the same pairs cached or not."""
    from itertools import combinations

    from auditor.extract.headings import _best_assignment

    rng = random.Random(12)
    k = len(SECTION_KEYS)
    for _ in range(400):
        n = rng.randint(0, 8)
        scores = tuple(
            tuple(rng.choice([0.0, 0.0, 0.3, 0.35, 0.6, 0.9, 1.0, 1.3]) for _ in range(k)) for _ in range(n)
        )
        pairs = _best_assignment(scores)
        assert pairs == _best_assignment.__wrapped__(scores)
        assert all(a[0] < b[0] and a[1] < b[1] for a, b in zip(pairs, pairs[1:], strict=False))
        assert all(scores[i][j] > 0 for i, j in pairs)
        best = 0.0
        for m in range(min(n, k) + 1):
            for rows in combinations(range(n), m):
                for cols in combinations(range(k), m):
                    if all(scores[i][j] > 0 for i, j in zip(rows, cols, strict=True)):
                        best = max(best, sum(scores[i][j] for i, j in zip(rows, cols, strict=True)))
        assert abs(sum(scores[i][j] for i, j in pairs) - best) < 1e-9


def test_heading_pattern_is_tried_only_where_it_can_match() -> None:
    """candidates() passes over a stripped line whose first character is not in _HEADING_FIRST: the
    pattern matches none of them (every paragraph of the shared reports, and odd starts)."""
    from auditor.extract.headings import _HEADING, _HEADING_FIRST

    lines = [
        "",
        "#",
        "**一、总体情况",
        "## 二、主动公开",
        "１．概述",
        "十、其他",
        "（一）予以公开",
        "\u3000一、总体",
        "一 概述",
    ]
    for name, data in _shared_texts():
        lines += [b.text for b in read_raw(data, name).blocks if b.kind == "para"]
    matched = 0
    for line in lines:
        text = line.strip()
        if _HEADING.match(text):
            matched += 1
            assert text[:1] in _HEADING_FIRST, text
    assert matched > 20


def test_blank_value_tests_are_the_per_cell_ones() -> None:
    """Row.has_values and Row.is_header (one join, one strip) say what stripping each cell says."""
    pieces = ["", " ", "\u3000", "\xa0", "\t", "0", "12", "/", " 3 ", "\u200b"]
    rng = random.Random(7)
    for _ in range(3000):
        values = [rng.choice(pieces) for _ in range(rng.randint(0, 6))]
        flat = rng.choice([None, "", " ", "1 2"])
        row = Row(labels=rng.choice([[], ["规章"]]), values=values, flat=flat)
        assert row.has_values == (any(v.strip() for v in values) or bool(flat and flat.strip()))
        assert row.is_header == (bool(row.labels) and flat is None and not any(v.strip() for v in values))


def test_heading_candidate_fields_by_line() -> None:
    """What candidates() takes of a line (cached by the line): wording, number, standalone; None for
    a line that is no section heading."""
    from auditor.extract.headings import _candidate_fields

    assert _candidate_fields("一、总体情况") == ("总体情况", 1, True)
    assert _candidate_fields("## 三、收到和处理政府信息公开申请情况") == (
        "收到和处理政府信息公开申请情况",
        3,
        True,
    )
    assert _candidate_fields("２．主动公开政府信息情况。") == ("主动公开政府信息情况。", 2, False)
    assert _candidate_fields("七、其他") is None  # a list's seventh item
    assert _candidate_fields("一是加强组织领导") is None  # an enumeration
    assert _candidate_fields("一、本年新收政府信息公开申请数量") is None  # a T3 row label
    assert _candidate_fields("总体情况") is None
