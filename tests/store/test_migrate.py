"""A store written by the previous schema (each report row holding its own copy of the model) is upgraded
in place when opened: models move to ``models`` once each, ``reports.model`` goes, nothing else changes."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.exc import OperationalError

from auditor.extract import extract
from auditor.findings.model import ReportResult
from auditor.samples import make_report, render_html
from auditor.store import Store, migrate, queries, runs
from auditor.store.schema import Base, ModelRow
from auditor.web.app import create_app
from auditor.web.report import build_report_page
from tests.web.conftest import asgi_get

OLD_REPORTS = """
CREATE TABLE reports (
    id INTEGER NOT NULL,
    run_id INTEGER NOT NULL,
    site_id VARCHAR(100),
    document_id INTEGER,
    version_id INTEGER,
    source TEXT NOT NULL,
    sha256 VARCHAR(64) NOT NULL,
    title TEXT,
    agency TEXT,
    year INTEGER,
    published DATE,
    published_source VARCHAR(40),
    template VARCHAR(10) NOT NULL,
    level VARCHAR(20),
    format VARCHAR(10),
    model JSON,
    error TEXT,
    audited_run_id INTEGER NOT NULL,
    portal BOOLEAN NOT NULL,
    PRIMARY KEY (id),
    UNIQUE (run_id, site_id, source),
    FOREIGN KEY(run_id) REFERENCES runs (id),
    FOREIGN KEY(document_id) REFERENCES documents (id),
    FOREIGN KEY(version_id) REFERENCES document_versions (id)
)"""
"""``reports`` exactly as the previous schema created it (SQLAlchemy's DDL, taken from such a store)."""
OLD_INDEXES = (
    "CREATE INDEX ix_reports_site_id ON reports (site_id)",
    "CREATE INDEX ix_reports_version_id ON reports (version_id)",
    "CREATE INDEX ix_reports_run_id ON reports (run_id)",
)
SITE = "qingshan"
SOURCE = "http://127.0.0.1/xxgk/ndbg/2024.html"
NOW = datetime(2025, 4, 1, 3, 0)


def sample_model(seed: int) -> dict[str, Any]:
    return extract(render_html(make_report(seed, year=2024)), SOURCE).to_dict()


def report(report_id: int, run_id: int, model: str | None, **values: Any) -> dict[str, Any]:
    return {"id": report_id, "run_id": run_id, "site_id": SITE, "document_id": None, "version_id": None,
            "source": SOURCE, "sha256": "ab" * 32, "title": "青山区人民政府2024年政府信息公开工作年度报告",
            "agency": "青山区人民政府", "year": 2024, "published": "2025-01-20",
            "published_source": "发布时间",
            "template": "2021", "level": "government", "format": "html", "model": model, "error": None,
            "audited_run_id": 1, "portal": 0, **values}


def old_store(root: Path) -> dict[str, Any]:
    """A store as the previous schema wrote it, after two runs of one site: the report audited in run 1
    and carried over into run 2 (two copies of one model), a portal entry (its model JSON ``null``, as
    the ORM stored None), an unreadable file (SQL NULL) and, in run 2, a revised report."""
    root.mkdir(parents=True)
    engine = create_engine(f"sqlite:///{root / 'nianbao.db'}")
    Base.metadata.create_all(engine, tables=[t for t in Base.metadata.sorted_tables
                                             if t.name not in ("reports", "models")])
    first, revised = sample_model(1), sample_model(2)
    rows = [
        report(1, 1, json.dumps(first)),
        report(2, 1, "null", source="http://127.0.0.1/xxgk/ndbg/index.html", portal=1, year=None),
        report(3, 1, None, source="http://127.0.0.1/broken.pdf", error="文件已损坏", title=None, year=2023),
        report(4, 2, json.dumps(first)),
        report(5, 2, json.dumps(revised), source="http://127.0.0.1/xxgk/ndbg/2023.html", year=2023,
               audited_run_id=2),
    ]
    with engine.begin() as conn:
        conn.exec_driver_sql(OLD_REPORTS)
        for index in OLD_INDEXES:
            conn.exec_driver_sql(index)
        conn.exec_driver_sql("INSERT INTO sites VALUES (?, '青山区人民政府', 'government', NULL, "
                             "'[]', '{}', ?)",
                             (SITE, NOW))
        for run_id in (1, 2):
            conn.exec_driver_sql("INSERT INTO runs VALUES (?, 'run', ?, ?, 'done', NULL, '{}', NULL)",
                                 (run_id, NOW, NOW))
            conn.exec_driver_sql("INSERT INTO run_sites (run_id, site_id, status, previous_run_id, counts) "
                                 "VALUES (?, ?, 'done', ?, '{}')", (run_id, SITE, run_id - 1 or None))
        columns = ", ".join(rows[0])
        marks = ", ".join(f":{c}" for c in rows[0])
        for row in rows:
            conn.exec_driver_sql(f"INSERT INTO reports ({columns}) VALUES ({marks})", row)
        for finding_id, report_id in ((1, 1), (2, 4), (3, 2)):
            conn.exec_driver_sql(
                "INSERT INTO findings (id, run_id, report_id, site_id, fingerprint, rule_id, severity, "
                "title, message,"
                " location, evidence, basis, fix, cells, waived, origin, status, first_run_id) VALUES (?, "
                "?, ?, ?, ?,"
                " 'BAL-002', 'error', '勾稽关系不平衡', '表三不平衡', '{\"table\": \"T3\"}', '', '', '',"
                " '[[\"T3\", \"new\", \"natural\"]]', NULL, 'audit', 'new', 1)",
                (finding_id, 1 if report_id < 4 else 2, report_id, SITE, f"{finding_id:016x}"),
            )
    engine.dispose()
    return {"first": first, "revised": revised}


def columns(root: Path) -> list[str]:
    with sqlite3.connect(root / "nianbao.db") as con:
        return [row[1] for row in con.execute("PRAGMA table_info(reports)")]


def test_an_old_store_is_upgraded_in_place(tmp_path: Path) -> None:
    root = tmp_path / "store"
    models = old_store(root)
    store = Store.open(root)
    try:
        assert store.migrated == migrate.Migrated(reports=3, models=2, dropped=True)
        assert "model" not in columns(root) and "model_id" in columns(root)
        with store.reader() as s:
            assert s.scalar(select(func.count()).select_from(ModelRow)) == 2
        assert queries.report_model(store, 1) == queries.report_model(store, 4) == models["first"]
        assert queries.report_model(store, 5) == models["revised"]
        assert queries.report_model(store, 2) is None and queries.report_model(store, 3) is None
        with sqlite3.connect(root / "nianbao.db") as con:
            assert con.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
            assert con.execute("PRAGMA foreign_key_check").fetchall() == []
            indexes = {name for (name,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
            assert {"ix_reports_site_id", "ix_reports_version_id", "ix_reports_run_id"} <= indexes
        assert [(r.id, r.counts["error"]) for r in queries.run_reports(store, 2)] == [(4, 1), (5, 0)]
    finally:
        store.close()
    again = Store.open(root)
    assert again.migrated is None, "opening an upgraded store changes nothing"
    again.close()


def test_the_upgraded_store_renders_and_takes_new_runs(tmp_path: Path) -> None:
    root = tmp_path / "store"
    models = old_store(root)
    store = Store.open(root)
    try:
        with store.reader() as s:
            page = build_report_page(s, 4)
            assert page is not None and len(page.tables) >= 3 and len(page.sections) == 6
            portal = build_report_page(s, 2)
            assert portal is not None and portal.tables == [] and portal.sections == []
        run_id = runs.start_run(store, "run", [SITE])
        doc = extract(render_html(make_report(1, year=2024)), SOURCE)
        saved = runs.save_report(store, run_id=run_id, site_id=SITE,
                                 result=ReportResult(SOURCE, "ab" * 32, doc),
                                 ref=runs.ReportRef(None, None), audited_run_id=run_id, portal_findings=[],
                                 baseline=runs.Baseline(None, {}))
        assert queries.report_model(store, saved) == models["first"]
        with store.reader() as s:
            models = s.scalar(select(func.count()).select_from(ModelRow))
            assert models == 2, "the same model is not stored again"
        app = create_app(store)
        pages = asgi_get(app, "/", "/reports/4", "/reports/2", "/reports/3", "/reports/4/report.html",
                         "/download/report.html", "/download/findings.json")
        assert [r.status_code for r in pages] == [200] * len(pages)
        assert 'data-table="T3"' in pages[1].text, "the report page draws the tables of the moved model"
        for download in (pages[4].text, pages[5].text):
            assert "<h3>表三（2021年版）</h3>" in download and 'class="hl-error" title="BAL-002"' in download
    finally:
        store.close()


def test_a_failed_upgrade_changes_nothing_and_says_what_to_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "store"
    old_store(root)
    before = columns(root)

    def full_disk(*_args: Any) -> None:
        raise OperationalError("UPDATE reports", {}, sqlite3.OperationalError("database or disk is full"))

    monkeypatch.setattr(migrate, "_move_models", full_disk)
    with pytest.raises(migrate.MigrationError, match="could not be upgraded in place") as failed:
        Store.open(root)
    assert "database or disk is full" in str(failed.value) and "Nothing was changed" in str(failed.value)
    assert columns(root) == before, "the added column was rolled back with the rest"
    monkeypatch.undo()
    store = Store.open(root)
    assert store.migrated is not None and store.migrated.reports == 3
    store.close()


def test_where_sqlite_cannot_drop_columns_the_old_column_is_emptied_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "store"
    models = old_store(root)
    monkeypatch.setattr(migrate, "_can_drop_columns", lambda _bind: False)
    store = Store.open(root)
    try:
        assert store.migrated == migrate.Migrated(reports=3, models=2, dropped=False)
        assert {"model", "model_id"} <= set(columns(root))
        with sqlite3.connect(root / "nianbao.db") as con:
            assert con.execute("SELECT count(*) FROM reports WHERE model IS NOT NULL").fetchone() == (0,)
        assert queries.report_model(store, 4) == models["first"]
    finally:
        store.close()
    again = Store.open(root)
    assert again.migrated is None, "an emptied column is not migrated again on every open"
    again.close()
