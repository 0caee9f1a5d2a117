"""Section headings wherever real reports put them, on the real documents and on layouts imitating them.

Each generated layout rewrites seed 001 (a clean 2021-format report) the way a real publication is
laid out and checks that the six sections are found, in order, with the wording as written kept for
SEC-003; the real documents are checked for what they hold and for what they do not.
"""

from __future__ import annotations

import contextlib
import re
import time

import pytest

from auditor.extract import ReadError, extract
from auditor.extract.headings import MAX_SCORED_CANDIDATES
from auditor.extract.readers.text import read_text
from auditor.extract.structure import build_document
from auditor.templates import SECTION_HEADINGS
from tests.extract.expected_model import SHARED

SEED = next((SHARED / "seeds").glob("001_*.txt")).read_text(encoding="utf-8")
REAL = SHARED / "real"
ALL = list("一二三四五六")


def sections(text: str) -> dict[str, str]:
    doc = extract(text.encode("utf-8"), "layout.txt")
    return {s.key: s.heading for s in doc.sections}


def real(name: str):
    path = REAL / name
    return extract(path.read_bytes(), path.name)


# ---------------------------------------------------------------------------------- real documents


@pytest.mark.parametrize("year", [2021, 2022, 2023])
def test_hebei_jyt_four_in_the_tiaoli_wording_is_section_four(year):
    doc = real(f"hebei-jyt-{year}.txt")
    assert [s.key for s in doc.sections] == ALL
    four = doc.section("四")
    assert four.heading == "四、因政府信息公开工作被申请行政复议、提起行政诉讼情况"
    assert four.similarity < 1.0 and four.numbering_ok  # a deviation for SEC-003, not a missing section


def test_hebei_jyt_2019_has_no_section_six_and_none_is_invented():
    doc = real("hebei-jyt-2019.txt")
    assert [s.key for s in doc.sections] == list("一二三四五")
    assert doc.section("五").text.rstrip().endswith("2020年1月15日")


def test_shanghai_office_2025_section_five_is_there_without_its_heading():
    doc = real("shanghai-office-2025.md")
    assert [s.key for s in doc.sections] == ALL
    five = doc.section("五")
    assert five.heading == "" and five.similarity == 0.0 and not five.numbering_ok
    assert five.text.startswith("（一）2024 年工作中存在问题的改进情况")
    assert "（二）2025 年工作中存在的主要问题" in five.text
    assert "改进情况" not in doc.section("四").text  # 四 ends with its table


# ---------------------------------------------------------------------------------- generated layouts


def test_inline_after_fullwidth_indent_like_portal_exports():
    """"　　一、总体情况　　2022 年，…" on one line, as portal text exports write it."""
    text = SEED.replace("\n\n## 一、总体情况\n\n### （一）主动公开情况\n\n", "\n　　一、总体情况　　")
    found = sections(text)
    assert list(found) == ALL and found["一"] == "一、总体情况"


def test_inline_after_the_previous_sentence_like_archive_exports():
    """Headings run on after the previous sentence's full stop, with or without spaces."""
    text = SEED.replace("\n\n#### 六、其他需要报告的事项\n\n", "　　六、其他需要报告的事项　　")
    text = text.replace("\n\n## 二、主动公开政府信息情况\n", "二、主动公开政府信息情况\n")
    found = sections(text)
    assert list(found) == ALL
    assert found["二"] == "二、主动公开政府信息情况" and found["六"] == "六、其他需要报告的事项"


def test_ascii_indent_and_bold_markdown():
    text = SEED.replace("## 一、总体情况", "    一、总体情况")
    text = text.replace("## 二、主动公开政府信息情况", "**二、主动公开政府信息情况**")
    assert list(sections(text)) == ALL


@pytest.mark.parametrize(
    ("key", "written"),
    [
        ("一", "一、基本情况"),
        ("一", "一、概述"),
        ("四", "四、因政府信息公开工作被申请行政复议、提起行政诉讼情况"),
        ("五", "五、政府信息公开工作存在的主要问题及改进情况"),
    ],
)
def test_variant_wordings_on_their_own_line_and_inline(key, written):
    pattern = rf"^#*\s*{key}、{SECTION_HEADINGS[key]}$"
    own_line = re.sub(pattern, written, SEED, count=1, flags=re.MULTILINE)
    assert sections(own_line)[key] == written
    if key in ("一", "五"):  # a heading followed by narrative on the same line
        inline = re.sub(pattern + r"\n\n", "　　" + written + "　　", SEED, count=1, flags=re.MULTILINE)
        inline = inline.replace("### （一）主动公开情况\n\n", "")
        found = sections(inline)
        assert list(found) == ALL and found[key] == written


def test_numbered_items_inside_a_section_are_not_headings():
    """A section that numbers its own points "一、…二、…" keeps them as text."""
    items = "\n\n一、加强组织领导，落实工作责任。\n\n二、主动公开工作仍需加强\n\n三、强化申请办理\n\n"
    text = SEED.replace("#### 五、存在的主要问题及改进情况\n", "#### 五、存在的主要问题及改进情况\n" + items)
    found = sections(text)
    assert found == sections(SEED)


def test_a_lost_heading_is_not_inferred_without_its_content():
    """Section 五 is only inferred from sub-headings that name its problems or measures."""
    text = re.sub(r"^#*\s*五、存在的主要问题及改进情况\s*$", "", SEED, flags=re.MULTILINE)
    assert "五" in sections(text)  # its "（一）主要问题" stands after 表四
    text = re.sub(r"\n[（(][一二][)）]\s*(主要问题|改进情况)[^\n]*", "\n", text)
    text = text.replace("(一) 主要问题。", "").replace("(二) 改进措施。", "")
    assert "五" not in sections(text)


# ---------------------------------------------------------------------------------- bounded work


def test_megabytes_of_heading_lines_take_linear_time():
    """A few MB made of nothing but heading lines (each different): linear, bounded, < 2 s."""
    lines = [f"{'一二三四五六'[i % 6]}、主动公开政府信息情况第{i}项" for i in range(50_000)]
    data = "\n".join(lines).encode("utf-8")
    assert len(data) > 2_000_000 and len(lines) > 50 * MAX_SCORED_CANDIDATES
    raw = read_text(data)
    start = time.perf_counter()
    doc = build_document(raw, source="big.txt", sha256="0")
    assert time.perf_counter() - start < 2.0
    assert [s.key for s in doc.sections] == ALL
    assert len(doc.extra_headings) <= 20


# ---------------------------------------------------------------------------------- titles


def test_shanghai_office_2025_title_over_two_lines():
    doc = real("shanghai-office-2025.md")
    assert doc.title == "2025年上海市人民政府办公厅政府信息公开工作年度报告"
    assert (doc.agency, doc.year) == ("上海市人民政府办公厅", 2025)


def test_hebei_jyt_has_no_title_and_none_is_made_up():
    for year in (2019, 2021, 2022, 2023):
        assert real(f"hebei-jyt-{year}.txt").title is None


@pytest.mark.parametrize(
    ("lines", "title"),
    [
        (["上海市人民政府办公厅", "2025 年政府信息公开", "工作年度报告"],
         "上海市人民政府办公厅2025年政府信息公开工作年度报告"),
        (["2025 年上海市人民政府办公厅政府信息公开", "工作年度报告"],
         "2025年上海市人民政府办公厅政府信息公开工作年度报告"),
        (["上海市人民政府办公厅2025年政府信息", "公开工作年度报告"],
         "上海市人民政府办公厅2025年政府信息公开工作年度报告"),
    ],
)
def test_a_title_broken_over_lines_like_pdf_to_markdown(lines, title):
    body = SEED.replace("# 卫滨区人民政府 2022 年政府信息公开工作年度报告", "正文\n" + "\n".join(lines))
    assert extract(body.encode("utf-8"), "layout.md").title == title


def _page(head: str, body_title: str = "") -> bytes:
    article = SEED.replace("# 卫滨区人民政府 2022 年政府信息公开工作年度报告", body_title)
    paras = "".join(f"<p>{line}</p>" for line in article.splitlines() if line.strip() and "\t" not in line)
    return f"<html><head>{head}</head><body><div>{paras}</div></body></html>".encode()


@pytest.mark.parametrize(
    "head",
    [
        '<title>卫滨区人民政府2022年政府信息公开工作年度报告_卫滨区人民政府</title>',
        ('<title>政务公开</title><meta name="ArticleTitle" content="卫滨区人民政府2022年政府信息'
         '公开工作年度报告">'),
        ('<title>政务公开</title><meta property="og:title" content="卫滨区人民政府2022年政府信息'
         '公开工作年度报告">'),
    ],
)
def test_the_pages_own_title_where_the_body_has_none(head):
    doc = extract(_page(head), "page.html")
    assert doc.title == "卫滨区人民政府2022年政府信息公开工作年度报告"


def test_the_bodys_title_wins_over_the_pages():
    doc = extract(_page("<title>首页_政务公开</title>",
                        "老城区机关事务服务中心2022年政府信息公开工作年度报告"), "p.html")
    assert doc.title == "老城区机关事务服务中心2022年政府信息公开工作年度报告"


def test_every_wording_holds_its_sections_cheap_test_words():
    """The cheap first test may only reject what no wording of the section could match."""
    from auditor.extract.headings import _KEY_SIGNS, SECTION_VARIANTS, _wordings

    for key, variants in SECTION_VARIANTS.items():
        for wording in (*_wordings(key), *variants):
            assert any(word in wording for word in _KEY_SIGNS[key]), wording


def test_a_megabyte_paragraph_full_of_numbered_items_takes_bounded_time():
    """One line made of "一、…四、行政复议…" items (each different): inline tests are bounded."""
    items = "".join(f"{'一二三四五六'[i % 6]}、行政复议申请问题改进其他第{i}项。" for i in range(60_000))
    raw = read_text(items.encode("utf-8"))
    start = time.perf_counter()
    with contextlib.suppress(ReadError):  # no report in it: a one-line reason, in bounded time
        build_document(raw, source="run.txt", sha256="0")
    assert time.perf_counter() - start < 2.0
