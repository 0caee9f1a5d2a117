"""The five seeds give the findings of DOMAIN.md section 7: exact sets of errors and of warnings.

An extra error or warning fails as loudly as a missing one.  Where this audit finds more than the
table lists ("at least these findings are expected; more may be right"), the extra is named here with
the reason it is right.
"""

from __future__ import annotations

import pytest

from auditor.findings.model import ReportResult
from tests.rules.support import SEEDS, audit_files, rule_ids

EXPECTED = {
    "000": {
        "error": {"FMT-001", "BAL-002"},
        # SEC-005 beyond section 7: its 总体情况 names none of 主动公开, 依申请公开, 政府信息管理, 监督保障
        # (the 2021 format requires the five aspects; the text speaks of staffing, the website and media).
        "warning": {"DOC-001", "FMT-003", "SEC-009", "SEC-005"},
        "info": {"SEC-003"},
    },
    "001": {"error": set(), "warning": set(), "info": set()},
    "002": {"error": set(), "warning": set(), "info": {"SEC-003"}},
    "003": {"error": set(), "warning": {"DOC-001", "DOC-002"}, "info": set()},
    "004": {"error": set(), "warning": {"VAL-003", "SEC-009"}, "info": {"FMT-006"}},
}


@pytest.fixture(scope="module")
def seeds() -> dict[str, ReportResult]:
    paths = sorted(SEEDS.glob("*.txt"))
    return {p.name[:3]: r for p, r in zip(paths, audit_files(paths), strict=True)}


def _expected_errors(key: str, result: ReportResult) -> set[str]:
    """Seed 002's T3 lost its row labels: recovering them is extraction's choice; if it does not, the
    table is unreadable and FMT-005 is the error — never a balance finding."""
    expected = set(EXPECTED[key]["error"])
    doc = result.document
    if key == "002" and doc is not None and not doc.table("T3").readable:
        expected.add("FMT-005")
    return expected


@pytest.mark.parametrize("key", sorted(EXPECTED))
def test_errors_are_exactly_the_expected_ones(seeds, key):
    assert rule_ids(seeds[key], "error") == _expected_errors(key, seeds[key])


@pytest.mark.parametrize("key", sorted(EXPECTED))
def test_warnings_are_exactly_the_expected_ones(seeds, key):
    assert rule_ids(seeds[key], "warning") == EXPECTED[key]["warning"]


@pytest.mark.parametrize("key", sorted(EXPECTED))
def test_expected_infos_are_found(seeds, key):
    assert EXPECTED[key]["info"] <= rule_ids(seeds[key], "info")


def test_000_imbalance_is_reported_per_column_with_the_arithmetic(seeds):
    found = [f for f in seeds["000"].findings if f.rule_id == "BAL-002"]
    assert {f.location.column for f in found} == {"自然人", "总计"}
    assert {f.evidence for f in found} == {"第一项 0 + 第二项 0 ≠ （七）总计 2 + 第四项 0"}
    assert all(f.location.table == "T3" and f.location.section == "三" for f in found)
    assert ("T3", "total", "natural") in found[0].cells or ("T3", "total", "total") in found[0].cells


def test_000_both_old_format_tables_are_named(seeds):
    assert {f.location.table for f in seeds["000"].findings if f.rule_id == "FMT-001"} == {"T2", "T3"}


def test_001_text_agrees_with_its_tables(seeds):
    assert not [f for f in seeds["001"].findings if f.rule_id.startswith(("TXT-", "BAL-"))]


def test_002_unreadable_table_invents_no_balance_finding(seeds):
    found = seeds["002"].findings
    assert not [f for f in found if f.rule_id.startswith("BAL-")]
    unreadable = [f for f in found if f.rule_id == "FMT-005"]
    for finding in unreadable:
        assert "BAL-002" in finding.message, "the checks it prevents are named"


def test_003_text_agrees_with_t2(seeds):
    assert not [f for f in seeds["003"].findings if f.rule_id == "TXT-004"]


def test_004_blank_rows_are_named_with_their_columns(seeds):
    rows = {f.location.row for f in seeds["004"].findings if f.rule_id == "VAL-003"}
    assert rows == {"（一）予以公开", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"}


def test_every_finding_explains_itself(seeds):
    for result in seeds.values():
        for f in result.findings:
            assert f.message and f.basis and f.fix and f.fingerprint, f
            assert "{" not in f.message, f.message
