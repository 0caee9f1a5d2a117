"""Blocks -> the document model: title, body, year, dates, the six sections, T2/T3/T4.

Section headings are found by :mod:`auditor.extract.headings` (wherever they stand, in the 2019 and
2021 wordings and their variants); deviations are kept (similarity, numbering) for the SEC-003 rule and
unassigned candidates that resemble a template heading for SEC-002.
"""

from __future__ import annotations

import re
from datetime import date

from auditor.extract.headings import (
    Candidate,
    assign_sections,
    numbering_style_ok,
    split_inline_headings,
    template_similarity,
)
from auditor.extract.ir import Block, NotAReport, RawDocument
from auditor.extract.rows import Row, row_from_block
from auditor.extract.tables import build_t2, build_t3, build_t4
from auditor.extract.textcodec import Simplifier, halfwidth
from auditor.model import SECTION_KEYS, Document, ExtractionIssue, Section, Table
from auditor.templates import TABLE_NAMES

_TITLE_WORDS = ("报告", "年报")
_DATE = re.compile(r"(?P<y>(?:19|20)\d{2})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日")
_ISO_DATE = re.compile(r"(?P<y>(?:19|20)\d{2})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})")
_YEAR_IN_TITLE = re.compile(r"((?:19|20)\d{2})\s*年")
_STATS = re.compile(
    r"(?:统计|数据)[^。；]{0,16}?(?P<y1>(?:19|20)\d{2})\s*年\s*(?P<m1>\d{1,2})\s*月\s*(?P<d1>\d{1,2})\s*日"
    r"\s*(?:起)?\s*(?:至|到|-|—|－|~)\s*(?:(?P<y2>(?:19|20)\d{2})\s*年\s*)?(?P<m2>\d{1,2})\s*月\s*(?P<d2>\d{1,2})\s*日"
)
_AGENCY_SUFFIX = (
    "人民政府办公室",
    "人民政府办公厅",
    "人民政府",
    "办公室",
    "办公厅",
    "委员会",
    "管理局",
    "管委会",
    "局",
    "委",
    "办",
    "厅",
    "中心",
    "院",
    "署",
    "处",
    "所",
    "站",
    "队",
    "会",
    "部",
    "街道办事处",
    "街道",
    "镇",
    "乡",
    "区",
    "县",
    "市",
)


def build_document(raw: RawDocument, *, source: str, sha256: str) -> Document:
    """The document model from the reader's blocks."""
    blocks = split_inline_headings(raw.blocks)
    written = blocks
    traditional = Simplifier.is_traditional(_para_head(blocks, 4000))
    if traditional:
        # Matching and parsing work on simplified characters; headings keep the wording as written.
        blocks = [_simplified(b) for b in blocks]
    match_text = [b.text for b in blocks]
    doc = Document(source=source, sha256=sha256, format=raw.format, encoding=raw.encoding)
    if traditional:
        doc.meta["traditional"] = True
    doc.body = "\n".join([b.text if b.kind != "row" else "\t".join(b.cells) for b in blocks])

    headings, extra = assign_sections(blocks, match_text)
    first_heading = min((c.index for c in headings.values()), default=len(blocks))
    doc.title = _title(blocks, raw.meta, first_heading)
    folded = halfwidth(doc.body)  # digits and brackets folded once for the year and the period
    doc.year = _year(doc.title, folded)
    doc.agency = _agency(halfwidth(doc.title) if doc.title else None, blocks, doc.year)
    doc.published, doc.published_source = _published(raw.meta, blocks, first_heading, doc.body)
    doc.stats_period, doc.stats_period_text = _stats_period(folded)
    doc.extra_headings = extra

    ordered = sorted(headings.items(), key=lambda kv: kv[1].index)
    for pos, (key, cand) in enumerate(ordered):
        end = ordered[pos + 1][1].index if pos + 1 < len(ordered) else len(blocks)
        # A section whose heading was lost starts with its content, which is part of its text.
        section_blocks = blocks[cand.index + (0 if cand.inferred else 1) : end]
        text = "\n".join([b.text for b in section_blocks if b.kind == "para"])
        doc.sections.append(
            Section(
                key=key,
                heading="" if cand.inferred else written[cand.index].text.strip(),
                text=text,
                order=cand.index,
                similarity=0.0 if cand.inferred else round(template_similarity(key, cand.text), 3),
                numbering_ok=not cand.inferred
                and cand.num == SECTION_KEYS.index(key) + 1
                and numbering_style_ok(cand.heading),
            )
        )
    doc.tables = _tables(blocks, ordered, doc)
    if not doc.sections and not doc.tables:
        images = [b for b in blocks if b.kind == "image"]
        if not images or any(b.kind == "para" and len(b.text) > 200 for b in blocks):
            raise NotAReport("没有找到年度报告的内容（既无章节标题，也无统计表格）")
        _mark_image_only(doc, images)
    return doc


def _para_head(blocks: list[Block], size: int) -> str:
    """The first ``size`` characters of the paragraphs' text joined by spaces, joining only as many
    paragraphs as they take."""
    parts: list[str] = []
    length = -1
    for b in blocks:
        if b.kind == "para":
            parts.append(b.text)
            length += len(b.text) + 1
            if length >= size:
                break
    return " ".join(parts)[:size]


def _mark_image_only(doc: Document, images: list[Block]) -> None:
    """A scanned report (pictures, no text layer): nothing can be checked but that it is not
    machine-readable; rules see ``meta["image_only"]`` and do not invent missing sections."""
    doc.meta["image_only"] = True
    evidence = f"{len(images)} 张图片，无可提取的文字" + (f"（{images[0].text}）" if images[0].text else "")
    for key, kind in (("二", "T2"), ("三", "T3"), ("四", "T4")):
        doc.tables.append(_image_only_table(doc, kind, key, f"文档为扫描图片，表格{kind}无法机读", evidence))


def _image_only_table(doc: Document, kind: str, key: str, message: str, evidence: str) -> Table:
    """A table that is only a picture, and the FMT-007 issue that says so."""
    doc.issues.append(
        ExtractionIssue(code="FMT-007", message=message, table=kind, section=key, evidence=evidence)
    )
    return Table(kind=kind, template="unknown", section=key, readable=False, image_only=True)  # type: ignore[arg-type]


# ------------------------------------------------------------------------------------ sections


def _simplified(block: Block) -> Block:
    return Block(
        block.kind,
        text=Simplifier.convert(block.text),
        cells=[Simplifier.convert(c) for c in block.cells],
        cont=list(block.cont),
        table=block.table,
        heading=block.heading,
    )


# ------------------------------------------------------------------------------------ metadata


def _title(blocks: list[Block], meta: dict[str, object], first_heading: int) -> str | None:
    """The report's title: from the body (over as many as three lines, as PDF and markdown
    conversions break it), else the page's own title (ArticleTitle, og:title, <title>, the document's
    properties).  None when neither has one: a title is never made up."""
    lines = [b.text.strip() for b in blocks[: max(first_heading, 1)] if b.kind == "para"][:8]
    for pos, text in enumerate(lines):
        if any(w in text for w in _TITLE_WORDS) and len(text) <= 60 and "。" not in text:
            parts = [text]
            while (
                pos - len(parts) >= 0
                and len(parts) < 3
                and _continues_into(lines[pos - len(parts)], parts[0])
            ):
                parts.insert(0, lines[pos - len(parts)])
            if len(parts) == 1 and pos + 1 < len(lines) and lines[pos + 1] in ("年度报告", "工作年度报告"):
                parts.append(lines[pos + 1])
            return _tidy_title("".join(parts))
        if text.endswith("工作") and pos + 1 < len(lines) and lines[pos + 1].startswith("年度报告"):
            return _tidy_title(text + lines[pos + 1])
    return _page_title(meta)


# The patterns of the metadata readers, compiled once (re's own cache costs a lookup per call).
_LEADING_YEAR = re.compile(r"^#*\s*(19|20)\d{2}")
_ANY_YEAR = re.compile(r"(19|20)\d{2}")
_SPACES = re.compile(r"\s+")
_SPACE_IN_CHINESE = re.compile(r"(?<=[\u4e00-\u9fff\d])\s+(?=[\u4e00-\u9fff\d])")
_YEARS_STATED = re.compile(r"((?:19|20)\d{2})\s*年(?!\s*\d{1,2}\s*月)")
_ABOUT = re.compile(r"^关于")
_AGENCY_AFTER_YEAR = re.compile(
    r"^(?:19|20)\d{2}\s*年(?:度)?\s*(?!政府信息公开)(?P<agency>[^\d]{2,30}?)\s*(?:政府信息公开|信息公开)"
)
_AGENCY_BEFORE_YEAR = re.compile(r"^(?P<agency>.+?)\s*(?:(?:19|20)\d{2}\s*年|关于|政府信息公开)")
_DIGIT = re.compile(r"\d")
_AGENCY_IN_TEXT = re.compile(
    r"(?:19|20)\d{2}\s*年(?:度)?\s*[，,]\s*(?P<a>[\u4e00-\u9fff]{2,20}?)(?:坚持|认真|紧紧|在|围绕|深入|按照|严格|积极|持续|全面|以|始终|高度|根据|依法|扎实)"
)
_CHINESE_ONLY = re.compile(r"[\u4e00-\u9fff]+")
_FIRST_CLAUSE_END = re.compile(r"(?<!“)[（(]|[：:]")

_TITLE_PIECE = re.compile(r"^[#\s\u4e00-\u9fff0-9０-９（）()“”《》]{2,30}$")


def _continues_into(prev: str, following: str) -> bool:
    """Whether ``prev`` is the first part of a title that goes on in ``following`` ("2025 年上海市人民
    政府办公厅政府信息公开" / "工作年度报告"; "管城回族区人民防空办公室" / "2020年度…报告")."""
    if not _TITLE_PIECE.match(prev) or prev in ("正文",) or _DATE.search(prev):
        return False
    if any(w in prev for w in _TITLE_WORDS):
        return False  # a title of its own
    starts_with_year = _LEADING_YEAR.match(halfwidth(following)) is not None
    # Two lines that both hold a year are two things (a date line, then the title), not one title.
    return not (starts_with_year and _ANY_YEAR.search(halfwidth(prev)))


_SITE_SUFFIX = re.compile(r"\s*(?:[_|｜—–-]+|\s-\s)\s*[^_|｜—–-]{2,30}$")


def _page_title(meta: dict[str, object]) -> str | None:
    """The title the page or file gives itself, the article's own before the window's; a site name
    after "_", "-" or "|" is not part of it."""
    found = [meta.get(key) for key in ("article_title", "og_title", "title")]
    named = [t.strip() for t in found if isinstance(t, str) and t.strip()]
    for title in named:
        for candidate in (_SITE_SUFFIX.sub("", title), title):
            if any(w in candidate for w in _TITLE_WORDS):
                return _tidy_title(candidate)
    return _tidy_title(named[0]) if named else None


def _tidy_title(title: str) -> str:
    """Collapse the spaces exporters put around numbers inside Chinese text; drop markdown marks."""
    title = title.strip().lstrip("#").strip()
    title = _SPACES.sub(" ", title)
    title = _SPACE_IN_CHINESE.sub("", title)
    return title


def _year(title: str | None, folded: str) -> int | None:
    """The report year: the title's, else the statistics period's, else the year the head of the body
    names most.  ``folded`` is the body folded to half width (:func:`halfwidth`)."""
    body = folded[:20000]
    if title:
        m = _YEAR_IN_TITLE.search(halfwidth(title))
        if m:
            return int(m.group(1))
    stats = _STATS.search(body)
    if stats:
        return int(stats.group("y1"))
    head = body[:3000]
    years = _YEARS_STATED.findall(head)
    if years:
        return int(max(set(years), key=years.count))
    return None


def _agency(title: str | None, blocks: list[Block], year: int | None) -> str | None:
    if title:
        t = _ABOUT.sub("", title)
        lead = _AGENCY_AFTER_YEAR.match(t)
        if lead:
            return lead.group("agency")
        m = _AGENCY_BEFORE_YEAR.match(t)
        if m:
            agency = m.group("agency").strip(' 《》"“”')
            if len(agency) >= 2 and not _DIGIT.search(agency):
                return agency
    for b in blocks[:12]:
        if b.kind != "para":
            continue
        m = _AGENCY_IN_TEXT.search(b.text)
        if m and m.group("a").endswith(_AGENCY_SUFFIX):
            return _full_name(m.group("a"), blocks)
    for b in reversed(blocks[-6:]):
        if (
            b.kind == "para"
            and 2 <= len(b.text) <= 25
            and b.text.endswith(_AGENCY_SUFFIX)
            and not _DATE.search(b.text)
        ):
            return b.text.strip()
    return None


_CITING = re.compile(r"^(?:现将|现|特|发布|印发|公布|关于|附件|编制|形成)+")
"""Words in front of a cited report title that are not part of the body's name."""


def _full_name(short: str, blocks: list[Block]) -> str:
    """The full name the document gives for a body its narrative names short ("省教育厅" in "2022年，省教育
    厅坚持…"): its signature line ("河北省教育厅" in the last lines), or the name in front of the report's
    own title where the document cites it ("附件：河北省教育厅2022年政府信息公开工作年度报告", "发布河北省教
    育厅2021年政府信息公开工作年度报告").  The short name stays when the document gives no longer one."""
    names: list[str] = []
    for b in reversed(blocks[-6:]):
        text = b.text.strip()
        if b.kind == "para" and len(text) <= 25 and text.endswith(short) and not _DATE.search(text):
            names.append(text)
    for b in blocks:
        if b.kind == "para" and short in b.text:
            names += [_CITING.sub("", full) for full in _cited_names(b.text, short)]
    longer = [n for n in names if n != short and n.endswith(short) and _CHINESE_ONLY.fullmatch(n)]
    return max(longer, key=len) if longer else short


_CITED = re.compile(
    r"(?:^|[^\u4e00-\u9fff])(?P<full>[\u4e00-\u9fff]{3,34})\s*(?:19|20)\d{2}\s*年度?\s*(?:政府信息公开|政务公开)"
)
"""A run of Chinese characters (from its first one) in front of a report's own title: one compiled
pattern for every body, since compiling one per body name costs about 1 ms, more than reading a
text report."""


def _cited_names(text: str, short: str) -> list[str]:
    """The names ending in ``short`` (1 to 14 characters longer) that ``text`` writes in front of a
    report title: what ``finditer`` of the pattern with ``short`` spelled in would give, from
    :data:`_CITED`.  A match is a whole run of Chinese characters (it ends where a space or a digit
    begins and starts after a non-Chinese character), so a run that is not such a name only moves the
    search one character on, as a failed match of that pattern would."""
    names: list[str] = []
    pos = 0
    while (m := _CITED.search(text, pos)) is not None:
        full = m.group("full")
        if full.endswith(short) and 1 <= len(full) - len(short) <= 14:
            names.append(full)
            pos = m.end()
        else:
            pos = m.start() + 1
    return names


_PUBLISHED_LINE = re.compile(r"(发布时间|发布日期|发文日期)\s*[:：]\s*(\S+)")
_PUBLISHED_WORD = re.compile("发布时间|发布日期|发文日期")
"""The words :data:`_PUBLISHED_LINE` starts with: a text without them has no such line."""


def _published(
    meta: dict[str, object], blocks: list[Block], first_heading: int, body: str
) -> tuple[date | None, str | None]:
    """The publication date: stated by the container (meta, 发布时间) or a dated signature line.
    ``body``: the blocks' text joined (:attr:`Document.body`)."""
    stated = meta.get("published") or []
    for value, source in stated if isinstance(stated, list) else []:
        parsed = _parse_date(str(value))
        if parsed:
            return parsed, str(source)
    # one search of the body tells whether any paragraph names the date (most do not)
    found = _published_line(blocks) if _PUBLISHED_WORD.search(body) else (None, None)
    if found[0] is not None:
        return found
    candidates = [b for b in blocks[-6:] if b.kind == "para"] + [
        b for b in blocks[: min(first_heading, 6)] if b.kind == "para"
    ]
    for b in candidates:
        if len(b.text) > 40 or "日" not in b.text:
            continue  # a dated signature line is short, and ends in 日 (folding leaves 日 as it is)
        text = halfwidth(b.text.strip()).strip("()（）")
        m = _DATE.fullmatch(text)
        if m:
            return _to_date(m), "落款"
    return None, None


def _published_line(blocks: list[Block]) -> tuple[date | None, str | None]:
    """The date of the first paragraph that states one after 发布时间/发布日期/发文日期."""
    for b in blocks:
        if b.kind == "para":
            m = _PUBLISHED_LINE.search(b.text)
            if m:
                parsed = _parse_date(m.group(2))
                if parsed:
                    return parsed, m.group(1)
    return None, None


def _parse_date(text: str) -> date | None:
    m = _ISO_DATE.search(text) or _DATE.search(text)
    return _to_date(m) if m else None


def _to_date(m: re.Match[str]) -> date | None:
    try:
        return date(int(m.group("y")), int(m.group("m")), int(m.group("d")))
    except ValueError:
        return None


def _stats_period(folded: str) -> tuple[tuple[date, date] | None, str | None]:
    """The statistics period the body states (``folded``: folded to half width), and its words."""
    m = _STATS.search(folded)
    if not m:
        return None, None
    try:
        y1 = int(m.group("y1"))
        y2 = int(m.group("y2")) if m.group("y2") else y1
        start = date(y1, int(m.group("m1")), int(m.group("d1")))
        end = date(y2, int(m.group("m2")), int(m.group("d2")))
    except ValueError:
        return None, m.group(0)
    return (start, end), m.group(0)


# ------------------------------------------------------------------------------------ tables


def _tables(blocks: list[Block], ordered: list[tuple[str, Candidate]], doc: Document) -> list[Table]:
    """T2/T3/T4 from the rows (or running text) of sections 二, 三, 四."""
    spans: dict[str, tuple[int, int]] = {}
    for pos, (key, cand) in enumerate(ordered):
        end = ordered[pos + 1][1].index if pos + 1 < len(ordered) else len(blocks)
        spans[key] = (cand.index + 1, end)
    tables: list[Table] = []
    for key, kind in (("二", "T2"), ("三", "T3"), ("四", "T4")):
        if key not in spans:
            continue
        start, end = spans[key]
        section_blocks = blocks[start:end]
        rows = _rows(section_blocks)
        found: list[Table] = []
        if kind == "T2":
            found = build_t2(rows, key)
        elif kind == "T3":
            t3 = build_t3(rows, key)
            found = [t3] if t3 else []
        else:
            t4 = build_t4(rows, key)
            found = [t4] if t4 else []
        if not found and any(b.kind == "image" for b in section_blocks):
            evidence = "；".join(b.text for b in section_blocks if b.kind == "image")[:200]
            found = [
                _image_only_table(doc, kind, key, f"第{key}部分的表格{kind}只有图片，无法机读", evidence)
            ]
        for t in found:
            if t.problems:
                t.readable = False  # a table with a reading problem is not checked (tables.py's rule)
            if not t.readable and not t.image_only:
                doc.issues.append(_unreadable_issue(t, kind, key))
        tables.extend(found)
    return tables


_UNLABELLED_RUN = re.compile(r"（无标签）(?:、（无标签）)+")


def _condensed(problem: str) -> str:
    """A problem as an officer reads it: a run of unlabelled rows counted, not listed."""
    return _UNLABELLED_RUN.sub(lambda m: f"{m.group(0).count('（无标签）')} 行无标签", problem)


def _unreadable_issue(table: Table, kind: str, key: str) -> ExtractionIssue:
    """FMT-005 for a table that could not be read: the message says what and why in one line, the
    evidence lists every problem once."""
    problems = [_condensed(p) for p in table.problems] or ["表格结构无法识别"]
    first = _FIRST_CLAUSE_END.split(problems[0], maxsplit=1)[0].strip() or problems[0]
    if len(first) > 48:
        first = first[:47] + "…"
    more = f"等 {len(problems)} 个问题" if len(problems) > 1 else ""
    return ExtractionIssue(
        code="FMT-005",
        message=f"{TABLE_NAMES[kind]}的结构无法完整读取（{first}{more}），其数据无法核验",
        table=kind,
        section=key,
        evidence="；".join(problems),
    )


def _rows(blocks: list[Block]) -> list[Row]:
    """The rows of a section's blocks: table rows split into labels and values, paragraphs kept
    whole for the table builders to cut (Row's fields by position, as this runs for every block)."""
    rows: list[Row] = []
    for i, b in enumerate(blocks):
        if b.kind == "row":
            rows.append(row_from_block(b, i))
        elif b.kind == "para":
            rows.append(Row([], [], None, i, b.text, None, [], [], b.gap))
    return rows
