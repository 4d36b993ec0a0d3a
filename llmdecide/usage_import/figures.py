"""The figures a workload segment is written from, derived from the counters of one segment.

- **Window**: from ``--since`` (else the first record) to ``--until`` (else the last record's end). A calendar
  month is *full* when the window covers it, give or take a day at either end (request logs start a few minutes
  into the first day).
- **Volume**: requests in the latest full month; with no full month, requests per day over the window. Where the
  export counts no requests, tokens the same way.
- **Growth**: a least-squares line through log(requests per day) of the full months (requests per day, so that
  February's three missing days are not a fall); growth = e^slope - 1, its spread e^(slope ± standard error) - 1.
  Two full months give a growth without a spread; fewer give none.
- **Request shape**: mean input and output tokens over every request in the window (the p90 from the histograms,
  for logs of single requests); cached and cache-write shares of the prompt tokens.
- **Hourly profile**: requests in each hour of the week (Monday 00:00 first), averaged over the weeks of the
  window, relative to their mean; or, when the window spans a year, the 8,760 hours of its last 365 days. Only
  records of an hour or less count; an export of daily buckets gives no profile.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from llmdecide.usage_import.aggregate import SegmentUsage, Totals

HOURS_PER_WEEK = 168
HOURS_PER_YEAR = 8760
MIN_PROFILE_DAYS = 7


@dataclass(frozen=True)
class Window:
    """The span of time the import describes, in the export's time zone."""

    start: dt.datetime
    end: dt.datetime

    @property
    def days(self) -> float:
        """Length in days."""
        return max((self.end - self.start).total_seconds() / 86400.0, 1.0 / 24)


def month_bounds(month: str, zone: dt.tzinfo) -> tuple[dt.datetime, dt.datetime]:
    """First instant of a ``YYYY-MM`` month and of the next one."""
    year, mon = int(month[:4]), int(month[5:7])
    start = dt.datetime(year, mon, 1, tzinfo=zone)
    nxt = dt.datetime(year + (mon == 12), mon % 12 + 1, 1, tzinfo=zone)
    return start, nxt


def full_months(window: Window, zone: dt.tzinfo) -> list[str]:
    """Calendar months the window covers (within a day at either end), oldest first."""
    out = []
    cursor = dt.datetime(window.start.year, window.start.month, 1, tzinfo=zone)
    slack = dt.timedelta(days=1)
    while cursor < window.end:
        month = f"{cursor.year:04d}-{cursor.month:02d}"
        start, nxt = month_bounds(month, zone)
        if window.start < start + slack and window.end > nxt - slack:
            out.append(month)
        cursor = nxt
    return out


@dataclass(frozen=True)
class Growth:
    """Month-on-month growth fitted over full months."""

    per_month: float
    low: float | None
    high: float | None
    months: int


def fit_growth(values: list[tuple[str, float]], zone: dt.tzinfo) -> Growth | None:
    """Growth from ``(month, volume)`` of full months (see the module docstring); None with fewer than two."""
    points = []
    for i, (month, volume) in enumerate(values):
        if volume > 0:
            start, nxt = month_bounds(month, zone)
            points.append((float(i), math.log(volume / ((nxt - start).total_seconds() / 86400.0))))
    if len(points) < 2:
        return None
    n = len(points)
    mx = sum(x for x, _ in points) / n
    my = sum(y for _, y in points) / n
    sxx = sum((x - mx) ** 2 for x, _ in points)
    slope = sum((x - mx) * (y - my) for x, y in points) / sxx
    if n < 3:
        return Growth(math.expm1(slope), None, None, n)
    residual = sum((y - (my + slope * (x - mx))) ** 2 for x, y in points)
    se = math.sqrt(residual / (n - 2) / sxx)
    return Growth(math.expm1(slope), math.expm1(slope - se), math.expm1(slope + se), n)


@dataclass(frozen=True)
class SegmentFigures:
    """What one segment's workload entry is written from."""

    name: str
    batch: bool
    totals: Totals
    tokens_only: bool
    """The export counts tokens but no requests for this segment."""
    monthly: list[tuple[str, Totals]]
    """Every month present, oldest first."""
    full: list[str]
    latest_full: str | None
    volume: float
    """Requests (tokens, when ``tokens_only``) in the latest full month, or per day when there is none."""
    volume_per_day: bool
    days: float
    """Days in the window."""
    input_mean: float
    output_mean: float
    input_p90: float | None
    output_p90: float | None
    cached_share: float
    cache_write_share: float
    growth: Growth | None
    profile: list[float] | None
    profile_note: str
    models: list[tuple[str, str, Totals]]
    """(model, provider, totals) over the window, most tokens first."""


def _profile(usage: SegmentUsage, window: Window, offset_s: int) -> tuple[list[float] | None, str]:
    if usage.coarse_records and not usage.hours:
        return None, "the export's buckets are longer than an hour: no hourly profile (the pattern's applies)"
    if usage.coarse_records:
        return None, "some buckets are longer than an hour: no hourly profile (the pattern's applies)"
    if window.days < MIN_PROFILE_DAYS:
        return None, f"less than {MIN_PROFILE_DAYS} days of data: no hourly profile (the pattern's applies)"
    first = int(window.start.timestamp() + offset_s) // 3600
    last = int(window.end.timestamp() + offset_s - 1) // 3600
    if last - first + 1 >= HOURS_PER_YEAR + 24:
        begin = last - HOURS_PER_YEAR + 1
        values = [usage.hours.get(h, 0.0) for h in range(begin, last + 1)]
        note = "8,760 hours of the last 365 days of the window, first hour first"
    else:
        sums = [0.0] * HOURS_PER_WEEK
        counts = [0] * HOURS_PER_WEEK
        for h in range(first, last + 1):
            slot = ((h // 24 + 3) % 7) * 24 + h % 24  # 1970-01-01 was a Thursday: Monday is day 0
            sums[slot] += usage.hours.get(h, 0.0)
            counts[slot] += 1
        values = [s / c if c else 0.0 for s, c in zip(sums, counts, strict=True)]
        note = "hours of the week, Monday 00:00 first, averaged over the window"
    mean = sum(values) / len(values)
    if mean <= 0:
        return None, "no requests in whole hours of the window: no hourly profile"
    return [v / mean for v in values], note


def segment_figures(usage: SegmentUsage, window: Window, zone: dt.tzinfo, offset_s: int) -> SegmentFigures:
    """The figures of one segment over the window."""
    totals = usage.totals()
    tokens_only = totals.tokens_only_records > 0 and totals.requests == 0
    by_month: dict[str, Totals] = {}
    by_model: dict[tuple[str, str], Totals] = {}
    for (month, model, provider), t in usage.groups.items():
        by_month.setdefault(month, Totals()).merge(t)
        by_model.setdefault((model, provider), Totals()).merge(t)
    monthly = sorted(by_month.items())
    full = full_months(window, zone)

    def volume_of(t: Totals) -> float:
        return t.tokens if tokens_only else t.requests

    full_values = [(m, volume_of(by_month[m]) if m in by_month else 0.0) for m in full]
    latest = next((m for m, v in reversed(full_values) if v > 0), None)
    if latest is not None:
        volume, per_day = volume_of(by_month[latest]), False
    else:
        volume, per_day = volume_of(totals) / window.days, True
    requests = totals.requests
    input_mean = totals.input_tokens / requests if requests > 0 else 0.0
    output_mean = totals.output_tokens / requests if requests > 0 else 0.0
    if tokens_only and totals.tokens > 0:
        input_mean = totals.input_tokens / totals.tokens
        output_mean = totals.output_tokens / totals.tokens
    prompt = totals.input_tokens
    cached = totals.cached_input_tokens / prompt if prompt > 0 else 0.0
    written = totals.cache_write_tokens / prompt if prompt > 0 else 0.0
    profile, note = _profile(usage, window, offset_s)
    models = sorted(((m, p, t) for (m, p), t in by_model.items()), key=lambda x: (-x[2].tokens, x[0], x[1]))
    return SegmentFigures(
        name=usage.name,
        batch=usage.batch,
        totals=totals,
        tokens_only=tokens_only,
        monthly=monthly,
        full=full,
        latest_full=latest,
        volume=volume,
        volume_per_day=per_day,
        days=window.days,
        input_mean=input_mean,
        output_mean=output_mean,
        input_p90=usage.input_histogram.quantile(0.9),
        output_p90=usage.output_histogram.quantile(0.9),
        cached_share=cached,
        cache_write_share=written,
        growth=fit_growth(full_values, zone),
        profile=profile,
        profile_note=note,
        models=models,
    )
