"""The overview page's content: sites × years with publication status and finding counts.

Sites are filtered by region and level in Python (a few thousand rows, the region is derived from the
name); everything counted comes from grouped queries over the whole filtered set, and per-report details
are read only for the sites of the page being shown.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from auditor.store import queries
from auditor.store.queries import Counts, ReportBrief, RuleCount, RunPoint
from auditor.web.cache import StateCache
from auditor.web.filters import PAGE_SIZE, Filters
from auditor.web.sites import SiteInfo, site_info

MAX_YEARS = 6
"""Year columns shown without a year filter (the most recent ones)."""


@dataclass(slots=True)
class YearCell:
    """One site's reports for one year."""

    year: int
    reports: list[ReportBrief] = field(default_factory=list)
    counts: Counts = field(default_factory=Counts)

    @property
    def status(self) -> str:
        """missing (no report found), late (published after the deadline) or found."""
        if not self.reports:
            return "missing"
        return "late" if any(r.late for r in self.reports) else "found"


@dataclass(slots=True)
class SiteLine:
    """One row of the overview: a site, its year cells and its totals."""

    site: SiteInfo
    counts: Counts
    cells: list[YearCell]
    portal: list[ReportBrief]
    """The site-level entries holding portal findings (a report missing, a broken link)."""
    run_id: int | None = None
    run_started: datetime | None = None


@dataclass(slots=True)
class Overview:
    """Everything the overview page shows."""

    filters: Filters
    years: list[int]
    lines: list[SiteLine]
    matching_sites: int
    pages: int
    totals: Counts
    found: int
    """Site-years with a report (of the years shown)."""
    late: int
    missing: int
    regions: list[str]
    rule_ids: list[str]
    all_years: list[int]
    by_rule: list[RuleCount]
    by_site: list[tuple[SiteInfo, Counts]]
    trend: list[RunPoint]


def filtered_sites(session: Session, f: Filters) -> tuple[list[SiteInfo], list[str]]:
    """The sites passing the region and level filters, and every region (for the filter's choices)."""
    infos = [site_info(*row) for row in queries.site_names(session)]
    regions = sorted({s.region for s in infos})
    chosen = [s for s in infos
              if (f.region is None or s.region == f.region) and (f.level is None or s.level == f.level)]
    return chosen, regions


def site_scope(session: Session, f: Filters) -> list[str] | None:
    """The ids of the sites the region and level filters leave, or None when neither is set (all)."""
    if f.region is None and f.level is None:
        return None
    return [s.id for s in filtered_sites(session, f)[0]]


@dataclass(frozen=True, slots=True)
class Aggregates:
    """What the overview counts over every filtered site (everything but the page's own rows)."""

    shown: list[SiteInfo]
    """The sites to list, sorted."""
    regions: list[str]
    counts: dict[str, Counts]
    totals: Counts
    found: int
    missing: int
    late: int
    years: list[int]
    all_years: list[int]
    rule_ids: list[str]
    by_rule: list[RuleCount]
    trend: list[RunPoint]


def aggregates(session: Session, f: Filters) -> Aggregates:
    """The grouped counts of the overview for the filter ``f`` (a dozen queries over the store)."""
    sites, regions = filtered_sites(session, f)
    ids = [s.id for s in sites] if f.region is not None or f.level is not None else None
    counts = queries.site_counts(session, f, ids)
    years_by_site = queries.site_years(session, ids)
    all_years = queries.current_years(session)
    years = [f.year] if f.year is not None else sorted(all_years[:MAX_YEARS])
    audited = queries.current_sites(session, ids)
    shown = [s for s in sites if s.id in audited]
    if f.narrows_findings:
        shown = [s for s in shown if counts.get(s.id, Counts()).total > 0]
    shown.sort(key=_sort_key(f, counts))
    totals = Counts()
    found = missing = 0
    for s in shown:
        totals.merge(counts.get(s.id, Counts()))
        have = years_by_site.get(s.id, set())
        found += sum(1 for y in years if y in have)
        missing += sum(1 for y in years if y not in have)
    return Aggregates(
        shown=shown,
        regions=regions,
        counts=counts,
        totals=totals,
        found=found,
        missing=missing,
        late=queries.late_count(session, f, ids),
        years=years,
        all_years=all_years,
        rule_ids=queries.current_rule_ids(session),
        by_rule=queries.counts_by_rule(session, f, ids),
        trend=queries.trend(session, f, ids),
    )


def build_overview(session: Session, f: Filters, cache: StateCache | None = None) -> Overview:
    """The overview for the filter ``f``: the aggregates (from ``cache`` while the store is unchanged)
    and the rows of the page asked for."""
    key = ("overview", f.region, f.level, f.year, f.severity, f.rule, f.sort)
    agg = cache.get(session, key, lambda: aggregates(session, f)) if cache else aggregates(session, f)
    counts = agg.counts
    pages = max(1, math.ceil(len(agg.shown) / PAGE_SIZE))
    page = min(f.page, pages)
    page_sites = agg.shown[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    ranked = sorted(agg.shown, key=lambda s: (-counts.get(s.id, Counts()).error, s.name))[:10]
    return Overview(
        filters=f,
        years=agg.years,
        lines=_lines(session, f, page_sites, counts, agg.years),
        matching_sites=len(agg.shown),
        pages=pages,
        totals=agg.totals,
        found=agg.found,
        late=agg.late,
        missing=agg.missing,
        regions=agg.regions,
        rule_ids=agg.rule_ids,
        all_years=agg.all_years,
        by_rule=agg.by_rule,
        by_site=[(s, counts[s.id]) for s in ranked if counts.get(s.id, Counts()).error > 0],
        trend=agg.trend,
    )


def _sort_key(f: Filters, counts: dict[str, Counts]) -> Callable[[SiteInfo], tuple[Any, ...]]:
    if f.sort == "name":
        return lambda s: (s.name, s.id)
    return lambda s: (-counts.get(s.id, Counts()).error, -counts.get(s.id, Counts()).warning, s.name, s.id)


def _lines(
    session: Session, f: Filters, sites: list[SiteInfo], counts: dict[str, Counts], years: list[int]
) -> list[SiteLine]:
    ids = [s.id for s in sites]
    briefs = queries.reports_of_sites(session, f, ids)
    resolved = queries.resolved_by_site_year(session, f, ids)
    runs = queries.current_run_of(session, ids)
    lines: dict[str, SiteLine] = {}
    for s in sites:
        run_id, started = runs.get(s.id, (None, None))
        cells = [YearCell(year=y) for y in years]
        for cell in cells:
            cell.counts.resolved = resolved.get((s.id, cell.year), 0)
        lines[s.id] = SiteLine(
            site=s, counts=counts.get(s.id, Counts()), cells=cells, portal=[],
            run_id=run_id, run_started=started
        )
    for brief in briefs:
        line = lines[brief.site_id]
        if brief.year is None:
            line.portal.append(brief)
            continue
        for cell in line.cells:
            if cell.year == brief.year:
                cell.reports.append(brief)
                cell.counts.merge(brief.counts)
    return list(lines.values())
