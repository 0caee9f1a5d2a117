"""Findings: their model, fingerprints, waivers and writers (JSON, HTML, XLSX, CSV, SARIF)."""

from auditor.findings.model import Finding, Location, ReportResult, SEVERITIES, fingerprint

__all__ = ["Finding", "Location", "ReportResult", "SEVERITIES", "fingerprint"]
