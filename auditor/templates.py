"""The State Council's report format as data: section headings, and the rows and columns of T2/T3/T4
in the 2019 (国办公开办函〔2019〕60号) and 2021 (国办公开办函〔2021〕30号) versions.

Row and column ids are stable ASCII keys used by the document model, the pandera schemas, the rules
and the findings; ``label`` is the template wording shown to people.
"""

from __future__ import annotations

from dataclasses import dataclass, field

SECTION_HEADINGS: dict[str, str] = {
    "一": "总体情况",
    "二": "主动公开政府信息情况",
    "三": "收到和处理政府信息公开申请情况",
    "四": "政府信息公开行政复议、行政诉讼情况",
    "五": "存在的主要问题及改进情况",
    "六": "其他需要报告的事项",
}
"""Template wording of the six headings (without the numbering)."""

TABLE_NAMES: dict[str, str] = {"T2": "表二", "T3": "表三", "T4": "表四"}
"""The three standard tables as the format names them."""

SECTION_HEADINGS_2019: dict[str, str] = {**SECTION_HEADINGS, "五": "政府信息公开工作存在的主要问题及改进情况"}

SECTION_TABLE: dict[str, str] = {"二": "T2", "三": "T3", "四": "T4"}


@dataclass(frozen=True, slots=True)
class RowSpec:
    id: str
    label: str
    """Template wording (for T3 sub-rows the wording without the block, e.g. "1.属于国家秘密")."""
    aliases: tuple[str, ...] = ()
    """Other wordings seen in real reports (after normalisation)."""
    columns: tuple[str, ...] = ()
    """For T2: the columns of this row's block. Empty: all table columns."""
    block: str | None = None
    """For T3 sub-rows: the block label, e.g. "（三）不予公开"."""
    number: str | None = None
    """The row's own numbering as printed: "一", "（三）", "1" …"""

    @property
    def display(self) -> str:
        return f"{self.block}{self.label}" if self.block else self.label


@dataclass(frozen=True, slots=True)
class ColSpec:
    id: str
    label: str
    aliases: tuple[str, ...] = ()
    decimal: bool = False
    """Decimal allowed (amounts in 万元); otherwise an integer count."""
    signed: bool = False
    """Negative values allowed (2019 本年增/减)."""


@dataclass(frozen=True, slots=True)
class TableSpec:
    kind: str
    version: str
    rows: tuple[RowSpec, ...]
    columns: tuple[ColSpec, ...]
    identities: tuple[str, ...] = field(default=())
    _row_index: dict[str, RowSpec] = field(init=False, repr=False, compare=False, hash=False)
    """Rows by id (the first row of an id), for :meth:`row`: asked for every row of every table read."""

    def __post_init__(self) -> None:
        index: dict[str, RowSpec] = {}
        for r in self.rows:
            index.setdefault(r.id, r)
        object.__setattr__(self, "_row_index", index)  # frozen: the dataclass way to set a derived field

    def row(self, row_id: str) -> RowSpec:
        try:
            return self._row_index[row_id]
        except KeyError:
            raise KeyError(row_id) from None

    def col(self, col_id: str) -> ColSpec:
        for c in self.columns:
            if c.id == col_id:
                return c
        raise KeyError(col_id)

    def columns_of(self, row_id: str) -> tuple[str, ...]:
        spec = self.row(row_id)
        return spec.columns or tuple(c.id for c in self.columns)

    def required_cells(self) -> list[tuple[str, str]]:
        return [(r.id, c) for r in self.rows for c in self.columns_of(r.id)]


# ---------------------------------------------------------------------------------------------- T2

_T2_2021_COLS = (
    ColSpec("issued", "本年制发件数"),
    ColSpec("repealed", "本年废止件数"),
    ColSpec("in_force", "现行有效件数"),
    ColSpec("decisions", "本年处理决定数量"),
    ColSpec("amount", "本年收费金额（单位：万元）", aliases=("本年收费金额",), decimal=True),
)
T2_2021 = TableSpec(
    "T2",
    "2021",
    rows=(
        RowSpec("rules", "规章", columns=("issued", "repealed", "in_force"), number="（一）"),
        RowSpec("normative", "行政规范性文件", columns=("issued", "repealed", "in_force"), number="（一）"),
        RowSpec("licensing", "行政许可", columns=("decisions",), number="（五）"),
        RowSpec("penalty", "行政处罚", columns=("decisions",), number="（六）"),
        RowSpec("enforcement", "行政强制", columns=("decisions",), number="（六）"),
        RowSpec("fees", "行政事业性收费", columns=("amount",), number="（八）"),
    ),
    columns=_T2_2021_COLS,
)

_T2_2019_COLS = (
    ColSpec("made", "本年新制作数量"),
    ColSpec("published", "本年新公开数量"),
    ColSpec("total_published", "对外公开总数量"),
    ColSpec("prev_items", "上一年项目数量"),
    ColSpec("change", "本年增/减", aliases=("本年增减",), signed=True),
    ColSpec("decisions", "处理决定数量"),
    ColSpec("purchase_items", "采购项目数量"),
    ColSpec("purchase_amount", "采购总金额", decimal=True),
)
T2_2019 = TableSpec(
    "T2",
    "2019",
    rows=(
        RowSpec("rules", "规章", columns=("made", "published", "total_published"), number="（一）"),
        RowSpec(
            "normative", "规范性文件", columns=("made", "published", "total_published"), number="（一）"
        ),
        RowSpec("licensing", "行政许可", columns=("prev_items", "change", "decisions"), number="（五）"),
        RowSpec(
            "other_services",
            "其他对外管理服务事项",
            columns=("prev_items", "change", "decisions"),
            number="（五）",
        ),
        RowSpec("penalty", "行政处罚", columns=("prev_items", "change", "decisions"), number="（六）"),
        RowSpec("enforcement", "行政强制", columns=("prev_items", "change", "decisions"), number="（六）"),
        RowSpec("fees", "行政事业性收费", columns=("prev_items", "change"), number="（八）"),
        RowSpec(
            "procurement", "政府集中采购", columns=("purchase_items", "purchase_amount"), number="（九）"
        ),
    ),
    columns=_T2_2019_COLS,
)

# ---------------------------------------------------------------------------------------------- T3

T3_COLUMNS = (
    ColSpec("natural", "自然人"),
    ColSpec("commercial", "商业企业"),
    ColSpec("research", "科研机构"),
    ColSpec("public_interest", "社会公益组织", aliases=("社会组织", "社会公益")),
    ColSpec("legal", "法律服务机构"),
    ColSpec("other_org", "其他"),
    ColSpec("total", "总计"),
)
T3_APPLICANT_COLUMNS = ("natural", "commercial", "research", "public_interest", "legal", "other_org")

_DENIED = "（三）不予公开"
_UNABLE = "（四）无法提供"
_REJECTED = "（五）不予处理"
_OTHER = "（六）其他处理"

_T3_HEAD = (
    RowSpec("new", "一、本年新收政府信息公开申请数量", number="一"),
    RowSpec("carried", "二、上年结转政府信息公开申请数量", number="二"),
    RowSpec("granted", "（一）予以公开", number="（一）"),
    RowSpec("partial", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", number="（二）"),
    RowSpec("denied_1", "1.属于国家秘密", block=_DENIED, number="1"),
    RowSpec(
        "denied_2",
        "2.其他法律行政法规禁止公开",
        block=_DENIED,
        number="2",
        aliases=("2.其他法律法规禁止公开",),
    ),
    RowSpec("denied_3", "3.危及“三安全一稳定”", block=_DENIED, number="3"),
    RowSpec("denied_4", "4.保护第三方合法权益", block=_DENIED, number="4"),
    RowSpec("denied_5", "5.属于三类内部事务信息", block=_DENIED, number="5"),
    RowSpec("denied_6", "6.属于四类过程性信息", block=_DENIED, number="6"),
    RowSpec("denied_7", "7.属于行政执法案卷", block=_DENIED, number="7"),
    RowSpec("denied_8", "8.属于行政查询事项", block=_DENIED, number="8"),
    RowSpec("unable_1", "1.本机关不掌握相关政府信息", block=_UNABLE, number="1"),
    RowSpec("unable_2", "2.没有现成信息需要另行制作", block=_UNABLE, number="2"),
    RowSpec("unable_3", "3.补正后申请内容仍不明确", block=_UNABLE, number="3"),
    RowSpec("rejected_1", "1.信访举报投诉类申请", block=_REJECTED, number="1"),
    RowSpec("rejected_2", "2.重复申请", block=_REJECTED, number="2"),
    RowSpec("rejected_3", "3.要求提供公开出版物", block=_REJECTED, number="3"),
    RowSpec("rejected_4", "4.无正当理由大量反复申请", block=_REJECTED, number="4"),
    RowSpec("rejected_5", "5.要求行政机关确认或重新出具已获取信息", block=_REJECTED, number="5"),
)
_T3_TAIL = (
    RowSpec("total", "（七）总计", number="（七）"),
    RowSpec("carry_next", "四、结转下年度继续办理", number="四"),
)
T3_2021 = TableSpec(
    "T3",
    "2021",
    rows=_T3_HEAD
    + (
        RowSpec(
            "other_1",
            "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
            block=_OTHER,
            number="1",
        ),
        RowSpec(
            "other_2",
            "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
            block=_OTHER,
            number="2",
        ),
        RowSpec("other_3", "3.其他", block=_OTHER, number="3"),
    )
    + _T3_TAIL,
    columns=T3_COLUMNS,
)
T3_2019 = TableSpec(
    "T3",
    "2019",
    rows=_T3_HEAD + (RowSpec("other", "（六）其他处理", number="（六）"),) + _T3_TAIL,
    columns=T3_COLUMNS,
)

# ---------------------------------------------------------------------------------------------- T4

T4_OUTCOMES = ("upheld", "corrected", "other", "pending")
T4_SPEC = TableSpec(
    "T4",
    "any",
    rows=(
        RowSpec("review", "行政复议"),
        RowSpec("suit_direct", "行政诉讼·未经复议直接起诉", aliases=("未经复议直接起诉",)),
        RowSpec("suit_after_review", "行政诉讼·复议后起诉", aliases=("复议后起诉",)),
    ),
    columns=(
        ColSpec("upheld", "结果维持"),
        ColSpec("corrected", "结果纠正"),
        ColSpec("other", "其他结果"),
        ColSpec("pending", "尚未审结"),
        ColSpec("total", "总计"),
    ),
)

SPECS: dict[tuple[str, str], TableSpec] = {
    ("T2", "2021"): T2_2021,
    ("T2", "2019"): T2_2019,
    ("T3", "2021"): T3_2021,
    ("T3", "2019"): T3_2019,
    ("T4", "2021"): T4_SPEC,
    ("T4", "2019"): T4_SPEC,
    ("T4", "unknown"): T4_SPEC,
}


def spec_for(kind: str, version: str) -> TableSpec | None:
    """The template spec of a table kind in a version (T4 is the same in both)."""
    if kind == "T4":
        return T4_SPEC
    return SPECS.get((kind, version))


def expected_version(year: int | None) -> str | None:
    """The format a report for ``year`` must use: 2019 format for 2019–2020, 2021 format from 2021."""
    if year is None:
        return None
    return "2021" if year >= 2021 else "2019"
