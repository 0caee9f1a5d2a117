"""nianbao auditor: document model, extraction, schemas, rule engine, findings, CLI and web view."""
__version__ = "0.1.0"
