"""A 2019-format T2 row whose cells ran together with a minus sign in the run (pingtan-2020.txt:
"行政处罚2648-18538"): the minus can only open 本年增/减, so 上一年项目数量 is certain; the cells after it
split several ways and stay unread, and the table is unreadable (FMT-005)."""

from __future__ import annotations

from auditor.extract import extract

T2_RUN = (
    "二、主动公开政府信息情况 第二十条第（一）项信息内容本年新制作数量本年新公开数量对外公开总数量"
    "规章000规范性文件898989第二十条第（五）项信息内容上一年项目数量本年增/减处理决定数量"
    "行政许可3960181其他对外管理服务事项100153第二十条第（六）项信息内容上一年项目数量本年增/减处理决定数量"
    "行政处罚{penalty}行政强制126025第二十条第（八）项信息内容上一年项目数量本年增/减行政事业性收费350"
    "第二十条第（九）项信息内容采购项目数量采购总金额政府集中采购135753944元"
)
REPORT = (
    "平潭综合实验区2020年政府信息公开工作年度报告\n一、总体情况2020年，我区认真贯彻落实《条例》。"
    + T2_RUN
    + "三、收到和处理政府信息公开申请情况 四、政府信息公开行政复议、行政诉讼情况 "
    "五、存在的主要问题及改进情况 六、其他需要报告的事项 无"
)


def _t2(penalty: str):
    doc = extract(REPORT.format(penalty=penalty).encode("utf-8"), "run.txt")
    t2 = doc.table("T2")
    assert t2 is not None
    return t2


def test_minus_sign_fixes_the_cell_before_it() -> None:
    t2 = _t2("2648-18538")
    assert not t2.readable
    prev = t2.cell("penalty", "prev_items")
    assert prev is not None and prev.value == 2648
    assert t2.cell("penalty", "change") is None and t2.cell("penalty", "decisions") is None


def test_no_sign_no_partial_reading() -> None:
    # "26481853" splits many ways and has no sign: nothing of the row is certain
    t2 = _t2("26481853")
    assert all(t2.cell("penalty", c) is None for c in ("prev_items", "change", "decisions"))
