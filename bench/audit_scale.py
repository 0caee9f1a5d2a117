"""`nianbao audit` at scale: the whole command on a generated corpus, time and peak memory of its
process tree (the command and its worker processes).

    uv run python bench/audit_scale.py --docs 100000 --outputs json,csv,xlsx,sarif,html
    uv run python bench/audit_scale.py --docs 2000 --corpus /tmp/corpus-2000   # keep the corpus for reruns

The corpus is the project's generator (auditor.samples via bench/audit_throughput.py's specs: every
year and level, one in five with a planted defect).  The command runs as a user runs it, in a child
process; its tree's memory is sampled every 0.2 s from /proc: PSS (each shared page counted once, the
honest figure for forked workers) and RSS summed over the tree, and the largest single process.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from audit_throughput import sample_spec


def _render(job: tuple[str, int, int, list[str]]) -> int:
    from auditor.engine.samples import render_sample

    folder, start, stop, formats = job
    size = 0
    for seed in range(start, stop):
        fmt = formats[seed % len(formats)]
        data = render_sample(sample_spec(seed), fmt)
        (Path(folder) / f"{seed:06d}.{fmt}").write_bytes(data)
        size += len(data)
    return size


def make_corpus(folder: Path, docs: int, formats: list[str], workers: int) -> int:
    """Render ``docs`` reports into ``folder`` (in parallel); returns the bytes written."""
    folder.mkdir(parents=True, exist_ok=True)
    step = max(1, docs // (workers * 8))
    jobs = [(str(folder), s, min(s + step, docs), formats) for s in range(0, docs, step)]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return sum(pool.map(_render, jobs))


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as fh:
                ppid = int(fh.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        tree.setdefault(ppid, []).append(int(entry))
    return tree


def _memory_kib(pid: int) -> tuple[int, int]:
    """(PSS, RSS) of one process in KiB, or (0, 0) when it is gone."""
    pss = rss = 0
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Pss:"):
                    pss = int(line.split()[1])
                elif line.startswith("Rss:"):
                    rss = int(line.split()[1])
    except OSError:
        pass
    return pss, rss


def tree_memory(root: int) -> tuple[int, int, int]:
    """(PSS sum, RSS sum, largest RSS) over ``root`` and its descendants, KiB."""
    tree = _children()
    stack, pids = [root], []
    while stack:
        pid = stack.pop()
        pids.append(pid)
        stack.extend(tree.get(pid, []))
    sizes = [_memory_kib(p) for p in pids]
    return sum(s[0] for s in sizes), sum(s[1] for s in sizes), max((s[1] for s in sizes), default=0)


def audit_command(corpus: Path, out: Path, outputs: str, workers: int) -> list[str]:
    """`nianbao audit` of ``corpus`` as a user runs it (``workers`` 0: the command's default)."""
    cmd = [sys.executable, "-m", "nianbao.cli", "audit", str(corpus), "--out", str(out), "--format", outputs]
    if workers:
        cmd += ["--workers", str(workers)]
    return cmd


def run_measured(
    cmd: list[str], env: dict[str, str] | None = None
) -> tuple[float, int, tuple[int, int, int], str]:
    """Run ``cmd``; returns (seconds, exit code, peak (PSS sum, RSS sum, largest RSS) KiB, stderr tail)."""
    started = time.perf_counter()
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err, env=env)
        peak = [0, 0, 0]
        while proc.poll() is None:
            sample = tree_memory(proc.pid)
            peak = [max(a, b) for a, b in zip(peak, sample, strict=True)]
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=0.2)  # returns when the command ends: the time is not rounded up
        elapsed = time.perf_counter() - started
        err.seek(0)
        tail = err.read().decode("utf-8", errors="replace").strip().splitlines()[-1:]
    return elapsed, proc.returncode, (peak[0], peak[1], peak[2]), "\n".join(tail)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--formats", default="txt,md", help="input formats: txt,md,html,docx,pdf")
    parser.add_argument("--outputs", default="json,csv,xlsx,sarif,html", help="--format of nianbao audit")
    parser.add_argument("--workers", type=int, default=0, help="--workers of nianbao audit (0: its default)")
    parser.add_argument("--corpus", type=Path, help="keep (or reuse) the corpus in this folder")
    args = parser.parse_args()
    formats = [f.strip() for f in args.formats.split(",") if f.strip()]
    work = Path(tempfile.mkdtemp(prefix="nianbao-scale-"))
    corpus = args.corpus or work / "corpus"
    try:
        if not (corpus.is_dir() and sum(1 for _ in corpus.iterdir()) == args.docs):
            t0 = time.perf_counter()
            size = make_corpus(corpus, args.docs, formats, os.cpu_count() or 1)
            print(f"corpus: {args.docs} reports ({', '.join(formats)}), {size / 1e6:.0f} MB, "
                  f"rendered in {time.perf_counter() - t0:.0f} s")  # fmt: skip
        out = work / "out"
        cmd = audit_command(corpus, out, args.outputs, args.workers)
        elapsed, code, (pss, rss, largest), tail = run_measured(cmd)
        print(f"nianbao audit --format {args.outputs}: exit {code}, {elapsed:.1f} s, "
              f"{args.docs / elapsed:.0f} reports/s")  # fmt: skip
        print(f"peak memory of the process tree: {pss / 1024:.0f} MB PSS ({rss / 1024:.0f} MB RSS summed), "
              f"largest process {largest / 1024:.0f} MB RSS")  # fmt: skip
        sizes = ", ".join(f"{p.name} {p.stat().st_size / 1e6:.0f} MB" for p in sorted(out.iterdir()))
        print(f"outputs: {sizes}")
        print(f"summary: {tail}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
