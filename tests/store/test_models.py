"""Report models are stored once per distinct model: runs over unchanged documents add report rows that
refer to the model already stored, never a copy of it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import func, select

from auditor.findings.model import Finding, Location, ReportResult
from auditor.model import Document
from auditor.store import Store, queries, runs
from auditor.store.models import _insert, model_digest, model_id
from auditor.store.schema import ModelRow, ReportRow
from crawler import service
from crawler.demo_portal import DemoPortal
from tests.crawler.support import BASE_YEAR, TODAY, gov_path, sites_file


def model_count(store: Store) -> int:
    with store.reader() as s:
        return int(s.scalar(select(func.count()).select_from(ModelRow)) or 0)


def reports_of(store: Store, run_id: int) -> list[ReportRow]:
    with store.reader() as s:
        return list(s.scalars(select(ReportRow).where(ReportRow.run_id == run_id).order_by(ReportRow.id)))


@dataclass
class Three:
    portal: DemoPortal
    store: Store
    run_ids: list[int]
    models: list[int]
    """How many models were stored after each run."""


@pytest.fixture(scope="module")
def three(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Three]:
    """Three runs of the demo portal: the second over unchanged documents, the third after a revision."""
    root = tmp_path_factory.mktemp("models")
    with DemoPortal(base_year=BASE_YEAR, slow_seconds=0.05) as portal:
        store = Store.open(root / "store")
        sites = sites_file(portal)
        run_ids: list[int] = []
        counts: list[int] = []
        for n in range(3):
            if n == 2:
                portal.revise()
            run_ids.append(service.run(sites, store, root / "out",
                                       options=service.Options(today=TODAY)).run_id)
            counts.append(model_count(store))
        yield Three(portal, store, run_ids, counts)
        store.close()


def test_two_runs_over_unchanged_documents_store_each_model_once(three: Three) -> None:
    first, second = (reports_of(three.store, r) for r in three.run_ids[:2])
    audited = [r for r in first if r.model_id is not None]
    assert len(audited) >= 5, "the demo portal's readable reports are audited and their models stored"
    assert three.models[0] == len({r.model_id for r in audited}) == len(audited)
    assert three.models[1] == three.models[0], "the second run stored no model"
    carried = {r.version_id: r.model_id for r in second if r.model_id is not None}
    assert carried == {r.version_id: r.model_id for r in audited}, (
        "carried reports refer to the stored models")
    assert all(r.audited_run_id == three.run_ids[0] for r in second if r.model_id is not None)
    for old in audited:
        new = next(r for r in second if r.version_id == old.version_id)
        stored = queries.report_model(three.store, new.id)
        assert stored == queries.report_model(three.store, old.id) is not None


def test_a_revised_document_adds_one_model(three: Three) -> None:
    third = reports_of(three.store, three.run_ids[2])
    fresh = [r for r in third if r.audited_run_id == three.run_ids[2] and r.model_id is not None]
    paths = [r.source.removeprefix(f"http://{three.portal.host}") for r in fresh]
    assert paths == [gov_path(three.portal, 1)]
    assert three.models[2] == three.models[1] + 1
    model = queries.report_model(three.store, fresh[0].id)
    assert model is not None and model["sha256"] == fresh[0].sha256 and {"sections", "tables"} <= set(model)


def test_portal_entries_and_stubs_have_no_model(three: Three) -> None:
    for run_id in three.run_ids:
        rows = reports_of(three.store, run_id)
        portal = [r for r in rows if r.portal]
        assert portal, "the demo portal has site-level findings (PUB-002) in every run"
        for row in portal:
            assert row.model_id is None and queries.report_model(three.store, row.id) is None
        stubs = [r for r in rows if not r.portal and r.audited_run_id == run_id and r.model_id is None]
        assert stubs, "article pages whose report is an attachment carry their portal findings as stubs"
        for row in stubs:
            assert queries.report_model(three.store, row.id) is None


# ------------------------------------------------------------------------------------------ save_report


def document(source: str, title: str = "青山区人民政府2025年政府信息公开工作年度报告") -> Document:
    return Document(source=source, sha256="ab" * 32, format="html", title=title,
                    year=2025, agency="青山区人民政府")


def save(store: Store, run_id: int, result: ReportResult, ref: runs.ReportRef) -> int:
    return runs.save_report(store, run_id=run_id, site_id="s", result=result, ref=ref, audited_run_id=run_id,
                            portal_findings=[], baseline=runs.Baseline(None, {}))


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = Store.open(tmp_path / "store")
    yield opened
    opened.close()


def test_save_report_stores_an_identical_model_once(store: Store) -> None:
    one, two = runs.start_run(store, "run", []), runs.start_run(store, "run", [])
    source = "http://example.test/2025.html"
    first = save(store, one, ReportResult(source, "ab" * 32, document(source)), runs.ReportRef(None, None))
    again = save(store, two, ReportResult(source, "ab" * 32, document(source)), runs.ReportRef(None, None))
    other = save(store, two, ReportResult(source + "?v=2", "cd" * 32, document(source + "?v=2")),
                 runs.ReportRef(None, None))
    assert model_count(store) == 2
    model = document(source).to_dict()
    assert queries.report_model(store, first) == queries.report_model(store, again) == model
    assert queries.report_model(store, other) == document(source + "?v=2").to_dict()


def test_unreadable_documents_and_portal_entries_store_no_model(store: Store) -> None:
    run_id = runs.start_run(store, "run", [])
    unreadable = ReportResult("http://example.test/broken.pdf", "ef" * 32, None, error="文件已损坏")
    broken = save(store, run_id, unreadable, runs.ReportRef(None, None))
    finding = Finding(rule_id="PUB-002", severity="error",
                      title="未找到年度报告", message="未找到2024年度报告",
                      location=Location(), fingerprint="f" * 16)
    portal = save(store, run_id, ReportResult("http://example.test/", "", document("http://example.test/"),
                                              [finding]), runs.ReportRef(None, None, portal=True))
    assert model_count(store) == 0
    assert queries.report_model(store, broken) is None and queries.report_model(store, portal) is None
    assert queries.report_model(store, 12345) is None
    views = {r.id: r for r in queries.run_reports(store, run_id)}
    assert views[broken].error == "文件已损坏" and views[portal].portal and views[portal].counts["error"] == 1


def test_model_digest_is_canonical() -> None:
    model = document("http://example.test/a.html").to_dict()
    assert model_digest(model) == model_digest(dict(reversed(list(model.items()))))
    assert model_digest(model) != model_digest({**model, "title": "另一份报告"})


def test_model_id_finds_a_model_already_stored(store: Store) -> None:
    model = document("http://example.test/a.html").to_dict()
    with store.session() as s:
        first = model_id(s, model)
    with store.session() as s:
        assert model_id(s, model) == first
    with store.engine.begin() as conn:
        assert model_id(conn, model) == first
    assert model_count(store) == 1


def test_storing_a_model_another_writer_just_stored_is_no_error(store: Store) -> None:
    """Between model_id's lookup and its insert another process may store the same model: the insert
    then does nothing (a plain insert would fail on the unique digest and lose the report)."""
    model = document("http://example.test/a.html").to_dict()
    with store.session() as s:
        first = model_id(s, model)
    with store.engine.begin() as conn:
        conn.execute(_insert(conn.dialect.name, model_digest(model), model))
    assert model_count(store) == 1
    with store.reader() as s:
        assert s.scalar(select(ModelRow.id).where(ModelRow.digest == model_digest(model))) == first
