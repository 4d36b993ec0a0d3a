"""Memory fit: model weights, KV cache and runtime overhead against device memory.

All sizes are decimal GB (1e9 bytes). Formulas (domain note, "capacity"):

- weights  = total parameters x bytes per parameter (MoE: all experts are resident);
- KV cache per token = sum over caching layers of the elements each caches x KV bytes
  (``attention.py``: 2 x kv_heads x head_dim for MHA/GQA, the latent for MLA;
  sliding-window layers hold at most the window; the linear layers of a hybrid
  model keep a fixed state per sequence instead);
- usable memory per GPU = memory x the engine's memory utilisation, less the
  engine's runtime overhead (activations, CUDA context and graphs).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from llmdecide.capacity.attention import (
    caching_layers,
    kv_elements_per_token_per_layer,
    kv_replication,
    state_elements_per_sequence,
)
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


def kv_gb_per_sequence(model: OpenModel, kv_precision: str, tokens: float | FloatArray) -> float | FloatArray:
    """KV cache of one sequence of ``tokens`` tokens, GB (the fixed state of linear layers not included)."""
    per_layer = kv_elements_per_token_per_layer(model) * BYTES_PER_PARAM[kv_precision] / BYTES_PER_GB
    full, windowed = caching_layers(model)
    window = model.sliding_window_tokens
    tokens_arr = np.asarray(tokens, dtype=np.float64)
    held = full * tokens_arr
    if windowed and window is not None:
        held = held + windowed * np.minimum(tokens_arr, float(window))
    result = held * per_layer
    return float(result) if np.ndim(result) == 0 else result


def state_gb_per_sequence(model: OpenModel, kv_precision: str) -> float:
    """Fixed recurrent state of one sequence in a hybrid model's linear layers, GB (at least 16-bit)."""
    return state_elements_per_sequence(model) * max(2.0, BYTES_PER_PARAM[kv_precision]) / BYTES_PER_GB


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
    state_gb_per_sequence: float = 0.0
    """Fixed memory each sequence takes whatever its length (linear-attention state)."""

    @property
    def fits(self) -> bool:
        """Weights and overhead fit, with room for at least one token of KV cache."""
        return self.kv_capacity_gb > self.kv_gb_per_token

    def sequence_gb(self, sequence_tokens: float) -> float:
        """Memory one sequence of this length takes in the replica: its KV cache and any fixed state."""
        return self.kv_gb_per_token * sequence_tokens + self.state_gb_per_sequence

    def sequences(self, sequence_tokens: float) -> float:
        """Sequences of this length the replica holds at once (0 when not even one fits)."""
        return max(0.0, self.kv_capacity_gb / self.sequence_gb(sequence_tokens))

    def memory_needed_gb(self, sequence_tokens: float) -> float:
        """Total device memory the replica needs to serve one sequence of this length."""
        return self.weights_gb + self.overhead_gb_per_gpu * self.tp + self.sequence_gb(sequence_tokens)


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
        state_gb_per_sequence=state_gb_per_sequence(model, kv_precision),
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
        if fit.kv_capacity_gb >= fit.sequence_gb(sequence_tokens):
            return tp
        tp *= 2
    return None


def gpus_for_memory(needed_gb: float, usable_gb_per_gpu: float) -> int:
    """GPUs whose usable memory covers ``needed_gb`` (for messages about models that do not fit)."""
    return max(1, math.ceil(needed_gb / usable_gb_per_gpu))
