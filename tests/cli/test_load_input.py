"""load_input: a file's bytes read whole through one descriptor, and why a file cannot be read."""

from __future__ import annotations

import hashlib

from auditor.extract.api import MAX_INPUT_BYTES
from auditor.findings.model import ReportResult
from nianbao.audit_run import load_input
from tests.extract.expected_model import SHARED


def test_a_file_is_read_whole_as_read_bytes_reads_it(tmp_path):
    for path in [*sorted((SHARED / "seeds").iterdir())[:3], *sorted((SHARED / "real").iterdir())[:3]]:
        loaded = load_input(str(path), "government")
        assert not isinstance(loaded, ReportResult)
        assert [(d.data, d.source, d.level) for d in loaded] == [(path.read_bytes(), str(path), "government")]
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    loaded = load_input(str(empty), None)
    assert not isinstance(loaded, ReportResult) and loaded[0].data == b""


def test_a_file_over_the_limit_is_refused_unread_with_its_digest(tmp_path):
    big = tmp_path / "big.txt"
    with big.open("wb") as fh:  # sparse: no 50 MB written
        fh.truncate(MAX_INPUT_BYTES + 1)
    result = load_input(str(big), None)
    assert isinstance(result, ReportResult)
    h = hashlib.sha256()
    with big.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    assert result.sha256 == h.hexdigest()
    assert result.error == "文件过大（50 MB，上限 50 MB）"


def test_a_missing_file_or_a_folder_says_why_it_cannot_be_opened(tmp_path):
    missing = load_input(str(tmp_path / "gone.txt"), None)
    folder = load_input(str(tmp_path), None)
    assert isinstance(missing, ReportResult) and isinstance(folder, ReportResult)
    assert missing.error == "无法打开文件：No such file or directory"
    assert folder.error == "无法打开文件：Is a directory"
