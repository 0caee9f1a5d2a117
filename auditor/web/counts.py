"""Finding counts as the pages show them: by severity, plus what changed since the previous run."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(slots=True)
class Counts:
    """Open (not waived) findings by severity, how many of them are new, and how many were resolved."""

    error: int = 0
    warning: int = 0
    info: int = 0
    new: int = 0
    resolved: int = 0

    def add(self, severity: str, status: str | None, n: int) -> None:
        """Count ``n`` findings of ``severity`` whose run-to-run status is ``status``."""
        if severity == "error":
            self.error += n
        elif severity == "warning":
            self.warning += n
        else:
            self.info += n
        if status == "new":
            self.new += n

    def merge(self, other: Counts) -> None:
        """Add another set of counts to this one."""
        self.error += other.error
        self.warning += other.warning
        self.info += other.info
        self.new += other.new
        self.resolved += other.resolved

    @property
    def total(self) -> int:
        """All open findings."""
        return self.error + self.warning + self.info
