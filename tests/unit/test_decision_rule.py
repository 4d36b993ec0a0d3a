"""The decision rule: cost first, premiums the user grants, the team and payback gates, and what the report says."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

from llmdecide.api import assess
from llmdecide.assessment import Assessment, assess_workload
from llmdecide.catalog import Catalog, load_catalog
from llmdecide.costing.plan import Plan
from llmdecide.scoring.decision import Decider
from llmdecide.scoring.dimensions import DIMENSIONS, Scores
from llmdecide.workload import Workload, load_workload_text

CATALOG: Catalog = load_catalog(Path(__file__).parent.parent / "data" / "catalog")


def data(requests_per_day: float, **extra: Any) -> dict[str, Any]:
    seg = {
        "name": "s",
        "requests_per_day": requests_per_day,
        "input_tokens": 800,
        "output_tokens": 200,
        "pattern": "steady_high",
        "peak_to_average": 1,
    }
    out: dict[str, Any] = {
        "schema_version": 1,
        "name": "t",
        "horizon_months": 36,
        "team": {"capability": "advanced"},
        "segments": [seg],
        "candidates": {"acquisitions": ["buy"]},
    }
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = {**out[key], **value}
        elif key == "segment":
            out["segments"] = [{**seg, **value}]
        else:
            out[key] = value
    return out


def run(d: dict[str, Any]) -> Assessment:
    return assess_workload(load_workload_text(yaml.safe_dump(d)), CATALOG)


# --- the team gate -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("capability", ["none", "basic"])
def test_a_team_without_ops_capability_is_sent_to_the_cloud_with_a_migration_plan(capability: str) -> None:
    a = run(data(300_000, team={"capability": capability}))
    assert a.recommended is not None and a.recommended.kind == "cloud"
    assert a.decided_by.rule == "gate" and a.decided_by.values["gate"] == "team"
    held = {str(g.values["option"]) for g in a.gates if g.code == "team"}
    assert held and all(next(p for p in a.plans if p.id == h).runs_locally() for h in held)
    migration = next(r for r in a.rationale if r.code == "migration_plan")
    assert migration.values["hires"] >= 1
    assert float(migration.values["monthly_difference_usd"]) < 0  # local would be cheaper once staffed
    assert any(f.code == "team_gate" for f in a.flips)


@pytest.mark.parametrize(
    "override",
    [
        {"team": {"capability": "none", "hire": True}},
        {"team": {"capability": "none", "ops_fte": 1}},
        {"team": {"capability": "none"}, "preferences": {"team_gate": False}},
        {"team": {"capability": "intermediate"}},
    ],
)
def test_a_stated_hire_head_count_or_override_lifts_the_team_gate(override: dict[str, Any]) -> None:
    a = run(data(300_000, **override))
    assert a.recommended is not None and a.recommended.kind == "local"
    assert not any(g.code == "team" for g in a.gates)


def test_where_only_local_is_allowed_the_gap_is_priced_not_gated() -> None:
    a = run(data(300_000, team={"capability": "none"}, segment={"data_sensitivity": "critical"}))
    assert a.recommended is not None and a.recommended.kind == "local"
    assert a.decided_by.rule == "hard_constraint"
    gap = next(r for r in a.rationale if r.code == "capability_gap")
    assert float(gap.values["ops_fte"]) > 0
    staff = sum(i.monthly_cost_usd for i in a.recommended.fixed_items if i.category == "staff")
    assert float(gap.values["staff_usd_per_month"]) >= staff  # the plan's staff lines, plus its machines' upkeep
    assert float(gap.values["setup_usd"]) > 0


# --- the payback gate ----------------------------------------------------------------------------------------


def paying_back(**extra: Any) -> dict[str, Any]:
    """13,000 requests a day on one machine run at up to 90%: the bought plan is cheaper over 36 months
    but pays back in about 11 months."""
    return data(13_000, local={"target_utilization": 0.9}, **extra)


@pytest.mark.parametrize(("limit", "kind"), [(10, "cloud"), (12, "local"), (None, "local")])
def test_a_bought_plan_that_pays_back_too_slowly_does_not_win(limit: float | None, kind: str) -> None:
    a = run(paying_back(preferences={"max_payback_months": limit}))
    assert a.decision is not None
    payback = float(run(paying_back()).decision.payback[[p.id for p in a.decider.plans].index("local"), 0])  # type: ignore[union-attr]
    assert 10 < payback < 12
    assert a.recommended is not None and a.recommended.kind == kind
    if kind == "cloud":
        assert a.decided_by.rule == "gate" and a.decided_by.values["gate"] == "payback"
        assert a.decided_by.values["payback_months"] == pytest.approx(payback)
        assert any(f.code == "payback_gate" for f in a.flips)


def test_the_payback_gate_does_not_apply_where_the_cloud_is_not_allowed() -> None:
    a = run(paying_back(preferences={"max_payback_months": 1}, segment={"data_sensitivity": "critical"}))
    assert a.recommended is not None and a.recommended.kind == "local"
    assert not a.gates


def test_the_monte_carlo_shortcut_decides_as_the_full_payback_does(monkeypatch: pytest.MonkeyPatch) -> None:
    """Beyond FULL_PAYBACK_SCENARIOS, payback is computed only where it can matter; the winners are the same."""
    import llmdecide.scoring.decision as decision
    from llmdecide.scoring.robustness import sample_scenarios

    a = run(paying_back())
    s = sample_scenarios({"volume": (0.3, 3.0, None), "api_price": (0.5, 2.0, None)}, 2_000, 7)
    monkeypatch.setattr(decision, "FULL_PAYBACK_SCENARIOS", 100)
    fast = a.decider.decide(s).winners
    monkeypatch.setattr(decision, "FULL_PAYBACK_SCENARIOS", 10_000)
    full = a.decider.decide(s).winners
    assert np.array_equal(fast, full)
    assert len(set(full.tolist())) > 1  # the sample spans both sides of the gate


# --- premiums ------------------------------------------------------------------------------------------------


def _scores(**dims: float) -> Scores:
    return Scores({d: 0.5 for d in DIMENSIONS} | dims, 0.0)


def _workload(**preferences: Any) -> Workload:
    d = data(1000)
    d["preferences"] = preferences
    return load_workload_text(yaml.safe_dump(d))


def _winner(costs: list[float], scores: dict[str, Scores], w: Workload) -> str:
    plans = [Plan.infeasible(i, "cloud", i, "stand-in") for i in scores]
    arr = np.array(costs, dtype=float).reshape(-1, 1)
    return plans[int(Decider(plans, scores, w).rule(arr, np.full(arr.shape, np.nan)).winners[0])].id


@pytest.mark.parametrize(
    ("preferences", "winner"),
    [
        ({}, "cheap"),
        ({"premiums": {"data_sensitivity": 0.25}}, "private"),
        ({"premiums": {"latency": 0.25}}, "cheap"),
        ({"max_premium": 0.25}, "private"),
        ({"max_premium": 0.0, "premiums": {"data_sensitivity": 0.19}}, "cheap"),
    ],
)
def test_a_dimension_premium_buys_only_what_it_names(preferences: dict[str, Any], winner: str) -> None:
    """'private' costs 20% more and scores better on data sensitivity only."""
    scores = {"cheap": _scores(), "private": _scores(data_sensitivity=1.0)}
    assert _winner([100.0, 120.0], scores, _workload(**preferences)) == winner


def test_with_no_premium_the_cheapest_wins_whatever_the_scores() -> None:
    scores = {"cheap": _scores(data_sensitivity=0.0, latency=0.0), "better": _scores(data_sensitivity=1.0, latency=1.0)}
    assert _winner([100.0, 100.01], scores, _workload(max_premium=0)) == "cheap"


def test_the_report_states_the_premium_and_what_buys_it() -> None:
    from llmdecide.catalog import load_catalog as load

    r = assess(load_workload_text(INHOUSE.read_text()), load())
    p = r.recommendation.premium
    assert p is not None and p.dimensions == ["data_sensitivity"]
    assert 0.10 < p.premium <= p.limit == 0.25
    assert r.recommendation.decided_by.code == "premium"
    assert "within the 25% limit" in p.text and p.over in p.text


# --- cost basis ----------------------------------------------------------------------------------------------


def test_the_npv_basis_compares_present_values() -> None:
    a = run(paying_back(preferences={"cost_basis": "npv", "max_payback_months": None}))
    assert a.decision is not None
    from llmdecide.costing.finance import plan_cash

    for plan, cost in zip(a.decider.plans, a.decision.costs[:, 0], strict=True):
        assert cost == pytest.approx(plan_cash(plan, 36).npv_usd(a.decider.discount_rate), rel=1e-9)


def test_a_stated_head_count_of_zero_does_not_lift_the_team_gate() -> None:
    a = run(data(300_000, team={"capability": "none", "ops_fte": 0}))
    assert a.recommended is not None and a.recommended.kind == "cloud"
    assert a.decided_by.rule == "gate" and a.decided_by.values["gate"] == "team"


def test_a_gate_that_changed_nothing_is_listed_but_does_not_decide() -> None:
    """At 80,000 requests a day a basic team's local and hybrid plans are both cheaper than the cloud and both
    gated; without the gates the hybrid would win, so its gate decides, and the local plan's gate is listed
    as one that changed nothing."""
    a = run(data(80_000, team={"capability": "basic"}))
    assert a.recommended is not None and a.recommended.kind == "cloud"
    gates = {g.values["option"]: g for g in a.gates if g.code == "team"}
    assert gates["local"].values["would_win"] == 0
    assert gates["overflow"].values["would_win"] == 1
    assert a.decided_by.rule == "gate" and a.decided_by.values["option"] == "overflow"


# --- the payback waiver --------------------------------------------------------------------------------------

INHOUSE = Path(__file__).parent.parent.parent / "examples" / "internal-data-kept-in-house.yaml"


def _inhouse(**preferences: Any) -> Assessment:
    from llmdecide.catalog import load_catalog as load

    d = yaml.safe_load(INHOUSE.read_text())
    d["preferences"] = preferences
    return assess_workload(load_workload_text(yaml.safe_dump(d)), load())


def test_a_granted_premium_waives_the_payback_gate_and_the_report_says_so() -> None:
    a = _inhouse(premiums={"data_sensitivity": 0.25})
    assert a.recommended is not None and a.recommended.kind != "cloud" and a.recommended.runs_locally()
    waived = next(r for r in a.rationale if r.code == "payback_waived")
    assert waived.values["dimension"] == "data sensitivity" and waived.values["premium"] == 0.25


def test_a_premium_that_buys_nothing_more_waives_nothing() -> None:
    """max_premium 0.25 alone lets the dearer local plan in, but the payback gate still holds it back; a stated
    dimension premium no larger than max_premium changes nothing."""
    plain = _inhouse(max_premium=0.25)
    zero = _inhouse(max_premium=0.25, premiums={"data_sensitivity": 0.0})
    for a in (plain, zero):
        assert a.recommended is not None and a.recommended.kind == "cloud"
        assert a.decided_by.rule == "gate" and a.decided_by.values["gate"] == "payback"


def test_a_winner_costing_less_than_a_cent_gives_no_times_as_much_margin() -> None:
    """A few requests a year make the cloud cost a fraction of a cent: the runner-up is dearer, but "10^17 times
    as much" is no figure for a reader, so the margin is left out rather than divided by almost nothing."""
    a = run(data(1e-9))
    assert a.decided_by.rule == "cheapest"
    assert a.decided_by.values["cost_usd"] < 0.01
    assert a.decided_by.values["margin"] is None
    b = run(data(300_000))
    if b.decided_by.rule == "cheapest":
        assert b.decided_by.values["margin"] is not None
