"""Extraction throughput on a generated corpus: documents per second and peak memory.

    uv run python bench/extract_throughput.py --docs 600 --workers 2

The corpus is made by the project's own generator (auditor.samples) and rendered in every input format
(text, markdown, HTML in UTF-8 and GBK, .docx, .pdf) in equal shares, so the figure covers the readers as
well as the structurer.  Rendering happens before the clock starts; only extraction is timed.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from auditor.extract import extract
from auditor.samples import render
from auditor.samples.generate import make_report

FORMATS = ("txt", "md", "html", "html-gbk", "docx", "pdf")


def rendered(seed: int) -> tuple[str, bytes]:
    fmt = FORMATS[seed % len(FORMATS)]
    report = make_report(seed, year=2019 + seed % 7, level=("department", "government", "township")[seed % 3])
    if fmt == "txt":
        return fmt, render.render_text(report).encode("utf-8")
    if fmt == "md":
        return fmt, render.render_markdown(report).encode("utf-8")
    if fmt == "html":
        return fmt, render.render_html(report)
    if fmt == "html-gbk":
        return fmt, render.render_html(report, encoding="gbk")
    if fmt == "docx":
        return fmt, render.render_docx(report)
    return fmt, render.render_pdf(report)


def extract_chunk(chunk: list[tuple[str, bytes]]) -> tuple[int, int, int]:
    """Extract a chunk; returns (documents, unreadable tables, peak RSS in KiB of this worker)."""
    bad = 0
    for i, (fmt, data) in enumerate(chunk):
        doc = extract(data, f"bench-{i}.{fmt}")
        bad += sum(1 for t in doc.tables if not t.readable)
    return len(chunk), bad, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=600)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()

    t0 = time.perf_counter()
    corpus = [rendered(seed) for seed in range(args.docs)]
    size_mb = sum(len(d) for _, d in corpus) / 1e6
    print(f"corpus: {args.docs} documents, {size_mb:.1f} MB, rendered in {time.perf_counter() - t0:.1f} s")

    chunks = [corpus[i :: args.workers * 4] for i in range(args.workers * 4)]
    start = time.perf_counter()
    if args.workers == 1:
        results = [extract_chunk(c) for c in chunks]
    else:
        with ProcessPoolExecutor(max_workers=args.workers) as pool:
            results = list(pool.map(extract_chunk, chunks))
    elapsed = time.perf_counter() - start
    docs = sum(r[0] for r in results)
    unreadable = sum(r[1] for r in results)
    worker_peak_mb = max(r[2] for r in results) / 1024
    parent_peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"extracted: {docs} documents in {elapsed:.2f} s with {args.workers} worker(s)")
    print(f"throughput: {docs / elapsed:.0f} documents/s")
    print(f"peak memory: worker {worker_peak_mb:.0f} MB, parent (holding the corpus) {parent_peak_mb:.0f} MB")
    print(f"unreadable tables: {unreadable} (a clean generated corpus should have 0)")
    print("per format, one process:")
    for fmt in FORMATS:
        items = [item for item in corpus if item[0] == fmt][:50]
        t = time.perf_counter()
        extract_chunk(items)
        per_doc = (time.perf_counter() - t) / max(1, len(items))
        print(f"  {fmt:9s} {1 / per_doc:7.0f} documents/s  ({per_doc * 1000:.1f} ms each)")


if __name__ == "__main__":
    main()
