"""Prices in force month by month: a dated price period reaches the bill in the month it applies to."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from llmdecide.api import assess
from llmdecide.assessment import Assessment, assess_workload
from llmdecide.catalog import load_catalog
from llmdecide.units import add_months, month_starts
from llmdecide.workload import load_workload_text

Planter = Callable[[str, Callable[[dict[str, Any]], None]], Path]


def workload(**extra: Any) -> str:
    data = {
        "schema_version": 1,
        "name": "t",
        "as_of": "2025-01-01",
        "horizon_months": 12,
        "segments": [
            {
                "name": "chat",
                "requests_per_day": 20_000,
                "input_tokens": 800,
                "output_tokens": 200,
                "pattern": "steady_high",
            }
        ],
        "candidates": {"cloud_models": ["openai/gpt-4o"], "size_deployments": False},
        "price_trends": {
            "api_decline_per_year": 0,
            "gpu_purchase_decline_per_year": 0,
            "gpu_rental_decline_per_year": 0,
        },
        **extra,
    }
    return yaml.safe_dump(data)


def with_gpt4o_period(starts: str, input_usd: float, output_usd: float) -> Callable[[dict[str, Any]], None]:
    """Close GPT-4o's open period the day before ``starts`` and add a new one from then."""

    def mutate(data: dict[str, Any]) -> None:
        model = next(m for m in data["models"] if m["id"] == "openai/gpt-4o")
        last = model["prices"][-1]
        last["effective_to"] = str(dt.date.fromisoformat(starts) - dt.timedelta(days=1))
        model["prices"].append(
            {
                "effective_from": starts,
                "basis": "list",
                "input_usd_per_mtok": input_usd,
                "output_usd_per_mtok": output_usd,
                "source": "https://openai.com/api/pricing/",
                "checked": "2025-01-01",
                "observed": "2025-01-01",
                "source_kind": "primary",
            }
        )

    return mutate


ONE_RENTED_H100 = {
    "cloud_models": ["openai/gpt-4o"],
    "size_deployments": False,
    "deployments": [
        {
            "name": "one H100",
            "accelerator": "nvidia/h100-sxm-80gb",
            "gpus": 1,
            "acquisition": "rent",
            "open_model": "meta/llama-3.1-8b",
        }
    ],
}
"""Candidates: GPT-4o against one H100 rented at the catalog's rate."""


def run(root: Path, text: str) -> Assessment:
    return assess_workload(load_workload_text(text), load_catalog(root))


def cloud_monthly(a: Assessment) -> list[float]:
    plan = next(p for p in a.plans if p.id == "cloud")
    assert plan.series is not None
    return [float(v) for v in plan.series.monthly_usd]


def test_month_starts_follow_the_calendar() -> None:
    assert month_starts(dt.date(2025, 1, 31), 4) == (
        dt.date(2025, 1, 31),
        dt.date(2025, 2, 28),
        dt.date(2025, 3, 31),
        dt.date(2025, 4, 30),
    )
    assert add_months(dt.date(2024, 12, 15), 14) == dt.date(2026, 2, 15)


def test_a_promotion_that_ends_in_month_two_is_billed_at_list_price_from_month_two(planted: Planter) -> None:
    """GPT-4o at 2.5 / 10 until 2025-01-31, then 5 / 20: month 2 (from 2025-02-01) costs twice month 1."""
    root = planted("pricing/api/openai.yaml", with_gpt4o_period("2025-02-01", 5.0, 20.0))
    a = run(root, workload())
    months = cloud_monthly(a)
    assert months[1] == pytest.approx(2 * months[0], rel=1e-12)
    assert months[2:] == pytest.approx([months[1]] * 10, rel=1e-12)
    plan = next(p for p in a.plans if p.id == "cloud")
    assert plan.horizon_cost_usd == pytest.approx(sum(months), rel=1e-9)
    report = assess(load_workload_text(workload()), load_catalog(root))
    [change] = report.price_changes
    assert (change.month, change.starts.isoformat(), change.entry, change.kind) == (
        2,
        "2025-02-01",
        "openai/gpt-4o",
        "API price",
    )
    assert change.change == pytest.approx(1.0)
    assert report.workload.starts is not None and report.workload.starts.isoformat() == "2025-01-01"


def test_a_change_inside_a_month_applies_from_the_next_month(planted: Planter) -> None:
    """Each month is billed at the prices in force on its first day."""
    root = planted("pricing/api/openai.yaml", with_gpt4o_period("2025-02-15", 5.0, 20.0))
    months = cloud_monthly(run(root, workload()))
    assert months[1] == pytest.approx(months[0], rel=1e-12)
    assert months[2] == pytest.approx(2 * months[0], rel=1e-12)


def test_without_a_change_the_bill_is_flat_and_no_change_is_reported(test_catalog: Path) -> None:
    report = assess(load_workload_text(workload()), load_catalog(test_catalog))
    assert report.price_changes == []
    months = next(o for o in report.options if o.id == "cloud")
    assert months.monthly_cost_usd is not None and months.horizon_cost_usd == pytest.approx(
        months.monthly_cost_usd * 12, rel=1e-9
    )


def test_a_model_whose_price_ends_in_the_horizon_is_dropped_unless_named(planted: Planter) -> None:
    """A retired model cannot serve the whole horizon: dropped from the pool; named, it is kept with a warning."""

    def retire(data: dict[str, Any]) -> None:
        model = next(m for m in data["models"] if m["id"] == "openai/gpt-4o")
        model["status"] = "retired"
        model["prices"][-1]["effective_to"] = "2025-03-31"

    root = planted("pricing/api/openai.yaml", retire)
    unnamed = run(root, workload(candidates={"size_deployments": False}))
    assert all(
        p.cloud is None or p.cloud.model_id != "openai/gpt-4o" for plan in unnamed.plans for p in plan.placements
    )
    assert unnamed.segments[0].cloud_exclusions.get("whose price ends within the horizon", 0) >= 1
    named = run(root, workload())
    months = cloud_monthly(named)
    assert months == pytest.approx([months[0]] * 12, rel=1e-12)
    assert any("openai/gpt-4o (retired): its last price ended 2025-03-31" in w for w in named.warnings)


def test_a_rental_rate_change_reaches_the_rented_fleet(planted: Planter) -> None:
    def cut(data: dict[str, Any]) -> None:
        offer = next(o for o in data["offers"] if o["id"] == "lambda/gpu_1x_h100_sxm5")
        offer["prices"][-1]["effective_to"] = "2025-05-31"
        offer["prices"].append(
            {
                "effective_from": "2025-06-01",
                "basis": "list",
                "on_demand_usd_per_gpu_hour": 1.645,
                "source": "https://lambda.ai/pricing",
                "checked": "2025-01-01",
                "observed": "2025-01-01",
                "source_kind": "primary",
            }
        )

    root = planted("pricing/gpu-rental/lambda.yaml", cut)
    text = workload(
        candidates=ONE_RENTED_H100,
        team={"ops_fte": 0, "setup_hours": 0},
    )
    a = run(root, text)
    pinned = next(p for p in a.plans if p.id == "pinned-1")
    assert pinned.feasible, pinned.excluded_reason
    assert pinned.series is not None
    months = [float(v) for v in pinned.series.monthly_usd]
    assert months[0] == pytest.approx(3.29 * 730, rel=1e-9)
    assert months[4] == pytest.approx(months[0], rel=1e-12)
    assert months[5] == pytest.approx(1.645 * 730, rel=1e-9)


def test_a_plan_on_a_floor_or_unannounced_promotional_price_says_so(planted: Planter) -> None:
    def floor(data: dict[str, Any]) -> None:
        offer = next(o for o in data["offers"] if o["id"] == "lambda/gpu_1x_h100_sxm5")
        offer["prices"][-1]["basis"] = "floor"

    def promo(data: dict[str, Any]) -> None:
        model = next(m for m in data["models"] if m["id"] == "openai/gpt-4o")
        model["prices"][-1]["basis"] = "promotional"
        model["prices"][-1]["end"] = "unannounced"

    planted("pricing/gpu-rental/lambda.yaml", floor)
    root = planted("pricing/api/openai.yaml", promo)
    text = workload(candidates=ONE_RENTED_H100)
    warnings = run(root, text).warnings
    assert (
        "cloud: the API price of openai/gpt-4o is a promotional price whose end is not announced; it is billed for the whole horizon"
        in warnings
    )
    assert any(w.startswith("pinned-1: the rental rate of lambda/gpu_1x_h100_sxm5 is a 'from' price") for w in warnings)


def test_price_bases_keep_promotions_and_floors_out(planted: Planter) -> None:
    def promo(data: dict[str, Any]) -> None:
        model = next(m for m in data["models"] if m["id"] == "openai/gpt-4o")
        model["prices"][-1]["basis"] = "promotional"
        model["prices"][-1]["end"] = "unannounced"

    root = planted("pricing/api/openai.yaml", promo)
    both = {"cloud_models": ["openai/gpt-4o", "anthropic/claude-3.5-sonnet"], "size_deployments": False}
    a = run(root, workload(candidates=both))
    assert any(p.cloud and p.cloud.model_id == "openai/gpt-4o" for plan in a.plans for p in plan.placements)
    strict = run(root, workload(candidates={**both, "price_bases": ["list", "street"]}))
    used = {p.cloud.model_id for plan in strict.plans for p in plan.placements if p.cloud is not None}
    assert used == {"anthropic/claude-3.5-sonnet"}
    reason = "priced on a basis the workload excludes (candidates.price_bases)"
    assert strict.segments[0].cloud_exclusions[reason] == 1
