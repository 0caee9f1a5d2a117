"""Structured logs for the service: one JSON object per line on stderr."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any

from crawler.fetch.result import FetchResult

_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


class JsonLinesFormatter(logging.Formatter):
    """Formats a record as JSON: time, level, logger, message, and every ``extra`` field."""

    def format(self, record: logging.LogRecord) -> str:
        payload: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        payload.update({k: v for k, v in vars(record).items() if k not in _STANDARD})
        if record.exc_info:
            payload["exception"] = self.formatException(record.exc_info)
        return json.dumps(payload, ensure_ascii=False, default=str)


def configure(*, json_lines: bool, level: int | None = None) -> None:
    """Send the ``nianbao`` (and APScheduler's) loggers to stderr: JSON lines from INFO up (service), or
    plain text from WARNING up (console, where the progress bar and the summary say the rest)."""
    if level is None:
        level = logging.INFO if json_lines else logging.WARNING
    handler = logging.StreamHandler(sys.stderr)
    plain = logging.Formatter("%(levelname)s %(message)s")
    handler.setFormatter(JsonLinesFormatter() if json_lines else plain)
    for name in ("nianbao", "apscheduler"):
        logger = logging.getLogger(name)
        logger.handlers[:] = [handler]
        logger.setLevel(level if name == "nianbao" else max(level, logging.WARNING))
        logger.propagate = False


def log_fetch(site_id: str, result: FetchResult) -> None:
    """A progress hook that logs every fetch (debug level; failures as warnings)."""
    fields = {"event": "fetch", "site": site_id, "url": result.url, "purpose": result.purpose,
              "status": result.status, "not_modified": result.not_modified, "attempts": result.attempts,
              "elapsed_ms": int(result.elapsed * 1000)}
    logger = logging.getLogger("nianbao.crawler.fetch")
    if result.ok:
        logger.debug("fetched", extra=fields)
    else:
        logger.warning("fetch failed", extra={**fields, "reason": result.describe_failure()})
