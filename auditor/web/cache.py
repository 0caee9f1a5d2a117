"""Aggregates kept until the store changes.

The store only changes when a run writes reports, findings or site states, so the overview's grouped
counts can be kept and reused until then: every cached value is keyed by :func:`state_token`, a few
index lookups that change whenever anything the view counts is written.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from auditor.store.queries import state_token

T = TypeVar("T")


class StateCache:
    """A small least-recently-used cache of values computed from the store, keyed by its state."""

    def __init__(self, size: int = 64) -> None:
        self.size = size
        self._values: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, session: Session, key: Hashable, build: Callable[[], T]) -> T:
        """The value for ``key`` in the store's current state, built (and kept) if not known yet."""
        full = (state_token(session), key)
        with self._lock:
            if full in self._values:
                self._values.move_to_end(full)
                return self._values[full]  # type: ignore[no-any-return]
        value = build()
        with self._lock:
            self._values[full] = value
            while len(self._values) > self.size:
                self._values.popitem(last=False)
        return value
