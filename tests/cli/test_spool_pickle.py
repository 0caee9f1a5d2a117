"""The document model as the audit's spool pickles it (auditor/model.py's reducers): every document
reads back equal field by field and cell by cell — the raw text, the kind, the value with its exact
digits and exponent, and the cells' order — generated and real, and tables with every odd cell."""

from __future__ import annotations

import gc
import pickle
from dataclasses import fields
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from auditor.engine.samples import render_sample
from auditor.findings.model import ReportResult
from auditor.model import Cell, Document, ExtractionIssue, Section, Table
from auditor.pipeline import AuditInput, extract_one
from nianbao import audit_run
from tests.extract.expected_model import SHARED


def _same(a: Any, b: Any, where: str = "") -> None:
    """``a`` and ``b`` equal in every field, of the same types; Decimals with the same digits and
    exponent (``==`` alone takes 1.0 for 1), dicts in the same order."""
    assert type(a) is type(b), where
    if isinstance(a, Decimal):
        assert a.as_tuple() == b.as_tuple(), where
    elif isinstance(a, dict):
        assert list(a) == list(b), where
        for key in a:
            _same(a[key], b[key], f"{where}[{key!r}]")
    elif isinstance(a, list | tuple):
        assert len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            _same(x, y, f"{where}[{i}]")
    elif hasattr(a, "__dataclass_fields__"):
        for f in fields(a):
            _same(getattr(a, f.name), getattr(b, f.name), f"{where}.{f.name}")
    else:
        assert a == b, where


def _round_trip(obj: Any) -> Any:
    return pickle.loads(pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL))


def _generated() -> list[tuple[str, bytes]]:
    specs: list[dict[str, Any]] = [
        {"seed": 1, "year": 2022},
        {"seed": 2, "year": 2020, "level": "government"},
        {"seed": 3, "year": 2023, "cells": {"T3.new.natural": "十二", "T3.new.total": "１２"}},
        {"seed": 4, "year": 2021, "cells": {"T2.fee.amount": "251000元", "T3.carried.total": "/"}},
        {"seed": 5, "year": 2024, "cells": {"T3.new.commercial": "", "T4.review.upheld": "-3"}},
        {"seed": 6, "year": 2022, "cells": {"T2.fee.amount": "12.50", "T3.new.other_org": "1,234"}},
    ]
    return [
        (f"gen-{spec['seed']}.{fmt}", render_sample(spec, fmt))
        for spec in specs
        for fmt in ("txt", "md", "html", "docx")
    ]


def _real() -> list[tuple[str, bytes]]:
    paths = [p for p in sorted((SHARED / "real").iterdir()) if p.suffix in (".txt", ".md", ".html", ".docx")]
    return [(str(p), p.read_bytes()) for p in [*paths, *sorted((SHARED / "seeds").iterdir())]]


@pytest.mark.parametrize("corpus", [_generated, _real], ids=["generated", "real"])
def test_documents_read_back_equal_field_by_field(corpus):  # type: ignore[no-untyped-def]
    results = [extract_one(AuditInput(data, source)) for source, data in corpus()]
    docs = [r.document for r in results if r.document is not None]
    assert len(docs) >= 10
    cells = [c for d in docs for t in d.tables for c in t.cells.values()]
    assert {c.kind for c in cells} >= {"number", "blank"}, "the corpus has odd cells as well as numbers"
    for result in results:
        _same(result, _round_trip(result), result.source)


def _odd_table() -> Table:
    cells = {
        ("new", "natural"): Cell("12", "number", Decimal("12")),
        ("new", "commercial"): Cell("", "blank"),
        ("new", "research"): Cell("/", "placeholder"),
        ("new", "other_org"): Cell("十二", "text", Decimal(12), reading="中文数字"),
        ("new", "legal"): Cell("１２", "text", Decimal(12), reading="全角数字"),
        ("new", "total"): Cell("251000元", "number", Decimal("251000"), unit="元"),
        ("carried", "natural"): Cell("1,234", "number", Decimal("1234")),
        ("carried", "total"): Cell("7", "number", Decimal("7"), recovered="position"),
        ("fee", "amount"): Cell("12.50", "number", Decimal("12.50")),
        ("fee", "amount2"): Cell("1.0", "number", Decimal("1")),  # equal value, other digits
        ("fee", "amount3"): Cell("1E+2", "number", Decimal("1E+2")),
        ("fee", "amount4"): Cell("-0", "number", Decimal("-0")),
        ("fee", "amount5"): Cell("-3", "number", Decimal("-3")),
        ("fee", "amount6"): Cell("5", "number", 5),  # type: ignore[arg-type]  # an int: kept an int
        ("fee", "amount7"): Cell("abc", "text"),
        ("fee", "amount8"): Cell("0", "number", None),
    }
    return Table(
        kind="T3", template="2021", section="三", cells=cells, row_labels={"new": "一、本年新收"},
        col_labels={"natural": "自然人"}, readable=False, problems=["行缺失"], image_only=False,
        extra_rows=["小计"], extra_columns=["备注"], notes=["按位置恢复"],
    )  # fmt: skip


def test_odd_cells_read_back_as_they_were():
    table = _odd_table()
    back = _round_trip(table)
    _same(table, back)
    assert type(back.cells["fee", "amount6"].value) is int
    assert str(back.cells["fee", "amount2"].value) == "1"
    assert str(back.cells["fee", "amount3"].value) == "1E+2"


def test_plain_number_cells_are_pickled_as_their_raw_text():
    """The compact form: a cell that is only its number costs its text, not a Cell and a Decimal."""
    cells = {("r", f"c{i}"): Cell(str(i), "number", Decimal(i)) for i in range(200)}
    plain = Table("T3", "2021", cells=cells)
    cells_alone = pickle.dumps(list(plain.cells.values()), protocol=5)  # each a Cell and a Decimal
    keys = pickle.dumps(list(plain.cells), protocol=5)
    assert len(pickle.dumps(plain, protocol=5)) - len(keys) < len(cells_alone) / 3
    _same(plain, _round_trip(plain))


@pytest.mark.parametrize(("kind", "template"), [("T2", "2021"), ("T3", "2019"), ("T4", "unknown")])
def test_a_whole_template_table_is_pickled_without_its_keys(kind: str, template: str):
    """A table with the template's cells in the template's order leaves its keys out (they are read
    back from auditor.templates); the same cells in another order, or one missing, keep theirs."""
    from auditor.templates import SPECS

    keys = SPECS[kind, template].required_cells()
    whole = Table(
        kind, template, cells={key: Cell(str(i), "number", Decimal(i)) for i, key in enumerate(keys)}
    )
    turned = Table(kind, template, cells=dict(reversed(whole.cells.items())))
    short = Table(kind, template, cells=dict(list(whole.cells.items())[1:]))
    for table in (whole, turned, short):
        _same(table, _round_trip(table))
    size = len(pickle.dumps(whole, protocol=5))
    assert size + len(pickle.dumps(keys, protocol=5)) // 2 < len(pickle.dumps(turned, protocol=5))
    assert size < len(pickle.dumps(short, protocol=5))
    other = Table(kind, "2099", cells=dict(whole.cells))  # a version the templates do not know
    _same(other, _round_trip(other))


def test_a_whole_document_with_every_part_reads_back_equal():
    doc = Document(
        source="x.txt", sha256="ab", format="txt", encoding="utf-8", title="t", agency="某局", year=2022,
        published=None, published_source="meta", body="正文", level="department",
        sections=[Section("一", "一、总体情况", "文字", 3, 0.9, False)], extra_headings=["二、重复"],
        tables=[_odd_table(), Table("T4", "unknown", image_only=True)],
        issues=[ExtractionIssue("FMT-005", "无法读取", table="T3", section="三", evidence="…")],
        meta={"pages": 2},
    )  # fmt: skip
    result = ReportResult("x.txt", "ab", doc, error=None)
    _same(result, _round_trip(result))


def test_the_spool_reads_back_what_was_put(tmp_path: Path):
    spool = audit_run._Spool(str(tmp_path))
    results = [extract_one(AuditInput(data, source)) for source, data in _generated()[:8]]
    places = [spool.put(r) for r in results]
    spool.flush()
    try:
        back = [audit_run._get(place) for place in places]
    finally:
        audit_run._close_readers()
    ends = [offset + length for _, offset, length in places]
    assert [offset for _, offset, _ in places] == [0, *ends[:-1]], "one after the other, no gap"
    for a, b in zip(results, back, strict=True):
        _same(a, b)


def test_gc_paused_restores_the_collector():
    assert gc.isenabled()
    with pytest.raises(RuntimeError), audit_run.gc_paused():
        assert not gc.isenabled()
        raise RuntimeError
    assert gc.isenabled()
    gc.disable()
    try:
        with audit_run.gc_paused():
            pass
        assert not gc.isenabled(), "a collector disabled before stays disabled"
    finally:
        gc.enable()


def test_an_audited_reply_reads_back_equal():
    """What an audit worker sends back: results with findings (locations, cells, waivers) and the
    document's summary."""
    from auditor.engine import default_rulebase
    from auditor.findings.model import Finding, Location

    results = [extract_one(AuditInput(data, source)) for source, data in _real()[:8]]
    default_rulebase().audit(results)
    assert sum(len(r.findings) for r in results) > 10
    results[0].findings.append(
        Finding("VAL-001", "error", "t", "m", Location("三", "T3", "行", None), "e", "b", "f",
                [("T3", "new", "total")], "fp", waived="豁免", status="new")
    )  # fmt: skip
    reply = [(i, *audit_run.finish(r, i, audit_run.AuditChunk([], False, []))) for i, r in enumerate(results)]
    assert any(isinstance(r.document, audit_run.DocumentSummary) for _, r, *_ in reply)
    _same(reply, _round_trip(reply))


def test_tables_without_number_cells_read_back():
    """No cell at all, and only cells that are not bare numbers: the joined texts are "" and "0"."""
    empty = Table("T3", "2021")
    odd = Table("T4", "unknown", cells={("review", "upheld"): Cell("", "blank")})
    for table in (empty, odd):
        _same(table, _round_trip(table))


def test_read_back_number_cells_are_shared_and_bounded(monkeypatch: pytest.MonkeyPatch):
    """A bare number reads back as one Cell per text, shared by every table read back (as extraction
    shares its cells); the cache of them starts again past its limit."""
    from auditor import model

    def table(numbers: list[int]) -> Table:
        return Table(
            "T3",
            "2021",
            cells={("r", f"c{i}"): Cell(str(n), "number", Decimal(n)) for i, n in enumerate(numbers)},
        )

    a, b = _round_trip(table([0, 1, 0])), _round_trip(table([0, 7]))
    assert a.cells["r", "c0"] is a.cells["r", "c2"] is b.cells["r", "c0"]
    _same(a.cells["r", "c0"], Cell("0", "number", Decimal("0")))
    monkeypatch.setattr(model._NUMBER_CELLS, "limit", 5)
    for start in range(10_000, 10_040, 4):  # texts no earlier test read back
        back = _round_trip(table(list(range(start, start + 4))))
        _same(back, table(list(range(start, start + 4))))
        assert len(model._NUMBER_CELLS) <= 5


def test_a_reply_of_entries_and_tallies_writes_what_the_results_would(tmp_path):
    """When findings.json (and findings.html) are all the outputs, a worker renders each report's
    entry and sends a Tally instead of the result: the file is the same, and so are the counts."""
    from auditor.engine import default_rulebase
    from auditor.findings.jsonout import FindingsJsonStream
    from auditor.findings.model import Finding, Location

    results = [extract_one(AuditInput(data, source)) for source, data in _real()[:8]]
    default_rulebase().audit(results)
    results[0].findings.append(Finding("VAL-001", "error", "t", "m", Location("三"), waived="豁免"))
    results.append(audit_run.unreadable_result("bad.pdf", "", "无法读取"))
    lean = audit_run.AuditChunk([], False, [], entries=True, whole=False)
    whole = audit_run.AuditChunk([], False, [])
    replies = _round_trip([audit_run.finish(r, i, lean) for i, r in enumerate(results)])
    full = [audit_run.finish(r, i, whole)[0] for i, r in enumerate(results)]
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        stream = FindingsJsonStream(tmp_path / name, [])
        for (_, _, entry), result in zip(replies, full, strict=True):
            stream.add_entry(entry) if name == "a" else stream.add(result)  # type: ignore[arg-type]
        stream.close()
    assert (tmp_path / "a" / "findings.json").read_bytes() == (tmp_path / "b" / "findings.json").read_bytes()
    tallies = [tally for tally, _, _ in replies]
    assert all(isinstance(t, audit_run.Tally) for t in tallies)
    assert tallies == [audit_run.Tally.of(r) for r in full]  # type: ignore[arg-type]
    assert tallies[-1].error == "无法读取" and len(tallies[0].severities) == len(full[0].findings) - 1


def test_the_workers_render_what_the_outputs_take_rendered_and_send_results_only_when_read(tmp_path):
    from auditor.findings.writers import STREAMS

    def like(*names: str) -> audit_run.AuditChunk:
        return audit_run._rendered_in_workers([STREAMS[n](tmp_path / "-".join(names), []) for n in names], [])

    assert (like("json").entries, like("json").html, like("json").whole) == (True, False, False)
    assert (like("json", "html").html, like("json", "html").whole) == (True, False)
    assert like("json", "csv").whole and like("json", "html", "sarif").whole


def test_a_document_is_read_with_the_collector_paused_but_a_pdf(tmp_path, monkeypatch):
    """No collection runs while a text, HTML or .docx document is read and spooled (its model is
    gone before the collector runs again); a PDF is read with the collector on; the collector is on
    after each, whatever the document."""
    from auditor.workers import Budget, Guard

    states: list[tuple[str, bool]] = []
    real = audit_run.extract_one

    def spy(doc_input: AuditInput, *, budgeted: bool = False) -> ReportResult:
        states.append((doc_input.source.rsplit(".", 1)[1], gc.isenabled()))
        return real(doc_input, budgeted=budgeted)

    monkeypatch.setattr(audit_run, "extract_one", spy)
    inputs = []
    for fmt in ("txt", "md", "html", "docx", "pdf"):
        path = tmp_path / f"report.{fmt}"
        path.write_bytes(render_sample({}, fmt))
        inputs.append(audit_run.InputFile(str(path), in_folder=True))
    task = audit_run.ReadTask(tuple(inputs), None, str(tmp_path))
    try:
        done = audit_run.read_task(task, Guard(None, Budget()))
    finally:
        audit_run._close_readers()
    assert gc.isenabled()
    assert states == [("txt", False), ("md", False), ("html", False), ("docx", False), ("pdf", True)]
    assert [type(entry) for entries in done for entry in entries] == [audit_run.Entry] * 5


def test_a_cell_found_plain_once_does_not_make_another_of_its_text_plain(monkeypatch):
    """The cells found to be bare numbers are remembered across tables by object, not by text: a
    cell of the same text that is not one (a unit, a recovery, another kind) still pickles whole,
    and the memory of them starts again past its limit."""
    from auditor import model

    monkeypatch.setattr(model, "_PLAIN", {})
    shared = Cell("5", "number", Decimal(5))
    plain = Table("T3", "2021", cells={("r", "a"): shared, ("r", "b"): shared})
    _same(plain, _round_trip(plain))
    assert model._PLAIN["5"] is shared
    assert model._table_to_pickle(plain)[3] == [], "no cell pickled whole"
    for odd in (
        Cell("5", "number", Decimal(5), recovered="split"),
        Cell("5", "number", Decimal(5), unit="件"),
        Cell("5", "text", None, reading="中文数字"),
    ):
        table = Table("T3", "2021", cells={("r", "a"): shared, ("r", "b"): odd})
        back = _round_trip(table)
        _same(table, back)
        assert model._table_to_pickle(table)[3] == [
            (1, (odd.raw, odd.kind, odd.value, odd.unit, odd.recovered, odd.reading))
        ]
    again = Cell("5", "number", Decimal(5))  # the shared cell made anew once its cache let it go
    _same(
        Table("T3", "2021", cells={("r", "a"): again}),
        _round_trip(Table("T3", "2021", cells={("r", "a"): again})),
    )
    assert model._PLAIN["5"] is again, "the latest is remembered: the table after it takes the fast way"
    monkeypatch.setattr(model, "_PLAIN_LIMIT", 3)
    for n in range(20_000, 20_010):
        one = Table("T3", "2021", cells={("r", "a"): Cell(str(n), "number", Decimal(n))})
        _same(one, _round_trip(one))
        assert len(model._PLAIN) <= 4
