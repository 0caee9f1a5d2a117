"""Writing runs: their life cycle, and each report with its findings compared with the previous run.

Every function commits its own transaction, so an interrupted run keeps everything written so far;
a run left ``running`` by a killed process is marked ``interrupted`` by the next one.  Only a run that
closed as ``done`` is ever the baseline a later run is compared with.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, update

from auditor.findings.model import Finding, ReportResult
from auditor.store.db import Store
from auditor.store.models import model_id
from auditor.store.schema import FindingRow, ReportRow, ResolvedFindingRow, RunRow, RunSiteRow


def utcnow() -> datetime:
    """Naive UTC now, as the store keeps times."""
    return datetime.now(UTC).replace(tzinfo=None)


def _alive(pid: int | None) -> bool:
    if pid is None:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def mark_interrupted(store: Store) -> list[int]:
    """Mark runs left ``running`` by processes that no longer exist as ``interrupted``.

    A run without a pid belongs to no process (a distributed run: its sites are tasks of a broker, which
    redelivers those of a killed worker); its last site task closes it, so it is left alone here.
    """
    with store.session() as session:
        running = select(RunRow).where(RunRow.status == "running", RunRow.pid.is_not(None))
        stale = [r for r in session.scalars(running) if not _alive(r.pid)]
        for run in stale:
            run.status, run.finished_at = "interrupted", run.finished_at or utcnow()
            session.execute(
                update(RunSiteRow).where(RunSiteRow.run_id == run.id, RunSiteRow.status == "running")
                .values(status="interrupted")
            )
        return [r.id for r in stale]


def start_run(store: Store, kind: str, site_ids: Iterable[str]) -> int:
    """Open a run (kind crawl or run) over the given sites; returns its id."""
    mark_interrupted(store)
    with store.session() as session:
        run = RunRow(kind=kind, started_at=utcnow(), status="running", pid=os.getpid(), stats={})
        session.add(run)
        session.flush()
        for site_id in site_ids:
            previous = session.scalars(
                select(RunSiteRow.run_id)
                .join(RunRow, RunRow.id == RunSiteRow.run_id)
                # The run must have closed as done too: a run killed after storing a site's findings but
                # before writing its outputs (or stopped in a later site) showed them to nobody, so the
                # next run's findings are new, not "persisting" since then.
                .where(RunSiteRow.site_id == site_id, RunSiteRow.status == "done", RunRow.kind == "run",
                       RunRow.status == "done")
                .order_by(RunSiteRow.run_id.desc())
                .limit(1)
            ).first()
            session.add(RunSiteRow(run_id=run.id, site_id=site_id, status="running", previous_run_id=previous,
                                   counts={}))
        return run.id


def finish_site(store: Store, run_id: int, site_id: str, status: str, counts: dict[str, Any]) -> None:
    """Close a site's part of a run with its counts."""
    with store.session() as session:
        row = session.scalars(
            select(RunSiteRow).where(RunSiteRow.run_id == run_id, RunSiteRow.site_id == site_id)
        ).one()
        row.status, row.counts = status, counts


def finish_run(store: Store, run_id: int, status: str, stats: dict[str, Any],
               error: str | None = None) -> None:
    """Close a run: done, failed or interrupted."""
    with store.session() as session:
        run = session.get(RunRow, run_id)
        assert run is not None
        run.status, run.finished_at, run.stats, run.error = status, utcnow(), stats, error
        session.execute(
            update(RunSiteRow).where(RunSiteRow.run_id == run_id, RunSiteRow.status == "running")
            .values(status=status)
        )


def previous_run_id(store: Store, run_id: int, site_id: str) -> int | None:
    """The site's previous completed `run` that this run is compared with."""
    with store.reader() as session:
        return session.scalars(
            select(RunSiteRow.previous_run_id).where(RunSiteRow.run_id == run_id,
                                                     RunSiteRow.site_id == site_id)
        ).first()


@dataclass(slots=True)
class Baseline:
    """The previous run's findings of a site, by fingerprint: what this run is compared with."""

    run_id: int | None
    rows: dict[str, FindingRow]

    @classmethod
    def load(cls, store: Store, run_id: int | None, site_id: str) -> Baseline:
        """The findings of ``site_id`` in run ``run_id`` (empty when there is no previous run)."""
        if run_id is None:
            return cls(None, {})
        with store.reader() as session:
            rows = session.scalars(
                select(FindingRow).where(FindingRow.run_id == run_id, FindingRow.site_id == site_id)
            ).all()
        return cls(run_id, {r.fingerprint: r for r in rows})

    def lineage(self, fingerprint: str, first_run_id: int) -> tuple[str, int]:
        """(status, first run) of a finding: persisting since the baseline's first run when the baseline
        has it, else new since ``first_run_id``."""
        earlier = self.rows.get(fingerprint)
        if earlier is None:
            return "new", first_run_id
        return "persisting", earlier.first_run_id


@dataclass(frozen=True, slots=True)
class ReportRef:
    """Where a result came from in the crawl (None for the site-level portal entry)."""

    document_id: int | None
    version_id: int | None
    portal: bool = False
    stub: bool = False
    """A document that was not audited in this run but carries portal findings (no model stored)."""


def finding_row(run_id: int, report_id: int, site_id: str, f: Finding, origin: str,
                baseline: Baseline) -> FindingRow:
    """The row of one finding, its status and first run taken from the baseline."""
    f.status, first_run_id = baseline.lineage(f.fingerprint, run_id)
    return FindingRow(
        run_id=run_id, report_id=report_id, site_id=site_id, fingerprint=f.fingerprint, rule_id=f.rule_id,
        severity=f.severity, title=f.title, message=f.message, location=f.location.to_dict(),
        evidence=f.evidence, basis=f.basis, fix=f.fix, cells=[list(c) for c in f.cells], waived=f.waived,
        origin=origin, status=f.status, first_run_id=first_run_id,
    )


def save_report(
    store: Store,
    *,
    run_id: int,
    site_id: str,
    result: ReportResult,
    ref: ReportRef,
    audited_run_id: int,
    portal_findings: list[Finding],
    baseline: Baseline,
) -> int:
    """Store one report of a run with its findings (audit + portal) in one transaction; returns its id.

    The document's model goes to ``models`` once (see :mod:`auditor.store.models`); the row refers to it.
    """
    doc = result.document
    with store.session() as session:
        has_model = doc is not None and not (ref.portal or ref.stub)
        stored = model_id(session, doc.to_dict()) if doc is not None and has_model else None
        row = ReportRow(
            run_id=run_id, site_id=site_id, document_id=ref.document_id, version_id=ref.version_id,
            source=result.source, sha256=result.sha256,
            title=doc.title if doc else None, agency=doc.agency if doc else None,
            year=doc.year if doc else None,
            published=doc.published if doc else None, published_source=doc.published_source if doc else None,
            template=doc.template if doc else "unknown", level=doc.level if doc else None,
            format=doc.format if doc else None,
            model_id=stored,
            error=result.error, audited_run_id=audited_run_id, portal=ref.portal,
        )
        session.add(row)
        session.flush()
        portal_ids = {id(f) for f in portal_findings}
        for f in result.findings:
            origin = "portal" if id(f) in portal_ids else "audit"
            session.add(finding_row(run_id, row.id, site_id, f, origin, baseline))
        return row.id


def carry_over(
    store: Store, *, run_id: int, site_id: str, version_id: int,
    portal_findings: list[Finding], baseline: Baseline
) -> tuple[int, list[FindingRow]] | None:
    """Copy the last audit of an unchanged document version into this run, with fresh portal findings.

    The new report row refers to the same stored model (no copy of it is made).

    Returns (report id, the audit findings copied) or None when the version was never audited.
    """
    with store.session() as session:
        last = session.scalars(
            select(ReportRow)
            .where(ReportRow.version_id == version_id, ReportRow.site_id == site_id,
                   ReportRow.run_id != run_id)
            .order_by(ReportRow.id.desc())
            .limit(1)
        ).first()
        if last is None:
            return None
        row = ReportRow(**{c: getattr(last, c) for c in _REPORT_COPY}, run_id=run_id)
        session.add(row)
        session.flush()
        copied: list[FindingRow] = []
        for old in session.scalars(select(FindingRow).where(FindingRow.report_id == last.id,
                                                             FindingRow.origin == "audit")):
            status, first_run_id = baseline.lineage(old.fingerprint, old.first_run_id)
            new = FindingRow(**{c: getattr(old, c) for c in _FINDING_COPY}, run_id=run_id, report_id=row.id,
                             status=status, first_run_id=first_run_id)
            session.add(new)
            copied.append(new)
        for f in portal_findings:
            session.add(finding_row(run_id, row.id, site_id, f, "portal", baseline))
        return row.id, copied


def record_resolved(store: Store, run_id: int, site_id: str, baseline: Baseline,
                    current: set[str]) -> list[FindingRow]:
    """Record the baseline's findings that this run no longer has; returns them."""
    gone = [row for fp, row in baseline.rows.items() if fp not in current]
    with store.session() as session:
        for row in gone:
            session.add(ResolvedFindingRow(run_id=run_id, site_id=site_id, fingerprint=row.fingerprint,
                                           finding_id=row.id))
    return gone


def audited_versions(store: Store, version_ids: Iterable[int]) -> set[int]:
    """Which of these versions some run has already audited (their findings can be carried over)."""
    ids = list(version_ids)
    if not ids:
        return set()
    with store.reader() as session:
        return set(session.scalars(
            select(ReportRow.version_id).where(
                ReportRow.version_id.in_(ids), ReportRow.audited_run_id == ReportRow.run_id
            )
        ))


_REPORT_COPY = ("site_id", "document_id", "version_id", "source", "sha256", "title", "agency", "year",
                "published", "published_source", "template", "level", "format", "model_id", "error",
                "audited_run_id", "portal")
_FINDING_COPY = ("site_id", "fingerprint", "rule_id", "severity", "title", "message", "location", "evidence",
                 "basis", "fix", "cells", "waived", "origin")
