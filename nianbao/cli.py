"""The `nianbao` command line (shared/spec/CONTRACT.md)."""

from __future__ import annotations

import sys

if __name__ == "__main__" and sys.argv[1:2] == ["audit"]:  # as the console script (nianbao/entry.py)
    from nianbao.zygote import end_on_sigterm, pause_collection, start_for

    pause_collection()
    start_for(sys.argv[1:], shared=("nianbao.audit_run",))  # the command the rule-base process serves
    end_on_sigterm()

import atexit  # noqa: E402 - after the rule-base process has started
import os  # noqa: E402
from contextlib import suppress  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Annotated, Any, NoReturn  # noqa: E402

import typer

from auditor.workers import DEFAULT_MEMORY_MB, DEFAULT_SECONDS, Budget
from nianbao.cli_coerce import install as install_plain_values
from nianbao.cli_zh import SUBCOMMAND_METAVAR, localise
from nianbao.console import EXIT_USAGE, err, fail

localise()
install_plain_values()  # no pydantic before the read workers are forked (nianbao/cli_coerce.py)
_AUDITED = False
"""Set once `audit` has written its outputs: :func:`main` then ends the process without tearing the
interpreter down."""
SERVE_PORT = 8000
"""`serve`'s default port (`demo-portal` defaults to another, so the two run side by side)."""


def audit(
    paths: Annotated[list[str], typer.Argument(
        help="报告文件、目录（递归查找）或网址", metavar="路径或网址")],
    out: Annotated[Path, typer.Option("--out", help="输出目录", metavar="目录")] = Path("reports_out"),
    format: Annotated[str, typer.Option(
        "--format", help="输出格式，逗号分隔：json,html,xlsx,csv,sarif（findings.json 总会写出）",
        metavar="格式")] = "json,html",
    fail_on: Annotated[str | None, typer.Option(
        "--fail-on", help="有该级别（error 错误 / warning 警告）及以上的问题时退出码为 1",
        metavar="级别")] = None,
    level: Annotated[str | None, typer.Option(
        "--level",
        help="机关层级：government 人民政府 / department 政府部门 / township 乡镇街道（默认从标题判断）",
        metavar="层级")] = None,
    waivers: Annotated[Path | None, typer.Option(
        "--waivers", help="豁免清单（TOML）", metavar="文件")] = None,
    workers: Annotated[int | None, typer.Option(
        "--workers", help="并行处理的进程数（默认：本机核数）", envvar="NIANBAO_WORKERS", min=1,
        metavar="个数")] = None,
    doc_timeout: Annotated[float, typer.Option(
        "--doc-timeout", help="单个文档的处理时间上限（秒），超出记为 READ-001“超出处理预算”",
        envvar="NIANBAO_DOC_TIMEOUT", min=0.1, metavar="秒")] = DEFAULT_SECONDS,
    doc_memory: Annotated[int, typer.Option(
        "--doc-memory", help="处理进程可另占的内存上限（MB，0 为不限），超出记为 READ-001“超出处理预算”",
        envvar="NIANBAO_DOC_MEMORY_MB", min=0, metavar="MB")] = DEFAULT_MEMORY_MB,
) -> None:
    """审查年度报告，写出 目录/findings.json 及要求的其他格式。"""
    from nianbao.audit_run import run_audit

    code = run_audit(
        paths, out=out, formats=format, fail_on=fail_on, level=level, waivers=waivers, console=err,
        workers=workers, budget=Budget(doc_timeout, doc_memory),
    )
    global _AUDITED
    _AUDITED = True
    raise typer.Exit(code)


def inspect(
    file: Annotated[Path, typer.Argument(help="一份报告文件", metavar="文件")],
    as_json: Annotated[bool, typer.Option("--json", help="以 JSON 输出解析结果")] = False,
    level: Annotated[str | None, typer.Option(
        "--level", help="机关层级：government / department / township（默认从标题判断）",
        metavar="层级")] = None,
) -> None:
    """显示一份报告的解析结果：标题、年度、各部分，以及表二、表三、表四的表格。"""
    from rich.console import Console

    from auditor.extract import ReadError, extract
    from auditor.inspect_view import print_document

    if not file.is_file():
        raise fail(f"{file}: 文件不存在")
    try:
        doc = extract(file.read_bytes(), str(file), level=level)
    except ReadError as exc:
        raise fail(f"{file}: {exc}") from None
    if as_json:
        import json

        sys.stdout.write(json.dumps(doc.to_dict(), ensure_ascii=False, indent=2) + "\n")
    else:
        print_document(doc, Console() if sys.stdout.isatty() else Console(width=200))


def serve(
    port: Annotated[int, typer.Option("--port", help="监听端口", metavar="端口")] = SERVE_PORT,
    store: Annotated[Path, typer.Option(
        "--store", help="存储目录，与 crawl、run 相同", metavar="目录")] = Path("data"),
    host: Annotated[str, typer.Option(
        "--host", help="监听地址；默认只允许本机访问", metavar="地址")] = "127.0.0.1",
    db: Annotated[str | None, typer.Option(
        "--db", help="数据库地址（默认：存储目录中的 SQLite）", metavar="URL")] = None,
) -> None:
    """只读的网页界面，浏览已保存的审查结果（总览、报告、规则、下载）。"""
    from auditor.web.server import StoreMissing
    from auditor.web.server import serve as serve_web

    if (busy := port_problem(host, port)) is not None:
        raise fail(busy)
    try:
        serve_web(store, host=host, port=port, db_url=db)
    except StoreMissing as exc:
        raise fail(str(exc)) from None
    except SystemExit as exc:
        # uvicorn exits 3 when it cannot start (the port was taken after the check above).
        if exc.code in (None, 0):
            raise
        raise fail(f"网页界面未能在 {host}:{port} 启动（端口可能已被占用；换一个 --port）") from None


def port_problem(host: str, port: int) -> str | None:
    """Why ``host:port`` cannot be listened on, in one Chinese line; None when it can."""
    import errno
    import socket

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, OverflowError):
        return f"无法解析监听地址 {host}（用 IP 地址，如 127.0.0.1）"
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
        try:
            probe.bind(address)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return f"端口 {port} 已被占用（可能已有一个 nianbao serve 在运行）；用 --port 换一个端口"
            if exc.errno == errno.EACCES:
                return f"无权使用端口 {port}（1024 以下的端口需要管理员权限）；用 --port 换一个端口"
            if exc.errno == errno.EADDRNOTAVAIL:
                return f"{host} 不是本机的地址；用 --host 127.0.0.1 或本机的地址"
            return f"无法监听 {host}:{port}：{exc.strerror or exc}"
    return None


def _exit_now(code: int) -> NoReturn:
    """End the process with ``code`` once the output is flushed and the exit handlers (logging's
    among them) have run, skipping the interpreter's teardown: with pandas and the rule base loaded
    it costs a one-report audit 0.2 s of CPU and more of its time.  Every output is already written
    and moved into place (auditor.findings.jsonout.AtomicFile) and the workers have been joined."""
    for stream in (sys.stdout, sys.stderr):  # None when the command was started with it closed
        with suppress(Exception):
            stream.flush()
    atexit._run_exitfuncs()
    os._exit(code)


def build_app(everything: bool = True) -> typer.Typer:
    """The `nianbao` command line; ``everything=False``: only the commands of this module (audit,
    inspect, serve), which is all that `nianbao audit ...` reaches.

    Why: for an audit, importing the crawler's, notice's and rules' command modules and having typer
    read the signatures of their two dozen commands (it does so for every command on each run) was
    10 ms of CPU before the read workers were forked.  The commands are registered in the same order
    either way, so the audit command's help, usage and errors are the same."""
    app = typer.Typer(
        name="nianbao",
        help="政府信息公开工作年度报告合规审查：按国务院办公厅规定的格式审查年度报告，抓取门户网站，生成审查结果和整改通知。",
        subcommand_metavar=SUBCOMMAND_METAVAR,
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
    )
    app.command()(audit)
    app.command()(inspect)
    if everything:
        from nianbao.crawl_cli import register as register_crawler_commands
        from nianbao.notice_cli import register as register_notice_command
        from nianbao.rules_cli import app as rules_app

        register_crawler_commands(app)
        register_notice_command(app)
        app.add_typer(rules_app, name="rules")
    app.command()(serve)
    return app


def __getattr__(name: str) -> Any:
    # ``nianbao.cli.app``, the whole command line (the tests' CliRunner), is made on first use
    if name == "app":
        return _whole_app()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _whole_app() -> typer.Typer:
    if "app" not in globals():
        globals()["app"] = build_app()
    app: typer.Typer = globals()["app"]
    return app


def main() -> None:
    # `nianbao audit` needs only its own command (build_app); anything else, the whole line
    app = build_app(everything=False) if sys.argv[1:2] == ["audit"] else _whole_app()
    try:
        app()
    except SystemExit as exc:
        if _AUDITED and isinstance(exc.code, int | None):
            _exit_now(exc.code or 0)
        raise
    except RuntimeError as exc:
        # A store that could not be upgraded says so in one line, not a traceback.  The class is looked
        # up only if a store was opened, so commands without one never pay for importing SQLAlchemy.
        migrate = sys.modules.get("auditor.store.migrate")
        if migrate is None or not isinstance(exc, migrate.MigrationError):
            raise
        err.print(f"nianbao: {exc}", markup=False, highlight=False)
        raise SystemExit(EXIT_USAGE) from None


if __name__ == "__main__":
    main()
