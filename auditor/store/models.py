"""Document models stored once: each distinct ``Document.to_dict()`` is one ``models`` row, named by its
digest, and every report showing it refers to that row.

Extraction is a pure function of the bytes, so an unchanged document version has the same model in every
run; keying by the model's own digest (rather than by version) also covers a version audited again and
reports stored without a crawled version.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection, Insert, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from auditor.store.schema import ModelRow


def model_digest(model: Mapping[str, Any]) -> str:
    """sha256 of the model's canonical JSON (sorted keys, no spaces, UTF-8): equal models, equal digests."""
    text = json.dumps(model, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _insert(dialect: str, digest: str, model: Mapping[str, Any]) -> Insert:
    """An insert of the model that does nothing when another writer stored the same digest first."""
    values = {"digest": digest, "model": dict(model)}
    if dialect == "sqlite":
        return sqlite.insert(ModelRow).values(**values).on_conflict_do_nothing(index_elements=["digest"])
    if dialect == "postgresql":
        return postgresql.insert(ModelRow).values(**values).on_conflict_do_nothing(index_elements=["digest"])
    return insert(ModelRow).values(**values)


def model_id(bind: Session | Connection, model: Mapping[str, Any]) -> int:
    """The id of ``model``'s row in ``models``, inserting it when it is not stored yet.

    Runs inside the caller's transaction.  Two processes storing the same model at once (a manual run
    beside the scheduled one) both end up with the one row: the insert ignores a digest already there.
    """
    digest = model_digest(model)
    query = select(ModelRow.id).where(ModelRow.digest == digest)
    found = bind.scalar(query)
    if found is None:
        bind.execute(_insert(bind.get_bind().dialect.name if isinstance(bind, Session) else bind.dialect.name,
                             digest, model))
        found = bind.scalar(query)
    assert found is not None
    return int(found)
