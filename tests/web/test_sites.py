"""Regions read from body names."""

from __future__ import annotations

import pytest

from auditor.web.sites import UNKNOWN_REGION, region_of


@pytest.mark.parametrize(
    ("name", "region"),
    [
        ("卫滨区人民政府", "卫滨区"),
        ("河南省郑州市管城回族区人民防空办公室", "河南省"),
        ("管城回族区人民防空办公室", "管城回族区"),
        ("青山区财政局", "青山区"),
        ("广西壮族自治区人民政府", "广西壮族自治区"),
        ("宁波市奉化区应急管理局", "宁波市"),
        ("区人防办", UNKNOWN_REGION),
        ("市场监督管理局", UNKNOWN_REGION),
    ],
)
def test_region_is_the_first_place_name(name: str, region: str) -> None:
    assert region_of(name) == region
