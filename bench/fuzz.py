"""The long fuzz run: mutated reports in every format through extraction and the rule base, in worker
processes under the per-document budget `nianbao audit` uses.

    uv run python bench/fuzz.py --cases 100000
    uv run python bench/fuzz.py --cases 2000 --start 40000 --seconds 10 --memory-mb 1024

Cases come from tests/fuzz/mutate.py (case i is a pure function of i: rerun one with --start i
--cases 1).  Printed: cases, reports, READ-001, crashes (an unexpected exception inside a reader —
READ-001 "解析失败（…）" — or a rule that raised), budget hits (time, memory, worker died), the slowest
cases, the peak memory of the process tree, and each distinct crash with the first case that shows it.
"""

from __future__ import annotations

import argparse
import re
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository ahead of bench/, as before

from audit_scale import tree_memory

from auditor.workers import Budget, Guard, WorkerPool, default_workers

CHUNK = 25


def run_cases(numbers: list[int], guard: Guard) -> list[tuple[int, str, str, float]]:
    """In a worker: each case extracted and audited under the budget.

    Returns (case, outcome, detail, seconds): outcome is report, read, crash, rule-error, time or memory.
    """
    from auditor.engine import default_rulebase
    from auditor.pipeline import AuditInput, extract_one
    from tests.fuzz.mutate import case

    rulebase = default_rulebase()
    out: list[tuple[int, str, str, float]] = []
    for number in numbers:
        c = case(number)
        before = len(rulebase.runtime_errors)
        began = time.perf_counter()
        status, value = guard.run(lambda c=c: _one(c, rulebase, AuditInput, extract_one))
        seconds = time.perf_counter() - began
        if status != "ok":
            out.append((number, status, f"{c.how}: {value}", seconds))
        elif len(rulebase.runtime_errors) > before:
            rule, reason = rulebase.runtime_errors[before]
            del rulebase.runtime_errors[before:]
            out.append((number, "rule-error", f"{rule}: {reason.split(': ', 1)[-1]} ({c.how})", seconds))
        else:
            out.append((number, value[0], f"{value[1]} ({c.how})" if value[1] else "", seconds))
    return out


def _one(c: Any, rulebase: Any, audit_input: Any, extract_one: Any) -> tuple[str, str]:
    result = extract_one(audit_input(c.data, c.name))
    rulebase.audit([result])
    result.to_dict()
    if result.document is not None:
        result.document.to_dict()
    if result.error is None:
        return "report", ""
    if "\n" in result.error or not result.error.strip():
        return "crash", f"READ-001 reason not one line: {result.error[:80]!r}"
    if result.error.startswith("解析失败（"):
        return "crash", result.error
    return "read", ""


def _tasks(start: int, cases: int, retry: list[int]) -> Iterator[tuple[tuple[int, ...], list[int], int]]:
    for first in range(start, start + cases, CHUNK):
        numbers = list(range(first, min(first + CHUNK, start + cases)))
        yield tuple(numbers), numbers, len(numbers)
    while retry:
        number = retry.pop()
        yield (number,), [number], 1


def _signature(detail: str) -> str:
    """A crash's kind: the exception and its message with numbers and quoted text blurred."""
    head = detail.split(" (", 1)[0]
    return re.sub(r"\d+", "N", re.sub(r"'[^']*'", "'…'", head))[:160]


@dataclass
class Tally:
    """What the run has seen so far: outcomes counted, distinct crashes, the five slowest cases."""

    counts: Counter[str] = field(default_factory=Counter)
    crashes: dict[str, tuple[int, str]] = field(default_factory=dict)
    slowest: list[tuple[float, int, str]] = field(default_factory=list)

    def add(self, outcome: Any, retry: list[int]) -> None:
        """One worker outcome: a chunk that failed as a whole is retried case by case (into ``retry``)."""
        numbers = outcome.task
        if outcome.status != "ok":
            if len(numbers) > 1:
                retry.extend(numbers)
                return
            self.counts[outcome.status] += 1
            self.crashes.setdefault(f"{outcome.status}: {outcome.reason}", (numbers[0], ""))
            return
        for number, kind, detail, seconds in outcome.value:
            self.counts[kind] += 1
            if kind in ("crash", "rule-error", "time", "memory"):
                self.crashes.setdefault(f"{kind}: {_signature(detail)}", (number, detail))
            self.slowest.append((seconds, number, detail))
            self.slowest = sorted(self.slowest, reverse=True)[:5]


def _warm_up() -> None:
    """Load the rule base and the mutation bases before forking, and keep rule-error logs quiet."""
    from auditor.engine import default_rulebase
    from tests.fuzz.mutate import FORMATS, bases

    default_rulebase()
    for fmt in FORMATS:
        bases(fmt)
    import logging

    logging.getLogger().addHandler(logging.NullHandler())
    logging.getLogger("nianbao").propagate = False  # the rule errors are counted, not printed
    logging.getLogger("nianbao").addHandler(logging.NullHandler())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--start", type=int, default=0)
    parser.add_argument("--workers", type=int, default=default_workers())
    parser.add_argument("--seconds", type=float, default=10.0, help="time budget per case")
    parser.add_argument("--memory-mb", type=int, default=1024, help="address-space budget per worker")
    args = parser.parse_args()
    _warm_up()

    peak = [0, 0, 0]
    done = threading.Event()

    def sample() -> None:
        import os

        while not done.is_set():
            peak[:] = [max(a, b) for a, b in zip(peak, tree_memory(os.getpid()), strict=True)]
            time.sleep(0.5)

    sampler = threading.Thread(target=sample, daemon=True)
    tally = Tally()
    counts = tally.counts
    retry: list[int] = []
    started = time.perf_counter()
    budget = Budget(args.seconds, args.memory_mb)
    with WorkerPool(run_cases, workers=args.workers, budget=budget) as pool:
        sampler.start()  # after the workers are forked: no thread crosses a fork
        for outcome in pool.run(_tasks(args.start, args.cases, retry)):
            tally.add(outcome, retry)
            done_cases = sum(counts.values())
            if done_cases % 5000 < CHUNK:  # a partial run still leaves figures
                print(f"… {done_cases} cases, {time.perf_counter() - started:.0f} s: {dict(counts)}, "
                      f"peak {peak[0] / 1024:.0f} MB PSS", file=sys.stderr, flush=True)  # fmt: skip
    done.set()
    elapsed = time.perf_counter() - started
    total = sum(counts.values())
    crashed = counts["crash"] + counts["rule-error"]
    budget_hits = counts["time"] + counts["memory"] + counts["died"]
    print(f"cases: {total} in {elapsed:.0f} s ({total / elapsed:.0f}/s, {args.workers} workers)")
    print(f"reports: {counts['report']}, READ-001: {counts['read']}")
    print(f"crashes: {crashed} ({counts['crash']} in readers, {counts['rule-error']} in rules)")
    print(f"budget hits: {budget_hits} (time {counts['time']}, memory {counts['memory']}, "
          f"worker died {counts['died']}; workers replaced {pool.replaced})")  # fmt: skip
    print(f"peak memory of the process tree: {peak[0] / 1024:.0f} MB PSS, "
          f"largest process {peak[2] / 1024:.0f} MB RSS")
    for seconds, number, _ in tally.slowest:
        print(f"slow: case {number}: {seconds:.1f} s")
    for signature, (number, detail) in sorted(tally.crashes.items()):
        print(f"distinct: {signature}  [first: case {number}{' — ' + detail[:200] if detail else ''}]")


if __name__ == "__main__":
    main()
