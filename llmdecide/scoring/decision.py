"""The one decision rule, for the point estimate and for every scenario of a sweep or a Monte Carlo.

Among the feasible plans (the hard constraints have already ruled the others out):

1. **Gates** (article 003's framework), only where some all-cloud plan is feasible:
   - team: a team at ``none`` or ``basic`` capability with no hire or stated head count does not get a
     plan that runs local hardware (``preferences.team_gate``);
   - payback: a plan that buys hardware and pays it back against the cheapest all-cloud plan more
     slowly than ``preferences.max_payback_months`` (or never) does not win; unless it beats every
     all-cloud plan on a dimension the workload grants a premium to (``preferences.premiums``): the user
     has said that dimension is worth paying for.
2. **Cost first.** Costs are on the cost basis (``preferences.cost_basis``: the nominal horizon cost or the
   net present value). A plan is a candidate only while, over every cheaper plan the gates let through, its
   premium is within what its advantages over that plan buy: ``max_premium``, or the larger premium the
   user grants a dimension on which it scores above that plan. The cheapest allowed plan always is one.
3. **Scores decide among the candidates.** The highest total of the six weighted scores wins (the cost
   score is the cheapest plan's cost / this plan's); totals are compared at 9 decimals, ties go to the
   cheaper plan, then to the plan listed first. With ``max_premium: 0`` the cheapest plan wins.

Every plan gets one ordering key per scenario, (gated or outside the limit, -total, cost, position), so
the point estimate and every scenario go through the same arithmetic; raising a plan's cost only tightens
its own limits and loosens the others', so it never raises its rank. The gates are recomputed in every
scenario (payback moves with prices and volume); the non-cost scores are computed once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from llmdecide.costing.breakeven import payback_months_many
from llmdecide.costing.finance import npv_costs
from llmdecide.costing.plan import Plan, horizon_costs, plan_costs
from llmdecide.costing.projection import FloatArray, Scenario
from llmdecide.scoring.dimensions import NON_COST, Scores, cost_score, non_cost_total, normalised_weights
from llmdecide.workload.schema import TeamCapability, Workload

SCORE_DECIMALS = 9
"""Totals are compared at this many decimals; closer than that is a tie."""

FULL_PAYBACK_SCENARIOS = 1000
"""Up to this many scenarios, every payback is computed (the point estimate, the sweeps)."""

PREMIUM_SLACK = 1e-9
"""Relative slack on the premium limit, so that float noise never moves a plan across it."""


def buys_hardware(plan: Plan) -> bool:
    """Whether any of the plan's local deployments buys hardware inside the horizon (hardware already owned
    does not, until it is extended or replaced)."""
    return any(
        p.local is not None and p.local.buy is not None and float(p.local.series.up_front_usd.sum()) > 0
        for p in plan.placements
    )


def team_gate_applies(workload: Workload) -> bool:
    """Whether the team gate is on for this workload: none/basic capability, no hire, no stated head count
    (a stated head count of 0 is none)."""
    team = workload.team
    return (
        workload.preferences.team_gate
        and team.capability in (TeamCapability.NONE, TeamCapability.BASIC)
        and not team.staffed
    )


@dataclass(frozen=True)
class Decision:
    """The decision in each scenario: the ordering of the plans and what held plans back."""

    order: NDArray[np.int64]
    """(plans, n): plan indices best first, per scenario."""
    costs: FloatArray
    """(plans, n): each plan's cost on the cost basis."""
    cheapest: NDArray[np.int64]
    """(n,): the cheapest plan the gates let through."""
    team_gated: NDArray[np.bool_]
    """(plans,): plans held back by the team gate."""
    payback: FloatArray
    """(plans, n): payback months against the cheapest all-cloud plan of plans that buy hardware (NaN for
    the others; infinity for never)."""
    payback_gated: NDArray[np.bool_]
    """(plans, n): plans held back by the payback gate."""
    within_limit: NDArray[np.bool_]
    """(plans, n): plans whose premium over every cheaper allowed plan is within what their scores buy."""
    total: FloatArray
    """(plans, n): each plan's total score (cost score against the cheapest allowed plan)."""

    @property
    def winners(self) -> NDArray[np.int64]:
        """The winning plan's index in each scenario."""
        return np.asarray(self.order[0], dtype=np.int64)


class Decider:
    """The decision rule for a fixed set of feasible plans and their non-cost scores."""

    def __init__(
        self, plans: Sequence[Plan], scores: dict[str, Scores], workload: Workload, discount_rate: float = 0.0
    ) -> None:
        self.plans = list(plans)
        self.scores = scores
        self.workload = workload
        self.discount_rate = discount_rate
        self.weights = normalised_weights(workload)
        self.non_cost = np.array([non_cost_total(scores[p.id].dimensions, self.weights) for p in self.plans])
        self.cloud_only = np.array([not p.runs_locally() for p in self.plans], dtype=bool)
        self.cloud_allowed = bool(self.cloud_only.any())
        gate = team_gate_applies(workload) and self.cloud_allowed
        self.team_gated = np.array([gate and p.runs_locally() for p in self.plans], dtype=bool)
        self.payback_limit = workload.preferences.max_payback_months if self.cloud_allowed else None
        self.bought = np.array([buys_hardware(p) for p in self.plans], dtype=bool)
        self.payback_waived = self._payback_waivers()
        self.allowed = self._allowed_premiums()

    def _payback_waivers(self) -> NDArray[np.bool_]:
        """(plans,): plans with a waiver dimension (:meth:`waiver_dimensions`)."""
        return np.array([bool(self.waiver_dimensions(i)) for i in range(len(self.plans))], dtype=bool)

    def waiver_dimensions(self, i: int) -> list[str]:
        """The dimensions on which plan i beats every all-cloud plan and the workload grants a premium above
        max_premium (a premium that buys nothing more waives nothing): what waives its payback gate."""
        prefs = self.workload.preferences
        clouds = [self.scores[p.id].dimensions for p, c in zip(self.plans, self.cloud_only, strict=True) if c]
        if not clouds:
            return []
        mine = self.scores[self.plans[i].id].dimensions
        return [
            d
            for d in NON_COST
            if prefs.premium_for(d) > prefs.max_premium and mine[d] > max(c[d] for c in clouds) + 1e-9
        ]

    def _allowed_premiums(self) -> FloatArray:
        """(plans, plans): the premium plan i may carry over plan j, by the dimensions it scores better on."""
        prefs = self.workload.preferences
        n = len(self.plans)
        out = np.full((n, n), float(prefs.max_premium))
        for i in range(n):
            for j in range(n):
                better = self.better_dimensions(i, j)
                if better:
                    out[i, j] = max(prefs.premium_for(d) for d in better)
        return out

    def better_dimensions(self, i: int, j: int) -> list[str]:
        """The non-cost dimensions on which plan i scores above plan j, largest weighted gain first."""
        a = self.scores[self.plans[i].id].dimensions
        b = self.scores[self.plans[j].id].dimensions
        gains = {d: self.weights[d] * (a[d] - b[d]) for d in NON_COST if a[d] > b[d] + 1e-9}
        return sorted(gains, key=lambda d: (-gains[d], d))

    def costs(self, scenarios: Sequence[Scenario]) -> FloatArray:
        """(plans, n): each plan's cost on the workload's cost basis, each plan in its own scenarios."""
        horizon = self.workload.horizon_months
        pairs = zip(self.plans, scenarios, strict=True)
        if self.workload.preferences.cost_basis == "npv":
            return np.vstack([npv_costs(p, s, horizon, self.discount_rate) for p, s in pairs])
        return np.vstack([horizon_costs(p, s, horizon) for p, s in pairs])

    def paybacks(
        self,
        scenarios: Sequence[Scenario],
        costs: FloatArray,
        columns: NDArray[np.int64] | None = None,
        *,
        gate_only: bool = False,
    ) -> FloatArray:
        """(plans, n): payback against the cheapest all-cloud plan of each plan that buys hardware (NaN else);
        with ``columns``, only in those scenarios (0, a pass, elsewhere).

        With ``gate_only`` the cash is projected only over the months the limit looks at (a payback at or
        under L months crosses by month L, and every series is causal), so a payback beyond them reads as
        infinity: exact for the gate, not for reporting the months.
        """
        out = np.full(costs.shape, np.nan)
        limit = self.payback_limit
        if limit is None or not self.bought.any():
            return out
        out[self.bought] = 0.0
        cols = np.arange(costs.shape[1]) if columns is None else columns
        if cols.size == 0:
            return out
        subset = scenarios if columns is None else [s.take(cols) for s in scenarios]
        horizon = self.workload.horizon_months
        if gate_only:
            horizon = min(horizon, int(np.floor(limit)) + 2)
        cloud_idx = np.flatnonzero(self.cloud_only)
        cloud_cash = np.stack([plan_costs(self.plans[i], subset[int(i)], horizon).cash_usd for i in cloud_idx])
        pick = np.argmin(costs[cloud_idx][:, cols], axis=0)
        reference = cloud_cash[pick, np.arange(cols.size)]
        for i in np.flatnonzero(self.bought):
            c = plan_costs(self.plans[i], subset[int(i)], horizon)
            out[i, cols] = payback_months_many(reference, c.cash_usd - c.up_front_usd, c.up_front_usd)
        return out

    def decide(self, s: Scenario, per_plan: Sequence[Scenario] | None = None) -> Decision:
        """The decision in every scenario of ``s`` (``per_plan``: each plan's own view of them, when
        catalog prices are widened plan by plan).

        Payback is computed in full for up to ``FULL_PAYBACK_SCENARIOS`` scenarios. Beyond that (a Monte
        Carlo), it is projected only as far as the gate looks (exact for the gate; the months beyond read as
        never), and only in the scenarios where it can change the winner of the decision with every payback
        passed: where a plan subject to the gate costs no more than that winner, or a plan outside its premium
        limit has a higher total. Elsewhere holding such a plan back leaves the cheapest plan, the totals and
        the winner's standing as they are, and can only admit plans that total less than the winner.
        """
        scenarios = list(per_plan) if per_plan is not None else [s] * len(self.plans)
        costs = self.costs(scenarios)
        if s.n <= FULL_PAYBACK_SCENARIOS or self.payback_limit is None or not self.bought.any():
            return self.rule(costs, self.paybacks(scenarios, costs))
        passed = self.rule(costs, self.paybacks(scenarios, costs, np.arange(0)))
        columns = np.arange(s.n)
        winner = passed.winners
        subject = (self.bought & ~self.payback_waived)[:, None]
        cheaper = subject & (costs <= costs[winner, columns])
        higher = ~passed.within_limit & ~self.team_gated[:, None] & (passed.total > passed.total[winner, columns])
        matters = cheaper.any(axis=0) | higher.any(axis=0)
        return self.rule(costs, self.paybacks(scenarios, costs, np.flatnonzero(matters), gate_only=True))

    def rule(self, costs: FloatArray, payback: FloatArray, *, gates: bool = True) -> Decision:
        """The rule itself, on (plans, n) costs on the cost basis and paybacks (NaN where not bought);
        ``gates=False`` decides as if neither gate applied (what the gates changed)."""
        limit = self.payback_limit
        if limit is None or not gates:
            payback_gated = np.zeros(costs.shape, dtype=bool)
        else:
            subject = self.bought & ~self.payback_waived
            payback_gated = np.asarray(subject[:, None] & ~(payback <= limit), dtype=bool)
        team = self.team_gated if gates else np.zeros(len(self.plans), dtype=bool)
        gated = team[:, None] | payback_gated
        columns = np.arange(costs.shape[1])
        cheapest = np.asarray(np.argmin(np.where(gated, np.inf, costs), axis=0), dtype=np.int64)
        bar = costs[cheapest, columns]
        within = ~gated
        for j in range(len(self.plans)):
            # every allowed plan j cheaper than plan i caps i's premium at what i's advantages over j buy
            cheaper = ~gated[j] & (costs[j] < costs)
            slack = (self.allowed[:, j : j + 1] + PREMIUM_SLACK) * np.abs(costs[j])
            within &= ~cheaper | (costs - costs[j] <= slack)
        total = np.round(self.non_cost[:, None] + self.weights["cost"] * cost_score(costs, bar), SCORE_DECIMALS)
        position = np.broadcast_to(np.arange(len(self.plans))[:, None], costs.shape)
        tier = np.where(within, 0, np.where(gated, 2, 1))
        order = np.lexsort((position, costs, -total, tier), axis=0)
        return Decision(
            order=np.asarray(order, dtype=np.int64),
            costs=costs,
            cheapest=cheapest,
            team_gated=team,
            payback=payback,
            payback_gated=payback_gated,
            within_limit=within,
            total=total,
        )

    def winners(self, s: Scenario) -> NDArray[np.int64]:
        """The winning plan's index in every scenario."""
        return self.decide(s).winners


def recommend(decider: Decider) -> tuple[Plan | None, Decision | None]:
    """The winner at today's inputs (the neutral scenario) and the decision behind it; None without plans."""
    if not decider.plans:
        return None, None
    d = decider.decide(Scenario.build())
    return decider.plans[int(d.winners[0])], d
