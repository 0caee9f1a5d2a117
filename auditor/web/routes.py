"""The pages: one handler per URL, each reading the store through :mod:`auditor.store.queries`."""

from __future__ import annotations

import math

from starlette.convertors import Convertor, register_url_convertor
from starlette.exceptions import HTTPException
from starlette.responses import Response

from auditor.findings.model import ReportResult
from auditor.store import queries
from auditor.store.queries import JsonObject
from auditor.store.rehydrate import result_from_rows
from auditor.web.catalogue import Catalogue, RuleEntry, build_catalogue, known_rules
from auditor.web.charts import BarItem, bar_chart, line_chart
from auditor.web.downloads import DOWNLOADS, MODEL_LIMIT, write_download
from auditor.web.filters import PAGE_SIZE
from auditor.web.overview import Overview, build_overview, site_scope
from auditor.web.pages import Handler, PageRequest
from auditor.web.report import build_report_page


def overview(req: PageRequest) -> Response:
    """Sites × years: publication status, finding counts and changes, charts, filters, downloads."""
    data = build_overview(req.session, req.filters, req.pages.cache)
    return req.render("overview.html", o=data, charts=_overview_charts(data))


def _overview_charts(o: Overview) -> dict[str, object]:
    f = o.filters
    by_rule = bar_chart([
        BarItem(label=rule_id, note=title, parts=((severity, n),), href="/" + f.query(rule=rule_id, page=1))
        for rule_id, title, severity, n in o.by_rule[:10]
    ])
    by_site = bar_chart([
        BarItem(label=s.name, note=s.region, parts=(("error", c.error), ("warning", c.warning)))
        for s, c in o.by_site
    ])
    labels = [(f"#{p.id}", p.started_at.strftime("%m-%d")) for p in o.trend]
    trend = line_chart(labels, [
        ("error", "错误", [p.counts.error for p in o.trend]),
        ("warning", "警告", [p.counts.warning for p in o.trend]),
        ("new", "新增", [p.counts.new for p in o.trend]),
        ("resolved", "已解决", [p.counts.resolved for p in o.trend]),
    ])
    return {"by_rule": by_rule, "by_site": by_site, "trend": trend}


def report(req: PageRequest) -> Response:
    """One report: provenance, findings, tables with marked cells and their arithmetic, sections."""
    report_id = int(req.request.path_params["report_id"])
    page = build_report_page(req.session, report_id)
    if page is None:
        raise HTTPException(404, f"没有编号为 {report_id} 的报告")
    return req.render("report.html", p=page)


def _catalogue(req: PageRequest) -> Catalogue:
    recorded = queries.recorded_rules(req.session, known_rules())
    entries = (RuleEntry(r.rule_id, r.title, r.severity, r.basis, source="审查记录") for r in recorded)
    return build_catalogue(entries)


def rules(req: PageRequest) -> Response:
    """The rule catalogue with how often each rule is currently found."""
    counts: dict[str, int] = {}
    for counted in queries.counts_by_rule(req.session, req.filters, None):
        counts[counted.rule_id] = counts.get(counted.rule_id, 0) + counted.n
    return req.render("rules.html", catalogue=_catalogue(req), counts=counts)


def rule(req: PageRequest) -> Response:
    """One rule: its catalogue entry and the current reports it is found in (a page of them)."""
    rule_id = str(req.request.path_params["rule_id"]).upper()
    entry = _catalogue(req).get(rule_id)
    if entry is None:
        raise HTTPException(404, f"规则目录中没有 {rule_id}")
    f = req.filters
    scope = site_scope(req.session, f)
    total, hits = queries.rule_hits(req.session, rule_id, f, scope, (f.page - 1) * PAGE_SIZE, PAGE_SIZE)
    pages = max(1, math.ceil(total / PAGE_SIZE))
    return req.render("rule.html", rule=entry, hits=hits, total=total, pages=pages)


def _file(name: str, results: list[ReportResult], stem: str) -> Response:
    rules = [{"id": r.id, "title": r.title, "severity": r.severity, "basis": r.basis}
             for r in build_catalogue([]).rules]
    body, media_type = write_download(name, results, rules)
    filename = f"{stem}{name[name.index('.'):]}" if stem else name
    return Response(body, media_type=media_type,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def download(req: PageRequest) -> Response:
    """The current filter's reports and findings as XLSX, CSV, an HTML report or findings.json."""
    name = str(req.request.path_params["name"])
    if name not in DOWNLOADS:
        raise HTTPException(404, f"没有名为 {name} 的下载")
    pairs = queries.current_findings(req.session, req.filters, site_scope(req.session, req.filters))
    models: dict[int, JsonObject] = {}
    if DOWNLOADS[name].needs_model:
        if len(pairs) > MODEL_LIMIT:
            message = (f"HTML 报告最多包含 {MODEL_LIMIT} 份报告，当前筛选有 {len(pairs)} 份。"
                       "请按地区、年度、严重程度或规则缩小范围，或下载 XLSX、CSV。")
            return req.render("error.html", status=400, title="筛选结果过多", message=message)
        models = queries.models_of(req.session, [r.id for r, _ in pairs])
    return _file(name, [result_from_rows(r, fs, models.get(r.id)) for r, fs in pairs], "")


def report_download(req: PageRequest) -> Response:
    """One report and its findings (waived ones included) as any of the downloads."""
    report_id = int(req.request.path_params["report_id"])
    name = str(req.request.path_params["name"])
    row = queries.get_report(req.session, report_id)
    if row is None or name not in DOWNLOADS:
        raise HTTPException(404, "没有这个下载")
    model = queries.report_model(req.session, row.id)
    results = [result_from_rows(row, queries.findings_of(req.session, row.id), model)]
    return _file(name, results, f"report-{row.id}")


NOTICE_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def report_notice(req: PageRequest) -> Response:
    """The 整改通知 for one report (.docx, as `nianbao notice` writes it); ``?reply_by=YYYY-MM-DD`` and
    ``?issuer=…`` set the reply-by date (default: 30 days from today) and the issuing office."""
    from datetime import date, timedelta
    from urllib.parse import quote

    from auditor.findings.notice import DEFAULT_ISSUER, NoticeOptions, body_of, file_name, notice_docx

    report_id = int(req.request.path_params["report_id"])
    row = queries.get_report(req.session, report_id)
    if row is None:
        raise HTTPException(404, "没有这个下载")
    query = req.request.query_params
    today = date.today()
    try:
        asked = query.get("reply_by")
        reply_by = date.fromisoformat(query["reply_by"]) if asked else today + timedelta(days=30)
    except ValueError:
        return req.render("error.html", status=400, title="日期无效",
                          message="回复期限应写成 YYYY-MM-DD，如 2025-03-31。")
    issuer = (query.get("issuer") or "").strip()[:100] or DEFAULT_ISSUER
    report = result_from_rows(row, queries.findings_of(req.session, row.id), None).to_dict()
    rules = {r.id: {"id": r.id, "title": r.title, "severity": r.severity, "basis": r.basis}
             for r in build_catalogue([]).rules}
    body = body_of(report)
    data = notice_docx(body, [report], rules, NoticeOptions(reply_by, today, issuer))
    disposition = f"attachment; filename=\"notice-{row.id}.docx\"; filename*=UTF-8''{quote(file_name(body))}"
    return Response(data, media_type=NOTICE_MEDIA_TYPE, headers={"Content-Disposition": disposition})

class RowIdConvertor(Convertor[int]):
    """A row id in a path: 1 to 18 digits, so every id that matches fits the database's integer (a
    longer one matches no route and is a plain 404, never an overflow in the query)."""

    regex = "[0-9]{1,18}"

    def convert(self, value: str) -> int:
        """The id as an int."""
        return int(value)

    def to_string(self, value: int) -> str:
        """The id as path text."""
        return str(value)


register_url_convertor("row_id", RowIdConvertor())

ROUTES: list[tuple[str, Handler]] = [
    ("/", overview),
    ("/reports/{report_id:row_id}", report),
    ("/rules", rules),
    ("/rules/{rule_id}", rule),
    ("/download/{name}", download),
    ("/reports/{report_id:row_id}/notice.docx", report_notice),
    ("/reports/{report_id:row_id}/{name}", report_download),
]
