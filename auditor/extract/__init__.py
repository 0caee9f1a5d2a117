"""Extraction: bytes of a report in any supported format -> one :class:`auditor.model.Document`.

The public entry point is :func:`extract`.  It is a pure function of its input (no network, no clock,
no file writes): the format is sniffed from the bytes, a reader turns them into blocks
(:mod:`auditor.extract.ir`), and :mod:`auditor.extract.structure` builds the model.
"""

from auditor.extract.api import SUPPORTED_SUFFIXES, extract, sniff_format
from auditor.extract.ir import NotAReport, ReadError

__all__ = ["SUPPORTED_SUFFIXES", "NotAReport", "ReadError", "extract", "sniff_format"]
