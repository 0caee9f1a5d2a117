"""A generated corpus with planted cell defects, and the pandera failures the rule base's schemas find
in it, written as plain data so that two versions of :mod:`auditor.schemas` can be compared.

    uv run python -m tests.schemas.planted     # rewrite expected_failures.json from the current code

Each report is a clean generated report (auditor.engine.samples) of a varied year, level and template
version with up to four of its T2/T3/T4 cells rewritten: left blank, a placeholder, a number written
otherwise, a negative number, a fraction, a large number, or a changed count that unbalances its row
and column.  The values stay within what a float holds exactly, so the frozen failures do not depend on
how the schemas do their arithmetic (tests/schemas/test_exact.py covers the long numbers).
"""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from auditor.engine import default_rules
from auditor.engine.api import tables_by_template
from auditor.engine.samples import render_sample
from auditor.model import Document
from auditor.pipeline import AuditInput, extract_one
from auditor.schemas import batch_frame, batch_schema, build_schema, cells_frame, validate
from auditor.templates import SPECS, expected_version

EXPECTED = Path(__file__).with_name("expected_failures.json")
REPORTS = 160
CHUNK = 60
"""Reports per frame: more than one chunk, so document numbers restart as in the rule base."""

RAW_DEFECTS: tuple[str, ...] = (
    "", "/", "—", "无", "十二", "12件", "-3", "12.5", "0.35", "7", "0", "123456789", "-0.5", "３",
)  # fmt: skip


def _sample(seed: int) -> dict[str, Any]:
    rng = random.Random(seed)
    year = 2019 + seed % 7
    level = ("department", "government", "township")[seed % 3]
    spec: dict[str, Any] = {"seed": seed, "year": year, "level": level}
    versions: dict[str, str] = {}
    if seed % 11 == 0:
        versions = {rng.choice(["T2", "T3"]): rng.choice(["2019", "2021"])}
        spec["versions"] = versions
    cells: dict[str, str] = {}
    for _ in range(rng.randrange(5)):
        kind = rng.choice(["T2", "T3", "T3", "T4"])
        version = versions.get(kind, expected_version(year) or "2021")
        row, col = rng.choice(SPECS[(kind, version)].required_cells())
        cells[f"{kind}.{row}.{col}"] = rng.choice(RAW_DEFECTS)
    if cells:
        spec["cells"] = cells
    return spec


def corpus(count: int = REPORTS) -> list[Document]:
    """The extracted reports of the planted corpus (text and markdown alternately)."""
    docs: list[Document] = []
    for seed in range(count):
        fmt = ("txt", "md")[seed % 2]
        result = extract_one(AuditInput(data=render_sample(_sample(seed), fmt), source=f"{seed:04d}.{fmt}"))
        assert result.document is not None
        docs.append(result.document)
    return docs


def failures_of(docs: Sequence[Document], chunk: int = CHUNK, *, per_version: bool = False) -> dict[str, Any]:
    """Every failure of the rule base's schemas, by report, in the order pandera reports them; and the
    checks that could not run.  As the rule base validates: one frame of every table of a chunk, one
    schema of every template version; or (``per_version``) one frame and schema per kind and version."""
    checks = [check for rule in default_rules().rules for check in rule.compiled.schema_checks]
    specs = {(spec.kind, spec.version): spec for spec in SPECS.values()}
    everything = tuple(specs.values())
    schema = batch_schema(everything, checks)
    found: dict[str, Any] = {}
    for start in range(0, len(docs), chunk):
        part = docs[start : start + chunk]
        groups = {specs[key]: tables for key, tables in tables_by_template(part).items()}
        if per_version:
            failures = [f for spec, tables in groups.items()
                        for f in validate(cells_frame(tables, spec), build_schema(spec, checks))]  # fmt: skip
        else:
            failures = validate(batch_frame(groups, everything), schema)
        for failure in failures:
            source = part[failure.doc].source if failure.doc is not None else "*"
            found.setdefault(source, []).append([failure.check, failure.table, failure.row, failure.column])
    return found


def main() -> None:
    found = failures_of(corpus())
    # pandera's own order of failure cases is arbitrary (an unstable sort): the file is sorted
    lines = [
        f"  {json.dumps(source)}: [\n"
        + ",\n".join(f"    {json.dumps(failure, ensure_ascii=False)}" for failure in sorted(failures))
        + "\n  ]"
        for source, failures in sorted(found.items())
    ]
    EXPECTED.write_text("{\n" + ",\n".join(lines) + "\n}\n", encoding="utf-8")
    print(f"{sum(len(v) for v in found.values())} failures in {len(found)} reports -> {EXPECTED}")


if __name__ == "__main__":
    main()
