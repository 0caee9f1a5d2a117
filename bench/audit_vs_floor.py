"""`nianbao audit` against the floor (bench/floor.py) on the same generated corpus, per input format,
in one invocation: the audit's cost as a multiple of the least work that checks the 勾稽.

    uv run python bench/audit_vs_floor.py                      # txt+md 1000, html 500, docx 300, pdf 100
    uv run python bench/audit_vs_floor.py --sizes txt,md=2000 --repeat 3 --outputs json,html
    uv run python bench/audit_vs_floor.py --steady 5           # also a 5× corpus: the marginal rate

The audit is the whole command as a user runs it (a child process: start-up, workers, outputs).
The floor is measured twice over the same files: in this process (the work alone: reading, decoding,
the regular expression) and as a process of its own, ``python bench/floor.py FOLDER`` with the same
interpreter, environment and bytecode cache as the audit (start-up and exit included, like the
audit's: the like-for-like comparison).  The audit's ratio is printed to both.  With --repeat the
medians are reported.

Three figures per format, since on a few hundred reports start-up is much of the total:

- start-up: a one-report audit of that format (interpreter, imports, rule base, workers, outputs);
- end to end: the corpus, and its ratio to the floor;
- steady state: reports per second beyond start-up, ``n / (end to end - start-up)``; with
  ``--steady K`` measured instead on a K× corpus as ``(K - 1) n / (t(K n) - t(n))``.

The rule base: a command builds it in a process of its own, started before the command line is
parsed (nianbao/zygote.py); ``--rulebase thread`` measures the way the command did before (built in a
thread of the command, ``NIANBAO_ZYGOTE=0``), ``--rulebase both`` one after the other on the same
corpus, in the same invocation (before/after in the same minute).

Bytecode: an installed nianbao runs from compiled bytecode (pip compiles on install; Python caches
it on first import).  ``PYTHONDONTWRITEBYTECODE=1`` in the environment makes every run compile every
module again (pandas alone: 0.6 s more).  By default the child runs with a bytecode cache in the
bench's temporary folder, warmed by one unmeasured run; ``--bytecode none`` measures without any,
``--bytecode as-is`` with the environment unchanged.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from audit_scale import audit_command, make_corpus, run_measured
from floor import floor

FLOOR_SCRIPT = Path(__file__).resolve().parent / "floor.py"

DEFAULT_SIZES = "txt,md=1000;html=500;docx=300;pdf=100"


def child_env(mode: str, work: Path) -> dict[str, str]:
    """The audit's environment for a bytecode ``mode`` (cached, none, as-is)."""
    env = dict(os.environ)
    if mode == "cached":
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(work / "pycache")
    elif mode == "none":
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        env.pop("PYTHONPYCACHEPREFIX", None)
    return env


CPU: list[float] = []
"""CPU seconds (user + system, the command and its workers) of each audit run, in order."""


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def audit_seconds(corpus: Path, out: Path, args: argparse.Namespace, env: dict[str, str]) -> float:
    """Wall-clock seconds of one `nianbao audit` of ``corpus`` (exit 0 or 1 expected); its CPU seconds
    are appended to :data:`CPU` (on a shared machine the wall clock counts others' work too)."""
    before = _children_cpu()
    elapsed, code, _, tail = run_measured(audit_command(corpus, out, args.outputs, args.workers), env=env)
    if code not in (0, 1):
        raise SystemExit(f"nianbao audit exited {code}: {tail}")
    CPU.append(_children_cpu() - before)
    return elapsed


FLOOR_CPU: list[float] = []
"""CPU seconds of each floor process, in order."""


def floor_process_seconds(corpus: Path, env: dict[str, str]) -> float:
    """Wall-clock seconds of ``python bench/floor.py corpus`` as a process of its own (the audit's
    interpreter and environment); its CPU seconds are appended to :data:`FLOOR_CPU`."""
    before = _children_cpu()
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, str(FLOOR_SCRIPT), str(corpus)], env=env, capture_output=True, text=True, check=False
    )
    elapsed = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"bench/floor.py exited {proc.returncode}: {proc.stderr.strip()[-300:]}")
    FLOOR_CPU.append(_children_cpu() - before)
    return elapsed


def median_of(repeat: int, measure: object) -> float:
    return statistics.median(measure() for _ in range(repeat))  # type: ignore[operator]


RULEBASE_ENV = {"process": "1", "thread": "0"}
"""--rulebase -> NIANBAO_ZYGOTE in the command's environment."""


def one_format(formats: str, count: int, work: Path, args: argparse.Namespace, env: dict[str, str]) -> None:
    """Render the corpus of ``formats`` (once) and print the floor, start-up, end-to-end and steady
    figures."""
    kinds = formats.split(",")
    corpus = work / formats.replace(",", "+")
    if not corpus.exists():
        make_corpus(corpus, count, kinds, os.cpu_count() or 1)
    paths = sorted(corpus.iterdir())
    single = work / f"one-{kinds[0]}"
    if not single.exists():
        single.mkdir()
        shutil.copy(paths[0], single / paths[0].name)
    out = work / "out"
    floors, floor_processes, audits = [], [], []
    for _ in range(args.repeat):
        started = time.perf_counter()
        floor(paths)
        floors.append(time.perf_counter() - started)
        floor_processes.append(floor_process_seconds(corpus, env))
        audits.append(audit_seconds(corpus, out, args, env))
    f, a, cpu = statistics.median(floors), statistics.median(audits), statistics.median(CPU[-args.repeat:])
    fp, fp_cpu = statistics.median(floor_processes), statistics.median(FLOOR_CPU[-args.repeat:])
    start = median_of(max(3, args.repeat), lambda: audit_seconds(single, out, args, env))
    start_cpu = statistics.median(CPU[-max(3, args.repeat):])
    print(f"{formats:8} {len(paths):6} reports: audit {a:6.2f} s, CPU {cpu:5.2f} s "
          f"({len(paths) / a:5.0f} reports/s)", flush=True)  # fmt: skip
    print(f"{'':8} floor in-process {f:6.3f} s: audit = {a / f:5.0f} × floor (the work alone)", flush=True)
    print(f"{'':8} floor as a process (bench/floor.py) {fp:6.3f} s, CPU {fp_cpu:5.2f} s: "
          f"audit = {a / fp:5.1f} × floor, CPU {cpu / fp_cpu:5.1f} × (like for like: whole processes)",
          flush=True)  # fmt: skip
    if args.steady > 1:
        big = work / f"{corpus.name}-x{args.steady}"
        make_corpus(big, count * args.steady, kinds, os.cpu_count() or 1)
        t_big = median_of(args.repeat, lambda: audit_seconds(big, out, args, env))
        steady = (args.steady - 1) * count / (t_big - a)
        how = f"{count * args.steady} reports in {t_big:.1f} s"
        shutil.rmtree(big, ignore_errors=True)
    else:
        steady, how = (len(paths) - 1) / max(a - start, 1e-9), "beyond the one-report run"
    print(f"{'':8} start-up (one report) {start:5.2f} s, CPU {start_cpu:4.2f} s; "
          f"steady state {steady:5.0f} reports/s ({how}), "
          f"= {len(paths) / steady / f:4.0f} × floor in-process", flush=True)  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=DEFAULT_SIZES, help="formats=count groups separated by ';'")
    parser.add_argument("--outputs", default="json", help="--format of nianbao audit")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--workers", type=int, default=0, help="--workers of nianbao audit (0: its default)")
    parser.add_argument("--steady", type=int, default=0, help="also audit a corpus this many times larger")
    parser.add_argument("--bytecode", choices=("cached", "none", "as-is"), default="cached")
    parser.add_argument("--rulebase", choices=("process", "thread", "both"), default="process",
                        help="where the command builds the rule base (both: each in turn)")  # fmt: skip
    args = parser.parse_args()
    groups = [g.split("=") for g in args.sizes.split(";") if g.strip()]
    work = Path(tempfile.mkdtemp(prefix="nianbao-floor-"))
    env = child_env(args.bytecode, work)
    print(f"bytecode: {args.bytecode}; {os.cpu_count()} cores", flush=True)
    try:
        if args.bytecode == "cached":  # compile once, unmeasured, as an installed nianbao has
            warm = work / "warm"
            make_corpus(warm, 1, ["txt"], 1)
            audit_seconds(warm, work / "out", args, env)
            floor_process_seconds(warm, env)
        ways = list(RULEBASE_ENV) if args.rulebase == "both" else [args.rulebase]
        for formats, count in groups:
            for way in ways:
                print(f"rule base built in a {way}:", flush=True)
                one_format(formats, int(count), work, args, {**env, "NIANBAO_ZYGOTE": RULEBASE_ENV[way]})
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
