"""How `nianbao audit`'s workers spend a run: per pass, the tasks each worker ran, how long the workers
waited for their next task between their first and their last (summed over the workers), how far
apart the workers ended, and the CPU of the parent's loop.  The command runs in this process, its
task functions wrapped before the workers are forked (they inherit the wrappers).

    uv run python bench/pool_waits.py FOLDER [--runs 5] [--format json]

A worker that waits gives its core away only if something else can use it: on 2 cores the read pass
shares them with the parent's rule-base import, so these waits are an upper bound of the wall time
lost, best compared before and after a change on a quiet machine.  The runs share this process: from
the second on, the rule base is imported already and the read pass runs without the import thread
(bench/audit_vs_floor.py times whole processes).
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from multiprocessing import Pipe
from multiprocessing.connection import Connection
from typing import Any

from nianbao import audit_run as ar

_PARENT = os.getpid()
_report: Connection | None = None
"""Where each worker sends what it saw when it ends (set per run, inherited by the forked workers)."""
_seen: dict[str, Any] = {}


def _timed_recv(recv: Callable[[Connection], Any]) -> Callable[[Connection], Any]:
    def timed(conn: Connection) -> Any:
        if os.getpid() == _PARENT:
            return recv(conn)
        started = time.perf_counter()
        try:
            return recv(conn)
        finally:
            _seen["waited"] = _seen.get("waited", 0.0) + time.perf_counter() - started

    return timed


def _task(name: str, fn: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
    def wrapped(task: Any, guard: Any) -> Any:
        if "pass" not in _seen:
            _seen.update({"pass": name, "first": _seen.get("waited", 0.0), "tasks": 0})
        _seen["before_last"] = _seen.get("waited", 0.0)
        _seen["tasks"] += 1
        try:
            return fn(task, guard)
        finally:
            _seen["ended"] = time.perf_counter()

    return wrapped


def _worker_main(main: Callable[..., None]) -> Callable[..., None]:
    def wrapped(*args: Any) -> None:
        try:
            main(*args)
        finally:
            if _report is not None and "pass" in _seen:
                waited = _seen["before_last"] - _seen["first"]
                _report.send((_seen["pass"], _seen["tasks"], waited, _seen["ended"]))

    return wrapped


def _loop_cpu(name: str, fn: Callable[..., Any], spent: dict[str, float]) -> Callable[..., Any]:
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        started = time.thread_time()
        try:
            return fn(*args, **kwargs)
        finally:
            spent[name] = time.thread_time() - started

    return wrapped


def one_run(folder: str, formats: str) -> dict[str, tuple[int, float, float, float]]:
    """{pass: (tasks, summed waits s, end spread s, parent loop CPU s)} of one audit of ``folder``."""
    global _report
    from rich.console import Console

    from auditor import workers

    receiver, _report = Pipe(duplex=False)
    spent: dict[str, float] = {}
    saved = (ar.read_task, ar.audit_task, ar._read_pass, ar._audit_pass, workers._worker_main)
    ar.read_task = _task("read", ar.read_task)  # type: ignore[assignment]
    ar.audit_task = _task("audit", ar.audit_task)  # type: ignore[assignment]
    ar._read_pass = _loop_cpu("read", ar._read_pass, spent)  # type: ignore[assignment]
    ar._audit_pass = _loop_cpu("audit", ar._audit_pass, spent)  # type: ignore[assignment]
    workers._worker_main = _worker_main(workers._worker_main)  # type: ignore[assignment]
    out = tempfile.mkdtemp(prefix="pool-waits-")
    try:
        ar.run_audit(
            [folder], out=ar.Path(out), formats=formats, fail_on=None, level=None, waivers=None,
            console=Console(file=io.StringIO()),
        )  # fmt: skip
    finally:
        ar.read_task, ar.audit_task, ar._read_pass, ar._audit_pass, workers._worker_main = saved
        _report.close()
        _report = None
        shutil.rmtree(out, ignore_errors=True)
    seen: dict[str, list[tuple[int, float, float]]] = {}
    while receiver.poll(1):
        try:
            name, tasks, waited, ended = receiver.recv()
        except EOFError:
            break
        seen.setdefault(name, []).append((tasks, waited, ended))
    return {
        name: (sum(t for t, _, _ in rows), sum(w for _, w, _ in rows),
               max(e for _, _, e in rows) - min(e for _, _, e in rows), spent.get(name, 0.0))
        for name, rows in seen.items()
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("folder")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--format", default="json", help="--format of nianbao audit")
    args = parser.parse_args()
    from multiprocessing.connection import Connection as _Conn

    _Conn.recv = _timed_recv(_Conn.recv)  # type: ignore[method-assign]
    runs = [one_run(args.folder, args.format) for _ in range(args.runs)]
    for name in ("read", "audit"):
        rows = [run[name] for run in runs if name in run]
        if not rows:
            continue
        tasks, waited, spread, cpu = (statistics.median(column) for column in zip(*rows, strict=True))
        print(
            f"{name:5} pass: {tasks:.0f} tasks, workers waited {waited * 1000:6.1f} ms (summed), ended "
            f"{spread * 1000:5.1f} ms apart, parent loop {cpu * 1000:5.1f} ms CPU  (medians of {len(rows)}; "
            f"apart: {', '.join(f'{row[2] * 1000:.0f}' for row in rows)})",
            file=sys.stdout,
        )


if __name__ == "__main__":
    main()
