"""Precision and recall of the rule base over the generated corpus (issue 9, item 3).

Every defect kind of the catalogue that a generated report can carry is planted, seed after seed, in
every input format and table layout the samples can be written in, and each planted report is audited
(as ``nianbao audit`` does: one batch, so the across-year checks see the previous year's report).  A
planting is *found* when the finding of its kind is reported on the planted report.  Clean reports of
the same seeds, levels and years are audited in the same layouts; every error or warning on them is a
false alarm.

The plantings are written here, independently of the rules' own examples (which the rules were tuned
on), and vary with the seed: the planted number, the row, whether a section's aspects are written inline.

    uv run python bench/precision_recall.py               # 4 seeds per kind and layout
    uv run python bench/precision_recall.py --seeds 10 --clean 30 --layouts txt,html

Layouts: the sample renderers' formats (txt: tab-separated rows as seed 004; md; html; docx; pdf) and
three text layouts of real reports: ``cells`` (one table cell per line, rows separated by a blank line:
seeds 000/002/003), ``runs`` (one cell per line, cells separated by two blank lines and empty cells by
longer runs: the 河北省教育厅 export), ``mdtabs`` (markdown headings over tab-separated rows: seed 001) and
``runon`` (a table's cells and rows run together on one line: the 平潭 archive export). In ``runon`` a
planted arithmetic defect leaves no unique split of the digits, so FMT-005 is the honest answer there and
the defect's own finding is not expected; on clean reports FMT-005 is counted apart from false alarms.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from auditor.engine import default_rulebase
from auditor.findings.model import ReportResult
from auditor.pipeline import AuditInput, audit_batch
from auditor.samples import (
    SampleReport,
    make_report,
    render_docx,
    render_html,
    render_markdown,
    render_pdf,
    render_text,
)
from auditor.samples.layout import expand
from auditor.samples.render import SECTION_TABLES, table_layouts

FORMATS = ("txt", "md", "html", "docx", "pdf")
TEXT_LAYOUTS = ("cells", "runs", "mdtabs", "runon")
LAYOUTS = FORMATS + TEXT_LAYOUTS
EXTENSION = {"cells": "txt", "runs": "txt", "mdtabs": "md", "runon": "txt"}
UNREADABLE = "FMT-005"
"""On a clean report an FMT-005 says a layout hides the cells (run-on rows): counted apart, not as a false
alarm — it is the honest answer where no split of the digits is certain."""
ALARM_SEVERITIES = ("error", "warning")
NOT_PLANTABLE = {
    "FMT-003": "a generated report prints each table once",
    "FMT-004": "a generated report always has its tables",
    "FMT-005": "a generated table is always readable",
    "FMT-007": "a generated table is never an image",
    "READ-001": "a generated file is always readable",
    "AUD-001": "an info about checks that could not run, not a defect",
}


# ----------------------------------------------------------------------------------------- layouts


def _cell_rows(report: SampleReport, kind: str) -> list[list[str | None]]:
    """The printed rows of one table; None where a merged cell continues (a text export drops it)."""
    return [
        [None if cont else text.replace("\n", "") for text, cont in row]
        for row in expand(table_layouts(report)[kind])
    ]


def _flow_text(report: SampleReport, table: Callable[[list[list[str | None]]], str], md: bool) -> str:
    out: list[str] = [f"# {report.title}" if md else report.title]
    out += report.preamble
    for key, (heading, paragraphs) in report.sections.items():
        out.append(f"## {heading}" if md else heading)
        out += paragraphs
        if key in SECTION_TABLES:
            out.append(table(_cell_rows(report, SECTION_TABLES[key])))
    return "\n\n".join(out) + "\n"


def _one_cell_per_line(rows: list[list[str | None]]) -> str:
    """Seeds 000/002/003: each printed cell on its own tab-indented line, a blank line between rows."""
    return "\n\n".join("\n".join(f"\t{c}" for c in row if c is not None) for row in rows)


def _blank_runs(rows: list[list[str | None]]) -> str:
    """The 河北省教育厅 export: cells on their own lines, two blank lines after each, four after a row;
    an empty cell is only its blank lines."""
    return "\n\n\n\n".join("".join(f"{c}\n\n\n" for c in row if c is not None).rstrip("\n") for row in rows)


def _run_on(rows: list[list[str | None]]) -> str:
    """The 平潭 archive export: a table's cells and rows run together on one line, no separators."""
    return "".join("".join(c for c in row if c) for row in rows)


def _tab_rows(rows: list[list[str | None]]) -> str:
    return "\n".join("\t".join(c or "" for c in row) for row in rows)


def render(report: SampleReport, layout: str, replace: list[tuple[str, str]]) -> bytes | None:
    """The report in ``layout``; None when a text replacement cannot be made in that layout."""
    if layout == "docx":
        return None if replace else render_docx(report)
    if layout == "pdf":
        return None if replace else render_pdf(report)
    text = {
        "txt": lambda: render_text(report),
        "md": lambda: render_markdown(report),
        "html": lambda: render_html(report).decode("utf-8"),
        "cells": lambda: _flow_text(report, _one_cell_per_line, md=False),
        "runs": lambda: _flow_text(report, _blank_runs, md=False),
        "mdtabs": lambda: _flow_text(report, _tab_rows, md=True),
        "runon": lambda: _flow_text(report, _run_on, md=False),
    }[layout]()
    for old, new in replace:
        if old not in text:
            return None
        text = text.replace(old, new)
    return text.encode("utf-8")


# ---------------------------------------------------------------------------------------- plantings


@dataclass
class Planted:
    """What one planting makes: the reports of the batch (the last one carries the defect)."""

    reports: list[SampleReport]
    replace: list[tuple[str, str]] = field(default_factory=list)
    published: date | None = None
    note: str = ""
    """What was planted, for the list of misses."""


Planting = Callable[[int], Planted | None]
YEARS = (2022, 2023, 2024)


def _base(seed: int, *, year: int | None = None, level: str = "department", agency: str | None = None):
    return make_report(seed, year=year or YEARS[seed % len(YEARS)], level=level, agency=agency)


def _edit_paragraphs(report: SampleReport, key: str, edit: Callable[[str], str]) -> bool:
    heading, paragraphs = report.sections[key]
    changed = [edit(p) for p in paragraphs]
    report.sections[key] = (heading, changed)
    return changed != paragraphs


def _drop_aspect(report: SampleReport, label: str) -> bool:
    """Remove a 总体情况 aspect: its "（二）依申请公开" label and body, written inline or apart."""
    heading, paragraphs = report.sections["一"]
    for i, p in enumerate(paragraphs):
        if re.match(rf"（[一二三四五六]）{label}", p):
            inline = p.startswith(f"{p[:3]}{label}。")
            del paragraphs[i : i + (1 if inline else 2)]
            report.sections["一"] = (heading, paragraphs)
            return True
    return False


def _cell(report: SampleReport, grid: str, row: str, col: str) -> int:
    return int(getattr(report, grid)[(row, col)])


def _bump(report: SampleReport, grid: str, cells: list[tuple[str, str]], by: int) -> None:
    table = getattr(report, grid)
    for row, col in cells:
        table[(row, col)] = str(int(table[(row, col)]) + by)


_CN = "零一二三四五六七八九"


def _chinese(n: int) -> str:
    if n < 10:
        return _CN[n]
    if n < 20:
        return "十" + (_CN[n % 10] if n % 10 else "")
    if n < 100:
        return _CN[n // 10] + "十" + (_CN[n % 10] if n % 10 else "")
    return "一百余"


def p_doc001(seed: int) -> Planted:
    r = _base(seed)
    r.title = f"{r.year}年政府信息公开工作年度报告"
    return Planted([r])


def p_doc002(seed: int) -> Planted:
    r = _base(seed)
    r.title = f"{r.agency}政府信息公开工作年度报告"
    return Planted([r])


def p_doc003(seed: int) -> Planted:
    r = _base(seed)
    r.title = f"{r.agency}{r.year - 1}年政府信息公开工作年度报告"
    return Planted([r])


def p_doc004(seed: int) -> Planted:
    r = _base(seed)
    r.preamble = [re.sub(r"本报告中所列数据统计期限[^。]*。", "", p) for p in r.preamble]
    return Planted([r])


def p_sec001(seed: int) -> Planted:
    r = _base(seed)
    r.sections.pop(("五", "六", "一")[seed % 3])
    return Planted([r])


def p_sec002(seed: int) -> Planted:
    r = _base(seed)
    order = ["一", "二", "三", "四", "六", "五"] if seed % 2 else ["二", "一", "三", "四", "五", "六"]
    r.sections = {k: r.sections[k] for k in order}
    return Planted([r])


def p_sec003(seed: int) -> Planted:
    r = _base(seed)
    _heading, paragraphs = r.sections["一"]
    r.sections["一"] = (("一、概述", "1、总体情况", "一、基本情况")[seed % 3], paragraphs)
    return Planted([r])


def p_sec004(seed: int) -> Planted:
    r = _base(seed)
    key = ("五", "一")[seed % 2]
    r.sections[key] = (r.sections[key][0], [("无", "略", "暂无")[seed % 3]])
    return Planted([r])


def p_sec005(seed: int) -> Planted | None:
    r = _base(seed)
    aspect = ("依申请公开", "政府信息管理", "政府信息公开平台建设", "监督保障", "主动公开")[seed % 5]
    return Planted([r], note=f"总体情况 without {aspect}") if _drop_aspect(r, aspect) else None


def p_sec006(seed: int) -> Planted | None:
    r = _base(seed, level="government")
    return Planted([r]) if _drop_aspect(r, "工作考核、社会评议和责任追究") else None


def p_sec007(seed: int) -> Planted:
    r = _base(seed)
    heading, paragraphs = r.sections["五"]
    drop = "改进措施" if seed % 2 else "存在的主要问题"
    r.sections["五"] = (heading, [p for p in paragraphs if not p.startswith(drop)])
    return Planted([r], note=f"五 without its {drop} paragraph")


def p_sec008(seed: int) -> Planted:
    r = _base(seed)
    heading, paragraphs = r.sections["五"]
    r.sections["五"] = (heading, [p for p in paragraphs if not p.startswith("上年度问题整改情况")])
    return Planted([r])


def p_sec009(seed: int) -> Planted:
    r = _base(seed)
    r.sections["六"] = (r.sections["六"][0], [("无", "本年度无其他需要报告的事项。")[seed % 2]])
    return Planted([r])


def p_fmt001(seed: int) -> Planted:
    r = _base(seed)
    old = make_report(seed, year=2020, agency=r.agency, level=r.level)
    if seed % 2:
        r.t2, r.t2_version = old.t2, "2019"
    else:
        r.t3, r.t3_version = old.t3, "2019"
    return Planted([r])


def p_fmt002(seed: int) -> Planted:
    r = make_report(seed, year=2020)
    new = make_report(seed, year=2022, agency=r.agency, level=r.level)
    r.t2, r.t2_version = new.t2, "2021"
    return Planted([r])


def p_fmt006(seed: int) -> Planted:
    r = _base(seed)
    pairs = [("社会公益组织", "社会组织"), ("其他法律行政法规禁止公开", "其他法律法规禁止公开")]
    return Planted([r], replace=[pairs[seed % 2]], note=f"{pairs[seed % 2][0]} → {pairs[seed % 2][1]}")


def _t3_cell_planting(value: Callable[[int, int], str]) -> Planting:
    def plant(seed: int) -> Planted:
        r = _base(seed)
        row = ("granted", "new", "unable_1", "total")[seed % 4]
        col = ("natural", "total")[seed % 2]
        r.t3[(row, col)] = value(_cell(r, "t3", row, col), seed)
        return Planted([r], note=f"T3.{row}.{col} = {r.t3[(row, col)]!r}")

    return plant


p_val001 = _t3_cell_planting(lambda v, s: _chinese(v) if s % 2 else f"{v}件")
p_val002 = _t3_cell_planting(lambda v, s: f"-{v + 1}")
p_val003 = _t3_cell_planting(lambda v, s: "")
p_val004 = _t3_cell_planting(lambda v, s: f"{v}.5")


def p_val005(seed: int) -> Planted:
    r = _base(seed)
    r.t2[("fees", "amount")] = str(250_000 + seed * 13_791)
    return Planted([r])


def p_val006(seed: int) -> Planted:
    r = _base(seed, agency=("东湖区财政局", "青山县市场监督管理局", "白云区教育局")[seed % 3])
    _bump(r, "t2", [("rules", "issued"), ("rules", "in_force")], 1)
    return Planted([r])


def p_bal001(seed: int) -> Planted:
    r = _base(seed)
    row = ("new", "granted", "carry_next")[seed % 3]
    _bump(r, "t3", [(row, "natural")], 1)
    return Planted([r])


def p_bal002(seed: int) -> Planted:
    r = _base(seed)
    _bump(r, "t3", [("carried", "natural"), ("carried", "total")], 1 + seed % 3)
    return Planted([r])


def p_bal003(seed: int) -> Planted:
    r = _base(seed)
    row = ("granted", "unable_1", "rejected_2")[seed % 3]
    _bump(r, "t3", [(row, "natural"), (row, "total")], 1)
    return Planted([r])


def p_bal004(seed: int) -> Planted:
    r = _base(seed)
    row = ("review", "suit_direct", "suit_after_review")[seed % 3]
    _bump(r, "t4", [(row, "total")], 1)
    return Planted([r])


def p_bal005(seed: int) -> Planted | None:
    cur = _base(seed, year=2023)
    prev = make_report(seed + 500, year=2022, agency=cur.agency, level=cur.level)
    differs = any(prev.t3[("carry_next", c)] != cur.t3[("carried", c)] for c in ("natural", "total"))
    return Planted([prev, cur]) if differs else None


def p_bal006(seed: int) -> Planted | None:
    cur = _base(seed, year=2023)
    prev = make_report(seed + 500, year=2022, agency=cur.agency, level=cur.level)
    expected = (
        _cell(prev, "t2", "normative", "in_force")
        + _cell(cur, "t2", "normative", "issued")
        - _cell(cur, "t2", "normative", "repealed")
    )
    return Planted([prev, cur]) if expected != _cell(cur, "t2", "normative", "in_force") else None


def p_txt001(seed: int) -> Planted | None:
    r = _base(seed)
    new, carried = _cell(r, "t3", "new", "total"), _cell(r, "t3", "carried", "total")
    stated = new + carried + 3 + seed % 5
    ok = _edit_paragraphs(
        r,
        "一",
        lambda p: p.replace(
            f"全年共收到政府信息公开申请{new}件", f"全年共收到政府信息公开申请{stated}件"
        ).replace("本年度未收到政府信息公开申请。", f"全年共收到政府信息公开申请{stated}件。"),
    )
    return Planted([r]) if ok else None


def p_txt002(seed: int) -> Planted | None:
    r = _base(seed)
    total = _cell(r, "t3", "total", "total")
    ok = _edit_paragraphs(r, "一", lambda p: p.replace(f"办结{total}件", f"办结{total + 2 + seed % 4}件"))
    return Planted([r]) if ok else None


def p_txt003(seed: int) -> Planted | None:
    r = _base(seed)
    review = _cell(r, "t4", "review", "total")

    def edit(p: str) -> str:
        p = p.replace(f"行政复议{review}件", f"行政复议{review + 1 + seed % 3}件")
        return p.replace(
            "全年未发生因政府信息公开引起的行政复议、行政诉讼案件。", "全年发生政府信息公开行政复议2件。"
        )

    return Planted([r]) if _edit_paragraphs(r, "一", edit) else None


def p_txt004(seed: int) -> Planted | None:
    r = _base(seed)
    lic = _cell(r, "t2", "licensing", "decisions")
    ok = _edit_paragraphs(r, "一", lambda p: p.replace(f"行政许可{lic}件", f"行政许可{lic + 4 + seed % 7}件"))
    return Planted([r]) if ok else None


def p_txt005(seed: int) -> Planted | None:
    r = _base(seed)
    granted, total = _cell(r, "t3", "granted", "total"), _cell(r, "t3", "total", "total")
    if total == 0:
        return None
    wrong = round(granted * 100 / total) + 10 + seed % 5
    ok = _edit_paragraphs(
        r, "一", lambda p: p.replace(f"予以公开{granted}件", f"予以公开{granted}件，占{wrong}%")
    )
    return Planted([r]) if ok else None


def p_pub001(seed: int) -> Planted:
    r = _base(seed, level=("department", "government")[seed % 2])
    r.published = date(r.year + 1, 4 + seed % 6, 15)  # the portal page states it too
    return Planted([r], published=r.published)


def p_pub004(seed: int) -> Planted:
    cur = _base(seed, year=2023)
    prev = make_report(seed + 500, year=2022, agency=cur.agency, level=cur.level)
    for key in ("一", "五", "六"):
        _heading, paragraphs = prev.sections[key]
        cur.sections[key] = (cur.sections[key][0], [p.replace("2022", "2023") for p in paragraphs])
    return Planted([prev, cur])


PLANTINGS: dict[str, Planting] = {
    "DOC-001": p_doc001,
    "DOC-002": p_doc002,
    "DOC-003": p_doc003,
    "DOC-004": p_doc004,
    "SEC-001": p_sec001,
    "SEC-002": p_sec002,
    "SEC-003": p_sec003,
    "SEC-004": p_sec004,
    "SEC-005": p_sec005,
    "SEC-006": p_sec006,
    "SEC-007": p_sec007,
    "SEC-008": p_sec008,
    "SEC-009": p_sec009,
    "FMT-001": p_fmt001,
    "FMT-002": p_fmt002,
    "FMT-006": p_fmt006,
    "VAL-001": p_val001,
    "VAL-002": p_val002,
    "VAL-003": p_val003,
    "VAL-004": p_val004,
    "VAL-005": p_val005,
    "VAL-006": p_val006,
    "BAL-001": p_bal001,
    "BAL-002": p_bal002,
    "BAL-003": p_bal003,
    "BAL-004": p_bal004,
    "BAL-005": p_bal005,
    "BAL-006": p_bal006,
    "TXT-001": p_txt001,
    "TXT-002": p_txt002,
    "TXT-003": p_txt003,
    "TXT-004": p_txt004,
    "TXT-005": p_txt005,
    "PUB-001": p_pub001,
    "PUB-004": p_pub004,
}


# ------------------------------------------------------------------------------------------ running


def audit_planted(planted: Planted, layout: str, rulebase: object) -> ReportResult | None:
    """Audit the batch in ``layout``; the result of the planted (last) report, None if not renderable."""
    inputs = []
    for i, report in enumerate(planted.reports):
        last = i == len(planted.reports) - 1
        data = render(report, layout, planted.replace if last else [])
        if data is None:
            return None
        published = planted.published if (last and planted.published) else report.published
        source = f"bench-{i}.{EXTENSION.get(layout, layout)}"
        inputs.append(AuditInput(data=data, source=source, level=report.level, published=published))
    return audit_batch(inputs, rulebase=rulebase)[-1]


@dataclass
class Tally:
    found: int = 0
    planted: int = 0
    per_layout: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))
    missed: list[str] = field(default_factory=list)
    """What was planted where it was not found: "layout seed: what"."""


def run_planted(seeds: int, layouts: tuple[str, ...], rulebase: object) -> dict[str, Tally]:
    tallies: dict[str, Tally] = {}
    for kind, plant in PLANTINGS.items():
        tally = tallies.setdefault(kind, Tally())
        made = 0
        for seed in range(1, seeds * 4 + 1):
            if made >= seeds:
                break
            planted = plant(seed)
            if planted is None:
                continue  # this seed's report cannot carry the defect (e.g. no request to misstate)
            made += 1
            for layout in layouts:
                result = audit_planted(planted, layout, rulebase)
                if result is None:
                    continue
                hit = any(f.rule_id == kind for f in result.findings)
                tally.planted += 1
                tally.found += hit
                tally.per_layout[layout][0] += hit
                tally.per_layout[layout][1] += 1
                if not hit:
                    tally.missed.append(f"{layout} seed {seed}: {planted.note}")
    return tallies


def clean_reports(count: int) -> Iterator[SampleReport]:
    levels = ("department", "government", "township")
    years = (2020, 2021, 2022, 2023, 2024)
    for i in range(count):
        yield make_report(1000 + i, year=years[i % len(years)], level=levels[i % len(levels)])


@dataclass
class CleanTally:
    """What the audit said about clean reports: false alarms, and tables it honestly could not read."""

    audited: Counter[str] = field(default_factory=Counter)
    alarms: Counter[str] = field(default_factory=Counter)
    """False alarms (errors and warnings) by layout."""
    unreadable: Counter[str] = field(default_factory=Counter)
    """FMT-005 by layout."""
    by_rule: Counter[str] = field(default_factory=Counter)


def run_clean(count: int, layouts: tuple[str, ...], rulebase: object) -> CleanTally:
    tally = CleanTally()
    for report in clean_reports(count):
        for layout in layouts:
            result = audit_planted(Planted([report]), layout, rulebase)
            if result is None:
                continue
            tally.audited[layout] += 1
            for f in result.findings:
                if f.rule_id == UNREADABLE:
                    tally.unreadable[layout] += 1
                elif f.severity in ALARM_SEVERITIES:
                    tally.by_rule[f"{f.rule_id} ({f.severity})"] += 1
                    tally.alarms[layout] += 1
    return tally


def print_report(tallies: dict[str, Tally], layouts: tuple[str, ...], clean: CleanTally) -> None:
    width = 9
    print("Planted defects: found / planted (per layout, then overall)")
    print(
        f"{'kind':<9}" + "".join(f"{lay:>{width}}" for lay in layouts) + f"{'all':>{width + 3}}{'recall':>8}"
    )
    total_found = total_planted = 0
    for kind, tally in tallies.items():
        cells = "".join(
            f"{f'{t[0]}/{t[1]}' if (t := tally.per_layout.get(layout)) else '–':>{width}}"
            for layout in layouts
        )
        recall = f"{100 * tally.found / tally.planted:.0f}%" if tally.planted else "–"
        print(f"{kind:<9}{cells}{f'{tally.found}/{tally.planted}':>{width + 3}}{recall:>8}")
        total_found += tally.found
        total_planted += tally.planted
    if total_planted:
        print(
            f"overall: {total_found}/{total_planted} = "
            f"{100 * total_found / total_planted:.1f}% of planted defects found"
        )
    for kind, why in NOT_PLANTABLE.items():
        print(f"{kind:<9} not planted: {why}")
    audited = sum(clean.audited.values())
    alarms = sum(clean.alarms.values())
    print()
    print(
        f"Clean reports: {audited} audited; false alarms (errors and warnings) per 100 clean reports: "
        f"{100 * alarms / audited if audited else 0:.1f}"
    )
    print(f"  {'layout':<7} {'alarms/100':>11} {'FMT-005/100':>12}")
    for layout in layouts:
        n = clean.audited[layout] or 1
        print(
            f"  {layout:<7} {100 * clean.alarms[layout] / n:11.1f} {100 * clean.unreadable[layout] / n:12.1f}"
        )
    for rule, count in clean.by_rule.most_common():
        print(f"  {rule:<18} {count}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=4, help="plantings per kind and layout")
    parser.add_argument("--clean", type=int, default=20, help="clean reports per layout")
    parser.add_argument(
        "--layouts", default=",".join(LAYOUTS), help=f"comma-separated, of {', '.join(LAYOUTS)}"
    )
    parser.add_argument("--kinds", default="", help="only these kinds (comma-separated ids)")
    parser.add_argument("--misses", action="store_true", help="list what was planted and not found")
    args = parser.parse_args(argv)
    layouts = tuple(x for x in args.layouts.split(",") if x)
    unknown = [x for x in layouts if x not in LAYOUTS]
    if unknown:
        parser.error(f"unknown layout(s): {', '.join(unknown)}")
    if args.kinds:
        wanted = set(args.kinds.split(","))
        for kind in list(PLANTINGS):
            if kind not in wanted:
                del PLANTINGS[kind]
    rulebase = default_rulebase()
    started = time.perf_counter()
    tallies = run_planted(args.seeds, layouts, rulebase)
    clean = run_clean(args.clean, layouts, rulebase)
    print_report(tallies, layouts, clean)
    if args.misses:
        print("\nMissed plantings:")
        for kind, tally in tallies.items():
            for miss in tally.missed:
                print(f"  {kind} {miss}")
    print(
        f"\n({time.perf_counter() - started:.0f} s; seeds per kind and layout {args.seeds}, "
        f"clean reports per layout {args.clean})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
