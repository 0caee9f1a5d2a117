"""`nianbao rules`: list the rule base, explain one rule, test every rule on its own examples."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from nianbao.cli_zh import SUBCOMMAND_METAVAR

if TYPE_CHECKING:
    from auditor.engine.rulefile import RuleSpec

app = typer.Typer(help="规则库：列出、说明、用规则自带的示例测试每条规则。", no_args_is_help=True,
                  subcommand_metavar=SUBCOMMAND_METAVAR)

FolderOption = Annotated[Path | None, typer.Option(
    "--rules", help="规则文件目录（默认：rules/）", metavar="目录")]


def _rules(folder: Path | None) -> tuple[list[RuleSpec], list[str]]:
    """The rules of ``folder`` (imported here: the engine is not needed to start the CLI)."""
    from auditor.engine.rulebase import RULES_DIR
    from auditor.engine.rulefile import load_rules

    folder = folder or RULES_DIR
    if not folder.is_dir():
        typer.echo(f"nianbao: {folder}: 规则目录不存在", err=True)
        raise typer.Exit(2)
    loaded = load_rules(folder)
    return loaded.rules, loaded.errors


@app.command("list")
def list_rules(folder: FolderOption = None) -> None:
    """列出规则：编号、级别（错误/警告/提示）、标题、适用范围。"""
    from auditor.findings.model import SEVERITY_NAMES

    rules, errors = _rules(folder)
    for rule in rules:
        severity = SEVERITY_NAMES.get(rule.severity, rule.severity)
        typer.echo(f"{rule.id}\t{severity}\t{rule.title}\t{rule.applies.describe()}")
    for error in errors:
        typer.echo(f"规则文件有误，已跳过：{error}", err=True)


@app.command()
def explain(
    rule_id: Annotated[str, typer.Argument(help="规则编号，如 BAL-002", metavar="规则编号")],
    folder: FolderOption = None,
    sample: Annotated[
        int,
        typer.Option("--sample", help="显示第几个应当报出的示例生成的文档文本（0：不显示）", metavar="序号"),
    ] = 1,
) -> None:
    """说明一条规则：检查什么、依据、如何整改、检查方式和示例，以及示例生成的文档文本。"""
    from auditor.findings.model import SEVERITY_NAMES

    rules, _ = _rules(folder)
    rule = next((r for r in rules if r.id == rule_id.strip().upper()), None)
    if rule is None:
        typer.echo(f"nianbao: 没有规则 {rule_id}（nianbao rules list 列出全部规则）", err=True)
        raise typer.Exit(2)
    lines = [
        f"{rule.id}  {rule.title}",
        f"级别：{SEVERITY_NAMES[rule.severity]}（{rule.severity}）",
        f"依据：{rule.basis}",
        f"适用：{rule.applies.describe()}",
        f"运行前提：{_requirements_text(rule)}",
        f"提示信息：{rule.message}",
        f"整改方法：{rule.fix}",
        f"检查方式：{rule.shape}",
    ]
    if rule.params:
        import yaml

        lines.append(yaml.safe_dump(rule.params, allow_unicode=True, sort_keys=False).rstrip())
    if rule.portal_examples:
        lines.append(f"示例：{rule.portal_examples}")
    else:
        lines.append("应当报出的示例：" + "；".join(e.name for e in rule.must_fire))
        lines.append("不应报出的示例：" + "；".join(e.name for e in rule.must_not_fire))
    lines.append(f"规则文件：{rule.path}")
    typer.echo("\n".join(lines))
    if sample and rule.must_fire:
        typer.echo(_example_text(rule, min(max(sample, 1), len(rule.must_fire)) - 1))


def _requirements_text(rule: RuleSpec) -> str:
    """What must hold for the rule's check to run (``requires``; ``requires_each`` part by part)."""
    parts = [r.text for r in rule.requires]
    if rule.requires_each:
        parts.append("逐项：" + "、".join(r.text for r in rule.requires_each))
    return "；".join(parts) or "无"


def _example_text(rule: RuleSpec, index: int) -> str:
    """A must-fire example's documents as the text they produce (a planted sample rendered as text)."""
    from auditor.engine.samples import render_sample

    example = rule.must_fire[index]
    parts = [f"\n—— 应当报出的示例 {index + 1}：{example.name} ——"]
    for number, doc in enumerate(example.documents, 1):
        if len(example.documents) > 1:
            parts.append(f"【文档 {number}】")
        if doc.sample is None:
            parts.append(doc.text or "")
            continue
        try:
            # as plain text, unless the example holds only in HTML or Markdown (then that text is shown)
            textual = doc.formats is None or "txt" in doc.formats or doc.format not in ("html", "md")
            text = render_sample(doc.sample, "txt" if textual else doc.format)
            parts.append(text.decode("utf-8", errors="replace"))
        except (ValueError, KeyError) as exc:
            parts.append(f"（样本无法生成文本：{exc}）")
    return "\n".join(parts)


@app.command()
def docs(
    write: Annotated[bool, typer.Option("--write", help="写入 docs/rules.md（否则检查它是否最新）")] = False,
) -> None:
    """规则文件参考（docs/rules.md）：由规则文件结构和各检查方式的说明生成；不加 --write 时检查是否最新。"""
    from auditor.engine.authoring import REFERENCE_PATH, render_reference

    text = render_reference()
    if write:
        REFERENCE_PATH.parent.mkdir(parents=True, exist_ok=True)
        REFERENCE_PATH.write_text(text, encoding="utf-8")
        typer.echo(f"已写入 {REFERENCE_PATH}")
        return
    current = REFERENCE_PATH.read_text(encoding="utf-8") if REFERENCE_PATH.is_file() else ""
    if current != text:
        typer.echo(f"{REFERENCE_PATH} 不是最新的：运行 nianbao rules docs --write", err=True)
        raise typer.Exit(1)
    typer.echo(f"{REFERENCE_PATH} 是最新的")


@app.command()
def new(
    rule_id: Annotated[str, typer.Argument(help="新规则编号，如 SEC-010", metavar="规则编号")],
    shape: Annotated[
        str, typer.Option("--shape", help="检查方式（nianbao rules docs 列出全部）", metavar="方式")
    ],
    folder: FolderOption = None,
) -> None:
    """写出一条新规则的骨架（通过规则文件检查；应当报出的示例标为已知缺口，待补写）。"""
    from auditor.engine.authoring import skeleton
    from auditor.engine.rulebase import RULES_DIR
    from auditor.engine.rulefile import RULE_ID, RuleFileError, load_rule

    rule_id = rule_id.strip().upper()
    if not RULE_ID.match(rule_id):
        typer.echo(f"nianbao: 规则编号 {rule_id} 不符合“ABC-123”的形式", err=True)
        raise typer.Exit(2)
    target = folder or RULES_DIR
    try:
        files = skeleton(rule_id, shape)
    except ValueError as exc:
        typer.echo(f"nianbao: {exc}", err=True)
        raise typer.Exit(2) from None
    existing = [name for name in files if (target / name).exists()]
    if existing:
        typer.echo(f"nianbao: {target / existing[0]} 已存在，未覆盖", err=True)
        raise typer.Exit(2)
    target.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (target / name).write_text(text, encoding="utf-8")
    try:
        load_rule(target / f"{rule_id}.yaml")
    except RuleFileError as exc:
        typer.echo(f"规则文件有误：{exc}", err=True)
        raise typer.Exit(1) from None
    typer.echo("已写出 " + "、".join(str(target / name) for name in files))


@app.command("test")
def test_rules(
    folder: FolderOption = None,
    only: Annotated[str | None, typer.Option("--rule", help="只测试这一条规则", metavar="规则编号")] = None,
) -> None:
    """检查规则文件，并用每条规则自带的示例测试它；有任何失败时退出码为 1。"""
    rules, errors = _rules(folder)
    for error in errors:
        typer.echo(f"LINT  {error}")
    from auditor.engine.rulebase import RuleBase
    from auditor.ruletest import run_examples

    rulebase = RuleBase(rules)
    selected = [r for r in rules if only is None or r.id == only.strip().upper()]
    if only is not None and not selected:
        typer.echo(f"nianbao: 没有规则 {only}", err=True)
        raise typer.Exit(2)
    passed = failed = gaps = portal = 0
    for rule in selected:
        if rule.portal_examples:
            portal += 1
            typer.echo(f"PORTAL {rule.id} 门户检查，没有文档示例，未用示例测试：{rule.portal_examples}")
            continue
        for result in run_examples(rulebase, rule):
            if result.known_gap:
                gaps += 1
                typer.echo(f"GAP   {rule.id} {result.expectation}: {result.name} — {result.detail}")
            elif result.ok:
                passed += 1
            else:
                failed += 1
                typer.echo(f"FAIL  {rule.id} {result.expectation}: {result.name} — {result.detail}")
    crashes = list(dict.fromkeys(rulebase.runtime_errors))
    for rule_id, reason in crashes:
        typer.echo(f"ERROR {rule_id} 在示例上出错：{reason}")
    typer.echo(
        f"{len(selected)} 条规则（其中门户检查 {portal} 条无文档示例），示例 {passed} 通过，{failed} 失败，"
        f"{gaps} 个已知缺口；"
        f"规则文件错误 {len(errors)} 个，规则执行出错 {len(crashes)} 次。"
    )
    if failed or errors or crashes:
        raise typer.Exit(1)
