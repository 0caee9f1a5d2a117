"""Clean generated reports give no error and no warning, in every input format, year and level."""

from __future__ import annotations

import pytest

from auditor.engine.samples import SAMPLE_FORMATS, render_sample
from auditor.pipeline import AuditInput, audit_batch

CASES = [
    (seed, year, level, fmt)
    for seed, (year, level) in enumerate(
        [(2019, "department"), (2020, "government"), (2021, "township"),
         (2022, "government"), (2023, "department"),
         (2024, "township"), (2025, "government")],
        start=300,
    )
    for fmt in SAMPLE_FORMATS
]  # fmt: skip


@pytest.mark.parametrize(
    ("seed", "year", "level", "fmt"), CASES, ids=[f"{y}-{lv}-{f}" for _, y, lv, f in CASES]
)
def test_clean_report_has_no_error_or_warning(seed, year, level, fmt):
    spec = {"seed": seed, "year": year, "level": level}
    result = audit_batch([AuditInput(render_sample(spec, fmt), f"clean.{fmt}")])[0]
    serious = [(f.rule_id, f.message) for f in result.findings if f.severity in ("error", "warning")]
    assert serious == []
