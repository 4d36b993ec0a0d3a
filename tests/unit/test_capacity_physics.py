"""The capacity model's physics: memory rules by engine, batch limits by engine version, sliding windows,
interconnects, the operator roofline and the error bars that reach sizing and the Monte Carlo."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

from llmdecide.capacity.deployment import (
    PCIE_ALLREDUCE_EXTRA_S,
    interconnect_link,
    replica_spec,
    resolve_deployment,
)
from llmdecide.capacity.intervals import SpeedInterval, batch_regime, sample_speed, speed_interval
from llmdecide.capacity.memory import GIB_IN_GB, device_memory_gb, memory_fit
from llmdecide.capacity.planner import plan_capacity
from llmdecide.capacity.sizing import size_for_load
from llmdecide.capacity.throughput import decode_step, prefill_seconds, roofline_tokens_per_s, user_decode_step
from llmdecide.catalog import Catalog, load_catalog


@pytest.fixture(scope="module")
def cat() -> Catalog:
    return load_catalog()


def test_device_memory_is_the_binary_figure_vendors_market(cat: Catalog) -> None:
    h100 = cat.accelerators["nvidia/h100-sxm-80gb"].item
    assert device_memory_gb(h100) == pytest.approx(80 * GIB_IN_GB)  # nvidia-smi: 81,559 MiB of 81,920
    assert 85.8 < device_memory_gb(h100) < 86.0


def test_tensorrt_llm_gives_its_fraction_of_what_the_weights_leave(cat: Catalog) -> None:
    """Llama-3.1-70B FP8 on one H100: vLLM's 90% of all memory leaves a few GB of cache; TensorRT-LLM's 90% of
    what the weights leave is well over twice that, so it holds many more sequences."""
    vllm = resolve_deployment(cat, "meta/llama-3.1-70b", "nvidia/h100-sxm-80gb", precision="fp8")
    trt = resolve_deployment(
        cat, "meta/llama-3.1-70b", "nvidia/h100-sxm-80gb", engine_id="tensorrt-llm", precision="fp8"
    )
    v = memory_fit(vllm.model, vllm.accelerator, vllm.profile, "fp8", "fp8", 1)
    t = memory_fit(trt.model, trt.accelerator, trt.profile, "fp8", "fp8", 1)
    memory = device_memory_gb(trt.accelerator)
    expected = (memory - t.weights_gb - trt.profile.overhead_gb) * trt.profile.memory_utilization
    assert t.kv_capacity_gb == pytest.approx(expected)
    assert t.kv_capacity_gb > 2 * max(v.kv_capacity_gb, 0.1)
    result = plan_capacity(cat, "meta/llama-3.1-70b", "nvidia/h100-sxm-80gb", engine_id="tensorrt-llm", precision="fp8")
    assert result.fits and result.tp == 1


@pytest.mark.parametrize(
    ("gpu", "limit"),
    [
        ("nvidia/h100-sxm-80gb", 1024),
        ("nvidia/h200-sxm-141gb", 1024),
        ("amd/mi300x", 1024),
        ("nvidia/a100-sxm-80gb", 256),
        ("nvidia/l40s", 256),
        ("nvidia/rtx-4090", 256),
    ],
)
def test_vllm_batch_limit_follows_its_defaults_by_device_memory(cat: Catalog, gpu: str, limit: int) -> None:
    """vLLM 0.9+: max_num_seqs 1024 on 70 GiB and more unless the GPU is an A100, else 256."""
    d = resolve_deployment(cat, "meta/llama-3.1-8b", gpu)
    assert d.profile.engine_version is not None
    assert d.profile.max_batch_for(d.accelerator) == limit


def test_a_mac_runs_a_model_above_the_default_gpu_limit_once_it_is_raised(cat: Catalog) -> None:
    """Llama-3.1-405B at 4.84 bits (245 GB) is over 75% of a 256 GB M3 Ultra's 275 GB, under 90% of it."""
    result = plan_capacity(cat, "meta/llama-3.1-405b", "apple/m3-ultra-256gb", precision="int4")
    assert result.fits
    assert any("iogpu.wired_limit_mb" in w for w in result.warnings)
    d = resolve_deployment(cat, "meta/llama-3.1-405b", "apple/m3-ultra-256gb", precision="int4")
    default = memory_fit(
        d.model,
        d.accelerator,
        d.profile.model_copy(update={"memory_limit_raisable": False, "raised_memory_utilization": None}),
        "int4",
        "bf16",
        1,
        1280,
    )
    assert default.kv_capacity_gb < default.sequence_gb(1280)


def test_sliding_window_layers_hold_at_most_the_window(cat: Catalog) -> None:
    d = resolve_deployment(cat, "openai/gpt-oss-120b", "nvidia/h100-sxm-80gb")
    fit = memory_fit(d.model, d.accelerator, d.profile, d.precision, d.kv_precision, 1)
    window = d.model.sliding_window_tokens
    assert window is not None and fit.window_tokens == window
    short, long = fit.sequence_gb(window), fit.sequence_gb(16 * window)
    assert long - short == pytest.approx(fit.kv_gb_per_token * 15 * window)  # only full layers keep growing
    spec = replica_spec(d, 1)
    fast = decode_step(spec, 8, 16 * window, 256).step_s
    every_layer_full = replica_spec(d, 1).__class__(
        **{
            **spec.__dict__,
            "kv_bytes_per_token": spec.kv_bytes_per_token + spec.window_kv_bytes_per_token,
            "window_kv_bytes_per_token": np.zeros(()),
            "window_tokens": np.array(np.inf),
        }
    )
    assert float(decode_step(every_layer_full, 8, 16 * window, 256).step_s) > float(fast)


def test_pcie_all_reduces_cost_more_than_nvlink(cat: Catalog) -> None:
    h100 = cat.accelerators["nvidia/h100-sxm-80gb"].item
    l40s = cat.accelerators["nvidia/l40s"].item
    nvlink_bytes, nvlink_extra = interconnect_link(h100, 8)
    pcie_bytes, pcie_extra = interconnect_link(l40s, 8)
    assert nvlink_extra == 0.0 and pcie_extra > 0.0
    assert nvlink_bytes > pcie_bytes


def test_pcie_adds_a_fixed_latency_to_each_all_reduce_not_a_factor(cat: Catalog) -> None:
    """Over PCIe each all-reduce pays NCCL's latency instead of the custom NVLink kernel's: a fixed extra
    time per all-reduce, the same whatever the engine's own fitted per-all-reduce cost."""
    d = resolve_deployment(cat, "meta/llama-3.1-70b", "nvidia/l40s", precision="fp8")
    fast = d.profile.model_copy(update={"allreduce_latency_us": 10.0})
    slow = d.profile.model_copy(update={"allreduce_latency_us": 40.0})
    steps = []
    for profile in (fast, slow):
        spec = replica_spec(replace(d, profile=profile), 4)
        steps.append(float(decode_step(spec, 1, 128, 128).fixed_s))
    layers = d.model.layers
    # 30 us more per all-reduce, two per layer: exactly that much more fixed time, not four times as much
    assert steps[1] - steps[0] == pytest.approx(2 * layers * 30e-6, rel=1e-6)
    # and the link itself costs PCIE_ALLREDUCE_EXTRA_S per all-reduce, which the physical ceiling leaves out
    spec = replica_spec(replace(d, profile=fast), 4)
    on_nvlink = replace(spec, allreduce_extra_s=np.zeros_like(spec.allreduce_extra_s))
    extra = float(decode_step(spec, 1, 128, 128).fixed_s) - float(decode_step(on_nvlink, 1, 128, 128).fixed_s)
    assert extra == pytest.approx(2 * layers * PCIE_ALLREDUCE_EXTRA_S, rel=1e-6)
    ceiling = float(roofline_tokens_per_s(spec, 1, 128, 128))
    assert ceiling == pytest.approx(float(roofline_tokens_per_s(on_nvlink, 1, 128, 128)))


def test_tensor_parallelism_costs_a_fixed_time_per_layer_not_a_factor(cat: Catalog) -> None:
    """At batch 1 the per-token time of an 8-way replica is the per-GPU weight read plus layers x (two
    all-reduces): deeper models pay more, and the communication does not shrink with more GPUs."""
    d = resolve_deployment(cat, "meta/llama-3.1-70b", "nvidia/h100-sxm-80gb", precision="fp8")
    one, eight = decode_step(replica_spec(d, 2), 1, 128, 128), decode_step(replica_spec(d, 8), 1, 128, 128)
    assert float(eight.fixed_s) > float(one.fixed_s)
    assert float(eight.step_s) < float(one.step_s)


def test_one_user_sees_no_prompt_in_the_steps_between_its_tokens(cat: Catalog) -> None:
    """Alone on a replica, a request's own prompt is processed before its first token, so its time per output
    token barely depends on the prompt's length (published runs at one user show the same TPOT at 1,000 and
    8,000 prompt tokens); with others in flight their prompts interleave. The replica's throughput carries
    every prompt: at one user it is the request's output over its prefill and decode time, so the two figures
    `capacity` prints side by side never contradict each other."""
    d = resolve_deployment(cat, "deepseek/deepseek-r1", "nvidia/h200-sxm-141gb")
    spec = replica_spec(d, 8)
    short, long = (float(user_decode_step(spec, 1, n, 1000).step_s) for n in (1000, 8000))
    assert long == pytest.approx(short, rel=0.05)
    life = float(prefill_seconds(spec, 8000)) + 1000 * long
    assert 1000 * float(decode_step(spec, 1, 8000, 1000).step_s) == pytest.approx(life, rel=1e-9)
    for b in (2.0, 16.0, 64.0):
        user, replica = (float(f(spec, b, 4000, 500).step_s) for f in (user_decode_step, decode_step))
        assert user < replica < user + float(prefill_seconds(spec, 4000)) / 500 * 1.000001


def test_no_prediction_exceeds_the_roofline(cat: Catalog) -> None:
    for model, gpu in [("meta/llama-3.1-8b", "nvidia/h100-sxm-80gb"), ("qwen/qwen3-30b-a3b", "amd/mi300x")]:
        d = resolve_deployment(cat, model, gpu)
        spec = replica_spec(d, 1)
        batches = np.array([1.0, 8.0, 64.0, 256.0])
        predicted = batches / decode_step(spec, batches, 1000, 200).step_s
        assert (predicted <= roofline_tokens_per_s(spec, batches, 1000, 200) * (1 + 1e-9)).all()


def test_a_short_prompt_still_waits_for_the_request_overhead(cat: Catalog) -> None:
    """An 8B model, 64-token prompt, one user: tens of milliseconds to the first token, not single digits."""
    result = plan_capacity(
        cat, "meta/llama-3.1-8b", "nvidia/h100-sxm-80gb", input_tokens=64, output_tokens=64, concurrency=1
    )
    assert result.ttft_ms is not None and result.ttft_ms >= 15


def test_intervals_join_the_regimes_that_apply() -> None:
    from llmdecide.catalog.schema import PredictionInterval

    intervals = [
        PredictionInterval(regime="mid concurrency", low=0.6, high=1.2, median=0.9, coverage=0.8, figures=9, sources=3),
        PredictionInterval(regime="multi-GPU", low=0.5, high=1.5, median=1.0, coverage=0.8, figures=9, sources=3),
        PredictionInterval(
            regime="mixture of experts", low=0.4, high=2.0, median=1.0, coverage=0.8, figures=9, sources=3
        ),
    ]
    dense_one = speed_interval(intervals, "mid concurrency", moe=False, multi_gpu=False)
    moe_eight = speed_interval(intervals, "mid concurrency", moe=True, multi_gpu=True)
    assert (dense_one.low, dense_one.high, dense_one.median) == (0.6, 1.2, 0.9)
    assert (moe_eight.low, moe_eight.high) == (0.4, 2.0)
    assert not speed_interval(intervals, "batch 1", moe=False, multi_gpu=False).known
    assert batch_regime(1, 64) == "batch 1" and batch_regime(12, 64) == "mid concurrency"
    assert batch_regime(64, 64) == "saturation"


def test_speed_draws_reproduce_the_interval() -> None:
    interval = SpeedInterval(0.5, 1.5, ("mid concurrency",), 0.9)
    draws = sample_speed(interval, np.random.default_rng(3).standard_normal(200_000))
    p10, p50, p90 = np.percentile(draws, [10, 50, 90])
    assert p10 == pytest.approx(0.5, rel=0.02) and p50 == pytest.approx(0.9, rel=0.02)
    assert p90 == pytest.approx(1.5, rel=0.02)


def test_sizing_reports_the_fleet_at_the_pessimistic_speed(cat: Catalog) -> None:
    d = resolve_deployment(cat, "meta/llama-3.1-8b", "nvidia/h100-sxm-80gb")
    s = size_for_load(
        d, peak_requests_per_s=40.0, input_tokens=1000, output_tokens=200, ttft_slo_ms=2000, min_output_tokens_per_s=10
    )
    assert s.interval_regimes and s.speed_low < 1.0 < s.speed_high
    pessimistic = math.ceil(40.0 / (s.requests_per_s_per_replica * s.speed_low * 0.7))
    assert pessimistic > s.replicas


@pytest.mark.parametrize(
    ("model", "gpu"),
    [
        ("qwen/qwen3-30b-a3b", "apple/m2-ultra-192gb"),
        ("openai/gpt-oss-120b", "nvidia/h100-sxm-80gb"),
        ("deepseek/deepseek-r1", "nvidia/h200-sxm-141gb"),
        ("meta/llama-3.1-8b", "nvidia/rtx-4090"),
        ("mistralai/mixtral-8x7b", "amd/mi300x"),
    ],
)
def test_single_stream_decode_is_bound_by_memory(cat: Catalog, model: str, gpu: str) -> None:
    """One sequence, short prompt: a step reads the weights it touches once and does almost no arithmetic."""
    d = resolve_deployment(cat, model, gpu)
    tp = 8 if model == "deepseek/deepseek-r1" else 1
    step = decode_step(replica_spec(d, tp), 1, 16, 256)
    assert float(step.compute_s) < float(step.memory_s)


def test_a_slower_deployment_costs_more_however_it_is_billed(cat: Catalog) -> None:
    """The Monte Carlo's speed draw reaches bought fleets, always-on rentals and by-use rentals alike."""
    from pathlib import Path

    import yaml

    from llmdecide.assessment import assess_workload
    from llmdecide.costing.horizon import local_horizon
    from llmdecide.costing.projection import Scenario
    from llmdecide.workload import load_workload_text

    examples = Path(__file__).parent.parent.parent / "examples"
    rented = yaml.safe_load((examples / "rented-gpus-document-summaries.yaml").read_text())
    by_use = {**rented, "local": {**rented["local"], "rent_billing": "by_use"}}
    workloads = [rented, by_use, yaml.safe_load((examples / "startup-mvp.yaml").read_text())]
    seen: set[str] = set()
    grew = False
    for data in workloads:
        a = assess_workload(load_workload_text(yaml.safe_dump(data)), cat)
        for plan in a.plans:
            for placement in plan.placements:
                local = placement.local
                if local is None or local.spec is None or local.pinned or local.devices is not None:
                    continue
                kind = "buy" if local.spec.buy is not None else local.spec.rent.billing  # type: ignore[union-attr]
                seen.add(kind)
                slow = local_horizon(local.spec, Scenario.build(speed=0.3), 12)[0]
                fast = local_horizon(local.spec, Scenario.build(speed=1.0), 12)[0]
                # Billed by use, every slower hour is paid; a fleet of whole machines may already have room.
                assert slow > fast if kind == "by_use" else slow >= fast, (plan.id, kind)
                grew = grew or slow > fast
    assert {"buy", "by_use", "always_on"} <= seen and grew


def test_without_published_flops_the_time_to_first_token_is_unknown(cat: Catalog) -> None:
    """A prefill is compute bound: without the chip's FLOPS it has no time, not the time of one weight read."""
    result = plan_capacity(cat, "meta/llama-3.1-8b", "apple/m5-max-128gb", input_tokens=8000, output_tokens=256)
    assert result.fits and result.output_tokens_per_s is not None
    assert result.ttft_ms is None and result.prefill_tokens_per_s is None


def test_infinity_fabric_gives_a_pair_one_link_and_a_node_all_seven(cat: Catalog) -> None:
    mi300x = cat.accelerators["amd/mi300x"].item
    assert interconnect_link(mi300x, 8)[0] == pytest.approx(7 * interconnect_link(mi300x, 2)[0])
    pcie_card = cat.accelerators["nvidia/h100-pcie-80gb"].item  # its NVLink bridge is optional: not assumed
    assert interconnect_link(pcie_card, 2)[1] > 0.0


def test_the_window_is_averaged_over_the_sequences_life() -> None:
    from llmdecide.capacity.throughput import _mean_windowed_context

    def mean(n_in: float, n_out: float, window: float) -> float:
        return float(_mean_windowed_context(np.float64(n_in), np.float64(n_out), np.float64(window)))

    assert mean(100, 100, math.inf) == 150  # no window: the mean context
    assert mean(100, 100, 50) == 50  # the prompt alone fills it
    assert mean(100, 100, 150) == 137.5  # reached halfway: 125 for half the tokens, 150 for the rest
