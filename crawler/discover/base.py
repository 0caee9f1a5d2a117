"""What adapters return, and the adapter interface."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from crawler.discover.page import HtmlPage


@dataclass(frozen=True, slots=True)
class ReportLink:
    """A link on a listing page to an annual report (an article page or directly a file)."""

    url: str
    title: str
    year: int
    listed: date | None = None
    """The date shown next to the link, if any."""


@dataclass(slots=True)
class Listing:
    """What a listing page offers: report links and further listing pages (pagination)."""

    reports: list[ReportLink] = field(default_factory=list)
    pages: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class AttachmentLink:
    """A file linked from an article page."""

    url: str
    title: str


@dataclass(slots=True)
class Article:
    """An article page: its title, year, publication date, whether the body is itself the report, and
    the attached files."""

    title: str
    year: int | None
    published: date | None
    published_source: str | None
    body_is_report: bool
    attachments: list[AttachmentLink] = field(default_factory=list)


class SiteAdapter:
    """Parses one kind of portal.  Subclass, override what differs, and add it to ADAPTERS."""

    name = "base"

    def listing(self, page: HtmlPage) -> Listing:
        """Report links and further listing pages of a listing page."""
        raise NotImplementedError

    def article(self, page: HtmlPage) -> Article:
        """The report-relevant content of an article page."""
        raise NotImplementedError
