"""The rule base alone: ``RuleBase.audit`` on already extracted reports, in batches.

    uv run python bench/rulebase_audit.py                       # 1000 txt/md reports, batches of 200
    uv run python bench/rulebase_audit.py --docs 2000 --batch 500 --repeat 7
    uv run python bench/rulebase_audit.py --folder ../shared/real --folder ../shared/seeds --copies 10
    uv run python bench/rulebase_audit.py --by-rule 15          # and the CPU of each rule's check

By default the reports are generated (the corpus of ``audit_throughput.py``); ``--folder`` audits the
.txt/.md/.html/.htm files of real folders instead, ``--copies`` times each (real reports have longer
sections and more narrative than generated ones: the text checks cost more on them).  Extraction runs
once, outside the timing; each repeat audits fresh copies of the extracted reports (the rule base sets a
document's level, and appends findings), batch by batch as `nianbao audit` audits its chunks.  Prints
the median CPU and wall milliseconds per report and the findings count (which must not change between
two versions of the engine); ``--by-rule N`` adds the N rules whose checks cost the most CPU (the
median over the repeats, per report).
"""

from __future__ import annotations

import argparse
import pickle
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from audit_throughput import sample_spec

from auditor.engine import RuleBase, default_rulebase
from auditor.engine.api import Context, Outcome
from auditor.engine.rulefile import RuleSpec
from auditor.engine.samples import render_sample
from auditor.pipeline import AuditInput, extract_one

SUFFIXES = (".txt", ".md", ".html", ".htm")
"""The real reports audited from ``--folder``: the text-like formats (.docx and PDF extract slowly and
their narrative is the same kind of text)."""


def generated(docs: int) -> list[AuditInput]:
    formats = ("txt", "md")
    return [
        AuditInput(
            data=render_sample(sample_spec(seed), formats[seed % 2]), source=f"{seed:06d}.{formats[seed % 2]}"
        )
        for seed in range(docs)
    ]


def from_folders(folders: list[Path], copies: int) -> list[AuditInput]:
    files = sorted(p for folder in folders for p in folder.rglob("*") if p.is_file() and p.suffix in SUFFIXES)
    return [
        AuditInput(data=path.read_bytes(), source=f"copy{copy}/{path.name}")
        for copy in range(copies)
        for path in files
    ]


class RuleClock:
    """The CPU each rule's check takes, summed over one repeat (the rule base's ``_evaluate`` timed)."""

    def __init__(self, rulebase: RuleBase) -> None:
        self.spent: dict[str, list[float]] = defaultdict(list)
        self._evaluate = rulebase._evaluate
        rulebase._evaluate = self._timed  # type: ignore[method-assign]

    def start_repeat(self) -> None:
        for times in self.spent.values():
            times.append(0.0)

    def _timed(self, rules: Sequence[RuleSpec], ctx: Context) -> list[tuple[int, list[Outcome]]]:
        """The rule base's ``_evaluate`` of a group of rules, one rule at a time so that each is timed."""
        found: list[tuple[int, list[Outcome]]] = []
        for k, rule in enumerate(rules):
            started = time.process_time()
            found += [(k, outcomes) for _, outcomes in self._evaluate([rule], ctx)]
            times = self.spent[rule.id]
            if not times:
                times.append(0.0)
            times[-1] += time.process_time() - started
        return found

    def report(self, reports: int, top: int) -> list[str]:
        medians = sorted(
            ((statistics.median(times) * 1000 / reports, rule) for rule, times in self.spent.items()),
            reverse=True,
        )
        lines = [f"checks: {sum(ms for ms, _ in medians):.3f} ms/report CPU in all; the costliest:"]
        lines += [f"  {rule:9s} {ms:.4f} ms/report" for ms, rule in medians[:top]]
        return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=1000, help="generated reports (without --folder)")
    parser.add_argument(
        "--folder", type=Path, action="append", default=[], help="audit the reports of this folder instead"
    )
    parser.add_argument("--copies", type=int, default=1, help="each report of --folder this many times")
    parser.add_argument("--batch", type=int, default=200, help="reports per RuleBase.audit call")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--by-rule", type=int, default=0, metavar="N", help="print the N costliest checks")
    args = parser.parse_args()
    inputs = from_folders(args.folder, args.copies) if args.folder else generated(args.docs)
    frozen = pickle.dumps([extract_one(item) for item in inputs])
    rulebase = default_rulebase()
    clock = RuleClock(rulebase) if args.by_rule else None
    cpu: list[float] = []
    wall: list[float] = []
    findings = 0
    for _ in range(args.repeat):
        results = pickle.loads(frozen)
        if clock is not None:
            clock.start_repeat()
        started, started_cpu = time.perf_counter(), time.process_time()
        for at in range(0, len(results), args.batch):
            rulebase.audit(results[at : at + args.batch])
        wall.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
        findings = sum(len(r.findings) for r in results)
    n = len(inputs)
    what = f"{n} reports of {', '.join(map(str, args.folder))}" if args.folder else f"{n} generated reports"
    print(
        f"RuleBase.audit: {what} in batches of {args.batch}: "
        f"median CPU {statistics.median(cpu) * 1000 / n:.3f} ms/report, "
        f"wall {statistics.median(wall) * 1000 / n:.3f} ms/report "
        f"({n / statistics.median(wall):.0f} reports/s), {findings} findings"
    )
    if clock is not None:
        print("\n".join(clock.report(n, args.by_rule)))


if __name__ == "__main__":
    main()
