"""The level of the reporting body, from its name: government, department or township.

The level decides which rules apply (SEC-006 only for 人民政府 reports) and which deadline holds
(PUB-001: 本级政府 by 03-31, 部门 by 01-31, 街道/乡镇 none nationally).  ``--level`` overrides it.
"""

from __future__ import annotations

import re

LEVELS: tuple[str, ...] = ("government", "department", "township")

_TOWNSHIP = re.compile(r"(?:街道办事处|街道办|街道|[乡镇](?:人民政府)?)$")
_GOVERNMENT = re.compile(r"人民政府$")
_REGION = re.compile(r"(?:省|自治区|市|区|县|旗|州|盟)$")
"""A region's own name (平潭综合实验区, 某某县): the report of the 本级政府, not of a department."""
_YEAR = re.compile(r"(?:19|20)\d{2}\s*年")


def body_name(title: str | None, agency: str | None) -> str:
    """The body's name: the agency when known, else the part of the title before its year."""
    if agency and agency.strip():
        return re.sub(r"\s+", "", agency)
    if not title:
        return ""
    head = _YEAR.split(title, maxsplit=1)[0]
    return re.sub(r"\s+", "", head).removeprefix("关于")


def level_of(title: str | None, agency: str | None) -> str:
    """government for a 人民政府 or a region named alone (平潭综合实验区), township for a
    街道办事处/乡/镇, department for everything else.

    A 乡/镇人民政府 is a township; a 人民政府办公室 (or any other office of a government) is a department.
    """
    name = body_name(title, agency)
    if _TOWNSHIP.search(name):
        return "township"
    if _GOVERNMENT.search(name) or _REGION.search(name):
        return "government"
    return "department"


TIERS: tuple[str, ...] = ("province", "city", "county", "township", "unknown")

_MUNICIPALITIES = ("北京市", "上海市", "天津市", "重庆市")
_PROVINCE = re.compile(r"^[\u4e00-\u9fff]{2,10}?(?:省|自治区)")
_COUNTY = re.compile(r"(?:区|县|旗)(?!域)")
_CITY = re.compile(r"(?:市|州|盟)")


def tier_of(title: str | None, agency: str | None, level: str | None = None) -> str:
    """The administrative tier of the body (province, city, county, township, unknown), from its
    name: "上海市人民政府办公厅" and "河北省教育厅" are provincial, "某某市财政局" a city's, "卫滨区人民
    政府" and "沭阳县人民政府" a county's.  Used where plausible sizes depend on the tier (VAL-005)."""
    if level == "township":
        return "township"
    name = body_name(title, agency)
    if not name:
        return "unknown"
    if _TOWNSHIP.search(name):
        return "township"
    for city in _MUNICIPALITIES:
        if name.startswith(city):
            return "county" if _COUNTY.search(name[len(city) :]) else "province"
    province = _PROVINCE.match(name)
    rest = name[province.end() :] if province else name
    if _COUNTY.search(re.sub(r"自治区|地区", "", rest)):
        return "county"
    if _CITY.search(rest):
        return "city"
    return "province" if province else "unknown"
