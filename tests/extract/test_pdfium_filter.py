"""FastPage.filter keeps what an eager filter keeps, and tests a kind of object only when it is read."""

from __future__ import annotations

from typing import Any

from auditor.extract.readers import pdfium_pages
from auditor.samples import make_report, render_pdf


def test_filter_is_an_eager_filter_tested_on_demand() -> None:
    doc = pdfium_pages.open_document(render_pdf(make_report(3, year=2022, level="department")))
    try:
        page = next(doc.pages())
        tested: list[str] = []

        def odd_chars(obj: dict[str, Any]) -> bool:
            tested.append(obj["object_type"])
            return obj["object_type"] != "char" or int(obj["x0"]) % 2 == 1

        filtered = page.filter(odd_chars)
        assert not tested  # nothing tested before a kind is read
        assert filtered.chars == [c for c in page.chars if int(c["x0"]) % 2 == 1]
        assert filtered.chars and len(filtered.chars) < len(page.chars)
        assert set(tested) == {"char"}  # the ruling edges were never tested for the characters
        assert filtered.lines == page.lines and filtered.images == page.images
        assert filtered.objects.get("curve") is None and sorted(filtered.objects) == sorted(page.objects)
        count = len(tested)
        assert filtered.chars == filtered.chars and len(tested) == count  # each kind tested once
    finally:
        doc.close()
