"""The pandera side of the rule base alone: ``RuleBase._validate`` on already extracted reports.

    uv run python bench/schema_validate.py                       # 1000 txt/md reports, chunks of 200
    uv run python bench/schema_validate.py --docs 2000 --batch 500 --repeat 9

Extraction runs once, outside the timing (the same generated corpus as bench/rulebase_audit.py: one
report in five with a planted defect).  Each repeat runs ``_validate`` (cell frames built, schemas
run, failures collected) chunk by chunk as ``RuleBase.audit`` does.  Prints the median milliseconds per
report (wall clock, and CPU time, steadier on a shared machine) and the number of failures (which must not change
between two versions of the schemas).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from audit_throughput import sample_spec

from auditor.engine import default_rulebase
from auditor.engine.samples import render_sample
from auditor.model import Document
from auditor.pipeline import AuditInput, extract_one


def _documents(count: int) -> list[Document]:
    formats = ("txt", "md")
    docs: list[Document] = []
    for seed in range(count):
        fmt = formats[seed % 2]
        data = render_sample(sample_spec(seed), fmt)
        result = extract_one(AuditInput(data=data, source=f"{seed:06d}.{fmt}"))
        if result.document is not None:
            docs.append(result.document)
    return docs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=1000)
    parser.add_argument("--batch", type=int, default=200, help="reports per _validate call")
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    started = time.perf_counter()
    rulebase = default_rulebase()
    built = time.perf_counter() - started
    docs = _documents(args.docs)
    chunks = [docs[at : at + args.batch] for at in range(0, len(docs), args.batch)]
    rulebase._validate(chunks[0])  # warm: first calls pay pandera's lazy set-up
    times: list[float] = []
    cpu: list[float] = []
    failures = broken = 0
    for _ in range(args.repeat):
        failures = broken = 0
        started, started_cpu = time.perf_counter(), time.process_time()
        for chunk in chunks:
            found, not_run = rulebase._validate(chunk)
            failures += sum(len(f) for per_doc in found.values() for f in per_doc.values())
            broken += sum(len(checks) for checks in not_run.values())
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    median, median_cpu = statistics.median(times), statistics.median(cpu)
    print(
        f"RuleBase._validate: {len(docs)} reports in chunks of {args.batch}: median {median:.3f} s "
        f"({median * 1000 / len(docs):.3f} ms/report; CPU {median_cpu * 1000 / len(docs):.3f} ms/report, "
        f"fastest {min(times) * 1000 / len(docs):.3f} ms/report), "
        f"{failures} failures, {broken} checks not run; rule base built in {built:.2f} s"
    )


if __name__ == "__main__":
    main()
