"""Formatting helpers of the templates, and the autoescaping environment."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from auditor.web.rendering import link_target, make_environment, published_from, when


@pytest.mark.parametrize(
    ("url", "linked"),
    [
        ("https://www.gov.cn/a.html", True),
        ("http://127.0.0.1:8000/x", True),
        ("javascript:alert(1)", False),
        (" JavaScript:alert(1)", False),
        ("data:text/html,<script>alert(1)</script>", False),
        ("reports/local.txt", False),
        ("", False),
    ],
)
def test_only_http_urls_become_links(url: str, linked: bool) -> None:
    assert (link_target(url) is not None) is linked


def test_dates_and_sources_in_words() -> None:
    assert when(datetime(2024, 3, 1, 9, 5)) == "2024-03-01 09:05 UTC"
    assert when(date(2024, 3, 1)) == "2024-03-01"
    assert when(None) == "—"
    assert published_from("meta:PubDate") == "页面元数据（PubDate）"
    assert published_from("发布时间") == "页面上的“发布时间”"
    assert published_from(None) == "来源未知"


def test_templates_escape_everything() -> None:
    env = make_environment()
    page = env.from_string("<p>{{ x }}</p>").render(x="<script>alert(1)</script>")
    assert page == "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>"
