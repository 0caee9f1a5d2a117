"""PDF reader: the text layer, page by page, as para and row blocks in top-to-bottom order.

Tables are found from the page geometry (ruling lines; the text strategy only on pages without any
lines, and only when the result looks like a table of figures).  Text outside tables is grouped into
lines, page numbers are dropped, and lines wrapped by the layout are joined back into paragraphs, so a
sentence such as "全年共收到政府信息公开申请51件" is not cut in two.  A table that runs on from one page
to the next keeps its ``table`` index.  Pictures become image blocks; a scan without a text layer is
all image blocks.
"""

from __future__ import annotations

import re
import time
import zlib
from bisect import bisect_left
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from io import BytesIO
from itertools import pairwise
from typing import Any

from auditor.extract.ir import Block, RawDocument, ReadError
from auditor.extract.readers._grid import clean_line
from auditor.extract.readers._words import plain_text

MAX_PAGES = 200
MAX_STREAM_BYTES = 100 * 1024 * 1024
"""A content stream (anything but a picture) inflating to more than this is a decompression bomb."""
MAX_INFLATED_BYTES = 300 * 1024 * 1024
"""All content streams together, inflated: more than any annual report's text layer needs."""
TIME_BUDGET = 60.0
"""Seconds of parsing per document before it is given up."""

_LINES = {"vertical_strategy": "lines", "horizontal_strategy": "lines"}
_TEXT = {"vertical_strategy": "text", "horizontal_strategy": "text"}
_NUMBER = re.compile(r"^-?\d[\d,]*(\.\d+)?$")
_PAGE_NUMBER = re.compile(r"^(?:[-—–\s]*\d{1,4}[-—–\s]*|第\s*\d+\s*页.*|\d+\s*/\s*\d+)$")
_MIN_IMAGE = (72.0, 36.0)
"""Pictures smaller than this (points) on a page with text are logos or bullets, not content."""


@dataclass(slots=True)
class _Line:
    page: int
    top: float
    bottom: float
    x0: float
    x1: float
    text: str


Box = tuple[float, float, float, float]


@dataclass(slots=True)
class _Table:
    """One table's part on one page: its real cells and the row and column boundaries they define."""

    page: int
    top: float
    bbox: Box
    cells: list[tuple[Box, str]]
    row_edges: list[float]
    col_edges: list[float]


@dataclass(slots=True)
class _Pos:
    """One grid position: the text of the cell covering it, whether that cell started in an earlier
    column or row (``cont``) or in an earlier row (``vertical``), and which cell it is."""

    text: str
    cont: bool
    vertical: bool
    cell: int | None


@dataclass(slots=True)
class _Image:
    page: int
    top: float
    text: str


_Item = _Line | _Table | _Image


@dataclass(slots=True)
class _Pages:
    """What the pages gave, in reading order, before paragraphs are joined and tables numbered."""

    items: list[_Item] = field(default_factory=list)
    chars: int = 0
    cid_chars: int = 0


def read_pdf(
    data: bytes, *, max_pages: int = MAX_PAGES, time_budget: float = TIME_BUDGET, engine: str = "pdfium"
) -> RawDocument:
    """Blocks of a PDF's text layer, with the document info's title in meta.

    ``engine`` "pdfium" reads the pages through PDFium (fast; rotated pages fall back to pdfminer),
    "pdfminer" through pdfplumber alone; both feed the same geometry.  Raises ReadError for encrypted,
    corrupt or truncated files, more than ``max_pages`` pages, a text layer that cannot be decoded, or
    parsing that takes longer than ``time_budget`` seconds.
    """
    _check_envelope(data)
    deadline = time.monotonic() + time_budget
    read = None
    if engine == "pdfium":
        read = _read_with_pdfium(data, max_pages, deadline)
    if read is None:
        read = _read_with_pdfminer(data, max_pages, deadline)
    pages, count, title = read
    if pages.chars and pages.cid_chars > 0.3 * pages.chars:
        raise ReadError("PDF 文字层无法解码（字体缺少 Unicode 映射），请提供其他格式")
    meta: dict[str, Any] = {"published": [], "pages": count}
    if title:
        meta["title"] = title
    return RawDocument(blocks=_blocks(pages.items), format="pdf", meta=meta)


def _read_with_pdfium(data: bytes, max_pages: int, deadline: float) -> tuple[_Pages, int, str | None] | None:
    """Pages read by PDFium, or None when a page needs pdfminer's layout (a rotated page)."""
    import pypdfium2 as pdfium

    from auditor.extract.readers.pdfium_pages import PDFIUM_LOCK, UnsupportedPage, open_document

    with PDFIUM_LOCK:  # PDFium is not thread-safe: a threaded worker reads one PDF at a time
        try:
            doc = open_document(data)
        except pdfium.PdfiumError as exc:
            raise ReadError(_pdfium_reason(exc)) from None
        try:
            if doc.count > max_pages:
                raise ReadError(f"PDF 页数过多（{doc.count} 页，上限 {max_pages} 页）")
            return _read_pages(doc.pages(), deadline), doc.count, _info_title({"Title": doc.title})
        except UnsupportedPage:
            return None
        except ReadError:
            raise
        except Exception as exc:  # noqa: BLE001 - a page PDFium cannot lay out is one reason, not a crash
            raise ReadError(_failure_reason(exc)) from None
        finally:
            doc.close()


def _pdfium_reason(exc: BaseException) -> str:
    text = str(exc)
    if "password" in text.lower() or "security" in text.lower():
        return "PDF 已加密，需要密码才能读取"
    return "PDF 文件损坏，无法解析（" + (text.split(":")[-1].strip() or type(exc).__name__) + "）"


def _read_with_pdfminer(data: bytes, max_pages: int, deadline: float) -> tuple[_Pages, int, str | None]:
    try:
        import pdfplumber

        with pdfplumber.open(BytesIO(data)) as pdf:
            count = len(pdf.pages)
            if count > max_pages:
                raise ReadError(f"PDF 页数过多（{count} 页，上限 {max_pages} 页）")
            return _read_pages(pdf.pages, deadline), count, _info_title(pdf.metadata)
    except ReadError:
        raise
    except Exception as exc:  # noqa: BLE001 - pdfminer raises many kinds on malformed input
        raise ReadError(_failure_reason(exc)) from None


def _check_envelope(data: bytes) -> None:
    if not data.strip():
        raise ReadError("文件为空")
    if b"%PDF-" not in data[:1024]:
        raise ReadError("不是 PDF 文件（缺少 %PDF 文件头）")
    if b"%%EOF" not in data[-2048:]:
        raise ReadError("PDF 文件不完整（缺少结尾标记 %%EOF），可能下载中断")
    _check_inflated_size(data)


_STREAM = re.compile(rb"stream\r?\n")
_IMAGE_DICT = re.compile(rb"/Subtype\s*/Image")


def _check_inflated_size(data: bytes) -> None:
    """Refuse decompression bombs before a PDF engine inflates them into memory.

    Every Flate stream but pictures (which the text layer never decodes) is inflated once, in bounded
    steps and without keeping the output, counting its size: a few milliseconds for a real report.
    """
    view = memoryview(data)
    total = 0
    for match in _STREAM.finditer(data):
        start = match.end()
        if _IMAGE_DICT.search(data, max(0, match.start() - 512), match.start()):
            continue
        size = _inflated_size(view[start:], MAX_STREAM_BYTES + 1)
        total += size
        if size > MAX_STREAM_BYTES or total > MAX_INFLATED_BYTES:
            raise ReadError("PDF 含有解压后异常庞大的数据流（疑似压缩炸弹），拒绝处理")


def _inflated_size(stream: memoryview, cap: int) -> int:
    """Bytes the Flate data at the start of ``stream`` inflates to, counting stops past ``cap``;
    0 when it is not Flate data."""
    inflater = zlib.decompressobj()
    size = 0
    pending: memoryview | bytes = stream
    try:
        while pending and size <= cap:
            size += len(inflater.decompress(pending, 1 << 20))
            if inflater.eof:
                break
            pending = inflater.unconsumed_tail
    except zlib.error:
        pass
    return size


def _failure_reason(exc: BaseException) -> str:
    chain: list[BaseException] = [exc]
    for e in (exc.__cause__, exc.__context__, *(a for a in exc.args if isinstance(a, BaseException))):
        if isinstance(e, BaseException):
            chain.append(e)
    names = " ".join(type(e).__name__ for e in chain)
    if "Password" in names or "Encrypt" in names:
        return "PDF 已加密，需要密码才能读取"
    return f"PDF 文件损坏，无法解析（{type(chain[-1]).__name__}）"


def _info_title(info: dict[str, Any]) -> str | None:
    title = info.get("Title")
    if isinstance(title, bytes):
        title = title.decode("utf-16" if title.startswith(b"\xfe\xff") else "latin-1", errors="replace")
    if not isinstance(title, str):
        return None
    return clean_line(title) or None


# ------------------------------------------------------------------------------------------ pages


def _read_pages(pages: Iterable[Any], deadline: float) -> _Pages:
    out = _Pages()
    for number, page in enumerate(pages, start=1):
        if time.monotonic() > deadline:
            raise ReadError("PDF 解析超时，文件可能过于复杂")
        _read_page(page, number, out)
        page.close()
    return out


def _read_page(page: Any, number: int, out: _Pages) -> None:
    tables = _find_tables(page)
    boxes = [t.bbox for t in tables]
    text_page = page.filter(_outside(boxes))
    items: list[_Item] = [_table_part(t, number) for t in tables]
    for line in text_page.extract_text_lines(strip=True, return_chars=False):
        text = clean_line(line["text"])
        if text and not _is_page_number(text, line["top"], page.height):
            items.append(_Line(number, line["top"], line["bottom"], line["x0"], line["x1"], text))
    items.extend(_images(page, number))
    out.items.extend(sorted(items, key=lambda item: item.top))
    out.chars += len(page.chars)
    out.cid_chars += sum(1 for c in page.chars if c.get("text", "").startswith("(cid:"))


def _outside(boxes: list[Box]) -> Callable[[dict[str, Any]], bool]:
    """The test keeping every object but the characters whose midpoint is inside a table's box (edges
    included); inlined, as it runs for every object of every page."""

    def keep(obj: dict[str, Any]) -> bool:
        if obj.get("object_type") != "char":
            return True
        cx, cy = (obj["x0"] + obj["x1"]) / 2, (obj["top"] + obj["bottom"]) / 2
        for x0, top, x1, bottom in boxes:  # noqa: SIM110 - a loop, not all() over a generator: faster
            if x0 <= cx <= x1 and top <= cy <= bottom:
                return False
        return True

    return keep


def _is_page_number(text: str, top: float, height: float) -> bool:
    return (top < 0.08 * height or top > 0.9 * height) and bool(_PAGE_NUMBER.match(text))


def _images(page: Any, number: int) -> list[_Image]:
    has_text = bool(page.chars)
    found = []
    for image in page.images:
        width, height = image["x1"] - image["x0"], image["bottom"] - image["top"]
        if has_text and (width < _MIN_IMAGE[0] or height < _MIN_IMAGE[1]):
            continue
        found.append(_Image(number, image["top"], f"第{number}页图片"))
    return found


# ------------------------------------------------------------------------------------------ tables

_TOLERANCE = 1.5
"""Points within which two edges are the same edge."""


def _find_tables(page: Any) -> list[Any]:
    """Ruled tables of two columns or more; on a page without any ruling, text-aligned tables of figures.

    A ruled table of one row counts: it is what a page break leaves of a table's first row.
    """
    ruled = [t for t in page.find_tables(_LINES) if len(t.columns) >= 2]
    if ruled or page.edges:
        return ruled
    return [t for t in page.find_tables(_TEXT) if _looks_like_figures(t)]


def _looks_like_figures(table: Any) -> bool:
    texts = _extract(table, table.rows, table.bbox, page_order=True)  # pdfplumber's table.extract()
    rows = [row for row in texts if any((c or "").strip() for c in row)]
    if len(rows) < 3 or len(table.columns) < 3:
        return False
    numeric = sum(1 for row in rows if any(_NUMBER.match((c or "").strip()) for c in row))
    return numeric >= len(rows) / 2


def _table_part(table: Any, page: int) -> _Table:
    # pdfplumber computes a table's rows and box anew on every access: once here
    rows_of_cells, bbox = table.rows, table.bbox
    texts = _extract(table, rows_of_cells, bbox)
    cells = [
        (tuple(cell), _cell_text(texts[r][c]))
        for r, row in enumerate(rows_of_cells)
        for c, cell in enumerate(row.cells)
        if cell is not None
    ]
    rows = _edges([box[1] for box, _ in cells] + [bbox[3]])
    cols = _edges([box[0] for box, _ in cells] + [bbox[2]])
    return _Table(page, bbox[1], tuple(bbox), cells, rows, cols)


def _extract(table: Any, rows: list[Any], bbox: Box, *, page_order: bool = False) -> list[list[str | None]]:
    """pdfplumber's Table.extract without rescanning every character of the page for each row: the
    characters inside the table are sorted by height once and each row takes its slice.  With
    ``page_order`` a cell's characters reach the text grouping in the page's order, as pdfplumber passes
    them (the same result to the character); without it in the order of their heights, as this reader
    has always read ruled tables (the same text but where two characters of a line share their x0)."""
    from pdfplumber.utils.text import extract_text

    x0, top, x1, bottom = bbox
    chars = sorted(
        (
            (i, c)
            for i, c in enumerate(table.page.chars)
            if x0 <= (c["x0"] + c["x1"]) / 2 < x1 and top <= (c["top"] + c["bottom"]) / 2 < bottom
        ),
        key=lambda ic: (ic[1]["top"] + ic[1]["bottom"]) / 2,
    )
    mids = [(c["top"] + c["bottom"]) / 2 for _, c in chars]
    out: list[list[str | None]] = []
    for row in rows:
        r_x0, r_top, r_x1, r_bottom = row.bbox
        lo, hi = bisect_left(mids, r_top), bisect_left(mids, r_bottom)
        # (horizontal midpoint, vertical midpoint, page index, char) of the row's characters, computed once
        row_chars = [
            (h, v, i, c)
            for v, (i, c) in zip(mids[lo:hi], chars[lo:hi], strict=True)
            if r_x0 <= (h := (c["x0"] + c["x1"]) / 2) < r_x1
        ]
        texts: list[str | None] = []
        for cell in row.cells:
            if cell is None:
                texts.append(None)
                continue
            inside = _cell_chars(row_chars, cell, page_order)
            texts.append((plain_text(inside) or extract_text(inside)) if inside else "")
        out.append(texts)
    return out


def _cell_chars(
    row_chars: list[tuple[float, float, int, dict[str, Any]]], cell: Box, page_order: bool
) -> list[dict[str, Any]]:
    """The row's characters inside a cell, by pdfplumber's test (the midpoint, the far edges excluded)."""
    x0, top, x1, bottom = cell
    inside = [(i, c) for h, v, i, c in row_chars if x0 <= h < x1 and top <= v < bottom]
    if page_order:
        inside.sort(key=lambda ic: ic[0])
    return [c for _, c in inside]


def _edges(values: list[float]) -> list[float]:
    """Sorted boundaries, those closer together than the tolerance taken as one."""
    out: list[float] = []
    for v in sorted(values):
        if not out or v - out[-1] > _TOLERANCE:
            out.append(v)
    return out


def _cell_text(text: str | None) -> str:
    """A cell's lines joined: in a PDF a line break inside a cell is the layout's wrap, not the writer's."""
    lines = [clean_line(line) for line in (text or "").split("\n")]
    return _join([line for line in lines if line])


def _join(parts: list[str]) -> str:
    """Wrapped pieces of one text joined: a space only between two Latin letters (CJK text and numbers
    are wrapped anywhere, English at spaces)."""
    out = ""
    for part in parts:
        if out and _latin(out[-1]) and _latin(part[0]):
            out += " "
        out += part
    return out


def _latin(ch: str) -> bool:
    return ch.isascii() and ch.isalpha()


def _continues(prev: _Table, part: _Table) -> bool:
    """Whether ``part`` carries on ``prev`` from the page before: the same left and right edges, and the
    column boundaries of one among those of the other (a split-off header row has fewer)."""
    same_width = (
        abs(prev.bbox[0] - part.bbox[0]) <= _TOLERANCE and abs(prev.bbox[2] - part.bbox[2]) <= _TOLERANCE
    )
    a, b = prev.col_edges, part.col_edges
    return same_width and (_among(a, b) or _among(b, a))


def _among(a: list[float], b: list[float]) -> bool:
    return all(any(abs(x - y) <= _TOLERANCE for y in b) for x in a)


def _positions(part: _Table, cols: list[float]) -> list[list[_Pos]]:
    """The part as a full grid over the table's columns: each position takes the real cell covering it."""
    grid = []
    for top, bottom in pairwise(part.row_edges):
        y = (top + bottom) / 2
        band = [i for i, ((_, t, _, b), _) in enumerate(part.cells) if t < y < b]
        row = []
        for left, right in pairwise(cols):
            x = (left + right) / 2
            found = next((i for i in band if part.cells[i][0][0] < x < part.cells[i][0][2]), None)
            if found is None:
                row.append(_Pos("", False, False, None))
                continue
            (x0, t, _, _), text = part.cells[found]
            vertical = t < top - _TOLERANCE
            row.append(_Pos(text, vertical or x0 < left - _TOLERANCE, vertical, found))
        grid.append(row)
    return grid


def _carry_over(above: list[_Pos], grid: list[list[_Pos]]) -> None:
    """A vertically merged cell cut by a page break leaves an empty remainder at the top of the next
    page: the remainder takes the text of the part above, as a continuation."""
    if not grid:
        return
    for c, pos in enumerate(grid[0]):
        over = above[c] if c < len(above) else None
        if pos.text or pos.cell is None or over is None or not (over.vertical and over.text):
            continue
        for row in grid:
            for i, p in enumerate(row):
                if p.cell == pos.cell and not p.text:
                    row[i] = _Pos(above[i].text if i < len(above) else over.text, True, True, p.cell)


def _logical_tables(items: list[_Item]) -> list[list[_Table]]:
    """Table parts grouped into tables: a part first on its page that continues the part which ended
    the page before joins it."""
    tables: list[list[_Table]] = []
    previous: _Item | None = None
    for item in items:
        if isinstance(item, _Table):
            joins = (
                isinstance(previous, _Table)
                and previous.page < item.page
                and _first_on_page(items, item)
                and _continues(previous, item)
            )
            if joins:
                tables[-1].append(item)
            else:
                tables.append([item])
        previous = item
    return tables


def _first_on_page(items: list[_Item], item: _Item) -> bool:
    return next(i for i in items if i.page == item.page) is item


def _table_rows(parts: list[_Table]) -> list[list[list[_Pos]]]:
    """Each part's grid over the columns of the whole table, remainders of cut cells filled in."""
    cols = _edges([x for part in parts for x in part.col_edges])
    grids = [_positions(part, cols) for part in parts]
    for before, grid in pairwise(grids):
        if before:
            _carry_over(before[-1], grid)
    return grids


# ------------------------------------------------------------------------------------------ blocks


def _blocks(items: list[_Item]) -> list[Block]:
    rows: dict[int, tuple[int, list[list[_Pos]]]] = {}
    for number, parts in enumerate(_logical_tables(items)):
        for part, grid in zip(parts, _table_rows(parts), strict=True):
            rows[id(part)] = (number, grid)
    blocks: list[Block] = []
    for group in _paragraphs(items):
        item = group[0]
        if isinstance(item, _Table):
            number, grid = rows[id(item)]
            blocks.extend(
                Block("row", cells=[p.text for p in row], cont=[p.cont for p in row], table=number)
                for row in grid
                if any(p.text for p in row)
            )
        elif isinstance(item, _Image):
            blocks.append(Block("image", text=item.text))
        else:
            blocks.append(Block("para", text=_join([line.text for line in group if isinstance(line, _Line)])))
    return blocks


def _paragraphs(items: list[_Item]) -> list[list[_Item]]:
    """Items grouped: consecutive lines that the layout wrapped form one group, everything else stands alone.

    A line continues the previous one when the previous line runs to the right margin, this one starts
    at the left margin, and no more than a line's height separates them (or a page break does).
    """
    lines = [i for i in items if isinstance(i, _Line)]
    if not lines:
        return [[i] for i in items]
    left = min(line.x0 for line in lines)
    right = max(line.x1 for line in lines)
    groups: list[list[_Item]] = []
    for item in items:
        last = groups[-1][-1] if groups else None
        if isinstance(item, _Line) and isinstance(last, _Line) and _wraps(last, item, left, right):
            groups[-1].append(item)
        else:
            groups.append([item])
    return groups


def _wraps(a: _Line, b: _Line, left: float, right: float) -> bool:
    size = max(a.bottom - a.top, 1.0)
    full = a.x1 >= right - 2 * size
    flush_left = b.x0 <= left + 0.5 * size
    close = b.page > a.page or (b.top - a.bottom) < size
    return full and flush_left and close
