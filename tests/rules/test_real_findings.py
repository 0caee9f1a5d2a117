"""Every shared report (../shared/real and ../shared/seeds) gives exactly its reviewed findings.

The expected findings live in ``tests/rules/expected_findings/<file stem>.yaml``, one file per
document, each finding reviewed against the document with a comment saying why it is right.  As in
checkov's rule tests, the comparison is exact: an unexpected finding fails as loudly as a missing one,
and the multiset is compared (two SEC-005 findings for two missing aspects are two findings).

All documents are audited once per module, as one batch, the way ``nianbao audit`` audits a folder:
reports of the same body in consecutive years meet in the batch, so the across-year checks (BAL-005,
BAL-006) run for the 平潭 and 河北省教育厅 series.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml

from auditor.findings.model import Finding, Location, ReportResult
from tests.rules.support import SHARED, audit_files

EXPECTED_DIR = Path(__file__).parent / "expected_findings"
RULES_DIR = Path(__file__).resolve().parents[2] / "rules"
DOCUMENT_DIRS = (SHARED / "real", SHARED / "seeds")
KEY_FIELDS = ("rule_id", "severity", "section", "table", "row", "column")
OPTIONAL = "optional"
"""An entry marked ``optional: true`` may be found or not: only where DOMAIN.md accepts two outcomes
(seed 002's label-less rows: recovered by position, or FMT-005).  Its comment must say why."""

Key = tuple[str | None, ...]


def shared_documents() -> dict[str, Path]:
    """Every audited document of ../shared by file stem (README.md is the folder's description)."""
    docs: dict[str, Path] = {}
    for folder in DOCUMENT_DIRS:
        for path in sorted(folder.iterdir()):
            if path.is_file() and path.name != "README.md":
                docs[path.stem] = path
    return docs


def load_expected(stem: str) -> tuple[list[Key], list[Key]]:
    """The reviewed findings of one document as (rule_id, severity, section, table, row, column):
    (required, optional)."""
    data = yaml.safe_load((EXPECTED_DIR / f"{stem}.yaml").read_text(encoding="utf-8")) or {}
    required: list[Key] = []
    optional: list[Key] = []
    for entry in data.get("findings") or []:
        unknown = set(entry) - {*KEY_FIELDS, OPTIONAL}
        assert not unknown, f"{stem}.yaml: unknown keys {sorted(unknown)} in {entry}"
        (optional if entry.get(OPTIONAL) is True else required).append(expected_key(entry))
    return required, optional


def expected_key(entry: Mapping[str, Any]) -> Key:
    """A YAML entry as a comparison key; absent location fields are None, as in findings.json."""
    assert entry.get("rule_id") and entry.get("severity") in ("error", "warning", "info"), entry
    return tuple(None if entry.get(f) is None else str(entry[f]) for f in KEY_FIELDS)


def finding_key(finding: Finding) -> Key:
    loc: Location = finding.location
    return (finding.rule_id, finding.severity, loc.section, loc.table, loc.row, loc.column)


def compare(
    expected: Iterable[Key], findings: Iterable[Finding], optional: Iterable[Key] = ()
) -> tuple[list[str], list[str]]:
    """(unexpected, missing): findings beyond the expected multiset (and the optional ones), and
    expected ones not found.

    An unexpected finding is described with its message and evidence, so the failure says what the
    auditor claimed and where."""
    found = list(findings)
    want = Counter(expected)
    got = Counter(finding_key(f) for f in found)
    unexpected: list[str] = []
    for key, count in (got - want - Counter(optional)).items():
        examples = [f for f in found if finding_key(f) == key][:count]
        unexpected.extend(f"{_show(key)} — {f.message} [证据：{f.evidence}]" for f in examples)
    missing = [_show(key) for key, count in (want - got).items() for _ in range(count)]
    return sorted(unexpected), sorted(missing)


def _show(key: Key) -> str:
    rule_id, severity, *where = key
    return f"{rule_id} ({severity}) at " + " / ".join("-" if w is None else w for w in where)


DOCUMENTS = shared_documents()


@pytest.fixture(scope="module")
def audited() -> dict[str, ReportResult]:
    stems = sorted(DOCUMENTS)
    results = audit_files([DOCUMENTS[s] for s in stems])
    return dict(zip(stems, results, strict=True))


def test_every_shared_document_has_reviewed_findings():
    files = {p.stem for p in EXPECTED_DIR.glob("*.yaml")}
    assert files == set(DOCUMENTS), (
        f"no expected file for {sorted(set(DOCUMENTS) - files)}; "
        f"expected file without document {sorted(files - set(DOCUMENTS))}"
    )


@pytest.mark.parametrize("stem", sorted(DOCUMENTS))
def test_findings_are_exactly_the_reviewed_ones(audited, stem):
    required, optional = load_expected(stem)
    unexpected, missing = compare(required, audited[stem].findings, optional)
    lines = [f"{DOCUMENTS[stem].name}: findings differ from the reviewed ones"]
    lines += ["unexpected:", *(f"  + {u}" for u in unexpected)] if unexpected else []
    lines += ["missing:", *(f"  - {m}" for m in missing)] if missing else []
    if unexpected or missing:
        pytest.fail("\n".join(lines), pytrace=False)


# -- the harness itself ---------------------------------------------------------------------------


def _finding(rule_id: str, severity: str, **where: str | None) -> Finding:
    return Finding(rule_id=rule_id, severity=severity, title="", message="m", location=Location(**where))


def test_compare_reports_extra_missing_and_duplicate_findings():
    bal = ("BAL-002", "error", "三", "T3", "（七）总计", "总计")
    sec = ("SEC-005", "warning", "一", None, None, None)
    one_sec = _finding("SEC-005", "warning", section="一")
    bal_found = _finding("BAL-002", "error", section="三", table="T3", row="（七）总计", column="总计")
    assert compare([bal, sec], [bal_found, one_sec]) == ([], [])
    # a second finding at the same place is unexpected when one is expected: multisets, not sets
    unexpected, missing = compare([bal, sec], [bal_found, one_sec, one_sec])
    assert len(unexpected) == 1 and unexpected[0].startswith("SEC-005 (warning) at 一") and not missing
    # the same rule at another column or with another severity is both unexpected and missing
    other_col = _finding("BAL-002", "error", section="三", table="T3", row="（七）总计", column="自然人")
    unexpected, missing = compare([bal], [other_col])
    assert [u.split(" — ")[0] for u in unexpected] == ["BAL-002 (error) at 三 / T3 / （七）总计 / 自然人"]
    assert missing == ["BAL-002 (error) at 三 / T3 / （七）总计 / 总计"]
    unexpected, missing = compare([sec], [_finding("SEC-005", "info", section="一")])
    assert unexpected and missing
    # an optional finding may be there once, or not at all
    fmt = ("FMT-005", "error", "三", "T3", None, None)
    fmt_found = _finding("FMT-005", "error", section="三", table="T3")
    assert compare([], [fmt_found], [fmt]) == ([], []) == compare([], [], [fmt])
    assert compare([], [fmt_found, fmt_found], [fmt])[0]


def test_expected_files_name_known_rules():
    """A typo in a rule id would make an expected finding that can never be found."""
    known = {p.stem for p in RULES_DIR.glob("*.yaml")}
    for path in sorted(EXPECTED_DIR.glob("*.yaml")):
        required, optional = load_expected(path.stem)
        unknown = {key[0] for key in [*required, *optional]} - known
        assert not unknown, f"{path.name}: unknown rule ids {sorted(unknown)}"


def test_harness_passes_on_a_document_the_auditor_reads_right(audited):
    """Seed 001 (卫滨区人民政府 2022) is read correctly today: the comparison must accept it, and must
    reject it when one reviewed finding is dropped or one is added."""
    expected, _ = load_expected("001_d64735f63f421535")
    findings = audited["001_d64735f63f421535"].findings
    assert compare(expected, findings) == ([], [])
    assert compare(expected[1:], findings)[0], "a finding beyond the expected ones is reported"
    assert compare([*expected, expected[0]], findings)[1], "an expected finding not found is reported"
