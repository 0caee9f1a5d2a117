"""A seeded mutator over real and generated reports in every format, for the fuzz tests and
bench/fuzz.py.  ``case(i)`` is a pure function of ``i``: a failing case is reproduced from its number.

Bases: the shared real documents and seeds (../shared), and generated samples (auditor.samples) in
txt, md, html, docx and pdf.  Mutations act on bytes (flips, inserts, deletions, duplications,
truncation), on text (control characters, U+FFFF, NUL, very long digit runs, huge spans, deep
nesting, heading floods) and, for .docx, on word/document.xml inside a well-formed zip.
"""

from __future__ import annotations

import io
import random
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

SHARED = Path(__file__).resolve().parents[3] / "shared"
FORMATS: tuple[str, ...] = ("txt", "md", "html", "docx", "pdf")
WEIGHTS: tuple[int, ...] = (40, 25, 20, 10, 5)
"""How often each format is drawn: the text formats are cheap and where most readers' logic is."""


@dataclass(frozen=True, slots=True)
class Case:
    number: int
    name: str
    """A file name whose suffix is the base's format (sniffing still decides)."""
    data: bytes
    how: str
    """The base and the mutations applied, to reproduce and to report."""


@cache
def bases(fmt: str) -> tuple[tuple[str, bytes], ...]:
    """(label, bytes) of every base document of a format."""
    from auditor.engine.samples import render_sample

    found: list[tuple[str, bytes]] = []
    if SHARED.is_dir():
        folders = [SHARED / "real", SHARED / "seeds"]
        for folder in folders:
            for path in sorted(folder.glob(f"*.{fmt}")):
                if path.name != "README.md":
                    found.append((path.name, path.read_bytes()))
    for seed in range(2 if fmt in ("docx", "pdf") else 4):
        spec = {"seed": 500 + seed, "year": 2019 + seed % 7}
        found.append((f"sample-{seed}.{fmt}", render_sample(spec, fmt)))
    return tuple(found)


def _flip(rng: random.Random, data: bytearray) -> str:
    for _ in range(rng.randint(1, 8)):
        if data:
            data[rng.randrange(len(data))] = rng.randrange(256)
    return "flip"


def _insert_bytes(rng: random.Random, data: bytearray) -> str:
    at = rng.randint(0, len(data))
    data[at:at] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 32)))
    return "insert-bytes"


def _delete(rng: random.Random, data: bytearray) -> str:
    if data:
        at = rng.randrange(len(data))
        del data[at : at + rng.randint(1, 2048)]
    return "delete"


def _duplicate(rng: random.Random, data: bytearray) -> str:
    if data:
        at = rng.randrange(len(data))
        span = bytes(data[at : at + rng.randint(1, 4096)])
        data[at:at] = span * rng.randint(1, 4)
    return "duplicate"


def _truncate(rng: random.Random, data: bytearray) -> str:
    del data[rng.randint(0, len(data)) :]
    return "truncate"


_TEXT_INSERTS: tuple[str, ...] = (
    "\x00", "\x01\x02\x03", "\x0b\x0c", "\x1b[31m", "\uffff", "\ufffe", "\ufeff", "\u200b", "\u202e",
    "9" * 5000, "1" * 40, "１２３４５６７８９０" * 20, "-" * 300, "（七）总计", "三、本年度办理结果\n" * 50,
    "一、总体情况\n" * 500, "\t" * 200, "\n" * 2000, "<", "&#xD800;", "&#0;", "&#x110000;", "&#99999999999;",
    "<td colspan=\"99999999999999999999\">1</td>", "<td rowspan=\"1000000000\">1</td>",
    "<table>" * 300, "<div>" * 5000, "<![CDATA[", "<!--",
    "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY a \"b\">]>",
    "<w:gridSpan w:val=\"99999999999999999999\"/>", "<w:gridSpan w:val=\"1000000000\"/>", "<w:vMerge/>" * 20,
)  # fmt: skip


def _insert_text(rng: random.Random, data: bytearray) -> str:
    piece = rng.choice(_TEXT_INSERTS)
    encoded = piece.encode("utf-8", errors="surrogatepass")
    at = rng.randint(0, len(data))
    data[at:at] = encoded
    return f"insert-text:{piece[:12]!r}"


def _digits(rng: random.Random, data: bytearray) -> str:
    """Replace a run of digits by a very long one (Python's int-string limit is 4,300 digits)."""
    runs = [m.span() for m in re.finditer(rb"\d+", bytes(data[:200_000]))]
    if not runs:
        return "digits:none"
    start, end = rng.choice(runs)
    data[start:end] = b"9" * rng.choice((20, 32, 60, 4301, 10_000))
    return "digits"


BYTE_MUTATIONS: tuple[Callable[[random.Random, bytearray], str], ...] = (
    _flip, _insert_bytes, _delete, _duplicate, _truncate, _insert_text, _digits,
)  # fmt: skip
TEXT_MUTATIONS: tuple[Callable[[random.Random, bytearray], str], ...] = (
    _insert_text, _insert_text, _digits, _delete, _duplicate, _flip,
)  # fmt: skip


def _mutate_docx(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    """Mutate word/document.xml as text and put it back in a well-formed zip (else a byte flip)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            parts = {name: zf.read(name) for name in zf.namelist()}
    except zipfile.BadZipFile:
        return data, "docx:not-a-zip"
    xml = bytearray(parts.get("word/document.xml", b""))
    steps = [rng.choice(TEXT_MUTATIONS)(rng, xml) for _ in range(rng.randint(1, 3))]
    if rng.random() < 0.3:
        xml = bytearray(re.sub(rb'w:gridSpan w:val="\d+"', b'w:gridSpan w:val="99999999999"', bytes(xml)))
        steps.append("gridSpan")
    parts["word/document.xml"] = bytes(xml)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, body in parts.items():
            zf.writestr(name, body)
    return out.getvalue(), "docx-xml:" + "+".join(steps)


def case(number: int) -> Case:
    """The fuzz case ``number``: a base document and one to four mutations, drawn from ``number``."""
    rng = random.Random(number)
    fmt = rng.choices(FORMATS, WEIGHTS)[0]
    label, base = rng.choice(bases(fmt))
    if fmt == "docx" and rng.random() < 0.7:
        data, how = _mutate_docx(rng, base)
        return Case(number, f"case-{number}.{fmt}", data, f"{label} {how}")
    data = bytearray(base)
    pool = TEXT_MUTATIONS if fmt in ("txt", "md", "html") else BYTE_MUTATIONS
    steps = [rng.choice(pool)(rng, data) for _ in range(rng.randint(1, 4))]
    return Case(number, f"case-{number}.{fmt}", bytes(data), f"{label} {'+'.join(steps)}")
