"""Legacy Word (.doc) and WPS (.wps) reader: OLE2 files converted to .docx by LibreOffice, then read as .docx.

The conversion runs headless in a temporary directory with its own LibreOffice profile (so it neither
touches nor waits for a user's running instance) and a timeout.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from auditor.extract.ir import RawDocument, ReadError
from auditor.extract.readers.docx import read_docx

CONVERT_TIMEOUT = 120.0
"""Seconds LibreOffice may take for one file."""
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
NO_CONVERTER = "未安装 LibreOffice，无法读取 .doc/.wps 文件（请安装 libreoffice 或提供 .docx/.pdf）"


def find_converter() -> str | None:
    """The path of LibreOffice's command-line program, or None when it is not installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def read_legacy(data: bytes, name: str) -> RawDocument:
    """Blocks of a .doc or .wps file (``name`` gives the suffix), via LibreOffice and the .docx reader.

    Raises ReadError when the input is not an OLE2 file, LibreOffice is missing, or the conversion fails.
    """
    if not data:
        raise ReadError("文件为空")
    if not data.startswith(OLE2_MAGIC):
        raise ReadError("不是 .doc/.wps 文件（缺少 OLE2 文件头）")
    converter = find_converter()
    if converter is None:
        raise ReadError(NO_CONVERTER)
    suffix = ".wps" if name.lower().endswith(".wps") else ".doc"
    raw = read_docx(_convert(converter, data, suffix))
    raw.format = suffix[1:]
    raw.meta["converted_by"] = "libreoffice"
    return raw


def _convert(converter: str, data: bytes, suffix: str) -> bytes:
    with tempfile.TemporaryDirectory(prefix="nianbao-doc-") as tmp:
        work = Path(tmp)
        source = work / f"input{suffix}"
        source.write_bytes(data)
        command = [
            converter,
            "--headless",
            "--norestore",
            f"-env:UserInstallation={(work / 'profile').as_uri()}",
            "--convert-to",
            "docx",
            "--outdir",
            str(work / "out"),
            str(source),
        ]
        _run(command)
        converted = work / "out" / "input.docx"
        if not converted.is_file():
            raise ReadError("LibreOffice 无法转换该文件，文件可能已损坏")
        return converted.read_bytes()


def _run(command: list[str]) -> None:
    """Run the converter in its own process group, so a timeout ends it and every helper it started."""
    try:
        proc = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
        )
    except OSError as exc:
        raise ReadError(f"无法运行 LibreOffice：{exc.strerror or exc}") from None
    try:
        proc.wait(timeout=CONVERT_TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        raise ReadError(f"LibreOffice 转换超时（超过 {CONVERT_TIMEOUT:.0f} 秒）") from None
