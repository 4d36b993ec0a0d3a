"""The overflow hybrid: a local fleet sized below the peak, each hour's load above it sent to the cloud.

For a segment with both a cloud and a local choice, every local size from 0
replicas (all cloud) to the all-local size is costed over the horizon through
the projection, and the cheapest is kept when it is a true mix. The all-local
size is the one fleet-size formula (:func:`llmdecide.capacity.sizing.replicas_for`)
at each replica's full rate: the overflow absorbs the peaks that a target
utilisation guards against.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np
from numpy.typing import NDArray

from llmdecide.capacity.sizing import replicas_for
from llmdecide.costing.choices import price_local
from llmdecide.costing.plan import Overflow, Placement
from llmdecide.costing.prices import PriceBook
from llmdecide.costing.projection import FloatArray, Scenario, cloud_monthly, local_series, requests
from llmdecide.demand.load_profile import ServedShare
from llmdecide.options.candidates import SegmentCandidates

MAX_OVERFLOW_REPLICAS = 256
"""Largest local size tried for an overflow plan, in replicas."""


def overflow_costs(
    sc: SegmentCandidates,
    horizon: int,
    hours_per_month: float,
    replicas: NDArray[np.int64],
    served: ServedShare | None = None,
) -> tuple[FloatArray, FloatArray]:
    """Horizon cost of the segment with ``k`` local replicas and the overflow in the cloud, for each k.

    Returns (local hardware cost, cloud cost) per k, staff excluded; k = 0 is all cloud, and a k that
    covers every hour's load is all local. ``served`` is the segment's prepared profile, if already built.
    """
    assert sc.cloud and sc.local
    load = sc.load
    cloud, local = sc.cloud[0], sc.local[0]
    assert local.spec is not None
    neutral = Scenario.build()
    served = served if served is not None else ServedShare.of(load.hourly_profile())
    rate = local.sizing.requests_per_s_per_replica
    volume = requests(load.start_requests_per_month, load.segment.growth_per_month, neutral, horizon)
    average = volume / (hours_per_month * 3600.0)
    bill = cloud_monthly(cloud.spec, neutral, horizon)
    local_cost = np.zeros(len(replicas))
    cloud_cost = np.zeros(len(replicas))
    for i, k in enumerate(replicas):
        if k == 0:
            cloud_cost[i] = float(bill.sum())
            continue
        spec = replace(local.spec, pinned_gpus=int(k) * local.sizing.tp)
        local_cost[i] = float(local_series(spec, neutral, horizon).monthly_usd.sum())
        cloud_cost[i] = float((bill * (1.0 - served.served(average, float(k) * rate))).sum())
    return local_cost, cloud_cost


def full_replicas(sc: SegmentCandidates) -> int:
    """Replicas that carry the segment's highest peak hour over the horizon at each replica's full rate."""
    local = sc.local[0]
    peak = float(sc.load.peak_rps().max())
    return int(replicas_for(peak, local.sizing.requests_per_s_per_replica, 1.0))


def _overflow_placement(sc: SegmentCandidates, book: PriceBook) -> Placement | None:
    """The local size that minimises the segment's horizon cost with overflow to the cloud.

    None unless that size is a true mix: at least one replica, fewer than carry the peak, and some
    requests overflowing; so an overflow plan is never worse than all-cloud or all-local at that size.
    Fleets that need more than ``MAX_OVERFLOW_REPLICAS`` replicas at peak are not tried.
    """
    if not sc.cloud or not sc.local or sc.local[0].spec is None:
        return None
    load = sc.load
    local = sc.local[0]
    rate = local.sizing.requests_per_s_per_replica
    full = full_replicas(sc)
    terms = book.terms
    if full < 2 or full > MAX_OVERFLOW_REPLICAS:
        return None
    ks = np.arange(0, full + 1)
    served = ServedShare.of(load.hourly_profile())
    local_cost, cloud_cost = overflow_costs(sc, terms.horizon_months, terms.hours_per_month, ks, served)
    total = local_cost + cloud_cost
    best = int(np.argmin(total))
    k = int(ks[best])
    if k == 0:
        return None
    first_month = float(served.served(np.array(load.average_rps()[0]), k * rate))
    volume = requests(
        load.start_requests_per_month, load.segment.growth_per_month, Scenario.build(), terms.horizon_months
    )[0]
    sent = float((volume * (1.0 - served.served(volume / (terms.hours_per_month * 3600.0), k * rate))).sum())
    sent /= float(volume.sum())
    if k >= full or sent < 0.001:
        return None
    assert local.buy is not None or local.rent is not None
    prices = local.buy if local.buy is not None else local.rent
    assert prices is not None
    chosen = price_local(
        load, local.deployment, local.sizing, prices, terms, pinned_gpus=k * local.sizing.tp, overflows=True
    )
    overflow = Overflow(
        served,
        k * rate,
        load.start_requests_per_month,
        load.segment.growth_per_month,
        terms.hours_per_month,
        k * rate / float(load.peak_rps()[0]),
        replicas=k,
        full_replicas=full,
        overflow_share=sent,
        horizon_usd=float(total[best]),
        all_cloud_usd=float(total[0]),
        all_local_usd=float(total[-1]),
    )
    return Placement(load.name, sc.cloud[0], chosen, first_month, overflow)


def overflow_plan(
    book: PriceBook, segments: Sequence[SegmentCandidates], hybrid: Sequence[Placement] | None
) -> list[Placement] | None:
    """Local sized below peak for the segments where that is cheapest, the overflow to the cloud.

    The other segments keep their place in ``hybrid`` (the hybrid-by-segment placements).
    """
    if hybrid is None:
        return None
    placements: list[Placement] = []
    mixed = False
    for sc, default in zip(segments, hybrid, strict=True):
        found = _overflow_placement(sc, book) if sc.cloud_blocked is None else None
        if found is not None:
            placements.append(found)
            mixed = True
        else:
            placements.append(default)
    if not mixed:
        return None
    return placements
