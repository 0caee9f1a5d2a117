"""run.json of the fixture's second run: revalidations (304) are counted apart from downloads."""

from __future__ import annotations

import json

from tests.web.conftest import WebStore


def test_not_modified_answers_are_counted_apart_from_fetches(web_store: WebStore) -> None:
    first, second = (json.loads((web_store.root.parent / f"out{n}" / "run.json").read_text("utf-8"))
                     for n in (1, 2))
    for run in (first, second):
        for site in run["sites"]:
            assert site["fetches"] + site["not_modified"] == site["requests"]
    assert all(site["not_modified"] == 0 for site in first["sites"]), "a first run has nothing to revalidate"
    assert sum(site["not_modified"] for site in second["sites"]) > 0, "the second run revalidates unchanged pages"
    assert sum(site["fetches"] for site in second["sites"]) < sum(site["requests"] for site in second["sites"])
