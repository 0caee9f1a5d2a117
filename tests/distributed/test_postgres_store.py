"""The store on PostgreSQL: the same tables as on SQLite, the same in-place upgrade of an older store, and
a single-process run written to it exactly as to SQLite."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import create_engine, func, inspect, select, text

from auditor.extract import extract
from auditor.samples import make_report, render_html
from auditor.store import Store, migrate, queries, runs
from auditor.store.schema import Base, ModelRow
from auditor.web.app import create_app
from crawler import service
from crawler.demo_portal import DemoPortal
from tests.crawler.support import BASE_YEAR, sites_file
from tests.web.conftest import asgi_get

OLD_REPORTS = """
CREATE TABLE reports (
    id SERIAL PRIMARY KEY, run_id INTEGER NOT NULL REFERENCES runs (id), site_id VARCHAR(100),
    document_id INTEGER REFERENCES documents (id), version_id INTEGER REFERENCES document_versions (id),
    source TEXT NOT NULL, sha256 VARCHAR(64) NOT NULL, title TEXT, agency TEXT, year INTEGER, published DATE,
    published_source VARCHAR(40), template VARCHAR(10) NOT NULL, level VARCHAR(20), format VARCHAR(10),
    model JSON, error TEXT, audited_run_id INTEGER NOT NULL, portal BOOLEAN NOT NULL,
    UNIQUE (run_id, site_id, source)
)"""
"""``reports`` of the previous schema (each row its own copy of the model), as PostgreSQL had it."""


def test_the_schema_is_the_same_as_on_sqlite(database_url: str, tmp_path: Path) -> None:
    pg = Store.open(tmp_path / "pg", database_url)
    lite = Store.open(tmp_path / "lite")
    try:
        for table in Base.metadata.sorted_tables:
            on_pg = {c["name"] for c in inspect(pg.engine).get_columns(table.name)}
            on_lite = {c["name"] for c in inspect(lite.engine).get_columns(table.name)}
            assert on_pg == on_lite == {c.name for c in table.columns}, table.name
        assert pg.engine.dialect.name == "postgresql" and pg.engine.dialect.driver == "psycopg"
    finally:
        pg.close()
        lite.close()


def test_an_old_store_on_postgresql_is_upgraded_in_place(database_url: str, tmp_path: Path) -> None:
    engine = create_engine(database_url)
    later = ("findings", "resolved_findings")  # they refer to reports
    Base.metadata.create_all(engine, tables=[t for t in Base.metadata.sorted_tables
                                             if t.name not in ("reports", "models", *later)])
    with engine.begin() as conn:
        conn.exec_driver_sql(OLD_REPORTS)
    Base.metadata.create_all(engine, tables=[t for t in Base.metadata.sorted_tables if t.name in later])
    model = extract(render_html(make_report(1, year=2024)), "http://127.0.0.1/2024.html").to_dict()
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO sites VALUES ('qs', '青山区人民政府', 'government', NULL, '[]', "
                          "'{}', now())"))
        run_ids = [conn.scalar(text("INSERT INTO runs (kind, started_at, status, stats) "
                                    "VALUES ('run', now(), 'done', '{}') RETURNING id")) for _ in range(2)]
        insert = text("INSERT INTO reports (run_id, site_id, source, sha256, template, model, audited_run_i"
                      "d, portal)"
                      " VALUES (:run, 'qs', :source, :sha, '2021', CAST(:model AS JSON), :audited, :portal)")
        for run_id in run_ids:  # audited in the first run, carried over into the second: two copies
            conn.execute(insert, {"run": run_id, "source": "http://127.0.0.1/2024.html", "sha": "ab" * 32,
                                  "model": json.dumps(model, ensure_ascii=False), "audited": run_ids[0],
                                  "portal": False})
        conn.execute(insert, {"run": run_ids[0], "source": "http://127.0.0.1/", "sha": "", "model": "null",
                              "audited": run_ids[0], "portal": True})
    engine.dispose()
    store = Store.open(tmp_path / "store", database_url)
    try:
        assert store.migrated == migrate.Migrated(reports=2, models=1, dropped=True)
        columns = {c["name"] for c in inspect(store.engine).get_columns("reports")}
        assert "model" not in columns and "model_id" in columns
        with store.reader() as session:
            assert session.scalar(select(func.count()).select_from(ModelRow)) == 1
        report_ids = [r.id for run_id in run_ids for r in queries.run_reports(store, run_id) if not r.portal]
        assert [queries.report_model(store, i) for i in report_ids] == [model, model]
        new_run = runs.start_run(store, "run", ["qs"])
        assert new_run > max(run_ids), "ids keep counting after the upgrade"
    finally:
        store.close()
    again = Store.open(tmp_path / "store", database_url)
    assert again.migrated is None
    again.close()


def test_a_single_process_run_on_postgresql(database_url: str, tmp_path: Path) -> None:
    with DemoPortal(base_year=BASE_YEAR, slow_seconds=0.05) as portal:
        pg = Store.open(tmp_path / "pg", database_url)
        lite = Store.open(tmp_path / "lite")
        try:
            on_pg = service.run(sites_file(portal), pg, tmp_path / "out-pg")
            on_lite = service.run(sites_file(portal), lite, tmp_path / "out-lite")
            assert on_pg.status == on_lite.status == "done"
            assert ([s.counts() for s in on_pg.sites] == [s.counts() for s in on_lite.sites])
            assert ({(f.rule_id, f.fingerprint) for r in on_pg.results for f in r.findings}
                    == {(f.rule_id, f.fingerprint) for r in on_lite.results for f in r.findings})
            reports = queries.run_reports(pg, on_pg.run_id)
            pages = asgi_get(create_app(pg), "/", f"/reports/{reports[0].id}", "/rules",
                             "/download/findings.json")
            assert [p.status_code for p in pages] == [200] * len(pages), (
                "the web view reads the store on PostgreSQL")
        finally:
            pg.close()
            lite.close()
