"""The pandera side of the rule base alone: ``RuleBase._validate`` on already extracted reports.

    uv run python bench/schema_validate.py                       # 1000 txt/md reports, chunks of 200
    uv run python bench/schema_validate.py --docs 2000 --batch 500 --repeat 9
    uv run python bench/schema_validate.py --audit                # also the whole RuleBase.audit
    uv run python bench/schema_validate.py --parts                # the frame, pandera, the failures

Extraction runs once, outside the timing (the same generated corpus as bench/rulebase_audit.py: one
report in five with a planted defect).  Each repeat runs ``_validate`` (cell frames built, schemas
run, failures collected) chunk by chunk as ``RuleBase.audit`` does.  Prints the median milliseconds per
report (wall clock, and CPU time, steadier on a shared machine) and the number of failures (which must
not change between two versions of the schemas).  ``--parts`` splits ``_validate`` into building the
batch's frame, pandera's validation (of which the check functions alone) and reading its failures.
``--audit`` also times ``RuleBase.audit`` on fresh copies of the same reports (as
bench/rulebase_audit.py does, in CPU time as well), and the import of pandas and pandera that building
the rule base's schema costs in a fresh process, saying whether their bytecode was compiled at install
(``uv sync --compile-bytecode``): without it, and with PYTHONDONTWRITEBYTECODE set, every process
compiles pandas from source (about three times the import's CPU).
"""

from __future__ import annotations

import argparse
import pickle
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import pandas as pd
import pandera.pandas as pa
from rulebase_audit import generated

from auditor import schemas
from auditor.engine import RuleBase, default_rulebase
from auditor.engine.api import tables_by_template
from auditor.findings.model import ReportResult
from auditor.model import Document
from auditor.pipeline import extract_one
from auditor.schemas.checks import TABLES_OF_CHECK
from auditor.schemas.validation import _collect, _run_check, _typed

IMPORT_COST = (
    "import time\n"
    "wall, cpu = time.perf_counter(), time.process_time()\n"
    "import pandera.pandas\n"
    "print(time.perf_counter() - wall, time.process_time() - cpu)\n"
)
BYTECODE = (
    "import importlib.util, os, pandas\n"
    "print(os.path.exists(importlib.util.cache_from_source(pandas.core.frame.__file__)))\n"
)


def _results(count: int) -> list[ReportResult]:
    return [extract_one(item) for item in generated(count)]


def _timed(run: Callable[[], int], repeat: int) -> tuple[list[float], list[float], int]:
    """Wall-clock and CPU seconds of each of ``repeat`` runs, and the count the last run returned."""
    walls: list[float] = []
    cpus: list[float] = []
    count = 0
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        count = run()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return walls, cpus, count


def _line(what: str, docs: int, walls: list[float], cpus: list[float]) -> str:
    def per(seconds: float) -> str:
        return f"{seconds * 1000 / docs:.3f}"

    return (
        f"{what}: {docs} reports: median {per(statistics.median(walls))} ms/report "
        f"(CPU {per(statistics.median(cpus))}, fastest {per(min(walls))})"
    )


def _import_cost(repeat: int) -> str:
    runs = [subprocess.run([sys.executable, "-c", IMPORT_COST], capture_output=True, text=True, check=True)
            for _ in range(repeat)]  # fmt: skip
    walls, cpus = zip(*(map(float, run.stdout.split()) for run in runs), strict=True)
    compiled = subprocess.run([sys.executable, "-c", BYTECODE], capture_output=True, text=True, check=True)
    how = "compiled at install" if compiled.stdout.strip() == "True" else "not compiled: compiled on import"
    return (
        f"import pandera.pandas in a fresh process: median {statistics.median(walls):.2f} s "
        f"(CPU {statistics.median(cpus):.2f} s; pandas bytecode {how})"
    )


def _parts(rulebase: RuleBase, chunks: list[list[Document]], repeat: int) -> None:
    """CPU of each part of ``_validate``: the frame, pandera (and its check functions), the failures."""
    specs = rulebase.schema_specs
    groups = [{rulebase.specs[k]: v for k, v in tables_by_template(chunk).items()} for chunk in chunks]
    frames = [schemas.batch_frame(g, specs) for g in groups]
    tables = rulebase.schema.metadata[TABLES_OF_CHECK]
    typed = _typed(rulebase.schema)

    def checks_run(frame: pd.DataFrame) -> int:
        found: dict[Any, Any] = {}
        for number, check in enumerate(rulebase.schema.checks):
            _run_check(found, frame, number, check, tables)
        return len(found)

    def typed_validated(frame: pd.DataFrame) -> int:
        found: dict[Any, Any] = {}
        try:
            typed.validate(frame, lazy=True, inplace=True)
        except pa.errors.SchemaErrors as exc:
            _collect(found, frame, exc.failure_cases, tables)
        return len(found)

    parts: dict[str, Callable[[], object]] = {
        "batch_frame": lambda: [schemas.batch_frame(g, specs) for g in groups],
        "pandera validate, columns and types": lambda: [typed_validated(f) for f in frames],
        "the checks run, their failures read": lambda: [checks_run(f) for f in frames],
        "  (pandera's lazy validation of the checks too, not used)": lambda: [
            _validated(rulebase.schema, f) for f in frames
        ],
    }
    docs = sum(map(len, chunks))
    for what, run in parts.items():
        _, cpus, _ = _timed(lambda run=run: len(run()), repeat)  # type: ignore[misc]
        print(f"{what}: CPU {statistics.median(cpus) * 1000 / docs:.3f} ms/report")


def _validated(schema: pa.DataFrameSchema, frame: pd.DataFrame) -> bool:
    try:
        schema.validate(frame, lazy=True, inplace=True)
    except pa.errors.SchemaErrors:
        return False
    return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=1000)
    parser.add_argument("--batch", type=int, default=200, help="reports per _validate call")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--audit", action="store_true", help="also time RuleBase.audit and the import")
    parser.add_argument("--parts", action="store_true", help="also time the parts of _validate")
    args = parser.parse_args()
    rulebase = default_rulebase()
    results = _results(args.docs)
    docs: list[Document] = [r.document for r in results if r.document is not None]
    chunks = [docs[at : at + args.batch] for at in range(0, len(docs), args.batch)]
    rulebase._validate(chunks[0])  # warm: first calls pay pandera's lazy set-up

    def validate_all() -> int:
        failures = 0
        for chunk in chunks:
            found, not_run = rulebase._validate(chunk)
            failures += sum(len(f) for per_doc in found.values() for f in per_doc.values())
            failures += sum(len(checks) for checks in not_run.values())
        return failures

    walls, cpus, failures = _timed(validate_all, args.repeat)
    timing = _line("RuleBase._validate", len(docs), walls, cpus)
    print(f"{timing}, chunks of {args.batch}, {failures} failures")
    if args.parts:
        _parts(rulebase, chunks, args.repeat)
    if not args.audit:
        return
    frozen = pickle.dumps(results)

    def audit_all() -> int:
        copies = pickle.loads(frozen)
        for at in range(0, len(copies), args.batch):
            rulebase.audit(copies[at : at + args.batch])
        return sum(len(r.findings) for r in copies)

    walls, cpus, findings = _timed(audit_all, args.repeat)
    print(f"{_line('RuleBase.audit (incl. unpickling)', len(docs), walls, cpus)}, {findings} findings")
    print(_import_cost(args.repeat))


if __name__ == "__main__":
    main()
