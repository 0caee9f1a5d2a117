"""The site task in-process: a delivery of a site already done does nothing; a retry after an attempt that
stored part of its site replaces that part, so the run ends as if the attempt had never happened."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from auditor.store import Store
from auditor.store.schema import CaptureRow, DocumentVersionRow, FindingRow, ReportRow, RunRow, RunSiteRow
from crawler import service
from crawler.demo_portal import DemoPortal
from crawler.distributed import coordinator, tasks
from tests.crawler.support import BASE_YEAR, sites_file


@pytest.fixture
def store(redis_url: str, database_url: str, tmp_path: Path,
          monkeypatch: pytest.MonkeyPatch) -> Iterator[Store]:
    """The store the task's worker context opens (configured through the environment, as a worker is)."""
    monkeypatch.setenv("NIANBAO_REDIS_URL", redis_url)
    monkeypatch.setenv("NIANBAO_DATABASE_URL", database_url)
    monkeypatch.setenv("NIANBAO_STORE", str(tmp_path / "store"))
    tasks._context.cache_clear()
    opened = Store.open(tmp_path / "store", database_url)
    yield opened
    opened.close()
    tasks._context()[1].close()
    tasks._context.cache_clear()


def counts(store: Store, run_id: int) -> dict[str, int]:
    with store.reader() as s:
        return {
            "reports": s.scalar(
                select(func.count()).select_from(ReportRow).where(ReportRow.run_id == run_id)) or 0,
            "findings": s.scalar(
                select(func.count()).select_from(FindingRow).where(FindingRow.run_id == run_id)) or 0,
            "versions": s.scalar(select(func.count()).select_from(DocumentVersionRow)) or 0,
        }


def findings_json(store: Store, run_id: int, out: Path) -> list[dict[str, object]]:
    service.write_outputs(out, coordinator.collect(store, run_id))
    return json.loads((out / "findings.json").read_text("utf-8"))["reports"]


def test_duplicates_do_nothing_and_a_retry_redoes_its_site_alone(store: Store, tmp_path: Path) -> None:
    with DemoPortal(base_year=BASE_YEAR, slow_seconds=0.05) as portal:
        sites = sites_file(portal)
        run_id = coordinator.open_run(store, sites.sites)
        payload = tasks.settings_payload(sites.settings)
        for site in sites.sites:
            tasks.run_site(run_id, site.to_config(), payload)
        with store.reader() as s:
            assert s.scalar(select(RunRow.status).where(RunRow.id == run_id)) == "done"
        first, before = findings_json(store, run_id, tmp_path / "a"), counts(store, run_id)
        fetched = len(portal.hits)

        for site in sites.sites:  # a duplicate delivery of a finished site
            tasks.run_site(run_id, site.to_config(), payload)
        assert len(portal.hits) == fetched, "a finished site is not crawled again"
        assert counts(store, run_id) == before

        # An attempt at the government site that stored its reports and then died before closing the site.
        with store.session() as s:
            s.execute(update(RunSiteRow).where(RunSiteRow.run_id == run_id, RunSiteRow.site_id == "demo-gov")
                      .values(status="running"))
            s.execute(update(RunRow).where(RunRow.id == run_id).values(status="running"))
        tasks.run_site(run_id, sites.site("demo-gov").to_config(), payload)
        assert len(portal.hits) > fetched, "the retried site was crawled again"
        with store.reader() as s:
            assert s.scalar(select(RunRow.status).where(RunRow.id == run_id)) == "done"
            captures = s.scalar(
                select(func.count()).select_from(CaptureRow).where(CaptureRow.run_id == run_id))
        assert counts(store, run_id) == before, "the interrupted attempt's reports and findings were replaced"
        assert findings_json(store, run_id, tmp_path / "b") == first
        assert captures and captures > fetched / 2, "the fetches of both attempts stay as evidence"
