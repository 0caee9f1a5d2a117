"""The document-level reads done once instead of twice (issue 12) give what the repeated forms gave."""

from __future__ import annotations

import random

from auditor.extract.ir import Block
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
