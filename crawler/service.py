"""`crawl` and `run`: crawl the sites into the store, then audit what is new or changed, compare with
the previous run and write findings.json.

A run commits per document: interrupting it (Ctrl-C, SIGTERM, kill) keeps everything already stored,
and the next run audits whatever the interrupted one had not.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from auditor.findings.jsonout import atomic_write_bytes
from auditor.findings.model import Finding, ReportResult
from auditor.findings.waivers import Waiver, apply_waivers
from auditor.model import Document
from auditor.pipeline import AuditInput
from auditor.store import Store
from auditor.store import runs as store_runs
from auditor.store.schema import FindingRow
from crawler.checks import PORTAL_RULES, PortalFindings, portal_findings, portal_rule_meta
from crawler.crawl import CrawlStopped, ProgressHook, SeenDocument, SiteCrawl, SiteCrawler, gather_all
from crawler.fetch.policy import Resolver
from crawler.fetch.throttle import HostThrottle
from crawler.fetch.wiring import Wiring, build_fetcher
from crawler.settings import CrawlSettings
from crawler.sites import Site, SitesFile
from crawler.snapshot import Snapshotter

log = logging.getLogger("nianbao.crawler")

TIMEZONE = ZoneInfo("Asia/Shanghai")

PORTAL_RULE_META = [
    {k: v for k, v in portal_rule_meta(rule_id).items() if k != "fix"} for rule_id in PORTAL_RULES
]
"""The portal checks' entries of findings.json's "rules" list, from their rule files."""

def today_in_china() -> date:
    """Today's date in Asia/Shanghai, where the deadlines run."""
    return datetime.now(TIMEZONE).date()


@dataclass(slots=True)
class Options:
    """How to run: the seams tests and the scheduler use."""

    transport: httpx.AsyncBaseTransport | None = None
    resolver: Resolver | None = None
    """Host name resolution for the crawler's own transport (tests play DNS with it)."""
    progress: ProgressHook | None = None
    stop: threading.Event = field(default_factory=threading.Event)
    today: date | None = None
    waivers: Sequence[Waiver] = ()
    """Accepted findings (`--waivers`): kept in every output, marked with their reason."""
    throttle: HostThrottle | None = None
    """Per-host politeness shared with other processes (distributed workers); None: this process's own."""


@dataclass(slots=True)
class SiteOutcome:
    """One site's part of a run."""

    site_id: str
    crawl: SiteCrawl
    audited: int = 0
    carried: int = 0
    statuses: Counter[str] = field(default_factory=Counter)
    severities: Counter[str] = field(default_factory=Counter)
    resolved: list[dict[str, Any]] = field(default_factory=list)

    def counts(self) -> dict[str, Any]:
        """What the site's part of the run did, as stored in run_sites and printed."""
        return {
            "listing_pages": len(self.crawl.listing_pages), "requests": self.crawl.fetches,
            # A 304 revalidates a stored body, it fetches nothing: counted apart so a quiet run reads as one.
            "fetches": self.crawl.fetches - self.crawl.not_modified, "not_modified": self.crawl.not_modified,
            "documents": len(self.crawl.documents), "broken_links": len(self.crawl.broken),
            "skipped_links": len(self.crawl.skipped), "audited": self.audited, "carried": self.carried,
            "new": self.statuses["new"], "persisting": self.statuses["persisting"],
            "resolved": len(self.resolved), "by_severity": dict(self.severities),
            **({"error": self.crawl.error} if self.crawl.error else {}),
        }


@dataclass(slots=True)
class RunOutcome:
    """What a `crawl` or `run` did."""

    run_id: int
    status: str
    sites: list[SiteOutcome]
    results: list[ReportResult] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)


async def crawl_sites(
    sites: Sequence[Site], settings: CrawlSettings, store: Store, run_id: int, options: Options
) -> list[SiteCrawl]:
    """Crawl the sites concurrently (politeness per host is shared) into the store."""
    snapshot = Snapshotter(store, run_id)
    wiring = Wiring(transport=options.transport, captures=snapshot, validators=snapshot,
                    stop=options.stop.is_set,
                    resolver=options.resolver, throttle=options.throttle)
    async with build_fetcher(settings, wiring) as fetcher:
        crawlers = [
            SiteCrawler(site, fetcher, snapshot, max_pages=settings.max_listing_pages,
                        progress=options.progress,
                        should_stop=options.stop.is_set)
            for site in sites
        ]
        await gather_all(c.run() for c in crawlers)
    return [c.result for c in crawlers]


def _select(sites_file: SitesFile, site_ids: Sequence[str] | None) -> list[Site]:
    return [sites_file.site(i) for i in site_ids] if site_ids else list(sites_file.sites)


def crawl(
    sites_file: SitesFile, store: Store, *, settings: CrawlSettings | None = None,
    site_ids: Sequence[str] | None = None, options: Options | None = None,
) -> RunOutcome:
    """`nianbao crawl`: one crawl of the sites into the store, no audit."""
    return _execute("crawl", sites_file, store, settings, site_ids, options or Options(), None)


def run(
    sites_file: SitesFile, store: Store, out: Path | None, *, settings: CrawlSettings | None = None,
    site_ids: Sequence[str] | None = None, options: Options | None = None,
) -> RunOutcome:
    """`nianbao run`: crawl, audit what is new or changed, compare with the previous run, write outputs."""
    return _execute("run", sites_file, store, settings, site_ids, options or Options(), out)


def _execute(
    kind: str, sites_file: SitesFile, store: Store, settings: CrawlSettings | None,
    site_ids: Sequence[str] | None, options: Options, out: Path | None,
) -> RunOutcome:
    sites = _select(sites_file, site_ids)
    for site in sites:
        Snapshotter(store, None).save_site(site)
    run_id = store_runs.start_run(store, kind, [s.id for s in sites])
    log.info("run started", extra={"event": "run_started", "run": run_id, "kind": kind,
                                    "sites": [s.id for s in sites]})
    outcome = RunOutcome(run_id, "running", [])
    try:
        crawls = asyncio.run(crawl_sites(sites, settings or sites_file.settings, store, run_id, options))
        for site_crawl in crawls:
            site_outcome = SiteOutcome(site_crawl.site.id, site_crawl)
            if kind == "run":
                if options.stop.is_set():
                    raise CrawlStopped
                results = audit_site(store, run_id, site_crawl, site_outcome, options)
                outcome.results.extend(results)
            outcome.sites.append(site_outcome)
            store_runs.finish_site(store, run_id, site_crawl.site.id, "done", site_outcome.counts())
            log.info("site done", extra={"event": "site_done", "run": run_id, "site": site_crawl.site.id,
                                         **site_outcome.counts()})
        if kind == "run" and out is not None:
            outcome.written = write_outputs(out, outcome)
    except (CrawlStopped, KeyboardInterrupt, asyncio.CancelledError):
        store_runs.finish_run(store, run_id, "interrupted", _stats(outcome))
        outcome.status = "interrupted"
        log.warning("run interrupted", extra={"event": "run_interrupted", "run": run_id})
        raise
    except Exception as exc:
        store_runs.finish_run(store, run_id, "failed", _stats(outcome), error=f"{type(exc).__name__}: {exc}")
        log.exception("run failed", extra={"event": "run_failed", "run": run_id})
        raise
    outcome.status = "done"
    store_runs.finish_run(store, run_id, "done", _stats(outcome))
    log.info("run finished", extra={"event": "run_finished", "run": run_id, **_stats(outcome)})
    return outcome


def _stats(outcome: RunOutcome) -> dict[str, Any]:
    return {"sites": {s.site_id: s.counts() for s in outcome.sites}}


@dataclass(slots=True)
class _SiteWriter:
    """Stores a site's reports in the run as they come, counting their findings and keeping what it shows."""

    store: Store
    run_id: int
    site_id: str
    baseline: store_runs.Baseline
    outcome: SiteOutcome
    current: set[str] = field(default_factory=set)
    """The fingerprints this run has for the site (what is not among them was resolved)."""
    shown: list[ReportResult] = field(default_factory=list)

    def keep(self, result: ReportResult, ref: store_runs.ReportRef, extra: list[Finding]) -> None:
        """Store a result audited (or made) in this run, ``extra`` being its portal findings."""
        store_runs.save_report(self.store, run_id=self.run_id, site_id=self.site_id, result=result, ref=ref,
                               audited_run_id=self.run_id, portal_findings=extra, baseline=self.baseline)
        _count(self.outcome, result.findings, self.current)
        self.shown.append(result)

    def carry(self, doc: SeenDocument, extra: list[Finding]) -> None:
        """A document not audited in this run: its stored audit carried over with the fresh portal
        findings ``extra``, or, when it has none, a stub holding them."""
        carried = None
        if doc.auditable:
            carried = store_runs.carry_over(self.store, run_id=self.run_id, site_id=self.site_id,
                                            version_id=doc.state.version_id, portal_findings=extra,
                                            baseline=self.baseline)
        if carried is not None:
            self.outcome.carried += 1
            _count(self.outcome, carried[1], self.current)
            _count(self.outcome, extra, self.current)
            if extra:
                self.shown.append(_stub(doc, extra))
        elif extra:
            self.keep(_stub(doc, extra),
                      store_runs.ReportRef(doc.state.document_id, doc.state.version_id, stub=True), extra)


def audit_site(
    store: Store, run_id: int, site_crawl: SiteCrawl, outcome: SiteOutcome, options: Options
) -> list[ReportResult]:
    """Audit a site's new and changed documents, carry the others over, store everything with statuses."""
    from auditor.pipeline import audit_batch

    site = site_crawl.site
    baseline = store_runs.Baseline.load(store, store_runs.previous_run_id(store, run_id, site.id), site.id)
    portal = portal_findings(site, site_crawl, options.today or today_in_china())
    docs = site_crawl.documents
    done_before = store_runs.audited_versions(store, [d.state.version_id for d in docs if d.auditable])
    to_audit = [d for d in docs if d.auditable and d.state.version_id not in done_before]
    # Unchanged reports go into the batch as context only (rules across years compare a report with the
    # body's others); their stored audit is carried over, their results here are discarded.
    context = [d for d in docs if d.auditable and d.state.version_id in done_before] if to_audit else []
    items = [_audit_input(store, site, d) for d in [*to_audit, *context]]
    results = audit_batch(items)[: len(to_audit)] if items else []
    writer = _SiteWriter(store, run_id, site.id, baseline, outcome)
    for doc, result in zip(to_audit, results, strict=True):
        # The portal checks own PUB-*: they know the site's deadline and the whole report item, so a
        # rule-base PUB-001 on the same document would only say the same thing twice.
        result.findings = [f for f in result.findings if f.rule_id not in PORTAL_RULES]
        extra = portal.by_url.pop(doc.url, [])
        result.findings.extend(extra)
        apply_waivers([result], options.waivers)
        writer.keep(result, store_runs.ReportRef(doc.state.document_id, doc.state.version_id), extra)
        outcome.audited += 1
    audited_urls = {d.url for d in to_audit}
    for doc in docs:
        if doc.url not in audited_urls:
            writer.carry(doc, portal.by_url.pop(doc.url, []))
    leftovers = [f for fs in portal.by_url.values() for f in fs]
    if portal.site or leftovers:
        everything = [*portal.site, *leftovers]
        writer.keep(_site_entry(site, site_crawl, everything), store_runs.ReportRef(None, None, portal=True),
                    everything)
    for row in store_runs.record_resolved(store, run_id, site.id, baseline, writer.current):
        outcome.resolved.append({"fingerprint": row.fingerprint, "rule_id": row.rule_id, "title": row.title,
                                 "message": row.message, "last_run": row.run_id})
    return writer.shown


def _count(outcome: SiteOutcome, findings: Sequence[Finding | FindingRow], current: set[str]) -> None:
    """Add findings (this run's, or rows carried over) to the site's counts and the run's fingerprints."""
    for f in findings:
        current.add(f.fingerprint)
        outcome.statuses[f.status or "new"] += 1
        if f.waived is None:
            outcome.severities[f.severity] += 1


def _audit_input(store: Store, site: Site, doc: SeenDocument) -> AuditInput:
    return AuditInput(
        data=store.blobs.get(doc.sha256), source=doc.url, level=site.level, published=doc.published,
        published_source=doc.published_source, declared_encoding=doc.encoding,
    )


def _stub(doc: SeenDocument, findings: list[Finding]) -> ReportResult:
    """A result for a document not audited in this run, holding its portal findings."""
    stub = Document(source=doc.url, sha256=doc.sha256, format=doc.format,
                    encoding=doc.encoding, title=doc.title,
                    year=doc.year, published=doc.published, published_source=doc.published_source)
    return ReportResult(source=doc.url, sha256=doc.sha256, document=stub, findings=list(findings))


def _site_entry(site: Site, site_crawl: SiteCrawl, findings: list[Finding]) -> ReportResult:
    """The site-level entry holding findings about the portal as a whole (PUB-002, broken report links)."""
    source = site_crawl.listing_pages[0] if site_crawl.listing_pages else site.start_urls[0]
    doc = Document(source=source, sha256="", format="html", title=f"{site.name} 年报栏目", agency=site.name,
                   level=site.level)
    return ReportResult(source=source, sha256="", document=doc, findings=list(findings))


def write_outputs(out: Path, outcome: RunOutcome) -> list[Path]:
    """findings.json (the contract's format, with each finding's status) and run.json (the comparison)."""
    from auditor.engine import default_rulebase
    from auditor.findings.writers import WRITERS

    rulebase = default_rulebase()
    rules = list(getattr(rulebase, "rules_meta", list)())
    known = {r.get("id") for r in rules}
    rules.extend(r for r in PORTAL_RULE_META if r["id"] not in known)
    findings_path = WRITERS["json"](out, outcome.results, rules)
    summary = {
        "run": outcome.run_id,
        "sites": [{"site": s.site_id, **s.counts(), "resolved_findings": s.resolved} for s in outcome.sites],
        "portal_rules": list(PORTAL_RULES),
    }
    run_path = out / "run.json"
    atomic_write_bytes(run_path, json.dumps(summary, ensure_ascii=False, indent=2).encode("utf-8"))
    return [findings_path, run_path]


__all__ = ["Options", "PortalFindings", "RunOutcome", "SiteOutcome", "crawl", "crawl_sites",
           "run", "today_in_china"]
