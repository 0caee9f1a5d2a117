"""Extraction CPU time per report and format, split into reading (bytes -> blocks) and structuring
(blocks -> document model), in one process.

    uv run python bench/extract_cpu.py --docs 200 --pdf-docs 20 --city-docs 20 --rounds 3
    uv run python bench/extract_cpu.py --formats txt,md --city-docs 0 --rounds 5   # text only
    uv run python bench/extract_cpu.py --formats txt,md --city-docs 0 --cold       # caches emptied
    uv run python bench/extract_cpu.py --formats txt,md --city-docs 0 --spool      # and the spool's pickling

Extraction caches what repeats across reports (rows, cells, labels, headings); a pass over the same
reports again finds every one of its rows cached, which no audit does (each report is read once).
``--cold`` empties those caches before each pass, so that a pass costs what a read worker's pass over
as many distinct reports costs; without it the figure is the warm one (the best of the passes).

The corpus is the one ``bench/audit_scale.py`` renders (``bench/audit_throughput.sample_spec``: every
year and level, one report in five with a planted defect), in each format; rendering happens before the
clock starts.  The figure is process CPU time (steadier than wall-clock on a shared machine), the best
of ``--rounds`` passes over the corpus, after a warm-up of three documents per format.  The city-length
PDFs (about five pages, tables across pages, pages of text without ruling) are bench/pdf_engines.py's.
"""

from __future__ import annotations

import argparse
import functools
import gc
import pickle
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from audit_throughput import sample_spec

from auditor.engine.samples import render_sample
from auditor.extract.api import read_raw
from auditor.extract.structure import build_document

FORMATS = ("txt", "md", "html", "docx", "pdf")


def clear_caches() -> None:
    """Empty every function cache of the extraction modules, as they are in a fresh read worker."""
    for module in list(sys.modules.values()):
        if module is None or not module.__name__.startswith("auditor.extract"):
            continue
        for value in list(vars(module).values()):
            if isinstance(value, functools._lru_cache_wrapper) and value.__module__ == module.__name__:
                value.cache_clear()


def cpu_per_report(files: list[bytes], fmt: str, rounds: int, cold: bool = False) -> tuple[float, float]:
    """(reading, structuring) CPU seconds per report, the best of ``rounds`` passes (``cold``: each
    pass with the extraction caches emptied first)."""
    name = f"report.{fmt}"
    for data in files[:3]:
        build_document(read_raw(data, name), source=name, sha256="")
    best: tuple[float, float] | None = None
    for _ in range(rounds):
        if cold:
            clear_caches()
        reading = structuring = 0.0
        for data in files:
            started = time.process_time()
            raw = read_raw(data, name)
            read = time.process_time()
            build_document(raw, source=name, sha256="")
            reading += read - started
            structuring += time.process_time() - read
        if best is None or reading + structuring < sum(best):
            best = (reading / len(files), structuring / len(files))
    assert best is not None
    return best


def spool_per_report(files: list[bytes], fmt: str, rounds: int) -> tuple[float, float]:
    """(pickling, unpickling) CPU seconds per report of the documents as the audit's spool does it
    (nianbao/audit_run.py: the model's own reducers, unpickled with the collector paused), the best
    of ``rounds`` passes."""
    name = f"report.{fmt}"
    docs = [build_document(read_raw(data, name), source=name, sha256="") for data in files]
    best: tuple[float, float] | None = None
    for _ in range(rounds):
        started = time.process_time()
        blobs = [pickle.dumps(doc, protocol=pickle.HIGHEST_PROTOCOL) for doc in docs]
        pickled = time.process_time()
        gc.disable()
        try:
            back = [pickle.loads(blob) for blob in blobs]
        finally:
            gc.enable()
        times = (pickled - started, time.process_time() - pickled)
        del back
        if best is None or sum(times) < sum(best):
            best = times
    assert best is not None
    return best[0] / len(files), best[1] / len(files)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=200, help="reports per format")
    parser.add_argument("--pdf-docs", type=int, default=20, help="PDF reports (slow to render)")
    parser.add_argument("--city-docs", type=int, default=20, help="city-length PDFs (bench/pdf_engines.py)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--formats", default=",".join(FORMATS), help="formats to time, e.g. txt,md")
    parser.add_argument("--cold", action="store_true", help="empty the extraction caches before each pass")
    parser.add_argument("--spool", action="store_true", help="also time pickling the documents and back")
    args = parser.parse_args()
    for fmt in [f for f in FORMATS if f in args.formats.split(",")]:
        count = args.pdf_docs if fmt == "pdf" else args.docs
        if count <= 0:
            continue  # a format left out (--pdf-docs 0): nothing to time
        files = [render_sample(sample_spec(seed), fmt) for seed in range(count)]
        _report(fmt, files, args.rounds, args.cold, args.spool)
    if args.city_docs:
        from pdf_engines import city_report

        city = [city_report(seed) for seed in range(args.city_docs)]
        _report("pdf (city length)", city, args.rounds, args.cold, args.spool)


def _report(label: str, files: list[bytes], rounds: int, cold: bool, spool: bool) -> None:
    reading, structuring = cpu_per_report(files, label.split()[0], rounds, cold)
    spooled = ""
    if spool:
        dump, load = spool_per_report(files, label.split()[0], rounds)
        spooled = f"; spool: pickle {dump * 1000:5.3f}, unpickle {load * 1000:5.3f}"
    print(
        f"{label:5} {(reading + structuring) * 1000:6.2f} ms/report "
        f"(read {reading * 1000:5.2f}, structure {structuring * 1000:5.2f}{spooled}), {len(files)} reports"
    )


if __name__ == "__main__":
    main()
