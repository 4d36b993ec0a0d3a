"""Timings of the vectorised cost and capacity model.

Usage: python benchmarks/cost_model.py

Prints how long a 1,000,000-point cost curve (cloud and local monthly cost and
break-even over a million monthly volumes) and 1,000 capacity evaluations
(40 model/accelerator deployments x 25 batch sizes, one numpy call) take.
"""

from __future__ import annotations

import itertools
import time

import numpy as np

from llmdecide.capacity.plan import replica_spec, resolve_deployment
from llmdecide.capacity.throughput import decode_step, stack_specs, ttft_seconds
from llmdecide.catalog import load_catalog
from llmdecide.costing.breakeven import break_even_requests_per_month, local_monthly_cost
from llmdecide.costing.cloud import RequestShape, cloud_monthly_cost, token_prices


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
    shape = RequestShape(500, 200, cached_input_fraction=0.3)
    prices = token_prices(catalog.api_model("openai/gpt-4o"), shape)
    volumes = np.linspace(0.0, 100_000_000.0, 1_000_000)

    def curve() -> None:
        cloud = cloud_monthly_cost(prices, shape, volumes)
        local = local_monthly_cost(
            volumes,
            capacity_per_replica=2_000_000,
            gpus_per_replica=2,
            per_gpu_monthly_usd=2_500.0,
            fixed_monthly_usd=8_000.0,
        )
        np.minimum(cloud, local)
        break_even_requests_per_month(
            cloud_cost_per_request_usd=float(cloud[1] / volumes[1]),
            capacity_per_replica=2_000_000,
            gpus_per_replica=2,
            per_gpu_monthly_usd=2_500.0,
            fixed_monthly_usd=8_000.0,
        )

    print(f"1,000,000-point cost curve (cloud, local, cheaper, break-even): {best_of(5, curve) * 1000:.1f} ms")

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
