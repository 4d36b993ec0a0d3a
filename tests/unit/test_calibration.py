"""The capacity model against published measurements (hardware/measurements.yaml).

Reports the error table in the test output and holds the model to its stated
accuracy: on holdout measurements (never used to fit), median error within 15%
and every figure within 2x.
"""

from __future__ import annotations

import pytest

from llmdecide.capacity.calibration import prediction_errors, summarise
from llmdecide.catalog import Catalog, load_catalog


@pytest.fixture(scope="module")
def packaged() -> Catalog:
    return load_catalog()


def test_holdout_accuracy(packaged: Catalog, capsys: pytest.CaptureFixture[str]) -> None:
    errors = prediction_errors(packaged, "holdout")
    summary = summarise(errors)
    with capsys.disabled():
        print(
            f"\ncapacity model vs {summary.points} holdout figures: median |error| "
            f"{summary.median_abs_pct:.1f}%, worst x{summary.worst_ratio:.2f}"
        )
    assert summary.points >= 20
    assert summary.median_abs_pct <= 15.0
    assert summary.worst_ratio <= 2.0


KNOWN_OUTLIERS = {
    "xd-llamacpp/rtx-6000-ada-llama-3-70b-q4_k_m-pp512": (
        "llama.cpp's quantised prefill reaches about a quarter of the RTX 6000 Ada's 16-bit tensor rate (a "
        "rate derived from its FP8 figure), half what it reaches on the other cards; one profile per class "
        "cannot fit both"
    ),
}
"""Calibration figures the model misses by more than 2x, each with why; they must stay within 2.5x."""


def test_calibration_points_within_2x(packaged: Catalog) -> None:
    errors = prediction_errors(packaged, "calibration")
    assert summarise(errors).points >= 40
    for e in errors:
        factor = max(e.ratio, 1.0 / e.ratio)
        limit = 2.5 if e.measurement in KNOWN_OUTLIERS else 2.0
        assert factor <= limit, (e.measurement, e.metric, factor)


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
