"""PDF pages through PDFium: characters, ruling lines and pictures, in pdfplumber's object shapes.

pdfminer interprets a page's content stream in pure Python, which is where almost all the time of a
PDF audit went (about 50 ms a page).  PDFium does the same in C.  This module reads each page's text
characters (with their loose boxes, as pdfminer gives them), the straight horizontal and vertical
segments of its paths (the ruling of tables) and its pictures, and presents them as the dictionaries
pdfplumber's table finder and text-line grouping work on, so the geometry code of
:mod:`auditor.extract.readers.pdf` stays one and the same whichever engine read the page.
"""

from __future__ import annotations

import ctypes
import struct
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any

import pypdfium2 as pdfium
from pdfplumber.container import Container
from pdfplumber.table import (
    Table,
    TableFinder,
    TableSettings,
    cells_to_tables,
)
from pdfplumber.utils.geometry import bbox_getter
from pdfplumber.utils.text import WordMap, chars_to_textmap, extract_words
from pypdfium2 import raw

from auditor.extract.readers._words import word_tuples

_AXIS_SLOPE = 0.01
"""A segment counts as horizontal (vertical) when it leans less than this, in points per point."""
_MAX_FORM_DEPTH = 8
"""Nested form XObjects deeper than this are not followed (hostile files nest them without end)."""
_MAX_OBJECTS = 200_000
"""Page objects read per page at the most; a page with more is left to its characters."""

PDFIUM_LOCK = threading.Lock()
"""Held from opening a document to closing it: PDFium is not thread-safe, and two threads inside it at
once corrupt its heap (seen as "double free or corruption" in a distributed worker with several
threads).  Processes each have their own PDFium and do not share the lock."""

Matrix = tuple[float, float, float, float, float, float]
Box = tuple[float, float, float, float]
_IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


def _bare(function: Any) -> Any:
    """The same PDFium function, called without ctypes converting and checking each argument against
    the declared types: a third of the time of the calls made for every character and path segment.
    Only for calls whose arguments are already right: handles as pypdfium2 returns them (pointers), Python
    ints for C ints, ``ctypes.byref`` for out-parameters; the result type is the declared one."""
    address = ctypes.cast(function, ctypes.c_void_p).value
    if address is None:  # not a loaded function: keep the checked one
        return function
    return ctypes.CFUNCTYPE(function.restype)(address)


_get_unicode, _is_generated = _bare(raw.FPDFText_GetUnicode), _bare(raw.FPDFText_IsGenerated)
_get_box, _font_size = _bare(raw.FPDFText_GetLooseCharBox), _bare(raw.FPDFText_GetFontSize)


class UnsupportedPage(Exception):
    """A page this reader does not lay out like pdfminer (rotated): the caller falls back."""


@dataclass
class PdfiumDocument:
    """An open document: its page count, info title and pages (read one at a time)."""

    pdf: Any
    count: int
    title: str | None

    def pages(self) -> Iterator[FastPage]:
        for index in range(self.count):
            page = self.pdf[index]
            try:
                yield _read_page(page, index + 1)
            finally:
                page.close()

    def close(self) -> None:
        self.pdf.close()


def open_document(data: bytes) -> PdfiumDocument:
    """Open the bytes with PDFium; raises pdfium.PdfiumError for files it cannot read."""
    pdf = pdfium.PdfDocument(data)
    try:
        title = pdf.get_metadata_value("Title") or None
    except Exception:  # noqa: BLE001 - a broken info dictionary only costs the title
        title = None
    return PdfiumDocument(pdf, len(pdf), title)


@dataclass
class FastPage(Container):
    """The part of pdfplumber's Page interface the PDF reader uses, over objects read by PDFium."""

    page_number: int
    width: float
    height: float
    objects_by_kind: Mapping[str, list[dict[str, Any]]] = field(default_factory=dict)

    @property
    def objects(self) -> Mapping[str, list[dict[str, Any]]]:  # type: ignore[override]
        return self.objects_by_kind

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        return (0.0, 0.0, self.width, self.height)

    def find_tables(self, settings: dict[str, Any]) -> list[Any]:
        return _TableFinder(self, settings).tables

    def extract_words(self, **kwargs: Any) -> list[dict[str, Any]]:
        tuples = None if kwargs else word_tuples(self.chars)  # the same words, made faster
        if tuples is None:
            return extract_words(self.chars, **kwargs)
        return [word for word, _ in tuples]

    def extract_text_lines(self, strip: bool = True, return_chars: bool = True) -> list[dict[str, Any]]:
        tuples = word_tuples(self.chars)
        if tuples is None:
            textmap = chars_to_textmap(
                self.chars, layout_bbox=self.bbox, layout_width=self.width, layout_height=self.height
            )
        else:  # what chars_to_textmap does, with the words made faster
            textmap = WordMap(tuples).to_textmap(
                presorted=True, layout_bbox=self.bbox, layout_width=self.width, layout_height=self.height
            )
        return textmap.extract_text_lines(strip=strip, return_chars=return_chars)

    def filter(self, test: Callable[[dict[str, Any]], bool]) -> FastPage:
        return FastPage(self.page_number, self.width, self.height, _Filtered(self.objects_by_kind, test))

    def close(self) -> None:
        """Nothing to release: the PDFium page is closed as soon as its objects are read."""


class _Filtered(Mapping[str, list[dict[str, Any]]]):
    """A page's objects of each kind that pass a test, tested when that kind is first asked for: the
    reader reads only the characters of a page outside its tables, and a page printed by Chromium has
    a thousand ruling edges that need not be tested for that."""

    def __init__(self, source: Mapping[str, list[dict[str, Any]]], test: Callable[[dict[str, Any]], bool]):
        self._source = source
        self._test = test
        self._kept: dict[str, list[dict[str, Any]]] = {}

    def __getitem__(self, kind: str) -> list[dict[str, Any]]:
        kept = self._kept.get(kind)
        if kept is None:
            test = self._test
            kept = self._kept[kind] = [obj for obj in self._source[kind] if test(obj)]
        return kept

    def __iter__(self) -> Iterator[str]:
        return iter(self._source)

    def __len__(self) -> int:
        return len(self._source)


class _TableFinder(TableFinder):
    """pdfplumber's TableFinder with the same result and a faster cell search (see
    :func:`intersections_to_cells`); the edges, intersections and grouping are pdfplumber's own."""

    def __init__(self, page: FastPage, settings: dict[str, Any]) -> None:
        self.page = page  # type: ignore[assignment]  # pdfplumber's Page interface, as far as used
        self.settings = TableSettings.resolve(settings)
        self.edges = self.get_edges()
        self.intersections = edges_to_intersections(
            self.edges, self.settings.intersection_x_tolerance, self.settings.intersection_y_tolerance
        )
        self.cells = intersections_to_cells(self.intersections)
        self.tables = [Table(self.page, group) for group in cells_to_tables(self.cells)]


Point = tuple[float, float]
Intersections = dict[Point, dict[str, list[dict[str, Any]]]]


def edges_to_intersections(
    edges: list[dict[str, Any]], x_tolerance: float = 1, y_tolerance: float = 1
) -> Intersections:
    """pdfplumber's ``table.edges_to_intersections``, the same points with the same edges in the same
    order; pdfplumber sorts the horizontal edges again for every vertical one, here they are sorted once."""
    intersections: Intersections = {}
    v_edges = sorted((e for e in edges if e["orientation"] == "v"), key=itemgetter("x0", "top"))
    h_edges = sorted((e for e in edges if e["orientation"] == "h"), key=itemgetter("top", "x0"))
    for v in v_edges:
        v_x0, v_top, v_bottom = v["x0"], v["top"], v["bottom"]
        for h in h_edges:
            h_top = h["top"]
            if (
                v_top <= h_top + y_tolerance
                and v_bottom >= h_top - y_tolerance
                and v_x0 >= h["x0"] - x_tolerance
                and v_x0 <= h["x1"] + x_tolerance
            ):
                found = intersections.setdefault((v_x0, h_top), {"v": [], "h": []})
                found["v"].append(v)
                found["h"].append(h)
    return intersections


def intersections_to_cells(intersections: Intersections) -> list[Box]:
    """pdfplumber's ``table.intersections_to_cells``, the same cells in the same order, in about linear
    time: each point's edges are turned into sets once (pdfplumber builds them, and evaluates typing
    annotations of nested functions, on every one of its quadratic number of tests), and the points
    below and to the right of a point are looked up by coordinate instead of scanning all later points.

    For each intersection in (x, top) order, the smallest cell is the first point below it (top to
    bottom) joined to it by a vertical edge, with the first point to its right (left to right) joined by
    a horizontal edge, whose bottom-right corner is an intersection joined to both."""
    points = sorted(intersections)
    v_sets = {p: set(map(bbox_getter, intersections[p]["v"])) for p in points}
    h_sets = {p: set(map(bbox_getter, intersections[p]["h"])) for p in points}
    same_x: dict[float, list[Point]] = {}
    same_y: dict[float, list[Point]] = {}
    for p in points:  # sorted by (x, top): each list is in the order pdfplumber scans
        same_x.setdefault(p[0], []).append(p)
        same_y.setdefault(p[1], []).append(p)

    def connects(p1: Point, p2: Point) -> bool:
        if p1[0] == p2[0] and not v_sets[p1].isdisjoint(v_sets[p2]):
            return True
        return p1[1] == p2[1] and not h_sets[p1].isdisjoint(h_sets[p2])

    def smallest_cell(pt: Point) -> Box | None:
        below = [q for q in same_x[pt[0]] if q > pt]
        right = [q for q in same_y[pt[1]] if q > pt]
        for below_pt in below:
            if not connects(pt, below_pt):
                continue
            for right_pt in right:
                if not connects(pt, right_pt):
                    continue
                corner = (right_pt[0], below_pt[1])
                if corner in intersections and connects(corner, right_pt) and connects(corner, below_pt):
                    return (pt[0], pt[1], corner[0], corner[1])
        return None

    return [cell for cell in map(smallest_cell, points) if cell is not None]


def _read_page(page: Any, number: int) -> FastPage:
    if page.get_rotation() % 360:
        raise UnsupportedPage(f"page {number} is rotated")
    left, bottom, right, top = page.get_mediabox()
    width, height = right - left, top - bottom
    chars = _chars(page, left, top)
    edges: list[dict[str, Any]] = []
    images: list[dict[str, Any]] = []
    budget = [_MAX_OBJECTS]
    handle = page.raw
    for i in range(raw.FPDFPage_CountObjects(handle)):
        _visit(_page_object(handle, i), _IDENTITY, 0, (left, top), edges, images, budget)
    return FastPage(number, width, height, {"char": chars, "line": edges, "image": images})


def _chars(page: Any, left: float, top: float) -> list[dict[str, Any]]:
    textpage = page.get_textpage()
    # the ctypes functions and the box's reference looked up once: per character they cost as much as
    # the calls into PDFium themselves
    get_unicode, is_generated, get_box, font_size = _get_unicode, _is_generated, _get_box, _font_size
    try:
        handle = textpage.raw
        count = raw.FPDFText_CountChars(handle)
        rect = raw.FS_RECTF()
        rect_ref = ctypes.byref(rect)
        out: list[dict[str, Any]] = []
        for i in range(count):
            code = get_unicode(handle, i)
            # PDFium generates only spaces and line breaks (CPDF_TextPage::GenerateCharInfo and the
            # gaps inside a text object): asking whether any other character is generated is a call
            # into PDFium per character for nothing (tests/extract checks this against every char)
            if code in (0x0A, 0x0D, 0x02) or (code == 0x20 and is_generated(handle, i) == 1):
                continue
            if not get_box(handle, i, rect_ref):
                continue
            x0, x1 = rect.left - left, rect.right - left
            y_top, y_bottom = top - rect.top, top - rect.bottom
            if x1 < x0:
                x0, x1 = x1, x0
            if y_bottom < y_top:
                y_top, y_bottom = y_bottom, y_top
            size = font_size(handle, i)
            # most characters are below the surrogates: their text is the character itself
            text = chr(code) if 0 < code < 0xD800 else _text_of(code)
            out.append(
                {
                    "object_type": "char",
                    "text": text,
                    "x0": x0,
                    "x1": x1,
                    "top": y_top,
                    "bottom": y_bottom,
                    "doctop": y_top,
                    "y0": top - y_bottom,
                    "y1": top - y_top,
                    "width": x1 - x0,
                    "height": y_bottom - y_top,
                    "size": size,
                    "upright": True,
                }
            )
        return out
    finally:
        textpage.close()


def _text_of(code: int) -> str:
    """A character's text; codes PDFium could not map to Unicode read as pdfminer writes them."""
    if code == 0 or code == 0xFFFD or 0xE000 <= code <= 0xF8FF or 0xD800 <= code <= 0xDFFF:
        return f"(cid:{code})"
    return chr(code)


def _visit(
    obj: Any,
    parent: Matrix,
    depth: int,
    origin: tuple[float, float],
    edges: list[dict[str, Any]],
    images: list[dict[str, Any]],
    budget: list[int],
) -> None:
    budget[0] -= 1
    if budget[0] < 0:
        return
    kind = _object_type(obj)
    if kind == _PATH:
        _path_edges(obj, _compose(_matrix(obj), parent), origin, edges)
    elif kind == raw.FPDF_PAGEOBJ_IMAGE:
        box = _bounds(obj, parent, origin)
        if box is not None:
            images.append(box)
    elif kind == raw.FPDF_PAGEOBJ_FORM and depth < _MAX_FORM_DEPTH:
        matrix = _compose(_matrix(obj), parent)
        for i in range(raw.FPDFFormObj_CountObjects(obj)):
            _visit(raw.FPDFFormObj_GetObject(obj, i), matrix, depth + 1, origin, edges, images, budget)


_object_type, _PATH = _bare(raw.FPDFPageObj_GetType), raw.FPDF_PAGEOBJ_PATH
_page_object, _object_matrix = _bare(raw.FPDFPage_GetObject), _bare(raw.FPDFPageObj_GetMatrix)
_MATRIX_FIELDS = struct.Struct("6f")
"""FS_MATRIX's six floats a to f, read in one go (a path's matrix is read for each of thousands)."""


def _matrix(obj: Any) -> Matrix:
    m = raw.FS_MATRIX()
    if not _object_matrix(obj, ctypes.byref(m)):
        return _IDENTITY
    a, b, c, d, e, f = _MATRIX_FIELDS.unpack(m)
    return (a, b, c, d, e, f)


def _compose(inner: Matrix, outer: Matrix) -> Matrix:
    """The matrix applying ``inner`` first, then ``outer`` (PDF row-vector convention)."""
    a, b, c, d, e, f = inner
    A, B, C, D, E, F = outer
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F)


def _apply(m: Matrix, x: float, y: float) -> tuple[float, float]:
    return (m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5])


def _path_edges(obj: Any, matrix: Matrix, origin: tuple[float, float], edges: list[dict[str, Any]]) -> None:
    """Straight horizontal and vertical pieces of a path, each as a pdfplumber edge.

    Chromium draws every cell border as a path of its own (thousands a page): the ctypes functions,
    the point's references and the matrix are looked up once per path, and the point is transformed
    inline (the same arithmetic as :func:`_apply`)."""
    count = _count_segments(obj)
    if count <= 1:
        return
    x, y = ctypes.c_float(), ctypes.c_float()
    x_ref, y_ref = ctypes.byref(x), ctypes.byref(y)
    get_segment, get_point, get_type, get_close = _get_segment, _get_point, _segment_type, _segment_close
    m0, m1, m2, m3, m4, m5 = matrix
    start: tuple[float, float] | None = None
    previous: tuple[float, float] | None = None
    for i in range(count):
        segment = get_segment(obj, i)
        if not get_point(segment, x_ref, y_ref):
            continue
        px, py = x.value, y.value
        point = (m0 * px + m2 * py + m4, m1 * px + m3 * py + m5)
        kind = get_type(segment)
        if kind == _MOVETO or previous is None:
            start = point
        elif kind == _LINETO:
            _add_edge(previous, point, origin, edges)
        if get_close(segment) and start is not None:
            _add_edge(point, start, origin, edges)
        previous = point


_count_segments, _get_segment = _bare(raw.FPDFPath_CountSegments), _bare(raw.FPDFPath_GetPathSegment)
_get_point, _segment_type = _bare(raw.FPDFPathSegment_GetPoint), _bare(raw.FPDFPathSegment_GetType)
_segment_close = _bare(raw.FPDFPathSegment_GetClose)
_MOVETO, _LINETO = raw.FPDF_SEGMENT_MOVETO, raw.FPDF_SEGMENT_LINETO


def _add_edge(
    p: tuple[float, float], q: tuple[float, float], origin: tuple[float, float], edges: list[dict[str, Any]]
) -> None:
    left, top = origin
    # min/max by comparison: what sorted() of the two gives, without building a list for every edge
    x0, x1 = p[0] - left, q[0] - left
    if x1 < x0:
        x0, x1 = x1, x0
    t, b = top - p[1], top - q[1]
    if b < t:
        t, b = b, t
    dx, dy = x1 - x0, b - t
    if dx == 0 and dy == 0:
        return
    if dy <= _AXIS_SLOPE * dx:
        orientation, t = "h", (t + b) / 2
        b = t
    elif dx <= _AXIS_SLOPE * dy:
        orientation, x0 = "v", (x0 + x1) / 2
        x1 = x0
    else:
        return
    edges.append(
        {
            "object_type": "line",
            "orientation": orientation,
            "x0": x0,
            "x1": x1,
            "top": t,
            "bottom": b,
            "doctop": t,
            "width": x1 - x0,
            "height": b - t,
        }
    )


def _bounds(obj: Any, parent: Matrix, origin: tuple[float, float]) -> dict[str, Any] | None:
    """An object's box on the page (its bounds are in its parent's space for objects inside forms)."""
    l_, b_, r_, t_ = ctypes.c_float(), ctypes.c_float(), ctypes.c_float(), ctypes.c_float()
    if not raw.FPDFPageObj_GetBounds(
        obj, ctypes.byref(l_), ctypes.byref(b_), ctypes.byref(r_), ctypes.byref(t_)
    ):
        return None
    corners = [_apply(parent, x, y) for x in (l_.value, r_.value) for y in (b_.value, t_.value)]
    left, top = origin
    xs = [c[0] - left for c in corners]
    ys = [top - c[1] for c in corners]
    return {"object_type": "image", "x0": min(xs), "x1": max(xs), "top": min(ys), "bottom": max(ys)}
