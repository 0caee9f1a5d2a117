"""整改通知: the rectification notice an officer sends each body after an audit, and the region summary
for the supervising office.

Both are made from findings.json (shared/spec/CONTRACT.md), so they work on the output of `nianbao audit`
and `nianbao run` alike, and on the web view's stored audits (``ReportResult.to_dict()`` is the same shape).

- :func:`notice_docx` — one .docx per body: the report(s) audited (title, year, source, sha256, published),
  every open finding in plain Chinese with its location, evidence, legal basis and how to fix it, grouped
  by severity, and the date by which the body must reply.
- :func:`region_workbook` — one .xlsx: bodies × rules (open findings), late (PUB-001) and missing
  (PUB-002) reports listed apart, the rules explained.

Waived findings are not asked to be fixed: the notice says how many there are.  Everything here is
pure (bytes in memory); :func:`write_notices` does the file writing.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from auditor.findings.jsonout import atomic_write_bytes
from auditor.findings.model import SEVERITIES, Location
from auditor.findings.wording import location_text, severity_name, template_name

Report = Mapping[str, Any]
"""One entry of findings.json's ``reports``."""

SUMMARY_NAME = "地区汇总.xlsx"
DEFAULT_ISSUER = "政府信息公开工作主管部门"
LATE, MISSING = "PUB-001", "PUB-002"

_SEVERITY_HEADINGS = {
    "error": "错误（不符合《条例》或年度报告格式的规定，必须整改）",
    "warning": "警告（可能存在的问题，请核实后整改或说明）",
    "info": "提示（供参考，可在今后的报告中改进）",
}
_NUMERALS = "一二三四五六七八九十"
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]+')


@dataclass(frozen=True, slots=True)
class NoticeOptions:
    """What the officer sets: the reply-by date, who issues the notice, and the notice's date."""

    reply_by: date
    issued: date
    issuer: str = DEFAULT_ISSUER


UNKNOWN_BODY = "未识别的机关"
"""Where reports whose body could not be read are grouped: no notice can be addressed to them."""


def body_of(report: Report) -> str:
    """The body a report belongs to (its agency), or :data:`UNKNOWN_BODY`."""
    value = report.get("agency")
    return value.strip() if isinstance(value, str) and value.strip() else UNKNOWN_BODY


def open_findings(report: Report) -> list[Mapping[str, Any]]:
    """The report's findings that are not waived."""
    return [f for f in report.get("findings") or [] if not f.get("waived")]


def group_by_body(reports: Iterable[Report]) -> dict[str, list[Report]]:
    """Reports by body, bodies in the order first seen."""
    groups: dict[str, list[Report]] = {}
    for report in reports:
        groups.setdefault(body_of(report), []).append(report)
    return groups


def needs_notice(reports: Sequence[Report]) -> bool:
    """A body is sent a notice when one of its reports has an open error or warning."""
    return any(f.get("severity") in ("error", "warning") for r in reports for f in open_findings(r))


def file_name(body: str) -> str:
    """整改通知-<body>.docx, with characters no file system accepts replaced."""
    safe = _UNSAFE.sub("_", body).strip(" .") or "未识别的机关"
    return f"整改通知-{safe[:80]}.docx"


def _cn_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _location(finding: Mapping[str, Any]) -> str:
    loc = finding.get("location") or {}
    return location_text(Location(**{k: loc.get(k) for k in ("section", "table", "row", "column")}))


def _report_label(report: Report) -> str:
    year = report.get("year")
    return f"{year}年度报告" if year else (report.get("title") or "报告")


def _set_fonts(document: Any) -> None:
    """宋体 in black for every style the notice uses: Word otherwise falls back to a Western font for
    Chinese, and python-docx's default headings are blue, which no official notice is."""
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor

    for name in ("Normal", "Title", "Heading 1", "Heading 2", "Table Grid"):
        try:
            style = document.styles[name]
        except KeyError:
            continue
        font = style.font
        font.name = "宋体"
        font.color.rgb = RGBColor(0, 0, 0)
        if name == "Normal":
            font.size = Pt(12)
        r_pr = style.element.get_or_add_rPr()
        fonts = r_pr.find(qn("w:rFonts"))
        if fonts is None:
            fonts = r_pr.makeelement(qn("w:rFonts"), {})
            r_pr.append(fonts)
        fonts.set(qn("w:eastAsia"), "宋体")


def _labelled(document: Any, label: str, text: str) -> None:
    paragraph = document.add_paragraph()
    paragraph.paragraph_format.left_indent = document.styles["Normal"].font.size
    paragraph.add_run(f"{label}：").bold = True
    paragraph.add_run(text)


def _reports_table(document: Any, reports: Sequence[Report]) -> None:
    table = document.add_table(rows=1, cols=5)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, ("报告", "年度", "来源", "SHA-256", "发布日期"), strict=True):
        cell.text = text
        cell.paragraphs[0].runs[0].bold = True
    for report in reports:
        values = (
            report.get("title") or "（无标题）",
            str(report.get("year") or "未识别"),
            str(report.get("source") or ""),
            str(report.get("sha256") or "—"),
            str(report.get("published") or "未知"),
        )
        row = table.add_row().cells
        for cell, text in zip(row, values, strict=True):
            cell.text = text
    for report in reports:
        if report.get("error"):
            document.add_paragraph(f"注：{_report_label(report)}无法读取（{report['error']}），请重新发布可读取的版本。")


def _problems(document: Any, findings: Sequence[tuple[Report, Mapping[str, Any]]],
              rules: Mapping[str, Mapping[str, Any]], *, several: bool) -> None:
    """The open findings, grouped by severity under （一）（二）… headings, numbered within each group."""
    part = 0
    for severity in SEVERITIES:
        group = [(r, f) for r, f in findings if f.get("severity") == severity]
        if not group:
            continue
        document.add_heading(f"（{_NUMERALS[part]}）{_SEVERITY_HEADINGS[severity]}", level=2)
        part += 1
        for n, (report, finding) in enumerate(group, 1):
            label = f"【{_report_label(report)}】" if several else ""
            _problem(document, f"{n}. {label}", finding, rules.get(str(finding.get("rule_id")), {}))


def _problem(document: Any, prefix: str, finding: Mapping[str, Any], rule: Mapping[str, Any]) -> None:
    """One finding: its bold heading line, then what, where, evidence, basis and how to fix it."""
    severity = str(finding.get("severity"))
    head = document.add_paragraph()
    head.add_run(f"{prefix}{finding.get('title') or rule.get('title') or ''}（{finding.get('rule_id')}，"
                 f"{severity_name(severity)}）").bold = True
    _labelled(document, "问题", str(finding.get("message") or ""))
    if where := _location(finding):
        _labelled(document, "位置", where)
    evidence = str(finding.get("evidence") or "")
    if evidence and evidence not in str(finding.get("message") or ""):  # not twice when quoted
        _labelled(document, "证据", evidence)
    if basis := finding.get("basis") or rule.get("basis"):
        _labelled(document, "依据", str(basis))
    if finding.get("fix"):
        _labelled(document, "整改方法", str(finding["fix"]))


def notice_docx(body: str, reports: Sequence[Report], rules: Mapping[str, Mapping[str, Any]],
                options: NoticeOptions) -> bytes:
    """The 整改通知 of one body as .docx bytes."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    document = Document()
    _set_fonts(document)
    known = body != UNKNOWN_BODY
    title = f"关于{body if known else ''}政府信息公开工作年度报告问题整改的通知"
    document.core_properties.title = title
    document.core_properties.author = options.issuer
    heading = document.add_heading(title, level=0)
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER

    findings = [(r, f) for r in reports for f in open_findings(r)]
    counts = Counter(f.get("severity") for _, f in findings)
    waived = sum(1 for r in reports for f in r.get("findings") or [] if f.get("waived"))
    document.add_paragraph(f"{body}：" if known else "（报告中未能识别机关名称，请填写）：")
    document.add_paragraph(
        f"依据《中华人民共和国政府信息公开条例》第四十九条、第五十条和国务院办公厅政府信息公开办公室规定的年度报告格式，"
        f"{options.issuer}对你单位公布的政府信息公开工作年度报告进行了审查，"
        f"共发现错误 {counts.get('error', 0)} 项、警告 {counts.get('warning', 0)} 项、"
        f"提示 {counts.get('info', 0)} 项。现将有关问题通知如下，请认真整改。"
    )

    document.add_heading("一、审查的报告", level=1)
    _reports_table(document, reports)

    document.add_heading("二、发现的问题", level=1)
    _problems(document, findings, rules, several=len(reports) > 1)
    if not findings:
        document.add_paragraph("未发现需要整改的问题。")
    if waived:
        document.add_paragraph(f"另有 {waived} 项经核实已豁免，不在整改之列。")

    document.add_heading("三、整改要求", level=1)
    document.add_paragraph(
        f"请你单位对照上述问题逐项核实、整改，更正后的年度报告应在原发布位置重新公布并注明更正情况；"
        f"于{_cn_date(options.reply_by)}前将整改情况书面报送{options.issuer}。"
        f"对认为不属于问题的事项，请一并说明理由并附相关依据。"
    )
    for text in (options.issuer, _cn_date(options.issued)):
        document.add_paragraph(text).alignment = WD_ALIGN_PARAGRAPH.RIGHT

    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _cell(sheet: Any, row: int, col: int, value: Any) -> None:
    """A cell holding ``value`` as given: text from a report that starts with "=" stays text, never a
    formula."""
    cell = sheet.cell(row=row, column=col, value=value)
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"


def _sheet(workbook: Any, title: str, header: Sequence[str], rows: Iterable[Sequence[Any]],
           widths: Mapping[int, int]) -> Any:
    from openpyxl.styles import Font

    sheet = workbook.create_sheet(title)
    for col, name in enumerate(header, 1):
        _cell(sheet, 1, col, name)
        sheet.cell(row=1, column=col).font = Font(bold=True)
    last = 1
    for last, values in enumerate(rows, 2):
        for col, value in enumerate(values, 1):
            _cell(sheet, last, col, value)
    sheet.freeze_panes = "B2"
    if last > 1:
        sheet.auto_filter.ref = sheet.dimensions
    for col, width in widths.items():
        sheet.column_dimensions[sheet.cell(row=1, column=col).column_letter].width = width
    return sheet


def region_workbook(reports: Sequence[Report], rules: Sequence[Mapping[str, Any]]) -> bytes:
    """The region summary as .xlsx bytes: 机关汇总 (bodies × rules), 逾期与缺失, 规则说明."""
    from openpyxl import Workbook

    groups = group_by_body(reports)
    found = Counter(f.get("rule_id") for r in reports for f in open_findings(r))
    known = [str(r.get("id")) for r in rules if r.get("id") in found]
    rule_ids = known + sorted(str(i) for i in found if i not in set(known))

    def body_row(body: str, items: Sequence[Report]) -> list[Any]:
        opened = [f for r in items for f in open_findings(r)]
        by_rule = Counter(f.get("rule_id") for f in opened)
        by_severity = Counter(f.get("severity") for f in opened)
        years = sorted({int(r["year"]) for r in items if isinstance(r.get("year"), int)})
        return [
            body, len(items), "、".join(map(str, years)) or "未识别",
            *(by_severity.get(s, 0) for s in SEVERITIES),
            by_rule.get(LATE, 0), by_rule.get(MISSING, 0),
            "需整改" if needs_notice(items) else "无需整改",
            *(by_rule.get(i, 0) for i in rule_ids),
        ]

    workbook = Workbook()
    workbook.remove(workbook.active)
    header = ["机关", "报告数", "年度", "错误", "警告", "提示", "逾期发布",
              "未找到报告", "整改通知", *rule_ids]
    _sheet(workbook, "机关汇总", header, (body_row(b, items) for b, items in groups.items()),
           {1: 30, 3: 14, 9: 10})
    late_rows = (
        [body_of(r), r.get("year") or "", f.get("rule_id"),
         "逾期发布" if f.get("rule_id") == LATE else "未找到报告",
         f.get("message") or "", f.get("evidence") or "", r.get("source") or ""]
        for r in reports for f in open_findings(r) if f.get("rule_id") in (LATE, MISSING)
    )
    _sheet(workbook, "逾期与缺失", ["机关", "年度", "规则", "情况", "说明", "证据", "来源"], late_rows,
           {1: 30, 5: 60, 6: 40, 7: 40})
    report_rows = (
        [body_of(r), r.get("year") or "", r.get("title") or "", template_name(r.get("template")),
         r.get("published") or "",
         *(sum(f.get("severity") == s for f in open_findings(r)) for s in SEVERITIES),
         r.get("error") or "", r.get("source") or "", r.get("sha256") or ""]
        for r in reports
    )
    _sheet(workbook, "报告明细", ["机关", "年度", "标题", "格式版本", "发布日期",
                              "错误", "警告", "提示", "无法读取的原因",
                              "来源", "SHA-256"], report_rows, {1: 30, 3: 40, 10: 40})
    rule_rows = ([r.get("id"), r.get("title"), severity_name(str(r.get("severity"))), r.get("basis")]
                 for r in rules if r.get("id") in found)
    _sheet(workbook, "规则说明", ["规则", "标题", "级别", "依据"], rule_rows, {2: 30, 4: 80})
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@dataclass(frozen=True, slots=True)
class NoticeRun:
    """What :func:`write_notices` wrote, and how many reports it could not address to a body."""

    notices: list[Path]
    summary: Path
    bodies: int
    unaddressed: int
    """Reports needing rectification whose body could not be identified (listed in the summary only)."""


def write_notices(findings: Mapping[str, Any], out_dir: Path, options: NoticeOptions) -> NoticeRun:
    """One 整改通知 per identified body that needs one, and the region summary, in ``out_dir``."""
    reports = list(findings.get("reports") or [])
    rules = list(findings.get("rules") or [])
    by_id = {str(r.get("id")): r for r in rules}
    written: list[Path] = []
    used: set[str] = set()
    groups = group_by_body(reports)
    for body, items in groups.items():
        if body == UNKNOWN_BODY or not needs_notice(items):
            continue
        name = file_name(body)
        stem, n = name.removesuffix(".docx"), 2
        while name in used:  # two bodies whose names differ only in unsafe characters
            name, n = f"{stem}-{n}.docx", n + 1
        used.add(name)
        path = out_dir / name
        atomic_write_bytes(path, notice_docx(body, items, by_id, options))
        written.append(path)
    summary = out_dir / SUMMARY_NAME
    atomic_write_bytes(summary, region_workbook(reports, rules))
    unaddressed = sum(needs_notice([r]) for r in groups.get(UNKNOWN_BODY, []))
    return NoticeRun(written, summary, len([b for b in groups if b != UNKNOWN_BODY]), unaddressed)


class FindingsFileError(ValueError):
    """findings.json is missing, not JSON, or not in the contract's shape (the message says which, in
    Chinese)."""


def load_findings(path: Path) -> dict[str, Any]:
    """A findings.json, checked to be the contract's shape (an object with a list of report objects)."""
    import json

    try:
        data: object = json.loads(path.read_bytes())
    except FileNotFoundError:
        raise FindingsFileError(
            f"{path}: 文件不存在（先运行 nianbao audit 或 nianbao run 生成 findings.json）") from None
    except OSError as exc:
        raise FindingsFileError(f"{path}: 无法读取：{exc.strerror or exc}") from None
    except ValueError as exc:
        raise FindingsFileError(f"{path}: 不是有效的 JSON（{exc}）") from None
    reports = data.get("reports") if isinstance(data, dict) else None
    if (not isinstance(data, dict) or not isinstance(reports, list)
            or not all(isinstance(r, dict) for r in reports)):
        raise FindingsFileError(f"{path}: 不是 nianbao 的 findings.json（缺少 reports 列表）")
    if not all(isinstance(f, dict) for r in reports for f in r.get("findings") or []):
        raise FindingsFileError(f"{path}: findings.json 中有格式不正确的问题条目")
    return data
