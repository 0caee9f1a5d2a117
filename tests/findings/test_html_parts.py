"""findings.html's parts arrive as bytes, cleaned where they were rendered: the page is byte for byte
the page the text parts made (what HTML cannot hold replaced and counted, line breaks as the text
files read them back: CR LF and a lone CR as LF), whether a part comes whole or through pickle."""

from __future__ import annotations

import io
import pickle
from pathlib import Path

from auditor.engine import default_rulebase
from auditor.findings.htmlreport import HtmlWriter, _page_module, render_part, report_view
from auditor.findings.model import ReportResult
from auditor.findings.sanitize import XML_UNSAFE, Sanitizer
from tests.engine.support import audit_documents, clean_document

ODD = ["东湖区\r\n财政局", "尾\r", "\n头", "单\r独", "\x00\x07\ufffe\ud800", "平常"]


def _results() -> list[ReportResult]:
    results = []
    for seed, text in enumerate(ODD):
        doc = clean_document(seed=seed + 1)
        doc.agency = text
        doc.title = "标题" + text
        results.extend(audit_documents([doc]))
    return results


def _page_as_text_parts(results: list[ReportResult], rules: list[dict[str, str]]) -> tuple[bytes, int]:
    """The page as the writer made it from text parts (text files, universal newlines on reading)."""
    module, clean = _page_module(), Sanitizer(XML_UNSAFE)
    rows, sections = io.StringIO(newline=None), io.StringIO(newline=None)
    totals: dict[str, int] = {}
    used: set[str] = set()
    for number, result in enumerate(results, 1):
        view = report_view(result, f"r-{number}")
        rows.write(clean.text(str(module.summary_row(view, number))))
        sections.write(clean.text(str(module.report_section(view))))
        for key, count in view.counts.items():
            totals[key] = totals.get(key, 0) + count
        used.update(f.rule_id for f in result.findings)
    waived = sum(len(report_view(r, "x").waived) for r in results)
    unreadable = sum(r.error is not None for r in results)
    from auditor import __version__
    from auditor.findings.model import SEVERITIES

    severities = {s: totals.get(s, 0) for s in SEVERITIES}
    page = str(module.page_head(len(results), severities, waived, unreadable, __version__))
    read_rows = io.StringIO(rows.getvalue(), newline=None).read()
    read_sections = io.StringIO(sections.getvalue(), newline=None).read()
    page += read_rows + str(module.summary_end()) + read_sections
    page += str(module.page_tail([r for r in rules if r.get("id") in used], __version__))
    return page.encode("utf-8"), clean.replaced


def test_the_page_of_byte_parts_is_the_page_of_text_parts(tmp_path: Path) -> None:
    results = _results()
    rules = [dict(meta) for meta in default_rulebase().rules_meta()]
    writer = HtmlWriter(tmp_path, rules)
    for number, result in enumerate(results, 1):
        writer.add_part(pickle.loads(pickle.dumps(render_part(result, number))))
    page = writer.close().read_bytes()
    expected, replaced = _page_as_text_parts(results, rules)
    assert page == expected
    assert b"\r" not in page and replaced > 0 and writer.sanitizer.replaced == replaced
    page.decode("utf-8")  # strict: no lone surrogate left


def test_a_cr_ending_one_part_and_a_lf_starting_the_next_read_as_one_break() -> None:
    from auditor.findings.htmlreport import _as_read_back

    assert _as_read_back(b"a\r\r\nb\rc\r", False) == b"a\n\nb\nc\n"
    assert _as_read_back(b"\nx", True) == b"x" and _as_read_back(b"\nx", False) == b"\nx"
