"""Hourly load over a year, and how much of it a local deployment of a given size serves.

A profile is 8,760 hourly values with mean 1 (multiply by the average request
rate to get requests per second). The workload may give its own, as 24 (a day),
168 (a week) or 8,760 (a year) relative values, repeated to fill the year;
otherwise one is built from the segment's pattern:

- steady_high: round the clock, a mild daily swing;
- steady_low, growing: business hours on weekdays, quiet nights and weekends;
- spiky: business hours plus one surge day in ten (fixed seed);
- sporadic: a few busy hours scattered through the year (fixed seed);

then sharpened or flattened (a power transform) until its peak over its mean
equals the segment's peak-to-average ratio.

A local deployment that can serve ``c`` requests per second serves
``sum_h min(load_h, c)`` of the load; the rest overflows to the cloud.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from llmdecide.workload.schema import Pattern

FloatArray = NDArray[np.float64]
HOURS_PER_YEAR = 8760
PROFILE_SEED = 8760


def _business_hours() -> FloatArray:
    hour = np.arange(HOURS_PER_YEAR) % 24
    day = (np.arange(HOURS_PER_YEAR) // 24) % 7
    office = np.exp(-0.5 * ((hour - 13.0) / 3.5) ** 2)
    weekday = np.where(day < 5, 1.0, 0.3)
    return np.asarray(0.15 + office * weekday)


def _base_shape(pattern: Pattern) -> FloatArray:
    rng = np.random.default_rng(PROFILE_SEED)
    hour = np.arange(HOURS_PER_YEAR) % 24
    if pattern is Pattern.STEADY_HIGH:
        return np.asarray(1.0 + 0.25 * np.sin((hour - 8.0) / 24.0 * 2 * np.pi))
    if pattern is Pattern.SPIKY:
        days = HOURS_PER_YEAR // 24
        surge = np.repeat(np.where(rng.random(days) < 0.1, 6.0, 1.0), 24)
        return np.asarray(_business_hours() * surge)
    if pattern is Pattern.SPORADIC:
        busy = rng.random(HOURS_PER_YEAR) < 0.05
        return np.asarray(np.where(busy, 1.0 + 4.0 * rng.random(HOURS_PER_YEAR), 0.05))
    return _business_hours()


def _normalised(profile: FloatArray) -> FloatArray:
    return np.asarray(profile / profile.mean())


def shaped(profile: FloatArray, peak_to_average: float) -> FloatArray:
    """The profile raised to the power that makes its peak over its mean equal ``peak_to_average``."""
    p = _normalised(profile)
    if peak_to_average <= 1.0 or np.ptp(p) == 0:
        return np.ones_like(p)
    low, high = 0.0, 1.0
    while _normalised(p**high).max() < peak_to_average and high < 64:
        high *= 2
    for _ in range(60):
        mid = (low + high) / 2
        if _normalised(p**mid).max() < peak_to_average:
            low = mid
        else:
            high = mid
    return _normalised(p**high)


def profile_for(pattern: Pattern, peak_to_average: float) -> FloatArray:
    """The year's hourly profile for a pattern, with the segment's peak-to-average ratio."""
    return shaped(_base_shape(pattern), peak_to_average)


def stated_profile(values: list[float]) -> FloatArray:
    """A profile the workload gives (24, 168 or 8,760 values), repeated over the year, mean 1."""
    arr = np.asarray(values, dtype=np.float64)
    reps = HOURS_PER_YEAR // len(arr) + 1
    return _normalised(np.tile(arr, reps)[:HOURS_PER_YEAR])


@dataclass(frozen=True)
class ServedShare:
    """Share of a profile's load that a capacity serves, for any load level, without looping over hours."""

    sorted_profile: FloatArray
    prefix: FloatArray

    @classmethod
    def of(cls, profile: FloatArray) -> ServedShare:
        """Prepare a profile (mean 1)."""
        ordered = np.sort(profile)
        return cls(ordered, np.concatenate(([0.0], np.cumsum(ordered))))

    def served(self, average_rps: FloatArray, capacity_rps: float) -> FloatArray:
        """Share of the load served when the average rate is ``average_rps`` (any shape) and capacity is fixed.

        sum_h min(a p_h, c) / sum_h a p_h, with p sorted: hours below c / a count fully, the rest at c.
        """
        a = np.asarray(average_rps, dtype=np.float64)
        if capacity_rps <= 0:
            return np.zeros_like(a)
        n = len(self.sorted_profile)
        threshold = capacity_rps / np.maximum(a, 1e-300)
        below = np.searchsorted(self.sorted_profile, threshold, side="left")
        total = self.prefix[-1]
        served = (a * self.prefix[below] + capacity_rps * (n - below)) / (a * total)
        return np.asarray(np.where(a > 0, np.minimum(served, 1.0), 1.0))
