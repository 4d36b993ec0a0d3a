"""Checking the capacity model against published measurements, and fitting engine factors to them.

``hardware/measurements.yaml`` holds measured points, each marked ``calibration``
(used to fit the engine profiles' efficiency factors) or ``holdout`` (used only
to check). :func:`prediction_errors` compares the model with every point;
:func:`fit_profile` grid-searches the factors that minimise the median
absolute log error on an engine's calibration points for one accelerator class.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import NDArray

from llmdecide.capacity.deployment import Deployment, max_batch_per_replica, replica_spec, resolve_deployment
from llmdecide.capacity.memory import memory_fit
from llmdecide.capacity.throughput import ReplicaSpec, decode_step, prefill_seconds, ttft_seconds
from llmdecide.catalog.catalog import Catalog
from llmdecide.catalog.schema import EngineProfile, Measurement

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


def _deployment(catalog: Catalog, m: Measurement, profile: EngineProfile | None) -> Deployment:
    d = resolve_deployment(
        catalog, m.model, m.accelerator, engine_id=m.engine, precision=m.precision, kv_precision=m.kv_precision
    )
    return d if profile is None else replace(d, profile=profile)


def _batch(d: Deployment, m: Measurement) -> float:
    replicas = m.gpus // m.tp
    fit = memory_fit(d.model, d.accelerator, d.profile, d.precision, d.kv_precision, m.tp)
    limit = max_batch_per_replica(fit, d.profile, m.input_tokens, m.output_tokens)
    if m.concurrency is None:
        return float(limit)
    return float(min(m.concurrency / replicas, max(limit, 1)))


def _predict_with_spec(spec: ReplicaSpec, m: Measurement, batch: float) -> dict[str, NDArray[np.float64]]:
    replicas = m.gpus // m.tp
    step = decode_step(spec, batch, m.input_tokens, m.output_tokens).step_s
    return {
        "output_tokens_per_s": replicas * batch / step,
        "per_user_output_tokens_per_s": 1.0 / step,
        "ttft_ms": ttft_seconds(spec, batch, m.input_tokens, m.output_tokens) * 1000.0,
        "prefill_tokens_per_s": m.input_tokens / prefill_seconds(spec, m.input_tokens),
    }


def predict_measurement(catalog: Catalog, m: Measurement, profile: EngineProfile | None = None) -> dict[str, float]:
    """The model's figures for a measured setup (NaN where it cannot predict)."""
    d = _deployment(catalog, m, profile)
    spec = replica_spec(d, m.tp)
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
            if measured is None or math.isnan(value) or metric in m.excluded_metrics:
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


GRID = {
    "bandwidth_efficiency": np.round(np.arange(0.60, 0.96, 0.05), 2),
    "kv_bandwidth_efficiency": np.round(np.arange(0.30, 0.91, 0.10), 2),
    "decode_compute_efficiency": np.round(np.arange(0.10, 0.91, 0.10), 2),
    "prefill_compute_efficiency": np.round(np.arange(0.10, 0.91, 0.10), 2),
    "step_overhead_ms": np.array([0.0, 1.0, 2.0, 3.0, 4.0, 6.0, 8.0]),
    "allreduce_latency_us": np.array([5.0, 10.0, 20.0, 40.0, 80.0]),
    "tp_scaling": np.array([1.0, 0.95, 0.9, 0.85, 0.8, 0.75, 0.7]),
}
"""Values the fit tries for each factor."""

MIN_FIGURES_FOR_FULL_FIT = 8
"""Below this many calibration figures an engine gets one efficiency scale on top of a reference engine."""

REFERENCE_ENGINE: dict[tuple[str, ...], str] = {
    ("datacenter", "workstation", "consumer"): "tensorrt-llm",
    ("apple_silicon",): "llama.cpp",
}
"""The best-measured engine of each class group, whose factors sparsely measured engines are scaled from."""

ENGINE_SCALE_GRID = np.round(np.arange(0.5, 1.31, 0.05), 2)
"""Scales tried on the reference engine's efficiencies."""

MOE_GRID = np.round(np.arange(0.2, 1.01, 0.05), 2)
"""Values the fit tries for the mixture-of-experts factor."""


def _log_errors(
    catalog: Catalog,
    points: list[Measurement],
    base_of: Callable[[Measurement], EngineProfile],
    factors: NDArray[np.float64],
) -> NDArray[np.float64]:
    """|log(predicted / measured)| for every figure of every point (rows) under each factor set (columns).

    ``factors`` columns: weight bandwidth, KV bandwidth, decode compute, prefill compute efficiency,
    step overhead (ms), all-reduce latency (us), MoE factor.
    """
    rows: list[NDArray[np.float64]] = []
    for m in points:
        d = _deployment(catalog, m, base_of(m))
        spec = replica_spec(d, m.tp)
        moe = factors[:, 7] if d.model.experts else 1.0
        scale = factors[:, 6] ** np.log2(m.tp)
        spec = replace(
            spec,
            bandwidth_efficiency=factors[:, 0] * moe * scale,
            kv_bandwidth_efficiency=factors[:, 1] * scale,
            decode_compute_efficiency=factors[:, 2] * moe * scale,
            prefill_compute_efficiency=factors[:, 3] * moe * scale,
            step_overhead_s=factors[:, 4] / 1000.0,
            allreduce_s=factors[:, 5] / 1e6,
        )
        predicted = _predict_with_spec(spec, m, _batch(d, m))
        for metric in METRICS:
            measured = getattr(m, metric)
            if measured is None or metric in m.excluded_metrics:
                continue
            values = np.broadcast_to(predicted[metric], (len(factors),))
            if np.isnan(values).all():
                continue
            rows.append(np.abs(np.log(values / measured)))
    return np.vstack(rows) if rows else np.empty((0, len(factors)))


def _best(errors: NDArray[np.float64]) -> int:
    score = np.nanmedian(errors, axis=0) + 0.25 * np.nanmean(errors, axis=0)
    return int(np.nanargmin(score))


CLASS_GROUPS: tuple[tuple[str, ...], ...] = (("datacenter", "workstation", "consumer"), ("apple_silicon",))
"""Accelerator classes whose profiles of one engine share fitted factors: the same kernels run on
every discrete GPU, so their points are pooled; Apple silicon runs other kernels (Metal)."""


def source_of(m: Measurement) -> str:
    """The source document a measurement comes from (its URL without a fragment): rows of one document share
    a setup, a harness and its biases, so cross-validation holds them out together."""
    return m.source.split("#", 1)[0]


def fit_profile(
    catalog: Catalog,
    engine_id: str,
    accelerator_classes: tuple[str, ...],
    *,
    splits: tuple[str, ...] = ("calibration",),
    exclude_sources: frozenset[str] = frozenset(),
) -> tuple[dict[str, EngineProfile], ErrorSummary] | None:
    """Grid-search one set of engine factors for a group of classes, minimising median + mean/4 of |log error|.

    Dense-model points fit the bandwidth, compute and overhead factors; then
    mixture-of-experts points fit the MoE factor with those held. The points are
    the engine's measurements in ``splits``, less those from ``exclude_sources``.
    Returns the fitted profile of each class in the group that the engine has,
    and the error on the fitted points; None when there are no points.
    """
    engine = catalog.engine(engine_id).item
    bases: dict[str, EngineProfile] = {
        p.accelerator_class.value: p for p in engine.profiles if p.accelerator_class.value in accelerator_classes
    }
    if not bases:
        return None
    points = [
        e.item
        for e in catalog.measurements.values()
        if e.item.split in splits
        and source_of(e.item) not in exclude_sources
        and e.item.engine == engine_id
        and catalog.accelerators[e.item.accelerator].item.accelerator_class.value in bases
        and any(getattr(e.item, k) is not None and k not in e.item.excluded_metrics for k in METRICS)
    ]
    if not points:
        return None

    def base_of(m: Measurement) -> EngineProfile:
        return bases[catalog.accelerators[m.accelerator].item.accelerator_class.value]

    dense = [m for m in points if not catalog.open_models[m.model].item.experts]
    moe_points = [m for m in points if catalog.open_models[m.model].item.experts]
    reference = REFERENCE_ENGINE.get(accelerator_classes)
    figures = sum(1 for m in points for k in METRICS if getattr(m, k) is not None and k not in m.excluded_metrics)
    if figures < MIN_FIGURES_FOR_FULL_FIT and reference is not None and reference != engine_id:
        # Too few points to fit every factor: scale the reference engine's fitted
        # efficiencies by one factor and fit the step overhead alone.
        ref = fit_profile(catalog, reference, accelerator_classes, splits=splits, exclude_sources=exclude_sources)
        if ref is None:
            return None
        r = next(iter(ref[0].values()))
        ref_vector = np.array(
            [
                r.bandwidth_efficiency,
                r.kv_bandwidth_efficiency,
                r.decode_compute_efficiency,
                r.prefill_compute_efficiency,
                0.0,
                r.allreduce_latency_us,
                r.tp_scaling,
                r.moe_efficiency,
            ]
        )
        combos = []
        for scale, overhead in itertools.product(ENGINE_SCALE_GRID, GRID["step_overhead_ms"]):
            v = ref_vector.copy()
            v[:4] = np.minimum(v[:4] * scale, 1.0)
            v[4] = overhead
            combos.append(v)
        grid = np.array(combos, dtype=np.float64)
        errors = _log_errors(catalog, points, base_of, grid)
        if errors.shape[0] == 0:
            return None
        best = grid[_best(errors)].copy()
        moe_points = []
        dense = points
    else:
        grid = np.array(list(itertools.product(*GRID.values(), [1.0])), dtype=np.float64)
        errors = _log_errors(catalog, dense or points, base_of, grid)
        if errors.shape[0] == 0:
            return None
        best = grid[_best(errors)].copy()
    if moe_points and dense:
        moe_grid = np.repeat(best[None, :], len(MOE_GRID), axis=0)
        moe_grid[:, 7] = MOE_GRID
        moe_errors = _log_errors(catalog, moe_points, base_of, moe_grid)
        if moe_errors.shape[0]:
            best[7] = MOE_GRID[_best(moe_errors)]
    fitted = {
        cls: base.model_copy(
            update={
                "bandwidth_efficiency": float(best[0]),
                "kv_bandwidth_efficiency": float(best[1]),
                "decode_compute_efficiency": float(best[2]),
                "prefill_compute_efficiency": float(best[3]),
                "step_overhead_ms": float(best[4]),
                "allreduce_latency_us": float(best[5]),
                "tp_scaling": float(best[6]),
                "moe_efficiency": float(best[7]),
                "calibrated_on": sorted(m.id for m in points),
            }
        )
        for cls, base in bases.items()
    }
    errs = []
    for m in points:
        cls = catalog.accelerators[m.accelerator].item.accelerator_class.value
        pred = predict_measurement(catalog, m, fitted[cls])
        for metric in METRICS:
            measured = getattr(m, metric)
            if measured is not None and metric not in m.excluded_metrics and not math.isnan(pred[metric]):
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
    """'batch 1', 'mid concurrency', 'saturation' (offline or maximum throughput) or 'prefill'."""


def regime_of(m: Measurement, metric: str) -> str:
    """Which operating regime a measured figure belongs to."""
    if metric in ("ttft_ms", "prefill_tokens_per_s"):
        return "prefill"
    if m.concurrency is None:
        return "saturation"
    return "batch 1" if m.concurrency // max(m.gpus // m.tp, 1) <= 1 else "mid concurrency"


def leave_one_source_out(catalog: Catalog) -> tuple[list[HeldOutError], list[str]]:
    """Every measured figure predicted with engine factors fitted on the other source documents only (both
    splits), and the sources that could not be held out (their engine has no other source to fit on)."""
    points = [e.item for e in catalog.measurements.values()]
    out: list[HeldOutError] = []
    skipped: list[str] = []
    for source in sorted({source_of(m) for m in points}):
        held = [m for m in points if source_of(m) == source]
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
                    catalog, engine, group, splits=("calibration", "holdout"), exclude_sources=frozenset({source})
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
                        if measured is None or metric in m.excluded_metrics or math.isnan(value):
                            continue
                        err = PointError(m.id, m.split, engine, cls, metric, measured, value)
                        out.append(HeldOutError(err, source, moe, m.tp > 1, regime_of(m, metric)))
    return out, skipped


def bias(errors: list[PointError]) -> float:
    """Median predicted / measured (1 = unbiased; above 1 the model is optimistic about speed)."""
    ratios = [e.ratio if e.metric != "ttft_ms" else 1.0 / e.ratio for e in errors]
    return float(np.median(ratios)) if ratios else math.nan
