"""The horizon totals used by sensitivity and Monte Carlo equal the monthly series summed."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from llmdecide.costing.horizon import cloud_horizon, local_horizon
from llmdecide.costing.projection import BuySpec, CloudSpec, LocalSpec, RentSpec, Scenario, cloud_monthly, local_series

BUY = BuySpec(
    unit_usd=30_000.0,
    host_usd=40_000.0,
    gpus_per_host=8,
    whole_hosts=False,
    host_power_w=3000.0,
    host_idle_w=1000.0,
    gpu_idle_fraction=0.12,
    depreciation_years=4.0,
    residual_fraction=0.1,
    maintenance_fraction_per_year=0.08,
    electricity_usd_per_kwh=0.15,
    pue=1.3,
    colocation_usd_per_kw_month=150.0,
    running_costs=True,
)


def scenarios(seed: int, n: int, growth_low: float) -> Scenario:
    rng = np.random.default_rng(seed)
    return Scenario.build(
        n,
        volume=rng.uniform(0.2, 3.0, n),
        growth_delta=rng.uniform(growth_low, 0.04, n),
        api_price=rng.uniform(0.5, 2.0, n),
        api_decline_delta=rng.uniform(-0.2, 0.3, n),
        gpu_price=rng.uniform(0.5, 2.0, n),
        gpu_decline_delta=rng.uniform(-0.1, 0.2, n),
        rental_rate=rng.uniform(0.5, 2.0, n),
        utilization=rng.uniform(0.5, 1.4, n),
        electricity=rng.uniform(0.5, 3.0, n),
        depreciation=rng.uniform(0.5, 2.0, n),
    )


@settings(max_examples=200, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    growth=st.floats(-0.03, 0.08),
    growth_low=st.sampled_from([0.0, -0.05]),
    start=st.floats(1e4, 1e8),
    pinned=st.sampled_from([None, 4, 16]),
    terms=st.sampled_from(["buy", "buy-no-running", "always_on", "by_use"]),
    horizon=st.integers(1, 60),
    step=st.none() | st.tuples(st.integers(1, 59), st.floats(0.3, 3.0)),
)
def test_local_horizon_is_the_series_summed(
    seed: int,
    growth: float,
    growth_low: float,
    start: float,
    pinned: int | None,
    terms: str,
    horizon: int,
    step: tuple[int, float] | None,
) -> None:
    """Also with a scheduled price step (a promotion's end, an announced rise) inside the horizon."""
    factors = None if step is None else tuple(1.0 if m < step[0] else step[1] for m in range(horizon))
    buy = BUY if terms == "buy" else replace(BUY, host_usd=0.0, has_host=False, running_costs=False)
    buy = replace(buy, unit_factors=factors)
    spec = LocalSpec(
        start_requests_per_month=start,
        growth_per_month=growth,
        peak_to_average=3.0,
        hours_per_month=730.0,
        share=0.8,
        requests_per_s_per_replica=5.0,
        tp=2,
        target_utilization=0.7,
        tdp_w=700.0,
        pinned_gpus=pinned,
        buy=buy if terms.startswith("buy") else None,
        rent=None if terms.startswith("buy") else RentSpec(2.5, 8, terms, factors),  # type: ignore[arg-type]
        gpu_price_decline_per_year=0.15,
        rental_decline_per_year=0.2,
        staff_usd_per_host_month=640.0,
    )
    s = scenarios(seed, 64, growth_low)
    summed = local_series(spec, s, horizon).monthly_usd.sum(axis=1)
    np.testing.assert_allclose(local_horizon(spec, s, horizon), summed, rtol=1e-9)


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    growth=st.floats(-0.03, 0.08),
    horizon=st.integers(1, 60),
    step=st.none() | st.tuples(st.integers(1, 59), st.floats(0.3, 3.0)),
)
def test_cloud_horizon_is_the_series_summed(
    seed: int, growth: float, horizon: int, step: tuple[int, float] | None
) -> None:
    factors = None if step is None else tuple(1.0 if m < step[0] else step[1] for m in range(horizon))
    spec = CloudSpec(0.004, 2e6, growth, decline_per_year=0.3, price_factors=factors)
    s = scenarios(seed, 64, -0.05)
    summed = cloud_monthly(spec, s, horizon, share=0.6).sum(axis=1)
    np.testing.assert_allclose(cloud_horizon(spec, s, horizon, share=0.6), summed, rtol=1e-9)


def test_a_constant_input_is_computed_once_and_broadcast() -> None:
    s = Scenario.build(1000, volume=np.linspace(0.5, 2.0, 1000))
    spec = CloudSpec(0.01, 1e6, 0.02, decline_per_year=0.25)
    wide = cloud_monthly(spec, s, 24)
    one = cloud_monthly(spec, Scenario.build(1, volume=2.0), 24)
    assert wide.shape == (1000, 24)
    assert wide[-1] == pytest.approx(one[0], rel=1e-12)
