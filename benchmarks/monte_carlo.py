"""Timing of the Monte Carlo over a workload's uncertain inputs.

Usage: python benchmarks/monte_carlo.py [SAMPLES]

For each bundled example that states an ``uncertainty:`` section, prints the
number of plans and the best-of-three wall time of the Monte Carlo at SAMPLES
samples (default 100,000): sampling, every plan's full horizon cost in every
sample (volume growth, price trends, API bills, local fleets re-sized, staff),
the decision in every sample (premium limit and payback gate included), and
the percentiles.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from llmdecide.assessment import assess_workload
from llmdecide.catalog import load_catalog
from llmdecide.scoring.robustness import monte_carlo
from llmdecide.workload import load_workload

EXAMPLES = Path(__file__).parent.parent / "examples"


def main() -> None:
    samples = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    catalog = load_catalog()
    print(f"Monte Carlo, {samples:,} samples, best of 3 runs")
    for path in sorted(EXAMPLES.glob("*.yaml")):
        workload = load_workload(path)
        u = workload.uncertainty
        if u is None or not u.ranges():
            continue
        a = assess_workload(workload.model_copy(update={"uncertainty": None}), catalog)
        plans = [p for p in a.plans if p.feasible]
        times = []
        for _ in range(3):
            start = time.perf_counter()
            monte_carlo(a.decider, u.ranges(), samples, recommended=a.recommended)
            times.append(time.perf_counter() - start)
        print(f"  {path.stem:<40} {len(plans):>2} plans  {min(times):6.3f} s")


if __name__ == "__main__":
    main()
