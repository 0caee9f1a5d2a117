"""The PDF reader: tables from ruling lines, text between them, tables across pages, scans, bad files."""

from __future__ import annotations

import time
from collections.abc import Callable
from io import BytesIO
from typing import Any

import pytest
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfgen import canvas
from reportlab.platypus import Image, PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from auditor.extract.ir import Block, ReadError
from auditor.extract.readers.pdf import read_pdf
from auditor.samples import badinput, make_report, render_pdf
from auditor.samples.render import PDF_FONT, register_pdf_font
from tests.extract.reader_support import body_texts, expected_tables, paras, tables_of

register_pdf_font()
BODY = ParagraphStyle("body", fontName=PDF_FONT, fontSize=10.5, leading=16)
LONG = "本机关全年共收到政府信息公开申请51件，已全部按期答复，其中予以公开26件、部分公开7件。" * 4


def _build(story: list[Any], on_page: Callable[[Any, Any], None] | None = None) -> bytes:
    buf = BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, invariant=True)
    hook = on_page or (lambda c, d: None)
    doc.build(story, onFirstPage=hook, onLaterPages=hook)
    return buf.getvalue()


def _table(rows: list[list[Any]], widths: list[float], spans: tuple[Any, ...] = (), **kw: Any) -> Table:
    style = [("GRID", (0, 0), (-1, -1), 0.6, "black"), ("FONTNAME", (0, 0), (-1, -1), PDF_FONT), *spans]
    return Table(rows, colWidths=widths, style=TableStyle(style), **kw)


def _rows(raw) -> list[tuple[list[str], list[bool], int | None]]:
    return [(b.cells, b.cont, b.table) for b in raw.blocks if b.kind == "row"]


# ------------------------------------------------------------------------------------------ generated


@pytest.mark.parametrize(
    "seed,year,level", [(41, 2023, "department"), (42, 2020, "government"), (43, 2021, "township")]
)
def test_generated_report_gives_its_text_and_tables(seed: int, year: int, level: str) -> None:
    report = make_report(seed, year=year, level=level)
    raw = read_pdf(render_pdf(report))
    assert [b.text for b in paras(raw)] == body_texts(report)  # wrapped lines joined, nothing else
    assert tables_of(raw) == expected_tables(report, wrapped="")
    assert raw.meta == {"published": [], "pages": raw.meta["pages"], "title": report.title}
    assert raw.format == "pdf"


# ------------------------------------------------------------------------------------- tables across pages


def test_a_long_table_keeps_its_index_across_pages() -> None:
    rows = [[f"项目{i}", str(i), str(2 * i)] for i in range(90)]
    data = _build([Paragraph("表一", BODY), _table(rows, [200, 100, 100])])
    raw = read_pdf(data)
    assert raw.meta["pages"] >= 2
    assert _rows(raw) == [(row, [False] * 3, 0) for row in rows]


def _draw_grid(pdf: canvas.Canvas, cells: list[tuple[int, int, int, int, str]], top: float) -> None:
    """Ruled cells (row, column, rowspan, colspan, text) as Word prints them, rows 20 pt, columns 120 pt."""
    pdf.setFont(PDF_FONT, 10)
    for row, col, rowspan, colspan, text in cells:
        x, y = 72 + 120 * col, top - 20 * (row + rowspan)
        pdf.rect(x, y, 120 * colspan, 20 * rowspan)
        pdf.drawString(x + 4, top - 20 * row - 14, text)


def test_a_merged_label_cut_by_the_page_break_carries_on() -> None:
    buf = BytesIO()
    pdf = canvas.Canvas(buf, pagesize=A4, invariant=True)
    first = [(0, 0, 4, 1, "三、本年度办理结果")]
    first += [c for i in range(4) for c in ((i, 1, 1, 1, f"第{i}行"), (i, 2, 1, 1, str(i)))]
    _draw_grid(pdf, first, 200)  # the page ends here, inside the merged cell
    pdf.showPage()
    rest = [(0, 0, 3, 1, "")] + [
        c for i in range(3) for c in ((i, 1, 1, 1, f"第{i + 4}行"), (i, 2, 1, 1, ""))
    ]
    _draw_grid(pdf, rest, 800)  # Word leaves the rest of the merged cell empty on the new page
    pdf.save()
    got = _rows(read_pdf(buf.getvalue()))
    assert [cells for cells, _, _ in got] == [
        ["三、本年度办理结果", f"第{i}行", str(i) if i < 4 else ""] for i in range(7)
    ]
    assert [cont for _, cont, _ in got] == [[i > 0, False, False] for i in range(7)]
    assert {table for _, _, table in got} == {0}


def test_a_split_off_header_row_joins_the_rest_of_its_table() -> None:
    header = ["行政复议", "", "行政诉讼", ""]
    rows = [header, ["结果维持", "总计", "结果维持", "总计"], ["1", "1", "0", "0"]]
    spans = (("SPAN", (0, 0), (1, 0)), ("SPAN", (2, 0), (3, 0)))
    table = _table(rows, [100] * 4, spans, rowHeights=[20, 20, 20])
    frame_height = A4[1] - 2 * 72 - 2 * 6
    raw = read_pdf(_build([Spacer(1, frame_height - 30), table]))  # room for the first row only
    assert raw.meta["pages"] == 2
    assert _rows(raw) == [
        (["行政复议", "行政复议", "行政诉讼", "行政诉讼"], [False, True, False, True], 0),
        (["结果维持", "总计", "结果维持", "总计"], [False] * 4, 0),
        (["1", "1", "0", "0"], [False] * 4, 0),
    ]


def test_a_table_after_text_or_of_other_columns_is_a_new_table() -> None:
    a = _table([["a", "1", "2"], ["b", "3", "4"]], [200, 100, 100])
    b = _table([["c", "5", "6"], ["d", "7", "8"]], [200, 100, 100])
    other = _table([["e", "9"], ["f", "0"]], [150, 250])
    after_text = read_pdf(_build([a, PageBreak(), Paragraph("说明", BODY), b]))
    assert [t for _, _, t in _rows(after_text)] == [0, 0, 1, 1]
    other_columns = read_pdf(_build([a, PageBreak(), other]))
    assert [t for _, _, t in _rows(other_columns)] == [0, 0, 1, 1]
    same_geometry = read_pdf(_build([a, PageBreak(), b]))  # indistinguishable from a continuation
    assert [t for _, _, t in _rows(same_geometry)] == [0, 0, 0, 0]


# ------------------------------------------------------------------------------------------ text


def test_wrapped_lines_are_one_paragraph_and_page_numbers_go() -> None:
    def number(c: Any, doc: Any) -> None:
        c.setFont("Helvetica", 9)
        c.drawCentredString(A4[0] / 2, 30, f"- {doc.page} -")

    story = [Paragraph("一、总体情况", BODY), Paragraph(LONG, BODY), PageBreak(), Paragraph("二、其他", BODY)]
    raw = read_pdf(_build(story, number))
    assert raw.blocks == [
        Block("para", text="一、总体情况"),
        Block("para", text=LONG),
        Block("para", text="二、其他"),
    ]


def test_pictures_on_text_pages_and_scans() -> None:
    story = [
        Paragraph("表三如下：", BODY),
        Image(BytesIO(badinput.png(32, 32)), width=300, height=150),
        Image(BytesIO(badinput.png()), width=16, height=16),  # a bullet-sized picture
        Paragraph("以上。", BODY),
    ]
    raw = read_pdf(_build(story))
    assert raw.blocks == [
        Block("para", text="表三如下："),
        Block("image", text="第1页图片"),
        Block("para", text="以上。"),
    ]
    scan = read_pdf(badinput.scanned_pdf(pages=3))
    assert scan.blocks == [Block("image", text=f"第{n}页图片") for n in (1, 2, 3)]


def test_text_aligned_figures_without_ruling_are_a_table() -> None:
    buf = BytesIO()
    pdf = canvas.Canvas(buf, pagesize=A4, invariant=True)
    pdf.setFont(PDF_FONT, 11)
    pdf.drawString(72, 780, "四、复议诉讼")
    for i, (label, *numbers) in enumerate([("结果维持", "1", "2", "3"), ("结果纠正", "0", "1", "0"),
                                           ("其他结果", "2", "0", "1"),
                                           ("尚未审结", "0", "0", "4")]):  # fmt: skip
        y = 740 - 20 * i
        pdf.drawString(72, y, label)
        for j, n in enumerate(numbers):
            pdf.drawString(250 + 80 * j, y, n)
    pdf.showPage()
    pdf.setFont(PDF_FONT, 11)
    for i in range(6):
        pdf.drawString(72, 780 - 18 * i, f"第{i}行正文，没有表格线" + "，也没有成列的数字" * i + "。")
    pdf.save()
    raw = read_pdf(buf.getvalue())
    rows = [cells for cells, _, _ in _rows(raw)]
    assert ["结果维持", "1", "2", "3"] in rows and ["尚未审结", "0", "0", "4"] in rows
    assert sum(1 for b in raw.blocks if b.kind == "para" and b.text.startswith("第")) == 6


# ------------------------------------------------------------------------------------- limits and bad input


def test_page_limit_and_time_budget() -> None:
    data = badinput.scanned_pdf(pages=3)
    with pytest.raises(ReadError, match="页数过多"):
        read_pdf(data, max_pages=2)
    with pytest.raises(ReadError, match="超时"):
        read_pdf(render_pdf(make_report(1)), time_budget=0)


BAD: dict[str, Callable[[], bytes]] = {
    "empty": badinput.empty,
    "garbage": badinput.binary_garbage,
    "truncated": badinput.truncated_pdf,
    "encrypted": badinput.encrypted_pdf,
    "not-a-pdf": badinput.page_without_report,
    "no-objects": lambda: b"%PDF-1.4\n1 0 obj << /Type /Nothing >>\nendobj\ntrailer << >>\n%%EOF\n",
}


@pytest.mark.parametrize("make", BAD.values(), ids=BAD.keys())
def test_bad_files_are_refused_quickly(make: Callable[[], bytes]) -> None:
    data = make()
    started = time.monotonic()
    with pytest.raises(ReadError) as err:
        read_pdf(data)
    assert time.monotonic() - started < 2.0
    assert str(err.value) and "\n" not in str(err.value)


def test_encrypted_and_truncated_say_so() -> None:
    with pytest.raises(ReadError, match="加密"):
        read_pdf(badinput.encrypted_pdf())
    with pytest.raises(ReadError, match="不完整"):
        read_pdf(badinput.truncated_pdf())


# ------------------------------------------------------------------------------------------ engines


def _blocks(raw) -> list[tuple[Any, ...]]:
    return [(b.kind, b.text, b.cells, b.cont, b.table) for b in raw.blocks]


def _long_table() -> bytes:
    rows = [[f"项目{i}", str(i), str(2 * i)] for i in range(90)]
    return _build([Paragraph(LONG, BODY), _table(rows, [200, 100, 100]), Paragraph(LONG, BODY)])


ENGINE_CASES: dict[str, Callable[[], bytes]] = {
    **{
        f"report-{seed}-{year}": (
            lambda s=seed, y=year, lv=level: render_pdf(make_report(s, year=y, level=lv))
        )
        for seed, year, level in ((3, 2019, "government"), (4, 2021, "department"), (5, 2024, "township"))
    },
    "long-table-across-pages": _long_table,
    "scan": lambda: badinput.scanned_pdf(pages=2),
}


@pytest.mark.parametrize("make", ENGINE_CASES.values(), ids=ENGINE_CASES.keys())
def test_pdfium_reads_exactly_what_pdfminer_reads(make: Callable[[], bytes]) -> None:
    """PDFium is the fast engine; pdfminer the reference whose layout the geometry was built on."""
    data = make()
    fast, reference = read_pdf(data, engine="pdfium"), read_pdf(data, engine="pdfminer")
    assert _blocks(fast) == _blocks(reference)
    assert fast.meta == reference.meta


def test_a_rotated_page_is_read_by_pdfminer() -> None:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(render_pdf(make_report(6, year=2022)))
    pdf[0].set_rotation(90)
    buf = BytesIO()
    pdf.save(buf)
    data = buf.getvalue()
    assert _blocks(read_pdf(data, engine="pdfium")) == _blocks(read_pdf(data, engine="pdfminer"))


def _flate_bomb(inflated: int) -> bytes:
    """A one-page PDF whose content stream is a run of spaces compressed about 1000:1."""
    import zlib

    packer = zlib.compressobj(9)
    chunk = b" " * (1 << 20)
    stream = b"".join(packer.compress(chunk) for _ in range(inflated >> 20)) + packer.flush()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    return out + b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)


@pytest.mark.parametrize("engine", ["pdfium", "pdfminer"])
def test_a_flate_bomb_is_refused_before_it_is_inflated(engine: str) -> None:
    data = _flate_bomb(160 << 20)  # 160 MB of spaces in about 160 KB
    assert len(data) < 1 << 20
    started = time.monotonic()
    with pytest.raises(ReadError, match="压缩炸弹"):
        read_pdf(data, engine=engine)
    assert time.monotonic() - started < 3.0


def test_an_ordinary_flate_stream_passes_the_bomb_check() -> None:
    data = _flate_bomb(2 << 20)  # 2 MB of spaces: large for a page, still a page
    assert read_pdf(data).blocks == []


def test_pdfs_read_from_several_threads_at_once_read_as_alone() -> None:
    """PDFium is not thread-safe (a distributed worker runs several site tasks in threads): concurrent
    reads are serialised, so each gives what it gives alone — without the lock this corrupts PDFium's
    heap and aborts the process."""
    from concurrent.futures import ThreadPoolExecutor

    files = [render_pdf(make_report(seed, year=2022)) for seed in range(4)]
    alone = [_blocks(read_pdf(data)) for data in files]
    with ThreadPoolExecutor(4) as pool:
        together = list(pool.map(lambda data: _blocks(read_pdf(data)), files * 4))
    assert together == alone * 4
