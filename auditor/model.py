"""The typed document model every stage after extraction reads.

A report goes in as bytes and comes out as one :class:`Document`: title, body, year, publication date,
the six sections with their headings as written, and the tables T2/T3/T4 as canonical grids keyed by
template row and column ids (see :mod:`auditor.templates`), each cell keeping its raw text beside the
parsed value.  Extraction problems that make a check impossible (an unreadable table, an image-only
table, an unreadable file) are recorded as :class:`ExtractionIssue` so that rules can say "cannot be
evaluated" instead of passing silently.
"""

from __future__ import annotations

import operator
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
from datetime import date
from decimal import Decimal
from typing import Any, Literal, cast

SECTION_KEYS: tuple[str, ...] = ("一", "二", "三", "四", "五", "六")

CellKind = Literal["number", "blank", "placeholder", "text"]
"""number: parsed to a value; blank: empty; placeholder: "/", "-", "—", "无" (0 for arithmetic);
text: non-numeric content where a number belongs (VAL-001) — with a value when the text is a number
written otherwise ("十二", "12件", "１２"), see :attr:`Cell.reading`."""

TableKind = Literal["T2", "T3", "T4"]
TemplateVersion = Literal["2021", "2019", "unknown"]


@dataclass(slots=True)
class Cell:
    """One table cell: the raw text as written and the value parsed from it."""

    raw: str
    kind: CellKind
    value: Decimal | None = None
    unit: str | None = None
    """A unit written inside the cell ("元", "万元", "件"), if any."""
    recovered: str | None = None
    """How the value was obtained when the cell boundaries were lost ("split", "position")."""
    reading: str | None = None
    """For a text cell that is a number written otherwise: how its value was read, in Chinese
    ("中文数字", "全角数字", "数字带单位"), so VAL-001 can say which value the arithmetic used."""

    @property
    def number(self) -> Decimal:
        """The value for arithmetic: blanks and placeholders count as 0; text counts as the number it
        writes otherwise (``reading``), else 0 too (flagged elsewhere)."""
        return self.value if self.value is not None else Decimal(0)

    def __reduce__(self) -> tuple[Any, ...]:
        return Cell, _CELL_VALUES(self)


@dataclass(slots=True)
class Table:
    """A table of the report as a canonical grid.

    ``cells`` is keyed by (row id, column id) from :mod:`auditor.templates`; a key that is absent means
    the cell was not found.  ``readable`` is False when the structure could not be read well enough to
    verify the arithmetic (FMT-005); ``problems`` says why, in Chinese, for the finding.
    """

    kind: TableKind
    template: TemplateVersion
    section: str | None = None
    cells: dict[tuple[str, str], Cell] = field(default_factory=dict)
    row_labels: dict[str, str] = field(default_factory=dict)
    """Row id -> the label as written in the document."""
    col_labels: dict[str, str] = field(default_factory=dict)
    """Column id -> the header as written in the document."""
    readable: bool = True
    problems: list[str] = field(default_factory=list)
    image_only: bool = False
    extra_rows: list[str] = field(default_factory=list)
    """Labels of rows the template does not have (subtotals and the like), recognised and not counted."""
    extra_columns: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    """How the grid was recovered (positions, digit splits), for the reader of `inspect`."""

    def cell(self, row: str, col: str) -> Cell | None:
        return self.cells.get((row, col))

    def __reduce__(self) -> tuple[Any, ...]:
        return _table_from_pickle, _table_to_pickle(self)

    def value(self, row: str, col: str) -> Decimal:
        """The cell's value for arithmetic (0 where absent, blank or a placeholder)."""
        c = self.cells.get((row, col))
        return c.number if c is not None else Decimal(0)

    @property
    def row_ids(self) -> list[str]:
        seen: dict[str, None] = {}
        for r, _ in self.cells:
            seen.setdefault(r, None)
        return list(seen)


@dataclass(slots=True)
class Section:
    """One of the six template sections as found in the document."""

    key: str
    """一 … 六, the template section this heading was matched to."""
    heading: str
    """The heading as written (numbering included)."""
    text: str
    """The narrative text of the section, tables excluded."""
    order: int
    """Position of the heading among the document's blocks."""
    similarity: float = 1.0
    """How close the heading's wording is to the template's (1.0 = identical after normalisation)."""
    numbering_ok: bool = True
    """Whether the numbering ("一、") is the template's."""

    def __reduce__(self) -> tuple[Any, ...]:
        return Section, _SECTION_VALUES(self)


@dataclass(slots=True)
class ExtractionIssue:
    """Something extraction knows that a rule must hear about (FMT-005, FMT-007, an unreadable file)."""

    code: str
    """Catalogue id: FMT-005, FMT-007, or READ-001 for a document that cannot be read at all."""
    message: str
    table: str | None = None
    section: str | None = None
    evidence: str = ""

    def __reduce__(self) -> tuple[Any, ...]:
        return ExtractionIssue, _ISSUE_VALUES(self)


@dataclass(slots=True)
class Document:
    """One report: what every rule reads."""

    source: str
    sha256: str
    format: str
    """txt, md, html, docx, pdf, doc, wps."""
    encoding: str | None = None
    title: str | None = None
    agency: str | None = None
    year: int | None = None
    published: date | None = None
    published_source: str | None = None
    """Where the publication date came from ("发布时间", "meta", "落款", "crawl")."""
    body: str = ""
    sections: list[Section] = field(default_factory=list)
    extra_headings: list[str] = field(default_factory=list)
    """Numbered headings that look like template sections but were not taken as one (duplicates,
    out of order), for SEC-002."""
    tables: list[Table] = field(default_factory=list)
    stats_period: tuple[date, date] | None = None
    stats_period_text: str | None = None
    level: str | None = None
    """government, department or township, when known (title or --level)."""
    issues: list[ExtractionIssue] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)

    # -- convenience accessors for rules ---------------------------------------------------------

    def section(self, key: str) -> Section | None:
        for s in self.sections:
            if s.key == key:
                return s
        return None

    def tables_of(self, kind: str) -> list[Table]:
        return [t for t in self.tables if t.kind == kind]

    def table(self, kind: str) -> Table | None:
        """The table of that kind to check: the one in the year's format when both formats appear."""
        found = self.tables_of(kind)
        if not found:
            return None
        if len(found) > 1 and self.year is not None:
            want = "2021" if self.year >= 2021 else "2019"
            for t in found:
                if t.template == want:
                    return t
        return found[0]

    @property
    def template(self) -> str:
        """Overall template version: 2021, 2019, mixed or unknown."""
        versions = {t.template for t in self.tables if t.template != "unknown" and not t.image_only}
        if not versions:
            return "unknown"
        if len(versions) > 1:
            return "mixed"
        return versions.pop()

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready rendering (used by `inspect --json`)."""
        return document_to_dict(self)

    def __reduce__(self) -> tuple[Any, ...]:
        return Document, _DOCUMENT_VALUES(self)


# -- pickling -----------------------------------------------------------------------------------------
#
# Every document is pickled once into the audit's spool and read back once (nianbao/audit_run.py).
# Pickle's default for these classes goes through their __getstate__/__setstate__ (field names,
# one setattr at a time); these reducers give the class and its field values, and a table gives its
# cells flat: a cell whose whole content is its number (two hundred a report, nearly all) as its raw
# text alone, a table's such texts as one string, the cell read back from the text (one shared Cell a
# text, as extraction's).  A table thus pickles in half the time, and a report in three fifths of the
# bytes; it reads back in a fifth of the time it took to make its cells one by one.


def _values(cls: type) -> Any:
    """The field values of a ``cls``, in the order its constructor takes them positionally."""
    if not all(f.init for f in fields(cls)):
        raise TypeError(f"{cls.__name__}: a field its constructor does not take; pickle it otherwise")
    return operator.attrgetter(*(f.name for f in fields(cls)))


_CELL_VALUES = _values(Cell)
_SECTION_VALUES = _values(Section)
_ISSUE_VALUES = _values(ExtractionIssue)
_DOCUMENT_VALUES = _values(Document)
_TABLE_FIELDS = [f.name for f in fields(Table)]
_TABLE_HEAD = operator.attrgetter(*_TABLE_FIELDS[: _TABLE_FIELDS.index("cells")])
_TABLE_TAIL = operator.attrgetter(*_TABLE_FIELDS[_TABLE_FIELDS.index("cells") + 1 :])


def _template_keys(kind: str, template: str) -> tuple[tuple[str, str], ...] | None:
    """The cells of the template's table of ``kind`` in ``template``'s version, in its order (what a
    whole table read from a report has, in that order), or None."""
    try:
        return _TEMPLATE_KEYS[kind, template]
    except KeyError:
        from auditor.templates import SPECS  # imported here: the model stands below the templates

        spec = SPECS.get((kind, template))
        keys = _TEMPLATE_KEYS[kind, template] = tuple(spec.required_cells()) if spec is not None else None
        return keys


_TEMPLATE_KEYS: dict[tuple[str, str], tuple[tuple[str, str], ...] | None] = {}
if _TABLE_FIELDS[:2] != ["kind", "template"]:
    raise TypeError("Table: kind and template must come first; _table_from_pickle reads them there")


def _table_to_pickle(table: Table) -> tuple[Any, ...]:
    """The table as :func:`_table_from_pickle` takes it: the fields before ``cells``, the cells' keys
    (None when they are the template's, in its order: every whole table, read back from the
    templates rather than pickled as two hundred pairs), one raw text per cell ("0" for the others)
    joined by commas into one string, the other cells' field values by position, and the fields
    after ``cells``."""
    keys: tuple[tuple[str, str], ...] | None = tuple(table.cells)
    if keys == _template_keys(table.kind, table.template):
        keys = None
    cells = list(table.cells.values())
    raws = list(map(_RAW, cells))
    # nearly every cell is a bare number already found to be one (the extraction's shared cells
    # repeat across tables and reports): the whole table asked in C, by three map()s
    if all(map(operator.is_, map(_PLAIN.get, raws), cells)):
        return _TABLE_HEAD(table), keys, ",".join(raws), [], _TABLE_TAIL(table)
    others: list[tuple[int, tuple[Any, ...]]] = []
    if len(_PLAIN) > _PLAIN_LIMIT:
        _PLAIN.clear()  # a run over many reports stays flat
    for i, cell in enumerate(cells):
        raw = raws[i]
        if _PLAIN.get(raw) is cell:
            continue
        value = cell.value
        # exactly Cell(raw, "number", Decimal(raw)): str() of a Decimal gives it back, digits and
        # exponent alike (one test per field, inline: this runs for every cell of every report).
        # Such a raw text is digits, sign, point, exponent or a special value's name: never a comma.
        if (
            value.__class__ is Decimal
            and raw.__class__ is str
            and cell.kind == "number"
            and cell.unit is None
            and cell.recovered is None
            and cell.reading is None
            and str(value) == raw
        ):
            _PLAIN[raw] = cell  # the latest: the extraction's shared cell of a text is made anew
            # once its cache let it go, and the one remembered must be that one to be met again
        else:
            raws[i] = "0"
            others.append((i, _CELL_VALUES(cell)))
    # one string rather than a list: pickle writes and reads it as one object, not two hundred
    return _TABLE_HEAD(table), keys, ",".join(raws), others, _TABLE_TAIL(table)


_RAW = operator.attrgetter("raw")
_PLAIN: dict[str, Cell] = {}
"""raw text -> the cell last found to be exactly Cell(raw, "number", Decimal(raw)) by
:func:`_table_to_pickle`: the same object met again is one without asking (a table's cells are not
changed once it is pickled: the spool's copy is its final form; the extraction's shared cells never
are)."""
_PLAIN_LIMIT = 8192


def _table_from_pickle(
    head: tuple[Any, ...],
    keys: tuple[tuple[str, str], ...] | None,
    numbers: str,
    others: list[tuple[int, tuple[Any, ...]]],
    tail: tuple[Any, ...],
) -> Table:
    """The inverse of :func:`_table_to_pickle`, cells in their order."""
    if keys is None:
        keys = cast(tuple[tuple[str, str], ...], _template_keys(head[0], head[1]))  # kind, template
    raws = numbers.split(",") if numbers else []  # no cell at all: "" (a raw text is never empty)
    cells = dict(zip(keys, map(_NUMBER_CELLS.__getitem__, raws), strict=True))
    for i, values in others:
        cells[keys[i]] = Cell(*values)
    table: Any = Table  # positionally: its fields in order
    return cast(Table, table(*head, cells, *tail))


class _NumberCells(dict[str, Cell]):
    """raw text -> Cell(raw, "number", Decimal(raw)), made at the first asking and shared by every
    table read back in this process afterwards, as extraction shares its cells (extract.cells.
    shared_cell): a read-back cell is never changed, and the numbers of reports repeat ("0", "1" …),
    so a table is read back without making a Cell or a Decimal for most of its cells."""

    limit = 8192
    """Distinct texts kept; past it the cache starts again (a run over many reports stays flat)."""

    def __missing__(self, raw: str) -> Cell:
        if len(self) >= self.limit:
            self.clear()
        cell = self[raw] = Cell(raw, "number", Decimal(raw))
        return cell


_NUMBER_CELLS = _NumberCells()


MAX_JSON_DIGITS = 4000
"""Integers with more digits are written as strings: Python refuses to turn an int of more than
4,300 digits into text, and no real table cell comes near this."""


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        if not value.is_finite():
            return str(value)
        if value.adjusted() >= MAX_JSON_DIGITS or value.adjusted() <= -MAX_JSON_DIGITS:
            return f"{value:E}"
        if value == value.to_integral_value():
            return int(value)
        return float(value) if abs(value.adjusted()) < 300 else f"{value:E}"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


def table_to_dict(t: Table) -> dict[str, Any]:
    grid: dict[str, dict[str, Any]] = {}
    for (r, c), cell in t.cells.items():
        grid.setdefault(r, {})[c] = {
            "raw": cell.raw,
            "kind": cell.kind,
            "value": _jsonable(cell.value),
            **({"unit": cell.unit} if cell.unit else {}),
            **({"recovered": cell.recovered} if cell.recovered else {}),
            **({"reading": cell.reading} if cell.reading else {}),
        }
    return {
        "kind": t.kind,
        "template": t.template,
        "section": t.section,
        "readable": t.readable,
        "image_only": t.image_only,
        "problems": list(t.problems),
        "row_labels": dict(t.row_labels),
        "col_labels": dict(t.col_labels),
        "extra_rows": list(t.extra_rows),
        "extra_columns": list(t.extra_columns),
        "notes": list(t.notes),
        "cells": grid,
    }


def document_to_dict(doc: Document) -> dict[str, Any]:
    return {
        "source": doc.source,
        "sha256": doc.sha256,
        "format": doc.format,
        "encoding": doc.encoding,
        "title": doc.title,
        "agency": doc.agency,
        "year": doc.year,
        "published": _jsonable(doc.published),
        "published_source": doc.published_source,
        "level": doc.level,
        "template": doc.template,
        "stats_period": _jsonable(doc.stats_period),
        "stats_period_text": doc.stats_period_text,
        "sections": [_jsonable(asdict(s)) for s in doc.sections],
        "extra_headings": list(doc.extra_headings),
        "tables": [table_to_dict(t) for t in doc.tables],
        "issues": [asdict(i) for i in doc.issues],
        "body_chars": len(doc.body),
    }


def _known(cls: type, data: Mapping[str, Any]) -> dict[str, Any]:
    """The keys of ``data`` that are fields of ``cls`` (a newer model may carry more)."""
    names = {f.name for f in fields(cls)}
    return {k: v for k, v in data.items() if k in names}


def _date(value: Any) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) and value else None


def _cell(data: Mapping[str, Any]) -> Cell:
    value = data.get("value")
    return Cell(
        raw=str(data.get("raw", "")),
        kind=data.get("kind", "text"),
        value=Decimal(str(value)) if value is not None else None,
        unit=data.get("unit"),
        recovered=data.get("recovered"),
        reading=data.get("reading"),
    )


def _table(data: Mapping[str, Any]) -> Table:
    return Table(
        kind=data["kind"],
        template=data.get("template", "unknown"),
        section=data.get("section"),
        cells={
            (row, col): _cell(cell)
            for row, cols in (data.get("cells") or {}).items()
            for col, cell in cols.items()
        },
        row_labels=dict(data.get("row_labels") or {}),
        col_labels=dict(data.get("col_labels") or {}),
        readable=bool(data.get("readable", True)),
        problems=list(data.get("problems") or []),
        image_only=bool(data.get("image_only", False)),
        extra_rows=list(data.get("extra_rows") or []),
        extra_columns=list(data.get("extra_columns") or []),
        notes=list(data.get("notes") or []),
    )


def document_from_dict(model: Mapping[str, Any]) -> Document:
    """The inverse of :meth:`Document.to_dict` (the body text is not part of the dict, only its length)."""
    period = model.get("stats_period")
    start, end = (_date(p) for p in period) if period else (None, None)
    return Document(
        source=model.get("source", ""),
        sha256=model.get("sha256", ""),
        format=model.get("format", ""),
        encoding=model.get("encoding"),
        title=model.get("title"),
        agency=model.get("agency"),
        year=model.get("year"),
        published=_date(model.get("published")),
        published_source=model.get("published_source"),
        sections=[Section(**_known(Section, s)) for s in model.get("sections") or []],
        extra_headings=list(model.get("extra_headings") or []),
        tables=[_table(t) for t in model.get("tables") or []],
        stats_period=(start, end) if start and end else None,
        stats_period_text=model.get("stats_period_text"),
        level=model.get("level"),
        issues=[ExtractionIssue(**_known(ExtractionIssue, i)) for i in model.get("issues") or []],
    )
