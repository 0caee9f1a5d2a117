"""pdfplumber's grouping of characters into words and lines, computed without its machinery.

pdfplumber's ``WordExtractor`` (default settings) and ``extract_text`` are where the PDF reader spent
most of its time after PDFium: generic code that rebuilds sort keys, clusters and dictionaries for every
call.  For the characters the PDF reader sees (upright, non-empty text) the functions here give the same
result to the character — the same words, in the same order, made of the same character objects — and
return None for anything else, so that the caller asks pdfplumber.  ``tests/extract/
test_pdf_geometry_same.py`` compares them with pdfplumber on random and on real page characters.

The rules (pdfplumber.utils.text, at the default tolerance of 3 points): characters are grouped into
lines by their tops (sorted distinct tops, a value more than the tolerance above the previous one
starting a new line), each line is sorted by x0 (stably), a word ends at a blank character, and a new
one starts where a character begins before the previous one, more than the tolerance after it ends, or
more than the tolerance above or below it.
"""

from __future__ import annotations

from itertools import groupby
from typing import Any

Char = dict[str, Any]

LIGATURES: dict[str, str] = {"ﬀ": "ff", "ﬃ": "ffi", "ﬄ": "ffl", "ﬁ": "fi", "ﬂ": "fl", "ﬆ": "st", "ﬅ": "st"}
"""pdfplumber's expansions of ligatures in extracted words (utils.text.LIGATURES)."""
TOLERANCE = 3
"""pdfplumber's default x and y tolerances (points)."""


def word_groups(chars: list[Char]) -> list[list[Char]] | None:
    """The characters of each word, words in pdfplumber's order; None when a character is not upright
    or has no text (pdfplumber treats those specially)."""
    if any(c.get("upright") is not True or not c["text"] for c in chars):
        return None
    line_of = clusters([c["top"] for c in chars])
    words: list[list[Char]] = []
    for _, line in groupby(sorted(chars, key=lambda c: line_of[c["top"]]), key=lambda c: line_of[c["top"]]):
        word: list[Char] = []
        for c in sorted(line, key=_x0):
            if c["text"].isspace():
                if word:
                    words.append(word)
                word = []
            elif word and _begins_word(word[-1], c):
                words.append(word)
                word = [c]
            else:
                word.append(c)
        if word:
            words.append(word)
    return words


def word_tuples(chars: list[Char]) -> list[tuple[Char, list[Char]]] | None:
    """pdfplumber's ``WordExtractor().iter_extract_tuples(chars)`` as a list: each word's dictionary
    (``merge_chars``) with its characters; None where :func:`word_groups` is."""
    groups = word_groups(chars)
    if groups is None:
        return None
    return [(_merged(word), word) for word in groups]


def plain_text(chars: list[Char]) -> str | None:
    """pdfplumber's ``extract_text(chars)`` (default settings): the words grouped into lines again by
    their tops, joined with a space and the lines with a line break; None where :func:`word_groups` is."""
    words = word_groups(chars)
    if words is None:
        return None
    tops = [min(c["top"] for c in w) for w in words]
    texts = ["".join(map(_letters, w)) for w in words]
    word_line = clusters(tops)
    order = sorted(range(len(words)), key=lambda i: word_line[tops[i]])
    return "\n".join(
        " ".join(texts[i] for i in group) for _, group in groupby(order, key=lambda i: word_line[tops[i]])
    )


def clusters(values: list[float]) -> dict[float, int]:
    """pdfplumber's make_cluster_dict at the tolerance: each distinct value's group, values sorted and
    a value more than the tolerance above the previous one starting a new group."""
    ids: dict[float, int] = {}
    group, last = -1, 0.0
    for value in sorted(set(values)):
        if group < 0 or value > last + TOLERANCE:
            group += 1
        ids[value] = group
        last = value
    return ids


def _merged(word: list[Char]) -> Char:
    """pdfplumber's WordExtractor.merge_chars for upright characters (direction "ltr")."""
    x0 = min(c["x0"] for c in word)
    top = min(c["top"] for c in word)
    x1 = max(c["x1"] for c in word)
    bottom = max(c["bottom"] for c in word)
    first = word[0]
    return {
        "text": "".join(map(_letters, word)),
        "x0": x0,
        "x1": x1,
        "top": top,
        "doctop": top + (first["doctop"] - first["top"]),
        "bottom": bottom,
        "upright": first["upright"],
        "height": bottom - top,
        "width": x1 - x0,
        "direction": "ltr",
    }


def _begins_word(prev: Char, char: Char) -> bool:
    """pdfplumber's char_begins_new_word for left-to-right text at the default tolerances."""
    return bool(
        char["x0"] < prev["x0"]
        or char["x0"] > prev["x1"] + TOLERANCE
        or abs(char["top"] - prev["top"]) > TOLERANCE
    )


def _letters(char: Char) -> str:
    """A character's text as pdfplumber writes it in a word (ligatures expanded)."""
    text: str = char["text"]
    return LIGATURES.get(text, text)


def _x0(char: Char) -> float:
    return char["x0"]  # type: ignore[no-any-return]  # pdfplumber's sort key, whatever the number type
