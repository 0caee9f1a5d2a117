"""Discovery is pure: pages in, report links, pagination, attachments and dates out."""

from __future__ import annotations

from datetime import date

import pytest

from crawler.discover import HtmlPage, get_adapter
from crawler.discover.pubdate import published_date
from crawler.discover.titles import is_report_title, report_year

ADAPTER = get_adapter("generic")


@pytest.mark.parametrize(
    ("title", "is_report", "year"),
    [
        ("卫滨区人民政府2022年政府信息公开工作年度报告", True, 2022),
        ("区人防办2022年度政府信息公开工作年度报告", True, 2022),
        ("二〇二一年政府信息公开工作年报", True, 2021),
        ("关于做好2023年政府信息公开工作年度报告编制工作的通知", False, 2023),
        ("2022年度企业年报公示工作的提示", False, 2022),
        ("政府信息公开工作年度报告", False, None),
        ("2023年政府信息公开工作年度报告解读", False, 2023),
    ],
)
def test_report_titles(title: str, is_report: bool, year: int | None) -> None:
    assert is_report_title(title) is is_report
    assert report_year(title) == year


def test_trs_listing_pages_from_create_page_html() -> None:
    page = HtmlPage(
        "http://h/xxgk/ndbg/index_1.html",
        '<ul><li><a href="./202303/t1.html" title="甲区2022年政府信息公开工作年度报告">甲区2022年政府…</a>'
        "<span>2023-03-20</span></li><li><a href=\"/xxgk/tz.html\">通知公告</a></li></ul>"
        '<script>createPageHTML(4, 1, "index", "shtml");</script>',
    )
    listing = ADAPTER.listing(page)
    assert [(r.url, r.title, r.year, r.listed) for r in listing.reports] == [
        ("http://h/xxgk/ndbg/202303/t1.html", "甲区2022年政府信息公开工作年度报告", 2022, date(2023, 3, 20))
    ]
    assert listing.pages == [
        "http://h/xxgk/ndbg/index.shtml", "http://h/xxgk/ndbg/index_1.shtml",
        "http://h/xxgk/ndbg/index_2.shtml", "http://h/xxgk/ndbg/index_3.shtml",
    ]


def test_next_page_links_and_page_queries() -> None:
    page = HtmlPage(
        "http://h/list.html?page=1",
        '<a href="list.html?page=2">2</a><a href="list.html?page=3">下一页</a>'
        '<a href="/other/list.html?page=2">其他栏目</a><a href="http://x/list.html?page=2">下一页</a>',
    )
    assert ADAPTER.listing(page).pages == ["http://h/list.html?page=2", "http://h/list.html?page=3"]


def test_article_attachments_and_report_body() -> None:
    html = (
        '<html><head><meta name="ArticleTitle" content="乙局2021年政府信息公开工作年度报告">'
        '<meta name="PubDate" content="2022-01-18 09:00"></head><body>'
        '<div class="TRS_Editor"><p>一、总体情况</p><p>二、主动公开政府信息情况</p>'
        "<p>三、收到和处理政府信息公开申请情况</p></div>"
        '<a href="/files/P020220118.pdf">乙局年报.pdf</a><a href="/download?id=9">附件下载</a>'
        '<a href="/xxgk/more.html">附件说明页</a></body></html>'
    )
    article = ADAPTER.article(HtmlPage("http://h/a/t.html", html))
    assert (article.title, article.year, article.published, article.published_source) == (
        "乙局2021年政府信息公开工作年度报告", 2021, date(2022, 1, 18), "meta:PubDate")
    assert article.body_is_report
    assert [a.url for a in article.attachments] == ["http://h/files/P020220118.pdf", "http://h/download?id=9"]


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ("<div>发布时间：2023-01-20 10:00 来源：本局</div>", (date(2023, 1, 20), "发布时间")),
        ("<span>发布日期: 2023年3月5日</span>", (date(2023, 3, 5), "发布日期")),
        ('<meta name="pubdate" content="2023/02/01"><p>正文</p>', (date(2023, 2, 1), "meta:PubDate")),
        ("<p>发布时间：2023-01-20</p><meta name=PubDate content='2024-01-01'>",
         (date(2023, 1, 20), "发布时间")),
        ("<p>日期：2022-12-31</p>", (date(2022, 12, 31), "日期")),
        ("<p>发布时间：2023-02-30</p>", None),
        ("<p>没有日期</p>", None),
    ],
)
def test_publication_date_and_its_source(html: str, expected: tuple[date, str] | None) -> None:
    assert published_date(HtmlPage("http://h/", html)) == expected


@pytest.mark.parametrize("script", [
    'createPageHTML(100000, 0, "index", "html");',
    "var countPage = 1000000000;",
    "var countPage = " + "9" * 5000 + ";",  # past Python's int-string limit: never converted
])
def test_a_pager_claiming_countless_pages_is_capped(script: str) -> None:
    import time

    from crawler.discover.generic import MAX_PAGER_PAGES, trs_pages

    page = HtmlPage("http://x.test/ndbg/index.html", f"<html><body><script>{script}</script></body></html>")
    started = time.monotonic()
    pages = trs_pages(page)
    assert len(pages) == MAX_PAGER_PAGES and pages[1] == "http://x.test/ndbg/index_1.html"
    assert time.monotonic() - started < 1
