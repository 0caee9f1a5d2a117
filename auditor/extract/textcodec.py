"""Decoding bytes of unknown Chinese encoding, and the normalisation used for matching labels."""

from __future__ import annotations

import codecs
import re
import unicodedata
from functools import lru_cache

from charset_normalizer import from_bytes

NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
"""What XML 1.0 cannot hold (lxml refuses it in any string): control characters other than tab and line
breaks, lone surrogates, U+FFFE/U+FFFF."""

_GB_FAMILY = frozenset({"gbk", "gb2312", "gb18030"})
"""Codec names (after codecs.lookup) of the GB family; gb18030 reads them all (not HZ, a 7-bit
escape encoding that only names itself GB)."""
_GB_LABELS = frozenset({"gb_2312-80", "gb_2312"})
"""Registered GB labels Python's codec registry does not know."""


def canonical_encoding(label: str | None) -> str | None:
    """The Python codec for a charset label (header, meta, detector), or None when unknown; every GB
    label (gbk, gb2312, cp936, x-gbk, euc-cn…) becomes gb18030, its superset."""
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    if label in _GB_LABELS:
        return "gb18030"
    for candidate in (label, label.removeprefix("x-")):  # x-gbk, x-euc-cn: pre-registration labels
        try:
            name = codecs.lookup(candidate).name
        except LookupError:
            continue
        return "gb18030" if name in _GB_FAMILY else name
    return None


def decode_bytes(data: bytes, declared: str | None = None) -> tuple[str, str]:
    """Decode text of unknown encoding: BOM, then the declared charset if it decodes cleanly, then
    UTF-8, then GB18030, then charset-normalizer's guess.  Returns (text, encoding used)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace"), "utf-16"
    candidates = [c for c in (canonical_encoding(declared), "utf-8", "gb18030") if c]
    for enc in dict.fromkeys(candidates):
        try:
            text = data.decode(enc)
        except (UnicodeDecodeError, LookupError):
            continue
        if enc == "gb18030" and not _plausible_chinese(text):
            continue
        return text, enc
    best = from_bytes(data[:200_000]).best()
    if best is not None and best.encoding:
        enc = canonical_encoding(best.encoding) or best.encoding
        return data.decode(enc, errors="replace"), enc
    return data.decode("utf-8", errors="replace"), "utf-8"


def _plausible_chinese(text: str) -> bool:
    """GB18030 decodes almost any byte string; accept it only when the result reads as Chinese."""
    sample = text[:5000]
    if not sample:
        return True
    common = sum(1 for ch in sample if "\u4e00" <= ch <= "\u9fff" or ch.isascii())
    return common / len(sample) > 0.85


_WS = re.compile(r"[\s\u3000\u00a0\u200b\ufeff]+")
_FULLWIDTH = str.maketrans(
    "０１２３４５６７８９．，：；（）【】［］／－—―－　",
    "0123456789.,:;()[][]/---- ",
)


def squash(text: str) -> str:
    """Remove all whitespace (labels are split across lines and padded in real reports)."""
    return _WS.sub("", text)


@lru_cache(maxsize=16384)
def clean_cell(text: str) -> str:
    """Trim a cell: whitespace of every kind at the ends, Word bookmarks left by exporters.  Cached:
    readers and the row builder both trim every cell, and the cells of reports repeat."""
    text = text.replace("[bookmark: _GoBack]", "")
    return text.strip(" \t\r\n\u3000\u00a0\u200b\ufeff")


_FULLWIDTH_PAIRS = tuple((chr(full), chr(half)) for full, half in _FULLWIDTH.items())
"""The same folding as (full, half) pairs: no half-width character is also folded, so replacing them
one after the other gives what str.translate gives."""


def halfwidth(text: str) -> str:
    """NFKC-like folding of digits, brackets and punctuation to half width."""
    if len(text) < 24:
        return text.translate(_FULLWIDTH)
    # str.translate looks every character of a long text up in the table (about 60 ns each); a scan
    # for each of the 25 characters folded, replacing only those present, is thirty times faster.
    for full, half in _FULLWIDTH_PAIRS:
        if full in text:
            text = text.replace(full, half)
    return text


@lru_cache(maxsize=8192)
def norm_label(text: str) -> str:
    """The form labels and headings are compared in: no whitespace, half-width brackets and digits,
    "1、"/"1．" as "1.", simplified characters where a converter is set."""
    t = halfwidth(squash(text))
    t = re.sub(r"(?<![\d.])(\d)[、.,]", r"\1.", t)
    t = unicodedata.normalize("NFKC", t)
    return t


class Simplifier:
    """Traditional -> simplified conversion (OpenCC), applied only to documents that need it."""

    _converter = None

    @classmethod
    def convert(cls, text: str) -> str:
        if cls._converter is None:
            import opencc

            cls._converter = opencc.OpenCC("t2s")
        return str(cls._converter.convert(text))

    @classmethod
    def is_traditional(cls, sample: str) -> bool:
        """Whether the first 4,000 characters of ``sample`` are traditional Chinese: more than a few
        of them (one in two hundred) change when converted to simplified."""
        sample = sample[:4000]
        if not sample or _unchanged_by_t2s(sample):
            return False
        converted = cls.convert(sample)
        if converted == sample:
            return False  # nothing to convert (nearly every report): no need to count the changes
        changed = sum(1 for a, b in zip(sample, converted, strict=False) if a != b)
        return changed > max(3, len(sample) // 200)


T2S_CHANGES_IN_GB2312 = "乾吒哩坏夥後徵拚捱摺於榘沈菸薹藉袷覆醣麴麽"
"""The characters of GB2312 that OpenCC's traditional-to-simplified conversion (t2s) can change: the
GB2312 ones among the keys of its character dictionaries (TSCharacters, TSCharactersExt, the CJK
compatibility ideographs) whose first value differs, and the characters that differ between key and
value in its phrases (TSPhrases) whose keys hold no such character.  tests/extract/
test_traditional_pretest.py derives it again from the installed dictionaries."""

_T2S_CHANGES_IN_GB2312 = re.compile(f"[{T2S_CHANGES_IN_GB2312}]")


def _unchanged_by_t2s(sample: str) -> bool:
    """True when OpenCC's t2s conversion surely returns ``sample`` unchanged (False: it may not).

    Text whose every character is in GB2312 (most simplified reports') and holds none of the few
    GB2312 characters t2s changes matches no dictionary entry that changes anything.  GB2312's test
    is an encoding and the other a search for 21 characters, both in C: a third of the conversion."""
    try:
        sample.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return _T2S_CHANGES_IN_GB2312.search(sample) is None
