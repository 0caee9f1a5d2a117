"""The crawler's commands, registered on the `nianbao` app by :func:`register`:
``crawl``, ``run``, ``schedule``, ``export-warc`` and ``demo-portal``."""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Annotated

import typer

from nianbao.console import StderrConsole

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

    from auditor.store import Store
    from crawler.distributed.config import Endpoints
    from crawler.fetch.result import FetchResult
    from crawler.service import Options, RunOutcome
    from crawler.sites import SitesFile

DEFAULT_STORE_DIR = Path("data")
"""auditor.store.DEFAULT_STORE_DIR, not imported so that `nianbao --help` needs no database driver."""

err = StderrConsole()

SitesOpt = Annotated[Path, typer.Option("--sites", help="站点文件（TOML）", metavar="文件")]
StoreOpt = Annotated[Path, typer.Option("--store", help="存储目录（数据库和抓取的内容）", metavar="目录")]
DbOpt = Annotated[str | None, typer.Option(
    "--db", help="数据库地址（默认：存储目录中的 SQLite，或环境变量 NIANBAO_DATABASE_URL）",
    metavar="URL")]
SiteOpt = Annotated[list[str] | None, typer.Option(
    "--site", help="只处理这个站点（可重复）", metavar="站点ID")]
WarcOpt = Annotated[Path | None, typer.Option("--warc", help="同时把本次抓取写成 WARC 文件", metavar="文件")]
JsonLogOpt = Annotated[bool, typer.Option("--log-json", help="在标准错误输出结构化日志（JSON 行）")]
DEMO_PORT = 8001
"""`demo-portal`'s default port: not `serve`'s 8000, so the portal and the web view run side by side."""
DistributedOpt = Annotated[bool, typer.Option(
    "--distributed", help="把每个站点作为任务交给 `nianbao worker` 工作进程（Redis 队列）")]
RedisOpt = Annotated[str | None, typer.Option(
    "--redis", help="队列的 Redis 地址（默认：环境变量 REDIS_URL、站点文件的 redis_url，"
                    "或 redis://127.0.0.1:6379/0）",
    metavar="URL")]


def _fail(message: str) -> typer.Exit:
    err.print(f"nianbao: {message}", markup=False, highlight=False, soft_wrap=True)
    return typer.Exit(2)


def _load(sites: Path, site_ids: list[str] | None) -> SitesFile:
    from crawler.sites import SitesFileError, load_sites

    try:
        sites_file = load_sites(sites)
    except SitesFileError as exc:
        raise _fail(str(exc)) from None
    unknown = [i for i in site_ids or [] if i not in {s.id for s in sites_file.sites}]
    if unknown:
        known = "、".join(s.id for s in sites_file.sites)
        raise _fail(f"{sites}: 没有 id 为 {', '.join(unknown)} 的站点（已有：{known}）")
    return sites_file


@contextmanager
def _progress(enabled: bool) -> Iterator[tuple[Progress, dict[str, TaskID]]]:
    # imported here: every command's start-up (`nianbao audit`'s among them) would pay for it
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    bar = Progress(SpinnerColumn(), TextColumn("{task.description}"), TextColumn("{task.completed} 次请求"),
                   TimeElapsedColumn(), console=err.rich, transient=True,
                   disable=not (enabled and err.is_terminal))
    with bar:
        yield bar, {}


@contextmanager
def _stop_on_sigterm(stop: threading.Event) -> Iterator[None]:
    """SIGTERM asks the crawl to stop at its next request (Ctrl-C interrupts it at once)."""

    def handler(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _execute(kind: str, sites: Path, store_dir: Path, db: str | None, site: list[str] | None,
             out: Path | None, warc: Path | None, log_json: bool, waivers: Path | None = None) -> RunOutcome:
    from auditor.store import Store
    from crawler import logs, service
    from crawler.crawl import CrawlStopped

    logs.configure(json_lines=log_json)
    sites_file = _load(sites, site)
    store = Store.open(store_dir, db)
    options = _options(waivers)
    with _progress(not log_json) as (bar, tasks):

        def advance(site_id: str, result: FetchResult) -> None:
            if site_id not in tasks:
                tasks[site_id] = bar.add_task(site_id, total=None)
            bar.update(tasks[site_id], advance=1, description=f"{site_id} {result.url[-60:]}")
            if log_json:
                logs.log_fetch(site_id, result)

        options.progress = advance
        try:
            with _stop_on_sigterm(options.stop):
                if kind == "crawl":
                    outcome = service.crawl(sites_file, store, site_ids=site, options=options)
                else:
                    outcome = service.run(sites_file, store, out, site_ids=site, options=options)
        except (CrawlStopped, KeyboardInterrupt):
            err.print("中断：已抓取的内容均已保存，下次运行会继续。", markup=False, soft_wrap=True)
            raise typer.Exit(130) from None
    _report_outcome(kind, outcome, store, warc)
    return outcome


def _options(waivers: Path | None) -> Options:
    """The service's options, with the waivers file read (a bad one ends the command, saying why)."""
    from crawler import service

    options = service.Options()
    if waivers is not None:
        from auditor.findings.waivers import load_waivers

        try:
            options.waivers = load_waivers(waivers)
        except (OSError, ValueError) as exc:
            raise _fail(f"{waivers}: {exc}") from None
    return options


def _report_outcome(kind: str, outcome: RunOutcome, store: Store, warc: Path | None) -> None:
    """Each site's summary line, the WARC export when asked for, and where the results went."""
    for s in outcome.sites:
        err.print(_site_line(kind, s.site_id, s.counts()), markup=False, highlight=False, soft_wrap=True)
    if warc is not None:
        from crawler.warc import export_warc

        count = export_warc(store, outcome.run_id, warc)
        err.print(f"WARC：{warc}（{count} 条记录）", markup=False, highlight=False, soft_wrap=True)
    if outcome.written:
        where = f"运行 {outcome.run_id}，输出：{', '.join(str(p) for p in outcome.written)}"
    else:
        where = f"运行 {outcome.run_id} 完成；存储：{store.root}"
    err.print(where, markup=False, highlight=False, soft_wrap=True)


def _site_line(kind: str, site_id: str, c: dict[str, object]) -> str:
    """One site's summary line after a crawl or run (its counts as stored in run_sites)."""
    if "listing_pages" not in c:
        return f"{site_id}: 失败：{c.get('error', '未知原因')}"
    line = (f"{site_id}: 栏目页 {c['listing_pages']}，文档 {c['documents']}，失效链接 {c['broken_links']}，"
            f"未抓取 {c['skipped_links']}")
    if "requests" in c:
        line += f"；请求 {c['requests']}（下载 {c['fetches']}，未变化 {c.get('not_modified', 0)}）"
    if kind == "run":
        sev: dict[str, int] = c["by_severity"]  # type: ignore[assignment]
        line += (f"；审查 {c['audited']}（沿用 {c['carried']}）；新增 {c['new']}，持续 {c['persisting']}，"
                 f"已解决 {c['resolved']}；错误 {sev.get('error', 0)}，警告 {sev.get('warning', 0)}，"
                 f"提示 {sev.get('info', 0)}")
    if c.get("error"):
        line += f"；{c['error']}"
    return line


def crawl(
    sites: SitesOpt,
    store: StoreOpt = DEFAULT_STORE_DIR,
    db: DbOpt = None,
    site: SiteOpt = None,
    warc: WarcOpt = None,
    log_json: JsonLogOpt = False,
) -> None:
    """抓取一次每个站点：发现年报页面和附件，保存快照。"""
    _execute("crawl", sites, store, db, site, None, warc, log_json)


def run(
    sites: SitesOpt,
    out: Annotated[Path, typer.Option("--out", help="输出目录", metavar="目录")] = Path("reports_out"),
    store: StoreOpt = DEFAULT_STORE_DIR,
    db: DbOpt = None,
    site: SiteOpt = None,
    warc: WarcOpt = None,
    fail_on: Annotated[str | None, typer.Option(
        "--fail-on",
        help="有该级别（error 错误 / warning 警告）及以上的问题时退出码为 1", metavar="级别")] = None,
    log_json: JsonLogOpt = False,
    waivers: Annotated[Path | None, typer.Option(
        "--waivers", help="豁免清单（TOML），与 audit 相同", metavar="文件")] = None,
    distributed: DistributedOpt = False,
    redis: RedisOpt = None,
    timeout: Annotated[float | None, typer.Option("--timeout",
                                                  help="与 --distributed 同用：等待工作进程的秒数"
                                                                     "（默认不限）", metavar="秒")] = None,
) -> None:
    """抓取后审查上次以来新增或变化的报告，写出 findings.json 和 run.json。"""
    if fail_on is not None and fail_on not in ("error", "warning"):
        raise _fail("--fail-on 只接受 error 或 warning")
    if distributed:
        if warc is not None or waivers is not None:
            raise _fail("--distributed 暂不支持 --warc 与 --waivers")
        outcome = _run_distributed(sites, store, db, redis, site, out, timeout)
    else:
        outcome = _execute("run", sites, store, db, site, out, warc, log_json, waivers)
    if fail_on is not None:
        from auditor.findings.model import SEVERITY_RANK

        threshold = SEVERITY_RANK[fail_on]
        counts = [s.counts().get("by_severity", {}) for s in outcome.sites]
        if any(n and SEVERITY_RANK[sev] >= threshold for c in counts for sev, n in c.items()):
            raise typer.Exit(1)


def schedule(
    sites: SitesOpt,
    store: StoreOpt = DEFAULT_STORE_DIR,
    db: DbOpt = None,
    out: Annotated[Path | None, typer.Option(
        "--out", help="把每次运行的结果写到 目录/<站点ID> 下", metavar="目录")] = None,
    distributed: DistributedOpt = False,
    redis: RedisOpt = None,
) -> None:
    """常驻服务：按各站点的计划抓取并审查，直到收到 SIGTERM；重启后接着运行。"""
    from auditor.store import Store
    from auditor.store.lock import StoreLocked
    from crawler import logs
    from crawler.schedule import run_site_job, serve

    logs.configure(json_lines=True)
    sites_file = _load(sites, None)
    opened: Store | None = None
    try:
        if not distributed:
            opened = Store.open(store, db)
            serve(sites_file, opened, out, run_site_job)
            return
        from crawler.distributed.config import REDIS_ENV
        from crawler.distributed.coordinator import enqueue_site_job

        if out is not None:
            raise _fail("--distributed 时各次运行的结果由工作进程写入存储（nianbao serve 查看），"
                        "不支持 --out")
        endpoints = _endpoints(sites_file, redis, db, store)
        # each due job resolves the broker again, in this process
        os.environ[REDIS_ENV[0]] = endpoints.redis_url
        opened = Store.open(store, endpoints.database_url)
        serve(sites_file, opened, out, enqueue_site_job)
    except StoreLocked as exc:
        raise _fail(str(exc)) from None
    finally:
        if opened is not None:
            opened.close()


def _endpoints(sites_file: SitesFile | None, redis: str | None, db: str | None, store: Path) -> Endpoints:
    from crawler.distributed.config import Endpoints

    return Endpoints.resolve(sites_file.settings if sites_file else None,
                             redis_url=redis, db_url=db, store=store)


def _run_distributed(sites: Path, store_dir: Path, db: str | None, redis: str | None, site: list[str] | None,
                     out: Path | None, timeout: float | None) -> RunOutcome:
    """`run --distributed`: enqueue the sites, wait for the workers, write the outputs from the store."""
    from redis import RedisError
    from sqlalchemy.exc import OperationalError

    from auditor.store import Store
    from crawler import service
    from crawler.distributed import coordinator
    from crawler.distributed.config import redacted

    sites_file = _load(sites, site)
    endpoints = _endpoints(sites_file, redis, db, store_dir)
    try:
        store = Store.open(store_dir, endpoints.database_url)
    except OperationalError as exc:
        raise _fail(f"无法连接数据库：{exc.orig}") from None
    try:
        run_id = coordinator.enqueue_run(store, endpoints, sites_file, site)
    except (OSError, RedisError) as exc:
        raise _fail(f"无法连接消息队列 {redacted(endpoints.redis_url)}：{exc}") from None
    queued = len(site or sites_file.sites)
    err.print(f"运行 {run_id}：{queued} 个站点已排队，等待工作进程（nianbao worker）……",
              markup=False, highlight=False, soft_wrap=True)
    try:
        status = coordinator.wait_for(store, run_id, timeout=timeout)
    except coordinator.RunTimeout as exc:
        raise _fail(f"{exc}：工作进程仍在处理，结果会写入存储") from None
    outcome = coordinator.collect(store, run_id, status)
    if out is not None:
        outcome.written = service.write_outputs(out, outcome)
    for s in outcome.sites:
        err.print(_site_line("run", s.site_id, s.counts()), markup=False, highlight=False, soft_wrap=True)
    if outcome.written:
        where = f"输出：{', '.join(str(p) for p in outcome.written)}"
    else:
        where = f"存储：{redacted(store.db_url)}"
    err.print(f"运行 {run_id}（分布式，{status}），{where}", markup=False, highlight=False, soft_wrap=True)
    if status != "done":
        raise _fail(f"运行 {run_id} 未全部完成：部分站点多次重试后仍失败（见上）")
    return outcome


WORKER_HELP = ("运行站点工作进程（抓取并审查），供 run --distributed 和 schedule --distributed 使用，"
               "直到收到 SIGTERM。")
"""`worker`'s help: too long for one source line as a docstring, and click joins two lines with a space."""


def worker(
    store: StoreOpt = DEFAULT_STORE_DIR,
    db: DbOpt = None,
    redis: RedisOpt = None,
    sites: Annotated[Path | None, typer.Option("--sites",
                                               help="从这个站点文件的 \\[crawler] 表读取 redis_url / "
                                                               "database_url", metavar="文件")] = None,
    processes: Annotated[int, typer.Option("--processes", min=1, help="工作进程数", metavar="数量")] = 1,
    threads: Annotated[int, typer.Option("--threads", min=1, help="每个进程同时处理的站点任务数",
                                         metavar="数量")] = 4,
) -> None:
    """Run site workers (crawl and audit) for the distributed commands until SIGTERM (help: WORKER_HELP)."""
    from crawler.distributed.worker import exec_workers

    endpoints = _endpoints(_load(sites, None) if sites else None, redis, db, store)
    store.mkdir(parents=True, exist_ok=True)
    exec_workers(endpoints, processes, threads)


def export_warc(
    run_id: Annotated[int, typer.Argument(help="运行编号", metavar="运行编号")],
    out: Annotated[Path, typer.Option("--out",
                                      help="要写出的 WARC 文件（.warc 或 .warc.gz）", metavar="文件")],
    store: StoreOpt = DEFAULT_STORE_DIR,
    db: DbOpt = None,
) -> None:
    """把一次运行抓取的内容写成 WARC 文件。"""
    from auditor.store import Store
    from auditor.store.queries import get_run
    from crawler.warc import export_warc as write

    opened = Store.open(store, db)
    if get_run(opened, run_id) is None:
        raise _fail(f"{store} 中没有编号为 {run_id} 的运行")
    count = write(opened, run_id, out)
    err.print(f"WARC：{out}（{count} 条记录）", markup=False, highlight=False, soft_wrap=True)


def demo_portal(
    port: Annotated[int, typer.Option(
        "--port", help="127.0.0.1 上的端口（0：任选一个空闲端口）", metavar="端口")] = DEMO_PORT,
    out: Annotated[Path, typer.Option("--out", help="演示站点文件所在的目录", metavar="目录")] = Path("demo"),
    base_year: Annotated[int | None, typer.Option(
        "--base-year", help="演示中的“当前”年份", metavar="年份")] = None,
    delay: Annotated[float, typer.Option(
        "--delay", help="写入站点文件的抓取间隔（秒）", metavar="秒")] = 0.5,
) -> None:
    """在 127.0.0.1 上运行演示门户，并为它写一个站点文件（Ctrl-C 停止）。"""
    from crawler.demo_portal import DEPT_LISTING, GOV_LISTING, DemoPortal

    try:
        portal = DemoPortal(port=port, base_year=base_year).start()
    except OSError as exc:
        raise _fail(f"端口 {port} 无法使用：{exc.strerror or exc}"
                    "（换一个 --port，或用 0 自动选择）") from None
    stop = threading.Event()
    # The handler is in place before the sites file announces that the portal is up.
    with _stop_on_sigterm(stop):
        out.mkdir(parents=True, exist_ok=True)
        sites_path = out / "sites.toml"
        sites_path.write_text(portal.sites_toml(delay=delay), encoding="utf-8")
        err.print(f"演示门户：{portal.url(GOV_LISTING)}\n          {portal.url(DEPT_LISTING)}\n"
                  f"站点文件：{sites_path}\n试试：nianbao run --sites {sites_path} --out {out / 'out'} "
                  f"--store {out / 'data'}", markup=False, highlight=False, soft_wrap=True)
        try:
            while not stop.wait(1.0):
                pass
        except KeyboardInterrupt:
            pass
        finally:
            portal.stop()


def register(app: typer.Typer) -> None:
    """Add the crawler's commands to the `nianbao` app."""
    app.command()(crawl)
    app.command()(run)
    app.command()(schedule)
    app.command(help=WORKER_HELP)(worker)
    app.command("export-warc")(export_warc)
    app.command("demo-portal")(demo_portal)
