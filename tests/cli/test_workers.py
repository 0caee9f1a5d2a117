"""The worker pool itself: outcomes per task, replacement after a death, no orphaned workers."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from auditor.workers import Budget, Guard, WorkerPool, _run_task


def _task(payload: str, guard: Guard) -> str:
    if payload == "die":
        os.kill(os.getpid(), signal.SIGKILL)
    if payload == "raise":
        raise ValueError("bad input")
    return payload.upper()


def test_outcomes_and_a_replaced_worker():
    with WorkerPool(_task, workers=2, budget=Budget(5, 0)) as pool:
        outcomes = {o.task: o for o in pool.run((p, p, 1) for p in ["a", "die", "raise", "b", "c"])}
        assert outcomes["a"].value == "A" and outcomes["c"].value == "C"
        assert outcomes["die"].status == "died" and "SIGKILL" in outcomes["die"].reason
        assert outcomes["raise"].status == "error" and outcomes["raise"].reason == "ValueError: bad input"
        assert pool.replaced == 1 and len(pool.idle) == 2


def test_a_worker_sees_its_pipe_close_although_other_workers_were_forked_after_it():
    pool = WorkerPool(_task, workers=2, budget=Budget(5, 0))
    first = pool.idle[0]
    first.conn.close()  # as when the parent is gone
    first.process.join(timeout=10)
    try:
        assert not first.process.is_alive(), "the second worker must not hold the first one's pipe open"
    finally:
        pool.idle.remove(first)
        pool.close()


def test_workers_do_not_outlive_a_killed_parent(tmp_path):
    script = (
        "import time, sys\n"
        "from auditor.workers import WorkerPool, Budget\n"
        "def f(p, g):\n    time.sleep(600)\n"
        "pool = WorkerPool(f, workers=2, budget=Budget(900, 0))\n"
        "print(' '.join(str(w.process.pid) for w in pool.idle), flush=True)\n"
        "for _ in pool.run([(1, 1, 1), (2, 2, 1)]):\n    pass\n"
    )
    parent = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    pids = [int(p) for p in parent.stdout.readline().split()]  # type: ignore[union-attr]
    time.sleep(0.5)
    parent.kill()
    parent.wait()
    deadline = time.monotonic() + 10
    alive = pids
    while alive and time.monotonic() < deadline:
        alive = [p for p in pids if os.path.exists(f"/proc/{p}") and "Z" not in _state(p)]
        time.sleep(0.1)
    assert not alive


def _state(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "Z"


def _frozen(payload: str, guard: Guard) -> int:
    import gc

    return gc.get_freeze_count()


def test_a_worker_keeps_what_the_parent_imported_out_of_its_collections():
    import gc

    with WorkerPool(_frozen, workers=1, budget=Budget(5, 0)) as pool:
        (outcome,) = pool.run([(1, "x", 1)])
    assert outcome.value > 1000 and gc.get_freeze_count() == 0  # the parent's own collections as before


def test_no_worker_is_forked_while_the_fork_lock_is_held():
    """A replacement waits for the fork lock (held by a parent thread that imports)."""
    import threading

    lock = threading.Lock()
    with WorkerPool(_task, workers=1, budget=Budget(5, 0), fork_lock=lock) as pool:
        lock.acquire()
        releaser = threading.Timer(1.0, lock.release)
        releaser.start()
        started = time.monotonic()
        outcomes = list(pool.run([("die", "die", 1)]))  # the dead worker is replaced only once released
        assert time.monotonic() - started >= 0.9
        assert outcomes[0].status == "died" and pool.replaced == 1
        (again,) = pool.run([("a", "a", 1)])
        assert again.value == "A"
        releaser.join()


class _Pipe:
    """What a Guard sends to the parent."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, float, bool]] = []

    def send(self, message: tuple[str, float, bool]) -> None:
        self.sent.append(message)


def test_the_parent_hears_a_deadline_once_for_documents_read_in_quick_succession(monkeypatch):
    """A worker tells the parent how long to wait when it starts a task's first document, and again
    only when that would be too short, or too long by more than the slack: never killed before a
    document's budget and grace are over, nor more than the slack after."""
    monkeypatch.setattr(signal, "setitimer", lambda *_: None)  # no alarm in the test process
    clock = [100.0]
    monkeypatch.setattr(time, "monotonic", lambda: clock[0])
    budget = Budget(seconds=10, memory_mb=0)
    pipe = _Pipe()
    guard = Guard(pipe, budget)  # type: ignore[arg-type]
    told = budget.seconds + budget.slack
    for _ in range(50):  # fifty quick documents: one message
        guard.run(lambda: None)
        clock[0] += 0.001
    assert pipe.sent == [("begin", told, False)]
    clock[0] += budget.slack  # the next document would outlive what the parent was told
    guard.run(lambda: None)
    assert pipe.sent[-1] == ("begin", told, False) and len(pipe.sent) == 2
    guard.run(lambda: None, documents=20)  # a chunk: longer
    assert pipe.sent[-1] == ("begin", 20 * budget.seconds + budget.slack, False)
    guard.run(lambda: None)  # one report again: the parent would wait far too long
    assert pipe.sent[-1] == ("begin", told, False) and len(pipe.sent) == 4
    clock[0] += 0.001
    _run_task(lambda _, g: g.run(lambda: None), None, guard)  # a new task: the parent set its deadline
    assert len(pipe.sent) == 5


def test_released_workers_end_while_the_caller_goes_on():
    pool = WorkerPool(_task, workers=2, budget=Budget(5, 0))
    try:
        assert sorted(o.value for o in pool.run((p, p, 1) for p in ["a", "b", "c"])) == ["A", "B", "C"]
        workers = list(pool.idle)
        pool.release()
        for worker in workers:
            worker.process.join(timeout=10)
            assert worker.process.exitcode == 0, "ended by itself, before close()"
    finally:
        pool.close()
    assert not pool.idle and all(w.conn.closed for w in workers)


def _timed(payload: tuple[str, float], guard: Guard) -> tuple[int, float, float]:
    """("nap", s): sleep s; ("hang", s): the same, as a runaway in C code would (no alarm armed);
    ("spent", s): a document that runs out of its budget (the worker retires); ("die", s): die after s."""
    kind, seconds = payload
    started = time.monotonic()
    if kind == "spent":
        guard.run(lambda: time.sleep(seconds))
    else:
        time.sleep(seconds)
    if kind == "die":
        os.kill(os.getpid(), signal.SIGKILL)
    return os.getpid(), started, time.monotonic()


def test_a_worker_starts_its_next_task_while_the_caller_is_busy_with_the_last_answer():
    with WorkerPool(_timed, workers=1, budget=Budget(5, 0)) as pool:
        spans = []
        for outcome in pool.run((i, ("nap", 0.3), 1) for i in range(3)):
            spans.append(outcome.value)
            time.sleep(0.2)  # what the caller does with an answer
    assert len({pid for pid, _, _ in spans}) == 1 and pool.replaced == 0
    # the next task was in the worker's pipe already: it started as the answer went, not 0.2 s later
    assert all(later[1] - earlier[2] < 0.1 for earlier, later in zip(spans, spans[1:], strict=False))


def test_a_task_waiting_in_a_worker_that_dies_is_run_by_its_replacement():
    with WorkerPool(_timed, workers=1, budget=Budget(5, 0)) as pool:
        outcomes = {o.task: o for o in pool.run([("die", ("die", 0.2), 1), ("next", ("nap", 0), 1)])}
    assert outcomes["die"].status == "died" and "SIGKILL" in outcomes["die"].reason
    assert outcomes["next"].status == "ok" and pool.replaced == 1


def test_a_task_waiting_in_a_worker_that_is_killed_for_time_is_run_by_its_replacement():
    with WorkerPool(_timed, workers=1, budget=Budget(0.1, 0)) as pool:  # killed after 0.1 + 2 s grace
        outcomes = {o.task: o for o in pool.run([("hang", ("hang", 30), 1), ("next", ("nap", 0), 1)])}
    assert outcomes["hang"].status == "time" and "超出处理预算" in outcomes["hang"].reason
    assert outcomes["next"].status == "ok" and pool.replaced == 1


def test_a_task_waiting_in_a_worker_that_retires_is_run_by_its_replacement():
    with WorkerPool(_timed, workers=1, budget=Budget(0.2, 0)) as pool:
        outcomes = {o.task: o for o in pool.run([("spent", ("spent", 5), 1), ("next", ("nap", 0), 1)])}
    assert outcomes["spent"].status == "ok" and pool.replaced == 1
    assert outcomes["next"].status == "ok" and outcomes["next"].value[0] != outcomes["spent"].value[0]


def test_a_waiting_task_s_deadline_counts_from_when_it_starts_not_from_when_it_was_sent():
    """Two tasks of 1.5 s each on one worker whose deadline is 2.1 s (budget 0.1 s + 2 s grace): the
    second ends 3 s after it was sent, within its deadline from its own start."""
    with WorkerPool(_timed, workers=1, budget=Budget(0.1, 0)) as pool:
        outcomes = list(pool.run([(1, ("nap", 1.5), 1), (2, ("nap", 1.5), 1)]))
    assert [o.status for o in outcomes] == ["ok", "ok"] and pool.replaced == 0


def test_with_nothing_ahead_a_task_goes_to_the_first_worker_free_not_behind_a_slow_one():
    """Downloads (seconds each) run with ahead=0: the third task is not queued behind the slow first
    one, it goes to the worker that is done with the quick second."""
    tasks = [("slow", ("nap", 1.0), 1), ("quick", ("nap", 0.05), 1), ("third", ("nap", 0), 1)]
    with WorkerPool(_timed, workers=2, budget=Budget(5, 0)) as pool:
        started = time.monotonic()
        outcomes = {o.task: o.value for o in pool.run(tasks, ahead=0)}
    assert outcomes["third"][0] == outcomes["quick"][0] != outcomes["slow"][0]
    assert outcomes["third"][1] - started < 0.8


_NO_PROC = """
import sys
sys.path.insert(0, sys.argv[1])
from auditor.workers import Budget, WorkerPool
from tests.cli.test_workers import _allocates
ballast = bytearray(256 << 20)  # a parent as large as one holding the rule base: 256 MB of address space
with WorkerPool(_allocates, workers=1, budget=Budget(5, 64)) as pool:
    (outcome,) = pool.run([(1, 1 << 20, 1)])
print(outcome.status, outcome.value)
"""


def _allocates(size: int, guard: Guard) -> int:
    return len(bytearray(size))


@pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("unshare"), reason="needs root and unshare")
def test_without_proc_a_worker_is_not_capped_below_what_it_has():
    """Where /proc is not mounted (some containers) the worker's address space at start is unknown:
    its cap must not be the budget alone (below what it was forked with: every document would fail
    as over budget, a false READ-001 for the whole run)."""
    root = Path(__file__).resolve().parents[2]
    proc = subprocess.run(
        ["unshare", "-m", "--propagation", "private", "sh", "-c",
         'umount -l /proc && exec "$0" -c "$1" "$2"', sys.executable, _NO_PROC, str(root)],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert proc.stdout.split() == ["ok", str(1 << 20)], proc.stderr


_STOPPED = """
import sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from auditor.workers import Budget, WorkerPool
from tests.cli.test_workers import _marks_then_sleeps
with WorkerPool(_marks_then_sleeps, workers=1, budget=Budget(1.0, 0)) as pool:
    outcomes = list(pool.run([(1, sys.argv[2], 1), (2, sys.argv[2] + "2", 1)]))
print(*sorted(o.status for o in outcomes))
"""


def _marks_then_sleeps(mark: str, guard: Guard) -> str:
    guard.begin()
    Path(mark).write_text("")
    time.sleep(0.3)
    return mark


def test_a_run_stopped_and_continued_fails_no_document(tmp_path):
    """Ctrl-Z then fg (SIGTSTP, then SIGCONT to the whole process group) while a worker reads: the stop
    was nobody's runaway, and no document may come out of it as over its time budget."""
    mark = tmp_path / "mark"
    proc = subprocess.Popen(
        [sys.executable, "-c", _STOPPED, str(Path(__file__).resolve().parents[2]), str(mark)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while not mark.exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    os.killpg(proc.pid, signal.SIGSTOP)  # as Ctrl-Z's SIGTSTP (discarded in this orphaned group)
    time.sleep(4.0)  # longer than the budget (1 s) and its grace (2 s)
    os.killpg(proc.pid, signal.SIGCONT)
    out, err = proc.communicate(timeout=60)
    assert out.split() == ["ok", "ok"], err
