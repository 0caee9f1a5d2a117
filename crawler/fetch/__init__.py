"""Fetching: polite, safe HTTP GETs (see crawler.fetch.wiring for the components and their order).

:func:`fetch_document` is the one-URL entry used by ``nianbao audit URL``.
"""

from __future__ import annotations

import asyncio
import ipaddress
from dataclasses import dataclass, replace
from datetime import date
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import httpx

from crawler.content import detect_encoding, sniff
from crawler.fetch.client import Fetcher
from crawler.fetch.result import Cached, FetchResult
from crawler.fetch.wiring import Wiring, build_fetcher
from crawler.settings import CrawlSettings

if TYPE_CHECKING:
    from crawler.discover.page import HtmlPage

__all__ = [
    "Cached",
    "FetchError",
    "FetchResult",
    "FetchedDocument",
    "Fetcher",
    "fetch_document",
    "fetch_report",
]


class FetchError(RuntimeError):
    """The URL gave no usable response; the message says why (in Chinese)."""


@dataclass(frozen=True, slots=True)
class FetchedDocument:
    """One downloaded document, with what the response and the page said about it."""

    url: str
    final_url: str
    data: bytes
    kind: str
    """Sniffed from the bytes: html, pdf, docx, ole, text, …"""
    encoding: str | None
    """The text encoding for HTML and text (declared, or detected when the declaration lies)."""
    published: date | None
    published_source: str | None


def _explicit_private(url: str) -> tuple[str, ...]:
    """A URL typed with an IP literal or localhost names its address on purpose: allow exactly that."""
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return ("127.0.0.1/32", "::1/128")
    try:
        return (str(ipaddress.ip_address(host)),)
    except ValueError:
        return ()


def fetch_document(
    url: str, *, settings: CrawlSettings | None = None, transport: httpx.AsyncBaseTransport | None = None
) -> FetchedDocument:
    """Download one document politely (robots.txt, retries, limits) and describe it.

    Private and loopback addresses are refused unless the URL itself is an IP literal or ``localhost``
    (or ``settings.allow_private`` says so).  Raises :class:`FetchError` when nothing usable came back.
    """
    return _download(url, settings, transport)[0]


def _download(
    url: str, settings: CrawlSettings | None, transport: httpx.AsyncBaseTransport | None
) -> tuple[FetchedDocument, HtmlPage | None]:
    """:func:`fetch_document`'s document, and the parsed page when it is HTML (parsed once, for the
    publication date here and the attachments in :func:`fetch_report`)."""
    if settings is None:
        settings = CrawlSettings(delay=0.0, retries=2, allow_private=_explicit_private(url))
    result = asyncio.run(_fetch(url, settings, transport))
    if not result.ok:
        raise FetchError(f"{url}: {result.describe_failure()}")
    kind = sniff(result.data)
    encoding: str | None = None
    page: HtmlPage | None = None
    published = None
    source = None
    if kind in ("html", "text"):
        encoding = detect_encoding(result.data, result.charset)[0]
    if kind == "html":
        from crawler.discover.page import HtmlPage
        from crawler.discover.pubdate import published_date

        page = HtmlPage(result.final_url, result.data.decode(encoding or "utf-8", "replace"))
        dated = published_date(page)
        if dated is not None:
            published, source = dated
    return FetchedDocument(url, result.final_url, result.data, kind, encoding, published, source), page


async def _fetch(
    url: str, settings: CrawlSettings, transport: httpx.AsyncBaseTransport | None
) -> FetchResult:
    async with build_fetcher(settings, Wiring(transport=transport)) as fetcher:
        return await fetcher.fetch(url, purpose="document")


def fetch_report(
    url: str, *, settings: CrawlSettings | None = None, transport: httpx.AsyncBaseTransport | None = None
) -> list[FetchedDocument]:
    """The report(s) a URL leads to: the page itself when its body is the report, else the files it
    attaches (on the same host), each dated with the page's publication date.

    Portals often publish the report as a .docx/.pdf attachment of a short article page; a user who
    pastes the article's address expects that report to be audited, not the page around it.
    """
    page, parsed = _download(url, settings, transport)
    if parsed is None:
        return [page]
    from crawler.discover.adapters import get_adapter

    article = get_adapter("generic").article(parsed)
    host = urlsplit(page.final_url).hostname
    files = [a for a in article.attachments if urlsplit(a.url).hostname == host]
    if article.body_is_report or not files:
        return [page]
    found: list[FetchedDocument] = []
    for attachment in files:
        try:
            doc = fetch_document(attachment.url, settings=settings, transport=transport)
        except FetchError:
            continue  # a broken attachment beside a good one: the good one is the report
        found.append(replace(
            doc, published=doc.published or page.published,
            published_source=doc.published_source or page.published_source,
        ))
    if not found:
        raise FetchError(f"{url}: 页面正文不是报告，附件均无法下载")
    return found
