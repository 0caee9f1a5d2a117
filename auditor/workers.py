"""Worker processes with a per-document budget: wall-clock time and address space.

Every document is read in a worker process, never in the process that writes the outputs, so that a
reader that runs away costs one document, not the run:

- time: the worker arms ``SIGALRM`` for each document (:meth:`Guard.begin`); a Python-level runaway
  raises :class:`BudgetExceeded` there and the document becomes READ-001 "超出处理预算".  A runaway
  in C code (a regular expression, a parser) does not see the signal: the parent kills the worker
  after the budget plus a grace period, records the document the same way and starts a replacement.
- memory: the worker's address space is capped (``RLIMIT_AS``) at what it had when it started plus
  the budget; an allocation beyond it raises MemoryError (or kills the worker), same outcome.
- a worker that dies for any reason is replaced; the task it ran is reported as failed, the one
  waiting in its pipe (:class:`WorkerPool` sends each worker its next task ahead) goes to another.

A worker that hit a budget retires after answering (its heap may be left in a bad state) and is
replaced.  Workers are forked from the parent, so starting one costs no imports: what the parent has
imported, they share.  A parent that imports in a background thread while workers run hands the pool
that thread's ``fork_lock``: a replacement is forked only once the import is over.  Or the pool's
workers are forked by another process (a :class:`Forker`: `nianbao audit`'s rule-base process, which
has imported what they need and the parent has not); the parent still sends their tasks, waits for
them, kills and replaces them.
"""

from __future__ import annotations

import faulthandler
import gc
import math
import multiprocessing
import os
import resource
import signal
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, nullcontext, suppress
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from multiprocessing.reduction import ForkingPickler
from typing import Any, Protocol, Self

_CTX = multiprocessing.get_context("fork")

DEFAULT_SECONDS = 30.0
"""Per document: a real 6-page report in PDF takes under 1 s, a long one a few; 30 s is a runaway."""
DEFAULT_MEMORY_MB = 2048
"""Address space a worker may add: real reports need tens of MB; bombs inflate to gigabytes."""


@dataclass(frozen=True, slots=True)
class Budget:
    """What one document may cost in a worker."""

    seconds: float = DEFAULT_SECONDS
    """Wall-clock seconds per document."""
    memory_mb: int = DEFAULT_MEMORY_MB
    """Address space a worker may add to what it had at start, in MiB (0: no cap)."""

    @property
    def grace(self) -> float:
        """How long the parent waits beyond the budget before it kills a worker."""
        return max(2.0, self.seconds * 0.25)

    @property
    def slack(self) -> float:
        """How much later than a document's budget and grace the parent may kill a worker stuck in C
        code: a worker tells the parent its deadline once for the documents that start within this
        time, not once for each (a text report is read in a millisecond)."""
        return min(0.5, self.seconds / 20)

    def time_reason(self) -> str:
        return f"超出处理预算（单个文档处理时间超过 {self.seconds:g} 秒）"

    def memory_reason(self) -> str:
        return f"超出处理预算（单个文档内存超过 {self.memory_mb} MB）"


class BudgetExceeded(BaseException):
    """The document's time budget ran out (raised by SIGALRM inside the worker).

    A BaseException, so that a reader's ``except Exception`` cannot swallow it."""


class Guard:
    """Handed to a task function: :meth:`begin` starts one document's budget."""

    def __init__(self, conn: Connection | None, budget: Budget) -> None:
        self.conn = conn
        self.budget = budget
        self.exhausted = False
        """Set when a budget was hit: the worker retires after this task."""
        self.told = -math.inf
        """Until when (monotonic) the parent was last told to wait, less the grace; -inf at the start
        of a task (the parent has set the task's own deadline)."""

    def begin(self, documents: int = 1) -> None:
        """Start the clock for the next ``documents`` documents (and tell the parent to wait that long).

        The parent is told only when what it was last told is not between the documents' deadline
        and the budget's slack after it: then it never kills before their budget and grace are
        over, nor more than the slack after."""
        seconds = self.budget.seconds * documents
        if self.conn is not None:
            now = time.monotonic()
            if not now + seconds <= self.told <= now + seconds + self.budget.slack:
                self.conn.send(("begin", seconds + self.budget.slack, False))
                self.told = now + seconds + self.budget.slack
            _ARMED[0] = seconds
            signal.setitimer(signal.ITIMER_REAL, seconds)

    def end(self) -> None:
        """Stop the clock."""
        if self.conn is not None:
            signal.setitimer(signal.ITIMER_REAL, 0)

    def run(self, fn: Callable[[], Any], documents: int = 1) -> tuple[str, Any]:
        """``fn()`` under the budget: ("ok", value), ("time", reason) or ("memory", reason)."""
        self.begin(documents)
        try:
            return "ok", fn()
        except (BudgetExceeded, MemoryError) as exc:
            return self.exceeded(exc)
        finally:
            self.end()

    def exceeded(self, exc: BudgetExceeded | MemoryError) -> tuple[str, str]:
        """The outcome of a budget hit, ("time" or "memory", reason); the worker retires after its task."""
        self.exhausted = True
        if isinstance(exc, BudgetExceeded):
            return "time", self.budget.time_reason()
        return "memory", self.budget.memory_reason()


TaskFn = Callable[[Any, Guard], Any]


@dataclass(slots=True)
class Outcome:
    """What became of one task: ``status`` is ok (``value`` set), or time / memory / died / error
    with a one-line ``reason``."""

    task: Any
    status: str
    value: Any = None
    reason: str = ""


_ARMED = [0.0]
"""Seconds the running documents' alarm was last armed for."""


def _on_alarm(signum: int, frame: object) -> None:
    # Stopped (Ctrl-Z, SIGSTOP) and continued while the alarm ran: the stop counted on its clock
    # but was nobody's runaway.  SIGCONT is blocked in a worker (it still continues it), so that it
    # stays pending to be seen here: the documents get their budget again, from now.
    if signal.SIGCONT in signal.sigpending():
        signal.sigtimedwait({signal.SIGCONT}, 0)
        signal.setitimer(signal.ITIMER_REAL, _ARMED[0])
        return
    raise BudgetExceeded


def _cap_memory(megabytes: int) -> None:
    """Cap the address space at what this worker has plus ``megabytes``; not at all where what it has
    cannot be read (no /proc): the budget alone could be below it (a worker forked from the process
    holding the rule base starts with hundreds of MB), failing every document as over budget."""
    if megabytes <= 0:
        return
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            size_kb = next(int(line.split()[1]) for line in fh if line.startswith("VmSize:"))
    except (OSError, StopIteration, ValueError):
        return
    limit = size_kb * 1024 + megabytes * 1024 * 1024
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def die_with_parent() -> None:
    """Ask Linux to kill this worker when the parent dies (a killed run leaves no worker behind)."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass  # not Linux: the closed pipe still ends the worker once it is idle


def worker_main(
    conn: Connection,
    fn: TaskFn,
    budget: Budget,
    init: Callable[[], None] | None,
    inherited: list[Connection],
) -> None:
    """A worker's life: run ``fn`` on each payload received on ``conn`` under ``budget`` until told to
    end (None) or the pipe closes; ``inherited`` are the parent's ends of other workers' pipes."""
    die_with_parent()
    for other in inherited:  # the parent's ends of the other workers' pipes: else they never see EOF
        other.close()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # not the command's clean-up (nianbao/zygote.py)
    faulthandler.disable()  # a crash is reported by the parent in one line, not as a C traceback
    signal.signal(signal.SIGALRM, _on_alarm)
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGCONT})  # seen by _on_alarm
    # What the parent imported never becomes garbage: leave it out of every collection.  The oldest
    # generation's collections went over all of pandas' objects again and again (a sixth of the audit
    # pass's CPU on text reports), and wrote to each object's header, copying the shared pages.
    gc.freeze()
    if init is not None:
        init()
    _cap_memory(budget.memory_mb)
    guard = Guard(conn, budget)
    while True:
        try:
            payload = conn.recv()
        except (EOFError, OSError):
            return
        if payload is None:
            return
        reply = _run_task(fn, payload, guard)
        try:
            conn.send((*reply, guard.exhausted))
        except MemoryError as exc:  # the reply itself was too large to send
            conn.send((*guard.exceeded(exc), True))
        if guard.exhausted:
            return


def _run_task(fn: TaskFn, payload: Any, guard: Guard) -> tuple[str, Any]:
    """One task in the worker: ("ok", value), or its outcome's kind and one-line reason."""
    # the parent counts this task's deadline from its start (sent to an idle worker, or the answer to
    # the task before): tell it the first document's
    guard.told = -math.inf
    try:
        return "ok", fn(payload, guard)
    except (BudgetExceeded, MemoryError) as exc:
        return guard.exceeded(exc)
    except Exception as exc:  # noqa: BLE001 - reported as the task's one-line reason
        return "error", f"{type(exc).__name__}: {exc}"[:300]
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)


AHEAD_BYTES = 64 * 1024
"""Largest task sent to a worker still busy with another: it waits in the pipe's buffer (208 KiB on
Linux), so that sending it never blocks the parent; a larger one waits for an idle worker."""


STALL = 1.0
"""Seconds a wait may overrun its timeout before the parent counts it as not having run meanwhile."""


@dataclass(slots=True)
class _Sent:
    """A task sent to a worker: the caller's task, its payload as sent (to give it again, unstarted,
    to another worker) and the documents that size its deadline."""

    task: Any
    payload: Any
    documents: int


class Forker(Protocol):
    """Forks workers from another process than this one (nianbao/zygote.py: the process that built
    the rule base), returning a handle used as a ``multiprocessing.Process`` (pid, sentinel,
    is_alive, kill, join, exitcode)."""

    def fork_worker(
        self, pipe: Connection, fn: TaskFn, budget: Budget, init: Callable[[], None] | None
    ) -> Any:
        """Start :func:`worker_main` ``(pipe, fn, budget, init, [])`` in a new process."""


class _Worker:
    def __init__(
        self,
        fn: TaskFn,
        budget: Budget,
        init: Callable[[], None] | None,
        inherited: list[Connection],
        forker: Forker | None = None,
    ) -> None:
        self.conn, child = _CTX.Pipe()
        self.process: Any
        if forker is not None:  # forked elsewhere: holds none of this process's pipes
            self.process = forker.fork_worker(child, fn, budget, init)
        else:
            self.process = _CTX.Process(
                target=worker_main, args=(child, fn, budget, init, [self.conn, *inherited]), daemon=True
            )
            self.process.start()
        child.close()
        self.tasks: deque[_Sent] = deque()
        """Sent to it, in order: the first one runs, the others wait in the pipe."""
        self.deadline = 0.0
        self.asked = False

    def ask_to_stop(self) -> None:
        """Tell the worker to end once it is idle (once; :meth:`stop` then waits for it)."""
        if not self.asked:
            self.asked = True
            with suppress(OSError):
                self.conn.send(None)

    def stop(self, kill: bool = False) -> None:
        if kill and self.process.is_alive():
            self.process.kill()
        else:
            self.ask_to_stop()
        self.process.join(timeout=5)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.conn.close()


class WorkerPool:
    """``workers`` processes running ``fn(payload, guard)`` under ``budget``.

    :meth:`run` takes (task, payload, documents) triples and yields an :class:`Outcome` per task as
    they finish (not in order); ``documents`` sizes the parent's deadline for that task.

    Each worker is sent ``ahead`` more tasks than the one it runs: they wait in its pipe, so it starts
    the next one the moment it has sent its answer, not once the parent has read the answer, done
    what the caller does with it and sent another task (3 to 7 ms a task in the audit pass, and the
    parent's loop is slower while it imports).  A task's deadline still counts from when its worker
    starts it: from the answer to the task before (the worker starts the next one right after
    sending it), and again from the worker's word when the task's first document begins.  A task
    that waited in a worker that was lost or retired was never started: it is given to the next
    worker as it was, without an outcome.
    """

    def __init__(
        self,
        fn: TaskFn,
        *,
        workers: int,
        budget: Budget,
        init: Callable[[], None] | None = None,
        tick: Callable[[], None] | None = None,
        fork_lock: AbstractContextManager[Any] | None = None,
        forker: Forker | None = None,
    ) -> None:
        self.fn = fn
        self.forker = forker
        """Forks the workers in another process (None: forked from this one)."""
        self.budget = budget
        self.init = init
        self.tick = tick
        self.fork_lock = fork_lock if fork_lock is not None else nullcontext()
        """Held while a worker is forked: a thread that imports holds it, so no child is forked mid-import."""
        self.size = max(1, workers)
        self.ahead = 1
        """Tasks sent to a worker beyond the one it runs (set by :meth:`run`)."""
        self.backlog: deque[_Sent] = deque()
        """Tasks given back unstarted by a worker that was lost or retired: sent before any new one."""
        import ctypes  # noqa: F401 - each worker's die_with_parent finds it imported

        self.idle: list[_Worker] = []
        self.busy: list[_Worker] = []
        for _ in range(self.size):
            self.idle.append(self._spawn())
        self.replaced = 0

    def _spawn(self) -> _Worker:
        others = [w.conn for w in (*self.idle, *self.busy) if not w.conn.closed]
        with self.fork_lock:
            return _Worker(self.fn, self.budget, self.init, others, self.forker)

    def _replace(self, worker: _Worker, kill: bool) -> None:
        self.backlog.extend(worker.tasks)  # what it had not started: to the next worker as it was
        worker.tasks.clear()
        worker.stop(kill=kill)
        self.busy.remove(worker)
        self.idle.append(self._spawn())
        self.replaced += 1

    def run(
        self, tasks: Iterable[tuple[Any, Any, int]], allowance: float = 0.0, ahead: int = 1
    ) -> Iterator[Outcome]:
        """Run every task; ``allowance`` seconds are added to each task's deadline (downloads).
        ``ahead`` tasks wait in each worker's pipe (0 where tasks last seconds, downloads: a waiting
        task could wait for a slow one while another worker has nothing left to do).

        ``tasks`` is asked for more whenever a worker has room, also after it once ran dry: a
        :class:`Requeue` given back a task by the caller (whose worker was lost) gives it then."""
        self.ahead = max(0, ahead)
        pending = iter(tasks)
        while True:
            self._dispatch(pending, allowance)
            if not self.busy:
                return
            yield from self._collect(allowance)
            if self.tick is not None:
                self.tick()

    def _dispatch(self, pending: Iterator[tuple[Any, Any, int]], allowance: float) -> None:
        """Send a task to each idle worker, then one more to each busy one, up to ``ahead`` waiting."""
        for depth in range(1 + self.ahead):
            for worker in [w for w in (*self.idle, *self.busy) if len(w.tasks) == depth]:
                sent = self._next(pending)
                if sent is None:
                    return
                if depth and len(sent.payload) > AHEAD_BYTES:
                    self.backlog.appendleft(sent)  # for the next idle worker: sending it now could block
                    return
                self._send(worker, sent, allowance)

    def _next(self, pending: Iterator[tuple[Any, Any, int]]) -> _Sent | None:
        if self.backlog:
            return self.backlog.popleft()
        nxt = next(pending, None)
        if nxt is None:
            return None
        task, payload, documents = nxt
        return _Sent(task, ForkingPickler.dumps(payload), documents)

    def _send(self, worker: _Worker, sent: _Sent, allowance: float) -> None:
        if not worker.tasks:
            worker.deadline = time.monotonic() + self._seconds(sent, allowance)
            self.idle.remove(worker)
            self.busy.append(worker)
        worker.tasks.append(sent)
        # A worker that died meanwhile closed its end: that is seen (and its tasks handled) in _collect.
        with suppress(OSError):
            worker.conn.send_bytes(sent.payload)

    def _seconds(self, sent: _Sent, allowance: float) -> float:
        """How long the parent waits for a task from its start before it kills the worker."""
        return allowance + self.budget.seconds * sent.documents + self.budget.grace

    def _collect(self, allowance: float) -> Iterator[Outcome]:
        now = time.monotonic()
        timeout = max(0.0, min(0.2, min(w.deadline for w in self.busy) - now))
        by_handle: dict[Any, _Worker] = {}
        for w in self.busy:
            by_handle[w.conn] = w
            by_handle[w.process.sentinel] = w
        ready = wait(list(by_handle), timeout=timeout)
        self._excuse_stall(now, timeout)
        for worker in dict.fromkeys(by_handle[h] for h in ready):
            if worker in self.busy:
                yield from self._receive(worker, allowance)
        now = time.monotonic()
        for worker in [w for w in self.busy if w.deadline < now]:
            running = worker.tasks.popleft()
            self._replace(worker, kill=True)
            yield Outcome(running.task, "time", reason=self.budget.time_reason())

    def _excuse_stall(self, before: float, timeout: float) -> None:
        """A wait that took well beyond its timeout: this process was not running (stopped with its
        workers by Ctrl-Z until fg, or starved): that time is added to every running task's deadline,
        so that no task is killed as a runaway for it."""
        stall = time.monotonic() - before - timeout
        if stall > STALL:
            for worker in self.busy:
                worker.deadline += stall

    def _receive(self, worker: _Worker, allowance: float) -> Iterator[Outcome]:
        while worker.tasks:
            try:
                if not worker.conn.poll():
                    if worker.process.is_alive():
                        return
                    raise EOFError
                kind, value, retire = worker.conn.recv()
            except (EOFError, OSError):
                running = worker.tasks.popleft()
                reason = _death_reason(worker, self.budget)
                self._replace(worker, kill=True)
                yield Outcome(running.task, "died", reason=reason)
                return
            if kind == "begin":
                worker.deadline = time.monotonic() + float(value) + self.budget.grace
                continue
            yield self._answered(worker, kind, value, retire, allowance)
            if retire:
                return

    def _answered(self, worker: _Worker, kind: str, value: Any, retire: bool, allowance: float) -> Outcome:
        """The outcome of the worker's running task, now answered; the worker goes on with its next."""
        done = worker.tasks.popleft()
        if retire:  # a budget was hit: this worker's heap is not to be trusted any more
            self._replace(worker, kill=False)
        elif worker.tasks:  # it started the next one on sending this answer
            worker.deadline = time.monotonic() + self._seconds(worker.tasks[0], allowance)
        else:
            self.busy.remove(worker)
            self.idle.append(worker)
        if kind == "ok":
            return Outcome(done.task, "ok", value=value)
        return Outcome(done.task, kind, reason=value)

    def release(self) -> None:
        """Tell every idle worker to end, without waiting: a worker with a large heap takes tens of
        milliseconds to exit, which the caller spends on its own work until :meth:`close`."""
        for worker in self.idle:
            worker.ask_to_stop()

    def close(self) -> None:
        """Stop every worker (killing those still busy); the idle ones end side by side."""
        self.release()
        for worker in self.busy:
            worker.stop(kill=True)
        for worker in self.idle:
            worker.stop()
        self.busy, self.idle = [], []

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


class Requeue:
    """Tasks for :meth:`WorkerPool.run`: ``first`` in order, then each key put back with :meth:`again`,
    one per task, made by ``single(key)``.  Asked again after it ran dry, it gives what was put back
    since (a generator, once finished, would have nothing more to give)."""

    def __init__(self, first: Iterable[Any], single: Callable[[Any], Any]) -> None:
        self.first = iter(first)
        self.single = single
        self.back: list[Any] = []

    def again(self, keys: Iterable[Any]) -> None:
        """Run each of ``keys`` again, alone, in this order."""
        self.back.extend(reversed(list(keys)))

    def __iter__(self) -> Self:
        return self

    def __next__(self) -> Any:
        for task in self.first:
            return task
        if self.back:
            return self.single(self.back.pop())
        raise StopIteration


def _death_reason(worker: _Worker, budget: Budget) -> str:
    worker.process.join(timeout=1)
    code = worker.process.exitcode
    if code is not None and code < 0:
        name = signal.Signals(-code).name if -code in signal.valid_signals() else str(-code)
        if -code in (signal.SIGKILL, signal.SIGSEGV, signal.SIGABRT, signal.SIGBUS):
            return f"处理进程异常退出（{name}），可能{budget.memory_reason()}"
        return f"处理进程异常退出（{name}）"
    return f"处理进程异常退出（退出码 {code}）"


def default_workers() -> int:
    """The machine's cores available to this process."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # not Linux
        return os.cpu_count() or 1
