"""Units and conversions used by every layer. Decimal prefixes throughout (1 GB = 1e9 bytes)."""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Final

BYTES_PER_GB: Final = 1e9
TOKENS_PER_MTOK: Final = 1e6
HOURS_PER_YEAR: Final = 8760.0
MONTHS_PER_YEAR: Final = 12
DAYS_PER_MONTH_CALENDAR: Final = 365.0 / 12.0
"""Average days in a month (30.42), used to turn per-day volumes into per-month ones."""

BYTES_PER_PARAM: Final[dict[str, float]] = {
    "fp32": 4.0,
    "bf16": 2.0,
    "fp16": 2.0,
    "fp8": 1.0,
    "int8": 1.0,
    "int4": 0.5,
    "fp4": 0.5,
}
"""Bytes per weight at each precision (domain note: fp16 2, fp8/int8 1, int4 0.5).

Quantisation scales (one per group of 32-128 weights) add 3-12% to the 4-bit
formats; the calibrated bandwidth efficiency of each engine absorbs that.
"""

PRECISIONS: Final = tuple(BYTES_PER_PARAM)


def per_day_to_per_month(per_day: float, days_per_month: float = DAYS_PER_MONTH_CALENDAR) -> float:
    """A daily volume as a monthly one."""
    return per_day * days_per_month


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` calendar months later, clamped to the month's last day (Jan 31 + 1 = Feb 28/29)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def month_starts(start: dt.date, months: int) -> tuple[dt.date, ...]:
    """First day of each month of a horizon that starts on ``start``: start, start + 1 month, ..."""
    return tuple(add_months(start, m) for m in range(months))
