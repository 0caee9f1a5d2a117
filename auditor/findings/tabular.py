"""Findings as rows, one per finding: CSV (UTF-8 with BOM, so Excel opens it) and XLSX."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from auditor.findings.jsonout import atomic_write_bytes
from auditor.findings.model import SEVERITY_NAMES, ReportResult

HEADER: tuple[str, ...] = (
    "来源", "机关", "年度", "规则", "级别", "标题", "说明", "部分", "表格", "行", "列", "证据", "依据", "整改方法",
    "豁免理由", "指纹",
)  # fmt: skip


def finding_rows(results: Sequence[ReportResult]) -> Iterator[list[Any]]:
    """One row per finding, in HEADER's order."""
    for result in results:
        doc = result.document
        for f in result.findings:
            loc = f.location
            yield [
                result.source,
                doc.agency if doc else None,
                doc.year if doc else None,
                f.rule_id,
                SEVERITY_NAMES.get(f.severity, f.severity),
                f.title,
                f.message,
                loc.section,
                loc.table,
                loc.row,
                loc.column,
                f.evidence,
                f.basis,
                f.fix,
                f.waived,
                f.fingerprint,
            ]


def write_csv(out_dir: Path, results: Sequence[ReportResult], rules: Sequence[dict[str, Any]]) -> Path:
    """findings.csv: UTF-8 with a byte-order mark, which Excel needs to read Chinese."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADER)
    writer.writerows(["" if v is None else v for v in row] for row in finding_rows(results))
    path = out_dir / "findings.csv"
    atomic_write_bytes(path, buffer.getvalue().encode("utf-8-sig"))
    return path


_WIDTHS = {
    "来源": 40,
    "机关": 24,
    "标题": 24,
    "说明": 60,
    "行": 24,
    "列": 16,
    "证据": 50,
    "依据": 40,
    "整改方法": 40,
}


def write_xlsx(out_dir: Path, results: Sequence[ReportResult], rules: Sequence[dict[str, Any]]) -> Path:
    """findings.xlsx: one sheet of findings with a frozen, filterable header, and a sheet of rules."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    sheet.title = "审查发现"
    sheet.append(list(HEADER))
    for row in finding_rows(results):
        sheet.append(row)
    for i, name in enumerate(HEADER, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = _WIDTHS.get(name, 10)
        sheet.cell(row=1, column=i).font = Font(bold=True)
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    rule_sheet = book.create_sheet("规则")
    rule_sheet.append(["规则", "标题", "级别", "依据"])
    for rule in rules:
        rule_sheet.append(
            [rule.get("id"), rule.get("title"), SEVERITY_NAMES.get(str(rule.get("severity")), rule.get("severity")),
             rule.get("basis")]
        )  # fmt: skip
    buffer = io.BytesIO()
    book.save(buffer)
    path = out_dir / "findings.xlsx"
    atomic_write_bytes(path, buffer.getvalue())
    return path
