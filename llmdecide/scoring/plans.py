"""Plans: each segment placed on the cloud, on a local deployment, or split between them.

The plans compared are: the cheapest cloud plan (each segment on its cheapest
eligible API model), the cheapest local plan, a hybrid that places each segment
where it fits best (sensitive data local, frontier work in the cloud, the rest on
the cheaper side), any pinned deployments the workload states, and runner-up
cloud and local plans. A plan that some segment cannot follow is kept,
marked infeasible, with the reason.

A plan's horizon cost is the sum of its monthly costs (bought hardware as
straight-line depreciation, so its remaining book value is not a cost) plus
one-time setup. Staff and the workload's extra fixed costs are counted once per
plan that runs anything locally.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from llmdecide.catalog.catalog import Catalog
from llmdecide.catalog.schema import Tier
from llmdecide.catalog.trends import TrendSet
from llmdecide.costing.line_item import CostLineItem
from llmdecide.costing.load_profile import ServedShare
from llmdecide.costing.local import (
    OPS_FTE_BY_CAPABILITY,
    SETUP_POINT_BY_CAPABILITY,
    Sourced,
    StaffTerms,
    extra_line_items,
    staff_line_items,
)
from llmdecide.costing.placement import CloudChoice, CostSeries, LocalChoice, deployment_label, price_local
from llmdecide.costing.projection import (
    FloatArray,
    Scenario,
    cloud_horizon,
    cloud_monthly,
    local_horizon,
    local_series,
    requests,
)
from llmdecide.scoring.candidates import SegmentCandidates, pinned_choice
from llmdecide.workload.schema import Sensitivity, Workload

Kind = Literal["cloud", "local", "hybrid"]


@dataclass(frozen=True)
class CostSeries2D:
    """Monthly cost, cash and up-front cash per scenario (rows) and month (columns)."""

    monthly_usd: FloatArray
    cash_usd: FloatArray
    up_front_usd: FloatArray


@dataclass(frozen=True)
class Overflow:
    """A local deployment of fixed capacity; the load above it goes to the cloud, hour by hour."""

    served: ServedShare
    capacity_rps: float
    start_requests_per_month: float
    growth_per_month: float
    hours_per_month: float
    share_of_peak: float
    """Local capacity as a share of today's peak request rate."""
    replicas: int
    """Local replicas chosen."""
    full_replicas: int
    """Replicas that would carry the peak hour at the horizon's end (the all-local size)."""
    overflow_share: float
    """Share of the horizon's requests sent to the cloud, at today's inputs."""
    horizon_usd: float
    """The segment's horizon cost at the chosen size (hardware and cloud; staff excluded)."""
    all_cloud_usd: float
    """The same segment all in the cloud."""
    all_local_usd: float
    """The same segment on ``full_replicas`` local replicas."""

    def cloud_share(self, s: Scenario, horizon: int) -> FloatArray:
        """Share of each month's requests that overflows to the cloud, in every scenario."""
        volume = requests(self.start_requests_per_month, self.growth_per_month, s, horizon)
        return np.asarray(1.0 - self.served.served(volume / (self.hours_per_month * 3600.0), self.capacity_rps))


@dataclass(frozen=True)
class Placement:
    """Where one segment runs in a plan."""

    segment: str
    cloud: CloudChoice | None
    local: LocalChoice | None
    local_share: float
    """Share of the segment's requests served locally (first month, for an overflow)."""
    overflow: Overflow | None = None

    @property
    def side(self) -> Literal["cloud", "local", "split"]:
        """cloud, local, or split (a share of the requests each way)."""
        if self.local is None:
            return "cloud"
        if self.cloud is None or (self.local_share >= 1.0 and self.overflow is None):
            return "local"
        return "split"

    def line_items(self) -> list[CostLineItem]:
        """First-month line items of this segment."""
        items: list[CostLineItem] = []
        if self.local is not None:
            items += self.local.line_items
        if self.cloud is not None and self.local_share < 1.0:
            share = 1.0 - self.local_share
            for item in self.cloud.line_items:
                if share < 1.0:
                    item = item.model_copy(
                        update={
                            "quantity": item.quantity * share,
                            "monthly_cost_usd": item.monthly_cost_usd * share,
                            "note": f"{share:.0%} of the segment's requests" + (f"; {item.note}" if item.note else ""),
                        }
                    )
                items.append(item)
        return items


@dataclass
class Plan:
    """One option: a placement for every segment, with its total cost."""

    id: str
    kind: Kind
    label: str
    placements: list[Placement]
    feasible: bool = True
    excluded_reason: str | None = None
    fixed_items: list[CostLineItem] = field(default_factory=list)
    series: CostSeries | None = None
    horizon_cost: float | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def line_items(self) -> list[CostLineItem]:
        """First-month line items: each segment's, then staff and fixed costs."""
        items: list[CostLineItem] = []
        for p in self.placements:
            items += p.line_items()
        return items + self.fixed_items

    @property
    def monthly_cost_usd(self) -> float:
        """Cost of the first month."""
        return float(self.series.monthly_usd[0]) if self.series is not None else float("nan")

    @property
    def one_time_usd(self) -> float:
        """Cash paid once: hardware bought in the first month and setup."""
        return sum(i.one_time_usd for i in self.line_items)

    @property
    def setup_usd(self) -> float:
        """One-time setup work (not hardware)."""
        return sum(i.one_time_usd for i in self.fixed_items if i.category == "setup")

    @property
    def horizon_cost_usd(self) -> float:
        """Sum of monthly costs over the horizon plus one-time setup (NaN for an infeasible plan)."""
        return self.horizon_cost if self.horizon_cost is not None else float("nan")

    def runs_locally(self) -> bool:
        """Whether any segment uses local hardware."""
        return any(p.local is not None for p in self.placements)


def staff_and_fixed(workload: Workload, catalog: Catalog) -> tuple[list[CostLineItem], float, float]:
    """Staff and extra fixed line items of a plan that runs locally: (items, monthly USD, one-time USD)."""
    a = catalog.require_assumptions()
    team = workload.team
    loaded = (
        (team.fte_loaded_usd_per_year, "workload: team.fte_loaded_usd_per_year")
        if team.fte_loaded_usd_per_year is not None
        else (a.mlops_fte_loaded_usd_per_year.value, f"assumption ({a.mlops_fte_loaded_usd_per_year.source})")
    )
    if team.ops_fte is not None:
        fte = (team.ops_fte, "workload: team.ops_fte")
    else:
        value = OPS_FTE_BY_CAPABILITY[team.capability.value]
        fte = (value, f"default for a team of {team.capability.value} capability")
    if team.setup_hours is not None:
        setup = (team.setup_hours, "workload: team.setup_hours")
    else:
        point = SETUP_POINT_BY_CAPABILITY[team.capability.value]
        value = getattr(a.setup_hours, point)
        value = a.setup_hours.value if value is None else value
        setup = (
            value,
            f"assumption setup_hours, {point} end for {team.capability.value} teams ({a.setup_hours.source})",
        )
    items = staff_line_items(StaffTerms(Sourced(*fte), Sourced(*loaded), Sourced(*setup)))
    items += extra_line_items(
        [(e.name, e.usd_per_month, "workload: local.extra_monthly_costs") for e in workload.local.extra_monthly_costs]
    )
    monthly = sum(i.monthly_cost_usd for i in items)
    one_time = sum(i.one_time_usd for i in items)
    return items, monthly, one_time


def describe(placements: list[Placement]) -> str:
    """Where each segment runs, in a few words (the segment name is left out when there is only one)."""
    parts = []
    for p in placements:
        if p.side == "cloud":
            assert p.cloud is not None
            text = p.cloud.model_id
        elif p.side == "local":
            assert p.local is not None
            text = p.local.label
        elif p.overflow is not None:
            assert p.local is not None and p.cloud is not None
            text = (
                f"{p.local.label}, sized for {p.overflow.share_of_peak:.0%} of today's peak; "
                f"{p.overflow.overflow_share:.1%} of requests overflow to {p.cloud.model_id}"
            )
        else:
            assert p.local is not None and p.cloud is not None
            text = f"{p.local_share:.0%} {p.local.label}, rest {p.cloud.model_id}"
        parts.append(text if len(placements) == 1 else f"{p.segment}: {text}")
    return "; ".join(parts)


def plan_costs(plan: Plan, s: Scenario, horizon: int) -> CostSeries2D:
    """A plan's monthly cost, cash and up-front cash in every scenario, each (n, horizon).

    The point estimate is the neutral scenario; sensitivity sweeps and Monte
    Carlo samples go through the same arithmetic.
    """
    monthly = np.zeros((s.n, horizon))
    cash = np.zeros((s.n, horizon))
    up_front = np.zeros((s.n, horizon))
    for p in plan.placements:
        if p.cloud is not None and p.overflow is not None:
            bill = cloud_monthly(p.cloud.spec, s, horizon) * p.overflow.cloud_share(s, horizon)
            monthly += bill
            cash += bill
        elif p.cloud is not None and p.local_share < 1.0:
            bill = cloud_monthly(p.cloud.spec, s, horizon, share=1.0 - p.local_share)
            monthly += bill
            cash += bill
        if p.local is not None:
            assert p.local.spec is not None
            ls = local_series(p.local.spec, s, horizon)
            monthly += ls.monthly_usd
            cash += ls.cash_usd
            up_front += ls.up_front_usd
    for item in plan.fixed_items:
        factor = s.staff_cost if item.category in ("staff", "setup") else 1.0
        monthly += item.monthly_cost_usd * factor
        cash += item.monthly_cost_usd * factor
        cash[:, :1] += item.one_time_usd * factor
        up_front[:, :1] += item.one_time_usd * factor
    return CostSeries2D(monthly, cash, up_front)


def horizon_costs(plan: Plan, s: Scenario, horizon: int) -> FloatArray:
    """Horizon cost in every scenario: monthly costs summed, plus one-time setup.

    Cloud bills are summed in closed form and each local deployment's bill is
    computed once per set of scenarios, so a hundred thousand samples stay fast.
    """
    total = np.zeros(s.n)
    for p in plan.placements:
        if p.cloud is not None and p.overflow is not None:
            total += (cloud_monthly(p.cloud.spec, s, horizon) * p.overflow.cloud_share(s, horizon)).sum(axis=1)
        elif p.cloud is not None and p.local_share < 1.0:
            total += cloud_horizon(p.cloud.spec, s, horizon, share=1.0 - p.local_share)
        if p.local is not None:
            assert p.local.spec is not None
            total += local_horizon(p.local.spec, s, horizon)
    staff = s.staff_cost[:, 0]
    for item in plan.fixed_items:
        factor = staff if item.category in ("staff", "setup") else 1.0
        total += item.monthly_cost_usd * horizon * factor
        if item.category == "setup":
            total += item.one_time_usd * factor
    return total


def finish(plan: Plan, workload: Workload, catalog: Catalog) -> Plan:
    """Total a plan: segments, plus staff and fixed costs when it runs locally, in the neutral scenario."""
    plan.label = describe(plan.placements)
    if plan.runs_locally():
        plan.fixed_items = staff_and_fixed(workload, catalog)[0]
    costs = plan_costs(plan, Scenario.build(), workload.horizon_months)
    plan.series = CostSeries(costs.monthly_usd[0], costs.cash_usd[0], costs.up_front_usd[0])
    plan.horizon_cost = float(horizon_costs(plan, Scenario.build(), workload.horizon_months)[0])
    for p in plan.placements:
        if p.local is not None:
            plan.warnings.extend(p.local.warnings)
    return plan


def _kind(placements: list[Placement]) -> Kind:
    sides = {p.side for p in placements}
    if sides == {"cloud"}:
        return "cloud"
    if sides == {"local"}:
        return "local"
    return "hybrid"


def _signature(placements: list[Placement]) -> tuple[object, ...]:
    return tuple(
        (p.segment, p.cloud.model_id if p.cloud else None, p.local.label if p.local else None, p.local_share)
        for p in placements
    )


def build_plans(
    workload: Workload, catalog: Catalog, segments: list[SegmentCandidates], trends: TrendSet
) -> list[Plan]:
    """Every plan compared in the report, feasible or not, without duplicates."""
    plans: list[Plan] = []
    seen: set[tuple[object, ...]] = set()

    def add(plan: Plan) -> None:
        if plan.feasible:
            sig = _signature(plan.placements)
            if sig in seen:
                return
            seen.add(sig)
            finish(plan, workload, catalog)
        plans.append(plan)

    for rank in range(3):
        for side in ("cloud", "local"):
            plan = _ranked_plan(segments, side, rank)
            if plan is not None:
                add(plan)

    hybrid = _hybrid_by_segment(segments)
    if hybrid is not None and _kind(hybrid) == "hybrid":
        add(Plan("hybrid", "hybrid", "hybrid by segment", hybrid))
    overflow = _overflow_plan(workload, segments, hybrid, trends)
    if overflow is not None:
        add(overflow)

    for i in range(len(workload.candidates.deployments)):
        add(_pinned_plan(workload, catalog, segments, trends, pin_index=i))
    return plans


def _ranked_plan(segments: list[SegmentCandidates], side: Literal["cloud", "local"], rank: int) -> Plan | None:
    """Every segment on its rank-th cheapest choice of one side (its last one when it has fewer)."""
    counts = [len(sc.cloud if side == "cloud" else sc.local) for sc in segments]
    if rank > 0 and all(n <= rank for n in counts):
        return None
    reasons = [sc.why_no(side) for sc, n in zip(segments, counts, strict=True) if n == 0]
    if reasons:
        if rank > 0:
            return None
        return Plan(side, side, f"all {side}", [], feasible=False, excluded_reason="; ".join(reasons))
    placements: list[Placement] = []
    for sc in segments:
        if side == "cloud":
            placements.append(Placement(sc.load.name, sc.cloud[min(rank, len(sc.cloud) - 1)], None, 0.0))
        else:
            placements.append(Placement(sc.load.name, None, sc.local[min(rank, len(sc.local) - 1)], 1.0))
    suffix = "" if rank == 0 else f"-{rank + 1}"
    return Plan(f"{side}{suffix}", side, f"{side}{'' if rank == 0 else f' #{rank + 1}'}", placements)


def _hybrid_by_segment(segments: list[SegmentCandidates]) -> list[Placement] | None:
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


def _pinned_plan(
    workload: Workload, catalog: Catalog, segments: list[SegmentCandidates], trends: TrendSet, *, pin_index: int
) -> Plan:
    pin = workload.candidates.deployments[pin_index]
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
        choice = pinned_choice(catalog, workload, sc.load, pin, pin_index, trends)
        if isinstance(choice, str):
            reasons.append(choice)
            continue
        if pin.local_share < 1.0 and cloud is None:
            reasons.append(
                f"{sc.load.name}: {1 - pin.local_share:.0%} of requests go to the cloud, but {sc.why_no('cloud')}"
            )
            continue
        placements.append(Placement(sc.load.name, cloud if pin.local_share < 1.0 else None, choice, pin.local_share))
    plan_id = f"pinned-{pin_index + 1}"
    if reasons:
        return Plan(plan_id, "local", pin.name, [], feasible=False, excluded_reason="; ".join(reasons))
    return Plan(plan_id, _kind(placements), pin.name, placements)


MAX_OVERFLOW_REPLICAS = 256
"""Largest local size tried for an overflow plan, in replicas."""


def overflow_costs(
    sc: SegmentCandidates, workload: Workload, replicas: NDArray[np.int64], served: ServedShare | None = None
) -> tuple[FloatArray, FloatArray]:
    """Horizon cost of the segment with ``k`` local replicas and the overflow in the cloud, for each k.

    Returns (local hardware cost, cloud cost) per k, staff excluded; k = 0 is all cloud, and a k that
    covers every hour's load is all local. ``served`` is the segment's prepared profile, if already built.
    """
    assert sc.cloud and sc.local
    load = sc.load
    cloud, local = sc.cloud[0], sc.local[0]
    assert local.spec is not None
    horizon = workload.horizon_months
    neutral = Scenario.build()
    served = served if served is not None else ServedShare.of(load.hourly_profile())
    rate = local.sizing.requests_per_s_per_replica
    volume = requests(load.start_requests_per_month, load.segment.growth_per_month, neutral, horizon)
    average = volume / (workload.hours_per_month * 3600.0)
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


def _overflow_placement(sc: SegmentCandidates, workload: Workload, trends: TrendSet) -> Placement | None:
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
    full = int(np.ceil(float(load.peak_rps().max()) / rate))
    if full < 2 or full > MAX_OVERFLOW_REPLICAS:
        return None
    ks = np.arange(0, full + 1)
    served = ServedShare.of(load.hourly_profile())
    local_cost, cloud_cost = overflow_costs(sc, workload, ks, served)
    total = local_cost + cloud_cost
    best = int(np.argmin(total))
    k = int(ks[best])
    if k == 0:
        return None
    first_month = float(served.served(np.array(load.average_rps()[0]), k * rate))
    volume = requests(
        load.start_requests_per_month, load.segment.growth_per_month, Scenario.build(), workload.horizon_months
    )[0]
    sent = float((volume * (1.0 - served.served(volume / (workload.hours_per_month * 3600.0), k * rate))).sum())
    sent /= float(volume.sum())
    if k >= full or sent < 0.001:
        return None
    d = local.deployment
    gpus = k * local.sizing.tp
    chosen = price_local(
        load,
        d,
        local.sizing,
        acquisition=local.acquisition,
        buy=local.buy,
        rent=local.rent,
        hours_per_month=workload.hours_per_month,
        horizon_months=workload.horizon_months,
        share=1.0,
        target_utilization=workload.local.target_utilization,
        label=deployment_label(d, gpus, local.acquisition),
        pinned_gpus=gpus,
        gpu_price_decline_per_year=trends.purchase.decline_per_year,
        rental_decline_per_year=trends.rental.decline_per_year,
        overflows=True,
    )
    overflow = Overflow(
        served,
        k * rate,
        load.start_requests_per_month,
        load.segment.growth_per_month,
        workload.hours_per_month,
        k * rate / float(load.peak_rps()[0]),
        replicas=k,
        full_replicas=full,
        overflow_share=sent,
        horizon_usd=float(total[best]),
        all_cloud_usd=float(total[0]),
        all_local_usd=float(total[-1]),
    )
    return Placement(load.name, sc.cloud[0], chosen, first_month, overflow)


def _overflow_plan(
    workload: Workload, segments: list[SegmentCandidates], hybrid: list[Placement] | None, trends: TrendSet
) -> Plan | None:
    """Local sized below peak for the segments where that is cheapest, the overflow to the cloud.

    The other segments keep their place in ``hybrid`` (the hybrid-by-segment placements).
    """
    if hybrid is None:
        return None
    placements: list[Placement] = []
    mixed = False
    for sc, default in zip(segments, hybrid, strict=True):
        found = _overflow_placement(sc, workload, trends) if sc.cloud_blocked is None else None
        if found is not None:
            placements.append(found)
            mixed = True
        else:
            placements.append(default)
    if not mixed:
        return None
    return Plan("overflow", "hybrid", "overflow hybrid", placements)
