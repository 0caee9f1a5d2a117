"""Findings as rows, one per finding: CSV (UTF-8 with BOM, so Excel opens it) and XLSX.

Both are written as the results arrive (openpyxl's write-only workbook for XLSX), so memory stays flat
whatever the number of reports; what a format cannot hold is replaced and counted (see sanitize.py).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from auditor.findings.jsonout import AtomicFile, drain
from auditor.findings.model import SEVERITY_NAMES, ReportResult
from auditor.findings.sanitize import CSV_UNSAFE, XML_UNSAFE, Sanitizer

HEADER: tuple[str, ...] = (
    "来源", "机关", "年度", "规则", "级别", "标题", "说明", "部分", "表格", "行", "列", "证据", "依据",
    "整改方法", "豁免理由", "指纹",
)  # fmt: skip


def finding_rows(results: Iterable[ReportResult]) -> Iterator[list[Any]]:
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


class CsvStream:
    """findings.csv: UTF-8 with a byte-order mark, which Excel needs to read Chinese."""

    name = "findings.csv"

    def __init__(self, out_dir: Path, rules: Sequence[dict[str, Any]]) -> None:
        self.file = AtomicFile(out_dir / self.name)
        self.file.write("\ufeff")
        self.clean = Sanitizer(CSV_UNSAFE)
        self.writer = csv.writer(self.file.fh, lineterminator="\r\n")
        self.writer.writerow(HEADER)

    @property
    def replaced(self) -> int:
        return self.clean.replaced

    def add(self, result: ReportResult) -> None:
        """Append the rows of one report's findings."""
        clean = self.clean.text
        self.writer.writerows(
            ["" if v is None else clean(v) if isinstance(v, str) else v for v in row]
            for row in finding_rows((result,))
        )

    def close(self) -> Path:
        return self.file.commit()

    def abort(self) -> None:
        self.file.abort()


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
_WRAPPED = frozenset({"说明", "证据", "依据", "整改方法"})
"""Long text columns, shown wrapped; the others stay one line (a styled cell costs time per row)."""


class XlsxStream:
    """findings.xlsx: a sheet of findings with a frozen, filterable header, and a sheet of rules."""

    name = "findings.xlsx"

    def __init__(self, out_dir: Path, rules: Sequence[dict[str, Any]]) -> None:
        from openpyxl import Workbook
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Alignment, Font
        from openpyxl.utils import get_column_letter

        self.path = out_dir / self.name
        self.clean = Sanitizer(XML_UNSAFE)
        self.book = Workbook(write_only=True)
        self.sheet = self.book.create_sheet("审查发现")
        self.rules = [dict(r) for r in rules]
        for i, name in enumerate(HEADER, start=1):
            self.sheet.column_dimensions[get_column_letter(i)].width = _WIDTHS.get(name, 10)
        self.sheet.freeze_panes = "A2"
        bold = Font(bold=True)
        header = []
        for name in HEADER:
            cell = WriteOnlyCell(self.sheet, value=name)
            cell.font = bold
            header.append(cell)
        self.sheet.append(header)
        self._cell = WriteOnlyCell
        self._wrap = Alignment(wrap_text=True, vertical="top")
        self._wrapped = [name in _WRAPPED for name in HEADER]
        self.rows = 1

    @property
    def replaced(self) -> int:
        return self.clean.replaced

    def _value(self, value: Any, wrapped: bool) -> Any:
        if isinstance(value, str):
            value = self.clean.text(value)
            if wrapped:
                cell = self._cell(self.sheet, value=value)
                cell.alignment = self._wrap
                return cell
        return value

    def add(self, result: ReportResult) -> None:
        """Append the rows of one report's findings."""
        for row in finding_rows((result,)):
            self.sheet.append([self._value(v, w) for v, w in zip(row, self._wrapped, strict=True)])
            self.rows += 1

    def close(self) -> Path:
        """Write the rules sheet, then the workbook, atomically."""
        from openpyxl.utils import get_column_letter

        self.sheet.auto_filter.ref = f"A1:{get_column_letter(len(HEADER))}{self.rows}"
        rule_sheet = self.book.create_sheet("规则")
        rule_sheet.append(["规则", "标题", "级别", "依据"])
        for rule in self.rules:
            rule_sheet.append([
                self._value(rule.get("id"), False), self._value(rule.get("title"), False),
                SEVERITY_NAMES.get(str(rule.get("severity")), rule.get("severity")),
                self._value(rule.get("basis"), False),
            ])  # fmt: skip
        target = AtomicFile(self.path, text=False)
        try:
            target.fh.close()  # openpyxl writes the zip by name
            self.book.save(target.tmp)
        except BaseException:
            target.abort()
            raise
        return target.commit()

    def abort(self) -> None:
        self.book = None


def write_csv(out_dir: Path, results: Iterable[ReportResult], rules: Sequence[dict[str, Any]]) -> Path:
    """findings.csv for results already in hand."""
    return drain(CsvStream(out_dir, rules), results)


def write_xlsx(out_dir: Path, results: Iterable[ReportResult], rules: Sequence[dict[str, Any]]) -> Path:
    """findings.xlsx for results already in hand."""
    return drain(XlsxStream(out_dir, rules), results)
