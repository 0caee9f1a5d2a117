"""The Jinja environment: autoescaping templates and the small formatting helpers they use."""

from __future__ import annotations

from datetime import date, datetime
from urllib.parse import urlsplit

from jinja2 import Environment, PackageLoader, StrictUndefined

from auditor.findings.model import SEVERITY_NAMES
from auditor.web.filters import LEVELS

STATUS_LABELS: dict[str, str] = {"found": "已发布", "late": "逾期", "missing": "未发现"}
FINDING_STATUS_LABELS: dict[str, str] = {"new": "新增", "persisting": "持续"}
_PUBLISHED_SOURCES: dict[str, str] = {
    "落款": "报告末尾的落款日期",
    "crawl": "栏目列表上的日期",
    "listing": "栏目列表上的日期",
    "meta": "页面元数据",
}


def published_from(source: str | None) -> str:
    """Where a publication date was read, in words ("发布时间" labels are shown as written)."""
    if not source:
        return "来源未知"
    head, _, detail = source.partition(":")
    if head in _PUBLISHED_SOURCES:
        return _PUBLISHED_SOURCES[head] + (f"（{detail}）" if detail else "")
    return f"页面上的“{source}”"


def link_target(url: str | None) -> str | None:
    """``url`` when it is safe to link to (http or https), else None (shown as text only)."""
    if not url:
        return None
    try:
        scheme = urlsplit(url.strip()).scheme.lower()
    except ValueError:
        return None
    return url.strip() if scheme in ("http", "https") else None


def when(value: datetime | date | None) -> str:
    """A time or date as the pages show it (stored times are UTC)."""
    if value is None:
        return "—"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M") + " UTC"
    return value.isoformat()


def make_environment() -> Environment:
    """The templates under ``auditor/web/templates``, every one autoescaped."""
    env = Environment(
        loader=PackageLoader("auditor.web", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(
        SEVERITY_LABELS=SEVERITY_NAMES,
        STATUS_LABELS=STATUS_LABELS,
        FINDING_STATUS_LABELS=FINDING_STATUS_LABELS,
        LEVELS=LEVELS,
        published_from=published_from,
        link_target=link_target,
        when=when,
    )
    return env
