"""The generic adapter: TRS-style portals (index.html, index_1.html… with createPageHTML), "下一页"
links and ``?page=N`` listings; report links by title; attachments by extension or "附件" text."""

from __future__ import annotations

import posixpath
import re
from urllib.parse import urljoin, urlsplit

from crawler.discover.base import Article, AttachmentLink, Listing, ReportLink, SiteAdapter
from crawler.discover.page import HtmlPage
from crawler.discover.pubdate import date_in, published_date
from crawler.discover.titles import is_report_title, report_year

_CREATE_PAGE = re.compile(r"createPageHTML\(\s*['\"]?(\d+)['\"]?\s*,\s*['\"]?(\d+)['\"]?\s*,"
                          r"\s*['\"](\w+)['\"]\s*,\s*['\"](\w+)['\"]")
_COUNT_PAGE = re.compile(r"\b(?:countPage|pageCount|totalPage)\s*=\s*['\"]?(\d+)")
_PAGED_NAME = re.compile(r"^(?:index|default|list)(?:_\d+)?\.s?html?$", re.IGNORECASE)
_PAGE_QUERY = re.compile(r"(?:^|&)(?:page|pageNo|pageNum|pageIndex|curPage|p)=\d+(?:&|$)", re.IGNORECASE)
_NEXT_TEXTS = ("下一页", "下页", "后一页", "尾页", "末页")
_FILE_SUFFIXES = (".docx", ".doc", ".pdf", ".wps", ".wpt", ".ofd")
_REPORT_HEADINGS = ("总体情况", "主动公开政府信息情况", "收到和处理政府信息公开申请情况",
                    "行政复议、行政诉讼情况", "存在的主要问题及改进情况", "其他需要报告的事项")


def _directory(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{posixpath.dirname(parts.path)}/"


MAX_PAGER_PAGES = 1000
"""Most listing pages a pager script is taken at its word for: a page count is the portal's claim,
and ``countPage = 1000000000`` must not become a billion URLs (the crawl reads fewer anyway,
``max_listing_pages``)."""


def _page_count(digits: str) -> int:
    """A pager's page count, at most :data:`MAX_PAGER_PAGES` (never an int of thousands of digits)."""
    digits = digits.lstrip("0") or "0"
    return MAX_PAGER_PAGES if len(digits) > 6 else min(int(digits), MAX_PAGER_PAGES)


def trs_pages(page: HtmlPage) -> list[str]:
    """Listing pages named by a TRS pager script: createPageHTML(N, cur, "index", "html") → index.html,
    index_1.html … index_{N-1}.html in the page's folder (at most :data:`MAX_PAGER_PAGES`)."""
    folder = _directory(page.url)
    m = _CREATE_PAGE.search(page.scripts)
    if m:
        count, name, ext = _page_count(m.group(1)), m.group(3), m.group(4)
    else:
        c = _COUNT_PAGE.search(page.scripts)
        if not c:
            return []
        count, name, ext = _page_count(c.group(1)), "index", "html"
    return [urljoin(folder, f"{name}.{ext}" if i == 0 else f"{name}_{i}.{ext}")
            for i in range(count)]


def _is_pager_link(page: HtmlPage, url: str, text: str) -> bool:
    here, there = urlsplit(page.url), urlsplit(url)
    if there.netloc != here.netloc:
        return False
    if text in _NEXT_TEXTS:
        return True
    same_folder = posixpath.dirname(there.path) == posixpath.dirname(here.path)
    if same_folder and _PAGED_NAME.match(posixpath.basename(there.path)):
        return True
    return there.path == here.path and bool(_PAGE_QUERY.search(there.query))


class GenericAdapter(SiteAdapter):
    """Works on most county portals; site adapters override only what their portal does differently."""

    name = "generic"

    def listing(self, page: HtmlPage) -> Listing:
        found = Listing()
        seen: set[str] = set()
        for anchor in page.anchors:
            if anchor.url in seen:
                continue
            if is_report_title(anchor.text):
                year = report_year(anchor.text)
                assert year is not None
                found.reports.append(ReportLink(anchor.url, anchor.text, year, date_in(anchor.context)))
                seen.add(anchor.url)
            elif _is_pager_link(page, anchor.url, anchor.text):
                found.pages.append(anchor.url)
                seen.add(anchor.url)
        for url in trs_pages(page):
            if url not in seen:
                found.pages.append(url)
                seen.add(url)
        return found

    def article(self, page: HtmlPage) -> Article:
        title = self.title(page)
        dated = published_date(page)
        text = page.text
        return Article(
            title=title,
            year=report_year(title),
            published=dated[0] if dated else None,
            published_source=dated[1] if dated else None,
            body_is_report=sum(h in text for h in _REPORT_HEADINGS) >= 3,
            attachments=self.attachments(page),
        )

    def title(self, page: HtmlPage) -> str:
        """The article's title: ArticleTitle meta, the first <h1>, else <title> before its site suffix."""
        meta = page.meta("ArticleTitle", "og:title")
        if meta:
            return meta[1].strip()
        h1 = page.first_text("h1")
        if h1:
            return h1
        return re.split(r"[_|]| - ", page.first_text("title"))[0].strip()

    def attachments(self, page: HtmlPage) -> list[AttachmentLink]:
        """Files linked from the page: by extension, or links whose text says 附件/下载."""
        found: list[AttachmentLink] = []
        seen: set[str] = set()
        for anchor in page.anchors:
            path = urlsplit(anchor.url).path.lower()
            is_file = path.endswith(_FILE_SUFFIXES)
            says_file = ("附件" in anchor.text or "下载" in anchor.text) and not path.endswith(
                (".html", ".htm", ".shtml", "/")
            )
            if (is_file or says_file) and anchor.url not in seen:
                seen.add(anchor.url)
                found.append(AttachmentLink(anchor.url, anchor.text))
        return found
