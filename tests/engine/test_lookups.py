"""The lookups the rule base makes once instead of per call give what the scans they replace gave."""

from __future__ import annotations

import pickle
import re

import pytest

from auditor.engine.api import any_of
from auditor.templates import SPECS, ColSpec, RowSpec, TableSpec


@pytest.mark.parametrize("spec", list(SPECS.values()), ids=lambda s: f"{s.kind}-{s.version}")
def test_spec_maps_agree_with_a_scan(spec: TableSpec) -> None:
    for row in spec.rows:
        assert spec.row(row.id) == next(r for r in spec.rows if r.id == row.id)
        assert spec.columns_of(row.id) == (row.columns or tuple(c.id for c in spec.columns))
    for col in spec.columns:
        assert spec.col(col.id) == next(c for c in spec.columns if c.id == col.id)
    cells = [(r.id, c) for r in spec.rows for c in (r.columns or tuple(c.id for c in spec.columns))]
    assert spec.required_cells() == cells
    assert spec.required_cell_set() == frozenset(cells)
    with pytest.raises(KeyError):
        spec.row("no-such-row")
    with pytest.raises(KeyError):
        spec.col("no-such-column")
    with pytest.raises(KeyError):
        spec.columns_of("no-such-row")


def test_spec_first_of_an_id_wins_and_survives_pickling() -> None:
    spec = TableSpec(
        "T9",
        "2021",
        rows=(RowSpec("a", "甲"), RowSpec("a", "乙", columns=("y",))),
        columns=(ColSpec("x", "一"), ColSpec("x", "二"), ColSpec("y", "三")),
    )
    assert spec.row("a").label == "甲"
    assert spec.col("x").label == "一"
    assert spec.columns_of("a") == ("x", "x", "y")
    # the second "a" reads as the first, as a scan in order found it; a caller may change the list
    # it gets without changing the spec
    assert spec.required_cells() == [("a", "x"), ("a", "x"), ("a", "y")] * 2
    spec.required_cells().clear()
    assert len(spec.required_cells()) == 6
    copy = pickle.loads(pickle.dumps(spec))
    assert copy == spec and hash(copy) == hash(spec)
    assert copy.row("a").label == "甲" and copy.required_cell_set() == spec.required_cell_set()


_WORDS = ("主动公开", "公开发布", "政策(?:文件)?公开", "清理[^。；]{0,6}规范性文件", "(?<!公开)办结", "^平台")
_TEXTS = ("加强平台建设", "平台建设", "政策文件公开", "清理了一批规范性文件", "公开办结", "依法办结", "")


@pytest.mark.parametrize("text", _TEXTS)
def test_any_of_finds_what_one_of_the_patterns_finds(text: str) -> None:
    patterns = tuple(re.compile(w) for w in _WORDS)
    joined = any_of(patterns)
    assert joined is not None
    assert bool(joined.search(text)) == any(p.search(text) for p in patterns)


@pytest.mark.parametrize(
    "words",
    [
        (r"(a)\1", "b"),  # a numbered backreference would point elsewhere in the alternation
        (r"(?P<x>a)(?P=x)", "b"),
        ("(?i)a", "b"),  # a global flag must stay at the start
        ("(?P<n>a)", "(?P<n>b)"),  # the same group name twice
    ],
)
def test_any_of_declines_what_it_cannot_join(words: tuple[str, ...]) -> None:
    assert any_of(tuple(re.compile(w) for w in words)) is None


def test_any_of_declines_differing_flags() -> None:
    assert any_of((re.compile("a", re.IGNORECASE), re.compile("b"))) is None
    assert any_of(()) is None
