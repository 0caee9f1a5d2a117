"""The lookups the rule base makes once instead of per call give what the scans they replace gave."""

from __future__ import annotations

import importlib.util
import pickle
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from auditor.engine.api import any_of, normalise_numbers, quote
from auditor.engine.shapes.base import quote_start
from auditor.engine.shapes.scan import Scan, required_words, without_leading_lookbehinds
from auditor.engine.shapes.text import _claim, _Fit, _fit, _sum
from auditor.model import Cell, Table
from auditor.schemas import arithmetic_value
from auditor.templates import SPECS, ColSpec, RowSpec, TableSpec


@pytest.mark.parametrize("spec", list(SPECS.values()), ids=lambda s: f"{s.kind}-{s.version}")
def test_spec_maps_agree_with_a_scan(spec: TableSpec) -> None:
    for row in spec.rows:
        assert spec.row(row.id) == next(r for r in spec.rows if r.id == row.id)
        assert spec.columns_of(row.id) == (row.columns or tuple(c.id for c in spec.columns))
    for col in spec.columns:
        assert spec.col(col.id) == next(c for c in spec.columns if c.id == col.id)
    cells = [(r.id, c) for r in spec.rows for c in (r.columns or tuple(c.id for c in spec.columns))]
    assert spec.required_cells() == cells
    assert spec.required_cell_set() == frozenset(cells)
    with pytest.raises(KeyError):
        spec.row("no-such-row")
    with pytest.raises(KeyError):
        spec.col("no-such-column")
    with pytest.raises(KeyError):
        spec.columns_of("no-such-row")


def test_spec_first_of_an_id_wins_and_survives_pickling() -> None:
    spec = TableSpec(
        "T9",
        "2021",
        rows=(RowSpec("a", "甲"), RowSpec("a", "乙", columns=("y",))),
        columns=(ColSpec("x", "一"), ColSpec("x", "二"), ColSpec("y", "三")),
    )
    assert spec.row("a").label == "甲"
    assert spec.col("x").label == "一"
    assert spec.columns_of("a") == ("x", "x", "y")
    # the second "a" reads as the first, as a scan in order found it; a caller may change the list
    # it gets without changing the spec
    assert spec.required_cells() == [("a", "x"), ("a", "x"), ("a", "y")] * 2
    spec.required_cells().clear()
    assert len(spec.required_cells()) == 6
    copy = pickle.loads(pickle.dumps(spec))
    assert copy == spec and hash(copy) == hash(spec)
    assert copy.row("a").label == "甲" and copy.required_cell_set() == spec.required_cell_set()


_WORDS = ("主动公开", "公开发布", "政策(?:文件)?公开", "清理[^。；]{0,6}规范性文件", "(?<!公开)办结", "^平台")
_TEXTS = ("加强平台建设", "平台建设", "政策文件公开", "清理了一批规范性文件", "公开办结", "依法办结", "")


@pytest.mark.parametrize("text", _TEXTS)
def test_any_of_finds_what_one_of_the_patterns_finds(text: str) -> None:
    patterns = tuple(re.compile(w) for w in _WORDS)
    joined = any_of(patterns)
    assert joined is not None
    assert bool(joined.search(text)) == any(p.search(text) for p in patterns)


@pytest.mark.parametrize(
    "words",
    [
        (r"(a)\1", "b"),  # a numbered backreference would point elsewhere in the alternation
        (r"(?P<x>a)(?P=x)", "b"),
        ("(?i)a", "b"),  # a global flag must stay at the start
        ("(?P<n>a)", "(?P<n>b)"),  # the same group name twice
    ],
)
def test_any_of_declines_what_it_cannot_join(words: tuple[str, ...]) -> None:
    assert any_of(tuple(re.compile(w) for w in words)) is None


def test_any_of_declines_differing_flags() -> None:
    assert any_of((re.compile("a", re.IGNORECASE), re.compile("b"))) is None
    assert any_of(()) is None


@pytest.mark.parametrize(
    ("pattern", "quick"),
    [
        (r"(?<!公开)(?<!处理)(?:办结|答复)(?P<n>\d+)件", r"(?:办结|答复)(?P<n>\d+)件"),
        (r"(?<![及和与、])予以公开(?P<n>\d+)", r"予以公开(?P<n>\d+)"),
        (r"(?<=[(（])(?<!\))办结", "办结"),  # brackets inside a character class do not close the group
        (r"(?<=[]\)])办结", "办结"),
        (r"办结(?<!公开)", None),  # opens with words already
        (r"(?<=(a))\1办结", None),  # a backreference into the dropped group
        (r"(?<=(a))(?(1)办|结)", None),
        (r"(?<!公开)", None),  # nothing left
    ],
)
def test_claims_drop_the_lookbehinds_they_open_with(pattern: str, quick: str | None) -> None:
    stripped = without_leading_lookbehinds(re.compile(pattern))
    assert (stripped.pattern if stripped is not None else None) == quick


def test_a_claims_quick_pattern_matches_wherever_the_claim_does() -> None:
    claim = re.compile(r"(?<!公开)(?<!处理)(?<!提供)(?<!办理)(?:办结|答复|办理完毕)[^。；，,\d]{0,6}?\d+")
    quick = without_leading_lookbehinds(claim)
    assert quick is not None
    for text in ("全年办结12件。", "公开办结3件", "依法公开答复2件，办理完毕1件", "办理答复9件", "无"):
        assert bool(quick.search(text)) >= bool(claim.search(text))


@pytest.mark.parametrize(
    ("text", "normalised"),
    [
        ("收到申请１，２３４件，办结1,200件，", "收到申请1234件，办结1200件，"),
        ("共12,3456件，1,234,567元，，123", "共12,3456件，1234567元，，123"),
        ("１２．５万元", "12.5万元"),
        ("办结，123件", "办结，123件"),  # no digit before the comma: a clause break
        ("全年收到申请12件，办结12件。", "全年收到申请12件，办结12件。"),  # nothing to normalise
        ("收到１２件，办结1，234件", "收到12件，办结1234件"),  # a full-width comma between digits too
        ("共１，２３４件", "共1234件"),  # the separator appears once the digits are ASCII
        ("1,2345件，12,34件", "1,2345件，12,34件"),  # not three digits after the comma
        ("", ""),
    ],
)
def test_normalise_numbers(text: str, normalised: str) -> None:
    assert normalise_numbers(text) == normalised


def _seen(match: re.Match[str] | None) -> tuple[tuple[int, int], dict[str, str | None]] | None:
    return (match.span(), match.groupdict()) if match is not None else None


_CLAIM_TEXTS = (
    "全年办结12件，公开办结3件，依法办结4件；处理办结1件。",
    "公开办结3件",
    "公开办结3件，依法办结4件",
    "办结1件办结2件办结3件",
    "予以公开及部分公开12件，予以公开10件，部分公开1件，和部分公开2件",
    "",
    "办理完毕办结答复7件",
)


@pytest.mark.parametrize(
    "pattern",
    [
        r"(?<!公开)(?<!处理)(?<!提供)(?<!办理)(?:办结|答复|办理完毕)[^。；，,\d]{0,6}?(?P<n>\d+)\s*件",
        r"(?<![及和与、])(?:予以|部分)公开(?:的)?[^。；，,\d及和与、]{0,2}?(?P<n>\d+)\s*件",
        r"(?<=公开)办结(?P<n>\d*)",
        r"(?<!办)(?P<n>\d*)",  # empty matches: finditer's own rules
        r"(?<!x)(?=办结)",
        r"办结(?P<n>\d+)",  # no quick pattern
    ],
)
def test_a_scan_finds_what_its_pattern_finds(pattern: str) -> None:
    scan = Scan.of(re.compile(pattern))
    for text in _CLAIM_TEXTS:
        assert [_seen(m) for m in scan.finditer(text)] == [_seen(m) for m in scan.pattern.finditer(text)]
        assert _seen(scan.search(text)) == _seen(scan.pattern.search(text))


@pytest.mark.parametrize(
    ("pattern", "words"),
    [
        (r"(?:收到|受理|新收)(?:各类)?[^。；，,\d]{0,12}?申请[^。；，,\d]{0,6}?(?P<n>\d+)\s*件", ("申请",)),
        (r"(?<!公开)(?<!处理)(?:办结|答复|办理完毕)\D{0,6}?(?P<n>\d+)件", ("办结", "答复", "办理完毕")),
        (r"零败诉|无败诉|未败诉|全部胜诉", ("零败诉", "无败诉", "未败诉", "全部胜诉")),
        (r"均(?:获|被|予|已)?维持", ("维持",)),  # the longest word is the likeliest to be missing
        (r"上年(?:度)?结转(?![^。；，,]{0,6}(?:复议|诉讼))", ("上年",)),  # nothing from a lookahead
        (r"(?=公开)办结", ("办结",)),
        (r"(?:予以公开)+(?P<n>\d+)件", ("予以公开",)),  # a repeat at least once requires its words
        (r"(?:予以公开)*(?P<n>\d+)件", ("件",)),  # an optional part requires nothing
        (r"(?:ab|cd(?:x)?)e", ("ab", "cd")),
        (r"(?:ab|c?)d", ("d",)),  # a branch that requires nothing: the choice requires nothing
        (r"a(?i:bc)d", ("a",)),  # words that ignore case are not required as written
        (r"(?i)办结\d+件", ()),
        (r"\d+", ()),
        (r"", ()),
    ],
)
def test_the_words_every_match_of_a_pattern_contains(pattern: str, words: tuple[str, ...]) -> None:
    assert required_words(re.compile(pattern)) == words


_ALPHABET = "abc办结"


def _random_pattern(rng: Any, depth: int = 0) -> str:
    """A small pattern of literals, classes, groups, choices, repeats and lookarounds."""
    parts = []
    for _ in range(rng.randint(1, 4)):
        choice = rng.randint(0, 9 if depth < 2 else 4)
        if choice <= 2:
            parts.append("".join(rng.choice(_ALPHABET) for _ in range(rng.randint(1, 3))))
        elif choice == 3:
            parts.append(rng.choice(["[ab]", "[^a]", ".", r"\d", "[办结]"]))
        elif choice == 4:
            parts.append(rng.choice(["?", "*", "+", "{0,2}", "{1,2}"]) if parts else "a")
        elif choice <= 6:
            parts.append(f"(?:{_random_pattern(rng, depth + 1)}){rng.choice(['', '?', '+', '*'])}")
        elif choice == 7:
            parts.append(f"(?:{_random_pattern(rng, depth + 1)}|{_random_pattern(rng, depth + 1)})")
        elif choice == 8:
            parts.append(f"({_random_pattern(rng, depth + 1)})")
        else:
            parts.append(f"(?{rng.choice(['=', '!', '<=', '<!'])}{rng.choice(_ALPHABET)})")
    return "".join(parts)


def test_a_text_without_the_words_has_no_match_and_a_scan_finds_what_its_pattern_finds() -> None:
    import random

    rng = random.Random(12)
    texts = ["".join(rng.choice(_ALPHABET + "1 ") for _ in range(rng.randint(0, 12))) for _ in range(60)]
    checked = 0
    for _ in range(400):
        try:
            pattern = re.compile(_random_pattern(rng))
        except re.error:
            continue
        words = required_words(pattern)
        scan = Scan.of(pattern)
        for text in texts:
            if words and not any(w in text for w in words):
                assert pattern.search(text) is None, (pattern.pattern, words, text)
                checked += 1
            assert [_seen(m) for m in scan.finditer(text)] == [_seen(m) for m in pattern.finditer(text)]
            assert _seen(scan.search(text)) == _seen(pattern.search(text))
    assert checked > 1000  # the words did rule texts out


def test_a_claims_fit_to_each_template_version() -> None:
    claim = _claim(
        {"pattern": r"其他处理(?P<n>\d+)件", "equals": ["other.total + other_1.total", "other_1.total"]},
        "T3",
        0,
    )
    fit_2019, fit_2021 = _fit(claim, SPECS[("T3", "2019")]), _fit(claim, SPECS[("T3", "2021")])
    # 2019 has （六） as one row, 2021 has its sub-rows only: the sums keep every term (a missing one
    # counts 0), the unread test and the evidence take the cells of the version
    assert fit_2019.usable == ((("other", "total"), ("other_1", "total")),)
    assert fit_2019.present == (("other", "total"),) and fit_2019.shown == (("other", "total"),)
    assert fit_2021.usable == ((("other", "total"), ("other_1", "total")), (("other_1", "total"),))
    assert fit_2021.present == (("other_1", "total"), ("other_1", "total"))
    assert fit_2021.shown == (("other_1", "total"),)
    none = _claim({"pattern": r"其他处理(?P<n>\d+)件", "equals": "other.total"}, "T3", 0)
    assert _fit(none, SPECS[("T3", "2021")]) == _Fit((), (), ())


def test_a_claims_sum_is_the_sum_of_the_arithmetic_values() -> None:
    parts = ("natural", "commercial", "research", "public_interest", "legal", "other_org")
    cells = {("granted", c): Cell("2", "number", Decimal(2)) for c in parts}
    cells[("granted", "total")] = Cell("", "blank")  # a blank 总计 whose parts hold numbers: their sum
    cells[("partial", "total")] = Cell("1.50", "number", Decimal("1.50"))
    cells[("denied_1", "total")] = Cell("三", "text", Decimal(3), reading="中文数字")
    cells[("denied_2", "total")] = Cell("见附件", "text")  # text that is no number: 0
    cells[("denied_3", "total")] = Cell("", "blank")  # a blank whose row has no parts read: 0
    cells[("denied_4", "total")] = Cell("1E+1", "number", Decimal("1E+1"))
    table = Table("T3", "2021", "三", cells)
    rows = (
        "granted",
        "partial",
        "denied_1",
        "denied_2",
        "denied_3",
        "denied_4",
        "unable_1",
    )  # unable_1 missing
    for n in range(len(rows) + 1):
        for terms in (tuple((r, "total") for r in rows[:n]), tuple((r, "total") for r in reversed(rows[:n]))):
            expected = sum((arithmetic_value(table, r, c) for r, c in terms), Decimal(0))
            got = _sum(table, terms)
            assert (str(got), got) == (str(expected), expected)
    assert _sum(table, (("granted", "total"),)) == 12


@pytest.mark.parametrize(
    "text",
    [
        "",
        "  短文。 ",
        "甲" * 60,
        "甲" * 61,
        " \n " + "甲" * 59 + " " * 300 + "乙",  # the start holds too few characters: the whole text
        ("本年度 认真\n\n贯彻落实《条例》，" * 40),
        "\u3000" * 250 + "公开" * 100,  # full-width spaces are spaces
        "甲" * 239 + "  \n\t " + "乙" * 100,  # a run of spaces cut where the start ends
        "a\u00a0b\u2028c" * 100,
    ],
)
@pytest.mark.parametrize("limit", [40, 60])
def test_quote_start_is_the_quote_of_the_whole_text(text: str, limit: int) -> None:
    assert quote_start(text, limit) == quote(text, limit)


def _rule_module(rule_id: str) -> Any:
    path = Path(__file__).resolve().parents[2] / "rules" / f"{rule_id}.py"
    spec = importlib.util.spec_from_file_location(f"lookups_{rule_id.replace('-', '_')}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    "text",
    [
        "（一）主动公开。通过门户网站公开信息。（二）依申请公开。受理申请3件。",
        "一是加强领导。二是完善制度；三、平台建设\n4. 监督保障",
        "本年度工作平稳。（一）主动公开。",
        "。（一）主动公开",
        "\n（一）主动公开\n（二）",
        "1.主动公开2.依申请公开",
        "",
    ],
)
def test_sec005_cuts_the_section_where_its_subheading_pattern_does(text: str) -> None:
    sec005 = _rule_module("SEC-005")
    marks = list(sec005._SUBHEADING.finditer(text))
    cuts = [m.start() for m in marks]
    expected = [(None, text[: cuts[0] if cuts else len(text)])] + [
        (m.group("head"), text[m.start() : (cuts[i + 1] if i + 1 < len(cuts) else len(text))])
        for i, m in enumerate(marks)
    ]
    assert sec005._parts(text) == expected


@pytest.mark.parametrize(
    "sentence",
    ["（二）改进措施", " 1. 加强培训", "一是业务能力有待提升", "下一步将加强培训（一）", "", "  ", "12、"],
)
def test_sec007_takes_a_sentences_label_off_its_start_as_a_substitution_did(sentence: str) -> None:
    label = _rule_module("SEC-007")._LABEL
    match = label.match(sentence)
    assert match is not None and sentence[match.end() :] == label.sub("", sentence)


def test_pub004_keeps_a_few_passage_sets_and_none_of_a_long_text() -> None:
    pub004 = _rule_module("PUB-004")
    short, long = "本局坚持以人民为中心认真贯彻落实条例", "公开" * (pub004._KEPT_CHARS // 2 + 1)
    made = pub004._passage_set(short, 5)
    assert made == {short[i : i + 5] for i in range(len(short) - 4)}
    assert pub004._passage_set(short, 5) is made  # made once, asked twice
    assert pub004._passage_set(long, 5) == {"公开公开公", "开公开公开"}
    assert (long, 5) not in pub004._SETS
    for n in range(pub004._KEPT):
        pub004._passage_set(f"{n}号文件", 2)
    assert len(pub004._SETS) == pub004._KEPT and (short, 5) not in pub004._SETS


def test_sec005_names_a_subheadings_aspects_once_and_as_a_scan_does() -> None:
    sec005 = _rule_module("SEC-005")
    params = yaml.safe_load((Path(__file__).resolve().parents[2] / "rules" / "SEC-005.yaml").read_text())
    compiled = sec005._aspects(params["shape"]["python"])
    for head in ("主动公开", "依申请公开情况", "政府信息管理和平台建设", "监督保障", "其他", "主动公开"):
        scanned = {name for name, _, heads in compiled.aspects if any(p.search(head) for p in heads)}
        assert compiled.named_by(head) == scanned
        assert compiled.named_by(head) is compiled.heads[head]
    assert compiled.named_by(None) == frozenset()


def test_fmt006_reads_a_tables_labels_once_per_wording() -> None:
    fmt006 = _rule_module("FMT-006")
    spec = SPECS[("T3", "2021")]
    table = Table(
        "T3", "2021", "三", row_labels={"granted": "（一）予以公开", "denied_2": "2.其他法律法规禁止公开"}
    )
    table.col_labels = {"public_interest": "社会组织", "natural": "自然人"}
    expected = [("行", "row", "2.其他法律法规禁止公开"), ("列", "column", "社会组织")]
    first = fmt006._deviating(spec, table)
    assert [label[:3] for label in first] == expected
    same = Table("T3", "2021", "三", row_labels=dict(table.row_labels), col_labels=dict(table.col_labels))
    assert fmt006._deviating(spec, same) is first  # the same wording: read once
    table.row_labels["denied_2"] = "2.其他法律行政法规禁止公开"
    assert [label[:3] for label in fmt006._deviating(spec, table)] == expected[1:]
    assert [v.evidence for v in fmt006._deviations(same)] == [
        "“2.其他法律法规禁止公开”，格式为“2.其他法律行政法规禁止公开”",
        "“社会组织”，格式为“社会公益组织”",
    ]
