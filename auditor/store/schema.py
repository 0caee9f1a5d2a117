"""The store's tables (SQLAlchemy 2, SQLite by default, PostgreSQL by URL).

What the crawler saw and what the audits found, kept so that runs can be compared and the web view can
show them:

- ``sites``: the sites file's entries as last run.
- ``runs`` and ``run_sites``: one row per `crawl`/`run`, and its state per site.
- ``captures``: every HTTP exchange (status, headers, time; the body as a content-addressed blob).
- ``documents`` and ``document_versions``: each report page or attachment by URL, and each distinct
  content it had (both versions of a changed report are kept).
- ``reports``: per run and document, the audit's view (title, agency, year, template), referring to
  its document model in ``models``.
- ``models``: each distinct document model (``Document.to_dict()``) once, by its digest: an unchanged
  document version carried over run after run shares one row instead of a copy per run.
- ``findings`` (with status new/persisting) and ``resolved_findings`` per run.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    """Declarative base of the store's tables."""

    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON, list[Any]: JSON,
                                                     datetime: DateTime(timezone=False)}


class SiteRow(Base):
    """A site of the sites file, as configured when last crawled."""

    __tablename__ = "sites"

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    level: Mapped[str | None] = mapped_column(String(20))
    deadline: Mapped[str | None] = mapped_column(String(5))
    start_urls: Mapped[list[Any]]
    config: Mapped[dict[str, Any]]
    updated_at: Mapped[datetime]


class RunRow(Base):
    """One `nianbao crawl` or `nianbao run` (a scheduled job is one run of one site)."""

    __tablename__ = "runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(10))
    """crawl | run"""
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(12), index=True)
    """running | done | failed | interrupted"""
    pid: Mapped[int | None]
    stats: Mapped[dict[str, Any]]
    error: Mapped[str | None] = mapped_column(Text)


class RunSiteRow(Base):
    """A site's part in a run: its own status and counts, and which run it was compared with."""

    __tablename__ = "run_sites"
    __table_args__ = (UniqueConstraint("run_id", "site_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id"), index=True)
    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id"), index=True)
    status: Mapped[str] = mapped_column(String(12))
    previous_run_id: Mapped[int | None]
    counts: Mapped[dict[str, Any]]
    """pages, documents, new/changed documents, findings new/persisting/resolved, by severity."""


class CaptureRow(Base):
    """One HTTP exchange as the crawler ended it (after retries and redirects), failed ones included."""

    __tablename__ = "captures"
    __table_args__ = (Index("ix_captures_url_fetched", "url", "fetched_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("runs.id"), index=True)
    site_id: Mapped[str | None] = mapped_column(String(100))
    url: Mapped[str] = mapped_column(Text)
    final_url: Mapped[str] = mapped_column(Text)
    purpose: Mapped[str] = mapped_column(String(12))
    """robots | listing | article | attachment | document"""
    fetched_at: Mapped[datetime]
    status: Mapped[int | None]
    """The final HTTP status; None when no response came (timeout, refused, redirect loop)."""
    headers: Mapped[list[Any]]
    """Response headers as [name, value] pairs, in order."""
    sha256: Mapped[str | None] = mapped_column(String(64), index=True)
    """The body's blob (for a 304, the body of the earlier capture it confirmed)."""
    size: Mapped[int | None]
    content_type: Mapped[str | None] = mapped_column(String(200))
    sniffed: Mapped[str | None] = mapped_column(String(10))
    """The content's type from its bytes: html, pdf, docx, ole (doc/wps), text, other."""
    encoding: Mapped[str | None] = mapped_column(String(40))
    not_modified: Mapped[bool] = mapped_column(Boolean, default=False)
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    elapsed_ms: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)


class DocumentRow(Base):
    """A report page or attachment of a site, by URL."""

    __tablename__ = "documents"
    __table_args__ = (UniqueConstraint("site_id", "url"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id"), index=True)
    url: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(12))
    """page (the article) | attachment"""
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"))
    link_title: Mapped[str | None] = mapped_column(Text)
    year: Mapped[int | None]
    first_seen: Mapped[datetime]
    last_seen: Mapped[datetime]
    current_version_id: Mapped[int | None]


class DocumentVersionRow(Base):
    """One distinct content of a document (its text for pages, its bytes for files)."""

    __tablename__ = "document_versions"
    __table_args__ = (UniqueConstraint("document_id", "content_hash"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    sha256: Mapped[str] = mapped_column(String(64))
    content_hash: Mapped[str] = mapped_column(String(64))
    """sha256 of the page's visible text (so counters and scripts do not make versions) or of the file."""
    format: Mapped[str | None] = mapped_column(String(10))
    encoding: Mapped[str | None] = mapped_column(String(40))
    published: Mapped[date | None] = mapped_column(Date)
    published_source: Mapped[str | None] = mapped_column(String(40))
    first_seen: Mapped[datetime]
    last_seen: Mapped[datetime]
    capture_id: Mapped[int | None] = mapped_column(ForeignKey("captures.id"))


class ModelRow(Base):
    """A document model (``Document.to_dict()``: sections and tables for the web view), stored once.

    Keyed by the digest of its canonical JSON (:func:`auditor.store.models.model_digest`), so every
    report row showing the same extraction (an unchanged version, carried over run after run) refers
    to the same row.
    """

    __tablename__ = "models"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    model: Mapped[dict[str, Any]] = mapped_column(JSON)


class ReportRow(Base):
    """A document as audited (or carried over unchanged) in a run; also one per site for portal checks."""

    __tablename__ = "reports"
    __table_args__ = (UniqueConstraint("run_id", "site_id", "source"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id"), index=True)
    site_id: Mapped[str | None] = mapped_column(String(100), index=True)
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"))
    version_id: Mapped[int | None] = mapped_column(ForeignKey("document_versions.id"), index=True)
    source: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    title: Mapped[str | None] = mapped_column(Text)
    agency: Mapped[str | None] = mapped_column(Text)
    year: Mapped[int | None]
    published: Mapped[date | None] = mapped_column(Date)
    published_source: Mapped[str | None] = mapped_column(String(40))
    template: Mapped[str] = mapped_column(String(10), default="unknown")
    level: Mapped[str | None] = mapped_column(String(20))
    format: Mapped[str | None] = mapped_column(String(10))
    model_id: Mapped[int | None] = mapped_column(ForeignKey("models.id"))
    """The report's document model in ``models`` (None for portal entries, stubs and unreadable files)."""
    error: Mapped[str | None] = mapped_column(Text)
    audited_run_id: Mapped[int]
    """The run whose audit produced these findings (this run, or an earlier one when unchanged)."""
    portal: Mapped[bool] = mapped_column(Boolean, default=False)
    """True for the site-level entry that holds portal findings (PUB-002)."""

    stored_model: Mapped[ModelRow | None] = relationship(lazy="select")
    """The :class:`ModelRow` of ``model_id``, loaded on first access."""

    @property
    def model(self) -> dict[str, Any] | None:
        """``Document.to_dict()``: sections and tables for the web view to render (None when not stored)."""
        return self.stored_model.model if self.stored_model is not None else None


class FindingRow(Base):
    """One finding of a report in a run."""

    __tablename__ = "findings"
    __table_args__ = (Index("ix_findings_run_site", "run_id", "site_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id"))
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"), index=True)
    site_id: Mapped[str | None] = mapped_column(String(100))
    fingerprint: Mapped[str] = mapped_column(String(64), index=True)
    rule_id: Mapped[str] = mapped_column(String(20), index=True)
    severity: Mapped[str] = mapped_column(String(10))
    title: Mapped[str] = mapped_column(Text)
    message: Mapped[str] = mapped_column(Text)
    location: Mapped[dict[str, Any]]
    evidence: Mapped[str] = mapped_column(Text, default="")
    basis: Mapped[str] = mapped_column(Text, default="")
    fix: Mapped[str] = mapped_column(Text, default="")
    cells: Mapped[list[Any]]
    waived: Mapped[str | None] = mapped_column(Text)
    origin: Mapped[str] = mapped_column(String(8), default="audit")
    """audit (the rule base, on the document) | portal (the crawler's PUB checks, redone every run)"""
    status: Mapped[str] = mapped_column(String(12))
    """new | persisting (compared with the site's previous completed run)"""
    first_run_id: Mapped[int]
    """The run in which this fingerprint first appeared (of the unbroken series up to this run)."""


class ResolvedFindingRow(Base):
    """A finding of the site's previous run that this run no longer has."""

    __tablename__ = "resolved_findings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id"))
    site_id: Mapped[str | None] = mapped_column(String(100))
    fingerprint: Mapped[str] = mapped_column(String(64))
    finding_id: Mapped[int] = mapped_column(ForeignKey("findings.id"))
    """The finding's last occurrence (in the previous run)."""

    __table_args__ = (Index("ix_resolved_run_site", "run_id", "site_id"),)
