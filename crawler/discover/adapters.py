"""The registry of site adapters: the one place to add a portal that the generic adapter misreads.

Write a subclass of :class:`crawler.discover.base.SiteAdapter` (usually of ``GenericAdapter``,
overriding one method), add it below, and name it in the site's ``adapter = "…"``.
"""

from __future__ import annotations

from crawler.discover.base import Article, AttachmentLink, Listing, ReportLink, SiteAdapter
from crawler.discover.generic import GenericAdapter

ADAPTERS: dict[str, type[SiteAdapter]] = {
    GenericAdapter.name: GenericAdapter,
}


def get_adapter(name: str) -> SiteAdapter:
    """An instance of the adapter registered under ``name`` (KeyError if unknown)."""
    return ADAPTERS[name]()


__all__ = ["ADAPTERS", "Article", "AttachmentLink", "Listing", "ReportLink", "SiteAdapter", "get_adapter"]
