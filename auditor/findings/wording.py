"""How the outputs word what the model stores in short codes: locations as an officer says them
(第三部分，表三，“（七）总计”行，“自然人”列 — not "三 T3"), template versions and severities in Chinese.

findings.html, the 整改通知 and the region summary all use these, so an officer reads one wording.
"""

from __future__ import annotations

from auditor.findings.model import SEVERITY_NAMES, Location
from auditor.templates import SECTION_HEADINGS, TABLE_NAMES

TEMPLATE_NAMES: dict[str, str] = {
    "2021": "2021年版", "2019": "2019年版", "mixed": "混合版式", "unknown": "未识别"
}
"""findings.json's ``template`` values in Chinese."""

LEVEL_NAMES: dict[str, str] = {"government": "人民政府", "department": "政府部门", "township": "乡镇（街道）"}


def template_name(template: str | None) -> str:
    """"2021" -> "2021年版", "mixed" -> "混合版式"; None or an unexpected value -> "未识别"."""
    return TEMPLATE_NAMES.get(template or "unknown", "未识别")


def severity_name(severity: str) -> str:
    """"error" -> "错误" (an unknown value is shown as given)."""
    return SEVERITY_NAMES.get(severity, severity)


def table_name(table: str) -> str:
    """"T3" -> "表三" (an unknown value is shown as given)."""
    return TABLE_NAMES.get(table, table)


def location_text(location: Location) -> str:
    """The location as an officer says it, e.g. "第三部分，表三，“（七）总计”行，“自然人”列"; "" when none."""
    parts: list[str] = []
    if location.section:
        heading = SECTION_HEADINGS.get(location.section)
        if location.table or heading is None:
            parts.append(f"第{location.section}部分")
        else:
            parts.append(f"第{location.section}部分“{heading}”")
    if location.table:
        parts.append(table_name(location.table))
    if location.row:
        parts.append(f"“{location.row}”行")
    if location.column:
        parts.append(f"“{location.column}”列")
    return "，".join(parts)
