"""How sure is the decision? One-at-a-time sensitivity, flip thresholds, Monte Carlo, and fragility.

Both analyses re-cost the feasible plans (as placed and sized for today's load)
through the same projection as the point estimate, vectorised over scenarios,
and re-decide in each scenario: the cost dimension is recomputed from that
scenario's horizon costs, the five other dimensions keep their scores. A
scenario with every input at its neutral value reproduces the point estimate
exactly.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np

from llmdecide.catalog.schema import PriceBasis
from llmdecide.costing.plan import Plan, PriceEvidence, horizon_costs
from llmdecide.costing.projection import FloatArray, Scenario
from llmdecide.scoring.decision import decide
from llmdecide.scoring.dimensions import Scores
from llmdecide.scoring.explain import Reason
from llmdecide.workload.schema import Workload

MONTE_CARLO_SEED = 20261122
"""Seed of the Monte Carlo generator when the workload gives none: reports stay byte-identical."""


@dataclass(frozen=True)
class SweepInput:
    """An input the sensitivity analysis sweeps: its scenario field, range and how to show it."""

    name: str
    field: str
    low: float
    high: float
    unit: Literal["x", "+"]
    """'x' for a multiplier of today's value, '+' for an absolute change."""
    label: str


SWEEPS: tuple[SweepInput, ...] = (
    SweepInput("volume", "volume", 0.1, 10.0, "x", "request volume"),
    SweepInput("growth", "growth_delta", -0.05, 0.10, "+", "monthly growth (change, points)"),
    SweepInput("api_price", "api_price", 0.25, 4.0, "x", "API prices"),
    SweepInput("api_trend", "api_decline_delta", -0.3, 0.5, "+", "yearly API price decline (change)"),
    SweepInput("gpu_price", "gpu_price", 0.5, 2.0, "x", "GPU purchase prices"),
    SweepInput("rental_rate", "rental_rate", 0.5, 2.0, "x", "GPU rental rates"),
    SweepInput("utilization", "utilization", 0.5, 1.4, "x", "achievable utilisation"),
    SweepInput("staff_cost", "staff_cost", 0.5, 2.0, "x", "staff cost"),
    SweepInput("electricity", "electricity", 0.5, 3.0, "x", "electricity price"),
    SweepInput("depreciation", "depreciation", 0.5, 2.0, "x", "depreciation period"),
)
"""The inputs swept one at a time, each from low to high with the others at today's values."""

SWEEP_POINTS = 401


def all_costs(plans: Sequence[Plan], s: Scenario, horizon: int) -> FloatArray:
    """Horizon cost of every plan in every scenario: (plans, scenarios)."""
    return np.vstack([horizon_costs(p, s, horizon) for p in plans])


@dataclass(frozen=True)
class SensitivityRow:
    """One input swept from low to high."""

    input: SweepInput
    low_cost_usd: float
    """The recommended plan's horizon cost with the input at its low end."""
    high_cost_usd: float
    flip_value: float | None
    """The value closest to today's at which another plan wins, or None within the range."""
    flip_to: str | None
    """Id of the plan that wins there."""

    @property
    def swing_usd(self) -> float:
        """How much the recommended plan's horizon cost moves across the range."""
        return abs(self.high_cost_usd - self.low_cost_usd)


def _grid(sweep: SweepInput) -> FloatArray:
    if sweep.unit == "x":
        return np.asarray(np.geomspace(sweep.low, sweep.high, SWEEP_POINTS))
    return np.asarray(np.linspace(sweep.low, sweep.high, SWEEP_POINTS))


def sensitivity(
    plans: Sequence[Plan], recommended: Plan, scores: dict[str, Scores], workload: Workload
) -> list[SensitivityRow]:
    """Each input swept on its own: the recommended plan's cost swing and the nearest flip, biggest swing first."""
    horizon = workload.horizon_months
    rec_index = plans.index(recommended)
    neutral = 1.0
    rows: list[SensitivityRow] = []
    for sweep in SWEEPS:
        grid = _grid(sweep)
        s = Scenario.build(len(grid), **{sweep.field: grid})
        costs = all_costs(plans, s, horizon)
        winners = decide(plans, costs, scores, workload)
        base = neutral if sweep.unit == "x" else 0.0
        flip_value: float | None = None
        flip_to: str | None = None
        distance = np.abs(np.log(grid / base)) if sweep.unit == "x" else np.abs(grid - base)
        flipped = np.flatnonzero(winners != rec_index)
        if flipped.size:
            nearest = flipped[np.argmin(distance[flipped])]
            flip_value = float(grid[nearest])
            flip_to = plans[int(winners[nearest])].id
        rows.append(SensitivityRow(sweep, float(costs[rec_index, 0]), float(costs[rec_index, -1]), flip_value, flip_to))
    rows.sort(key=lambda r: (-r.swing_usd, r.input.name))
    return rows


@dataclass(frozen=True)
class PlanDistribution:
    """One plan's horizon cost across the Monte Carlo samples."""

    plan: str
    p10_usd: float
    p50_usd: float
    p90_usd: float
    probability_cheapest: float
    probability_recommended: float
    """Share of samples in which this plan wins the decision."""


@dataclass(frozen=True)
class MonteCarlo:
    """The result of sampling the workload's uncertain inputs."""

    samples: int
    seed: int
    inputs: dict[str, tuple[float, float, float | None]]
    """Sampled inputs: (low, high, mode or None for uniform)."""
    plans: list[PlanDistribution]
    widened: tuple[Widened, ...] = ()
    """Catalog prices whose basis widened their own range on top of the inputs."""


BASIS_SPREAD: dict[PriceBasis, tuple[float, float]] = {
    PriceBasis.PROMOTIONAL: (1.0, 2.0),
    PriceBasis.INTRODUCTORY: (1.0, 2.0),
    PriceBasis.PREVIEW: (0.8, 1.5),
    PriceBasis.USED: (0.8, 1.5),
    PriceBasis.FLOOR: (1.0, 1.6),
    PriceBasis.RANGE_MIDPOINT: (0.75, 1.25),
    PriceBasis.DERIVED: (0.8, 1.25),
}
"""Extra multiplier range, drawn uniformly, for a price that is not a plain list, street or negotiated figure.

Judgements, stated so a reader can check them: a promotion or launch price whose end is not announced
(one with a dated end is already scheduled) returns to a list price up to twice as high, as the
catalog's promotions do (Gemini 4 2 -> 4, GPT-5.6 Sol 4 -> 5, Mistral Large 4 0.68 -> 1.36); a preview
price may move either way at general availability; a used price depends on the unit; a 'from' price
is the cheapest listing, typical listings run higher; a range's midpoint sits a quarter from either
end of the ranges the catalog records; a derived figure carries its derivation's error.
"""

SCENARIO_FIELD = {"API price": "api_price", "rental rate": "rental_rate", "purchase price": "gpu_price"}
"""The scenario input each kind of catalog price scales."""


@dataclass(frozen=True)
class Widened:
    """One catalog price sampled over its basis's extra range."""

    entry: str
    kind: str
    basis: str
    low: float
    high: float


def _spread(e: PriceEvidence) -> tuple[float, float] | None:
    if e.basis in (PriceBasis.PROMOTIONAL, PriceBasis.INTRODUCTORY) and not e.end_unannounced:
        return None
    return BASIS_SPREAD.get(e.basis)


def basis_draws(
    plans: Sequence[Plan], samples: int, seed: int
) -> tuple[dict[tuple[str, str], FloatArray], list[Widened]]:
    """One draw per catalog price with a wide basis, shared by every plan that uses it (seeded by its id)."""
    draws: dict[tuple[str, str], FloatArray] = {}
    widened: list[Widened] = []
    for plan in plans:
        for placement in plan.placements:
            for e in placement.price_evidence():
                spread = _spread(e)
                key = (e.entry, e.what)
                if spread is None or key in draws:
                    continue
                rng = np.random.default_rng([seed, zlib.crc32(f"{e.entry}|{e.what}".encode())])
                draws[key] = rng.uniform(spread[0], spread[1], samples).reshape(-1, 1)
                widened.append(Widened(e.entry, e.what, e.basis.value, spread[0], spread[1]))
    return draws, sorted(widened, key=lambda w: (w.kind, w.entry))


def widened_scenario(plan: Plan, s: Scenario, draws: dict[tuple[str, str], FloatArray]) -> Scenario:
    """The scenarios as one plan sees them: each kind of price it rests on scaled by its prices' basis draws.

    A plan with several prices of one kind takes their mean draw for that kind (the widening then covers
    the plan's whole cost of that kind, a slight overstatement when only one segment's price is wide).
    """
    by_field: dict[str, list[FloatArray]] = {}
    for placement in plan.placements:
        for e in placement.price_evidence():
            draw = draws.get((e.entry, e.what))
            if draw is not None:
                by_field.setdefault(SCENARIO_FIELD[e.what], []).append(draw)
    if not by_field:
        return s
    update = {
        name: getattr(s, name) * np.mean(np.hstack(cols), axis=1, keepdims=True) for name, cols in by_field.items()
    }
    return replace(s, cache={}, **update)


def sample_scenarios(ranges: dict[str, tuple[float, float, float | None]], samples: int, seed: int) -> Scenario:
    """Draw scenarios: triangular where a mode is given, uniform otherwise, exact where low == high."""
    rng = np.random.default_rng(seed)
    values: dict[str, FloatArray] = {}
    for name in sorted(ranges):
        low, high, mode = ranges[name]
        if low == high:
            values[name] = np.full(samples, low)
        elif mode is not None:
            values[name] = rng.triangular(low, mode, high, samples)
        else:
            values[name] = rng.uniform(low, high, samples)
    return Scenario.build(samples, **values)


def monte_carlo(
    plans: Sequence[Plan],
    scores: dict[str, Scores],
    workload: Workload,
    ranges: dict[str, tuple[float, float, float | None]],
    samples: int,
    seed: int = MONTE_CARLO_SEED,
    *,
    widen_bases: bool = True,
) -> MonteCarlo:
    """P10/P50/P90 of each plan's horizon cost, and how often each is cheapest and wins the decision.

    With ``widen_bases`` (the report's setting), prices on a wide basis are drawn over ``BASIS_SPREAD`` too.
    """
    s = sample_scenarios(ranges, samples, seed)
    draws, widened = basis_draws(plans, samples, seed) if widen_bases else ({}, [])
    costs = np.vstack([horizon_costs(p, widened_scenario(p, s, draws), workload.horizon_months) for p in plans])
    cheapest = np.argmin(costs, axis=0)
    winners = decide(plans, costs, scores, workload)
    out = []
    for i, p in enumerate(plans):
        p10, p50, p90 = np.percentile(costs[i], [10, 50, 90])
        out.append(
            PlanDistribution(
                p.id,
                float(p10),
                float(p50),
                float(p90),
                float(np.mean(cheapest == i)),
                float(np.mean(winners == i)),
            )
        )
    return MonteCarlo(samples, seed, dict(sorted(ranges.items())), out, tuple(widened))


NEAR = {"x": (2 / 3, 1.5), "+": (-0.02, 0.02)}
"""How far an input may move and still be 'close to today': a third down or half up, or two points."""
NEAR_TREND = (-0.15, 0.15)
"""The same for the yearly API price decline: fifteen points either way."""
ROBUST_SHARE = 0.7
"""A decision that wins in fewer than this share of sampled futures is fragile."""


def fragility(rows: Sequence[SensitivityRow], monte_carlo_result: MonteCarlo | None, recommended: str) -> list[Reason]:
    """Reasons the decision is fragile: a flip close to today's inputs, or a low chance of winning."""
    out: list[Reason] = []
    for row in rows:
        if row.flip_value is None:
            continue
        low, high = NEAR_TREND if row.input.name == "api_trend" else NEAR[row.input.unit]
        if low <= row.flip_value <= high:
            out.append(
                Reason(
                    "flips_near_today",
                    {
                        "input": row.input.name,
                        "label": row.input.label,
                        "unit": row.input.unit,
                        "value": row.flip_value,
                        "flip_to": row.flip_to,
                    },
                )
            )
    mc = monte_carlo_result
    if mc is not None:
        share = next(d.probability_recommended for d in mc.plans if d.plan == recommended)
        if share < ROBUST_SHARE:
            out.append(Reason("low_odds", {"share": share, "samples": mc.samples}))
    return out
