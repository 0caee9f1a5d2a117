"""`nianbao audit`'s per-report work in one process, phase by phase, in CPU milliseconds per report:
read (load, extract, spool), audit (read back, rule base, finish), the reply's unpickling and the
findings.json writer — the command's own functions, called serially (no workers, no budget), with the
collector frozen after the rule base is built as in the workers.

    uv run python bench/audit_phases.py FOLDER                        # e.g. a bench/audit_scale.py corpus
    uv run python bench/audit_phases.py FOLDER --profile audit         # and a cProfile of one phase
    uv run python bench/audit_phases.py FOLDER --profile read --sort tottime

On 2 workers, each 0.1 ms/report of read + audit is about 50 ms of wall time per 1,000 reports.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import pickle
import pstats
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from nianbao import audit_run as ar

CHUNK = 167
"""Reports per audit chunk: what 1,000 reports on 2 workers get (nianbao.audit_run.chunk_size)."""


class NoBudget:
    """A Guard that runs everything: the phases are timed without the budget's timers."""

    exhausted = False

    def run(self, fn: Callable[[], Any], documents: int = 1) -> tuple[str, Any]:
        return "ok", fn()


class Clock:
    """CPU seconds per phase, and a cProfile of the phase named ``profile``."""

    def __init__(self, profile: str | None) -> None:
        self.profile = profile
        self.profiler = cProfile.Profile() if profile else None
        self.spent: dict[str, float] = {}

    def timed(self, name: str, fn: Callable[..., Any], *fn_args: Any) -> Any:
        profiling = self.profiler is not None and self.profile == name
        if profiling:
            self.profiler.enable()  # type: ignore[union-attr]
        started = time.process_time()
        value = fn(*fn_args)
        self.spent[name] = time.process_time() - started
        if profiling:
            self.profiler.disable()  # type: ignore[union-attr]
        return value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder")
    parser.add_argument("--profile", choices=("read", "audit", "reply", "write"))
    parser.add_argument("--sort", default="cumulative", help="pstats sort key (cumulative, tottime)")
    args = parser.parse_args()
    inputs, _ = ar.list_inputs([args.folder])
    work = Path(tempfile.mkdtemp(prefix="nianbao-phases-"))
    started = time.process_time()
    from auditor.engine import default_rulebase
    from auditor.findings.writers import STREAMS, preload

    rulebase = default_rulebase()
    preload(["json"])
    built = time.process_time() - started
    gc.freeze()
    guard: Any = NoBudget()

    def read() -> list[Any]:
        done = ar.read_task(ar.ReadTask(tuple(inputs), None, str(work)), guard)
        return [entry for entries in done for entry in entries]

    def audit(entries: list[Any]) -> list[bytes]:
        replies = []
        for start in range(0, len(entries), CHUNK):
            seqs = range(start, min(start + CHUNK, len(entries)))
            # as the command's workers do for --format json: the entry rendered, a Tally sent back
            jobs = [(j, entries[j].place, None) for j in seqs]
            chunk = ar.AuditChunk(jobs, False, [], entries=True, whole=False)
            replies.append(pickle.dumps(ar.audit_task(chunk, guard), protocol=pickle.HIGHEST_PROTOCOL))
        return replies

    def reply(blobs: list[bytes]) -> list[Any]:
        return [pickle.loads(blob) for blob in blobs]

    def write(replies: list[Any]) -> None:
        stream = STREAMS["json"](work / "out", [dict(meta) for meta in rulebase.rules_meta()])
        stats = ar.RunStats(unreadable=[], counts={"error": 0, "warning": 0, "info": 0})
        for done, _ in replies:
            for _, result, part, entry in done:
                ar._write(result, part, entry, [stream], stats, None)
        stream.close(skipped=[], sanitized={})

    clock = Clock(args.profile)
    try:
        (work / "out").mkdir()
        entries = clock.timed("read", read)
        blobs = clock.timed("audit", audit, entries)
        replies = clock.timed("reply", reply, blobs)
        clock.timed("write", write, replies)
    finally:
        ar._close_readers()
        shutil.rmtree(work, ignore_errors=True)
    per = ", ".join(f"{name} {seconds / len(entries) * 1000:.3f}" for name, seconds in clock.spent.items())
    print(f"{len(entries)} reports; rule base built in {built * 1000:.0f} ms CPU; ms CPU per report: {per}")
    if clock.profiler is not None:
        pstats.Stats(clock.profiler).sort_stats(args.sort).print_stats(40)


if __name__ == "__main__":
    main()
