"""Properties of the local cost a finance team reads: staff that grows with what is run, power above its idle
floor, owned never dearer than bought, NPV at 0% equal to the nominal cash, latency at load no worse than at
the sized batch, and pinned deployments that either carry their peak or are ruled out."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from llmdecide.assessment import assess_workload
from llmdecide.capacity.deployment import resolve_deployment
from llmdecide.capacity.sizing import at_load, size_for_load
from llmdecide.catalog import load_catalog
from llmdecide.costing.choices import pinned_needs
from llmdecide.costing.finance import PlanCash
from llmdecide.costing.horizon import local_horizon
from llmdecide.costing.projection import BuySpec, LocalSpec, Scenario, local_series
from llmdecide.costing.staff import DeploymentEffort, effort_model
from llmdecide.workload import load_workload_text

CATALOG = load_catalog(Path(__file__).parent.parent / "data" / "catalog")


def _workload(**extra: Any) -> Any:
    data: dict[str, Any] = {
        "schema_version": 1,
        "name": "t",
        "horizon_months": 24,
        "segments": [{"name": "s", "requests_per_day": 20000, "input_tokens": 800, "output_tokens": 200}],
        **extra,
    }
    return load_workload_text(yaml.safe_dump(data))


BUY = BuySpec(
    unit_usd=25_000.0,
    host_usd=60_000.0,
    gpus_per_host=8,
    whole_hosts=False,
    host_power_w=3000.0,
    host_idle_w=1000.0,
    gpu_idle_fraction=0.12,
    depreciation_years=5.0,
    residual_fraction=0.0,
    maintenance_fraction_per_year=0.12,
    electricity_usd_per_kwh=0.13,
    pue=1.45,
    colocation_usd_per_kw_month=184.0,
    running_costs=True,
    resale_curve=((12.0, 0.65), (36.0, 0.35)),
)


def _spec(gpus: int | None, start: float, buy: BuySpec = BUY, staff: float = 500.0) -> LocalSpec:
    return LocalSpec(
        start_requests_per_month=start,
        growth_per_month=0.02,
        peak_to_average=2.0,
        hours_per_month=730.0,
        share=1.0,
        requests_per_s_per_replica=4.0,
        tp=2,
        target_utilization=0.7,
        tdp_w=700.0,
        pinned_gpus=gpus,
        buy=buy,
        rent=None,
        staff_usd_per_host_month=staff,
    )


@settings(max_examples=60, deadline=None)
@given(
    capability=st.sampled_from(["none", "basic", "intermediate", "advanced"]),
    machines=st.lists(st.floats(0.1, 200.0), min_size=1, max_size=4),
    extra=st.floats(0.0, 50.0),
    on_call=st.booleans(),
)
def test_staff_never_falls_as_deployments_and_machines_grow(
    capability: str, machines: list[float], extra: float, on_call: bool
) -> None:
    effort = effort_model(_workload(team={"capability": capability}), CATALOG)
    per = effort.usd_per_machine_month("owned")

    def deployments(counts: list[float]) -> list[DeploymentEffort]:
        return [DeploymentEffort(f"d{i}", "owned", m, m * per, on_call) for i, m in enumerate(counts)]

    def monthly(ds: list[DeploymentEffort]) -> float:
        return sum(i.monthly_cost_usd for i in effort.items(ds)) + sum(d.machine_staff_usd for d in ds)

    def setup(ds: list[DeploymentEffort]) -> float:
        return sum(i.one_time_usd for i in effort.items(ds))

    base = deployments(machines)
    bigger = deployments([*machines[:-1], machines[-1] + extra])
    more = deployments([*machines, 1.0])
    assert monthly(bigger) >= monthly(base) - 1e-9 and setup(bigger) >= setup(base) - 1e-9
    assert monthly(more) > monthly(base) and setup(more) > setup(base)
    assert effort.fte(more) > effort.fte(base)


def test_a_desk_machine_lands_in_the_articles_hours_and_a_fleet_gets_on_call() -> None:
    effort = effort_model(_workload(), CATALOG)
    desk = [DeploymentEffort("mac", "owned", 1, effort.usd_per_machine_month("owned"), False)]
    hours = effort.fte(desk) * 2080 / 12
    assert 5 <= hours <= 20  # 003: ongoing operations 5-20 hours a month
    fleet = [DeploymentEffort("fleet", "owned", 5, 5 * effort.usd_per_machine_month("owned"), True)]
    names = [i.name for i in effort.items(fleet)]
    assert "on-call rotation (24/7)" in names
    assert effort.fte(fleet) > effort.fte(desk) + effort.on_call_fte.value - 1e-9


@settings(max_examples=60, deadline=None)
@given(start=st.floats(1e3, 5e8), gpus=st.sampled_from([None, 2, 8, 24]), horizon=st.integers(1, 60))
def test_power_is_at_least_the_idle_floor(start: float, gpus: int | None, horizon: int) -> None:
    spec = _spec(gpus, start)
    ls = local_series(spec, Scenario.build(), horizon)
    held = ls.gpus[0]
    floor_w = held * spec.tdp_w * BUY.gpu_idle_fraction + ls.hosts[0] * BUY.host_idle_w
    floor_kwh = floor_w * BUY.pue * spec.hours_per_month / 1000.0
    assert np.all(ls.kwh[0] >= floor_kwh - 1e-9)
    assert np.all(ls.hosting_usd[0] >= held * spec.tdp_w / 1000.0 * 184.0 - 1e-9)  # system kW, GPUs and hosts


@settings(max_examples=60, deadline=None)
@given(
    start=st.floats(1e3, 5e7),
    gpus=st.sampled_from([2, 8, 16]),
    horizon=st.integers(1, 72),
    replace_month=st.none() | st.integers(0, 80),
    maintenance=st.floats(0.0, 2000.0),
)
def test_owned_never_costs_more_than_the_same_deployment_bought(
    start: float, gpus: int, horizon: int, replace_month: int | None, maintenance: float
) -> None:
    bought = _spec(gpus, start)
    owned = _spec(gpus, start, replace(BUY, owned_units=float(gpus), replace_month=replace_month))
    s = Scenario.build()
    assert local_horizon(owned, s, horizon)[0] <= local_horizon(bought, s, horizon)[0] + 1e-6
    stated = _spec(
        gpus,
        start,
        replace(BUY, owned_units=float(gpus), replace_month=replace_month, owned_maintenance_usd_month=maintenance),
    )
    assert local_horizon(stated, s, horizon)[0] >= local_horizon(owned, s, horizon)[0] - 1e-6


@settings(max_examples=100, deadline=None)
@given(
    cash=st.lists(st.floats(0.0, 1e6), min_size=1, max_size=120),
    resale=st.floats(0.0, 1e6),
    rate=st.floats(0.001, 0.3),
)
def test_npv_at_zero_is_the_nominal_cash_and_falls_with_the_rate(cash: list[float], resale: float, rate: float) -> None:
    n = len(cash)
    pc = PlanCash(np.asarray(cash), np.zeros(n), np.zeros(n), 0.0, resale)
    assert pc.npv_usd(0.0) == pytest.approx(pc.nominal_usd, rel=1e-12, abs=1e-6)
    spent = np.asarray(cash) * np.power(1.0 + rate, -np.arange(n) / 12.0)
    assert pc.npv_usd(rate) == pytest.approx(float(spent.sum()) - resale * (1 + rate) ** (-n / 12), rel=1e-9, abs=1e-6)


@settings(max_examples=40, deadline=None)
@given(peak=st.floats(0.01, 50.0), model=st.sampled_from(["meta/llama-3.1-8b", "meta/llama-3.1-70b"]))
def test_latency_at_the_real_load_is_no_worse_than_at_the_sized_batch(peak: float, model: str) -> None:
    d = resolve_deployment(CATALOG, model, "nvidia/h100-sxm-80gb", engine_id="vllm")
    sizing = size_for_load(d, peak_requests_per_s=peak, input_tokens=800, output_tokens=200)
    assert sizing.meets_latency
    point = at_load(d, sizing, peak / sizing.replicas, 800, 200)
    assert point is not None
    assert point.concurrency <= sizing.batch_per_replica + 1e-9
    assert sizing.per_user_output_tokens_per_s is not None
    assert point.per_user_output_tokens_per_s >= sizing.per_user_output_tokens_per_s - 1e-9
    if point.ttft_ms is not None and sizing.ttft_ms is not None:
        assert point.ttft_ms - point.queue_ms <= sizing.ttft_ms + 1e-6


@settings(max_examples=25, deadline=None)
@given(gpus=st.sampled_from([1, 2, 4, 8]), requests=st.floats(1e4, 2e8), scale=st.booleans())
def test_a_pinned_deployment_carries_its_peak_or_is_not_feasible(gpus: int, requests: float, scale: bool) -> None:
    w = _workload(
        segments=[{"name": "s", "requests_per_month": requests, "input_tokens": 800, "output_tokens": 200}],
        candidates={
            "size_deployments": False,
            "deployments": [
                {"name": "pin", "accelerator": "nvidia/h100-sxm-80gb", "gpus": gpus, "acquisition": "rent"}
            ],
        },
        local={"scale_pinned": scale},
    )
    a = assess_workload(w, CATALOG)
    plan = next(p for p in a.plans if p.id == "pinned-1")
    load = a.loads["s"]
    if not plan.feasible:
        assert plan.excluded_reason is not None
        assert "cannot carry the peak load" in plan.excluded_reason or "fits" in plan.excluded_reason
        assert not scale or "cannot carry" not in plan.excluded_reason
        return
    local = plan.placements[0].local
    assert local is not None
    held = float(local.gpus.min())
    assert pinned_needs(load, local.sizing, 1.0, w.local.target_utilization) <= max(held, gpus)
    assert np.all(local.gpus >= gpus)
