"""Finding the six section headings wherever they stand.

Real reports put a heading on its own line ("一、总体情况", "## 一、…", "1、 总体情况"), after ASCII or
full-width indents, at the start of a line that goes on with the text ("　　一、总体情况　　2020年，…"),
or inside running text after the previous sentence (exports that lost their line breaks).  They use the
2019 or 2021 wording or a common variant ("一、基本情况", "一、概述", the 条例's "因政府信息公开工作被申请
行政复议、提起行政诉讼情况").  Every numbered short line is a candidate; the six sections are assigned to
candidates in document order so that the total fit is highest (a small dynamic programme).  Deviations
keep their similarity to the template wording for SEC-003; a heading is never invented.

The work is linear in the input and bounded: similarity is memoised per wording, a document with more
candidates than any report has is scored in full only on its best candidates per section, and inline
headings are looked for at most a bounded number of times per document.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache

from auditor.extract.ir import Block
from auditor.extract.textcodec import halfwidth, norm_label, squash
from auditor.model import SECTION_KEYS
from auditor.templates import SECTION_HEADINGS, SECTION_HEADINGS_2019

SECTION_VARIANTS: dict[str, tuple[str, ...]] = {
    "一": ("基本情况", "概述", "工作概述", "总体情况概述", "概况", "工作总体情况"),
    "二": ("主动公开情况", "主动公开政府信息的情况"),
    "三": ("收到和处理政府信息公开申请的情况", "依申请公开政府信息情况"),
    "四": (
        "因政府信息公开工作被申请行政复议、提起行政诉讼情况",
        "因政府信息公开工作被申请行政复议、提起行政诉讼的情况",
        "因政府信息公开申请行政复议、提起行政诉讼的情况",
        "政府信息公开行政复议和行政诉讼情况",
    ),
    "五": (
        "存在的主要问题和改进情况",
        "存在的主要问题及改进措施",
        "工作中存在的主要问题及改进情况",
        "政府信息公开工作存在的主要问题及改进措施",
    ),
    "六": ("其他事项", "其他需要报告的情况"),
}
"""Wordings real reports use for a section besides the 2019 and 2021 templates' (the 条例 第五十条's
own wording of 四 among them).  They locate the section; SEC-003 still notes the deviation, since the
similarity kept on the section is measured against the templates only."""

_KEY_SIGNS: dict[str, tuple[str, ...]] = {
    "一": ("总体", "基本", "概"),
    "二": ("主动",),
    "三": ("申请",),
    "四": ("复议", "诉讼"),
    "五": ("问题", "改进"),
    "六": ("其他", "事项"),
}
"""Words that every wording of the section holds (templates and variants alike): a cheap first test
before any similarity is computed."""

_CN_NUM = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_HEADING = re.compile(
    r"^\s*(?:#{1,6}\s*)?(?:\*\*)?\s*(?P<num>[一二三四五六七八九十]{1,2}|[1-9１-９])\s*(?P<sep>[、.．:：]|\s)\s*"
    r"(?P<text>\S.{0,40})$"
)
_HEADING_FIRST = frozenset("#*一二三四五六七八九十123456789１２３４５６７８９")
"""The characters a stripped line :data:`_HEADING` matches can start with (its optional "#", "**",
then the number): any other line is passed over without trying the pattern."""
_INLINE_HEADING = re.compile(r"(?P<num>[一二三四五六])\s*、")
_BREAK_BEFORE = re.compile(r"[\s。；;）)：:]")
_SPACE_RUN = re.compile(r"[ \t\u3000\u00a0]+")
_SENTENCE_MARKS = ("。", "，", "；", "：", ",", ";")
_T3_ROW_WORDS = re.compile("本年新收|上年结转|本年度办理结果|结转下年度|办理结果")
_PROBLEMS_SUBHEADING = re.compile(
    r"^[（(]\s*[一二12１２]\s*[)）]\s*[^。；]{0,24}?(?:存在的?(?:主要)?问题|主要问题|改进情况|改进措施)"
)

MAX_SCORED_CANDIDATES = 600
"""Above this many heading candidates (no report has a tenth of it) only the best per section are
scored in full, so the assignment stays linear in the document's size."""
_KEPT_PER_SECTION = 12
MAX_INLINE_TESTS = 400
"""Inline heading tests per document; a text with more "X、" than this is not a report's narrative."""


@dataclass(slots=True)
class Candidate:
    """A line (or the start of one) that may be a section heading."""

    index: int
    """Block index."""
    heading: str
    """The line as written."""
    text: str
    """The heading's wording after the numbering, normalised."""
    num: int | None
    standalone: bool
    inferred: bool = False
    """True for a section whose heading is lost but whose content is recognised (its first block is
    content, not a heading)."""


def _wordings(key: str) -> tuple[str, ...]:
    return (SECTION_HEADINGS[key], SECTION_HEADINGS_2019[key])


@lru_cache(maxsize=16384)
def template_similarity(key: str, text: str) -> float:
    """Similarity of a normalised wording to the 2019/2021 template heading of a section."""
    return max(SequenceMatcher(None, text, norm_label(h)).ratio() for h in _wordings(key))


@lru_cache(maxsize=16384)
def wording_fit(key: str, text: str) -> float:
    """How well a normalised wording names a section: templates and known variants alike."""
    best = template_similarity(key, text)
    for variant in SECTION_VARIANTS[key]:
        if best >= 1.0:
            break
        best = max(best, SequenceMatcher(None, text, norm_label(variant)).ratio())
    return best


_TEMPLATE_NUMBERING = re.compile(r"^\s*(?:#{1,6}\s*)?(?:\*\*)?\s*[一二三四五六]\s*、")


def numbering_style_ok(heading: str) -> bool:
    """Whether a heading is numbered as the template numbers it ("一、")."""
    return bool(_TEMPLATE_NUMBERING.match(heading))


# ------------------------------------------------------------------------------------ inline headings


class _InlineBudget:
    """Counts the inline tests made in one document (see MAX_INLINE_TESTS)."""

    __slots__ = ("left",)

    def __init__(self) -> None:
        self.left = MAX_INLINE_TESTS

    def take(self) -> bool:
        self.left -= 1
        return self.left >= 0


def split_inline_headings(blocks: list[Block]) -> list[Block]:
    """Cut paragraphs before and after the section headings they hold, so each heading is a block.

    A heading counts inline when it follows a sentence end or whitespace (or starts the line) and is
    set off by a run of spaces or matches a section's wording closely; glued to the text before it (a
    table's last number), only a near-exact wording counts.
    """
    budget = _InlineBudget()
    out: list[Block] = []
    for b in blocks:
        # most paragraphs hold no "一、"…"六、" at all: one search passes them over (and none where
        # the text has no "、", a scan ten times cheaper than the search)
        if (
            b.kind != "para"
            or budget.left <= 0
            or "、" not in b.text
            or _INLINE_HEADING.search(b.text) is None
        ):
            out.append(b)
            continue
        cuts = _inline_cuts(b.text, budget)
        if not cuts:
            out.append(b)
            continue
        pos = 0
        for start, end in cuts:
            before = b.text[pos:start].strip()
            if before:
                out.append(Block("para", text=before))
            out.append(Block("para", text=b.text[start:end].strip(), heading=b.heading))
            pos = end
        rest = b.text[pos:].strip()
        if rest:
            out.append(Block("para", text=rest))
    return out


def _inline_cuts(text: str, budget: _InlineBudget) -> list[tuple[int, int]]:
    """(start, end) of each section heading inside a paragraph that holds more than the heading."""
    cuts: list[tuple[int, int]] = []
    stripped = text.strip()
    if _HEADING.match(stripped) and len(squash(stripped)) <= 40 and not stripped.endswith(_SENTENCE_MARKS):
        return cuts  # the whole line is a heading candidate already
    for m in _INLINE_HEADING.finditer(text):
        if cuts and m.start() < cuts[-1][1]:
            continue
        start = m.start()
        # Glued: right after a character that ends nothing (a table's last digit); only the one
        # character before is looked at, so a long paragraph costs one pass.
        glued = start > 0 and not _BREAK_BEFORE.match(text[start - 1])
        if not budget.take():
            break
        end = _heading_end(text, m, glued)
        if end is not None and (start > 0 or text[end:].strip()):
            cuts.append((start, end))
    return cuts


def _heading_end(text: str, m: re.Match[str], glued: bool) -> int | None:
    """Where the heading that starts at ``m`` ends, or None when what follows is not a heading."""
    key = m.group("num")
    after = text[m.end() : m.end() + 48]
    if not any(word in after for word in _KEY_SIGNS[key]):
        return None  # none of the section's words follows: not its heading, whatever the numbering
    end, fit = _best_prefix(key, text[m.end() : m.end() + 40])
    run = _SPACE_RUN.search(after)
    if not glued and run is not None and 2 <= run.start() <= 40:
        # A wording set off by spaces is the heading as written (a variant included), unless a
        # shorter prefix matches the section's wording better (the export dropped the space).
        wording = after[: run.start()]
        run_fit = wording_fit(key, norm_label(wording))
        if not any(mark in wording for mark in _SENTENCE_MARKS) and run_fit >= 0.75 and run_fit >= fit - 0.02:
            return m.end() + run.start()
    if fit >= (0.9 if glued else 0.75):
        return m.end() + end
    return None


@lru_cache(maxsize=4096)
def _best_prefix(key: str, following: str) -> tuple[int, float]:
    """The length of ``following``'s prefix that best matches one of the section's wordings."""
    best_end, best_fit = 0, 0.0
    # The templates' wordings first: a variant is looked at only when no template wording fits, so a
    # near-template heading is not stretched over the text that follows it.
    for wordings in (_wordings(key), SECTION_VARIANTS[key]):
        for wording in wordings:
            target = norm_label(wording)
            for extra in range(-3, 5):
                end = len(wording) + extra
                if end <= 0 or end > len(following):
                    continue
                fit = SequenceMatcher(None, norm_label(following[:end]), target).ratio()
                if fit > best_fit + 1e-9:
                    best_fit, best_end = fit, end
        if best_fit >= 0.9:
            break
    return best_end, best_fit


# ------------------------------------------------------------------------------------ candidates


def candidates(blocks: list[Block], match_text: list[str]) -> list[Candidate]:
    """Every numbered short line that may be a section heading."""
    found: list[Candidate] = []
    for i, b in enumerate(blocks):
        if b.kind != "para":
            continue
        text = match_text[i].strip()
        if len(text) > 60 or text[:1] not in _HEADING_FIRST:
            continue
        fields = _candidate_fields(text)
        if fields is not None:
            found.append(Candidate(i, b.text.strip(), *fields))
    return found


@lru_cache(maxsize=4096)
def _candidate_fields(text: str) -> tuple[str, int | None, bool] | None:
    """(wording, number, standalone) of a stripped line that may be a section heading, or None.
    Cached: it depends on the line alone, and the headings of reports repeat (the template's)."""
    m = _HEADING.match(text)
    if not m:
        return None
    size = len(squash(text))
    if size > 40:
        return None
    # Normalised (the costly part) only for the shortlisted candidates: see assign_sections.
    wording = squash(m.group("text").rstrip("*"))
    if _T3_ROW_WORDS.search(wording) or wording.startswith(("是", "要")):
        return None  # "一是…" is an enumeration; T3 row labels are not headings
    raw_num = m.group("num")
    num = int(halfwidth(raw_num)) if raw_num.isdigit() else _CN_NUM.get(raw_num)
    if num is not None and num > 6 and not raw_num.isdigit():
        return None  # 七、八、… are a list's items, not one of the six sections
    return wording, num, size <= 30 and not text.endswith(("。", "；"))


def score(key: str, cand: Candidate) -> float:
    """How well a candidate heading fits a template section (0 = not at all)."""
    sim = wording_fit(key, cand.text)
    numbered_as_key = cand.num == SECTION_KEYS.index(key) + 1
    if sim >= 0.6:
        return sim + (0.3 if numbered_as_key else 0.0)
    if numbered_as_key and cand.standalone and sim >= 0.15:
        return 0.35 + sim
    if numbered_as_key and cand.standalone and len(cand.text) <= 6:
        return 0.3
    return 0.0


@lru_cache(maxsize=4096)
def _scores(text: str, num: int | None, standalone: bool) -> tuple[float, ...]:
    """:func:`score` for each section in order, of a candidate with these fields.  Cached: the
    headings of reports repeat (the template's wordings), and a candidate is scored six times."""
    cand = Candidate(-1, "", text, num, standalone)
    return tuple(score(key, cand) for key in SECTION_KEYS)


_SIGNS = re.compile(
    "|".join(f"(?P<k{j}>{'|'.join(_KEY_SIGNS[key])})" for j, key in enumerate(SECTION_KEYS))
)
"""One pass over a wording finds which sections' words it holds (group k0 … k5)."""


def _shortlist(cands: list[Candidate]) -> list[Candidate]:
    """The candidates worth scoring in full: all of them in any real report; in a document with more
    than MAX_SCORED_CANDIDATES, the best per section by a cheap measure (numbering, the section's
    words), earliest first among equals."""
    if len(cands) <= MAX_SCORED_CANDIDATES:
        return cands
    # buckets[section][rank]: positions, in document order, of candidates of that cheap rank
    buckets: list[list[list[int]]] = [[[] for _ in range(4)] for _ in SECTION_KEYS]
    for pos, c in enumerate(cands):
        signed = {int(m.lastgroup[1:]) for m in _SIGNS.finditer(c.text) if m.lastgroup}
        for j in range(len(SECTION_KEYS)):
            rank = (2 if c.num == j + 1 else 0) + (1 if j in signed else 0)
            if rank and len(buckets[j][rank]) < _KEPT_PER_SECTION:
                buckets[j][rank].append(pos)
    keep: set[int] = set()
    for ranks in buckets:
        keep.update([*ranks[3], *ranks[2], *ranks[1]][:_KEPT_PER_SECTION])
    return [cands[pos] for pos in sorted(keep)]


def assign_sections(blocks: list[Block], match_text: list[str]) -> tuple[dict[str, Candidate], list[str]]:
    """Assign the six sections to heading candidates in order, maximising the total fit.

    Returns the assignment and the headings left over that closely resemble a template heading
    (duplicates, out of order) for SEC-002.
    """
    cands = _shortlist(candidates(blocks, match_text))
    for c in cands:
        c.text = norm_label(c.text)
    scores = tuple([_scores(c.text, c.num, c.standalone) for c in cands])
    assigned = {SECTION_KEYS[j]: cands[i] for i, j in _best_assignment(scores)}
    used = {c.index for c in assigned.values()}
    extra = [
        c.heading
        for c in cands
        if c.index not in used and max(template_similarity(key, c.text) for key in SECTION_KEYS) >= 0.85
    ][:20]
    _infer_problems_section(blocks, assigned)
    return assigned, extra


@lru_cache(maxsize=4096)
def _best_assignment(scores: tuple[tuple[float, ...], ...]) -> tuple[tuple[int, int], ...]:
    """(candidate, section) positions of the assignment in order that maximises the total score,
    ``scores[i][j]`` being candidate i's fit to section j.  Cached: it depends on the scores alone,
    and the scores of reports repeat (their headings are the template's), while the table costs a
    report as much as reading its headings."""
    n, k = len(scores), len(SECTION_KEYS)
    # best[i][j]: best total using candidates[i:] for sections[j:]; only two rows are kept, the
    # choices (one small int per cell) are enough to walk the assignment back.
    nxt = [0.0] * (k + 1)
    choice = [bytearray(k + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        cur = [0.0] * (k + 1)
        for j in range(k - 1, -1, -1):
            best, step = nxt[j], 0
            if cur[j + 1] > best:
                best, step = cur[j + 1], 1
            if scores[i][j] > 0 and scores[i][j] + nxt[j + 1] > best:
                best, step = scores[i][j] + nxt[j + 1], 2
            cur[j], choice[i][j] = best, step
        nxt = cur
    pairs: list[tuple[int, int]] = []
    i = j = 0
    while i < n and j < k:
        step = choice[i][j]
        if step == 2:
            pairs.append((i, j))
            i, j = i + 1, j + 1
        elif step == 1:
            j += 1
        else:
            i += 1
    return tuple(pairs)


def _infer_problems_section(blocks: list[Block], assigned: dict[str, Candidate]) -> None:
    """Section 五 whose heading was lost (a PDF conversion dropped it) but whose content stands where it
    belongs: after the table of the section before it, its sub-headings "（一）…主要问题" or
    "（一）…改进情况".  The section is taken as present with no heading (SEC-003 says so); nothing
    is inferred from a text that is not there."""
    if "五" in assigned:
        return
    before = [key for key in ("二", "三", "四") if key in assigned]
    if not before:
        return
    prev = assigned[before[-1]]
    stop = assigned["六"].index if "六" in assigned else len(blocks)
    rows = [i for i in range(prev.index + 1, stop) if blocks[i].kind == "row"]
    if not rows:
        return  # without the table's end in sight, a sub-heading could belong to the section itself
    for i in range(rows[-1] + 1, stop):
        b = blocks[i]
        text = b.text.strip()
        if b.kind == "para" and _PROBLEMS_SUBHEADING.match(halfwidth(text)):
            assigned["五"] = Candidate(i, "", "", None, True, inferred=True)
            return
