"""Requests no page can answer: unusable query parameters are a 400, impossible report ids a 404, an
unexpected error a 500 page — each in Chinese and each with the security headers."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from auditor.store import Store
from auditor.web import create_app, routes
from auditor.web.security import CONTENT_SECURITY_POLICY
from tests.web.conftest import asgi_get

HUGE = "9" * 5000
"""Past Python's int-string limit (4,300 digits)."""


def _get(tmp_path: Path, *paths: str) -> list[httpx.Response]:
    return asgi_get(create_app(Store.open(tmp_path / "store")), *paths)


def _secured(response: httpx.Response) -> bool:
    return (response.headers.get("content-security-policy") == CONTENT_SECURITY_POLICY
            and response.headers.get("x-frame-options") == "DENY"
            and response.headers.get("x-content-type-options") == "nosniff")


@pytest.mark.parametrize("query", [
    f"year={HUGE}", "year=99999999999999999999", f"page={HUGE}", "page=99999999999999999999", "page=-1",
    "page=1.5", "year=2024abc", "region=%00", "rule=%1b%5b31m", "level=" + "x" * 1000,
])
def test_unusable_query_parameters_are_a_400(tmp_path: Path, query: str) -> None:
    for path in ("/", "/rules", "/rules/BAL-002", "/download/findings.csv"):
        (response,) = _get(tmp_path, f"{path}?{query}")
        assert response.status_code == 400, (path, query, response.status_code)
        assert "筛选条件" in response.text or "只能是" in response.text
        assert _secured(response)


@pytest.mark.parametrize("report_id", ["0", "999999999999999999",
                                       "9223372036854775808", "99999999999999999999",
                                       HUGE])
def test_impossible_report_ids_are_a_404(tmp_path: Path, report_id: str) -> None:
    responses = _get(tmp_path, f"/reports/{report_id}", f"/reports/{report_id}/findings.json",
                     f"/reports/{report_id}/findings.xlsx")
    for response in responses:
        assert response.status_code == 404 and "Traceback" not in response.text
        assert _secured(response)


def test_an_unexpected_error_is_a_500_page_with_the_security_headers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_args: object) -> None:
        raise RuntimeError("secret detail of the failure")

    monkeypatch.setattr(routes, "build_report_page", broken)
    (response,) = _get(tmp_path, "/reports/1")
    assert response.status_code == 500
    assert _secured(response) and response.headers["content-type"].startswith("text/html")
    assert "服务器内部错误" in response.text
    assert "secret detail" not in response.text and "Traceback" not in response.text
