"""The overview's filters: parsed from a plain GET query, validated, and written back into links.

Every page that narrows the stored findings (the overview, a rule's page, the downloads) takes the same
:class:`Filters`, so a download link carries exactly what the person is looking at.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from urllib.parse import urlencode

from auditor.findings.model import SEVERITIES

LEVELS: dict[str, str] = {"government": "人民政府", "department": "政府部门", "township": "乡镇街道"}
"""Site levels and how the interface names them."""

SORTS: dict[str, str] = {"errors": "错误最多", "name": "名称"}

PAGE_SIZE = 50
"""Sites per overview page."""

_RULE_ID = re.compile(r"^[A-Z]{2,5}-\d{3}$")


class FilterError(ValueError):
    """A query parameter that is not one of the accepted values (the message names it, in Chinese)."""


@dataclass(frozen=True, slots=True)
class Filters:
    """What the person narrowed the view to; ``None`` means "all"."""

    region: str | None = None
    level: str | None = None
    year: int | None = None
    severity: str | None = None
    rule: str | None = None
    sort: str = "errors"
    page: int = 1

    @property
    def narrows_findings(self) -> bool:
        """Whether only sites with a matching finding are shown (a severity or rule was chosen)."""
        return self.severity is not None or self.rule is not None

    @property
    def active(self) -> bool:
        """Whether any filter (not the sort or page) is set."""
        return any(v is not None for v in (self.region, self.level, self.year, self.severity, self.rule))

    def params(self, **changes: object) -> dict[str, str]:
        """The filter as query parameters (defaults left out), with ``changes`` applied."""
        f = replace(self, **changes)  # type: ignore[arg-type]
        out: dict[str, str] = {}
        for key in ("region", "level", "year", "severity", "rule"):
            value = getattr(f, key)
            if value is not None:
                out[key] = str(value)
        if f.sort != "errors":
            out["sort"] = f.sort
        if f.page != 1:
            out["page"] = str(f.page)
        return out

    def query(self, **changes: object) -> str:
        """The filter as a query string with a leading "?" (or "" when nothing is set)."""
        encoded = urlencode(self.params(**changes))
        return f"?{encoded}" if encoded else ""


def _text(value: str | None, name: str, limit: int = 100) -> str | None:
    value = (value or "").strip()
    if not value:
        return None
    if len(value) > limit:
        raise FilterError(f"筛选条件“{name}”过长")
    if any(ord(c) < 32 or 0x7F <= ord(c) < 0xA0 or c in "\ufffe\uffff" for c in value):
        # no region or rule name holds one; PostgreSQL refuses NUL in text outright
        raise FilterError(f"筛选条件“{name}”含有控制字符")
    return value


def parse_filters(query: Mapping[str, str]) -> Filters:
    """Filters from a request's query parameters; empty values mean "all"."""
    level = _text(query.get("level"), "级别")
    if level is not None and level not in LEVELS:
        raise FilterError("级别只能是 government、department 或 township")
    severity = _text(query.get("severity"), "严重程度")
    if severity is not None and severity not in SEVERITIES:
        raise FilterError("严重程度只能是 error、warning 或 info")
    rule = _text(query.get("rule"), "规则")
    if rule is not None:
        rule = rule.upper()
        if not _RULE_ID.match(rule):
            raise FilterError("规则编号的格式应为 BAL-002 这样")
    sort = _text(query.get("sort"), "排序") or "errors"
    if sort not in SORTS:
        raise FilterError("排序只能是 errors 或 name")
    return Filters(
        region=_text(query.get("region"), "地区"),
        level=level,
        year=_number(query.get("year"), "年度", 2000, 2100),
        severity=severity,
        rule=rule,
        sort=sort,
        page=_number(query.get("page"), "页码", 1, 1_000_000) or 1,
    )


def _number(value: str | None, name: str, low: int, high: int) -> int | None:
    text = (value or "").strip()
    if not text:
        return None
    # Checked as text first: a query may carry thousands of digits, past what int() accepts.
    if not (text.isascii() and text.isdigit()) or len(text.lstrip("0")) > len(str(high)) \
            or not low <= int(text) <= high:
        raise FilterError(f"筛选条件“{name}”应为 {low}–{high} 之间的整数")
    return int(text)
