"""The ``capacity`` question: how one model runs on one accelerator, at a chosen size and batch.

:func:`plan_capacity` says whether it fits, with what tensor parallelism, how
fast per user and in total, and what bounds it. Sizing a fleet for a load is
``sizing.py``'s job.
"""

from __future__ import annotations

import math
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from llmdecide.capacity.attention import rope_scaling_note
from llmdecide.capacity.deployment import (
    MAX_TP,
    PARAMETER_NAMES,
    CapacityError,
    Deployment,
    InputNames,
    max_batch_per_replica,
    memory_limit_note,
    replica_spec,
    resolve_deployment,
)
from llmdecide.capacity.intervals import batch_regime, speed_interval
from llmdecide.capacity.memory import memory_fit, smallest_fitting_tp
from llmdecide.capacity.throughput import decode_steps, prefill_seconds, ttft_seconds
from llmdecide.catalog.catalog import Catalog

Bound = Literal["memory-bandwidth", "compute", "kv-capacity"]

ABSURD_TOKENS = 10_000_000
ABSURD_GPUS = 100_000


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
    layer_overhead_us: float
    request_overhead_ms: float
    allreduce_latency_us: float
    memory_utilization: float
    memory_utilization_of: str
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
    speed_interval: list[float] | None = Field(
        default=None,
        description="Measured / predicted speed the capacity model's error bars allow at this point: [low, high] "
        "(10th and 90th percentiles of leave-one-source-out residuals in its regimes); None when the catalog "
        "has none.",
    )
    interval_regimes: list[str] = Field(default_factory=list, description="Regimes whose intervals were joined.")
    ttft_interval: list[float] | None = Field(
        default=None, description="The same for the time to first token (the prefill regime): [low, high] speed."
    )
    efficiency: EfficiencyUsed
    warnings: list[str] = Field(default_factory=list)


def _check_counts(
    input_tokens: int, output_tokens: int, gpus: int | None, tp: int | None, concurrency: int | None, n: InputNames
) -> None:
    for name, value, limit in (
        (n.input_tokens, input_tokens, ABSURD_TOKENS),
        (n.output_tokens, output_tokens, ABSURD_TOKENS),
        (n.gpus, gpus, ABSURD_GPUS),
        (n.tp, tp, None),
        (n.concurrency, concurrency, 10_000_000),
    ):
        if value is None:
            continue
        if value < 1:
            raise CapacityError(f"{name}: must be at least 1, got {value}")
        if limit is not None and value > limit:
            raise CapacityError(f"{name}: {value} is absurdly large (the limit is {limit:,})")
    if tp is not None and tp > MAX_TP:
        raise CapacityError(
            f"{n.tp}: at most {MAX_TP} GPUs per replica (one node; pipeline parallelism is not modelled), got {tp}"
        )
    if tp is not None and tp & (tp - 1):
        raise CapacityError(f"{n.tp}: tensor parallelism must be a power of two, got {tp}")
    if gpus is not None and tp is not None and gpus % tp:
        raise CapacityError(f"{n.gpus}: {gpus} GPUs cannot be split into replicas of {n.tp} {tp}")


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
        layer_overhead_us=p.layer_overhead_us,
        request_overhead_ms=p.request_overhead_ms,
        allreduce_latency_us=p.allreduce_latency_us,
        memory_utilization=p.memory_utilization,
        memory_utilization_of=p.memory_utilization_of,
        runtime_overhead_gb=p.overhead_gb,
        max_batch=p.max_batch_for(d.accelerator),
        source=p.source,
    )


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
    names: InputNames = PARAMETER_NAMES,
) -> CapacityResult:
    """How ``model_id`` runs on ``accelerator_id`` (see ``llmdecide capacity --help`` for the rules).

    ``names`` is how errors name each input (the CLI passes its flags).
    """
    _check_counts(input_tokens, output_tokens, gpus, tp, concurrency, names)
    d = resolve_deployment(
        catalog,
        model_id,
        accelerator_id,
        engine_id=engine_id,
        precision=precision,
        kv_precision=kv_precision,
        names=names,
    )
    seq = input_tokens + output_tokens
    warnings: list[str] = []
    m = d.model
    rope = rope_scaling_note(m, seq)
    if rope is not None:
        warnings.append(rope)
    if seq > m.max_context_tokens:
        warnings.append(f"a {seq:,.0f}-token sequence is beyond {m.id}'s {m.max_context_tokens:,}-token context")
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
    fit = memory_fit(d.model, d.accelerator, d.profile, d.precision, d.kv_precision, tp_used, seq)
    per_replica_max = max_batch_per_replica(fit, input_tokens, output_tokens)
    kv_seq = fit.sequence_gb(seq) - fit.state_gb_per_sequence
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
        "kv_cache_gb_per_sequence": kv_seq + fit.state_gb_per_sequence,
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
    step, user = decode_steps(spec, per_replica, input_tokens, output_tokens)
    step_s = float(step.step_s)
    ttft = float(ttft_seconds(spec, per_replica, input_tokens, output_tokens))
    prefill = float(prefill_seconds(spec, input_tokens))
    kv_limited = per_replica_max < fit.batch_limit
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
    if fit.limit_raised:
        warnings.append(memory_limit_note(f"{d.model.id} on {d.accelerator.id}", d))
    moe, multi = bool(d.model.experts), tp_used > 1
    interval = speed_interval(d.intervals, batch_regime(per_replica, per_replica_max), moe=moe, multi_gpu=multi)
    prefill_interval = speed_interval(d.intervals, "prefill", moe=moe, multi_gpu=multi)
    per_user = 1.0 / float(user.step_s)
    system = per_replica * replicas / step_s
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
        speed_interval=[interval.low, interval.high] if interval.known else None,
        interval_regimes=list(interval.regimes),
        ttft_interval=[prefill_interval.low, prefill_interval.high] if prefill_interval.known else None,
        warnings=warnings,
    )
