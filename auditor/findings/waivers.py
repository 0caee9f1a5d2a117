"""Waivers: findings a person has looked at and accepted, with the reason, listed in every report.

A waiver file is TOML::

    [[waiver]]
    rule = "SEC-008"                   # the rule id
    document = "reports/2022/*.html"   # the source as given, or a glob pattern over it
    reason = "上年度无问题需整改"
    expires = 2025-06-30               # optional; an expired waiver no longer applies

A waived finding stays in every output, marked with the reason; it no longer counts for ``--fail-on``.
"""

from __future__ import annotations

import logging
import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

from auditor.findings.model import ReportResult

log = logging.getLogger("nianbao.waivers")

_RULE_ID = re.compile(r"^[A-Z]{2,5}-\d{3}$")
_KEYS = {"rule", "document", "reason", "expires"}


@dataclass(frozen=True, slots=True)
class Waiver:
    rule: str
    document: str
    """A source exactly as audited, or a glob pattern (``*``, ``?``, ``[…]``) over it."""
    reason: str
    expires: date | None = None

    def covers(self, rule_id: str, source: str) -> bool:
        return rule_id == self.rule and (source == self.document or fnmatchcase(source, self.document))

    def expired(self, today: date) -> bool:
        return self.expires is not None and self.expires < today


def _text(entry: dict[str, Any], key: str, number: int) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"第 {number} 条豁免缺少 {key}（应为非空文本）")
    return value.strip()


def _expires(entry: dict[str, Any], number: int) -> date | None:
    value = entry.get("expires")
    if value is None or (isinstance(value, date) and not hasattr(value, "hour")):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise ValueError(f"第 {number} 条豁免的 expires 应为日期（YYYY-MM-DD）")


def _waiver(entry: object, number: int) -> Waiver:
    if not isinstance(entry, dict):
        raise ValueError(f"第 {number} 条豁免应为 [[waiver]] 表")  # noqa: TRY004 - a bad file is a ValueError
    unknown = sorted(set(entry) - _KEYS)
    if unknown:
        raise ValueError(f"第 {number} 条豁免有未知的键：{', '.join(unknown)}")
    rule = _text(entry, "rule", number).upper()
    if not _RULE_ID.match(rule):
        raise ValueError(f"第 {number} 条豁免的 rule “{rule}” 不是规则编号（如 SEC-008）")
    return Waiver(
        rule, _text(entry, "document", number), _text(entry, "reason", number), _expires(entry, number)
    )


def load_waivers(path: Path) -> list[Waiver]:
    """Read a waiver file; raises ValueError with a one-line reason when it cannot be used."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ValueError(f"无法读取豁免文件：{exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise ValueError("豁免文件不是 UTF-8 文本") from None
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"豁免文件不是有效的 TOML：{exc}") from None
    entries = data.get("waiver", [])
    if not isinstance(entries, list):
        raise ValueError("豁免应写成 [[waiver]] 表的列表")  # noqa: TRY004 - a bad file is a ValueError
    if set(data) - {"waiver"}:
        raise ValueError(f"豁免文件有未知的键：{', '.join(sorted(set(data) - {'waiver'}))}")
    return [_waiver(entry, i + 1) for i, entry in enumerate(entries)]


def apply_waivers(
    results: Sequence[ReportResult], waivers: Sequence[Waiver], today: date | None = None
) -> list[Waiver]:
    """Mark the findings each waiver covers (``finding.waived = reason``); expired waivers do not apply.

    Returns the expired waivers that would have covered a finding, each also reported on the log.
    """
    today = today or date.today()
    live = [w for w in waivers if not w.expired(today)]
    expired_hits: dict[Waiver, None] = {}
    for result in results:
        for finding in result.findings:
            match = next((w for w in live if w.covers(finding.rule_id, result.source)), None)
            if match is not None:
                finding.waived = match.reason
                continue
            for waiver in waivers:
                if waiver.expired(today) and waiver.covers(finding.rule_id, result.source):
                    expired_hits[waiver] = None
    for waiver in expired_hits:
        log.warning(
            "豁免已于 %s 过期，不再适用：%s %s（%s）",
            waiver.expires,
            waiver.rule,
            waiver.document,
            waiver.reason,
        )
    return list(expired_hits)
