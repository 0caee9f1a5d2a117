"""The overview over more sites than one page holds, on a store filled by the latency bench's own
synthetic filler (so the bench's data stays valid too)."""

from __future__ import annotations

import importlib.util
import sqlite3
from pathlib import Path
from types import ModuleType

from lxml import html

from auditor.store import Store
from auditor.web import create_app
from auditor.web.filters import PAGE_SIZE
from tests.web.conftest import asgi_get

BENCH = Path(__file__).resolve().parents[2] / "bench" / "web_latency.py"


def _bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("web_latency", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_pages_split_the_sites_and_add_up(tmp_path: Path) -> None:
    sites = PAGE_SIZE * 2 + 20
    _bench().fill(Store.open(tmp_path), sites, years=2, runs=2)
    with sqlite3.connect(tmp_path / "nianbao.db") as con:
        (errors,) = con.execute("SELECT COUNT(*) FROM findings WHERE run_id = 2 AND "
                                "severity = 'error'").fetchone()
        (first,) = con.execute("SELECT MIN(name) FROM sites").fetchone()

    answers = asgi_get(create_app(Store.open(tmp_path)), "/", "/?page=2", "/?page=3", "/?sort=name&page=1")
    pages = [html.fromstring(a.text) for a in answers]
    rows = [p.xpath('//table[@id="overview"]/tbody/tr') for p in pages]
    assert [len(r) for r in rows[:3]] == [PAGE_SIZE, PAGE_SIZE, 20]
    shown = [tr.get("data-site") for r in rows[:3] for tr in r]
    assert len(set(shown)) == sites
    page_errors = [int(td.get("data-errors"))
                   for r in rows[:3] for tr in r for td in tr.xpath('td[@class="cell total"]')]
    assert sum(page_errors) == errors == int(pages[0].xpath('string(//*[@id="total-error"])'))
    assert page_errors == sorted(page_errors, reverse=True)
    assert first in rows[3][0].xpath("string(th)")
    assert pages[0].xpath('//nav[@class="pager"]//a[@rel="next"]/@href') == ["/?page=2"]
