"""`nianbao notice`: the 整改通知 of each body and the region summary, from a findings.json."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Annotated

import typer

REPLY_DAYS = 30
"""Default time given to reply: 30 days from today."""


def _reply_by(text: str | None, today: date) -> date:
    if text is None:
        return today + timedelta(days=REPLY_DAYS)
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(
            f"“{text}”不是日期，请写成 YYYY-MM-DD，如 {today + timedelta(days=REPLY_DAYS)}"
        ) from None


def notice(
    findings: Annotated[Path, typer.Argument(help="审查结果文件 findings.json（nianbao audit 或 run 的输出）",
                                             metavar="FINDINGS.json")],
    out: Annotated[Path, typer.Option("--out", help="输出目录",
                                      metavar="目录")] = Path("reports_out/notices"),
    reply_by: Annotated[str | None, typer.Option(
        "--reply-by", help=f"回复期限（YYYY-MM-DD），默认为今天起 {REPLY_DAYS} 天",
        metavar="YYYY-MM-DD")] = None,
    issuer: Annotated[str | None, typer.Option(
        "--issuer", help="发文机关，如“××区人民政府办公室”", metavar="机关名称")] = None,
) -> None:
    """为每个有错误或警告的机关写一份整改通知（.docx），并写出供上级机关查看的地区汇总（.xlsx）。"""
    from auditor.findings.notice import (
        DEFAULT_ISSUER,
        FindingsFileError,
        NoticeOptions,
        load_findings,
        write_notices,
    )
    from nianbao.console import EXIT_USAGE, err

    today = date.today()
    try:
        options = NoticeOptions(_reply_by(reply_by, today), today, (issuer or "").strip() or DEFAULT_ISSUER)
    except typer.BadParameter as exc:
        err.print(f"nianbao: --reply-by：{exc}", markup=False, highlight=False)
        raise typer.Exit(EXIT_USAGE) from None
    try:
        data = load_findings(findings)
    except FindingsFileError as exc:
        err.print(f"nianbao: {exc}", markup=False, highlight=False)
        raise typer.Exit(EXIT_USAGE) from None
    try:
        done = write_notices(data, out, options)
    except OSError as exc:
        err.print(f"nianbao: {out}: 无法写入：{exc.strerror or exc}", markup=False, highlight=False)
        raise typer.Exit(EXIT_USAGE) from None
    err.print(f"整改通知 {len(done.notices)} 份（共 {done.bodies} 个机关），"
              f"回复期限 {options.reply_by.isoformat()}；"
              f"地区汇总：{done.summary}", markup=False, highlight=False, soft_wrap=True)
    if done.unaddressed:
        err.print(f"另有 {done.unaddressed} 份有问题的报告未能识别机关，"
                  "未写整改通知，见地区汇总的“报告明细”。",
                  markup=False, highlight=False, soft_wrap=True)
    for path in done.notices:
        err.print(f"  {path}", markup=False, highlight=False, soft_wrap=True)


def register(app: typer.Typer) -> None:
    """Add `notice` to the `nianbao` app."""
    app.command()(notice)
