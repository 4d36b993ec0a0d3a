"""A segment's volume over the horizon: requests per month, average and peak request rates.

- requests per month: ``requests_per_month``; or ``requests_per_day x hours_per_month / 24``;
  or ``tokens_per_month / (input_tokens + output_tokens)``;
- month m of the horizon: ``start x (1 + growth)^m``;
- average rate = requests per month / (hours per month x 3600); peak = average x peak-to-average,
  which is the workload's, else its hourly profile's, else the pattern's default (below).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from llmdecide.demand.load_profile import profile_for, stated_profile
from llmdecide.workload.schema import Pattern, Segment, Workload

PEAK_TO_AVERAGE: dict[Pattern, float] = {
    Pattern.SPORADIC: 10.0,
    Pattern.STEADY_LOW: 2.0,
    Pattern.STEADY_HIGH: 1.5,
    Pattern.SPIKY: 5.0,
    Pattern.GROWING: 2.0,
}
"""Default peak-to-average ratio of each volume pattern (a workload may state its own).

A diurnal business-hours curve peaks at about twice its average (steady_low,
growing); round-the-clock pipelines run flatter (steady_high, 1.5); bursty and
occasional traffic concentrates into short windows (spiky 5, sporadic 10).
"""


@dataclass(frozen=True)
class SegmentLoad:
    """One segment's volume and request shape over the horizon."""

    segment: Segment
    requests_per_month: NDArray[np.float64]
    """Requests in each month of the horizon."""
    hours_per_month: float
    peak_to_average: float

    @property
    def name(self) -> str:
        """The segment's name."""
        return self.segment.name

    @property
    def start_requests_per_month(self) -> float:
        """Requests in the first month."""
        return float(self.requests_per_month[0])

    @property
    def input_tokens(self) -> float:
        """Prompt tokens per request, overhead included (what the GPUs and the bill see)."""
        return self.segment.input_tokens * (1.0 + self.segment.token_overhead)

    @property
    def output_tokens(self) -> float:
        """Generated tokens per request, overhead included."""
        return self.segment.output_tokens * (1.0 + self.segment.token_overhead)

    @property
    def context_tokens(self) -> int:
        """Longest context a request needs."""
        return int(self.segment.context_tokens or self.segment.input_tokens)

    def average_rps(self) -> NDArray[np.float64]:
        """Average requests per second in each month."""
        return np.asarray(self.requests_per_month / (self.hours_per_month * 3600.0), dtype=np.float64)

    def peak_rps(self) -> NDArray[np.float64]:
        """Peak requests per second in each month."""
        return np.asarray(self.average_rps() * self.peak_to_average, dtype=np.float64)

    def hourly_profile(self) -> NDArray[np.float64]:
        """The year's hourly load relative to the average: stated, or built from the pattern."""
        if self.segment.hourly_profile is not None:
            return stated_profile(self.segment.hourly_profile)
        return profile_for(self.segment.pattern, self.peak_to_average)


def monthly_volumes(start_per_month: float, growth_per_month: float, months: int) -> NDArray[np.float64]:
    """Volume in each month of the horizon: start x (1 + growth)^m, m = 0 .. months-1."""
    m = np.arange(months, dtype=np.float64)
    return np.asarray(start_per_month * np.power(1.0 + growth_per_month, m), dtype=np.float64)


def start_requests_per_month(segment: Segment, hours_per_month: float) -> float:
    """First-month requests from whichever volume field the segment gives."""
    if segment.requests_per_month is not None:
        return segment.requests_per_month
    if segment.requests_per_day is not None:
        return segment.requests_per_day * hours_per_month / 24.0
    assert segment.tokens_per_month is not None
    return segment.tokens_per_month / (segment.input_tokens + segment.output_tokens)


def segment_load(segment: Segment, hours_per_month: float, horizon_months: int, *, scale: float = 1.0) -> SegmentLoad:
    """The segment's volume series over the horizon (``scale`` multiplies every month's volume)."""
    start = start_requests_per_month(segment, hours_per_month) * scale
    volumes = monthly_volumes(start, segment.growth_per_month, horizon_months)
    if segment.peak_to_average is not None:
        ratio = segment.peak_to_average
    elif segment.hourly_profile is not None:
        ratio = float(stated_profile(segment.hourly_profile).max())
    else:
        ratio = PEAK_TO_AVERAGE[segment.pattern]
    return SegmentLoad(segment, volumes, hours_per_month, ratio)


def segment_loads(workload: Workload, hours_per_month: float) -> dict[str, SegmentLoad]:
    """Each segment's volume over the horizon, by segment name."""
    return {s.name: segment_load(s, hours_per_month, workload.horizon_months) for s in workload.segments}


def today_requests_per_month(loads: Mapping[str, SegmentLoad]) -> float:
    """Requests of every segment in the first month: the volume break-even multiples are of."""
    return sum(load.start_requests_per_month for load in loads.values())
