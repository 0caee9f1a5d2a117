"""Word (.docx) reader: the body in order (paragraphs and tables interleaved) -> blocks.

The package is inspected before anything is inflated, so a zip bomb or a truncated file is refused
with a reason instead of exhausting memory.  The reader reads the parts it uses straight from the
package — the relationships, the styles (for heading levels), the core properties (for the title) and
the main document, streamed with lxml's iterparse one top-level paragraph or table at a time — the way
python-docx locates and parses them, without building its object model of every part.  Tables are read
from the XML: horizontal merges (``w:gridSpan``), vertical merges (``w:vMerge``) and skipped grid
columns (``w:gridBefore``) are expanded into a full grid — the same cells python-docx's ``row.cells``
repeats (one ``_tc`` for all positions of a merged cell), without its assumption of a uniform grid.
"""

from __future__ import annotations

import hashlib
import posixpath
import re
import struct
import threading
import zipfile
from collections.abc import Callable, Iterator
from functools import partial
from importlib import resources
from io import BytesIO
from typing import Any

from lxml import etree

from auditor.extract.ir import Block, RawDocument, ReadError
from auditor.extract.readers._grid import (
    MAX_COLUMNS,
    SpanCell,
    clean_line,
    clean_lines,
    expand_spans,
    para_blocks,
    row_blocks,
)

MAX_UNCOMPRESSED = 100 * 1024 * 1024
"""Refuse packages whose members add up to more than this when inflated."""
MAX_RATIO = 200
"""Refuse a member larger than 1 MB inflated whose compression ratio exceeds this (text XML reaches ~20)."""
MAX_MEMBERS = 5000
MAX_DOCUMENT_XML = 16 * 1024 * 1024
"""Refuse a main document part larger than this inflated (a 300-page report's is a few MB): the reader
takes about a second for this much, and a 95 MB one would take a minute and gigabytes."""
STREAM_ABOVE = 2 * 1024 * 1024
"""A main document part larger than this inflated is streamed (bounded memory), a smaller one parsed
whole (faster)."""
MAX_ELEMENTS = 100_000
"""Refuse a document with more paragraphs, tables and table cells than this (a 300-page report has
~20,000): each costs microseconds, and a small part can hold millions of empty ones."""

_NS = {
    "w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "v": "urn:schemas-microsoft-com:vml",
    "o": "urn:schemas-microsoft-com:office:office",
    "mc": "http://schemas.openxmlformats.org/markup-compatibility/2006",
    "dc": "http://purl.org/dc/elements/1.1/",
    "rel": "http://schemas.openxmlformats.org/package/2006/relationships",
}
_RT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
RT_OFFICE_DOCUMENT = _RT + "officeDocument"
RT_STYLES = _RT + "styles"
RT_CORE_PROPERTIES = "http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties"


def _q(name: str) -> str:
    prefix, local = name.split(":")
    return f"{{{_NS[prefix]}}}{local}"


W_DOCUMENT, W_BODY, W_P, W_TBL, W_TR, W_TC, W_SDT, W_SDT_CONTENT = (
    _q(n) for n in ("w:document", "w:body", "w:p", "w:tbl", "w:tr", "w:tc", "w:sdt", "w:sdtContent")
)
W_CUSTOM_XML = _q("w:customXml")
W_T = _q("w:t")
W_TC_PR, W_TR_PR, W_GRID_SPAN, W_GRID_BEFORE, W_V_MERGE = (
    _q(n) for n in ("w:tcPr", "w:trPr", "w:gridSpan", "w:gridBefore", "w:vMerge")
)
W_P_PR, W_P_STYLE, W_OUTLINE_LVL = (_q(n) for n in ("w:pPr", "w:pStyle", "w:outlineLvl"))
W_VAL = _q("w:val")
_WRAPPERS = {W_SDT, W_SDT_CONTENT, W_CUSTOM_XML}
_SKIPPED_SUBTREES = {_q("w:txbxContent"), _q("mc:Fallback"), _q("w:del"), _q("w:pPr"), _q("w:rPr")}
_TEXT_TAGS = {
    _q("w:t"): None,
    _q("w:tab"): " ",
    _q("w:br"): "\n",
    _q("w:cr"): "\n",
    _q("w:noBreakHyphen"): "-",
}
_IMAGE_TAGS = {_q("w:drawing"), _q("w:pict"), _q("w:object")}
_HEADING_NAME = re.compile(r"^(?:heading|标题)\s*(\d)$", re.IGNORECASE)


_PARSERS = threading.local()


def _xml_parser() -> etree.XMLParser:
    """python-docx's parser options (blank text dropped, entities not resolved), no network; one parser
    per thread (lxml parsers are not thread-safe, and making one per part costs more than parsing it)."""
    parser = getattr(_PARSERS, "xml", None)
    if parser is None:
        parser = _PARSERS.xml = etree.XMLParser(
            remove_blank_text=True, resolve_entities=False, no_network=True
        )
    return parser


def read_docx(data: bytes) -> RawDocument:
    """Blocks of a .docx body, with the core properties' title in meta.

    Raises ReadError for a corrupt, truncated or oversized package, or one without word/document.xml.
    """
    zf, names = _checked_package(data)
    try:
        with zf:
            package = _Package(zf, names, data)
            reader = _BodyReader(package)
            main = zf.read(package.main)  # at most MAX_DOCUMENT_XML: checked before it is inflated
            if len(main) <= STREAM_ABOVE:
                reader.whole(main)
            else:
                reader.stream(main)
            title = package.title() if "docProps/core.xml" in names else ""
    except ReadError:
        raise
    except Exception as exc:  # noqa: BLE001 - zipfile and lxml raise many kinds on malformed parts
        raise ReadError(f"无法解析 DOCX 文件（{type(exc).__name__}）") from None
    meta: dict[str, Any] = {"published": []}
    if title:
        meta["title"] = title
    return RawDocument(blocks=reader.blocks, format="docx", meta=meta)


def check_package(data: bytes) -> set[str]:
    """The member names of a .docx package, after refusing what must not be inflated or is not a .docx."""
    zf, names = _checked_package(data)
    zf.close()
    return names


def _checked_package(data: bytes) -> tuple[zipfile.ZipFile, set[str]]:
    """The open package and its member names, after the checks of :func:`check_package`."""
    if not data:
        raise ReadError("文件为空")
    try:
        zf = zipfile.ZipFile(BytesIO(data))
        infos = zf.infolist()
    except Exception:  # noqa: BLE001 - a corrupt zip directory raises BadZipFile, NotImplementedError, ...
        raise ReadError("DOCX 文件损坏或不完整（不是有效的 ZIP 包）") from None
    if len(infos) > MAX_MEMBERS:
        raise ReadError(f"DOCX 包内文件过多（{len(infos)} 个）")
    total = sum(i.file_size for i in infos)
    if total > MAX_UNCOMPRESSED:
        raise ReadError(
            f"DOCX 解压后过大（{total // 2**20} MB，上限 {MAX_UNCOMPRESSED // 2**20} MB），疑似压缩炸弹"
        )
    for info in infos:
        if info.file_size > 2**20 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise ReadError(
                f"DOCX 成员 {info.filename} 压缩比异常"
                f"（{info.file_size // max(info.compress_size, 1)}:1），疑似压缩炸弹"
            )
    sizes = {i.filename: i.file_size for i in infos}
    if "word/document.xml" not in sizes:
        raise ReadError("DOCX 中缺少 word/document.xml，不是 Word 文档")
    if sizes["word/document.xml"] > MAX_DOCUMENT_XML:
        raise ReadError(
            f"DOCX 正文过大（word/document.xml 解压后 {sizes['word/document.xml'] // 2**20} MB，"
            f"上限 {MAX_DOCUMENT_XML // 2**20} MB）"
        )
    return zf, set(sizes)


class _Package:
    """The parts of a .docx package the reader uses, found through the relationships as python-docx
    finds them: the main document, its styles and image relationships, the core properties."""

    def __init__(self, zf: zipfile.ZipFile, names: set[str], data: bytes) -> None:
        self._zf = zf
        self._names = names
        self._data = data
        package_rels = self._rels("/")
        self.main = _member(_target_of(package_rels, RT_OFFICE_DOCUMENT, "/") or "/word/document.xml")
        if self.main not in names:
            raise ReadError(f"DOCX 中缺少主文档 {self.main}，不是 Word 文档")
        if zf.getinfo(self.main).file_size > MAX_DOCUMENT_XML:
            raise ReadError(
                f"DOCX 正文过大（{self.main} 解压后 {zf.getinfo(self.main).file_size // 2**20} MB，"
                f"上限 {MAX_DOCUMENT_XML // 2**20} MB）"
            )
        self._core = _target_of(package_rels, RT_CORE_PROPERTIES, "/")
        self._base = posixpath.dirname("/" + self.main)
        self.rels = self._rels("/" + self.main)
        self._styles_part = _target_of(self.rels, RT_STYLES, self._base)
        self._styles: _Styles | None = None

    @property
    def styles(self) -> _Styles:
        """The document's styles, read when a paragraph first names one."""
        if self._styles is None:
            part = self._styles_part
            if part is None:
                self._styles = _styles_of(_default_styles, b"python-docx default styles")
            else:
                member = _member(part)
                self._styles = _styles_of(
                    lambda: self._zf.read(member), _stored_bytes(self._zf, self._data, member)
                )
        return self._styles

    def _rels(self, partname: str) -> dict[str, tuple[str, str, bool]]:
        """rId -> (type, target, external) of a part (``/`` for the package)."""
        directory, name = posixpath.split(partname)
        member = _member(posixpath.join(directory, "_rels", f"{name}.rels"))
        if member not in self._names:
            return {}
        rels = {}
        for rel in self._xml(member).iterfind("rel:Relationship", _NS):
            external = rel.get("TargetMode") == "External"
            rels[rel.get("Id", "")] = (rel.get("Type", ""), rel.get("Target", ""), external)
        return rels

    def _xml(self, member: str) -> etree._Element:
        return etree.fromstring(self._zf.read(member), parser=_xml_parser())

    def image_target(self, rid: str) -> str | None:
        """The file name a picture relationship points to (python-docx's ``rel.target_ref``, last part)."""
        rel = self.rels.get(rid)
        if rel is None:
            return None
        _, target, external = rel
        if not external:
            partname = posixpath.abspath(posixpath.join(self._base, target))
            target = partname[1:] if self._base == "/" else posixpath.relpath(partname, self._base)
        return target.rsplit("/", 1)[-1]

    def title(self) -> str:
        """The core properties' title, cleaned ("" when there is none)."""
        member = _member(self._core) if self._core else "docProps/core.xml"
        if member not in self._names:
            return ""
        title = self._xml(member).find("dc:title", _NS)
        return clean_line(title.text or "") if title is not None else ""


def _too_many() -> ReadError:
    return ReadError(f"DOCX 段落、表格和单元格过多（超过 {MAX_ELEMENTS} 个），无法在处理预算内读取")


def _member(partname: str) -> str:
    """The zip member name of an absolute part name."""
    return partname.lstrip("/")


def _target_of(rels: dict[str, tuple[str, str, bool]], reltype: str, base: str) -> str | None:
    """The absolute part name of the first internal relationship of ``reltype``."""
    for kind, target, external in rels.values():
        if kind == reltype and not external:
            return posixpath.abspath(posixpath.join(base, target))
    return None


class _Styles:
    """Heading levels of paragraph styles: the style's name (Heading n, 标题 n, Title), else its outline
    level, else those of the style it is based on.  Holds only what that needs (not the XML tree)."""

    def __init__(self, styles: etree._Element) -> None:
        self._by_id: dict[str, tuple[str, int | None, str | None]] = {}
        for style in styles.iterfind("w:style", _NS):
            style_id = style.get(_q("w:styleId"), "")
            if style_id in self._by_id:
                continue
            name_el = style.find("w:name", _NS)
            based = style.find("w:basedOn", _NS)
            self._by_id[style_id] = (
                (name_el.get(W_VAL) or "" if name_el is not None else "").strip(),
                _outline_level(style.find("w:pPr/w:outlineLvl", _NS)),
                based.get(W_VAL, "") if based is not None else None,
            )
        self._levels: dict[str, int | None] = {}

    def level(self, style_id: str) -> int | None:
        if style_id not in self._levels:
            self._levels[style_id] = self._level(style_id, 0)
        return self._levels[style_id]

    def _level(self, style_id: str, depth: int) -> int | None:
        style = self._by_id.get(style_id)
        if style is None or depth > 5:
            return None
        name, outline, based = style
        if name.lower() == "title":
            return 1
        m = _HEADING_NAME.match(name)
        if m:
            return int(m.group(1))
        if outline is not None:
            return outline
        return self._level(based, depth + 1) if based is not None else None


_STYLES_CACHE: dict[bytes, _Styles] = {}
"""Styles parts already read, by digest: documents made from one template share their styles part
(python-docx's alone is 350 kB of XML), and the heading levels are a function of its bytes."""
_STYLES_CACHE_SIZE = 32


def _styles_of(read: Callable[[], bytes], stored: bytes | None) -> _Styles:
    """The styles of a styles part, looked up by the digest of the part as stored in the zip
    (``stored``: the same stored bytes inflate to the same part, so a known template's part is not
    even inflated) or, when that is not at hand, of the part's bytes."""
    data = None
    if stored is not None:
        key = b"stored:" + hashlib.blake2b(stored, digest_size=16).digest()
    else:
        data = read()
        key = b"inflated:" + hashlib.blake2b(data, digest_size=16).digest()
    styles = _STYLES_CACHE.get(key)
    if styles is None:
        styles = _Styles(etree.fromstring(data if data is not None else read(), parser=_xml_parser()))
        if len(_STYLES_CACHE) >= _STYLES_CACHE_SIZE:
            _STYLES_CACHE.pop(next(iter(_STYLES_CACHE)))
        _STYLES_CACHE[key] = styles
    return styles


def _default_styles() -> bytes:
    """The styles python-docx gives a document whose package has none (its default template's)."""
    return resources.files("docx").joinpath("templates/default-styles.xml").read_bytes()


def _stored_bytes(zf: zipfile.ZipFile, data: bytes, member: str) -> bytes | None:
    """A member's bytes as stored in the package (compressed), with its compression method; None when
    its local header is not where the directory says or it is encrypted."""
    info = zf.getinfo(member)
    start = info.header_offset
    header = data[start : start + 30]
    if len(header) < 30 or header[:4] != b"PK\x03\x04" or info.flag_bits & 0x1:
        return None
    name_length, extra_length = struct.unpack("<HH", header[26:30])
    body = start + 30 + name_length + extra_length
    return bytes([info.compress_type & 0xFF]) + data[body : body + info.compress_size]


def _block_children(el: etree._Element) -> Iterator[etree._Element]:
    """The w:p and w:tbl children of a body or cell, looking through content controls."""
    for child in el:
        if child.tag in _WRAPPERS:
            yield from _block_children(child)
        elif child.tag in (W_P, W_TBL):
            yield child


def _text_of(el: etree._Element) -> str:
    """The visible text of a paragraph: w:t runs, tabs as spaces, breaks as newlines; deleted revisions,
    text boxes and compatibility fallbacks (duplicates) left out."""
    parts: list[str] = []
    _collect_text(el, parts)
    return "".join(parts)


def _collect_text(el: etree._Element, parts: list[str]) -> None:
    for child in el:
        tag = child.tag
        if tag == W_T:
            parts.append(child.text or "")
        elif tag in _SKIPPED_SUBTREES or not isinstance(tag, str):
            continue
        elif tag in _TEXT_TAGS:
            parts.append(_TEXT_TAGS[tag] or "")
        else:
            _collect_text(child, parts)


_LEADING_DIGITS = re.compile(r"\s*0*(\d{1,7})(\d*)")


def _int_val(el: etree._Element | None, default: int = 1) -> int:
    """The leading digits of an element's w:val; a number of more than seven digits (up to thousands,
    past Python's int-string limit) reads as 10,000,000, which every use clamps."""
    if el is None:
        return default
    m = _LEADING_DIGITS.match(el.get(W_VAL, ""))
    if not m:
        return default
    return 10_000_000 if m.group(2) else int(m.group(1))


def _block_count(body: etree._Element) -> int:
    """Paragraphs, tables, cells and content controls in a body (the elements MAX_ELEMENTS bounds)."""
    return sum(1 for _ in body.iter(W_P, W_TBL, W_TC, *_WRAPPERS))


class _BodyReader:
    """Walks the body of one document and collects its blocks."""

    def __init__(self, package: _Package) -> None:
        self.blocks: list[Block] = []
        self._package = package
        self._next_table = 0

    def whole(self, data: bytes) -> None:
        """Read a main document part parsed whole (faster than streaming for the usual few hundred kB)."""
        root = etree.fromstring(data, parser=_xml_parser())
        if root.tag != W_DOCUMENT:
            raise ReadError("DOCX 主文档不是 Word 正文（缺少 w:document）")
        body = root.find(W_BODY)
        if body is None:
            return
        # every element counted opens with "<": a part with fewer of them cannot hold too many (the count
        # in C settles nearly every document without walking its elements)
        if data.count(b"<") > MAX_ELEMENTS and _block_count(body) > MAX_ELEMENTS:
            raise _too_many()
        self.read(body)

    def stream(self, data: bytes) -> None:
        """Read a main document part one child of the body at a time: each is read when its end tag is
        parsed, then dropped, so the tree never holds more than one paragraph or table.  The blocks are
        counted in a first pass (parsing is fast; reading 100,000 empty paragraphs before refusing is not).
        """
        for _ in _top_level(data):
            pass  # raises when the part holds too many
        for el in _top_level(data):
            self.read_block(el)

    def read_block(self, el: etree._Element) -> None:
        """One paragraph, table or content control of a body or cell."""
        if el.tag == W_P:
            self._paragraph(el)
        elif el.tag == W_TBL:
            self._table(el)
        else:
            self.read(el)

    def read(self, container: etree._Element) -> None:
        for el in _block_children(container):
            if el.tag == W_P:
                self._paragraph(el)
            else:
                self._table(el)

    # -- paragraphs ------------------------------------------------------------------------------

    def _paragraph(self, p: etree._Element) -> None:
        self.blocks.extend(para_blocks(_text_of(p), heading=self._heading_level(p)))
        for image in self._images(p):
            self.blocks.append(Block("image", text=image))

    def _heading_level(self, p: etree._Element) -> int | None:
        style_id, own = _props(p, W_P_PR, W_P_STYLE, W_OUTLINE_LVL)
        if style_id is not None:
            level = self._package.styles.level(style_id.get(W_VAL, ""))
            if level is not None:
                return level
        return _outline_level(own)

    def _images(self, p: etree._Element) -> Iterator[str]:
        for el in p.iter(*_IMAGE_TAGS):
            if any(a.tag == _q("mc:Fallback") for a in el.iterancestors()):
                continue
            yield self._image_label(el)

    def _image_label(self, el: etree._Element) -> str:
        """Alt text if the writer gave one, else the picture's file name, else Word's generic name."""
        doc_pr = el.find(".//wp:docPr", _NS)
        imagedata = el.find(".//v:imagedata", _NS)
        alt = [doc_pr.get("descr", ""), doc_pr.get("title", "")] if doc_pr is not None else []
        if imagedata is not None:
            alt.append(imagedata.get(_q("o:title"), ""))
        generic = doc_pr.get("name", "") if doc_pr is not None else ""
        return (
            next((clean_line(a) for a in alt if clean_line(a)), None)
            or self._image_target(el)
            or generic
            or "图片"
        )

    def _image_target(self, el: etree._Element) -> str | None:
        blip = el.find(".//a:blip", _NS)
        imagedata = el.find(".//v:imagedata", _NS)
        rid = blip.get(_q("r:embed")) if blip is not None else None
        rid = rid or (imagedata.get(_q("r:id")) if imagedata is not None else None)
        return self._package.image_target(rid) if rid else None

    # -- tables ----------------------------------------------------------------------------------

    def _table(self, tbl: etree._Element) -> None:
        plain = bool(_PLAIN_TABLE(tbl))
        described = _plain_rows(tbl) if plain else None
        if described is None:
            rows = [list(_row_cells(tr)) for tr in _rows(tbl)]
            cells = [tc for row in rows for _, tc in row]
            nested = any(t is not tbl for t in tbl.iter(W_TBL))
            if len(cells) == 1 or (nested and any(tc.find(f".//{W_TBL}") is not None for tc in cells)):
                for tc in cells:  # a table used as a frame, or holding tables: its cells are running content
                    self.read(tc)
                return
            described = [[_described(before, tc, plain) for before, tc in row] for row in rows]
        blocks = row_blocks(expand_spans(_span_rows(described)), self._next_table)
        if blocks:
            self.blocks.extend(blocks)
            self._next_table += 1


def _top_level(data: bytes) -> Iterator[etree._Element]:
    """The paragraphs, tables and content controls of a main document part's body, each yielded when
    parsed and cleared after, with everything before it; every paragraph, table and cell parsed counts
    towards :data:`MAX_ELEMENTS`.  Raises ReadError for a part that is not a Word document body."""
    events = etree.iterparse(
        BytesIO(data),
        events=("end",),
        tag=(W_P, W_TBL, W_TC, *_WRAPPERS),
        remove_blank_text=True,
        resolve_entities=False,
        no_network=True,
    )
    count = 0
    first_body: etree._Element | None = None
    for _, el in events:
        count += 1
        if count > MAX_ELEMENTS:
            raise _too_many()
        body = el.getparent()
        if body is None or body.tag != W_BODY:
            continue  # inside a table, a content control or a text box: read with its top-level block
        if body is not first_body:
            root = body.getparent()
            if first_body is not None or root is None or root.getparent() is not None:
                continue  # not the document's (first) w:body
            first_body = body
        yield el
        el.clear()
        while el.getprevious() is not None:
            del body[0]
    root = events.root
    if root is None or root.tag != W_DOCUMENT:
        raise ReadError("DOCX 主文档不是 Word 正文（缺少 w:document）")


def _outline_level(el: etree._Element | None) -> int | None:
    level = _int_val(el, default=9)
    return level + 1 if level < 9 else None


def _rows(tbl: etree._Element) -> Iterator[etree._Element]:
    for child in tbl:
        if child.tag == W_TR:
            yield child
        elif child.tag in _WRAPPERS:
            yield from _rows(child)


def _row_cells(tr: etree._Element) -> Iterator[tuple[int, etree._Element]]:
    """(grid columns before it in its row's w:gridBefore, cell) — the first carries gridBefore."""
    before = _int_val(_props(tr, W_TR_PR, W_GRID_BEFORE)[0], default=0)
    for child in tr:
        if child.tag == W_TC:
            yield before, child
            before = 0
        elif child.tag in _WRAPPERS:
            for tc in child.iter(W_TC):
                yield before, tc
                before = 0


_Described = tuple[int, "etree._Element | None", "etree._Element | None", "str | Callable[[], str]"]
"""A cell as the span logic reads it: the grid columns skipped before it (w:gridBefore, on a row's first
cell), its w:gridSpan and w:vMerge elements, and its text (or how to get it, where reading it costs:
it is read only where it is used)."""


def _described(before: int, tc: etree._Element, plain: bool) -> _Described:
    content, span, merge = _cell_parts(tc)
    return before, span, merge, partial(_content_text, content, plain)


_PLAIN_STREAM_TAGS = (W_TR, W_TC, W_P, W_T, W_GRID_SPAN, W_V_MERGE, W_GRID_BEFORE)
_PLAIN_STREAM_BAIL = (W_TBL, *_WRAPPERS, _q("w:txbxContent"), _q("w:tcPrChange"), _q("w:trPrChange"))


def _plain_rows(tbl: etree._Element) -> list[list[_Described]] | None:
    """The described cells of a plain table (:data:`_PLAIN_TABLE`) read in one filtered pass over its
    rows, cells, paragraphs, text runs and span properties, or None when the table is not one this pass
    reads exactly as :func:`_row_cells` and :func:`_content_text` do: a nested table, a content control,
    a text box or a tracked change of the properties, text outside a paragraph, a gridBefore after a
    cell, or a table of one cell (a frame).  lxml filters the elements by tag in C; asking every element
    of the table its tag from Python cost more than all else the reader does with a table."""
    rows: list[list[list[Any]]] = []
    row: list[list[Any]] | None = None
    cell: list[Any] | None = None
    para: list[str] | None = None
    before = 0
    elements = tbl.iter(*_PLAIN_STREAM_TAGS, *_PLAIN_STREAM_BAIL)
    next(elements)  # the table itself
    for el in elements:
        tag = el.tag
        if tag == W_T and para is not None:
            para.append(el.text or "")
        elif tag == W_P and cell is not None:
            para = []
            cell[3].append(para)
        elif tag == W_TC and row is not None:
            cell, para = [max(before, 0), None, None, []], None
            row.append(cell)
            before = 0
        elif tag == W_TR:
            row, cell, para, before = [], None, None, 0
            rows.append(row)
        elif tag == W_GRID_BEFORE and row == [] and before == 0:
            before = _int_val(el, default=0) or -1  # -1: seen (a second one would not be the first)
        elif not _plain_property(tag, el, cell):
            return None
    if sum(len(r) for r in rows) == 1:
        return None
    return [[(c[0], c[1], c[2], _paragraphs_text(c[3])) for c in r] for r in rows]


def _plain_property(tag: str, el: etree._Element, cell: list[Any] | None) -> bool:
    """Record a cell's span property met in the plain pass (the first of each, as :func:`_props` takes
    it); False for anything the pass cannot read exactly (see :func:`_plain_rows`): a gridBefore after a
    row's first cell or a second one, a property outside a cell, a nested table, a content control…"""
    if tag == W_GRID_SPAN and cell is not None:
        cell[1] = cell[1] if cell[1] is not None else el
        return True
    if tag == W_V_MERGE and cell is not None:
        cell[2] = cell[2] if cell[2] is not None else el
        return True
    return False


def _paragraphs_text(paragraphs: list[list[str]]) -> str:
    """:func:`_content_text` of a plain cell whose paragraphs' w:t texts were gathered."""
    if len(paragraphs) == 1:
        text = "".join(paragraphs[0])
        if "\n" not in text:
            return clean_line(text)  # the usual cell: one paragraph, one line
    lines = [line for texts in paragraphs for line in "".join(texts).split("\n")]
    return clean_line(lines[0]) if len(lines) == 1 else clean_lines(lines)


def _span_rows(rows: list[list[_Described]]) -> list[list[SpanCell]]:
    """Rows of spanning cells: a vMerge restart gets the rowspan of the continue cells under it, and the
    continue cells themselves are dropped (their positions are covered)."""
    out: list[list[SpanCell]] = []
    open_merges: dict[int, SpanCell] = {}
    for row in rows:
        spans: list[SpanCell] = []
        col = 0
        for before, span, merge, text_of in row:
            if col >= MAX_COLUMNS:
                break  # wider than any real table: the rest is clamped away (expand_spans does too)
            if before:
                before = min(before, MAX_COLUMNS - col)
                spans.append(SpanCell("", colspan=before))
                col += before
            # spans past the widest grid are clamped to it: expand_spans clamps them the same way, and a
            # span of 10^9 must not be walked column by column
            width = 1 if span is None else min(max(1, _int_val(span)), MAX_COLUMNS - col)
            origin = open_merges.get(col)
            if merge is not None and merge.get(W_VAL, "continue") == "continue" and origin is not None:
                origin.rowspan += 1
            else:
                # expand_spans places at most MAX_COLUMNS cells of a row: the text of the rest is unused
                text = "" if len(spans) >= MAX_COLUMNS else text_of if isinstance(text_of, str) else text_of()
                cell = SpanCell(text, 1, width)
                spans.append(cell)
                if open_merges:
                    for c in range(col, col + width):
                        open_merges.pop(c, None)
                if merge is not None and merge.get(W_VAL) == "restart":
                    open_merges[col] = cell
            col += width
        out.append(spans)
    return out


def _props(el: etree._Element, props_tag: str, *tags: str) -> list[etree._Element | None]:
    """For each of ``tags``, its first element among the children of ``el``'s ``props_tag`` children
    (ElementPath's ``props/tag``), looked up by comparing tags: lxml's find costs microseconds a call."""
    found: list[etree._Element | None] = [None] * len(tags)
    for child in el:
        if child.tag == props_tag:
            for prop in child:
                tag = prop.tag
                for i, wanted in enumerate(tags):
                    if tag == wanted and found[i] is None:
                        found[i] = prop
    return found


def _cell_parts(
    tc: etree._Element,
) -> tuple[list[tuple[str, etree._Element]], etree._Element | None, etree._Element | None]:
    """A cell's paragraphs and content controls (with their tags), and its w:gridSpan and w:vMerge, in
    one pass over its children: lxml makes a new string each time an element is asked its tag, and the
    cells are most of a report's elements."""
    content: list[tuple[str, etree._Element]] = []
    span = merge = None
    for el in tc:
        tag = el.tag
        if tag == W_P or tag in _WRAPPERS:
            content.append((tag, el))
        elif tag == W_TC_PR:
            for prop in el:
                prop_tag = prop.tag
                if prop_tag == W_GRID_SPAN and span is None:
                    span = prop
                elif prop_tag == W_V_MERGE and merge is None:
                    merge = prop
    return content, span, merge


def _content_text(content: list[tuple[str, etree._Element]], plain: bool = False) -> str:
    """A cell's text from its parts (:func:`_cell_parts`), one line per paragraph or break.  ``plain``
    when the table's text is all in w:t of w:r of w:p of w:tc and it has no tabs or breaks
    (:data:`_PLAIN_TABLE`): a paragraph's text is then all of its text, which lxml's serializer gives
    without a walk in Python."""
    lines: list[str] = []
    for tag, el in content:
        if tag == W_P:
            text = (
                etree.tostring(el, method="text", encoding="unicode", with_tail=False)
                if plain
                else _text_of(el)
            )
            lines.extend(text.split("\n"))
        else:
            lines.extend(
                line for p in _block_children(el) if p.tag == W_P for line in _text_of(p).split("\n")
            )
    return clean_line(lines[0]) if len(lines) == 1 else clean_lines(lines)


_PLAIN_TABLE = etree.XPath(
    # every text node is one of those in w:tc/w:p/w:r/w:t (a subset of them: equal counts say all are);
    # counting is a third faster in libxml2 than testing each text node's ancestors
    "count(.//text()) = count(.//w:tc/w:p/w:r/w:t/text())"
    " and not(.//w:br | .//w:cr | .//w:noBreakHyphen | .//w:tab[not(parent::w:tabs)])",
    namespaces={"w": _NS["w"]},
)
"""Whether every text node of a table is in a w:t of a run of a cell's own paragraph, and no run holds
a tab or a break: the cells' text is then exactly their w:t text, in order."""
