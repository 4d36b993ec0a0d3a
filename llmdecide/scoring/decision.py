"""The one decision rule, for the point estimate and for every scenario of a sweep or a Monte Carlo.

Among the feasible plans the highest total score wins, the total rounded to 9
decimals so that float noise never decides; ties go to the cheaper plan, then
to the plan listed first. The cost dimension is recomputed from each
scenario's horizon costs; the five other dimensions keep their scores.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from llmdecide.costing.plan import Plan
from llmdecide.costing.projection import FloatArray
from llmdecide.scoring.dimensions import Scores, cost_score, non_cost_total, normalised_weights, weighted_total
from llmdecide.workload.schema import Workload

SCORE_DECIMALS = 9
"""Totals are compared at this many decimals; closer than that is a tie."""


def decide(
    plans: Sequence[Plan], costs: FloatArray, scores: dict[str, Scores], workload: Workload
) -> NDArray[np.int64]:
    """Index of the winning plan in each scenario (``costs`` is plans x scenarios).

    Total = the plan's weighted non-cost scores + weight x (cheapest / this plan's cost); ties
    go to the cheaper plan, then to the earlier plan.
    """
    weights = normalised_weights(workload)
    fixed = np.array([non_cost_total(scores[p.id].dimensions, weights) for p in plans]).reshape(-1, 1)
    cheapest = costs.min(axis=0, keepdims=True)
    total = np.round(weighted_total(fixed, cost_score(costs, cheapest), weights), SCORE_DECIMALS)
    best = total.max(axis=0, keepdims=True)
    contenders = np.where(total == best, costs, np.inf)
    return np.asarray(np.argmin(contenders, axis=0), dtype=np.int64)


def recommend(plans: Sequence[Plan], scores: dict[str, Scores], workload: Workload) -> Plan | None:
    """The winner among feasible ``plans`` at today's inputs (the point estimate); None when there are none."""
    if not plans:
        return None
    costs = np.array([[p.horizon_cost_usd] for p in plans], dtype=np.float64)
    return plans[int(decide(plans, costs, scores, workload)[0])]
