"""The expected-model snapshots (tests/extract/expected/*.json, written by ``expected_model``) agree with
the facts reviewed by hand from each document (tests/extract/reviewed/*.json).

The snapshots pin everything extraction says, so a regression shows as a diff; the reviewed facts say
what the document says.  A snapshot regenerated from a misreading would pin the misreading: this test
keeps every snapshot value that a reviewed fact covers — title, agency, year, publication date, tables
and every cell — equal to the reviewed one."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from auditor.model import Cell
from tests.extract.expected_model import expected_path, real_documents
from tests.extract.test_reviewed_facts import _cell_problems, _norm, facts_path

DOCS = real_documents()


def _cell(snapshot: dict[str, Any]) -> Cell:
    value = snapshot.get("value")
    return Cell(
        raw=snapshot.get("raw", ""),
        kind=snapshot["kind"],
        value=Decimal(str(value)) if value is not None else None,
        unit=snapshot.get("unit"),
    )


def snapshot_differences(snapshot: dict[str, Any], facts: dict[str, Any]) -> list[str]:
    """Every value of a snapshot that a reviewed fact contradicts."""
    wrong = []
    for key, got in (
        ("title", _norm(snapshot["title"])),
        ("agency", snapshot["agency"]),
        ("year", snapshot["year"]),
        ("published", snapshot["published"]),
    ):
        want = _norm(facts[key]) if key == "title" else facts[key]
        if got != want:
            wrong.append(f"{key}: snapshot {got!r}, the document says {want!r}")
    for kind in ("T2", "T3", "T4"):
        got_tables = [t for t in snapshot["tables"] if t["kind"] == kind]
        want_tables = [t for t in facts["tables"] if t["kind"] == kind]
        if len(got_tables) != len(want_tables):
            wrong.append(f"{kind}: {len(got_tables)} table(s) in the snapshot, the document has "
                         f"{len(want_tables)}")
            continue
        for i, (got, want) in enumerate(zip(got_tables, want_tables, strict=True)):
            wrong += _table_differences(f"{kind}#{i + 1}" if len(want_tables) > 1 else kind, got, want)
    return wrong


def _table_differences(label: str, got: dict[str, Any], want: dict[str, Any]) -> list[str]:
    """Every value of one snapshot table that its reviewed table contradicts."""
    wrong = []
    if want["template"] != "any" and got["template"] != want["template"]:
        wrong.append(f"{label}: template {got['template']}, the document's is {want['template']}")
    if got["section"] != want["section"] or got["readable"] != want["readable"]:
        wrong.append(
            f"{label}: section/readable {got['section']}/{got['readable']}, "
            f"the document {want['section']}/{want['readable']}"
        )
    cells = got["cells"]
    for row, cols in want["cells"].items():
        for col, fact in cols.items():
            snap = cells.get(row, {}).get(col)
            wrong += _cell_problems(f"{label} {row}/{col}", _cell(snap) if snap else None, fact)
    invented = sorted(
        f"{r}/{c}" for r, cols in cells.items() for c in cols if c not in want["cells"].get(r, {})
    )
    if invented:
        wrong.append(f"{label}: cells the document does not have: {invented}")
    return wrong


@pytest.mark.parametrize("path", DOCS, ids=[p.name for p in DOCS])
def test_snapshot_agrees_with_reviewed_facts(path: Path) -> None:
    snapshot_file = expected_path(path)
    assert snapshot_file.exists(), f"{path.name}: no expected model {snapshot_file.name}"
    snapshot = json.loads(snapshot_file.read_text(encoding="utf-8"))
    facts = json.loads(facts_path(path).read_text(encoding="utf-8"))
    wrong = snapshot_differences(snapshot, facts)
    assert not wrong, f"{snapshot_file.name}:\n" + "\n".join(wrong)


def test_a_wrong_snapshot_cell_is_named() -> None:
    path = next(p for p in DOCS if p.name.startswith("001_"))
    snapshot = json.loads(expected_path(path).read_text(encoding="utf-8"))
    facts = json.loads(facts_path(path).read_text(encoding="utf-8"))
    t3 = next(t for t in snapshot["tables"] if t["kind"] == "T3")
    t3["cells"]["new"]["natural"] = {"raw": "999", "kind": "number", "value": 999}
    snapshot["agency"] = "某某"
    wrong = snapshot_differences(snapshot, facts)
    assert any("T3 new/natural" in w for w in wrong) and any(w.startswith("agency") for w in wrong)
