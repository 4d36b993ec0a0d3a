"""Why the recommendation is what it is, as structured objects: a code and the numbers and ids behind it.

Nothing here writes a sentence: the report (``llmdecide.report.wording``)
turns each :class:`Reason` and :class:`Flip` into English once, and the JSON
report carries the numbers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from llmdecide.costing.breakeven import BreakEven
from llmdecide.costing.plan import Plan
from llmdecide.scoring.dimensions import DIMENSIONS, TEAM, Scores, normalised_weights
from llmdecide.workload.schema import Sensitivity, TeamCapability, Workload

Value = float | int | str | None

Rule = Literal["no_feasible_plan", "hard_constraint", "only_kind", "score"]


@dataclass(frozen=True)
class Statement:
    """A code saying what is stated, and the numbers and ids it is stated with."""

    code: str
    values: Mapping[str, Value] = field(default_factory=dict)


class Reason(Statement):
    """One reason behind the recommendation (or behind its fragility)."""


class Flip(Statement):
    """One change that would flip the decision."""


@dataclass(frozen=True)
class DecidedBy:
    """The rule or score that decided, with the figures it decided on."""

    rule: Rule
    values: Mapping[str, Value] = field(default_factory=dict)


@dataclass(frozen=True)
class SegmentBlocks:
    """The hard constraints that blocked a side for one segment (what the flips need to know)."""

    segment: str
    sensitivity: Sensitivity
    cloud_blocked: str | None
    local_blocked: str | None


def _gap_dimension(a: Scores, b: Scores, weights: dict[str, float]) -> tuple[str, float]:
    diffs = {d: weights[d] * (a.dimensions[d] - b.dimensions[d]) for d in DIMENSIONS}
    name = max(diffs, key=lambda d: (diffs[d], d))
    return name, diffs[name]


def _ruled_out(plans: Sequence[Plan]) -> list[Plan]:
    return [p for p in plans if not p.feasible and p.id in ("cloud", "local")]


def decided_by(
    recommended: Plan | None,
    plans: Sequence[Plan],
    best_by_kind: Mapping[str, Plan],
    scores: Mapping[str, Scores],
    workload: Workload,
) -> DecidedBy:
    """The rule or score that decided."""
    if recommended is None:
        reasons = "; ".join(p.excluded_reason or "" for p in _ruled_out(plans))
        return DecidedBy("no_feasible_plan", {"reasons": reasons})
    kinds = set(best_by_kind)
    others = [k for k in ("cloud", "local") if k not in kinds]
    if others and len(kinds) == 1:
        blocked = next((p for p in plans if p.id == others[0] and not p.feasible), None)
        reason = blocked.excluded_reason if blocked else None
        return DecidedBy("hard_constraint", {"blocked_kind": others[0], "reason": reason})
    runner = max(
        (p for k, p in best_by_kind.items() if k != recommended.kind),
        key=lambda p: scores[p.id].total,
        default=None,
    )
    if runner is None:
        return DecidedBy("only_kind", {"score": scores[recommended.id].total})
    dim, gap = _gap_dimension(scores[recommended.id], scores[runner.id], normalised_weights(workload))
    return DecidedBy(
        "score",
        {
            "kind": recommended.kind,
            "score": scores[recommended.id].total,
            "runner_up_kind": runner.kind,
            "runner_up_score": scores[runner.id].total,
            "dimension": dim,
            "gap": gap,
        },
    )


def rationale(
    recommended: Plan | None,
    plans: Sequence[Plan],
    best_by_kind: Mapping[str, Plan],
    scores: Mapping[str, Scores],
    break_even: BreakEven,
    horizon_months: int,
) -> list[Reason]:
    """The reasons behind the recommendation: its cost, each other kind's best plan, what was ruled out, payback."""
    if recommended is None:
        return [Reason("no_feasible_plan")]
    rec = recommended
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
    for p in _ruled_out(plans):
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
    best_by_kind: Mapping[str, Plan],
    scores: Mapping[str, Scores],
    break_even: BreakEven,
    today_requests_per_month: float,
    blocks: Sequence[SegmentBlocks],
    workload: Workload,
) -> list[Flip]:
    """What would have to change for the decision to flip."""
    out: list[Flip] = []
    be = break_even
    if be.requests_per_month is not None:
        volume = {"requests_per_month": be.requests_per_month, "scale": be.scale, "today": today_requests_per_month}
        code = "local_cheaper_above" if be.requests_per_month > today_requests_per_month else "cloud_cheaper_below"
        out.append(Flip(code, volume))
    elif be.cloud_plan and be.local_plan:
        out.append(Flip("no_volume_flips", {"outcome": be.outcome}))
    for b in blocks:
        if b.cloud_blocked and b.sensitivity is Sensitivity.REGULATED:
            out.append(Flip("cloud_under_agreement", {"segment": b.segment}))
        elif b.cloud_blocked and b.sensitivity is Sensitivity.CRITICAL:
            out.append(Flip("cloud_if_not_critical", {"segment": b.segment}))
        if b.local_blocked and "frontier" in b.local_blocked:
            out.append(Flip("local_if_open_model_suffices", {"segment": b.segment}))
    if recommended is None:
        return out
    rec = recommended
    cloud = best_by_kind.get("cloud")
    local = best_by_kind.get("local")
    if cloud is not None and local is not None and rec.kind in ("cloud", "local"):
        if rec.kind == "cloud" and local.horizon_cost_usd > cloud.horizon_cost_usd:
            out.append(
                Flip(
                    "api_prices_rise",
                    {
                        "api_price_rise": local.horizon_cost_usd / cloud.horizon_cost_usd - 1.0,
                        "local_cost_fall": 1 - cloud.horizon_cost_usd / local.horizon_cost_usd,
                    },
                )
            )
        elif rec.kind == "local" and cloud.horizon_cost_usd > local.horizon_cost_usd:
            out.append(
                Flip("api_prices_fall", {"api_price_fall": 1.0 - local.horizon_cost_usd / cloud.horizon_cost_usd})
            )
    team = workload.team.capability
    if rec.kind == "cloud" and local is not None and team is not TeamCapability.ADVANCED:
        weights = normalised_weights(workload)
        share = sum(p.local_share for p in local.placements if p.local) / max(1, len(local.placements))
        gain = weights["team"] * (TEAM[TeamCapability.ADVANCED] - TEAM[team]) * share
        if scores[local.id].total + gain > scores[rec.id].total:
            out.append(Flip("advanced_team", {"option": local.id, "label": local.label}))
    return out
