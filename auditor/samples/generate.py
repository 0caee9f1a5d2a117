"""A seeded generator of clean, internally consistent annual reports.

Every figure the narrative states comes from the tables, and the tables satisfy the template's
identities (DOMAIN.md §4), so a correct audit of a generated report finds nothing.  The same seed
always gives the same report.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from auditor.templates import (
    SECTION_HEADINGS,
    SECTION_HEADINGS_2019,
    T2_2019,
    T2_2021,
    T3_2019,
    T3_2021,
    T3_APPLICANT_COLUMNS,
    T4_OUTCOMES,
    T4_SPEC,
    TableSpec,
    expected_version,
)

Grid = dict[tuple[str, str], str]
"""Raw cell text keyed by (template row id, template column id)."""

LEVELS = ("government", "department", "township")
NUMERALS = ("一", "二", "三", "四", "五", "六")
ASPECTS = ("主动公开", "依申请公开", "政府信息管理", "政府信息公开平台建设", "监督保障")
ASSESSMENT = "工作考核、社会评议和责任追究"


@dataclass(slots=True)
class SampleReport:
    """One generated report: what the renderers write and what extraction must give back."""

    agency: str
    level: str
    """government, department or township."""
    year: int
    title: str
    published: date
    preamble: list[str]
    """Paragraphs between the title and section 一 (legal basis, statistics period, contact)."""
    sections: dict[str, tuple[str, list[str]]]
    """Section key (一…六) -> (heading as written, paragraphs).  The tables of 二–四 follow the paragraphs."""
    t2: Grid
    t3: Grid
    t4: Grid
    t2_version: str
    t3_version: str
    notes: list[str] = field(default_factory=list)
    """Free remarks on how the report was made (never rendered)."""

    @property
    def t2_spec(self) -> TableSpec:
        """The template of this report's T2."""
        return T2_2021 if self.t2_version == "2021" else T2_2019

    @property
    def t3_spec(self) -> TableSpec:
        """The template of this report's T3."""
        return T3_2021 if self.t3_version == "2021" else T3_2019


# ------------------------------------------------------------------------------------------ names

_PLACE_FIRST = "东西南北青云龙金白清长平新安永河石桃松凤"
_PLACE_SECOND = "湖山溪河阳川宁丰城江林泉源台桥"
_DEPARTMENTS = (
    "财政局",
    "人力资源和社会保障局",
    "市场监督管理局",
    "卫生健康委员会",
    "应急管理局",
    "住房和城乡建设局",
    "自然资源局",
    "教育局",
    "民政局",
    "交通运输局",
    "农业农村局",
    "生态环境分局",
    "司法局",
    "统计局",
    "机关事务服务中心",
    "人民防空办公室",
)
_TOWNSHIP_SUFFIXES = ("街道办事处", "镇人民政府")


def _place(rng: random.Random) -> str:
    return rng.choice(_PLACE_FIRST) + rng.choice(_PLACE_SECOND)


def _agency_name(rng: random.Random, level: str) -> str:
    county = _place(rng) + rng.choice(("区", "县"))
    if level == "government":
        return f"{county}人民政府"
    if level == "township":
        return f"{county}{_place(rng)}{rng.choice(_TOWNSHIP_SUFFIXES)}"
    return f"{county}{rng.choice(_DEPARTMENTS)}"


def _published(rng: random.Random, year: int, level: str) -> date:
    """A publication date inside the statutory deadline (31 January; 31 March for a government)."""
    last_day = 84 if level == "government" else 27
    return date(year + 1, 1, 4) + timedelta(days=rng.randint(0, last_day - 3))


# ------------------------------------------------------------------------------------------ tables


def _sparse(rng: random.Random, high: int, zero_share: float = 0.5) -> int:
    return 0 if rng.random() < zero_share else rng.randint(1, high)


def _make_t2(rng: random.Random, version: str) -> Grid:
    if version == "2021":
        in_force = rng.randint(0, 40)
        return {
            ("rules", "issued"): "0",
            ("rules", "repealed"): "0",
            ("rules", "in_force"): "0",
            ("normative", "issued"): str(min(in_force, rng.randint(0, 6))),
            ("normative", "repealed"): str(rng.randint(0, 3)),
            ("normative", "in_force"): str(in_force),
            ("licensing", "decisions"): str(_sparse(rng, 900, 0.3)),
            ("penalty", "decisions"): str(_sparse(rng, 300, 0.3)),
            ("enforcement", "decisions"): str(_sparse(rng, 40)),
            ("fees", "amount"): _amount(rng),
        }
    grid: Grid = {}
    for row in ("rules", "normative"):
        made = 0 if row == "rules" else rng.randint(0, 6)
        grid[(row, "made")] = str(made)
        grid[(row, "published")] = str(made)
        grid[(row, "total_published")] = str(0 if row == "rules" else made + rng.randint(0, 30))
    for row in ("licensing", "other_services", "penalty", "enforcement"):
        grid[(row, "prev_items")] = str(_sparse(rng, 120, 0.2))
        grid[(row, "change")] = str(rng.randint(-3, 5))
        grid[(row, "decisions")] = str(_sparse(rng, 600, 0.3))
    grid[("fees", "prev_items")] = str(rng.randint(0, 12))
    grid[("fees", "change")] = str(rng.randint(-2, 1))
    grid[("procurement", "purchase_items")] = str(rng.randint(0, 25))
    grid[("procurement", "purchase_amount")] = _amount(rng, 800)
    return grid


def _amount(rng: random.Random, high: float = 60.0) -> str:
    """An amount in 万元, written with up to four decimals."""
    if rng.random() < 0.4:
        return "0"
    return f"{rng.uniform(0.01, high):.{rng.choice((2, 4))}f}"


_APPLICANT_WEIGHTS = (0.78, 0.12, 0.01, 0.02, 0.03, 0.04)
_RESULT_WEIGHTS = {"granted": 8.0, "partial": 2.0, "unable_1": 3.0, "rejected_2": 1.0, "other_1": 0.6}


def _make_t3(rng: random.Random, version: str, scale: int) -> Grid:
    spec = T3_2021 if version == "2021" else T3_2019
    result_rows = [r.id for r in spec.rows if r.id not in ("new", "carried", "total", "carry_next")]
    handled = 0 if rng.random() < 0.15 else rng.randint(1, scale)
    counts = _distribute(rng, handled, result_rows)
    grid: Grid = {}
    col_totals = dict.fromkeys(T3_APPLICANT_COLUMNS, 0)
    for row in result_rows:
        per_col = _split(rng, counts[row], T3_APPLICANT_COLUMNS, _APPLICANT_WEIGHTS)
        for col, n in per_col.items():
            col_totals[col] += n
        _put_row(grid, row, per_col)
    _put_row(grid, "total", col_totals)
    carry_next = {c: (_sparse(rng, 3, 0.8) if c == "natural" else 0) for c in T3_APPLICANT_COLUMNS}
    carried = {c: min(col_totals[c] + carry_next[c], _sparse(rng, 2, 0.8)) for c in T3_APPLICANT_COLUMNS}
    new = {c: col_totals[c] + carry_next[c] - carried[c] for c in T3_APPLICANT_COLUMNS}
    _put_row(grid, "new", new)
    _put_row(grid, "carried", carried)
    _put_row(grid, "carry_next", carry_next)
    return grid


def _distribute(rng: random.Random, total: int, rows: list[str]) -> dict[str, int]:
    """Spread ``total`` over the result rows, most of it on the rows real reports use most."""
    weights = [_RESULT_WEIGHTS.get(r, 0.15) for r in rows]
    counts = dict.fromkeys(rows, 0)
    for row in rng.choices(rows, weights=weights, k=total):
        counts[row] += 1
    return counts


def _split(
    rng: random.Random, total: int, cols: tuple[str, ...], weights: tuple[float, ...]
) -> dict[str, int]:
    per_col = dict.fromkeys(cols, 0)
    for col in rng.choices(cols, weights=weights, k=total):
        per_col[col] += 1
    return per_col


def _put_row(grid: Grid, row: str, per_col: dict[str, int]) -> None:
    for col, n in per_col.items():
        grid[(row, col)] = str(n)
    grid[(row, "total")] = str(sum(per_col.values()))


def _make_t4(rng: random.Random) -> Grid:
    grid: Grid = {}
    busy = rng.random() < 0.45
    for row in (r.id for r in T4_SPEC.rows):
        outcomes = {o: (_sparse(rng, 3, 0.6) if busy else 0) for o in T4_OUTCOMES}
        if row == "suit_after_review":
            outcomes = {o: min(n, 1) for o, n in outcomes.items()}
        for col, n in outcomes.items():
            grid[(row, col)] = str(n)
        grid[(row, "total")] = str(sum(outcomes.values()))
    return grid


# ------------------------------------------------------------------------------------------ text


def _n(grid: Grid, row: str, col: str = "total") -> int:
    return int(grid[(row, col)])


def _preamble(rng: random.Random, agency: str, year: int) -> list[str]:
    basis = (
        f"本报告根据《中华人民共和国政府信息公开条例》（以下简称《条例》）和国务院办公厅政府信息与政务公开办公室"
        f"关于政府信息公开工作年度报告格式的要求，由{agency}编制。"
    )
    parts = (
        "全文包括总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况、"
        "政府信息公开行政复议和行政诉讼情况、存在的主要问题及改进情况、其他需要报告的事项。"
    )
    period = f"本报告中所列数据统计期限自{year}年1月1日起至{year}年12月31日止。"
    phone = f"0{rng.randint(310, 999)}-{rng.randint(2000000, 8999999)}"
    contact = f"如对本报告有疑问，请与{agency}办公室联系（电话：{phone}）。"
    return [basis + parts + period, contact]


def _active_paragraph(rng: random.Random, r_t2: Grid, version: str, year: int) -> str:
    items = rng.randint(40, 900)
    channel = rng.choice(("门户网站", "政府信息公开专栏", "政务新媒体"))
    text = f"{year}年，通过{channel}等渠道主动公开政府信息{items}条。"
    if version == "2021":
        text += (
            f"制发行政规范性文件{_n(r_t2, 'normative', 'issued')}件，"
            f"废止{_n(r_t2, 'normative', 'repealed')}件。"
        )
    else:
        text += f"新制作规范性文件{_n(r_t2, 'normative', 'made')}件。"
    text += (
        f"全年公开行政许可{_n(r_t2, 'licensing', 'decisions')}件、"
        f"行政处罚{_n(r_t2, 'penalty', 'decisions')}件、"
        f"行政强制{_n(r_t2, 'enforcement', 'decisions')}件。"
    )
    return text + rng.choice(
        (
            "重点领域信息公开做到应公开尽公开。",
            "政策解读与文件同步起草、同步审签、同步发布。",
            "财政预决算、重大建设项目等重点领域信息及时准确公开。",
        )
    )


def _request_paragraph(rng: random.Random, t3: Grid, version: str) -> str:
    new, carried = _n(t3, "new"), _n(t3, "carried")
    lead = rng.choice(
        ("严格按照《条例》规定的程序和时限办理依申请公开。", "依申请公开工作依法依规、规范有序。")
    )
    if new == 0 and carried == 0:
        return lead + "本年度未收到政府信息公开申请。"
    text = lead + f"全年共收到政府信息公开申请{new}件，上年结转{carried}件，办结{_n(t3, 'total')}件"
    text += f"，结转下年度继续办理{_n(t3, 'carry_next')}件。"
    if _n(t3, "total") == 0:
        return text
    outcomes = _outcome_counts(t3, version)
    shown = [f"{name}{n}件" for name, n in outcomes.items() if n or name == "予以公开"]
    return text + "其中" + "，".join(shown) + "。"


def _outcome_counts(t3: Grid, version: str) -> dict[str, int]:
    def block(prefix: str) -> int:
        return sum(int(v) for (row, col), v in t3.items() if col == "total" and row.startswith(prefix))

    other = block("other_") if version == "2021" else _n(t3, "other")
    return {
        "予以公开": _n(t3, "granted"),
        "部分公开": _n(t3, "partial"),
        "不予公开": block("denied_"),
        "无法提供": block("unable_"),
        "不予处理": block("rejected_"),
        "其他处理": other,
    }


def _management_paragraph(rng: random.Random) -> str:
    return rng.choice(
        (
            "严格落实政府信息公开审查机制，坚持“先审查、后公开”和“一事一审”，全年未发生泄密事件。",
            "动态调整主动公开基本目录，对现行有效的规范性文件进行清理并集中公开。",
            "健全信息发布审核制度，明确专人负责信息的收集、审核和发布，确保公开信息准确规范。",
        )
    ) + rng.choice(("", "按要求做好政府信息公开申请的登记、审核、办理、答复和归档工作。"))


def _platform_paragraph(rng: random.Random) -> str:
    visits = rng.randint(2, 90)
    return rng.choice(
        (
            f"持续优化政府门户网站政府信息公开专栏，全年专栏访问量约{visits}万人次。",
            f"加强政务新媒体管理，统筹网站、微信公众号发布，全年发布信息{visits * 10}条。",
            "规范设置政府信息公开指南、公开制度、法定主动公开内容和年度报告等栏目，及时更新栏目内容。",
        )
    )


def _supervision_paragraph(rng: random.Random, t4: Grid) -> str:
    text = rng.choice(
        (
            "将政府信息公开工作纳入年度目标考核，定期开展自查。",
            "建立健全政府信息公开监督检查机制，主动接受社会监督。",
            f"组织政府信息公开业务培训{rng.randint(1, 6)}次，提升工作人员业务能力。",
        )
    )
    return text + _review_sentence(t4)


def _review_sentence(t4: Grid) -> str:
    review = _n(t4, "review")
    suits = _n(t4, "suit_direct") + _n(t4, "suit_after_review")
    if review == 0 and suits == 0:
        return "全年未发生因政府信息公开引起的行政复议、行政诉讼案件。"
    return f"全年发生政府信息公开行政复议{review}件、行政诉讼{suits}件。"


def _assessment_paragraph(rng: random.Random) -> str:
    return rng.choice(
        (
            "将政务公开工作纳入绩效考核，通过门户网站开展社会评议，全年未发生责任追究情况。",
            "组织开展政务公开第三方评估和社会评议，评议结果纳入年度考核，本年度未发生政府信息公开责任追究事项。",
        )
    )


def _section_one(rng: random.Random, report: SampleReport, government: bool) -> list[str]:
    year = report.year
    intro = rng.choice(
        (
            f"{year}年，{report.agency}坚持以人民为中心，认真贯彻落实《条例》，扎实推进政府信息公开工作。",
            f"{year}年，在上级政务公开主管部门的指导下，{report.agency}深入推进政务公开标准化规范化建设。",
        )
    )
    bodies = [
        _active_paragraph(rng, report.t2, report.t2_version, year),
        _request_paragraph(rng, report.t3, report.t3_version),
        _management_paragraph(rng),
        _platform_paragraph(rng),
        _supervision_paragraph(rng, report.t4),
    ]
    names = list(ASPECTS)
    if government:
        names.append(ASSESSMENT)
        bodies.append(_assessment_paragraph(rng))
    paragraphs = [intro]
    inline = rng.random() < 0.5
    for i, (name, body) in enumerate(zip(names, bodies, strict=True)):
        label = f"（{NUMERALS[i]}）{name}"
        paragraphs.extend([f"{label}。{body}"] if inline else [label, body])
    return paragraphs


_PROBLEMS = (
    "政策解读形式较为单一，图解、视频等多样化解读偏少",
    "主动公开信息更新不够及时，个别栏目内容更新滞后",
    "工作人员业务能力有待进一步提高",
    "依申请公开答复的规范性还需加强",
    "重点领域信息公开的深度和广度还需拓展",
)
_MEASURES = (
    "加强业务培训，提升工作人员政策水平和业务能力",
    "丰富政策解读形式，提高解读质量",
    "建立栏目更新台账，定期检查栏目内容更新情况",
    "规范依申请公开办理流程，严格答复文书审核",
    "围绕群众关切拓展重点领域信息公开",
)
_ORDINALS = ("一是", "二是", "三是")


def _enumerate(items: list[str]) -> str:
    return "；".join(f"{_ORDINALS[i]}{item}" for i, item in enumerate(items)) + "。"


def _section_five(rng: random.Random, year: int) -> list[str]:
    problems = _enumerate(rng.sample(_PROBLEMS, rng.randint(2, 3)))
    measures = _enumerate(rng.sample(_MEASURES, rng.randint(2, 3)))
    paragraphs = [f"存在的主要问题：{year}年政府信息公开工作取得一定成效，但仍存在一些不足：{problems}"]
    if rng.random() < 0.5:
        paragraphs.append("上年度问题整改情况：针对上年度报告指出的问题，已逐项制定整改措施并整改到位。")
    paragraphs.append(f"改进措施：下一步，将重点做好以下工作：{measures}")
    return paragraphs


def _section_six(rng: random.Random, year: int) -> list[str]:
    if year < 2021:
        return ["本年度无其他需要报告的事项。"]
    if rng.random() < 0.7:
        fee = "本年度未收取信息处理费。"
    else:
        fee = f"本年度共收取信息处理费{rng.randint(1, 30) * 10}元。"
    extra = rng.choice(("", "本年度无其他需要报告的事项。"))
    return ["按照《政府信息公开信息处理费管理办法》（国办函〔2020〕109号）规定，" + fee + extra]


# ------------------------------------------------------------------------------------------ entry


def make_report(
    seed: int, *, year: int = 2023, agency: str | None = None, level: str = "department"
) -> SampleReport:
    """A clean, internally consistent report for ``year``, varied by ``seed`` and always the same for it.

    ``level`` is government, department or township; ``agency`` overrides the generated body name.
    """
    if level not in LEVELS:
        raise ValueError(f"level must be one of {LEVELS}, not {level!r}")
    if year < 2019:
        raise ValueError("the report formats start with report year 2019")
    rng = random.Random(seed)
    version = expected_version(year) or "2021"
    name = agency or _agency_name(rng, level)
    headings = SECTION_HEADINGS if version == "2021" else SECTION_HEADINGS_2019
    report = SampleReport(
        agency=name,
        level=level,
        year=year,
        title=f"{name}{year}年政府信息公开工作年度报告",
        published=_published(rng, year, level),
        preamble=_preamble(rng, name, year),
        sections={},
        t2=_make_t2(rng, version),
        t3=_make_t3(rng, version, 300 if level == "government" else 60),
        t4=_make_t4(rng),
        t2_version=version,
        t3_version=version,
    )
    government = name.endswith("人民政府")
    bodies = {
        "一": _section_one(rng, report, government),
        "二": [],
        "三": [],
        "四": [],
        "五": _section_five(rng, year),
        "六": _section_six(rng, year),
    }
    report.sections = {key: (f"{key}、{headings[key]}", bodies[key]) for key in NUMERALS}
    return report
