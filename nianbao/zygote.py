"""The rule-base process of `nianbao audit`: forked at the very start of the command, it builds the
rule base on the other core while the parent parses the command line and reads, then forks the audit
pass's workers (a fork server, or "zygote").

Why: the rule base's import (pandas, pandera, pydantic, experta, rules/) is most of the command's
start-up.  Built in a thread of the parent it started only once the command line was parsed and the
readers warmed (0.11 s in), shared the parent's GIL with the loop that feeds the read workers, and left
the parent holding all of pandas.  Here it starts before typer is imported, and the parent never
imports it: what the parent needs of the rule base (the rules' metadata, the across-year pairing, the
audit of a report whose audit ran out of budget) it asks this process for.

Only a fresh command-line process uses it (:func:`start_for`, called by the entry points before
anything else); a process that imported the rule base already (the tests calling ``run_audit``) keeps
building it in a thread.  ``NIANBAO_ZYGOTE=0`` turns it off (to compare both paths).

The protocol, over one Unix socket pair, strictly request then reply (the parent is one thread):

- ``("call", fn, args)``: ``fn(*args)`` in this process (``fn`` is pickled by reference); the reply is
  ``("ok", value)`` or ``("raise", exception)``.  The first call's reply waits for the build, and a
  build that failed is re-raised for every call, as the thread re-raised it.
- ``("fork", fn, budget, init)`` and the worker's end of its pipe (SCM_RIGHTS): a worker running
  :func:`auditor.workers.worker_main` is forked; the reply is ``("forked", pid)`` and a pidfd of the
  worker (Linux ≥ 5.3), through which the parent waits for it and kills it.
- ``("status", pid)``: the exit code of a worker that is over (this process reaps its workers as they
  end, on SIGCHLD; the parent asks only about one that died, to say why).

No process is left behind: this process dies with the parent (``PR_SET_PDEATHSIG``), its workers
with it.  At the end of a run the parent closes its end: this process kills and reaps whatever worker
is left and exits; on an error, Ctrl-C or a usage error it is killed (:meth:`Zygote.close`, also at
exit).  The parent reaps it at exit, so that its CPU time and its workers' count as the command's.
"""

from __future__ import annotations

import gc
import os
import socket
import sys
from contextlib import suppress
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from multiprocessing.connection import Connection
    from types import FrameType

    from auditor.workers import Budget

_CURRENT: Zygote | None = None


def start_for(args: list[str], shared: tuple[str, ...] = ()) -> None:
    """Start the rule-base process when the command line is an audit (``args``: sys.argv[1:]);
    anything else (another command, --help, no command) starts nothing, and so does a system without
    pidfds (Linux before 5.3: the command then builds the rule base in a thread, as in-process).
    Costs the parent a fork (about a millisecond) once the modules both processes need are imported:
    keep what this module imports at its top to the standard library's least.  ``shared``: the
    command's modules that both processes import (the one the rule-base process is called into),
    imported before the fork as well."""
    global _CURRENT
    if _CURRENT is not None or not args or args[0] != "audit" or "--help" in args:
        return
    if os.environ.get("NIANBAO_ZYGOTE", "1") == "0" or "auditor.engine" in sys.modules or not _has_pidfd():
        return
    _import_shared(shared)
    _CURRENT = Zygote.start()


def end_on_sigterm() -> None:
    """An audit stopped by SIGTERM (systemd's stop, docker stop) ends as on Ctrl-C: the run's clean-up
    runs (the spool of every extracted report removed from the out folder, outputs not half written,
    the rule-base process ended), then the command exits 128 + 15, as a process killed by it seems to.
    Set after the rule-base process is forked: that one is ended by the command, not by the signal."""
    import signal

    if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
        signal.signal(signal.SIGTERM, _on_sigterm)


def _on_sigterm(signum: int, frame: FrameType | None) -> None:
    import signal

    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # a second one ends the command at once
    raise SystemExit(128 + signum)


_COLLECTION_PAUSED = False
"""Set while the command's start-up runs without cyclic garbage collection (:func:`pause_collection`)."""


def pause_collection() -> None:
    """No cyclic garbage collection while an audit command starts (called by the entry points, in a
    fresh process only): its imports (typer, the readers) make tens of thousands of objects that live
    as long as the process, and sixty-odd collections went over them before the read workers were
    forked (7-9 ms of the parent's CPU).  :func:`resume_collection` freezes what was made and collects
    again, before the first worker is forked; a command that ends before (usage, --help) just exits."""
    global _COLLECTION_PAUSED
    if gc.isenabled():
        gc.disable()
        _COLLECTION_PAUSED = True


def resume_collection() -> None:
    """End the pause of :func:`pause_collection`, if there is one: what start-up made is frozen (no
    later collection goes over it, in this process or in the workers forked from it, which freeze it
    too) and collection is on again, as the workers expect to inherit it."""
    global _COLLECTION_PAUSED
    if _COLLECTION_PAUSED:
        _COLLECTION_PAUSED = False
        gc.freeze()
        gc.enable()


def _has_pidfd() -> bool:
    try:
        os.close(os.pidfd_open(os.getpid()))
    except (AttributeError, OSError):
        return False
    return True


def _import_shared(modules: tuple[str, ...] = ()) -> None:
    """Import, before forking, what both processes import (``modules`` and what nianbao.audit_run
    imports: the model, the findings and their writers, the pipeline, the workers, the text decoder
    and the standard library under them): done once here, not once in each (the CPU saved in the
    rule-base process, and its start as much later)."""
    # ctypes: each process's die_with_parent (auditor.workers); the others, the standard library's
    # modules that the rule base imports and the command does later anyway (typer, rich, readers): 6 ms
    import ctypes  # noqa: F401
    import difflib  # noqa: F401
    import gettext  # noqa: F401
    import importlib
    import importlib.abc  # noqa: F401
    import importlib.resources  # noqa: F401
    import logging  # noqa: F401
    import platform  # noqa: F401
    import textwrap  # noqa: F401
    import traceback  # noqa: F401
    import unicodedata  # noqa: F401
    import uuid  # noqa: F401

    import auditor.extract.api  # noqa: F401
    import auditor.extract.textcodec  # noqa: F401 - the readers' decoder, and the writers' sanitiser's
    import auditor.findings.model  # noqa: F401
    import auditor.findings.writers  # noqa: F401 - imported by both for the outputs
    import auditor.pipeline  # noqa: F401
    import auditor.templates  # noqa: F401
    import auditor.workers  # noqa: F401

    for name in modules:
        importlib.import_module(name)


def current() -> Zygote | None:
    """The rule-base process of this command, if one was started (and not closed)."""
    return _CURRENT


class ZygoteGone(RuntimeError):
    """The rule-base process ended before the run did; ``how``: what ended it, in Chinese (the
    command prints it as its one-line reason)."""

    def __init__(self, how: str = "") -> None:
        super().__init__(f"规则库进程意外退出{how}，审查未完成，未写出结果")


class Zygote:
    """The parent's handle on the rule-base process."""

    def __init__(self, pid: int, sock: socket.socket) -> None:
        self.pid = pid
        self.sock = sock
        self._conn: Connection | None = None
        self.closed = False
        self.reaped = False
        self.how = ""
        """What ended the process, once found gone (the reason's detail)."""

    @classmethod
    def start(cls) -> Zygote:
        """Fork the rule-base process; it starts building at once."""
        import atexit

        mine, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        parent = os.getpid()
        pid = os.fork()
        if pid == 0:  # the rule-base process: never returns
            mine.close()
            _serve(theirs, parent)
        theirs.close()
        zygote = cls(pid, mine)
        atexit.register(zygote.close)  # a usage error, an exception: it must not outlive the command
        return zygote

    @property
    def conn(self) -> Connection:
        if self._conn is None:
            from multiprocessing.connection import Connection

            self._conn = Connection(os.dup(self.sock.fileno()))
        return self._conn

    def _ask(self, *request: Any) -> tuple[Any, ...]:
        try:
            self.conn.send(request)
            reply: tuple[Any, ...] = self.conn.recv()
        except (EOFError, OSError):
            raise self.gone() from None
        return reply

    def call(self, fn: Any, *args: Any) -> Any:
        """``fn(*args)`` in the rule-base process (``fn`` a module-level function), once it is built;
        what it raised is raised here."""
        self.post(fn, *args)
        return self.answer()

    def post(self, fn: Any, *args: Any) -> None:
        """Ask for ``fn(*args)`` without waiting: :meth:`answer` gives its value (before any other
        request is made)."""
        try:
            self.conn.send(("call", fn, args))
        except OSError:
            raise self.gone() from None

    def answer(self) -> Any:
        """The value of the call :meth:`post` made (what it raised is raised here)."""
        try:
            kind, value = self.conn.recv()
        except (EOFError, OSError):
            raise self.gone() from None
        if kind == "raise":
            raise value
        return value

    def fork_worker(self, pipe: Connection, fn: Any, budget: Budget, init: Any) -> ForkedWorker:
        """A worker forked by the rule-base process on ``pipe`` (the worker's end, which the caller
        then closes): :func:`auditor.workers.worker_main` ``(pipe, fn, budget, init)``."""
        try:
            self.conn.send(("fork", fn, budget, init))
            socket.send_fds(self.sock, [b"w"], [pipe.fileno()])
            _, pid = self.conn.recv()
            _, fds, _, _ = socket.recv_fds(self.sock, 1, 1)
        except (EOFError, OSError):
            raise self.gone() from None
        return ForkedWorker(self, pid, fds[0])

    def gone(self) -> ZygoteGone:
        """What to raise once the process is found gone: it is reaped here (it ended, or ends within
        a second of closing its end) so that the reason says what ended it (a signal: the kernel's
        out-of-memory killer sends SIGKILL)."""
        if self.closed:
            return ZygoteGone(self.how)
        code: int | None = None
        with suppress(ChildProcessError, ProcessLookupError):
            pidfd = os.pidfd_open(self.pid)
            try:
                if _readable(pidfd, 1.0):
                    code = os.waitstatus_to_exitcode(os.waitpid(self.pid, 0)[1])
                    self.reaped = True  # its pid may be another process's from now on
            finally:
                os.close(pidfd)
        self.how = _how(code)
        self.close()
        return ZygoteGone(self.how)

    def exit_code(self, pid: int) -> int | None:
        """The exit code of a worker that is over (as multiprocessing gives it: -N for signal N)."""
        if self.closed:
            return None
        code: int | None = self._ask("status", pid)[1]
        return code

    def close(self, done: bool = False) -> None:
        """End the rule-base process and forget it; idempotent.  ``done``: the run is over and the
        process is answering (its workers are ended): it is told so and ends once it has reaped them;
        else it is killed (its workers with it).

        It is reaped at exit: the kernel frees its memory (pandas and the rule base) while this
        process prints its summary.  Reaped, not left to whoever adopts it: its CPU time (and that of
        the workers it reaped) is then counted in this process's children's, as a benchmark reads it."""
        global _CURRENT
        if self.closed:
            return
        self.closed = True
        if _CURRENT is self:
            _CURRENT = None
        if not done:
            import signal

            with suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)
        if self._conn is not None:
            self._conn.close()
        self.sock.close()
        import atexit

        atexit.register(self.reap)

    def reap(self) -> None:
        """Wait for the process to be gone (at exit); one that has not ended within a few seconds
        of being told is killed."""
        import signal

        if self.reaped:
            return
        with suppress(ChildProcessError, ProcessLookupError):
            pidfd = os.pidfd_open(self.pid)
            try:
                if not _readable(pidfd, 5.0):
                    os.kill(self.pid, signal.SIGKILL)
            finally:
                os.close(pidfd)
            os.waitpid(self.pid, 0)


class ForkedWorker:
    """A worker forked by the rule-base process, as :class:`auditor.workers.WorkerPool` uses a
    ``multiprocessing.Process``: pid, sentinel, is_alive, kill, join, exitcode (from its pidfd, which
    becomes readable when the worker ends; its exit code is asked of the process that reaps it)."""

    def __init__(self, zygote: Zygote, pid: int, pidfd: int) -> None:
        self.zygote = zygote
        self.pid = pid
        self._pidfd = pidfd
        self._code: int | None = None

    @property
    def sentinel(self) -> int:
        """Readable once the worker has ended (for multiprocessing.connection.wait)."""
        return self._pidfd

    def is_alive(self) -> bool:
        return self._pidfd >= 0 and not _readable(self._pidfd, 0.0)

    def kill(self) -> None:
        import signal

        if self._pidfd >= 0:
            with suppress(ProcessLookupError):  # ended already
                signal.pidfd_send_signal(self._pidfd, signal.SIGKILL)

    def join(self, timeout: float | None = None) -> None:
        """Wait up to ``timeout`` seconds for the worker to end; once it has, its pidfd is closed."""
        if self._pidfd >= 0 and _readable(self._pidfd, timeout):
            os.close(self._pidfd)
            self._pidfd = -1

    @property
    def exitcode(self) -> int | None:
        """None while the worker runs; then its exit code, asked of the process that reaped it (only
        a worker that died is asked about: the parent says why)."""
        self.join(0.0)
        if self._pidfd >= 0:
            return None
        if self._code is None:
            try:
                self._code = self.zygote.exit_code(self.pid)
            except ZygoteGone:
                return None
        return self._code


def _how(code: int | None) -> str:
    """How the rule-base process ended, for its one-line reason: ``code`` as multiprocessing gives it."""
    if code is None:
        return ""
    if code >= 0:
        return f"（退出码 {code}）"
    import signal

    name = signal.Signals(-code).name if -code in signal.valid_signals() else str(-code)
    if -code == signal.SIGKILL:
        return f"（被信号 {name} 终止，可能因内存不足被系统结束）"
    return f"（被信号 {name} 终止）"


def _readable(fd: int, timeout: float | None) -> bool:
    import select

    poll = select.poll()  # select() cannot take descriptors above 1023
    poll.register(fd, select.POLLIN)
    return bool(poll.poll(None if timeout is None else timeout * 1000))


# -- the rule-base process ----------------------------------------------------------------------------


def _serve(sock: socket.socket, parent: int) -> None:
    """The rule-base process's life: build, then answer the parent's requests until it is gone."""
    code = 0
    try:
        _die_with(parent)
        import signal

        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
        from multiprocessing.connection import Connection

        conn = Connection(os.dup(sock.fileno()))
        held = _hold_logs()
        error = _build()
        _release_logs(held)
        _answer(conn, sock, error, held)
    except BaseException:  # noqa: BLE001 - a crash here must end this process, never return into the CLI
        import traceback

        traceback.print_exc()
        code = 1
    finally:
        _flush()
        os._exit(code)


def _flush() -> None:
    """Flush stdout and stderr before os._exit, whatever they are: None when the command was started
    with them closed, a pipe whose reader is gone.  What this raised would take a forked process back
    into the command line, to run it a second time."""
    for stream in (sys.stdout, sys.stderr):
        with suppress(Exception):
            stream.flush()


def _die_with(parent: int) -> None:
    """Be killed when the parent dies (and end now if it is gone already)."""
    from auditor.workers import die_with_parent

    die_with_parent()
    if os.getppid() != parent:
        os._exit(0)


def _build() -> BaseException | None:
    """Build the rule base, as the parent's thread did (no collection over the import's objects while
    they are made, and none after: frozen); returns what stopped the build, if anything."""
    import gc

    gc.disable()
    try:
        from auditor.engine import default_rulebase

        default_rulebase()
        gc.freeze()
        return None
    except BaseException as exc:  # noqa: BLE001 - re-raised in the parent, as the thread's was
        return exc
    finally:
        gc.enable()


def _hold_logs() -> Any:
    """Hold the build's log records (and warnings) instead of printing them: the run's first call sets
    its logging up here as in the parent (audit.log, "nianbao: " lines), then they are replayed."""
    import logging
    from logging.handlers import BufferingHandler

    held = BufferingHandler(capacity=1 << 30)
    logging.getLogger().addHandler(held)
    logging.captureWarnings(True)
    return held


def _release_logs(held: Any) -> None:
    import logging

    logging.getLogger().removeHandler(held)
    logging.captureWarnings(False)


def _replay(held: Any) -> None:
    """Hand the held records to the loggers they came from, now that the run's handlers are there."""
    import logging

    for record in held.buffer:
        logging.getLogger(record.name).handle(record)
    held.buffer.clear()


_EXITED: dict[int, int] = {}
"""Exit codes of the workers reaped (as the workers end: SIGCHLD), until the parent asks."""
_RUNNING: set[int] = set()
"""The workers forked and not reaped yet."""


def _reap(*_: object) -> None:
    """Reap every worker that has ended (the SIGCHLD handler): the parent waits for its workers
    through their pidfds and asks for an exit code only when one died."""
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        _RUNNING.discard(pid)
        _EXITED[pid] = os.waitstatus_to_exitcode(status)


def _exit_code(pid: int) -> int | None:
    if pid not in _EXITED:
        with suppress(ChildProcessError):  # reaped by the handler meanwhile
            _, status = os.waitpid(pid, 0)
            _RUNNING.discard(pid)
            return os.waitstatus_to_exitcode(status)
    return _EXITED.pop(pid, None)


def _end_workers() -> None:
    """The parent is done (or gone): end the workers still there and reap them all."""
    import signal

    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    for pid in list(_RUNNING):
        with suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    for pid in list(_RUNNING):
        with suppress(ChildProcessError):
            os.waitpid(pid, 0)
    _RUNNING.clear()


def _answer(conn: Connection, sock: socket.socket, error: BaseException | None, held: Any) -> None:
    """Answer requests until the parent closes its end."""
    import signal

    signal.signal(signal.SIGCHLD, _reap)
    while True:
        try:
            request = conn.recv()
            _reply(conn, sock, request, error, held)
        except (EOFError, OSError) as exc:
            # the parent closed its end: done, or gone while a reply was on its way (Ctrl-C, an
            # error); anything else (a fork that failed) ends this process as a crash
            if isinstance(exc, OSError) and not isinstance(exc, BrokenPipeError | ConnectionResetError):
                raise
            _end_workers()
            return


def _reply(
    conn: Connection, sock: socket.socket, request: Any, error: BaseException | None, held: Any
) -> None:
    """Do what ``request`` asks and answer it."""
    kind = request[0]
    if kind == "fork":
        _, fds, _, _ = socket.recv_fds(sock, 1, 1)
        pid, pidfd = _fork_worker(conn, sock, fds[0], *request[1:])
        try:
            conn.send(("forked", pid))
            socket.send_fds(sock, [b"p"], [pidfd])
        finally:
            os.close(pidfd)
    elif kind == "status":
        conn.send(("status", _exit_code(request[1])))
    else:
        conn.send(_call(error, request[1], request[2], held))


def _call(error: BaseException | None, fn: Any, args: tuple[Any, ...], held: Any) -> tuple[str, Any]:
    if error is not None:
        return "raise", _picklable(error)
    try:
        value = fn(*args)
    except Exception as exc:  # noqa: BLE001 - raised again in the parent
        return "raise", _picklable(exc)
    _replay(held)  # the first call set the run's logging up

    return "ok", value


def _picklable(exc: BaseException) -> BaseException:
    import pickle

    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:  # noqa: BLE001 - any failure to pickle: the same text, as a RuntimeError
        return RuntimeError(f"{type(exc).__name__}: {exc}")
    return exc


def _fork_worker(
    conn: Connection, sock: socket.socket, fd: int, fn: Any, budget: Any, init: Any
) -> tuple[int, int]:
    """Fork a worker on the pipe ``fd``; returns its pid and a pidfd for the parent."""
    import signal

    # not reaped before its pidfd is open (a worker that ended at once)
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGCHLD})
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)  # a worker's own children are its own to wait for
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGCHLD})
            conn.close()
            sock.close()
            from multiprocessing.connection import Connection

            from auditor.workers import worker_main

            worker_main(Connection(fd), fn, budget, init, [])
            code = 0
        except BaseException:  # noqa: BLE001 - as multiprocessing's bootstrap: traceback, exit 1
            import traceback

            traceback.print_exc()
        finally:
            _flush()
            os._exit(code)
    _RUNNING.add(pid)
    os.close(fd)
    try:
        return pid, os.pidfd_open(pid)
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGCHLD})
