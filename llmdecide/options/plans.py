"""Plans: the options compared, each a placement of every segment on the cloud, on local hardware, or both.

The plans compared are: the cheapest cloud plan (each segment on its cheapest
eligible API model), the cheapest local plan, a hybrid that places each segment
where it fits best (sensitive data local, frontier work in the cloud, the rest on
the cheaper side), the cost-optimal overflow hybrid (``overflow.py``), any
pinned deployments the workload states, and runner-up cloud and local plans. A
plan that some segment cannot follow is kept, marked infeasible, with the
reason. Each feasible plan is priced once, by :func:`llmdecide.costing.plan.price_plan`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Literal

import numpy as np

from llmdecide.catalog.schema import Tier
from llmdecide.costing.plan import Kind, Placement, Plan, describe, plan_kind, price_plan, staff_and_fixed
from llmdecide.costing.prices import PriceBook
from llmdecide.limits import MAX_RESULT_GPUS, MAX_RESULT_USD
from llmdecide.options.candidates import SegmentCandidates, pinned_choice
from llmdecide.options.overflow import overflow_plan
from llmdecide.workload.schema import Sensitivity


def _signature(placements: Sequence[Placement]) -> tuple[object, ...]:
    return tuple(
        (p.segment, p.cloud.model_id if p.cloud else None, p.local.label if p.local else None, p.local_share)
        for p in placements
    )


def build_plans(book: PriceBook, segments: Sequence[SegmentCandidates]) -> list[Plan]:
    """Every plan compared in the report, feasible or not, without duplicates; each feasible one priced."""
    workload = book.workload
    plans: list[Plan] = []
    seen: set[tuple[object, ...]] = set()

    def add(plan_id: str, placements: Sequence[Placement] | str, *, kind: Kind | None = None, label: str = "") -> None:
        if isinstance(placements, str):
            plans.append(Plan.infeasible(plan_id, kind or "local", label, placements))
            return
        sig = _signature(placements)
        if sig in seen:
            return
        seen.add(sig)
        local = any(p.local is not None for p in placements)
        try:
            with np.errstate(over="raise", invalid="raise"):
                fixed = staff_and_fixed(workload, book.catalog, placements, book.terms.effort) if local else []
                plan = price_plan(plan_id, placements, fixed, workload.horizon_months)
        except FloatingPointError:
            plan = None
        reason = outside_sizing(plan, placements)
        if reason is not None or plan is None:
            plans.append(Plan.infeasible(plan_id, plan_kind(placements), label or describe(placements), reason or ""))
            return
        plans.append(plan)

    for rank in range(3):
        for side in ("cloud", "local"):
            ranked = _ranked_plan(segments, side, rank)
            if ranked is not None:
                add(f"{side}{'' if rank == 0 else f'-{rank + 1}'}", ranked, kind=side, label=f"all {side}")

    hybrid = _hybrid_by_segment(segments)
    if hybrid is not None and plan_kind(hybrid) == "hybrid":
        add("hybrid", hybrid)
    overflow = overflow_plan(book, segments, hybrid)
    if overflow is not None:
        add("overflow", overflow)

    for i, pin in enumerate(workload.candidates.deployments):
        add(f"pinned-{i + 1}", _pinned_placements(book, segments, pin_index=i), label=pin.name)
    return plans


def outside_sizing(plan: Plan | None, placements: Sequence[Placement]) -> str | None:
    """Why a plan's figures are beyond what llmdecide can size (``limits.MAX_RESULT_USD``, ``MAX_RESULT_GPUS``),
    or None when they are within: such a plan is reported with the reason, never with its numbers."""
    outside = "outside what llmdecide can size"
    gpus = max((float(np.max(p.local.gpus)) for p in placements if p.local is not None), default=0.0)
    if not math.isfinite(gpus) or gpus > MAX_RESULT_GPUS:
        return f"{outside}: it would need more than {MAX_RESULT_GPUS:,} accelerators"
    if plan is None:
        return f"{outside}: its costs overflow"
    series = plan.series
    figures = [plan.horizon_cost_usd] + ([] if series is None else [float(np.max(np.abs(series.monthly_usd)))])
    if not all(math.isfinite(v) for v in figures):
        return f"{outside}: its costs are not finite numbers"
    if plan.horizon_cost_usd > MAX_RESULT_USD:
        return f"{outside}: it would cost more than {MAX_RESULT_USD:,.0f} USD over the horizon"
    return None


def _ranked_plan(
    segments: Sequence[SegmentCandidates], side: Literal["cloud", "local"], rank: int
) -> list[Placement] | str | None:
    """Every segment on its rank-th cheapest choice of one side (its last one when it has fewer).

    None when no segment has that many choices; the reason when some segment has none at all.
    """
    counts = [len(sc.cloud if side == "cloud" else sc.local) for sc in segments]
    if rank > 0 and all(n <= rank for n in counts):
        return None
    reasons = [sc.why_no(side) for sc, n in zip(segments, counts, strict=True) if n == 0]
    if reasons:
        if rank > 0:
            return None
        return "; ".join(reasons)
    placements: list[Placement] = []
    for sc in segments:
        if side == "cloud":
            placements.append(Placement(sc.load.name, sc.cloud[min(rank, len(sc.cloud) - 1)], None, 0.0))
        else:
            placements.append(Placement(sc.load.name, None, sc.local[min(rank, len(sc.local) - 1)], 1.0))
    return placements


def _hybrid_by_segment(segments: Sequence[SegmentCandidates]) -> list[Placement] | None:
    """Each segment where it fits best: sensitive data local, frontier work cloud, the rest the cheaper side."""
    placements: list[Placement] = []
    for sc in segments:
        cloud = sc.cloud[0] if sc.cloud else None
        local = sc.local[0] if sc.local else None
        if cloud is None and local is None:
            return None
        seg = sc.load.segment
        if cloud is None:
            placements.append(Placement(sc.load.name, None, local, 1.0))
        elif local is None:
            placements.append(Placement(sc.load.name, cloud, None, 0.0))
        elif seg.data_sensitivity in (Sensitivity.REGULATED, Sensitivity.CRITICAL):
            placements.append(Placement(sc.load.name, None, local, 1.0))
        elif seg.capability is Tier.FRONTIER:
            placements.append(Placement(sc.load.name, cloud, None, 0.0))
        elif float(local.series.monthly_usd.sum()) < float(cloud.series.monthly_usd.sum()):
            placements.append(Placement(sc.load.name, None, local, 1.0))
        else:
            placements.append(Placement(sc.load.name, cloud, None, 0.0))
    return placements


def _pinned_placements(
    book: PriceBook, segments: Sequence[SegmentCandidates], *, pin_index: int
) -> list[Placement] | str:
    """A pinned deployment for the segments it serves, the cheapest cloud model for the rest; or the reasons
    it cannot be followed."""
    pin = book.workload.candidates.deployments[pin_index]
    served = set(pin.segments or [s.load.name for s in segments])
    placements: list[Placement] = []
    reasons: list[str] = []
    for sc in segments:
        cloud = sc.cloud[0] if sc.cloud else None
        if sc.load.name not in served:
            if cloud is None:
                reasons.append(sc.why_no("cloud"))
            else:
                placements.append(Placement(sc.load.name, cloud, None, 0.0))
            continue
        if sc.local_blocked:
            reasons.append(f"{sc.load.name}: {sc.local_blocked}")
            continue
        choice = pinned_choice(book, sc.load, pin, pin_index)
        if isinstance(choice, str):
            reasons.append(choice)
            continue
        if pin.local_share < 1.0 and cloud is None:
            reasons.append(
                f"{sc.load.name}: {1 - pin.local_share:.0%} of requests go to the cloud, but {sc.why_no('cloud')}"
            )
            continue
        placements.append(Placement(sc.load.name, cloud if pin.local_share < 1.0 else None, choice, pin.local_share))
    return "; ".join(reasons) if reasons else placements
