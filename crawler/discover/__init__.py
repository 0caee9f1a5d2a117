"""Discovery: pure parsing of listing and article pages into report links, pagination and attachments.

Nothing here does I/O: an adapter receives a page (URL + decoded HTML) and returns what it found; the
crawl engine (crawler.crawl) fetches.  Site-specific adapters are added in :mod:`.adapters`.
"""

from crawler.discover.adapters import (
    ADAPTERS,
    Article,
    AttachmentLink,
    Listing,
    ReportLink,
    SiteAdapter,
    get_adapter,
)
from crawler.discover.page import HtmlPage

__all__ = [
    "ADAPTERS",
    "Article",
    "AttachmentLink",
    "HtmlPage",
    "Listing",
    "ReportLink",
    "SiteAdapter",
    "get_adapter",
]
