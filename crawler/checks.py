"""Portal-level checks on a site's crawl: PUB-001 (late), PUB-002 (missing year), PUB-003 (changed after
first seen), PUB-005 (broken report or attachment link).  Pure: the crawl, the site and today in,
findings out."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date

from auditor.engine.rulefile import RuleFileError, project_rule
from auditor.findings.model import Finding, Location, fingerprint
from crawler.crawl import BrokenLink, SeenDocument, SiteCrawl
from crawler.deadlines import deadline
from crawler.sites import Site

log = logging.getLogger("nianbao.crawler")

PORTAL_RULES = ("PUB-001", "PUB-002", "PUB-003", "PUB-005")

_LOC = Location()


@dataclass(slots=True)
class PortalFindings:
    """The findings of a site's crawl: per document URL, and for the site as a whole."""

    by_url: dict[str, list[Finding]] = field(default_factory=dict)
    site: list[Finding] = field(default_factory=list)

    def add(self, url: str | None, finding: Finding) -> None:
        """File a finding under its document URL (None: the site as a whole)."""
        if url is None:
            self.site.append(finding)
        else:
            self.by_url.setdefault(url, []).append(finding)

    @property
    def all(self) -> list[Finding]:
        """Every finding, site-level first."""
        return [*self.site, *(f for fs in self.by_url.values() for f in fs)]


def _finding(rule_id: str, message: str, evidence: str, identity: str, fix: str | None = None) -> Finding:
    """A portal finding with the title, severity, basis and fix of its rule file (one per id everywhere);
    ``fix`` replaces the file's when the finding can say more precisely what to do."""
    meta = portal_rule_meta(rule_id)
    return Finding(rule_id=rule_id, severity=meta["severity"], title=meta["title"], message=message,
                   location=_LOC, evidence=evidence, basis=meta["basis"], fix=fix or meta["fix"],
                   fingerprint=fingerprint(rule_id, identity, _LOC))


def portal_rule_meta(rule_id: str) -> dict[str, str]:
    """id, title, severity, basis and fix of a portal check from its rule file; a broken or missing file
    is logged in one line and the check still reports (titled by its id), never crashing the crawl."""
    try:
        rule = project_rule(rule_id)
    except RuleFileError as exc:
        log.error("规则文件有误：%s", exc)
        return {"id": rule_id, "title": f"门户检查 {rule_id}", "severity": "warning", "basis": "", "fix": ""}
    return {"id": rule.id, "title": rule.title, "severity": rule.severity, "basis": rule.basis,
            "fix": rule.fix}


def late(site: Site, doc: SeenDocument) -> Finding | None:
    """PUB-001 for a report page (or file) whose publication date is after its deadline."""
    if doc.year is None or doc.published is None:
        return None
    due = deadline(site, doc.year, doc.title)
    if due is None or doc.published <= due[0]:
        return None
    days = (doc.published - due[0]).days
    return _finding(
        "PUB-001",
        f"{doc.year}年度报告于{doc.published.isoformat()}发布，晚于{due[1]}的发布期限"
        f"{due[0].isoformat()}，逾期{days}天。",
        f"{doc.url}；发布日期 {doc.published.isoformat()}（来源：{doc.published_source or '未知'}）；"
        f"期限 {due[0].isoformat()}（{due[1]}）；内容 sha256 {doc.sha256}",
        f"{site.id}|{doc.url}",
    )


def changed(site: Site, doc: SeenDocument) -> Finding | None:
    """PUB-003 for a document with more than one version since it was first seen."""
    history = doc.state.history
    if len(history) < 2:
        return None
    versions = "；".join(
        f"版本{i}：sha256 {v.sha256}，首次发现 {v.first_seen:%Y-%m-%d %H:%M}，"
        f"最后发现 {v.last_seen:%Y-%m-%d %H:%M}"
        for i, v in enumerate(history, 1)
    )
    return _finding(
        "PUB-003",
        f"{doc.title or doc.url} 自首次发现以来内容已变化（共{len(history)}个版本，各版本均已留存）。",
        f"{doc.url}；{versions}",
        f"{site.id}|{doc.url}",
    )


def broken(site: Site, link: BrokenLink) -> Finding:
    """PUB-005 for a report or attachment link that gave no usable document."""
    what = "附件链接" if link.kind == "attachment" else "年度报告链接"
    where = "栏目页" if link.referrer == "listing" else link.referrer
    return _finding(
        "PUB-005",
        f"{what}“{link.title or link.url}”无法打开：{link.reason}。",
        f"{link.url}（状态 {link.status if link.status is not None else '无响应'}；所在页面：{where}）",
        f"{site.id}|{link.url}",
    )


def last_due_year(site: Site, today: date) -> int | None:
    """The latest report year whose deadline has passed by ``today`` (None if none can be known)."""
    for year in (today.year - 1, today.year - 2):
        due = deadline(site, year)
        if due is not None and due[0] < today:
            return year
    return None


def missing_years(site: Site, crawl: SiteCrawl, today: date) -> list[int]:
    """Report years overdue without any report link: from the earliest year the site shows (or the
    last due year, if it shows none) up to the last due year."""
    if crawl.error is not None:
        return []
    last = last_due_year(site, today)
    if last is None:
        return []
    linked = crawl.linked_years
    first = min(linked) if linked else last
    return [y for y in range(first, last + 1) if y not in linked]


def missing(site: Site, year: int, crawl: SiteCrawl) -> Finding:
    """PUB-002 for a year with no report on the portal after its deadline."""
    due = deadline(site, year)
    assert due is not None
    shown = "、".join(str(y) for y in sorted(crawl.linked_years)) or "无"
    return _finding(
        "PUB-002",
        f"期限{due[0].isoformat()}已过，但在{site.name}的年报栏目中未找到{year}年度报告。",
        f"已检查栏目页 {len(crawl.listing_pages)} 个：{'，'.join(crawl.listing_pages[:5])}"
        f"{' 等' if len(crawl.listing_pages) > 5 else ''}；栏目中可见的报告年度：{shown}",
        f"{site.id}|{year}",
        f"在年报栏目中发布{year}年度报告；如已发布在其他栏目，请在年报栏目中补充链接。",
    )


def portal_findings(site: Site, crawl: SiteCrawl, today: date) -> PortalFindings:
    """All portal findings of one crawl."""
    out = PortalFindings()
    for item in crawl.items:
        if item.page is not None and (f := late(site, item.page)) is not None:
            out.add(item.page.url, f)
        for doc in ([item.page] if item.page else []) + item.attachments:
            if (f := changed(site, doc)) is not None:
                out.add(doc.url, f)
    for link in crawl.broken:
        out.add(None if link.referrer == "listing" else link.referrer, broken(site, link))
    for year in missing_years(site, crawl, today):
        out.add(None, missing(site, year, crawl))
    return out
