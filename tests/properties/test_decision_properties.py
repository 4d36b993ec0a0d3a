"""Properties of the decision rule on synthetic plans: cost first, premiums bounded, monotone in cost."""

from __future__ import annotations

from typing import Any

import numpy as np
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from llmdecide.costing.plan import Plan
from llmdecide.scoring.decision import Decider
from llmdecide.scoring.dimensions import DIMENSIONS, NON_COST, Scores
from llmdecide.workload import Workload, load_workload_text

LEVELS = st.sampled_from([0.0, 0.3, 0.5, 0.7, 1.0])
PREMIUMS = st.sampled_from([0.0, 0.05, 0.1, 0.25, 0.6, 1.0])


def _workload(max_premium: float, premiums: dict[str, float]) -> Workload:
    seg = {"name": "s", "requests_per_day": 1000, "input_tokens": 100, "output_tokens": 10}
    data: dict[str, Any] = {
        "schema_version": 1,
        "name": "t",
        "segments": [seg],
        "preferences": {"max_premium": max_premium, "premiums": premiums, "max_payback_months": None},
    }
    return load_workload_text(yaml.safe_dump(data))


@st.composite
def decisions(draw: st.DrawFn) -> tuple[Decider, np.ndarray]:
    n = draw(st.integers(2, 5))
    granted = draw(st.dictionaries(st.sampled_from(NON_COST), PREMIUMS, max_size=3))
    w = _workload(draw(PREMIUMS), granted)
    scores = {f"p{i}": Scores({d: draw(LEVELS) for d in DIMENSIONS}, 0.0) for i in range(n)}
    plans = [Plan.infeasible(pid, "cloud", pid, "stand-in") for pid in scores]
    costs = np.array([[draw(st.floats(100.0, 300.0))] for _ in range(n)])
    return Decider(plans, scores, w), costs


@settings(max_examples=2000, deadline=None)
@given(decisions(), st.sampled_from([1.01, 1.1, 1.3, 2.0]), st.data())
def test_raising_a_plans_cost_never_raises_its_rank(case: tuple[Decider, np.ndarray], factor: float, data: Any) -> None:
    decider, costs = case
    nan = np.full(costs.shape, np.nan)
    i = data.draw(st.integers(0, len(decider.plans) - 1))
    before = list(decider.rule(costs, nan).order[:, 0])
    raised = costs.copy()
    raised[i] *= factor
    after = list(decider.rule(raised, nan).order[:, 0])
    assert after.index(i) >= before.index(i)


@settings(max_examples=400, deadline=None)
@given(decisions())
def test_the_winner_is_within_what_its_advantages_buy_over_every_cheaper_plan(case: tuple[Decider, np.ndarray]) -> None:
    decider, costs = case
    d = decider.rule(costs, np.full(costs.shape, np.nan))
    w = int(d.winners[0])
    prefs = decider.workload.preferences
    for j in range(len(decider.plans)):
        if costs[j, 0] < costs[w, 0]:
            better = decider.better_dimensions(w, j)
            limit = max([prefs.max_premium, *(prefs.premium_for(dim) for dim in better)])
            assert costs[w, 0] <= costs[j, 0] * (1 + limit) * (1 + 1e-9)
    if prefs.max_premium == 0 and not any(v for v in prefs.premiums.model_dump().values()):
        assert costs[w, 0] <= costs.min() * (1 + 1e-9)  # equal within float noise
