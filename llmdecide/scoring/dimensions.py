"""The six decision dimensions, each scored in [0, 1] for a plan by documented rules.

Segment-level scores are averaged over the plan's segments weighted by their
first-month requests; a split segment scores the request-weighted mix of its
two sides. The tables below are the rules; the README prints them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from llmdecide.catalog.schema import Tier
from llmdecide.costing.plan import Placement, Plan
from llmdecide.demand.segment_load import SegmentLoad
from llmdecide.workload.schema import Latency, Pattern, Sensitivity, TeamCapability, Workload

DIMENSIONS = ("data_sensitivity", "latency", "volume_pattern", "capability", "cost", "team")

DATA_SENSITIVITY: dict[Sensitivity, tuple[float, float]] = {
    Sensitivity.PUBLIC: (1.0, 1.0),
    Sensitivity.INTERNAL: (0.8, 1.0),
    Sensitivity.REGULATED: (0.4, 1.0),
    Sensitivity.CRITICAL: (0.0, 1.0),
}
"""(cloud, local) score by data class: the more sensitive the data, the more it favours keeping it in-house."""

LATENCY: dict[Latency, tuple[float, float]] = {
    Latency.BATCH: (1.0, 1.0),
    Latency.INTERACTIVE: (0.8, 1.0),
    Latency.REAL_TIME: (0.3, 1.0),
    Latency.EMBEDDED: (0.0, 1.0),
}
"""(cloud, local): cloud calls add a 50-200 ms network round trip and 200-500 ms to first token (003)."""

VOLUME_PATTERN: dict[Pattern, tuple[float, float]] = {
    Pattern.SPORADIC: (1.0, 0.2),
    Pattern.STEADY_LOW: (0.8, 0.5),
    Pattern.STEADY_HIGH: (0.4, 1.0),
    Pattern.SPIKY: (1.0, 0.4),
    Pattern.GROWING: (0.7, 0.6),
}
"""(cloud, local): steady high volume amortises hardware; sporadic and spiky load favour paying per use."""

CAPABILITY: dict[Tier, tuple[float, float]] = {
    Tier.FRONTIER: (1.0, 0.8),
    Tier.GOOD_ENOUGH: (1.0, 1.0),
    Tier.SPECIALIZED: (0.7, 1.0),
    Tier.SIMPLE: (1.0, 1.0),
}
"""(cloud, local) for a model that meets the need: specialised work gains from fine-tuning open weights;
an open model that reaches the frontier tier still trails the newest closed models."""

TEAM: dict[TeamCapability, float] = {
    TeamCapability.NONE: 0.0,
    TeamCapability.BASIC: 0.3,
    TeamCapability.INTERMEDIATE: 0.7,
    TeamCapability.ADVANCED: 1.0,
}
"""Local score by team maturity (cloud scores 1): running GPUs needs intermediate or better ML ops."""


@dataclass(frozen=True)
class Scores:
    """A plan's score on each dimension, and the weighted total."""

    dimensions: dict[str, float]
    total: float


def _segment_score(placement: Placement, cloud: float, local: float) -> float:
    share = placement.local_share if placement.local is not None else 0.0
    return share * local + (1.0 - share) * cloud


def _weighted(plan: Plan, loads: dict[str, SegmentLoad], score: Callable[[Placement, SegmentLoad], float]) -> float:
    total = 0.0
    weight = 0.0
    for p in plan.placements:
        load = loads[p.segment]
        w = load.start_requests_per_month
        total += w * score(p, load)
        weight += w
    return total / weight if weight else 0.0


def score_plan(plan: Plan, workload: Workload, loads: dict[str, SegmentLoad], cheapest_horizon_usd: float) -> Scores:
    """The six dimension scores of a feasible plan and their weighted total (weights normalised)."""

    def table(rules: dict[object, tuple[float, float]], key: Callable[[SegmentLoad], object]) -> float:
        return _weighted(plan, loads, lambda p, load: _segment_score(p, *rules[key(load)]))

    dims = {
        "data_sensitivity": table(DATA_SENSITIVITY, lambda load: load.segment.data_sensitivity),  # type: ignore[arg-type]
        "latency": table(LATENCY, lambda load: load.segment.latency),  # type: ignore[arg-type]
        "volume_pattern": table(VOLUME_PATTERN, lambda load: load.segment.pattern),  # type: ignore[arg-type]
        "capability": table(CAPABILITY, lambda load: load.segment.capability),  # type: ignore[arg-type]
        "cost": float(cost_score(plan.horizon_cost_usd, cheapest_horizon_usd)),
        "team": _weighted(plan, loads, lambda p, load: _segment_score(p, 1.0, TEAM[workload.team.capability])),
    }
    weights = normalised_weights(workload)
    return Scores(dims, float(weighted_total(non_cost_total(dims, weights), dims["cost"], weights)))


def cost_score(horizon_cost_usd: ArrayLike, cheapest_horizon_usd: ArrayLike) -> NDArray[np.float64]:
    """The cost dimension: min(1, cheapest plan's horizon cost / this plan's); 1 for a plan that costs nothing."""
    cost = np.asarray(horizon_cost_usd, dtype=np.float64)
    cheapest = np.asarray(cheapest_horizon_usd, dtype=np.float64)
    return np.asarray(np.where(cost > 0, np.minimum(1.0, cheapest / np.where(cost > 0, cost, 1.0)), 1.0))


def non_cost_total(dimensions: dict[str, float], weights: dict[str, float]) -> float:
    """The weighted sum of the five dimensions that do not depend on cost."""
    return sum(weights[d] * dimensions[d] for d in DIMENSIONS if d != "cost")


def weighted_total(non_cost: ArrayLike, cost: ArrayLike, weights: dict[str, float]) -> NDArray[np.float64]:
    """A plan's total score: its weighted non-cost scores plus the cost weight x its cost score."""
    return np.asarray(np.asarray(non_cost, dtype=np.float64) + weights["cost"] * np.asarray(cost, dtype=np.float64))


def normalised_weights(workload: Workload) -> dict[str, float]:
    """The workload's dimension weights scaled to sum to 1."""
    raw = workload.weights.model_dump()
    s = sum(raw.values())
    return {d: raw[d] / s for d in DIMENSIONS}
