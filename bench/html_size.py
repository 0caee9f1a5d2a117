"""findings.html for a district: its size, and the writer's memory when results arrive as a stream.

    uv run python -m bench.html_size --docs 500
    uv run python -m bench.html_size --docs 5000 --stream

The reports are the corpus of bench/audit_throughput.py (every year and level, one in five with a
planted defect).  Without ``--stream`` they are audited as one batch and findings.html is written from
the list (what `nianbao audit` did so far).  With ``--stream`` each report is made, audited and handed to
:class:`auditor.findings.htmlreport.HtmlWriter` one at a time, and nothing else keeps it: the peak
resident memory printed should not grow with ``--docs``.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from auditor.engine import default_rulebase
from auditor.engine.samples import render_sample
from auditor.findings.htmlreport import HtmlWriter, write_html
from auditor.findings.model import ReportResult
from auditor.pipeline import AuditInput, audit_batch
from bench.audit_throughput import sample_spec


def _stream(docs: int, rulebase: object) -> Iterator[ReportResult]:
    for seed in range(docs):
        yield from audit_batch([AuditInput(render_sample(sample_spec(seed), "txt"), f"{seed:06d}.txt")],
                               rulebase=rulebase)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=500)
    parser.add_argument("--stream", action="store_true", help="audit and write one report at a time")
    args = parser.parse_args()
    rulebase = default_rulebase()
    findings = 0
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        if args.stream:
            with HtmlWriter(Path(tmp), rulebase.rules_meta()) as writer:
                for result in _stream(args.docs, rulebase):
                    findings += len(result.findings)
                    writer.add(result)
            path = writer.path
        else:
            items = [AuditInput(render_sample(sample_spec(s), "txt"), f"{s:06d}.txt")
                     for s in range(args.docs)]
            results = audit_batch(items, rulebase=rulebase)
            findings = sum(len(r.findings) for r in results)
            start = time.perf_counter()  # the writing alone
            path = write_html(Path(tmp), results, rulebase.rules_meta())
        seconds = time.perf_counter() - start
        size = path.stat().st_size
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    mode = "streamed (audit + write)" if args.stream else "written from a list"
    print(f"{args.docs} reports, {findings} findings: findings.html {size / 1e6:.2f} MB "
          f"({size / args.docs / 1e3:.1f} kB a report), {mode} in {seconds:.2f} s, peak RSS {peak:.0f} MB")


if __name__ == "__main__":
    main()
