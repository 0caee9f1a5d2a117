"""The publication date shown on a page, and where it was read."""

from __future__ import annotations

import re
from datetime import date

from crawler.discover.page import HtmlPage

_DATE = r"((?:19|20)\d{2})\s*[-年/.]\s*(\d{1,2})\s*[-月/.]\s*(\d{1,2})"
_LABELS = ("发布时间", "发布日期", "公开日期", "发文日期", "日期")
_LABELLED = {label: re.compile(label + r"\s*[:：]\s*" + _DATE) for label in _LABELS}
_META_NAMES = ("PubDate", "publishdate", "publish_date", "article:published_time",
               "firstpublishedtime", "dc.date", "DC.Date.Created", "Maketime")
_ANY_DATE = re.compile(_DATE)


def _make(y: str, m: str, d: str) -> date | None:
    try:
        found = date(int(y), int(m), int(d))
    except ValueError:
        return None
    return found if found.year >= 2000 else None


def published_date(page: HtmlPage) -> tuple[date, str] | None:
    """(date, source) from the page: a visible "发布时间/发布日期" label first, then meta tags (PubDate
    and the like), then other date labels; None when the page shows none."""
    text = page.text
    for label in _LABELS[:2]:
        m = _LABELLED[label].search(text)
        if m and (d := _make(*m.groups())):
            return d, label
    found = page.meta(*_META_NAMES)
    if found is not None:
        m = _ANY_DATE.search(found[1])
        if m and (d := _make(*m.groups())):
            return d, f"meta:{found[0]}"
    for label in _LABELS[2:]:
        m = _LABELLED[label].search(text)
        if m and (d := _make(*m.groups())):
            return d, label
    return None


def date_in(text: str) -> date | None:
    """The first date written in ``text`` (a listing entry's context), if any."""
    m = _ANY_DATE.search(text)
    return _make(*m.groups()) if m else None
