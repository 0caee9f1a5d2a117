"""Across-year linking (BAL-005/BAL-006) of one body's reports when one names it short ("省教育厅") and
the other in full ("河北省教育厅"): linked when exactly one report of the year before is so named."""

from __future__ import annotations

from auditor.engine.rulebase import previous_reports
from auditor.model import Document


def _doc(agency: str, year: int) -> Document:
    return Document(source=f"{agency}-{year}", sha256="0", format="txt", agency=agency, year=year)


def test_short_name_links_to_the_one_full_name_of_the_year_before() -> None:
    docs = [_doc("河北省教育厅", 2021), _doc("省教育厅", 2022), _doc("河北省教育厅", 2023)]
    found = previous_reports(docs)
    assert found[1] is docs[0]
    assert found[2] is docs[1]


def test_ambiguous_short_name_is_not_linked() -> None:
    docs = [_doc("河北省教育厅", 2021), _doc("山西省教育厅", 2021), _doc("省教育厅", 2022)]
    assert 2 not in previous_reports(docs)


def test_a_kind_of_body_is_not_a_name() -> None:
    docs = [_doc("河北省教育厅", 2021), _doc("教育厅", 2022)]
    assert previous_reports(docs) == {}
