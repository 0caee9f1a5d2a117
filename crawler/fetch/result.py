"""What a fetch gives back, and what an earlier run left for conditional requests."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


def last_header(headers: list[tuple[str, str]], name: str) -> str | None:
    """The last value of header ``name`` among ``headers`` (case-insensitive), None if absent."""
    wanted = name.lower()
    for key, value in reversed(headers):
        if key.lower() == wanted:
            return value
    return None


@dataclass(slots=True)
class FetchResult:
    """The outcome of fetching one URL: a response (possibly an error status), a failure, or a refusal.

    ``skipped`` is set when no request was made at all (robots.txt, a host the site does not allow, a
    private address); ``error`` when requests were made but gave no usable response (timeouts,
    retries exhausted, redirect loop, too large).  For a 304 ``data`` is the earlier body and
    ``headers`` the stored headers updated by the 304's (RFC 9111 §4.3.4).
    """

    url: str
    purpose: str
    site_id: str | None
    fetched_at: datetime
    final_url: str = ""
    status: int | None = None
    headers: list[tuple[str, str]] = field(default_factory=list)
    data: bytes = b""
    not_modified: bool = False
    error: str | None = None
    skipped: str | None = None
    attempts: int = 0
    elapsed: float = 0.0
    redirects: list[str] = field(default_factory=list)
    capture_id: int | None = None

    @property
    def ok(self) -> bool:
        """A usable body arrived (2xx, or a 304 confirming the stored one)."""
        return (
            self.error is None and self.skipped is None and self.status is not None
            and (200 <= self.status < 300 or self.not_modified)
        )

    def header(self, name: str) -> str | None:
        """The last value of a response header (case-insensitive)."""
        return last_header(self.headers, name)

    @property
    def content_type(self) -> str:
        """The media type of Content-Type, lower-cased, without parameters ("" if absent)."""
        return (self.header("content-type") or "").split(";", 1)[0].strip().lower()

    @property
    def charset(self) -> str | None:
        """The charset parameter of Content-Type, if any."""
        for part in (self.header("content-type") or "").split(";")[1:]:
            key, _, value = part.partition("=")
            if key.strip().lower() == "charset" and value.strip():
                return value.strip().strip("\"'").lower()
        return None

    def describe_failure(self) -> str:
        """One line saying why this fetch gave nothing usable."""
        if self.skipped:
            return self.skipped
        if self.error:
            return self.error
        return f"HTTP {self.status}"


@dataclass(frozen=True, slots=True)
class Cached:
    """What a previous run stored for a URL: validators and the body's blob."""

    sha256: str
    headers: list[tuple[str, str]]
    etag: str | None = None
    last_modified: str | None = None
