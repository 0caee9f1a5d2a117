"""CPU of `nianbao audit`'s own process (the parent), apart from its rule-base process and workers.

The parent's CPU is what the command spends besides reading and auditing: the interpreter's start, the
imports before the read workers are forked, the command line, listing the inputs, and the loops that
feed the workers and write the outputs.  On two cores busy all the run, every millisecond of it is
half a millisecond of wall clock.

Each run is a fresh ``python -c`` that runs the console script's entry point (nianbao.entry.main) and
prints, at exit, the process's own CPU (getrusage(RUSAGE_SELF)) and its children's (the rule-base
process, reaped at exit, and the workers).  Bytecode is cached in a temporary folder warmed by one
unmeasured run, as bench/audit_vs_floor.py does.

    uv run python bench/parent_cpu.py /work/ref/corpus-txt --repeat 9 --format json,html
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

PROBE = """
import atexit, resource, sys
def report():
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    sys.stdout.write(f"{me.ru_utime + me.ru_stime} {kids.ru_utime + kids.ru_stime}\\n")
    sys.stdout.flush()
atexit.register(report)
sys.argv = ["nianbao", "audit", *sys.argv[1:]]
from nianbao.entry import main
main()
"""


def one_run(corpus: Path, out: Path, formats: str, env: dict[str, str]) -> tuple[float, float]:
    """(parent CPU, children's CPU) in seconds of one audit of ``corpus``."""
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(corpus), "--out", str(out), "--format", formats],
        capture_output=True, text=True, env=env, check=False,
    )  # fmt: skip
    if done.returncode not in (0, 1):
        raise SystemExit(f"nianbao audit failed ({done.returncode}): {done.stderr[-2000:]}")
    parent, children = done.stdout.split()[-2:]
    return float(parent), float(children)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--format", default="json,html")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="parent-cpu-") as work:
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env["PYTHONPYCACHEPREFIX"] = str(Path(work) / "pycache")
        out = Path(work) / "out"
        one_run(args.corpus, out, args.format, env)  # warms the bytecode cache
        runs = [one_run(args.corpus, out, args.format, env) for _ in range(args.repeat)]
    parent = statistics.median(p for p, _ in runs)
    children = statistics.median(c for _, c in runs)
    print(f"{args.corpus}: parent CPU {parent * 1000:.0f} ms, children {children * 1000:.0f} ms "
          f"(medians of {args.repeat} runs, --format {args.format})")


if __name__ == "__main__":
    main()
