"""Table builders: rows of a section -> T2/T3/T4 as canonical grids (auditor.templates ids).

Each builder matches row labels to template rows by their distinctive wording (labels are split,
annotated and bracketed in every way in real reports), takes the value cells, and records what it could
not read in ``Table.problems`` (then ``readable`` is False: FMT-005).  Recovery is conservative: rows
whose labels were lost are placed by position only when the count fits exactly; digits that ran together
are split only when one split alone satisfies the row's identity.

Rows come from the one template-anchored core (:func:`auditor.extract.rows.stream_rows`) whatever the
layout: grid rows as the readers give them, running text cut at the template's labels, one cell per
line.  Blank is a value: a row of empty cells is a row of the table and a table with no number at all is
a table of blanks (VAL-003).  A builder returns None only when the section has no trace of its table
(FMT-004); labels without readable values give an unreadable table (FMT-005).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Sequence
from dataclasses import replace
from decimal import Decimal
from functools import lru_cache

from auditor.extract.cells import (
    SplitTooHard,
    is_value_like,
    parse_cell,
    row_sum_valid,
    shared_cell,
    split_candidates,
    unique_split,
)
from auditor.extract.rows import Anchor, AnchorSet, GapModel, Row, anchor_row, stream_rows
from auditor.extract.textcodec import norm_label
from auditor.model import Cell, Table
from auditor.templates import (
    T2_2019,
    T2_2021,
    T3_2019,
    T3_2021,
    T3_COLUMNS,
    T4_SPEC,
    TableSpec,
)

# ------------------------------------------------------------------------------------------ T3

_T3_KEYS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("new", ("新收",)),
    ("carried", ("上年结转",)),
    ("carry_next", ("结转下年度", "结转下一年度", "转下年度")),
    ("granted", ("予以公开",)),
    ("partial", ("部分公开",)),
    ("denied_1", ("国家秘密",)),
    ("denied_2", ("禁止公开",)),
    ("denied_3", ("三安全一稳定", "危及")),
    ("denied_4", ("第三方合法权益", "第三方")),
    ("denied_5", ("内部事务",)),
    ("denied_6", ("过程性信息",)),
    ("denied_7", ("行政执法案卷", "执法案卷")),
    ("denied_8", ("行政查询事项", "查询事项")),
    ("unable_1", ("不掌握",)),
    ("unable_2", ("另行制作", "没有现成")),
    ("unable_3", ("仍不明确",)),
    ("rejected_1", ("信访举报投诉", "信访")),
    ("rejected_2", ("重复申请",)),
    ("rejected_3", ("公开出版物",)),
    ("rejected_4", ("大量反复",)),
    ("rejected_5", ("确认或重新出具", "重新出具")),
    ("other_1", ("逾期不补正", "不补正")),
    ("other_2", ("缴纳费用", "收费通知")),
)
_BLOCK_PREFIX = re.compile(r"^\((?:三|四|五|六)\)(?:不予公开|无法提供|不予处理|其他处理)(.+)$")
_T3_BLOCK_WORDS = {"不予公开": "denied", "无法提供": "unable", "不予处理": "rejected", "其他处理": "other"}


def t3_row_id(row: Row) -> str | None:
    """The template row of a T3 row label, "block:<name>" for a block's own label (a subtotal, or
    the 2019 （六）其他处理 row), "results" for 三、本年度办理结果, or None when not recognised."""
    return t3_label_id(row.label)


_T3_KEY_REGEX = re.compile("|".join(re.escape(k) for _, keys in _T3_KEYS for k in keys))
"""Every T3 row key in one alternation: a label holding none of them (most cells) is settled by one
search instead of a scan of the 23 rows' keys."""


@lru_cache(maxsize=8192)
def t3_label_id(text: str) -> str | None:
    """See :func:`t3_row_id`; for one label text.  Cached: reports repeat the template's labels."""
    label = norm_label(text)
    if not label:
        return None
    inner = _BLOCK_PREFIX.match(label)
    if inner:
        label = inner.group(1)
    return _t3_key_row(label) or _t3_other_row(label)


def _t3_key_row(label: str) -> str | None:
    """The first template row (in _T3_KEYS order) one of whose keys the label holds."""
    if _T3_KEY_REGEX.search(label) is None:
        return None
    return next((row_id for row_id, keys in _T3_KEYS if any(k in label for k in keys)), None)


def _t3_other_row(label: str) -> str | None:
    """总计, 3.其他, a block's own label, 三、本年度办理结果, a subtotal; None for anything else."""
    if "总计" in label and (
        "(七)" in label or label in ("总计", "七总计", "七、总计") or label.startswith("(七")
    ):
        return "total"
    if re.match(r"^(3\.)?其他$", label):
        return "other_3"
    block = next((b for word, b in _T3_BLOCK_WORDS.items() if word in label), None)
    if block is not None:
        return f"block:{block}"
    if "本年度办理结果" in label or "办理结果" in label:
        return "results"
    if "小计" in label or "合计" in label:
        return "block:subtotal"
    return None


_T3_COL_IDS = tuple(c.id for c in T3_COLUMNS)

_T3_COL_KEYS = (
    ("natural", ("自然人",)),
    ("commercial", ("商业企业", "商业")),
    ("research", ("科研机构", "科研")),
    ("public_interest", ("社会公益组织", "社会组织", "公益")),
    ("legal", ("法律服务机构", "法律服务")),
    ("other_org", ("其他",)),
    ("total", ("总计",)),
)

T3_ANCHORS = AnchorSet(
    [Anchor(r.label) for r in T3_2021.rows]
    + [Anchor(f"{r.block}{r.label}") for r in T3_2021.rows if r.block]
    + [Anchor("（六）其他处理")]
    + [
        Anchor(p, header=True)
        for p in (
            "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）",
            "申请人情况",
            "自然人",
            "法人或其他组织",
            "商业企业",
            "科研机构",
            "社会公益组织",
            "法律服务机构",
            "其他",
            "总计",
            "三、本年度办理结果",
            "（三）不予公开",
            "（四）无法提供",
            "（五）不予处理",
        )
    ]
)


def build_t3(rows: Sequence[Row], section: str | None) -> Table | None:
    """T3 from the rows of section 三, or None when there is no trace of the table.

    A table whose row labels are there but whose values cannot be read is returned unreadable
    (FMT-005): it is present, and saying it is missing (FMT-004) would be false."""
    rows, gaps = _expand_flat(rows, T3_ANCHORS)
    matched = _t3_matched(rows)
    if not any(rid and not rid.startswith("block:") and rid != "results" for rid, _ in matched):
        return _unreadable_trace("T3", rows, t3_label_id, section)
    found = {rid for rid, _ in matched}  # one pass, then set lookups (every row was asked twice)
    has_other_subrows = not found.isdisjoint(("other_1", "other_2", "other_3"))
    has_other_row = "block:other" in found
    version = "2021" if has_other_subrows else ("2019" if has_other_row else "unknown")
    spec = T3_2021 if version != "2019" else T3_2019
    table = Table(kind="T3", template=version, section=section)  # type: ignore[arg-type]
    # the rows that may title columns, found once (Row.is_header is computed at each call)
    titled = [r for r in rows if r.flat is not None or r.is_header]
    _t3_columns(titled, table)
    subtotal_at = _subtotal_column([r for r in titled if r.flat is None], matched, table)
    assigned = _t3_assigned(matched, version, spec, table)
    splits = _t3_put_rows(table, spec, assigned, subtotal_at, gaps)
    if splits:
        _resolve_t3_splits(table, spec, splits)
    if any(row.recovered == "position" for _, row in assigned):
        _verify_positions(table, spec)  # only a row placed by position has cells placed so
    _require_rows(table, spec)
    return table


def _t3_put_rows(
    table: Table,
    spec: TableSpec,
    assigned: list[tuple[str, Row]],
    subtotal_at: int | None,
    gaps: GapModel | None,
) -> dict[str, list[list[str]]]:
    """Each assigned row's cells into the table; the rows whose digits split several ways are returned
    for the column identities to decide (:func:`_resolve_t3_splits`)."""
    splits: dict[str, list[list[str]]] = {}
    width = len(T3_COLUMNS)
    for rid, row in assigned:
        if rid in table.row_labels:
            table.problems.append(f"行“{spec.row(rid).display}”出现两次")
            continue
        table.row_labels[rid] = row.label
        if subtotal_at is None and _put_as_written(table, rid, _T3_COL_IDS, row):
            continue
        display = spec.row(rid).display
        values = _row_values(row, width, subtotal_at, table, display, splits, rid, gaps, total_last=True)
        if values is not None:
            _put_row(table, rid, _T3_COL_IDS, values, row.recovered)
    return splits


def _put_as_written(table: Table, rid: str, cols: tuple[str, ...], row: Row) -> bool:
    """Store a grid row placed by its label whose cells, past the blank layout cells at its ends, are
    exactly the template's (most rows), as written; False, storing nothing, for any other row.  For
    such a row :func:`_row_values` drops those blank cells (:func:`_trim`) and reads every other
    cell, and :func:`_put_row` marks no recovery, so its cells go straight in.  (A T3 row with an
    added 小计 column is not one: the caller asks only where there is none.)"""
    if row.flat is not None or row.recovered is not None:
        return False
    if len(row.values) == len(cols):
        table.cells.update(_row_cells(rid, cols, tuple(row.values)))
        return True
    cells = _trimmed_row_cells(rid, cols, tuple(row.values))
    if cells is None:
        return False
    table.cells.update(cells)
    return True


@lru_cache(maxsize=4096)
def _row_cells(rid: str, cols: tuple[str, ...], values: tuple[str, ...]) -> dict[tuple[str, str], Cell]:
    """A row's cells as written under their keys (as many columns as values), to be copied into a
    table, never changed: the cells are :func:`shared_cell`'s.  Cached: rows repeat across reports
    (rows of zeros, small counts), and copying a ready dict costs half of building it.  Looked up by
    the row and column ids, not by the cells' keys: hashing their pairs cost more than the copy."""
    return dict(zip(_cell_keys(rid, cols), map(shared_cell, values), strict=True))


@lru_cache(maxsize=4096)
def _trimmed_row_cells(
    rid: str, cols: tuple[str, ...], values: tuple[str, ...]
) -> dict[tuple[str, str], Cell] | None:
    """:func:`_row_cells` of a row with more cells than columns, past the blank layout cells at its
    ends (:func:`_trim`: a merged label column, trailing tabs), or None when what is left is not as
    many cells as columns.  Cached apart from the rows that fit as they are: such rows repeat less
    (a report's own numbers), but about half of them still do (rows of zeros, small counts)."""
    trimmed = _trim(values, len(cols))
    if len(trimmed) != len(cols):
        return None
    return dict(zip(_cell_keys(rid, cols), map(shared_cell, trimmed), strict=True))


def _t3_matched(rows: Sequence[Row]) -> list[tuple[str | None, Row]]:
    """The rows that belong to T3, each with its template row id (None for a row of numbers whose label
    was lost): rows with values, or labelled rows of empty cells (blank is a value)."""
    matched: list[tuple[str | None, Row]] = []
    for raw in rows:
        if not raw.has_values and not _blank_row(raw, len(T3_COLUMNS)):
            continue
        rid, row = anchor_row(raw, t3_label_id)
        if rid is not None or _has_number(row):
            matched.append((rid, row))
    return matched


def _t3_assigned(
    matched: Sequence[tuple[str | None, Row]], version: str, spec: TableSpec, table: Table
) -> list[tuple[str, Row]]:
    """Template row ids for the matched rows: labelled rows by their labels, rows whose labels were lost
    by position between the labelled ones where that is certain (:func:`_place_by_position`); block
    and subtotal rows are kept aside as extra rows."""
    assigned: list[tuple[str, Row]] = []
    pending: list[Row] = []  # rows whose labels were lost, waiting for the next labelled anchor
    for rid, row in matched:
        if rid == "block:other" and version == "2019":
            rid = "other"
        if rid is None or rid == "results":
            pending.append(row)
        elif rid.startswith("block:"):
            if pending:
                pending.append(row)
            else:
                table.extra_rows.append(row.label)
        else:
            if pending:
                _place_by_position(spec, assigned, pending, rid, table)
                pending = []
            assigned.append((rid, row))
    if pending:
        _place_by_position(spec, assigned, pending, None, table)
    return assigned


def _verify_positions(table: Table, spec: TableSpec) -> None:
    """Rows placed by position are kept only if the table then balances: a placement that breaks the
    identities may be our mistake, and a balance finding must never come from it."""
    placed = {r for (r, _), c in table.cells.items() if c.recovered == "position"}
    if not placed or table.problems:
        return
    cols = [c.id for c in T3_COLUMNS]
    rows_ok = all(row_sum_valid([table.value(r, c) for c in cols]) for r in placed)
    if rows_ok and _t3_columns_balance(table.cells, spec):
        return
    table.problems.append(
        "按位置对应缺少标签的行后，表内勾稽关系不成立，无法确认行的对应关系："
        + "、".join(r.display for r in spec.rows if r.id in placed)
    )


def _has_number(row: Row) -> bool:
    """An unlabelled row counts only when it holds a number (rows of dashes are layout debris)."""
    if row.flat is not None:
        return any(ch.isdigit() for ch in row.flat)
    return any(shared_cell(v).kind == "number" for v in row.values)


def _t3_columns(titled: Sequence[Row], table: Table) -> None:
    """Column headers as written, for FMT-006, from the header rows and the rows cut from running
    text (``titled``)."""
    for row in titled:
        for label in row.labels:
            for col_id in _t3_label_columns(norm_label(label)):
                if col_id not in table.col_labels:  # the first of its columns still untitled
                    table.col_labels[col_id] = label
                    break


@lru_cache(maxsize=1024)
def _t3_label_columns(key: str) -> tuple[str, ...]:
    """The T3 columns a (normalised) header label may title, in the template's order: the first of them
    still untitled takes it.  Cached: the header labels of reports repeat."""
    return tuple(
        col_id
        for col_id, keys in _T3_COL_KEYS
        if (col_id != "other_org" or key == "其他")
        and (col_id != "total" or key == "总计")
        and any(k == key or (len(key) <= 8 and k in key) for k in keys)
    )


def _subtotal_column(
    headers: Sequence[Row], matched: Sequence[tuple[str | None, Row]], table: Table
) -> int | None:
    """Position of an added 小计 column (the sum of the five organisation columns), if the report has
    one.  ``headers``: the header rows (:attr:`Row.is_header`)."""
    if not any("小计" in norm_label(lab) for r in headers for lab in r.labels):
        return None
    widths = {len(_trim(r.values, 8)) for _, r in matched if r.flat is None}
    if widths != {8}:
        return None
    for pos in (6, 1):
        ok = True
        for _, r in matched:
            cells = [shared_cell(v).number for v in _trim(r.values, 8)]
            org = cells[2:7] if pos == 1 else cells[1:6]
            if cells[pos] != sum(org, Decimal(0)):
                ok = False
                break
        if ok:
            table.extra_columns.append("小计")
            return pos
    return None


def _place_by_position(
    spec: TableSpec, assigned: list[tuple[str, Row]], pending: list[Row], next_id: str | None, table: Table
) -> None:
    """Rows whose labels were lost: placed by position when exactly the missing template rows fit."""
    ids = [r.id for r in spec.rows]
    start = ids.index(assigned[-1][0]) + 1 if assigned else 0
    stop = ids.index(next_id) if next_id in ids else len(ids)
    gap = ids[start:stop]
    labels = "、".join(r.label or "（无标签）" for r in pending)
    if len(gap) == len(pending) and all(
        len(_trim(r.values, len(T3_COLUMNS))) == len(T3_COLUMNS) for r in pending
    ):
        for rid, row in zip(gap, pending, strict=True):
            row.recovered = "position"
            assigned.append((rid, row))
        table.notes.append(
            f"{len(pending)} 行缺少行标签，按位置对应为：" + "、".join(spec.row(g).display for g in gap)
        )
        return
    table.problems.append(
        f"{len(pending)} 行缺少可识别的行标签（{labels}），无法按位置对应到模板的 {len(gap)} 行"
        + ("：" + "、".join(spec.row(g).display for g in gap) if gap else "")
    )


def _resolve_t3_splits(table: Table, spec: TableSpec, splits: dict[str, list[list[str]]]) -> None:
    """Rows with several digit splits satisfying the row sum: keep the combination, if exactly one,
    that also satisfies the column identities."""
    names = list(splits)
    combos = 1
    for n in names:
        combos *= len(splits[n])
    good = _balancing_splits(table, spec, splits) if combos <= 5000 else []
    if len(good) == 1:
        for rid, values in zip(names, good[0], strict=True):
            _put_row(table, rid, _T3_COL_IDS, [shared_cell(v) for v in values], "split")
        table.notes.append(
            "数字连写的行按本表的勾稽关系唯一拆分：" + "、".join(spec.row(n).display for n in names)
        )
    else:
        for n in names:
            table.problems.append(f"行“{spec.row(n).display}”的数字连在一起，无法唯一拆分")


def _balancing_splits(
    table: Table, spec: TableSpec, splits: dict[str, list[list[str]]]
) -> list[tuple[list[str], ...]]:
    """The combinations of the rows' splits under which the table's columns balance, stopping at the
    second (one is the answer, two are a guess)."""
    names = list(splits)
    columns = [c.id for c in T3_COLUMNS]
    good: list[tuple[list[str], ...]] = []
    for combo in itertools.product(*(splits[n] for n in names)):
        trial = dict(table.cells)
        for rid, values in zip(names, combo, strict=True):
            for col, raw in zip(columns, values, strict=True):
                trial[(rid, col)] = shared_cell(raw)
        if _t3_columns_balance(trial, spec):
            good.append(combo)
            if len(good) > 1:
                break
    return good


def _t3_columns_balance(cells: dict[tuple[str, str], Cell], spec: TableSpec) -> bool:
    """Whether 一+二 = （七）+四 and （七） = Σ results hold in every column that is complete (a blank
    cell leaves its column to the rules: VAL-003, not a placement problem)."""

    def v(r: str, c: str) -> Decimal:
        cell = cells.get((r, c))
        return cell.number if cell else Decimal(0)

    results = [r.id for r in spec.rows if r.id not in ("new", "carried", "total", "carry_next")]
    for col in [c.id for c in T3_COLUMNS]:
        if any((cell := cells.get((r.id, col))) is None or cell.kind == "blank" for r in spec.rows):
            continue
        if v("new", col) + v("carried", col) != v("total", col) + v("carry_next", col):
            return False
        if sum((v(r, col) for r in results), Decimal(0)) != v("total", col):
            return False
    return True


# ------------------------------------------------------------------------------------------ T2

_T2_ROW_KEYS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("other_services", ("其他对外管理服务事项", "对外管理服务")),
    ("normative", ("规范性文件",)),
    ("rules", ("规章",)),
    ("licensing", ("行政许可",)),
    ("penalty", ("行政处罚",)),
    ("enforcement", ("行政强制",)),
    ("fees", ("行政事业性收费", "事业性收费")),
    ("procurement", ("政府集中采购", "集中采购")),
)
_T2_COL_KEYS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("2021", "issued", ("本年制发件数", "制发")),
    ("2021", "repealed", ("本年废止件数", "废止")),
    ("2021", "in_force", ("现行有效件数", "现行有效")),
    ("2021", "amount", ("本年收费金额", "收费金额")),
    ("2019", "made", ("本年新制作数量", "新制作")),
    ("2019", "published", ("本年新公开数量", "新公开")),
    ("2019", "total_published", ("对外公开总数量", "对外公开总")),
    ("2019", "prev_items", ("上一年项目数量", "上一年项目")),
    ("2019", "change", ("本年增/减", "增/减", "增减")),
    ("2019", "purchase_items", ("采购项目数量",)),
    ("2019", "purchase_amount", ("采购总金额",)),
    ("2021", "decisions", ("本年处理决定数量",)),
    ("2019", "decisions", ("处理决定数量",)),
)

T2_ANCHORS = AnchorSet(
    [Anchor(r.label) for r in T2_2021.rows + T2_2019.rows]
    + [
        Anchor(p, header=True)
        for p in (
            "第二十条第（一）项",
            "第二十条第（五）项",
            "第二十条第（六）项",
            "第二十条第（八）项",
            "第二十条第（九）项",
            "信息内容",
            "本年制发件数",
            "本年废止件数",
            "现行有效件数",
            "本年处理决定数量",
            "本年收费金额（单位：万元）",
            "本年新制作数量",
            "本年新公开数量",
            "对外公开总数量",
            "上一年项目数量",
            "本年增/减",
            "处理决定数量",
            "采购项目数量",
            "采购总金额",
        )
    ]
)


@lru_cache(maxsize=8192)
def t2_row_id(label: str) -> str | None:
    """The template row of a T2 row label, or None.  Cached: reports repeat the template's labels."""
    key = norm_label(label)
    key = re.sub(r"\(.*?\)", "", key)  # provincial notes: "规章(设区的市…应提供相关数据)"
    for row_id, keys in _T2_ROW_KEYS:
        if any(k in key for k in keys) and len(key) <= len(keys[0]) + 6:
            return row_id
    return None


@lru_cache(maxsize=8192)
def _t2_column(label: str) -> tuple[str, str] | None:
    """(version, column id) of a T2 column title, or None."""
    key = norm_label(label)
    for version, col_id, keys in _T2_COL_KEYS:
        if any(k in key for k in keys):
            return version, col_id
    return None


def t2_header_columns(row: Row) -> list[tuple[str, str, str]]:
    """(version, column id, label as written) for each column title in a header row."""
    found: list[tuple[str, str, str]] = []
    for label in row.labels:
        column = _t2_column(label)
        if column is not None:
            found.append((*column, label))
    return found


def build_t2(rows: Sequence[Row], section: str | None) -> list[Table]:
    """T2 from the rows of section 二: one table per instance (seed 000 has both formats in a row)."""
    rows, gaps = _expand_flat(rows, T2_ANCHORS)
    instances: list[list[tuple[str, Row]]] = []
    headers: list[list[Row]] = []
    current: list[tuple[str, Row]] = []
    current_headers: list[Row] = []
    for row in rows:
        # A header row has no values (Row.is_header implies not has_values), so "a header or no
        # values" is "no values"; a labelled row of blanks is the only such row that is a value row.
        if not row.has_values and not _t2_blank_row(row):
            if t2_header_columns(row):
                current_headers.append(row)
            continue
        rid, row = anchor_row(row, t2_row_id)
        if rid is None:
            continue
        if any(r == rid for r, _ in current):
            instances.append(current)
            headers.append(current_headers[:-1] if _is_new_table_header(current_headers) else current_headers)
            current_headers = current_headers[-1:] if _is_new_table_header(current_headers) else []
            current = []
        current.append((rid, row))
    if current:
        instances.append(current)
        headers.append(current_headers)
    if not instances:
        trace = _unreadable_trace("T2", rows, t2_row_id, section)
        return [trace] if trace else []
    return [_t2_instance(inst, hdrs, section, gaps) for inst, hdrs in zip(instances, headers, strict=True)]


def _t2_blank_row(row: Row) -> bool:
    """A row of T2's empty cells under a T2 row label (blank is a value, VAL-003)."""
    return row.all_blank and t2_row_id(row.label) is not None and _blank_row(row, 1)


def _spec_ids(spec: TableSpec) -> tuple[frozenset[str], frozenset[str], dict[str, int | None]]:
    """A T2 spec's row ids, column ids, and for each row the position of its signed column (None
    when it has none)."""
    signed = {
        r.id: next((i for i, c in enumerate(spec.columns_of(r.id)) if spec.col(c).signed), None)
        for r in spec.rows
    }
    return frozenset(r.id for r in spec.rows), frozenset(c.id for c in spec.columns), signed


_T2_SPEC_IDS = {spec.version: _spec_ids(spec) for spec in (T2_2019, T2_2021)}
"""What _t2_instance asks of its spec for every row, worked out once per template."""


def _is_new_table_header(headers: list[Row]) -> bool:
    return bool(headers) and any(col in ("issued", "made") for _, col, _ in t2_header_columns(headers[-1]))


def _t2_instance(
    rows: list[tuple[str, Row]], headers: list[Row], section: str | None, gaps: GapModel | None
) -> Table:
    votes = {"2021": 0, "2019": 0}
    col_labels: dict[str, str] = {}
    for h in headers:
        for version, col_id, label in t2_header_columns(h):
            votes[version] += 1
            col_labels.setdefault(col_id, label)
    ids = {rid for rid, _ in rows}
    if ids & {"other_services", "procurement"}:
        votes["2019"] += 2
    for rid, row in rows:
        n = len(_trim(row.values, 3)) if row.flat is None else None
        if rid in ("licensing", "penalty", "enforcement") and n is not None:
            votes["2019" if n >= 3 else "2021"] += 1
    version = "2021" if votes["2021"] > votes["2019"] else ("2019" if votes["2019"] else "unknown")
    spec = T2_2019 if version == "2019" else T2_2021
    table = Table(kind="T2", template=version, section=section)  # type: ignore[arg-type]
    table.col_labels = {c: lab for c, lab in col_labels.items() if c in _T2_SPEC_IDS[spec.version][1]}
    for rid, row in rows:
        _t2_put_row(table, spec, rid, row, gaps)
    _require_rows(table, spec)
    return table


def _t2_put_row(table: Table, spec: TableSpec, rid: str, row: Row, gaps: GapModel | None) -> None:
    """One row's cells into a T2 instance, or the problem that keeps them out."""
    row_ids, _, signed = _T2_SPEC_IDS[spec.version]
    if rid not in row_ids:
        table.problems.append(f"行“{row.label}”不属于{table.template}年版表格")
        return
    if rid in table.row_labels:
        table.problems.append(f"行“{spec.row(rid).label}”出现两次")
        return
    table.row_labels[rid] = row.label
    cols = spec.columns_of(rid)
    if _put_as_written(table, rid, cols, row):
        return
    display = spec.row(rid).label
    values = _row_values(row, len(cols), None, table, display, None, rid, gaps, signed_at=signed[rid])
    if values is not None:
        _put_row(table, rid, cols, values, row.recovered)


# ------------------------------------------------------------------------------------------ T4

_T4_TITLE_WORDS = ("复议", "直接起诉", "复议后起诉", "行政诉讼")
"""Words of T4's row and group titles: cells holding them lead a value row, they are not values."""
_T4_COL_KEYS = (
    ("upheld", "维持"),
    ("corrected", "纠正"),
    ("other", "其他"),
    ("pending", "尚未审结"),
    ("total", "总计"),
)

T4_ANCHORS = AnchorSet(
    [
        Anchor(p, header=True)
        for p in (
            "行政复议",
            "行政诉讼",
            "未经复议直接起诉",
            "复议后起诉",
            "结果维持",
            "结果纠正",
            "其他结果",
            "尚未审结",
            "总计",
        )
    ]
)


def _t4_values(row: Row) -> list[str]:
    """The value cells of a T4 row: T4 rows have no row label, so any text after the leading titles
    ("行政复议", "复议后起诉"…) is a value written as text (VAL-001), not a label."""
    if row.cells:
        cells = [c for c, cont in zip(row.cells, row.cont, strict=False) if not cont]
    else:
        cells = list(row.values)
    start = 0
    while start < len(cells) and (
        not cells[start] or any(w in norm_label(cells[start]) for w in _T4_TITLE_WORDS)
    ):
        start += 1
    titled = [i for i in range(start) if cells[i]]
    # blank cells after the last title (or in a row without titles) are value cells left blank: a
    # leading one is 结果维持 left empty, not layout, unless the row has more cells than values
    start = titled[-1] + 1 if titled else 0
    numbered = any(shared_cell(c).kind == "number" for c in cells[start:])
    values = cells[start:] if numbered else list(row.values)
    return _trim(values, 15 if len(values) > 5 else 5)


def build_t4(rows: Sequence[Row], section: str | None) -> Table | None:
    """T4: fifteen numbers, in one row or in three rows of five (one per case type)."""
    flat_rows, gaps = _expand_flat(rows, T4_ANCHORS)
    table = Table(kind="T4", template="unknown", section=section)
    titles = _t4_headers(flat_rows, table)
    value_rows = [r for r in flat_rows if r.has_values]
    if not value_rows:
        return _t4_without_values(table, flat_rows, titles)
    tokens = _t4_tokens(value_rows, gaps, table)
    cells = _t4_cells(tokens, value_rows, table)
    if cells is None:
        table.readable = False
        return table
    cols = [c.id for c in T4_SPEC.columns]
    for i, rid in enumerate(r.id for r in T4_SPEC.rows):
        table.row_labels[rid] = T4_SPEC.row(rid).label
        for j, col in enumerate(cols):
            table.cells[(rid, col)] = cells[i * 5 + j]
    return table


def _t4_headers(rows: Sequence[Row], table: Table) -> int:
    """Record T4's column titles as written (FMT-006); returns how many row and group titles stand in
    the header rows."""
    titles = 0
    for row in rows:
        if not row.is_header:
            continue
        for label in row.labels:
            is_title, columns = _t4_label(label)
            titles += is_title
            for col_id in columns:
                table.col_labels.setdefault(col_id, label)
    return titles


@lru_cache(maxsize=1024)
def _t4_label(label: str) -> tuple[bool, tuple[str, ...]]:
    """Whether a T4 header label is a row or group title, and the columns it may title (in
    _T4_COL_KEYS order).  Cached: the header labels of reports repeat."""
    key = norm_label(label)
    is_title = any(w in key for w in _T4_TITLE_WORDS)
    return is_title, tuple(col_id for col_id, word in _T4_COL_KEYS if word in key and len(key) <= 6)


def _t4_tokens(value_rows: list[Row], gaps: GapModel | None, table: Table) -> list[str]:
    """The value cells of T4 in order: placed by the blank-line runs of a one-cell-per-line export, or
    as the rows give them."""
    placed = gaps.place(value_rows[0], 15) if gaps is not None and len(value_rows) == 1 else None
    if placed is not None:
        if len(value_rows[0].values) < 15:
            table.notes.append("空白单元格按空行位置读取")
        return placed
    return [v for r in value_rows for v in (r.flat.split() if r.flat is not None else _t4_values(r))]


def _t4_cells(tokens: list[str], value_rows: list[Row], table: Table) -> list[Cell] | None:
    """The fifteen cells, digits that ran together split where exactly one split keeps every total; None
    (with the problem recorded) when they cannot be read."""
    if len(tokens) == 15:
        return [shared_cell(t) for t in tokens]
    if not any(r.flat is not None for r in value_rows):
        table.problems.append(
            f"应有 15 个数值（复议、直接起诉、复议后起诉各 5 个），实际读到 {len(tokens)} 个"
        )
        return None
    split, count = unique_split(tokens, 15, group=5)
    if split is None:
        table.problems.append(
            f"行政复议、行政诉讼的数字连在一起（“{' '.join(tokens)}”），"
            + (
                "可能的拆分过多，无法确定唯一拆分"
                if count < 0
                else ("无法唯一拆分为 15 个数" if count else "无法拆分为满足总计关系的 15 个数")
            )
        )
        return None
    cells = [parse_cell(t) for t in split]
    for c in cells:
        c.recovered = "split"
    table.notes.append("数字连写，按各总计关系唯一拆分")
    return cells


def _t4_without_values(table: Table, rows: Sequence[Row], titles: int) -> Table | None:
    """T4 with no number in it: a table of blanks when its value cells are there and empty (VAL-003),
    unreadable when only its titles are (FMT-005), None when there is no trace of it."""
    if not table.col_labels and titles < 2:
        return None
    empty = [r for r in rows if not r.labels and r.values and not r.has_values]
    widths = [len(_trim(r.values, 15 if len(r.values) > 5 else 5)) for r in empty]
    if widths in ([15], [5, 5, 5]):
        for rid in (r.id for r in T4_SPEC.rows):
            table.row_labels[rid] = T4_SPEC.row(rid).label
            for col in (c.id for c in T4_SPEC.columns):
                table.cells[(rid, col)] = shared_cell("")
        table.notes.append("表格的数值单元格全部为空")
        return table
    table.readable = False
    table.problems.append("只有表头，没有找到数值行")
    return table


# ------------------------------------------------------------------------------------------ shared


def _expand_flat(rows: Sequence[Row], anchors: AnchorSet) -> tuple[list[Row], GapModel | None]:
    """Replace running text (a paragraph holding a whole table, or one cell per line) by the rows cut
    from it at the template's labels (see :func:`auditor.extract.rows.stream_rows`)."""
    return stream_rows(list(rows), anchors)


def _note_row(table: Table, prefix: str, display: str) -> None:
    """One note per kind of recovery, naming every row it applied to."""
    for i, note in enumerate(table.notes):
        if note.startswith(prefix):
            table.notes[i] = f"{note}、{display}"
            return
    table.notes.append(prefix + display)


def _blank_row(row: Row, width: int) -> bool:
    """A labelled row of empty value cells that stands for a row of the table: a stream row (its
    blank-line runs are checked when it is read) or a grid row with about a full row of empty cells
    (a header row with a trailing empty cell is not one)."""
    if not row.all_blank:
        return False
    return row.gaps is not None or len(row.values) >= max(1, width - 1)


def _unreadable_trace(
    kind: str, rows: Sequence[Row], identify: Callable[[str], str | None], section: str | None
) -> Table | None:
    """A table whose row labels are in the section but none of whose rows could be read: present but
    unreadable (FMT-005), never missing.  None when no row label of the table is there at all."""
    labels = [
        r.label for r in rows if r.label and not r.is_header and identify(r.label) not in (None, "results")
    ]
    labels = [lab for lab in labels if not (identify(lab) or "").startswith("block:")]
    if len(labels) < 2:
        return None
    table = Table(kind=kind, template="unknown", section=section, readable=False)  # type: ignore[arg-type]
    table.problems.append(
        f"找到表格的行标签（{'、'.join(labels[:3])}等 {len(labels)} 行），但读不出其中的数值"
    )
    return table


def _trim(values: Sequence[str], width: int) -> list[str]:
    """Drop blank cells at the end, then at the start, while there are more cells than the width:
    layout artefacts of merged label columns and trailing tabs."""
    vals = list(values)
    while len(vals) > width and not vals[-1].strip():
        vals.pop()
    while len(vals) > width and not vals[0].strip():
        vals.pop(0)
    return vals


def _row_values(
    row: Row,
    width: int,
    subtotal_at: int | None,
    table: Table,
    display: str,
    splits: dict[str, list[list[str]]] | None,
    rid: str,
    gaps: GapModel | None = None,
    total_last: bool = False,
    signed_at: int | None = None,
) -> Sequence[Cell | None] | None:
    """The row's cells, or None (with a problem recorded, or a split left to resolve).  A cell is None
    where the row shows it but its column cannot be read (the table is then unreadable).

    ``splits`` is given for tables whose rows have an identity (T3: the total is the sum of the
    others): run-together digits are then split under it, and rows with several valid splits are left
    in ``splits`` for the column identities to decide.  Without it (T2) only a forced split counts.
    ``total_last`` says the template gives every row a total column that is last (T3): only then is a
    row short of a cell or two read right-aligned; elsewhere which cell is missing cannot be read.
    ``signed_at`` is the position of the row's only column that may be negative (2019 本年增/减): in a
    run of digits a minus sign can only open that cell, which fixes the cells before it.
    """
    if row.flat is not None and row.gaps is not None:
        placed, cells = _stream_values(row, width, table, display, gaps)
        if placed:
            return cells
    if row.flat is not None:
        return _flat_values(row, row.flat, width, table, display, splits, rid, signed_at)
    return _grid_values(row.values, width, subtotal_at, table, display, total_last)


def _stream_values(
    row: Row, width: int, table: Table, display: str, gaps: GapModel | None
) -> tuple[bool, list[Cell | None] | None]:
    """A row of one cell per line: the blank-line runs say where its empty cells stand.  (True, cells),
    (True, None) with a problem recorded when they cannot, (False, None) to read it as running text."""
    placed = gaps.place(row, width) if gaps is not None else None
    if placed is not None:
        if any(not v for v in placed) and len(row.values) < width:
            _note_row(table, "空白单元格按空行位置读取的行：", display)
        return True, [shared_cell(v) for v in placed]
    if len(row.values) < width and all(len(v.split()) == 1 for v in row.values):
        table.problems.append(
            f"行“{display}”应有 {width} 个数值，实际读到 {len(row.values)} 个，无法确定空白单元格的位置"
        )
        return True, None
    return False, None


def _flat_values(
    row: Row,
    flat: str,
    width: int,
    table: Table,
    display: str,
    splits: dict[str, list[list[str]]] | None,
    rid: str,
    signed_at: int | None,
) -> list[Cell | None] | None:
    """A row cut from running text: its numbers as written, or split where their digits ran together
    (see :func:`_row_values` for ``splits`` and ``signed_at``)."""
    clean = [t for t in flat.split() if t]
    if len(clean) == width and all(shared_cell(t).kind != "text" for t in clean):
        return [shared_cell(t) for t in clean]
    try:
        candidates = split_candidates(clean, width, group=width if splits is not None else None)
    except SplitTooHard:
        table.problems.append(
            f"行“{display}”的数字连在一起（{len(''.join(clean))} 位），可能的拆分过多，无法确定唯一拆分"
        )
        return None
    if len(candidates) == 1:
        cells: list[Cell | None] = [parse_cell(v) for v in candidates[0]]
        for c in cells:
            if c is not None:
                c.recovered = "split"
        return cells
    if len(candidates) > 1 and splits is not None:
        splits[rid] = candidates
        return None
    partial = _read_before_sign(clean, width, signed_at)
    table.problems.append(
        f"行“{display}”的数值“{flat.strip()}”"
        + ("无法唯一拆分为" if candidates else "无法拆分为")
        + f" {width} 个数"
    )
    return partial


def _grid_values(
    values: list[str], width: int, subtotal_at: int | None, table: Table, display: str, total_last: bool
) -> list[Cell | None] | None:
    """A row of grid cells: layout cells trimmed, a row short of its first cells read right-aligned
    where the total column is last (T3), an added subtotal column dropped."""
    expected = width + (1 if subtotal_at is not None else 0)
    vals = _trim(values, expected)
    while len(vals) > expected and vals[0].strip() and not is_value_like(vals[0]):
        # a label broken over two cells (PDF conversions): the rest of the label, not a value
        vals.pop(0)
    if total_last and expected - 2 <= len(vals) < expected and len(vals) > 1 and vals[-1].strip():
        # A merged label column ate cells at the left of a tab export; the total column is always
        # last, so the row is read right-aligned and the missing cells stay blank (VAL-003).
        table.notes.append(f"行“{display}”只有 {len(vals)} 个单元格，按右对齐读取，缺少的单元格视为空白")
        vals = [""] * (expected - len(vals)) + vals
    if len(vals) != expected:
        return _short_row(vals, expected, subtotal_at, table, display, total_last)
    if subtotal_at is not None:
        vals = vals[:subtotal_at] + vals[subtotal_at + 1 :]
    return list(map(shared_cell, vals))


def _short_row(
    vals: list[str], expected: int, subtotal_at: int | None, table: Table, display: str, total_last: bool
) -> list[Cell | None] | None:
    """A grid row with another number of cells than the template's: unreadable, except that a row
    closing with its last cell (T2) keeps that cell in its column."""
    if not total_last and 1 < len(vals) < expected and subtotal_at is None and vals[-1].strip():
        table.problems.append(
            f"行“{display}”应有 {expected} 个数值，实际读到 {len(vals)} 个，无法确定缺少的是哪一栏"
        )
        # A cell wrapped in the PDF was printed apart: which of the first cells it was cannot be
        # read, but the row still closes with its last cell, which keeps its column.  The cells
        # before it are left unread (never a guessed position, never a blank the row does not show).
        unplaced: list[Cell | None] = [None] * (expected - 1)
        return [*unplaced, shared_cell(vals[-1])]
    table.problems.append(f"行“{display}”应有 {expected} 个数值，实际读到 {len(vals)} 个")
    return None


def _read_before_sign(tokens: list[str], width: int, signed_at: int | None) -> list[Cell | None] | None:
    """The cells of a run that a minus sign fixes, the others unread: "2648-18538" in a row 上一年项目数量 |
    本年增/减 | 处理决定数量 is 2648 | -… (the minus can only open 本年增/减), while "-18538" still splits
    several ways.  Cells are kept only where exactly one reading exists; None when nothing is certain."""
    if signed_at is None or signed_at == 0:
        return None
    run = "".join(tokens)
    if run.count("-") != 1:
        return None
    before, _, after = run.partition("-")
    if not before or not after:
        return None
    try:
        head = split_candidates([before], signed_at)
        tail = split_candidates(["-" + after], width - signed_at)
    except SplitTooHard:
        return None
    if len(head) != 1:
        return None
    cells: list[Cell | None] = [parse_cell(v) for v in head[0]]
    if len(tail) == 1:
        cells += [parse_cell(v) for v in tail[0]]
    else:
        cells += [None] * (width - signed_at)
    for c in cells:
        if c is not None:
            c.recovered = "split"
    return cells


def _put_row(
    table: Table, rid: str, cols: Sequence[str], cells: Sequence[Cell | None], recovered: str | None
) -> None:
    """Store a row's cells under (row id, column id); ``recovered`` marks cells that do not say how they
    were recovered yet, on a copy (cells read as written are shared: :func:`shared_cell`)."""
    stored = table.cells
    for key, cell in zip(_cell_keys(rid, tuple(cols)), cells, strict=False):
        if cell is None:
            continue  # a cell that could not be placed stays unread
        if recovered and cell.recovered is None:
            cell = replace(cell, recovered=recovered)
        stored[key] = cell


@lru_cache(maxsize=256)
def _cell_keys(rid: str, cols: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """The (row id, column id) keys of a row's cells, made once per row of the templates."""
    return tuple((rid, col) for col in cols)


def _require_rows(table: Table, spec: TableSpec) -> None:
    missing = [r for r in spec.rows if r.id not in table.row_labels]
    if missing:
        table.problems.append("缺少行：" + "、".join(r.display for r in missing))
    if table.problems:
        table.readable = False


__all__ = ["build_t2", "build_t3", "build_t4"]
