"""Content-addressed blobs."""

from __future__ import annotations

import hashlib
from pathlib import Path

from auditor.store import BlobStore


def test_put_is_content_addressed_and_idempotent(tmp_path: Path) -> None:
    blobs = BlobStore(tmp_path / "blobs")
    digest = blobs.put(b"report")
    assert digest == hashlib.sha256(b"report").hexdigest()
    assert blobs.path(digest) == tmp_path / "blobs" / digest[:2] / digest[2:]
    assert blobs.put(b"report") == digest and blobs.get(digest) == b"report" and blobs.has(digest)
    assert not blobs.has("0" * 64)
    files = [p.name for p in (tmp_path / "blobs").rglob("*") if p.is_file()]
    assert files == [digest[2:]], "no temporary files left"
