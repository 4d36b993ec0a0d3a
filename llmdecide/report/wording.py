"""The English of every report, written once: the domain hands over codes and numbers, this module the sentences.

The terminal, Markdown and JSON reports all take their sentences from here
(the JSON report carries each sentence beside the numbers it was made from).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from llmdecide.report.formatting import fmt_gpus, fmt_pct, fmt_usd
from llmdecide.report.result import BreakEvenReport, PlanStep
from llmdecide.scoring.explain import DecidedBy, Flip, Reason

Values = Mapping[str, Any]

OUTCOMES = {
    "no_cloud_plan": "no feasible cloud plan to compare with",
    "no_local_plan": "no feasible local plan to compare with",
    "never": "local never costs less than the cloud",
    "always": "local costs less at any volume",
    "local_above": "local is cheaper above this volume",
    "cloud_below": "the cloud is cheaper below this volume",
}
"""What each break-even outcome means, as the reports say it."""


def _decided_score(v: Values) -> str:
    return (
        f"score: {v['kind']} {v['score']:.2f} vs {v['runner_up_kind']} {v['runner_up_score']:.2f}; "
        f"{str(v['dimension']).replace('_', ' ')} contributes most to the gap (+{v['gap']:.2f})"
    )


DECIDED_BY: dict[str, Callable[[Values], str]] = {
    "no_feasible_plan": lambda v: f"no plan can serve this workload: {v['reasons']}",
    "hard_constraint": lambda v: "hard constraint: " + (v["reason"] or f"no {v['blocked_kind']} plan is feasible"),
    "only_kind": lambda v: f"score: {v['score']:.2f} (the only kind of plan)",
    "score": _decided_score,
}


def _best_of_kind(v: Values) -> str:
    delta = v["extra_horizon_usd"]
    word = "more" if delta >= 0 else "less"
    return (
        f"best {v['kind']} plan ({v['label']}) costs {abs(delta):,.0f} USD {word} over the horizon "
        f"and scores {v['score']:.2f} against {v['recommended_score']:.2f}"
    )


def _near_today(v: Values) -> str:
    if v["unit"] == "x":
        return f"{v['label']} at {v['value']:.2f}x today's flips it to {v['flip_to']}"
    return f"{v['label']} {v['value']:+.3f} flips it to {v['flip_to']}"


REASONS: dict[str, Callable[[Values], str]] = {
    "no_feasible_plan": lambda v: (
        "no feasible plan: every option breaks a hard constraint or cannot be sized (see options)"
    ),
    "recommended": lambda v: (
        f"recommended {v['kind']} plan: {v['monthly_usd']:,.0f} USD in the first month, "
        f"{v['horizon_usd']:,.0f} USD over {v['horizon_months']} months"
    ),
    "best_of_kind": _best_of_kind,
    "ruled_out": lambda v: f"{v['option']} ruled out: {v['reason']}",
    "scheduled_price_change": lambda v: (
        f"the {v['price']} of {v['entry']} changes {v['change']:+.0%} from month {v['month']} ({v['starts']}), "
        "as the catalog schedules it; the costs above include it"
    ),
    "cheaper_from_month_one": lambda v: (
        "local costs less than the cloud from the first month, with nothing to pay back"
    ),
    "payback": lambda v: f"local pays back its up-front cost against the cloud in {v['months']:.1f} months",
    "no_payback": lambda v: "local does not pay back against the cloud within the horizon",
    "flips_near_today": _near_today,
    "low_odds": lambda v: f"it wins in only {v['share']:.0%} of {v['samples']:,} sampled futures",
}

FLIPS: dict[str, Callable[[Values], str]] = {
    "local_cheaper_above": lambda v: (
        f"local becomes cheaper than the cloud above {v['requests_per_month']:,.0f} requests a month "
        f"({v['scale']:.1f}x today's {v['today']:,.0f})"
    ),
    "cloud_cheaper_below": lambda v: (
        f"the cloud becomes cheaper than local below {v['requests_per_month']:,.0f} requests a month "
        f"({v['scale']:.2f}x today's {v['today']:,.0f})"
    ),
    "no_volume_flips": lambda v: f"{OUTCOMES[v['outcome']]}, at any monthly volume",
    "cloud_under_agreement": lambda v: (
        f"{v['segment']}: the cloud becomes allowed under a BAA/DPA (add regulated to "
        "constraints.cloud_allowed_for) or if the data were internal"
    ),
    "cloud_if_not_critical": lambda v: f"{v['segment']}: the cloud becomes allowed only if the data were not critical",
    "local_if_open_model_suffices": lambda v: (
        f"{v['segment']}: local becomes possible if good_enough capability sufficed, or once an open model "
        "reaches the frontier tier"
    ),
    "api_prices_rise": lambda v: (
        f"local costs less over the horizon if API prices rose {v['api_price_rise']:.0%} (or local costs fell "
        f"{v['local_cost_fall']:.0%})"
    ),
    "api_prices_fall": lambda v: f"the cloud costs less over the horizon if API prices fell {v['api_price_fall']:.0%}",
    "advanced_team": lambda v: f"with an advanced ML-ops team, {v['label']} would win on score",
}


def decided_by_text(d: DecidedBy) -> str:
    """The deciding rule as a phrase ('score: local 0.81 vs cloud 0.74; ...')."""
    return DECIDED_BY[d.rule](d.values)


def reason_text(r: Reason) -> str:
    """One reason as a sentence."""
    return REASONS[r.code](r.values)


def flip_text(f: Flip) -> str:
    """One flip as a sentence."""
    return FLIPS[f.code](f.values)


def break_even_volume_text(be: BreakEvenReport) -> str:
    """'break-even volume: 111,111 requests a month (1.11x today's volume); local is cheaper above this volume.'"""
    if be.requests_per_month is not None and be.volume_multiple is not None:
        return (
            f"break-even volume: {fmt_usd(be.requests_per_month)} requests a month "
            f"({be.volume_multiple:.2f}x today's volume); {be.note}."
        )
    return f"break-even volume: none ({be.note})."


def payback_text(be: BreakEvenReport) -> str:
    """'payback of local's up-front cash: 4.2 months.' or '... never within the horizon.'"""
    if be.payback_months is not None:
        return f"payback of local's up-front cash: {be.payback_months:.1f} months."
    return "payback of local's up-front cash: never within the horizon."


def runs_on(step: PlanStep) -> str:
    """Where one segment runs: 'cloud: MODEL', 'local: MODEL (PRECISION) on N x GPU, buy', or the split."""
    if step.side == "cloud":
        return f"cloud: {step.cloud_model}"
    local = f"{step.open_model} ({step.precision}) on {fmt_gpus(step.gpus)} x {step.accelerator}, {step.acquisition}"
    if step.side == "split":
        return f"{fmt_pct(step.local_share)} local: {local}; rest cloud: {step.cloud_model}"
    return f"local: {local}"


def plan_rows_text(steps: list[PlanStep]) -> list[str]:
    """One line per segment saying where it runs."""
    return [f"{s.segment}: {runs_on(s)}" for s in steps]


NO_OVERFLOW = (
    "No overflow hybrid: no segment has a mix of local replicas and cloud overflow that costs less "
    "than both all-cloud and all-local (one replica already carries the peak, one side is ruled out, "
    "or the cheapest size is one of the extremes)."
)
