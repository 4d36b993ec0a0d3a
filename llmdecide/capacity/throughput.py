"""Decode and prefill speed from the physics of inference, vectorised over numpy arrays.

One decode step of a replica (``tp`` GPUs) produces one token for each of the ``batch`` running
sequences. The operators of a forward pass run one after another, each bound by its own roofline
(Williams et al., 2009; domain note, "capacity"), so a step takes the sum over three operator classes of
the slower of their memory and compute times, plus fixed costs:

- dense weights (attention projections, dense MLPs, shared experts): read once per step at the weight
  streaming efficiency; 2 FLOPs per parameter per token at the decode (or prefill) efficiency;
- routed experts (MoE): the experts the step's tokens touch, 1 - (1 - k/E)^tokens of them, read at the
  streaming efficiency times ``moe_efficiency``; prompt tokens arrive in chunks of up to CHUNK_TOKENS
  (chunked prefill), so a step's share of a chunk touches the experts of the whole chunk; their FLOPs at
  the compute efficiency times ``moe_compute_efficiency`` (grouped-GEMM kernels, expert load imbalance);
- attention: each sequence's KV cache read at the KV efficiency (sliding-window layers hold at most the
  window; the recurrent state of linear layers is read too), and the attention FLOPs (``attention.py``) on
  the KV-precision tensor rate.

Matmuls that run on FP8/FP4 tensor cores reach ``low_precision_efficiency`` of the compute efficiency, and
every efficiency on an AMD GPU is times ``rocm_efficiency``. With continuous batching, each generated token
also carries ``input_tokens / output_tokens`` prompt tokens of prefill at the prefill efficiency, so
throughput accounts for prompt processing. Fixed costs: the engine's per-step overhead, its per-layer
overhead, and with tensor parallelism two all-reduces per layer (a latency that depends on the link, NVLink
or PCIe, plus the bytes over it), and behind the engine's API server its per-token work for each sequence
(detokenising and streaming). A request's time to first token adds the engine's per-request overhead.

Whole-replica speed is ``batch / t_step`` with every sequence's prompt spread over the steps; per-user speed
(one over the time per output token) is ``1 / t_step`` of a step carrying the other sequences' prompts only,
since a sequence's own prompt is processed before its first token. Prefill of a prompt alone is
the same operator sum over the prompt's tokens; time to first token is that prefill plus the request
overhead, plus one running step when other sequences share the replica.

Every input is an array (or scalar) and broadcasts, so a whole cost curve or a thousand deployments
evaluate in one call. Missing figures are NaN and stay NaN."""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class ReplicaSpec:
    """Numbers the speed model needs for one replica; each field broadcasts as a numpy array."""

    tp: FloatArray
    bandwidth_bytes_per_s: FloatArray
    """Peak memory bandwidth of one GPU."""
    flops_per_s: FloatArray
    """Peak dense tensor FLOPS of one GPU for the weight matmuls (NaN when unpublished)."""
    attention_flops_per_s: FloatArray
    """Peak dense tensor FLOPS of one GPU for attention (KV-cache precision, 16-bit unless FP8)."""
    bandwidth_efficiency: FloatArray
    """Fraction of peak bandwidth reached streaming weights."""
    kv_bandwidth_efficiency: FloatArray
    """Fraction of peak bandwidth reached reading the KV cache (paged attention kernels)."""
    decode_compute_efficiency: FloatArray
    prefill_compute_efficiency: FloatArray
    moe_efficiency: FloatArray
    """Extra factor on the bandwidth efficiency of routed-expert weight reads."""
    moe_compute_efficiency: FloatArray
    """Extra factor on the compute efficiency of routed-expert matmuls (grouped GEMM, load imbalance)."""
    step_overhead_s: FloatArray
    layer_overhead_s: FloatArray
    """Fixed cost per layer per step (launches and synchronisation not hidden by graphs)."""
    request_overhead_s: FloatArray
    """Fixed time each request spends before its first token beyond its prefill."""
    serving_token_s: FloatArray
    """Time the API server spends per sequence per decode step (detokenising, streaming the token)."""
    served: FloatArray
    """1 when requests come through the engine's API server (every deployment; served benchmarks), 0 for the
    engine's own offline benchmark."""
    allreduce_s: FloatArray
    """Latency of one all-reduce over NVLink-class links."""
    allreduce_extra_s: FloatArray
    """What each all-reduce costs beyond that over the replica's own link (0 on NVLink / Infinity Fabric, more
    on PCIe)."""
    interconnect_bytes_per_s: FloatArray
    """GPU-to-GPU bandwidth per GPU and direction (inf when tp is 1 or unknown)."""
    layers: FloatArray
    hidden_size: FloatArray
    activation_bytes: FloatArray
    """Bytes per activation element exchanged by all-reduces (2 for 16-bit)."""
    dense_weight_bytes: FloatArray
    """Weight bytes read by every step whatever the routing (all of a dense model)."""
    expert_bytes: FloatArray
    """Bytes of one routed expert summed over layers (0 for dense models)."""
    experts: FloatArray
    experts_per_token: FloatArray
    active_params: FloatArray
    expert_active_params: FloatArray
    """Parameters of the routed experts one token activates (0 for dense models)."""
    rocm_efficiency: FloatArray
    """Extra factor on every efficiency on AMD GPUs (the engine's ROCm build runs other kernels)."""
    on_rocm: FloatArray
    """1 on AMD GPUs, 0 elsewhere."""
    low_precision_efficiency: FloatArray
    """Extra factor on matmul efficiency where weights multiply on FP8/FP4 tensor cores."""
    native_low_precision: FloatArray
    """1 where the matmuls run at the chip's FP8 or FP4 rate, 0 at the 16-bit rate."""
    attention_flops_per_context_token: FloatArray
    """Decode attention FLOPs per generated token per token of context (``attention.py``)."""
    prefill_attention_flops_per_context_token: FloatArray
    """The same for prompt tokens (MLA runs a different form in prefill)."""
    kv_bytes_per_token: FloatArray
    """KV bytes one context token of one sequence takes in the replica's full-attention layers."""
    window_attention_flops_per_context_token: FloatArray
    """Decode attention FLOPs per context token in the sliding-window layers (which see at most the window)."""
    window_prefill_attention_flops_per_context_token: FloatArray
    window_kv_bytes_per_token: FloatArray
    """KV bytes one context token takes in the sliding-window layers."""
    window_tokens: FloatArray
    """Sliding window, tokens (inf without one)."""
    state_bytes_per_sequence: FloatArray
    """Recurrent state of one sequence in a hybrid model's linear layers, read every step."""

    @classmethod
    def from_values(cls, **values: ArrayLike) -> ReplicaSpec:
        """Build from scalars or arrays, converting each to float64."""
        return cls(**{f.name: np.asarray(values[f.name], dtype=np.float64) for f in fields(cls)})


@dataclass(frozen=True)
class StepTimes:
    """Decode-step timing at given batch sizes and request shapes (arrays)."""

    step_s: FloatArray
    memory_s: FloatArray
    compute_s: FloatArray
    fixed_s: FloatArray

    @property
    def compute_bound(self) -> NDArray[np.bool_]:
        """Where compute, not memory traffic, sets the step time."""
        return np.asarray(self.compute_s > self.memory_s)


CHUNK_TOKENS = 8192.0
"""Prompt tokens one prefill chunk holds: vLLM's default token budget per step behind its API server on GPUs
of 70 GiB or more; SGLang's chunked-prefill defaults are of the same order."""


def _experts_touched(spec: ReplicaSpec, tokens: FloatArray) -> FloatArray:
    """Expected fraction of routed experts a step's tokens activate: 1 - (1 - k/E)^tokens."""
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(spec.experts > 0, spec.experts_per_token / np.maximum(spec.experts, 1.0), 0.0)
    return np.asarray(1.0 - np.power(1.0 - share, np.maximum(tokens, 1.0)), dtype=np.float64)


@dataclass(frozen=True)
class _Operators:
    """Time of each operator class of one forward pass: (memory, compute) for the dense weights, the
    routed experts and attention. The pass takes the sum over classes of the slower of the two (the
    operators run one after another, each bound by its own roofline)."""

    dense: tuple[FloatArray, FloatArray]
    experts: tuple[FloatArray, FloatArray]
    attention: tuple[FloatArray, FloatArray]

    @property
    def memory_s(self) -> FloatArray:
        return np.asarray(self.dense[0] + self.experts[0] + self.attention[0])

    @property
    def compute_s(self) -> FloatArray:
        return np.asarray(self.dense[1] + self.experts[1] + self.attention[1])

    @property
    def time_s(self) -> FloatArray:
        """Decode's sum of rooflines; where the FLOPS are unknown (NaN compute) a step is taken as memory
        bound, which decode nearly always is."""
        return np.asarray(sum(np.fmax(m, c) for m, c in (self.dense, self.experts, self.attention)))

    @property
    def time_or_nan_s(self) -> FloatArray:
        """The same sum, but NaN where the FLOPS are unknown: a prefill is compute bound, so without FLOPS
        its time is unknown, not a weight read."""
        return np.asarray(sum(np.maximum(m, c) for m, c in (self.dense, self.experts, self.attention)))


def _operators(
    spec: ReplicaSpec,
    decode_tokens: FloatArray,
    prefill_tokens: FloatArray,
    kv_bytes_read: FloatArray,
    decode_attention_flops: FloatArray,
    prefill_attention_flops: FloatArray,
    prompt_tokens: FloatArray | None = None,
) -> _Operators:
    """The operator times of a pass over ``decode_tokens`` at the decode efficiency and ``prefill_tokens`` at
    the prefill efficiency, reading ``kv_bytes_read`` bytes of KV cache and state and spending the given attention
    FLOPs."""
    tokens = decode_tokens + prefill_tokens
    platform = np.where(spec.on_rocm > 0, spec.rocm_efficiency, 1.0)
    peak_bw = spec.tp * spec.bandwidth_bytes_per_s * platform
    low = np.where(spec.native_low_precision > 0, spec.low_precision_efficiency, 1.0)
    peak = spec.tp * spec.flops_per_s * platform * low
    attention_peak = spec.tp * spec.attention_flops_per_s * platform
    dense_params = spec.active_params - spec.expert_active_params
    dense_compute = (
        2.0
        * dense_params
        * (decode_tokens / spec.decode_compute_efficiency + prefill_tokens / spec.prefill_compute_efficiency)
        / peak
    )
    dense_memory = spec.dense_weight_bytes / (peak_bw * spec.bandwidth_efficiency)
    if prompt_tokens is None:
        touched = _experts_touched(spec, tokens)
    else:
        chunk = np.minimum(CHUNK_TOKENS, np.maximum(prompt_tokens, prefill_tokens))
        share = np.minimum(1.0, prefill_tokens / np.maximum(chunk, 1.0))
        touched = (1.0 - share) * _experts_touched(spec, decode_tokens) + share * _experts_touched(
            spec, decode_tokens + chunk
        )
    with np.errstate(invalid="ignore", divide="ignore"):
        moe = spec.expert_active_params > 0
        expert_compute = np.where(
            moe,
            2.0
            * spec.expert_active_params
            * (decode_tokens / spec.decode_compute_efficiency + prefill_tokens / spec.prefill_compute_efficiency)
            / (peak * spec.moe_compute_efficiency),
            0.0,
        )
        expert_memory = np.where(
            moe,
            spec.experts * spec.expert_bytes * touched / (peak_bw * spec.bandwidth_efficiency * spec.moe_efficiency),
            0.0,
        )
    attention_memory = kv_bytes_read / (peak_bw * spec.kv_bandwidth_efficiency)
    attention_compute = (
        decode_attention_flops / spec.decode_compute_efficiency
        + prefill_attention_flops / spec.prefill_compute_efficiency
    ) / attention_peak
    return _Operators(
        (np.asarray(dense_memory), np.asarray(dense_compute)),
        (np.asarray(expert_memory), np.asarray(expert_compute)),
        (np.asarray(attention_memory), np.asarray(attention_compute)),
    )


def _mean_windowed_context(n_in: FloatArray, n_out: FloatArray, window: FloatArray) -> FloatArray:
    """Mean over a sequence's decode of min(context, window), the context growing from the prompt to prompt +
    output: the window once the prompt alone fills it, the mean context while the window is never reached,
    and the exact mixture in between."""
    start, end = n_in, n_in + n_out
    w = np.broadcast_to(window, np.broadcast_shapes(np.shape(start), np.shape(window)))
    with np.errstate(invalid="ignore", divide="ignore"):
        inside = np.clip(w, start, end)  # where the context reaches the window
        below = (inside * inside - start * start) / 2.0  # integral of c from start to the window
        above = (end - inside) * w  # the window held for the rest
        mean = (below + above) / (end - start)
    return np.asarray(np.where(np.isfinite(w), mean, (start + end) / 2.0), dtype=np.float64)


def _prefill_attention_per_token(spec: ReplicaSpec, prompt_tokens: FloatArray) -> FloatArray:
    """Attention FLOPs per prompt token of a prompt's prefill: each token attends over the tokens before it,
    n/2 on average in full layers and at most the window in sliding-window layers."""
    n = prompt_tokens
    w = spec.window_tokens
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_window = np.where(n <= w, n / 2.0, w - w * w / (2.0 * n))
    mean_window = np.where(np.isfinite(w), mean_window, n / 2.0)
    return np.asarray(
        spec.prefill_attention_flops_per_context_token * n / 2.0
        + spec.window_prefill_attention_flops_per_context_token * mean_window
    )


def _fixed_s(spec: ReplicaSpec, tokens: FloatArray) -> FloatArray:
    """Per-step fixed costs: the engine's step overhead, its per-layer overhead and the all-reduces."""
    return np.asarray(spec.step_overhead_s + spec.layers * spec.layer_overhead_s + _allreduce_s(spec, tokens))


def _serving_s(spec: ReplicaSpec, batch: FloatArray) -> FloatArray:
    """The API server's share of a decode step: its per-token work for every sequence in the batch."""
    return np.asarray(spec.served * spec.serving_token_s * batch)


def _allreduce_s(spec: ReplicaSpec, tokens: FloatArray) -> FloatArray:
    """Two ring all-reduces per layer of ``tokens x hidden`` activations, when tp > 1.

    A ring all-reduce moves 2 x (tp - 1) / tp of the payload through each GPU's link.
    """
    payload = tokens * spec.hidden_size * spec.activation_bytes
    ring = 2.0 * (spec.tp - 1.0) / np.maximum(spec.tp, 1.0)
    one = spec.allreduce_s + spec.allreduce_extra_s + ring * payload / spec.interconnect_bytes_per_s
    return np.asarray(np.where(spec.tp > 1, 2.0 * spec.layers * one, 0.0), dtype=np.float64)


def _step(
    spec: ReplicaSpec, batch: ArrayLike, input_tokens: ArrayLike, output_tokens: ArrayLike, prefilling: ArrayLike
) -> StepTimes:
    """One decode step of ``batch`` sequences carrying the prompts of ``prefilling`` sequences (see module
    doc)."""
    b = np.asarray(batch, dtype=np.float64)
    n_in = np.asarray(input_tokens, dtype=np.float64)
    n_out = np.asarray(output_tokens, dtype=np.float64)
    context = n_in + n_out / 2.0
    windowed = _mean_windowed_context(n_in, n_out, spec.window_tokens)
    prefill_tokens = np.asarray(prefilling, dtype=np.float64) * n_in / n_out
    ops = _operators(
        spec,
        b,
        prefill_tokens,
        b
        * (
            context * spec.kv_bytes_per_token
            + windowed * spec.window_kv_bytes_per_token
            + spec.state_bytes_per_sequence
        ),
        b
        * (spec.attention_flops_per_context_token * context + spec.window_attention_flops_per_context_token * windowed),
        prefill_tokens * _prefill_attention_per_token(spec, n_in),
        n_in,
    )
    memory_s, compute_s = ops.memory_s, ops.compute_s
    fixed_s = _fixed_s(spec, b + prefill_tokens) + _serving_s(spec, b)
    step_s = ops.time_s + fixed_s
    return StepTimes(
        np.asarray(step_s, dtype=np.float64),
        np.asarray(memory_s, dtype=np.float64),
        np.asarray(compute_s, dtype=np.float64),
        np.asarray(fixed_s, dtype=np.float64),
    )


def decode_steps(
    spec: ReplicaSpec, batch: ArrayLike, input_tokens: ArrayLike, output_tokens: ArrayLike
) -> tuple[StepTimes, StepTimes]:
    """The replica's mean step and the step one sequence sees (``decode_step``, ``user_decode_step``) in one
    evaluation, for callers that need both."""
    b = np.asarray(batch, dtype=np.float64)
    n_in = np.asarray(input_tokens, dtype=np.float64)
    user = user_decode_step(spec, b, n_in, output_tokens)
    own = _prompt_s(spec, n_in) / np.asarray(output_tokens, dtype=np.float64)
    return StepTimes(np.asarray(user.step_s + own), user.memory_s, user.compute_s, user.fixed_s), user


def decode_step(spec: ReplicaSpec, batch: ArrayLike, input_tokens: ArrayLike, output_tokens: ArrayLike) -> StepTimes:
    """The replica's mean step with ``batch`` sequences of the given shape in flight, so that ``batch / step``
    is its whole throughput: the step one sequence sees between its tokens (``user_decode_step``, carrying
    the other sequences' prompts) plus its own prompt's prefill spread over its output tokens. Alone on the
    replica, a request's output tokens over its prefill and decode time are exactly that throughput."""
    return decode_steps(spec, batch, input_tokens, output_tokens)[0]


def user_decode_step(
    spec: ReplicaSpec, batch: ArrayLike, input_tokens: ArrayLike, output_tokens: ArrayLike
) -> StepTimes:
    """The step one sequence sees between its tokens (its time per output token): the other ``batch - 1``
    sequences' prompts interleave with its decode, but its own prompt was processed before its first token
    (``ttft_seconds``). Alone on the replica (batch 1), no prompt shares its steps, whatever the prompt's
    length."""
    b = np.asarray(batch, dtype=np.float64)
    return _step(spec, b, input_tokens, output_tokens, np.maximum(b - 1.0, 0.0))


def _prompt_ops(spec: ReplicaSpec, n: FloatArray) -> _Operators:
    zero = np.zeros_like(n)
    return _operators(spec, zero, n, zero, zero, n * _prefill_attention_per_token(spec, n))


def _prompt_s(spec: ReplicaSpec, input_tokens: FloatArray) -> FloatArray:
    """One prompt's prefill inside the replica's running work: where the FLOPS are unknown, its weight and
    cache reads only (as a decode step's compute is taken then), not NaN."""
    n = np.asarray(input_tokens, dtype=np.float64)
    return np.asarray(_prompt_ops(spec, n).time_s + _fixed_s(spec, n))


def prefill_seconds(spec: ReplicaSpec, input_tokens: ArrayLike) -> FloatArray:
    """Time to process one prompt alone: each operator's roofline over the prompt's tokens, plus fixed costs.
    NaN without FLOPS."""
    n = np.asarray(input_tokens, dtype=np.float64)
    return np.asarray(_prompt_ops(spec, n).time_or_nan_s + _fixed_s(spec, n))


def ttft_seconds(spec: ReplicaSpec, batch: ArrayLike, input_tokens: ArrayLike, output_tokens: ArrayLike) -> FloatArray:
    """Time to first token: the request's fixed overhead and its prompt's prefill, plus one running step when
    others share the replica.

    A steady-state figure: it does not include waiting behind a burst of other prompts.
    """
    b = np.asarray(batch, dtype=np.float64)
    alone = prefill_seconds(spec, input_tokens) + spec.request_overhead_s
    running = decode_step(spec, b, input_tokens, output_tokens).step_s
    return np.asarray(alone + np.where(b > 1, running, 0.0), dtype=np.float64)


def replica_tokens_per_s(
    spec: ReplicaSpec, batch: ArrayLike, input_tokens: ArrayLike, output_tokens: ArrayLike
) -> FloatArray:
    """Output tokens/s of a whole replica: batch / step time."""
    b = np.asarray(batch, dtype=np.float64)
    return np.asarray(b / decode_step(spec, b, input_tokens, output_tokens).step_s, dtype=np.float64)


def roofline_tokens_per_s(
    spec: ReplicaSpec, batch: ArrayLike, input_tokens: ArrayLike, output_tokens: ArrayLike
) -> FloatArray:
    """Physical ceiling at 100% efficiency and no fixed costs: what no prediction may exceed."""
    ideal = ReplicaSpec(
        **{
            **{f.name: getattr(spec, f.name) for f in fields(spec)},
            "bandwidth_efficiency": np.ones_like(spec.bandwidth_efficiency),
            "kv_bandwidth_efficiency": np.ones_like(spec.kv_bandwidth_efficiency),
            "decode_compute_efficiency": np.ones_like(spec.decode_compute_efficiency),
            "prefill_compute_efficiency": np.ones_like(spec.prefill_compute_efficiency),
            "moe_efficiency": np.ones_like(spec.moe_efficiency),
            "moe_compute_efficiency": np.ones_like(spec.moe_compute_efficiency),
            "low_precision_efficiency": np.ones_like(spec.low_precision_efficiency),
            "rocm_efficiency": np.ones_like(spec.rocm_efficiency),
            "step_overhead_s": np.zeros_like(spec.step_overhead_s),
            "layer_overhead_s": np.zeros_like(spec.layer_overhead_s),
            "request_overhead_s": np.zeros_like(spec.request_overhead_s),
            "serving_token_s": np.zeros_like(spec.serving_token_s),
            "allreduce_s": np.zeros_like(spec.allreduce_s),
            "allreduce_extra_s": np.zeros_like(spec.allreduce_extra_s),
            "interconnect_bytes_per_s": np.full_like(spec.interconnect_bytes_per_s, np.inf),
        }
    )
    return replica_tokens_per_s(ideal, batch, input_tokens, output_tokens)


def stack_specs(specs: list[ReplicaSpec]) -> ReplicaSpec:
    """Concatenate replica specs into one whose arrays evaluate every deployment in one call."""
    return ReplicaSpec(
        **{f.name: np.concatenate([np.atleast_1d(getattr(s, f.name)) for s in specs]) for f in fields(ReplicaSpec)}
    )
