"""Break-even volume and payback, on numpy arrays.

- Cloud monthly cost is linear in volume: ``c(r) = r x cost_per_request``.
- Local monthly cost is a step function of replicas plus fixed costs:
  ``L(r) = fixed + ceil(r / capacity_per_replica) x gpus_per_replica x per_gpu_monthly``
  (at least ``min_replicas``).
- The break-even volume is the smallest ``r`` with ``L(r) = c(r)``: on each step
  ``k`` the candidate is ``L_k / cost_per_request``, valid if it falls inside that
  step's range of volumes. None ("never") when no step qualifies.
- Payback is the month (fractional, interpolated within the month) at which
  cumulative local cost, up-front cash included, falls below cumulative cloud cost;
  None ("never") when it does not happen within the horizon.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.float64]


def replicas_for_volume(
    requests_per_month: ArrayLike, capacity_per_replica: float, min_replicas: int = 1
) -> NDArray[np.int64]:
    """Replicas needed for each volume: ceil(volume / capacity), at least ``min_replicas``."""
    r = np.asarray(requests_per_month, dtype=np.float64)
    needed = np.ceil(r / capacity_per_replica)
    return np.maximum(needed, min_replicas).astype(np.int64)


def local_monthly_cost(
    requests_per_month: ArrayLike,
    *,
    capacity_per_replica: float,
    gpus_per_replica: int,
    per_gpu_monthly_usd: float,
    fixed_monthly_usd: float,
    min_replicas: int = 1,
) -> FloatArray:
    """Local monthly cost for each volume: the step function in the module docstring."""
    replicas = replicas_for_volume(requests_per_month, capacity_per_replica, min_replicas)
    return np.asarray(fixed_monthly_usd + replicas * gpus_per_replica * per_gpu_monthly_usd, dtype=np.float64)


def break_even_requests_per_month(
    *,
    cloud_cost_per_request_usd: float,
    capacity_per_replica: float,
    gpus_per_replica: int,
    per_gpu_monthly_usd: float,
    fixed_monthly_usd: float,
    min_replicas: int = 1,
    max_replicas: int = 100_000,
) -> float | None:
    """Smallest monthly volume where local and cloud monthly costs are equal, or None (never)."""
    if cloud_cost_per_request_usd <= 0 or capacity_per_replica <= 0:
        return None
    k = np.arange(min_replicas, max_replicas + 1, dtype=np.float64)
    step_cost = fixed_monthly_usd + k * gpus_per_replica * per_gpu_monthly_usd
    candidate = step_cost / cloud_cost_per_request_usd
    low = np.where(k == min_replicas, 0.0, (k - 1) * capacity_per_replica)
    high = k * capacity_per_replica
    ok = (candidate > low) & (candidate <= high)
    if not ok.any():
        return None
    return float(candidate[int(np.argmax(ok))])


def monthly_volumes(start_per_month: float, growth_per_month: float, months: int) -> FloatArray:
    """Volume in each month of the horizon: start x (1 + growth)^m, m = 0 .. months-1."""
    m = np.arange(months, dtype=np.float64)
    return np.asarray(start_per_month * np.power(1.0 + growth_per_month, m), dtype=np.float64)


def payback_months(cloud_monthly: ArrayLike, local_monthly: ArrayLike, local_up_front: ArrayLike) -> float | None:
    """Months until cumulative local cost (up-front cash included) falls below cumulative cloud cost.

    ``local_up_front[m]`` is cash paid at the start of month ``m`` (capex, setup,
    hardware added for growth). Interpolated within the crossing month; None
    when local never catches up within the horizon.
    """
    cloud = np.asarray(cloud_monthly, dtype=np.float64)
    local = np.asarray(local_monthly, dtype=np.float64)
    up_front = np.asarray(local_up_front, dtype=np.float64)
    diff_end = np.cumsum((local - cloud) + up_front)
    diff_start = np.concatenate(([0.0], diff_end[:-1])) + up_front
    crossed = diff_end < 0
    if not crossed.any():
        return None
    m = int(np.argmax(crossed))
    before, after = float(diff_start[m]), float(diff_end[m])
    if before <= 0:
        return float(m)
    fraction = before / (before - after)
    result = m + fraction
    return result if math.isfinite(result) else None
