"""The crawler's commands end to end: crawl, run, export-warc, demo-portal, and bad usage."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

from typer.testing import CliRunner

from crawler.demo_portal import DemoPortal
from nianbao.cli import app

runner = CliRunner()


def sites(tmp_path: Path, portal: DemoPortal) -> Path:
    path = tmp_path / "sites.toml"
    path.write_text(portal.sites_toml(delay=0.01, extra="backoff = 0.01",
                                      only=("demo-dept",)), encoding="utf-8")
    return path


def test_crawl_then_run_then_export(tmp_path: Path, portal: DemoPortal) -> None:
    f, store = sites(tmp_path, portal), tmp_path / "store"
    crawled = runner.invoke(app, ["crawl", "--sites", str(f), "--store", str(store),
                                  "--warc", str(tmp_path / "crawl.warc")])
    assert crawled.exit_code == 0, crawled.output
    assert "demo-dept: 栏目页 2，文档 4，失效链接 0，未抓取 0" in crawled.output
    assert (tmp_path / "crawl.warc").stat().st_size > 0

    out = tmp_path / "out"
    ran = runner.invoke(app, ["run", "--sites", str(f), "--store", str(store), "--out", str(out)])
    assert ran.exit_code == 0, ran.output
    report = json.loads((out / "findings.json").read_text(encoding="utf-8"))
    assert any(f["rule_id"] == "PUB-001" for r in report["reports"] for f in r["findings"])
    assert json.loads((out / "run.json").read_text(encoding="utf-8"))["run"] == 2

    failing = runner.invoke(app, ["run", "--sites", str(f), "--store", str(store), "--out", str(out),
                                  "--fail-on", "error"])
    assert failing.exit_code == 1, "the late report (PUB-001, error) persists"

    exported = runner.invoke(app, ["export-warc", "1", "--store", str(store), "--out",
                                   str(tmp_path / "1.warc.gz")])
    assert exported.exit_code == 0 and (tmp_path / "1.warc.gz").exists()
    missing = runner.invoke(app, ["export-warc", "99", "--store", str(store), "--out",
                                  str(tmp_path / "x.warc")])
    assert missing.exit_code == 2


def test_bad_sites_file_is_usage_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[[site]]\nid = "x"\n', encoding="utf-8")
    result = runner.invoke(app, ["crawl", "--sites", str(bad), "--store", str(tmp_path / "s")])
    assert result.exit_code == 2 and "bad.toml：站点 x：缺少 name" in result.output
    absent = runner.invoke(app, ["run", "--sites", str(tmp_path / "none.toml"),
                                 "--store", str(tmp_path / "s")])
    assert absent.exit_code == 2


def test_demo_portal_command_serves_and_stops(tmp_path: Path) -> None:
    proc = subprocess.Popen([sys.executable, "-m", "nianbao.cli", "demo-portal", "--port", "0", "--out",
                             str(tmp_path)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while not (tmp_path / "sites.toml").exists():
            assert proc.poll() is None and time.monotonic() < deadline
            time.sleep(0.1)
        text = (tmp_path / "sites.toml").read_text(encoding="utf-8")
        assert 'allow_private = ["127.0.0.1"]' in text and 'id = "demo-gov"' in text
    finally:
        proc.send_signal(signal.SIGTERM)
        _, stderr = proc.communicate(timeout=20)
    assert proc.returncode == 0 and "演示门户" in stderr


def test_run_applies_waivers(tmp_path: Path, portal: DemoPortal) -> None:
    f, store, out = sites(tmp_path, portal), tmp_path / "store", tmp_path / "out"
    waivers = tmp_path / "waivers.toml"
    waivers.write_text('[[waiver]]\nrule = "PUB-001"\ndocument = "http://*"\nreason = "延期发布已获批准"\n',
                       encoding="utf-8")
    ran = runner.invoke(app, ["run", "--sites", str(f), "--store", str(store), "--out", str(out),
                              "--waivers", str(waivers)])
    assert ran.exit_code == 0, ran.output
    report = json.loads((out / "findings.json").read_text(encoding="utf-8"))
    late = [f for r in report["reports"] for f in r["findings"] if f["rule_id"] == "PUB-001"]
    assert late and all(f.get("waived") == "延期发布已获批准" for f in late)
    bad = tmp_path / "bad.toml"
    bad.write_text("[[waiver]]\nrule = 1\n", encoding="utf-8")
    refused = runner.invoke(app, ["run", "--sites", str(f), "--store", str(store), "--waivers", str(bad)])
    assert refused.exit_code == 2


def test_audit_accepts_urls(tmp_path: Path, portal: DemoPortal) -> None:
    from tests.crawler.support import gov_path

    url = portal.url(gov_path(portal, 2))
    out = tmp_path / "out"
    result = runner.invoke(app, ["audit", url, portal.url("/no/such/report.html"), "--out", str(out)])
    assert result.exit_code == 2, result.output  # one URL is broken: reported, the other audited
    report = json.loads((out / "findings.json").read_text(encoding="utf-8"))
    good, broken = report["reports"]
    # The article's body is a link to its .docx: the attachment is what gets audited, dated by the page.
    assert good["source"].endswith(".docx") and good["format"] == "docx" and good["error"] is None
    assert good["year"] == portal.base_year - 2
    assert good["published"] and good["published_source"] == "发布时间"
    assert broken["error"] and [f["rule_id"] for f in broken["findings"]] == ["READ-001"]
