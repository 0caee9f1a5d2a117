"""The per-document budget: a reader or a check that runs away costs that document (READ-001
"超出处理预算"), never the run; a worker that dies is replaced and every format is still written."""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path

from rich.console import Console

import auditor.pipeline
from auditor.engine.rulebase import RuleBase
from auditor.workers import Budget
from nianbao.audit_run import run_audit
from tests.extract.expected_model import SHARED

GOOD = next((SHARED / "seeds").glob("001_*.txt")).read_bytes()
ALL = "json,html,xlsx,csv,sarif"
FILES = ["findings.json", "findings.html", "findings.xlsx", "findings.csv", "findings.sarif"]


def _hostile_extract(real):  # type: ignore[no-untyped-def]
    def extract(data: bytes, source: str, **kwargs: object):  # type: ignore[no-untyped-def]
        name = Path(source).name
        if name.startswith("hang-python"):
            while True:  # a pure-Python loop: the worker's own alarm stops it
                pass
        if name.startswith("hang-native"):
            signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})  # as C code that never sees it
            time.sleep(600)
        if name.startswith("hog"):
            hoard = []
            while True:  # grows past the address-space cap
                hoard.append(bytearray(50 * 1024 * 1024))
        if name.startswith("crash"):
            os.kill(os.getpid(), signal.SIGSEGV)
        return real(data, source, **kwargs)

    return extract


def _run(folder: Path, out: Path, budget: Budget) -> tuple[int, str, float]:
    console = Console(stderr=True, record=True, width=400, force_terminal=False)
    started = time.monotonic()
    code = run_audit(
        [str(folder)], out=out, formats=ALL, fail_on=None, level=None, waivers=None, console=console,
        workers=2, budget=budget,
    )
    return code, console.export_text(), time.monotonic() - started


def test_runaway_readers_become_read_001_and_the_run_goes_on(tmp_path, monkeypatch):
    monkeypatch.setattr(auditor.pipeline, "extract", _hostile_extract(auditor.pipeline.extract))
    folder = tmp_path / "in"
    folder.mkdir()
    names = ["crash.txt", "good-1.txt", "hang-native.txt", "hang-python.txt", "hog.txt", "good-2.txt"]
    for name in names:
        (folder / name).write_bytes(GOOD)
    budget = Budget(seconds=2, memory_mb=300)
    code, log, elapsed = _run(folder, tmp_path / "out", budget)
    assert code == 2  # unreadable documents, after every other one was audited and written
    assert elapsed < 40, "the run is bounded by the budget, not by the runaway readers"
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(FILES)
    data = json.loads((tmp_path / "out" / "findings.json").read_text("utf-8"))
    by_name = {Path(r["source"]).name: r for r in data["reports"]}
    assert sorted(by_name) == sorted(names)
    for name in ("hang-native.txt", "hang-python.txt"):
        assert by_name[name]["error"] == budget.time_reason()
        assert [f["rule_id"] for f in by_name[name]["findings"]] == ["READ-001"]
    assert "超出处理预算" in by_name["hog.txt"]["error"]
    assert "处理进程异常退出" in by_name["crash.txt"]["error"]
    for name in ("good-1.txt", "good-2.txt"):
        assert by_name[name]["error"] is None and by_name[name]["year"] == 2022
    reasons = [line for line in log.splitlines() if "无法读取" in line]
    assert len(reasons) == 4 and all(line.count("\n") == 0 for line in reasons)
    assert "Traceback" not in log


def test_a_check_that_runs_away_costs_only_its_report(tmp_path, monkeypatch):
    real = RuleBase.audit

    def audit(self, results, previous=None):  # type: ignore[no-untyped-def]
        if any(Path(r.source).name == "slow.txt" and r.document is not None for r in results):
            while True:
                pass
        return real(self, results, previous)

    monkeypatch.setattr(RuleBase, "audit", audit)
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("a.txt", "slow.txt", "z.txt"):
        (folder / name).write_bytes(GOOD)
    code, _, elapsed = _run(folder, tmp_path / "out", Budget(seconds=5, memory_mb=0))
    assert code == 2 and elapsed < 60
    data = json.loads((tmp_path / "out" / "findings.json").read_text("utf-8"))
    by_name = {Path(r["source"]).name: r for r in data["reports"]}
    assert "超出处理预算" in by_name["slow.txt"]["error"]
    assert by_name["a.txt"]["error"] is None and by_name["z.txt"]["error"] is None
    assert by_name["a.txt"]["year"] == by_name["z.txt"]["year"] == 2022


def test_a_runaway_inside_a_read_task_of_several_inputs_costs_only_itself(tmp_path, monkeypatch):
    """Inputs are read a few per task: the worker whose budget runs out stops after that input and
    retires; the rest of its task is read by other workers, nothing is read twice or lost."""
    monkeypatch.setattr(auditor.pipeline, "extract", _hostile_extract(auditor.pipeline.extract))
    folder = tmp_path / "in"
    folder.mkdir()
    names = ["hang-python.txt", *[f"ok-{i:02d}.txt" for i in range(39)]]  # the first of a task of 5
    for name in names:
        (folder / name).write_bytes(GOOD)
    budget = Budget(seconds=2, memory_mb=0)
    code, log, elapsed = _run(folder, tmp_path / "out", budget)
    assert code == 2 and elapsed < 40
    data = json.loads((tmp_path / "out" / "findings.json").read_text("utf-8"))
    assert [Path(r["source"]).name for r in data["reports"]] == sorted(names)
    by_name = {Path(r["source"]).name: r for r in data["reports"]}
    assert by_name["hang-python.txt"]["error"] == budget.time_reason()
    assert all(r["error"] is None and r["year"] == 2022 for n, r in by_name.items() if n != "hang-python.txt")
    assert log.count("无法读取") == 1


def test_a_chunk_whose_worker_dies_after_the_last_task_was_handed_out_is_audited_again(tmp_path, monkeypatch):
    """The other worker has finished and found no task left; then the chunk's worker dies: its reports
    are audited again one per task (they were once lost, and every report after them unwritten)."""
    real = RuleBase.audit

    def audit(self, results, previous=None):  # type: ignore[no-untyped-def]
        if any(Path(r.source).name == "crash.txt" and r.document is not None for r in results):
            time.sleep(1)  # the chunk of z.txt is done and the task list has run dry
            os.kill(os.getpid(), signal.SIGKILL)
        return real(self, results, previous)

    monkeypatch.setattr(RuleBase, "audit", audit)
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("a.txt", "crash.txt", "z.txt"):  # chunks of two on two workers: [a, crash], [z]
        (folder / name).write_bytes(GOOD)
    code, log, _ = _run(folder, tmp_path / "out", Budget(seconds=20, memory_mb=0))
    assert code == 2
    data = json.loads((tmp_path / "out" / "findings.json").read_text("utf-8"))
    by_name = {Path(r["source"]).name: r for r in data["reports"]}
    assert sorted(by_name) == ["a.txt", "crash.txt", "z.txt"]
    assert "处理进程异常退出（SIGKILL）" in by_name["crash.txt"]["error"]
    assert by_name["a.txt"]["error"] is None and by_name["z.txt"]["error"] is None
    assert "审查 3 份报告" in log
