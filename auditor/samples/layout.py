"""The printed layout of T2/T3/T4 as in the State Council's format: rows of cells with their spans.

The renderers share this one description, so a table looks the same (same merges, same wording)
in HTML, .docx and PDF, and flattens the same way in text and markdown.  A "\\n" in a cell's text is
where the template's narrow columns wrap the label.
"""

from __future__ import annotations

from dataclasses import dataclass

from auditor.templates import T2_2019, T2_2021, T3_2019, T3_2021, T4_OUTCOMES, T4_SPEC, RowSpec, TableSpec

Grid = dict[tuple[str, str], str]


@dataclass(frozen=True, slots=True)
class Span:
    """One printed cell: its text and how many grid rows and columns it covers."""

    text: str
    rowspan: int = 1
    colspan: int = 1


Layout = list[list[Span]]

T3_NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
T3_RESULTS = "三、本年度办理结果"
_T3_APPLICANT_HEADS = ("商业\n企业", "科研\n机构", "社会公益\n组织", "法律服务\n机构", "其他")
_T4_OUTCOME_HEADS = ("结果\n维持", "结果\n纠正", "其他\n结果", "尚未\n审结", "总计")
_T4_OUTCOME_LABELS = {c.id: c.label for c in T4_SPEC.columns}

# T2: the article of 第二十条 each block reports, and its columns' printed header.
_T2_BLOCKS_2021 = (
    ("（一）", ("rules", "normative"), ("issued", "repealed", "in_force")),
    ("（五）", ("licensing",), ("decisions",)),
    ("（六）", ("penalty", "enforcement"), ("decisions",)),
    ("（八）", ("fees",), ("amount",)),
)
_T2_BLOCKS_2019 = (
    ("（一）", ("rules", "normative"), ("made", "published", "total_published")),
    ("（五）", ("licensing", "other_services"), ("prev_items", "change", "decisions")),
    ("（六）", ("penalty", "enforcement"), ("prev_items", "change", "decisions")),
    ("（八）", ("fees",), ("prev_items", "change")),
    ("（九）", ("procurement",), ("purchase_items", "purchase_amount")),
)


def t2_layout(grid: Grid, version: str) -> Layout:
    """T2 as printed: per 第二十条 item a title row, a header row and its data rows, four columns wide."""
    spec = T2_2021 if version == "2021" else T2_2019
    blocks = _T2_BLOCKS_2021 if version == "2021" else _T2_BLOCKS_2019
    rows: Layout = []
    for item, row_ids, col_ids in blocks:
        rows.append([Span(f"第二十条第{item}项", colspan=4)])
        rows.append([Span("信息内容"), *_fill([spec.col(c).label for c in col_ids])])
        for row_id in row_ids:
            values = [grid[(row_id, c)] for c in col_ids]
            rows.append([Span(spec.row(row_id).label), *_fill(values)])
    return rows


def _fill(texts: list[str], width: int = 3) -> list[Span]:
    """Cells filling ``width`` columns: the last one spans what the others leave."""
    spans = [Span(t) for t in texts[:-1]]
    return [*spans, Span(texts[-1], colspan=width - len(spans))]


def t3_layout(grid: Grid, version: str) -> Layout:
    """T3 as printed: a three-row header, then label cells (three columns wide) and seven numbers per row."""
    spec = T3_2021 if version == "2021" else T3_2019
    cols = [c.id for c in spec.columns]
    rows: Layout = [
        [Span(T3_NOTE, rowspan=3, colspan=3), Span("申请人情况", colspan=7)],
        [Span("自然人", rowspan=2), Span("法人或其他组织", colspan=5), Span("总计", rowspan=2)],
        [Span(t) for t in _T3_APPLICANT_HEADS],
    ]
    result_rows = [r for r in spec.rows if r.id not in ("new", "carried", "carry_next")]
    for row in spec.rows:
        values = [Span(grid[(row.id, c)]) for c in cols]
        rows.append(_t3_labels(row, spec, result_rows) + values)
    return rows


def _t3_labels(row: RowSpec, spec: TableSpec, result_rows: list[RowSpec]) -> list[Span]:
    if row.id in ("new", "carried", "carry_next"):
        return [Span(row.label, colspan=3)]
    lead = [Span(T3_RESULTS, rowspan=len(result_rows))] if row is result_rows[0] else []
    if row.block is None:
        return [*lead, Span(row.label, colspan=2)]
    block = [r for r in spec.rows if r.block == row.block]
    head = [Span(row.block, rowspan=len(block))] if row is block[0] else []
    return [*lead, *head, Span(row.label)]


def t4_layout(grid: Grid) -> Layout:
    """T4 as printed: 行政复议 and the two kinds of 行政诉讼 side by side, one row of fifteen numbers."""
    outcome_heads = [Span(t) for t in (_T4_OUTCOME_LABELS[c] for c in (*T4_OUTCOMES, "total"))]
    return [
        [Span("行政复议", colspan=5), Span("行政诉讼", colspan=10)],
        [Span(t, rowspan=2) for t in _T4_OUTCOME_HEADS]
        + [Span("未经复议直接起诉", colspan=5), Span("复议后起诉", colspan=5)],
        outcome_heads + outcome_heads,
        [Span(grid[(row.id, c)]) for row in T4_SPEC.rows for c in (*T4_OUTCOMES, "total")],
    ]


def expand(layout: Layout) -> list[list[tuple[str, bool]]]:
    """The layout as a full grid of (text, continued): a spanning cell's text in every position it covers,
    continued=True for all but its top-left one."""
    grid: list[list[tuple[str, bool] | None]] = []
    for r, row in enumerate(layout):
        while len(grid) <= r:
            grid.append([])
        col = 0
        for span in row:
            while col < len(grid[r]) and grid[r][col] is not None:
                col += 1
            for dr in range(span.rowspan):
                while len(grid) <= r + dr:
                    grid.append([])
                target = grid[r + dr]
                target.extend([None] * (col + span.colspan - len(target)))
                for dc in range(span.colspan):
                    target[col + dc] = (span.text, dr > 0 or dc > 0)
            col += span.colspan
    return [[cell if cell is not None else ("", False) for cell in row] for row in grid]
