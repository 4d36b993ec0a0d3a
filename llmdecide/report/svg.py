"""Coordinates of the HTML report's charts, computed here so that its template only places what it is given.

:func:`line_chart_svg` and :func:`tornado_svg` turn a chart of the :class:`~llmdecide.report.view.ReportView`
into the positions, paths and tick labels an inline SVG draws, every coordinate already written as text with
one decimal (so the same report gives the same bytes). The SVG's ``viewBox`` is fixed and the browser scales it
to the page.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from llmdecide.report.formatting import fmt_usd
from llmdecide.report.view import BASE_DASH, LOW_END, OTHERS, RECOMMENDED, LineChart, Tornado

WIDTH = 960.0
"""Width of every chart's viewBox."""


def _c(value: float) -> str:
    """A coordinate as the SVG writes it."""
    text = f"{value:.1f}"
    return "0.0" if text == "-0.0" else text


def nice_step(span: float, ticks: int = 5) -> float:
    """A round tick step (1, 2, 2.5 or 5 times a power of ten) that divides ``span`` into at most about ``ticks``."""
    if span <= 0:
        return 1.0
    raw = span / ticks
    magnitude = 10.0 ** math.floor(math.log10(raw))
    return next(m * magnitude for m in (1.0, 2.0, 2.5, 5.0, 10.0) if m * magnitude >= raw)


def _axis(lo: float, hi: float) -> tuple[float, float, float]:
    """Axis ends on round numbers around [lo, hi], and the tick step."""
    step = nice_step(hi - lo if hi > lo else abs(hi) or 1.0)
    return math.floor(lo / step) * step, math.ceil(hi / step) * step or step, step


@dataclass(frozen=True)
class Tick:
    """A tick: its position along the axis and its label."""

    at: str
    label: str


@dataclass(frozen=True)
class Polyline:
    """One plan's line."""

    option: str
    points: str
    colour: str
    dash: str
    width: str
    end_x: str
    end_y: str


@dataclass(frozen=True)
class LineChartSvg:
    """Everything the template draws for the cumulative cost chart."""

    width: str
    height: str
    left: str
    right: str
    top: str
    bottom: str
    x_ticks: list[Tick]
    y_ticks: list[Tick]
    lines: list[Polyline]
    x_title_x: str
    x_title_y: str
    y_title_x: str
    y_title_y: str


def line_chart_svg(chart: LineChart) -> LineChartSvg:
    """The cumulative cost chart: months along x, USD up y from a round floor to a round ceiling, the recommended
    plan drawn last and thickest."""
    height = 400.0
    left, right, top, bottom = 84.0, WIDTH - 24.0, 16.0, height - 56.0
    values = [v for line in chart.lines for v in line.values]
    lo, hi, step = _axis(min(0.0, min(values)), max(values))
    months = chart.months

    def x(month: int) -> float:
        return left + (right - left) * ((month - 1) / (months - 1) if months > 1 else 0.5)

    def y(value: float) -> float:
        return bottom - (bottom - top) * (value - lo) / (hi - lo)

    every = 1 if months <= 12 else 3 if months <= 36 else 6
    x_ticks = [Tick(_c(x(m)), str(m)) for m in range(1, months + 1) if m == 1 or m % every == 0]
    count = round((hi - lo) / step)
    y_ticks = [Tick(_c(y(lo + i * step)), fmt_usd(lo + i * step)) for i in range(count + 1)]
    ordered = sorted(chart.lines, key=lambda line: line.recommended)
    lines = [
        Polyline(
            option=line.option,
            points=" ".join(f"{_c(x(m + 1))},{_c(y(v))}" for m, v in enumerate(line.values)),
            colour=line.colour.hex,
            dash=line.dash,
            width="3.5" if line.recommended else "2.0",
            end_x=_c(x(months)),
            end_y=_c(y(line.values[-1])),
        )
        for line in ordered
    ]
    return LineChartSvg(
        width=_c(WIDTH),
        height=_c(height),
        left=_c(left),
        right=_c(right),
        top=_c(top),
        bottom=_c(bottom),
        x_ticks=x_ticks,
        y_ticks=y_ticks,
        lines=lines,
        x_title_x=_c((left + right) / 2),
        x_title_y=_c(height - 12),
        y_title_x="16.0",
        y_title_y=_c((top + bottom) / 2),
    )


@dataclass(frozen=True)
class Bar:
    """One input's row of the tornado: its label and range, the two bars from today's cost, and the end labels."""

    label: str
    range: str
    label_y: str
    range_y: str
    bar_y: str
    low_x: str
    low_width: str
    high_x: str
    high_width: str
    left_label: str
    left_x: str
    right_label: str
    right_x: str
    text_y: str
    unchanged: bool


@dataclass(frozen=True)
class TornadoSvg:
    """Everything the template draws for the tornado."""

    width: str
    height: str
    bar_height: str
    low_colour: str
    high_colour: str
    base_colour: str
    base_dash: str
    base_x: str
    base_label: str
    top: str
    bottom: str
    label_x: str
    bars: list[Bar]
    ticks: list[Tick]
    tick_y: str


def tornado_svg(tornado: Tornado) -> TornadoSvg:
    """The tornado: one row per input, a bar from today's horizon cost to the cost at the input's low end and one to
    the cost at its high end, on a USD axis from a round number below the lowest end to one above the highest; the
    widest swing on top, as the report lists them."""
    row, bar_height, top = 40.0, 18.0, 12.0
    label_x, left, right = 236.0, 320.0, WIDTH - 84.0
    ends = [tornado.base_usd] + [v for b in tornado.bars for v in (b.low_cost_usd, b.high_cost_usd)]
    lo, hi, step = _axis(min(ends), max(ends))

    def x(value: float) -> float:
        return left + (right - left) * (value - lo) / (hi - lo)

    base = x(tornado.base_usd)
    bars = []
    for i, b in enumerate(tornado.bars):
        mid = top + row * i + row / 2
        low, high = x(b.low_cost_usd), x(b.high_cost_usd)
        smallest, largest = min(b.low_cost_usd, b.high_cost_usd), max(b.low_cost_usd, b.high_cost_usd)
        unchanged = abs(high - base) < 0.5 and abs(low - base) < 0.5
        bars.append(
            Bar(
                label=b.label,
                range=f"{b.low} to {b.high}",
                label_y=_c(mid - 3),
                range_y=_c(mid + 11),
                bar_y=_c(mid - bar_height / 2),
                low_x=_c(min(low, base)),
                low_width=_c(abs(low - base)),
                high_x=_c(min(high, base)),
                high_width=_c(abs(high - base)),
                left_label=fmt_usd(smallest) if smallest < tornado.base_usd and not unchanged else "",
                left_x=_c(x(smallest) - 6),
                right_label="no change" if unchanged else fmt_usd(largest) if largest > tornado.base_usd else "",
                right_x=_c((base if unchanged else x(largest)) + 6),
                text_y=_c(mid + 4),
                unchanged=unchanged,
            )
        )
    bottom = top + row * len(tornado.bars)
    count = round((hi - lo) / step)
    ticks = [Tick(_c(x(lo + i * step)), fmt_usd(lo + i * step)) for i in range(count + 1)]
    return TornadoSvg(
        width=_c(WIDTH),
        height=_c(bottom + 48),
        bar_height=_c(bar_height),
        low_colour=LOW_END.hex,
        high_colour=RECOMMENDED.hex,
        base_colour=OTHERS[0].hex,
        base_dash=BASE_DASH,
        base_x=_c(base),
        base_label=f"today: {fmt_usd(tornado.base_usd)}",
        top=_c(top),
        bottom=_c(bottom),
        label_x=_c(label_x),
        bars=bars,
        ticks=ticks,
        tick_y=_c(bottom + 18),
    )
