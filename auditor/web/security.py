"""Response headers that keep crawled content inert in the browser.

Report text is untrusted (anything a portal published); the templates escape it, and the
Content-Security-Policy makes sure that even a slip could not run script or load anything from
elsewhere: the pages use no script at all, and only the project's own stylesheet may load.
"""

from __future__ import annotations

import logging
from html import escape

from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("nianbao.web")

CSP_DIRECTIVES: tuple[str, ...] = (
    "default-src 'none'",
    "script-src 'none'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
)
CONTENT_SECURITY_POLICY = "; ".join(CSP_DIRECTIVES)

SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
)


ERROR_TITLE = "服务器内部错误"
ERROR_MESSAGE = "显示这个页面时出错，错误已记入服务日志。请稍后再试，或返回概览。"


def error_page() -> bytes:
    """The page of a 500: plain, self-contained, in Chinese, saying nothing about the error itself."""
    return (f'<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
            f'<title>{escape(ERROR_TITLE)}</title><link rel="stylesheet" href="/static/style.css"></head>'
            '<body><main><section class="panel error-page">'
            f"<h1>{escape(ERROR_TITLE)}</h1><p>{escape(ERROR_MESSAGE)}</p>"
            '<p><a href="/">返回概览</a></p></section></main></body></html>').encode()


class SecurityHeaders:
    """ASGI middleware adding :data:`SECURITY_HEADERS` to every HTTP response.

    It also answers an unhandled error itself (a 500 page with the same headers, the traceback only in
    the log): Starlette's own error response is made outside the application's middleware, where no
    header would be added.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        started = False

        async def with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                names = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in SECURITY_HEADERS if k not in names]
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        try:
            await self.app(scope, receive, with_headers)
        except Exception:
            if started:
                raise  # the page is half sent: nothing better to do than drop the connection
            log.exception("unhandled error on %s", scope.get("path"), extra={"event": "web_error"})
            body = error_page()
            await with_headers({"type": "http.response.start", "status": 500, "headers": [
                (b"content-type", b"text/html; charset=utf-8"),
                (b"content-length", str(len(body)).encode())]})
            await send({"type": "http.response.body", "body": body})
