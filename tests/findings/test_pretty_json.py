"""findings.json and findings.sarif are written by pretty_json: the very text of
``json.dumps(value, ensure_ascii=False, indent=2)``, on real results and on random JSON data."""

from __future__ import annotations

import json
import random

import pytest

from auditor.findings.jsonout import pretty_json
from auditor.pipeline import AuditInput, audit_batch
from tests.extract.expected_model import SHARED

ODD_STRINGS = [
    "", "年报", 'quote " back \\ slash', "ctl \x00\x1f\x7f", "\ud800 lone", "tab\tnew\nline", "\u2028",
]  # fmt: skip


def _reference(value: object, level: int) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2).replace("\n", "\n" + "  " * level)


def _random_value(rng: random.Random, depth: int = 0) -> object:
    kinds = ["str", "int", "float", "bool", "none"] + (["list", "tuple", "dict"] * 2 if depth < 4 else [])
    kind = rng.choice(kinds)
    if kind == "str":
        made = "".join(chr(rng.randrange(0, 0x3000)) for _ in range(rng.randrange(6)))
        return rng.choice([*ODD_STRINGS, made])
    if kind == "int":
        return rng.choice([0, -1, 7, 10**30, True, False])
    if kind == "float":
        return rng.choice([0.0, -0.5, 1e-7, 1e300, 3.14159, float("nan"), float("inf"), float("-inf")])
    if kind in ("bool", "none"):
        return rng.choice([True, False, None])
    items = [_random_value(rng, depth + 1) for _ in range(rng.randrange(4))]
    if kind == "list":
        return items
    if kind == "tuple":
        return tuple(items)
    keys = [rng.choice([*ODD_STRINGS, "a", "b", 1, 2.5, True, None]) for _ in items]
    return dict(zip(keys, items, strict=True))


def test_random_json_data_is_written_as_json_dumps_writes_it():
    rng = random.Random(12)
    for _ in range(3000):
        value = _random_value(rng)
        level = rng.randrange(4)
        assert pretty_json(value, level) == _reference(value, level), repr(value)


def test_real_results_are_written_as_json_dumps_writes_them():
    paths = sorted((SHARED / "real").glob("*.txt"))[:4] + sorted((SHARED / "seeds").iterdir())
    results = audit_batch([AuditInput(p.read_bytes(), str(p)) for p in paths])
    assert sum(len(r.findings) for r in results) > 10
    for result in results:
        entry = result.to_dict()
        assert pretty_json(entry, 2) == _reference(entry, 2)


def test_what_is_not_json_data_is_refused_as_json_refuses_it():
    with pytest.raises(TypeError):
        pretty_json({"a": {1, 2}})
    with pytest.raises(TypeError):
        pretty_json({(1, 2): "tuple key"})


def test_subclasses_of_json_types_are_written_as_json_dumps_writes_them():
    """The fast paths test the exact type (str, dict, list): a subclass takes the general path."""

    class Text(str):
        pass

    class Mapping(dict):  # type: ignore[type-arg]
        pass

    class Items(list):  # type: ignore[type-arg]
        pass

    value = Mapping(a=Items([Text("q"), Mapping(), Items()]), b=(Text("r"), None), c=Text("s"))
    value[Text("k")] = Mapping(n=Items([1.5, True]))
    for level in range(3):
        assert pretty_json(value, level) == _reference(value, level)
