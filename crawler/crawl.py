"""The crawl of one site: listing pages (with pagination) → report links → article pages →
attachments, every fetch kept as evidence and every report document recorded with its versions.

The engine only orchestrates: fetching is the fetcher's, parsing the adapter's (pure), recording the
snapshotter's.  Sites crawl concurrently; politeness per host is the fetcher's throttle.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from itertools import islice
from typing import TypeVar

from crawler.content import DOCUMENT_TYPES, decode, detect_encoding, sniff, text_hash
from crawler.discover import HtmlPage, ReportLink, SiteAdapter, get_adapter
from crawler.discover.base import Article
from crawler.fetch.client import Fetcher
from crawler.fetch.result import FetchResult
from crawler.fetch.stop import CrawlStopped
from crawler.sites import Site
from crawler.snapshot import Content, DocState, Snapshotter

__all__ = ["BrokenLink", "CrawlStopped", "ProgressHook", "ReportItem", "SeenDocument", "SiteCrawl",
           "SiteCrawler", "gather_all"]
"""CrawlStopped is re-exported: the service, the scheduler and the workers stop on it."""

T = TypeVar("T")


ProgressHook = Callable[[str, FetchResult], None]
"""Called after every fetch with (site id, result): progress bars and logs."""


@dataclass(slots=True)
class SeenDocument:
    """A report document (an article page or a file) as found in this crawl."""

    url: str
    kind: str
    """page (an article page), attachment (a file linked from one), file (linked from the listing)."""
    title: str
    year: int | None
    format: str
    encoding: str | None
    published: date | None
    published_source: str | None
    state: DocState
    auditable: bool
    """A page whose body is the report, or a report file; other pages hold only links."""
    sha256: str


@dataclass(frozen=True, slots=True)
class BrokenLink:
    """A report or attachment link that gave no usable document (PUB-005)."""

    url: str
    title: str
    year: int | None
    referrer: str
    kind: str
    """report | attachment"""
    reason: str
    status: int | None


@dataclass(slots=True)
class ReportItem:
    """One report link of the listing and what it led to."""

    link: ReportLink
    page: SeenDocument | None = None
    attachments: list[SeenDocument] = field(default_factory=list)


@dataclass(slots=True)
class SiteCrawl:
    """Everything one crawl of a site found."""

    site: Site
    listing_pages: list[str] = field(default_factory=list)
    items: list[ReportItem] = field(default_factory=list)
    broken: list[BrokenLink] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    """(url, reason) of links not fetched: robots.txt, other hosts, private addresses."""
    error: str | None = None
    """Set when no listing page could be read: then nothing can be said about missing reports."""
    fetches: int = 0
    """Requests made, whatever their answer."""
    not_modified: int = 0
    """Of those, the ones answered 304 Not Modified (the stored body was still current)."""

    @property
    def documents(self) -> list[SeenDocument]:
        """Every report page and file found, in listing order."""
        return [d for item in self.items for d in ([item.page] if item.page else []) + item.attachments]

    @property
    def linked_years(self) -> set[int]:
        """Years for which the portal links a report (fetched or not)."""
        return {item.link.year for item in self.items}


class SiteCrawler:
    """Crawls one site with a shared fetcher and a snapshotter."""

    def __init__(
        self,
        site: Site,
        fetcher: Fetcher,
        snapshot: Snapshotter,
        *,
        max_pages: int,
        adapter: SiteAdapter | None = None,
        progress: ProgressHook | None = None,
        should_stop: Callable[[], bool] | None = None,
    ) -> None:
        self.site = site
        self.fetcher = fetcher
        self.snapshot = snapshot
        self.max_pages = max_pages
        self.adapter = adapter or get_adapter(site.adapter)
        self.progress = progress
        self.should_stop = should_stop or (lambda: False)
        self.result = SiteCrawl(site)

    async def run(self) -> SiteCrawl:
        """Crawl the site; raises CrawlStopped when asked to stop (the partial result stays recorded)."""
        links = await self._listings()
        self.result.items = [ReportItem(link) for link in links]
        await gather_all(self._report(item) for item in self.result.items)
        return self.result

    async def _fetch(self, url: str, purpose: str) -> FetchResult:
        if self.should_stop():
            raise CrawlStopped
        result = await self.fetcher.fetch(
            url, purpose=purpose, site_id=self.site.id, allowed_hosts=self.site.allowed_hosts
        )
        self.result.fetches += 1
        self.result.not_modified += result.not_modified
        if self.progress is not None:
            self.progress(self.site.id, result)
        return result

    async def _listings(self) -> list[ReportLink]:
        visited: set[str] = set()
        pending = dict.fromkeys(self.site.start_urls)
        """Listing pages still to fetch, in discovery order (a dict: membership is O(1) however many
        pages a pager script claims)."""
        links: dict[str, ReportLink] = {}
        while pending and len(visited) < self.max_pages:
            batch = list(islice(pending, self.max_pages - len(visited)))
            visited.update(batch)
            results = await gather_all(self._fetch(url, "listing") for url in batch)
            pending = {}
            for url, res in zip(batch, results, strict=True):
                if not res.ok:
                    self.result.skipped.append((url, res.describe_failure()))
                    continue
                self.result.listing_pages.append(url)
                listing = self.adapter.listing(HtmlPage(res.final_url, _decoded(res)[1]))
                for link in listing.reports:
                    links.setdefault(link.url, link)
                for p in listing.pages:
                    if p not in visited and len(pending) < self.max_pages:
                        pending.setdefault(p)
        if not self.result.listing_pages:
            reasons = "; ".join(f"{u}: {r}" for u, r in self.result.skipped) or "没有起始页面"
            self.result.error = f"无法读取年报栏目页面（{reasons}）"
        return list(links.values())

    async def _report(self, item: ReportItem) -> None:
        link = item.link
        res = await self._fetch(link.url, "article")
        if res.skipped:
            self.result.skipped.append((link.url, res.skipped))
            return
        if not res.ok:
            self._broken(link.url, link.title, link.year, "listing", "report", res)
            return
        kind = sniff(res.data)
        if kind in DOCUMENT_TYPES:
            item.page = self._record(link.url, "file", link.title, link.year, res, kind, None,
                                     link.listed, "listing" if link.listed else None, parent_id=None)
            return
        if kind != "html":
            self._broken(link.url, link.title, link.year, "listing", "report", res,
                         reason=f"内容不是网页或报告文件（{kind}，{res.content_type or '无 Content-Type'}）")
            return
        encoding, html = _decoded(res)
        page = HtmlPage(res.final_url, html)
        article = self.adapter.article(page)
        published, source = _published(article, link)
        item.page = self._record(
            link.url, "page", article.title or link.title, link.year, res, "html",
            encoding, published, source,
            parent_id=None, page=page, auditable=article.body_is_report,
        )
        for attachment in article.attachments:
            got = await self._fetch(attachment.url, "attachment")
            if got.skipped:
                self.result.skipped.append((attachment.url, got.skipped))
                continue
            if not got.ok:
                self._broken(attachment.url, attachment.title, link.year, link.url, "attachment", got)
                continue
            sniffed = sniff(got.data)
            if sniffed not in DOCUMENT_TYPES:
                self._broken(attachment.url, attachment.title, link.year, link.url, "attachment", got,
                             reason=f"附件内容类型不符：得到 {sniffed}"
                             f"（{got.content_type or '无 Content-Type'}），不是 PDF、DOCX、DOC 或 WPS 文件")
                continue
            item.attachments.append(self._record(
                attachment.url, "attachment", attachment.title, link.year, got, sniffed,
                None, published, source,
                parent_id=item.page.state.document_id,
            ))

    def _record(
        self,
        url: str,
        kind: str,
        title: str,
        year: int | None,
        res: FetchResult,
        fmt: str,
        encoding: str | None,
        published: date | None,
        published_source: str | None,
        *,
        parent_id: int | None,
        page: HtmlPage | None = None,
        auditable: bool = True,
    ) -> SeenDocument:
        sha = hashlib.sha256(res.data).hexdigest()
        content_hash = text_hash(page.main_text) if page is not None else sha
        state = self.snapshot.record_document(
            site_id=self.site.id, url=url, kind=kind, parent_id=parent_id, link_title=title, year=year,
            content=Content(sha, content_hash, fmt, encoding, published, published_source),
            capture_id=res.capture_id,
        )
        return SeenDocument(url, kind, title, year, fmt, encoding, published,
                            published_source, state, auditable, sha)

    def _broken(
        self, url: str, title: str, year: int | None, referrer: str, kind: str, res: FetchResult,
        reason: str | None = None,
    ) -> None:
        self.result.broken.append(
            BrokenLink(url, title, year, referrer, kind, reason or res.describe_failure(), res.status)
        )


async def gather_all(coroutines: Iterable[Awaitable[T]]) -> list[T]:
    """Await every one (so none is left running when the crawl stops), then raise the first error."""
    done = await asyncio.gather(*coroutines, return_exceptions=True)
    for outcome in done:
        if isinstance(outcome, BaseException):
            raise outcome
    return done  # type: ignore[return-value]


def _decoded(res: FetchResult) -> tuple[str, str]:
    """(encoding, text) of an HTML response."""
    encoding = detect_encoding(res.data, res.charset)[0]
    return encoding, decode(res.data, encoding)


def _published(article: Article, link: ReportLink) -> tuple[date | None, str | None]:
    if article.published is not None:
        return article.published, article.published_source
    if link.listed is not None:
        return link.listed, "listing"
    return None, None
