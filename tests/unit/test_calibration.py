"""The capacity model against published measurements (hardware/measurements.yaml), in sample.

The held-out figures that matter (leave one source out) are held in test_capacity_held_out.py.
"""

from __future__ import annotations

import pytest

from llmdecide.capacity.calibration import prediction_errors, summarise
from llmdecide.catalog import Catalog, load_catalog


@pytest.fixture(scope="module")
def packaged() -> Catalog:
    return load_catalog()


def test_holdout_accuracy(packaged: Catalog, capsys: pytest.CaptureFixture[str]) -> None:
    """The 'holdout' points are never fitted: the shipped profiles stay within these on them."""
    errors = prediction_errors(packaged, "holdout")
    summary = summarise(errors)
    with capsys.disabled():
        print(
            f"\ncapacity model vs {summary.points} holdout figures: median |error| "
            f"{summary.median_abs_pct:.1f}%, worst x{summary.worst_ratio:.2f}"
        )
    assert summary.points >= 250
    assert summary.median_abs_pct <= 18.5
    assert summary.within_2x >= 0.8 * summary.points
    # Speeds hold up on the publishers first seen as holdout; their times to first token do not: large MoE
    # models served by SGLang at TP8 take 3-6x longer to a first token than the model says (README, capacity).
    speeds = summarise([e for e in errors if e.metric != "ttft_ms"])
    assert speeds.median_abs_pct <= 16.5
    assert speeds.within_2x >= 0.95 * speeds.points
    assert speeds.worst_ratio <= 3.5


def test_calibration_points_mostly_within_2x(packaged: Catalog) -> None:
    """In sample, on the broad calibration set (dense and MoE, 1 to 8 GPUs, batch 1 to saturation)."""
    errors = prediction_errors(packaged, "calibration")
    summary = summarise(errors)
    assert summary.points >= 200
    assert summary.median_abs_pct <= 15.0
    assert summary.within_2x >= 0.85 * summary.points
    # The worst: SGLang serving MXFP4 gpt-oss on A100s, which have no FP4 path in it, at a seventh of the speed
    # the same weights reach in vLLM; one profile per engine cannot carry both.
    assert summary.worst_ratio <= 8.0


def test_every_class_is_measured(packaged: Catalog) -> None:
    classes = {e.accelerator_class for e in prediction_errors(packaged, "holdout")}
    assert {"datacenter", "consumer", "apple_silicon"} <= classes


def test_profiles_name_only_calibration_points(packaged: Catalog) -> None:
    for engine in packaged.engines.values():
        for profile in engine.item.profiles:
            for mid in profile.calibrated_on:
                assert packaged.measurements[mid].item.split == "calibration"


def test_a_held_out_source_is_never_fitted(packaged: Catalog) -> None:
    """Leave one source out: the factors that predict a source's rows were fitted without any of them."""
    from llmdecide.capacity.calibration import fit_profile, source_of

    nvidia = next(
        source_of(e.item) for e in packaged.measurements.values() if e.item.id.startswith("trtllm-perf-0.17/")
    )
    fitted = fit_profile(
        packaged,
        "tensorrt-llm",
        ("datacenter", "workstation", "consumer"),
        splits=("calibration", "holdout"),
        exclude_sources=frozenset({nvidia}),
    )
    assert fitted is not None
    used = set(next(iter(fitted[0].values())).calibrated_on)
    assert used and not any(source_of(packaged.measurements[mid].item) == nvidia for mid in used)
    assert any(packaged.measurements[mid].item.split == "holdout" for mid in used)  # both splits of other sources


def test_a_pooled_engine_fits_its_own_request_overhead(packaged: Catalog) -> None:
    """The pooled prior holds the shared kernels' factors, not the fixed cost of a request: a prior that says
    250 ms per request does not drag the engine's fit away from what its own first-token figures say, while
    it would if the request overhead were held to it like the rest."""
    from llmdecide.capacity import calibration as c

    group = ("datacenter", "workstation", "consumer")
    points = [
        m for m in c._engine_points(packaged, ("vllm",), group, ("calibration",), frozenset()) if c.scored(m, "ttft_ms")
    ]
    assert len(points) >= 5, "vLLM's own first-token figures"
    stack = c._stack(packaged, points, c._profile_lookup(packaged, group))
    prior = {**c.GENERIC_START, "request_overhead_ms": 250.0}
    own, _ = c.fit_factors(stack, prior, prior, restarts=0, own=c.ENGINE_OWN_FACTORS)
    held, _ = c.fit_factors(stack, prior, prior, restarts=0)
    assert own["request_overhead_ms"] <= 120.0, own
    assert held["request_overhead_ms"] > own["request_overhead_ms"] + 50.0, (held, own)
