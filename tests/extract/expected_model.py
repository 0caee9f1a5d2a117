"""The reviewed view of a parsed model that the expected files hold.

Everything the model says is kept — title, agency, year, dates, template, every section boundary and
heading, every cell of T2/T3/T4 with its raw text and parsed value, problems and notes — except the
narrative text itself, which is summarised (length, digest, first characters): the shared reports are
read by the tests, never copied into this repository.

Regenerate after a deliberate extraction change, then review the diff:
    uv run python -m tests.extract.expected_model
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path
from typing import Any

from auditor.extract import extract

SHARED = Path(__file__).resolve().parents[3] / "shared"
EXPECTED = Path(__file__).parent / "expected"


def real_documents() -> list[Path]:
    """The five seeds and every report in shared/real (its README is not a report)."""
    files = sorted((SHARED / "seeds").glob("*.txt")) + sorted(
        p for p in (SHARED / "real").iterdir() if p.name != "README.md"
    )
    return files


def summarise_text(text: str) -> dict[str, Any]:
    return {
        "chars": len(text),
        "sha1": hashlib.sha1(text.encode("utf-8")).hexdigest()[:12],
        "starts": text[:8],
    }


def expected_view(path: Path) -> dict[str, Any]:
    doc = extract(path.read_bytes(), path.name)
    view = doc.to_dict()
    view.pop("source")
    for section in view["sections"]:
        section["text"] = summarise_text(section["text"])
    return json.loads(json.dumps(view, ensure_ascii=False))


def expected_path(path: Path) -> Path:
    return EXPECTED / f"{path.stem}.json"


def main() -> None:
    EXPECTED.mkdir(parents=True, exist_ok=True)
    for path in real_documents():
        out = expected_path(path)
        out.write_text(json.dumps(expected_view(path), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
