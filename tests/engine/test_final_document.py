"""Extraction makes the final Document: its level and the crawl's publication date are set by
extract(), and no later stage (the pipeline, the rule base, the checks) changes it."""

from __future__ import annotations

import copy
from datetime import date
from pathlib import Path

from auditor.engine import default_rulebase
from auditor.engine.samples import render_sample
from auditor.findings.model import ReportResult
from auditor.model import Document
from auditor.pipeline import AuditInput, extract_one

SHARED = Path(__file__).resolve().parents[3] / "shared"


def _inputs() -> list[AuditInput]:
    inputs = [
        AuditInput(data=p.read_bytes(), source=str(p))
        for folder in (SHARED / "real", SHARED / "seeds")
        if folder.is_dir()
        for p in sorted(folder.iterdir())[:12]
        if p.is_file() and p.name != "README.md"
    ]
    kinds = [(2021, None), (2022, "government"), (2019, "township"), (2022, None)]
    for seed, (year, level) in enumerate(kinds):
        spec = {"seed": 40 + seed, "year": year, **({"level": level} if level else {})}
        inputs.append(AuditInput(data=render_sample(spec, "txt"), source=f"g{seed}.txt", level=level,
                                 published=date(year + 1, 2, 20) if seed % 2 else None,
                                 published_source="栏目" if seed == 1 else None))
    return inputs


def _documents(results: list[ReportResult]) -> list[Document]:
    return [r.document for r in results if r.document is not None]


def test_auditing_changes_no_document() -> None:
    results = [extract_one(item) for item in _inputs()]
    before = copy.deepcopy(_documents(results))
    assert before and all(doc.level is not None for doc in before)  # extraction set every level
    default_rulebase().audit(results)
    after = _documents(results)
    assert len(after) == len(before)
    for was, now in zip(before, after, strict=True):
        assert now == was, now.source


def test_extraction_takes_the_crawl_date_and_the_level() -> None:
    spec = {"seed": 44, "year": 2022}
    item = AuditInput(data=render_sample(spec, "txt"), source="crawl.txt", level="township",
                      published=date(2023, 3, 1), published_source="栏目")
    doc = extract_one(item).document
    assert doc is not None
    assert (doc.level, doc.published, doc.published_source) == ("township", date(2023, 3, 1), "栏目")
    plain = extract_one(AuditInput(data=render_sample(spec, "txt"), source="plain.txt")).document
    assert plain is not None and plain.level == "department" and plain.published is None
