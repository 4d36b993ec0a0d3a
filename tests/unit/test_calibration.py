"""The capacity model against published measurements (hardware/measurements.yaml), in sample.

The held-out figures that matter (leave one source out) are held in test_capacity_held_out.py.
"""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from llmdecide.capacity.calibration import predict_measurement, prediction_errors, scored, summarise
from llmdecide.catalog import Catalog, load_catalog
from llmdecide.catalog.schema import Measurement


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
    assert summary.median_abs_pct <= 21.5
    assert summary.within_2x >= 0.77 * summary.points
    # Speeds hold up on the publishers first seen as holdout; their times to first token less so: large MoE
    # models served by SGLang on MI300X take up to 5x longer to a first token (median) than the model says
    # (README, capacity). The worst speeds: MiniMax-M2 on 4 x MI300X and DeepSeek-V3.1 on 8 x MI300X under
    # SGLang at one user, 3.0x slower per token than the model says; a per-user step no longer carries the
    # request's own prompt, which had hidden part of that gap.
    speeds = summarise([e for e in errors if e.metric != "ttft_ms"])
    assert speeds.median_abs_pct <= 16.0
    assert speeds.within_2x >= 0.89 * speeds.points
    assert speeds.worst_ratio <= 4.0


def test_calibration_points_mostly_within_2x(packaged: Catalog) -> None:
    """In sample, on the broad calibration set (dense and MoE, 1 to 8 GPUs, batch 1 to saturation)."""
    errors = prediction_errors(packaged, "calibration")
    summary = summarise(errors)
    assert summary.points >= 200
    assert summary.median_abs_pct <= 15.0
    assert summary.within_2x >= 0.85 * summary.points
    # Runs far slower than another engine on the same page (SGLang serving MXFP4 gpt-oss on A100s at a
    # seventeenth of vLLM's speed) are excluded (ENGINE_GAP). The worst left: vLLM's burst of 1,000 prompts of
    # 128 tokens with 4 output tokens each, DeepSeek-R1 on 8 x H200, 3.3x faster predicted than measured.
    assert summary.worst_ratio <= 4.0


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


def test_no_scored_run_is_an_engine_fallback(packaged: Catalog) -> None:
    """A run several times slower than another engine's on the same page, GPU and prompts is kept for context
    but neither fitted nor scored, and the rule holds for every such run, not for some."""
    from llmdecide.capacity.calibration import engine_gaps

    runs = [e.item for e in packaged.measurements.values()]
    gaps = engine_gaps(runs)
    assert not gaps, [f"{g.slow.id}: {g.times:.1f}x below {g.fast.id}" for g in gaps]
    excluded = [m for m in runs if "ENGINE_GAP" in (m.exclusion_reason or "")]
    assert len(excluded) >= 6
    restored = [m.model_copy(update={"excluded_metrics": [], "exclusion_reason": None}) for m in excluded]
    others = [m for m in runs if m not in excluded]
    assert {g.slow.id for g in engine_gaps(others + restored)} == {m.id for m in excluded}


def test_an_engine_gap_needs_the_same_setup_in_the_same_document(packaged: Catalog) -> None:
    from llmdecide.capacity.calibration import ENGINE_GAP, engine_gaps

    fast = packaged.measurements["gpustack-perflab/qwen3-32b-a100-tp1-bf16-vllm-217-201-offline"].item
    assert fast.output_tokens_per_s is not None
    slow = fast.model_copy(
        update={"id": "slow", "engine": "sglang", "output_tokens_per_s": fast.output_tokens_per_s / (ENGINE_GAP + 0.5)}
    )
    [gap] = engine_gaps([fast, slow])
    assert gap.slow.id == "slow" and gap.fast is fast and gap.times == pytest.approx(ENGINE_GAP + 0.5)
    near = slow.model_copy(update={"output_tokens_per_s": fast.output_tokens_per_s / (ENGINE_GAP - 0.5)})
    assert not engine_gaps([fast, near])
    for change in (
        {"engine": fast.engine},
        {"tp": 2, "gpus": 2},
        {"precision": "fp8"},
        {"concurrency": 16},
        {"input_tokens": round(fast.input_tokens * 1.2)},
        {"source": "https://example.com/another-page"},
    ):
        assert not engine_gaps([fast, slow.model_copy(update=change)]), change
    # Per GPU: twice the GPUs at twice the throughput is the same speed.
    assert not engine_gaps(
        [fast, slow.model_copy(update={"gpus": 2, "output_tokens_per_s": fast.output_tokens_per_s * 2})]
    )


def test_a_first_token_time_says_which_statistic_it_is(packaged: Catalog) -> None:
    """A mean time to first token carries a benchmark's opening burst and cold requests, a median does not:
    every measured time says which it is, and the model is checked against the median where one is published."""
    timed = [e.item for e in packaged.measurements.values() if e.item.ttft_ms is not None]
    assert timed and all(m.ttft_statistic is not None for m in timed)
    # The SGLang Cookbook prints both; the median is the one recorded.
    cookbook = [m for m in timed if "sgl-cookbook" in m.source]
    assert cookbook and all(m.ttft_statistic == "median" for m in cookbook)
    # Every time the fit and the held-out table use is a median, or a source's one figure that does not say.
    assert {m.ttft_statistic for m in timed if scored(m, "ttft_ms")} <= {"median", "unstated"}
    fields = timed[0].model_dump(exclude_none=True)
    with pytest.raises(ValidationError, match="ttft_ms and ttft_statistic go together"):
        Measurement.model_validate({k: v for k, v in fields.items() if k != "ttft_statistic"})
    with pytest.raises(ValidationError, match="ttft_statistic"):
        Measurement.model_validate({**fields, "ttft_statistic": "p99"})


def test_a_burst_is_sized_by_the_prompts_it_sent(packaged: Catalog) -> None:
    """A served run with no concurrency limit sends every prompt at once: its batch is at most the number it
    sent (1,000 prompts on an engine that holds 2,048 sequences run at 1,000, not 2,048)."""
    bursts = [
        e.item for e in packaged.measurements.values() if e.item.harness == "served" and e.item.concurrency is None
    ]
    assert len(bursts) >= 50 and all(m.requests for m in bursts)
    burst = next(m for m in bursts if m.engine == "sglang" and m.requests == 1000 and m.input_tokens < 300)
    predicted = predict_measurement(packaged, burst)["output_tokens_per_s"]
    more = predict_measurement(packaged, burst.model_copy(update={"requests": 2000}))["output_tokens_per_s"]
    assert more > predicted
    fields = burst.model_dump(exclude_none=True)
    with pytest.raises(ValidationError, match="the requests it sent at once"):
        Measurement.model_validate({k: v for k, v in fields.items() if k != "requests"})


def test_a_run_without_a_kv_precision_has_its_engines_default_cache(packaged: Catalog) -> None:
    """vLLM and SGLang keep a 16-bit KV cache unless told otherwise, whatever the weights; TensorRT-LLM's FP8
    checkpoints carry an FP8 cache. A published run that does not say is predicted with its engine's default."""
    from llmdecide.capacity.calibration import _deployment, measured_kv_precision

    base = next(e.item for e in packaged.measurements.values() if e.item.engine == "vllm" and e.item.precision == "fp8")
    unset = base.model_copy(update={"kv_precision": None})
    assert measured_kv_precision(unset) == "bf16"
    assert _deployment(packaged, unset, None).kv_precision == "bf16"
    assert measured_kv_precision(unset.model_copy(update={"kv_precision": "fp8"})) == "fp8"
    trt = unset.model_copy(update={"engine": "tensorrt-llm"})
    assert measured_kv_precision(trt) is None
    assert _deployment(packaged, trt, None).kv_precision == "fp8"
