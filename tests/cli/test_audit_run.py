"""`nianbao audit` as a run: worker processes, input order, across-year checks across chunks,
progress and summary, outputs streamed and moved into place."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from rich.console import Console

from auditor.workers import Budget
from nianbao import audit_run
from nianbao.audit_run import run_audit
from tests.extract.expected_model import SHARED

SEEDS = SHARED / "seeds"
ALL = "json,html,xlsx,csv,sarif"


def _run(paths: list[Path], out: Path, **kwargs: object) -> tuple[int, str]:
    console = Console(stderr=True, record=True, width=300, force_terminal=False)
    code = run_audit(
        [str(p) for p in paths], out=out, formats=kwargs.pop("formats", ALL), fail_on=None, level=None,
        waivers=None, console=console, **kwargs,  # type: ignore[arg-type]
    )
    return code, console.export_text()


def _reports(out: Path) -> dict[str, dict]:
    data = json.loads((out / "findings.json").read_text(encoding="utf-8"))
    return {Path(r["source"]).name: r for r in data["reports"]}


_ORGS = ("commercial", "research", "public_interest", "legal", "other_org")
_ZERO_ORGS = {f"T3.{{row}}.{c}": "0" for c in _ORGS}


def _series(folder: Path) -> list[Path]:
    """One body's 2022 report (carry-over 0) before its 2021 report (carried to next year: 2), with the
    seeds between them: BAL-005 needs the 2021 report, audited in another chunk."""
    from auditor.engine.samples import render_sample

    folder.mkdir()
    orgs = {k.format(row="carry_next"): v for k, v in _ZERO_ORGS.items()}
    y2021 = {"seed": 81, "year": 2021, "agency": "东湖区财政局",
             "cells": {"T3.carry_next.natural": "2", "T3.carry_next.total": "2", **orgs}}  # fmt: skip
    orgs = {k.format(row="carried"): v for k, v in _ZERO_ORGS.items()}
    y2022 = {"seed": 82, "year": 2022, "agency": "东湖区财政局",
             "cells": {"T3.carried.natural": "0", "T3.carried.total": "0", **orgs}}  # fmt: skip
    (folder / "a-2022.txt").write_bytes(render_sample(y2022, "txt"))
    (folder / "z-2021.txt").write_bytes(render_sample(y2021, "txt"))
    return [folder / "a-2022.txt", SEEDS, folder / "z-2021.txt"]


def test_workers_give_the_same_findings_in_input_order(tmp_path, monkeypatch):
    """Two workers and one-report chunks: the order is the inputs', and the across-year check still
    sees the predecessor audited in another chunk by another process."""
    inputs = _series(tmp_path / "in")
    code, _ = _run(inputs, tmp_path / "one", workers=1)
    assert code == 0
    monkeypatch.setattr(audit_run, "CHUNK", 1)
    code, log = _run(inputs, tmp_path / "two", workers=2)
    assert code == 0
    one = json.loads((tmp_path / "one" / "findings.json").read_text("utf-8"))
    two = json.loads((tmp_path / "two" / "findings.json").read_text("utf-8"))
    for report in [*one["reports"], *two["reports"]]:  # a rule's findings come in batch order (pandera's)
        report["findings"].sort(key=lambda f: f["fingerprint"])
    assert one["reports"] == two["reports"]
    names = [Path(r["source"]).name for r in two["reports"]]
    assert names == ["a-2022.txt", *sorted(p.name for p in SEEDS.iterdir()), "z-2021.txt"]
    assert "BAL-005" in {f["rule_id"] for f in _reports(tmp_path / "two")["a-2022.txt"]["findings"]}
    assert "2 个进程" in log


def test_every_format_written_and_nothing_left_behind(tmp_path):
    out = tmp_path / "out"
    code, log = _run([SEEDS], out)
    assert code == 0
    assert sorted(p.name for p in out.iterdir()) == sorted(
        ["findings.json", "findings.html", "findings.xlsx", "findings.csv", "findings.sarif"]
    ), "no spool or temporary file left in the output folder"
    sarif = json.loads((out / "findings.sarif").read_text("utf-8"))
    run = sarif["runs"][0]
    assert len(run["artifacts"]) == 5 and run["results"]
    assert all(r["ruleIndex"] < len(run["tool"]["driver"]["rules"]) for r in run["results"])
    assert all(run["tool"]["driver"]["rules"][r["ruleIndex"]]["id"] == r["ruleId"] for r in run["results"])
    summary = [line for line in log.splitlines() if line.startswith("审查 5 份报告")]
    assert len(summary) == 1 and "份/秒" in summary[0]


def test_the_output_folder_inside_the_input_folder_is_not_audited(tmp_path):
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "a.txt").write_bytes(next(SEEDS.glob("001_*.txt")).read_bytes())
    _run([inputs], inputs / "out")
    code, _ = _run([inputs], inputs / "out")  # second run: findings.html of the first is in the folder
    assert code == 0
    assert list(_reports(inputs / "out")) == ["a.txt"]


def test_a_failed_run_keeps_the_previous_outputs(tmp_path, monkeypatch):
    out = tmp_path / "out"
    _run([SEEDS], out, formats="json,csv")
    before = (out / "findings.json").read_bytes()

    def broken(*_: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(audit_run, "_close", broken)
    with pytest.raises(RuntimeError):
        _run([SEEDS], out, formats="json,csv")
    assert (out / "findings.json").read_bytes() == before
    assert sorted(p.name for p in out.iterdir()) == ["findings.csv", "findings.json"]


def test_cli_options_for_workers_and_budget_are_accepted(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "nianbao.cli", "audit", str(SEEDS), "--out", str(tmp_path), "--workers", "1",
         "--doc-timeout", "30", "--doc-memory", "1024"],
        capture_output=True, text=True, timeout=300, check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "1 个进程" in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
    assert Budget().seconds > 0


def test_progress_on_a_terminal_covers_every_stage(tmp_path):
    console = Console(stderr=True, record=True, width=200, force_terminal=True)
    code = run_audit([str(SEEDS)], out=tmp_path, formats="json", fail_on=None, level=None, waivers=None,
                     console=console, workers=1)  # fmt: skip
    assert code == 0
    shown = console.export_text()
    for stage in ("读取解析", "规则审查", "写出"):
        assert stage in shown
    assert "5/5" in shown and "份/秒" in shown


def test_an_expired_waiver_is_reported_once_not_per_chunk(tmp_path, monkeypatch, capfd):
    monkeypatch.setattr(audit_run, "CHUNK", 1)
    waivers = tmp_path / "waivers.toml"
    waivers.write_text(
        '[[waiver]]\nrule = "SEC-003"\ndocument = "*"\nreason = "已知"\nexpires = 2020-01-01\n', "utf-8"
    )
    console = Console(stderr=True, record=True, width=300, force_terminal=False)
    code = run_audit([str(SEEDS)], out=tmp_path / "out", formats="json", fail_on=None, level=None,
                     waivers=waivers, console=console, workers=1)  # fmt: skip
    assert code == 0
    assert capfd.readouterr().err.count("过期") == 1


def test_predecessors_pair_reports_as_the_rule_base_does():
    """The run's pairing over all inputs equals the rule base's over one batch, short names included."""
    from auditor.engine.rulebase import predecessors, previous_reports
    from auditor.model import Document

    named = [
        ("河北省教育厅", 2021), ("省教育厅", 2022), ("省教育厅", 2023), ("东湖区财政局", 2021),
        ("东湖区财政局", 2022), ("东湖区财政局", 2022), ("教育厅", 2020), ("河北省教育厅", 2019),
        ("山西省教育厅", 2019), ("省教育厅", 2020), ("西湖区 财政局", 2021), ("西湖区财政局", 2022),
        (None, 2022), ("某机关", None), ("卫滨区人民政府", 2022), ("新乡市卫滨区人民政府", 2021),
    ]  # fmt: skip
    docs = [
        Document(source=str(i), sha256="", format="txt", agency=a, year=y) for i, (a, y) in enumerate(named)
    ]
    expected = {i: int(doc.source) for i, doc in previous_reports(docs).items()}
    keys = [(a.replace(" ", "") if a else None, y) for a, y in named]
    assert predecessors(keys) == expected
    assert expected[1] == 0 and 9 not in expected  # 省教育厅 2020: two 教育厅 of 2019, no link


def test_findings_html_rendered_in_the_workers_is_the_batch_writers_page(tmp_path):
    """Each report's part of findings.html is rendered where its document is (a worker); the page is
    the one the HTML writer makes from the results in hand, waivers included."""
    from auditor.findings.waivers import apply_waivers, load_waivers
    from auditor.findings.writers import WRITERS
    from auditor.pipeline import AuditInput, audit_batch

    waivers = tmp_path / "waivers.toml"
    waivers.write_text('[[waiver]]\nrule = "SEC-003"\ndocument = "*"\nreason = "已知的标题写法"\n', "utf-8")
    console = Console(stderr=True, record=True, width=300, force_terminal=False)
    code = run_audit([str(SEEDS)], out=tmp_path / "run", formats="json,html", fail_on=None, level=None,
                     waivers=waivers, console=console, workers=2)  # fmt: skip
    assert code == 0
    paths = sorted(SEEDS.iterdir())
    results = audit_batch([AuditInput(p.read_bytes(), str(p)) for p in paths])
    apply_waivers(results, load_waivers(waivers))
    expected = WRITERS["html"](tmp_path / "batch", results, default_rulebase_meta())
    page = (tmp_path / "run" / "findings.html").read_text("utf-8")
    assert "已知的标题写法" in page
    assert page == expected.read_text("utf-8")


def default_rulebase_meta() -> list[dict[str, str]]:
    from auditor.engine import default_rulebase

    return default_rulebase().rules_meta()


_SEEN_SCRIPT = """
import json, sys
from pathlib import Path
import auditor.pipeline

HEAVY = ("pandas", "pandera", "experta")
SEEN = Path(sys.argv[3])
real = auditor.pipeline.extract


def extract(data, source, **kwargs):  # what this read worker had imported when it read ``source``
    seen = sorted(m for m in HEAVY if m in sys.modules)
    (SEEN / (Path(source).name + ".json")).write_text(json.dumps(seen))
    return real(data, source, **kwargs)


auditor.pipeline.extract = extract
from nianbao.cli import main

sys.argv = ["nianbao", "audit", sys.argv[1], "--out", sys.argv[2], "--format", "json", "--workers", "2"]
main()
"""


def test_the_read_pass_runs_before_pandas_is_imported(tmp_path):
    """Read workers are forked before the rule base's imports (pandas, pandera, experta) and never
    import them; the parent builds the rule base meanwhile and the audit is the same."""
    seen = tmp_path / "seen"
    seen.mkdir()
    proc = subprocess.run([sys.executable, "-c", _SEEN_SCRIPT, str(SEEDS), str(tmp_path / "out"), str(seen)],
                          capture_output=True, text=True, timeout=300, check=False)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    names = sorted(p.name for p in SEEDS.iterdir())
    assert sorted(p.stem for p in seen.iterdir()) == names
    assert all(json.loads(p.read_text()) == [] for p in seen.iterdir())
    code, _ = _run([SEEDS], tmp_path / "in-process", formats="json", workers=1)
    assert code == 0
    in_process = (tmp_path / "in-process" / "findings.json").read_bytes()
    assert (tmp_path / "out" / "findings.json").read_bytes() == in_process


def test_a_read_task_of_several_inputs_that_loses_its_worker_costs_one_input(tmp_path, monkeypatch):
    """Inputs are read a few per task: a worker that dies in one of them costs that one input (read
    again one per task), the others of its task are audited as usual, in input order."""
    import os
    import signal

    import auditor.pipeline

    real = auditor.pipeline.extract

    def extract(data: bytes, source: str, **kwargs: object):  # type: ignore[no-untyped-def]
        if Path(source).name == "r-13.txt":
            os.kill(os.getpid(), signal.SIGKILL)
        return real(data, source, **kwargs)

    monkeypatch.setattr(auditor.pipeline, "extract", extract)
    folder = tmp_path / "in"
    folder.mkdir()
    seed = next(SEEDS.glob("001_*.txt")).read_bytes()
    for i in range(40):  # 40 inputs, 2 workers: 5 per task
        (folder / f"r-{i:02d}.txt").write_bytes(seed)
    code, log = _run([folder], tmp_path / "out", formats="json", workers=2)
    assert code == 2
    data = json.loads((tmp_path / "out" / "findings.json").read_text("utf-8"))
    assert [Path(r["source"]).name for r in data["reports"]] == [f"r-{i:02d}.txt" for i in range(40)]
    failed = {Path(r["source"]).name: r["error"] for r in data["reports"] if r["error"]}
    assert list(failed) == ["r-13.txt"] and "处理进程异常退出（SIGKILL）" in failed["r-13.txt"]
    assert all(r["year"] == 2022 for r in data["reports"] if not r["error"])
    assert log.count("无法读取") == 1


def test_the_spool_gives_back_the_document_as_extracted(tmp_path):
    """A spooled result (cells pickled compactly) reads back equal, cell for cell, in another order."""
    from auditor.pipeline import AuditInput, extract_one

    spool = audit_run._Spool(str(tmp_path))
    results = [extract_one(AuditInput(p.read_bytes(), str(p))) for p in sorted(SEEDS.iterdir())]
    places = [spool.put(r) for r in results]
    spool.flush()
    try:
        back = [audit_run._get(place) for place in reversed(places)][::-1]
    finally:
        audit_run._close_readers()
    assert back == results
    cells = [c for r in back if r.document for t in r.document.tables for c in t.cells.values()]
    assert len(cells) > 500 and {type(c.kind) for c in cells} == {type(cells[0].kind)}


def test_a_predecessor_in_the_same_chunk_is_read_once(tmp_path, monkeypatch):
    """A chunk that holds a report and its predecessor reads each from the spool once; the
    across-year check still sees the predecessor (BAL-005)."""
    from auditor.pipeline import AuditInput, extract_one

    inputs = _series(tmp_path / "in")
    spool = audit_run._Spool(str(tmp_path))
    later, earlier = (
        spool.put(extract_one(AuditInput(p.read_bytes(), str(p)))) for p in (inputs[0], inputs[2])
    )
    spool.flush()
    reads: list[audit_run.Place] = []
    real_get = audit_run._get
    monkeypatch.setattr(audit_run, "_get", lambda place: reads.append(place) or real_get(place))

    class Guard:
        exhausted = False

        def run(self, fn, documents=1):  # type: ignore[no-untyped-def]
            return "ok", fn()

    chunk = audit_run.AuditChunk([(0, later, earlier), (1, earlier, None)], False, [])
    done, _ = audit_run.audit_task(chunk, Guard())  # type: ignore[arg-type]
    assert sorted(reads) == sorted([later, earlier])
    assert "BAL-005" in {f.rule_id for f in done[0][1].findings}
    audit_run._close_readers()


def test_a_chunk_s_answer_comes_back_through_the_spool(tmp_path):
    """The audit pass's workers put a chunk's answer in their spool (a pipe holds less than an answer
    with findings.html's parts, and the worker waited for the parent to read it) and send its place."""
    from auditor.pipeline import AuditInput, extract_one

    inputs = [p for p in _series(tmp_path / "in") if p.is_file()]
    spool = audit_run._Spool(str(tmp_path / "spool"))
    (tmp_path / "spool").mkdir()
    places = [spool.put(extract_one(AuditInput(p.read_bytes(), str(p)))) for p in inputs]
    spool.flush()

    class Guard:
        exhausted = False

        def run(self, fn, documents=1):  # type: ignore[no-untyped-def]
            return "ok", fn()

    chunk = audit_run.AuditChunk([(i, place, None) for i, place in enumerate(places)], True, [])
    direct, _ = audit_run.audit_task(chunk, Guard())  # type: ignore[arg-type]
    place = audit_run.spooled_audit_task(chunk, Guard())  # type: ignore[arg-type]
    try:
        assert place[0].startswith(str(tmp_path / "spool"))
        spooled, expired = audit_run._get(place)
    finally:
        audit_run._close_readers()
    assert expired == [] and len(spooled) == len(inputs)
    assert [(seq, r.to_dict(), part) for seq, r, part, _ in spooled] == [
        (seq, r.to_dict(), part) for seq, r, part, _ in direct
    ]


@pytest.mark.parametrize(("count", "most", "workers"), [(1000, 32, 2), (37, 4, 2), (5, 1, 4), (0, 8, 2)])
def test_read_tasks_cover_the_inputs_in_order_and_shrink_at_the_end(count, most, workers):
    """Guided pass-1 tasks: every input once, in order; none larger than ``most`` nor than half a
    worker's share of what is left, so the pass ends with small tasks."""
    tasks = list(audit_run.read_batches(count, most, workers))
    assert [seq for task in tasks for seq in task] == list(range(count))
    left = count
    for task in tasks:
        assert 1 <= len(task) <= max(1, min(most, left // (workers * 2)))
        left -= len(task)
    if count >= 1000:
        assert len(tasks) < count // 16, "a few dozen answers, not one per few documents"
        assert [len(task) for task in tasks[-workers:]] == [1] * workers
