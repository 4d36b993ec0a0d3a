"""Break-even volume and payback between the cheapest cloud and the cheapest local plan.

- The break-even volume is the smallest monthly volume at which the local plan's
  first-month cost falls to the cloud plan's. Both costs come from the one
  projection (:func:`llmdecide.costing.plan.plan_costs`) with every segment's
  volume scaled by the same factor ``x``: sized fleets step with replicas,
  by-use rentals and API bills scale with volume, pinned fleets, staff and
  fixed costs stay. The factor is found on a log grid from 1e-4 to 1e4 and
  refined by bisection inside the grid step where local first costs no more
  than the cloud, so feeding the volume back into the projection gives equal
  costs.
- Payback is the month (fractional, interpolated within the month) at which
  cumulative local cost, up-front cash included, falls below cumulative cloud cost;
  None ("never") when it does not happen within the horizon.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from llmdecide.costing.plan import Plan, plan_costs
from llmdecide.costing.projection import Scenario

FloatArray = NDArray[np.float64]

Outcome = Literal["no_cloud_plan", "no_local_plan", "never", "always", "local_above", "cloud_below"]
"""What the comparison found: a side is missing; local never or always costs less; or a crossing, read as
'local is cheaper above it' or 'the cloud is cheaper below it' (when local is cheaper today)."""

SCALE_GRID = np.geomspace(1e-4, 1e4, 80_001)
"""Volume multiples searched for a crossing."""

BISECTION_STEPS = 60


@dataclass(frozen=True)
class BreakEven:
    """Where the cheapest local plan meets the cheapest cloud plan."""

    cloud_plan: str | None
    local_plan: str | None
    outcome: Outcome
    requests_per_month: float | None
    """Total monthly requests at which both cost the same (None: never, or not comparable)."""
    scale: float | None
    """Break-even volume as a multiple of today's volume."""
    payback_months: float | None


def first_month_cost_at_scale(plan: Plan, x: ArrayLike) -> FloatArray:
    """First-month cost of a plan if every segment's volume were ``x`` times today's (vectorised over ``x``)."""
    scale = np.atleast_1d(np.asarray(x, dtype=np.float64))
    return np.asarray(plan_costs(plan, Scenario.build(len(scale), volume=scale), 1).monthly_usd[:, 0])


def payback_months(cloud_monthly: ArrayLike, local_monthly: ArrayLike, local_up_front: ArrayLike) -> float | None:
    """Months until cumulative local cost (up-front cash included) falls below cumulative cloud cost.

    ``local_up_front[m]`` is cash paid at the start of month ``m`` (capex, setup,
    hardware added for growth). Interpolated within the crossing month; None
    when local never catches up within the horizon (:func:`payback_months_many` for one row).
    """
    rows = [np.atleast_2d(np.asarray(v, dtype=np.float64)) for v in (cloud_monthly, local_monthly, local_up_front)]
    result = float(payback_months_many(*rows)[0])
    return result if math.isfinite(result) else None


def payback_months_many(cloud_monthly: FloatArray, local_monthly: FloatArray, local_up_front: FloatArray) -> FloatArray:
    """Payback in every scenario (rows of (n, horizon) arrays); infinity where local never catches up.

    With d_end[m] = sum over months up to m of (local + up-front - cloud) and d_start[m] = d_end[m - 1] +
    up-front[m], payback is the first month m with d_end[m] < 0, plus d_start[m] / (d_start[m] - d_end[m])
    when d_start[m] > 0 (the crossing inside the month); m itself when the month starts below the cloud.
    """
    diff_end = np.cumsum((local_monthly - cloud_monthly) + local_up_front, axis=1)
    diff_start = np.concatenate((np.zeros((diff_end.shape[0], 1)), diff_end[:, :-1]), axis=1) + local_up_front
    crossed = diff_end < 0
    any_crossed = crossed.any(axis=1)
    m = np.argmax(crossed, axis=1)
    rows = np.arange(diff_end.shape[0])
    before = diff_start[rows, m]
    after = diff_end[rows, m]
    with np.errstate(divide="ignore", invalid="ignore"):
        inside = np.where(before > 0, before / np.where(before - after > 0, before - after, 1.0), 0.0)
    return np.asarray(np.where(any_crossed, m + inside, np.inf))


def _crossing(local: Plan, cloud: Plan, low: float, high: float) -> float:
    """The smallest scale in (low, high] where local costs no more than the cloud (local is dearer at low)."""

    def gap(x: float) -> float:
        return float(first_month_cost_at_scale(local, x)[0] - first_month_cost_at_scale(cloud, x)[0])

    for _ in range(BISECTION_STEPS):
        mid = math.sqrt(low * high)
        if gap(mid) <= 0:
            high = mid
        else:
            low = mid
    return high


def break_even(cloud: Plan | None, local: Plan | None, today_requests_per_month: float) -> BreakEven:
    """Volume where the cheapest local and cloud plans cost the same, and local's payback against the cloud."""
    if cloud is None or local is None:
        outcome: Outcome = "no_cloud_plan" if cloud is None else "no_local_plan"
        return BreakEven(cloud.id if cloud else None, local.id if local else None, outcome, None, None, None)
    assert cloud.series is not None and local.series is not None
    payback = payback_months(
        cloud.series.cash_usd, local.series.cash_usd - local.series.up_front_usd, local.series.up_front_usd
    )
    x = SCALE_GRID
    below = first_month_cost_at_scale(local, x) - first_month_cost_at_scale(cloud, x) <= 0
    if not below.any():
        return BreakEven(cloud.id, local.id, "never", None, None, payback)
    i = int(np.argmax(below))
    if below.all() or i == 0:
        return BreakEven(cloud.id, local.id, "always", None, None, payback)
    scale = _crossing(local, cloud, float(x[i - 1]), float(x[i]))
    cheaper_now = bool(first_month_cost_at_scale(local, 1.0)[0] <= first_month_cost_at_scale(cloud, 1.0)[0])
    outcome = "local_above" if not cheaper_now or scale <= 1.0 else "cloud_below"
    return BreakEven(cloud.id, local.id, outcome, scale * today_requests_per_month, scale, payback)
