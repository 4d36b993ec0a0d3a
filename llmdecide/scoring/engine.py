"""The decision: score the feasible plans, pick one, say why and what would flip it.

Hard constraints have already removed plans (they are kept as infeasible with
their reason). Among the feasible plans the highest weighted score wins; ties go
to the cheaper plan. The report states which rule or score decided, the
break-even volume between the cheapest cloud and local plans, payback, and
the changes that would flip the decision.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from llmdecide.catalog.catalog import Catalog
from llmdecide.catalog.trends import TrendSet, trend_set
from llmdecide.costing.breakeven import payback_months
from llmdecide.costing.segment_load import SegmentLoad, segment_load
from llmdecide.errors import InputFileError
from llmdecide.scoring.candidates import SegmentCandidates, segment_candidates
from llmdecide.scoring.dimensions import DIMENSIONS, TEAM, Scores, normalised_weights, score_plan
from llmdecide.scoring.plans import Plan, build_plans
from llmdecide.scoring.robustness import MONTE_CARLO_SEED, MonteCarlo, SensitivityRow, monte_carlo, sensitivity
from llmdecide.workload.schema import Sensitivity, TeamCapability, Workload

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class BreakEven:
    """Where the cheapest local plan meets the cheapest cloud plan."""

    cloud_plan: str | None
    local_plan: str | None
    requests_per_month: float | None
    """Total monthly requests at which both cost the same (None: never, or not comparable)."""
    scale: float | None
    """Break-even volume as a multiple of today's volume."""
    payback_months: float | None
    local_cheaper_above: bool | None
    """True when local is the cheaper side above the break-even volume."""
    note: str


@dataclass
class Assessment:
    """Everything the report is built from."""

    workload: Workload
    loads: dict[str, SegmentLoad]
    segments: list[SegmentCandidates]
    plans: list[Plan]
    scores: dict[str, Scores]
    recommended: Plan | None
    best_by_kind: dict[str, Plan]
    decided_by: str
    rationale: list[str]
    flips: list[str]
    break_even: BreakEven
    warnings: list[str] = field(default_factory=list)
    sensitivity: list[SensitivityRow] = field(default_factory=list)
    monte_carlo: MonteCarlo | None = None
    fragile: list[str] = field(default_factory=list)
    """Why the decision is fragile (empty when it is robust)."""
    trends: TrendSet | None = None


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


def assess_workload(workload: Workload, catalog: Catalog) -> Assessment:
    """Run the whole decision for a workload against a catalog."""
    check_price_date(workload, catalog)
    loads = segment_loads(workload)
    t = workload.price_trends
    trends = trend_set(
        catalog,
        end=workload.as_of,
        api_override=t.api_decline_per_year,
        rental_override=t.gpu_rental_decline_per_year,
        purchase_override=t.gpu_purchase_decline_per_year,
    )
    segments = [segment_candidates(catalog, workload, loads[s.name], trends) for s in workload.segments]
    plans = build_plans(workload, catalog, segments, trends)
    feasible = [p for p in plans if p.feasible]
    scores: dict[str, Scores] = {}
    if feasible:
        cheapest = min(p.horizon_cost_usd for p in feasible)
        for p in feasible:
            scores[p.id] = score_plan(p, workload, loads, cheapest)
    best_by_kind: dict[str, Plan] = {}
    for p in sorted(feasible, key=lambda p: (p.horizon_cost_usd, p.id)):
        best_by_kind.setdefault(p.kind, p)
    order = {p.id: i for i, p in enumerate(plans)}
    recommended = (
        max(feasible, key=lambda p: (round(scores[p.id].total, 9), -round(p.horizon_cost_usd, 6), -order[p.id]))
        if feasible
        else None
    )
    warnings = sorted({w for sc in segments for w in sc.warnings} | {w for p in feasible for w in p.warnings})
    be = break_even(workload, best_by_kind.get("cloud"), best_by_kind.get("local"), loads)
    a = Assessment(
        workload, loads, segments, plans, scores, recommended, best_by_kind, "", [], [], be, warnings, trends=trends
    )
    if recommended is not None:
        ordered = [p for p in plans if p.feasible]
        a.sensitivity = sensitivity(ordered, recommended, scores, workload)
        if workload.uncertainty is not None and workload.uncertainty.ranges():
            u = workload.uncertainty
            seed = u.seed if u.seed is not None else MONTE_CARLO_SEED
            a.monte_carlo = monte_carlo(ordered, scores, workload, u.ranges(), u.samples, seed)
        a.fragile = fragility(a)
    a.decided_by = decided_by(a)
    a.rationale = rationale(a)
    a.flips = flips(a)
    budget = workload.constraints.monthly_budget_usd
    if budget is not None and recommended is not None and recommended.monthly_cost_usd > budget:
        a.warnings.append(
            f"the recommended plan costs {recommended.monthly_cost_usd:,.0f} USD a month, above the "
            f"{budget:,.0f} USD budget"
        )
    return a


NEAR = {"x": (2 / 3, 1.5), "+": (-0.02, 0.02)}
"""How far an input may move and still be 'close to today': a third down or half up, or two points."""
NEAR_TREND = (-0.15, 0.15)


def fragility(a: Assessment) -> list[str]:
    """Reasons the decision is fragile: a flip close to today's inputs, or a low chance of winning."""
    out: list[str] = []
    for row in a.sensitivity:
        if row.flip_value is None:
            continue
        low, high = NEAR_TREND if row.input.name == "api_trend" else NEAR[row.input.unit]
        if row.input.unit == "x" and low <= row.flip_value <= high:
            out.append(f"{row.input.label} at {row.flip_value:.2f}x today's flips it to {row.flip_to}")
        elif row.input.unit == "+" and low <= row.flip_value <= high:
            out.append(f"{row.input.label} {row.flip_value:+.3f} flips it to {row.flip_to}")
    mc = a.monte_carlo
    if mc is not None and a.recommended is not None:
        share = next(d.probability_recommended for d in mc.plans if d.plan == a.recommended.id)
        if share < 0.7:
            out.append(f"it wins in only {share:.0%} of {mc.samples:,} sampled futures")
    return out


def plan_cost_at_scale(plan: Plan, loads: dict[str, SegmentLoad], workload: Workload, x: FloatArray) -> FloatArray:
    """First-month cost of a plan if every segment's volume were ``x`` times today's (vectorised over ``x``).

    Cloud and by-use rental costs scale linearly; sized GPUs step with replicas;
    pinned deployments and staff stay fixed.
    """
    total = np.full_like(x, sum(i.monthly_cost_usd for i in plan.fixed_items), dtype=np.float64)
    util = workload.local.target_utilization
    for p in plan.placements:
        load = loads[p.segment]
        if p.cloud is not None and p.local_share < 1.0:
            total += x * float(p.cloud.series.monthly_usd[0]) * (1.0 - p.local_share)
        local = p.local
        if local is None:
            continue
        now = float(local.series.monthly_usd[0])
        if local.acquisition == "rent" and workload.local.rent_billing == "by_use":
            total += x * now
            continue
        if local.pinned:
            total += now
            continue
        per_gpu = now / float(local.gpus[0])
        replicas = np.maximum(
            np.ceil(x * float(load.peak_rps()[0]) * p.local_share / (local.sizing.requests_per_s_per_replica * util)),
            1.0,
        )
        gpus = replicas * local.sizing.tp
        if local.acquisition == "rent":
            gpus = np.ceil(gpus / local.gpus_per_instance) * local.gpus_per_instance
        total += gpus * per_gpu
    return total


def break_even(workload: Workload, cloud: Plan | None, local: Plan | None, loads: dict[str, SegmentLoad]) -> BreakEven:
    """Volume where the cheapest local and cloud plans cost the same, and local's payback against the cloud."""
    if cloud is None or local is None:
        missing = "cloud" if cloud is None else "local"
        return BreakEven(
            cloud.id if cloud else None,
            local.id if local else None,
            None,
            None,
            None,
            None,
            f"no feasible {missing} plan to compare with",
        )
    assert cloud.series is not None and local.series is not None
    payback = payback_months(
        cloud.series.cash_usd, local.series.cash_usd - local.series.up_front_usd, local.series.up_front_usd
    )
    today = sum(load.start_requests_per_month for load in loads.values())
    x = np.geomspace(1e-4, 1e4, 80_001)
    diff = plan_cost_at_scale(local, loads, workload, x) - plan_cost_at_scale(cloud, loads, workload, x)
    below = diff <= 0
    cheaper_now = float(plan_cost_at_scale(local, loads, workload, np.array([1.0]))[0]) <= float(
        plan_cost_at_scale(cloud, loads, workload, np.array([1.0]))[0]
    )
    if not below.any():
        return BreakEven(cloud.id, local.id, None, None, payback, None, "local never costs less than the cloud")
    if below.all():
        return BreakEven(cloud.id, local.id, None, None, payback, None, "local costs less at any volume")
    i = int(np.argmax(below))
    if i == 0:
        return BreakEven(cloud.id, local.id, None, None, payback, None, "local costs less at any volume")
    cloud_per_x = float(plan_cost_at_scale(cloud, loads, workload, np.array([1.0]))[0]) - sum(
        it.monthly_cost_usd for it in cloud.fixed_items
    )
    local_here = float(plan_cost_at_scale(local, loads, workload, x[i : i + 1])[0])
    exact = local_here / cloud_per_x if cloud_per_x > 0 else float(x[i])
    scale = exact if x[i - 1] < exact <= x[i] else float(x[i])
    note = (
        "local is cheaper above this volume"
        if not cheaper_now or scale <= 1.0
        else "the cloud is cheaper below this volume"
    )
    return BreakEven(cloud.id, local.id, scale * today, scale, payback, True, note)


def _gap_dimension(a: Scores, b: Scores, weights: dict[str, float]) -> tuple[str, float]:
    diffs = {d: weights[d] * (a.dimensions[d] - b.dimensions[d]) for d in DIMENSIONS}
    name = max(diffs, key=lambda d: (diffs[d], d))
    return name, diffs[name]


def decided_by(a: Assessment) -> str:
    """The rule or score that decided."""
    rec = a.recommended
    if rec is None:
        return "no plan can serve this workload: " + "; ".join(
            p.excluded_reason or "" for p in a.plans if not p.feasible and p.id in ("cloud", "local")
        )
    kinds = set(a.best_by_kind)
    others = [k for k in ("cloud", "local") if k not in kinds]
    if others and len(kinds) == 1:
        blocked = next((p for p in a.plans if p.id == others[0] and not p.feasible), None)
        reason = blocked.excluded_reason if blocked else f"no {others[0]} plan is feasible"
        return f"hard constraint: {reason}"
    runner = max(
        (p for k, p in a.best_by_kind.items() if k != rec.kind),
        key=lambda p: a.scores[p.id].total,
        default=None,
    )
    if runner is None:
        return f"score: {a.scores[rec.id].total:.2f} (the only kind of plan)"
    weights = normalised_weights(a.workload)
    dim, gap = _gap_dimension(a.scores[rec.id], a.scores[runner.id], weights)
    return (
        f"score: {rec.kind} {a.scores[rec.id].total:.2f} vs {runner.kind} {a.scores[runner.id].total:.2f}; "
        f"{dim.replace('_', ' ')} contributes most to the gap (+{gap:.2f})"
    )


def rationale(a: Assessment) -> list[str]:
    """Plain-language reasons behind the recommendation."""
    rec = a.recommended
    if rec is None:
        return ["no feasible plan: every option breaks a hard constraint or cannot be sized (see options)"]
    out = [
        f"recommended {rec.kind} plan: {rec.monthly_cost_usd:,.0f} USD in the first month, "
        f"{rec.horizon_cost_usd:,.0f} USD over {a.workload.horizon_months} months"
    ]
    for kind in ("cloud", "local", "hybrid"):
        best = a.best_by_kind.get(kind)
        if best is not None and best.id != rec.id:
            delta = best.horizon_cost_usd - rec.horizon_cost_usd
            word = "more" if delta >= 0 else "less"
            out.append(
                f"best {kind} plan ({best.label}) costs {abs(delta):,.0f} USD {word} over the horizon "
                f"and scores {a.scores[best.id].total:.2f} against {a.scores[rec.id].total:.2f}"
            )
    for p in a.plans:
        if not p.feasible and p.id in ("cloud", "local"):
            out.append(f"{p.id} ruled out: {p.excluded_reason}")
    be = a.break_even
    if be.payback_months is not None and be.payback_months == 0:
        out.append("local costs less than the cloud from the first month, with nothing to pay back")
    elif be.payback_months is not None:
        out.append(f"local pays back its up-front cost against the cloud in {be.payback_months:.1f} months")
    elif be.local_plan and be.cloud_plan:
        out.append("local does not pay back against the cloud within the horizon")
    return out


def flips(a: Assessment) -> list[str]:
    """What would have to change for the decision to flip."""
    out: list[str] = []
    rec = a.recommended
    be = a.break_even
    today = sum(load.start_requests_per_month for load in a.loads.values())
    if be.requests_per_month is not None:
        where = "above" if be.requests_per_month > today else "below"
        if where == "above":
            out.append(
                f"local becomes cheaper than the cloud above {be.requests_per_month:,.0f} requests a month "
                f"({be.scale:.1f}x today's {today:,.0f})"
            )
        else:
            out.append(
                f"the cloud becomes cheaper than local below {be.requests_per_month:,.0f} requests a month "
                f"({be.scale:.2f}x today's {today:,.0f})"
            )
    elif be.cloud_plan and be.local_plan:
        out.append(f"{be.note}, at any monthly volume")
    for sc in a.segments:
        seg = sc.load.segment
        if sc.cloud_blocked and seg.data_sensitivity in (Sensitivity.REGULATED, Sensitivity.CRITICAL):
            if seg.data_sensitivity is Sensitivity.REGULATED:
                out.append(
                    f"{seg.name}: the cloud becomes allowed under a BAA/DPA (add regulated to "
                    "constraints.cloud_allowed_for) or if the data were internal"
                )
            else:
                out.append(f"{seg.name}: the cloud becomes allowed only if the data were not critical")
        if sc.local_blocked and "frontier" in sc.local_blocked:
            out.append(
                f"{seg.name}: local becomes possible if good_enough capability sufficed, or once an open model "
                "reaches the frontier tier"
            )
    if rec is not None:
        cloud = a.best_by_kind.get("cloud")
        local = a.best_by_kind.get("local")
        if cloud is not None and local is not None and rec.kind in ("cloud", "local"):
            if rec.kind == "cloud" and local.horizon_cost_usd > cloud.horizon_cost_usd:
                pct = local.horizon_cost_usd / cloud.horizon_cost_usd - 1.0
                out.append(
                    f"local costs less over the horizon if API prices rose {pct:.0%} (or local costs fell "
                    f"{1 - cloud.horizon_cost_usd / local.horizon_cost_usd:.0%})"
                )
            elif rec.kind == "local" and cloud.horizon_cost_usd > local.horizon_cost_usd:
                pct = 1.0 - local.horizon_cost_usd / cloud.horizon_cost_usd
                out.append(f"the cloud costs less over the horizon if API prices fell {pct:.0%}")
        team = a.workload.team.capability
        if rec.kind == "cloud" and local is not None and team is not TeamCapability.ADVANCED:
            weights = normalised_weights(a.workload)
            share = sum(p.local_share for p in local.placements if p.local) / max(1, len(local.placements))
            gain = weights["team"] * (TEAM[TeamCapability.ADVANCED] - TEAM[team]) * share
            if a.scores[local.id].total + gain > a.scores[rec.id].total:
                out.append(f"with an advanced ML-ops team, {local.label} would win on score")
    return out


def segment_loads(workload: Workload) -> dict[str, SegmentLoad]:
    """Each segment's volume over the horizon."""
    return {s.name: segment_load(s, workload.hours_per_month, workload.horizon_months) for s in workload.segments}
