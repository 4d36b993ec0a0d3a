"""Options: which plans are compared, and which are ruled out and why.

- ``resolve``: every catalog id the workload names, checked once up front (did-you-mean, exit code 5);
- ``constraints``: the hard constraints that rule a side out for a segment;
- ``side``, ``cloud``, ``candidates``: per segment, the cloud models and the local deployments that could
  serve it, cheapest first;
- ``plans``: the plans assembled from them (cheapest cloud, local, hybrid by segment, pinned, runners-up);
- ``overflow``: the cost-optimal local size with overflow to the cloud.
"""
