"""The generator makes clean reports: the template's identities hold and the text agrees with the tables."""

from __future__ import annotations

import re
from dataclasses import asdict

import pytest

from auditor.samples import make_report
from auditor.samples.generate import SampleReport
from auditor.templates import (
    SECTION_HEADINGS,
    SECTION_HEADINGS_2019,
    T3_APPLICANT_COLUMNS,
    T4_OUTCOMES,
    T4_SPEC,
)

LEVELS = ("department", "government", "township")
CASES = [(seed, 2019 + seed % 7, LEVELS[seed % 3]) for seed in range(120)]


def _int(grid: dict[tuple[str, str], str], row: str, col: str) -> int:
    return int(grid[(row, col)])


def _text(r: SampleReport) -> str:
    return "\n".join([*r.preamble, *(p for _, paras in r.sections.values() for p in paras)])


@pytest.fixture(scope="module", params=CASES, ids=[f"{s}-{y}-{lv}" for s, y, lv in CASES])
def report(request: pytest.FixtureRequest) -> SampleReport:
    seed, year, level = request.param
    return make_report(seed, year=year, level=level)


def test_format_follows_the_year(report: SampleReport) -> None:
    want = "2021" if report.year >= 2021 else "2019"
    assert (report.t2_version, report.t3_version) == (want, want)


def test_every_template_cell_is_present_and_nothing_else(report: SampleReport) -> None:
    assert set(report.t2) == set(report.t2_spec.required_cells())
    assert set(report.t3) == set(report.t3_spec.required_cells())
    assert set(report.t4) == set(T4_SPEC.required_cells())


def test_t3_row_totals_are_the_sum_of_the_applicant_columns(report: SampleReport) -> None:
    for row in report.t3_spec.rows:
        parts = sum(_int(report.t3, row.id, c) for c in T3_APPLICANT_COLUMNS)
        assert _int(report.t3, row.id, "total") == parts, row.id


def test_t3_balances_per_column(report: SampleReport) -> None:
    result_rows = [r.id for r in report.t3_spec.rows if r.id not in ("new", "carried", "total", "carry_next")]
    for col in (*T3_APPLICANT_COLUMNS, "total"):
        g = report.t3
        assert _int(g, "new", col) + _int(g, "carried", col) == _int(g, "total", col) + _int(
            g, "carry_next", col
        )
        assert _int(g, "total", col) == sum(_int(g, r, col) for r in result_rows)


def test_t3_counts_are_non_negative_integers(report: SampleReport) -> None:
    assert all(re.fullmatch(r"\d+", v) for v in report.t3.values())
    assert all(re.fullmatch(r"\d+", v) for v in report.t4.values())


def test_t4_totals_are_the_sum_of_the_outcomes(report: SampleReport) -> None:
    for row in ("review", "suit_direct", "suit_after_review"):
        assert _int(report.t4, row, "total") == sum(_int(report.t4, row, o) for o in T4_OUTCOMES)


def test_t2_values_fit_their_columns(report: SampleReport) -> None:
    spec = report.t2_spec
    for (row, col), raw in report.t2.items():
        column = spec.col(col)
        pattern = r"-?\d+" if column.signed else r"\d+(\.\d{1,4})?" if column.decimal else r"\d+"
        assert re.fullmatch(pattern, raw), (row, col, raw)
    assert all(report.t2[("rules", c)] == "0" for c in spec.columns_of("rules"))  # 区/县 bodies make no 规章


def test_title_and_headings(report: SampleReport) -> None:
    assert report.title == f"{report.agency}{report.year}年政府信息公开工作年度报告"
    headings = SECTION_HEADINGS if report.year >= 2021 else SECTION_HEADINGS_2019
    assert {k: h for k, (h, _) in report.sections.items()} == {k: f"{k}、{v}" for k, v in headings.items()}


def test_published_within_the_statutory_deadline(report: SampleReport) -> None:
    assert report.published.year == report.year + 1
    deadline_month = 3 if report.level == "government" else 1
    assert report.published.month <= deadline_month


def test_statistics_period_names_the_report_year(report: SampleReport) -> None:
    y = report.year
    assert f"本报告中所列数据统计期限自{y}年1月1日起至{y}年12月31日止" in _text(report)


def test_section_one_covers_its_aspects(report: SampleReport) -> None:
    text = "".join(report.sections["一"][1])
    for aspect in ("主动公开", "依申请公开", "政府信息管理", "政府信息公开平台建设", "监督保障"):
        assert aspect in text
    assert ("工作考核、社会评议和责任追究" in text) == report.agency.endswith("人民政府")


def test_section_five_has_problems_and_measures(report: SampleReport) -> None:
    text = "".join(report.sections["五"][1])
    assert "存在的主要问题" in text and "改进措施" in text


def test_section_six_states_the_fee_from_2021(report: SampleReport) -> None:
    text = "".join(report.sections["六"][1])
    if report.year >= 2021:
        assert re.search(r"未收取信息处理费|收取信息处理费\d+元", text)
    else:
        assert "信息处理费" not in text


def test_text_figures_agree_with_t3(report: SampleReport) -> None:
    text, t3 = _text(report), report.t3
    received = re.search(r"全年共收到政府信息公开申请(\d+)件", text)
    if received is None:
        assert "本年度未收到政府信息公开申请" in text
        assert _int(t3, "new", "total") == _int(t3, "carried", "total") == 0
        return
    assert int(received.group(1)) == _int(t3, "new", "total")
    assert int(re.search(r"上年结转(\d+)件", text).group(1)) == _int(t3, "carried", "total")
    assert int(re.search(r"办结(\d+)件", text).group(1)) == _int(t3, "total", "total")
    assert int(re.search(r"结转下年度继续办理(\d+)件", text).group(1)) == _int(t3, "carry_next", "total")
    granted = re.search(r"予以公开(\d+)件", text)
    if _int(t3, "total", "total"):
        assert int(granted.group(1)) == _int(t3, "granted", "total")
    for name, prefix in (("不予公开", "denied_"), ("无法提供", "unable_"), ("不予处理", "rejected_")):
        stated = re.search(name + r"(\d+)件", text)
        actual = sum(int(v) for (r, c), v in t3.items() if c == "total" and r.startswith(prefix))
        assert (int(stated.group(1)) if stated else 0) == actual, name


def test_text_figures_agree_with_t2_and_t4(report: SampleReport) -> None:
    text, t2, t4 = _text(report), report.t2, report.t4
    assert int(re.search(r"行政许可(\d+)件", text).group(1)) == _int(t2, "licensing", "decisions")
    assert int(re.search(r"行政处罚(\d+)件", text).group(1)) == _int(t2, "penalty", "decisions")
    review = re.search(r"行政复议(\d+)件、行政诉讼(\d+)件", text)
    suits = _int(t4, "suit_direct", "total") + _int(t4, "suit_after_review", "total")
    if review is None:
        assert "未发生因政府信息公开引起的行政复议、行政诉讼" in text
        assert _int(t4, "review", "total") == suits == 0
    else:
        assert (int(review.group(1)), int(review.group(2))) == (_int(t4, "review", "total"), suits)


def test_same_seed_same_report() -> None:
    for seed in (0, 7, 123):
        assert asdict(make_report(seed, year=2022)) == asdict(make_report(seed, year=2022))


def test_seeds_vary_names_figures_and_wording() -> None:
    reports = [make_report(seed) for seed in range(30)]
    assert len({r.agency for r in reports}) >= 25
    assert len({tuple(sorted(r.t3.items())) for r in reports}) >= 20  # some bodies get no requests
    assert len({r.sections["一"][1][0] for r in reports}) >= 2
    assert len({r.sections["五"][1][0] for r in reports}) >= 25


def test_levels_name_their_kind_of_body() -> None:
    for seed in range(20):
        assert make_report(seed, level="government").agency.endswith(("区人民政府", "县人民政府"))
        assert make_report(seed, level="township").agency.endswith(("街道办事处", "镇人民政府"))
        assert make_report(seed, level="department").agency[2] in "区县"


def test_agency_override_and_bad_arguments() -> None:
    r = make_report(1, year=2021, agency="某某区财政局")
    assert r.agency == "某某区财政局" and r.title == "某某区财政局2021年政府信息公开工作年度报告"
    with pytest.raises(ValueError):
        make_report(1, level="province")
    with pytest.raises(ValueError):
        make_report(1, year=2018)
