"""Cells read as written are one shared object per text (issue 12): a shared cell is never changed,
so marking a recovery (position, split) never leaks into another row, table or document."""

from __future__ import annotations

from pathlib import Path

from auditor.extract.api import extract
from auditor.extract.cells import parse_cell, shared_cell
from auditor.extract.ir import NotAReport
from auditor.extract.tables import _put_row
from auditor.model import Table

SHARED = Path(__file__).resolve().parents[2].parent / "shared"


def test_shared_cell_is_one_object_equal_to_the_fresh_parse() -> None:
    for raw in ("5", "", "/", "12件", "十二", "１２", "1,234", "-3", "abc"):
        assert shared_cell(raw) is shared_cell(raw)
        assert shared_cell(raw) == parse_cell(raw)


def test_marking_a_recovery_copies_the_shared_cell() -> None:
    table = Table(kind="T3", template="2021", section="三")
    _put_row(table, "new", ("natural", "total"), [shared_cell("7"), shared_cell("7")], "position")
    assert table.cells[("new", "natural")].recovered == "position"
    assert table.cells[("new", "natural")] is not shared_cell("7")
    assert shared_cell("7").recovered is None
    _put_row(table, "carried", ("natural",), [shared_cell("7")], None)
    assert table.cells[("carried", "natural")] is shared_cell("7")


def test_no_shared_cell_is_changed_by_extraction() -> None:
    """Every document of ../shared (rows placed by position and digits split among them): afterwards
    the shared cell of each text read still says nothing of a recovery, and each cell of a table that
    was recovered is an object of its own."""
    files = sorted((SHARED / "real").iterdir()) + sorted((SHARED / "seeds").iterdir())
    files = [p for p in files if p.suffix in (".txt", ".md", ".html", ".docx")]
    assert files
    recovered = 0
    for path in files:
        try:
            doc = extract(path.read_bytes(), path.name)
        except NotAReport:
            continue  # the blank template
        for table in doc.tables:
            for cell in table.cells.values():
                assert shared_cell(cell.raw).recovered is None, (path.name, cell)
                if cell.recovered is not None:
                    recovered += 1
                    assert cell is not shared_cell(cell.raw)
    assert recovered  # the shared documents do recover cells (seed 002, the 平潭 archive)
