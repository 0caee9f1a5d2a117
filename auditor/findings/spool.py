"""Results kept on disk instead of in memory, read back in order as often as a writer needs."""

from __future__ import annotations

import os
import pickle
import tempfile
from collections.abc import Iterator
from pathlib import Path

from auditor.findings.model import ReportResult


class ResultSpool:
    """An append-only file of pickled results; iterating reads them back in the order added.

    A writer that needs two passes (the HTML report: totals first, then each report) iterates twice;
    only one result is in memory at a time.
    """

    def __init__(self, folder: Path | None = None) -> None:
        if folder is not None:
            folder.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=".nianbao-results.", suffix=".spool", dir=folder)
        self.path = Path(name)
        self._out = os.fdopen(fd, "wb")
        self._count = 0

    def append(self, result: ReportResult) -> None:
        pickle.dump(result, self._out, protocol=pickle.HIGHEST_PROTOCOL)
        self._count += 1

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator[ReportResult]:
        self._out.flush()
        with self.path.open("rb") as fh:
            for _ in range(self._count):
                yield pickle.load(fh)

    def close(self) -> None:
        """Remove the file."""
        self._out.close()
        self.path.unlink(missing_ok=True)
