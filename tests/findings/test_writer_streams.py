"""Streaming writers: characters a format cannot hold are replaced and counted (never a crash), every
format is written; memory does not grow with the number of reports."""

from __future__ import annotations

import csv
import io
import json
import tracemalloc
from itertools import repeat

import pytest
from openpyxl import load_workbook

from auditor.engine import default_rulebase
from auditor.findings.model import ReportResult
from auditor.findings.writers import STREAMS, WRITERS
from tests.engine.support import audit_documents, clean_document

HOSTILE = "东湖区\x00财政\x07局\x1b\ufffe\uffff\ud800\udfff"
"""NUL, BEL, ESC, the two non-characters, a lone high and a lone low surrogate."""
FILES = {"json": "findings.json", "html": "findings.html", "xlsx": "findings.xlsx", "csv": "findings.csv",
         "sarif": "findings.sarif"}  # fmt: skip


@pytest.fixture(scope="module")
def hostile() -> list[ReportResult]:
    doc = clean_document(seed=5)
    doc.agency = HOSTILE
    doc.title = "标题" + HOSTILE
    results = audit_documents([doc])
    results[0].findings[0].evidence = "证据" + HOSTILE
    results[0].findings[0].message = HOSTILE
    return results


@pytest.mark.parametrize("name", sorted(FILES))
def test_each_format_holds_hostile_text_and_says_what_it_replaced(tmp_path, hostile, name):
    stream = STREAMS[name](tmp_path, default_rulebase().rules_meta())
    for result in hostile:
        stream.add(result)
    path = stream.close()
    assert path.name == FILES[name] and path.stat().st_size > 0
    assert stream.replaced > 0, "the run is told that characters were replaced"
    if name == "xlsx":
        book = load_workbook(path)
        agencies = [row[1] for row in book["审查发现"].iter_rows(min_row=2, values_only=True)]
        assert agencies and all(a.startswith("东湖区\ufffd财政\ufffd局") for a in agencies)
        return
    text = path.read_bytes().decode("utf-8")  # strict: no lone surrogate made it to the file
    assert "\ud800" not in text and "东湖区" in text
    if name in ("json", "sarif"):
        json.loads(text)
    if name == "csv":
        rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
        assert "\x00" not in rows[1][1] and rows[1][1].startswith("东湖区\ufffd财政\x07局")
    if name == "html":
        assert "\x00" not in text and "\x07" not in text and "\uffff" not in text


def test_findings_json_records_what_each_output_replaced(tmp_path, hostile):
    stream = STREAMS["json"](tmp_path, [])
    stream.add(hostile[0])
    data = json.loads(stream.close(sanitized={"findings.xlsx": 7}).read_text("utf-8"))
    # agency, title, message, evidence: 2 each
    assert data["sanitized"]["findings.xlsx"] == 7 and data["sanitized"]["findings.json"] == 8
    assert data["skipped"] == []
    assert data["reports"][0]["agency"] == "东湖区\x00财政\x07局\x1b\ufffe\uffff\ufffd\ufffd"


def test_the_batch_writers_are_the_streams(tmp_path, hostile):
    for name, file in FILES.items():
        assert WRITERS[name](tmp_path / name, hostile, []).name == file


def _peak_kib(name: str, tmp_path, count: int) -> int:
    doc = clean_document(seed=9)
    result = audit_documents([doc])[0]
    tracemalloc.start()
    try:
        WRITERS[name](tmp_path / f"{name}-{count}", repeat(result, count), default_rulebase().rules_meta())
        return tracemalloc.get_traced_memory()[1] // 1024
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("name", sorted(FILES))
def test_memory_does_not_grow_with_the_number_of_reports(tmp_path, name):
    small, large = _peak_kib(name, tmp_path, 20), _peak_kib(name, tmp_path, 400)
    assert large < small * 2 + 512, f"{name}: {small} KiB for 20 reports, {large} KiB for 400"
