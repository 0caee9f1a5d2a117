"""Findings as SARIF 2.1.0, for code-review and security dashboards that read it."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

from auditor import __version__
from auditor.findings.jsonout import AtomicFile, drain, pretty_json
from auditor.findings.model import Finding, ReportResult
from auditor.findings.sanitize import UTF8_UNSAFE, Sanitizer

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


class SarifStream:
    """findings.sarif written as the results arrive.

    The log's objects are written results first, then artifacts, then the tool with its rules (JSON
    objects are unordered): the rules a finding names outside the rule base are known only at the end.
    """

    name = "findings.sarif"

    def __init__(self, out_dir: Path, rules: Sequence[dict[str, Any]]) -> None:
        self.file = AtomicFile(out_dir / self.name)
        self.artifacts = AtomicFile(out_dir / (self.name + ".artifacts"))
        self.clean = Sanitizer(UTF8_UNSAFE)
        self.known = [dict(r) for r in rules]
        self.rule_index = {r["id"]: i for i, r in enumerate(self.known)}
        self.results = 0
        self.sources = 0
        self.file.write(
            '{\n  "$schema": ' + json.dumps(SARIF_SCHEMA) + ',\n  "version": "2.1.0",\n  "runs": [\n'
            '    {\n      "results": ['
        )

    @property
    def replaced(self) -> int:
        return self.clean.replaced

    def add(self, result: ReportResult) -> None:
        """Append one report's results and its artifact."""
        for f in result.findings:
            if f.rule_id not in self.rule_index:  # a finding made outside the rule base (portal checks)
                self.rule_index[f.rule_id] = len(self.known)
                rule = {"id": f.rule_id, "title": f.title, "severity": f.severity, "basis": f.basis}
                self.known.append(rule)
            entry = self.clean.text(pretty_json(_result(f, result.source, self.rule_index), 4))
            self.file.write(("\n        " if self.results == 0 else ",\n        ") + entry)
            self.results += 1
        artifact = self.clean.text(json.dumps({"location": {"uri": _uri(result.source)}}, ensure_ascii=False))
        self.artifacts.write(("\n        " if self.sources == 0 else ",\n        ") + artifact)
        self.sources += 1

    def close(self) -> Path:
        """Copy the artifacts in, write the tool and its rules, move the log into place."""
        self.file.write(("\n      ]" if self.results else "]") + ',\n      "artifacts": [')
        self.artifacts.fh.close()
        with self.artifacts.tmp.open(encoding="utf-8") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), ""):
                self.file.write(chunk)
        self.artifacts.abort()
        driver = {"name": "nianbao", "version": __version__, "rules": [_rule(r) for r in self.known]}
        self.file.write(
            ("\n      ]" if self.sources else "]") + ',\n      "tool": '
            + self.clean.text(pretty_json({"driver": driver}, 3)) + "\n    }\n  ]\n}"
        )
        return self.file.commit()

    def abort(self) -> None:
        self.file.abort()
        self.artifacts.abort()


def sarif_document(results: Sequence[ReportResult], rules: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The SARIF log of results in hand (as one object)."""
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


def write_sarif(out_dir: Path, results: Iterable[ReportResult], rules: Sequence[dict[str, Any]]) -> Path:
    """findings.sarif for results already in hand."""
    return drain(SarifStream(out_dir, rules), results)
