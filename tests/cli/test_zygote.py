"""`nianbao audit` as a fresh command: the rule base is built in its own process, started before the
command line is parsed, which forks the audit pass's workers (nianbao/zygote.py).  The outputs are
those of the in-process run (rule base built in a thread); the parent never imports pandas; failures
(a lost worker, a rule base that cannot be built, Ctrl-C, a killed parent, a usage error) end as
they did, and no process is left behind."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import auditor.engine  # noqa: F401 - the in-process runs here are not a fresh process's (no gc.freeze here)
from nianbao import audit_run, zygote
from tests.cli.test_audit_run import _run
from tests.extract.expected_model import SHARED

SEEDS = SHARED / "seeds"
REAL = SHARED / "real"
FORMATS = "json,html,csv,sarif"
OUTPUTS = ["findings.json", "findings.html", "findings.csv", "findings.sarif"]

_PRELUDE = """
import json, os, signal, sys, time
from pathlib import Path
import nianbao.audit_run as audit_run
import nianbao.zygote as zygote
ARG = sys.argv[1]  # the command line below replaces sys.argv
"""
_MAIN = """
sys.argv = ["nianbao", "audit", *sys.argv[2:]]
from nianbao.entry import main
main()
"""

_MODULES = (
    _PRELUDE
    + """
import atexit
forked = []
real_fork = zygote.Zygote.fork_worker
def fork_worker(self, *args):
    forked.append(1)
    return real_fork(self, *args)
zygote.Zygote.fork_worker = fork_worker
def record():
    Path(ARG).write_text(json.dumps({"modules": sorted(sys.modules), "forked": len(forked)}))
atexit.register(record)
"""
    + _MAIN
)

_DIES_ON_SECOND = (
    _PRELUDE
    + """
real = audit_run.audit_task
def audit_task(chunk, guard):  # forked by the rule-base process: pickled by reference to this module
    if any(seq == 1 for seq, _, _ in chunk.jobs):
        os.kill(os.getpid(), signal.SIGKILL)
    return real(chunk, guard)
audit_run.audit_task = audit_task
"""
    + _MAIN
)

_RUNS_AWAY_ON_SECOND = (
    _PRELUDE
    + """
real = audit_run.audit_task
def audit_task(chunk, guard):  # as C code that never sees the alarm: the parent kills the worker
    if any(seq == 1 for seq, _, _ in chunk.jobs):
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
        time.sleep(600)
    return real(chunk, guard)
audit_run.audit_task = audit_task
"""
    + _MAIN
)

_HANGS = (
    _PRELUDE
    + """
def audit_task(chunk, guard):
    (Path(ARG) / str(os.getpid())).write_text("")
    time.sleep(600)
audit_run.audit_task = audit_task
"""
    + _MAIN
)

_SUBREAPER = """
import ctypes, os, subprocess, sys
ctypes.CDLL(None).prctl(36, 1)  # PR_SET_CHILD_SUBREAPER: the command's orphans become this process's
import time
proc = subprocess.run(sys.argv[1:], capture_output=True, text=True)
deadline, alive = time.monotonic() + 5, True
while alive and time.monotonic() < deadline:  # reap what the command left dying: nothing may stay
    try:
        alive = os.waitpid(-1, os.WNOHANG)[0] == 0
    except ChildProcessError:
        alive = False
    time.sleep(0.01 if alive else 0)
print(proc.returncode, alive)
"""


def _command(script: str, *args: str | Path, **kwargs: object) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "NIANBAO_ZYGOTE"}
    return subprocess.run(
        [sys.executable, "-c", script, *map(str, args)],
        capture_output=True, text=True, timeout=300, check=False, env=env, **kwargs,  # type: ignore[call-overload]
    )  # fmt: skip


def _same_outputs(a: Path, b: Path) -> None:
    for name in OUTPUTS:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name


def test_a_fresh_command_audits_in_the_rule_base_process_as_in_process(tmp_path):
    """The outputs are byte for byte those of the in-process run; the parent imported neither pandas
    nor the rule base, and the audit workers were forked by the rule-base process."""
    seen = tmp_path / "seen.json"
    proc = _command(_MODULES, seen, REAL, SEEDS, "--out", tmp_path / "cli", "--format", FORMATS)
    assert proc.returncode == 0, proc.stderr
    parent = json.loads(seen.read_text())
    assert parent["forked"] >= 1
    for heavy in ("pandas", "pandera", "experta", "pydantic", "jinja2", "auditor.engine"):
        assert heavy not in parent["modules"]
    code, _ = _run([REAL, SEEDS], tmp_path / "in-process", formats=FORMATS)
    assert code == 0
    _same_outputs(tmp_path / "cli", tmp_path / "in-process")


def test_an_audit_worker_that_dies_costs_its_report_only(tmp_path, monkeypatch):
    """A chunk's worker killed: its reports are audited again one per task, the one that kills its
    worker every time is READ-001 (audited by the rule-base process), as in the in-process run."""
    proc = _command(_DIES_ON_SECOND, tmp_path, SEEDS, "--out", tmp_path / "cli", "--format", FORMATS,
                    "--workers", "2")  # fmt: skip
    assert proc.returncode == 2, proc.stderr  # an unreadable report (CONTRACT.md)
    assert "处理进程异常退出（SIGKILL）" in proc.stderr
    real = audit_run.audit_task

    def audit_task(chunk, guard):  # type: ignore[no-untyped-def]
        if any(seq == 1 for seq, _, _ in chunk.jobs):
            os.kill(os.getpid(), signal.SIGKILL)
        return real(chunk, guard)

    monkeypatch.setattr(audit_run, "audit_task", audit_task)
    code, _ = _run([SEEDS], tmp_path / "in-process", formats=FORMATS, workers=2)
    assert code == 2
    _same_outputs(tmp_path / "cli", tmp_path / "in-process")
    report = json.loads((tmp_path / "cli" / "findings.json").read_text())["reports"][1]
    assert [f["rule_id"] for f in report["findings"]] == ["READ-001"]


def test_an_audit_that_runs_away_is_killed_at_its_deadline(tmp_path):
    """Past its budget and grace the parent kills the worker (through the pidfd the rule-base
    process gave it): the report is READ-001 "超出处理预算", the others are audited."""
    started = time.monotonic()
    proc = _command(_RUNS_AWAY_ON_SECOND, tmp_path, SEEDS, "--out", tmp_path / "cli", "--format", "json",
                    "--workers", "2", "--doc-timeout", "0.5")  # fmt: skip
    assert proc.returncode == 2, proc.stderr
    assert time.monotonic() - started < 60
    reports = json.loads((tmp_path / "cli" / "findings.json").read_text())["reports"]
    assert [f["rule_id"] for f in reports[1]["findings"]] == ["READ-001"]
    assert "超出处理预算（单个文档处理时间超过 0.5 秒）" in json.dumps(reports[1], ensure_ascii=False)
    others = [r for i, r in enumerate(reports) if i != 1]
    assert len(others) == 4 and all("READ-001" not in json.dumps(r) for r in others)


def test_a_rule_base_that_cannot_be_built_fails_the_command_as_before(tmp_path):
    broken = 'sys.modules["pandera"] = None\n'
    runs = {}
    for path in ("process", "thread"):
        env = dict(os.environ, NIANBAO_ZYGOTE="1" if path == "process" else "0")
        runs[path] = subprocess.run(
            [sys.executable, "-c", _PRELUDE + broken + _MAIN, "-", SEEDS, "--out", tmp_path / path],
            capture_output=True, text=True, timeout=300, check=False, env=env,
        )  # fmt: skip
    for proc in runs.values():
        assert proc.returncode == 1
    last = {path: proc.stderr.strip().splitlines()[-1] for path, proc in runs.items()}
    assert last["process"] == last["thread"] and "pandera" in last["process"]


def _descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", encoding="ascii") as fh:
                    ppid = int(fh.read().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _busy_run(tmp_path: Path, **popen: object) -> tuple[subprocess.Popen[str], list[int]]:
    """A command whose audit workers hang; returns it and its processes (rule-base process, workers)
    once the workers are in their chunk."""
    marks = tmp_path / "marks"
    marks.mkdir()
    env = popen.pop("env", None) or {k: v for k, v in os.environ.items() if k != "NIANBAO_ZYGOTE"}
    proc = subprocess.Popen(
        [sys.executable, "-c", _HANGS, marks, SEEDS, "--out", tmp_path / "out", "--workers", "2"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env, **popen,  # type: ignore[call-overload]
    )  # fmt: skip
    deadline = time.monotonic() + 120
    while len(list(marks.iterdir())) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    workers = [int(p.name) for p in marks.iterdir()]
    assert len(workers) == 2
    family = _descendants(proc.pid)
    rulebase = env.get("NIANBAO_ZYGOTE") != "0"  # type: ignore[union-attr]
    assert set(workers) <= set(family) and len(family) >= 2 + rulebase  # the rule-base process, workers
    return proc, family


def _none_left(pids: list[int]) -> list[int]:
    deadline = time.monotonic() + 10
    alive = pids
    while alive and time.monotonic() < deadline:
        alive = [p for p in pids if _alive(p)]
        time.sleep(0.05)
    return alive


def test_no_process_outlives_a_killed_parent(tmp_path):
    proc, family = _busy_run(tmp_path)
    proc.kill()
    proc.wait()
    assert not _none_left(family)


def _where(pids: list[int]) -> str:
    """What each process is waiting in (kernel wait channel and stack), for a failure's message."""
    lines = []
    for pid in pids:
        for name in ("wchan", "stack"):
            try:
                text = Path(f"/proc/{pid}/{name}").read_text(errors="replace").strip()
            except OSError as exc:
                text = f"({exc.strerror})"
            lines.append(f"{pid} {name}: {text}")
    return "\n".join(lines)


def _as_a_foreground_job() -> None:
    """Ctrl-C's default, as a terminal's foreground job has it: a test run started in the background by
    a shell without job control (CI scripts: ``cmd &``) has SIGINT ignored, the command inherits that
    and — as a background job should — does not stop on it."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_ctrl_c_ends_the_command_and_every_process(tmp_path):
    proc, family = _busy_run(tmp_path, start_new_session=True, preexec_fn=_as_a_foreground_job)
    os.killpg(proc.pid, signal.SIGINT)  # as a terminal does: the whole process group
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:  # say where the command hangs before failing (seen in full runs)
        where = _where([proc.pid, *family])
        proc.kill()
        _, err = proc.communicate(timeout=10)
        pytest.fail(f"no exit 30 s after Ctrl-C\n{where}\nstderr:\n{err[-4000:]}")
    assert proc.returncode != 0
    assert not _none_left(family)


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["audit"], 2),
        (["audit", "--help"], 0),
        (["audit", "--no-such-option", "x"], 2),
        (["rules", "list"], 0),
    ],
)
def test_other_commands_and_usage_errors_leave_no_process(args, code):
    """The command exits with its usual code, and nothing it started is left, not even unreaped."""
    proc = subprocess.run(
        [sys.executable, "-c", _SUBREAPER, sys.executable, "-m", "nianbao.cli", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.stdout.split() == [str(code), "False"], proc.stderr


def test_the_rule_base_process_is_started_for_an_audit_only(monkeypatch):
    started: list[int] = []
    monkeypatch.setattr(zygote.Zygote, "start", classmethod(lambda cls: started.append(1)))
    monkeypatch.setattr(zygote, "_CURRENT", None)
    monkeypatch.delitem(sys.modules, "auditor.engine", raising=False)
    monkeypatch.delenv("NIANBAO_ZYGOTE", raising=False)
    for args in ([], ["rules", "list"], ["audit", "--help"], ["serve"]):
        zygote.start_for(args)
    assert started == []
    monkeypatch.setenv("NIANBAO_ZYGOTE", "0")
    zygote.start_for(["audit", "x"])
    assert started == []
    monkeypatch.delenv("NIANBAO_ZYGOTE")
    zygote.start_for(["audit", "x"])
    assert started == [1]


def test_a_process_that_imported_the_rule_base_builds_it_itself(monkeypatch):
    """The tests' own runs (and any process holding rule bases of its own) keep the thread."""
    started: list[int] = []
    monkeypatch.setattr(zygote.Zygote, "start", classmethod(lambda cls: started.append(1)))
    monkeypatch.setattr(zygote, "_CURRENT", None)
    monkeypatch.delenv("NIANBAO_ZYGOTE", raising=False)
    zygote.start_for(["audit", "x"])
    assert started == []
    monkeypatch.setattr(zygote, "_CURRENT", object())
    assert audit_run._zygote() is None


def test_a_pool_whose_workers_the_rule_base_process_forks():
    """The pool's workers forked by the rule-base process behave as its own: outcomes, a worker that
    dies (why, from the exit code that process reaped) replaced, the collector frozen, a runaway
    killed at its deadline through the pidfd; none left once the pool is closed."""
    from auditor.workers import Budget, WorkerPool
    from tests.cli.test_workers import _frozen, _task

    forker = zygote.Zygote.start()
    try:
        with WorkerPool(_task, workers=2, budget=Budget(5, 0), forker=forker) as pool:
            pids = [w.process.pid for w in pool.idle]
            outcomes = {o.task: o for o in pool.run((p, p, 1) for p in ["a", "die", "raise", "b"])}
            assert outcomes["a"].value == "A" and outcomes["b"].value == "B"
            assert outcomes["die"].status == "died" and "SIGKILL" in outcomes["die"].reason
            assert outcomes["raise"].reason == "ValueError: bad input"
            assert pool.replaced == 1 and len(pool.idle) == 2
            pids += [w.process.pid for w in pool.idle]
        assert not _none_left(pids)
        with WorkerPool(_frozen, workers=1, budget=Budget(5, 0), forker=forker) as pool:
            (outcome,) = pool.run([(1, "x", 1)])
        assert outcome.value > 1000
        with WorkerPool(_sleep, workers=1, budget=Budget(0.2, 0), forker=forker) as pool:
            (outcome,) = pool.run([(1, "x", 1)])
        assert outcome.status == "time" and pool.replaced == 1
    finally:
        forker.close()
        forker.reap()
    assert not _alive(forker.pid)


def _sleep(payload: str, guard: object) -> None:
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})  # as C code: only the parent can stop it
    time.sleep(600)


_REAPED = """
import ctypes, os, subprocess, sys
ctypes.CDLL(None).prctl(36, 1)  # PR_SET_CHILD_SUBREAPER: the command's orphans become this process's
proc = subprocess.run(sys.argv[1:], capture_output=True, text=True)
try:
    left = os.waitpid(-1, os.WNOHANG)
except ChildProcessError:
    left = None
print(proc.returncode, left is None)
"""


def test_a_finished_audit_leaves_no_process_not_even_an_unreaped_one(tmp_path):
    """The rule-base process reaps its workers and the command reaps it: nothing is handed to init."""
    proc = subprocess.run(
        [sys.executable, "-c", _REAPED, sys.executable, "-m", "nianbao.cli", "audit", str(SEEDS), "--out",
         str(tmp_path), "--format", "json,html"],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert proc.stdout.split() == ["0", "True"], proc.stderr


def test_a_rule_base_process_killed_mid_run_ends_the_command_in_one_line(tmp_path):
    """The rule-base process killed while its workers audit (the out-of-memory killer's SIGKILL):
    the command says so in one line, exits 2 (CONTRACT.md: the run could not be done) and leaves
    no process and no spool behind."""
    proc, family = _busy_run(tmp_path)
    workers = [int(p.name) for p in (tmp_path / "marks").iterdir()]
    with open(f"/proc/{workers[0]}/stat", encoding="ascii") as fh:
        rulebase = int(fh.read().rsplit(")", 1)[1].split()[1])
    os.kill(rulebase, signal.SIGKILL)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 2, stderr
    assert "Traceback" not in stderr
    assert stderr.strip().splitlines()[-1] == (
        "nianbao: 规则库进程意外退出（被信号 SIGKILL 终止，可能因内存不足被系统结束），审查未完成，未写出结果"
    )
    assert not _none_left(family)
    assert not list((tmp_path / "out").glob(".nianbao-spool-*"))


@pytest.mark.parametrize("path", ["process", "thread"])
def test_sigterm_ends_the_command_as_ctrl_c_does(tmp_path, path):
    """SIGTERM (systemd's stop, docker stop) to the command alone: it ends as on Ctrl-C, cleaning up
    (no spool of extracted reports left in the out folder, no half-written output), and no process
    is left."""
    env = dict(os.environ, NIANBAO_ZYGOTE="1" if path == "process" else "0")
    proc, family = _busy_run(tmp_path, env=env)
    proc.terminate()
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 128 + signal.SIGTERM, stderr
    assert "Traceback" not in stderr
    assert not _none_left(family)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == []


@pytest.mark.parametrize("fd", [1, 2])
def test_a_command_whose_stdout_or_stderr_is_closed_audits_once(tmp_path, fd):
    """With no stderr (sys.stderr is None) the rule-base process and its workers still end where they
    must (os._exit), never returning into the command line to run it a second time."""
    env = {k: v for k, v in os.environ.items() if k != "NIANBAO_ZYGOTE"}
    script = _PRELUDE.replace("sys.argv[1]", "None") + _MAIN.replace("sys.argv[2:]", "sys.argv[1:]")
    proc = subprocess.run(
        [sys.executable, "-c", _SUBREAPER.replace("capture_output=True, text=True",
         f"stdout=subprocess.DEVNULL, preexec_fn=lambda: os.close({fd})"),
         sys.executable, "-c", script, str(SEEDS), "--out", str(tmp_path), "--format", "json,html"],
        capture_output=True, text=True, timeout=300, check=False, env=env,
    )  # fmt: skip
    assert proc.stdout.split() == ["0", "False"], proc.stdout + proc.stderr
    assert json.loads((tmp_path / "findings.json").read_text(encoding="utf-8"))["reports"]


_FSIZE = """
import resource, subprocess, sys
limit = int(sys.argv[1])  # as a full disk: a write past it fails (EFBIG; Python ignores SIGXFSZ)
proc = subprocess.run(sys.argv[2:], capture_output=True, text=True,
                      preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit)))
sys.stdout.write(f"{proc.returncode}\\n{proc.stderr}")
"""


@pytest.mark.parametrize("path", ["process", "thread"])
def test_an_out_folder_that_cannot_be_written_fails_in_one_line(tmp_path, path):
    """An out folder that cannot be made (a file in its place, a read-only system) or fills up
    mid-run: one line naming the folder and why, exit 2, no traceback, nothing half written."""
    env = dict(os.environ, NIANBAO_ZYGOTE="1" if path == "process" else "0")
    blocker = tmp_path / "file"
    blocker.write_text("")
    command = [sys.executable, "-m", "nianbao.cli", "audit", str(SEEDS), str(REAL), "--format", "json,html"]
    made = subprocess.run(
        [*command, "--out", str(blocker / "out")], capture_output=True, text=True, timeout=300, env=env
    )
    assert made.returncode == 2 and "Traceback" not in made.stderr, made.stderr
    reason = f"nianbao: {blocker / 'out'}: 无法写入输出目录（Not a directory），审查未完成"
    assert made.stderr.strip().splitlines() == [reason]
    full = tmp_path / "full"
    proc = subprocess.run(
        [sys.executable, "-c", _FSIZE, str(16 * 1024), *command, "--out", str(full)],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    code, *lines = proc.stdout.splitlines()
    assert code == "2" and "Traceback" not in proc.stdout, proc.stdout
    assert lines[-1] == f"nianbao: {full}: 无法写入输出目录（File too large），审查未完成"
    assert not [p for p in full.iterdir() if p.name != "audit.log"]


_LEFT_MID_CALL = """
import os, sys, time
from nianbao import zygote
z = zygote.Zygote.start()
z.post(time.sleep, 1.0)  # a call still running when the parent is done (Ctrl-C in the audit pass)
z.close(done=True)
pid = z.pid
z.reap()
"""


def test_a_parent_gone_mid_call_leaves_no_traceback(tmp_path):
    """The parent stops waiting for a call's answer (Ctrl-C, an error) and closes its end: the
    rule-base process's answer finds no reader, and it ends quietly, not with a BrokenPipeError's
    traceback on the officer's terminal."""
    proc = subprocess.run(
        [sys.executable, "-c", _LEFT_MID_CALL], capture_output=True, text=True, timeout=120, check=False
    )
    assert proc.returncode == 0
    assert "Traceback" not in proc.stderr, proc.stderr
