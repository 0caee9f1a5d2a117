"""Fuzz: mutated real and generated reports in every format never make an exception escape the
extraction, the audit or the writers; each ends as a report or as READ-001 with a one-line reason,
within time.  NIANBAO_FUZZ_CASES sets the number of cases (default 2,000, about a minute on two
cores); bench/fuzz.py runs the same cases by the hundred thousand."""

from __future__ import annotations

import os
import signal
import time
from collections import Counter

import pytest

from auditor.engine import default_rulebase
from auditor.findings.writers import STREAMS
from auditor.pipeline import AuditInput, extract_one
from tests.fuzz.mutate import FORMATS, bases, case

CASES = int(os.environ.get("NIANBAO_FUZZ_CASES", "2000"))
SECONDS = 20.0
"""Per case, extraction and audit: far above what any case should take; a case over it is a hang."""


class _Overtime(BaseException):
    pass


def _alarm(signum: int, frame: object) -> None:
    raise _Overtime


@pytest.fixture(scope="module", autouse=True)
def _warm() -> None:
    for fmt in FORMATS:
        bases(fmt)


def test_mutated_reports_end_as_a_report_or_a_one_line_reason(tmp_path):
    rulebase = default_rulebase()
    streams = [STREAMS[name](tmp_path, rulebase.rules_meta()) for name in STREAMS]
    previous = signal.signal(signal.SIGALRM, _alarm)
    outcomes: Counter[str] = Counter()
    slow: list[str] = []
    started = time.monotonic()
    try:
        for number in range(CASES):
            c = case(number)
            began = time.monotonic()
            signal.setitimer(signal.ITIMER_REAL, SECONDS)
            try:
                result = extract_one(AuditInput(c.data, c.name))
                rulebase.audit([result])
            except _Overtime:
                slow.append(f"case {number} ({c.how}): over {SECONDS:g} s")
                continue
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
            if time.monotonic() - began > SECONDS / 2:
                slow.append(f"case {number} ({c.how}): {time.monotonic() - began:.1f} s")
            assert (result.document is None) == (result.error is not None), c.how
            if result.error is not None:
                assert result.error.strip() and "\n" not in result.error, (number, c.how, result.error)
                assert [f.rule_id for f in result.findings] == ["READ-001"], (number, c.how)
                outcomes["READ-001"] += 1
            else:
                outcomes["report"] += 1
            for stream in streams:
                stream.add(result)
    finally:
        signal.signal(signal.SIGALRM, previous)
    for stream in streams:
        assert stream.close().stat().st_size > 0
    assert not slow, slow
    assert outcomes["report"] + outcomes["READ-001"] == CASES
    print(f"{CASES} cases in {time.monotonic() - started:.0f} s: {dict(outcomes)}")


def test_a_folder_of_mutated_reports_is_audited_into_every_format(tmp_path):
    """The command's own path (workers, spool, budgets, streamed writers) over hostile inputs."""
    import json
    from pathlib import Path

    from rich.console import Console

    from auditor.workers import Budget
    from nianbao.audit_run import run_audit

    folder = tmp_path / "in"
    folder.mkdir()
    count = max(20, CASES // 20)
    for number in range(10_000, 10_000 + count):
        c = case(number)
        (folder / c.name).write_bytes(c.data)
    console = Console(stderr=True, record=True, width=400, force_terminal=False)
    code = run_audit([str(folder)], out=tmp_path / "out", formats="json,html,xlsx,csv,sarif", fail_on=None,
                     level=None, waivers=None, console=console, workers=2,
                     budget=Budget(SECONDS, 1024))  # fmt: skip
    assert code in (0, 2)
    names = {"findings.json", "findings.html", "findings.xlsx", "findings.csv", "findings.sarif"}
    assert {p.name for p in (tmp_path / "out").iterdir()} - {"audit.log"} == names
    data = json.loads((tmp_path / "out" / "findings.json").read_text("utf-8"))
    seen = ({Path(r["source"]).name for r in data["reports"]}
            | {Path(s["source"]).name for s in data["skipped"]})
    assert len(seen) == count
    log = console.export_text()
    assert "Traceback" not in log
    assert all(" — " in line for line in log.splitlines() if "无法读取" in line or "已跳过" in line)
