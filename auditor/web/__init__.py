"""`nianbao serve`: the read-only web view over stored audits, for compliance officers.

Server-rendered pages (Jinja2, autoescaped) on a small Starlette app served by uvicorn: an overview of
sites × years, one page per report with its tables and findings, the rule catalogue, charts as inline
SVG and downloads of the current filter.  No JavaScript is needed to read anything.
"""

from auditor.web.app import create_app
from auditor.web.server import serve

__all__ = ["create_app", "serve"]
