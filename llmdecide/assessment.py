"""One assessment, stage by stage: the orchestrator behind ``llmdecide assess``.

resolve the workload's ids → demand (segment loads) → prices (:class:`PriceBook`)
→ options (candidates, plans, each priced through the projection) → scores →
the one decision rule → break-even and payback → robustness → explanations.
The result is one frozen :class:`Assessment`, built in one constructor call.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from llmdecide.catalog.catalog import Catalog
from llmdecide.catalog.schema import TEMPORARY_BASES, PriceBasis
from llmdecide.catalog.trends import TrendSet, trend_set
from llmdecide.costing.breakeven import BreakEven, break_even
from llmdecide.costing.finance import discount_rate
from llmdecide.costing.plan import Plan
from llmdecide.costing.prices import PriceBook
from llmdecide.costing.staff import effort_model
from llmdecide.demand.segment_load import SegmentLoad, segment_loads, today_requests_per_month
from llmdecide.errors import InputFileError
from llmdecide.options.candidates import SegmentCandidates, segment_candidates
from llmdecide.options.cloud import cloud_pool
from llmdecide.options.plans import build_plans
from llmdecide.options.resolve import check_workload_ids
from llmdecide.scoring.decision import Decider, Decision, recommend
from llmdecide.scoring.dimensions import Scores, score_plan
from llmdecide.scoring.explain import (
    DecidedBy,
    Premium,
    SegmentBlocks,
    decided_by,
    flips,
    gates_at_point,
    payback_waiver,
    premium_at_point,
    rationale,
)
from llmdecide.scoring.robustness import (
    MONTE_CARLO_SEED,
    MonteCarlo,
    SensitivityRow,
    fragility,
    monte_carlo,
    sensitivity,
)
from llmdecide.scoring.statements import Flip, Gate, Reason
from llmdecide.units import month_starts
from llmdecide.workload.schema import Workload


@dataclass(frozen=True)
class HoursPerMonth:
    """Hours in a month the costs use, and where the figure came from."""

    value: float
    source: str


def horizon_start(workload: Workload, catalog: Catalog) -> dt.date | None:
    """The first day of month 0: the workload's ``as_of``, else the catalog's review date."""
    return workload.as_of or catalog.as_of


@dataclass(frozen=True)
class Assessment:
    """Everything the report is built from."""

    workload: Workload
    hours: HoursPerMonth
    starts: dt.date | None
    """First day of month 0; each month is priced on its first day (None: at the newest catalog prices)."""
    loads: dict[str, SegmentLoad]
    segments: tuple[SegmentCandidates, ...]
    plans: tuple[Plan, ...]
    scores: dict[str, Scores]
    recommended: Plan | None
    best_by_kind: dict[str, Plan]
    """The cheapest feasible plan of each kind, on the cost basis."""
    decider: Decider
    """The decision rule over the feasible plans, for re-deciding under other inputs."""
    decision: Decision | None
    """The decision at today's inputs: ordering, costs on the cost basis, gates, premium limits."""
    premium: Premium | None
    """The recommended plan's premium over the cheapest plan the gates let through."""
    gates: tuple[Gate, ...]
    """Gates that held back a plan cheaper than the recommended one."""
    decided_by: DecidedBy
    rationale: tuple[Reason, ...]
    flips: tuple[Flip, ...]
    break_even: BreakEven
    warnings: tuple[str, ...]
    sensitivity: tuple[SensitivityRow, ...]
    monte_carlo: MonteCarlo | None
    fragile: tuple[Reason, ...]
    """Why the decision is fragile (empty when it is robust)."""
    trends: TrendSet

    @property
    def today_requests_per_month(self) -> float:
        """Requests of every segment in the first month."""
        return today_requests_per_month(self.loads)


def check_price_date(workload: Workload, catalog: Catalog) -> None:
    """An ``as_of`` date before every catalog price is an input error, not an empty report."""
    if workload.as_of is None:
        return
    starts = [p.effective_from for e in catalog.api_models.values() for p in e.item.prices]
    if starts and workload.as_of < min(starts):
        raise InputFileError(
            f"as_of {workload.as_of.isoformat()}: the catalog has no prices that old "
            f"(the earliest takes effect {min(starts).isoformat()})"
        )


def hours_per_month(workload: Workload, catalog: Catalog) -> HoursPerMonth:
    """The workload's hours per month if it states them, else the catalog's assumption, else the 730 default."""
    if "hours_per_month" in workload.model_fields_set:
        return HoursPerMonth(workload.hours_per_month, "workload")
    if catalog.assumptions is not None:
        a = catalog.assumptions.hours_per_month
        return HoursPerMonth(a.value, f"{catalog.assumptions_file}: {a.source}")
    return HoursPerMonth(workload.hours_per_month, "default (cloud billing)")


BASIS_CAVEATS = {
    PriceBasis.PREVIEW: "a preview price, which may change at general availability",
    PriceBasis.USED: "a used or refurbished price",
    PriceBasis.FLOOR: "a 'from' price (the lowest listing); typical prices are higher",
    PriceBasis.RANGE_MIDPOINT: "the middle of a published range",
    PriceBasis.DERIVED: "derived from other figures (see the catalog entry's note)",
}
"""What a plan priced on each non-list basis should be read with."""


def by_price(lines: Sequence[tuple[str, str]]) -> list[str]:
    """(plan id, caveat) pairs as one line per caveat, naming every plan it applies to: 'cloud, local: ...'."""
    plans: dict[str, list[str]] = {}
    for plan, caveat in lines:
        plans.setdefault(caveat, [])
        if plan not in plans[caveat]:
            plans[caveat].append(plan)
    return [f"{', '.join(ids)}: {caveat}" for caveat, ids in plans.items()]


def basis_warnings(plans: Sequence[Plan]) -> list[tuple[str, str]]:
    """(plan id, caveat) per catalog price, in the plans given, that is not a plain list, street or negotiated price."""
    out: list[tuple[str, str]] = []
    for plan in plans:
        for placement in plan.placements:
            for e in placement.price_evidence():
                if e.basis in TEMPORARY_BASES and e.end_unannounced:
                    caveat = f"a {e.basis.value} price whose end is not announced; it is billed for the whole horizon"
                elif e.basis in BASIS_CAVEATS:
                    caveat = BASIS_CAVEATS[e.basis]
                else:
                    continue
                out.append((plan.id, f"the {e.what} of {e.entry} is {caveat}"))
    return out


def staleness_warnings(plans: Sequence[Plan], on: dt.date | None, max_age_days: int) -> list[tuple[str, str]]:
    """(plan id, caveat) per catalog price, in the plans given, whose source showed it over ``max_age_days`` ago."""
    if on is None:
        return []
    out: list[tuple[str, str]] = []
    for plan in plans:
        for placement in plan.placements:
            for e in placement.price_evidence():
                if e.stale(on, max_age_days) and e.observed is not None:
                    out.append(
                        (
                            plan.id,
                            f"the {e.what} of {e.entry} was last shown by its source on {e.observed.isoformat()}, "
                            f"{e.age_days(on)} days before {on.isoformat()} (more than {max_age_days}; "
                            "evidence_max_age_days): check it before budgeting on it",
                        )
                    )
    return out


def assess_workload(workload: Workload, catalog: Catalog) -> Assessment:
    """Run the whole decision for a workload against a catalog."""
    check_price_date(workload, catalog)
    check_workload_ids(workload, catalog)
    hours = hours_per_month(workload, catalog)
    loads = segment_loads(workload, hours.value)
    t = workload.price_trends
    trends = trend_set(
        catalog,
        end=workload.as_of,
        api_override=t.api_decline_per_year,
        rental_override=t.gpu_rental_decline_per_year,
        purchase_override=t.gpu_purchase_decline_per_year,
    )
    start = horizon_start(workload, catalog)
    starts = month_starts(start, workload.horizon_months) if start is not None else None
    book = PriceBook(catalog, workload, trends, hours.value, starts)
    pool = cloud_pool(catalog, workload)
    segments = tuple(segment_candidates(book, loads[s.name], pool) for s in workload.segments)
    plans = tuple(build_plans(book, segments))
    feasible = [p for p in plans if p.feasible]
    base = {p.id: score_plan(p, workload, loads, catalog.require_assumptions()) for p in feasible}
    decider = Decider(feasible, base, workload, discount_rate(workload, catalog).value if feasible else 0.0)
    recommended, decision = recommend(decider)
    scores: dict[str, Scores] = {}
    best_by_kind: dict[str, Plan] = {}
    premium: Premium | None = None
    gates: list[Gate] = []
    waiver: Reason | None = None
    if recommended is not None and decision is not None:
        costs = decision.costs[:, 0]
        bar = float(costs[int(decision.cheapest[0])])
        scores = {
            p.id: base[p.id].with_cost(float(c), bar, decider.weights) for p, c in zip(feasible, costs, strict=True)
        }
        for i in sorted(range(len(feasible)), key=lambda i: (float(costs[i]), feasible[i].id)):
            best_by_kind.setdefault(feasible[i].kind, feasible[i])
        premium = premium_at_point(decider, decision, recommended)
        gates = gates_at_point(decider, decision, recommended)
        waiver = payback_waiver(decider, decision, recommended)
    today = today_requests_per_month(loads)
    be = break_even(best_by_kind.get("cloud"), best_by_kind.get("local"), today)
    warnings = sorted({w for sc in segments for w in sc.warnings} | {w for p in feasible for w in p.warnings})
    shown = [recommended] if recommended is not None else []
    shown += [p for p in best_by_kind.values() if p not in shown]
    stale = staleness_warnings(shown, start, workload.evidence_max_age_days)
    warnings = sorted(set(warnings) | set(by_price(basis_warnings(shown) + stale)))
    budget = workload.constraints.monthly_budget_usd
    if budget is not None and recommended is not None and recommended.monthly_cost_usd > budget:
        warnings.append(
            f"the recommended plan costs {recommended.monthly_cost_usd:,.0f} USD a month, above the "
            f"{budget:,.0f} USD budget"
        )
    rows: list[SensitivityRow] = []
    mc: MonteCarlo | None = None
    fragile: list[Reason] = []
    if recommended is not None:
        rows = sensitivity(decider, recommended)
        u = workload.uncertainty
        if u is not None and u.ranges():
            seed = u.seed if u.seed is not None else MONTE_CARLO_SEED
            mc = monte_carlo(decider, u.ranges(), u.samples, seed, recommended=recommended)
        fragile = fragility(rows, mc, feasible)
    blocks = [
        SegmentBlocks(sc.load.name, sc.load.segment.data_sensitivity, sc.cloud_blocked, sc.local_blocked)
        for sc in segments
    ]
    effort = book.terms.effort or effort_model(workload, catalog)
    return Assessment(
        workload=workload,
        hours=hours,
        starts=start,
        loads=loads,
        segments=segments,
        plans=plans,
        scores=scores,
        recommended=recommended,
        best_by_kind=best_by_kind,
        decider=decider,
        decision=decision,
        premium=premium,
        gates=tuple(gates),
        decided_by=decided_by(
            recommended,
            plans,
            best_by_kind,
            premium,
            gates,
            {p.id: float(c) for p, c in zip(feasible, decision.costs[:, 0], strict=True)} if decision else None,
            workload.preferences.cost_basis,
        ),
        rationale=tuple(
            rationale(recommended, plans, best_by_kind, scores, be, workload, gates, effort)
            + ([waiver] if waiver is not None else [])
        ),
        flips=tuple(flips(recommended, plans, rows, blocks, gates)),
        break_even=be,
        warnings=tuple(warnings),
        sensitivity=tuple(rows),
        monte_carlo=mc,
        fragile=tuple(fragile),
        trends=trends,
    )
