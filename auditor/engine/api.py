"""What a check sees and what it returns: the API of shapes and of the Python functions in rules/.

A check is a function ``check(ctx, params) -> Iterable[Violation | NotEvaluated]`` (a generator, in
the yamllint style).  It has three outcomes: nothing yielded — passed; a :class:`Violation` — failed,
with its location and evidence; a :class:`NotEvaluated` — the check could not be made (the table it
needs is missing or unreadable, the date is unknown…), which is never a pass and never a violation.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import Any, NamedTuple

from auditor.model import Cell, Document, Section, Table
from auditor.schemas import Failure, derived_total
from auditor.templates import (
    SECTION_HEADINGS,
    SECTION_TABLE,
    SPECS,
    TABLE_NAMES,
    RowSpec,
    TableSpec,
    spec_for,
)

CellRef = tuple[str, str, str]
"""(table, row id, column id) of a cell, for highlighting."""

TABLE_SECTION: dict[str, str] = {table: key for key, table in SECTION_TABLE.items()}


@dataclass(frozen=True, slots=True)
class Violation:
    """One failure of a check, located as people read the report."""

    evidence: str
    """The quoted text, or the cells and the arithmetic."""
    section: str | None = None
    table: str | None = None
    row: str | None = None
    """Row label in the template's wording."""
    column: str | None = None
    cells: tuple[CellRef, ...] = ()
    values: Mapping[str, Any] = field(default_factory=dict)
    """Extra placeholders for the rule's message ({aspect}, {deadline} …)."""
    key: str = ""
    """Distinguishes two violations at the same location (for the fingerprint)."""


@dataclass(frozen=True, slots=True)
class NotEvaluated:
    """The check could not be made; ``reason`` says why, in Chinese."""

    reason: str
    table: str | None = None
    section: str | None = None


Outcome = Violation | NotEvaluated


class YearPair(NamedTuple):
    """A table of this year's report and the same table of the body's report of ``last_year``."""

    now: Table
    before: Table
    last_year: int | None


@dataclass(slots=True)
class Context:
    """Everything a check may read about one document."""

    doc: Document
    level: str
    failures: Mapping[tuple[str, str], list[Failure]] = field(default_factory=dict)
    """pandera failures of this document by (check name, table kind)."""
    broken_checks: frozenset[tuple[str, str]] = frozenset()
    """(check name, table kind) pairs whose pandera check could not run on this batch."""
    previous: Document | None = None
    """The same body's report of the previous year, when the batch holds it."""
    _numbers_text: list[tuple[str, str]] | None = field(default=None, init=False, repr=False)
    _tables: dict[str, Table | NotEvaluated] = field(default_factory=dict, init=False, repr=False)
    """usable_table by kind, looked up once per document for all the rules (the document is final)."""

    def section(self, key: str) -> Section | None:
        return self.doc.section(key)

    def across_years(self, kind: str) -> YearPair | NotEvaluated | None:
        """This year's and last year's table of ``kind`` when both can be checked; None when the batch
        has no report of the year before (the across-year checks do not apply)."""
        if self.previous is None:
            return None
        table = self.table(kind)
        if isinstance(table, NotEvaluated):
            return table
        before = usable_table(self.previous, kind)
        if isinstance(before, NotEvaluated):
            return NotEvaluated(f"{self.previous.year}年度报告的{before.reason}")
        return YearPair(table, before, self.previous.year)

    def section_texts(self) -> list[tuple[str, str]]:
        """(section key, narrative text with numbers normalised: ASCII digits, no thousands separators),
        made once per document for all the rules that read numbers in the narrative.  Only the
        narrative: the lines of a table that a text export left among the paragraphs (header runs,
        labels, bare numbers) make no claims."""
        if self._numbers_text is None:
            self._numbers_text = [(s.key, normalise_numbers(narrative(s.text))) for s in self.doc.sections]
        return self._numbers_text

    def table(self, kind: str) -> Table | NotEvaluated:
        """The table to check, or why it cannot be checked."""
        found = self._tables.get(kind)
        if found is None:
            found = self._tables[kind] = usable_table(self.doc, kind)
        return found

    def required_table(self, kind: str) -> Table:
        """The table of a rule that ``requires: [<kind> readable]``: the engine runs the check only when
        it is readable.  Raises LookupError for a rule that did not declare it (a bug of the rule)."""
        table = self.table(kind)
        if isinstance(table, Table):
            return table
        raise LookupError(f"{kind} is not readable: the rule must declare 'requires: [{kind} readable]'")

    def written_section(self, key: str) -> Section:
        """The section of a rule that ``requires: [section <key> written]``: the engine runs the check only
        when it is present and says something.  Raises LookupError for a rule that did not declare it."""
        section = section_to_read(self, key)
        if isinstance(section, Section):
            return section
        raise LookupError(
            f"section {key} is not written: the rule must declare 'requires: [section {key} written]'"
        )


_LABEL_CHARS: frozenset[str] = frozenset(
    "".join(
        [r.label + "".join(r.aliases) for spec in SPECS.values() for r in spec.rows]
        + [c.label for spec in SPECS.values() for c in spec.columns]
        + ["表一二三四五六七八九十第条项（）()、.单位万元件数总计注"]
    )
)
"""Every character of the templates' row and column labels (and of table headings)."""
_MARKS = "，。；：,;:！？!?"
"""Sentence punctuation: a line with one is a sentence (some template labels have commas too)."""
_DROP_LABEL_CHARS = dict.fromkeys(map(ord, _LABEL_CHARS))
"""str.translate table deleting the table-label characters."""
_TABLE_LINE = re.compile(
    "^[" + re.escape("".join(sorted(_LABEL_CHARS - set(_MARKS)))) + r"\d\t\f\v\r \u3000]*$", re.MULTILINE
)
"""A line of label characters, digits and spaces alone: emptied in one pass over a section's text,
before the loop over its lines (a real report's text export leaves many such lines of a table)."""
_MANY_LINES = 8
"""Lines from which a section's text is worth a pass of :data:`_TABLE_LINE` (a few lines of narrative
are looked at faster one by one)."""
_SENTENCE_MARK = re.compile(f"[{_MARKS}]")


def narrative(text: str) -> str:
    """The lines of a section's text that are sentences: a line without any sentence punctuation whose
    characters are all table-label characters or digits ("总计结果结果其他尚未…维持纠正结果审结", "行政
    许可", "0") is a fragment of a table, not a claim."""
    if text.count("\n") >= _MANY_LINES:
        text = _TABLE_LINE.sub("", text)
    kept: list[str] = []
    for line in text.split("\n"):
        if not line or line.isspace():  # str.split() and isspace agree on what is white space
            continue
        # a sentence mark is never white space: searched in the line as written, the line is left
        # unflattened and uncounted when it has one (most lines of a real report's narrative)
        if not _SENTENCE_MARK.search(line):
            flat = "".join(line.split())
            rest = flat.translate(_DROP_LABEL_CHARS)  # in C, where a loop over characters is Python's
            outside = sum(1 for ch in rest if not ch.isdigit())
            if outside <= len(flat) // 10:
                continue
        kept.append(line)
    return "\n".join(kept)


_NOT_WORDS = re.compile(r"[\s\W_]+")
_PLACEHOLDERS = frozenset({"", "无", "略", "暂无", "空", "无内容", "见附件"})
_INSTRUCTION = re.compile(r"[（(]\s*(?:文字描述|文字说明|在此填写|此处填写|请填写|填写)[^（）()]*[）)]")
"""A template's instruction in brackets ("（文字描述）", "（文字描述，收取信息处理费情况在此处报告。）"): the
wording the official Word template leaves where the body writes its text."""


def bare_placeholder(text: str, placeholders: frozenset[str] | set[str] = _PLACEHOLDERS) -> bool:
    """Whether a section's text says nothing: empty, one of ``placeholders`` ("无", "略"), or only the
    template's bracketed instructions left in place."""
    return _bare(text, placeholders, max(map(len, placeholders), default=0))


def _bare(text: str, placeholders: frozenset[str] | set[str], longest: int) -> bool:
    """:func:`bare_placeholder`, ``longest`` the length of the longest of ``placeholders``."""
    if _more_words_than(text, longest):
        return False  # the common case, told without writing out the text's words
    words = _words(text)
    return words == "" or words in placeholders


@lru_cache(maxsize=16)
def _word_run(count: int) -> re.Pattern[str]:
    """``count`` + 1 characters that :func:`_words` keeps, with only what it drops between them."""
    return re.compile(rf"[^\W_](?:[\W_]*[^\W_]){{{count}}}")


@lru_cache(maxsize=4096)
def _more_words_than(text: str, count: int) -> bool:
    """Whether :func:`_words` of ``text`` is longer than ``count`` characters: then it is neither empty
    nor a placeholder of at most ``count``.  A search that stops at the text's first few words, where
    ``_words`` writes out the whole text without its spaces and punctuation (a section's text runs to
    thousands of characters); cached, as ``_words`` is, for the rules that ask one after the other."""
    return _word_run(count).search(_INSTRUCTION.sub("", text)) is not None


@lru_cache(maxsize=4096)
def _words(text: str) -> str:
    """A section's text without the template's instructions, spaces and punctuation.  Cached: several
    rules ask this of every section of a document (SEC-004 and every content check's ``says_nothing``),
    one rule after the other over a whole batch, so the cache holds a batch's sections (200 reports
    of six sections and more)."""
    return _NOT_WORDS.sub("", _INSTRUCTION.sub("", text))


MAY_SAY_NONE = frozenset({"六"})
"""Sections where "无" is a real answer ("其他需要报告的事项": nothing else), as SEC-004's
``may_say_none``."""


_EMPTY_ONLY = frozenset({""})
_LONGEST_PLACEHOLDER = max(map(len, _PLACEHOLDERS))


def is_written(section: Section) -> bool:
    """Whether ``section`` has text to check: not empty, not a bare placeholder (in a section that may
    say "无", only an empty section or the template's instruction counts as nothing)."""
    if section.key in MAY_SAY_NONE:
        return not _bare(section.text, _EMPTY_ONLY, 0)
    return not _bare(section.text, _PLACEHOLDERS, _LONGEST_PLACEHOLDER)


def says_nothing(section: Section) -> NotEvaluated | None:
    """Why a content check cannot read ``section``: it is empty or a bare placeholder (SEC-004 reports
    it, and lists the checks it stopped); None when the section has text to check
    (:func:`is_written`)."""
    if is_written(section):
        return None
    return NotEvaluated(f"“{heading_as_written(section)}”部分没有实际内容", section=section.key)


def section_to_read(ctx: Context, key: str) -> Section | NotEvaluated:
    """The section a content check reads, or why it cannot: the section is missing, or says nothing
    (:func:`says_nothing`)."""
    section = ctx.section(key)
    if section is None:
        return NotEvaluated(f"缺少第{key}部分", section=key)
    return says_nothing(section) or section


_NOT_JOINABLE = re.compile(r"\(\?P=|\\[1-9]|\(\?[aiLmsux]+\)")
"""Backreferences (their numbering would shift in an alternation) and global inline flags."""


def any_of(patterns: tuple[re.Pattern[str], ...]) -> re.Pattern[str] | None:
    """One pattern whose ``search`` finds a match exactly when one of ``patterns``' does (an alternation
    matches at a position when one of its branches does), so that "does any of these words occur"
    costs one scan instead of one per word.  None when they cannot be joined unchanged (backreferences,
    global flags, differing flags, clashing group names): the caller then searches them one by one."""
    if not patterns or len({p.flags for p in patterns}) != 1:
        return None
    if any(_NOT_JOINABLE.search(p.pattern) for p in patterns):
        return None
    try:
        return re.compile("|".join(f"(?:{p.pattern})" for p in patterns), patterns[0].flags)
    except re.error:
        return None


_FULL_WIDTH_DIGITS = str.maketrans("０１２３４５６７８９．", "0123456789.")
_ANY_FULL_WIDTH = re.compile("[０１２３４５６７８９．]")
_THOUSANDS = re.compile(r"[,，](?<=\d[,，])(?=\d{3}(?!\d))")
"""A comma after a digit and before exactly three: the separator is matched first and the digit before
it looked behind for, so that the scan jumps from comma to comma (a pattern that opens with a
lookbehind is tried at every character)."""


_TO_NORMALISE = re.compile(r"[,，０-９．](?:(?<=[０-９．])|(?<=\d[,，])(?=\d{3}(?!\d)))")
"""A full-width digit, or a comma that :data:`_THOUSANDS` removes: one scan tells a text that has
neither (most sentences) from one to normalise, where the two patterns would scan it twice."""


def normalise_numbers(text: str) -> str:
    """Full-width digits to ASCII and thousands separators removed ("１,２３４" -> "1234")."""
    if not _TO_NORMALISE.search(text):
        return text
    if _ANY_FULL_WIDTH.search(text):
        # str.translate walks the text in Python-level mapping lookups: only when there is a digit to map
        text = text.translate(_FULL_WIDTH_DIGITS)
    return _THOUSANDS.sub("", text)


def usable_table(doc: Document, kind: str) -> Table | NotEvaluated:
    """``doc``'s table of ``kind`` when its numbers can be checked, else the reason they cannot."""
    section = TABLE_SECTION[kind]
    table = doc.table(kind)
    name = TABLE_NAMES[kind]
    if table is None:
        return NotEvaluated(f"缺少{name}", table=kind, section=section)
    if table.image_only:
        return NotEvaluated(f"{name}仅为图片", table=kind, section=section)
    if not table.readable or table.problems:
        return NotEvaluated(f"{name}结构无法读取", table=kind, section=section)
    return table


def table_spec(table: Table) -> TableSpec:
    """The template spec of a table (T4 is the same in both versions; unknown T2/T3 read as 2021)."""
    spec = spec_for(table.kind, table.template) or spec_for(table.kind, "2021")
    assert spec is not None
    return spec


def tables_by_template(docs: Sequence[Document]) -> dict[tuple[str, str], list[tuple[int, Table]]]:
    """The usable tables of a batch grouped as pandera validates them: (kind, template version) ->
    (document position, table), in document order."""
    groups: dict[tuple[str, str], list[tuple[int, Table]]] = {}
    for i, doc in enumerate(docs):
        for kind in TABLE_NAMES:
            table = usable_table(doc, kind)
            if isinstance(table, Table):
                spec = table_spec(table)
                groups.setdefault((spec.kind, spec.version), []).append((i, table))
    return groups


def heading_as_written(section: Section) -> str:
    """The section's heading as written, or, where the document lost it, the template's wording
    marked as not written (the section's content is there, its heading is not)."""
    if section.heading:
        return section.heading
    return f"{section_heading(section.key)}（原文无此标题）"


def row_label(table: Table, row: str) -> str:
    """The row as the template words it, e.g. "（三）不予公开1.属于国家秘密"."""
    return table_spec(table).row(row).display


def col_label(table: Table, col: str) -> str:
    return table_spec(table).col(col).label


def row_number(row: RowSpec) -> str:
    """A template row's number as printed ("一", "（七）", "（三）1"), for arithmetic."""
    if row.block:
        return f"{row.block[:3]}{row.number}"
    return row.number or row.label


def short_row(table: Table, row: str) -> str:
    """A table row's number as printed, for arithmetic evidence (see :func:`row_number`)."""
    return row_number(table_spec(table).row(row))


def format_number(value: Decimal | float) -> str:
    """A value as people write it: 12, 104.133, -3 (a number too long to write out in scientific
    notation: Python refuses to turn an int of more than 4,300 digits into text)."""
    dec = Decimal(str(value))
    if not dec.is_finite():
        return str(dec)
    if abs(dec.adjusted()) >= 60:
        sign, digits, _ = dec.as_tuple()
        lead = "".join(map(str, digits[:6])).rstrip("0") or "0"
        mantissa = lead[0] + (f".{lead[1:]}" if len(lead) > 1 else "")
        return f"{'-' if sign else ''}{mantissa}{'…' if any(digits[6:]) else ''}E+{dec.adjusted()}"
    integral = dec.to_integral_value()
    return f"{integral:f}" if dec == integral else f"{dec.normalize():f}"


def cell_text(cell: Cell | None) -> str:
    """A cell for evidence: its number, or its raw text in quotes (with the value used when the text
    is a number written otherwise), or 空 for a blank."""
    if cell is None or cell.kind == "blank":
        return "空"
    if cell.kind == "number" and cell.value is not None:
        return format_number(cell.value)
    if cell.value is not None:
        return f"“{quote_raw(cell.raw)}”（{cell.reading or '按数字'}，按 {format_number(cell.value)} 计算）"
    return f"“{quote_raw(cell.raw)}”"


def term_text(table: Table, row: str, col: str) -> str:
    """A cell as a term of arithmetic: :func:`cell_text`, and for a blank 总计 the value used for it
    ("空（按该行各栏之和计为 275）"), so the evidence never shows a blank as 0."""
    derived = derived_total(table, row, col)
    if derived is not None:
        return f"空（按该行各栏之和计为 {format_number(derived)}）"
    return cell_text(table.cell(row, col))


def quote_raw(raw: str, limit: int = 40) -> str:
    """A cell's raw text for evidence, cut to ``limit`` characters."""
    flat = re.sub(r"\s+", " ", raw).strip()
    return flat if len(flat) <= limit else flat[:limit] + "…"


def section_heading(key: str) -> str:
    """The template heading of a section, e.g. "六、其他需要报告的事项"."""
    return f"{key}、{SECTION_HEADINGS[key]}"


def quote(text: str, limit: int = 60) -> str:
    """Text quoted for evidence, whitespace collapsed and cut to ``limit`` characters."""
    flat = re.sub(r"\s+", " ", text).strip()
    return f"“{flat}”" if len(flat) <= limit else f"“{flat[:limit]}…”"
