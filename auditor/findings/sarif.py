"""Findings as SARIF 2.1.0, for code-review and security dashboards that read it."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

from auditor import __version__
from auditor.findings.jsonout import atomic_write_bytes
from auditor.findings.model import Finding, ReportResult

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS: dict[str, str] = {"error": "error", "warning": "warning", "info": "note"}


def _uri(source: str) -> str:
    """A URL as it is; a local path as a URI reference (non-ASCII percent-encoded)."""
    if "://" in source:
        return source
    return quote(source.replace("\\", "/"), safe="/:._-~")


def _rule(rule: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": rule["id"],
        "name": rule["id"],
        "shortDescription": {"text": rule.get("title", "")},
        "help": {"text": rule.get("basis", "")},
        "defaultConfiguration": {"level": LEVELS.get(str(rule.get("severity")), "warning")},
        "properties": {"basis": rule.get("basis", "")},
    }


def _result(finding: Finding, source: str, rule_index: dict[str, int]) -> dict[str, Any]:
    loc = finding.location
    where = " / ".join(p for p in (loc.section, loc.table, loc.row, loc.column) if p)
    out: dict[str, Any] = {
        "ruleId": finding.rule_id,
        "ruleIndex": rule_index[finding.rule_id],
        "level": LEVELS.get(finding.severity, "warning"),
        "message": {"text": finding.message},
        "locations": [
            {
                "physicalLocation": {"artifactLocation": {"uri": _uri(source)}},
                **({"logicalLocations": [{"name": where, "kind": "element"}]} if where else {}),
            }
        ],
        "partialFingerprints": {"nianbao/v1": finding.fingerprint},
        "properties": {
            "title": finding.title,
            "evidence": finding.evidence,
            "basis": finding.basis,
            "fix": finding.fix,
            "location": loc.to_dict(),
        },
    }
    if finding.waived is not None:
        out["suppressions"] = [{"kind": "external", "justification": finding.waived}]
    return out


def sarif_document(results: Sequence[ReportResult], rules: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The SARIF log: one run, the rules as the driver's rules, one result per finding."""
    known = [dict(r) for r in rules]
    listed = {r["id"] for r in known}
    for result in results:
        for f in result.findings:
            if f.rule_id not in listed:  # a finding made outside the rule base (the crawler's portal checks)
                listed.add(f.rule_id)
                known.append({"id": f.rule_id, "title": f.title, "severity": f.severity, "basis": f.basis})
    rule_index = {r["id"]: i for i, r in enumerate(known)}
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {"name": "nianbao", "version": __version__, "rules": [_rule(r) for r in known]}
                },
                "artifacts": [{"location": {"uri": _uri(r.source)}} for r in results],
                "results": [_result(f, r.source, rule_index) for r in results for f in r.findings],
            }
        ],
    }


def write_sarif(out_dir: Path, results: Sequence[ReportResult], rules: Sequence[dict[str, Any]]) -> Path:
    path = out_dir / "findings.sarif"
    payload = json.dumps(sarif_document(results, rules), ensure_ascii=False, indent=2)
    atomic_write_bytes(path, payload.encode("utf-8"))
    return path
