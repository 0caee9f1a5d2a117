"""`nianbao inspect`: the parsed model in a form a rule author can read."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table as RichTable

from auditor.model import Cell, Document, Table
from auditor.templates import spec_for


def print_document(doc: Document, console: Console) -> None:
    console.print(f"[bold]标题[/bold]  {doc.title or '（未识别）'}", highlight=False)
    console.print(
        f"机关 {doc.agency or '—'}   年度 {doc.year or '—'}   发布日期 {doc.published or '—'}"
        f"{f'（来源：{doc.published_source}）' if doc.published_source else ''}   层级 {doc.level or '—'}",
        highlight=False,
        markup=False,
    )
    console.print(
        f"格式 {doc.format}  编码 {doc.encoding or '—'}  模板 {doc.template}  "
        f"统计期限 {doc.stats_period_text or '—'}",
        highlight=False,
        markup=False,
    )
    console.rule("章节")
    for s in doc.sections:
        close = s.similarity >= 0.999 and s.numbering_ok
        flag = "" if close else f"  （与模板措辞相似度 {s.similarity:.2f}）"
        heading = s.heading or "（原文无此标题，按内容识别）"
        console.print(f"[bold]{s.key}[/bold] {heading}{flag}", highlight=False)
        snippet = s.text.replace("\n", " ")
        console.print(f"    {snippet[:120]}{'…' if len(snippet) > 120 else ''}",
                      markup=False, highlight=False)
    missing = [k for k in "一二三四五六" if doc.section(k) is None]
    if missing:
        console.print(f"[red]未找到章节：{'、'.join(missing)}[/red]")
    if doc.extra_headings:
        console.print(f"其他类似章节标题：{'；'.join(doc.extra_headings)}", markup=False)
    for table in doc.tables:
        console.rule(f"{table.kind}（{table.template} 版）")
        print_table(table, console)
    for issue in doc.issues:
        console.print(f"[yellow]{issue.code}[/yellow] {issue.message}", highlight=False)


def _shown(cell: Cell | None) -> str:
    """A cell as the grid shows it: the number, with the text as written when it differs; ‹text› when
    the cell holds no number."""
    if cell is None:
        return ""
    if cell.kind == "number":
        shown = str(cell.value)
        return shown if cell.raw.strip() == shown else f"{shown} ‹{cell.raw.strip()}›"
    return f"‹{cell.raw.strip() or '空'}›"


def print_table(table: Table, console: Console) -> None:
    if table.image_only:
        console.print("表格只有图片，无法读取。")
        return
    spec = spec_for(table.kind, table.template if table.template != "unknown" else "2021")
    if spec is None:
        return
    grid = RichTable(show_lines=False, header_style="bold")
    grid.add_column("行")
    cols = [c for c in spec.columns if any((r, c.id) in table.cells for r in table.row_labels)]
    for c in cols:
        grid.add_column(table.col_labels.get(c.id, c.label), justify="right")
    for row in spec.rows:
        if row.id not in table.row_labels and not any((row.id, c.id) in table.cells for c in cols):
            continue
        cells = [_shown(table.cells.get((row.id, c.id))) for c in cols]
        written = table.row_labels.get(row.id, "")
        label = row.display if not written or written == row.label else f"{row.display} ‹{written}›"
        grid.add_row(label, *cells)
    console.print(grid)
    for note in table.notes:
        console.print(f"  注：{note}", markup=False)
    for problem in table.problems:
        console.print(f"  [red]问题[/red]：{problem}", highlight=False)
    if table.extra_rows:
        console.print(f"  额外的行（未计入）：{'、'.join(table.extra_rows)}", markup=False)
