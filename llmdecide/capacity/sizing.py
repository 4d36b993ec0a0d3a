"""Sizing a fleet for a load: the one place a number of replicas is computed.

:func:`replicas_for` is the formula every caller uses (the sized plan and its
label, the month-by-month projection, break-even, the overflow search and the
pinned-capacity check); :func:`size_for_load` picks the tensor-parallel degree
and the batch that meet the latency targets and sizes the fleet with it.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike, NDArray
from pydantic import BaseModel, ConfigDict, Field

from llmdecide.capacity.deployment import Deployment, max_batch_per_replica, max_tp, replica_spec
from llmdecide.capacity.intervals import SpeedInterval, batch_regime, speed_interval
from llmdecide.capacity.memory import memory_fit, smallest_fitting_tp
from llmdecide.capacity.throughput import decode_steps, ttft_seconds, user_decode_step
from llmdecide.errors import InputFileError

FloatArray = NDArray[np.float64]


def replicas_for(
    peak_requests_per_s: ArrayLike, requests_per_s_per_replica: float, utilization: ArrayLike
) -> FloatArray:
    """Replicas a peak load needs: max(1, ceil(peak rate / (rate per replica x utilisation))).

    ``utilization`` is the share of a replica's rate it may run at (the target
    utilisation, times any scenario factor; 1 for the full rate). Vectorised:
    any shapes that broadcast; the result is float64 so it multiplies series directly.
    """
    peak = np.asarray(peak_requests_per_s, dtype=np.float64)
    capacity = requests_per_s_per_replica * np.asarray(utilization, dtype=np.float64)
    replicas = np.ceil(peak / capacity)
    return np.asarray(np.maximum(replicas, 1.0), dtype=np.float64)


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
    ttft_target_ms: float | None = Field(default=None, description="Time-to-first-token target it was sized to.")
    output_tokens_per_s_target: float | None = Field(default=None, description="Per-user speed target it was sized to.")
    memory_limit_raised: bool = Field(
        default=False, description="The fit needs the operating system's GPU memory limit raised (Apple silicon)."
    )
    speed_low: float = Field(
        default=1.0, description="Measured / predicted speed at the pessimistic end of the model's interval."
    )
    speed_high: float = Field(default=1.0, description="Measured / predicted speed at the other end.")
    speed_median: float = Field(default=1.0, description="Median measured / predicted speed of its batch regime.")
    interval_regimes: list[str] = Field(
        default_factory=list, description="Regimes whose error bars the interval joins (empty: none known)."
    )

    @property
    def speed(self) -> SpeedInterval:
        """The capacity model's interval at this operating point."""
        return SpeedInterval(self.speed_low, self.speed_high, tuple(self.interval_regimes), self.speed_median)


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
    limit = max_tp(d.accelerator)
    smallest = smallest_fitting_tp(d.model, d.accelerator, d.profile, d.precision, d.kv_precision, seq, max_tp=limit)
    if smallest is None:
        return _size_at_tp(d, tp=None, **kwargs)  # type: ignore[arg-type]
    options = [_size_at_tp(d, tp=t, **kwargs) for t in (1, 2, 4, 8) if smallest <= t <= limit]  # type: ignore[arg-type]
    serving = [o for o in options if o.meets_latency]
    if not serving:
        return options[0]
    return min(serving, key=lambda o: (o.gpus, o.tp))


def _unserved(
    tp: int,
    *,
    fits: bool,
    reason: str,
    per_user_output_tokens_per_s: float | None = None,
    ttft_ms: float | None = None,
) -> LoadSizing:
    """A sizing that cannot serve the load: no replicas, and why."""
    return LoadSizing(
        fits=fits,
        meets_latency=False,
        reason=reason,
        tp=tp,
        replicas=0,
        gpus=0,
        batch_per_replica=0,
        requests_per_s_per_replica=0.0,
        per_user_output_tokens_per_s=per_user_output_tokens_per_s,
        ttft_ms=ttft_ms,
        utilization=0.0,
    )


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
        d.model, d.accelerator, d.profile, d.precision, d.kv_precision, seq, max_tp=max_tp(d.accelerator)
    )
    if tp_used is None:
        return _unserved(
            0, fits=False, reason=f"{d.model.id} does not fit on up to {max_tp(d.accelerator)} x {d.accelerator.id}"
        )
    fit = memory_fit(d.model, d.accelerator, d.profile, d.precision, d.kv_precision, tp_used, seq)
    max_b = max_batch_per_replica(fit, input_tokens, output_tokens)
    if max_b == 0:
        reason = f"one {seq:.0f}-token sequence does not fit beside the weights on {tp_used} GPU(s)"
        return _unserved(tp_used, fits=False, reason=reason)
    spec = replica_spec(d, tp_used)
    batches = np.arange(1, max_b + 1, dtype=np.float64)
    replica, user = decode_steps(spec, batches, input_tokens, output_tokens)
    step = replica.step_s
    per_user = 1.0 / user.step_s
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
        return _unserved(
            tp_used,
            fits=True,
            reason="misses the latency target: " + "; ".join(why),
            per_user_output_tokens_per_s=float(per_user[0]),
            ttft_ms=None if math.isnan(ttft_ms[0]) else float(ttft_ms[0]),
        )
    best = int(np.flatnonzero(ok)[-1])
    rps_per_replica = float(batches[best] / step[best] / output_tokens)
    replicas = int(replicas_for(peak_requests_per_s, rps_per_replica, target_utilization))
    interval = speed_interval(
        d.intervals,
        batch_regime(float(batches[best]), float(max_b)),
        moe=bool(d.model.experts),
        multi_gpu=tp_used > 1,
    )
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
        memory_limit_raised=fit.limit_raised,
        speed_low=interval.low,
        speed_high=interval.high,
        speed_median=interval.median,
        interval_regimes=list(interval.regimes),
    )


class LoadPoint(BaseModel):
    """How a sized replica behaves at the load it actually gets: concurrency, per-user speed, time to first token."""

    model_config = ConfigDict(frozen=True)

    arrival_rps: float = Field(description="Requests per second arriving at one replica at the peak.")
    concurrency: float = Field(description="Requests in flight on one replica at the peak (Little's law).")
    per_user_output_tokens_per_s: float
    ttft_ms: float | None = Field(description="Prefill plus waiting for a slot; None when the compute is unknown.")
    queue_ms: float = Field(description="Mean wait for a free batch slot at the peak (Erlang C).")
    overloaded: bool = Field(description="The peak offers more requests than the sized batch can hold.")
    sized_batch: int = Field(description="The batch the replica was sized at.")


def erlang_c_wait(arrival_rps: float, service_s: float, servers: int) -> float:
    """Mean wait in an M/M/c queue (c = ``servers`` batch slots, each holding a request for ``service_s``);
    infinite when the offered load reaches the slots."""
    load = arrival_rps * service_s
    if load <= 0:
        return 0.0
    if load >= servers:
        return math.inf
    blocking = 1.0  # Erlang B by its recurrence, then C from B
    for k in range(1, servers + 1):
        blocking = load * blocking / (k + load * blocking)
    waiting = blocking / (1.0 - (load / servers) * (1.0 - blocking))
    return waiting * service_s / (servers - load)


def at_load(
    d: Deployment, sizing: LoadSizing, arrival_rps_per_replica: float, input_tokens: float, output_tokens: float
) -> LoadPoint | None:
    """The replica's operating point at its real peak arrival rate, up to the batch it was sized at.

    Concurrency c solves c = arrival x (time to first token(c) + output tokens / per-user speed(c)) (Little's
    law), by fixed-point iteration from one request; speed and prefill at c come from the same throughput
    model as the sizing. Waiting for a slot is the Erlang C wait with the sized batch as the number of slots.
    None for a sizing that serves nothing.
    """
    if sizing.replicas <= 0 or sizing.tp <= 0 or sizing.batch_per_replica <= 0:
        return None
    spec = replica_spec(d, sizing.tp)
    batch = float(sizing.batch_per_replica)

    def duration(b: float) -> tuple[float, float, float]:
        step = float(user_decode_step(spec, b, input_tokens, output_tokens).step_s)
        ttft = float(ttft_seconds(spec, b, input_tokens, output_tokens))
        prefill = 0.0 if math.isnan(ttft) else ttft
        return prefill + output_tokens * step, 1.0 / step, ttft

    c = 1.0
    for _ in range(50):
        t, _, _ = duration(max(1.0, min(c, batch)))
        nxt = min(arrival_rps_per_replica * t, batch)
        if abs(nxt - c) < 1e-6:
            c = nxt
            break
        c = nxt
    b = max(1.0, min(c, batch))
    t, speed, ttft = duration(b)
    wait = erlang_c_wait(arrival_rps_per_replica, t, max(int(batch), 1))
    overloaded = wait == math.inf
    return LoadPoint(
        arrival_rps=arrival_rps_per_replica,
        concurrency=c,
        per_user_output_tokens_per_s=speed,
        ttft_ms=None if math.isnan(ttft) or overloaded else (ttft + wait) * 1000.0,
        queue_ms=0.0 if overloaded else wait * 1000.0,
        overloaded=overloaded,
        sized_batch=int(batch),
    )
