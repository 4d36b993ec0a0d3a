"""One test per hard constraint: the side it rules out, and the reason the report gives."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from llmdecide.api import assess
from llmdecide.catalog import Catalog, load_catalog
from llmdecide.report.result import DecisionReport
from llmdecide.workload import load_workload_text


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog(Path(__file__).parent.parent / "data" / "catalog")


def workload(**segment: Any) -> dict[str, Any]:
    seg = {"name": "s", "requests_per_day": 20000, "input_tokens": 800, "output_tokens": 200, **segment}
    return {"schema_version": 1, "name": "t", "horizon_months": 12, "segments": [seg]}


def run(catalog: Catalog, data: dict[str, Any]) -> DecisionReport:
    return assess(load_workload_text(yaml.safe_dump(data)), catalog)


def option(report: DecisionReport, option_id: str) -> Any:
    return next(o for o in report.options if o.id == option_id)


def test_baseline_both_sides_are_feasible(catalog: Catalog) -> None:
    r = run(catalog, workload())
    assert option(r, "cloud").feasible and option(r, "local").feasible


def test_critical_data_rules_out_the_cloud(catalog: Catalog) -> None:
    r = run(catalog, workload(data_sensitivity="critical"))
    assert not option(r, "cloud").feasible
    assert "critical data never leaves" in option(r, "cloud").excluded_reason
    assert r.recommendation.decision == "local"
    assert r.recommendation.decided_by.code == "hard_constraint"
    assert r.recommendation.decided_by.text.startswith("hard constraint")


def test_embedded_rules_out_the_cloud_and_datacenter_gpus(catalog: Catalog) -> None:
    r = run(catalog, workload(latency="embedded", devices=20))
    assert "embedded" in option(r, "cloud").excluded_reason
    for o in r.options:
        for step in o.plan:
            assert step.accelerator in (None, "nvidia/rtx-4090", "apple/m2-ultra-192gb")


def test_regulated_data_needs_an_agreement(catalog: Catalog) -> None:
    blocked = run(catalog, workload(data_sensitivity="regulated"))
    assert "under an agreement" in option(blocked, "cloud").excluded_reason
    assert any("BAA/DPA" in f.text for f in blocked.recommendation.flips)
    data = workload(data_sensitivity="regulated")
    data["constraints"] = {"cloud_allowed_for": ["regulated"]}
    allowed = run(catalog, data)
    assert option(allowed, "cloud").feasible


def test_frontier_need_without_a_frontier_open_model_rules_out_local(catalog: Catalog) -> None:
    r = run(catalog, workload(capability="frontier"))
    assert "no open model in the catalog reaches that tier" in option(r, "local").excluded_reason
    assert option(r, "cloud").feasible
    assert option(r, "cloud").plan[0].cloud_model == "openai/o1"


def test_a_ttft_target_below_cloud_latency_rules_out_the_cloud(catalog: Catalog) -> None:
    r = run(catalog, workload(ttft_slo_ms=150))
    assert "below what cloud APIs deliver" in option(r, "cloud").excluded_reason


def test_force_rules_out_the_other_side(catalog: Catalog) -> None:
    data = workload()
    data["constraints"] = {"force": "cloud"}
    assert "forces the cloud" in option(run(catalog, data), "local").excluded_reason
    data["constraints"] = {"force": "local"}
    assert "forces local" in option(run(catalog, data), "cloud").excluded_reason


def test_models_that_do_not_fit_or_miss_latency_are_excluded_with_reasons(catalog: Catalog) -> None:
    data = workload(input_tokens=100_000)
    data["candidates"] = {"open_models": ["meta/llama-3.1-70b"], "accelerators": ["nvidia/rtx-4090"]}
    data["local"] = {"precision": "bf16"}
    r = run(catalog, data)
    assert not option(r, "local").feasible
    excluded = next(e for e in r.exclusions if e.side == "local").excluded
    assert any("do not fit in memory" in reason for reason in excluded)
    data = workload(min_output_tokens_per_s=5000, capability="simple")
    data["candidates"] = {"open_models": ["meta/llama-3.1-8b"], "accelerators": ["nvidia/h100-sxm-80gb"]}
    r = run(catalog, data)
    excluded = next(e for e in r.exclusions if e.side == "local").excluded
    assert any("miss the latency target" in reason for reason in excluded)


def test_no_option_is_a_result_not_a_crash(catalog: Catalog) -> None:
    data = workload(capability="frontier", data_sensitivity="critical")
    r = run(catalog, data)
    assert r.recommendation.decision == "none"
    assert r.recommendation.option is None
    assert "no plan can serve" in r.recommendation.decided_by.text
    assert all(not o.feasible for o in r.options)


def test_hybrid_places_sensitive_data_local_and_frontier_work_in_the_cloud(catalog: Catalog) -> None:
    data = workload(data_sensitivity="regulated")
    data["segments"].append(
        {"name": "hard", "requests_per_day": 500, "input_tokens": 2000, "output_tokens": 500, "capability": "frontier"}
    )
    r = run(catalog, data)
    assert r.recommendation.decision == "hybrid"
    sides = {step.segment: step.side for step in r.recommendation.plan}
    assert sides == {"s": "local", "hard": "cloud"}
