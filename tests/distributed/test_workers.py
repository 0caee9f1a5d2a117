"""Two real worker processes (`nianbao worker`) on a real Redis and PostgreSQL, crawling several sites on
three loopback portals (three hosts): the same findings as the single-process run, every report audited
once, the per-host delay kept across workers as the servers saw it, and a worker killed with SIGKILL (and
another stopped with SIGTERM) in the middle of its tasks losing and duplicating nothing."""

from __future__ import annotations

import itertools
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from auditor.store import Store
from auditor.store.schema import (
    CaptureRow,
    DocumentRow,
    DocumentVersionRow,
    FindingRow,
    ReportRow,
    RunSiteRow,
)
from crawler import service
from crawler.demo_portal import DEPT_LISTING, GOV_LISTING, DemoPortal
from crawler.distributed import coordinator, tasks
from crawler.distributed.config import Endpoints
from crawler.sites import load_sites
from tests.crawler.support import BASE_YEAR
from tests.distributed.servers import free_port

pytestmark = pytest.mark.timeout(600)

DELAY = 0.25
PORTALS = 3
NIANBAO = str(Path(sys.executable).parent / "nianbao")
FAST_REDELIVERY = {"NIANBAO_HEARTBEAT_TIMEOUT": "3", "NIANBAO_TASK_LEASE": "4",
                   "NIANBAO_BROKER_MAINTENANCE": "300000"}
"""A worker silent for 3 s is taken as dead and its tasks redelivered (tests; the default is a minute)."""
PATIENT_REDELIVERY = {"NIANBAO_HEARTBEAT_TIMEOUT": "30", "NIANBAO_TASK_LEASE": "40",
                      "NIANBAO_BROKER_MAINTENANCE": "300000"}
"""For tests of live workers only: on a loaded machine a live worker may not be scheduled for seconds, and
a 4 s lease would then pass to a duplicate while its holder still works (leases bound dead holders only)."""


def sites_toml(portals: list[DemoPortal]) -> str:
    """Two sites (a government's column, a department's) on each portal: two sites share each host."""
    crawler = (f"[crawler]\ndelay = {DELAY}\njitter = 0.2\nbackoff = 0.2\nretries = 3\ntimeout = 5.0\n"
               'allow_private = ["127.0.0.1"]\n')
    blocks = [crawler]
    for n, portal in enumerate(portals):
        for kind, listing, level in (("gov", GOV_LISTING, "government"),
                                     ("dept", DEPT_LISTING, "department")):
            blocks.append(f'[[site]]\nid = "p{n}-{kind}"\nname = "门户{n}-{kind}"\n'
                          f'start_urls = ["{portal.url(listing)}"]\nlevel = "{level}"\n')
    return "\n".join(blocks)


@dataclass(frozen=True, slots=True)
class Reference:
    """The single-process run of the sites: what every distributed run must reproduce."""

    ports: list[int]
    sites: Path
    findings: dict[str, Any]
    audited: list[str]
    """Sources of the report rows the run audited (or stored with portal findings), sorted."""
    documents: int
    versions: int
    finding_rows: int


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> Reference:
    folder = tmp_path_factory.mktemp("reference")
    ports = [free_port() for _ in range(PORTALS)]
    portals = [DemoPortal(base_year=BASE_YEAR, port=p, slow_seconds=0.2).start() for p in ports]
    try:
        sites = folder / "sites.toml"
        sites.write_text(sites_toml(portals), encoding="utf-8")
        store = Store.open(folder / "store")
        outcome = service.run(load_sites(sites), store, folder / "out")
        audited = audited_sources(store, outcome.run_id)
        with store.reader() as s:
            documents = s.scalar(select(func.count()).select_from(DocumentRow)) or 0
            versions = s.scalar(select(func.count()).select_from(DocumentVersionRow)) or 0
            finding_rows = s.scalar(select(func.count()).select_from(FindingRow)) or 0
        store.close()
    finally:
        for p in portals:
            p.stop()
    assert outcome.status == "done"
    return Reference(ports, sites, json.loads((folder / "out" / "findings.json").read_text("utf-8")),
                     audited, documents, versions, finding_rows)


@pytest.fixture
def portals(reference: Reference) -> Iterator[list[DemoPortal]]:
    """The same portals again, on the same addresses (so URLs, hashes and fingerprints are the same)."""
    started = [DemoPortal(base_year=BASE_YEAR, port=p, slow_seconds=0.2).start() for p in reference.ports]
    yield started
    for p in started:
        p.stop()


@pytest.fixture
def endpoints(redis_url: str, database_url: str, tmp_path: Path) -> Endpoints:
    return Endpoints(redis_url, database_url, tmp_path / "store")


class Workers:
    """`nianbao worker` processes, each its own process group (Dramatiq's supervisor and its children)."""

    def __init__(self, endpoints: Endpoints, logs: Path) -> None:
        self.endpoints, self.logs = endpoints, logs
        self.started: list[subprocess.Popen[bytes]] = []

    def start(self, threads: int = 2, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
        log = self.logs / f"worker-{len(self.started)}.log"
        args = [NIANBAO, "worker", "--store", str(self.endpoints.store), "--db",
                str(self.endpoints.database_url),
                "--redis", self.endpoints.redis_url, "--threads", str(threads)]
        with log.open("wb") as out:
            process = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
                                       env={**os.environ, **(env or FAST_REDELIVERY)})
        self.started.append(process)
        return process

    def log(self, n: int) -> str:
        return (self.logs / f"worker-{n}.log").read_text("utf-8", errors="replace")

    def kill(self, process: subprocess.Popen[bytes]) -> None:
        """kill -9 of the worker: its supervisor and every worker process under it."""
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(10)

    def stop(self, process: subprocess.Popen[bytes]) -> None:
        """SIGTERM to the worker (its supervisor passes it on): running crawls stop, their tasks go back."""
        process.send_signal(signal.SIGTERM)

    def stop_all(self) -> None:
        for process in self.started:
            if process.poll() is None:
                self.stop(process)
        for process in self.started:
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)


@pytest.fixture
def workers(endpoints: Endpoints, tmp_path: Path) -> Iterator[Workers]:
    running = Workers(endpoints, tmp_path)
    yield running
    running.stop_all()


def normalised(findings: dict[str, Any]) -> list[dict[str, Any]]:
    """The reports of a findings.json in a stable order (each with its findings sorted)."""
    reports = [{**r, "findings": sorted(r["findings"], key=lambda f: (f["rule_id"], f["fingerprint"]))}
               for r in findings["reports"]]
    return sorted(reports, key=lambda r: (r["source"], r["sha256"]))


def audited_sources(store: Store, run_id: int) -> list[str]:
    """Sources of the documents the run audited itself (not carried over), each as often as stored."""
    with store.reader() as s:
        return sorted(s.scalars(select(ReportRow.source).where(
            ReportRow.run_id == run_id, ReportRow.audited_run_id == run_id,
            ReportRow.version_id.is_not(None))))


def assert_same_as_reference(store: Store, run_id: int, reference: Reference, out: Path) -> None:
    """Nothing lost, nothing twice: the outputs equal the single-process run's, the store holds one of
    each."""
    written = json.loads((out / "findings.json").read_text("utf-8"))
    assert written["rules"] == reference.findings["rules"]
    assert normalised(written) == normalised(reference.findings)
    with store.reader() as s:
        audited = s.execute(select(ReportRow.version_id, func.count()).where(
            ReportRow.run_id == run_id, ReportRow.audited_run_id == run_id, ReportRow.version_id.is_not(None))
            .group_by(ReportRow.version_id)).all()
        assert all(n == 1 for _, n in audited), "a document version was audited twice"
    assert audited_sources(store, run_id) == reference.audited, "every report is audited once"
    with store.reader() as s:
        assert s.scalar(select(func.count()).select_from(DocumentRow)) == reference.documents
        assert s.scalar(select(func.count()).select_from(DocumentVersionRow)) == reference.versions
        stored = s.scalar(select(func.count()).select_from(FindingRow).where(FindingRow.run_id == run_id))
        assert stored == reference.finding_rows, "no finding lost or stored twice"
        assert set(s.scalars(select(RunSiteRow.status).where(RunSiteRow.run_id == run_id))) == {"done"}


def assert_polite(portals: list[DemoPortal]) -> None:
    """As each server saw it: never two requests closer than the delay, whichever worker sent them."""
    for portal in portals:
        arrivals = sorted(h.at for h in portal.hits)
        assert len(arrivals) > 10
        closest = min(b - a for a, b in itertools.pairwise(arrivals))
        assert closest >= DELAY, f"{portal.host}: two requests {closest:.3f} s apart (delay {DELAY} s)"


def test_two_workers_give_the_single_process_findings_politely(
    reference: Reference, portals: list[DemoPortal], endpoints: Endpoints, workers: Workers, tmp_path: Path
) -> None:
    workers.start()
    workers.start()
    store = Store.open(endpoints.store, endpoints.database_url)
    try:
        outcome = coordinator.run(load_sites(reference.sites), store,
                                  tmp_path / "out", endpoints, timeout=240)
        assert outcome.status == "done"
        assert_same_as_reference(store, outcome.run_id, reference, tmp_path / "out")
    finally:
        store.close()
    assert_polite(portals)
    done = [workers.log(n).count("site done") for n in range(2)]
    assert sum(done) >= 6 and all(done), f"both workers take sites: {done}"


def test_workers_killed_or_stopped_mid_task_lose_and_duplicate_nothing(
    reference: Reference, portals: list[DemoPortal], endpoints: Endpoints, workers: Workers, tmp_path: Path
) -> None:
    store = Store.open(endpoints.store, endpoints.database_url)
    try:
        run_id = coordinator.enqueue_run(store, endpoints, load_sites(reference.sites))
        first = workers.start(threads=2)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with store.reader() as s:
                fetched = s.scalar(
                    select(func.count()).select_from(CaptureRow).where(CaptureRow.run_id == run_id))
            if (fetched or 0) >= 12:
                break
            time.sleep(0.1)
        workers.kill(first)
        with store.reader() as s:
            unfinished = s.scalar(select(func.count()).select_from(RunSiteRow).where(
                RunSiteRow.run_id == run_id, RunSiteRow.status == "running"))
        assert unfinished, "the worker was killed in the middle of the run"
        second = workers.start(threads=3)
        while time.monotonic() < deadline + 60:  # the second worker at work on the sites, then stopped
            with store.reader() as s:
                again = s.scalar(
                    select(func.count()).select_from(CaptureRow).where(CaptureRow.run_id == run_id))
            if (again or 0) >= (fetched or 0) + 12:
                break
            time.sleep(0.1)
        workers.stop(second)
        second.wait(30)
        assert "Worker has been shut down" in workers.log(1), "the stopped worker exited cleanly"
        workers.start(threads=3)
        assert coordinator.wait_for(store, run_id, timeout=240) == "done"
        outcome = coordinator.collect(store, run_id)
        service.write_outputs(tmp_path / "out", outcome)
        assert_same_as_reference(store, run_id, reference, tmp_path / "out")
        with store.reader() as s:
            listings = s.execute(select(CaptureRow.url, func.count()).where(
                CaptureRow.run_id == run_id, CaptureRow.purpose == "listing").group_by(CaptureRow.url)).all()
        assert any(n > 1 for _, n in listings), "a site the killed worker had begun was done again by another"
    finally:
        store.close()
    assert_polite(portals)


def test_a_duplicated_task_creates_nothing_twice(
    reference: Reference, portals: list[DemoPortal], endpoints: Endpoints, workers: Workers, tmp_path: Path
) -> None:
    sites_file = load_sites(reference.sites)
    store = Store.open(endpoints.store, endpoints.database_url)
    try:
        run_id = coordinator.enqueue_run(store, endpoints, sites_file)
        broker = tasks.make_broker(endpoints)
        for site in sites_file.sites:  # every site's task delivered a second time
            broker.enqueue(tasks.message(run_id, site, sites_file.settings))
        workers.start(threads=3, env=PATIENT_REDELIVERY)
        workers.start(threads=3, env=PATIENT_REDELIVERY)
        assert coordinator.wait_for(store, run_id, timeout=240) == "done"
        pending = [f"{tasks.NAMESPACE}:{tasks.QUEUE}.msgs", f"{tasks.NAMESPACE}:{tasks.QUEUE}.DQ.msgs"]
        deadline = time.monotonic() + 90
        while any(broker.client.hlen(k) for k in pending) and time.monotonic() < deadline:
            time.sleep(0.2)  # the duplicates (some sent back while their site was in progress) find it done
        assert not any(broker.client.hlen(k) for k in pending), "every message was acknowledged"
        broker.close()
        outcome = coordinator.collect(store, run_id)
        service.write_outputs(tmp_path / "out", outcome)
        assert_same_as_reference(store, run_id, reference, tmp_path / "out")
    finally:
        store.close()
