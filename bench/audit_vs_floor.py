"""`nianbao audit` against the floor (bench/floor.py) on the same generated corpus, per input format,
in one invocation: the audit's cost as a multiple of the least work that checks the 勾稽.

    uv run python bench/audit_vs_floor.py                      # txt+md 1000, html 500, docx 300, pdf 100
    uv run python bench/audit_vs_floor.py --sizes txt,md=2000 --repeat 3 --outputs json,html

The audit is the whole command as a user runs it (a child process: start-up, workers, outputs);
the floor runs in this process over the same files.  With --repeat the medians are reported.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from audit_scale import make_corpus, run_measured
from floor import floor

DEFAULT_SIZES = "txt,md=1000;html=500;docx=300;pdf=100"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=DEFAULT_SIZES, help="formats=count groups separated by ';'")
    parser.add_argument("--outputs", default="json", help="--format of nianbao audit")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--workers", type=int, default=0, help="--workers of nianbao audit (0: its default)")
    args = parser.parse_args()
    groups = [g.split("=") for g in args.sizes.split(";") if g.strip()]
    work = Path(tempfile.mkdtemp(prefix="nianbao-floor-"))
    try:
        for formats, count in groups:
            corpus = work / formats.replace(",", "+")
            make_corpus(corpus, int(count), formats.split(","), os.cpu_count() or 1)
            paths = sorted(corpus.iterdir())
            floors, audits = [], []
            for _ in range(args.repeat):
                started = time.perf_counter()
                floor(paths)
                floors.append(time.perf_counter() - started)
                cmd = [sys.executable, "-m", "nianbao.cli", "audit", str(corpus), "--out", str(work / "out"),
                       "--format", args.outputs]  # fmt: skip
                if args.workers:
                    cmd += ["--workers", str(args.workers)]
                elapsed, code, _, tail = run_measured(cmd)
                if code not in (0, 1):
                    raise SystemExit(f"nianbao audit exited {code}: {tail}")
                audits.append(elapsed)
            f, a = statistics.median(floors), statistics.median(audits)
            print(f"{formats:8} {len(paths):6} reports: floor {f:6.2f} s, audit {a:6.1f} s "
                  f"({len(paths) / a:5.0f} reports/s), audit = {a / f:5.0f} × floor", flush=True)  # fmt: skip
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
