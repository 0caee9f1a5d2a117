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

import difflib
import re
import tomllib
from dataclasses import dataclass, fields
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


def unknown_keys(given: set[str], known: set[str] | list[str]) -> str | None:
    """"未知的键 schedul（是不是 schedule？）" for keys not in ``known``, naming the closest known key;
    None if every key is known."""
    unknown = sorted(given - set(known))
    if not unknown:
        return None
    parts = []
    for key in unknown:
        close = difflib.get_close_matches(key, sorted(known), n=1, cutoff=0.6)
        parts.append(f"{key}（是不是 {close[0]}？）" if close else key)
    return f"未知的键 {'、'.join(parts)}；可用的键：{'、'.join(sorted(known))}"


def _choice(value: object, known: list[str] | tuple[str, ...]) -> str:
    """"（是不是 government？）" when ``value`` is close to a known choice."""
    close = difflib.get_close_matches(str(value), list(known), n=1, cutoff=0.6)
    return f"（是不是 {close[0]}？）" if close else ""


def parse_site(entry: dict[str, Any], index: int) -> Site:
    """One ``[[site]]`` table, validated; each error names the site and, where it can, what was meant."""
    where = f"第 {index + 1} 个 [[site]]"
    if (unknown := unknown_keys(set(entry), _SITE_KEYS)) is not None:
        raise SitesFileError(f"{where}：{unknown}")
    site_id = entry.get("id")
    if not isinstance(site_id, str) or not _ID.match(site_id):
        raise SitesFileError(f"{where}：id 必须是由字母、数字、“-”“_”“.”组成的短字符串（不超过 100 个字符）")
    where = f"站点 {site_id}"
    name = entry.get("name")
    if not isinstance(name, str) or not name.strip():
        raise SitesFileError(f"{where}：缺少 name（站点名称，如“卫滨区人民政府”）")
    urls = _start_urls(entry, where)
    level, deadline = _level_and_deadline(entry, where)
    schedule = entry.get("schedule", DEFAULT_SCHEDULE)
    if not isinstance(schedule, str) or len(schedule.split()) not in (5, 6):
        raise SitesFileError(f"{where}：schedule 应是 cron 表达式（5 个字段，或加上秒共 6 个），"
                             "如 \"0 3 * * *\"")
    hosts = entry.get("allowed_hosts") or sorted({netloc(u) for u in urls})
    if not isinstance(hosts, list) or not all(isinstance(h, str) for h in hosts):
        raise SitesFileError(f"{where}：allowed_hosts 必须是主机名列表")
    return Site(
        id=site_id, name=name.strip(), start_urls=tuple(urls), level=level, deadline=deadline,
        schedule=schedule, allowed_hosts=tuple(h.lower() for h in hosts), adapter=_adapter(entry, where),
    )


def _start_urls(entry: dict[str, Any], where: str) -> list[str]:
    """The site's start URLs: a non-empty list of http(s) addresses."""
    urls = entry.get("start_urls")
    if not isinstance(urls, list) or not urls or not all(isinstance(u, str) for u in urls):
        raise SitesFileError(f"{where}：start_urls 必须是非空的网址列表，如 [\"https://…/index.html\"]")
    for u in urls:
        if urlsplit(u).scheme not in ("http", "https") or not urlsplit(u).hostname:
            raise SitesFileError(f"{where}：不是 http(s) 网址：{u}")
    return urls


def _level_and_deadline(entry: dict[str, Any], where: str) -> tuple[str | None, str | None]:
    """The site's level (one of LEVELS) and its own deadline ("MM-DD"), each optional."""
    level = entry.get("level")
    if level is not None and level not in LEVELS:
        raise SitesFileError(f"{where}：level 只能是 {'、'.join(LEVELS)}，"
                             f"不能是 {level!r}{_choice(level, LEVELS)}")
    deadline = entry.get("deadline")
    if deadline is not None and (not isinstance(deadline, str) or not _DEADLINE.match(deadline)):
        raise SitesFileError(f"{where}：deadline 应写成“MM-DD”，如 \"03-31\"（不能是 {deadline!r}）")
    return level, deadline


def _adapter(entry: dict[str, Any], where: str) -> str:
    """The name of the site's discovery adapter (default generic)."""
    from crawler.discover.adapters import ADAPTERS

    adapter = entry.get("adapter", "generic")
    if adapter not in ADAPTERS:
        known = sorted(ADAPTERS)
        raise SitesFileError(f"{where}：未知的 adapter {adapter!r}{_choice(adapter, known)}"
                             f"（可用：{'、'.join(known)}）")
    return str(adapter)


def parse_sites(data: dict[str, Any], path: Path | None = None) -> SitesFile:
    """A sites file's parsed TOML, validated."""
    where = f"{path}：" if path is not None else ""
    entries = data.get("site")
    if not isinstance(entries, list) or not entries:
        # Other top-level tables are left alone (other tools may share the file); a near miss is named.
        near = [k for k in data if k != "site" and difflib.get_close_matches(k, ["site"], n=1, cutoff=0.6)]
        hint = f"（{'、'.join(near)} 是不是 site？）" if near else ""
        raise SitesFileError(f"{where}没有 [[site]] 条目{hint}；每个站点写一个 [[site]] 表")
    if not all(isinstance(e, dict) for e in entries):
        raise SitesFileError(f"{where}site 必须写成 [[site]] 表")
    try:
        sites = tuple(parse_site(e, i) for i, e in enumerate(entries))
    except SitesFileError as exc:
        raise SitesFileError(f"{where}{exc}") from None
    ids = [s.id for s in sites]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise SitesFileError(f"{where}站点 id 重复：{'、'.join(dupes)}")
    crawler = data.get("crawler", {})
    if not isinstance(crawler, dict):
        raise SitesFileError(f"{where}[crawler] 必须是一个表")
    if (unknown := unknown_keys(set(crawler), [f.name for f in fields(CrawlSettings)])) is not None:
        raise SitesFileError(f"{where}[crawler]：{unknown}")
    try:
        settings = CrawlSettings.from_mapping(crawler)
    except (TypeError, ValueError) as exc:
        raise SitesFileError(f"{where}[crawler] 的设置无效：{exc}") from None
    return SitesFile(sites=sites, settings=settings, path=path)


def load_sites(path: Path) -> SitesFile:
    """Read and validate a sites file."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SitesFileError(f"{path}：站点文件不存在") from None
    except UnicodeDecodeError:
        raise SitesFileError(f"{path}：站点文件应为 UTF-8 编码") from None
    except OSError as exc:
        raise SitesFileError(f"{path}：无法读取站点文件（{exc.strerror or exc}）") from None
    except tomllib.TOMLDecodeError as exc:
        raise SitesFileError(f"{path}：不是有效的 TOML（{exc}）") from None
    return parse_sites(data, path)
