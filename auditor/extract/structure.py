"""Blocks -> the document model: title, body, year, dates, the six sections, T2/T3/T4.

Section headings are matched fuzzily (real reports write "1、 总体情况", "一、概述", "## 一、…", typos,
traditional characters, and some number their own parts differently): every numbered short line is a
candidate, and the six template sections are assigned to candidates in document order so that the total
similarity is highest (a small dynamic programme).  Deviations are kept (similarity, numbering) for the
SEC-003 rule; unassigned candidates that resemble a template heading are kept for SEC-002.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from datetime import date
from difflib import SequenceMatcher
from functools import lru_cache

from auditor.extract.ir import Block, NotAReport, RawDocument
from auditor.extract.rows import Row, row_from_block
from auditor.extract.tables import build_t2, build_t3, build_t4
from auditor.extract.textcodec import Simplifier, halfwidth, norm_label, squash
from auditor.model import SECTION_KEYS, Document, ExtractionIssue, Section, Table
from auditor.templates import SECTION_HEADINGS, SECTION_HEADINGS_2019

_CN_NUM = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_KEY_BY_NUM = {i + 1: k for i, k in enumerate(SECTION_KEYS)}
_HEADING = re.compile(
    r"^\s*(?:#{1,6}\s*)?(?P<num>[一二三四五六七八九十]{1,2}|[1-9１-９])\s*(?P<sep>[、.．:：]|\s)\s*(?P<text>\S.{0,40})$"
)
_INLINE_HEADING = re.compile(r"(?P<num>[一二三四五六])\s*、")
_BREAK_BEFORE = re.compile(r"[\s。；;）)]$")
_T3_ROW_WORDS = ("本年新收", "上年结转", "本年度办理结果", "结转下年度", "办理结果")
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


@dataclass(slots=True)
class _Candidate:
    index: int
    """Block index."""
    heading: str
    text: str
    """The heading's wording after the numbering, normalised."""
    num: int | None
    standalone: bool


def build_document(raw: RawDocument, *, source: str, sha256: str) -> Document:
    """The document model from the reader's blocks."""
    blocks = _split_inline_headings(raw.blocks)
    written = blocks
    traditional = Simplifier.is_traditional(" ".join(b.text for b in blocks if b.kind == "para")[:4000])
    if traditional:
        # Matching and parsing work on simplified characters; headings keep the wording as written.
        blocks = [_simplified(b) for b in blocks]
    match_text = [b.text for b in blocks]
    doc = Document(source=source, sha256=sha256, format=raw.format, encoding=raw.encoding)
    if traditional:
        doc.meta["traditional"] = True
    doc.body = "\n".join(b.text if b.kind != "row" else "\t".join(b.cells) for b in blocks)

    headings, extra = _find_sections(blocks, match_text)
    first_heading = min((c.index for c in headings.values()), default=len(blocks))
    doc.title = _title(blocks, raw.meta, first_heading)
    doc.year = _year(doc.title, doc.body)
    doc.agency = _agency(halfwidth(doc.title) if doc.title else None, blocks, doc.year)
    doc.published, doc.published_source = _published(raw.meta, blocks, first_heading)
    doc.stats_period, doc.stats_period_text = _stats_period(doc.body)
    doc.extra_headings = extra

    ordered = sorted(headings.items(), key=lambda kv: kv[1].index)
    for pos, (key, cand) in enumerate(ordered):
        end = ordered[pos + 1][1].index if pos + 1 < len(ordered) else len(blocks)
        section_blocks = blocks[cand.index + 1 : end]
        text = "\n".join(b.text for b in section_blocks if b.kind == "para")
        doc.sections.append(
            Section(
                key=key,
                heading=written[cand.index].text.strip(),
                text=text,
                order=cand.index,
                similarity=round(_heading_similarity(key, cand.text), 3),
                numbering_ok=cand.num == SECTION_KEYS.index(key) + 1 and _numbering_style_ok(cand.heading),
            )
        )
    doc.tables = _tables(blocks, ordered, doc)
    if not doc.sections and not doc.tables:
        images = [b for b in blocks if b.kind == "image"]
        if not images or any(b.kind == "para" and len(b.text) > 200 for b in blocks):
            raise NotAReport("没有找到年度报告的内容（既无章节标题，也无统计表格）")
        _mark_image_only(doc, images)
    return doc


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


def _split_inline_headings(blocks: list[Block]) -> list[Block]:
    """Cut long paragraphs (exports that lost their line breaks) before inline section headings."""
    out: list[Block] = []
    for b in blocks:
        if b.kind != "para" or len(b.text) < 60:
            out.append(b)
            continue
        cuts = [0]
        for m in _INLINE_HEADING.finditer(b.text):
            if m.start() == 0:
                continue
            key = m.group("num")
            following = norm_label(b.text[m.end() : m.end() + 30])
            best = max(
                SequenceMatcher(None, following[: len(h)], norm_label(h)).ratio()
                for h in (SECTION_HEADINGS[key], SECTION_HEADINGS_2019[key])
            )
            # Glued to the text before it (a table's last number), only a near-exact heading counts.
            glued = not _BREAK_BEFORE.search(b.text[: m.start()])
            if best >= (0.9 if glued else 0.75):
                cuts.append(m.start())
        if len(cuts) == 1:
            out.append(b)
            continue
        cuts.append(len(b.text))
        for start, stop in itertools.pairwise(cuts):
            piece = b.text[start:stop].strip()
            if not piece:
                continue
            if start > 0:
                head, rest = _cut_heading(piece)
                out.append(Block("para", text=head))
                if rest:
                    out.append(Block("para", text=rest))
            else:
                out.append(Block("para", text=piece))
    return out


def _cut_heading(piece: str) -> tuple[str, str]:
    """Split "四、政府信息公开行政复议、行政诉讼情况行政复议…" into the heading and what follows."""
    m = re.match(r"([一二三四五六])\s*、", piece)
    assert m is not None
    key = m.group(1)
    best_end, best_ratio = m.end(), 0.0
    for template in (SECTION_HEADINGS[key], SECTION_HEADINGS_2019[key]):
        target = norm_label(template)
        for extra in range(-3, 5):
            end = m.end() + len(template) + extra
            if end <= m.end() or end > len(piece):
                continue
            ratio = SequenceMatcher(None, norm_label(piece[m.end() : end]), target).ratio()
            if ratio > best_ratio + 1e-9:
                best_ratio, best_end = ratio, end
    return piece[:best_end].strip(), piece[best_end:].strip()


@lru_cache(maxsize=4096)
def _heading_similarity(key: str, text: str) -> float:
    return max(
        SequenceMatcher(None, text, norm_label(h)).ratio()
        for h in (SECTION_HEADINGS[key], SECTION_HEADINGS_2019[key])
    )


def _numbering_style_ok(heading: str) -> bool:
    return bool(re.match(r"^\s*(?:#{1,6}\s*)?[一二三四五六]\s*、", heading))


def _candidates(blocks: list[Block], match_text: list[str]) -> list[_Candidate]:
    found: list[_Candidate] = []
    for i, b in enumerate(blocks):
        if b.kind != "para":
            continue
        text = match_text[i].strip()
        m = _HEADING.match(text)
        if not m or len(squash(text)) > 40:
            continue
        wording = norm_label(m.group("text"))
        if any(w in wording for w in _T3_ROW_WORDS) or wording.startswith(("是", "要")):
            continue  # "一是…" is an enumeration; T3 row labels are not headings
        raw_num = halfwidth(m.group("num"))
        num = int(raw_num) if raw_num.isdigit() else _CN_NUM.get(raw_num)
        if num is not None and num > 6 and not raw_num.isdigit():
            continue
        standalone = len(squash(text)) <= 30 and not text.endswith(("。", "；"))
        found.append(_Candidate(i, b.text.strip(), wording, num, standalone))
    return found


def _score(key: str, cand: _Candidate) -> float:
    """How well a candidate heading fits a template section (0 = not at all)."""
    sim = _heading_similarity(key, cand.text)
    numbered_as_key = cand.num == SECTION_KEYS.index(key) + 1
    if sim >= 0.6:
        return sim + (0.3 if numbered_as_key else 0.0)
    if numbered_as_key and cand.standalone and sim >= 0.15:
        return 0.35 + sim
    if numbered_as_key and cand.standalone and len(cand.text) <= 6:
        return 0.3
    return 0.0


def _find_sections(blocks: list[Block], match_text: list[str]) -> tuple[dict[str, _Candidate], list[str]]:
    """Assign the six sections to heading candidates in order, maximising the total fit."""
    cands = _candidates(blocks, match_text)
    n, k = len(cands), len(SECTION_KEYS)
    scores = [[_score(key, c) for key in SECTION_KEYS] for c in cands]
    # best[i][j]: best total using candidates[i:] for sections[j:]
    best = [[0.0] * (k + 1) for _ in range(n + 1)]
    choice: list[list[int]] = [[0] * (k + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for j in range(k - 1, -1, -1):
            options = [(best[i + 1][j], 0), (best[i][j + 1], 1)]
            if scores[i][j] > 0:
                options.append((scores[i][j] + best[i + 1][j + 1], 2))
            best[i][j], choice[i][j] = max(options, key=lambda o: o[0])
    assigned: dict[str, _Candidate] = {}
    i = j = 0
    while i < n and j < k:
        step = choice[i][j]
        if step == 2:
            assigned[SECTION_KEYS[j]] = cands[i]
            i, j = i + 1, j + 1
        elif step == 1:
            j += 1
        else:
            i += 1
    used = {c.index for c in assigned.values()}
    extra = [
        c.heading
        for c in cands
        if c.index not in used and max(_heading_similarity(key, c.text) for key in SECTION_KEYS) >= 0.85
    ]
    return assigned, extra


# ------------------------------------------------------------------------------------ metadata


def _title(blocks: list[Block], meta: dict[str, object], first_heading: int) -> str | None:
    meta_title = meta.get("title")
    lines = [(i, b.text.strip()) for i, b in enumerate(blocks[: max(first_heading, 1)]) if b.kind == "para"][
        :8
    ]
    for pos, (_, text) in enumerate(lines):
        if any(w in text for w in _TITLE_WORDS) and len(text) <= 60 and "。" not in text:
            title = text
            if pos > 0:
                prev = lines[pos - 1][1]
                if (
                    len(prev) <= 30
                    and not prev.endswith(("。", "：", ":"))
                    and prev not in ("正文",)
                    and ("年" not in text[:6] or not re.search(r"(19|20)\d{2}", prev))
                    and not _DATE.search(prev)
                ):
                    title = prev + title
            elif pos + 1 < len(lines) and lines[pos + 1][1] in ("年度报告", "工作年度报告"):
                title += lines[pos + 1][1]
            return _tidy_title(title)
        if text.endswith("工作") and pos + 1 < len(lines) and lines[pos + 1][1].startswith("年度报告"):
            return _tidy_title(text + lines[pos + 1][1])
    if isinstance(meta_title, str) and meta_title.strip():
        return _tidy_title(meta_title)
    return None


def _tidy_title(title: str) -> str:
    """Collapse the spaces exporters put around numbers inside Chinese text; drop markdown marks."""
    title = title.strip().lstrip("#").strip()
    title = re.sub(r"\s+", " ", title)
    title = re.sub(r"(?<=[\u4e00-\u9fff\d])\s+(?=[\u4e00-\u9fff\d])", "", title)
    return title


def _year(title: str | None, body: str) -> int | None:
    body = halfwidth(body[:20000])
    if title:
        m = _YEAR_IN_TITLE.search(halfwidth(title))
        if m:
            return int(m.group(1))
    stats = _STATS.search(body)
    if stats:
        return int(stats.group("y1"))
    head = body[:3000]
    years = re.findall(r"((?:19|20)\d{2})\s*年(?!\s*\d{1,2}\s*月)", head)
    if years:
        return int(max(set(years), key=years.count))
    return None


def _agency(title: str | None, blocks: list[Block], year: int | None) -> str | None:
    if title:
        t = re.sub(r"^关于", "", title)
        lead = re.match(
            r"^(?:19|20)\d{2}\s*年(?:度)?\s*(?!政府信息公开)(?P<agency>[^\d]{2,30}?)\s*(?:政府信息公开|信息公开)",
            t,
        )
        if lead:
            return lead.group("agency")
        m = re.match(r"^(?P<agency>.+?)\s*(?:(?:19|20)\d{2}\s*年|关于|政府信息公开)", t)
        if m:
            agency = m.group("agency").strip(' 《》"“”')
            if len(agency) >= 2 and not re.search(r"\d", agency):
                return agency
    for b in blocks[:12]:
        if b.kind != "para":
            continue
        m = re.search(
            r"(?:19|20)\d{2}\s*年(?:度)?\s*[，,]\s*(?P<a>[\u4e00-\u9fff]{2,20}?)(?:坚持|认真|紧紧|在|围绕|深入|按照|严格|积极|持续|全面|以|始终|高度|根据|依法|扎实)",
            b.text,
        )
        if m and m.group("a").endswith(_AGENCY_SUFFIX):
            return m.group("a")
    for b in reversed(blocks[-6:]):
        if (
            b.kind == "para"
            and 2 <= len(b.text) <= 25
            and b.text.endswith(_AGENCY_SUFFIX)
            and not _DATE.search(b.text)
        ):
            return b.text.strip()
    return None


def _published(
    meta: dict[str, object], blocks: list[Block], first_heading: int
) -> tuple[date | None, str | None]:
    """The publication date: stated by the container (meta, 发布时间) or a dated signature line."""
    stated = meta.get("published") or []
    for value, source in stated if isinstance(stated, list) else []:
        parsed = _parse_date(str(value))
        if parsed:
            return parsed, str(source)
    for b in blocks:
        if b.kind == "para":
            m = re.search(r"(发布时间|发布日期|发文日期)\s*[:：]\s*(\S+)", b.text)
            if m:
                parsed = _parse_date(m.group(2))
                if parsed:
                    return parsed, m.group(1)
    candidates = [b for b in blocks[-6:] if b.kind == "para"] + [
        b for b in blocks[: min(first_heading, 6)] if b.kind == "para"
    ]
    for b in candidates:
        text = halfwidth(b.text.strip()).strip("()（）")
        m = _DATE.fullmatch(text)
        if m:
            return _to_date(m), "落款"
    return None, None


def _parse_date(text: str) -> date | None:
    m = _ISO_DATE.search(text) or _DATE.search(text)
    return _to_date(m) if m else None


def _to_date(m: re.Match[str]) -> date | None:
    try:
        return date(int(m.group("y")), int(m.group("m")), int(m.group("d")))
    except ValueError:
        return None


def _stats_period(body: str) -> tuple[tuple[date, date] | None, str | None]:
    m = _STATS.search(halfwidth(body))
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


def _tables(blocks: list[Block], ordered: list[tuple[str, _Candidate]], doc: Document) -> list[Table]:
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
            if not t.readable and not t.image_only:
                doc.issues.append(
                    ExtractionIssue(
                        code="FMT-005",
                        message=f"表格{kind}的结构无法完整读取，无法核验其数据：" + "；".join(t.problems[:5]),
                        table=kind,
                        section=key,
                        evidence="；".join(t.problems),
                    )
                )
        tables.extend(found)
    return tables


def _rows(blocks: list[Block]) -> list[Row]:
    rows: list[Row] = []
    for i, b in enumerate(blocks):
        if b.kind == "row":
            rows.append(row_from_block(b, i))
        elif b.kind == "para":
            rows.append(Row(labels=[], values=[], order=i, para=b.text))
    return rows
