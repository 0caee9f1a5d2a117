"""What every command shares: the stderr console, the exit codes (CONTRACT.md) and the one-line usage failure.

Kept apart from nianbao.cli so the command modules (audit_run, notice_cli) import it without importing the
command line that imports them.
"""

from __future__ import annotations

import typer
from rich.console import Console

err = Console(stderr=True, soft_wrap=True)

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


def fail(message: str) -> typer.Exit:
    """Print a one-line reason on stderr and return the exit for bad usage or unreadable input."""
    err.print(f"nianbao: {message}", markup=False, highlight=False)
    return typer.Exit(EXIT_USAGE)
