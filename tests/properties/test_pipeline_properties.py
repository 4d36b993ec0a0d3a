"""Properties that hold the stages together: one fleet size, one cost model, one decision rule.

Each runs on every shipped example (the packaged catalog) and on generated
workloads from one desk machine's load to a large fleet's (the frozen test
catalog).
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from llmdecide.assessment import Assessment, assess_workload
from llmdecide.capacity.sizing import size_for_load
from llmdecide.catalog import Catalog, load_catalog
from llmdecide.costing.breakeven import first_month_cost_at_scale
from llmdecide.costing.plan import Placement
from llmdecide.costing.projection import Scenario, billed_gpus, local_series
from llmdecide.scoring.decision import Decider, recommend
from llmdecide.scoring.robustness import monte_carlo
from llmdecide.workload import load_workload, load_workload_text

REPO = Path(__file__).parent.parent.parent
EXAMPLES = sorted((REPO / "examples").glob("*.yaml"))
TEST_CATALOG = load_catalog(Path(__file__).parent.parent / "data" / "catalog")


@cache
def packaged() -> Catalog:
    return load_catalog()


@cache
def example(stem: str) -> Assessment:
    return assess_workload(load_workload(REPO / "examples" / f"{stem}.yaml"), packaged())


def generated(
    requests_per_month: float, growth: float, pattern: str, acquisition: str, horizon: int, latency: str
) -> Assessment:
    data: dict[str, Any] = {
        "schema_version": 1,
        "name": "generated",
        "horizon_months": horizon,
        "team": {"capability": "intermediate"},
        "segments": [
            {
                "name": "s",
                "requests_per_month": requests_per_month,
                "input_tokens": 700,
                "output_tokens": 250,
                "growth_per_month": growth,
                "pattern": pattern,
                "latency": latency,
            }
        ],
        "candidates": {"acquisitions": [acquisition]},
    }
    return assess_workload(load_workload_text(yaml.safe_dump(data)), TEST_CATALOG)


workloads = st.builds(
    generated,
    requests_per_month=st.floats(1_000, 100_000_000),
    growth=st.floats(0.0, 0.08),
    pattern=st.sampled_from(["steady_high", "steady_low", "spiky", "growing"]),
    acquisition=st.sampled_from(["buy", "rent"]),
    horizon=st.integers(6, 48),
    latency=st.sampled_from(["interactive", "batch"]),
)


def sized_placements(a: Assessment) -> list[Placement]:
    """Placements on a fleet sized for the load (not a pinned or overflow fleet)."""
    return [
        p
        for plan in a.plans
        if plan.feasible
        for p in plan.placements
        if p.local is not None and not p.local.pinned and p.overflow is None
    ]


def check_label_equals_costed_fleet(a: Assessment) -> None:
    horizon = a.workload.horizon_months
    for p in sized_placements(a):
        local = p.local
        assert local is not None and local.spec is not None
        label_gpus = int(re.search(r" on (\d+) x ", local.label).group(1))  # type: ignore[union-attr]
        costed = local_series(local.spec, Scenario.build(), horizon).gpus[0]
        load = a.loads[p.segment]
        sized = np.array(
            [
                size_for_load(
                    local.deployment,
                    peak_requests_per_s=float(load.peak_rps()[m]) * p.local_share,
                    input_tokens=load.input_tokens,
                    output_tokens=load.output_tokens,
                    ttft_slo_ms=local.sizing.ttft_target_ms,
                    min_output_tokens_per_s=local.sizing.output_tokens_per_s_target,
                    target_utilization=a.workload.local.target_utilization,
                    tp=local.sizing.tp,
                ).gpus
                for m in range(horizon)
            ],
            dtype=np.float64,
        )
        assert label_gpus == local.sizing.gpus == sized[0]
        if local.acquisition == "buy":
            expected = np.maximum.accumulate(sized)
        elif local.rent is not None and local.rent.billing == "always_on":
            expected = billed_gpus(sized, local.gpus_per_instance)
        else:
            expected = sized
        np.testing.assert_array_equal(costed, expected)
        np.testing.assert_array_equal(local.gpus, expected)


def check_break_even_costs_are_equal(a: Assessment) -> None:
    be = a.break_even
    if be.scale is None:
        return
    cloud, local = a.best_by_kind["cloud"], a.best_by_kind["local"]
    at_cloud = float(first_month_cost_at_scale(cloud, be.scale)[0])
    at_local = float(first_month_cost_at_scale(local, be.scale)[0])
    assert at_local == pytest.approx(at_cloud, rel=1e-6)  # far inside 0.1%: the bisection refines the grid
    assert be.requests_per_month == pytest.approx(be.scale * a.today_requests_per_month, rel=1e-12)


def check_point_estimate_is_the_zero_width_monte_carlo(a: Assessment) -> None:
    feasible = [p for p in a.plans if p.feasible]
    if not feasible:
        assert a.recommended is None
        return
    assert recommend(Decider(feasible, a.scores, a.workload, a.decider.discount_rate))[0] == a.recommended
    ranges = {"volume": (1.0, 1.0, None), "api_price": (1.0, 1.0, None), "staff_cost": (1.0, 1.0, None)}
    mc = monte_carlo(a.decider, ranges, 64, widen_bases=False, capacity_error=False)
    assert a.recommended is not None
    winners = {d.plan: d.probability_recommended for d in mc.plans}
    assert winners[a.recommended.id] == 1.0


def check_cost_comes_first(a: Assessment) -> None:
    """The recommended plan costs at most (1 + max_premium) x the cheapest feasible plan, unless a gate held the
    cheaper plans back, and the report then names every one of them; the premium a dimension grants counts
    only for a plan that scores better on it."""
    if a.recommended is None or a.decision is None:
        return
    d = a.decision
    costs = d.costs[:, 0]
    rec = a.decider.plans.index(a.recommended)
    prefs = a.workload.preferences
    limit = max([prefs.max_premium, *(v for v in prefs.premiums.model_dump().values() if v is not None)])
    cheapest = float(costs.min())
    if costs[rec] > cheapest * (1 + limit) + 1e-6 * abs(cheapest):
        named = {str(g.values["option"]) for g in a.gates}
        beyond = {p.id for p, c in zip(a.decider.plans, costs, strict=True) if c * (1 + limit) < costs[rec]}
        assert beyond <= named, (beyond, named)
    bar = float(costs[int(d.cheapest[0])])
    assert costs[rec] <= bar * (1 + float(a.decider.allowed[rec, int(d.cheapest[0])])) + 1e-6 * abs(bar)


def check_raising_a_cost_never_raises_the_rank(a: Assessment) -> None:
    """Raising one plan's cost (paybacks held) never moves it up the decision's order."""
    if a.decision is None:
        return
    costs = a.decision.costs
    payback = a.decision.payback
    before = list(a.decision.order[:, 0])
    for i in range(len(a.decider.plans)):
        for factor in (1.05, 1.5, 3.0):
            raised = costs.copy()
            raised[i] *= factor
            after = list(a.decider.rule(raised, payback).order[:, 0])
            assert after.index(i) >= before.index(i)


def check_no_premium_recommends_the_cheapest(a: Assessment) -> None:
    """Without gates and with max_premium 0, the recommendation is the cheapest feasible plan."""
    if a.decision is None:
        return
    prefs = a.workload.preferences.model_copy(
        update={"max_premium": 0.0, "premiums": type(a.workload.preferences.premiums)(), "team_gate": False}
    )
    prefs = prefs.model_copy(update={"max_payback_months": None})
    w = a.workload.model_copy(update={"preferences": prefs})
    decider = Decider(a.decider.plans, a.scores, w, a.decider.discount_rate)
    plan, d = recommend(decider)
    assert plan is not None and d is not None
    costs = d.costs[:, 0]
    assert costs[decider.plans.index(plan)] == pytest.approx(float(costs.min()), rel=1e-9)


def check_the_decision(a: Assessment) -> None:
    check_point_estimate_is_the_zero_width_monte_carlo(a)
    check_cost_comes_first(a)
    check_raising_a_cost_never_raises_the_rank(a)
    check_no_premium_recommends_the_cheapest(a)


@pytest.mark.parametrize("stem", [p.stem for p in EXAMPLES])
def test_examples_hold_the_stages_together(stem: str) -> None:
    a = example(stem)
    check_label_equals_costed_fleet(a)
    check_break_even_costs_are_equal(a)
    check_the_decision(a)


@settings(max_examples=25, deadline=None)
@given(workloads)
def test_generated_workloads_hold_the_stages_together(a: Assessment) -> None:
    check_label_equals_costed_fleet(a)
    check_break_even_costs_are_equal(a)
    check_the_decision(a)


def test_some_examples_have_a_break_even_volume_and_sized_fleets() -> None:
    """The properties above are not vacuous on the shipped examples."""
    with_volume = [p.stem for p in EXAMPLES if example(p.stem).break_even.scale is not None]
    sized = [p.stem for p in EXAMPLES if sized_placements(example(p.stem))]
    assert len(with_volume) >= 3, with_volume
    assert len(sized) >= 5, sized


@pytest.mark.parametrize("latency", ["interactive", "batch"])
def test_the_cheapest_local_plan_never_gets_cheaper_as_volume_grows(latency: str) -> None:
    """Deployments are ranked with the staff each needs on its own (on-call, setup), so the cheapest local plan
    is the cheapest one a plan would get, and more load never costs less."""
    costs = []
    for requests_per_month in (1e3, 1e5, 1e6, 1e7, 1e8):
        data = {
            "schema_version": 1,
            "name": "scale",
            "horizon_months": 36,
            "segments": [
                {
                    "name": "s",
                    "requests_per_month": requests_per_month,
                    "input_tokens": 1000,
                    "output_tokens": 300,
                    "data_sensitivity": "critical",
                    "latency": latency,
                }
            ],
        }
        a = assess_workload(load_workload_text(yaml.safe_dump(data)), packaged())
        costs.append(a.best_by_kind["local"].horizon_cost_usd)
    assert costs == sorted(costs), costs
