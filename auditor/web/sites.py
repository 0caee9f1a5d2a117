"""Sites as the web view groups them: by level and by region.

The sites file has no region key, so the region is read from the body's name: its first administrative
place name ("河南省郑州市管城区…" gives 河南省, "卫滨区人民政府" gives 卫滨区).  The level is the configured
one, else the one the name suggests (auditor.level, the rule the crawler's deadlines use too).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from auditor.level import level_of

_REGION = re.compile(r"^(.{2,12}?(?:特别行政区|自治区|自治州|自治县|自治旗|地区|省|盟|市|州|县|旗|区))")

UNKNOWN_REGION = "未识别地区"


@dataclass(frozen=True, slots=True)
class SiteInfo:
    """A site with the level and region the interface shows and filters on."""

    id: str
    name: str
    level: str
    region: str


def region_of(name: str) -> str:
    """The first administrative place name at the start of a body's name, or :data:`UNKNOWN_REGION`."""
    found = _REGION.match(name.strip())
    return found.group(1) if found else UNKNOWN_REGION


def site_info(site_id: str, name: str, level: str | None) -> SiteInfo:
    """The interface's view of a stored site (its id, name and configured level)."""
    return SiteInfo(id=site_id, name=name, level=level or level_of(name, None), region=region_of(name))
