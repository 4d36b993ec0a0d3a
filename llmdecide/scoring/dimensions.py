"""The six decision dimensions, each scored in [0, 1] for a plan from the facts the assessment computed.

Each segment's score on a dimension is the request-weighted mix of its sides
(a split segment: its local share on the local side, the rest on the cloud
side); a plan's score is the mean over its segments weighted by their
first-month requests. The facts and the rules that turn them into scores are in
``facts.py``; the cost dimension is the cheapest allowed plan's cost / this
plan's, on the workload's cost basis. The README prints the rules.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from llmdecide.catalog.schema import OperatingAssumptions
from llmdecide.costing.plan import Plan
from llmdecide.demand.segment_load import SegmentLoad
from llmdecide.scoring.facts import Fact, placement_facts
from llmdecide.workload.schema import Workload

DIMENSIONS = ("data_sensitivity", "latency", "volume_pattern", "capability", "cost", "team")
NON_COST = tuple(d for d in DIMENSIONS if d != "cost")


@dataclass(frozen=True)
class Scores:
    """A plan's score on each dimension, the weighted total, and the facts behind the non-cost scores."""

    dimensions: dict[str, float]
    total: float
    facts: tuple[Fact, ...] = ()

    def with_cost(self, cost_usd: float, cheapest_usd: float, weights: dict[str, float]) -> Scores:
        """These scores with the cost dimension set from this plan's cost and the cheapest allowed plan's."""
        dims = dict(self.dimensions)
        dims["cost"] = float(cost_score(cost_usd, cheapest_usd))
        total = float(weighted_total(non_cost_total(dims, weights), dims["cost"], weights))
        return Scores(dims, total, self.facts)


def _combine(plan: Plan, loads: dict[str, SegmentLoad], facts: Sequence[Fact], dimension: str) -> float:
    """A dimension's plan score: each segment's sides mixed by its local share, weighted by its requests."""
    total = 0.0
    weight = 0.0
    for p in plan.placements:
        by_side = {f.side: f.score for f in facts if f.segment == p.segment and f.dimension == dimension}
        share = p.local_share if p.local is not None else 0.0
        score = share * by_side.get("local", 0.0) + (1.0 - share) * by_side.get("cloud", 0.0)
        w = loads[p.segment].start_requests_per_month
        total += w * score
        weight += w
    return total / weight if weight else 0.0


def score_plan(
    plan: Plan,
    workload: Workload,
    loads: dict[str, SegmentLoad],
    assumptions: OperatingAssumptions,
) -> Scores:
    """The five non-cost scores of a feasible plan, from its facts; the cost dimension is set by
    :meth:`Scores.with_cost` once the decision knows the cheapest allowed plan (1 until then)."""
    facts = tuple(f for p in plan.placements for f in placement_facts(p, loads[p.segment], workload, assumptions))
    dims = {d: (1.0 if d == "cost" else _combine(plan, loads, facts, d)) for d in DIMENSIONS}
    weights = normalised_weights(workload)
    return Scores(dims, float(weighted_total(non_cost_total(dims, weights), dims["cost"], weights)), facts)


def cost_score(horizon_cost_usd: ArrayLike, cheapest_horizon_usd: ArrayLike) -> NDArray[np.float64]:
    """The cost dimension: the cheapest allowed plan's cost / this plan's, in [0, 1]; 1 for a plan that costs
    nothing or less (a present value can be negative)."""
    cost = np.asarray(horizon_cost_usd, dtype=np.float64)
    cheapest = np.asarray(cheapest_horizon_usd, dtype=np.float64)
    ratio = np.clip(cheapest / np.where(cost > 0, cost, 1.0), 0.0, 1.0)
    return np.asarray(np.where(cost > 0, ratio, 1.0))


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
