"""Decode and prefill speed from the physics of inference, vectorised over numpy arrays.

One decode step of a replica (``tp`` GPUs) produces one token for each of the
``batch`` running sequences. Its time is the slower of two bounds, plus fixed
costs (domain note, "capacity"; the roofline of Williams et al., 2009):

- memory: every step reads the weights once for the whole batch (MoE: the
  experts the step's tokens route to) plus each sequence's KV cache,
  ``t_mem = weight_bytes_read / (tp x bandwidth x eff_w)
          + batch x context x kv_bytes_per_token / (tp x bandwidth x eff_kv)``
  (attention kernels gather a paged cache and reach less of the peak than weight streaming);
- compute: 2 FLOPs per active parameter per token plus attention (per context
  token, ``attention.py``: 4 x layers x heads x head_dim for MHA/GQA, the latent
  form for MLA, full-attention layers only for hybrids), at the engine's decode efficiency.
  With continuous batching, each generated token also carries
  ``input_tokens / output_tokens`` prompt tokens of prefill, costed at the
  prefill efficiency, so throughput accounts for prompt processing;
- fixed: the engine's per-step overhead and, with tensor parallelism, two
  all-reduces per layer (latency plus bytes over the interconnect).

Per-user speed is ``1 / t_step``; whole-replica speed is ``batch / t_step``.
Prefill of a prompt alone is compute bound (or bound by one weight read for
very short prompts); time to first token is that prefill, plus one running
step when other sequences share the replica.

Every input is an array (or scalar) and broadcasts, so a whole cost curve or a
thousand deployments evaluate in one call. Missing figures are NaN and stay NaN.
"""

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
    step_overhead_s: FloatArray
    allreduce_s: FloatArray
    interconnect_bytes_per_s: FloatArray
    """GPU-to-GPU bandwidth per GPU (inf when tp is 1 or unknown)."""
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
    attention_flops_per_context_token: FloatArray
    """Decode attention FLOPs per generated token per token of context (``attention.py``)."""
    prefill_attention_flops_per_context_token: FloatArray
    """The same for prompt tokens (MLA runs a different form in prefill)."""
    kv_bytes_per_token: FloatArray
    """KV bytes one context token of one sequence takes in the replica."""

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
    def per_user_tokens_per_s(self) -> FloatArray:
        """Tokens/s one sequence sees."""
        return np.asarray(1.0 / self.step_s, dtype=np.float64)

    @property
    def compute_bound(self) -> NDArray[np.bool_]:
        """Where compute, not memory traffic, sets the step time."""
        return np.asarray(self.compute_s > self.memory_s)


def _experts_touched(spec: ReplicaSpec, tokens: FloatArray) -> FloatArray:
    """Expected fraction of routed experts a step's tokens activate: 1 - (1 - k/E)^tokens."""
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(spec.experts > 0, spec.experts_per_token / np.maximum(spec.experts, 1.0), 0.0)
    return np.asarray(1.0 - np.power(1.0 - share, np.maximum(tokens, 1.0)), dtype=np.float64)


def weight_bytes_read(spec: ReplicaSpec, tokens: FloatArray) -> FloatArray:
    """Weight bytes one forward pass over ``tokens`` tokens reads."""
    touched = _experts_touched(spec, tokens)
    return np.asarray(spec.dense_weight_bytes + spec.experts * spec.expert_bytes * touched, dtype=np.float64)


def _allreduce_s(spec: ReplicaSpec, tokens: FloatArray) -> FloatArray:
    """Two ring all-reduces per layer of ``tokens x hidden`` activations, when tp > 1.

    A ring all-reduce moves 2 x (tp - 1) / tp of the payload through each GPU's link.
    """
    payload = tokens * spec.hidden_size * spec.activation_bytes
    ring = 2.0 * (spec.tp - 1.0) / np.maximum(spec.tp, 1.0)
    one = spec.allreduce_s + ring * payload / spec.interconnect_bytes_per_s
    return np.asarray(np.where(spec.tp > 1, 2.0 * spec.layers * one, 0.0), dtype=np.float64)


def decode_step(spec: ReplicaSpec, batch: ArrayLike, input_tokens: ArrayLike, output_tokens: ArrayLike) -> StepTimes:
    """Time of one decode step with ``batch`` sequences of the given shape in flight (see module doc)."""
    b = np.asarray(batch, dtype=np.float64)
    n_in = np.asarray(input_tokens, dtype=np.float64)
    n_out = np.asarray(output_tokens, dtype=np.float64)
    prefill_per_token = n_in / n_out
    context = n_in + n_out / 2.0
    tokens = b * (1.0 + prefill_per_token)
    peak_bw = spec.tp * spec.bandwidth_bytes_per_s
    memory_s = weight_bytes_read(spec, tokens) / (peak_bw * spec.bandwidth_efficiency) + (
        b * context * spec.kv_bytes_per_token
    ) / (peak_bw * spec.kv_bandwidth_efficiency)
    decode_flops = b * (2.0 * spec.active_params + spec.attention_flops_per_context_token * context)
    prefill_flops = (
        b * prefill_per_token * (2.0 * spec.active_params + spec.prefill_attention_flops_per_context_token * n_in / 2.0)
    )
    peak = spec.tp * spec.flops_per_s
    compute_s = decode_flops / (peak * spec.decode_compute_efficiency) + prefill_flops / (
        peak * spec.prefill_compute_efficiency
    )
    fixed_s = spec.step_overhead_s + _allreduce_s(spec, tokens)
    step_s = np.fmax(memory_s, compute_s) + fixed_s
    return StepTimes(
        np.asarray(step_s, dtype=np.float64),
        np.asarray(memory_s, dtype=np.float64),
        np.asarray(compute_s, dtype=np.float64),
        np.asarray(fixed_s, dtype=np.float64),
    )


def prefill_seconds(spec: ReplicaSpec, input_tokens: ArrayLike) -> FloatArray:
    """Time to process one prompt alone: max(compute, one weight read) plus fixed costs. NaN without FLOPS."""
    n = np.asarray(input_tokens, dtype=np.float64)
    matmul_s = n * 2.0 * spec.active_params / (spec.tp * spec.flops_per_s)
    attention_s = n * spec.prefill_attention_flops_per_context_token * n / 2.0 / (spec.tp * spec.attention_flops_per_s)
    compute_s = (matmul_s + attention_s) / spec.prefill_compute_efficiency
    memory_s = weight_bytes_read(spec, n) / (spec.tp * spec.bandwidth_bytes_per_s * spec.bandwidth_efficiency)
    return np.asarray(np.maximum(compute_s, memory_s) + spec.step_overhead_s + _allreduce_s(spec, n))


def ttft_seconds(spec: ReplicaSpec, batch: ArrayLike, input_tokens: ArrayLike, output_tokens: ArrayLike) -> FloatArray:
    """Time to first token: the prompt's prefill, plus one running step when others share the replica.

    A steady-state figure: it does not include waiting behind a burst of other prompts.
    """
    b = np.asarray(batch, dtype=np.float64)
    alone = prefill_seconds(spec, input_tokens)
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
            "step_overhead_s": np.zeros_like(spec.step_overhead_s),
            "allreduce_s": np.zeros_like(spec.allreduce_s),
            "interconnect_bytes_per_s": np.full_like(spec.interconnect_bytes_per_s, np.inf),
        }
    )
    return replica_tokens_per_s(ideal, batch, input_tokens, output_tokens)


def stack_specs(specs: list[ReplicaSpec]) -> ReplicaSpec:
    """Concatenate replica specs into one whose arrays evaluate every deployment in one call."""
    return ReplicaSpec(
        **{f.name: np.concatenate([np.atleast_1d(getattr(s, f.name)) for s in specs]) for f in fields(ReplicaSpec)}
    )
