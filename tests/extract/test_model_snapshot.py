"""Every document of the generated corpus gives exactly the model frozen in the snapshot.

The snapshot (tests/extract/snapshot/documents.json.gz) was written from the extraction code as it was
on main before the issue 12 speed-up; see :mod:`tests.extract.model_snapshot`.  Any change to any cell,
label, section, problem, note or issue of any document fails here, naming the document and the field.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.extract.model_snapshot import corpus, load, model_view

FROZEN = load()
CASES = list(corpus())


def _first_difference(want: Any, got: Any, path: str = "") -> str:
    if isinstance(want, dict) and isinstance(got, dict):
        for key in sorted(set(want) | set(got)):
            if key not in want or key not in got:
                return f"{path}/{key}: only in {'snapshot' if key in want else 'extraction'}"
            if want[key] != got[key]:
                return _first_difference(want[key], got[key], f"{path}/{key}")
    if isinstance(want, list) and isinstance(got, list) and len(want) == len(got):
        for i, (w, g) in enumerate(zip(want, got, strict=True)):
            if w != g:
                return _first_difference(w, g, f"{path}/{i}")
    return f"{path}: {want!r} != {got!r}"


def test_the_corpus_is_the_snapshot_s() -> None:
    assert [case for case, _, _ in CASES] == list(FROZEN)


@pytest.mark.parametrize("case,name,data", CASES, ids=[c for c, _, _ in CASES])
def test_model_is_unchanged(case: str, name: str, data: bytes) -> None:
    got = model_view(data, name)
    want = FROZEN[case]
    assert got == want, _first_difference(want, got)
    # the same content in the same order (a table's row order is its row_ids)
    assert json.dumps(got, ensure_ascii=False) == json.dumps(want, ensure_ascii=False)
