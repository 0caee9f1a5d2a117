"""Chart geometry: nice axis maxima, bars scaled to them, lines over the runs."""

from __future__ import annotations

import pytest

from auditor.web.charts import BarItem, bar_chart, line_chart, nice_ceiling, ticks


@pytest.mark.parametrize(
    ("value", "expected"), [(0, 1), (1, 1), (3, 5), (7, 10), (10, 10), (11, 20), (180, 200), (501, 1000)]
)
def test_nice_ceiling(value: float, expected: int) -> None:
    assert nice_ceiling(value) == expected


@pytest.mark.parametrize(
    ("maximum", "expected"),
    [(1, [0, 1]), (5, [0, 1, 2, 3, 4, 5]), (10, [0, 2, 4, 6, 8, 10]), (20, [0, 5, 10, 15, 20]), (7, [0, 7])],
)
def test_ticks_divide_the_axis_in_round_steps(maximum: int, expected: list[int]) -> None:
    assert ticks(maximum) == expected


def test_bars_are_scaled_to_the_shared_maximum_and_stacked() -> None:
    chart = bar_chart(
        [BarItem("A", (("error", 6), ("warning", 4))), BarItem("B", (("error", 5), ("warning", 0)))],
        width=400,
        left=100,
    )
    assert chart.maximum == 10
    a, b = chart.bars
    assert [s.css for s in a.segments] == ["error", "warning"]
    assert a.segments[0].width == pytest.approx(chart.plot_width * 0.6)
    assert a.segments[1].x == pytest.approx(a.segments[0].x + a.segments[0].width)
    assert a.end == pytest.approx(100 + chart.plot_width)
    assert len(b.segments) == 1 and b.total == 5
    assert b.y > a.y


def test_line_chart_puts_higher_values_higher() -> None:
    chart = line_chart([("#1", "01-01"), ("#2", "01-02")], [("error", "错误", [2, 8])], width=300, height=200)
    (series,) = chart.series
    (x1, y1, v1), (x2, y2, v2) = series.points
    assert (v1, v2) == (2, 8) and x1 < x2 and y2 < y1
    assert series.path.startswith("M") and " L" in series.path
    assert chart.gridlines[-1][0] == 10


def test_a_single_run_is_centred() -> None:
    chart = line_chart([("#1", "01-01")], [("error", "错误", [3])], width=300)
    ((x, _, _),) = chart.series[0].points
    assert chart.left < x < chart.right
