"""How sure is the decision? One-at-a-time sensitivity, flip thresholds, Monte Carlo, and fragility.

Both analyses re-cost the feasible plans (as placed and sized for today's load)
through the same projection as the point estimate, vectorised over scenarios,
and re-decide in each scenario with the one rule (``decision.py``): costs on the
cost basis, the premium limit and the payback gate are recomputed from that
scenario; the five non-cost scores keep their values. A scenario with every
input at its neutral value reproduces the point estimate exactly.

A decision is fragile when a plausible change of one input (within ``NEAR`` of
today's value) makes a plan of another kind (cloud, local, hybrid) win, or makes
another plan win that would then cost at least ``FRAGILE_REGRET`` less than the
recommended one; or when the recommended kind wins in fewer than
``ROBUST_SHARE`` of the Monte Carlo's sampled futures. Swapping one local GPU for
a near-identical one is not fragility.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from llmdecide import progress
from llmdecide.capacity.intervals import sample_speed
from llmdecide.catalog.schema import PriceBasis
from llmdecide.costing.plan import Plan, PriceEvidence
from llmdecide.costing.projection import FloatArray, Scenario
from llmdecide.limits import SAMPLE_CHUNK
from llmdecide.scoring.decision import Decider
from llmdecide.scoring.statements import Reason

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
    """'x' for a multiplier of today's value, '+' for a change in points (0.01 = one point)."""
    label: str


SWEEPS: tuple[SweepInput, ...] = (
    SweepInput("volume", "volume", 0.1, 10.0, "x", "request volume"),
    SweepInput("growth", "growth_delta", -0.05, 0.10, "+", "monthly growth"),
    SweepInput("api_price", "api_price", 0.25, 4.0, "x", "API prices"),
    SweepInput("api_trend", "api_decline_delta", -0.3, 0.5, "+", "yearly API price decline"),
    SweepInput("gpu_price", "gpu_price", 0.5, 2.0, "x", "GPU purchase prices"),
    SweepInput("rental_rate", "rental_rate", 0.5, 2.0, "x", "GPU rental rates"),
    SweepInput("utilization", "utilization", 0.5, 1.4, "x", "achievable utilisation"),
    SweepInput("staff_cost", "staff_cost", 0.5, 2.0, "x", "staff cost"),
    SweepInput("electricity", "electricity", 0.5, 3.0, "x", "electricity price"),
    SweepInput("depreciation", "depreciation", 0.5, 2.0, "x", "depreciation period"),
)
"""The inputs swept one at a time, each from low to high with the others at today's values."""

SWEEP_POINTS = 401


@dataclass(frozen=True)
class SensitivityRow:
    """One input swept from low to high."""

    input: SweepInput
    low_cost_usd: float
    """The recommended plan's cost (on the cost basis) with the input at its low end."""
    high_cost_usd: float
    flip_value: float | None
    """The value closest to today's at which another plan wins, or None within the range."""
    flip_to: str | None
    """Id of the plan that wins there."""
    flip_kind: str | None = None
    """Kind of that plan (cloud, local or hybrid)."""
    near_regret: float = 0.0
    """Within ``NEAR`` of today's value, the most the recommended plan would cost over the plan that wins
    instead, as a share of that plan's cost (0 when it keeps winning)."""
    near_kind_change: bool = False
    """Whether a plan of another kind wins within ``NEAR`` of today's value."""
    near_kind_value: float | None = None
    """The value nearest today's, within the swept range, at which a plan of another kind wins."""
    near_kind_to: str | None = None
    """Id of that plan."""

    @property
    def swing_usd(self) -> float:
        """How much the recommended plan's cost moves across the range."""
        return abs(self.high_cost_usd - self.low_cost_usd)


def _grid(sweep: SweepInput) -> FloatArray:
    if sweep.unit == "x":
        return np.asarray(np.geomspace(sweep.low, sweep.high, SWEEP_POINTS))
    return np.asarray(np.linspace(sweep.low, sweep.high, SWEEP_POINTS))


def near_band(sweep: SweepInput) -> tuple[float, float]:
    """The range of an input's values that count as close to today's."""
    return NEAR_TREND if sweep.name == "api_trend" else NEAR[sweep.unit]


def sensitivity(decider: Decider, recommended: Plan) -> list[SensitivityRow]:
    """Each input swept on its own: the recommended plan's cost swing and the nearest flip, biggest swing first."""
    plans = decider.plans
    rec_index = list(plans).index(recommended)
    rec_kind = recommended.kind
    rows: list[SensitivityRow] = []
    for sweep in SWEEPS:
        grid = _grid(sweep)
        s = Scenario.build(len(grid), **{sweep.field: grid})
        d = decider.decide(s)
        winners = d.winners
        costs = d.costs
        base = 1.0 if sweep.unit == "x" else 0.0
        distance = np.abs(np.log(grid / base)) if sweep.unit == "x" else np.abs(grid - base)
        flip_value: float | None = None
        flip_to: str | None = None
        flip_kind: str | None = None
        flipped = np.flatnonzero(winners != rec_index)
        if flipped.size:
            nearest = flipped[np.argmin(distance[flipped])]
            flip_value = float(grid[nearest])
            flip_to = plans[int(winners[nearest])].id
            flip_kind = plans[int(winners[nearest])].kind
        low, high = near_band(sweep)
        in_band = (grid >= low) & (grid <= high)
        near = in_band & (winners != rec_index)
        regret = 0.0
        if near.any():
            cols = np.flatnonzero(near)
            won = costs[winners[cols], cols]
            mine = costs[rec_index, cols]
            with np.errstate(divide="ignore", invalid="ignore"):
                share = np.where(won > 0, (mine - won) / won, 0.0)
            regret = float(max(0.0, share.max()))
        kind_value: float | None = None
        kind_to: str | None = None
        other = np.flatnonzero(np.array([plans[int(w)].kind != rec_kind for w in winners], dtype=bool))
        if other.size:
            nearest_other = other[np.argmin(distance[other])]
            kind_value = float(grid[nearest_other])
            kind_to = plans[int(winners[nearest_other])].id
        rows.append(
            SensitivityRow(
                sweep,
                float(costs[rec_index, 0]),
                float(costs[rec_index, -1]),
                flip_value,
                flip_to,
                flip_kind,
                regret,
                kind_value is not None and low <= kind_value <= high,
                kind_value,
                kind_to,
            )
        )
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
    capacity: tuple[CapacitySampled, ...] = ()
    """Local deployments whose throughput was drawn from the capacity model's interval."""
    recommended_kind_share: float | None = None
    """Share of samples won by a plan of the recommended plan's kind."""


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


@dataclass(frozen=True)
class CapacitySampled:
    """One local deployment whose speed the Monte Carlo draws from the capacity model's error bars."""

    deployment: str
    low: float
    median: float
    high: float
    regimes: tuple[str, ...]


def capacity_draws(
    plans: Sequence[Plan], samples: int, seed: int
) -> tuple[dict[str, FloatArray], list[CapacitySampled]]:
    """One speed draw per sized local deployment, shared by every plan that runs it (seeded by its label):
    measured / predicted speed from its interval (``intervals.sample_speed``)."""
    draws: dict[str, FloatArray] = {}
    sampled: list[CapacitySampled] = []
    for plan in plans:
        for placement in plan.placements:
            local = placement.local
            if local is None or local.spec is None or local.pinned or local.devices is not None:
                continue
            interval = local.sizing.speed
            if not interval.known or local.label in draws:
                continue
            rng = np.random.default_rng([seed, zlib.crc32(f"capacity|{local.label}".encode())])
            draws[local.label] = sample_speed(interval, rng.standard_normal(samples)).reshape(-1, 1)
            sampled.append(CapacitySampled(local.label, interval.low, interval.median, interval.high, interval.regimes))
    return draws, sorted(sampled, key=lambda c: c.deployment)


def capacity_scenario(plan: Plan, s: Scenario, draws: dict[str, FloatArray]) -> Scenario:
    """The scenarios as one plan sees them with its deployments' speed drawn (``Scenario.speed``): fleets,
    by-use hours and power follow from it by the same formulas as at the prediction (several deployments:
    their mean draw)."""
    cols = [draws[p.local.label] for p in plan.placements if p.local is not None and p.local.label in draws]
    if not cols:
        return s
    return replace(s, cache={}, speed=s.speed * np.mean(np.hstack(cols), axis=1, keepdims=True))


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


def sample_chunks(samples: int, chunk: int = SAMPLE_CHUNK) -> list[NDArray[np.int64]]:
    """The sample indices in near-equal chunks of at most ``chunk``: the Monte Carlo costs one chunk at a
    time, so its working memory does not grow with the number of samples. Costs and decisions are per
    sample, so chunking does not change any result."""
    count = max(1, -(-samples // chunk))
    return [np.asarray(rows, dtype=np.int64) for rows in np.array_split(np.arange(samples), count)]


def monte_carlo(
    decider: Decider,
    ranges: dict[str, tuple[float, float, float | None]],
    samples: int,
    seed: int = MONTE_CARLO_SEED,
    *,
    widen_bases: bool = True,
    capacity_error: bool = True,
    recommended: Plan | None = None,
) -> MonteCarlo:
    """P10/P50/P90 of each plan's cost (on the cost basis), and how often each is cheapest and wins the decision.

    With ``widen_bases`` (the report's setting), prices on a wide basis are drawn over ``BASIS_SPREAD`` too;
    with ``capacity_error`` (also the report's), each local deployment's speed is drawn from the capacity
    model's interval, so its fleet (and cost) moves with the model's error.
    """
    plans = decider.plans
    s = sample_scenarios(ranges, samples, seed)
    draws, widened = basis_draws(plans, samples, seed) if widen_bases else ({}, [])
    speed, sampled = capacity_draws(plans, samples, seed) if capacity_error else ({}, [])
    costs = np.empty((len(plans), samples))
    winners = np.empty(samples, dtype=np.int64)
    chunks = sample_chunks(samples)
    progress.advance("Monte Carlo", 0, len(chunks))
    for done, rows in enumerate(chunks, start=1):
        part = s.take(rows)
        part_draws = {k: v[rows] for k, v in draws.items()}
        part_speed = {k: v[rows] for k, v in speed.items()}
        d = decider.decide(
            part, [capacity_scenario(p, widened_scenario(p, part, part_draws), part_speed) for p in plans]
        )
        costs[:, rows] = d.costs
        winners[rows] = d.winners
        progress.advance("Monte Carlo", done, len(chunks))
    cheapest = np.argmin(costs, axis=0)
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
    kind_share = None
    if recommended is not None:
        kinds = np.array([p.kind == recommended.kind for p in plans])
        kind_share = float(np.mean(kinds[winners]))
    return MonteCarlo(
        samples,
        seed,
        dict(sorted(ranges.items())),
        out,
        widened=tuple(widened),
        capacity=tuple(sampled),
        recommended_kind_share=kind_share,
    )


NEAR = {"x": (2 / 3, 1.5), "+": (-0.02, 0.02)}
"""How far an input may move and still be 'close to today': a third down or half up, or two points."""
NEAR_TREND = (-0.15, 0.15)
"""The same for the yearly API price decline: fifteen points either way."""
FRAGILE_REGRET = 0.05
"""A plausible change that makes another plan of the same kind win is fragility only when that plan would
then cost at least this share less than the recommended one."""
ROBUST_SHARE = 0.7
"""A decision whose kind wins in fewer than this share of sampled futures is fragile."""


def fragility(
    rows: Sequence[SensitivityRow], monte_carlo_result: MonteCarlo | None, plans: Sequence[Plan] = ()
) -> list[Reason]:
    """Reasons the decision is fragile: a plausible change that changes the kind of plan or costs the
    recommended plan a material regret, or low odds for its kind across the sampled futures."""
    out: list[Reason] = []
    kinds = {p.id: p.kind for p in plans}
    for row in rows:
        if row.flip_value is None:
            continue
        low, high = near_band(row.input)
        if row.near_kind_change and row.near_kind_value is not None and low <= row.near_kind_value <= high:
            value, to, changes = row.near_kind_value, row.near_kind_to, 1
        elif row.near_regret >= FRAGILE_REGRET and low <= row.flip_value <= high:
            value, to, changes = row.flip_value, row.flip_to, 0
        else:
            continue
        out.append(
            Reason(
                "flips_near_today",
                {
                    "input": row.input.name,
                    "label": row.input.label,
                    "unit": row.input.unit,
                    "value": value,
                    "flip_to": to,
                    "flip_kind": kinds.get(to or "", row.flip_kind),
                    "kind_changes": changes,
                    "regret": row.near_regret,
                },
            )
        )
    mc = monte_carlo_result
    if mc is not None and mc.recommended_kind_share is not None and mc.recommended_kind_share < ROBUST_SHARE:
        out.append(Reason("low_odds", {"share": mc.recommended_kind_share, "samples": mc.samples}))
    return out
