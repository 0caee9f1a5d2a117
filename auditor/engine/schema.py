"""The rule language as a checked contract: pydantic models of a rule file and of each shape's parameters.

The loader validates every rule file against :class:`RuleFile` and its shape's parameters against the
shape's model in :data:`SHAPE_PARAMS` before compiling it; a python-shape module may declare the model of
its own parameters as ``PARAMS`` (a pydantic model).  :func:`describe_error` turns a validation error
into the one line a rule author reads: the field and what was expected.  docs/rules.md is generated
from these models and the shapes' docstrings (:mod:`auditor.engine.reference`).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)

from auditor.engine.requirements import parse_requirement
from auditor.findings.model import Severity

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
"""A non-empty text."""
MonthDay = Annotated[str, StringConstraints(pattern=r"^\d{1,2}-\d{1,2}$")]
Section = Literal["一", "二", "三", "四", "五", "六"]
TableKind = Literal["T2", "T3", "T4"]
Format = Literal["txt", "md", "html", "docx", "pdf"]
Level = Literal["government", "department", "township"]
Phrases = Text | list[Text]
"""One phrase (a regular expression) or a list of them."""


def _requirement(text: str) -> str:
    parse_requirement(text)
    return text


RequirementText = Annotated[str, AfterValidator(_requirement)]
"""One requirement of the ``requires`` vocabulary (auditor.engine.requirements)."""


class Strict(BaseModel):
    """A mapping whose keys are all known (a misspelt key is an error, not silently ignored)."""

    model_config = ConfigDict(extra="forbid")


# --- shape parameters -------------------------------------------------------------------------------


class RequiredSectionParams(Strict):
    sections: Section | list[Section] = Field(description="必须出现的部分（一 … 六）")


class RequiredAspectsParams(Strict):
    sections: Section | list[Section] = Field(description="在哪些部分的正文中查找")
    aspects: dict[str, Phrases] = Field(min_length=1, description="方面名称 → 任一即算提到的短语（正则）")
    plans_in: Section | list[Section] = Field(default=[], description="这些部分中属于计划的句子不算提到")
    plan_markers: Phrases = Field(default=[], description="标明一句话是计划的短语（正则）")


class RequiredPhrasesParams(Strict):
    sections: Section | list[Section] = Field(description="在哪些部分的正文中查找")
    name: Text = Field(description="这些短语表示什么（提示信息中的 {aspect}）")
    phrases: Phrases = Field(description="任一出现即可的短语（正则）")


class IdentityParams(Strict):
    table: TableKind = Field(description="哪张表")
    per: Literal["row", "column"] = Field(description="逐行（row）还是逐列（column）核对")
    left: Text | list[Text] = Field(description="相加的列（per: row）或行（per: column）的编号")
    right: Text | list[Text] = Field(description="应等于左边之和的列或行的编号")


class ValueParams(Strict):
    tables: TableKind | list[TableKind] = Field(description="检查哪些表")
    test: Literal["text", "blank", "negative", "non_integer"] = Field(
        description="对每个单元格的检查：text 非数字文字、blank 空白、negative 负数、non_integer 非整数")


class TemplateVersionParams(Strict):
    expected: Literal["2019", "2021"] | int = Field(description="应使用的模板版本")
    tables: TableKind | list[TableKind] = Field(default=["T2", "T3"], description="检查哪些表")


class TitlePatternParams(Strict):
    must_match: Text = Field(description="标题必须匹配的正则")
    remove: str = Field(default="", description="匹配前先从标题中删去的正则")


class Claim(Strict):
    pattern: Text = Field(description="正文中的说法（正则；数字放在 (?P<n>…) 中）")
    equals: Text | list[Text] = Field(description="应等于的表格数：行.列，可用 + 相加；多个写法任一相等即可")
    value: float | int | None = Field(default=None, description="说法本身不含数字时它表示的数")


class TextAgainstTableParams(Strict):
    table: TableKind = Field(description="与哪张表核对")
    claims: list[Claim] = Field(min_length=1, description="正文说法与表格数的对应")


class DeadlineParams(Strict):
    government: MonthDay | None = Field(default=None, description="本级人民政府的期限（MM-DD，空：无）")
    department: MonthDay | None = Field(default=None, description="政府部门的期限（MM-DD，空：无）")
    township: MonthDay | None = Field(default=None, description="街道、乡镇的期限（MM-DD，空：无）")


class ExtractionIssueParams(Strict):
    code: Text = Field(description="抽取问题的代码")
    flag: Literal["unreadable", "image_only", "none"] = Field(
        default="none", description="同时要求的表格状态"
    )


class NotEvaluatedParams(Strict):
    """No parameters."""


class UnreadableParams(Strict):
    """No parameters."""


class PythonParams(BaseModel):
    """``file`` plus the module's own parameters (checked against its ``PARAMS`` model when it has one)."""

    model_config = ConfigDict(extra="allow")
    file: Text | None = Field(default=None, description="模块文件名（默认：<编号>.py，与规则文件同目录）")


class PortalParams(Strict):
    crawl: Text = Field(description="检查读取网站抓取结果中的哪些事实")


SHAPE_PARAMS: dict[str, type[BaseModel]] = {
    "required_section": RequiredSectionParams,
    "required_aspects": RequiredAspectsParams,
    "required_phrases": RequiredPhrasesParams,
    "identity": IdentityParams,
    "value": ValueParams,
    "template_version": TemplateVersionParams,
    "title_pattern": TitlePatternParams,
    "text_against_table": TextAgainstTableParams,
    "deadline": DeadlineParams,
    "extraction_issue": ExtractionIssueParams,
    "not_evaluated": NotEvaluatedParams,
    "unreadable": UnreadableParams,
    "python": PythonParams,
    "portal": PortalParams,
}
"""The parameter model of every shape, by the shape's name (the keys of ``auditor.engine.shapes.SHAPES``)."""


# --- the rule file ----------------------------------------------------------------------------------


class Applies(Strict):
    year_from: int | None = Field(default=None, description="自该年度起适用（含）")
    year_to: int | None = Field(default=None, description="至该年度止适用（含）")
    levels: list[Level] = Field(default=["government", "department", "township"], min_length=1,
                                description="适用的机关层级")


class ExpectLocation(Strict):
    section: str | None = Field(default=None, description="部分（一 … 六）")
    table: str | None = Field(default=None, description="表（T2/T3/T4）")
    row: str | None = Field(
        default=None, description="行，按模板的写法（如“一、本年新收政府信息公开申请数量”）"
    )
    column: str | None = Field(default=None, description="列，按模板的写法")


class Expect(Strict):
    count: int | None = Field(default=None, ge=0, description="这条规则在示例上应报出的问题数")
    location: ExpectLocation | None = Field(
        default=None, description="至少一个问题应在此位置（写出的字段须一致）"
    )


class ExampleDocument(Strict):
    text: str | None = Field(default=None, description="按报告版式写的全文")
    sample: dict[str, Any] | None = Field(
        default=None, description="生成的样本报告及其改动（见 auditor.engine.samples）"
    )
    format: Format = Field(default="txt", description="示例文档的格式")
    level: Level | None = Field(default=None, description="机关层级（不写则从名称推断）")
    published: date | None = Field(default=None, description="发布日期")
    formats: list[Format] | None = Field(default=None, description="样本在哪些格式中都应如此（默认：全部）")

    @model_validator(mode="after")
    def _one_source(self) -> ExampleDocument:
        _check_one_source(self)
        return self


def _check_one_source(doc: ExampleDocument) -> None:
    if (doc.text is None) == (doc.sample is None):
        raise ValueError("an example document needs exactly one of 'text' or 'sample'")


class Example(ExampleDocument):
    name: Text = Field(description="示例名称")
    batch: list[ExampleDocument] | None = Field(default=None, min_length=1, description="一起审查的多份文档")
    known_gap: Text | None = Field(default=None, description="规则尚不能做到的原因（报告，不算失败）")
    expect: Expect | None = Field(default=None, description="应报出的问题数和位置")

    @model_validator(mode="after")
    def _one_source(self) -> Example:
        if self.batch is not None:
            if self.text is not None or self.sample is not None:
                raise ValueError("an example with a 'batch' has no 'text' or 'sample' of its own")
            return self
        _check_one_source(self)
        return self


class Examples(Strict):
    must_fire: list[Example] | None = Field(default=None, min_length=1, description="规则应当报出的示例")
    must_not_fire: list[Example] | None = Field(default=None, min_length=1, description="规则不应报出的示例")
    portal: Text | None = Field(default=None, description="门户检查：为何没有文档示例、示例在哪里")

    @model_validator(mode="after")
    def _both_or_portal(self) -> Examples:
        if self.portal is not None:
            if self.must_fire is not None or self.must_not_fire is not None:
                raise ValueError("'portal' stands alone: a portal check has no document examples")
        elif self.must_fire is None or self.must_not_fire is None:
            raise ValueError("'must_fire' and 'must_not_fire' must each list at least one example")
        return self


class RuleFile(Strict):
    id: Annotated[str, StringConstraints(pattern=r"^[A-Z]{2,5}-\d{3}$")] = Field(
        description="规则编号，同文件名"
    )
    title: Text = Field(description="标题（中文）")
    severity: Severity = Field(description="级别")
    basis: Text = Field(description="依据（法规条款或文件）")
    message: Text = Field(description="提示信息，可用检查给出的 {占位符}")
    fix: Text = Field(description="如何整改")
    applies: Applies | None = Field(default=None, description="适用的年度和层级")
    requires: list[RequirementText] = Field(
        default=[],
        description="检查运行的前提（全部成立才运行；第一个不成立的即“未能执行”的原因），见下文“requires”",
    )
    requires_each: list[RequirementText] = Field(
        default=[],
        description="检查可逐项运行的部分（如各张表）：成立的部分运行，不成立的各自列为未能执行的原因",
    )
    covers_unevaluated: bool = Field(default=False, description="其问题说明其他检查为何未能执行")
    shape: dict[str, dict[str, Any] | None] = Field(
        min_length=1, max_length=1, description="检查方式：一个键（方式名称），其值为该方式的参数")
    examples: Examples = Field(description="示例")


def describe_error(error: ValidationError, prefix: str = "") -> str:
    """The first problem of a validation error as one line: ``field.path: what was expected``."""
    errors = error.errors(include_url=False)
    first = errors[0]
    if first["type"] == "missing":
        # every field missing from the same mapping in one line: "missing field(s): basis, fix"
        parent = first["loc"][:-1]
        names = [str(e["loc"][-1]) for e in errors if e["type"] == "missing" and e["loc"][:-1] == parent]
        if len(names) > 1:
            where = ".".join(str(p) for p in parent)
            head = f"{prefix}.{where}" if prefix and where else prefix or where
            rest = error.error_count() - len(names)
            tail = f" (and {rest} more)" if rest else ""
            return f"{head + ': ' if head else ''}missing field(s): {', '.join(names)}{tail}"
    where = ".".join(str(p) for p in first["loc"] if not str(p).startswith("function-after"))
    where = f"{prefix}.{where}" if prefix and where else prefix or where
    message = first["msg"].removeprefix("Value error, ")
    if first["type"] == "extra_forbidden":
        message = "unknown field"
    elif first["type"] == "missing":
        message = "missing field"
    more = error.error_count() - 1
    tail = f" (and {more} more)" if more else ""
    got = first.get("input")
    shown = f" (got {got!r})" if first["type"] not in ("missing", "extra_forbidden") and _short(got) else ""
    return f"{where or 'file'}: {message}{shown}{tail}"


def _short(value: object) -> bool:
    return isinstance(value, (str, int, float, bool)) and len(str(value)) <= 40


def validate_params(shape: str, params: dict[str, Any], module_model: type[BaseModel] | None = None) -> None:
    """Check a shape's parameters against its model (and a python module's ``PARAMS``); raises ValueError
    naming the field."""
    try:
        SHAPE_PARAMS[shape].model_validate(params)
        if module_model is not None:
            module_model.model_validate({k: v for k, v in params.items() if k != "file"})
    except ValidationError as exc:
        raise ValueError(describe_error(exc, f"shape.{shape}")) from None
