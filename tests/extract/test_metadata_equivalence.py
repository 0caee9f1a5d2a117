"""The document-level reads done once instead of twice (issue 12) give what the repeated forms gave."""

from __future__ import annotations

import random

from auditor.extract.api import _HTML_STARTS, _looks_like_html, _sniff, sniff_format, utf16le_without_bom
from auditor.extract.ir import Block, ReadError
from auditor.extract.structure import _para_head
from auditor.extract.textcodec import halfwidth

_CHARS = "０１２３４５６７８９．，：；（）【】［］／－—―　0123456789年月日统计期限至报告 \n\t"


def test_halfwidth_folds_character_by_character() -> None:
    """The body is folded once for the year (its head) and the statistics period (all of it): folding
    a prefix is the prefix of the folded text."""
    rng = random.Random(3)
    for _ in range(3000):
        text = "".join(rng.choice(_CHARS) for _ in range(rng.randint(0, 60)))
        cut = rng.randint(0, len(text))
        assert halfwidth(text)[:cut] == halfwidth(text[:cut])
        assert len(halfwidth(text)) == len(text)


def test_para_head_is_the_head_of_the_whole_join() -> None:
    rng = random.Random(8)
    for _ in range(2000):
        blocks = [
            Block(rng.choice(["para", "row", "image"]), text="x" * rng.randint(1, 30), cells=["1"])
            for _ in range(rng.randint(0, 12))
        ]
        size = rng.randint(1, 120)
        whole = " ".join(b.text for b in blocks if b.kind == "para")[:size]
        assert _para_head(blocks, size) == whole


def _looks_like_html_before(head: bytes) -> bool:
    lowered = head.lower()
    if lowered.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(_HTML_STARTS):
        return True
    return b"<html" in lowered or b"<body" in lowered or b"<div" in lowered or b"<table" in lowered


def test_html_sniffing_and_the_utf16_answer_are_the_forms_they_replaced() -> None:
    rng = random.Random(21)
    pieces = [b"<HTML>", b"<body", b"<Div>", b"<table", b"<?xml", b"<!DOCTYPE html", b" ", b"\xef\xbb\xbf",
              "报告".encode(), "报告".encode("utf-16-le"), b"\n", b"<", b"x", b"\xff\xfe"]  # fmt: skip
    pieces.append(b"\xfe\xff")
    for _ in range(3000):
        data = b"".join(rng.choice(pieces) for _ in range(rng.randint(1, 12)))
        head = data[:4096]
        assert _looks_like_html(head) == _looks_like_html_before(head), data
        try:
            fmt, utf16 = _sniff(data, "a.txt")
        except ReadError:
            continue
        assert fmt == sniff_format(data, "a.txt")
        if utf16 is None:
            assert head.startswith((b"\xff\xfe", b"\xfe\xff"))
        else:
            assert utf16 == utf16le_without_bom(head)
