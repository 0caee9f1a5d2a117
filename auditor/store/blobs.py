"""Content-addressed blob files: every fetched body kept once, under its sha256."""

from __future__ import annotations

import hashlib
from pathlib import Path

from auditor.findings.jsonout import atomic_write_bytes


class BlobStore:
    """Bodies on disk as ``root/ab/cdef…`` (the sha256 split after two hex digits).

    Writes are atomic (temporary file, fsync, rename), so a killed process leaves either no blob or a
    whole one; a blob is written before the database row that names it is committed.
    """

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, sha256: str) -> Path:
        """Where the blob with this hash lives (whether or not it exists)."""
        return self.root / sha256[:2] / sha256[2:]

    def put(self, data: bytes) -> str:
        """Store ``data`` (once) and return its sha256."""
        digest = hashlib.sha256(data).hexdigest()
        target = self.path(digest)
        if target.exists():
            return digest
        atomic_write_bytes(target, data)
        return digest

    def get(self, sha256: str) -> bytes:
        """The bytes of a stored blob (FileNotFoundError if absent)."""
        return self.path(sha256).read_bytes()

    def has(self, sha256: str) -> bool:
        """Whether the blob is stored."""
        return self.path(sha256).is_file()
