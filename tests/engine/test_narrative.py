"""The narrative of a section: its sentences, less the lines of a table that a text export left."""

from __future__ import annotations

import pytest

from auditor.engine import api
from auditor.engine.api import narrative

TABLE_LINES = [
    "结果维持结果纠正其他结果尚未审结",
    "一、本年新收政府信息公开申请数量",
    "16",
    "０",
    "（七）总计\t12 \u3000 3",
    "   ",
    "",
]
SENTENCES = [
    "本年度共收到政府信息公开申请16件。",
    "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",  # a template label with commas
    "我们加强了平台建设",  # no mark, but words outside the labels
    "行政许可 12 件，行政处罚 3 件",
]


def _text(repeat: int) -> str:
    return "\n".join((TABLE_LINES + SENTENCES) * repeat)


@pytest.mark.parametrize("repeat", [1, 5])
def test_table_lines_are_dropped_and_sentences_kept(repeat: int) -> None:
    """Few lines are looked at one by one; many lines first lose their table lines in one pass: the
    same narrative either way."""
    assert (len(TABLE_LINES) + len(SENTENCES)) * repeat > api._MANY_LINES or repeat == 1
    assert narrative(_text(repeat)) == "\n".join(SENTENCES * repeat)


def test_a_line_mostly_of_labels_and_digits_is_a_table_line() -> None:
    """A line without punctuation whose characters outside the labels and digits are at most a tenth
    of it is a fragment of a table; one more such character and it is kept."""
    line = "一" * 18 + "甲"  # 19 characters, one outside: 1 <= 19 // 10
    assert narrative("\n".join([line] * 10)) == ""
    kept = "一" * 17 + "甲乙"  # 2 outside > 19 // 10
    assert narrative("\n".join([kept] * 10)) == "\n".join([kept] * 10)
    assert narrative(kept) == kept and narrative(line) == ""
