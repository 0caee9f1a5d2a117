"""findings.json as fixed by shared/spec/CONTRACT.md, and atomic file writing for every output."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from auditor import __version__
from auditor.findings.model import ReportResult


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that readers see either the old file or the whole new one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, 0o666 & ~_umask())  # mkstemp makes 0600; outputs are meant to be shared
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def findings_document(results: Sequence[ReportResult], rules: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The findings.json structure: tool, the rules that ran, one entry per report."""
    return {
        "tool": {"name": "nianbao", "version": __version__},
        "rules": list(rules),
        "reports": [r.to_dict() for r in results],
    }


def write_findings_json(path: Path, results: Sequence[ReportResult], rules: Sequence[dict[str, Any]]) -> None:
    payload = json.dumps(findings_document(results, rules), ensure_ascii=False, indent=2)
    atomic_write_bytes(path, payload.encode("utf-8"))
