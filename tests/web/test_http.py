"""The running server over plain HTTP: headers, read-only methods, errors, where it listens."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import httpx
import openpyxl
import pytest

from tests.web.conftest import Server, WebStore, nianbao

PAGES = ["/", "/?severity=error", "/rules", "/rules/PUB-001", "/static/style.css", "/no-such-page"]


@pytest.mark.parametrize("path", PAGES)
def test_every_response_carries_a_strict_content_security_policy(server: Server, path: str) -> None:
    response = httpx.get(server.url + path)
    policy = response.headers["content-security-policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["default-src"] == "'none'"
    assert directives["script-src"] == "'none'" and directives["style-src"] == "'self'"
    assert "unsafe-inline" not in policy and "http" not in policy
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH"])
def test_the_view_is_read_only(server: Server, web_store: WebStore, method: str) -> None:
    before = web_store.db.stat().st_mtime_ns, web_store.sql("SELECT COUNT(*) FROM findings")
    for path in ("/", "/reports/1", "/rules", "/download/findings.json"):
        assert httpx.request(method, server.url + path).status_code == 405
    assert (web_store.db.stat().st_mtime_ns, web_store.sql("SELECT COUNT(*) FROM findings")) == before


def test_bad_filters_and_unknown_pages_answer_in_chinese(server: Server) -> None:
    bad = httpx.get(server.url + "/?year=abc")
    assert bad.status_code == 400 and "年度" in bad.text
    missing = httpx.get(server.url + "/reports/999999")
    assert missing.status_code == 404 and "999999" in missing.text
    assert httpx.get(server.url + "/rules/XYZ-999").status_code == 404
    assert httpx.get(server.url + "/download/secrets.txt").status_code == 404


def _listening_addresses(port: int) -> set[str]:
    """Local addresses (hex, as /proc/net/tcp writes them) with a socket listening on ``port``."""
    found = set()
    for table in (Path("/proc/net/tcp"), Path("/proc/net/tcp6")):
        if not table.exists():
            continue
        for line in table.read_text().splitlines()[1:]:
            fields = line.split()
            address, port_hex = fields[1].rsplit(":", 1)
            if fields[3] == "0A" and int(port_hex, 16) == port:
                found.add(address)
    return found


def test_serve_listens_on_loopback_only_by_default(server: Server) -> None:
    assert _listening_addresses(server.port) == {"0100007F"}


def test_serve_refuses_a_missing_store(tmp_path: Path) -> None:
    done = nianbao("serve", "--store", str(tmp_path / "nowhere"), timeout=60)
    assert done.returncode == 2
    assert "存储目录不存在" in done.stderr and len(done.stderr.strip().splitlines()) == 1


def test_report_findings_json_is_the_contract_format(server: Server, web_store: WebStore) -> None:
    report_id, source, sha = web_store.sql("SELECT id, source, sha256 FROM reports ORDER BY id "
                                           "DESC LIMIT 1")[0]
    data = httpx.get(f"{server.url}/reports/{report_id}/findings.json").json()
    assert data["tool"]["name"] == "nianbao"
    (report,) = data["reports"]
    assert (report["source"], report["sha256"]) == (source, sha)
    rules = {r for (r,) in web_store.sql("SELECT rule_id FROM findings WHERE report_id = ?", report_id)}
    assert {f["rule_id"] for f in report["findings"]} == rules


def test_one_report_downloads_in_every_format(server: Server, web_store: WebStore, tmp_path: Path) -> None:
    (report_id,) = web_store.sql("SELECT report_id FROM findings ORDER BY id DESC LIMIT 1")[0]
    findings = web_store.sql("SELECT COUNT(*) FROM findings WHERE report_id = ?", report_id)[0][0]
    for name in ("findings.json", "findings.csv", "findings.xlsx", "report.html"):
        response = httpx.get(f"{server.url}/reports/{report_id}/{name}")
        assert response.status_code == 200, name
        assert response.headers["content-disposition"].startswith("attachment;")
        (tmp_path / name).write_bytes(response.content)
    workbook = openpyxl.load_workbook(tmp_path / "findings.xlsx")
    assert sum(ws.max_row - 1 for ws in workbook.worksheets if ws.max_row > 1) >= findings
    rows = list(csv.DictReader(io.StringIO((tmp_path / "findings.csv").read_text(encoding="utf-8-sig"))))
    assert len(rows) == findings


def test_one_report_downloads_as_a_notice(server: Server, web_store: WebStore, tmp_path: Path) -> None:
    """The report page's 整改通知: a .docx naming the body, the report's sha256 and every open finding."""
    from docx import Document

    report_id, agency, sha = web_store.sql(
        "SELECT r.id, r.agency, r.sha256 FROM reports r JOIN findings f ON f.report_id = r.id "
        "WHERE f.severity = 'error' AND f.waived IS NULL AND r.agency IS NOT NULL AND r.sha256 != '' "
        "ORDER BY r.id DESC LIMIT 1"
    )[0]
    page = httpx.get(f"{server.url}/reports/{report_id}")
    assert f'href="/reports/{report_id}/notice.docx"' in page.text
    response = httpx.get(f"{server.url}/reports/{report_id}/notice.docx?reply_by=2027-02-01&issu"
                         "er=某区政务公开办")
    assert response.status_code == 200
    assert response.headers["content-disposition"].startswith('attachment; filename="notice-'
                                                              f'{report_id}.docx"')
    (tmp_path / "n.docx").write_bytes(response.content)
    doc = Document(str(tmp_path / "n.docx"))
    cells = [c.text for t in doc.tables for r in t.rows for c in r.cells]
    text = "\n".join([p.text for p in doc.paragraphs] + cells)
    assert agency in doc.paragraphs[0].text and sha in text
    assert "2027年2月1日前" in text and "某区政务公开办" in text
    for rule_id, _severity, message in web_store.sql(
        "SELECT rule_id, severity, message FROM findings WHERE report_id = ? AND waived IS NULL", report_id
    ):
        assert message in text and f"（{rule_id}，" in text
    bad = httpx.get(f"{server.url}/reports/{report_id}/notice.docx?reply_by=soon")
    assert bad.status_code == 400 and "YYYY-MM-DD" in bad.text
