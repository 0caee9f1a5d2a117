"""What a page handler works with: the request with its session and filters (PageRequest), and the
renderer that wraps handlers into endpoints (Pages).  Apart from app.py so that routes and the app
both import it and neither imports the other's importer."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from jinja2 import Environment
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from auditor import __version__
from auditor.store import Store
from auditor.web.cache import StateCache
from auditor.web.filters import FilterError, Filters, parse_filters


@dataclass(slots=True)
class PageRequest:
    """What a page handler gets: the request, an open session, the parsed filters, and the renderer."""

    request: Request
    session: Session
    filters: Filters
    pages: Pages

    def render(self, template: str, status: int = 200, **context: Any) -> HTMLResponse:
        """The template rendered with ``context`` (and the filters)."""
        return self.pages.html(self.request, template, status, filters=self.filters, **context)


Handler = Callable[[PageRequest], Response]


class Pages:
    """Renders templates and wraps endpoints with a store session and the parsed filters."""

    def __init__(self, store: Store, env: Environment) -> None:
        self.store = store
        self.env = env
        self.cache = StateCache()

    def html(self, request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
        """A rendered page."""
        page = self.env.get_template(template).render(request=request, version=__version__, **context)
        return HTMLResponse(page, status_code=status)

    def endpoint(self, handler: Handler) -> Callable[[Request], Response]:
        """A Starlette endpoint running ``handler`` with a session and the request's filters."""

        def run(request: Request) -> Response:
            try:
                filters = parse_filters(request.query_params)
            except FilterError as exc:
                return self.html(request, "error.html", status=400, title="筛选条件无效", message=str(exc))
            with self.store.reader() as session:
                return handler(PageRequest(request, session, filters, self))

        run.__name__ = handler.__name__
        return run
