"""Properties of the robustness analyses: overflow extremes, zero-width Monte Carlo, flip thresholds."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from llmdecide.assessment import Assessment, assess_workload
from llmdecide.catalog import Catalog, load_catalog
from llmdecide.costing.plan import horizon_costs
from llmdecide.costing.projection import Scenario
from llmdecide.options.overflow import full_replicas, overflow_costs
from llmdecide.scoring.decision import Decider
from llmdecide.scoring.robustness import SWEEPS, monte_carlo
from llmdecide.workload import load_workload_text

CATALOG: Catalog = load_catalog(Path(__file__).parent.parent / "data" / "catalog")


def workload(**segment: Any) -> dict[str, Any]:
    seg = {
        "name": "s",
        "requests_per_day": 300_000,
        "input_tokens": 600,
        "output_tokens": 300,
        "pattern": "spiky",
        "peak_to_average": 6,
        **segment,
    }
    return {
        "schema_version": 1,
        "name": "t",
        "horizon_months": 24,
        "team": {"capability": "advanced"},
        "segments": [seg],
        "candidates": {"cloud_models": ["openai/gpt-4o"], "open_models": ["meta/llama-3.1-70b"]},
    }


def run(data: dict[str, Any]) -> Assessment:
    return assess_workload(load_workload_text(yaml.safe_dump(data)), CATALOG)


@pytest.fixture(scope="module")
def spiky() -> Assessment:
    return run(workload())


def test_overflow_extremes_equal_the_pure_plans(spiky: Assessment) -> None:
    sc = spiky.segments[0]
    full = full_replicas(sc)
    local, cloud = overflow_costs(sc, spiky.workload.horizon_months, spiky.hours.value, np.array([0, full]))
    cloud_only = next(p for p in spiky.plans if p.id == "cloud")
    assert cloud[0] == pytest.approx(float(cloud_only.series.monthly_usd.sum()), rel=1e-12)  # type: ignore[union-attr]
    assert local[0] == 0.0
    assert cloud[1] == pytest.approx(0.0, abs=1e-6)
    assert local[1] > 0


def test_optimal_overflow_is_never_worse_than_either_extreme(spiky: Assessment) -> None:
    sc = spiky.segments[0]
    full = full_replicas(sc)
    ks = np.arange(0, full + 1)
    local, cloud = overflow_costs(sc, spiky.workload.horizon_months, spiky.hours.value, ks)
    total = local + cloud
    overflow = next(p for p in spiky.plans if p.id == "overflow")
    staff = sum(i.monthly_cost_usd for i in overflow.fixed_items) * spiky.workload.horizon_months
    staff += sum(i.one_time_usd for i in overflow.fixed_items)
    assert overflow.horizon_cost_usd - staff == pytest.approx(total.min(), rel=1e-9)
    assert overflow.horizon_cost_usd - staff <= total[0] + 1e-6
    assert overflow.horizon_cost_usd - staff <= total[-1] + 1e-6
    local_plan = next(p for p in spiky.plans if p.id == "local")
    assert overflow.horizon_cost_usd <= local_plan.horizon_cost_usd + 1e-6
    assert "overflow to openai/gpt-4o" in overflow.label


@pytest.mark.parametrize("samples", [100, 5000])
def test_zero_width_monte_carlo_reproduces_the_point_estimate(spiky: Assessment, samples: int) -> None:
    plans = [p for p in spiky.plans if p.feasible]
    ranges = {"volume": (1.0, 1.0, None), "api_price": (1.0, 1.0, 1.0), "utilization": (1.0, 1.0, None)}
    mc = monte_carlo(
        Decider(plans, spiky.scores, spiky.workload), ranges, samples, widen_bases=False, capacity_error=False
    )
    for plan, dist in zip(plans, mc.plans, strict=True):
        assert dist.p10_usd == plan.horizon_cost_usd
        assert dist.p90_usd == plan.horizon_cost_usd
    assert spiky.recommended is not None
    rec = next(d for d in mc.plans if d.plan == spiky.recommended.id)
    assert rec.probability_recommended == 1.0


def test_neutral_scenario_is_the_point_estimate(spiky: Assessment) -> None:
    for plan in spiky.plans:
        if plan.feasible:
            assert float(horizon_costs(plan, Scenario.build(), 24)[0]) == plan.horizon_cost_usd


@settings(max_examples=15, deadline=None)
@given(
    volume=st.floats(0.05, 5.0),
    pattern=st.sampled_from(["steady_high", "spiky", "steady_low"]),
    sensitivity=st.sampled_from(["internal", "public"]),
)
def test_flip_thresholds_flip_the_decision(volume: float, pattern: str, sensitivity: str) -> None:
    data = workload(pattern=pattern, data_sensitivity=sensitivity, requests_per_day=300_000 * volume)
    data["segments"][0].pop("peak_to_average")
    a = run(data)
    assert a.recommended is not None
    plans = [p for p in a.plans if p.feasible]
    base = plans.index(a.recommended)
    for row in a.sensitivity:
        if row.flip_value is None:
            continue
        s = Scenario.build(1, **{row.input.field: row.flip_value})
        winner = int(Decider(plans, a.scores, a.workload).winners(s)[0])
        assert winner != base
        assert plans[winner].id == row.flip_to


def test_every_input_is_swept(spiky: Assessment) -> None:
    assert {r.input.name for r in spiky.sensitivity} == {s.name for s in SWEEPS}
    swings = [r.swing_usd for r in spiky.sensitivity]
    assert swings == sorted(swings, reverse=True)


def test_overflow_at_full_size_costs_what_the_same_fleet_stated_as_a_deployment_costs() -> None:
    """The all-local end of the overflow curve equals a stated deployment of that fleet, priced by the pinned path."""
    data = workload()
    data["local"] = {"precision": "fp8"}
    a = run(data)
    sc = a.segments[0]
    local = sc.local[0]
    full = full_replicas(sc)
    hardware, cloud = overflow_costs(sc, a.workload.horizon_months, a.hours.value, np.array([full]))
    data["candidates"]["deployments"] = [
        {
            "name": "fleet",
            "accelerator": local.deployment.accelerator.id,
            "gpus": full * local.sizing.tp,
            "acquisition": local.acquisition,
            "open_model": local.deployment.model.id,
        }
    ]
    data["local"]["target_utilization"] = 1.0  # the all-local end carries the peak at each replica's full rate
    pinned = next(p for p in run(data).plans if p.id == "pinned-1")
    assert pinned.feasible, pinned.excluded_reason
    staff = sum(i.monthly_cost_usd for i in pinned.fixed_items) * a.workload.horizon_months
    staff += sum(i.one_time_usd for i in pinned.fixed_items)
    assert cloud[0] == pytest.approx(0.0, abs=1e-6)
    assert hardware[0] == pytest.approx(pinned.horizon_cost_usd - staff, rel=1e-9)
