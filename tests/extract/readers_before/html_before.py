"""[Reference copy, before the issue 12 speed-up: see tests/extract/readers_before/__init__.py.]

HTML reader: a government portal's article page -> blocks of the article only.

Three jobs: find the character encoding (BOM, the HTTP header, ``<meta>``, then detection when those
are missing or wrong), find the article inside the portal's chrome (navigation, breadcrumb, sidebars,
footer), and turn the article into para, row and image blocks.  The page's title and publication dates
(``<meta>`` tags and "发布时间：" lines anywhere on the page) go into ``meta``.
"""

from __future__ import annotations

import codecs
import re

import charset_normalizer
import lxml.html
from lxml import etree

from auditor.extract.ir import Block, RawDocument, ReadError
from auditor.extract.textcodec import canonical_encoding as normalize_encoding
from tests.extract.readers_before.grid_before import (
    SpanCell,
    clean_line,
    clean_lines,
    expand_spans,
    iso_date,
    row_blocks,
)

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
_MARKERS = ("zoom", "ucap-content", "trs_editor", "article", "content", "detail", "pages_content", "xxgk")
_PUB_META = ("pubdate", "publishdate", "articlepubdate", "firstpublishedtime")
_PUB_LINE = re.compile(r"(发布时间|发布日期)\s*[:：]?\s*(\d{4}\s*[-年/.]\s*\d{1,2}\s*[-月/.]\s*\d{1,2})")


def read_html(data: bytes, declared_encoding: str | None = None) -> RawDocument:
    """Blocks of the article on an HTML page, with the page's title, publication dates and encoding in meta.

    ``declared_encoding`` is the charset of the HTTP Content-Type header, if any.  Raises ReadError only
    for empty or undecodable content; a page without report text gives the few blocks it has.
    """
    if not data.strip():
        raise ReadError("文件为空")
    codec, source = detect_encoding(data, declared_encoding)
    text = data.decode(codec, errors="replace")
    root = _parse(text)
    for el in root.xpath("//script|//style|//noscript|//template"):
        el.drop_tree()
    container = _article_container(root)
    flow = _Flow()
    flow.walk(container)
    flow.flush()
    meta = _page_meta(root)
    meta["encoding"] = codec
    meta["encoding_source"] = source
    blocks = _with_title(flow.blocks, meta)
    return RawDocument(blocks=blocks, format="html", encoding=codec, meta=meta)


def _parse(text: str) -> lxml.html.HtmlElement:
    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text)
    parser = lxml.html.HTMLParser(remove_comments=True, remove_pis=True, recover=True)
    try:
        root = lxml.html.document_fromstring(text, parser=parser)
    except (etree.ParserError, ValueError) as exc:
        raise ReadError(f"无法解析网页：{exc}") from None
    if root is None:
        raise ReadError("网页内容为空")
    return root


# ------------------------------------------------------------------------------------------ container


def _own_text_len(el: lxml.html.HtmlElement) -> int:
    """Characters of text outside links (whitespace ignored): chrome is mostly links, reports are not."""
    total = _chars(el.text_content())
    links = sum(_chars(a.text_content()) for a in el.iter("a"))
    return total - links


def _chars(text: str) -> int:
    return len(re.sub(r"\s+", "", text))


def _is_marker(el: lxml.html.HtmlElement) -> bool:
    names = f"{el.get('id', '')} {el.get('class', '')}".lower()
    return any(m in names for m in _MARKERS)


def _article_container(root: lxml.html.HtmlElement) -> lxml.html.HtmlElement:
    """The element holding the article: a CMS content marker holding most of the page's text, else the
    deepest element still holding nearly all of it."""
    body = root.find("body")
    if body is None:
        body = root
    page_len = _own_text_len(body)
    if page_len == 0:
        return body
    markers = [(el, _own_text_len(el)) for el in body.iter() if isinstance(el.tag, str) and _is_marker(el)]
    markers = [(el, n) for el, n in markers if n >= 0.5 * page_len]
    if markers:
        best = max(n for _, n in markers)
        deepest = [el for el, n in markers if n >= 0.85 * best]
        return max(deepest, key=_depth)
    return _descend(body, page_len)


def _depth(el: lxml.html.HtmlElement) -> int:
    return sum(1 for _ in el.iterancestors())


def _descend(el: lxml.html.HtmlElement, page_len: int) -> lxml.html.HtmlElement:
    while True:
        child = next(
            (
                c
                for c in el
                if isinstance(c.tag, str) and c.tag not in _SKIP and _own_text_len(c) >= 0.85 * page_len
            ),
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


def _article_h1(root: lxml.html.HtmlElement, page_title: str, article_title: str) -> str | None:
    """The first <h1> that names the page (it is the ArticleTitle, or the <title> starts with it); a
    site logo in an <h1> does not."""
    for h1 in root.iter("h1"):
        text = clean_line(h1.text_content())
        if text and (text == article_title or page_title.startswith(text)):
            return text
    return None


# ------------------------------------------------------------------------------------------ meta


def _page_meta(root: lxml.html.HtmlElement) -> dict[str, object]:
    meta: dict[str, object] = {}
    title = root.find(".//title")
    if title is not None and clean_line(title.text_content()):
        meta["title"] = clean_line(title.text_content())
    published: list[tuple[str, str]] = []
    for el in root.iter("meta"):
        name = (el.get("name") or el.get("property") or "").strip()
        content = el.get("content") or ""
        if name.lower() == "articletitle" and content.strip():
            meta["article_title"] = clean_line(content)
        elif name.lower() in _PUB_META and (day := iso_date(content)):
            published.append((day, f"meta:{name}"))
    body = root.find("body")
    page_text = " ".join((body if body is not None else root).itertext())
    for m in _PUB_LINE.finditer(page_text):
        if day := iso_date(m.group(2)):
            published.append((day, m.group(1)))
    meta["published"] = list(dict.fromkeys(published))
    h1 = _article_h1(root, str(meta.get("title", "")), str(meta.get("article_title", "")))
    if h1:
        meta["h1"] = h1
    return meta


# ------------------------------------------------------------------------------------------ blocks


def _hidden(el: lxml.html.HtmlElement) -> bool:
    style = (el.get("style") or "").replace(" ", "").lower()
    return "display:none" in style or el.get("hidden") is not None


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

    def walk(self, el: lxml.html.HtmlElement) -> None:
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

    def content(self, el: lxml.html.HtmlElement) -> None:
        """Walk an element's content as one block of its own (a cell, a caption)."""
        self._container(el, True)

    def _container(self, el: lxml.html.HtmlElement, block: bool) -> None:
        if block:
            self.flush()
        self._buf.append(el.text or "")
        for child in el:
            self.walk(child)
            self._buf.append(child.tail or "")
        if block:
            self.flush()

    def _heading_block(self, el: lxml.html.HtmlElement, level: int) -> None:
        self.flush()
        outer, self._heading = self._heading, level
        self._container(el, True)
        self._heading = outer

    def _image(self, el: lxml.html.HtmlElement) -> None:
        self.flush()
        label = clean_line(el.get("alt") or el.get("title") or "") or (el.get("src") or "").rsplit("/", 1)[-1]
        self.blocks.append(Block("image", text=clean_line(label)))

    def _table(self, el: lxml.html.HtmlElement) -> None:
        rows = [tr.xpath("./td|./th") for tr in _own_rows(el)]
        cells = [c for row in rows for c in row]
        if len(cells) == 1 or any(c.xpath(".//table") for c in cells):
            self._layout_table(cells)
            return
        caption = el.find("caption")
        if caption is not None:
            self.blocks.extend(_blocks_of(caption))
        grid = expand_spans([[_span_cell(c) for c in row] for row in rows])
        blocks = row_blocks(grid, self._next_table)
        if blocks:
            self.blocks.extend(blocks)
            self._next_table += 1

    def _layout_table(self, cells: list[lxml.html.HtmlElement]) -> None:
        """A table used for page layout (one cell, or cells holding tables): its cells are running content."""
        for cell in cells:
            self._container(cell, True)


def _own_rows(table: lxml.html.HtmlElement) -> list[lxml.html.HtmlElement]:
    return table.xpath("./tr|./thead/tr|./tbody/tr|./tfoot/tr")


def _blocks_of(el: lxml.html.HtmlElement) -> list[Block]:
    """The blocks of one element's content, tables read as text."""
    flow = _Flow(tables=False)
    flow.content(el)
    return flow.blocks


def _span_cell(cell: lxml.html.HtmlElement) -> SpanCell:
    """A cell's text, one line per paragraph or <br>, with its spans."""
    text = clean_lines([b.text for b in _blocks_of(cell) if b.kind == "para"])
    return SpanCell(text, rowspan=_int_attr(cell, "rowspan"), colspan=_int_attr(cell, "colspan"))


def _int_attr(el: lxml.html.HtmlElement, name: str) -> int:
    m = re.match(r"\s*(\d+)", el.get(name) or "")
    return int(m.group(1)) if m else 1
