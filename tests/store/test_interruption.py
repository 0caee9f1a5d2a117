"""Interrupting a crawl loses nothing already stored, and the next run continues without duplicates."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import func, select

from auditor.store import Store, queries
from auditor.store.schema import DocumentRow, DocumentVersionRow, ReportRow
from crawler import service
from crawler.demo_portal import DemoPortal
from tests.crawler.support import TODAY, sites_file

SLOW = "backoff = 0.01\nretries = 1"


def start_crawl(tmp_path: Path, portal: DemoPortal) -> tuple[subprocess.Popen[str], Path]:
    sites = tmp_path / "sites.toml"
    sites.write_text(portal.sites_toml(delay=0.25, extra=SLOW), encoding="utf-8")
    store_dir = tmp_path / "store"
    command = [sys.executable, "-m", "nianbao.cli", "crawl", "--sites", str(sites), "--store", str(store_dir)]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True), store_dir


def count(store: Store, model: type) -> int:
    with store.reader() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def wait_for_documents(store: Store, proc: subprocess.Popen[str], n: int) -> None:
    deadline = time.monotonic() + 60
    while count(store, DocumentRow) < n:
        assert proc.poll() is None, "the crawl ended before it could be interrupted"
        assert time.monotonic() < deadline
        time.sleep(0.05)


def test_killed_crawl_keeps_its_documents_and_the_next_run_continues(
    tmp_path: Path, portal: DemoPortal
) -> None:
    proc, store_dir = start_crawl(tmp_path, portal)
    store = Store.open(store_dir)
    try:
        wait_for_documents(store, proc, 3)
    finally:
        proc.kill()
        proc.wait()
    kept = {(d.url, d.current_version_id) for d in _documents(store)}
    assert 3 <= len(kept) < 12
    assert [r.status for r in queries.runs(store)] == ["running"]

    outcome = service.run(sites_file(portal), store, tmp_path / "out", options=service.Options(today=TODAY))

    assert [r.status for r in queries.runs(store)] == ["done", "interrupted"]
    documents = _documents(store)
    assert len(documents) == 12 and len({d.url for d in documents}) == 12
    assert count(store, DocumentVersionRow) == 12, "one version per document: nothing stored twice"
    assert {(d.url, d.current_version_id) for d in documents} >= kept, "what was stored before is kept as is"
    with store.reader() as s:
        versions = s.scalars(select(DocumentVersionRow)).all()
        audited = set(s.scalars(select(ReportRow.version_id).where(
            ReportRow.run_id == outcome.run_id, ReportRow.audited_run_id == outcome.run_id)))
    assert all(store.blobs.has(v.sha256) for v in versions)
    reports = {d.state.version_id for site in outcome.sites for d in site.crawl.documents if d.auditable}
    assert len(reports) == 9 and reports <= audited, "the run after the interruption audits every report"
    again = {c.url: c.not_modified for c in queries.captures(store, run_id=outcome.run_id)}
    assert all(again[url] for url, _ in kept), "documents stored before the kill are revalidated (304)"


def test_sigterm_stops_a_crawl_cleanly(tmp_path: Path, portal: DemoPortal) -> None:
    proc, store_dir = start_crawl(tmp_path, portal)
    store = Store.open(store_dir)
    wait_for_documents(store, proc, 1)
    proc.send_signal(signal.SIGTERM)
    _, stderr = proc.communicate(timeout=30)
    assert proc.returncode == 130, stderr
    assert "中断" in stderr
    assert [r.status for r in queries.runs(store)] == ["interrupted"]
    assert count(store, DocumentRow) >= 1


def _documents(store: Store) -> list[DocumentRow]:
    with store.reader() as s:
        return list(s.scalars(select(DocumentRow)))


KILLED_BEFORE_CLOSING = """
import os, signal, sys
from pathlib import Path
from auditor.store import Store
from crawler import service
from crawler.sites import load_sites
from tests.crawler.support import TODAY

def die(*_args, **_kwargs):
    os.kill(os.getpid(), signal.SIGKILL)  # everything is stored; the run was never closed

service.write_outputs = die
store = Store.open(Path(sys.argv[2]))
service.run(load_sites(Path(sys.argv[1])), store, Path(sys.argv[3]), options=service.Options(today=TODAY))
"""


def test_a_run_killed_before_closing_is_not_the_next_baseline(tmp_path: Path, portal: DemoPortal) -> None:
    sites = tmp_path / "sites.toml"
    sites.write_text(portal.sites_toml(delay=0.01, extra=SLOW), encoding="utf-8")
    store_dir = tmp_path / "store"
    killed = subprocess.run([sys.executable, "-c", KILLED_BEFORE_CLOSING, str(sites), str(store_dir),
                             str(tmp_path / "killed")], capture_output=True, text=True,
                             timeout=300, check=False)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    store = Store.open(store_dir)
    (first,) = queries.runs(store)
    assert first.status == "running"
    with store.reader() as s:
        stored = s.scalar(select(func.count()).select_from(ReportRow).where(ReportRow.run_id == first.id))
    assert stored, "the killed run had stored its reports and findings"

    outcome = service.run(sites_file(portal), store, tmp_path / "out", options=service.Options(today=TODAY))

    assert [r.status for r in queries.runs(store)] == ["done", "interrupted"]
    statuses = {status for site in outcome.sites for status, n in site.statuses.items() if n}
    assert statuses == {"new"}, "nothing was ever reported before: every finding is new, none persisting"
    assert all(not site.resolved for site in outcome.sites)
