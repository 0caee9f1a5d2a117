"""The cyclic garbage collector around `nianbao audit`: paused over a chunk's audit and always
switched on again, the rule base's import frozen out of the parent's collections in a fresh process."""

from __future__ import annotations

import gc
import subprocess
import sys
from pathlib import Path

import pytest

from auditor.engine.rulebase import RuleBase
from auditor.pipeline import AuditInput, extract_one
from nianbao import audit_run
from tests.extract.expected_model import SHARED

SEEDS = SHARED / "seeds"


class _Guard:
    exhausted = False

    def run(self, fn, documents=1):  # type: ignore[no-untyped-def]
        return "ok", fn()


def _chunk(tmp_path: Path) -> audit_run.AuditChunk:
    spool = audit_run._Spool(str(tmp_path))
    places = [spool.put(extract_one(AuditInput(p.read_bytes(), str(p)))) for p in sorted(SEEDS.iterdir())]
    spool.flush()
    return audit_run.AuditChunk([(i, place, None) for i, place in enumerate(places)], True, [])


def test_a_chunk_is_audited_with_the_collector_paused_and_it_is_on_again_after(tmp_path, monkeypatch):
    seen: list[bool] = []
    real = RuleBase.audit

    def audit(self, results, previous=None):  # type: ignore[no-untyped-def]
        seen.append(gc.isenabled())
        return real(self, results, previous)

    monkeypatch.setattr(RuleBase, "audit", audit)
    try:
        audited, _ = audit_run.audit_task(_chunk(tmp_path), _Guard())  # type: ignore[arg-type]
    finally:
        audit_run._close_readers()
    assert seen == [False] and gc.isenabled()
    assert len(audited) == len(list(SEEDS.iterdir())) and all(part is not None for _, _, part, _ in audited)


def test_the_collector_is_on_again_when_a_chunk_fails(tmp_path, monkeypatch):
    def audit(self, results, previous=None):  # type: ignore[no-untyped-def]
        raise RuntimeError("a check's bug")

    monkeypatch.setattr(RuleBase, "audit", audit)
    try:
        with pytest.raises(RuntimeError):
            audit_run.audit_task(_chunk(tmp_path), _Guard())  # type: ignore[arg-type]
    finally:
        audit_run._close_readers()
    assert gc.isenabled()


_FRESH = """
import gc, sys
from nianbao.cli import main
import atexit
atexit.register(lambda: print("GC", gc.isenabled(), gc.get_freeze_count() > 10000, file=sys.stderr))
sys.argv = ["nianbao", "audit", sys.argv[1], "--out", sys.argv[2], "--format", "json"]
main()
"""


def test_a_fresh_command_freezes_the_rule_base_and_leaves_the_collector_on(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-c", _FRESH, str(SEEDS), str(tmp_path / "out")],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert proc.returncode in (0, 1), proc.stderr
    assert "GC True True" in proc.stderr
