"""Deadlines by level and the portal checks on hand-made crawl results."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from crawler.checks import missing_years, portal_findings
from crawler.crawl import BrokenLink, ReportItem, SeenDocument, SiteCrawl
from crawler.deadlines import deadline, infer_level
from crawler.discover import ReportLink
from crawler.sites import Site
from crawler.snapshot import DocState, VersionInfo

GOV = Site(id="g", name="甲区人民政府", start_urls=("http://h/l.html",), level="government")
DEPT = Site(id="d", name="甲区财政局", start_urls=("http://h/l.html",), level="department")
TOWN = Site(id="t", name="甲区乙镇人民政府", start_urls=("http://h/l.html",), level="township")


@pytest.mark.parametrize(
    ("site", "year", "expected"),
    [
        (GOV, 2022, (date(2023, 3, 31), "本级政府")),
        (DEPT, 2022, (date(2023, 1, 31), "政府部门")),
        (TOWN, 2022, None),
        (Site(id="t2", name="乙镇", start_urls=("http://h/",), level="township", deadline="02-28"), 2022,
         (date(2023, 2, 28), "站点配置的期限")),
        (DEPT, 2018, (date(2019, 3, 31), "2008年《条例》第三十一条")),
    ],
)
def test_deadlines(site: Site, year: int, expected: tuple[date, str] | None) -> None:
    assert deadline(site, year) == expected


def test_level_inferred_from_the_title_when_the_site_has_none() -> None:
    site = Site(id="x", name="甲区", start_urls=("http://h/",))
    own = deadline(site, 2022, "甲区人民政府2022年政府信息公开工作年度报告")
    assert own == (date(2023, 3, 31), "本级政府")
    office = deadline(site, 2022, "甲区人民政府办公室2022年政府信息公开工作年度报告")
    assert office == (date(2023, 1, 31), "政府部门")
    assert infer_level("甲区乙街道办事处") == "township"


def doc(url: str, year: int, published: date | None, versions: int = 1) -> SeenDocument:
    history = [VersionInfo(i, f"{i:064x}", datetime(2024, 1, i + 1), datetime(2024, 1, i + 1), published)
               for i in range(versions)]
    return SeenDocument(url, "page", f"{year}年政府信息公开工作年度报告", year, "html", "utf-8", published,
                        "发布时间", DocState(1, versions, False, versions > 1, history), True, "ab" * 32)


def crawl(site: Site, items: list[tuple[int, SeenDocument | None]],
          broken: list[BrokenLink] | None = None) -> SiteCrawl:
    result = SiteCrawl(site, listing_pages=["http://h/l.html"], broken=broken or [])
    for year, page in items:
        result.items.append(ReportItem(ReportLink(f"http://h/{year}.html", f"{year}年度报告", year), page))
    return result


def rules(found: list) -> list[tuple[str, str]]:  # type: ignore[type-arg]
    return sorted((f.rule_id, f.message) for f in found)


def test_late_and_on_time() -> None:
    c = crawl(DEPT, [(2022, doc("http://h/2022.html", 2022, date(2023, 2, 1))),
                     (2023, doc("http://h/2023.html", 2023, date(2024, 1, 31)))])
    found = portal_findings(DEPT, c, date(2024, 6, 1))
    assert list(found.by_url) == ["http://h/2022.html"]
    assert rules(found.by_url["http://h/2022.html"]) == [
        ("PUB-001", "2022年度报告于2023-02-01发布，晚于政府部门的发布期限2023-01-31，逾期1天。")]


def test_unknown_publication_date_is_not_judged() -> None:
    c = crawl(DEPT, [(2023, doc("http://h/2023.html", 2023, None))])
    assert portal_findings(DEPT, c, date(2024, 6, 1)).all == []


def test_missing_years_window() -> None:
    c = crawl(GOV, [(2019, None), (2022, None)])
    assert missing_years(GOV, c, date(2024, 3, 31)) == [2020, 2021]  # 2023 due only after 03-31
    assert missing_years(GOV, c, date(2024, 4, 1)) == [2020, 2021, 2023]
    assert missing_years(GOV, crawl(GOV, []), date(2024, 4, 1)) == [2023]
    assert missing_years(TOWN, c, date(2024, 4, 1)) == []  # no deadline known
    unreadable = crawl(GOV, [])
    unreadable.error = "无法读取年报栏目页面"
    assert missing_years(GOV, unreadable, date(2024, 4, 1)) == []


def test_changed_and_broken() -> None:
    link = BrokenLink("http://h/a.pdf", "附件", 2023, "http://h/2023.html", "attachment", "HTTP 404", 404)
    c = crawl(DEPT, [(2023, doc("http://h/2023.html", 2023, date(2024, 1, 5), versions=2))], [link])
    found = portal_findings(DEPT, c, date(2024, 6, 1))
    assert [f.rule_id for f in found.by_url["http://h/2023.html"]] == ["PUB-003", "PUB-005"]
    assert found.site == []
    fingerprints = {f.fingerprint for f in found.all}
    again = portal_findings(DEPT, c, date(2024, 7, 1))
    assert {f.fingerprint for f in again.all} == fingerprints, "fingerprints are stable across runs"
