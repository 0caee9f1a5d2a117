"""The `nianbao` console script: an audit's rule-base process (nianbao/zygote.py) is started before
anything else is imported (typer, rich and the command modules take 60 ms), then the command line runs."""

from __future__ import annotations

import signal
import sys
from types import FrameType


def main() -> None:
    """Run the command line of ``sys.argv``."""
    if sys.argv[1:2] == ["audit"]:  # no other command imports anything for it
        from nianbao.zygote import start_for

        start_for(sys.argv[1:])
        end_on_sigterm()
    from nianbao.cli import main as run

    run()


def end_on_sigterm() -> None:
    """An audit stopped by SIGTERM (systemd's stop, docker stop) ends as on Ctrl-C: the run's clean-up
    runs (the spool of every extracted report removed from the out folder, outputs not half written,
    the rule-base process ended), then the command exits 128 + 15, as a process killed by it seems to.
    Set after the rule-base process is forked: that one is ended by the command, not by the signal."""
    if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
        signal.signal(signal.SIGTERM, _on_sigterm)


def _on_sigterm(signum: int, frame: FrameType | None) -> None:
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # a second one ends the command at once
    raise SystemExit(128 + signum)
