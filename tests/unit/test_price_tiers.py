"""Cache writes, service tiers, data residency, evidence age and basis widening reach the bill and the report."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from llmdecide.api import assess
from llmdecide.assessment import Assessment, assess_workload
from llmdecide.catalog import load_catalog
from llmdecide.workload import load_workload_text
from tests.unit.test_price_schedules import ONE_RENTED_H100

Planter = Callable[[str, Callable[[dict[str, Any]], None]], Path]

CHAT = {"name": "chat", "requests_per_day": 20_000, "input_tokens": 1000, "output_tokens": 200}
BOTH = {"cloud_models": ["openai/gpt-4o", "openai/gpt-4"], "size_deployments": False}


def workload(segment: dict[str, Any] | None = None, **extra: Any) -> str:
    data = {
        "schema_version": 1,
        "name": "t",
        "as_of": "2025-01-01",
        "horizon_months": 12,
        "segments": [{**CHAT, **(segment or {})}],
        "candidates": BOTH,
        "price_trends": {
            "api_decline_per_year": 0,
            "gpu_purchase_decline_per_year": 0,
            "gpu_rental_decline_per_year": 0,
        },
        **extra,
    }
    return yaml.safe_dump(data)


def run(root: Path, text: str) -> Assessment:
    return assess_workload(load_workload_text(text), load_catalog(root))


def gpt4o(**fields: Any) -> Callable[[dict[str, Any]], None]:
    """Set fields on GPT-4o's price in force (2.50 / 10.00, cached 1.25 in the test catalog)."""

    def mutate(data: dict[str, Any]) -> None:
        model = next(m for m in data["models"] if m["id"] == "openai/gpt-4o")
        model["prices"][-1].update(fields)

    return mutate


def cloud_cost(a: Assessment, model_id: str) -> float:
    """USD per request of the segment on one API model, as the cheapest-first candidates priced it."""
    choice = next(c for c in a.segments[0].cloud if c.model_id == model_id)
    return choice.cost_per_request_usd


def test_cache_writes_are_billed_at_the_write_price(planted: Planter) -> None:
    root = planted("pricing/api/openai.yaml", gpt4o(cache_write_usd_per_mtok=3.125))
    a = run(root, workload({"cached_input_fraction": 0.5, "cache_write_fraction": 0.1}))
    expected = (1000 * (0.4 * 2.5 + 0.5 * 1.25 + 0.1 * 3.125) + 200 * 10.0) / 1e6
    assert cloud_cost(a, "openai/gpt-4o") == pytest.approx(expected, rel=1e-12)
    items = [i.name for p in a.plans if p.id == "cloud" for i in p.line_items]
    assert any("cache-write tokens" in name for name in items)


def test_without_a_write_price_writes_cost_the_input_rate_and_say_so(test_catalog: Path) -> None:
    a = run(test_catalog, workload({"cache_write_fraction": 0.25}))
    assert cloud_cost(a, "openai/gpt-4o") == pytest.approx((1000 * 2.5 + 200 * 10.0) / 1e6, rel=1e-12)
    assert any("publishes no cache-write price" in w for w in a.warnings)


def test_cache_shares_above_one_are_refused() -> None:
    from llmdecide.errors import InputFileError

    with pytest.raises(InputFileError, match="cache_write_fraction exceeds 1"):
        load_workload_text(workload({"cached_input_fraction": 0.8, "cache_write_fraction": 0.3}))


def test_a_flex_segment_is_billed_at_flex_and_models_without_flex_are_left_out(planted: Planter) -> None:
    flex = {"flex": {"input_usd_per_mtok": 1.25, "output_usd_per_mtok": 5.0, "cached_input_usd_per_mtok": 0.625}}
    root = planted("pricing/api/openai.yaml", gpt4o(service_tiers=flex))
    a = run(root, workload({"service_tier": "flex"}))
    assert [c.model_id for c in a.segments[0].cloud] == ["openai/gpt-4o"]
    assert cloud_cost(a, "openai/gpt-4o") == pytest.approx((1000 * 1.25 + 200 * 5.0) / 1e6, rel=1e-12)
    assert a.segments[0].cloud_exclusions == {"without a flex tier": 1}
    standard = run(root, workload())
    assert cloud_cost(standard, "openai/gpt-4o") == pytest.approx(2 * cloud_cost(a, "openai/gpt-4o"), rel=1e-12)


def test_residency_prices_on_the_regional_multiplier_or_rules_the_model_out(planted: Planter) -> None:
    root = planted("pricing/api/openai.yaml", gpt4o(regions=[{"region": "eu", "price_multiplier": 1.1}]))
    base = cloud_cost(run(root, workload()), "openai/gpt-4o")
    eu = run(root, workload(constraints={"data_residency": {"region": "eu"}}))
    assert cloud_cost(eu, "openai/gpt-4o") == pytest.approx(1.1 * base, rel=1e-12)
    assert eu.segments[0].cloud_exclusions == {"without eu data-residency processing": 1}
    only_regulated = {"data_residency": {"region": "eu", "applies_to": ["regulated"]}}
    internal = run(root, workload(constraints=only_regulated))
    assert {c.model_id for c in internal.segments[0].cloud} == {"openai/gpt-4o", "openai/gpt-4"}
    report = assess(load_workload_text(workload(constraints={"data_residency": {"region": "eu"}})), load_catalog(root))
    names = [i.name for o in report.options if o.id == "cloud" for i in o.line_items]
    assert any("eu residency" in n for n in names), names


def test_residency_keeps_only_rentals_listed_in_the_region(planted: Planter) -> None:
    rented = ONE_RENTED_H100
    residency = {"data_residency": {"region": "eu"}, "cloud_allowed_for": []}
    text = workload(candidates=rented, constraints=residency)
    root = planted("pricing/api/openai.yaml", gpt4o(regions=[{"region": "eu", "price_multiplier": 1.0}]))
    pinned = next(p for p in run(root, text).plans if p.id == "pinned-1")
    assert not pinned.feasible
    assert "rentals with no offer listed in eu" in (pinned.excluded_reason or "")

    def in_eu(data: dict[str, Any]) -> None:
        for offer in data["offers"]:
            offer["residency_regions"] = ["eu", "us"]

    root = planted("pricing/gpu-rental/lambda.yaml", in_eu)
    pinned = next(p for p in run(root, text).plans if p.id == "pinned-1")
    assert pinned.feasible, pinned.excluded_reason


def test_old_evidence_is_flagged_and_listed(planted: Planter) -> None:
    root = planted("pricing/api/openai.yaml", gpt4o(observed="2024-06-01"))
    single = {"cloud_models": ["openai/gpt-4o"], "size_deployments": False}
    a = run(root, workload(candidates=single))
    stale = [w for w in a.warnings if "last shown by its source on 2024-06-01" in w]
    assert stale and "214 days before 2025-01-01 (more than 90" in stale[0]
    assert not any(
        "last shown" in w for w in run(root, workload(candidates=single, evidence_max_age_days=365)).warnings
    )
    report = assess(load_workload_text(workload(candidates=single)), load_catalog(root))
    [row] = [e for e in report.price_evidence if e.entry == "openai/gpt-4o"]
    assert (row.age_days, row.stale, row.basis, row.kind) == (214, True, "list", "API price")


def test_the_monte_carlo_widens_a_price_whose_promotion_has_no_announced_end(planted: Planter) -> None:
    single = {"cloud_models": ["openai/gpt-4o"], "size_deployments": False}
    uncertain = {"samples": 2000, "volume": {"low": 1.0, "high": 1.0}}
    plain = run(planted("pricing/api/openai.yaml", gpt4o()), workload(candidates=single, uncertainty=uncertain))
    assert plain.monte_carlo is not None and plain.monte_carlo.widened == ()
    [flat] = plain.monte_carlo.plans
    assert flat.p90_usd == pytest.approx(flat.p10_usd, rel=1e-12)
    root = planted("pricing/api/openai.yaml", gpt4o(basis="promotional", end="unannounced"))
    a = run(root, workload(candidates=single, uncertainty=uncertain))
    assert a.monte_carlo is not None
    [w] = a.monte_carlo.widened
    assert (w.entry, w.kind, w.basis, w.low, w.high) == ("openai/gpt-4o", "API price", "promotional", 1.0, 2.0)
    [dist] = a.monte_carlo.plans
    assert dist.p10_usd >= flat.p50_usd * 0.999
    assert dist.p90_usd == pytest.approx(flat.p50_usd * 1.9, rel=0.02)
