from __future__ import annotations

import pytest

from auditor.level import body_name, level_of


@pytest.mark.parametrize(
    ("title", "agency", "level"),
    [
        ("卫滨区人民政府2022年政府信息公开工作年度报告", None, "government"),
        (None, "上海市人民政府", "government"),
        (None, "朝阳区人民政府办公室", "department"),
        (None, "老城区机关事务服务中心", "department"),
        (None, "青云街道办事处", "township"),
        (None, "龙湖镇人民政府", "township"),
        (None, "石桥乡", "township"),
        ("关于2022年政府信息公开工作的报告", None, "department"),
        ("东湖区财政局 2022 年度政府信息公开工作年度报告", "", "department"),
    ],
)
def test_level_of(title, agency, level):
    assert level_of(title, agency) == level


def test_body_name_prefers_the_agency_and_else_takes_the_title_before_its_year():
    assert body_name("卫滨区人民政府 2022 年政府信息公开工作年度报告", None) == "卫滨区人民政府"
    assert body_name("关于2022年政府信息公开工作的报告", None) == ""
    assert body_name("标题", " 东湖区 财政局 ") == "东湖区财政局"
