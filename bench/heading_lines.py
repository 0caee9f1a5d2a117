"""Extraction of a text made of nothing but heading lines (issue 14): time and peak memory.

    uv run python bench/heading_lines.py --lines 450000

Every line is a numbered section heading with its own wording ("三、主动公开政府信息情况第17项"), the
worst case for heading detection: every line is a candidate and no two are alike.  Section assignment
must stay linear in the number of lines and its memory bounded.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from auditor.extract import ReadError, extract


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=450_000)
    args = parser.parse_args()
    lines = [f"{'一二三四五六'[i % 6]}、主动公开政府信息情况第{i}项" for i in range(args.lines)]
    data = "\n".join(lines).encode("utf-8")
    start = time.perf_counter()
    try:
        doc = extract(data, "headings.txt")
        found = f"{len(doc.sections)} sections, {len(doc.extra_headings)} extra headings kept"
    except ReadError as exc:
        found = f"unreadable: {exc}"
    elapsed = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"input: {len(data) / 1e6:.1f} MB, {args.lines} heading lines")
    print(f"extracted in {elapsed:.2f} s, peak memory {peak:.0f} MB ({found})")


if __name__ == "__main__":
    main()
