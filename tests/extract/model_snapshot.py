"""A frozen snapshot of the full document model over a generated corpus in every layout and format.

The extraction speed-up of issue 12 must not change one extracted cell.  The corpus is the project's
generator in every rendering the suite and the benches use — its own text, markdown, HTML (UTF-8 and
GBK), .docx and PDF; the real-file layouts of :mod:`auditor.samples.real_layouts`; the variation of
real reports (traditional characters, full-width digits, other blank-line runs); and the planted
defects of ``bench/audit_throughput.py`` as ``bench/audit_scale.make_corpus`` renders them; and
city-length PDFs of several pages (tables running across pages) — and each document's whole model
(``Document.to_dict()`` with the body's digest) is compared with the snapshot taken from the code as it
was before the optimisation: commit c92f3ce with the engine branch's one deliberate model change
(extract() sets the level; 4514914), this module run over that tree — it differs from c92f3ce's only
in `level`.

Regenerate only after a deliberate extraction change, then review the diff:
    uv run python -m tests.extract.model_snapshot
"""

from __future__ import annotations

import gzip
import hashlib
import json
import random
import sys
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from auditor.engine.samples import render_sample
from auditor.extract import extract
from auditor.samples import make_report, real_layouts, render
from auditor.samples.generate import SampleReport

SNAPSHOT = Path(__file__).parent / "snapshot" / "documents.json.gz"

YEARS = (2019, 2020, 2021, 2022, 2023, 2024, 2025)
LEVELS = ("department", "government", "township")
FULLWIDTH = str.maketrans("0123456789()", "０１２３４５６７８９（）")

Render = Callable[[SampleReport], bytes]


def _traditional(text: str) -> str:
    import opencc

    return str(opencc.OpenCC("s2t").convert(text))


LAYOUTS: dict[str, tuple[str, Render]] = {
    "txt": ("r.txt", lambda r: render.render_text(r).encode("utf-8")),
    "md": ("r.md", lambda r: render.render_markdown(r).encode("utf-8")),
    "html": ("r.html", render.render_html),
    "html-gbk": ("r.html", lambda r: render.render_html(r, encoding="gbk")),
    "html-bare": ("r.html", lambda r: render.render_html(r, chrome=False)),
    "docx": ("r.docx", render.render_docx),
    "pdf": ("r.pdf", render.render_pdf),
    "crawler-text": ("r.txt", lambda r: real_layouts.render_crawler_text(r).encode("utf-8")),
    "crawler-text-0-1": (
        "r.txt",
        lambda r: real_layouts.render_crawler_text(real_layouts.blank_for_zero(r), 0, 1).encode("utf-8"),
    ),
    "html-nbsp-blank-for-zero": (
        "r.html",
        lambda r: real_layouts.render_html_nbsp(real_layouts.blank_for_zero(r)),
    ),
    "docx-empty-template": ("r.docx", lambda r: render.render_docx(real_layouts.empty_template(r))),
    "md-from-pdf": ("r.md", lambda r: real_layouts.render_pdf_markdown(r, seed=r.year).encode("utf-8")),
    "txt-traditional": ("r.txt", lambda r: _traditional(render.render_text(r)).encode("utf-8")),
    "txt-fullwidth-gb18030": (
        "r.txt",
        lambda r: render.render_text(r).translate(FULLWIDTH).encode("gb18030"),
    ),
    "txt-utf16": ("r.txt", lambda r: render.render_text(r).encode("utf-16")),
}

DEFECTS: list[dict[str, Any]] = [
    {"cells": {"T3.carry_next.natural": "1"}},
    {"cells": {"T3.granted.legal": ""}},
    {"cells": {"T4.review.total": "9"}},
    {"sections": {"六": ["无"]}},
    {"title": "政府信息公开工作年度报告"},
    {"cells": {"T2.penalty.decisions": "12.5"}},
]
"""The planted defects of bench/audit_throughput.py (the corpus of bench/audit_scale.py)."""

SAMPLE_FORMATS = ("txt", "md", "html", "docx", "pdf")


def _sample_spec(seed: int) -> dict[str, Any]:
    spec: dict[str, Any] = {"seed": seed, "year": YEARS[seed % 7], "level": LEVELS[seed % 3]}
    if seed % 5 == 0:
        spec.update(random.Random(seed).choice(DEFECTS))
    return spec


def _city_report(seed: int) -> SampleReport:
    """A report of a city's length (about six PDF pages, tables running across pages), as
    bench/pdf_engines.py makes them."""
    report = make_report(seed, year=2019 + seed % 7, level="government")
    sections = dict(report.sections)
    for key in ("一", "五"):
        heading, paragraphs = sections[key]
        sections[key] = (heading, paragraphs * 3)
    return replace(report, sections=sections)


def corpus() -> Iterator[tuple[str, str, bytes]]:
    """(case id, file name, bytes) of every document of the snapshot, in a fixed order."""
    for layout, (name, render_one) in LAYOUTS.items():
        reports = 3 if layout == "pdf" else 7
        for i in range(reports):
            seed = 300 + 11 * i + len(layout)
            year = YEARS[(i * 3 + len(layout)) % 7]
            level = LEVELS[(i + len(layout)) % 3]
            yield (
                f"{layout}/{seed}-{year}-{level}",
                name,
                render_one(make_report(seed, year=year, level=level)),
            )
    for seed in (7, 8):
        yield f"pdf-city/{seed}", "r.pdf", render.render_pdf(_city_report(seed))
    for seed in range(30):
        fmt = SAMPLE_FORMATS[seed % len(SAMPLE_FORMATS)]
        if fmt == "pdf" and seed % 10:
            continue  # PDF rendering is slow: one in ten
        yield f"sample/{seed}.{fmt}", f"{seed:06d}.{fmt}", render_sample(_sample_spec(seed), fmt)


def model_view(data: bytes, name: str) -> dict[str, Any]:
    """The whole model of one document as JSON-ready data (the body as its digest; the source and the
    bytes' digest left out, since a renderer may stamp times into the bytes)."""
    doc = extract(data, name)
    view = doc.to_dict()
    view.pop("source")
    view.pop("sha256")
    view["body_sha1"] = hashlib.sha1(doc.body.encode("utf-8")).hexdigest()
    view["meta"] = doc.meta
    return json.loads(json.dumps(view, ensure_ascii=False, default=str))


def snapshot() -> dict[str, dict[str, Any]]:
    return {case: model_view(data, name) for case, name, data in corpus()}


def load() -> dict[str, dict[str, Any]]:
    with gzip.open(SNAPSHOT, "rt", encoding="utf-8") as fh:
        data: dict[str, dict[str, Any]] = json.load(fh)
    return data


def main() -> None:
    SNAPSHOT.parent.mkdir(parents=True, exist_ok=True)
    views = snapshot()
    text = json.dumps(views, ensure_ascii=False, indent=0)
    with gzip.GzipFile(SNAPSHOT, "wb", mtime=0) as fh:
        fh.write(text.encode("utf-8"))
    print(f"wrote {len(views)} documents to {SNAPSHOT}", file=sys.stderr)


if __name__ == "__main__":
    main()
