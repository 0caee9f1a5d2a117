"""The variation real reports show, generated from a clean seed: every variant must give the same grid.

Each test rewrites seed 001 (a clean 2021-format report in tab-separated layout) the way real reports
differ — traditional characters, full-width digits, thousands separators, units and notes inside cells,
labels split across lines, added subtotal rows, other heading styles — and checks that the extracted
T2/T3/T4 values are exactly those of the original.
"""

from __future__ import annotations

import re

import opencc
import pytest

from auditor.extract import ReadError, extract
from tests.extract.expected_model import SHARED

SEED = next((SHARED / "seeds").glob("001_*.txt")).read_text(encoding="utf-8")


def grid(doc):
    return {
        (t.kind, t.template, r, c): cell.value
        for t in doc.tables
        for (r, c), cell in t.cells.items()
    }


ORIGINAL = extract(SEED.encode("utf-8"), "001.txt")


def same_grid(text: str, encoding: str = "utf-8") -> None:
    doc = extract(text.encode(encoding), "variant.txt")
    assert all(t.readable for t in doc.tables), [t.problems for t in doc.tables]
    assert grid(doc) == grid(ORIGINAL)
    assert {s.key for s in doc.sections} == set("一二三四五六")
    assert doc.year == 2022


def test_original_is_complete():
    assert {t.kind for t in ORIGINAL.tables} == {"T2", "T3", "T4"}
    assert all(t.readable for t in ORIGINAL.tables)


def test_traditional_characters():
    same_grid(opencc.OpenCC("s2t").convert(SEED))


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-16"])
def test_chinese_encodings(encoding):
    same_grid(SEED, encoding)


def test_fullwidth_digits_and_brackets():
    table = str.maketrans("0123456789()", "０１２３４５６７８９（）")
    same_grid(SEED.translate(table))


def test_thousands_separators_and_units():
    text = SEED.replace("\t10465\t", "\t10,465\t").replace("\t67\t", "\t67件\t")
    same_grid(text)


def test_labels_split_across_lines_and_notes():
    text = SEED.replace("规章\t0\t0\t0", "规章(设区的市以上人民政府应提供相关数据)\t0\t0\t0")
    text = text.replace("社会公益组织", "社会公\n益组织")
    same_grid(text)


def test_placeholders_count_as_zero_and_keep_their_text():
    text = SEED.replace("行政强制\t0\t", "行政强制\t—\t")
    doc = extract(text.encode(), "v.txt")
    cell = doc.table("T2").cell("enforcement", "decisions")
    assert (cell.kind, cell.raw, cell.number) == ("placeholder", "—", 0)


def test_added_subtotal_rows_are_recognised_not_counted():
    lines = SEED.split("\n")
    at = next(i for i, line in enumerate(lines) if "(四) 无法提供" in line)
    lines.insert(at, "\t(三) 不予公开 小计\t1\t0\t0\t0\t0\t0\t1")
    doc = extract("\n".join(lines).encode(), "v.txt")
    t3 = doc.table("T3")
    assert t3.readable and t3.extra_rows
    assert grid(doc) == grid(ORIGINAL)


@pytest.mark.parametrize(
    "style",
    [
        lambda k, h: f"{'一二三四五六'.index(k) + 1}、{h}",
        lambda k, h: f"## {k}、{h}",
        lambda k, h: f"{k}．{h}",
    ],
)
def test_heading_styles(style):
    text = SEED
    headings = ["总体情况", "主动公开政府信息情况", "收到和处理政府信息公开申请情况",
                "政府信息公开行政复议、行政诉讼情况", "存在的主要问题及改进情况", "其他需要报告的事项"]
    for key, heading in zip("一二三四五六", headings, strict=True):
        text = re.sub(rf"^#*\s*{key}、{heading}\s*$", style(key, heading), text, flags=re.MULTILINE)
    doc = extract(text.encode(), "v.txt")
    assert [s.key for s in doc.sections] == list("一二三四五六")
    assert grid(doc) == grid(ORIGINAL)


def test_a_missing_section_is_absent_not_invented():
    text = re.sub(r"^#*\s*六、其他需要报告的事项\s*$", "", SEED, flags=re.MULTILINE)
    doc = extract(text.encode(), "v.txt")
    assert [s.key for s in doc.sections] == list("一二三四五")


def test_a_row_sum_error_is_kept_for_the_rules():
    text = SEED.replace("一、本年新收政府信息公开申请数量\t\t12\t0",
                        "一、本年新收政府信息公开申请数量\t\t11\t0")
    t3 = extract(text.encode(), "v.txt").table("T3")
    assert t3.readable and t3.value("new", "natural") == 11 and t3.value("new", "total") == 12


def test_a_page_with_no_report_is_unreadable():
    with pytest.raises(ReadError):
        extract("欢迎访问本网站。\n联系我们：电话 12345。\n".encode(), "x.txt")


def test_markup_in_a_value_cell_stays_a_value():
    text = SEED.replace("(一) 予以公开\t10\t", "(一) 予以公开\t<script>alert(1)</script>\t")
    t3 = extract(text.encode(), "v.txt").table("T3")
    assert t3.readable
    cell = t3.cell("granted", "natural")
    assert (cell.kind, cell.raw) == ("text", "<script>alert(1)</script>")


def test_a_scanned_document_is_image_only_not_unreadable():
    from auditor.samples import badinput

    doc = extract(badinput.scanned_pdf(), "scan.pdf")
    assert doc.meta["image_only"] is True
    assert [i.code for i in doc.issues] == ["FMT-007"] * 3
    assert all(t.image_only for t in doc.tables)


def test_a_markdown_image_where_a_table_belongs_is_image_only():
    text = re.sub(r"(### 三、收到和处理政府信息公开申请情况\n)(.*?)(\n#### 四、)", r"\1\n![表三](t3.png)\n\3",
                  SEED, flags=re.DOTALL)
    doc = extract(text.encode(), "v.md")
    t3 = doc.table("T3")
    assert t3.image_only and [i.code for i in doc.issues] == ["FMT-007"]
