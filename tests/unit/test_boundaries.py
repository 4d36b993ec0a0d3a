"""The thresholds the decision turns on, each pinned at its edge."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest
import yaml

import llmdecide.options.overflow as overflow_module
from llmdecide.assessment import assess_workload
from llmdecide.catalog import load_catalog, price_on
from llmdecide.catalog.schema import ApiPrice, PriceBasis
from llmdecide.costing.plan import Plan
from llmdecide.demand.segment_load import segment_loads
from llmdecide.options.constraints import CLOUD_TTFT_FLOOR_MS, cloud_block_reason
from llmdecide.options.overflow import full_replicas
from llmdecide.scoring.decision import Decider
from llmdecide.scoring.dimensions import DIMENSIONS, Scores
from llmdecide.scoring.robustness import (
    FRAGILE_REGRET,
    NEAR,
    NEAR_TREND,
    ROBUST_SHARE,
    SWEEPS,
    MonteCarlo,
    PlanDistribution,
    SensitivityRow,
    fragility,
)
from llmdecide.workload import Workload, load_workload_text

CATALOG = load_catalog(Path(__file__).parent.parent / "data" / "catalog")


def workload(**segment: object) -> Workload:
    seg = {"name": "s", "requests_per_day": 300_000, "input_tokens": 600, "output_tokens": 300, **segment}
    data = {"schema_version": 1, "name": "t", "horizon_months": 24, "segments": [seg]}
    return load_workload_text(yaml.safe_dump(data))


@pytest.mark.parametrize(
    ("ttft", "blocked"), [(CLOUD_TTFT_FLOOR_MS - 0.001, True), (CLOUD_TTFT_FLOOR_MS, False), (400.0, False)]
)
def test_the_cloud_time_to_first_token_floor(ttft: float, blocked: bool) -> None:
    """A target below 250 ms rules the cloud out; 250 ms itself does not."""
    w = workload(ttft_slo_ms=ttft)
    load = segment_loads(w, 730.0)["s"]
    assert (cloud_block_reason(w, load) is not None) is blocked


def _row(name: str, value: float, *, kind_change: bool = True, regret: float = 0.0) -> SensitivityRow:
    sweep = next(s for s in SWEEPS if s.name == name)
    return SensitivityRow(
        sweep, 1.0, 2.0, value, "local", "local", regret, kind_change, value if kind_change else None, "local"
    )


@pytest.mark.parametrize(
    ("name", "value", "fragile"),
    [
        ("volume", NEAR["x"][1], True),
        ("volume", NEAR["x"][1] * 1.0001, False),
        ("volume", NEAR["x"][0], True),
        ("volume", NEAR["x"][0] * 0.9999, False),
        ("growth", NEAR["+"][1], True),
        ("growth", NEAR["+"][1] + 1e-6, False),
        ("api_trend", NEAR_TREND[0], True),
        ("api_trend", NEAR_TREND[0] - 1e-6, False),
    ],
)
def test_a_flip_close_to_today_is_fragile_at_the_edges_of_close(name: str, value: float, fragile: bool) -> None:
    reasons = fragility([_row(name, value)], None)
    assert bool(reasons) is fragile
    if fragile:
        assert reasons[0].code == "flips_near_today" and reasons[0].values["value"] == value


@pytest.mark.parametrize(
    ("regret", "fragile"), [(FRAGILE_REGRET, True), (FRAGILE_REGRET - 1e-9, False), (0.0, False), (0.4, True)]
)
def test_a_same_kind_flip_is_fragile_only_when_it_would_save_a_material_share(regret: float, fragile: bool) -> None:
    """Swapping one local GPU for a near-identical one is not fragility; a plan of the same kind 5% cheaper is."""
    reasons = fragility([_row("volume", 1.2, kind_change=False, regret=regret)], None)
    assert bool(reasons) is fragile


@pytest.mark.parametrize(("share", "fragile"), [(ROBUST_SHARE, False), (ROBUST_SHARE - 1e-9, True), (1.0, False)])
def test_winning_in_fewer_than_seventy_percent_of_futures_is_fragile(share: float, fragile: bool) -> None:
    mc = MonteCarlo(1000, 1, {}, [PlanDistribution("cloud", 1, 2, 3, share, share)], recommended_kind_share=share)
    reasons = fragility([], mc)
    assert bool(reasons) is fragile
    if fragile:
        assert reasons[0].code == "low_odds" and reasons[0].values == {"share": share, "samples": 1000}


def _price(start: str, end: str | None, usd: float) -> ApiPrice:
    return ApiPrice(
        effective_from=dt.date.fromisoformat(start),
        effective_to=dt.date.fromisoformat(end) if end else None,
        basis=PriceBasis.LIST,
        input_usd_per_mtok=usd,
        output_usd_per_mtok=usd,
        source="https://example.com/prices",
        checked=dt.date(2026, 1, 1),
    )


def test_a_price_is_in_force_on_its_effective_to_date_and_not_the_day_after() -> None:
    promo = _price("2026-01-01", "2026-06-30", 1.0)
    list_price = _price("2026-07-01", None, 2.0)
    prices = [promo, list_price]
    assert price_on(prices, dt.date(2026, 6, 30)) is promo
    assert price_on(prices, dt.date(2026, 7, 1)) is list_price
    assert price_on([promo], dt.date(2026, 7, 1)) is None
    assert price_on(prices, dt.date(2025, 12, 31)) is None


def _overflow_workload() -> Workload:
    return load_workload_text(
        yaml.safe_dump(
            {
                "schema_version": 1,
                "name": "t",
                "horizon_months": 24,
                "team": {"capability": "advanced"},
                "segments": [
                    {
                        "name": "s",
                        "requests_per_day": 300_000,
                        "input_tokens": 600,
                        "output_tokens": 300,
                        "pattern": "spiky",
                        "peak_to_average": 6,
                    }
                ],
                "candidates": {"cloud_models": ["openai/gpt-4o"], "open_models": ["meta/llama-3.1-70b"]},
            }
        )
    )


def test_the_overflow_cap_is_inclusive(monkeypatch: pytest.MonkeyPatch) -> None:
    """A segment whose all-local size equals the cap is searched; one replica more and it is not."""
    w = _overflow_workload()
    a = assess_workload(w, CATALOG)
    assert any(p.id == "overflow" for p in a.plans)
    full = full_replicas(a.segments[0])
    assert full >= 2
    monkeypatch.setattr(overflow_module, "MAX_OVERFLOW_REPLICAS", full)
    assert any(p.id == "overflow" for p in assess_workload(w, CATALOG).plans)
    monkeypatch.setattr(overflow_module, "MAX_OVERFLOW_REPLICAS", full - 1)
    assert not any(p.id == "overflow" for p in assess_workload(w, CATALOG).plans)


def _scores(**dims: float) -> Scores:
    values = {d: 0.5 for d in DIMENSIONS} | dims
    return Scores(values, 0.0)


def _plans(*ids: str) -> list[Plan]:
    return [Plan.infeasible(i, "cloud", i, "stand-in") for i in ids]


def _winner(ids: tuple[str, ...], costs: np.ndarray, scores: dict[str, Scores], w: Workload) -> int:
    return int(Decider(_plans(*ids), scores, w).rule(costs, np.full(costs.shape, np.nan)).winners[0])


def test_the_decision_tie_break_goes_to_the_cheaper_plan_then_the_earlier() -> None:
    w = workload().model_copy(update={"preferences": workload().preferences.model_copy(update={"max_premium": 1.0})})
    weights = {k: v / sum(w.weights.model_dump().values()) for k, v in w.weights.model_dump().items()}
    # b costs twice a's but scores enough higher on data sensitivity to tie a's total exactly (to 9 decimals).
    lift = 0.5 * weights["cost"] / weights["data_sensitivity"]
    scores = {"a": _scores(), "b": _scores(data_sensitivity=0.5 + lift)}
    costs = np.array([[100.0], [200.0]])
    assert _winner(("a", "b"), costs, scores, w) == 0
    assert _winner(("b", "a"), costs[::-1], scores, w) == 1
    same = {"a": _scores(), "b": _scores()}
    assert _winner(("a", "b"), np.array([[100.0], [100.0]]), same, w) == 0
    assert _winner(("b", "a"), np.array([[100.0], [100.0]]), same, w) == 0
    # within a 100% premium limit, a total higher by more than the rounding wins even when twice as dear
    higher = {"a": _scores(), "b": _scores(data_sensitivity=0.5 + lift + 1e-6)}
    assert _winner(("a", "b"), costs, higher, w) == 1
    # at the default 10% limit, the same plan does not
    assert _winner(("a", "b"), costs, higher, workload()) == 0


@pytest.mark.parametrize(("cost_b", "wins"), [(110.0, True), (110.0 * (1 + 1e-6), False)])
def test_the_premium_limit_is_inclusive(cost_b: float, wins: bool) -> None:
    """A better-scoring plan exactly 10% dearer than the cheapest may win; a hair more and it may not."""
    scores = {"a": _scores(), "b": _scores(data_sensitivity=1.0)}
    assert (_winner(("a", "b"), np.array([[100.0], [cost_b]]), scores, workload()) == 1) is wins
