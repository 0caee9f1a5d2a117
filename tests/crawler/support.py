"""Shared by the crawler and store tests: the demo portal's dates, fast settings, a sites file."""

from __future__ import annotations

import tomllib
from dataclasses import replace
from datetime import date

from crawler.demo_portal import DemoPortal
from crawler.settings import CrawlSettings
from crawler.sites import SitesFile, parse_sites

BASE_YEAR = 2026
TODAY = date(2026, 6, 1)
"""After both statutory deadlines for year 2025: the report of 2025 is due everywhere."""

FAST = {"delay": 0.01, "jitter": 0.0, "backoff": 0.01, "retries": 3, "timeout": 5.0, "seed": 1}
"""Small politeness delays: the tests own the server.  The rate-limit test sets its own."""


def sites_file(portal: DemoPortal, **settings: object) -> SitesFile:
    """The portal's sites file with fast settings (overridable)."""
    parsed = parse_sites(tomllib.loads(portal.sites_toml()))
    return replace(parsed, settings=CrawlSettings.from_mapping({**FAST, **settings}, parsed.settings))


def gov_path(portal: DemoPortal, years_back: int) -> str:
    """Path of the government report page of year base-``years_back`` (see crawler.demo_portal)."""
    b = portal.base_year
    published = {1: f"{b}03/t{b}0320_101", 2: f"{b - 1}03/t{b - 1}0315_102", 4: f"{b - 3}05/t{b - 3}0510_104"}
    if years_back in published:
        return f"/xxgk/ndbg/{published[years_back]}.html"
    y = b - years_back + 1
    return f"/xxgk/ndbg/{y}03/t{y}0310_10{years_back}.html"
