from __future__ import annotations

from collections.abc import Iterator

import pytest

from crawler.demo_portal import DemoPortal
from tests.crawler.support import BASE_YEAR


@pytest.fixture
def portal() -> Iterator[DemoPortal]:
    with DemoPortal(base_year=BASE_YEAR, slow_seconds=0.05) as p:
        yield p
