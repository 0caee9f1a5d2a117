"""Format readers: bytes -> auditor.extract.ir.RawDocument."""
