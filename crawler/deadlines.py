"""Publication deadlines (《政府信息公开条例》第四十九条) by level, with a site's own override."""

from __future__ import annotations

import logging
from datetime import date

from auditor.engine.rulefile import RuleFileError, project_rule
from auditor.level import level_of
from crawler.sites import Site


def _statutory_deadlines() -> dict[str, str]:
    """MM-DD by level from the one deadline table, rules/PUB-001.yaml (a level without one is left out)."""
    try:
        table = project_rule("PUB-001").params
    except RuleFileError as exc:
        # no table, no judgement: a late or missing report goes unreported rather than misjudged
        logging.getLogger("nianbao.crawler").error("规则文件有误，法定公布期限未知：%s", exc)
        return {}
    return {level: str(day) for level, day in table.items() if day}


STATUTORY_DEADLINES = _statutory_deadlines()
"""本级政府 by Y+1-03-31, 县级以上人民政府部门 by Y+1-01-31; townships have none nationally
(rules/PUB-001.yaml)."""


def infer_level(name: str) -> str:
    """The level a body's name or a report title suggests (one definition for crawler and rule base)."""
    return level_of(name, None)


OLD_REGIME_LAST_YEAR = 2018
"""Reports up to year 2018 fell under the 2008 条例 (第三十一条: every body by 3月31日)."""


def deadline(site: Site, year: int, title: str = "") -> tuple[date, str] | None:
    """(deadline, what it rests on) for the report of ``year``; None for a township without one."""
    if year <= OLD_REGIME_LAST_YEAR and not site.deadline:
        return date(year + 1, 3, 31), "2008年《条例》第三十一条"
    level = site.level or infer_level(title or site.name)
    month_day = site.deadline or STATUTORY_DEADLINES.get(level)
    if month_day is None:
        return None
    month, day = (int(p) for p in month_day.split("-"))
    basis = "站点配置的期限" if site.deadline else {"government": "本级政府", "department": "政府部门"}[level]
    return date(year + 1, month, day), basis
