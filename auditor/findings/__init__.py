"""Findings: their model, fingerprints, waivers and writers (JSON, HTML, XLSX, CSV, SARIF)."""

from auditor.findings.model import SEVERITIES, Finding, Location, ReportResult, fingerprint

__all__ = ["SEVERITIES", "Finding", "Location", "ReportResult", "fingerprint"]
