"""Cell accuracy of table extraction per layout, on generated reports.

    uv run python bench/cell_accuracy.py --reports 20

Every report is made by the project's generator (auditor.samples) and written in each layout: the
project's own renderings (text with tabs, markdown pipes, HTML, .docx, PDF) and the layouts of real
files in ../shared/real (auditor.samples.real_layouts, each named after the file it imitates).  A cell
counts as right when the extracted cell of that template row and column has the raw text written and
the right kind (a blank as a blank); a table counts as read when it is found and readable.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from auditor.extract import extract
from auditor.samples import make_report, real_layouts, render
from auditor.samples.generate import SampleReport

Layout = tuple[str, Callable[[SampleReport], SampleReport], Callable[[SampleReport], bytes]]


def _same(r: SampleReport) -> SampleReport:
    return r


LAYOUTS: dict[str, Layout] = {
    "txt (tabs)": ("r.txt", _same, lambda r: render.render_text(r).encode("utf-8")),
    "md (pipes)": ("r.md", _same, lambda r: render.render_markdown(r).encode("utf-8")),
    "html": ("r.html", _same, render.render_html),
    "docx": ("r.docx", _same, render.render_docx),
    "pdf": ("r.pdf", _same, render.render_pdf),
    "hebei-jyt (cell per line, blank-line runs)": (
        "r.txt",
        _same,
        lambda r: real_layouts.render_crawler_text(r).encode("utf-8"),
    ),
    "shanghai-office-2019 (blank for zero, &nbsp;)": (
        "r.html",
        real_layouts.blank_for_zero,
        real_layouts.render_html_nbsp,
    ),
    "format-2021-template (all cells empty)": ("r.docx", real_layouts.empty_template, render.render_docx),
    "shanghai-office-2025 (PDF to markdown)": (
        "r.md",
        _same,
        lambda r: real_layouts.render_pdf_markdown(r, seed=r.year).encode("utf-8"),
    ),
}


def score(report: SampleReport, data: bytes, name: str) -> tuple[int, int, int, int]:
    """(right cells, template cells, tables read, tables) for one rendering."""
    doc = extract(data, name)
    right = cells = read = 0
    for kind, grid in (("T2", report.t2), ("T3", report.t3), ("T4", report.t4)):
        table = doc.table(kind)
        read += int(table is not None and table.readable)
        for key, raw in grid.items():
            cells += 1
            cell = table.cells.get(key) if table is not None and table.readable else None
            if cell is not None and cell.raw.strip() == raw and (cell.kind == "blank") == (raw == ""):
                right += 1
    return right, cells, read, 3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=20, help="generated reports per layout")
    parser.add_argument("--skip-pdf", action="store_true", help="leave out the (slow) PDF rendering")
    args = parser.parse_args()
    years = (2019, 2020, 2021, 2022, 2023, 2024, 2025)
    levels = ("department", "government", "township")
    print(f"{'layout':48} {'cells right':>14} {'accuracy':>9} {'tables read':>12} {'s/doc':>6}")
    total_right = total_cells = 0
    for label, (name, shape, write) in LAYOUTS.items():
        if args.skip_pdf and label == "pdf":
            continue
        right = cells = read = tables = 0
        elapsed = 0.0
        for i in range(args.reports):
            report = shape(make_report(1000 + i, year=years[i % len(years)], level=levels[i % len(levels)]))
            data = write(report)
            started = time.perf_counter()
            r, c, t_read, t_all = score(report, data, name)
            elapsed += time.perf_counter() - started
            right, cells, read, tables = right + r, cells + c, read + t_read, tables + t_all
        total_right, total_cells = total_right + right, total_cells + cells
        print(
            f"{label:48} {right:>6}/{cells:<7} {right / cells:>8.2%} {read:>5}/{tables:<6} "
            f"{elapsed / args.reports:>6.3f}"
        )
    print(f"{'all layouts':48} {total_right:>6}/{total_cells:<7} {total_right / total_cells:>8.2%}")


if __name__ == "__main__":
    main()
