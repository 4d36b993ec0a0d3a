"""Memory fit: model weights, KV cache and runtime overhead against device memory.

All sizes are decimal GB (1e9 bytes). Formulas (domain note, "capacity"):

- weights  = total parameters x bytes per parameter (MoE: all experts are resident);
- KV cache per token = sum over caching layers of the elements each caches x KV bytes
  (``attention.py``: 2 x kv_heads x head_dim for MHA/GQA, the latent for MLA;
  sliding-window layers hold at most the window; the linear layers of a hybrid
  model keep a fixed state per sequence instead);
- KV-cache memory by the engine's own rule: vLLM and SGLang give a fraction of
  total memory to weights, runtime overhead (activations, CUDA context and graphs)
  and cache together; TensorRT-LLM gives a fraction of what the weights and
  overhead leave to the cache; on Apple silicon the fraction is macOS's GPU
  wired-memory default, which the user may raise.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

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
    """KV memory one token of one sequence takes in the replica's full-attention layers, replication included."""
    state_gb_per_sequence: float = 0.0
    """Fixed memory each sequence takes whatever its length (linear-attention state)."""
    batch_limit: int = 256
    """The engine's default limit on sequences in flight on this accelerator."""
    limit_raised: bool = False
    """The fit needs the operating system's GPU memory limit raised (``memory_limit_raisable``)."""
    window_gb_per_token: float = 0.0
    """KV memory one token takes in the sliding-window layers (which hold at most ``window_tokens``)."""
    window_tokens: float = math.inf

    @property
    def fits(self) -> bool:
        """Weights and overhead fit, with room for at least one token of KV cache."""
        return self.kv_capacity_gb > self.sequence_gb(1.0)

    def sequence_gb(self, sequence_tokens: float) -> float:
        """Memory one sequence of this length takes in the replica: its KV cache (sliding-window layers
        holding at most the window) and any fixed state."""
        windowed = self.window_gb_per_token * min(sequence_tokens, self.window_tokens)
        return self.kv_gb_per_token * sequence_tokens + windowed + self.state_gb_per_sequence

    def sequences(self, sequence_tokens: float) -> float:
        """Sequences of this length the replica holds at once (0 when not even one fits)."""
        return max(0.0, self.kv_capacity_gb / self.sequence_gb(sequence_tokens))

    def memory_needed_gb(self, sequence_tokens: float) -> float:
        """Total device memory the replica needs to serve one sequence of this length."""
        return self.weights_gb + self.overhead_gb_per_gpu * self.tp + self.sequence_gb(sequence_tokens)


GIB_IN_GB = 2**30 / 1e9
"""Accelerator memory sizes are marketed in binary units: an "80 GB" H100 holds 80 GiB (nvidia-smi shows
81,559 MiB), a "192 GB" MI300X 192 GiB, a "128 GB" Mac 128 GiB. Capacity works in decimal GB, so the
catalog's figure is multiplied by this."""


def device_memory_gb(accelerator: Accelerator) -> float:
    """Memory of one device in decimal GB (the catalog gives the vendor's binary-unit figure)."""
    return accelerator.memory_gb * GIB_IN_GB


def kv_capacity_gb(memory_gb: Any, fraction: Any, of: str, overhead_gb: Any, tp: Any, weights: Any) -> Any:
    """KV-cache memory of a replica under the engine's memory rule (``EngineProfile.memory_utilization_of``),
    for numbers or numpy arrays alike (the fit evaluates it for every point and candidate at once).

    'total': the fraction of device memory holds weights, runtime overhead and cache;
    'free_after_weights': the fraction of what the weights and overhead leave is all cache.
    """
    if of == "free_after_weights":
        return (memory_gb * tp - weights - overhead_gb * tp) * fraction
    return (memory_gb * fraction - overhead_gb) * tp - weights


def memory_fit(
    model: OpenModel,
    accelerator: Accelerator,
    profile: EngineProfile,
    precision: str,
    kv_precision: str,
    tp: int,
    sequence_tokens: float = 1.0,
) -> MemoryFit:
    """The memory budget of one replica of ``tp`` GPUs.

    Where the engine's limit is an operating-system default the user may raise (``memory_limit_raisable``)
    and one sequence of ``sequence_tokens`` does not fit under it, the budget is ``raised_memory_utilization``
    of memory and the fit says the limit must be raised.
    """
    weights = weights_gb(model, precision, profile)
    overhead = profile.overhead_gb
    per_layer = kv_elements_per_token_per_layer(model) * BYTES_PER_PARAM[kv_precision] / BYTES_PER_GB
    full_layers, windowed_layers = caching_layers(model)
    replication = kv_replication(model, tp)
    window = model.sliding_window_tokens
    per_token = full_layers * per_layer * replication
    window_per_token = windowed_layers * per_layer * replication if window is not None else 0.0
    if window is None:
        per_token += windowed_layers * per_layer * replication
    state = state_gb_per_sequence(model, kv_precision)
    fraction, of = profile.memory_utilization, profile.memory_utilization_of
    memory = device_memory_gb(accelerator)
    kv_capacity = kv_capacity_gb(memory, fraction, of, overhead, tp, weights)
    raised = False
    one = per_token * sequence_tokens + window_per_token * min(sequence_tokens, window or math.inf) + state
    if profile.memory_limit_raisable and kv_capacity < one:
        assert profile.raised_memory_utilization is not None
        fraction, of, raised = profile.raised_memory_utilization, "total", True
        kv_capacity = kv_capacity_gb(memory, fraction, of, overhead, tp, weights)
    usable = overhead + (weights + max(kv_capacity, 0.0)) / tp if of == "free_after_weights" else (memory * fraction)
    return MemoryFit(
        tp=tp,
        weights_gb=weights,
        weights_gb_per_gpu=weights / tp,
        usable_gb_per_gpu=usable,
        overhead_gb_per_gpu=overhead,
        kv_capacity_gb=kv_capacity,
        kv_gb_per_token=per_token,
        state_gb_per_sequence=state,
        batch_limit=profile.max_batch_for(accelerator),
        limit_raised=raised,
        window_gb_per_token=window_per_token,
        window_tokens=float(window) if window is not None and window_per_token else math.inf,
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
        fit = memory_fit(model, accelerator, profile, precision, kv_precision, tp, sequence_tokens)
        if fit.kv_capacity_gb >= fit.sequence_gb(sequence_tokens):
            return tp
        tp *= 2
    return None


def gpus_for_memory(needed_gb: float, usable_gb_per_gpu: float) -> int:
    """GPUs whose usable memory covers ``needed_gb`` (for messages about models that do not fit)."""
    return max(1, math.ceil(needed_gb / usable_gb_per_gpu))
