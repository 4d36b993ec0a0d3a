"""Properties of the cost model: linearity, break-even, payback, totals."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from llmdecide.costing.breakeven import payback_months
from llmdecide.costing.cloud import RequestShape, TokenPrices, cloud_monthly_cost

PRICES = st.builds(
    lambda i, o, c: TokenPrices("x/y", i, o, c, 0.5, False, __import__("datetime").date(2024, 1, 1), "s"),
    st.floats(0.01, 100),
    st.floats(0.01, 400),
    st.one_of(st.none(), st.floats(0.001, 10)),
)
SHAPES = st.builds(
    RequestShape,
    st.floats(1, 100_000),
    st.floats(1, 10_000),
    st.floats(0, 1),
    st.booleans(),
    st.floats(0, 1),
)


@settings(max_examples=200, deadline=None)
@given(prices=PRICES, shape=SHAPES, volume=st.floats(0, 1e9), k=st.floats(0, 1000))
def test_cloud_cost_is_linear_in_volume(prices: TokenPrices, shape: RequestShape, volume: float, k: float) -> None:
    base = float(cloud_monthly_cost(prices, shape, volume))
    scaled = float(cloud_monthly_cost(prices, shape, volume * k))
    assert np.isclose(scaled, base * k, rtol=1e-9, atol=1e-9)
    assert base >= 0


@settings(max_examples=300, deadline=None)
@given(
    cloud=st.lists(st.floats(0, 1e6), min_size=1, max_size=60),
    extra=st.floats(0, 1e6),
    up_front=st.floats(0, 1e7),
)
def test_payback_is_never_when_local_opex_is_at_or_above_the_cloud_bill(
    cloud: list[float], extra: float, up_front: float
) -> None:
    cloud_arr = np.array(cloud)
    local = cloud_arr + extra
    upfront = np.zeros(len(cloud))
    upfront[0] = up_front
    result = payback_months(cloud_arr, local, upfront)
    assert np.all(local >= cloud_arr)
    assert result is None


@settings(max_examples=200, deadline=None)
@given(cloud=st.floats(1, 1e6), local=st.floats(0, 1e6), up_front=st.floats(0, 1e7), months=st.integers(1, 120))
def test_payback_is_finite_and_within_the_horizon(cloud: float, local: float, up_front: float, months: int) -> None:
    upfront = np.zeros(months)
    upfront[0] = up_front
    result = payback_months(np.full(months, cloud), np.full(months, local), upfront)
    if result is not None:
        assert np.isfinite(result) and 0 <= result <= months
        if local < cloud:
            assert np.isclose(result, up_front / (cloud - local), rtol=1e-9) or result == 0.0
