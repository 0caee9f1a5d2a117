"""Size and writing time of findings.html for a district: N generated reports audited, then written.

    uv run python bench/html_size.py --docs 500

The reports are the bench corpus of bench/audit_throughput.py (every year and level, one in five with a
planted defect); they are audited in this process, then findings.html is written from them and its size
and writing time are printed.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from auditor.engine import default_rulebase
from auditor.engine.samples import render_sample
from auditor.findings.writers import WRITERS
from auditor.pipeline import AuditInput, audit_batch
from bench.audit_throughput import sample_spec


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=500)
    args = parser.parse_args()
    items = [AuditInput(render_sample(sample_spec(s), "txt"), f"{s:06d}.txt") for s in range(args.docs)]
    rulebase = default_rulebase()
    results = audit_batch(items, rulebase=rulebase)
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        path = WRITERS["html"](Path(tmp), results, rulebase.rules_meta())
        seconds = time.perf_counter() - start
        size = path.stat().st_size
    findings = sum(len(r.findings) for r in results)
    print(f"{args.docs} reports, {findings} findings: findings.html {size / 1e6:.2f} MB "
          f"({size / args.docs / 1e3:.1f} kB a report), written in {seconds:.2f} s")


if __name__ == "__main__":
    main()
