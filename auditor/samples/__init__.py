"""Synthetic annual reports the project makes itself, for tests, benchmarks and the crawler's demo portal.

:func:`make_report` builds a clean, internally consistent :class:`SampleReport` from a seed; the
renderers in :mod:`auditor.samples.render` write it as text, markdown, HTML, .docx or PDF, and
:mod:`auditor.samples.badinput` makes inputs no reader should accept.
"""

from auditor.samples.generate import SampleReport, make_report
from auditor.samples.render import render_docx, render_html, render_markdown, render_pdf, render_text

__all__ = [
    "SampleReport",
    "make_report",
    "render_docx",
    "render_html",
    "render_markdown",
    "render_pdf",
    "render_text",
]
