"""The `nianbao` command line (shared/spec/CONTRACT.md)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from auditor.extract import SUPPORTED_SUFFIXES
from auditor.notice_cli import register as register_notice_command
from auditor.rules_cli import app as rules_app
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


def collect_inputs(paths: list[str]) -> list[str]:
    """Files, folders (recursively, supported suffixes only, sorted) and URLs, in the order given."""
    found: list[str] = []
    for p in paths:
        if p.startswith(("http://", "https://")):
            found.append(p)
            continue
        path = Path(p)
        if path.is_dir():
            found.extend(
                str(f) for f in sorted(path.rglob("*"))
                if f.is_file() and (f.suffix.lower() in SUPPORTED_SUFFIXES or not f.suffix)
                and not f.name.startswith(".")
            )
        elif path.is_file():
            found.append(str(path))
        else:
            raise fail(f"{p}: 文件或目录不存在")
    return found


def progress() -> Progress:
    return Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=not err.is_terminal,
    )


@app.command()
def audit(
    paths: Annotated[list[str], typer.Argument(help="files, folders (recursive) or URLs")],
    out: Annotated[Path, typer.Option("--out", help="output folder")] = Path("reports_out"),
    format: Annotated[str, typer.Option("--format", help="json,html,xlsx,csv,sarif")] = "json,html",
    fail_on: Annotated[str | None, typer.Option("--fail-on", help="error | warning")] = None,
    level: Annotated[
        str | None, typer.Option("--level", help="government | department | township (else from the title)")
    ] = None,
    waivers: Annotated[Path | None, typer.Option("--waivers", help="waiver file (TOML)")] = None,
) -> None:
    """Audit reports and write DIR/findings.json plus the other formats asked for."""
    from auditor.audit_run import run_audit

    code = run_audit(
        paths, out=out, formats=format, fail_on=fail_on, level=level, waivers=waivers, console=err
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
register_notice_command(app)
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
