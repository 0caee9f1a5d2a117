"""Web view latency on a large store: page times measured over real HTTP against `nianbao serve`.

    uv run python bench/web_latency.py --sites 2000 --years 5 --runs 2 --requests 20

The store is filled synthetically through the store's tables (SQLAlchemy bulk inserts): every site has
a report per year in every run (sites × years reports per run, ≥ 10,000 by default), each with a few
findings (some naming cells), new/persisting statuses and resolved findings between runs.  Each
document has its own model (the model JSON of a generated report, with the document's source, hash
and title), stored once as `nianbao run` stores it; between runs ``--revised`` of the documents get a
new version (a new model), the others are carried over and refer to the model already stored.  The
database's size is printed after each run: its growth per run is what a scheduled service adds.
Then `nianbao serve` is started on a free port and each page is fetched
``--requests`` times with httpx; the figures are wall-clock times per request as the client sees them.
The first request of each page is shown apart: the overview keeps its grouped counts until the store
changes, so the first view of a filter is the uncached cost.
"""

from __future__ import annotations

import argparse
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import insert

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from auditor.extract import extract
from auditor.samples import make_report, render_html
from auditor.store import Store
from auditor.store.models import model_digest
from auditor.store.schema import (
    FindingRow,
    ModelRow,
    ReportRow,
    ResolvedFindingRow,
    RunRow,
    RunSiteRow,
    SiteRow,
)

PROVINCES = ("河南省", "浙江省", "广东省", "四川省", "江苏省", "山东省", "湖北省", "福建省")
CITIES = ("青云市", "龙泉市", "金城市", "白水市", "清河市")
DEPARTMENTS = ("财政局", "应急管理局", "市场监督管理局", "卫生健康委员会", "人力资源和社会保障局", "人民政府")
RULES: tuple[tuple[str, str, str, list[list[str]]], ...] = (
    ("BAL-002", "error", "勾稽关系不平衡", [["T3", "new", "natural"], ["T3", "total", "natural"]]),
    ("BAL-001", "error", "总计与各列之和不符", [["T3", "granted", "total"]]),
    ("SEC-009", "warning", "未说明信息处理费", []),
    ("SEC-003", "info", "标题与模板措辞不同", []),
    ("DOC-001", "warning", "标题未写明机关名称", []),
    ("TXT-002", "warning", "文字与表三不一致", []),
    ("PUB-001", "error", "年度报告逾期发布", []),
)
BATCH = 2000


def models(count: int) -> list[dict[str, Any]]:
    """Model JSON of ``count`` generated reports (shared among the synthetic rows)."""
    return [
        extract(render_html(make_report(seed, year=2020 + seed % 5)), f"m{seed}.html").to_dict()
        for seed in range(count)
    ]


def db_size(store: Store) -> int:
    """Bytes of the database file, its write-ahead log checkpointed first."""
    with store.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    db = store.root / "nianbao.db"
    wal = db.with_name(db.name + "-wal")
    return db.stat().st_size + (wal.stat().st_size if wal.exists() else 0)


def fill(store: Store, sites: int, years: int, runs: int, seed: int = 1,
         revised: float = 0.02) -> dict[str, Any]:
    """Write the synthetic store; returns row counts and the database's size after each run."""
    rng = random.Random(seed)
    revisions = random.Random(seed + 1)
    shapes = models(12)
    first_year = 2024 - years + 1
    now = datetime(2025, 4, 1, 3, 0)
    site_rows: list[dict[str, Any]] = []
    for i in range(sites):
        dept = DEPARTMENTS[i % len(DEPARTMENTS)]
        name = f"{PROVINCES[i % len(PROVINCES)]}{CITIES[i // len(PROVINCES) % len(CITIES)]}第{i}{dept}"
        level = "government" if dept == "人民政府" else "department"
        site_rows.append({"id": f"s{i:05d}", "name": name, "level": level, "deadline": None,
                          "start_urls": [f"http://127.0.0.1/{i}/"], "config": {}, "updated_at": now})
    counts: dict[str, Any] = {"sites": sites, "reports": 0, "models": 0, "findings": 0, "resolved": 0,
                              "sizes": []}
    report_id = finding_id = model_id = 0
    previous: dict[tuple[str, int], list[tuple[int, str]]] = {}
    versions: dict[tuple[str, int], tuple[str, int, int]] = {}
    """(site, year) -> the document's current version: its sha256, model id and the run that audited it."""
    with store.session() as s:
        s.execute(insert(SiteRow), site_rows)
    for run in range(1, runs + 1):
        started = now + timedelta(days=run)
        with store.session() as s:
            s.execute(insert(RunRow), [{"id": run, "kind": "run", "started_at": started,
                                        "finished_at": started, "status": "done", "pid": None,
                                        "stats": {}, "error": None}])
            s.execute(insert(RunSiteRow), [{"run_id": run, "site_id": r["id"], "status": "done",
                                            "previous_run_id": run - 1 or None, "counts": {}}
                                           for r in site_rows])
        reports: list[dict[str, Any]] = []
        stored_models: list[dict[str, Any]] = []
        findings: list[dict[str, Any]] = []
        resolved: list[dict[str, Any]] = []
        current: dict[tuple[str, int], list[tuple[int, str]]] = {}
        for site in site_rows:
            for year in range(first_year, first_year + years):
                report_id += 1
                source = f"http://127.0.0.1/{site['id']}/{year}.html"
                title = f"{site['name']}{year}年政府信息公开工作年度报告"
                if (site["id"], year) not in versions or revisions.random() < revised:
                    model_id += 1
                    sha = f"{model_id:064x}"
                    model = {**shapes[model_id % len(shapes)], "source": source, "sha256": sha,
                             "title": title}
                    stored_models.append({"id": model_id, "digest": model_digest(model), "model": model})
                    versions[(site["id"], year)] = (sha, model_id, run)
                sha, stored, audited = versions[(site["id"], year)]
                reports.append({
                    "id": report_id, "run_id": run, "site_id": site["id"], "document_id": None,
                    "version_id": None, "source": source, "sha256": sha,
                    "title": title, "agency": site["name"], "year": year,
                    "published": date(year + 1, 1, 1) + timedelta(days=rng.randint(0, 80)),
                    "published_source": "发布时间", "template": "2021" if year >= 2021 else "2019",
                    "level": site["level"], "format": "html", "model_id": stored,
                    "error": None, "audited_run_id": audited, "portal": False,
                })
                before = {fp for _, fp in previous.get((site["id"], year), [])}
                kept = []
                for rule_id, severity, title, cells in rng.sample(RULES, rng.randint(0, 4)):
                    finding_id += 1
                    fp = f"{site['id']}{year}{rule_id}"
                    kept.append((finding_id, fp))
                    findings.append({
                        "id": finding_id, "run_id": run, "report_id": report_id, "site_id": site["id"],
                        "fingerprint": fp, "rule_id": rule_id, "severity": severity, "title": title,
                        "message": f"{title}（{year}年度）", "location": {"section": "三", "table": "T3"},
                        "evidence": "一 12 + 二 0 ≠ （七）14 + 四 0", "basis": "《条例》第五十条",
                        "fix": "核对表格数据",
                        "cells": cells, "waived": None, "origin": "audit",
                        "status": "persisting" if fp in before else "new", "first_run_id": run,
                    })
                current[(site["id"], year)] = kept
                now_fps = {fp for _, fp in kept}
                resolved += [{"run_id": run, "site_id": site["id"], "fingerprint": fp, "finding_id": old}
                             for old, fp in previous.get((site["id"], year), []) if fp not in now_fps]
        tables = ((ModelRow, stored_models), (ReportRow, reports), (FindingRow, findings),
                  (ResolvedFindingRow, resolved))
        for table, rows in tables:
            for start in range(0, len(rows), BATCH):
                with store.session() as s:
                    s.execute(insert(table), rows[start:start + BATCH])
        counts["reports"] += len(reports)
        counts["models"] += len(stored_models)
        counts["findings"] += len(findings)
        counts["resolved"] += len(resolved)
        previous = current
        counts["sizes"].append(db_size(store))
    return counts


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def measure(url: str, requests: int) -> tuple[float, list[float]]:
    """Milliseconds of the first GET of ``url`` (nothing cached yet) and of ``requests`` more."""
    times = []
    with httpx.Client(timeout=60) as client:
        for _ in range(requests + 1):
            t0 = time.perf_counter()
            client.get(url).raise_for_status()
            times.append((time.perf_counter() - t0) * 1000)
    return times[0], times[1:]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=2000)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--revised", type=float, default=0.02,
                        help="share of the documents that get a new version between runs (default 0.02)")
    parser.add_argument("--store", type=Path, help="keep the store in this folder (default: a temporary one)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="nianbao-web-bench-") as tmp:
        root = args.store or Path(tmp)
        store = Store.open(root)
        t0 = time.perf_counter()
        counts = fill(store, args.sites, args.years, args.runs, revised=args.revised)
        store.close()
        sizes = counts["sizes"]
        print(f"store: {counts['sites']} sites, {counts['reports']} reports "
              f"({counts['reports'] // args.runs} per run, {args.runs} runs), "
              f"{counts['models']} stored models, "
              f"{counts['findings']} findings, {counts['resolved']} resolved; "
              f"{sizes[-1] / 1e6:.0f} MB; filled in "
              f"{time.perf_counter() - t0:.1f} s")
        growth = [b - a for a, b in pairwise(sizes)]
        print(f"store size per run: first run {sizes[0] / 1e6:.0f} MB"
              + (f", each later run +{statistics.mean(growth) / 1e6:.1f} MB "
                 f"({', '.join(f'+{g / 1e6:.1f}' for g in growth)}; "
                 f"{args.revised:.0%} of documents revised per run)"
                 if growth else ""))
        port = free_port()
        server = subprocess.Popen(
            [sys.executable, "-m", "nianbao.cli", "serve", "--port", str(port), "--store", str(root)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(300):
                try:
                    httpx.get(base + "/rules", timeout=5)
                    break
                except httpx.TransportError:
                    time.sleep(0.2)
            last_report = counts["reports"]
            pages = {
                "overview": "/",
                "overview, page 10": "/?page=10",
                "overview, filtered (region + severity)":
                    "/?region=%E6%B2%B3%E5%8D%97%E7%9C%81&severity=error",
                "overview, filtered (rule + year)": f"/?rule=BAL-002&year={2024 - args.years + 1}",
                "report page": f"/reports/{last_report}",
                "rule catalogue": "/rules",
                "rule page": "/rules/BAL-002",
            }
            print(f"{'page':42} {'first':>8} {'median':>8} {'p95':>8} {'max':>8}"
                  f"   (ms; first request, then {args.requests} more)")
            for name, path in pages.items():
                first, rest = measure(base + path, args.requests)
                times = sorted(rest)
                p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
                print(f"{name:42} {first:8.1f} {statistics.median(times):8.1f} {p95:8.1f} {times[-1]:8.1f}")
        finally:
            server.terminate()
            server.wait(timeout=10)


if __name__ == "__main__":
    main()
