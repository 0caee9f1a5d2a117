"""The exact pre-test before OpenCC in Simplifier.is_traditional: the characters of GB2312 that the
t2s conversion can change, derived again from the installed OpenCC dictionaries, and the pre-test
never says "unchanged" of a text the conversion changes."""

from __future__ import annotations

import subprocess
from pathlib import Path

import opencc
import pytest

from auditor.extract.textcodec import T2S_CHANGES_IN_GB2312, Simplifier, _unchanged_by_t2s
from tests.extract.expected_model import SHARED

_CLIB = Path(opencc.__file__).parent / "clib"


def _dictionary(name: str, tmp_path: Path) -> dict[str, str]:
    """key -> first value of one of OpenCC's dictionaries, dumped as text by its own tool."""
    out = tmp_path / f"{name}.txt"
    subprocess.run(
        [
            str(_CLIB / "bin" / "opencc_dict"),
            "-i",
            str(_CLIB / "share" / "opencc" / f"{name}.ocd2"),
            "-o",
            str(out),
            "-f",
            "ocd2",
            "-t",
            "text",
        ],
        check=True,
        capture_output=True,
    )
    pairs = (line.rstrip("\n").split("\t") for line in out.read_text(encoding="utf-8").splitlines())
    return {key: values.split(" ")[0] for key, values in pairs}


def _in_gb2312(ch: str) -> bool:
    try:
        ch.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


def test_the_characters_are_those_the_installed_dictionaries_change(tmp_path):
    changed: set[str] = set()
    for name in ("TSCharacters", "TSCharactersExt", "CJK_Compatibility_Ideographs"):
        for key, value in _dictionary(name, tmp_path).items():
            assert len(key) == 1, "a character dictionary"
            if value != key:
                changed.add(key)
    for key, value in _dictionary("TSPhrases", tmp_path).items():
        if value == key or changed & set(key):
            continue  # changes nothing, or holds a character already counted
        assert len(key) == len(value), "a phrase whose length changes: all its characters would count"
        changed.update(a for a, b in zip(key, value, strict=True) if a != b)
    assert set(T2S_CHANGES_IN_GB2312) == {ch for ch in changed if _in_gb2312(ch)}
    assert len(T2S_CHANGES_IN_GB2312) == len(set(T2S_CHANGES_IN_GB2312))


def test_every_gb2312_character_but_those_is_unchanged_alone():
    gb2312 = [ch for ch in map(chr, range(0x20, 0x10000)) if _in_gb2312(ch)]
    assert len(gb2312) > 7000
    moved = {ch for ch in gb2312 if Simplifier.convert(ch) != ch}
    assert moved <= set(T2S_CHANGES_IN_GB2312)


@pytest.mark.parametrize(
    "text",
    [
        "政府信息公开工作年度报告",
        "答覆申请人",
        "於是",
        "信息公开",
        "政府資訊公開",
        "abc 123",
        "🙂 表情",
        "答复",
    ],
)
def test_the_pretest_says_unchanged_only_of_text_the_conversion_leaves(text):
    if _unchanged_by_t2s(text):
        assert Simplifier.convert(text) == text


def test_real_reports_are_judged_as_by_the_conversion_alone():
    for path in sorted([*(SHARED / "real").iterdir(), *(SHARED / "seeds").iterdir()]):
        text = path.read_bytes().decode("utf-8", errors="ignore")
        for start in range(0, min(len(text), 40_000), 4000):
            sample = text[start : start + 4000]
            if _unchanged_by_t2s(sample):
                assert Simplifier.convert(sample) == sample, path.name
