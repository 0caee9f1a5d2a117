"""Filters: parsed from the query, refused when invalid, written back into links."""

from __future__ import annotations

import pytest

from auditor.web.filters import FilterError, Filters, parse_filters


def test_empty_values_mean_all() -> None:
    assert parse_filters({"region": "", "year": " ", "rule": ""}) == Filters()


def test_values_are_parsed_and_normalised() -> None:
    f = parse_filters({"region": "青山区", "level": "department", "year": "2024", "severity": "error",
                       "rule": "bal-002", "sort": "name", "page": "3"})
    assert f == Filters("青山区", "department", 2024, "error", "BAL-002", "name", 3)
    assert f.narrows_findings and f.active


@pytest.mark.parametrize(
    "query",
    [{"year": "abc"}, {"year": "２０２４"}, {"year": "1999"}, {"level": "city"}, {"severity": "fatal"},
     {"rule": "DROP TABLE"}, {"sort": "random"}, {"page": "0"}, {"region": "x" * 101}],
)
def test_invalid_values_are_refused(query: dict[str, str]) -> None:
    with pytest.raises(FilterError):
        parse_filters(query)


def test_query_keeps_what_is_set_and_applies_changes() -> None:
    f = Filters(region="青山区", severity="error", page=2)
    assert f.query() == "?region=%E9%9D%92%E5%B1%B1%E5%8C%BA&severity=error&page=2"
    assert f.query(page=1, rule="PUB-001") == (
        "?region=%E9%9D%92%E5%B1%B1%E5%8C%BA&severity=error&rule=PUB-001")
    assert Filters().query() == ""
