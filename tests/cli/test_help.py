"""Every `--help` in Chinese, flags without a type, `serve` on a busy port, the default ports."""

from __future__ import annotations

import re
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from nianbao.cli import app
from tests.cli.test_audit_cli import nianbao

CJK = re.compile(r"[\u4e00-\u9fff]")
ENGLISH = ("Usage:", "Options", "Arguments", "Commands", "Show this message",
           "[default:", "[required]", "<bool>",
           "<str>", "<path>", "<int>", "<list")


def _commands(
    command: typer.core.TyperGroup, path: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], object]]:
    yield path, command
    for name, sub in getattr(command, "commands", {}).items():
        yield from _commands(sub, (*path, name))


COMMANDS = [path for path, _ in _commands(typer.main.get_command(app))]


def test_every_command_and_option_has_chinese_help() -> None:
    root = typer.main.get_command(app)
    assert len(COMMANDS) >= 14
    for path, command in _commands(root):
        assert CJK.search(command.help or ""), f"nianbao {' '.join(path)} has no Chinese help"
        for param in command.params:
            assert CJK.search(param.help or ""), f"nianbao {' '.join(path)} {param.name}: no Chinese help"


@pytest.mark.parametrize("path", COMMANDS, ids=lambda p: " ".join(p) or "nianbao")
def test_help_pages_carry_no_english_of_typer(path: tuple[str, ...]) -> None:
    result = CliRunner().invoke(app, [*path, "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    for word in ENGLISH:
        assert word not in result.output, f"{word!r} in nianbao {' '.join(path)} --help"
    assert "用法：nianbao" in result.output and "显示本帮助并退出。" in result.output


def test_rules_list_names_severities_in_chinese() -> None:
    result = CliRunner().invoke(app, ["rules", "list"])
    severities = {line.split("\t")[1] for line in result.output.strip().splitlines()}
    assert severities == {"错误", "警告", "提示"}


def test_serve_and_demo_portal_default_to_different_ports() -> None:
    root = typer.main.get_command(app)
    port = {name: next(p.default for p in root.commands[name].params if p.name == "port")
            for name in ("serve", "demo-portal")}
    assert port["serve"] != port["demo-portal"]


def test_serve_on_a_busy_port_says_so_in_one_chinese_line_and_exits_2(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        proc = nianbao("serve", "--port", str(port), "--store", str(tmp_path / "data"))
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert lines == [(f"nianbao: 端口 {port} 已被占用（可能已有一个 nianbao serve 在运行）；"
                      "用 --port 换一个端口")]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["audit"], "缺少参数 路径或网址。"),
        (["serve", "--port", "abc"], "的值无效：应为整数。"),
        (["serve", "--bogus"], "没有选项 --bogus"),
        (["rules", "lst"], "没有命令 lst（是不是 'list'？）"),
        (["inspect", "a", "b"], "多余的参数：b"),
    ],
)
def test_usage_errors_are_in_chinese_and_exit_2(args: list[str], message: str) -> None:
    proc = nianbao(*args)
    assert proc.returncode == 2 and message in proc.stderr, proc.stderr
    assert "用法：" in proc.stderr and "Missing" not in proc.stderr and "No such" not in proc.stderr
