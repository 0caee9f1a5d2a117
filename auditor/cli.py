"""The `nianbao` command line (shared/spec/CONTRACT.md)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from auditor.rules_cli import app as rules_app
from auditor.workers import DEFAULT_MEMORY_MB, DEFAULT_SECONDS, Budget
from crawler.cli import register as register_crawler_commands

app = typer.Typer(
    name="nianbao",
    help="政府信息公开工作年度报告合规审查 — audit annual reports against the State Council format.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
err = Console(stderr=True, soft_wrap=True)

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


def fail(message: str) -> typer.Exit:
    """Print a one-line reason on stderr and return the exit for bad usage or unreadable input."""
    err.print(f"nianbao: {message}", markup=False, highlight=False)
    return typer.Exit(EXIT_USAGE)


@app.command(help="审查年度报告：写出 DIR/findings.json 以及 --format 指定的其他格式。")
def audit(
    paths: Annotated[list[str], typer.Argument(help="文件、文件夹（递归）或网址", metavar="路径或网址...")],
    out: Annotated[Path, typer.Option("--out", help="输出文件夹")] = Path("reports_out"),
    format: Annotated[str, typer.Option("--format", help="输出格式：json,html,xlsx,csv,sarif")] = "json,html",
    fail_on: Annotated[
        str | None, typer.Option("--fail-on", help="有该级别（error 或 warning）及以上的问题时退出码为 1")
    ] = None,
    level: Annotated[
        str | None,
        typer.Option("--level", help="机关层级：government | department | township（默认从标题判断）"),
    ] = None,
    waivers: Annotated[Path | None, typer.Option("--waivers", help="豁免文件（TOML）")] = None,
    workers: Annotated[
        int | None,
        typer.Option("--workers", help="并行处理的进程数（默认：本机核数）", envvar="NIANBAO_WORKERS", min=1),
    ] = None,
    doc_timeout: Annotated[
        float,
        typer.Option(
            "--doc-timeout", help="单个文档的处理时间上限（秒），超出记为 READ-001", envvar="NIANBAO_DOC_TIMEOUT",
            min=0.1,
        ),
    ] = DEFAULT_SECONDS,
    doc_memory: Annotated[
        int,
        typer.Option(
            "--doc-memory", help="处理进程可另占的内存上限（MB，0 为不限），超出记为 READ-001",
            envvar="NIANBAO_DOC_MEMORY_MB", min=0,
        ),
    ] = DEFAULT_MEMORY_MB,
) -> None:
    """审查年度报告：写出 DIR/findings.json 以及 --format 指定的其他格式。"""
    from auditor.audit_run import run_audit

    code = run_audit(
        paths, out=out, formats=format, fail_on=fail_on, level=level, waivers=waivers, console=err,
        workers=workers, budget=Budget(doc_timeout, doc_memory),
    )
    raise typer.Exit(code)


@app.command()
def inspect(
    file: Annotated[Path, typer.Argument(help="one report file")],
    as_json: Annotated[bool, typer.Option("--json", help="print the model as JSON")] = False,
    level: Annotated[str | None, typer.Option("--level")] = None,
) -> None:
    """Print the parsed model of one report: title, year, sections, tables T2/T3/T4 as grids."""
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


register_crawler_commands(app)
app.add_typer(rules_app, name="rules")


@app.command()
def serve(
    port: Annotated[int, typer.Option("--port", help="port to listen on")] = 8000,
    store: Annotated[Path, typer.Option("--store", help="store folder, as for crawl and run")] = Path("data"),
    host: Annotated[str, typer.Option("--host", help="address to bind; default: this machine only")] = "127.0.0.1",
    db: Annotated[str | None, typer.Option("--db", help="database URL (default: SQLite in the store folder)")] = None,
) -> None:
    """The read-only web view over stored audits (overview, reports, rules, downloads)."""
    from auditor.web.server import StoreMissing
    from auditor.web.server import serve as serve_web

    try:
        serve_web(store, host=host, port=port, db_url=db)
    except StoreMissing as exc:
        raise fail(str(exc)) from None


def main() -> None:
    try:
        app()
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
