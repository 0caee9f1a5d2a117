from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from auditor.store import Store
from crawler.demo_portal import DemoPortal
from tests.crawler.support import BASE_YEAR


@pytest.fixture
def portal() -> Iterator[DemoPortal]:
    with DemoPortal(base_year=BASE_YEAR, slow_seconds=0.2) as p:
        yield p


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = Store.open(tmp_path / "store")
    yield opened
    opened.close()
