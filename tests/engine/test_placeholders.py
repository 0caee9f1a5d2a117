"""bare_placeholder tells most texts by a search that stops at their first words: its answer is the
one of writing out the text's words (instructions, spaces and punctuation removed) and comparing them
with the placeholders, on random texts and on the placeholders' own edge cases."""

from __future__ import annotations

import random

from auditor.engine import api


def _by_words(text: str, placeholders: frozenset[str] | set[str]) -> bool:
    words = api._NOT_WORDS.sub("", api._INSTRUCTION.sub("", text))
    return words == "" or words in placeholders


PIECES = [
    *"无略暂空内容见附件本年度此项 　\n\t，。、_-（）()abc12３",
    "（文字描述）", "(请填写)", "（在此填写，无）",
]
PLACEHOLDER_SETS: list[frozenset[str] | set[str]] = [
    api._PLACEHOLDERS, frozenset({""}), {"", "无"}, {"本年度无此项", "无"}, set(), {"无 内容"}, {"_无"},
]


def test_random_texts_are_told_as_by_their_words() -> None:
    rng = random.Random(7)
    said = 0
    for _ in range(30000):
        text = "".join(rng.choice(PIECES) for _ in range(rng.randrange(14)))
        placeholders = rng.choice(PLACEHOLDER_SETS)
        expected = _by_words(text, placeholders)
        assert api.bare_placeholder(text, placeholders) == expected, (text, placeholders)
        said += expected
    assert 1000 < said < 29000  # both answers are met often


def test_edge_cases() -> None:
    assert api.bare_placeholder("（文字描述）\n 无 。")
    assert api.bare_placeholder("_无_内_容_")  # underscores are dropped as punctuation
    assert not api.bare_placeholder("无内容可")  # one word more than the longest placeholder
    assert api.bare_placeholder("本年度，无此项。", {"本年度无此项"})
    assert not api.bare_placeholder("无 内容", {"无 内容"})  # a placeholder with a space never matches
    assert api.bare_placeholder("  ", set())
    assert not api.bare_placeholder("无", set())
