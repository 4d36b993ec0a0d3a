"""Capacity planning: how a model runs on an accelerator, and how many GPUs a load needs.

:func:`plan_capacity` answers ``llmdecide capacity``: does it fit, with what
tensor parallelism, how fast per user and in total, and what bounds it.
:func:`size_for_load` turns a peak request rate and latency targets into
replicas and GPUs. Both build a :class:`ReplicaSpec` from catalog entries and
call the vectorised speed model.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from llmdecide.capacity.memory import MemoryFit, bytes_per_param, memory_fit, smallest_fitting_tp
from llmdecide.capacity.throughput import ReplicaSpec, decode_step, prefill_seconds, ttft_seconds
from llmdecide.catalog.catalog import Catalog
from llmdecide.catalog.schema import Accelerator, AcceleratorClass, Engine, EngineProfile, OpenModel
from llmdecide.errors import InputFileError, LlmdecideError
from llmdecide.units import BYTES_PER_GB, PRECISIONS

Bound = Literal["memory-bandwidth", "compute", "kv-capacity"]

DEFAULT_ENGINE: dict[AcceleratorClass, str] = {
    AcceleratorClass.DATACENTER: "vllm",
    AcceleratorClass.WORKSTATION: "vllm",
    AcceleratorClass.CONSUMER: "vllm",
    AcceleratorClass.APPLE_SILICON: "llama.cpp",
}
"""Engine used when none is named: vLLM on NVIDIA/AMD GPUs, llama.cpp on Apple silicon."""

NATIVE_TO_PRECISION = {"bf16": "bf16", "fp16": "fp16", "fp8": "fp8", "mxfp4": "fp4", "fp32": "bf16"}

MAX_TP = 8
"""Largest tensor-parallel group modelled: one 8-GPU node (pipeline parallelism across nodes is not)."""
ABSURD_TOKENS = 10_000_000
ABSURD_GPUS = 100_000


class CapacityError(LlmdecideError):
    """A capacity question that cannot be asked: bad numbers, an unsupported precision."""


class EfficiencyUsed(BaseModel):
    """The engine profile a result used, so every number can be traced."""

    model_config = ConfigDict(frozen=True)

    engine: str
    accelerator_class: str
    bandwidth_efficiency: float
    kv_bandwidth_efficiency: float
    decode_compute_efficiency: float
    prefill_compute_efficiency: float
    step_overhead_ms: float
    memory_utilization: float
    runtime_overhead_gb: float
    max_batch: int
    source: str


class CapacityResult(BaseModel):
    """How one model runs on one kind of accelerator. Plain floats; None means not applicable or unknown."""

    model_config = ConfigDict(frozen=True)

    model: str = Field(description="Open-model id.")
    accelerator: str = Field(description="Accelerator id.")
    engine: str = Field(description="Serving engine id.")
    fits: bool = Field(description="Whether the weights and at least one full sequence fit.")
    gpus: int = Field(description="GPUs in the whole system.")
    tp: int = Field(description="Tensor-parallel degree (GPUs per replica).")
    replicas: int = Field(description="Replicas in the system (gpus / tp).")
    precision: str = Field(description="Weight precision.")
    kv_precision: str = Field(description="KV-cache precision.")
    input_tokens: int
    output_tokens: int
    weights_gb: float = Field(description="Weights of one replica, GB.")
    weights_gb_per_gpu: float
    usable_memory_gb_per_gpu: float = Field(description="Device memory the engine may use per GPU, GB.")
    memory_needed_gb: float = Field(description="Memory one replica needs for the weights and one sequence, GB.")
    gpus_needed_to_fit: int | None = Field(description="Smallest tensor-parallel degree that would fit.")
    kv_cache_gb_per_sequence: float = Field(description="KV cache of one full sequence (input + output), GB.")
    kv_cache_gb_per_replica: float = Field(description="Memory left for KV cache in one replica, GB.")
    max_concurrency: int = Field(description="Most concurrent sequences the system holds (KV cache, engine limit).")
    concurrency: int = Field(description="Concurrent sequences the figures are for (whole system).")
    output_tokens_per_s: float | None = Field(description="Output tokens/s of the whole system.")
    per_user_output_tokens_per_s: float | None = Field(description="Decode tokens/s one request sees.")
    ttft_ms: float | None = Field(description="Time to first token, ms (None when compute is unpublished).")
    prefill_tokens_per_s: float | None = Field(description="Prompt tokens/s of one replica for one prompt.")
    requests_per_s: float | None = Field(description="Completed requests per second of the whole system.")
    bound: Bound | None = Field(description="What limits throughput at this point.")
    efficiency: EfficiencyUsed
    warnings: list[str] = Field(default_factory=list)


@dataclass(frozen=True)
class Deployment:
    """A resolved deployment: the catalog entries and choices a capacity question is about."""

    model: OpenModel
    accelerator: Accelerator
    engine: Engine
    profile: EngineProfile
    precision: str
    kv_precision: str


def resolve_deployment(
    catalog: Catalog,
    model_id: str,
    accelerator_id: str,
    *,
    engine_id: str | None = None,
    precision: str | None = None,
    kv_precision: str | None = None,
) -> Deployment:
    """Look up the entries and pick the engine and precisions (defaults documented in the README)."""
    model = catalog.open_model(model_id, where="--model").item
    accelerator = catalog.accelerator(accelerator_id, where="--gpu").item
    engine_name = engine_id or DEFAULT_ENGINE[accelerator.accelerator_class]
    engine = catalog.engine(engine_name, where="--engine").item
    profile = next((p for p in engine.profiles if p.accelerator_class is accelerator.accelerator_class), None)
    if profile is None:
        served = ", ".join(sorted(p.accelerator_class.value for p in engine.profiles))
        raise CapacityError(
            f"--engine: {engine.id} has no profile for {accelerator.accelerator_class.value} accelerators "
            f"like {accelerator.id}",
            hint=f"it serves: {served}",
        )
    if precision is None:
        native = NATIVE_TO_PRECISION[model.native_precision]
        precision = native if native in profile.precisions else profile.precisions[0]
    if precision not in PRECISIONS:
        raise CapacityError(f"--precision: unknown precision {precision!r}", hint=f"one of {', '.join(PRECISIONS)}")
    if precision not in profile.precisions:
        raise CapacityError(
            f"--precision: {engine.id} cannot run {precision} on {accelerator.id}",
            hint=f"supported there: {', '.join(profile.precisions)}",
        )
    kv = kv_precision or ("fp8" if precision in ("fp8", "fp4") and "fp8" in profile.precisions else "bf16")
    if kv not in PRECISIONS:
        raise CapacityError(f"--kv-precision: unknown precision {kv!r}", hint=f"one of {', '.join(PRECISIONS)}")
    return Deployment(model, accelerator, engine, profile, precision, kv)


def compute_tflops(accelerator: Accelerator, precision: str) -> float | None:
    """Dense tensor TFLOPS that matmuls at this weight precision run at.

    FP8 and FP4 use their own tensor cores when the chip has them; weight-only
    formats (int8, int4, and fp8/fp4 without native support) dequantise to 16-bit.
    """
    sixteen = accelerator.bf16_dense_tflops or accelerator.fp16_dense_tflops
    if precision in ("fp16", "int8", "int4"):
        # FP16 weights, and integer weights dequantised to FP16, use the FP16 rate
        # (on GeForce cards twice the BF16 rate, with FP16 accumulation).
        sixteen = accelerator.fp16_dense_tflops or accelerator.bf16_dense_tflops
    if precision == "fp4":
        return accelerator.fp4_dense_tflops or accelerator.fp8_dense_tflops or sixteen
    if precision == "fp8":
        return accelerator.fp8_dense_tflops or sixteen
    return sixteen


def compute_known(d: Deployment) -> bool:
    """Whether the accelerator publishes the tensor FLOPS this deployment's matmuls and attention run at."""
    attention = "fp8" if d.kv_precision == "fp8" else "bf16"
    return (
        compute_tflops(d.accelerator, d.precision) is not None and compute_tflops(d.accelerator, attention) is not None
    )


def replica_spec(d: Deployment, tp: int) -> ReplicaSpec:
    """The numbers the speed model needs for one replica of ``tp`` GPUs."""
    m, a, p = d.model, d.accelerator, d.profile
    param_bytes = bytes_per_param(d.precision, d.profile)
    total = m.total_params_b * 1e9
    active = m.active_params_b * 1e9
    if m.experts and m.experts_per_token:
        expert_params = (total - active) / (m.experts - m.experts_per_token)
        dense_params = active - m.experts_per_token * expert_params
    else:
        expert_params, dense_params = 0.0, total
    tflops = compute_tflops(a, d.precision)
    attention_tflops = compute_tflops(a, "fp8" if d.kv_precision == "fp8" else "bf16")
    moe = p.moe_efficiency if m.experts else 1.0
    scale = p.tp_scaling ** math.log2(tp)
    fit = memory_fit(m, a, p, d.precision, d.kv_precision, tp)
    interconnect = a.interconnect_gb_per_s * 1e9 / 2 if a.interconnect_gb_per_s else 32e9
    return ReplicaSpec.from_values(
        tp=tp,
        bandwidth_bytes_per_s=a.memory_bandwidth_gb_per_s * 1e9,
        flops_per_s=tflops * 1e12 if tflops else np.nan,
        attention_flops_per_s=attention_tflops * 1e12 if attention_tflops else np.nan,
        bandwidth_efficiency=p.bandwidth_efficiency * moe * scale,
        kv_bandwidth_efficiency=p.kv_bandwidth_efficiency * scale,
        decode_compute_efficiency=p.decode_compute_efficiency * moe * scale,
        prefill_compute_efficiency=p.prefill_compute_efficiency * moe * scale,
        step_overhead_s=p.step_overhead_ms / 1000.0,
        allreduce_s=p.allreduce_latency_us / 1e6,
        interconnect_bytes_per_s=interconnect,
        layers=m.layers,
        hidden_size=m.hidden_size,
        activation_bytes=2.0,
        dense_weight_bytes=dense_params * param_bytes,
        expert_bytes=expert_params * param_bytes,
        experts=m.experts or 0,
        experts_per_token=m.experts_per_token or 0,
        active_params=active,
        attention_flops_per_context_token=4.0 * m.layers * m.attention_heads * m.head_dim,
        kv_bytes_per_token=fit.kv_gb_per_token * BYTES_PER_GB,
    )


def _check_counts(
    input_tokens: int, output_tokens: int, gpus: int | None, tp: int | None, concurrency: int | None
) -> None:
    for name, value, limit in (
        ("--input-tokens", input_tokens, ABSURD_TOKENS),
        ("--output-tokens", output_tokens, ABSURD_TOKENS),
        ("--gpus", gpus, ABSURD_GPUS),
        ("--tp", tp, None),
        ("--concurrency", concurrency, 10_000_000),
    ):
        if value is None:
            continue
        if value < 1:
            raise CapacityError(f"{name}: must be at least 1, got {value}")
        if limit is not None and value > limit:
            raise CapacityError(f"{name}: {value} is absurdly large (the limit is {limit:,})")
    if tp is not None and tp > MAX_TP:
        raise CapacityError(
            f"--tp: at most {MAX_TP} GPUs per replica (one node; pipeline parallelism is not modelled), got {tp}"
        )
    if tp is not None and tp & (tp - 1):
        raise CapacityError(f"--tp: tensor parallelism must be a power of two, got {tp}")
    if gpus is not None and tp is not None and gpus % tp:
        raise CapacityError(f"--gpus: {gpus} GPUs cannot be split into replicas of --tp {tp}")


def _efficiency(d: Deployment) -> EfficiencyUsed:
    p = d.profile
    return EfficiencyUsed(
        engine=d.engine.id,
        accelerator_class=p.accelerator_class.value,
        bandwidth_efficiency=p.bandwidth_efficiency,
        kv_bandwidth_efficiency=p.kv_bandwidth_efficiency,
        decode_compute_efficiency=p.decode_compute_efficiency,
        prefill_compute_efficiency=p.prefill_compute_efficiency,
        step_overhead_ms=p.step_overhead_ms,
        memory_utilization=p.memory_utilization,
        runtime_overhead_gb=p.runtime_overhead_gb,
        max_batch=p.max_batch,
        source=p.source,
    )


def max_batch_per_replica(fit: MemoryFit, profile: EngineProfile, input_tokens: float, output_tokens: float) -> int:
    """Sequences one replica holds: KV tokens / average context (input + output/2), capped by the engine."""
    if fit.kv_tokens() < input_tokens + output_tokens:
        return 0
    by_kv = math.floor(fit.kv_tokens() / (input_tokens + output_tokens / 2.0))
    return max(1, min(by_kv, profile.max_batch))


def plan_capacity(
    catalog: Catalog,
    model_id: str,
    accelerator_id: str,
    *,
    engine_id: str | None = None,
    precision: str | None = None,
    kv_precision: str | None = None,
    gpus: int | None = None,
    tp: int | None = None,
    concurrency: int | None = None,
    input_tokens: int = 1024,
    output_tokens: int = 256,
) -> CapacityResult:
    """How ``model_id`` runs on ``accelerator_id`` (see ``llmdecide capacity --help`` for the rules)."""
    _check_counts(input_tokens, output_tokens, gpus, tp, concurrency)
    d = resolve_deployment(
        catalog, model_id, accelerator_id, engine_id=engine_id, precision=precision, kv_precision=kv_precision
    )
    seq = input_tokens + output_tokens
    warnings: list[str] = []
    needed_tp = smallest_fitting_tp(d.model, d.accelerator, d.profile, d.precision, d.kv_precision, seq, max_tp=MAX_TP)
    if tp is None:
        limit = gpus if gpus is not None else MAX_TP
        candidates = [t for t in (1, 2, 4, 8) if t <= limit and (gpus is None or gpus % t == 0)]
        chosen = next((t for t in candidates if needed_tp is not None and t >= needed_tp), None)
        tp_used = chosen if chosen is not None else (candidates[-1] if candidates else 1)
    else:
        tp_used = tp
    gpus_used = gpus if gpus is not None else tp_used
    replicas = gpus_used // tp_used
    fit = memory_fit(d.model, d.accelerator, d.profile, d.precision, d.kv_precision, tp_used)
    per_replica_max = max_batch_per_replica(fit, d.profile, input_tokens, output_tokens)
    kv_seq = fit.kv_gb_per_token * seq
    base = {
        "model": d.model.id,
        "accelerator": d.accelerator.id,
        "engine": d.engine.id,
        "gpus": gpus_used,
        "tp": tp_used,
        "replicas": replicas,
        "precision": d.precision,
        "kv_precision": d.kv_precision,
        "input_tokens": input_tokens,
        "output_tokens": output_tokens,
        "weights_gb": fit.weights_gb,
        "weights_gb_per_gpu": fit.weights_gb_per_gpu,
        "usable_memory_gb_per_gpu": fit.usable_gb_per_gpu,
        "memory_needed_gb": fit.memory_needed_gb(seq),
        "gpus_needed_to_fit": needed_tp,
        "kv_cache_gb_per_sequence": kv_seq,
        "kv_cache_gb_per_replica": max(0.0, fit.kv_capacity_gb),
        "efficiency": _efficiency(d),
    }
    if per_replica_max == 0:
        need = (
            f"more than {MAX_TP} GPUs per replica (pipeline parallelism is not modelled)"
            if needed_tp is None
            else f"tensor parallelism of {needed_tp}"
        )
        warnings.append(
            f"does not fit: {fit.memory_needed_gb(seq):,.1f} GB needed for weights, overhead and one sequence; "
            f"{fit.usable_gb_per_gpu * tp_used:,.1f} GB usable on {tp_used} GPU(s); needs {need}"
        )
        return CapacityResult(
            **base,
            fits=False,
            max_concurrency=0,
            concurrency=0,
            output_tokens_per_s=None,
            per_user_output_tokens_per_s=None,
            ttft_ms=None,
            prefill_tokens_per_s=None,
            requests_per_s=None,
            bound=None,
            warnings=warnings,
        )
    max_conc = per_replica_max * replicas
    conc = concurrency if concurrency is not None else max_conc
    per_replica = min(conc / replicas, per_replica_max)
    if concurrency is not None and conc > max_conc:
        warnings.append(
            f"{conc} concurrent requests exceed the {max_conc} the system holds; the rest queue, "
            "so figures are for the full batch"
        )
    spec = replica_spec(d, tp_used)
    step = decode_step(spec, per_replica, input_tokens, output_tokens)
    step_s = float(step.step_s)
    ttft = float(ttft_seconds(spec, per_replica, input_tokens, output_tokens))
    prefill = float(prefill_seconds(spec, input_tokens))
    kv_limited = per_replica_max < d.profile.max_batch
    at_limit = per_replica >= per_replica_max
    compute_known = not math.isnan(float(step.compute_s))
    if compute_known and bool(step.compute_bound):
        bound: Bound = "compute"
    elif kv_limited and at_limit:
        bound = "kv-capacity"
    else:
        bound = "memory-bandwidth"
    if not compute_known:
        warnings.append(
            f"{d.accelerator.id} has no published tensor FLOPS: decode assumes the memory bound, "
            "and time to first token is unknown"
        )
    per_user = 1.0 / step_s
    system = per_replica * replicas * per_user
    return CapacityResult(
        **base,
        fits=True,
        max_concurrency=max_conc,
        concurrency=round(per_replica * replicas),
        output_tokens_per_s=system,
        per_user_output_tokens_per_s=per_user,
        ttft_ms=None if math.isnan(ttft) else ttft * 1000.0,
        prefill_tokens_per_s=None if math.isnan(prefill) else input_tokens / prefill,
        requests_per_s=system / output_tokens,
        bound=bound,
        warnings=warnings,
    )


class LoadSizing(BaseModel):
    """Replicas and GPUs a load needs, at the largest batch that meets the latency targets."""

    model_config = ConfigDict(frozen=True)

    fits: bool
    meets_latency: bool
    reason: str | None = Field(description="Why the deployment cannot serve the load, when it cannot.")
    tp: int
    replicas: int
    gpus: int
    batch_per_replica: int = Field(description="Concurrent sequences per replica at the operating point.")
    requests_per_s_per_replica: float
    per_user_output_tokens_per_s: float | None
    ttft_ms: float | None
    utilization: float = Field(description="Peak load / capacity of the sized system.")


def size_for_load(
    d: Deployment,
    *,
    peak_requests_per_s: float,
    input_tokens: float,
    output_tokens: float,
    ttft_slo_ms: float | None = None,
    min_output_tokens_per_s: float | None = None,
    target_utilization: float = 0.7,
    tp: int | None = None,
) -> LoadSizing:
    """Replicas = ceil(peak rate / (rate per replica at the best feasible batch x target utilisation)).

    The batch is the largest (up to the KV-cache limit) whose per-user speed and
    time to first token meet the targets; throughput grows with the batch.
    Without ``tp``, every tensor-parallel degree from the smallest that fits up
    to 8 is tried and the one needing the fewest GPUs wins (ties: smaller tp),
    so more load or longer context never needs fewer GPUs.
    """
    if not 0 < target_utilization <= 1:
        raise InputFileError(f"target utilisation must be in (0, 1], got {target_utilization}")
    if peak_requests_per_s < 0 or not math.isfinite(peak_requests_per_s):
        raise InputFileError(f"peak load must be a finite number >= 0, got {peak_requests_per_s}")
    kwargs = {
        "peak_requests_per_s": peak_requests_per_s,
        "input_tokens": input_tokens,
        "output_tokens": output_tokens,
        "ttft_slo_ms": ttft_slo_ms,
        "min_output_tokens_per_s": min_output_tokens_per_s,
        "target_utilization": target_utilization,
    }
    if tp is not None:
        return _size_at_tp(d, tp=tp, **kwargs)  # type: ignore[arg-type]
    seq = input_tokens + output_tokens
    smallest = smallest_fitting_tp(d.model, d.accelerator, d.profile, d.precision, d.kv_precision, seq, max_tp=MAX_TP)
    if smallest is None:
        return _size_at_tp(d, tp=None, **kwargs)  # type: ignore[arg-type]
    options = [_size_at_tp(d, tp=t, **kwargs) for t in (1, 2, 4, 8) if smallest <= t <= MAX_TP]  # type: ignore[arg-type]
    serving = [o for o in options if o.meets_latency]
    if not serving:
        return options[0]
    return min(serving, key=lambda o: (o.gpus, o.tp))


def _size_at_tp(
    d: Deployment,
    *,
    tp: int | None,
    peak_requests_per_s: float,
    input_tokens: float,
    output_tokens: float,
    ttft_slo_ms: float | None,
    min_output_tokens_per_s: float | None,
    target_utilization: float,
) -> LoadSizing:
    seq = input_tokens + output_tokens
    tp_used = tp or smallest_fitting_tp(
        d.model, d.accelerator, d.profile, d.precision, d.kv_precision, seq, max_tp=MAX_TP
    )
    empty = {"tp": tp_used or 0, "replicas": 0, "gpus": 0, "batch_per_replica": 0, "requests_per_s_per_replica": 0.0}
    if tp_used is None:
        return LoadSizing(
            fits=False,
            meets_latency=False,
            reason=f"{d.model.id} does not fit on up to {MAX_TP} x {d.accelerator.id}",
            per_user_output_tokens_per_s=None,
            ttft_ms=None,
            utilization=0.0,
            **empty,
        )
    fit = memory_fit(d.model, d.accelerator, d.profile, d.precision, d.kv_precision, tp_used)
    max_b = max_batch_per_replica(fit, d.profile, input_tokens, output_tokens)
    if max_b == 0:
        return LoadSizing(
            fits=False,
            meets_latency=False,
            reason=f"one {seq:.0f}-token sequence does not fit beside the weights on {tp_used} GPU(s)",
            per_user_output_tokens_per_s=None,
            ttft_ms=None,
            utilization=0.0,
            **empty,
        )
    spec = replica_spec(d, tp_used)
    batches = np.arange(1, max_b + 1, dtype=np.float64)
    step = decode_step(spec, batches, input_tokens, output_tokens).step_s
    per_user = 1.0 / step
    ttft_ms = ttft_seconds(spec, batches, input_tokens, output_tokens) * 1000.0
    ok = np.ones_like(batches, dtype=bool)
    if min_output_tokens_per_s is not None:
        ok &= per_user >= min_output_tokens_per_s
    if ttft_slo_ms is not None:
        ok &= ~(ttft_ms > ttft_slo_ms)  # NaN (unknown) TTFT does not exclude; it is reported
    if not ok.any():
        why = []
        if min_output_tokens_per_s is not None and per_user[0] < min_output_tokens_per_s:
            why.append(f"{per_user[0]:.1f} tokens/s per user at batch 1 < {min_output_tokens_per_s:g} required")
        if ttft_slo_ms is not None and ttft_ms[0] > ttft_slo_ms:
            why.append(f"time to first token {ttft_ms[0]:.0f} ms at batch 1 > {ttft_slo_ms:g} ms target")
        return LoadSizing(
            fits=True,
            meets_latency=False,
            reason="misses the latency target: " + "; ".join(why),
            per_user_output_tokens_per_s=float(per_user[0]),
            ttft_ms=None if math.isnan(ttft_ms[0]) else float(ttft_ms[0]),
            utilization=0.0,
            **empty,
        )
    best = int(np.flatnonzero(ok)[-1])
    rps_per_replica = float(batches[best] / step[best] / output_tokens)
    replicas = max(1, math.ceil(peak_requests_per_s / (rps_per_replica * target_utilization)))
    return LoadSizing(
        fits=True,
        meets_latency=True,
        reason=None,
        tp=tp_used,
        replicas=replicas,
        gpus=replicas * tp_used,
        batch_per_replica=int(batches[best]),
        requests_per_s_per_replica=rps_per_replica,
        per_user_output_tokens_per_s=float(per_user[best]),
        ttft_ms=None if math.isnan(ttft_ms[best]) else float(ttft_ms[best]),
        utilization=peak_requests_per_s / (replicas * rps_per_replica),
    )
