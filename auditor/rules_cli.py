"""`nianbao rules`: list the rule base, explain one rule, test every rule on its own examples."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from auditor.cli_zh import SUBCOMMAND_METAVAR

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
    rule_id: Annotated[str, typer.Argument(help="规则编号，如 BAL-002", metavar="规则编号")], folder: FolderOption = None
) -> None:
    """说明一条规则：检查什么、依据、如何整改、检查方式和示例。"""
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
        f"提示信息：{rule.message}",
        f"整改方法：{rule.fix}",
        f"检查方式：{rule.shape}",
    ]
    if rule.params:
        import yaml

        lines.append(yaml.safe_dump(rule.params, allow_unicode=True, sort_keys=False).rstrip())
    lines.append("应当报出的示例：" + "；".join(e.name for e in rule.must_fire))
    lines.append("不应报出的示例：" + "；".join(e.name for e in rule.must_not_fire))
    lines.append(f"规则文件：{rule.path}")
    typer.echo("\n".join(lines))


@app.command("test")
def test_rules(
    folder: FolderOption = None,
    only: Annotated[str | None, typer.Option("--rule", help="只测试这一条规则", metavar="规则编号")] = None,
) -> None:
    """检查规则文件，并用每条规则自带的示例测试它；有任何失败时退出码为 1。"""
    rules, errors = _rules(folder)
    for error in errors:
        typer.echo(f"LINT  {error}")
    from auditor.engine.examples import run_examples
    from auditor.engine.rulebase import RuleBase

    rulebase = RuleBase(rules)
    selected = [r for r in rules if only is None or r.id == only.strip().upper()]
    if only is not None and not selected:
        typer.echo(f"nianbao: 没有规则 {only}", err=True)
        raise typer.Exit(2)
    passed = failed = gaps = 0
    for rule in selected:
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
        f"{len(selected)} 条规则，示例 {passed} 通过，{failed} 失败，{gaps} 个已知缺口；"
        f"规则文件错误 {len(errors)} 个，规则执行出错 {len(crashes)} 次。"
    )
    if failed or errors or crashes:
        raise typer.Exit(1)
