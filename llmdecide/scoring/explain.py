"""Why the recommendation is what it is, as structured objects: a code and the numbers and ids behind it.

Nothing here writes a sentence: the report (``llmdecide.report.wording``)
turns each :class:`Reason`, :class:`Flip`, :class:`Gate` and :class:`Premium`
into English once, and the JSON report carries the numbers.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from llmdecide.costing.breakeven import BreakEven
from llmdecide.costing.plan import Plan
from llmdecide.costing.staff import HOURS_PER_FTE_MONTH, Effort
from llmdecide.scoring.decision import Decider, Decision
from llmdecide.scoring.dimensions import Scores
from llmdecide.scoring.robustness import SensitivityRow
from llmdecide.scoring.statements import Flip, Gate, Reason, Value
from llmdecide.workload.schema import Sensitivity, Workload

Rule = Literal["no_feasible_plan", "hard_constraint", "gate", "premium", "cheapest", "only_kind"]

FLIP_INPUTS = ("volume", "api_price")
"""Inputs whose flip (or absence of one) the first screen always states."""


@dataclass(frozen=True)
class DecidedBy:
    """The rule that decided, with the figures it decided on."""

    rule: Rule
    values: Mapping[str, Value] = field(default_factory=dict)


@dataclass(frozen=True)
class Premium:
    """What the recommended plan costs over the cheapest plan the gates let through, and what buys it."""

    over: str
    """Id of the cheapest allowed plan."""
    over_kind: str
    over_label: str
    premium: float
    """Recommended plan's cost / the cheapest's - 1, on the cost basis (0 when it is the cheapest)."""
    premium_usd: float
    limit: float
    """The most its better scores allow over that plan."""
    dimensions: tuple[str, ...]
    """The non-cost dimensions on which it scores above the cheapest plan, largest weighted gain first."""
    basis: str


@dataclass(frozen=True)
class SegmentBlocks:
    """The hard constraints that blocked a side for one segment (what the flips need to know)."""

    segment: str
    sensitivity: Sensitivity
    cloud_blocked: str | None
    local_blocked: str | None


def _ruled_out(plans: Sequence[Plan]) -> list[Plan]:
    return [p for p in plans if not p.feasible and p.id in ("cloud", "local")]


def stated_only(plans: Sequence[Plan]) -> bool:
    """Whether the sized local plans are left out because only the stated deployments are compared."""
    return any(
        not p.feasible and p.id == "local" and "candidates.size_deployments" in (p.excluded_reason or "") for p in plans
    )


def gates_at_point(decider: Decider, decision: Decision, recommended: Plan) -> list[Gate]:
    """The gates that held back a plan cheaper than the recommended one, or the plan that would have won
    without the gates, at today's inputs."""
    out: list[Gate] = []
    costs = decision.costs[:, 0]
    rec = decider.plans.index(recommended)
    limit = decider.workload.preferences.max_payback_months
    ungated = int(decider.rule(decision.costs, decision.payback, gates=False).winners[0])
    for i, plan in enumerate(decider.plans):
        if costs[i] >= costs[rec] and i != ungated:
            continue
        if decision.team_gated[i]:
            out.append(
                Gate(
                    "team",
                    {
                        "option": plan.id,
                        "kind": plan.kind,
                        "capability": decider.workload.team.capability.value,
                        "saving_usd": float(costs[rec] - costs[i]),
                        "would_win": int(i == ungated),
                    },
                )
            )
        elif decision.payback_gated[i, 0]:
            payback = float(decision.payback[i, 0])
            out.append(
                Gate(
                    "payback",
                    {
                        "option": plan.id,
                        "kind": plan.kind,
                        "payback_months": payback if math.isfinite(payback) else None,
                        "limit_months": limit,
                        "saving_usd": float(costs[rec] - costs[i]),
                        "would_win": int(i == ungated),
                    },
                )
            )
    return sorted(
        out,
        key=lambda g: (
            -int(g.values["would_win"] or 0),
            -float(g.values["saving_usd"] or 0.0),
            str(g.values["option"]),
        ),
    )


def payback_waiver(decider: Decider, decision: Decision, recommended: Plan) -> Reason | None:
    """The payback gate waived for the recommended plan: it buys hardware and pays it back too slowly, but it
    beats every all-cloud plan on a dimension the workload grants a premium to."""
    i = decider.plans.index(recommended)
    limit = decider.payback_limit
    if limit is None or not decider.bought[i] or not decider.payback_waived[i]:
        return None
    payback = float(decision.payback[i, 0])
    if payback <= limit:
        return None
    prefs = decider.workload.preferences
    dims = decider.waiver_dimensions(i)
    return Reason(
        "payback_waived",
        {
            "payback_months": payback if math.isfinite(payback) else None,
            "limit_months": limit,
            "dimension": dims[0].replace("_", " "),
            "premium": prefs.premium_for(dims[0]),
        },
    )


def premium_at_point(decider: Decider, decision: Decision, recommended: Plan) -> Premium:
    """The recommended plan's premium over the cheapest allowed plan, and the dimensions that buy it."""
    rec = decider.plans.index(recommended)
    cheapest = int(decision.cheapest[0])
    cost = float(decision.costs[rec, 0])
    bar = float(decision.costs[cheapest, 0])
    premium = (cost - bar) / abs(bar) if bar != 0 else 0.0
    dims = tuple(decider.better_dimensions(rec, cheapest)) if rec != cheapest else ()
    return Premium(
        over=decider.plans[cheapest].id,
        over_kind=decider.plans[cheapest].kind,
        over_label=decider.plans[cheapest].label,
        premium=max(0.0, premium),
        premium_usd=max(0.0, cost - bar),
        limit=float(decider.allowed[rec, cheapest]),
        dimensions=dims,
        basis=decider.workload.preferences.cost_basis,
    )


RATIO_FLOOR_USD = 0.01
"""Below a cent over the horizon a plan's cost is no base for "N times as much": a workload of a few requests
a year would make the runner-up cost 10^17 times the winner. The margin is then left out and the reason
says only that the runner-up is dearer."""


def decided_by(
    recommended: Plan | None,
    plans: Sequence[Plan],
    best_by_kind: Mapping[str, Plan],
    premium: Premium | None,
    gates: Sequence[Gate],
    costs: Mapping[str, float] | None = None,
    basis: str = "nominal",
) -> DecidedBy:
    """The rule that decided: no plan, a hard constraint, a gate, a premium, or cost (``costs``: each feasible
    plan's cost on the cost basis; the horizon cost when not given)."""
    if recommended is None:
        reasons = "; ".join(p.excluded_reason or "" for p in _ruled_out(plans))
        return DecidedBy("no_feasible_plan", {"reasons": reasons})
    deciding = [g for g in gates if g.values.get("would_win")]
    if deciding:
        g = deciding[0]
        return DecidedBy("gate", {"gate": g.code, **g.values})
    kinds = set(best_by_kind)
    others = [k for k in ("cloud", "local") if k not in kinds]
    if others and len(kinds) == 1:
        blocked = next((p for p in plans if p.id == others[0] and not p.feasible), None)
        if blocked is not None and not stated_only(plans):
            return DecidedBy("hard_constraint", {"blocked_kind": others[0], "reason": blocked.excluded_reason})
    if premium is not None and premium.over != recommended.id:
        return DecidedBy(
            "premium",
            {
                "kind": recommended.kind,
                "over": premium.over,
                "over_kind": premium.over_kind,
                "over_label": premium.over_label,
                "premium": premium.premium,
                "limit": premium.limit,
                "dimensions": ", ".join(d.replace("_", " ") for d in premium.dimensions),
                "basis": premium.basis,
            },
        )
    cost = dict(costs) if costs is not None else {p.id: p.horizon_cost_usd for p in plans if p.feasible}
    runner = min(
        (p for k, p in best_by_kind.items() if k != recommended.kind),
        key=lambda p: cost[p.id],
        default=None,
    )
    if runner is None:
        return DecidedBy("only_kind", {"kind": recommended.kind, "stated_only": int(stated_only(plans))})
    mine = cost[recommended.id]
    return DecidedBy(
        "cheapest",
        {
            "kind": recommended.kind,
            "runner_up": runner.id,
            "runner_up_kind": runner.kind,
            "margin": cost[runner.id] / mine - 1.0 if mine >= RATIO_FLOOR_USD else None,
            "basis": basis,
            "cost_usd": mine,
            "runner_up_cost_usd": cost[runner.id],
        },
    )


def plan_fte(plan: Plan, effort: Effort) -> float:
    """First-month operations FTE the effort model gives a plan's local deployments (``Effort.fte``)."""
    return effort.fte([p.local.effort for p in plan.placements if p.local is not None and p.local.effort is not None])


def rationale(
    recommended: Plan | None,
    plans: Sequence[Plan],
    best_by_kind: Mapping[str, Plan],
    scores: Mapping[str, Scores],
    break_even: BreakEven,
    workload: Workload,
    gates: Sequence[Gate],
    effort: Effort,
) -> list[Reason]:
    """The reasons behind the recommendation: its cost, the other kinds' best plans, what gates and constraints
    did, the migration plan a gate implies, the capability gap of a local-only plan, and payback."""
    if recommended is None:
        return [Reason("no_feasible_plan")]
    rec = recommended
    horizon_months = workload.horizon_months
    out = [
        Reason(
            "recommended",
            {
                "kind": rec.kind,
                "monthly_usd": rec.monthly_cost_usd,
                "horizon_usd": rec.horizon_cost_usd,
                "horizon_months": horizon_months,
            },
        )
    ]
    for kind in ("cloud", "local", "hybrid"):
        best = best_by_kind.get(kind)
        if best is not None and best.id != rec.id:
            out.append(
                Reason(
                    "best_of_kind",
                    {
                        "kind": kind,
                        "option": best.id,
                        "label": best.label,
                        "extra_horizon_usd": best.horizon_cost_usd - rec.horizon_cost_usd,
                        "score": scores[best.id].total,
                        "recommended_score": scores[rec.id].total,
                    },
                )
            )
    team_gate = next((g for g in gates if g.code == "team" and g.values.get("would_win")), None)
    if team_gate is not None:
        held = next(p for p in plans if p.id == team_gate.values["option"])
        fte = plan_fte(held, effort)
        hires = max(1, math.ceil(fte - 1e-9))
        monthly_fte = effort.loaded_usd_per_year.value / 12.0
        extra = (hires - fte) * monthly_fte  # whole hires in place of the modelled share of an engineer
        recruiting = hires * effort.loaded_usd_per_year.value * effort.recruiting_fraction.value
        out.append(
            Reason(
                "migration_plan",
                {
                    "option": held.id,
                    "kind": held.kind,
                    "label": held.label,
                    "capability": workload.team.capability.value,
                    "ops_fte": fte,
                    "hires": hires,
                    "hire_usd_per_month": hires * monthly_fte,
                    "monthly_difference_usd": held.monthly_cost_usd + extra - rec.monthly_cost_usd,
                    "horizon_difference_usd": held.horizon_cost_usd
                    + extra * horizon_months
                    + recruiting
                    - rec.horizon_cost_usd,
                },
            )
        )
    level = workload.team.capability.value
    if rec.runs_locally() and level in ("none", "basic") and not workload.team.staffed:
        fte = plan_fte(rec, effort)
        setup = sum(i.one_time_usd for i in rec.fixed_items if i.category == "setup")
        out.append(
            Reason(
                "capability_gap",
                {
                    "capability": level,
                    "ops_fte": fte,
                    "ops_hours_per_month": fte * HOURS_PER_FTE_MONTH,
                    "staff_usd_per_month": fte * effort.loaded_usd_per_year.value / 12.0,
                    "setup_usd": setup,
                },
            )
        )
    for step in (s for placement in rec.placements for s in placement.price_steps()):
        out.append(
            Reason(
                "scheduled_price_change",
                {
                    "entry": step.entry,
                    "price": step.kind,
                    "month": step.month + 1,
                    "starts": step.starts.isoformat(),
                    "change": step.after_usd / step.before_usd - 1.0,
                },
            )
        )
    if stated_only(plans):
        out.append(Reason("stated_only"))
    for p in _ruled_out(plans):
        if p.id == "local" and stated_only(plans):
            continue
        if p.id != rec.kind:  # a stated deployment of the same kind won: its sized plan's absence is no reason
            out.append(Reason("ruled_out", {"option": p.id, "reason": p.excluded_reason}))
    be = break_even
    if be.payback_months is not None and be.payback_months == 0:
        out.append(Reason("cheaper_from_month_one"))
    elif be.payback_months is not None:
        out.append(Reason("payback", {"months": be.payback_months}))
    elif be.local_plan and be.cloud_plan:
        out.append(Reason("no_payback"))
    return out


def flips(
    recommended: Plan | None,
    plans: Sequence[Plan],
    rows: Sequence[SensitivityRow],
    blocks: Sequence[SegmentBlocks],
    gates: Sequence[Gate],
) -> list[Flip]:
    """What would have to change for the decision to flip: inputs swept (the flip nearest today's value, or
    none within the swept range), the hard constraints, and the gates that decided."""
    out: list[Flip] = []
    for b in blocks:
        if b.cloud_blocked and b.sensitivity is Sensitivity.REGULATED:
            out.append(Flip("cloud_under_agreement", {"segment": b.segment}))
        elif b.cloud_blocked and b.sensitivity is Sensitivity.CRITICAL:
            out.append(Flip("cloud_if_not_critical", {"segment": b.segment}))
        if b.local_blocked and "frontier" in b.local_blocked:
            out.append(Flip("local_if_open_model_suffices", {"segment": b.segment}))
    if recommended is None:
        return out
    team = next((g for g in gates if g.code == "team" and g.values.get("would_win")), None)
    if team is not None:
        out.append(Flip("team_gate", {"option": team.values["option"], "kind": team.values["kind"]}))
    held = [g for g in gates if g.code == "payback"]
    paybacks = [g for g in held if g.values.get("would_win")]
    if paybacks:
        g = paybacks[0]
        out.append(
            Flip(
                "payback_gate",
                {
                    "option": g.values["option"],
                    "kind": g.values["kind"],
                    "payback_months": g.values["payback_months"],
                    "held_back": len(held),
                },
            )
        )
    by_id = {p.id: p for p in plans}

    def flip(r: SensitivityRow) -> tuple[float | None, str | None]:
        """The input's flip to another kind of plan where there is one in range, else its nearest flip."""
        if r.near_kind_value is not None and r.near_kind_to is not None:
            return r.near_kind_value, r.near_kind_to
        return r.flip_value, r.flip_to

    def distance(r: SensitivityRow) -> float:
        value = flip(r)[0]
        if value is None:
            return math.inf
        return abs(math.log(value)) if r.input.unit == "x" else abs(value)

    def order(r: SensitivityRow) -> tuple[bool, bool, float, str]:
        return (flip(r)[0] is None, r.near_kind_value is None, distance(r), r.input.name)

    for row in sorted(rows, key=order):
        values: dict[str, Value] = {"input": row.input.name, "label": row.input.label, "unit": row.input.unit}
        value, to_id = flip(row)
        if value is not None and to_id is not None:
            to = by_id[to_id]
            values.update(
                flips_at=value,
                to=to.id,
                to_kind=to.kind,
                to_label=to.label,
                same_kind=int(to.kind == recommended.kind),
            )
            out.append(Flip("input_flips", values))
        elif row.input.name in FLIP_INPUTS:
            values.update(low=row.input.low, high=row.input.high)
            out.append(Flip("no_flip", values))
    return out
