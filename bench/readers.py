"""HTML and .docx reader speed, before and after the issue 12 speed-up, on generated reports.

    uv run python bench/readers.py --docs 200 --workers 2

Each generated report (all report years and levels) is rendered as an article page (render_html, with
the portal's chrome) and as a Word document (render_docx) before the clock starts.  Each reader then
reads every file in a pool of ``--workers`` processes; the figures are documents per second of
wall-clock time and CPU milliseconds per document (the steadier figure on a shared machine).
"before" is the reader as it was (kept in tests/extract/readers_before), "after" the product's;
the two must give the same blocks for every file, which is checked and printed.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from auditor.extract.ir import RawDocument
from auditor.extract.readers.docx import read_docx
from auditor.extract.readers.html import read_html
from auditor.samples import make_report, render_docx, render_html
from auditor.samples.generate import LEVELS
from tests.extract.readers_before import docx_before, html_before

READERS: dict[tuple[str, str], Callable[[bytes], RawDocument]] = {
    ("html", "before"): html_before.read_html,
    ("html", "after"): read_html,
    ("docx", "before"): docx_before.read_docx,
    ("docx", "after"): read_docx,
}


def corpus(docs: int) -> dict[str, list[bytes]]:
    """``docs`` generated reports as pages and as Word documents."""
    reports = [make_report(s, year=2019 + s % 7, level=LEVELS[s % 3]) for s in range(docs)]
    return {"html": [render_html(r) for r in reports], "docx": [render_docx(r) for r in reports]}


def read_chunk(args: tuple[str, str, list[bytes]]) -> tuple[float, list[tuple[object, ...]]]:
    """CPU seconds this worker spent reading the files, and their blocks."""
    fmt, version, files = args
    reader = READERS[(fmt, version)]
    out: list[tuple[object, ...]] = []
    cpu = 0.0
    for data in files:
        started = time.process_time()
        raw = reader(data)
        cpu += time.process_time() - started
        out.append(
            tuple((b.kind, b.text, tuple(b.cells), tuple(b.cont), b.table, b.heading) for b in raw.blocks)
        )
    return cpu, out


def timed(
    fmt: str, version: str, files: list[bytes], workers: int
) -> tuple[float, float, list[tuple[object, ...]]]:
    """Wall-clock seconds to read all files with ``workers`` processes (pool start-up excluded), CPU
    seconds the workers spent, and the blocks."""
    chunks = [files[i::workers] for i in range(workers)]
    with ProcessPoolExecutor(workers) as pool:
        list(pool.map(read_chunk, [(fmt, version, c[:2]) for c in chunks]))  # warm: imports, first calls
        started = time.perf_counter()
        results = list(pool.map(read_chunk, [(fmt, version, c) for c in chunks]))
        elapsed = time.perf_counter() - started
    blocks: list[tuple[object, ...]] = [() for _ in files]
    for w, (_, got) in enumerate(results):
        for i, b in enumerate(got):
            blocks[w + i * workers] = b
    return elapsed, sum(cpu for cpu, _ in results), blocks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=200)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()

    files = corpus(args.docs)
    for fmt, data in files.items():
        size_kb = sum(len(d) for d in data) / len(data) / 1000
        before, before_cpu, old = timed(fmt, "before", data, args.workers)
        after, after_cpu, new = timed(fmt, "after", data, args.workers)
        same = sum(1 for a, b in zip(old, new, strict=True) if a == b)
        print(
            f"{fmt:4}  {len(data)} files of {size_kb:.0f} kB, {args.workers} worker(s): "
            f"before {len(data) / before:5.0f} docs/s ({before_cpu / len(data) * 1000:5.1f} CPU ms/doc), "
            f"after {len(data) / after:5.0f} docs/s ({after_cpu / len(data) * 1000:5.1f} CPU ms/doc), "
            f"x{before_cpu / after_cpu:.1f} in CPU time; identical blocks {same}/{len(data)}"
        )


if __name__ == "__main__":
    main()
