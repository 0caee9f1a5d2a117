"""Generated reports with a planted defect, for rule examples and tests.

A rule example may say ``sample: {seed: 3, year: 2022, cells: {T3.new.natural: "5"}}``: a clean report
from :func:`auditor.samples.make_report`, changed as stated, rendered in the example's format.  The
changes (all optional):

- ``cells``: ``{"T3.row.col": "raw text"}`` sets a cell as written ("" leaves it blank);
- ``versions``: ``{T2: "2019"}`` gives a table the other template version (its figures come from the
  same seed's report of a year in that version);
- ``sections``: ``{"六": ["无"]}`` replaces a section's paragraphs; ``null`` removes the section;
- ``headings``: ``{"一": "一、概述"}`` rewrites a heading;
- ``order``: ``[一, 二, 三, 四, 六, 五]`` puts the sections in another order;
- ``title``, ``preamble`` (list of paragraphs), ``published`` (date);
- ``replace``: ``[[old, new], …]`` on the rendered text (text, markdown and HTML only).
"""

from __future__ import annotations

from datetime import date
from typing import Any

SAMPLE_KEYS: frozenset[str] = frozenset(
    {
        "seed",
        "year",
        "level",
        "agency",
        "cells",
        "versions",
        "sections",
        "headings",
        "order",
        "title",
        "preamble",
        "published",
        "replace",
    }
)
SAMPLE_FORMATS: tuple[str, ...] = ("txt", "md", "html", "docx", "pdf")
TEXT_FORMATS: tuple[str, ...] = ("txt", "md", "html")


def check_sample(spec: dict[str, Any]) -> None:
    """Raise ValueError naming the first unknown key of a sample spec."""
    unknown = sorted(set(spec) - SAMPLE_KEYS)
    if unknown:
        raise ValueError(f"unknown sample key(s): {', '.join(unknown)}")


def sample_formats(spec: dict[str, Any]) -> tuple[str, ...]:
    """The formats a sample can be rendered in (text replacements need a text format)."""
    return TEXT_FORMATS if spec.get("replace") else SAMPLE_FORMATS


def _other_version_year(version: str) -> int:
    return 2020 if version == "2019" else 2022


def _set_cell(report: Any, ref: str, raw: object) -> None:
    table, _, cell = ref.partition(".")
    row, _, col = cell.partition(".")
    grid = getattr(report, table.lower(), None)
    if table not in ("T2", "T3", "T4") or not row or not col or grid is None:
        raise ValueError(f"cell '{ref}' is not T2/T3/T4.row.col")
    grid[(row, col)] = "" if raw is None else str(raw)


def _set_version(report: Any, table: str, version: str, make: Any, seed: int) -> None:
    if table not in ("T2", "T3") or version not in ("2019", "2021"):
        raise ValueError(f"versions: {table}={version} is not T2/T3 = 2019/2021")
    donor = make(seed, year=_other_version_year(version), agency=report.agency, level=report.level)
    setattr(report, table.lower(), getattr(donor, table.lower()))
    setattr(report, f"{table.lower()}_version", version)


def build_sample(spec: dict[str, Any]) -> Any:
    """The :class:`auditor.samples.SampleReport` a sample spec describes."""
    from auditor.samples import make_report

    check_sample(spec)
    seed = int(spec.get("seed", 1))
    report = make_report(
        seed,
        year=int(spec.get("year", 2023)),
        agency=spec.get("agency"),
        level=spec.get("level", "department"),
    )
    for table, version in (spec.get("versions") or {}).items():
        _set_version(report, str(table), str(version), make_report, seed)
    for ref, raw in (spec.get("cells") or {}).items():
        _set_cell(report, str(ref), raw)
    for key, paragraphs in (spec.get("sections") or {}).items():
        if paragraphs is None:
            report.sections.pop(key, None)
        else:
            report.sections[key] = (report.sections[key][0], [str(p) for p in paragraphs])
    for key, heading in (spec.get("headings") or {}).items():
        report.sections[key] = (str(heading), report.sections[key][1])
    if "order" in spec:
        report.sections = {str(key): report.sections[str(key)] for key in spec["order"]}
    if "title" in spec:
        report.title = str(spec["title"])
    if "preamble" in spec:
        report.preamble = [str(p) for p in spec["preamble"]]
    if isinstance(spec.get("published"), date):
        report.published = spec["published"]
    return report


def render_sample(spec: dict[str, Any], fmt: str) -> bytes:
    """The sample rendered in ``fmt`` (txt, md, html, docx, pdf), text replacements applied."""
    from auditor.samples import render_docx, render_html, render_markdown, render_pdf, render_text

    if fmt not in sample_formats(spec):
        raise ValueError(f"this sample cannot be rendered as {fmt}")
    report = build_sample(spec)
    if fmt == "docx":
        return render_docx(report)
    if fmt == "pdf":
        return render_pdf(report)
    text = (
        render_html(report).decode("utf-8")
        if fmt == "html"
        else {"txt": render_text, "md": render_markdown}[fmt](report)
    )
    for old, new in spec.get("replace") or []:
        text = text.replace(str(old), str(new))
    return text.encode("utf-8")
