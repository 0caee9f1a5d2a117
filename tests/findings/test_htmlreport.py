"""findings.html for a district: summary with anchors, tables only where findings point, officer wording,
written from a stream in flat memory."""

from __future__ import annotations

import gc
import re
import weakref
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest

from auditor.engine import default_rulebase
from auditor.extract import extract
from auditor.findings.htmlreport import HtmlWriter, write_html
from auditor.findings.model import Finding, Location, ReportResult
from auditor.findings.wording import location_text, template_name
from auditor.pipeline import unreadable_result
from tests.engine.support import audit_documents, clean_document


class _Page(HTMLParser):
    """The ids, the summary's links and the text of a page, as a browser would see them."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.links: list[str] = []
        self.details = 0
        self._in_summary = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if a.get("id"):
            self.ids.append(a["id"] or "")
        if tag == "table" and a.get("id") == "summary":
            self._in_summary = True
        if tag == "a" and self._in_summary and a.get("href"):
            self.links.append(a["href"] or "")
        if tag == "details":
            self.details += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self._in_summary = False


def _parse(text: str) -> _Page:
    page = _Page()
    page.feed(text)
    return page


@pytest.fixture(scope="module")
def results() -> list[ReportResult]:
    """An imbalanced T3, a clean report, an unreadable file."""
    broken = clean_document(seed=3)
    t3 = broken.table("T3")
    assert t3 is not None
    t3.cells[("new", "natural")] = type(t3.cells[("new", "natural")])("99", "number", 99)
    out = audit_documents([broken, clean_document(seed=5, year=2022)])
    out[1].findings = []  # a report without findings, as a well-made one audits
    out.append(unreadable_result("scan.pdf", "0" * 64, "PDF 中没有可读取的文字"))
    return out


def _sections(page: str) -> dict[str, str]:
    return dict(re.findall(r'<section class="report" id="(r-\d+)">(.*?)</section>', page, re.DOTALL))


def test_summary_links_every_report_to_its_own_section(tmp_path: Path, results: list[ReportResult]) -> None:
    text = write_html(tmp_path, results, default_rulebase().rules_meta()).read_text("utf-8")
    page = _parse(text)
    assert page.links == ["#r-1", "#r-2", "#r-3"]
    assert {"r-1", "r-2", "r-3", "contents"} <= set(page.ids)
    assert len(page.ids) == len(set(page.ids)), "ids are unique"
    rows = re.findall(r"<tr[^>]*><td class=\"n\">(\d+)</td><td><a [^>]*>([^<]*)</a>.*?</tr>", text)
    assert [name for _, name in rows] == [results[0].document.agency, results[1].document.agency, "scan.pdf"]
    errors = sum(f.severity == "error" for f in results[0].findings if f.waived is None)
    assert errors and re.search(rf'href="#r-1".*?<td class="n e">{errors}</td>', text)
    assert "（无法读取）" in text and "PDF 中没有可读取的文字" in text


def test_only_the_tables_a_finding_points_into_are_open(tmp_path: Path, results: list[ReportResult]) -> None:
    text = write_html(tmp_path, results, default_rulebase().rules_meta()).read_text("utf-8")
    broken = _sections(text)["r-1"]
    folded = re.findall(r'<details class="table"><summary>(.*?)</summary>(.*?)</details>', broken, re.DOTALL)
    assert [name for name, _ in folded] == ["表二（2021年版）（未发现问题，点击展开）",
                                            "表四（未发现问题，点击展开）"]
    assert all("<table" in body and 'class="hl-' not in body for _, body in folded)
    shown = re.sub(r"<details.*?</details>", "", broken, flags=re.DOTALL)
    assert "<h3>表三（2021年版）</h3>" in shown
    assert '<td class="hl-error" title="BAL-001、BAL-002">99</td>' in shown, (
        "the offending cell is highlighted")
    assert "<dd>第三部分，表三，“（七）总计”行，“自然人”列</dd>" in broken


def test_a_clean_report_is_short(tmp_path: Path, results: list[ReportResult]) -> None:
    clean = _sections(write_html(tmp_path, results, []).read_text("utf-8"))["r-2"]
    assert "未发现问题" in clean and "<table" not in clean and "<details" not in clean
    assert len(clean.encode()) < 800


def test_locations_and_versions_are_worded_as_an_officer_says_them() -> None:
    loc = Location(section="三", table="T3", row="（七）总计", column="自然人")
    assert location_text(loc) == "第三部分，表三，“（七）总计”行，“自然人”列"
    assert location_text(Location(section="一")) == "第一部分“总体情况”"
    assert location_text(Location()) == ""
    assert [template_name(t) for t in ("2021", "2019", "mixed", "unknown", None)] == [
        "2021年版", "2019年版", "混合版式", "未识别", "未识别"
    ]


def test_mixed_template_and_locations_never_show_codes(tmp_path: Path) -> None:
    seed = Path(__file__).resolve().parents[2].parent / "shared/seeds/000_44a7baed0de1d699.txt"
    doc = extract(seed.read_bytes(), str(seed))
    assert doc.template == "mixed", "seed 000 mixes the 2019 and 2021 tables (DOMAIN.md section 7)"
    result = ReportResult(doc.source, doc.sha256, doc, [
        Finding("FMT-003", "warning", "同一表格出现两次", "表二出现两次", Location("二", "T2"), "依次为…")
    ])
    text = write_html(tmp_path, [result], []).read_text("utf-8")
    assert "混合版式" in text and ">mixed<" not in text and "格式版本：mixed" not in text
    assert "<dd>第二部分，表二</dd>" in text
    assert "T2" not in re.sub(r"<style>.*?</style>", "", text, flags=re.DOTALL)


class _Tracked(ReportResult):
    """A result that can be watched by a weak reference (ReportResult has slots)."""

    __slots__ = ("__weakref__",)


def test_the_writer_keeps_no_result_in_memory(tmp_path: Path) -> None:
    """Each result is rendered when it is added and then let go: memory does not grow with reports."""
    refs: list[weakref.ref[ReportResult]] = []

    def stream() -> Iterator[ReportResult]:
        for seed in range(3):
            audited = audit_documents([clean_document(seed=seed + 20)])[0]
            result = _Tracked(audited.source, audited.sha256, audited.document, audited.findings)
            refs.append(weakref.ref(result))
            yield result

    with HtmlWriter(tmp_path, []) as writer:
        for result in stream():
            writer.add(result)
        del result
        gc.collect()
        assert all(r() is None for r in refs), "the writer holds no reference to a result it has written"
        assert not (tmp_path / "findings.html").exists(), "nothing is written before the end"
    page = (tmp_path / "findings.html").read_text("utf-8")
    assert _parse(page).links == ["#r-1", "#r-2", "#r-3"]
    assert [p.name for p in tmp_path.iterdir()] == ["findings.html"]


def test_a_failed_stream_leaves_the_previous_page_and_no_temporary_file(tmp_path: Path) -> None:
    (tmp_path / "findings.html").write_text("old", encoding="utf-8")

    def stream() -> Iterator[ReportResult]:
        yield audit_documents([clean_document(seed=1)])[0]
        raise RuntimeError("worker died")

    with pytest.raises(RuntimeError):
        write_html(tmp_path, stream(), [])
    assert (tmp_path / "findings.html").read_text("utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["findings.html"]


def test_page_size_grows_with_findings_not_with_clean_reports(tmp_path: Path) -> None:
    clean = audit_documents([clean_document(seed=s) for s in range(40, 60)])
    for r in clean:
        r.findings = [f for f in r.findings if f.location.table is None and not f.cells]
    size = write_html(tmp_path, clean, []).stat().st_size
    head = write_html(tmp_path / "empty", [], []).stat().st_size
    assert (size - head) / len(clean) < 2500, (
        "a report without table findings costs a summary row and a short section")


def test_evidence_the_message_already_quotes_is_not_repeated(tmp_path: Path) -> None:
    doc = clean_document(seed=11)
    quoted = Finding("BAL-002", "error", "表三勾稽关系不平衡", "不满足勾稽关系：第一项 0 ≠ 第四项 2。",
                     Location("三", "T3"), "第一项 0 ≠ 第四项 2")
    apart = Finding("DOC-001", "warning", "标题未写明报告机关", "标题没有写明机关。",
                    Location(), "标题：“年度报告”")
    text = write_html(tmp_path, [ReportResult(doc.source, doc.sha256, doc,
                                              [quoted, apart])], []).read_text("utf-8")
    assert text.count("第一项 0 ≠ 第四项 2") == 1
    assert "<dt>证据</dt><dd>标题：“年度报告”</dd>" in text
