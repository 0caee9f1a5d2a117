"""The shape of the portal checks: rules judged on a crawl of a site, not on one document's text."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.engine.api import Context, Outcome
from auditor.engine.shapes.base import CompiledShape, Params


def portal(params: Params) -> CompiledShape:
    """A check of the portal: it is made by the crawler on what a crawl of the site gives (listing pages,
    the report years they link, each document's stored versions, links that gave no document), never
    on a document alone, so on a document it yields nothing.

    ``crawl`` (text, required) says which facts of the crawl the check reads; ``rules test`` prints it
    for the rule instead of running document examples."""
    params.get("crawl", str)

    def check(ctx: Context) -> Iterator[Outcome]:
        yield from ()

    return CompiledShape(check)
