"""The ASGI application: read-only pages over the store (GET only), with security headers.

Endpoints are plain functions (Starlette runs them in its thread pool); each request opens one session
on the store and closes it when the page is rendered.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from auditor.store import Store
from auditor.web import routes
from auditor.web.pages import Pages
from auditor.web.rendering import make_environment
from auditor.web.security import SecurityHeaders


def _query_only(dbapi_connection: Any, _record: Any) -> None:
    # The web view never writes; on SQLite make that a property of the connection, not a promise.
    # Its aggregate queries scan the current findings: a larger page cache and memory-mapped reads
    # keep repeated page views off the disk.
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA query_only=ON")
    cur.execute("PRAGMA cache_size=-65536")
    cur.execute("PRAGMA mmap_size=536870912")
    cur.close()


def read_only(store: Store) -> Store:
    """Make every new connection of ``store`` refuse writes (SQLite), dropping pooled ones."""
    if store.engine.dialect.name == "sqlite":
        event.listen(store.engine, "connect", _query_only)
        store.engine.dispose()
    return store


def create_app(store: Store) -> Starlette:
    """The web application over ``store`` (opened by the caller, made read-only here)."""
    pages = Pages(read_only(store), make_environment())

    def not_found(request: Request, exc: Exception) -> Response:
        detail = exc.detail if isinstance(exc, HTTPException) else "页面不存在"
        status = exc.status_code if isinstance(exc, HTTPException) else 404
        return pages.html(request, "error.html", status=status, title="无法显示", message=detail)

    static = StaticFiles(packages=[("auditor.web", "static")])
    app = Starlette(
        routes=[*(Route(path, pages.endpoint(h), methods=["GET"]) for path, h in routes.ROUTES),
                Mount("/static", static, name="static")],
        middleware=[Middleware(SecurityHeaders)],
        exception_handlers={404: not_found, 405: not_found},
    )
    app.state.pages = pages
    return app
