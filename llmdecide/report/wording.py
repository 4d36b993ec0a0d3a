"""The English of every report, written once: the domain hands over codes and numbers, this module the sentences.

The terminal, Markdown and JSON reports all take their sentences from here
(the JSON report carries each sentence beside the numbers it was made from).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from llmdecide.capacity.deployment import precision_text
from llmdecide.report.formatting import fmt_gpus, fmt_more, fmt_pct, fmt_sweep_value, fmt_usd
from llmdecide.report.result import BreakEvenReport, PlanStep
from llmdecide.scoring.explain import DecidedBy, Premium
from llmdecide.scoring.statements import Flip, Gate, Reason

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


def plan_ref(plan_id: str, kind: str, label: str | None = None) -> str:
    """A plan as sentences name it: 'cloud (openai/gpt-4o)', or 'hybrid plan overflow (...)'."""
    name = kind if plan_id == kind else f"{kind} plan {plan_id}"
    return f"{name} ({label})" if label else name


def _more_or_less(delta: float) -> str:
    return f"{fmt_usd(abs(delta))} USD {'more' if delta >= 0 else 'less'}"


def _cheaper(saving: float) -> str:
    return f"{fmt_usd(abs(saving))} USD {'cheaper' if saving >= 0 else 'dearer'}"


def _gate(v: Values) -> str:
    if v["gate"] == "team":
        return (
            f"team gate: the team's ML-ops capability is {v['capability']} and no hire or head count is stated, "
            f"so {v['option']} ({v['kind']}, {_cheaper(v['saving_usd'])}) is held back (preferences.team_gate)"
        )
    if v["payback_months"] is None:
        pays = (
            "does not pay back its hardware against the cloud within the horizon "
            f"(limit {v['limit_months']:g} months, preferences.max_payback_months)"
        )
    else:
        pays = (
            f"pays back its hardware against the cloud in {v['payback_months']:.1f} months, beyond the "
            f"{v['limit_months']:g}-month limit (preferences.max_payback_months)"
        )
    why = (
        "; payback counts the hardware as cash when it is bought, the horizon cost only as it depreciates"
        if v["saving_usd"] > 0
        else ""
    )
    return f"payback gate: {v['option']} ({v['kind']}, {_cheaper(v['saving_usd'])}) {pays}{why}"


def _premium(v: Values) -> str:
    return (
        f"premium within the limit: this {v['kind']} plan costs {fmt_pct(v['premium'], decimals=1)} more than the "
        f"cheapest allowed plan, {plan_ref(v['over'], v['over_kind'], v['over_label'])}, on a {v['basis']} basis; "
        f"recommended for {v['dimensions']}, within the {fmt_pct(v['limit'])} limit (preferences.max_premium, "
        "preferences.premiums)"
    )


def _cheapest(v: Values) -> str:
    npv = v["basis"] == "npv"
    basis = " (net present value)" if npv else ""
    text = f"cost: the cheapest plan the constraints and gates allow{basis}; the best {v['runner_up_kind']} plan"
    figures = ""
    if npv:
        figures = f" (net present value {fmt_usd(v['runner_up_cost_usd'])} against {fmt_usd(v['cost_usd'])} USD)"
    if v["margin"] is None:
        return f"{text} ({v['runner_up']}) is dearer{figures}"
    if v["margin"] < 0:
        return (
            f"{text} ({v['runner_up']}) costs {fmt_pct(-v['margin'], decimals=1)} less{figures}, but a gate holds "
            "it back"
        )
    return f"{text} ({v['runner_up']}) costs {fmt_more(v['margin'])}{figures}"


def _only_kind(v: Values) -> str:
    if v["stated_only"]:
        return f"cost: only the stated deployments were compared, and this {v['kind']} plan is the cheapest of them"
    return f"cost: the cheapest plan; every plan compared is {v['kind']}"


DECIDED_BY: dict[str, Callable[[Values], str]] = {
    "no_feasible_plan": lambda v: f"no plan can serve this workload: {v['reasons']}",
    "hard_constraint": lambda v: "hard constraint: " + (v["reason"] or f"no {v['blocked_kind']} plan is feasible"),
    "gate": _gate,
    "premium": _premium,
    "cheapest": _cheapest,
    "only_kind": _only_kind,
}


def _best_of_kind(v: Values) -> str:
    return (
        f"best {v['kind']} plan ({v['label']}) costs {_more_or_less(v['extra_horizon_usd'])} over the horizon "
        f"and scores {v['score']:.2f} against {v['recommended_score']:.2f}"
    )


def _near_today(v: Values) -> str:
    at = f"at {v['value']:.2f}x today's" if v["unit"] == "x" else f"changed by {fmt_sweep_value('+', v['value'])}"
    if v["kind_changes"]:
        return f"{v['label']} {at} makes {plan_ref(v['flip_to'], v['flip_kind'])} win"
    return (
        f"{v['label']} {at} makes another {v['flip_kind']} plan win ({v['flip_to']}), up to "
        f"{fmt_pct(v['regret'])} cheaper than this plan there"
    )


def _migration(v: Values) -> str:
    hires = v["hires"]
    engineers = f"{hires} ML-ops engineer{'s' if hires != 1 else ''} hired"
    need = (
        f"{engineers} ({fmt_usd(v['hire_usd_per_month'])} USD a month, for the {v['ops_fte']:.2f} FTE of operations "
        "it needs at today's load)"
    )
    figures = (
        f"{_more_or_less(v['horizon_difference_usd'])} over the horizon than this plan, recruiting included "
        f"({_more_or_less(v['monthly_difference_usd'])} in the first month)"
    )
    if v["horizon_difference_usd"] > 0:
        return (
            f"migration plan: stay on the cloud; {plan_ref(v['option'], v['kind'], v['label'])} would need "
            f"{need}, and with the hire it would cost "
            f"{figures}: it pays only with people already on hand (team.ops_fte) or a cheaper arrangement"
        )
    return (
        f"migration plan: cloud now; {plan_ref(v['option'], v['kind'], v['label'])} becomes viable with "
        f"{need} or trained, costing {figures}"
    )


def _capability_gap(v: Values) -> str:
    return (
        f"capability gap: the team's ML-ops capability is {v['capability']}; this plan needs "
        f"{v['ops_fte']:.2f} FTE of operations ({fmt_usd(v['ops_hours_per_month'], decimals=0)} h a month), priced "
        f"at {fmt_usd(v['staff_usd_per_month'])} USD a month and {fmt_usd(v['setup_usd'])} USD of setup: budget "
        "them as a contractor, a managed service or training (team.hire prices hires instead)"
    )


REASONS: dict[str, Callable[[Values], str]] = {
    "no_feasible_plan": lambda v: (
        "no feasible plan: every option breaks a hard constraint or cannot be sized (see options)"
    ),
    "recommended": lambda v: (
        f"recommended {v['kind']} plan: {fmt_usd(v['monthly_usd'])} USD in the first month, "
        f"{fmt_usd(v['horizon_usd'])} USD over {v['horizon_months']} months"
    ),
    "best_of_kind": _best_of_kind,
    "migration_plan": _migration,
    "capability_gap": _capability_gap,
    "stated_only": lambda v: (
        "only the stated deployments were compared (candidates.size_deployments is false): no local fleet was sized"
    ),
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
    "payback_waived": lambda v: (
        "payback gate waived: this plan "
        + (
            f"pays back its hardware against the cloud in {v['payback_months']:.1f} months"
            if v["payback_months"] is not None
            else "does not pay back its hardware against the cloud within the horizon"
        )
        + f" (limit {v['limit_months']:g} months), but it beats every all-cloud plan on {v['dimension']}, which "
        f"preferences.premiums grants a {fmt_pct(v['premium'])} premium"
    ),
    "flips_near_today": _near_today,
    "low_odds": lambda v: f"a plan of this kind wins in only {v['share']:.0%} of {v['samples']:,} sampled futures",
}


def _input_flips(v: Values) -> str:
    at = f"at {v['flips_at']:.2f}x today's" if v["unit"] == "x" else f"changed by {fmt_sweep_value('+', v['flips_at'])}"
    if v["same_kind"]:
        return f"{v['label']} {at}: another {v['to_kind']} plan wins, {v['to']} ({v['to_label']})"
    return f"{v['label']} {at}: the recommendation becomes {plan_ref(v['to'], v['to_kind'], v['to_label'])}"


def _no_flip(v: Values) -> str:
    if v["unit"] == "x":
        return f"{v['label']}: no flip between {v['low']:g}x and {v['high']:g}x today's"
    low, high = fmt_sweep_value("+", v["low"]), fmt_sweep_value("+", v["high"])
    return f"{v['label']}: no flip between {low} and {high}"


def _payback_gate(v: Values) -> str:
    others = v["held_back"] - 1
    also = f" ({others} other plan{'s' if others != 1 else ''} held back by the same gate)" if others else ""
    if v["payback_months"] is None:
        return f"a plan that buys hardware would have to pay it back within the horizon to be considered{also}"
    return (
        f"with preferences.max_payback_months at {v['payback_months']:.1f} or more, {v['option']} ({v['kind']}) "
        f"would be considered{also}"
    )


FLIPS: dict[str, Callable[[Values], str]] = {
    "input_flips": _input_flips,
    "no_flip": _no_flip,
    "team_gate": lambda v: (
        f"with intermediate ML-ops capability, or people already on hand (team.ops_fte), {v['option']} "
        f"({v['kind']}) would win; hiring for it changes its cost (see the migration plan)"
    ),
    "payback_gate": _payback_gate,
    "cloud_under_agreement": lambda v: (
        f"{v['segment']}: the cloud becomes allowed under a BAA/DPA (add regulated to "
        "constraints.cloud_allowed_for) or if the data were internal"
    ),
    "cloud_if_not_critical": lambda v: f"{v['segment']}: the cloud becomes allowed only if the data were not critical",
    "local_if_open_model_suffices": lambda v: (
        f"{v['segment']}: local becomes possible if good_enough capability sufficed, or once an open model "
        "reaches the frontier tier"
    ),
}


def decided_by_text(d: DecidedBy) -> str:
    """The deciding rule as a phrase ('score: local 0.81 vs cloud 0.74; ...')."""
    return DECIDED_BY[d.rule](d.values)


def gates_line(gates: list[tuple[str, Mapping[str, Any]]]) -> str:
    """Every plan the gates held back, in one line: 'local (payback: never), overflow (payback: 29.8 months)'."""
    parts = []
    for code, v in gates:
        if code == "team":
            parts.append(f"{v['option']} (team: {v['capability']} capability)")
        elif v["payback_months"] is None:
            parts.append(f"{v['option']} (payback: not within the horizon)")
        else:
            parts.append(f"{v['option']} (payback: {v['payback_months']:.1f} months)")
    return "held back by the gates: " + ", ".join(parts)


def gate_text(g: Gate) -> str:
    """A gate that held a plan back, as a phrase."""
    return _gate({"gate": g.code, **g.values})


def premium_text(p: Premium, kind: str) -> str:
    """'local costs 12.0% more than cloud (cloud); recommended for data sensitivity, within the 15% limit.'"""
    if p.premium <= 0 or not p.dimensions:
        return "the cheapest plan the constraints and gates allow (no premium)"
    dims = " and ".join(d.replace("_", " ") for d in p.dimensions)
    return (
        f"this {kind} plan costs {fmt_pct(p.premium, decimals=1)} ({fmt_usd(p.premium_usd)} USD) more than the "
        f"cheapest allowed plan, {plan_ref(p.over, p.over_kind, p.over_label)}, on a {p.basis} basis; recommended for "
        f"{dims}, within the {fmt_pct(p.limit)} limit"
    )


def reason_text(r: Reason) -> str:
    """One reason as a sentence."""
    return REASONS[r.code](r.values)


def flip_text(f: Flip) -> str:
    """One flip as a sentence."""
    return FLIPS[f.code](f.values)


def break_even_volume_text(be: BreakEvenReport) -> str:
    """'first-month break-even: 111,111 requests a month (1.11x today's volume), where the first month of
    cloud and local cost the same; local is cheaper above this volume.' (The horizon's decision flips are
    the sensitivity sweep's, which also count growth, price trends and setup.)"""
    if be.requests_per_month is not None and be.volume_multiple is not None:
        return (
            f"first-month break-even: {fmt_usd(be.requests_per_month)} requests a month "
            f"({be.volume_multiple:.2f}x today's volume), where {be.cloud_option} and {be.local_option} cost the "
            f"same in the first month; {be.note}."
        )
    return f"first-month break-even: none ({be.note})."


def payback_text(be: BreakEvenReport) -> str:
    """'payback of local's up-front cash: 4.2 months.' or '... never within the horizon.'"""
    if be.payback_months is not None:
        return f"payback of local's up-front cash: {be.payback_months:.1f} months."
    return "payback of local's up-front cash: never within the horizon."


def runs_on(step: PlanStep) -> str:
    """Where one segment runs: 'cloud: MODEL', 'local: MODEL (PRECISION) on N x GPU, buy' (with the GPUs it
    would take at the pessimistic end of the capacity model's interval, when more), the split, or the
    overflow ('local ... sized below the peak; overflow to cloud: MODEL')."""
    if step.side == "cloud":
        return f"cloud: {step.cloud_model}"
    precisions = precision_text(str(step.precision), step.kv_precision)
    local = f"{step.open_model} ({precisions}) on {fmt_gpus(step.gpus)} x {step.accelerator}, {step.acquisition}"
    if step.gpus_pessimistic is not None and step.gpus is not None and step.gpus_pessimistic > step.gpus:
        local += f" ({fmt_gpus(step.gpus_pessimistic)} if it runs at the capacity model's pessimistic speed)"
    if step.overflow_share is not None:
        return (
            f"local: {local}; overflow to cloud: {step.cloud_model} "
            f"({fmt_pct(step.overflow_share, decimals=1)} of the horizon's requests)"
        )
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


def excluded_text(reason: str | None) -> str:
    """Why an option is not in the comparison: 'ruled out: ...', or 'not compared: ...' for a plan the workload
    chose not to size."""
    text = reason or ""
    if "candidates.size_deployments" in text:
        return f"not compared: {text}"
    return f"ruled out: {text}"


FIRST_SCREEN_INPUT_FLIPS = 4
"""Swept inputs whose flip the first screen states (nearest first); the sensitivity table has them all."""
FIRST_SCREEN_FRAGILITY = 3
"""Fragility reasons the first screen states; the robustness section has them all."""


def first_screen_flips(flips: Sequence[tuple[str, str]]) -> list[str]:
    """(code, text) flips as the first screen lists them: every structural flip, the nearest input flips, and
    how many more there are."""
    inputs = [t for c, t in flips if c == "input_flips"]
    out = [t for c, t in flips if c not in ("input_flips", "no_flip")]
    out += inputs[:FIRST_SCREEN_INPUT_FLIPS]
    if len(inputs) > FIRST_SCREEN_INPUT_FLIPS:
        more = len(inputs) - FIRST_SCREEN_INPUT_FLIPS
        out.append(
            f"{more} more swept input{'s' if more != 1 else ''} flip it further from today (see the sensitivity table)"
        )
    out += [t for c, t in flips if c == "no_flip"]
    return out


def fragility_text(reasons: Sequence[str]) -> str:
    """Why the decision is fragile, in one sentence: the first reasons and how many more."""
    text = "; ".join(reasons[:FIRST_SCREEN_FRAGILITY])
    more = len(reasons) - FIRST_SCREEN_FRAGILITY
    return text + (f"; and {more} more (see How robust is it)" if more > 0 else "")
