"""Memory fit: model weights, KV cache and runtime overhead against device memory.

All sizes are decimal GB (1e9 bytes). Formulas (domain note, "capacity"):

- weights  = total parameters x bytes per parameter (MoE: all experts are resident);
- KV cache per token = sum over layers of 2 x kv_heads x head_dim x KV bytes
  (GQA counts through kv_heads; MLA caches ``kv_cache_dim_per_layer`` elements
  per layer instead; sliding-window layers hold at most the window);
- usable memory per GPU = memory x the engine's memory utilisation, less the
  engine's runtime overhead (activations, CUDA context and graphs).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from llmdecide.catalog.schema import Accelerator, EngineProfile, OpenModel
from llmdecide.units import BYTES_PER_GB, BYTES_PER_PARAM

FloatArray = NDArray[np.float64]


def bytes_per_param(precision: str, profile: EngineProfile | None = None) -> float:
    """Bytes per weight: the engine's effective bits for its quantised formats, else the nominal size."""
    if profile is not None and precision in profile.weight_bits:
        return profile.weight_bits[precision] / 8.0
    return BYTES_PER_PARAM[precision]


def weights_gb(model: OpenModel, precision: str, profile: EngineProfile | None = None) -> float:
    """Resident weight memory, GB: total_params_b x 1e9 x bytes/param / 1e9."""
    return model.total_params_b * bytes_per_param(precision, profile)


def kv_elements_per_token_per_layer(model: OpenModel) -> int:
    """Cached elements per token in one layer: 2 x kv_heads x head_dim, or the MLA latent size."""
    if model.kv_cache_dim_per_layer is not None:
        return model.kv_cache_dim_per_layer
    return 2 * model.kv_heads * model.head_dim


def kv_gb_per_sequence(model: OpenModel, kv_precision: str, tokens: float | FloatArray) -> float | FloatArray:
    """KV cache of one sequence of ``tokens`` tokens, GB.

    Full-attention layers hold every token; sliding-window layers hold at most
    ``sliding_window_tokens``.
    """
    per_layer = kv_elements_per_token_per_layer(model) * BYTES_PER_PARAM[kv_precision] / BYTES_PER_GB
    windowed = model.sliding_window_layers or 0
    full = model.layers - windowed
    window = model.sliding_window_tokens
    tokens_arr = np.asarray(tokens, dtype=np.float64)
    held = full * tokens_arr
    if windowed and window is not None:
        held = held + windowed * np.minimum(tokens_arr, float(window))
    result = held * per_layer
    return float(result) if np.ndim(result) == 0 else result


def kv_replication(model: OpenModel, tp: int) -> float:
    """How many times the KV cache is stored across a tensor-parallel group.

    KV heads are split across GPUs; with more GPUs than KV heads, heads are
    replicated (tp / kv_heads copies). MLA's latent cache is replicated on every GPU.
    """
    if model.kv_cache_dim_per_layer is not None:
        return float(tp)
    return max(1.0, tp / model.kv_heads)


@dataclass(frozen=True)
class MemoryFit:
    """Memory budget of one replica (``tp`` GPUs)."""

    tp: int
    weights_gb: float
    weights_gb_per_gpu: float
    usable_gb_per_gpu: float
    overhead_gb_per_gpu: float
    kv_capacity_gb: float
    """KV-cache memory left in the whole replica after weights and overhead (may be negative)."""
    kv_gb_per_token: float
    """KV memory one token of one sequence takes in the replica, replication included."""

    @property
    def fits(self) -> bool:
        """Weights and overhead fit, with room for at least one token of KV cache."""
        return self.kv_capacity_gb > self.kv_gb_per_token

    def kv_tokens(self) -> float:
        """Tokens of KV cache the replica holds (0 when it does not fit)."""
        return max(0.0, self.kv_capacity_gb / self.kv_gb_per_token)

    def memory_needed_gb(self, sequence_tokens: float) -> float:
        """Total device memory the replica needs to serve one sequence of this length."""
        return self.weights_gb + self.overhead_gb_per_gpu * self.tp + self.kv_gb_per_token * sequence_tokens


def memory_fit(
    model: OpenModel,
    accelerator: Accelerator,
    profile: EngineProfile,
    precision: str,
    kv_precision: str,
    tp: int,
) -> MemoryFit:
    """The memory budget of one replica of ``tp`` GPUs."""
    weights = weights_gb(model, precision, profile)
    usable = accelerator.memory_gb * profile.memory_utilization
    overhead = profile.runtime_overhead_gb
    per_token = float(kv_gb_per_sequence(model, kv_precision, 1.0)) * kv_replication(model, tp)
    kv_capacity = (usable - overhead) * tp - weights
    return MemoryFit(
        tp=tp,
        weights_gb=weights,
        weights_gb_per_gpu=weights / tp,
        usable_gb_per_gpu=usable,
        overhead_gb_per_gpu=overhead,
        kv_capacity_gb=kv_capacity,
        kv_gb_per_token=per_token,
    )


def smallest_fitting_tp(
    model: OpenModel,
    accelerator: Accelerator,
    profile: EngineProfile,
    precision: str,
    kv_precision: str,
    sequence_tokens: float,
    *,
    max_tp: int = 8,
) -> int | None:
    """Smallest power-of-two tensor-parallel degree whose replica holds the weights and one full sequence."""
    tp = 1
    while tp <= max_tp:
        fit = memory_fit(model, accelerator, profile, precision, kv_precision, tp)
        if fit.kv_capacity_gb >= fit.kv_gb_per_token * sequence_tokens:
            return tp
        tp *= 2
    return None


def gpus_for_memory(needed_gb: float, usable_gb_per_gpu: float) -> int:
    """GPUs whose usable memory covers ``needed_gb`` (for messages about models that do not fit)."""
    return max(1, math.ceil(needed_gb / usable_gb_per_gpu))
