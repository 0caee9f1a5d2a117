"""End-to-end audit throughput: documents per second and peak memory on a generated corpus.

    uv run python bench/audit_throughput.py --docs 10000 --workers 2

The corpus is made by the project's generator (auditor.samples): clean reports of every year and level,
one in five with a planted defect (an imbalance, a blank cell, a wrong count in the text…), written to
a temporary folder first.  The clock then covers what `nianbao audit` does with each file: read it,
extract the model, validate the tables with pandera, run the rule base, write findings.json (and
findings.csv) per batch, in ``--workers`` processes.  ``--formats`` picks the input formats (default:
text and markdown, the layouts of the seeds); HTML, .docx and PDF are slower to extract.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from auditor.engine.samples import render_sample

DEFECTS: list[dict[str, Any]] = [
    {"cells": {"T3.carry_next.natural": "1"}},
    {"cells": {"T3.granted.legal": ""}},
    {"cells": {"T4.review.total": "9"}},
    {"sections": {"六": ["无"]}},
    {"title": "政府信息公开工作年度报告"},
    {"cells": {"T2.penalty.decisions": "12.5"}},
]
LEVELS = ("department", "government", "township")


def sample_spec(seed: int) -> dict[str, Any]:
    """The report of one seed: year and level vary; every fifth report carries a defect."""
    spec: dict[str, Any] = {"seed": seed, "year": 2019 + seed % 7, "level": LEVELS[seed % 3]}
    if seed % 5 == 0:
        spec.update(random.Random(seed).choice(DEFECTS))
    return spec


def write_corpus(folder: Path, docs: int, formats: list[str]) -> int:
    """Render the corpus into ``folder``; returns its size in bytes."""
    size = 0
    for seed in range(docs):
        fmt = formats[seed % len(formats)]
        data = render_sample(sample_spec(seed), fmt)
        (folder / f"{seed:06d}.{fmt}").write_bytes(data)
        size += len(data)
    return size


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def audit_chunk(job: tuple[list[str], str]) -> tuple[int, int, int, float]:
    """Audit files in batches as `nianbao audit` does and write the outputs of each batch.

    Returns (documents, findings, peak RSS of this worker in KiB, CPU seconds spent on them).
    """
    from auditor.engine import default_rulebase
    from auditor.findings.writers import WRITERS
    from auditor.pipeline import AuditInput, audit_batch

    paths, out = job
    rulebase = default_rulebase()
    cpu = _cpu_seconds()
    findings = 0
    batch = 500
    for start in range(0, len(paths), batch):
        part = paths[start : start + batch]
        results = audit_batch([AuditInput(Path(p).read_bytes(), p) for p in part], rulebase=rulebase)
        target = Path(out) / f"{Path(part[0]).stem}"
        for name in ("json", "csv"):
            WRITERS[name](target, results, rulebase.rules_meta())
        findings += sum(len(r.findings) for r in results)
    return len(paths), findings, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, _cpu_seconds() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--formats", default="txt,md", help="comma-separated: txt,md,html,docx,pdf")
    args = parser.parse_args()
    formats = [f.strip() for f in args.formats.split(",") if f.strip()]

    work = Path(tempfile.mkdtemp(prefix="nianbao-bench-"))
    try:
        corpus, out = work / "corpus", work / "out"
        corpus.mkdir()
        t0 = time.perf_counter()
        size = write_corpus(corpus, args.docs, formats)
        print(
            f"corpus: {args.docs} reports ({', '.join(formats)}), {size / 1e6:.1f} MB, "
            f"rendered in {time.perf_counter() - t0:.0f} s"
        )
        files = sorted(str(p) for p in corpus.iterdir())
        jobs = [(files[i :: args.workers * 4], str(out)) for i in range(args.workers * 4)]
        start = time.perf_counter()
        with ProcessPoolExecutor(max_workers=args.workers) as pool:
            done = list(pool.map(audit_chunk, jobs))
        elapsed = time.perf_counter() - start
        docs, findings = sum(d[0] for d in done), sum(d[1] for d in done)
        worker_mb = max(d[2] for d in done) / 1024
        parent_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"audited: {docs} reports, {findings} findings, in {elapsed:.1f} s with {args.workers} worker(s)"
        )
        print(f"throughput: {docs / elapsed:.0f} reports/s (read, extract, validate, rules, write json+csv)")
        cpu_ms = sum(d[3] for d in done) / docs * 1000
        print(
            f"cpu time: {cpu_ms:.1f} ms per report, i.e. {args.workers * 1000 / cpu_ms:.0f} reports/s "
            f"on {args.workers} cores not shared with other work"
        )
        print(
            f"peak memory: {worker_mb:.0f} MB per worker, {parent_mb:.0f} MB parent, "
            f"{worker_mb * args.workers + parent_mb:.0f} MB in all"
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
