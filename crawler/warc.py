"""Export a run's captures as a WARC file (ISO 28500), the web archivists' evidence format."""

from __future__ import annotations

from datetime import UTC, datetime
from http import HTTPStatus
from io import BytesIO
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from auditor import __version__
from auditor.store import Store, queries

_HOP_BY_HOP = {"content-encoding", "transfer-encoding", "content-length", "connection", "keep-alive"}


def _warc_date(moment: datetime) -> str:
    return moment.replace(tzinfo=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _status_line(status: int) -> str:
    try:
        return f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        return f"{status} Unknown"


def export_warc(store: Store, run_id: int, path: Path) -> int:
    """Write every capture of ``run_id`` that has a response to ``path`` (gzip if it ends in .gz).

    2xx and error responses become ``response`` records with the stored body; 304s become ``revisit``
    records (profile server-not-modified) pointing at the capture that first stored the body.  Returns
    the number of records written besides the warcinfo.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    with store.reader() as session:
        captures = queries.captures(session, run_id=run_id, answered=True, limit=None)
        originals = queries.first_captures(session,
                                           {c.sha256 for c in captures if c.not_modified and c.sha256})
    written = 0
    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=path.suffix == ".gz")
        writer.write_record(writer.create_warcinfo_record(path.name, {
            "software": f"nianbao/{__version__}", "format": "WARC File Format 1.1",
            "description": f"nianbao run {run_id}",
        }))
        for capture in captures:
            assert capture.status is not None
            headers = [(k, v) for k, v in capture.headers if k.lower() not in _HOP_BY_HOP]
            body = store.blobs.get(capture.sha256) if capture.sha256 and not capture.not_modified else b""
            http = StatusAndHeaders(_status_line(capture.status),
                                    [*headers, ("Content-Length", str(len(body)))],
                                    protocol="HTTP/1.1")
            warc_headers = {"WARC-Date": _warc_date(capture.fetched_at)}
            original = originals.get(capture.sha256) if capture.not_modified and capture.sha256 else None
            if original is not None:
                record = writer.create_revisit_record(
                    capture.final_url, f"sha256:{capture.sha256}", original.final_url,
                    _warc_date(original.fetched_at), http_headers=http, warc_headers_dict=warc_headers,
                )
            else:
                record = writer.create_warc_record(
                    capture.final_url, "response", payload=BytesIO(body), http_headers=http,
                    warc_headers_dict=warc_headers,
                )
            writer.write_record(record)
            written += 1
    return written
