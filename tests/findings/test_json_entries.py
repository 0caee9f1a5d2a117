"""findings.json's entries rendered where the reports are audited: as UTF-8 (entry_bytes), or as text
when they hold a lone surrogate, the file is the same as the stream writes from the results, and the
replaced characters are counted."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

from auditor.findings.jsonout import FindingsJsonStream, entry_bytes, pretty_json
from auditor.findings.model import Finding, Location, ReportResult

RULES = [{"id": "VAL-001", "title": "表三勾稽"}]


def _results() -> list[ReportResult]:
    mismatch = Finding("VAL-001", "error", "勾稽不符", "合计≠各项之和", Location("三"))
    plain = ReportResult("a.txt", "00", None, [mismatch])
    broken = Finding("VAL-001", "warning", "t\udfff", "m", Location("三"))
    hostile = ReportResult("b\ud800.txt", "01", None, [broken])
    empty = ReportResult("c.md", "02", None, [], error="无法读取")
    return [plain, hostile, empty]


def _written(folder: Path, feed: str) -> bytes:
    folder.mkdir()
    stream = FindingsJsonStream(folder, RULES)
    for result in _results():
        text = pretty_json(result.to_dict(), 2)
        if feed == "results":
            stream.add(result)
        elif feed == "text":
            stream.add_entry(text)
        else:  # as a worker sends it: through pickle
            stream.add_entry(pickle.loads(pickle.dumps(entry_bytes(text))))
    return stream.close(skipped=[{"source": "x.jpg", "reason": "图片"}]).read_bytes()


def test_entries_as_bytes_or_text_write_the_same_file(tmp_path: Path) -> None:
    by_result = _written(tmp_path / "r", "results")
    assert _written(tmp_path / "t", "text") == by_result
    assert _written(tmp_path / "b", "bytes") == by_result


def test_a_lone_surrogate_is_replaced_and_counted(tmp_path: Path) -> None:
    data = json.loads(_written(tmp_path / "b", "bytes").decode("utf-8"))  # strict: none left in the file
    assert data["reports"][1]["source"] == "b\ufffd.txt"
    assert data["sanitized"] == {"findings.json": 2}
    assert data["reports"][0]["findings"][0]["message"] == "合计≠各项之和"


def test_entry_bytes_is_utf8_unless_a_surrogate_forbids_it() -> None:
    assert entry_bytes("合计 {\"a\": 1}") == "合计 {\"a\": 1}".encode()
    assert entry_bytes("b\ud800") == "b\ud800"
