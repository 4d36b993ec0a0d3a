"""Streaming aggregation, and the figures a segment is written from: volumes, growth, shares, p90, profiles."""

from __future__ import annotations

import datetime as dt
import math
import random

import pytest

from llmdecide.usage_import.aggregate import Aggregator, Histogram, segment_key
from llmdecide.usage_import.figures import Window, fit_growth, full_months, segment_figures
from llmdecide.usage_import.records import UsageRecord

UTC = dt.UTC


def request(when: dt.datetime, tokens_in: float = 100, tokens_out: float = 10, **kw: object) -> UsageRecord:
    return UsageRecord(when, None, kw.pop("model", "m"), tokens_in, kw.pop("cached", 0.0), 0.0, tokens_out, 1.0, **kw)  # type: ignore[arg-type]


def bucket(start: dt.datetime, hours: float, requests: float | None = 10.0) -> UsageRecord:
    return UsageRecord(start, start + dt.timedelta(hours=hours), "m", 1000, 0, 0, 100, requests)


def test_histogram_p90_is_within_half_a_percent() -> None:
    rng = random.Random(7)
    values = [rng.lognormvariate(6, 1) for _ in range(20_000)]
    h = Histogram()
    for v in values:
        h.add(v)
    exact = sorted(values)[int(0.9 * len(values))]
    assert h.quantile(0.9) == pytest.approx(exact, rel=0.006)
    assert Histogram().quantile(0.9) is None


def test_duplicated_and_overlapping_buckets_count_once() -> None:
    agg = Aggregator(segment_key("model", lambda r: r.model or ""))
    day = dt.datetime(2025, 1, 1, tzinfo=UTC)
    agg.add(bucket(day, 24))
    agg.add(bucket(day, 24))  # the same bucket again (a page downloaded twice)
    agg.add(bucket(day + dt.timedelta(hours=5), 1))  # an hourly bucket inside the daily one
    agg.add(bucket(day + dt.timedelta(days=1), 24))  # the next day: counted
    seg = next(iter(agg.segments.values()))
    assert seg.totals().requests == 20
    assert (agg.dropped.duplicates, agg.dropped.overlaps) == (1, 1)


def test_window_full_months_and_growth() -> None:
    window = Window(dt.datetime(2025, 1, 1, 0, 7, tzinfo=UTC), dt.datetime(2025, 3, 31, 23, 50, tzinfo=UTC))
    assert full_months(window, UTC) == ["2025-01", "2025-02", "2025-03"]
    late = Window(dt.datetime(2025, 1, 3, tzinfo=UTC), dt.datetime(2025, 3, 15, tzinfo=UTC))
    assert full_months(late, UTC) == ["2025-02"]
    # 10% more a day-rate each month; February's 28 days must not read as a fall
    values = [(m, 1000 * 1.1**i * d) for i, (m, d) in enumerate([("2025-01", 31), ("2025-02", 28), ("2025-03", 31)])]
    growth = fit_growth(values, UTC)
    assert growth is not None and growth.per_month == pytest.approx(0.10, abs=1e-9)
    assert growth.low == pytest.approx(0.10, abs=1e-9) and growth.months == 3
    assert fit_growth(values[:1], UTC) is None


def test_segment_figures_from_requests() -> None:
    agg = Aggregator(segment_key("model", lambda r: r.model or ""))
    start = dt.datetime(2025, 1, 1, tzinfo=UTC)
    t = start
    n = 0
    while t < dt.datetime(2025, 3, 1, tzinfo=UTC):
        busy = t.weekday() < 5 and 9 <= t.hour < 17
        for _ in range(3 if busy else 1):
            agg.add(request(t, 100 + n % 10, 20, cached=50.0))
            n += 1
        t += dt.timedelta(hours=1)
    assert agg.first is not None and agg.last is not None
    f = segment_figures(next(iter(agg.segments.values())), Window(agg.first, agg.last), UTC, 0)
    assert f.latest_full == "2025-02" and not f.volume_per_day
    assert f.volume == f.monthly[1][1].requests
    assert f.input_mean == pytest.approx(104.5, abs=0.1) and f.output_mean == 20
    assert f.cached_share == pytest.approx(50 / 104.5, rel=1e-3)
    assert f.input_p90 is not None and 107 <= f.input_p90 <= 110
    assert f.profile is not None and len(f.profile) == 168
    assert sum(f.profile) / 168 == pytest.approx(1.0)
    monday_10 = f.profile[10]
    sunday_3 = f.profile[6 * 24 + 3]
    assert monday_10 == pytest.approx(3 * sunday_3, rel=1e-9)


def test_a_year_gives_8760_hours_and_daily_buckets_give_no_profile() -> None:
    agg = Aggregator(segment_key("none", lambda r: ""))
    t = dt.datetime(2024, 1, 1, tzinfo=UTC)
    while t < dt.datetime(2025, 1, 10, tzinfo=UTC):
        agg.add(request(t))
        t += dt.timedelta(hours=3)
    assert agg.first is not None and agg.last is not None
    f = segment_figures(next(iter(agg.segments.values())), Window(agg.first, agg.last), UTC, 0)
    assert f.profile is not None and len(f.profile) == 8760
    daily = Aggregator(segment_key("none", lambda r: ""))
    for d in range(60):
        daily.add(bucket(dt.datetime(2025, 1, 1, tzinfo=UTC) + dt.timedelta(days=d), 24))
    assert daily.first is not None and daily.last is not None
    g = segment_figures(next(iter(daily.segments.values())), Window(daily.first, daily.last), UTC, 0)
    assert g.profile is None and "longer than an hour" in g.profile_note


def test_tokens_only_records_never_get_a_request_count() -> None:
    agg = Aggregator(segment_key("none", lambda r: ""))
    for d in range(40):
        agg.add(bucket(dt.datetime(2025, 1, 1, tzinfo=UTC) + dt.timedelta(days=d), 24, requests=None))
    assert agg.first is not None and agg.last is not None
    f = segment_figures(next(iter(agg.segments.values())), Window(agg.first, agg.last), UTC, 0)
    assert f.tokens_only and f.totals.requests == 0
    assert f.volume == 31 * 1100 and f.latest_full == "2025-01"
    assert f.input_mean + f.output_mean == pytest.approx(1.0) and math.isclose(f.input_mean, 1000 / 1100)


def test_the_export_time_zone_is_its_first_records() -> None:
    zone = dt.timezone(dt.timedelta(hours=2))
    agg = Aggregator(segment_key("none", lambda r: ""), since=dt.date(2025, 1, 2))
    agg.add(request(dt.datetime(2025, 1, 1, 23, 0, tzinfo=zone)))  # before the window
    agg.add(request(dt.datetime(2025, 1, 2, 0, 30, tzinfo=zone)))  # in it (22:30 UTC the day before)
    assert agg.outside_window == 1 and agg.offset == dt.timedelta(hours=2)
    seg = next(iter(agg.segments.values()))
    assert next(iter(seg.groups))[0] == "2025-01"


@pytest.mark.parametrize("first_offset_minutes", [0, 330, -480])
def test_a_start_falls_in_the_hour_of_the_exports_wall_clock_whatever_its_zone(first_offset_minutes: int) -> None:
    """The hour a request counts in: in the export's zone (its first record's), for starts written in that zone
    or in any other, before 1970 too."""
    export_zone = dt.timezone(dt.timedelta(minutes=first_offset_minutes))
    other = dt.timezone(dt.timedelta(hours=2))
    rng = random.Random(first_offset_minutes)
    starts = [dt.datetime(2025, 3, 1, 0, 30, tzinfo=export_zone)]
    for _ in range(300):
        moment = dt.datetime(1969, 12, 30, tzinfo=UTC) + dt.timedelta(seconds=rng.randrange(0, 60 * 86_400 * 365))
        starts.append(moment.astimezone(rng.choice([export_zone, other, UTC])))
    agg = Aggregator(segment_key("none", lambda r: ""))
    for when in starts:
        agg.add(request(when))
    expected: dict[int, float] = {}
    for when in starts:
        wall = when.astimezone(export_zone).replace(tzinfo=None)
        hour = math.floor((wall - dt.datetime(1970, 1, 1)).total_seconds() / 3600)
        expected[hour] = expected.get(hour, 0.0) + 1.0
    (segment,) = agg.segments.values()
    assert segment.hours == expected
