"""PDF reading speed, PDFium against pdfminer, on generated city-length reports (about six pages).

    uv run python bench/pdf_engines.py --docs 60 --workers 2

Each report is the project's generated report with its narrative sections lengthened to the size of
a city government's report (six pages or so: tables of T2/T3/T4 with ruling, several pages of text).
Both engines read the same files in a pool of worker processes; the figure is reports (and pages) per
second of wall-clock time, with the blocks of the two engines compared for every file.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from auditor.extract.readers.pdf import read_pdf
from auditor.samples import make_report, render_pdf


def city_report(seed: int) -> bytes:
    """A generated report whose sections 一 and 五 carry three times their text, as city reports do."""
    report = make_report(seed, year=2019 + seed % 7, level="government")
    sections = dict(report.sections)
    for key in ("一", "五"):
        heading, paragraphs = sections[key]
        sections[key] = (heading, paragraphs * 3)
    return render_pdf(replace(report, sections=sections))


def read_all(args: tuple[str, list[bytes]]) -> tuple[int, list[list[tuple[object, ...]]]]:
    engine, files = args
    pages = 0
    blocks = []
    for data in files:
        raw = read_pdf(data, engine=engine)
        pages += int(raw.meta.get("pages", 0))
        blocks.append([(b.kind, b.text, b.cells, b.cont, b.table) for b in raw.blocks])
    return pages, blocks


def run(engine: str, files: list[bytes], workers: int) -> tuple[float, int, list[list[tuple[object, ...]]]]:
    chunks = [files[i::workers] for i in range(workers)]
    started = time.perf_counter()
    with ProcessPoolExecutor(workers) as pool:
        results = list(pool.map(read_all, [(engine, c) for c in chunks]))
    elapsed = time.perf_counter() - started
    blocks: list[list[tuple[object, ...]]] = [[] for _ in files]
    for w, (_, got) in enumerate(results):
        for i, b in enumerate(got):
            blocks[w + i * workers] = b
    return elapsed, sum(p for p, _ in results), blocks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=60)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    files = [city_report(seed) for seed in range(args.docs)]
    print(
        f"{len(files)} generated city-length reports, {sum(map(len, files)) // 1024} KiB, "
        f"{args.workers} workers"
    )
    seen = {}
    for engine in ("pdfminer", "pdfium"):
        elapsed, pages, blocks = run(engine, files, args.workers)
        seen[engine] = blocks
        print(
            f"{engine:9s} {len(files) / elapsed:7.1f} reports/s  {pages / elapsed:7.1f} pages/s  "
            f"({pages / len(files):.1f} pages a report, {elapsed:.2f} s)"
        )
    same = sum(a == b for a, b in zip(seen["pdfminer"], seen["pdfium"], strict=True))
    print(f"identical blocks from both engines: {same}/{len(files)}")


if __name__ == "__main__":
    main()
