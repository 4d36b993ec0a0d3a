"""Each non-cost score comes from a fact the assessment computed, and the JSON carries the fact."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from llmdecide.api import assess
from llmdecide.assessment import Assessment, assess_workload
from llmdecide.catalog import Catalog, load_catalog
from llmdecide.scoring.facts import CLOUD_DATA, Fact, meets_target
from llmdecide.workload import load_workload_text
from llmdecide.workload.schema import Sensitivity

CATALOG: Catalog = load_catalog(Path(__file__).parent.parent / "data" / "catalog")
ASSUMPTIONS = CATALOG.require_assumptions()


def run(segment: dict[str, Any] | None = None, **extra: Any) -> Assessment:
    seg = {"name": "s", "requests_per_day": 20_000, "input_tokens": 800, "output_tokens": 200, **(segment or {})}
    d = {"schema_version": 1, "name": "t", "horizon_months": 24, "team": {"capability": "advanced"}, "segments": [seg]}
    return assess_workload(load_workload_text(yaml.safe_dump({**d, **extra})), CATALOG)


def fact(a: Assessment, plan: str, dimension: str, side: str) -> Fact:
    return next(f for f in a.scores[plan].facts if f.dimension == dimension and f.side == side)


def test_meeting_a_target_scores_one_and_missing_it_scores_the_ratio() -> None:
    assert meets_target(1500, 2000, lower_is_better=True) == 1.0
    assert meets_target(25_800, 2000, lower_is_better=True) == pytest.approx(2000 / 25_800)
    assert meets_target(5, 10, lower_is_better=False) == 0.5
    assert meets_target(None, 10, lower_is_better=False) == 1.0


def test_cloud_latency_is_the_providers_time_to_first_token_plus_the_network() -> None:
    a = run({"latency": "real_time"})
    f = fact(a, "cloud", "latency", "cloud")
    expected = ASSUMPTIONS.cloud_ttft_ms.value + ASSUMPTIONS.network_round_trip_ms.value
    assert f.inputs["ttft_ms"] == pytest.approx(expected)
    assert f.inputs["ttft_target_ms"] == ASSUMPTIONS.real_time_ttft_ms.value
    assert f.score == pytest.approx(min(1.0, ASSUMPTIONS.real_time_ttft_ms.value / expected))
    interactive = fact(run({"latency": "interactive"}), "cloud", "latency", "cloud")
    assert interactive.score == 1.0  # the cloud serves interactive work within its targets


def test_a_measured_api_latency_in_the_catalog_replaces_the_default() -> None:
    from llmdecide.catalog import load_catalog as load

    packaged = load()
    seg = {"name": "s", "requests_per_day": 20_000, "input_tokens": 800, "output_tokens": 200}
    d = {
        "schema_version": 1,
        "name": "t",
        "segments": [{**seg, "latency": "interactive"}],
        "candidates": {"cloud_models": ["groq/gpt-oss-120b"], "size_deployments": False},
    }
    a = assess_workload(load_workload_text(yaml.safe_dump(d)), packaged)
    f = fact(a, "cloud", "latency", "cloud")
    measured = packaged.api_models["groq/gpt-oss-120b"].item.latency
    assert measured is not None and measured.ttft_ms is not None
    assert f.inputs["provider_ttft_ms"] == measured.ttft_ms
    assert f.inputs["output_tokens_per_s"] == measured.output_tokens_per_s
    assert "groq/gpt-oss-120b" in str(f.inputs["source"])


def test_local_latency_is_the_operating_point_at_the_peak() -> None:
    a = run({"latency": "interactive", "ttft_slo_ms": 2000})
    f = fact(a, "local", "latency", "local")
    local = next(p for p in a.plans if p.id == "local")
    point = local.placements[0].at_peak(800, 200)
    assert point is not None
    assert f.inputs["ttft_ms"] == point.ttft_ms
    assert f.inputs["output_tokens_per_s"] == point.per_user_output_tokens_per_s
    assert f.score == pytest.approx(
        min(
            meets_target(point.ttft_ms, 2000, lower_is_better=True),
            meets_target(
                point.per_user_output_tokens_per_s,
                ASSUMPTIONS.interactive_output_tokens_per_s.value,
                lower_is_better=False,
            ),
        )
    )


def test_batch_work_without_targets_scores_one_on_latency() -> None:
    a = run({"latency": "batch"})
    assert all(f.score == 1.0 for s in a.scores.values() for f in s.facts if f.dimension == "latency")


def test_the_volume_pattern_is_the_fleets_utilisation_not_the_label() -> None:
    """The same declared pattern scores differently when the load shape differs; the label alone changes nothing."""
    steady = run({"pattern": "spiky", "peak_to_average": 1})
    peaky = run({"pattern": "spiky", "peak_to_average": 6})
    relabelled = run({"pattern": "steady_high", "peak_to_average": 6})
    s, p = fact(steady, "local", "volume_pattern", "local"), fact(peaky, "local", "volume_pattern", "local")
    assert s.score == 1.0 and p.score == pytest.approx(1 / 6)
    assert s.score > p.score
    assert fact(relabelled, "local", "volume_pattern", "local").score == p.score
    assert fact(peaky, "cloud", "volume_pattern", "cloud").score == 1.0


def test_a_stated_fleet_scores_its_utilisation() -> None:
    """Eight H100s stated for a load one of them carries idle most of the time."""
    pinned = {"name": "box", "accelerator": "nvidia/h100-sxm-80gb", "gpus": 8, "acquisition": "buy"}
    a = run({"peak_to_average": 1}, candidates={"deployments": [pinned]})
    f = fact(a, "pinned-1", "volume_pattern", "local")
    assert f.score == pytest.approx(min(1.0, float(f.inputs["mean_utilization"]) / 0.7))  # type: ignore[arg-type]
    assert f.score < 0.5


def test_rented_by_use_capacity_is_pay_per_use() -> None:
    a = run(
        {"pattern": "spiky", "peak_to_average": 6},
        candidates={"acquisitions": ["rent"]},
        local={"rent_billing": "by_use"},
    )
    f = fact(a, "local", "volume_pattern", "local")
    assert f.score == 1.0 and f.inputs["billing"] == "by use"


def test_capability_is_the_placed_models_tier_against_the_need() -> None:
    a = run({"capability": "good_enough"})
    for side, plan in (("cloud", "cloud"), ("local", "local")):
        f = fact(a, plan, "capability", side)
        assert f.inputs["needed_tier"] == "good_enough"
        assert f.inputs["model_tier"] in ("good_enough", "frontier")
        assert f.score == 1.0


@pytest.mark.parametrize(
    ("sensitivity", "allowed", "score"),
    [("public", [], 1.0), ("internal", [], 0.7), ("internal", ["internal"], 0.9), ("regulated", ["regulated"], 0.5)],
)
def test_data_sensitivity_depends_on_where_the_data_goes(sensitivity: str, allowed: list[str], score: float) -> None:
    a = run({"data_sensitivity": sensitivity}, constraints={"cloud_allowed_for": allowed})
    f = fact(a, "cloud", "data_sensitivity", "cloud")
    assert f.score == score == CLOUD_DATA[(Sensitivity(sensitivity), bool(allowed))]
    assert "agreement" in str(f.inputs["goes_to"])
    assert fact(a, "local", "data_sensitivity", "local").score == 1.0


def test_a_stated_hire_counts_as_at_least_intermediate_capability() -> None:
    basic = fact(run(team={"capability": "basic"}), "local", "team", "local")
    hired = fact(run(team={"capability": "basic", "hire": True}), "local", "team", "local")
    assert basic.score == 0.3 and hired.score == 0.7 and hired.inputs["staffed"] is True


def test_every_score_input_appears_in_the_json() -> None:
    seg = {"name": "s", "requests_per_day": 20_000, "input_tokens": 800, "output_tokens": 200}
    r = assess(load_workload_text(yaml.safe_dump({"schema_version": 1, "name": "t", "segments": [seg]})), CATALOG)
    for row in r.scores.options:
        dims = {(i.dimension, i.side) for i in row.inputs}
        sides = {i.side for i in row.inputs}
        assert {
            (d, side) for d in ("data_sensitivity", "latency", "volume_pattern", "capability", "team") for side in sides
        } == dims
        assert all(i.inputs for i in row.inputs)


def test_the_json_schema_names_every_statement_code() -> None:
    """Every code the report can write is documented in the report's JSON schema."""
    from llmdecide.report import wording
    from llmdecide.report.result import Explanation

    described = Explanation.model_fields["code"].description or ""
    codes = set(wording.DECIDED_BY) | set(wording.REASONS) | set(wording.FLIPS) | {"team", "payback"}
    missing = sorted(c for c in codes if c not in described)
    assert not missing, missing


def test_a_deployment_overloaded_at_its_peak_scores_zero_on_latency(monkeypatch: pytest.MonkeyPatch) -> None:
    from llmdecide.capacity.sizing import LoadPoint
    from llmdecide.costing.plan import Placement
    from llmdecide.scoring.facts import latency_fact

    a = run({"latency": "interactive"})
    placement = next(p for p in a.plans if p.id == "local").placements[0]
    overloaded = LoadPoint(
        arrival_rps=10.0,
        concurrency=64.0,
        per_user_output_tokens_per_s=30.0,
        ttft_ms=None,
        queue_ms=0.0,
        overloaded=True,
        sized_batch=64,
    )
    monkeypatch.setattr(Placement, "at_peak", lambda self, i, o: overloaded)
    f = latency_fact(placement, "local", a.loads["s"], ASSUMPTIONS)
    assert f.score == 0.0 and f.inputs["overloaded_at_peak"] is True


def test_on_device_deployments_are_bought_for_their_users_not_the_load() -> None:
    a = run({"requests_per_day": 400, "latency": "embedded", "devices": 20, "pattern": "spiky", "peak_to_average": 8})
    f = fact(a, "local", "volume_pattern", "local")
    assert f.score == 1.0 and f.inputs["billing"] == "one device per user or site"
