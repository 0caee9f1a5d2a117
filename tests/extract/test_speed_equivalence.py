"""The cheaper forms of extraction helpers give what the forms they replaced gave (issue 12)."""

from __future__ import annotations

import random
import re
from decimal import Decimal

from auditor.extract.cells import parse_cell
from auditor.extract.ir import Block
from auditor.extract.rows import _is_label, row_from_block
from auditor.extract.structure import _cited_names
from auditor.extract.textcodec import clean_cell
from auditor.model import Cell


def _cited_by_own_pattern(text: str, short: str) -> list[str]:
    """The pattern _full_name compiled for each body name before (about 1 ms a compile)."""
    cited = re.compile(
        r"(?:^|[^\u4e00-\u9fff])(?P<full>[\u4e00-\u9fff]{1,14}?"
        + re.escape(short)
        + r")\s*(?:19|20)\d{2}\s*年度?\s*(?:政府信息公开|政务公开)"
    )
    return [m.group("full") for m in cited.finditer(text)]


_PIECES = ["河北省", "省", "教育厅", "厅", "附件：", "发布", "2022", "2021年", "年度", "年", " ", "，",
           "政府信息公开", "政务公开", "工作年度报告", "a", "1", "关于", "市人民政府办公室"]  # fmt: skip


def test_cited_names_match_the_per_name_pattern() -> None:
    rng = random.Random(12)
    found = 0
    for _ in range(4000):
        text = "".join(rng.choice(_PIECES) for _ in range(rng.randint(1, 14)))
        if rng.random() < 0.5:  # a cited title somewhere: a name, a year, the title words
            title = rng.choice(["河北省教育厅", "教育厅", "发布市人民政府办公室", "省政府"])
            title += rng.choice(["", " "])
            title += rng.choice(["2022年", "2021 年度", "2023年 "]) + rng.choice(["政府信息公开", "政务公开"])
            cut = rng.randint(0, len(text))
            text = text[:cut] + title + text[cut:]
        short = rng.choice(["教育厅", "省教育厅", "厅", "人民政府办公室", "政府"])
        expected = _cited_by_own_pattern(text, short)
        assert _cited_names(text, short) == expected, (text, short)
        found += bool(expected)
    assert found > 100  # the generator does make cited titles


def test_cited_names_real_forms() -> None:
    text = "附件：河北省教育厅2022年政府信息公开工作年度报告；发布河北省教育厅 2021年度政务公开"
    assert _cited_names(text, "省教育厅") == ["河北省教育厅", "发布河北省教育厅"]
    assert _cited_names("教育厅2022年政府信息公开", "教育厅") == []  # nothing in front of the name


def test_parse_cell_fields() -> None:
    """parse_cell passes Cell's fields by position: each lands in its own field, recovered unset."""
    expected = Cell(raw="12件", kind="text", value=Decimal(12), unit="件", reading="数字带单位")
    assert parse_cell("12件") == expected
    assert parse_cell(" 3万元") == Cell(raw=" 3万元", kind="number", value=Decimal(3), unit="万元")
    assert parse_cell("十二") == Cell(raw="十二", kind="text", value=Decimal(12), reading="中文数字")
    first, second = parse_cell("5"), parse_cell("5")
    first.recovered = "split"
    assert second.recovered is None  # a fresh cell per call: callers mark recovery on their own cell


def _row_before(block: Block) -> tuple[list[str], list[str]]:
    """row_from_block's labels and values as the loop it replaced computed them."""
    cells = [clean_cell(c) for c in block.cells]
    is_label = [_is_label(c) for c in cells]
    last_label = len(cells) - 1 - is_label[::-1].index(True) if True in is_label else -1
    labels: list[str] = []
    for i in range(last_label + 1):
        if is_label[i] and (not labels or labels[-1] != cells[i]):
            labels.append(cells[i])
    after = last_label + 1
    values = [c for c, merged in zip(cells[after:], block.cont[after:], strict=False) if not merged]
    return labels, values


def test_row_from_block_matches_the_loop_it_replaced() -> None:
    rng = random.Random(7)
    pieces = ["", " ", "12", "-", "无", "（一）", "1.属于国家秘密", "总计", "十二", "3件", "其他", "说明"]
    for _ in range(3000):
        cells = [rng.choice(pieces) for _ in range(rng.randint(0, 10))]
        cont = [rng.random() < 0.2 for _ in cells]
        block = Block("row", cells=cells, cont=cont)
        row = row_from_block(block)
        assert (row.labels, row.values) == _row_before(block), (cells, cont)
        assert row.cells == [clean_cell(c) for c in cells] and row.cont == cont


_HOSTILE_PAGES = [
    "<html><body><div id='a'>发布时间：<b>2024</b>-01-1<i>5</i>尾</div>tail"
    "<p class='B'>x<br/>y</p></body></html>",
    "<body><div><div ID='Zoom' Class='TRS_Editor'>a&amp;b&nbsp;c<!-- c --><span>d</span>e</div></div>",
    "<div class=''>x</div><p id=''>y</p><table><tr><td>发布日期：</td><td>2023年5月6日</td></tr></table>",
    "纯文本，没有标签 发布时间：2022-02-02",
    "<body></body>",
]


def _html_pages() -> list[bytes]:
    from auditor.engine.samples import render_sample
    from tests.extract.expected_model import SHARED

    levels = ("government", "department", "township")
    specs = [{"seed": s, "year": 2019 + s, "level": levels[s % 3]} for s in range(6)]
    generated = [render_sample(spec, "html") for spec in specs]
    real = [p.read_bytes() for p in sorted((SHARED / "real").glob("*.htm*"))]
    return generated + real + [page.encode() for page in _HOSTILE_PAGES]


def test_html_xpaths_give_what_the_slower_forms_gave() -> None:
    """The page text (for 发布时间 lines) and the marker candidates come out as before."""
    from auditor.extract.readers import html

    for data in _html_pages():
        root = html._parse(data.decode("utf-8"))
        for el in root.iter():
            if not isinstance(el.tag, str):
                continue
            assert " ".join(html._TEXT_NODES(el)) == " ".join(el.itertext())
            assert html._WITH_ID_OR_CLASS(el) == el.xpath("descendant-or-self::*[@id or @class]")
