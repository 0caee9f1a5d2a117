"""[Reference copy, before the issue 12 speed-up: see tests/extract/readers_before/__init__.py.]

Word (.docx) reader: the body in order (paragraphs and tables interleaved) -> blocks.

The package is inspected before python-docx opens it, so a zip bomb or a truncated file is refused
with a reason instead of exhausting memory.  Tables are read from the XML: horizontal merges
(``w:gridSpan``), vertical merges (``w:vMerge``) and skipped grid columns (``w:gridBefore``) are
expanded into a full grid — the same cells python-docx's ``row.cells`` repeats (one ``_tc`` for all
positions of a merged cell), without its assumption of a uniform grid.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from io import BytesIO
from typing import Any

from lxml import etree

from auditor.extract.ir import Block, RawDocument, ReadError
from tests.extract.readers_before.grid_before import (
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

_NS = {
    "w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "v": "urn:schemas-microsoft-com:vml",
    "o": "urn:schemas-microsoft-com:office:office",
    "mc": "http://schemas.openxmlformats.org/markup-compatibility/2006",
}


def _q(name: str) -> str:
    prefix, local = name.split(":")
    return f"{{{_NS[prefix]}}}{local}"


W_P, W_TBL, W_TR, W_TC, W_SDT, W_SDT_CONTENT = (
    _q(n) for n in ("w:p", "w:tbl", "w:tr", "w:tc", "w:sdt", "w:sdtContent")
)
W_CUSTOM_XML = _q("w:customXml")
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


def read_docx(data: bytes) -> RawDocument:
    """Blocks of a .docx body, with the core properties' title in meta.

    Raises ReadError for a corrupt, truncated or oversized package, or one without word/document.xml.
    """
    names = check_package(data)
    try:
        import docx

        document = docx.Document(BytesIO(data))
        reader = _BodyReader(document)
        reader.read(document.element.body)
    except ReadError:
        raise
    except Exception as exc:  # noqa: BLE001 - python-docx and lxml raise many kinds on malformed parts
        raise ReadError(f"无法解析 DOCX 文件（{type(exc).__name__}）") from None
    meta: dict[str, Any] = {"published": []}
    title = clean_line(document.core_properties.title or "") if "docProps/core.xml" in names else ""
    if title:
        meta["title"] = title
    return RawDocument(blocks=reader.blocks, format="docx", meta=meta)


def check_package(data: bytes) -> set[str]:
    """The member names of a .docx package, after refusing what must not be inflated or is not a .docx."""
    if not data:
        raise ReadError("文件为空")
    try:
        with zipfile.ZipFile(BytesIO(data)) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
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
                f"DOCX 成员 {info.filename} "
                f"压缩比异常（{info.file_size // max(info.compress_size, 1)}:1），疑似压缩炸弹"
            )
    names = {i.filename for i in infos}
    if "word/document.xml" not in names:
        raise ReadError("DOCX 中缺少 word/document.xml，不是 Word 文档")
    return names


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
    for child in el:
        if not isinstance(child.tag, str) or child.tag in _SKIPPED_SUBTREES:
            continue
        if child.tag in _TEXT_TAGS:
            fixed = _TEXT_TAGS[child.tag]
            parts.append(child.text or "" if fixed is None else fixed)
        else:
            parts.append(_text_of(child))
    return "".join(parts)


def _int_val(el: etree._Element | None, default: int = 1) -> int:
    if el is None:
        return default
    m = re.match(r"\s*(\d+)", el.get(_q("w:val"), ""))
    return int(m.group(1)) if m else default


class _BodyReader:
    """Walks the body of one document and collects its blocks."""

    def __init__(self, document: Any) -> None:
        self.blocks: list[Block] = []
        self._document = document
        self._next_table = 0

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
        style_id = p.find("w:pPr/w:pStyle", _NS)
        own = p.find("w:pPr/w:outlineLvl", _NS)
        if style_id is not None:
            level = self._style_level(style_id.get(_q("w:val"), ""))
            if level is not None:
                return level
        return _outline_level(own)

    def _style_level(self, style_id: str, depth: int = 0) -> int | None:
        style = self._document.styles.element.get_by_id(style_id)
        if style is None or depth > 5:
            return None
        name = (style.name_val or "").strip()
        if name.lower() == "title":
            return 1
        m = _HEADING_NAME.match(name)
        if m:
            return int(m.group(1))
        level = _outline_level(style.find("w:pPr/w:outlineLvl", _NS))
        if level is not None:
            return level
        based = style.find("w:basedOn", _NS)
        return self._style_level(based.get(_q("w:val"), ""), depth + 1) if based is not None else None

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
        rel = self._document.part.rels.get(rid) if rid else None
        if rel is None:
            return None
        return str(rel.target_ref).rsplit("/", 1)[-1]

    # -- tables ----------------------------------------------------------------------------------

    def _table(self, tbl: etree._Element) -> None:
        rows = [list(_row_cells(tr)) for tr in _rows(tbl)]
        cells = [tc for row in rows for _, tc in row]
        if len(cells) == 1 or any(tc.find(f".//{W_TBL}") is not None for tc in cells):
            for tc in cells:  # a table used as a frame, or holding tables: its cells are running content
                self.read(tc)
            return
        blocks = row_blocks(expand_spans(_span_rows(rows)), self._next_table)
        if blocks:
            self.blocks.extend(blocks)
            self._next_table += 1


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
    before = _int_val(tr.find("w:trPr/w:gridBefore", _NS), default=0)
    for child in tr:
        if child.tag == W_TC:
            yield before, child
            before = 0
        elif child.tag in _WRAPPERS:
            for tc in child.iter(W_TC):
                yield before, tc
                before = 0


def _span_rows(rows: list[list[tuple[int, etree._Element]]]) -> list[list[SpanCell]]:
    """Rows of spanning cells: a vMerge restart gets the rowspan of the continue cells under it, and the
    continue cells themselves are dropped (their positions are covered)."""
    out: list[list[SpanCell]] = []
    open_merges: dict[int, SpanCell] = {}
    for row in rows:
        spans: list[SpanCell] = []
        col = 0
        for before, tc in row:
            if before:
                spans.append(SpanCell("", colspan=before))
                col += before
            width = max(1, _int_val(tc.find("w:tcPr/w:gridSpan", _NS)))
            merge = tc.find("w:tcPr/w:vMerge", _NS)
            origin = open_merges.get(col)
            if merge is not None and merge.get(_q("w:val"), "continue") == "continue" and origin is not None:
                origin.rowspan += 1
            else:
                cell = SpanCell(_cell_text(tc), colspan=width)
                spans.append(cell)
                for c in range(col, col + width):
                    open_merges.pop(c, None)
                if merge is not None and merge.get(_q("w:val")) == "restart":
                    open_merges[col] = cell
            col += width
        out.append(spans)
    return out


def _cell_text(tc: etree._Element) -> str:
    lines: list[str] = []
    for el in _block_children(tc):
        if el.tag == W_P:
            lines.extend(_text_of(el).split("\n"))
    return clean_lines(lines)
