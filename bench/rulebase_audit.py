"""The rule base alone: ``RuleBase.audit`` on already extracted generated reports, in batches.

    uv run python bench/rulebase_audit.py                       # 1000 txt/md reports, batches of 200
    uv run python bench/rulebase_audit.py --docs 2000 --batch 500 --repeat 7

Extraction runs once, outside the timing; each repeat audits fresh copies of the extracted reports
(the rule base sets a document's level, and appends findings), batch by batch as `nianbao audit`
audits its chunks.  Prints the median milliseconds per report and the findings count (which must not
change between two versions of the engine).
"""

from __future__ import annotations

import argparse
import pickle
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from audit_throughput import sample_spec

from auditor.engine import default_rulebase
from auditor.engine.samples import render_sample
from auditor.pipeline import AuditInput, extract_one


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=1000)
    parser.add_argument("--batch", type=int, default=200, help="reports per RuleBase.audit call")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    formats = ("txt", "md")
    inputs = [
        AuditInput(
            data=render_sample(sample_spec(seed), formats[seed % 2]), source=f"{seed:06d}.{formats[seed % 2]}"
        )
        for seed in range(args.docs)
    ]
    frozen = pickle.dumps([extract_one(item) for item in inputs])
    rulebase = default_rulebase()
    times: list[float] = []
    findings = 0
    for _ in range(args.repeat):
        results = pickle.loads(frozen)
        started = time.perf_counter()
        for at in range(0, len(results), args.batch):
            rulebase.audit(results[at : at + args.batch])
        times.append(time.perf_counter() - started)
        findings = sum(len(r.findings) for r in results)
    median = statistics.median(times)
    print(
        f"RuleBase.audit: {args.docs} reports in batches of {args.batch}: median {median:.3f} s "
        f"({median * 1000 / args.docs:.2f} ms/report, {args.docs / median:.0f} reports/s), "
        f"{findings} findings"
    )


if __name__ == "__main__":
    main()
