"""The worker processes' entry: ``nianbao worker`` runs Dramatiq's own worker command on this module.

Importing it declares the broker (from the environment: see :mod:`crawler.distributed.config`) with the
site actor, which is what Dramatiq's command line needs; each worker process opens the store on its
first task.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from crawler.distributed.config import Endpoints
from crawler.distributed.tasks import QUEUE, make_broker


def command(processes: int, threads: int) -> list[str]:
    """The Dramatiq command line that runs ``processes`` × ``threads`` site workers."""
    return [sys.executable, "-m", "dramatiq", __name__, "--processes", str(processes),
            "--threads", str(threads),
            "--queues", QUEUE]


def exec_workers(endpoints: Endpoints, processes: int, threads: int, extra: Sequence[str] = ()) -> None:
    """Replace this process with Dramatiq's worker supervisor (same pid: signals reach it directly)."""
    env = {**os.environ, **endpoints.environment()}
    argv = [*command(processes, threads), *extra]
    os.execve(argv[0], argv, env)


broker = make_broker(Endpoints.resolve())
"""The broker Dramatiq's command finds here (``dramatiq crawler.distributed.worker``)."""
