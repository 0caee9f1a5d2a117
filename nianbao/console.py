"""What every command shares: the stderr console, the exit codes (CONTRACT.md) and the one-line usage failure.

Kept apart from nianbao.cli so the command modules (audit_run, notice_cli) import it without importing the
command line that imports them.
"""

from __future__ import annotations

import builtins
import os
import sys
from typing import TYPE_CHECKING, Any

import typer

if TYPE_CHECKING:
    from rich.console import Console

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2

_TERMINAL_SWITCHES = ("TTY_COMPATIBLE", "FORCE_COLOR")
"""The variables by which rich may take a stream that is no terminal for one (Console.is_terminal)."""


class StderrConsole:
    """rich's stderr ``Console``, made only when something needs more than a plain line.

    Why: importing rich.console is 12 ms of CPU before `nianbao audit`'s read workers are forked, and
    when stderr is no terminal (a pipe, a file, a benchmark) all the command prints is plain lines
    (``markup=False, highlight=False``), which rich writes as they are.  Such a line is written here,
    exactly as rich would write it: only a line rich leaves as it is (printable characters, no second
    ``:`` that could make an emoji code), only while no rich console exists (a live progress display
    draws through it), only to a stream rich would not take for a terminal.  Anything else — markup,
    a terminal, a progress display (:attr:`rich`), another attribute — goes to the rich console."""

    def __init__(self, **options: Any) -> None:
        self._options = options
        self._rich: Console | None = None

    @property
    def rich(self) -> Console:
        """The rich console itself (made on first use)."""
        if self._rich is None:
            from rich.console import Console

            self._rich = Console(stderr=True, **self._options)
        return self._rich

    @property
    def is_terminal(self) -> bool:
        """As rich's ``Console.is_terminal``; rich is imported only when stderr may be one."""
        if self._rich is None and not _may_be_terminal():
            return False
        return self.rich.is_terminal

    def print(self, *objects: Any, **options: Any) -> None:
        """As rich's ``Console.print``; a plain line on a plain stream is written without rich."""
        if self._rich is None and _plain_line(objects, options, self._options) and not _may_be_terminal():
            if sys.stderr is None:  # started with stderr closed: nowhere to say it (as rich does)
                return
            try:
                sys.stderr.write(objects[0] + "\n")
                sys.stderr.flush()
            except BrokenPipeError:
                self.rich.on_broken_pipe()  # as rich handles it
            return
        self.rich.print(*objects, **options)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.rich, name)


def _plain_line(objects: tuple[Any, ...], options: dict[str, Any], console: dict[str, Any]) -> bool:
    """Whether rich would write ``objects`` as they are, followed by a newline."""
    if len(objects) != 1 or type(objects[0]) is not str:
        return False
    if options.get("markup") is not False or options.get("highlight") is not False:
        return False
    if set(options) - {"markup", "highlight", "soft_wrap"}:
        return False
    if not options.get("soft_wrap", console.get("soft_wrap", False)):
        return False  # rich wraps at the console's width
    text: str = objects[0]
    # no control character, tab or other non-printing character (rich strips or expands them), and no
    # ":name:" emoji code, which rich replaces even without markup
    return text.isprintable() and text.count(":") < 2


def _may_be_terminal() -> bool:
    """False only when rich would certainly not take stderr for a terminal (Console.is_terminal) nor
    write anywhere else (a notebook's output)."""
    if any(name in os.environ for name in _TERMINAL_SWITCHES) or hasattr(builtins, "get_ipython"):
        return True
    isatty = getattr(sys.stderr, "isatty", None)
    try:
        return isatty is not None and bool(isatty())
    except ValueError:  # closed: rich says no terminal as well
        return False


err = StderrConsole(soft_wrap=True)


def fail(message: str) -> typer.Exit:
    """Print a one-line reason on stderr and return the exit for bad usage or unreadable input."""
    err.print(f"nianbao: {message}", markup=False, highlight=False)
    return typer.Exit(EXIT_USAGE)
