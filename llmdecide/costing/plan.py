"""A plan: each segment placed on the cloud, on a local deployment, or split between them, and its cost.

A plan's horizon cost is the sum of its monthly costs (bought hardware as
straight-line depreciation, so its remaining book value is not a cost) plus
one-time setup. Staff and the workload's extra fixed costs are counted once per
plan that runs anything locally (:func:`staff_and_fixed`).

:func:`plan_costs` and :func:`horizon_costs` cost a plan in any set of
scenarios through the one projection (``projection.py``): the point estimate is
the neutral scenario, and sensitivity sweeps, Monte Carlo samples and break-even
go through the same arithmetic.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np

from llmdecide.capacity.sizing import LoadPoint, at_load
from llmdecide.catalog.catalog import Catalog
from llmdecide.catalog.schema import PriceBasis
from llmdecide.costing.choices import CloudChoice, CostSeries, LocalChoice
from llmdecide.costing.horizon import cloud_horizon, local_horizon
from llmdecide.costing.line_item import CostLineItem
from llmdecide.costing.local import extra_line_items
from llmdecide.costing.prices import PriceKind, PriceStep
from llmdecide.costing.projection import FloatArray, Scenario, cloud_monthly, local_series, requests
from llmdecide.costing.staff import Effort, effort_model
from llmdecide.demand.load_profile import ServedShare
from llmdecide.workload.schema import Workload

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
class PriceEvidence:
    """One catalog price a plan runs on: its basis and the date its source shows it."""

    entry: str
    what: PriceKind
    basis: PriceBasis
    end_unannounced: bool
    observed: dt.date | None

    def age_days(self, on: dt.date) -> int | None:
        """Days between the date the source shows and ``on`` (None when the catalog does not say)."""
        return None if self.observed is None else (on - self.observed).days

    def stale(self, on: dt.date, max_age_days: int) -> bool:
        """Whether the source showed this price more than ``max_age_days`` before ``on``."""
        age = self.age_days(on)
        return age is not None and age > max_age_days


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

    def price_evidence(self) -> list[PriceEvidence]:
        """Every catalog price this segment runs on: what it is and how old its evidence is."""
        out: list[PriceEvidence] = []
        if self.cloud is not None and self.local_share < 1.0:
            p = self.cloud.prices
            out.append(PriceEvidence(p.model_id, "API price", p.basis, p.end_unannounced, p.observed))
        if self.local is not None:
            acc = self.local.deployment.accelerator.id
            buy = self.local.buy
            if buy is not None and buy.unit_basis is not None:
                out.append(PriceEvidence(acc, "purchase price", buy.unit_basis, False, buy.unit_observed))
            rent = self.local.rent
            if rent is not None and rent.basis is not None and rent.offer is not None:
                out.append(PriceEvidence(rent.offer, "rental rate", rent.basis, False, rent.observed))
        return out

    def price_steps(self) -> list[PriceStep]:
        """The scheduled price changes inside the horizon of what this segment runs on."""
        steps: list[PriceStep] = []
        if self.cloud is not None and self.local_share < 1.0:
            steps += self.cloud.steps
        if self.local is not None:
            for prices in (self.local.buy, self.local.rent):
                if prices is not None:
                    steps += prices.steps
        return steps

    def at_peak(self, input_tokens: float, output_tokens: float) -> LoadPoint | None:
        """The local deployment's operating point at the first month's peak, per replica (or per device).

        An overflow deployment never queues: a request that finds every batch slot busy goes to the cloud, so
        at or above its capacity it runs at its sized operating point (full batch, no wait). None for a cloud
        segment.
        """
        local = self.local
        if local is None or local.spec is None:
            return None
        spec = local.spec
        peak = spec.start_requests_per_month / (spec.hours_per_month * 3600.0) * spec.peak_to_average * spec.share
        replicas = max(float(local.gpus[0]) / max(local.sizing.tp, 1), 1.0)
        arrival = peak / replicas
        sizing = local.sizing
        if self.overflow is not None and arrival >= self.overflow.capacity_rps / replicas:
            if sizing.per_user_output_tokens_per_s is None:
                return None
            return LoadPoint(
                arrival_rps=self.overflow.capacity_rps / replicas,
                concurrency=float(sizing.batch_per_replica),
                per_user_output_tokens_per_s=sizing.per_user_output_tokens_per_s,
                ttft_ms=sizing.ttft_ms,
                queue_ms=0.0,
                overloaded=False,
                sized_batch=sizing.batch_per_replica,
            )
        return at_load(local.deployment, sizing, arrival, input_tokens, output_tokens)

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


@dataclass(frozen=True)
class Plan:
    """One option: a placement for every segment, with its total cost (built by :func:`price_plan`)."""

    id: str
    kind: Kind
    label: str
    placements: tuple[Placement, ...]
    feasible: bool = True
    excluded_reason: str | None = None
    fixed_items: tuple[CostLineItem, ...] = ()
    series: CostSeries | None = None
    horizon_cost: float | None = None
    warnings: tuple[str, ...] = ()

    @classmethod
    def infeasible(cls, plan_id: str, kind: Kind, label: str, reason: str) -> Plan:
        """A plan some segment cannot follow, kept with the reason."""
        return cls(plan_id, kind, label, (), feasible=False, excluded_reason=reason)

    @property
    def line_items(self) -> list[CostLineItem]:
        """First-month line items: each segment's, then staff and fixed costs."""
        items: list[CostLineItem] = []
        for p in self.placements:
            items += p.line_items()
        return items + list(self.fixed_items)

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


def staff_and_fixed(
    workload: Workload, catalog: Catalog, placements: Sequence[Placement], effort: Effort | None = None
) -> list[CostLineItem]:
    """The plan-level staff (operations, on-call, setup, hiring) and extra fixed line items of a plan's local
    deployments (``staff.py``); the machines' upkeep is in each deployment's own lines."""
    effort = effort if effort is not None else effort_model(workload, catalog)
    deployments = [p.local.effort for p in placements if p.local is not None and p.local.effort is not None]
    items = effort.items(deployments)
    items += extra_line_items(
        [(e.name, e.usd_per_month, "workload: local.extra_monthly_costs") for e in workload.local.extra_monthly_costs]
    )
    return items


def describe(placements: Sequence[Placement]) -> str:
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


def plan_kind(placements: Sequence[Placement]) -> Kind:
    """cloud when every segment runs in the cloud, local when every one runs locally, else hybrid."""
    sides = {p.side for p in placements}
    if sides == {"cloud"}:
        return "cloud"
    if sides == {"local"}:
        return "local"
    return "hybrid"


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


def price_plan(
    plan_id: str, placements: Sequence[Placement], fixed_items: Sequence[CostLineItem], horizon: int
) -> Plan:
    """A feasible plan, totalled in the neutral scenario: its segments, plus ``fixed_items`` (staff and
    fixed costs, which the caller passes when the plan runs anything locally)."""
    draft = Plan(
        plan_id, plan_kind(placements), describe(placements), tuple(placements), fixed_items=tuple(fixed_items)
    )
    neutral = Scenario.build()
    costs = plan_costs(draft, neutral, horizon)
    warnings = tuple(
        w
        for p in placements
        for choice in (p.local, p.cloud if p.local_share < 1.0 else None)
        if choice is not None
        for w in choice.warnings
    )
    return replace(
        draft,
        series=CostSeries(costs.monthly_usd[0], costs.cash_usd[0], costs.up_front_usd[0]),
        horizon_cost=float(horizon_costs(draft, neutral, horizon)[0]),
        warnings=warnings,
    )
