"""Checking the capacity model against published measurements, and fitting engine factors to them.

``hardware/measurements.yaml`` holds measured points, each marked ``calibration``
(used to fit the engine profiles' efficiency factors) or ``holdout`` (used only
to check). :func:`prediction_errors` compares the model with every point;
:func:`fit_profile` fits an engine's factors for a group of accelerator classes
(coordinate descent with restarts over plausible ranges, held towards a prior);
:func:`leave_one_source_out` predicts every source's rows with factors fitted
without them, and :func:`prediction_intervals` turns those residuals into the
error bars by regime; :func:`calibrate_profile` fits one accelerator's profile
to a user's own runs (``llmdecide calibrate``).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields, replace

import numpy as np
from numpy.typing import ArrayLike, NDArray

from llmdecide import progress
from llmdecide.capacity.deployment import (
    Deployment,
    batch_for_kv,
    max_batch_per_replica,
    profile_for,
    replica_spec,
    resolve_deployment,
)
from llmdecide.capacity.intervals import batch_regime
from llmdecide.capacity.memory import device_memory_gb, kv_capacity_gb, memory_fit
from llmdecide.capacity.throughput import (
    ReplicaSpec,
    decode_steps,
    prefill_seconds,
    stack_specs,
    ttft_seconds,
)
from llmdecide.catalog.catalog import Catalog
from llmdecide.catalog.schema import EngineProfile, Measurement, PredictionInterval

METRICS = ("output_tokens_per_s", "per_user_output_tokens_per_s", "ttft_ms", "prefill_tokens_per_s")


@dataclass(frozen=True)
class PointError:
    """The model against one measured figure."""

    measurement: str
    split: str
    engine: str
    accelerator_class: str
    metric: str
    measured: float
    predicted: float

    @property
    def ratio(self) -> float:
        """Predicted / measured."""
        return self.predicted / self.measured

    @property
    def abs_pct_error(self) -> float:
        """|predicted - measured| / measured, in percent."""
        return abs(self.ratio - 1.0) * 100.0


def scored(m: Measurement, metric: str) -> bool:
    """Whether a figure of a measurement is one the model predicts and the fit uses.

    Not: a figure the entry does not give, one it excludes (``excluded_metrics``), or a time to first token
    or per-user speed measured offline (every request sent at once): the first measures the queue behind
    the whole batch, the second depends on the order in which a burst's prefills and decodes interleave;
    the model predicts neither, only steady-state figures. Nor a mean time to first token at several
    concurrent requests: it carries the opening burst's queue and cold requests (the median does not).
    """
    if getattr(m, metric) is None or metric in m.excluded_metrics:
        return False
    if metric == "ttft_ms" and m.ttft_statistic == "mean" and (m.concurrency or 0) > 1:
        return False
    return not (metric in ("ttft_ms", "per_user_output_tokens_per_s") and m.concurrency is None)


KV_FOLLOWS_CHECKPOINT = frozenset({"tensorrt-llm"})
"""Engines whose KV cache takes the checkpoint's quantisation when a run does not set it: TensorRT-LLM's
KvCacheConfig dtype 'auto' follows the checkpoint's kv_cache_quant_algo, which its FP8 recipes set to FP8
(described in TensorRT-LLM documentation PR #16240, open when read). vLLM's kv_cache_dtype 'auto' and
SGLang's default keep the model's 16-bit dtype whatever the weights (FP8 KV needs --kv-cache-dtype fp8; vLLM
and SGLang quantized KV-cache docs), and so do llama.cpp and MLX."""


def measured_kv_precision(m: Measurement) -> str | None:
    """The KV precision a measured run had: as recorded, else its engine's default for unset (16-bit, or the
    checkpoint's own where ``KV_FOLLOWS_CHECKPOINT``; None lets the deployment pick that)."""
    if m.kv_precision is not None:
        return m.kv_precision
    return None if m.engine in KV_FOLLOWS_CHECKPOINT else "bf16"


def _deployment(catalog: Catalog, m: Measurement, profile: EngineProfile | None) -> Deployment:
    d = resolve_deployment(
        catalog,
        m.model,
        m.accelerator,
        engine_id=m.engine,
        precision=m.precision,
        kv_precision=measured_kv_precision(m),
    )
    return d if profile is None else replace(d, profile=profile)


def _requested(m: Measurement) -> float:
    """Sequences per replica the measured run offered: its concurrency, the requests of an offline burst, or
    unlimited (an offline run that fills the engine)."""
    replicas = m.gpus // m.tp
    offered = m.concurrency if m.concurrency is not None else m.requests
    return math.inf if offered is None else offered / replicas


def _batch(d: Deployment, m: Measurement) -> float:
    """The batch a measured run ran at: what it offered, up to what the replica holds (at least one: a run
    the memory model says cannot fit still ran, and is predicted at batch 1)."""
    fit = memory_fit(
        d.model, d.accelerator, d.profile, d.precision, d.kv_precision, m.tp, m.input_tokens + m.output_tokens
    )
    limit = max_batch_per_replica(fit, m.input_tokens, m.output_tokens)
    return float(min(_requested(m), max(limit, 1)))


def _figures(
    spec: ReplicaSpec, replicas: ArrayLike, batch: ArrayLike, input_tokens: ArrayLike, output_tokens: ArrayLike
) -> dict[str, NDArray[np.float64]]:
    """The four figures a measurement can give, as the model predicts them (scalars or stacked arrays)."""
    b = np.asarray(batch, dtype=np.float64)
    n_in = np.asarray(input_tokens, dtype=np.float64)
    replica, user = decode_steps(spec, b, n_in, output_tokens)
    return {
        "output_tokens_per_s": np.asarray(replicas, dtype=np.float64) * b / replica.step_s,
        "per_user_output_tokens_per_s": 1.0 / user.step_s,
        "ttft_ms": ttft_seconds(spec, b, n_in, output_tokens) * 1000.0,
        "prefill_tokens_per_s": n_in / prefill_seconds(spec, n_in),
    }


def _predict_with_spec(spec: ReplicaSpec, m: Measurement, batch: float) -> dict[str, NDArray[np.float64]]:
    return _figures(spec, m.gpus // m.tp, batch, m.input_tokens, m.output_tokens)


def predict_measurement(catalog: Catalog, m: Measurement, profile: EngineProfile | None = None) -> dict[str, float]:
    """The model's figures for a measured setup (NaN where it cannot predict)."""
    d = _deployment(catalog, m, profile)
    spec = replica_spec(d, m.tp, served=m.harness == "served")
    return {k: float(v) for k, v in _predict_with_spec(spec, m, _batch(d, m)).items()}


def prediction_errors(catalog: Catalog, split: str | None = None) -> list[PointError]:
    """Every measured figure against the model, for one split or all."""
    out: list[PointError] = []
    for mid in sorted(catalog.measurements):
        m = catalog.measurements[mid].item
        if split is not None and m.split != split:
            continue
        d = _deployment(catalog, m, None)
        predicted = predict_measurement(catalog, m)
        for metric in METRICS:
            measured = getattr(m, metric)
            value = predicted[metric]
            if not scored(m, metric) or math.isnan(value):
                continue
            out.append(PointError(mid, m.split, m.engine, d.profile.accelerator_class.value, metric, measured, value))
    return out


@dataclass(frozen=True)
class ErrorSummary:
    """How far the model is from a set of measured figures."""

    points: int
    median_abs_pct: float
    worst_ratio: float
    """Largest of predicted/measured and measured/predicted (1 = exact)."""
    within_2x: int


def summarise(errors: list[PointError]) -> ErrorSummary:
    """Median absolute % error, the worst factor off, and how many are within 2x."""
    if not errors:
        return ErrorSummary(0, math.nan, math.nan, 0)
    pct = np.array([e.abs_pct_error for e in errors])
    factor = np.array([max(e.ratio, 1.0 / e.ratio) for e in errors])
    return ErrorSummary(len(errors), float(np.median(pct)), float(factor.max()), int((factor <= 2.0).sum()))


CLASS_GROUPS: tuple[tuple[str, ...], ...] = (("datacenter", "workstation", "consumer"), ("apple_silicon",))
"""Accelerator classes whose profiles of one engine share fitted factors: the same kernels run on
every discrete GPU, so their points are pooled; Apple silicon runs other kernels (Metal)."""


_GITHUB_BLOB = re.compile(r"^(https://github\.com/[^/]+/[^/]+)/blob/[^/]+/(.*)$")


def source_of(m: Measurement) -> str:
    """The source document a measurement comes from (its URL without a fragment, a GitHub file without the
    commit it was read at): rows of one document share a setup, a harness and its biases, so
    cross-validation holds them out together."""
    url = m.source.split("#", 1)[0]
    return _GITHUB_BLOB.sub(r"\1/\2", url)


ENGINE_GAP = 2.5
"""How many times slower than another engine on the same page a run may be before it is taken for a fallback
path (an engine build without kernels for that GPU or weight format, say) rather than the engine's speed."""


@dataclass(frozen=True)
class EngineGap:
    """A run far slower than another engine's run of the same setup in the same document."""

    slow: Measurement
    fast: Measurement
    times: float
    """How many times the fast run's output tokens/s per GPU the slow run's is below."""


def _same_setup(a: Measurement, b: Measurement) -> bool:
    def close(x: int, y: int) -> bool:
        return abs(x - y) <= 0.05 * max(x, y)

    return (
        (a.model, a.accelerator, a.precision, a.tp, a.concurrency)
        == (b.model, b.accelerator, b.precision, b.tp, b.concurrency)
        and close(a.input_tokens, b.input_tokens)
        and close(a.output_tokens, b.output_tokens)
    )


def engine_gaps(measurements: Sequence[Measurement]) -> list[EngineGap]:
    """The scored runs among ``measurements`` whose output tokens/s per GPU is more than ENGINE_GAP times below
    another engine's scored run in the same document: the same model, GPU, weight precision, tensor
    parallelism, concurrency and prompt and output lengths (within 5%). The capacity model predicts an engine
    that has kernels for the setup; a run several times slower than a second engine on the very same machine
    and prompts measured something else, so each such run belongs among the excluded figures, with its reason
    (a test holds the catalog to it)."""
    runs = [m for m in measurements if m.output_tokens_per_s is not None and scored(m, "output_tokens_per_s")]
    gaps = []
    for slow in runs:
        speed = slow.output_tokens_per_s / slow.gpus  # type: ignore[operator]
        rivals = [
            (fast.output_tokens_per_s / fast.gpus / speed, fast)  # type: ignore[operator]
            for fast in runs
            if fast.engine != slow.engine and source_of(fast) == source_of(slow) and _same_setup(fast, slow)
        ]
        if rivals:
            times, fast = max(rivals, key=lambda r: (r[0], r[1].id))
            if times > ENGINE_GAP:
                gaps.append(EngineGap(slow, fast, times))
    return sorted(gaps, key=lambda g: g.slow.id)


@dataclass(frozen=True)
class FitParameter:
    """One engine-profile factor the fit may move: its spec field, unit, candidates and prior scale."""

    spec_field: str
    to_spec: float
    """Multiply the profile value by this to get the spec value (ms -> s, us -> s)."""
    grid: NDArray[np.float64]
    ratio: bool
    """Distances from the prior are log ratios (efficiencies) or differences over ``scale`` (overheads)."""
    scale: float = 1.0


def _grid(start: float, stop: float, step: float) -> NDArray[np.float64]:
    return np.round(np.arange(start, stop + step / 2.0, step), 4)


FIT_PARAMETERS: dict[str, FitParameter] = {
    "bandwidth_efficiency": FitParameter("bandwidth_efficiency", 1.0, _grid(0.5, 0.95, 0.025), True),
    "kv_bandwidth_efficiency": FitParameter("kv_bandwidth_efficiency", 1.0, _grid(0.3, 0.95, 0.025), True),
    "decode_compute_efficiency": FitParameter("decode_compute_efficiency", 1.0, _grid(0.15, 0.9, 0.025), True),
    "prefill_compute_efficiency": FitParameter("prefill_compute_efficiency", 1.0, _grid(0.2, 0.9, 0.025), True),
    "moe_efficiency": FitParameter("moe_efficiency", 1.0, _grid(0.3, 1.0, 0.025), True),
    "moe_compute_efficiency": FitParameter("moe_compute_efficiency", 1.0, _grid(0.1, 1.0, 0.025), True),
    "rocm_efficiency": FitParameter("rocm_efficiency", 1.0, _grid(0.4, 1.0, 0.025), True),
    "low_precision_efficiency": FitParameter("low_precision_efficiency", 1.0, _grid(0.3, 1.0, 0.025), True),
    "step_overhead_ms": FitParameter("step_overhead_s", 1e-3, _grid(0.0, 12.0, 0.25), False, 2.0),
    "layer_overhead_us": FitParameter("layer_overhead_s", 1e-6, _grid(0.0, 150.0, 2.5), False, 20.0),
    "allreduce_latency_us": FitParameter("allreduce_s", 1e-6, _grid(2.5, 100.0, 2.5), False, 10.0),
    "request_overhead_ms": FitParameter("request_overhead_s", 1e-3, _grid(0.0, 300.0, 5.0), False, 30.0),
    "serving_token_overhead_us": FitParameter("serving_token_s", 1e-6, _grid(0.0, 500.0, 5.0), False, 20.0),
    "runtime_overhead_scale": FitParameter("", 1.0, _grid(0.5, 4.0, 0.25), True),
}
"""The factors every fit moves, with the values it tries (coordinate descent over these grids);
runtime_overhead_scale moves no spec field but the batch a run holds (``_stack_batch``). The grids are
the physically plausible ranges, not the mathematically possible ones: published decode kernels stream
weights at 60-90% of peak bandwidth and paged-attention kernels read the cache at well over 30%, so a fit
cannot trade a too-slow KV read against a too-fast prefill to match one table."""

GENERIC_START: dict[str, float] = {
    "bandwidth_efficiency": 0.8,
    "kv_bandwidth_efficiency": 0.5,
    "decode_compute_efficiency": 0.4,
    "prefill_compute_efficiency": 0.5,
    "moe_efficiency": 0.85,
    "moe_compute_efficiency": 0.7,
    "low_precision_efficiency": 0.7,
    "rocm_efficiency": 1.0,
    "step_overhead_ms": 1.0,
    "layer_overhead_us": 0.0,
    "allreduce_latency_us": 10.0,
    "request_overhead_ms": 0.0,
    "serving_token_overhead_us": 0.0,
    "runtime_overhead_scale": 1.0,
}
"""Where a fit without a prior starts: nothing fitted, round figures of the usual order."""

POOLED_ENGINES: dict[tuple[str, ...], tuple[str, ...]] = {
    ("datacenter", "workstation", "consumer"): ("vllm", "sglang", "tensorrt-llm"),
}
"""Engines whose points together give the prior each of them is fitted towards: the batching servers for
discrete GPUs share kernels (FlashAttention/FlashInfer, cuBLAS, CUTLASS) and mostly differ in overheads."""

PRIOR_ENGINE: dict[str, str] = {"mlx": "llama.cpp"}
"""Engines fitted towards another engine's fit (same hardware path, few measurements of their own)."""

PRIOR_WEIGHT = 3.0
"""How strongly a fit is held to its prior: the objective adds PRIOR_WEIGHT / figures x the summed distance,
so a handful of figures cannot drag factors far and many figures can. Chosen on the leave-one-source-out
figures (median error over 469 held-out figures: 15.9% at 2, 15.8% at 3, 15.9% at 4; under the earlier
median-based objective 19.5% at 1 and 18.3% at 5 against 17.5% at 3): the pooled engines' kernels generalise
to unseen sources better than each engine's own table does, and the weights either side of 3 are not clearly
worse."""

START_WEIGHT = 0.1
"""Without a prior, a much weaker pull towards the start, so a factor the points say nothing about (a
TP latency without multi-GPU points, a request overhead without time-to-first-token figures) stays where
it started instead of wherever a restart left it."""

ENGINE_OWN_FACTORS = frozenset({"request_overhead_ms"})
"""Factors an engine's fit holds only weakly (START_WEIGHT, towards GENERIC_START), never towards the pooled
prior: a request's fixed cost (HTTP, tokenising, scheduling) belongs to the serving stack, not to the kernels the
pooled engines share, and measured it differs several-fold between them (one publisher's Qwen3-8B on one H100 at
4 concurrent requests: about 30 ms to first token under SGLang, 64 ms under vLLM). Pulled towards the pool, an
engine with few time-to-first-token figures of its own took the pool's cost and over-predicted its own by 3x."""

SWEEPS = 5
"""Passes of coordinate descent over the parameters (stops early when a pass changes nothing)."""


def profile_factors(profile: EngineProfile) -> dict[str, float]:
    """The fitted factors of a profile, by parameter name."""
    return {name: float(getattr(profile, name)) for name in FIT_PARAMETERS}


def with_factors(profile: EngineProfile, factors: dict[str, float], calibrated_on: list[str]) -> EngineProfile:
    """The profile with fitted factors and the points they were fitted on."""
    return profile.model_copy(update={**factors, "calibrated_on": calibrated_on})


@dataclass(frozen=True)
class _Stack:
    """Every point of a fit evaluated at once: replica specs as (points, 1) arrays, figures as (points,)."""

    points: list[Measurement]
    spec: ReplicaSpec
    replicas: NDArray[np.float64]
    input_tokens: NDArray[np.float64]
    output_tokens: NDArray[np.float64]
    measured: dict[str, NDArray[np.float64]]
    weights: NDArray[np.float64]
    """Weight of each point: 1 / sqrt(rows of its source), so breadth of sources beats one long table."""
    memory: dict[str, NDArray[np.float64]]
    """Per point, (points, 1): what the batch it runs at depends on, so the runtime overhead can be fitted."""

    @property
    def figures(self) -> int:
        return int(sum(np.isfinite(v).sum() for v in self.measured.values()))


def _col(values: Sequence[float]) -> NDArray[np.float64]:
    """Values as a (points, 1) column, so they broadcast against (1, candidates) factors."""
    return np.asarray(values, dtype=np.float64)[:, None]


def _stack(catalog: Catalog, points: list[Measurement], base_of: Callable[[Measurement], EngineProfile]) -> _Stack:
    specs = []
    memory: dict[str, list[float]] = {k: [] for k in MEMORY_INPUTS}
    for m in points:
        d = _deployment(catalog, m, base_of(m))
        specs.append(replica_spec(d, m.tp, served=m.harness == "served"))
        for k, v in _memory_inputs(d, m).items():
            memory[k].append(v)
    stacked = stack_specs(specs)
    spec = ReplicaSpec(**{f.name: getattr(stacked, f.name)[:, None] for f in fields(ReplicaSpec)})
    measured = {
        metric: np.array([float(getattr(m, metric)) if scored(m, metric) else np.nan for m in points])
        for metric in METRICS
    }
    rows: dict[str, int] = {}
    for m in points:
        rows[source_of(m)] = rows.get(source_of(m), 0) + 1
    weights = np.array([1.0 / math.sqrt(rows[source_of(m)]) for m in points])
    return _Stack(
        points,
        spec,
        _col([m.gpus // m.tp for m in points]),
        _col([m.input_tokens for m in points]),
        _col([m.output_tokens for m in points]),
        measured,
        weights,
        {k: _col(v) for k, v in memory.items()},
    )


MEMORY_INPUTS = (
    "memory_gb",
    "fraction",
    "free_after_weights",
    "weights_gb",
    "tp",
    "overhead_gb",
    "sequence_gb",
    "average_sequence_gb",
    "limit",
    "requested",
)


def _memory_inputs(d: Deployment, m: Measurement) -> dict[str, float]:
    """The numbers the batch of a measured run follows from, overhead apart (``_batch`` for a fixed one)."""
    seq = m.input_tokens + m.output_tokens
    fit = memory_fit(d.model, d.accelerator, d.profile, d.precision, d.kv_precision, m.tp, seq)
    p = d.profile
    memory = device_memory_gb(d.accelerator)
    raised = fit.limit_raised
    return {
        "memory_gb": memory,
        "fraction": p.raised_memory_utilization if raised and p.raised_memory_utilization else p.memory_utilization,
        "free_after_weights": float(p.memory_utilization_of == "free_after_weights" and not raised),
        "weights_gb": fit.weights_gb,
        "tp": float(m.tp),
        "overhead_gb": p.runtime_overhead_gb,  # the scale is the candidate's
        "sequence_gb": fit.sequence_gb(seq),
        "average_sequence_gb": fit.sequence_gb(m.input_tokens + m.output_tokens / 2.0),
        "limit": float(fit.batch_limit),
        "requested": _requested(m),
    }


def _stack_batch(stack: _Stack, overhead_scale: NDArray[np.float64]) -> NDArray[np.float64]:
    """The batch of every point (rows) under each candidate runtime-overhead scale (columns)."""
    mem = stack.memory
    overhead = mem["overhead_gb"] * overhead_scale[None, :]  # the base overhead, before any fitted scale
    args = (mem["memory_gb"], mem["fraction"])
    rest = (overhead, mem["tp"], mem["weights_gb"])
    kv = np.where(
        mem["free_after_weights"] > 0,
        kv_capacity_gb(*args, "free_after_weights", *rest),
        kv_capacity_gb(*args, "total", *rest),
    )
    held = batch_for_kv(kv, mem["sequence_gb"], mem["average_sequence_gb"], mem["limit"])
    return np.minimum(mem["requested"], np.maximum(held, 1.0))


def _log_errors(
    stack: _Stack, factors: dict[str, NDArray[np.float64]]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """|log(predicted / measured)| of every figure (rows) under each candidate factor set (columns), and
    each row's weight. ``factors`` maps every FIT_PARAMETERS name to a (candidates,) array."""
    spec = replace(
        stack.spec,
        **{
            FIT_PARAMETERS[k].spec_field: (v * FIT_PARAMETERS[k].to_spec)[None, :]
            for k, v in factors.items()
            if FIT_PARAMETERS[k].spec_field
        },
    )
    batch = _stack_batch(stack, factors["runtime_overhead_scale"])
    predicted = _figures(spec, stack.replicas, batch, stack.input_tokens, stack.output_tokens)
    rows, weights = [], []
    for metric in METRICS:
        measured = stack.measured[metric]
        keep = np.isfinite(measured)
        if not keep.any():
            continue
        pred = np.broadcast_to(predicted[metric], (len(stack.points), len(next(iter(factors.values())))))[keep]
        with np.errstate(divide="ignore", invalid="ignore"):
            rows.append(np.abs(np.log(pred / measured[keep][:, None])))
        weights.append(stack.weights[keep])
    if not rows:
        return np.empty((0, 1)), np.empty(0)
    return np.vstack(rows), np.concatenate(weights)


ROBUST_SCALE = 0.3
"""Where a figure's pull on a robust fit starts to fade, as |log(predicted / measured)| (0.3: about 35%).
Chosen on the leave-one-source-out figures (median error over 469 held-out figures: 16.0% at 0.2, 15.8% at
0.3, 16.0% at 0.5; with another seed 15.8% at 0.3); the weighted median + a quarter of the mean it replaced
gave 17.8% and 18.2% on the same figures and seeds."""


def fit_objective(
    errors: NDArray[np.float64], weights: NDArray[np.float64], *, robust: bool = True
) -> NDArray[np.float64]:
    """What a fit minimises, per candidate column, over e = |log(predicted/measured)|: the weighted mean of
    c x log(1 + e / c), c = ROBUST_SCALE (``robust``: published figures, where one odd table should not drag
    the rest: the loss grows like e for small errors and only logarithmically for large ones; smooth, unlike
    a median, so that fits from different starts end alike), or the weighted mean of e (a user's own runs,
    every one of which should match).

    NaN errors (a figure the model cannot predict) count as a large miss, so a fit never trades them away.
    """
    e = np.where(np.isfinite(errors), errors, 10.0)
    if robust:
        e = ROBUST_SCALE * np.log1p(e / ROBUST_SCALE)
    return np.asarray((e * weights[:, None]).sum(axis=0) / weights.sum(), dtype=np.float64)


def _prior_distance(factors: dict[str, NDArray[np.float64]], prior: dict[str, float]) -> NDArray[np.float64]:
    total = np.zeros_like(next(iter(factors.values())))
    for name, values in factors.items():
        p = FIT_PARAMETERS[name]
        if p.ratio:
            total = total + np.abs(np.log(values / prior[name]))
        else:
            total = total + np.abs(values - prior[name]) / p.scale
    return total


FIT_PROGRESS = "Fitting the engine profile"
"""What the progress bar of a fit says (one step per starting point)."""
RESTARTS = 4
"""Extra starting points of each fit, drawn from the grids with a fixed seed (coordinate descent finds a local
minimum; the best of several is kept, and the given start is always one of them)."""


def _descend(
    score: Callable[[dict[str, NDArray[np.float64]]], NDArray[np.float64]], start: dict[str, float]
) -> tuple[dict[str, float], float]:
    current = dict(start)
    best = float(score({k: np.array([v]) for k, v in current.items()})[0])
    for _ in range(SWEEPS):
        moved = False
        for name, parameter in FIT_PARAMETERS.items():
            candidates = np.unique(np.append(parameter.grid, current[name]))
            trial = {k: np.full(len(candidates), v) for k, v in current.items()}
            trial[name] = candidates
            values = score(trial)
            i = int(np.nanargmin(values))
            if values[i] < best - 1e-9:
                best, current[name], moved = float(values[i]), float(candidates[i]), True
        if not moved:
            break
    return current, best


def _polish(
    score: Callable[[dict[str, NDArray[np.float64]]], NDArray[np.float64]],
    start: dict[str, float],
    best: float,
    rng: np.random.Generator,
    tries: int,
) -> tuple[dict[str, float], float]:
    """Random joint moves of a few factors by one grid step each, kept when they lower the objective: finds
    the way along the valleys where factors trade against each other (a per-step against a per-layer
    overhead), which moves of one factor at a time cannot. Candidates are scored in batches."""
    names = list(FIT_PARAMETERS)
    current = dict(start)
    batch = 64
    for _ in range(max(tries // batch, 1)):
        trial = {k: np.full(batch, v) for k, v in current.items()}
        for j in range(batch):
            for name in rng.choice(names, size=int(rng.integers(2, 5)), replace=False):
                grid = FIT_PARAMETERS[name].grid
                i = int(np.searchsorted(grid, current[name]))
                i = min(max(i + int(rng.choice([-1, 1])), 0), len(grid) - 1)
                trial[name][j] = grid[i]
        values = score(trial)
        i = int(np.nanargmin(values))
        if values[i] < best - 1e-12:
            best = float(values[i])
            current = {k: float(v[i]) for k, v in trial.items()}
    return current, best


def fit_factors(
    stack: _Stack,
    start: dict[str, float],
    prior: dict[str, float] | None = None,
    *,
    robust: bool = True,
    prior_weight: float = PRIOR_WEIGHT,
    restarts: int = RESTARTS,
    polish: int = 0,
    own: frozenset[str] = frozenset(),
) -> tuple[dict[str, float], float]:
    """Coordinate descent from ``start`` and from RESTARTS seeded random points: each pass tries every
    candidate of each factor in turn with the others held, keeping one only when it lowers the objective
    (plus the pull towards ``prior``; factors named in ``own`` are pulled only weakly, towards GENERIC_START,
    as ``ENGINE_OWN_FACTORS`` says). Returns the best factors and their objective, which never exceeds the
    start's."""
    figures = max(stack.figures, 1)

    def score(factors: dict[str, NDArray[np.float64]]) -> NDArray[np.float64]:
        errors, weights = _log_errors(stack, factors)
        if errors.shape[0] == 0:
            return np.zeros(len(next(iter(factors.values()))))
        value = fit_objective(errors, weights, robust=robust)
        if prior is None:
            return value + START_WEIGHT / figures * _prior_distance(factors, start)
        held = {k: v for k, v in factors.items() if k not in own}
        free = {k: v for k, v in factors.items() if k in own}
        pull = prior_weight * _prior_distance(held, prior)
        if free:
            pull = pull + START_WEIGHT * _prior_distance(free, GENERIC_START)
        return value + pull / figures

    rng = np.random.default_rng(0)
    starts = [dict(start)] + [
        {k: float(rng.choice(p.grid)) for k, p in FIT_PARAMETERS.items()} for _ in range(restarts)
    ]
    steps = len(starts) + (1 if polish else 0)
    progress.advance(FIT_PROGRESS, 0, steps)
    results = []
    for i, s in enumerate(starts):
        results.append(_descend(score, s))
        progress.advance(FIT_PROGRESS, i + 1, steps)
    factors, best = min(results, key=lambda r: r[1])
    if polish:
        factors, best = _polish(score, factors, best, rng, polish)
        factors, best = _descend(score, factors)
        progress.advance(FIT_PROGRESS, steps, steps)
    return factors, best


def _engine_points(
    catalog: Catalog,
    engines: tuple[str, ...],
    classes: tuple[str, ...],
    splits: tuple[str, ...],
    exclude_sources: frozenset[str],
) -> list[Measurement]:
    return [
        e.item
        for _, e in sorted(catalog.measurements.items())
        if e.item.split in splits
        and source_of(e.item) not in exclude_sources
        and e.item.engine in engines
        and catalog.accelerators[e.item.accelerator].item.accelerator_class.value in classes
        and any(scored(e.item, k) for k in METRICS)
    ]


def _profile_lookup(catalog: Catalog, classes: tuple[str, ...]) -> Callable[[Measurement], EngineProfile]:
    """Each point's own engine profile (its memory rules, precisions and batch limits stay the engine's)."""

    def base_of(m: Measurement) -> EngineProfile:
        profile = profile_for(catalog.engines[m.engine].item, catalog.accelerators[m.accelerator].item)
        assert profile is not None
        return profile

    return base_of


def _prior(
    catalog: Catalog,
    engine_id: str,
    classes: tuple[str, ...],
    splits: tuple[str, ...],
    exclude_sources: frozenset[str],
) -> dict[str, float] | None:
    """The factors an engine is fitted towards: the pooled fit of its group, or another engine's fit."""
    pool = POOLED_ENGINES.get(classes, ())
    if engine_id in pool:
        points = _engine_points(catalog, pool, classes, splits, exclude_sources)
        if not points:
            return None
        return fit_factors(_stack(catalog, points, _profile_lookup(catalog, classes)), GENERIC_START)[0]
    if engine_id in PRIOR_ENGINE:
        other = fit_profile(catalog, PRIOR_ENGINE[engine_id], classes, splits=splits, exclude_sources=exclude_sources)
        return None if other is None else profile_factors(next(iter(other[0].values())))
    return None


def fit_profile(
    catalog: Catalog,
    engine_id: str,
    accelerator_classes: tuple[str, ...],
    *,
    splits: tuple[str, ...] = ("calibration",),
    exclude_sources: frozenset[str] = frozenset(),
) -> tuple[dict[str, EngineProfile], ErrorSummary] | None:
    """Fit one set of engine factors for a group of accelerator classes on the engine's measurements in
    ``splits`` (less those from ``exclude_sources``), held towards the engine's prior (``_prior``).

    Returns the fitted profile of each class in the group that the engine has, and the error on the fitted
    points. An engine with no points of its own gets its prior, fitted on nothing of its own (empty
    ``calibrated_on``); None when there is neither.
    """
    engine = catalog.engine(engine_id).item
    bases: dict[str, EngineProfile] = {
        p.accelerator_class.value: p
        for p in engine.profiles
        if p.accelerator_class.value in accelerator_classes and not p.accelerators
    }
    if not bases:
        return None
    points = _engine_points(catalog, (engine_id,), accelerator_classes, splits, exclude_sources)
    prior = _prior(catalog, engine_id, accelerator_classes, splits, exclude_sources)
    if points:
        stack = _stack(catalog, points, _profile_lookup(catalog, accelerator_classes))
        own = ENGINE_OWN_FACTORS if engine_id in POOLED_ENGINES.get(accelerator_classes, ()) else frozenset()
        factors, _ = fit_factors(stack, prior or GENERIC_START, prior, own=own)
    elif prior is not None:
        factors = prior
    else:
        return None
    fitted = {cls: with_factors(base, factors, sorted(m.id for m in points)) for cls, base in bases.items()}
    errs = []
    for m in points:
        cls = catalog.accelerators[m.accelerator].item.accelerator_class.value
        pred = predict_measurement(catalog, m, fitted[cls])
        for metric in METRICS:
            measured = getattr(m, metric)
            if scored(m, metric) and not math.isnan(pred[metric]):
                errs.append(PointError(m.id, m.split, engine_id, cls, metric, measured, pred[metric]))
    return fitted, summarise(errs)


@dataclass(frozen=True)
class HeldOutError:
    """One measured figure predicted by factors fitted without any row of its source document."""

    error: PointError
    source: str
    moe: bool
    multi_gpu: bool
    regime: str
    """'batch 1', 'mid concurrency', 'saturation' (offline or at the replica's limit) or 'prefill'."""


def regime_of(catalog: Catalog, m: Measurement, metric: str, profile: EngineProfile | None = None) -> str:
    """Which operating regime a measured figure belongs to: 'prefill' for prompt figures, else the batch
    regime of the batch the run ran at against what the replica holds (``intervals.batch_regime``) under
    ``profile`` (the catalog's when None)."""
    if metric in ("ttft_ms", "prefill_tokens_per_s"):
        return "prefill"
    d = _deployment(catalog, m, profile)
    fit = memory_fit(
        d.model, d.accelerator, d.profile, d.precision, d.kv_precision, m.tp, m.input_tokens + m.output_tokens
    )
    limit = max(max_batch_per_replica(fit, m.input_tokens, m.output_tokens), 1)
    return batch_regime(_batch(d, m), limit)


def publisher_of(m: Measurement) -> str:
    """Who published a measurement: a GitHub repository, or a web site. One publisher's documents share a
    harness and its habits, so holding out by publisher is the stricter test."""
    url = source_of(m)
    found = re.match(r"^https://github\.com/[^/]+/[^/]+", url) or re.match(r"^https?://[^/]+", url)
    return found[0] if found else url


def leave_one_source_out(
    catalog: Catalog, group_of: Callable[[Measurement], str] = source_of
) -> tuple[list[HeldOutError], list[str]]:
    """Every measured figure predicted with engine factors fitted on the other source documents only (both
    splits), and the sources that could not be held out (their engine has no other source to fit on).

    ``group_of`` says what is held out together: each source document (the default), or each publisher
    (``publisher_of``), all of whose documents are then left out of the fit."""
    points = [e.item for e in catalog.measurements.values()]
    out: list[HeldOutError] = []
    skipped: list[str] = []
    for key in sorted({group_of(m) for m in points}):
        held = [m for m in points if group_of(m) == key]
        source = key
        documents = frozenset(source_of(m) for m in held)
        for engine in sorted({m.engine for m in held}):
            for group in CLASS_GROUPS:
                rows = [
                    m
                    for m in held
                    if m.engine == engine and catalog.accelerators[m.accelerator].item.accelerator_class.value in group
                ]
                if not rows:
                    continue
                fitted = fit_profile(
                    catalog, engine, group, splits=("calibration", "holdout"), exclude_sources=documents
                )
                if fitted is None:
                    skipped.append(f"{engine} on {'+'.join(group)}: {source}")
                    continue
                for m in rows:
                    cls = catalog.accelerators[m.accelerator].item.accelerator_class.value
                    if cls not in fitted[0]:
                        continue
                    predicted = predict_measurement(catalog, m, fitted[0][cls])
                    moe = bool(catalog.open_models[m.model].item.experts)
                    for metric in METRICS:
                        measured = getattr(m, metric)
                        value = predicted[metric]
                        if not scored(m, metric) or math.isnan(value):
                            continue
                        err = PointError(m.id, m.split, engine, cls, metric, measured, value)
                        regime = regime_of(catalog, m, metric, fitted[0][cls])
                        out.append(HeldOutError(err, source, moe, m.tp > 1, regime))
    return out, skipped


def speed_ratio(e: PointError) -> float:
    """Measured / predicted speed of a figure (for a time to first token, predicted / measured time)."""
    return e.predicted / e.measured if e.metric == "ttft_ms" else e.measured / e.predicted


INTERVAL_COVERAGE = 0.8
"""Share of held-out figures each regime's interval covers (its 10th to 90th percentile)."""


def regime_groups(held: list[HeldOutError]) -> dict[str, list[HeldOutError]]:
    """Held-out figures by regime: the four batch regimes, then mixture-of-experts and multi-GPU figures."""
    groups: dict[str, list[HeldOutError]] = {}
    for h in held:
        groups.setdefault(h.regime, []).append(h)
        if h.moe:
            groups.setdefault("mixture of experts", []).append(h)
        if h.multi_gpu:
            groups.setdefault("multi-GPU", []).append(h)
    return groups


def prediction_intervals(held: list[HeldOutError]) -> list[PredictionInterval]:
    """Each regime's interval of measured / predicted speed over its held-out figures (INTERVAL_COVERAGE)."""
    tail = (1.0 - INTERVAL_COVERAGE) / 2.0
    out = []
    for regime, rows in sorted(regime_groups(held).items()):
        ratios = np.array([speed_ratio(h.error) for h in rows])
        low, median, high = np.quantile(ratios, [tail, 0.5, 1.0 - tail])
        out.append(
            PredictionInterval(
                regime=regime,
                low=round(float(min(low, 1.0)), 3),
                high=round(float(max(high, 1.0)), 3),
                median=round(float(median), 3),
                coverage=INTERVAL_COVERAGE,
                figures=len(rows),
                sources=len({h.source for h in rows}),
            )
        )
    return out


@dataclass(frozen=True)
class HeldOutRow:
    """One line of the leave-one-source-out table."""

    group: str
    """'all', or 'engine: vllm', 'regime: batch 1', 'model: dense', 'GPUs: one' and so on."""
    figures: int
    median_abs_pct: float
    within_2x: float
    """Share of figures within a factor of 2."""
    bias: float
    """Median predicted / measured speed (above 1: optimistic)."""
    sources: int


def held_out_table(held: list[HeldOutError]) -> list[HeldOutRow]:
    """The leave-one-source-out figures overall and by engine, regime, dense or MoE, one or several GPUs."""
    groups: list[tuple[str, list[HeldOutError]]] = [("all", held)]
    keys: tuple[tuple[str, Callable[[HeldOutError], str]], ...] = (
        ("engine", lambda h: h.error.engine),
        ("regime", lambda h: h.regime),
        ("model", lambda h: "mixture of experts" if h.moe else "dense"),
        ("GPUs", lambda h: "several (tensor parallel)" if h.multi_gpu else "one"),
    )
    for title, key in keys:
        groups += [(f"{title}: {v}", [h for h in held if key(h) == v]) for v in sorted({key(h) for h in held})]
    rows = []
    for label, members in groups:
        errors = [h.error for h in members]
        summary = summarise(errors)
        rows.append(
            HeldOutRow(
                label,
                summary.points,
                summary.median_abs_pct,
                summary.within_2x / summary.points if summary.points else math.nan,
                bias(errors),
                len({h.source for h in members}),
            )
        )
    return rows


def interval_coverage(held: list[HeldOutError], intervals: list[PredictionInterval]) -> dict[str, float]:
    """Share of each regime's held-out figures whose measured / predicted speed lies within its interval."""
    by_regime = {i.regime: i for i in intervals}
    out = {}
    for regime, rows in sorted(regime_groups(held).items()):
        interval = by_regime.get(regime)  # type: ignore[call-overload]
        if interval is None:
            continue
        inside = [interval.low <= speed_ratio(h.error) <= interval.high for h in rows]
        out[regime] = sum(inside) / len(inside)
    return out


def bias(errors: list[PointError]) -> float:
    """Median predicted / measured (1 = unbiased; above 1 the model is optimistic about speed)."""
    ratios = [e.ratio if e.metric != "ttft_ms" else 1.0 / e.ratio for e in errors]
    return float(np.median(ratios)) if ratios else math.nan


# ---------------------------------------------------------------- calibrating on the user's own runs


USER_PRIOR_WEIGHT = 0.01
"""The pull towards the catalog's profile when fitting a user's own runs: weaker than between published
sources (PRIOR_WEIGHT), since the runs measure the very setup the profile is for."""


USER_RESTARTS = 32
"""Starting points of a fit on a user's runs: few points, so many starts cost little and find a better fit."""
USER_POLISH = 16384
"""Joint random moves tried after the restarts on a user's runs (``_polish``)."""


@dataclass(frozen=True)
class Calibration:
    """An engine profile fitted on one accelerator's own benchmark runs, and what it changed."""

    engine: str
    accelerator: str
    profile: EngineProfile
    """The fitted profile, limited to the accelerator (``EngineProfile.accelerators``)."""
    before: ErrorSummary
    """The catalog profile's error on the runs."""
    after: ErrorSummary
    objective_before: float
    """The fit objective (``fit_objective``) of the catalog profile on the runs."""
    objective_after: float
    """The same for the fitted profile; never above ``objective_before``."""
    errors_before: list[PointError]
    errors_after: list[PointError]


def _errors(catalog: Catalog, points: list[Measurement], profile: EngineProfile) -> list[PointError]:
    out = []
    for m in points:
        pred = predict_measurement(catalog, m, profile)
        for metric in METRICS:
            if scored(m, metric) and not math.isnan(pred[metric]):
                value = float(getattr(m, metric))
                out.append(
                    PointError(m.id, m.split, m.engine, profile.accelerator_class.value, metric, value, pred[metric])
                )
    return out


def calibrate_profile(catalog: Catalog, points: list[Measurement], *, source: str, checked: dt.date) -> Calibration:
    """Fit the engine factors of one accelerator on measured runs of it (one engine, one accelerator).

    The fit starts from the catalog's profile for that accelerator and is held towards it (USER_PRIOR_WEIGHT), so
    a few runs move only the factors they measure; it minimises the mean error (every run of one's own setup
    should match); the memory rules, batch limits and precisions stay the
    engine's. The result never fits the runs worse than the catalog's profile does (``fit_factors``).
    """
    from llmdecide.errors import InputFileError

    if not points:
        raise InputFileError("no measured runs to calibrate on")
    engines = sorted({m.engine for m in points})
    accelerators = sorted({m.accelerator for m in points})
    if len(engines) > 1 or len(accelerators) > 1:
        raise InputFileError(
            f"one calibration is for one engine on one accelerator; these runs are of {', '.join(engines)} on "
            f"{', '.join(accelerators)}"
        )
    accelerator = catalog.accelerators[accelerators[0]].item
    engine = catalog.engines[engines[0]].item
    base = profile_for(engine, accelerator)
    if base is None:
        raise InputFileError(f"{engine.id} has no profile for {accelerator.accelerator_class.value} accelerators")
    stack = _stack(catalog, points, lambda m: base)
    if stack.figures == 0:
        raise InputFileError("the runs have no figure the capacity model predicts (steady-state speed or prefill)")
    start = profile_factors(base)
    errors, weights = _log_errors(stack, {k: np.array([v]) for k, v in start.items()})
    objective_before = float(fit_objective(errors, weights, robust=False)[0])
    factors, _ = fit_factors(
        stack, start, start, robust=False, prior_weight=USER_PRIOR_WEIGHT, restarts=USER_RESTARTS, polish=USER_POLISH
    )
    errors, weights = _log_errors(stack, {k: np.array([v]) for k, v in factors.items()})
    objective_after = float(fit_objective(errors, weights, robust=False)[0])
    fitted = with_factors(base, factors, []).model_copy(
        update={
            "accelerators": [accelerator.id],
            "source": source,
            "checked": checked,
            "observed": checked,
            "source_kind": None,
            "note": f"Fitted by llmdecide calibrate on {len(points)} measured runs of {accelerator.id} "
            f"({stack.figures} figures), starting from and held towards the catalog's {engine.id} "
            f"{base.accelerator_class.value} profile.",
        }
    )
    before, after = _errors(catalog, points, base), _errors(catalog, points, fitted)
    return Calibration(
        engine.id,
        accelerator.id,
        fitted,
        summarise(before),
        summarise(after),
        objective_before,
        objective_after,
        before,
        after,
    )
