"""Chart geometry for server-side SVG: bar and line charts as plain numbers.

The functions here only compute positions; the templates draw them (so every label goes through
Jinja's escaping, and the pages need no JavaScript).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass


def nice_ceiling(value: float) -> int:
    """The smallest 1, 2 or 5 × 10ⁿ at or above ``value`` (at least 1), for an axis maximum."""
    if value <= 1:
        return 1
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5):
        if step * magnitude >= value:
            return int(step * magnitude)
    return int(10 * magnitude)


def ticks(maximum: int, count: int = 5) -> list[int]:
    """Gridline values from 0 to ``maximum`` (a :func:`nice_ceiling`) in the smallest round step
    (1, 2 or 5 × 10ⁿ) that divides it into at most ``count`` parts."""
    magnitude = 1
    while magnitude <= maximum:
        for factor in (1, 2, 5):
            step = factor * magnitude
            if maximum % step == 0 and maximum // step <= count:
                return list(range(0, maximum + 1, step))
        magnitude *= 10
    return [0, maximum]


@dataclass(frozen=True, slots=True)
class Segment:
    """A part of a bar: its CSS class (the severity) and its extent."""

    css: str
    value: int
    x: float
    width: float


@dataclass(frozen=True, slots=True)
class Bar:
    """One horizontal bar with its label, total and link."""

    label: str
    note: str
    total: int
    y: float
    segments: tuple[Segment, ...]
    href: str | None
    end: float
    """Where the bar ends (the value label goes after it)."""


@dataclass(frozen=True, slots=True)
class BarChart:
    """A horizontal (stacked) bar chart: bars, the plot area and its gridlines."""

    bars: tuple[Bar, ...]
    width: int
    height: int
    left: int
    plot_width: int
    bar_height: int
    maximum: int
    gridlines: tuple[tuple[int, float], ...]


@dataclass(frozen=True, slots=True)
class BarItem:
    """What a bar shows: a label, a note (shown smaller), values per CSS class, a link."""

    label: str
    parts: tuple[tuple[str, int], ...]
    note: str = ""
    href: str | None = None


def bar_chart(
    items: Sequence[BarItem], *, width: int = 400, left: int = 170, bar_height: int = 18, gap: int = 7
) -> BarChart:
    """Lay out horizontal bars, one per item, scaled to a shared nice maximum."""
    plot = width - left - 34
    maximum = nice_ceiling(max((sum(v for _, v in i.parts) for i in items), default=1))
    bars = []
    for n, item in enumerate(items):
        x = float(left)
        segments = []
        for css, value in item.parts:
            w = plot * value / maximum
            if value:
                segments.append(Segment(css=css, value=value, x=x, width=w))
            x += w
        y = 24 + n * (bar_height + gap)
        total = sum(v for _, v in item.parts)
        bars.append(Bar(item.label, item.note, total, float(y), tuple(segments), item.href, x))
    grid = tuple((t, left + plot * t / maximum) for t in ticks(maximum))
    height = 24 + len(items) * (bar_height + gap) + 4
    return BarChart(tuple(bars), width, height, left, plot, bar_height, maximum, grid)


@dataclass(frozen=True, slots=True)
class Series:
    """One line of a line chart: its CSS class, legend name and points."""

    css: str
    name: str
    points: tuple[tuple[float, float, int], ...]
    """(x, y, value) per point."""

    @property
    def path(self) -> str:
        """The SVG path data joining the points."""
        return " ".join(f"{'M' if i == 0 else 'L'}{x:.1f},{y:.1f}" for i, (x, y, _) in enumerate(self.points))


@dataclass(frozen=True, slots=True)
class LineChart:
    """A line chart over categories (the runs), with y gridlines."""

    series: tuple[Series, ...]
    labels: tuple[tuple[float, str, str], ...]
    """(x, first line, second line) of each category label."""
    width: int
    height: int
    left: int
    top: int
    bottom: int
    right: int
    gridlines: tuple[tuple[int, float], ...]


def line_chart(
    labels: Sequence[tuple[str, str]],
    series: Sequence[tuple[str, str, Sequence[int]]],
    *,
    width: int = 400,
    height: int = 230,
) -> LineChart:
    """Lay out lines over categories: ``labels`` are two-line axis labels, ``series`` (css, name, values)."""
    left, right, top, bottom = 44, width - 16, 20, height - 44
    maximum = nice_ceiling(max((v for _, _, vals in series for v in vals), default=1))
    count = len(labels)
    step = (right - left) / max(1, count - 1) if count > 1 else 0.0
    xs = [left + step * i if count > 1 else (left + right) / 2 for i in range(count)]

    def y_of(value: int) -> float:
        return bottom - (bottom - top) * value / maximum

    lines = tuple(
        Series(css, name, tuple((xs[i], y_of(v), v) for i, v in enumerate(values)))
        for css, name, values in series
    )
    axis = tuple((xs[i], a, b) for i, (a, b) in enumerate(labels))
    grid = tuple((t, y_of(t)) for t in ticks(maximum))
    return LineChart(lines, axis, width, height, left, top, bottom, right, grid)
