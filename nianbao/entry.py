"""The `nianbao` console script: an audit's rule-base process (nianbao/zygote.py) is started before
anything else is imported (typer, rich and the command modules take 60 ms), then the command line runs."""

from __future__ import annotations

import sys


def main() -> None:
    """Run the command line of ``sys.argv``."""
    if sys.argv[1:2] == ["audit"]:  # no other command imports anything for it
        from nianbao.zygote import end_on_sigterm, pause_collection, start_for

        pause_collection()
        start_for(sys.argv[1:], shared=("nianbao.audit_run",))  # the command the rule-base process serves
        end_on_sigterm()
    from nianbao.cli import main as run

    run()
