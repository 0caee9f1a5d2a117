"""Extraction of every shared document compared with facts reviewed by hand from the document itself.

``tests/extract/reviewed/<stem>.json`` holds, for each file in ../shared/seeds and ../shared/real, what a
person reading the document finds there: the title as stated, the agency, the report year, the publication
date, each section's heading as written and every cell of T2/T3/T4 (raw text and the number it means). They
were written from the documents (text read directly, HTML table markup and .docx tables dumped with
viewing tools), never from the extractor's output, so they are the acceptance test of extraction: a
failure here names a cell or a field the extractor misreads.

Where the document itself cannot be read unambiguously (digits run together with several possible
splits, rows that lost their labels), the cell is ``{"unreadable": reason}``: a correct extractor gives
no number there and declares the table unreadable (FMT-005). It never guesses.

Comparisons ignore whitespace (line breaks inside cells, full-width and non-breaking spaces) and markdown
emphasis/heading marks around headings and titles; nothing else is normalised.
"""

from __future__ import annotations

import copy
import json
import re
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from auditor.extract import extract
from auditor.model import Cell, Document, Table
from auditor.templates import spec_for
from tests.extract.expected_model import real_documents

REVIEWED = Path(__file__).parent / "reviewed"
DOCS = real_documents()
IDS = [p.name for p in DOCS]
PLACEHOLDERS = frozenset({"/", "／", "-", "－", "—", "——", "无"})
"""Raw texts that stand for "nothing" (DOMAIN.md §3 Cells): kind placeholder, no value."""


def _norm(text: str | None) -> str | None:
    """Text with whitespace (ASCII, full-width, non-breaking) and markdown marks removed."""
    if text is None:
        return None
    return re.sub(r"[\s\u3000\xa0*#]+", "", text)


def facts_path(path: Path) -> Path:
    """The reviewed facts file of a shared document."""
    return REVIEWED / f"{path.stem}.json"


def _facts(path: Path) -> dict[str, Any]:
    target = facts_path(path)
    assert target.exists(), f"{path.name}: no reviewed facts file {target.name}"
    return json.loads(target.read_text(encoding="utf-8"))


@cache
def _extracted(name: str) -> Document:
    """Each document is extracted once for all its aspect tests."""
    path = next(p for p in DOCS if p.name == name)
    return extract(path.read_bytes(), path.name)


def _kind_of(raw: str, value: Any) -> str:
    """The cell kind a reviewed raw text implies (auditor.model.CellKind)."""
    text = _norm(raw) or ""
    if not text:
        return "blank"
    if text in PLACEHOLDERS:
        return "placeholder"
    return "number" if value is not None else "text"


def _same_value(got: Decimal | None, want: Any) -> bool:
    if want is None or got is None:
        return got is None and want is None
    return got == Decimal(str(want))


def _cell_problems(where: str, got: Cell | None, want: dict[str, Any]) -> list[str]:
    """How an extracted cell differs from the reviewed one (empty when it agrees)."""
    if "unreadable" in want:
        if got is not None and got.value is not None:
            return [
                (f"{where}: extracted {got.raw!r} = {got.value}, but the document cannot be read here: "
                 f"{want['unreadable']}")
            ]
        return []
    if got is None:
        return [f"{where}: missing; the document has {want['raw']!r}"]
    problems = []
    if _norm(got.raw) != _norm(want["raw"]):
        problems.append(f"{where}: raw {got.raw!r}, the document has {want['raw']!r}")
    if not _same_value(got.value, want["value"]):
        problems.append(f"{where}: value {got.value}, the document's {want['raw']!r} means {want['value']}")
    kind = _kind_of(want["raw"], want["value"])
    if got.kind != kind:
        problems.append(f"{where}: kind {got.kind!r}, the document's {want['raw']!r} is {kind!r}")
    if "unit" in want and got.unit != want["unit"]:
        problems.append(f"{where}: unit {got.unit!r}, the document writes {want['unit']!r}")
    return problems


def _pairs(doc: Document, facts: dict[str, Any]) -> list[tuple[str, Table | None, dict[str, Any]]]:
    """Reviewed tables paired with extracted ones of the same kind, in document order."""
    pairs = []
    for kind in ("T2", "T3", "T4"):
        got = doc.tables_of(kind)
        want = [t for t in facts["tables"] if t["kind"] == kind]
        for i, table in enumerate(want):
            label = f"{kind}#{i + 1}" if len(want) > 1 else kind
            pairs.append((label, got[i] if i < len(got) else None, table))
    return pairs


@pytest.mark.parametrize("path", DOCS, ids=IDS)
def test_every_document_has_reviewed_facts(path: Path) -> None:
    facts = _facts(path)
    assert facts["document"].endswith(path.name)
    for table in facts["tables"]:
        spec = spec_for(table["kind"], "2021" if table["template"] == "any" else table["template"])
        assert spec is not None, f"{path.name}: {table['kind']} template {table['template']!r} unknown"
        known = {(r.id, c) for r in spec.rows for c in spec.columns_of(r.id)}
        cells = {(r, c) for r, cols in table["cells"].items() for c in cols}
        assert cells == known, (
            f"{path.name} {table['kind']}: not template ids {sorted(cells - known)}, not reviewed "
            f"{sorted(known - cells)}"
        )
        unreadable = any("unreadable" in cell for cols in table["cells"].values() for cell in cols.values())
        assert table["readable"] == (not unreadable), (
            f"{path.name} {table['kind']}: readable={table['readable']} but unreadable cells: {unreadable}"
        )


def test_no_reviewed_facts_without_a_document() -> None:
    stems = {p.stem for p in DOCS}
    orphans = sorted(f.name for f in REVIEWED.glob("*.json") if f.stem not in stems)
    assert not orphans, f"reviewed facts for documents that are not in ../shared: {orphans}"


@pytest.mark.parametrize("path", DOCS, ids=IDS)
def test_title_agency_year_published(path: Path) -> None:
    facts = _facts(path)
    doc = _extracted(path.name)
    got = {
        "title": _norm(doc.title),
        "agency": doc.agency,
        "year": doc.year,
        "published": doc.published.isoformat() if doc.published else None,
    }
    want = {
        "title": _norm(facts["title"]),
        "agency": facts["agency"],
        "year": facts["year"],
        "published": facts["published"],
    }
    wrong = [f"{k}: extracted {got[k]!r}, the document says {want[k]!r}" for k in want if got[k] != want[k]]
    assert not wrong, f"{path.name}:\n" + "\n".join(wrong)


@pytest.mark.parametrize("path", DOCS, ids=IDS)
def test_sections_and_headings(path: Path) -> None:
    facts = _facts(path)
    doc = _extracted(path.name)
    got = {s.key: s.heading for s in doc.sections}
    unasserted = set(facts.get("sections_unasserted", []))
    wrong = []
    for key, heading in facts["sections"].items():
        if heading is None:
            if key in got and key not in unasserted:
                wrong.append(
                    f"section {key}: the document has no such section, extracted heading {got[key]!r}"
                )
            continue
        if key not in got:
            wrong.append(f"section {key}: missing; the document's heading is {heading!r}")
        elif _norm(got[key]) != _norm(heading):
            wrong.append(f"section {key}: heading {got[key]!r}, the document writes {heading!r}")
    assert not wrong, f"{path.name}:\n" + "\n".join(wrong)


@pytest.mark.parametrize("path", DOCS, ids=IDS)
def test_tables_found_with_their_template(path: Path) -> None:
    facts = _facts(path)
    doc = _extracted(path.name)
    got = [(t.kind, t.template, t.section) for t in doc.tables]
    want = [(t["kind"], t["template"], t["section"]) for t in facts["tables"]]
    got_kinds = sorted(k for k, _, _ in got)
    want_kinds = sorted(k for k, _, _ in want)
    assert got_kinds == want_kinds, f"{path.name}: tables {got}, the document has {want}"
    wrong = []
    for label, table, reviewed in _pairs(doc, facts):
        assert table is not None
        if reviewed["template"] != "any" and table.template != reviewed["template"]:
            wrong.append(f"{label}: template {table.template}, the document's is {reviewed['template']}")
        if table.section != reviewed["section"]:
            wrong.append(f"{label}: in section {table.section}, the document has it in {reviewed['section']}")
    assert not wrong, f"{path.name}:\n" + "\n".join(wrong)


def cell_differences(doc: Document, facts: dict[str, Any]) -> list[str]:
    """Every cell where the extracted tables differ from the reviewed ones, named by table, row and column."""
    wrong: list[str] = []
    for label, table, reviewed in _pairs(doc, facts):
        if table is None:
            wrong.append(f"{label}: not found")
            continue
        for row, cols in reviewed["cells"].items():
            for col, want in cols.items():
                wrong += _cell_problems(f"{label} {row}/{col}", table.cell(row, col), want)
        invented = sorted(f"{r}/{c}" for r, c in table.cells if c not in reviewed["cells"].get(r, {}))
        if invented:
            wrong.append(f"{label}: cells the document does not have: {invented}")
    return wrong


@pytest.mark.parametrize("path", DOCS, ids=IDS)
def test_table_cells(path: Path) -> None:
    wrong = cell_differences(_extracted(path.name), _facts(path))
    assert not wrong, f"{path.name}: {len(wrong)} cell(s) differ\n" + "\n".join(wrong)


def readability_differences(doc: Document, facts: dict[str, Any]) -> list[str]:
    """Tables whose readability (and FMT-005 issue) differs from what the document allows."""
    wrong = []
    for label, table, reviewed in _pairs(doc, facts):
        if table is None:
            wrong.append(f"{label}: not found")
        elif table.readable != reviewed["readable"]:
            default = "every cell can be read" if reviewed["readable"] else "some cells cannot be read"
            why = reviewed.get("unreadable_reason", default)
            wrong.append(
                f"{label}: readable={table.readable}, the document: readable={reviewed['readable']} ({why})"
            )
    flagged = sorted({i.table for i in doc.issues if i.code == "FMT-005" and i.table})
    unreadable = sorted({t["kind"] for t in facts["tables"] if not t["readable"]})
    if flagged != unreadable:
        wrong.append(f"FMT-005 issued for {flagged}, the unreadable tables are {unreadable}")
    return wrong


@pytest.mark.parametrize("path", DOCS, ids=IDS)
def test_readability(path: Path) -> None:
    wrong = readability_differences(_extracted(path.name), _facts(path))
    assert not wrong, f"{path.name}:\n" + "\n".join(wrong)


# -- the comparison itself: it must see a changed cell, an invented number and a wrong readability ---------


SEED_001 = next(p for p in DOCS if p.name.startswith("001_"))


def test_a_changed_cell_is_named() -> None:
    facts = copy.deepcopy(_facts(SEED_001))
    t3 = next(t for t in facts["tables"] if t["kind"] == "T3")
    assert cell_differences(_extracted(SEED_001.name), facts) == []
    t3["cells"]["new"]["natural"] = {"raw": "13", "value": 13}
    t3["cells"]["granted"]["total"] = {"raw": "", "value": None}
    wrong = cell_differences(_extracted(SEED_001.name), facts)
    assert any(w.startswith("T3 new/natural: raw '12'") for w in wrong), wrong
    assert any(w.startswith("T3 new/natural: value 12") for w in wrong), wrong
    assert any(w.startswith("T3 granted/total: kind 'number'") for w in wrong), wrong


def test_a_number_where_the_document_is_unreadable_is_named() -> None:
    facts = copy.deepcopy(_facts(SEED_001))
    t4 = next(t for t in facts["tables"] if t["kind"] == "T4")
    t4["cells"]["suit_direct"]["upheld"] = {"unreadable": "run together"}
    t4["readable"] = False
    wrong = cell_differences(_extracted(SEED_001.name), facts)
    assert wrong == [
        "T4 suit_direct/upheld: extracted '2' = 2, but the document cannot be read here: run together"
    ]
    assert readability_differences(_extracted(SEED_001.name), facts) == [
        "T4: readable=True, the document: readable=False (some cells cannot be read)",
        "FMT-005 issued for [], the unreadable tables are ['T4']",
    ]


def test_a_cell_the_document_lacks_is_named() -> None:
    facts = copy.deepcopy(_facts(SEED_001))
    t2 = next(t for t in facts["tables"] if t["kind"] == "T2")
    del t2["cells"]["fees"]
    assert cell_differences(_extracted(SEED_001.name), facts) == [
        "T2: cells the document does not have: ['fees/amount']"
    ]
