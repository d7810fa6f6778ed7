"""Charts drawn on the server as SVG, with no JavaScript (the CSP stays as it is): the geometry is worked out
here and so are the marks (`drawing`: bars, lines, values; a chart's dozens of coordinates cost a template more
than the board's queries); templates/macros/charts.html wraps them in a figure with a title, a legend, and the
same figures as a table for screen readers. Coordinates are in the SVG's own units; the SVG scales to the width
of the screen."""

import math
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask_babel import gettext as _
from markupsafe import Markup, escape

from app.numbers import NumberFormat

WIDTH = 360


@dataclass
class Tick:
    at: float  # y (or x) of the tick
    value: float


def nice_step(most: float, ticks: int = 4) -> int:
    """A round whole step (1, 2 or 5 times a power of ten, at least 1: the charts count things) that cuts
    0..most into at most `ticks` parts."""
    if most <= ticks:
        return 1
    rough = most / ticks
    power = 10 ** math.floor(math.log10(rough))
    return next(step * power for step in (1, 2, 5, 10) if step * power >= rough)


def _holds(week_start: date, today: date) -> bool:
    """The week starting that day holds today: it is not over yet."""
    return week_start <= today < week_start + timedelta(days=7)


# --- Weekly trend: visits per week (bars, left axis) and the share reached (line, right axis) -----------------

# The trend's texts, in the SVG's units (12 px type): a count is written over a bar at least this wide; a line
# of text takes this height; the share ("100,00%") at most this width.
COUNT_MIN_BAR_WIDTH, LABEL_HEIGHT, REACH_LABEL_WIDTH = 18, 13, 46


@dataclass
class TrendPoint:
    start: date
    visits: int
    percent: float | None
    x: float  # left edge of the bar
    bar_y: float
    bar_height: float
    point_y: float
    current: bool  # the week holding today: not over yet


@dataclass
class TrendChart:
    width: float
    height: float
    left: float
    right: float
    top: float
    bottom: float  # the plot's baseline
    bar_width: float
    points: list[TrendPoint]
    visit_ticks: list[Tick]
    percent_ticks: list[Tick]
    target: float | None
    target_y: float | None

    @property
    def line(self) -> str:
        return " ".join(f"{p.x + self.bar_width / 2:.1f},{p.point_y:.1f}" for p in self.points)

    @property
    def counts_shown(self) -> bool:
        """Each week's visits written over its bar (when the bars are wide enough for them)."""
        return self.bar_width >= COUNT_MIN_BAR_WIDTH

    @property
    def reach_label_y(self) -> float:
        """The baseline of the last week's share, written left of its point: above the point, and above the
        visit counts over the bars it would run across ("5 79,17% 5" on a phone when the line met the bars)."""
        last = self.points[-1]
        label_left = last.x + self.bar_width / 2 - 8 - REACH_LABEL_WIDTH
        counts = ([p.bar_y - 3 for p in self.points if p.visits and p.x + self.bar_width > label_left]
                  if self.counts_shown else [])
        y = last.point_y - 7
        for count in sorted(counts, reverse=True):  # lowest first: each clash lifts it above that count
            if abs(count - y) < LABEL_HEIGHT:
                y = count - LABEL_HEIGHT
        return max(y, LABEL_HEIGHT)

    def drawing(self, fmt: NumberFormat) -> Markup:
        """The chart's marks: grid and both axes' values, a bar per week (its count over it when wide enough, a
        date every third week and under this week), the target, the reach line with the last week's share."""
        left, right_edge, half = self.left, self.width - self.right, self.bar_width / 2
        marks = []
        for tick in self.visit_ticks:
            marks.append(f'<line x1="{left}" y1="{tick.at:.1f}" x2="{right_edge}" y2="{tick.at:.1f}" class="grid"/>'
                         f'<text x="{left - 4}" y="{tick.at + 3:.1f}" class="tick" text-anchor="end">'
                         f'{fmt.number(tick.value)}</text>')
        for tick in self.percent_ticks:
            marks.append(f'<text x="{right_edge + 4}" y="{tick.at + 3:.1f}" class="tick tick-line">'
                         f'{int(tick.value)}%</text>')
        this_week = escape(_("this week"))
        for n, p in enumerate(self.points):
            marks.append(f'<rect x="{p.x:.1f}" y="{p.bar_y:.1f}" width="{self.bar_width:.1f}" '
                         f'height="{p.bar_height:.1f}" class="bar{" is-current" if p.current else ""}"/>')
            if self.counts_shown and p.visits:
                marks.append(f'<text x="{p.x + half:.1f}" y="{p.bar_y - 3:.1f}" class="value" text-anchor="middle">'
                             f'{fmt.number(p.visits)}</text>')
            if n % 3 == 0 or p.current:
                marks.append(f'<text x="{p.x + half:.1f}" y="{self.bottom + 14}" class="tick" text-anchor="middle">'
                             f'{this_week if p.current else p.start.strftime("%d/%m")}</text>')
        marks.append(f'<line x1="{left}" y1="{self.bottom}" x2="{right_edge}" y2="{self.bottom}" class="axis"/>')
        if self.target_y is not None:
            marks.append(f'<line x1="{left}" y1="{self.target_y:.1f}" x2="{right_edge}" y2="{self.target_y:.1f}" '
                         f'class="target"/><text x="{left + 2}" y="{self.target_y - 4:.1f}" class="tick tick-target">'
                         f'{_target_text(self.target, fmt)}</text>')
        marks.append(f'<polyline class="line" points="{self.line}"/>')
        marks.extend(f'<circle cx="{p.x + half:.1f}" cy="{p.point_y:.1f}" r="3" class="dot"/>' for p in self.points)
        last = self.points[-1] if self.points else None
        if last and last.percent is not None:
            marks.append(f'<text x="{last.x + half - 8:.1f}" y="{self.reach_label_y:.1f}" class="value value-line" '
                         f'text-anchor="end">{fmt.percent(last.percent)}</text>')
        # Numbers are written by Python and NumberFormat (digits and the locale's signs); words are escaped.
        return Markup("\n".join(marks))  # noqa: S704


def _target_text(target: float | None, fmt: NumberFormat) -> str:
    return escape(_("Target %(value)s", value=fmt.percent(target)))


def trend(weeks, target: float | None, today: date, width: float = WIDTH, height: float = 210) -> TrendChart:
    """`weeks`: items with `start`, `visits` and `reach` (a Ratio), oldest first; `target`: the reach target (%)."""
    left, right, top, bottom = 34.0, 36.0, 14.0, height - 34
    plot_height = bottom - top
    step = (width - left - right) / max(len(weeks), 1)
    most_visits = max((w.visits for w in weeks), default=0)
    visit_step = nice_step(most_visits)
    visit_top = max(visit_step * math.ceil(most_visits / visit_step), visit_step)

    def y_of_visits(value: float) -> float:
        return bottom - plot_height * value / visit_top

    def y_of_percent(value: float) -> float:
        return bottom - plot_height * value / 100

    points = []
    for n, week in enumerate(weeks):
        bar_y = y_of_visits(week.visits)
        percent = week.reach.percent
        points.append(TrendPoint(
            start=week.start, visits=week.visits, percent=percent, x=left + n * step + 2, bar_y=bar_y,
            bar_height=bottom - bar_y, point_y=y_of_percent(percent or 0),
            current=_holds(week.start, today)))
    visit_ticks = [Tick(y_of_visits(v), v) for v in _range(visit_step, visit_top)]
    percent_ticks = [Tick(y_of_percent(v), v) for v in (0, 50, 100)]
    return TrendChart(width, height, left, right, top, bottom, max(step - 4, 1), points, visit_ticks, percent_ticks,
                      target, None if target is None else y_of_percent(target))


def _range(step: int, top: float) -> list[float]:
    return [step * n for n in range(round(top / step) + 1)]


# --- Horizontal bars: one group per line, worst first, against the target --------------------------------------

@dataclass
class Bar:
    label: str
    percent: float | None
    part: int
    whole: int
    band: str
    y: float
    length: float


@dataclass
class BarChart:
    width: float
    height: float
    row_height: float
    bars: list[Bar]
    target: float | None
    target_x: float | None
    ticks: list[Tick] = field(default_factory=list)

    def drawing(self, fmt: NumberFormat) -> Markup:
        """A line per group: its name and share above a track, its bar coloured by band; the target across."""
        marks = []
        for bar in self.bars:
            marks.append(f'<text x="0" y="{bar.y + 11:.1f}" class="label">{escape(bar.label)}</text>'
                         f'<text x="{self.width}" y="{bar.y + 11:.1f}" class="value" text-anchor="end">'
                         f'{fmt.share(bar.part, bar.whole)}</text>'
                         f'<rect x="0" y="{bar.y + 16:.1f}" width="{self.width}" height="14" class="track"/>'
                         f'<rect x="0" y="{bar.y + 16:.1f}" width="{bar.length:.1f}" height="14" class="bar {bar.band}"/>')
        if self.target_x is not None and self.target is not None:
            anchor = "end" if self.target > 60 else "start"
            marks.append(f'<line x1="{self.target_x:.1f}" y1="12" x2="{self.target_x:.1f}" y2="{self.height}" '
                         f'class="target"/><text x="{self.target_x:.1f}" y="9" class="tick tick-target" '
                         f'text-anchor="{anchor}">{_target_text(self.target, fmt)}</text>')
        return Markup("\n".join(marks))  # noqa: S704  # numbers by NumberFormat, names escaped


def bars(groups, target: float | None, width: float = WIDTH, row_height: float = 40) -> BarChart:
    """`groups`: (label, Ratio, band) in the order to draw them (worst first); one bar per group, on a 0-100%
    scale, with the target's line across all of them."""
    top = 18.0
    out = []
    for n, (label, ratio, band) in enumerate(groups):
        percent = ratio.percent
        out.append(Bar(label, percent, ratio.part, ratio.whole, band, top + n * row_height,
                       width * min(percent or 0, 100) / 100))
    height = top + len(out) * row_height + 4
    ticks = [Tick(width * v / 100, v) for v in (0, 50, 100)]
    return BarChart(width, height, row_height, out, target, None if target is None else width * target / 100, ticks)


# --- Small column chart: a team's points week by week -------------------------------------------------------------

@dataclass
class Column:
    start: date
    value: int
    x: float
    y: float
    height: float
    current: bool


@dataclass
class ColumnChart:
    width: float
    height: float
    bottom: float
    column_width: float
    columns: list[Column]
    most: int

    def drawing(self, fmt: NumberFormat) -> Markup:
        """A column per week, its value on top when wide enough, the first and the last week dated."""
        half, this_week, marks = self.column_width / 2, escape(_("this week")), []
        last = len(self.columns) - 1
        for n, c in enumerate(self.columns):
            marks.append(f'<rect x="{c.x:.1f}" y="{c.y:.1f}" width="{self.column_width:.1f}" height="{c.height:.1f}" '
                         f'class="bar{" is-current" if c.current else ""}"/>')
            if self.column_width >= COUNT_MIN_BAR_WIDTH:
                marks.append(f'<text x="{c.x + half:.1f}" y="{c.y - 3:.1f}" class="value" text-anchor="middle">'
                             f'{fmt.number(c.value)}</text>')
            if n in (0, last):
                marks.append(f'<text x="{c.x + half:.1f}" y="{self.height - 4}" class="tick" '
                             f'text-anchor="{"start" if n == 0 else "end"}">'
                             f'{this_week if c.current else c.start.strftime("%d/%m")}</text>')
        marks.append(f'<line x1="0" y1="{self.bottom}" x2="{self.width}" y2="{self.bottom}" class="axis"/>')
        return Markup("\n".join(marks))  # noqa: S704  # numbers by NumberFormat, words escaped


def columns(weeks, today: date, width: float = WIDTH, height: float = 120) -> ColumnChart:
    """`weeks`: items with `start` and `points`, oldest first."""
    top, bottom = 16.0, height - 20
    most = max((w.points for w in weeks), default=0)
    step = width / max(len(weeks), 1)
    out = []
    for n, week in enumerate(weeks):
        bar = (bottom - top) * week.points / most if most else 0
        out.append(Column(week.start, week.points, n * step + 2, bottom - bar, bar,
                          _holds(week.start, today)))
    return ColumnChart(width, height, bottom, max(step - 4, 1), out, most)
