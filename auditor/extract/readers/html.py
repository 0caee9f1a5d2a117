"""HTML reader: a government portal's article page -> blocks of the article only.

Three jobs: find the character encoding (BOM, the HTTP header, ``<meta>``, then detection when those
are missing or wrong), find the article inside the portal's chrome (navigation, breadcrumb, sidebars,
footer), and turn the article into para, row and image blocks.  The page's title and publication dates
(``<meta>`` tags and "发布时间：" lines anywhere on the page) go into ``meta``.
"""

from __future__ import annotations

import codecs
import re
import threading
from itertools import islice

import charset_normalizer
from lxml import etree

from auditor.extract.ir import Block, RawDocument, ReadError
from auditor.extract.readers._grid import (
    MAX_COLUMNS,
    SpanCell,
    clean_line,
    expand_spans,
    iso_date,
    row_blocks,
)
from auditor.extract.textcodec import NOT_XML
from auditor.extract.textcodec import canonical_encoding as normalize_encoding

# ------------------------------------------------------------------------------------------ encoding

_META_CHARSET = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def detect_encoding(data: bytes, declared: str | None = None) -> tuple[str, str]:
    """(codec, where it came from): bom, http, meta, utf-8 or charset-normalizer.

    A declared charset is believed only if the bytes decode with it (a few stray bad bytes tolerated);
    a non-UTF-8 declaration over bytes that are valid non-ASCII UTF-8 is a lie (GBK text is practically
    never valid UTF-8).
    """
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return codec, "bom"
    valid_utf8 = _is_utf8(data)
    for label, source in ((declared, "http"), (_sniff_meta(data), "meta")):
        declared_codec = normalize_encoding(label)
        if declared_codec is None or (valid_utf8 and declared_codec != "utf-8" and not data.isascii()):
            continue
        if _decodes(data, declared_codec):
            return declared_codec, source
    if valid_utf8:
        return "utf-8", "utf-8"
    best = charset_normalizer.from_bytes(data[:200_000]).best()
    if best is None or not _decodes(data, normalize_encoding(best.encoding) or best.encoding):
        raise ReadError("无法识别网页的字符编码")
    return normalize_encoding(best.encoding) or best.encoding, "charset-normalizer"


def _sniff_meta(data: bytes) -> str | None:
    head = data[:8192]
    m = _XML_ENCODING.search(head) or _META_CHARSET.search(head)
    return m.group(1).decode("ascii") if m else None


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _decodes(data: bytes, codec: str) -> bool:
    """Whether the bytes decode with ``codec`` with at most a handful of bad sequences."""
    try:
        text = data.decode(codec, errors="replace")
    except LookupError:
        return False
    return text.count("\ufffd") <= max(2, len(data) // 5000)


# ------------------------------------------------------------------------------------------ parsing

_SKIP = frozenset(
    [
        "script",
        "style",
        "noscript",
        "template",
        "head",
        "iframe",
        "object",
        "embed",
        "select",
        "button",
        "input",
        "textarea",
        "svg",
        "map",
        "audio",
        "video",
        "title",
        "meta",
        "link",
    ]
)
_BLOCK = frozenset(
    [
        "p",
        "div",
        "section",
        "article",
        "main",
        "header",
        "footer",
        "aside",
        "nav",
        "ul",
        "ol",
        "li",
        "dl",
        "dt",
        "dd",
        "blockquote",
        "pre",
        "center",
        "form",
        "fieldset",
        "figure",
        "figcaption",
        "address",
        "hr",
        "caption",
        "body",
        "html",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "tr",
        "td",
        "th",
    ]
)
_HEADINGS = {f"h{i}": i for i in range(1, 7)}
_CELL_TAGS = frozenset(("td", "th"))
_MARKERS = ("zoom", "ucap-content", "trs_editor", "article", "content", "detail", "pages_content", "xxgk")
_PUB_META = ("pubdate", "publishdate", "articlepubdate", "firstpublishedtime")
MAX_TAGS = 400_000
"""Refuse a page with more markup than this many "<" (a report page has a few thousand): a hostile
table of a million cells is refused before it is parsed instead of taking seconds and gigabytes."""
_PUB_LINE = re.compile(r"(发布时间|发布日期)\s*[:：]?\s*(\d{4}\s*[-年/.]\s*\d{1,2}\s*[-月/.]\s*\d{1,2})")


def read_html(data: bytes, declared_encoding: str | None = None) -> RawDocument:
    """Blocks of the article on an HTML page, with the page's title, publication dates and encoding in meta.

    ``declared_encoding`` is the charset of the HTTP Content-Type header, if any.  Raises ReadError for
    empty or undecodable content and for a page with more markup than any report page has
    (:data:`MAX_TAGS`); a page without report text gives the few blocks it has.
    """
    if not data.strip():
        raise ReadError("文件为空")
    codec, source = detect_encoding(data, declared_encoding)
    text = data.decode(codec, errors="replace")
    tags = text.count("<")
    if tags > MAX_TAGS:
        raise ReadError(f"网页标记过多（{tags} 个标签，上限 {MAX_TAGS}），不是可读取的报告页面")
    root = _parse(text)
    for el in list(root.iter("script", "style", "noscript", "template")):
        _drop_tree(el)
    container = _article_container(root)
    flow = _Flow()
    flow.walk(container)
    flow.flush()
    meta = _page_meta(root)
    meta["encoding"] = codec
    meta["encoding_source"] = source
    blocks = _with_title(flow.blocks, meta)
    return RawDocument(blocks=blocks, format="html", encoding=codec, meta=meta)


def _parse(text: str) -> etree._Element:
    """The page's tree, as plain lxml elements (lxml.html's element classes cost a lookup per node)."""
    # lxml refuses in any string what XML cannot hold: a page holding U+FFFF or a stray control byte is
    # still a page
    text = NOT_XML.sub(" ", re.sub(r"^\s*<\?xml[^>]*\?>", "", text))
    try:
        root = etree.fromstring(text, parser=_html_parser())
    except (etree.ParserError, ValueError) as exc:
        raise ReadError(f"无法解析网页：{exc}") from None
    if root is None:
        raise ReadError("网页内容为空")
    return root


_PARSERS = threading.local()


def _html_parser() -> etree.HTMLParser:
    """One parser per thread: lxml parsers are not thread-safe, and making one per page costs time."""
    parser = getattr(_PARSERS, "html", None)
    if parser is None:
        parser = _PARSERS.html = etree.HTMLParser(remove_comments=True, remove_pis=True, recover=True)
    return parser


def _drop_tree(el: etree._Element) -> None:
    """Remove an element and its content, keeping the text that follows it (lxml.html's drop_tree)."""
    parent = el.getparent()
    if parent is None:
        return
    if el.tail:
        previous = el.getprevious()
        if previous is None:
            parent.text = (parent.text or "") + el.tail
        else:
            previous.tail = (previous.tail or "") + el.tail
    parent.remove(el)


def _text(el: etree._Element) -> str:
    """All the text inside an element (lxml.html's text_content)."""
    return str(etree.tostring(el, method="text", encoding="unicode", with_tail=False))


# ------------------------------------------------------------------------------------------ container


def _chars(text: str | None) -> int:
    """Characters other than whitespace."""
    return len("".join(text.split())) if text else 0


def _own_text_len(el: etree._Element) -> int:
    """Characters of text outside links (whitespace ignored): chrome is mostly links, reports are not.
    A link inside a link counts twice."""
    return _chars(_text(el)) - sum(_chars(_text(a)) for a in el.iter("a"))


def _own_text_lengths(top: etree._Element) -> dict[etree._Element, int]:
    """:func:`_own_text_len` of every element under ``top``, in one pass from the leaves up (linear in
    the page, where measuring each element's text separately is quadratic in the nesting)."""
    elements = [el for el in top.iter() if isinstance(el.tag, str)]
    total: dict[etree._Element, int] = {}
    links: dict[etree._Element, int] = {}
    for el in reversed(elements):  # children before their parents
        text = _chars(el.text)
        in_links = 0
        for child in el:
            if isinstance(child.tag, str):
                text += total[child]
                in_links += links[child]
            text += _chars(child.tail)
        total[el] = text
        links[el] = in_links + (text if el.tag == "a" else 0)
    return {el: total[el] - links[el] for el in elements}


MAX_MARKERS_MEASURED = 16
"""Up to this many marker elements are measured one by one (fast in C); more (nested markers are
quadratic to measure) and every element is measured in one pass."""


def _is_marker(el: etree._Element) -> bool:
    names = f"{el.get('id', '')} {el.get('class', '')}".lower()
    return any(m in names for m in _MARKERS)


def _article_container(root: etree._Element) -> etree._Element:
    """The element holding the article: a CMS content marker holding most of the page's text, else the
    deepest element still holding nearly all of it."""
    body = root.find("body")
    if body is None:
        body = root
    page_len = _own_text_len(body)
    if page_len == 0:
        return body
    candidates = [el for el in _WITH_ID_OR_CLASS(body) if _is_marker(el)]
    own: dict[etree._Element, int] | None = None
    if len(candidates) > MAX_MARKERS_MEASURED:
        own = _own_text_lengths(body)
        lengths = [own[el] for el in candidates]
    else:
        lengths = [_own_text_len(el) for el in candidates]
    markers = [(el, n) for el, n in zip(candidates, lengths, strict=True) if n >= 0.5 * page_len]
    if markers:
        best = max(n for _, n in markers)
        deepest = [el for el, n in markers if n >= 0.85 * best]
        return max(deepest, key=_depth)
    return _descend(body, page_len, own if own is not None else _own_text_lengths(body))


_WITH_ID_OR_CLASS = etree.XPath("(descendant-or-self::*/@id | descendant-or-self::*/@class)/..")
"""The elements (``descendant-or-self``) with an id or a class, in document order: the same node-set as
``descendant-or-self::*[@id or @class]``, which libxml2 evaluates about four times slower (the
predicate is tested on every element of the page)."""

_TEXT_NODES = etree.XPath(".//text()", smart_strings=False)
"""The text nodes under an element, in document order: what ``itertext()`` yields (the element's own
tail excepted), in a third of the time (no Python step per element)."""


def _depth(el: etree._Element) -> int:
    return sum(1 for _ in el.iterancestors())


def _descend(el: etree._Element, page_len: int, own: dict[etree._Element, int]) -> etree._Element:
    while True:
        child = next(
            (c for c in el if isinstance(c.tag, str) and c.tag not in _SKIP and own[c] >= 0.85 * page_len),
            None,
        )
        if child is None or child.tag in ("table", "tr", "tbody"):
            return el
        el = child


def _with_title(blocks: list[Block], meta: dict[str, object]) -> list[Block]:
    """The article's <h1> put first when the container does not start with it (portals print it above)."""
    title = meta.get("h1")
    if not isinstance(title, str) or any(b.text == title for b in blocks[:3]):
        return blocks
    return [Block("para", text=title, heading=1), *blocks]


def _article_h1(root: etree._Element, page_title: str, article_title: str) -> str | None:
    """The first <h1> that names the page (it is the ArticleTitle, or the <title> starts with it); a
    site logo in an <h1> does not."""
    for h1 in root.iter("h1"):
        text = clean_line(_text(h1))
        if text and (text == article_title or page_title.startswith(text)):
            return text
    return None


# ------------------------------------------------------------------------------------------ meta


def _page_meta(root: etree._Element) -> dict[str, object]:
    meta: dict[str, object] = {}
    title = root.find(".//title")
    if title is not None and clean_line(_text(title)):
        meta["title"] = clean_line(_text(title))
    published: list[tuple[str, str]] = []
    for el in root.iter("meta"):
        name = (el.get("name") or el.get("property") or "").strip()
        content = el.get("content") or ""
        if name.lower() == "articletitle" and content.strip():
            meta["article_title"] = clean_line(content)
        elif name.lower() == "og:title" and content.strip():
            meta["og_title"] = clean_line(content)
        elif name.lower() in _PUB_META and (day := iso_date(content)):
            published.append((day, f"meta:{name}"))
    body = root.find("body")
    top = body if body is not None else root
    # the text nodes are joined with spaces (a date is not run into the next cell); the labels hold no
    # space, so a page whose plain text lacks them has none to find (and the join is skipped)
    flat = _text(top)
    page_text = " ".join(_TEXT_NODES(top)) if "发布时间" in flat or "发布日期" in flat else ""
    for m in _PUB_LINE.finditer(page_text):
        if day := iso_date(m.group(2)):
            published.append((day, m.group(1)))
    meta["published"] = list(dict.fromkeys(published))
    h1 = _article_h1(root, str(meta.get("title", "")), str(meta.get("article_title", "")))
    if h1:
        meta["h1"] = h1
    return meta


# ------------------------------------------------------------------------------------------ blocks


def _hidden(el: etree._Element) -> bool:
    if not el.keys():  # most elements have no attribute: one call answers for them (two gets cost more)
        return False
    style = el.get("style")
    if style is not None and "display:none" in style.replace(" ", "").lower():
        return True
    return el.get("hidden") is not None


class _Flow:
    """Walks an element tree in document order and collects blocks."""

    def __init__(self, *, tables: bool = True) -> None:
        self.blocks: list[Block] = []
        self.tables = tables
        self._buf: list[str] = []
        self._heading: int | None = None
        self._next_table = 0

    def flush(self) -> None:
        line = clean_line("".join(self._buf))
        self._buf.clear()
        if line:
            self.blocks.append(Block("para", text=line, heading=self._heading))

    def walk(self, el: etree._Element) -> None:
        tag = el.tag if isinstance(el.tag, str) else ""
        if not tag or tag in _SKIP or _hidden(el):
            return
        if tag == "br":
            self.flush()
        elif tag == "img":
            self._image(el)
        elif tag == "table" and self.tables:
            self.flush()
            self._table(el)
        elif tag in _HEADINGS:
            self._heading_block(el, _HEADINGS[tag])
        else:
            self._container(el, tag in _BLOCK)

    def content(self, el: etree._Element) -> None:
        """Walk an element's content as one block of its own (a cell, a caption)."""
        self._container(el, True)

    def _container(self, el: etree._Element, block: bool) -> None:
        if block:
            self.flush()
        self._buf.append(el.text or "")
        for child in el:
            self.walk(child)
            self._buf.append(child.tail or "")
        if block:
            self.flush()

    def _heading_block(self, el: etree._Element, level: int) -> None:
        self.flush()
        outer, self._heading = self._heading, level
        self._container(el, True)
        self._heading = outer

    def _image(self, el: etree._Element) -> None:
        self.flush()
        label = clean_line(el.get("alt") or el.get("title") or "") or (el.get("src") or "").rsplit("/", 1)[-1]
        self.blocks.append(Block("image", text=clean_line(label)))

    def _table(self, el: etree._Element) -> None:
        # every cell covers at least one column, so cells past MAX_COLUMNS would be clamped away: never
        # read them (a hostile 1,000 x 1,000 table costs what a 1,000 x 100 one does)
        rows = [
            list(islice((c for c in tr if c.tag in _CELL_TAGS), MAX_COLUMNS))
            for tr in _own_rows(el)
        ]
        cells = [c for row in rows for c in row]
        if len(cells) == 1 or (_holds_table(el) and any(_holds_table(c) for c in cells)):
            self._layout_table(cells)
            return
        caption = el.find("caption")
        if caption is not None:
            self.blocks.extend(_blocks_of(caption))
        # a row places at most MAX_COLUMNS cells (each takes a column or more): the rest are never read
        grid = expand_spans([[_span_cell(c) for c in row[:MAX_COLUMNS]] for row in rows])
        blocks = row_blocks(grid, self._next_table)
        if blocks:
            self.blocks.extend(blocks)
            self._next_table += 1

    def _layout_table(self, cells: list[etree._Element]) -> None:
        """A table used for page layout (one cell, or cells holding tables): its cells are running content."""
        for cell in cells:
            self._container(cell, True)


def _holds_table(el: etree._Element) -> bool:
    """Whether a table is nested anywhere inside ``el``."""
    return any(t is not el for t in el.iter("table"))


def _own_rows(table: etree._Element) -> list[etree._Element]:
    """The rows of a table itself (not of tables nested in its cells), in document order."""
    rows = []
    for child in table:
        if child.tag == "tr":
            rows.append(child)
        elif child.tag in ("thead", "tbody", "tfoot"):
            rows.extend(tr for tr in child if tr.tag == "tr")
    return rows


def _blocks_of(el: etree._Element) -> list[Block]:
    """The blocks of one element's content, tables read as text."""
    flow = _Flow(tables=False)
    flow.content(el)
    return flow.blocks


def _span_cell(cell: etree._Element) -> SpanCell | str:
    """A cell's text, one line per paragraph or <br>, with its spans (the text alone for a cell of one
    position)."""
    if not cell.keys():  # nearly every cell has no attribute: one call answers for both spans
        return _cell_text(cell)
    rowspan, colspan = cell.get("rowspan"), cell.get("colspan")  # nearly always absent: no call then
    return SpanCell(
        _cell_text(cell),
        1 if rowspan is None else _int_attr(cell, "rowspan"),
        1 if colspan is None else _int_attr(cell, "colspan"),
    )


def _cell_text(cell: etree._Element) -> str:
    """The text of a cell's content read as running text (tables in it as text), one line per block,
    line break or picture: the para blocks :func:`_blocks_of` would give, joined by newlines."""
    children = len(cell)
    if children == 0:
        return clean_line(cell.text or "")
    if children == 1:  # the common <td><p>text</p></td> (tests inlined: every cell of a table passes here)
        text = cell.text
        if not text or text.isspace():
            child = cell[0]
            tail = child.tail
            if (
                not len(child)
                and child.tag in _BLOCK
                and (not tail or tail.isspace())
                and (not child.keys() or not _hidden(child))
            ):
                return clean_line(child.text or "")
    lines: list[str] = []
    buf: list[str] = []
    _cell_lines(cell, True, lines, buf)
    _flush_line(lines, buf)
    return "\n".join(lines)


def _flush_line(lines: list[str], buf: list[str]) -> None:
    text = "".join(buf)
    buf.clear()
    if text and (line := clean_line(text)):
        lines.append(line)


def _cell_lines(el: etree._Element, block: bool, lines: list[str], buf: list[str]) -> None:
    """:meth:`_Flow.walk` for text only: the same breaks (blocks, headings, <br>, pictures), no blocks
    made."""
    if block:
        _flush_line(lines, buf)
    buf.append(el.text or "")
    for child in el:
        tag = child.tag
        if isinstance(tag, str) and tag not in _SKIP and not _hidden(child):
            if tag == "br" or tag == "img":
                _flush_line(lines, buf)
            else:
                _cell_lines(child, tag in _BLOCK or tag in _HEADINGS, lines, buf)
        buf.append(child.tail or "")
    if block:
        _flush_line(lines, buf)


_SPAN_DIGITS = re.compile(r"\s*0*(\d{1,7})(\d*)")


def _int_attr(el: etree._Element, name: str) -> int:
    """A span attribute's leading digits; absent or unreadable is 1.  A number of more than seven
    digits (up to thousands, beyond Python's int-string limit) is read as 10,000,000: spans are
    clamped to the table anyway, and converting it whole would raise or cost time."""
    value = el.get(name)
    if value is None:
        return 1
    if len(value) <= 7 and value.isascii() and value.isdigit():
        return int(value)
    m = _SPAN_DIGITS.match(value)
    if not m:
        return 1
    return 10_000_000 if m.group(2) else int(m.group(1))
