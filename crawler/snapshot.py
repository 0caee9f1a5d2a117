"""Snapshots: every fetch kept as evidence (blob + capture row), and report documents with their
versions.  Also the store side of conditional requests (the validators of the last good capture)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlalchemy import func, insert, select

from auditor.store import Store
from auditor.store.queries import blob
from auditor.store.runs import utcnow
from auditor.store.schema import CaptureRow, DocumentRow, DocumentVersionRow, SiteRow
from crawler.content import sniff
from crawler.fetch.result import Cached, FetchResult
from crawler.sites import Site


def _naive(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


@dataclass(frozen=True, slots=True)
class VersionInfo:
    """One stored version of a document, for PUB-003 evidence."""

    id: int
    sha256: str
    first_seen: datetime
    last_seen: datetime
    published: date | None


@dataclass(slots=True)
class DocState:
    """A document after recording this crawl's fetch of it."""

    document_id: int
    version_id: int
    new_document: bool
    changed: bool
    """The content differs from the version current before this crawl (False for a new document)."""
    history: list[VersionInfo] = field(default_factory=list)
    """All versions, oldest first."""


@dataclass(frozen=True, slots=True)
class Content:
    """What is being recorded for a document (pure data computed by the crawl engine)."""

    sha256: str
    content_hash: str
    format: str
    encoding: str | None
    published: date | None
    published_source: str | None


class Snapshotter:
    """Writes captures and documents for one run; each call commits its own transaction."""

    def __init__(self, store: Store, run_id: int | None) -> None:
        self.store = store
        self.run_id = run_id
        self._validators: dict[str, Cached] | None = None

    # -- captures (the fetcher's CaptureSink) ---------------------------------------------------

    def record(self, result: FetchResult) -> int | None:
        """Keep one fetch outcome: the body as a blob, the exchange as a capture row (its own commit)."""
        sha = self.store.blobs.put(result.data) if (result.data or result.ok) else None
        values = {
            "run_id": self.run_id,
            "site_id": result.site_id,
            "url": result.url,
            "final_url": result.final_url or result.url,
            "purpose": result.purpose,
            "fetched_at": _naive(result.fetched_at),
            "status": result.status,
            "headers": [list(h) for h in result.headers],
            "sha256": sha,
            "size": len(result.data) if sha else None,
            "content_type": result.header("content-type") or None,
            "sniffed": sniff(result.data) if sha else None,
            "not_modified": result.not_modified,
            "attempts": result.attempts,
            "elapsed_ms": int(result.elapsed * 1000),
            "error": result.error or (f"未抓取：{result.skipped}" if result.skipped else None),
        }
        # a Core insert: one per request, and the ORM's unit of work would cost more than the parsing
        with self.store.engine.begin() as conn:
            key = conn.execute(insert(CaptureRow).values(**values)).inserted_primary_key
        assert key is not None
        return int(key[0])

    # -- validators (the fetcher's ValidatorSource) ---------------------------------------------

    def cached(self, url: str) -> Cached | None:
        """Validators and body of the last good capture of ``url``, if it had any validator."""
        if self._validators is None:
            self._validators = self._load_validators()
        return self._validators.get(url)

    def _load_validators(self) -> dict[str, Cached]:
        """The last good capture of every URL, in one query (a crawl asks for each URL it fetches)."""
        latest = (
            select(func.max(CaptureRow.id))
            .where(CaptureRow.sha256.is_not(None), CaptureRow.error.is_(None),
                   CaptureRow.status.in_((200, 304)))
            .group_by(CaptureRow.url)
        )
        found: dict[str, Cached] = {}
        with self.store.reader() as session:
            for row in session.scalars(select(CaptureRow).where(CaptureRow.id.in_(latest))):
                headers = [(str(k), str(v)) for k, v in row.headers]
                lowered = {k.lower(): v for k, v in headers}
                etag, modified = lowered.get("etag"), lowered.get("last-modified")
                if (etag or modified) and row.sha256 is not None:
                    found[row.url] = Cached(sha256=row.sha256, headers=headers,
                                            etag=etag, last_modified=modified)
        return found

    def body(self, sha256: str) -> bytes | None:
        """The stored body with this hash, if still there."""
        return blob(self.store, sha256)

    # -- sites and documents --------------------------------------------------------------------

    def save_site(self, site: Site) -> None:
        """Insert or update the site's row from the sites file."""
        with self.store.session() as session:
            row = session.get(SiteRow, site.id)
            if row is None:
                row = SiteRow(id=site.id)
                session.add(row)
            row.name, row.level, row.deadline = site.name, site.level, site.deadline
            row.start_urls, row.config, row.updated_at = list(site.start_urls), site.to_config(), utcnow()

    def record_document(
        self,
        *,
        site_id: str,
        url: str,
        kind: str,
        parent_id: int | None,
        link_title: str | None,
        year: int | None,
        content: Content,
        capture_id: int | None,
    ) -> DocState:
        """Record that ``url`` has ``content`` now: a new document, a new version, or the same again."""
        now = utcnow()
        with self.store.session() as session:
            doc = session.scalars(
                select(DocumentRow).where(DocumentRow.site_id == site_id, DocumentRow.url == url)
            ).first()
            new_document = doc is None
            if doc is None:
                doc = DocumentRow(site_id=site_id, url=url, kind=kind, first_seen=now, last_seen=now)
                session.add(doc)
                session.flush()
            doc.kind, doc.parent_id, doc.last_seen = kind, parent_id, now
            doc.link_title = link_title or doc.link_title
            doc.year = year if year is not None else doc.year
            versions = [] if new_document else list(session.scalars(
                select(DocumentVersionRow)
                .where(DocumentVersionRow.document_id == doc.id)
                .order_by(DocumentVersionRow.first_seen, DocumentVersionRow.id)
            ))
            version = next((v for v in versions if v.content_hash == content.content_hash), None)
            if version is None:
                version = DocumentVersionRow(
                    document_id=doc.id, sha256=content.sha256, content_hash=content.content_hash,
                    format=content.format, encoding=content.encoding, published=content.published,
                    published_source=content.published_source, first_seen=now, last_seen=now,
                    capture_id=capture_id,
                )
                session.add(version)
                session.flush()
                versions.append(version)
            version.last_seen = now
            if content.published is not None:
                version.published, version.published_source = content.published, content.published_source
            changed = not new_document and doc.current_version_id != version.id
            doc.current_version_id = version.id
            history = [VersionInfo(v.id, v.sha256, v.first_seen, v.last_seen, v.published) for v in versions]
            return DocState(doc.id, version.id, new_document, changed, history)
