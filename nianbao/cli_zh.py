"""The command line's help in Chinese.

typer (with the click it bundles) prints its own words in English — "Usage:", "Options", "Show this
message and exit.", "[default: …]" — and a type for every option, ``<bool>`` for a flag.  It has no
translation hook for them, so :func:`localise` sets its module-level wording and wraps the few
functions that produce the rest (usage line, flag types, the help option, usage errors).  The project
pins typer in uv.lock; tests/cli/test_help.py fails if an upgrade brings English back.
"""

from __future__ import annotations

import functools
import importlib.abc
import importlib.util
import re
import sys
from importlib.machinery import ModuleSpec
from types import ModuleType
from typing import Any

TYPE_NAMES: dict[str, str] = {
    "<path>": "路径", "<file>": "文件", "<directory>": "目录", "<str>": "文本", "<int>": "整数",
    "<float>": "数值", "<list[str]>": "文本…", "<list[path]>": "路径…",
}  # fmt: skip
"""typer's type labels -> what the help shows (an option's own metavar wins)."""

HELP_OPTION_TEXT = "显示本帮助并退出。"
OPTIONS_METAVAR = "[选项]"
SUBCOMMAND_METAVAR = "命令 [参数]..."

_ERRORS: tuple[tuple[re.Pattern[str], str], ...] = tuple((re.compile(p), r) for p, r in (
    (r"^Missing argument '(.+)'\.$", r"缺少参数 \1。"),
    (r"^Missing option '(.+)'\.$", r"缺少选项 \1。"),
    (r"^No such option: (\S+) \(Possible options: (.+)\)$", r"没有选项 \1（是不是 \2？）"),
    (r"^No such option: (\S+)$", r"没有选项 \1。"),
    (r"^No such command '(.+)'\. Did you mean (.+)\?$", r"没有命令 \1（是不是 \2？）"),
    (r"^No such command '(.+)'\.$", r"没有命令 \1。"),
    (r"^Missing command\.$", "缺少命令。"),
    (r"^Got unexpected extra argument(?:\(s\)|s)? \((.+)\)$", r"多余的参数：\1"),
    (r"^Option '(.+)' requires an argument\.$", r"选项 \1 需要一个值。"),
    (r"^Option '(.+)' does not take a value\.$", r"选项 \1 不带值。"),
    (r"^Invalid value for (.+?): Input should be a valid integer.*$", r"\1 的值无效：应为整数。"),
    (r"^Invalid value for (.+?): Input should be a valid number.*$", r"\1 的值无效：应为数字。"),
    (r"^Invalid value for (.+?): (.+)$", r"\1 的值无效：\2"),
))  # fmt: skip
"""typer's usage errors -> Chinese (anything else is shown as typer words it)."""

_done = False


def translate_error(message: str) -> str:
    """A usage error of typer's in Chinese, e.g. "Missing argument 'X'." -> "缺少参数 X。"."""
    for pattern, replacement in _ERRORS:
        if pattern.match(message):
            return pattern.sub(replacement, message)
    return message


def _type_label(original: Any, argument: bool) -> Any:
    @functools.wraps(original)
    def label(self: Any, ctx: Any) -> str | None:
        if getattr(self, "is_flag", False):
            return None  # a flag takes no value: no "<bool>"
        if self.metavar is not None:
            # An argument's metavar is already its name in the first column: not twice.
            return None if argument else str(self.metavar)
        shown = original(self, ctx)
        return None if shown is None else TYPE_NAMES.get(str(shown), str(shown))

    return label


def localise() -> None:
    """Put typer's help wording into Chinese (idempotent)."""
    global _done
    if _done:
        return
    _done = True
    from typer import core
    from typer._click import core as click_core
    from typer._click import formatting

    for cls, argument in ((core.TyperArgument, True), (core.TyperOption, False)):
        cls.display_type_rich = _type_label(cls.display_type_rich, argument)  # type: ignore[method-assign]

    write_usage = formatting.HelpFormatter.write_usage

    @functools.wraps(write_usage)
    def usage(self: Any, prog: str, args: str = "", prefix: str | None = None) -> None:
        write_usage(self, prog, args, "用法：" if prefix is None else prefix)

    formatting.HelpFormatter.write_usage = usage  # type: ignore[method-assign]

    collect = click_core.Command.collect_usage_pieces

    @functools.wraps(collect)
    def pieces(self: Any, ctx: Any) -> list[str]:
        return [OPTIONS_METAVAR if p == "[OPTIONS]" else p for p in collect(self, ctx)]

    click_core.Command.collect_usage_pieces = pieces  # type: ignore[method-assign]

    get_help_option = click_core.Command.get_help_option

    @functools.wraps(get_help_option)
    def help_option(self: Any, ctx: Any) -> Any:
        option = get_help_option(self, ctx)
        if option is not None:
            option.help = HELP_OPTION_TEXT
        return option

    click_core.Command.get_help_option = help_option  # type: ignore[method-assign]

    # typer.rich_utils (with rich's markdown and syntax modules: 60 ms) is imported by typer only to show
    # help or an error; its wording is set when that happens, so a command that runs never pays for it.
    if "typer.rich_utils" in sys.modules:
        _localise_rich_utils(sys.modules["typer.rich_utils"])
    else:
        sys.meta_path.insert(0, _ThenLocalise())


class _ThenLocalise(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Finds typer.rich_utils as Python would, and puts its wording into Chinese once it is loaded."""

    NAME = "typer.rich_utils"

    def __init__(self) -> None:
        self.loader: Any = None

    def find_spec(self, fullname: str, path: Any, target: ModuleType | None = None) -> ModuleSpec | None:
        if fullname != self.NAME:
            return None
        sys.meta_path.remove(self)  # once; and so the lookup below finds the real module
        spec = importlib.util.find_spec(fullname)
        if spec is None or spec.loader is None:
            return spec
        self.loader, spec.loader = spec.loader, self
        return spec

    def create_module(self, spec: ModuleSpec) -> ModuleType | None:
        return self.loader.create_module(spec)  # type: ignore[no-any-return]

    def exec_module(self, module: ModuleType) -> None:
        self.loader.exec_module(module)
        _localise_rich_utils(module)


def _localise_rich_utils(rich_utils: Any) -> None:
    """typer's help and error panels in Chinese."""
    rich_utils.ARGUMENTS_PANEL_TITLE = "参数"
    rich_utils.OPTIONS_PANEL_TITLE = "选项"
    rich_utils.COMMANDS_PANEL_TITLE = "命令"
    rich_utils.ERRORS_PANEL_TITLE = "错误"
    rich_utils.DEFAULT_STRING = "[默认：{}]"
    rich_utils.ENVVAR_STRING = "[环境变量：{}]"
    rich_utils.REQUIRED_LONG_STRING = "[必填]"
    rich_utils.DEPRECATED_STRING = "（已弃用）"
    rich_utils.ABORTED_TEXT = "已中止。"
    rich_utils.RICH_HELP = "运行 [blue]'{command_path} {help_option}'[/] 查看帮助。"

    format_error = rich_utils.rich_format_error

    @functools.wraps(format_error)
    def error(exc: Any) -> None:
        message = exc.format_message
        exc.format_message = lambda: translate_error(message())  # this instance only
        format_error(exc)

    rich_utils.rich_format_error = error
