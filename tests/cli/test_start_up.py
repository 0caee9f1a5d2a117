"""`nianbao audit`'s start-up in a fresh process: no cyclic garbage collection until the read workers are
forked (nianbao.zygote.pause_collection), then what start-up made is frozen and collection is on again,
in the parent and in every worker; the command line imports neither rich nor pandas, nor the other
commands' modules (nianbao.cli.build_app), and the audit command reads the same either way."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.extract.expected_model import SHARED

_PROBE = """
import atexit, gc, json, os, sys
from pathlib import Path
import nianbao.audit_run as audit_run
ARG = Path(sys.argv[1])
real = audit_run.read_task
def read_task(task, guard):  # in a read worker
    (ARG / f"worker-{os.getpid()}").write_text(json.dumps([gc.isenabled(), gc.get_freeze_count()]))
    return real(task, guard)
audit_run.read_task = read_task
def record():
    others = ("nianbao.crawl_cli", "nianbao.notice_cli", "nianbao.rules_cli")
    modules = sorted(m for m in sys.modules if m.split(".")[0] in ("rich", "pandas") or m in others)
    (ARG / "parent").write_text(json.dumps([gc.isenabled(), gc.get_freeze_count(), modules]))
atexit.register(record)
sys.argv = ["nianbao", "audit", *sys.argv[2:]]
from nianbao.entry import main
main()
"""


def _command(*args: str | Path) -> subprocess.CompletedProcess[str]:
    skip = ("NIANBAO_ZYGOTE", "FORCE_COLOR", "TTY_COMPATIBLE")
    env = {k: v for k, v in os.environ.items() if k not in skip}
    return subprocess.run(
        [sys.executable, "-c", _PROBE, *map(str, args)],
        capture_output=True, text=True, timeout=300, check=False, env=env,
    )  # fmt: skip


def test_collection_is_paused_until_the_workers_fork_then_on_everywhere(tmp_path: Path) -> None:
    probe = tmp_path / "probe"
    probe.mkdir()
    done = _command(probe, SHARED / "seeds", "--out", tmp_path / "out", "--workers", "2")
    assert done.returncode in (0, 1), done.stderr
    enabled, frozen, modules = json.loads((probe / "parent").read_text())
    assert enabled and frozen > 10_000  # start-up's objects: frozen, never collected again
    assert modules == []
    workers = [json.loads(p.read_text()) for p in probe.glob("worker-*")]
    assert workers and all(enabled and frozen >= 10_000 for enabled, frozen in workers)
    assert "审查" in done.stderr and (tmp_path / "out" / "findings.json").is_file()


def test_a_usage_error_ends_as_before(tmp_path: Path) -> None:
    probe = tmp_path / "probe"
    probe.mkdir()
    done = _command(probe, tmp_path / "missing", "--out", tmp_path / "out")
    assert done.returncode == 2
    assert done.stderr == f"nianbao: {tmp_path / 'missing'}: 文件或目录不存在\n"


def test_the_audit_command_alone_reads_as_in_the_whole_command_line() -> None:
    from typer.testing import CliRunner

    from nianbao.cli import build_app

    runner = CliRunner()
    for args in (["audit", "--help"], ["audit"], ["audit", "--bogus"], ["audit", "x", "--workers", "0"]):
        alone, whole = runner.invoke(build_app(everything=False), args), runner.invoke(build_app(), args)
        assert (alone.exit_code, alone.output) == (whole.exit_code, whole.output), args
        assert alone.exit_code == (0 if "--help" in args else 2)
    names = [c.callback.__name__ for c in build_app().registered_commands if c.callback]
    assert names[0:2] == ["audit", "inspect"] and names[-1] == "serve" and "crawl" in names
