"""Stored models back into documents: the round trip is exact."""

from __future__ import annotations

from datetime import date

import pytest

from auditor.extract import extract
from auditor.model import document_from_dict as document_from_model
from auditor.samples import make_report, render_html, render_text
from auditor.store.queries import FindingView, ReportView
from auditor.store.rehydrate import result_from_rows


def test_model_round_trip() -> None:
    for year, render in ((2023, render_html), (2020, render_text)):
        data = render(make_report(9, year=year))
        doc = extract(data if isinstance(data, bytes) else data.encode(),
                      f"r.{'html' if render is render_html else 'txt'}")
        model = doc.to_dict()
        back = document_from_model(model)
        assert {**back.to_dict(), "body_chars": model["body_chars"]} == model
        assert back.template == doc.template


@pytest.mark.parametrize("template", ["2021", "2019", "mixed", "unknown"])
def test_a_report_row_without_its_model_keeps_the_stored_template(template: str) -> None:
    row = ReportView(id=1, run_id=1, site_id="s", document_id=None, version_id=None, source="http://x/1.html",
                     sha256="a" * 64, title="t", agency="某局", year=2022, published=date(2023, 1, 5),
                     published_source="发布时间", template=template, level=None, format="html", error=None,
                     portal=False, audited_run_id=1)
    finding = FindingView(id=1, run_id=1, report_id=1, site_id="s", source=row.source,
                          year=2022, fingerprint="x",
                          rule_id="SEC-009", severity="warning", title="t", message="m",
                          location={"section": "六"},
                          evidence="e", basis="b", fix="f", cells=[("T3", "new", "total")], waived=None,
                          status="new", origin="audit", first_run_id=1)
    result = result_from_rows(row, [finding], None)
    assert result.document is not None and result.document.template == template
    assert result.to_dict()["published"] == "2023-01-05"
    (f,) = result.findings
    assert f.cells == [("T3", "new", "total")] and f.location.section == "六"
