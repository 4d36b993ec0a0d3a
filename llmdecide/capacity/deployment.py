"""A deployment: which model, on which accelerator, with which engine and precisions.

:func:`resolve_deployment` looks the entries up and picks the defaults;
:func:`replica_spec` turns a deployment and a tensor-parallel degree into the
numbers the speed model (``throughput.py``) needs.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from llmdecide.capacity.attention import attention_flops_per_context_token
from llmdecide.capacity.memory import MemoryFit, bytes_per_param, device_memory_gb, memory_fit
from llmdecide.capacity.throughput import ReplicaSpec
from llmdecide.catalog.catalog import Catalog
from llmdecide.catalog.schema import (
    Accelerator,
    AcceleratorClass,
    Engine,
    EngineProfile,
    OpenModel,
    PredictionInterval,
)
from llmdecide.errors import LlmdecideError
from llmdecide.units import BYTES_PER_GB, PRECISIONS

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


def max_tp(accelerator: Accelerator) -> int:
    """Largest tensor-parallel group on this accelerator: one node of GPUs, or one machine for a whole system.

    An Apple machine or a desktop system (priced per system) is one unit: splitting a model across several
    over Thunderbolt or Ethernet is pipelining, which is not modelled, so a model must fit in one.
    """
    whole_system = accelerator.accelerator_class is AcceleratorClass.APPLE_SILICON or any(
        p.unit == "system" for p in accelerator.purchase_prices
    )
    return 1 if whole_system else MAX_TP


class CapacityError(LlmdecideError):
    """A capacity question that cannot be asked or answered: bad numbers, an unsupported precision or engine."""


@dataclass(frozen=True)
class InputNames:
    """How error messages name each input of a capacity question."""

    model: str = "model"
    accelerator: str = "accelerator"
    engine: str = "engine"
    precision: str = "precision"
    kv_precision: str = "kv_precision"
    gpus: str = "gpus"
    tp: str = "tp"
    concurrency: str = "concurrency"
    input_tokens: str = "input_tokens"
    output_tokens: str = "output_tokens"


PARAMETER_NAMES = InputNames()
"""Errors name the Python parameters unless the caller says otherwise."""


@dataclass(frozen=True)
class Deployment:
    """A resolved deployment: the catalog entries and choices a capacity question is about."""

    model: OpenModel
    accelerator: Accelerator
    engine: Engine
    profile: EngineProfile
    precision: str
    kv_precision: str
    intervals: tuple[PredictionInterval, ...] = ()
    """The catalog's error bars on the capacity model (``intervals.py``)."""

    @property
    def precisions(self) -> str:
        """The weights' and KV cache's precisions as plans name them (``precision_text``)."""
        return precision_text(self.precision, self.kv_precision)


SIXTEEN_BIT = frozenset({"bf16", "fp16"})


def precision_text(precision: str, kv_precision: str | None) -> str:
    """How plans name a deployment's precisions: the weights' alone when weights and KV cache are both 16-bit,
    else both ('fp8 with fp8 KV cache'), since engines differ in the cache they take by default and the fleet
    size depends on it (vLLM and SGLang keep a 16-bit cache unless told ``--kv-cache-dtype fp8``)."""
    if kv_precision is None or (precision in SIXTEEN_BIT and kv_precision in SIXTEEN_BIT):
        return precision
    return f"{precision} with {kv_precision} KV cache"


def profile_for(engine: Engine, accelerator: Accelerator) -> EngineProfile | None:
    """The engine's profile for an accelerator: one limited to it (``EngineProfile.accelerators``, as
    `llmdecide calibrate` writes), else its class's general profile; None when the engine has neither."""
    own = next((p for p in engine.profiles if accelerator.id in p.accelerators), None)
    if own is not None:
        return own
    return next(
        (p for p in engine.profiles if not p.accelerators and p.accelerator_class is accelerator.accelerator_class),
        None,
    )


def resolve_deployment(
    catalog: Catalog,
    model_id: str,
    accelerator_id: str,
    *,
    engine_id: str | None = None,
    precision: str | None = None,
    kv_precision: str | None = None,
    names: InputNames = PARAMETER_NAMES,
) -> Deployment:
    """Look up the entries and pick the engine and precisions (defaults documented in the README).

    ``names`` is how errors name each input (the parameter names, or the caller's own, such as CLI flags).
    """
    model = catalog.open_model(model_id, where=names.model).item
    accelerator = catalog.accelerator(accelerator_id, where=names.accelerator).item
    engine_name = engine_id or DEFAULT_ENGINE[accelerator.accelerator_class]
    engine = catalog.engine(engine_name, where=names.engine).item
    profile = profile_for(engine, accelerator)
    if profile is None:
        served = ", ".join(sorted(p.accelerator_class.value for p in engine.profiles))
        raise CapacityError(
            f"{names.engine}: {engine.id} has no profile for {accelerator.accelerator_class.value} accelerators "
            f"like {accelerator.id}",
            hint=f"it serves: {served}",
        )
    if precision is None:
        native = NATIVE_TO_PRECISION[model.native_precision]
        precision = native if native in profile.precisions else profile.precisions[0]
    if precision not in PRECISIONS:
        raise CapacityError(
            f"{names.precision}: unknown precision {precision!r}", hint=f"one of {', '.join(PRECISIONS)}"
        )
    if precision not in profile.precisions:
        raise CapacityError(
            f"{names.precision}: {engine.id} cannot run {precision} on {accelerator.id}",
            hint=f"supported there: {', '.join(profile.precisions)}",
        )
    kv = kv_precision or ("fp8" if precision in ("fp8", "fp4") and "fp8" in profile.precisions else "bf16")
    if kv not in PRECISIONS:
        raise CapacityError(f"{names.kv_precision}: unknown precision {kv!r}", hint=f"one of {', '.join(PRECISIONS)}")
    return Deployment(model, accelerator, engine, profile, precision, kv, tuple(catalog.prediction_intervals))


def memory_limit_note(label: str, d: Deployment) -> str:
    """What a plan says when the model fits only with macOS's GPU memory limit raised."""
    p = d.profile
    mib = int(device_memory_gb(d.accelerator) * (p.raised_memory_utilization or 1.0) * 1e9 / 2**20)
    return (
        f"{label}: fits only with the GPU memory limit raised from {p.memory_utilization:.0%} to "
        f"{p.raised_memory_utilization or 1.0:.0%} of memory (`sudo sysctl iogpu.wired_limit_mb={mib}`, "
        "again after every reboot)"
    )


def compute_tflops(accelerator: Accelerator, precision: str, profile: EngineProfile | None = None) -> float | None:
    """Dense tensor TFLOPS that matmuls at this weight precision run at.

    FP8 and FP4 use their own tensor cores when the chip has them; weight-only
    formats (int8, int4, and fp8/fp4 without native support) dequantise to 16-bit.
    FP16 rates are FP32-accumulate rates, except for an engine whose ``profile`` accumulates
    in FP16 on a card that publishes a faster FP16-accumulate rate (GeForce).
    """
    sixteen = accelerator.bf16_dense_tflops or accelerator.fp16_dense_tflops
    if precision in ("fp16", "int8", "int4"):
        # FP16 weights, and integer weights dequantised to FP16, use the FP16 rate.
        sixteen = accelerator.fp16_dense_tflops or accelerator.bf16_dense_tflops
        if profile is not None and profile.fp16_accumulation and accelerator.fp16_acc16_dense_tflops:
            sixteen = accelerator.fp16_acc16_dense_tflops
    if precision == "fp4":
        # Without FP4 tensor cores, FP4 (MXFP4) weights are dequantised and multiplied at 16 bits.
        return accelerator.fp4_dense_tflops or sixteen
    if precision == "fp8":
        return accelerator.fp8_dense_tflops or sixteen
    return sixteen


def native_low_precision(accelerator: Accelerator, precision: str) -> bool:
    """Whether matmuls at this weight precision run on the chip's own FP8 or FP4 tensor cores."""
    return (precision == "fp8" and accelerator.fp8_dense_tflops is not None) or (
        precision == "fp4" and accelerator.fp4_dense_tflops is not None
    )


def compute_known(d: Deployment) -> bool:
    """Whether the accelerator publishes the tensor FLOPS this deployment's matmuls and attention run at."""
    attention = "fp8" if d.kv_precision == "fp8" else "bf16"
    return (
        compute_tflops(d.accelerator, d.precision, d.profile) is not None
        and compute_tflops(d.accelerator, attention, d.profile) is not None
    )


PCIE_ALLREDUCE_EXTRA_S = 32e-6
"""What an all-reduce over PCIe costs beyond the same all-reduce over NVLink, seconds: NCCL's 8-byte
all-reduce over 8 PCIe RTX 4090s takes about 42 us (nccl-tests output in NVIDIA/nccl-tests issues), where
the engines' custom all-reduce over NVLink takes about 6-13 us at decode sizes on 8 H100s (SGLang PR #2904,
vLLM PRs #24111 and #24532); engines fall back to NCCL on PCIe, so the link adds about 42 - 10 = 32 us.
The 8-GPU figure is charged at 2 and 4 GPUs too (NCCL's small-message latency grows only slowly with the ring).
Added to the engine's fitted per-all-reduce latency rather than multiplying it: the fitted figure also carries
per-layer work that does not depend on the link, and a factor would scale that too (four times the fitted
latency put a 4-GPU PCIe workstation at half its published decode speed)."""

PCIE_GB_PER_S = {"gen5": 64.0, "5.0": 64.0, "gen4": 32.0, "4.0": 32.0, "gen3": 16.0, "3.0": 16.0}
"""Bandwidth of one x16 PCIe link in each direction, GB/s, by generation as accelerator entries name it."""


def interconnect_link(accelerator: Accelerator, tp: int) -> tuple[float, float]:
    """(bytes/s per GPU and direction, seconds each all-reduce takes beyond NVLink's) of the link a ``tp``-GPU
    replica talks over.

    - NVLink without a bridge (NVSwitch, NVLink Switch, the V100's hybrid cube mesh) and Gaudi's on-chip RoCE:
      half the listed bidirectional bandwidth each way, NVLink latency;
    - AMD Infinity Fabric, a full mesh of links: a GPU reaches the other tp - 1 over one link each, so it gets
      (tp - 1) / links of the listed aggregate;
    - a two-way NVLink bridge joins pairs only, and only where the card comes with one (an 'optional' bridge is
      not assumed): tp 2 over the bridge;
    - anything else, and a bridged card in a group of more than two, goes over PCIe, PCIE_ALLREDUCE_EXTRA_S
      slower per all-reduce.
    """
    if tp <= 1:
        return math.inf, 0.0  # one GPU talks to no other
    text = accelerator.interconnect.lower()
    listed = accelerator.interconnect_gb_per_s
    bridged = "bridge" in text
    nvlink = re.search(r"(?<!no )nvlink", text) is not None
    if listed and "infinity fabric" in text:
        found = re.search(r"(\d+) links", text)
        links = int(found[1]) if found else 7
        return listed * 1e9 / 2.0 * min(tp - 1, links) / links, 0.0
    if listed and ((nvlink and not bridged) or "roce" in text):
        return listed * 1e9 / 2.0, 0.0
    if listed and bridged and tp == 2 and "optional" not in text and "supported" not in text:
        return listed * 1e9 / 2.0, 0.0
    pcie = next((v for k, v in PCIE_GB_PER_S.items() if k in text), None)
    if pcie is None:
        pcie = 16.0
    return pcie * 1e9, PCIE_ALLREDUCE_EXTRA_S


def replica_spec(d: Deployment, tp: int, *, served: bool = True) -> ReplicaSpec:
    """The numbers the speed model needs for one replica of ``tp`` GPUs, behind the engine's API server
    (every deployment is) or, with ``served=False``, driven by the engine's own offline benchmark."""
    m, a, p = d.model, d.accelerator, d.profile
    param_bytes = bytes_per_param(d.precision, d.profile)
    total = m.total_params_b * 1e9
    active = m.active_params_b * 1e9
    if m.experts and m.experts_per_token:
        expert_params = (total - active) / (m.experts - m.experts_per_token)
        dense_params = active - m.experts_per_token * expert_params
    else:
        expert_params, dense_params = 0.0, total
    tflops = compute_tflops(a, d.precision, p)
    attention_tflops = compute_tflops(a, "fp8" if d.kv_precision == "fp8" else "bf16", p)
    fit = memory_fit(m, a, p, d.precision, d.kv_precision, tp)
    link_bytes, link_latency = interconnect_link(a, tp)
    # Sliding-window layers see at most the window; without a window every attending layer is "full".
    windowed_kv = fit.window_gb_per_token > 0
    full, windowed = ("full", "windowed") if windowed_kv else ("all", "none")
    return ReplicaSpec.from_values(
        tp=tp,
        bandwidth_bytes_per_s=a.memory_bandwidth_gb_per_s * 1e9,
        flops_per_s=tflops * 1e12 if tflops else np.nan,
        attention_flops_per_s=attention_tflops * 1e12 if attention_tflops else np.nan,
        bandwidth_efficiency=p.bandwidth_efficiency,
        kv_bandwidth_efficiency=p.kv_bandwidth_efficiency,
        decode_compute_efficiency=p.decode_compute_efficiency,
        prefill_compute_efficiency=p.prefill_compute_efficiency,
        moe_efficiency=p.moe_efficiency,
        moe_compute_efficiency=p.moe_compute_efficiency,
        low_precision_efficiency=p.low_precision_efficiency,
        rocm_efficiency=p.rocm_efficiency,
        on_rocm=float(a.vendor == "AMD"),
        native_low_precision=float(native_low_precision(a, d.precision)),
        step_overhead_s=p.step_overhead_ms / 1000.0,
        layer_overhead_s=p.layer_overhead_us / 1e6,
        request_overhead_s=p.request_overhead_ms / 1000.0,
        serving_token_s=p.serving_token_overhead_us / 1e6,
        served=float(served),
        allreduce_s=p.allreduce_latency_us / 1e6,
        allreduce_extra_s=link_latency,
        interconnect_bytes_per_s=link_bytes,
        layers=m.layers,
        hidden_size=m.hidden_size,
        activation_bytes=2.0,
        dense_weight_bytes=dense_params * param_bytes,
        expert_bytes=expert_params * param_bytes,
        experts=m.experts or 0,
        experts_per_token=m.experts_per_token or 0,
        active_params=active,
        expert_active_params=(m.experts_per_token or 0) * expert_params,
        attention_flops_per_context_token=attention_flops_per_context_token(m, decode=True, layers=full),
        prefill_attention_flops_per_context_token=attention_flops_per_context_token(m, decode=False, layers=full),
        kv_bytes_per_token=fit.kv_gb_per_token * BYTES_PER_GB,
        window_attention_flops_per_context_token=attention_flops_per_context_token(m, decode=True, layers=windowed),
        window_prefill_attention_flops_per_context_token=attention_flops_per_context_token(
            m, decode=False, layers=windowed
        ),
        window_kv_bytes_per_token=fit.window_gb_per_token * BYTES_PER_GB,
        window_tokens=fit.window_tokens,
        state_bytes_per_sequence=fit.state_gb_per_sequence * BYTES_PER_GB,
    )


def batch_for_kv(
    kv_capacity_gb: ArrayLike, sequence_gb: ArrayLike, average_sequence_gb: ArrayLike, limit: ArrayLike
) -> NDArray[np.float64]:
    """Sequences one replica holds: 0 when one full sequence does not fit, else KV memory / the memory of
    an average sequence (input + output/2), at least 1 and at most the engine's limit. Vectorised."""
    capacity = np.asarray(kv_capacity_gb, dtype=np.float64)
    by_kv = np.floor(capacity / np.asarray(average_sequence_gb, dtype=np.float64))
    held = np.clip(by_kv, 1.0, np.asarray(limit, dtype=np.float64))
    return np.asarray(np.where(capacity / np.asarray(sequence_gb) < 1.0, 0.0, held), dtype=np.float64)


def max_batch_per_replica(fit: MemoryFit, input_tokens: float, output_tokens: float) -> int:
    """Sequences one replica holds (``batch_for_kv`` on the replica's memory fit)."""
    return int(
        batch_for_kv(
            fit.kv_capacity_gb,
            fit.sequence_gb(input_tokens + output_tokens),
            fit.sequence_gb(input_tokens + output_tokens / 2.0),
            fit.batch_limit,
        )
    )
