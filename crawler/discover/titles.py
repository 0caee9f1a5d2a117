"""Recognising annual-report titles and the report year in them."""

from __future__ import annotations

import re

_CN_DIGITS = {"〇": "0", "零": "0", "○": "0", "Ｏ": "0", "一": "1", "二": "2", "三": "3", "四": "4",
              "五": "5", "六": "6", "七": "7", "八": "8", "九": "9"}
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
_CN_YEAR = re.compile(r"([二][〇零○Ｏ一二三四五六七八九]{3})\s*年")
_REPORT = re.compile(r"年度报告|年报")
_NOT_A_REPORT = re.compile(
    r"通知|通报|解读|评估|考核|培训|会议|征集|企业年报|工商年报|年报公示|报送|编制|意见")


def report_year(title: str) -> int | None:
    """The year a title is about: the first "YYYY年" (or 二〇二二年) in it."""
    text = title.replace("\u3000", " ")
    m = _YEAR.search(text)
    if m:
        return int(m.group(1))
    m = _CN_YEAR.search(text)
    if m:
        return int("".join(_CN_DIGITS[c] for c in m.group(1)))
    return None


def is_report_title(title: str) -> bool:
    """Whether a link text names an annual report of a year (not a notice about reports)."""
    return bool(_REPORT.search(title)) and report_year(title) is not None and not _NOT_A_REPORT.search(title)
