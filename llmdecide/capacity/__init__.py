"""Capacity: how a model runs on an accelerator, and how many GPUs a load needs.

- ``memory``: whether weights, KV cache and overhead fit, and at what tensor parallelism;
- ``throughput``: the vectorised speed model (decode step, prefill, time to first token);
- ``deployment``: resolving a model, accelerator, engine and precisions into a :class:`Deployment`;
- ``sizing``: :func:`replicas_for`, the one fleet-size formula, and :func:`size_for_load`;
- ``planner``: :func:`plan_capacity`, the answer to ``llmdecide capacity``;
- ``calibration``: fitting engine profiles to published measurements.
"""

from llmdecide.capacity.deployment import CapacityError, Deployment, InputNames, resolve_deployment
from llmdecide.capacity.planner import CapacityResult, plan_capacity
from llmdecide.capacity.sizing import LoadSizing, replicas_for, size_for_load

__all__ = [
    "CapacityError",
    "CapacityResult",
    "Deployment",
    "InputNames",
    "LoadSizing",
    "plan_capacity",
    "replicas_for",
    "resolve_deployment",
    "size_for_load",
]
