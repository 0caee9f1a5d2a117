"""The sites file (TOML, shared/spec/CONTRACT.md): which portals to crawl and how.

```toml
[crawler]                 # optional: overrides of crawler.settings.CrawlSettings
delay = 2.0
allow_private = ["127.0.0.1"]
max_crawl_delay = 30.0    # a robots.txt Crawl-delay above this is lowered to it (and logged)
response_budget = 60.0    # seconds one URL may spend receiving responses, all attempts together
host_retries = 20         # retries one host may use in one crawl

[[site]]
id = "weibin"
name = "卫滨区人民政府"
start_urls = ["https://…/zfxxgknb/index.html"]
level = "government"      # government | department | township (optional)
deadline = "03-31"        # overrides the statutory deadline (needed for townships)
schedule = "0 3 * * *"    # cron for `nianbao schedule` (a sixth, leading field gives seconds)
allowed_hosts = ["…"]     # defaults to the hosts of start_urls
adapter = "generic"       # a name from crawler.discover.adapters.ADAPTERS
```
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from crawler.settings import CrawlSettings

LEVELS = ("government", "department", "township")
DEFAULT_SCHEDULE = "0 3 * * *"
"""Daily at 03:00 (Asia/Shanghai) when a site gives no schedule."""

_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")
_DEADLINE = re.compile(r"^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$")
_SITE_KEYS = {"id", "name", "start_urls", "level", "deadline", "schedule", "allowed_hosts", "adapter"}


@dataclass(frozen=True, slots=True)
class Site:
    """One portal's 年报 column."""

    id: str
    name: str
    start_urls: tuple[str, ...]
    level: str | None = None
    deadline: str | None = None
    """"MM-DD" of year Y+1, overriding the statutory deadline for the level."""
    schedule: str = DEFAULT_SCHEDULE
    allowed_hosts: tuple[str, ...] = ()
    adapter: str = "generic"

    def to_config(self) -> dict[str, Any]:
        """The site as a plain mapping (stored with each run)."""
        return {
            "id": self.id, "name": self.name, "start_urls": list(self.start_urls), "level": self.level,
            "deadline": self.deadline, "schedule": self.schedule, "allowed_hosts": list(self.allowed_hosts),
            "adapter": self.adapter,
        }


@dataclass(frozen=True, slots=True)
class SitesFile:
    """The parsed sites file: the sites and the crawler settings it sets."""

    sites: tuple[Site, ...]
    settings: CrawlSettings
    path: Path | None = None

    def site(self, site_id: str) -> Site:
        """The site with this id (KeyError if none)."""
        for s in self.sites:
            if s.id == site_id:
                return s
        raise KeyError(site_id)


class SitesFileError(ValueError):
    """The sites file is missing, not TOML, or has an invalid entry (the message says which)."""


def netloc(url: str) -> str:
    """host[:port] of a URL, lower-cased (the unit of politeness and of allowed_hosts)."""
    return urlsplit(url).netloc.lower().rsplit("@", 1)[-1]


def parse_site(entry: dict[str, Any], index: int) -> Site:
    """One ``[[site]]`` table, validated."""
    where = f"site #{index + 1}"
    unknown = sorted(set(entry) - _SITE_KEYS)
    if unknown:
        raise SitesFileError(f"{where}: unknown key(s) {', '.join(unknown)}")
    site_id = entry.get("id")
    if not isinstance(site_id, str) or not _ID.match(site_id):
        raise SitesFileError(f"{where}: id must be a short string of letters, digits, '-', '_' or '.'")
    where = f"site {site_id!r}"
    name = entry.get("name")
    if not isinstance(name, str) or not name.strip():
        raise SitesFileError(f"{where}: name is required")
    urls = entry.get("start_urls")
    if not isinstance(urls, list) or not urls or not all(isinstance(u, str) for u in urls):
        raise SitesFileError(f"{where}: start_urls must be a non-empty list of URLs")
    for u in urls:
        if urlsplit(u).scheme not in ("http", "https") or not urlsplit(u).hostname:
            raise SitesFileError(f"{where}: not an http(s) URL: {u}")
    level = entry.get("level")
    if level is not None and level not in LEVELS:
        raise SitesFileError(f"{where}: level must be one of {', '.join(LEVELS)}")
    deadline = entry.get("deadline")
    if deadline is not None and (not isinstance(deadline, str) or not _DEADLINE.match(deadline)):
        raise SitesFileError(f"{where}: deadline must be \"MM-DD\"")
    schedule = entry.get("schedule", DEFAULT_SCHEDULE)
    if not isinstance(schedule, str) or len(schedule.split()) not in (5, 6):
        raise SitesFileError(f"{where}: schedule must be a cron expression (5 fields, or 6 with seconds)")
    hosts = entry.get("allowed_hosts") or sorted({netloc(u) for u in urls})
    if not isinstance(hosts, list) or not all(isinstance(h, str) for h in hosts):
        raise SitesFileError(f"{where}: allowed_hosts must be a list of host names")
    adapter = entry.get("adapter", "generic")
    from crawler.discover.adapters import ADAPTERS

    if adapter not in ADAPTERS:
        raise SitesFileError(f"{where}: unknown adapter {adapter!r} (known: {', '.join(sorted(ADAPTERS))})")
    return Site(
        id=site_id, name=name.strip(), start_urls=tuple(urls), level=level, deadline=deadline,
        schedule=schedule, allowed_hosts=tuple(h.lower() for h in hosts), adapter=adapter,
    )


def parse_sites(data: dict[str, Any], path: Path | None = None) -> SitesFile:
    """A sites file's parsed TOML, validated."""
    entries = data.get("site")
    if not isinstance(entries, list) or not entries:
        raise SitesFileError("no [[site]] entries")
    sites = tuple(parse_site(e, i) for i, e in enumerate(entries))
    ids = [s.id for s in sites]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise SitesFileError(f"duplicate site id(s): {', '.join(dupes)}")
    try:
        settings = CrawlSettings.from_mapping(data.get("crawler", {}))
    except (TypeError, ValueError) as exc:
        raise SitesFileError(f"[crawler]: {exc}") from None
    return SitesFile(sites=sites, settings=settings, path=path)


def load_sites(path: Path) -> SitesFile:
    """Read and validate a sites file."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SitesFileError(f"{path}: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise SitesFileError(f"{path}: not valid TOML: {exc}") from None
    return parse_sites(data, path)
