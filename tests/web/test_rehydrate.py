"""Stored models back into documents: the round trip is exact."""

from __future__ import annotations

from auditor.extract import extract
from auditor.samples import make_report, render_html, render_text
from auditor.web.rehydrate import document_from_model


def test_model_round_trip() -> None:
    for year, render in ((2023, render_html), (2020, render_text)):
        data = render(make_report(9, year=year))
        doc = extract(data if isinstance(data, bytes) else data.encode(), f"r.{'html' if render is render_html else 'txt'}")
        model = doc.to_dict()
        back = document_from_model(model)
        assert {**back.to_dict(), "body_chars": model["body_chars"]} == model
        assert back.template == doc.template
