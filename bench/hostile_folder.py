"""Issue 14's hostile inputs in one folder, audited into every format by the real command.

    uv run python bench/hostile_folder.py [--doc-timeout 10] [--keep DIR]

Each input is built here from a generated report (auditor.samples) with one hostile change: a
5,000-digit number in a cell, a colspan and a w:gridSpan of 20 digits, a 40-digit run of digits with no
split that fits, a 19 MB text of heading lines, a PDF with a Flate bomb, a 1,000 × 1,000 HTML table,
control characters and U+FFFF in the body's name, a zip bomb, a scan.  Printed: the command's exit code
and time, each input's outcome (report, or its one-line reason), and whether every format was written
and stderr held no traceback.
"""

from __future__ import annotations

import argparse
import io
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
import zlib
from pathlib import Path

from auditor.engine.samples import render_sample
from auditor.samples import badinput

SPEC = {"seed": 42, "year": 2022}


def _text(**extra: object) -> str:
    return render_sample({**SPEC, **extra}, "txt").decode("utf-8")


def _docx_with(pattern: bytes, replacement: bytes) -> bytes:
    data = render_sample(SPEC, "docx")
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name in src.namelist():
            body = src.read(name)
            if name == "word/document.xml":
                body = re.sub(pattern, replacement, body, count=1)
                if replacement not in body:  # no span to widen: give the first cell one
                    body = body.replace(b"<w:tcPr>", b"<w:tcPr>" + replacement, 1)
            zf.writestr(name, body)
    return out.getvalue()


def _flate_bomb_pdf(inflated_mb: int = 2048) -> bytes:
    """A PDF page whose content stream inflates to ``inflated_mb`` MB (compressed by streaming)."""
    comp = zlib.compressobj(9)
    chunk = b" " * (1 << 20)
    parts = [comp.compress(b"BT /F1 12 Tf (x) Tj ET\n")]
    parts += [comp.compress(chunk) for _ in range(inflated_mb)]
    parts.append(comp.flush())
    stream = b"".join(parts)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % i + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def hostile_inputs() -> dict[str, bytes]:
    """File name -> bytes of every hostile input."""
    html = render_sample(SPEC, "html").decode("utf-8")
    big_table = "<table>" + ("<tr>" + "<td>1</td>" * 1000 + "</tr>") * 1000 + "</table>"
    return {
        "huge-number.txt": _text(cells={"T3.new.natural": "9" * 5000}).encode("utf-8"),
        "run-together-digits.txt": re.sub(
            r"(一、本年新收政府信息公开申请数量)[^\n]*", r"\1 " + "7" * 40, _text(), count=1
        ).encode("utf-8"),
        "huge-colspan.html": html.replace("<td", '<td colspan="99999999999999999999"', 1).encode("utf-8"),
        "huge-gridspan.docx": _docx_with(rb'<w:gridSpan w:val="\d+"/>',
                                         b'<w:gridSpan w:val="99999999999999999999"/>'),
        "heading-flood.txt": ("一、总体情况\n" * 1_300_000).encode("utf-8"),
        "flate-bomb.pdf": _flate_bomb_pdf(),
        "table-1000x1000.html": html.replace("</body>", big_table + "</body>").encode("utf-8"),
        "control-characters.txt": _text(agency="东湖区\x01财政\x0b局\uffff").encode("utf-8"),
        "zip-bomb.docx": badinput.docx_zip_bomb(),
        "scan.jpg": b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(4096),
        "good.txt": _text().encode("utf-8"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--doc-timeout", default="10")
    parser.add_argument("--keep", type=Path, help="keep the folder and outputs here")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="nianbao-hostile-"))
    folder, out = work / "in", work / "out"
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in hostile_inputs().items():
        (folder / name).write_bytes(data)
    cmd = [sys.executable, "-m", "nianbao.cli", "audit", str(folder), "--out", str(out),
           "--format", "json,html,xlsx,csv,sarif", "--doc-timeout", args.doc_timeout]  # fmt: skip
    started = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    print(f"nianbao audit: exit {proc.returncode} in {elapsed:.1f} s")
    data = json.loads((out / "findings.json").read_text("utf-8"))
    for report in data["reports"]:
        rules = sorted({f["rule_id"] for f in report["findings"]})
        outcome = f"无法读取 — {report['error']}" if report["error"] else f"report: {', '.join(rules)}"
        print(f"  {Path(report['source']).name}: {outcome}")
    for skipped in data["skipped"]:
        print(f"  {Path(skipped['source']).name}: 已跳过 — {skipped['reason']}")
    written = sorted(p.name for p in out.iterdir() if p.name.startswith("findings."))
    print(f"written: {', '.join(written)}; sanitized: {data.get('sanitized', {})}")
    print(f"traceback on stderr: {'Traceback' in proc.stderr}; stderr lines: {len(proc.stderr.splitlines())}")
    if args.keep is None:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
