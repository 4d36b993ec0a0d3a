"""Timings of the vectorised cost and capacity model.

Usage: python benchmarks/cost_model.py

Prints how long a 1,000,000-point cost curve (the cheapest cloud and local
plans of an example workload, first-month cost at a million volume multiples,
through the projection every report uses), one break-even search, and 1,000
capacity evaluations (40 model/accelerator deployments x 25 batch sizes, one
numpy call) take.
"""

from __future__ import annotations

import itertools
import time
from pathlib import Path

import numpy as np

from llmdecide.assessment import assess_workload
from llmdecide.capacity.deployment import replica_spec, resolve_deployment
from llmdecide.capacity.throughput import decode_step, stack_specs, ttft_seconds
from llmdecide.catalog import load_catalog
from llmdecide.costing.breakeven import break_even, first_month_cost_at_scale
from llmdecide.workload import load_workload

EXAMPLE = Path(__file__).parent.parent / "examples" / "code-assistant-500-engineers.yaml"


def best_of(runs: int, fn: object) -> float:
    assert callable(fn)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    catalog = load_catalog()
    a = assess_workload(load_workload(EXAMPLE), catalog)
    cloud, local = a.best_by_kind["cloud"], a.best_by_kind["local"]
    scales = np.geomspace(0.01, 100.0, 1_000_000)

    def curve() -> None:
        np.minimum(first_month_cost_at_scale(cloud, scales), first_month_cost_at_scale(local, scales))

    def search() -> None:
        break_even(cloud, local, a.today_requests_per_month)

    print(
        "1,000,000-point cost curve (cheapest cloud and local plans, cheaper of the two): "
        f"{best_of(5, curve) * 1000:.1f} ms"
    )
    print(f"break-even search (80,001-point grid and bisection): {best_of(5, search) * 1000:.1f} ms")

    models = ["llama-3.1-8b", "llama-3.1-70b", "qwen2.5-32b", "mixtral-8x7b", "gemma-2-27b"]
    gpus = ["h100-sxm", "h200", "a100-sxm-80gb", "l40s", "b200", "mi300x", "rtx-4090", "rtx-5090"]
    start = time.perf_counter()
    specs = []
    for model, gpu in itertools.product(models, gpus):
        d = resolve_deployment(catalog, model, gpu, precision="fp8" if "70b" in model else None)
        specs.append(replica_spec(d, 4 if "70b" in model else 1))
    build = time.perf_counter() - start
    n = len(specs)
    batches = np.tile(np.geomspace(1, 256, 25), n)
    repeated = stack_specs([s for s in specs for _ in range(25)])

    def evaluate() -> None:
        decode_step(repeated, batches, 1024, 256)
        ttft_seconds(repeated, batches, 1024, 256)

    print(f"building {n} deployment specs from the catalog: {build * 1000:.1f} ms (once)")
    print(
        f"{len(batches):,} capacity evaluations (decode step + time to first token), one call: "
        f"{best_of(20, evaluate) * 1000:.2f} ms"
    )


if __name__ == "__main__":
    main()
