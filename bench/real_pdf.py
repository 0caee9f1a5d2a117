"""`nianbao audit` of real reports printed to PDF by headless Chromium (issue 12's real multi-page PDF).

No report published as a PDF is among ../shared's files. The nearest thing this machine can make is a real
report's portal page printed by a browser, as an agency's "打印/导出PDF" does: the page's real tables, drawn
by Chromium with a path per cell border and text in embedded CJK fonts. Each HTML report of ../shared/real and
../shared/seeds is printed once (`chromium --headless --print-to-pdf`), copied ``--copies`` times under other
names, and audited by the whole command (bytecode cached, as an installed nianbao runs). The figure printed
is reports/s and pages/s end to end, with the command's CPU; before that, the PDF's findings are compared
with the HTML page's (the same rules, the same severities: the reader got the same document out of both).

    uv run python bench/real_pdf.py [--copies 100] [--repeat 3] [--chromium /usr/bin/chromium]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from audit_scale import audit_command, run_measured  # noqa: E402
from audit_vs_floor import CPU, audit_seconds, child_env  # noqa: E402

SHARED = Path(__file__).resolve().parents[2] / "shared"


def print_pdf(chromium: str, page: Path, pdf: Path) -> None:
    """Print ``page`` to ``pdf`` with headless Chromium (no network: a local file)."""
    subprocess.run(
        [chromium, "--headless", "--no-sandbox", "--disable-gpu", f"--print-to-pdf={pdf}", page.as_uri()],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip


def findings_of(path: Path, out: Path, env: dict[str, str]) -> Counter[tuple[str, str]]:
    """(rule, severity) -> count of one audit of ``path``."""
    _, code, _, tail = run_measured(audit_command(path, out, "json", 0), env=env)
    if code not in (0, 1):
        raise SystemExit(f"nianbao audit {path} exited {code}: {tail}")
    data = json.loads((out / "findings.json").read_text(encoding="utf-8"))
    return Counter((f["rule_id"], f["severity"]) for r in data["reports"] for f in r["findings"])


def pages(pdf: Path) -> int:
    import pypdfium2

    document = pypdfium2.PdfDocument(str(pdf))
    try:
        return len(document)
    finally:
        document.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=100, help="copies of each printed report")
    parser.add_argument("--repeat", type=int, default=3, help="audits of the folder (median)")
    parser.add_argument("--chromium", default=os.environ.get("NIANBAO_CHROMIUM", "/usr/bin/chromium"))
    parser.add_argument("--outputs", default="json")
    parser.add_argument("--workers", type=int, default=0)
    args = parser.parse_args()
    if shutil.which(args.chromium) is None:
        raise SystemExit(f"no Chromium at {args.chromium} (apt-get install -y chromium, or --chromium PATH)")
    sources = sorted([*SHARED.glob("real/*.htm*"), *SHARED.glob("seeds/*.htm*")])
    if not sources:
        raise SystemExit(f"no HTML report in {SHARED}/real or {SHARED}/seeds")
    work = Path(tempfile.mkdtemp(prefix="nianbao-realpdf-"))
    env = child_env("cached", work)
    try:
        corpus = work / "corpus"
        corpus.mkdir()
        total_pages = 0
        for source in sources:
            pdf = work / f"{source.stem}.pdf"
            print_pdf(args.chromium, source, pdf)
            html_found = findings_of(source, work / "out-html", env)
            pdf_found = findings_of(pdf, work / "out-pdf", env)
            same = "same findings as the HTML page" if html_found == pdf_found else "FINDINGS DIFFER"
            count = pages(pdf)
            print(f"{source.name}: {count} pages printed; {sum(pdf_found.values())} findings, {same}")
            if html_found != pdf_found:
                print(f"  only in the HTML: {dict(html_found - pdf_found)}")
                print(f"  only in the PDF: {dict(pdf_found - html_found)}")
            for i in range(args.copies):
                shutil.copyfile(pdf, corpus / f"{source.stem}-{i:04d}.pdf")
            total_pages += count * args.copies
        reports = len(sources) * args.copies
        audit_seconds(corpus, work / "warm", args, env)  # compiles the bytecode once, unmeasured
        CPU.clear()
        times = [audit_seconds(corpus, work / "out", args, env) for _ in range(args.repeat)]
        wall, cpu = statistics.median(times), statistics.median(CPU)
        print(
            f"{reports} printed PDF reports ({total_pages} pages): audit {wall:.2f} s, CPU {cpu:.2f} s, "
            f"{reports / wall:.1f} reports/s, {total_pages / wall:.0f} pages/s, "
            f"{cpu / reports * 1000:.0f} ms CPU a report"
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
