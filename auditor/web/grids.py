"""A stored table (``Document.to_dict()["tables"][i]``) laid out as the template prints it.

Rows and columns follow the template (:mod:`auditor.templates`) so a person finds a cell where the
official form has it; the raw text is shown as written; cells named by a finding are marked with the
findings that name them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from auditor.templates import SECTION_HEADINGS, SECTION_TABLE, T3_APPLICANT_COLUMNS, TableSpec, spec_for

TABLE_TITLES: dict[str, str] = {kind: SECTION_HEADINGS[key] for key, kind in SECTION_TABLE.items()}
"""A table's title: the heading of the section it belongs to."""

_T2_GROUPS = {
    "（一）": "第二十条第（一）项",
    "（五）": "第二十条第（五）项",
    "（六）": "第二十条第（六）项",
    "（八）": "第二十条第（八）项",
    "（九）": "第二十条第（九）项",
}
_T3_RESULTS_HEADER = "三、本年度办理结果"


@dataclass(frozen=True, slots=True)
class FindingRef:
    """A finding that points at a cell (for the cell's marker and link)."""

    id: int
    rule_id: str
    severity: str


@dataclass(frozen=True, slots=True)
class HeaderCell:
    """A header cell with its spans."""

    label: str
    colspan: int = 1
    rowspan: int = 1


@dataclass(slots=True)
class CellView:
    """One grid position: the raw text, its kind, and the findings marking it."""

    row: str
    col: str
    raw: str
    kind: str
    present: bool
    recovered: str | None = None
    refs: list[FindingRef] = field(default_factory=list)

    @property
    def severity(self) -> str | None:
        """The highest severity among the findings marking the cell."""
        order = ("error", "warning", "info")
        for level in order:
            if any(r.severity == level for r in self.refs):
                return level
        return None


@dataclass(slots=True)
class RowView:
    """A grid row: a group heading (``cells`` empty) or a data row."""

    id: str
    label: str
    written: str | None
    """The label as the document wrote it, when it differs from the template's."""
    cells: list[CellView | None]
    """One per column; None where the template has no cell (T2 blocks)."""
    group: bool = False
    indent: bool = False


@dataclass(slots=True)
class GridView:
    """A table ready to render."""

    kind: str
    title: str
    template: str
    columns: list[tuple[str, str]]
    header: list[list[HeaderCell]]
    """The header rows, the row-label column's heading included."""
    rows: list[RowView]
    readable: bool
    image_only: bool
    problems: list[str]
    notes: list[str]
    extra_rows: list[str]
    extra_columns: list[str]
    marked: int
    """How many cells a finding marks."""


def _cells(table: Mapping[str, Any]) -> dict[tuple[str, str], Mapping[str, Any]]:
    return {
        (row, col): cell
        for row, cols in (table.get("cells") or {}).items()
        for col, cell in cols.items()
    }


def build_grid(table: Mapping[str, Any], marks: Mapping[tuple[str, str], Sequence[FindingRef]]) -> GridView:
    """The grid of one stored table; ``marks`` maps (row id, column id) to the findings naming the cell."""
    kind = str(table.get("kind", ""))
    template = str(table.get("template", "unknown"))
    spec = spec_for(kind, template)
    cells = _cells(table)
    row_labels: Mapping[str, str] = table.get("row_labels") or {}
    col_labels: Mapping[str, str] = table.get("col_labels") or {}
    if spec is not None:
        columns = [(c.id, c.label) for c in spec.columns]
        rows = _template_rows(spec, kind, row_labels)
    else:
        columns = [(c, col_labels.get(c, c)) for c in _ordered({c for _, c in cells}, list(col_labels))]
        ordered = _ordered({r for r, _ in cells}, list(row_labels))
        rows = [(r, row_labels.get(r, r), None, None) for r in ordered]
    known_rows = {r for r, *_ in rows if r}
    rows += [(r, row_labels.get(r, r), None, None) for r in _ordered({r for r, _ in cells} - known_rows, [])]

    views: list[RowView] = []
    marked = 0
    for row_id, label, written, applicable in rows:
        if not row_id:
            views.append(RowView(id="", label=label, written=None, cells=[], group=True))
            continue
        line: list[CellView | None] = []
        for col_id, _ in columns:
            if applicable is not None and col_id not in applicable:
                line.append(None)
                continue
            stored = cells.get((row_id, col_id))
            view = CellView(
                row=row_id,
                col=col_id,
                raw=str(stored.get("raw", "")) if stored else "",
                kind=str(stored.get("kind", "blank")) if stored else "absent",
                present=stored is not None,
                recovered=stored.get("recovered") if stored else None,
                refs=list(marks.get((row_id, col_id), ())),
            )
            marked += bool(view.refs)
            line.append(view)
        indent = spec is not None and kind == "T3" and spec.row(row_id).block is not None
        views.append(RowView(id=row_id, label=label, written=written, cells=line, indent=indent))
    return GridView(
        kind=kind,
        title=TABLE_TITLES.get(kind, kind),
        template=template,
        columns=columns,
        header=_header(kind, columns),
        rows=views,
        readable=bool(table.get("readable", True)),
        image_only=bool(table.get("image_only", False)),
        problems=list(table.get("problems") or []),
        notes=list(table.get("notes") or []),
        extra_rows=list(table.get("extra_rows") or []),
        extra_columns=list(table.get("extra_columns") or []),
        marked=marked,
    )


def _ordered(ids: set[str], preferred: list[str]) -> list[str]:
    """``ids`` in the order of ``preferred``, the rest sorted after."""
    first = [i for i in preferred if i in ids]
    return first + sorted(ids - set(first))


Row = tuple[str, str, str | None, tuple[str, ...] | None]
"""(row id, label, written label if different, applicable columns or None for all); id "" = a heading."""


def _template_rows(spec: TableSpec, kind: str, written: Mapping[str, str]) -> list[Row]:
    rows: list[Row] = []
    block: str | None = None
    for r in spec.rows:
        heading = _heading_before(kind, r.id, r.number, r.block, block)
        if heading:
            rows.append(("", heading, None, None))
        block = r.block if kind == "T3" else r.number
        label = r.label if kind == "T3" and r.block else r.display
        as_written = written.get(r.id)
        differs = as_written is not None and _squash(as_written) != _squash(label)
        rows.append((r.id, label, as_written if differs else None,
                     spec.columns_of(r.id) if kind == "T2" else None))
    return rows


def _heading_before(kind: str, row_id: str, number: str | None, block: str | None,
                    previous: str | None) -> str:
    """The group heading a template row starts, if any (T2 article items, T3 result blocks)."""
    if kind == "T2" and number is not None and number != previous:
        return _T2_GROUPS.get(number, "")
    if kind == "T3":
        if row_id == "granted":
            return _T3_RESULTS_HEADER
        if block is not None and block != previous:
            return block
    return ""


def _squash(text: str) -> str:
    return "".join(text.split()).replace("(", "（").replace(")", "）")


def _header(kind: str, columns: list[tuple[str, str]]) -> list[list[HeaderCell]]:
    """One header row, or for T3 two: 法人或其他组织 spans its five columns as on the form."""
    legal = [label for col, label in columns if col in T3_APPLICANT_COLUMNS and col != "natural"]
    if kind != "T3" or len(legal) != len(T3_APPLICANT_COLUMNS) - 1:
        return [[HeaderCell("项目"), *(HeaderCell(label) for _, label in columns)]]
    labels = dict(columns)
    top = [
        HeaderCell("项目", rowspan=2),
        HeaderCell(labels["natural"], rowspan=2),
        HeaderCell("法人或其他组织", colspan=len(legal)),
        HeaderCell(labels["total"], rowspan=2),
    ]
    return [top, [HeaderCell(label) for label in legal]]
