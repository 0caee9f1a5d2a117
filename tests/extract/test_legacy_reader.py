"""The .doc/.wps reader: a clear refusal without LibreOffice, and the conversion plumbing around it."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from auditor.extract.ir import ReadError
from auditor.extract.readers import legacy
from auditor.extract.readers.legacy import NO_CONVERTER, OLE2_MAGIC, read_legacy
from auditor.samples import make_report, render_docx
from tests.extract.reader_support import body_texts, expected_tables, paras, tables_of

OLE2_FILE = OLE2_MAGIC + bytes(504)


def _fake_converter(tmp_path: Path, body: str) -> str:
    """An executable standing in for soffice: ``body`` runs with ``outdir`` and ``source`` set."""
    script = tmp_path / "fake-soffice"
    script.write_text(
        f"#!{sys.executable}\n"
        "import sys, pathlib\n"
        "args = sys.argv[1:]\n"
        "assert '--headless' in args and any(a.startswith('-env:UserInstallation=file://') for a in args)\n"
        "assert args[args.index('--convert-to') + 1] == 'docx'\n"
        "outdir, source = pathlib.Path(args[args.index('--outdir') + 1]), pathlib.Path(args[-1])\n"
        f"{body}\n"
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return str(script)


def test_without_libreoffice_the_reason_says_what_to_do(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(legacy.shutil, "which", lambda name: None)
    assert legacy.find_converter() is None
    with pytest.raises(ReadError) as err:
        read_legacy(OLE2_FILE, "报告.doc")
    assert (
        str(err.value)
        == NO_CONVERTER
        == "未安装 LibreOffice，无法读取 .doc/.wps 文件（请安装 libreoffice 或提供 .docx/.pdf）"
    )


@pytest.mark.parametrize("data", [b"", b"PK\x03\x04 not ole2"], ids=["empty", "not-ole2"])
def test_input_that_is_not_ole2_is_refused_before_converting(
    data: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(legacy, "find_converter", lambda: pytest.fail("must not look for a converter"))
    with pytest.raises(ReadError):
        read_legacy(data, "a.doc")


@pytest.mark.parametrize("name,fmt", [("年报.doc", "doc"), ("年报.WPS", "wps")])
def test_converted_document_is_read_as_docx(
    name: str, fmt: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    report = make_report(51, year=2022)
    converted = tmp_path / "converted.docx"
    converted.write_bytes(render_docx(report))
    body = (
        f"assert source.suffix == '.{fmt}' and source.read_bytes()[:8] == {OLE2_MAGIC!r}\n"
        "outdir.mkdir(parents=True, exist_ok=True)\n"
        f"(outdir / (source.stem + '.docx')).write_bytes(pathlib.Path({str(converted)!r}).read_bytes())"
    )
    monkeypatch.setattr(legacy, "find_converter", lambda: _fake_converter(tmp_path, body))
    raw = read_legacy(OLE2_FILE, name)
    assert raw.format == fmt and raw.meta["converted_by"] == "libreoffice"
    assert [b.text for b in paras(raw)] == body_texts(report)
    assert tables_of(raw) == expected_tables(report)


def test_a_conversion_that_writes_nothing_is_a_read_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(legacy, "find_converter", lambda: _fake_converter(tmp_path, "sys.exit(1)"))
    with pytest.raises(ReadError, match="无法转换"):
        read_legacy(OLE2_FILE, "a.doc")


def test_a_hanging_conversion_is_ended_with_everything_it_started(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pid_file = tmp_path / "helper.pid"
    body = (
        "import subprocess, time\n"
        "helper = subprocess.Popen(['sleep', '60'])\n"
        f"pathlib.Path({str(pid_file)!r}).write_text(str(helper.pid))\n"
        "time.sleep(60)"
    )
    monkeypatch.setattr(legacy, "find_converter", lambda: _fake_converter(tmp_path, body))
    monkeypatch.setattr(legacy, "CONVERT_TIMEOUT", 1.0)
    started = time.monotonic()
    with pytest.raises(ReadError, match="超时"):
        read_legacy(OLE2_FILE, "a.doc")
    assert time.monotonic() - started < 10
    helper = int(pid_file.read_text())
    deadline = time.monotonic() + 5
    while _alive(helper) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(helper)


def _alive(pid: int) -> bool:
    """Whether a process exists and is not a zombie waiting to be reaped."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state != "Z"


@pytest.mark.skipif(
    legacy.find_converter() is None, reason="LibreOffice (soffice) is not installed on this machine"
)
def test_real_libreoffice_round_trip(tmp_path: Path) -> None:
    report = make_report(52, year=2023)
    source = tmp_path / "report.docx"
    source.write_bytes(render_docx(report))
    profile = (tmp_path / "profile").as_uri()
    command = [
        legacy.find_converter(),
        "--headless",
        f"-env:UserInstallation={profile}",
        "--convert-to",
        "doc",
    ]
    subprocess.run(
        [*command, "--outdir", str(tmp_path), str(source)], check=True, timeout=180, env=os.environ
    )
    raw = read_legacy((tmp_path / "report.doc").read_bytes(), "report.doc")
    assert [b.text for b in paras(raw)] == body_texts(report)
    # Word's grid may gain a column in the conversion (a cell then spans two): compare the printed cells.
    assert [_printed(t) for t in tables_of(raw)] == [_printed(t) for t in expected_tables(report)]


def _printed(rows: list[tuple[list[str], list[bool]]]) -> list[list[str]]:
    return [[text for text, cont in zip(cells, conts, strict=True) if not cont] for cells, conts in rows]
