"""A hostile 年报 column on 127.0.0.1: every page the reliability probe found to stall or endanger a crawl,
beside one ordinary report, so tests can check that the crawl completes and keeps that report.

- robots.txt asks for ``Crawl-delay: 3600`` (``crawl_delay``);
- the listing's pager claims 100,000 pages (``createPageHTML(100000, …)``) and ``countPage = 10⁹``;
- a report link whose page trickles one byte at a time and never ends (slow-loris);
- report links redirecting to private addresses wrapped in NAT64, 6to4 and IPv4-mapped forms;
- optionally (``listing_mode``) a listing that answers 429 with a long Retry-After, or trickles.
"""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Self

from auditor.samples import make_report, render_html

AGENCY = "黑石县人民政府"
LISTING = "/ndbg/index.html"
WRAPPED = {
    "/ndbg/nat64.html": "http://[64:ff9b::a9fe:a9fe]/latest/meta-data/",
    "/ndbg/6to4.html": "http://[2002:a00:1::]/ndbg/report.html",
    "/ndbg/mapped.html": "http://[::ffff:a9fe:a9fe]/latest/meta-data/",
}
"""Redirects to 169.254.169.254 (NAT64), 10.0.0.1 (6to4) and 169.254.169.254 (IPv4-mapped)."""
WRAPPED_HOSTS = ("[64:ff9b::a9fe:a9fe]", "[2002:a00:1::]", "[::ffff:a9fe:a9fe]")


def _title(year: int) -> str:
    return f"{AGENCY}{year}年政府信息公开工作年度报告"


class HostilePortal:
    """Served from a thread: ``with HostilePortal() as portal: portal.url(LISTING)``; ``hits`` records
    (time, path) of every request."""

    def __init__(self, *, year: int = 2025, crawl_delay: str = "3600", listing_mode: str = "pager") -> None:
        self.year = year
        self.crawl_delay = crawl_delay
        self.listing_mode = listing_mode
        """pager (the hostile pager), retry-after (429 + Retry-After: 500), slow (trickles)."""
        self.hits: list[tuple[float, str]] = []
        self._lock = threading.Lock()
        self._closing = threading.Event()
        report = make_report(21, year=year, agency=AGENCY, level="government")
        self.report = render_html(report)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._server.daemon_threads = True
        self._server.portal = self  # type: ignore[attr-defined]

    @property
    def host(self) -> str:
        """address:port."""
        address, port = self._server.server_address[:2]
        return f"{address!s}:{port}"

    def url(self, path: str) -> str:
        """Absolute URL of ``path``."""
        return f"http://{self.host}{path}"

    def sites_toml(self, settings: str) -> str:
        """A sites file for the column; ``settings`` are lines of its [crawler] table."""
        hosts = ", ".join(f'"{h}"' for h in (self.host, *WRAPPED_HOSTS))
        return (f'[crawler]\nallow_private = ["127.0.0.1"]\n{settings}\n\n[[site]]\nid = "hostile"\n'
                f'name = "{AGENCY}"\nstart_urls = ["{self.url(LISTING)}"]\nlevel = "government"\n'
                f'schedule = "* * * * * *"\nallowed_hosts = [{hosts}]\n')

    def paths(self, path: str) -> list[float]:
        """When ``path`` was requested."""
        with self._lock:
            return [at for at, p in self.hits if p == path]

    def __enter__(self) -> Self:
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._closing.set()
        self._server.shutdown()
        self._server.server_close()

    # ------------------------------------------------------------------------------ content

    def listing(self, page: int) -> bytes:
        items = [("/ndbg/report.html", _title(self.year)), ("/ndbg/slow.html", _title(self.year - 1)),
                 *((path, _title(self.year - 2 - i)) for i, path in enumerate(WRAPPED))]
        links = "".join(f'<li><a href="{href}">{text}</a><span>{self.year + 1}-01-20</span></li>'
                        for href, text in (items if page == 0 else []))
        script = (f'<script>var countPage = 1000000000;createPageHTML(100000, {page}, "index", "html");'
                  "</script>")
        return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>年报</title></head><body>'
                f"<ul>{links}</ul>{script}</body></html>").encode()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        portal: HostilePortal = self.server.portal  # type: ignore[attr-defined]
        path = self.path.split("?")[0]
        with portal._lock:
            portal.hits.append((time.monotonic(), path))
        if path == "/robots.txt":
            self._send(200, f"User-agent: *\nCrawl-delay: {portal.crawl_delay}\n".encode(), "text/plain")
        elif path in WRAPPED:
            self._send(302, b"", "text/plain", [("Location", WRAPPED[path])])
        elif path == "/ndbg/slow.html" or (path == LISTING and portal.listing_mode == "slow"):
            self._trickle(portal)
        elif path == LISTING and portal.listing_mode == "retry-after":
            self._send(429, b"busy", "text/plain", [("Retry-After", "500")])
        elif path == "/ndbg/report.html":
            self._send(200, portal.report, "text/html; charset=utf-8")
        elif path.startswith("/ndbg/index"):
            stem = path.rsplit("/", 1)[1].removesuffix(".html")
            page = int(stem.split("_")[1]) if "_" in stem else 0
            self._send(200, portal.listing(page), "text/html; charset=utf-8")
        else:
            self._send(404, b"not found", "text/plain")

    def _send(self, status: int, body: bytes, content_type: str,
              extra: list[tuple[str, str]] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        for key, value in extra or []:
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _trickle(self, portal: HostilePortal) -> None:
        """Headers promptly, then one byte every 0.1 s of a body that never completes (slow-loris)."""
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", "10000000")
        self.end_headers()
        try:
            while not portal._closing.wait(0.1):
                self.wfile.write(b" ")
                self.wfile.flush()
        except OSError:
            return  # the crawler gave up on us

    def log_message(self, format: str, *args: object) -> None:
        """Quiet."""
