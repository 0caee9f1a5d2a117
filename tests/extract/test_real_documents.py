"""Extraction of real reports compared, in full, with reviewed expected models."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from auditor.extract import extract
from tests.extract.expected_model import SHARED, expected_path, expected_view, real_documents

DOCS = real_documents()


@pytest.mark.parametrize("path", DOCS, ids=[p.name for p in DOCS])
def test_full_model_matches_reviewed_expectation(path):
    expected = json.loads(expected_path(path).read_text(encoding="utf-8"))
    assert expected_view(path) == expected


def _doc(name):
    for base in ("seeds", "real"):
        matches = sorted((SHARED / base).glob(f"{name}*"))
        if matches:
            return extract(matches[0].read_bytes(), matches[0].name)
    raise FileNotFoundError(name)


def test_seed_000_has_both_t2_formats_and_a_2019_t3():
    doc = _doc("000_")
    assert [t.template for t in doc.tables_of("T2")] == ["2021", "2019"]
    t3 = doc.table("T3")
    assert t3.template == "2019" and t3.readable
    assert t3.value("total", "natural") == 2 and t3.value("new", "natural") == 0
    assert doc.template == "mixed"


def test_seed_001_balances_as_the_report_states():
    doc = _doc("001_")
    t3 = doc.table("T3")
    assert (t3.value("new", "total"), t3.value("carried", "total")) == (12, 0)
    assert (t3.value("total", "total"), t3.value("carry_next", "total")) == (12, 0)
    assert doc.table("T4").value("suit_direct", "upheld") == 2
    assert doc.table("T2").value("fees", "amount") == Decimal("104.133")


def test_seed_002_lost_labels_are_reported_not_guessed():
    doc = _doc("002_")
    t3 = doc.table("T3")
    assert not t3.readable
    assert [i.code for i in doc.issues] == ["FMT-005"]
    assert doc.section("一").heading == "一、概述"


def test_seed_004_rows_with_only_a_total_keep_their_blanks():
    t3 = _doc("004_").table("T3")
    assert t3.readable
    assert [t3.cell("granted", c).kind for c in ("natural", "legal", "total")] == ["blank", "blank", "number"]
    assert t3.col_labels["public_interest"] == "社会组织"
    assert t3.row_labels["denied_2"] == "2.其他法律法规禁止公开"


def test_run_together_digits_are_split_only_when_unique():
    doc = _doc("pingtan-2022")
    t3 = doc.table("T3")
    assert t3.readable
    assert [t3.value("new", c) for c in ("natural", "commercial", "total")] == [71, 3, 74]
    t2 = doc.table("T2")
    assert not t2.readable and t2.cell("normative", "issued") is None
    assert t2.value("rules", "in_force") == 0  # "000" can only be 0, 0, 0
    t4 = doc.table("T4")
    assert [t4.value("review", c) for c in ("upheld", "corrected", "other", "pending",
                                            "total")] == [0, 1, 1, 0, 2]


def test_misnumbered_sections_are_matched_by_wording():
    doc = _doc("shanghai-kewei")
    keys = {s.key: s.heading for s in doc.sections}
    assert keys["二"] == "一、主动公开政府信息情况"
    assert keys["三"] == "二、收到和处理政府信息公开申请情况"
    assert not doc.section("二").numbering_ok
    # The heading of 五 is not in the text, but its content is, under "（一）主要问题" / "（二）改进情况"
    # after 表四: present without a heading (SEC-003), never missing (SEC-001).
    assert keys["五"] == ""
    assert doc.section("五").text.startswith("（一）主要问题")
    assert "（一）主要问题" not in doc.section("四").text


@pytest.mark.parametrize("path", DOCS, ids=[p.name for p in DOCS])
def test_model_dict_round_trips(path):
    from auditor.model import document_from_dict

    doc = extract(path.read_bytes(), path.name)
    again = document_from_dict(doc.to_dict())
    assert {**again.to_dict(), "body_chars": 0} == {**doc.to_dict(), "body_chars": 0}  # the body is not kept
    assert again.tables == doc.tables and again.sections == doc.sections
