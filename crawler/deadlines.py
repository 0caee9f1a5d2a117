"""Publication deadlines (《政府信息公开条例》第四十九条) by level, with a site's own override."""

from __future__ import annotations

import re
from datetime import date

from crawler.sites import Site

STATUTORY_DEADLINES = {"government": "03-31", "department": "01-31"}
"""本级政府 by Y+1-03-31, 县级以上人民政府部门 by Y+1-01-31; townships have none nationally."""

_TOWNSHIP_MARKS = ("街道", "乡人民政府", "镇人民政府", "乡政府", "镇政府", "办事处")
_GOVERNMENT = re.compile(r"人民政府(?!办公室|办公厅|办|.{0,2}局)")


def infer_level(name: str) -> str:
    """The level a body's name suggests: township (街道/乡/镇), government (…人民政府), else department."""
    if any(mark in name for mark in _TOWNSHIP_MARKS):
        return "township"
    if _GOVERNMENT.search(name):
        return "government"
    return "department"


OLD_REGIME_LAST_YEAR = 2018
"""Reports up to year 2018 fell under the 2008 条例 (第三十一条: every body by 3月31日)."""


def deadline(site: Site, year: int, title: str = "") -> tuple[date, str] | None:
    """(deadline, what it rests on) for the report of ``year``; None for a township without one."""
    if year <= OLD_REGIME_LAST_YEAR and not site.deadline:
        return date(year + 1, 3, 31), "2008年《条例》第三十一条"
    level = site.level or infer_level(title or site.name)
    month_day = site.deadline or STATUTORY_DEADLINES.get(level)
    if month_day is None:
        return None
    month, day = (int(p) for p in month_day.split("-"))
    basis = "站点配置的期限" if site.deadline else {"government": "本级政府", "department": "政府部门"}[level]
    return date(year + 1, month, day), basis
