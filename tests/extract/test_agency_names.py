"""The body's full name where the narrative uses a short one (hebei-jyt-2022/2023.txt: a crawler export
with no title, "2022年，省教育厅坚持…" in the text, "河北省教育厅" in the 落款 or the attachment line)."""

from __future__ import annotations

import pytest

from auditor.extract import extract

OPENING = ("本报告根据《中华人民共和国政府信息公开条例》要求编制。\n一、总体情况\n"
           "2022年，省教育厅坚持依法公开，不断加强政务公开规范化建设。\n")
BODY = ("二、主动公开政府信息情况\n三、收到和处理政府信息公开申请情况\n"
        "四、政府信息公开行政复议、行政诉讼情况\n五、存在的主要问题及改进情况\n六、其他需要报告的事项\n无。\n")


@pytest.mark.parametrize(
    "ending",
    [
        "\n\n\n附件：河北省教育厅2022年政府信息公开工作年度报告\n",  # hebei-jyt-2022
        "\n河北省教育厅\n2023年1月26日\n",  # hebei-jyt-2023
    ],
)
def test_full_name_from_signature_or_attachment_line(ending: str) -> None:
    doc = extract((OPENING + BODY + ending).encode("utf-8"), "export.txt")
    assert doc.agency == "河北省教育厅"


def test_cited_title_with_a_verb_in_front() -> None:
    text = OPENING.replace("要求编制。", "要求，发布河北省教育厅2022年政府信息公开工作年度报告。") + BODY
    assert extract(text.encode("utf-8"), "export.txt").agency == "河北省教育厅"


def test_short_name_stays_when_no_longer_one_is_given() -> None:
    doc = extract((OPENING + BODY).encode("utf-8"), "export.txt")
    assert doc.agency == "省教育厅"
