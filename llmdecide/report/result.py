"""``DecisionReport``: the one result object every renderer draws from.

Plain floats and strings only, so JSON and equality stay trivial. Every number
the Markdown and terminal reports show is a field here. ``None`` means
"not applicable" or "never"; no NaN or infinity is ever stored.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from llmdecide.costing.line_item import CostLineItem

REPORT_VERSION = "4.0"
"""Version of the report's JSON shape; bumped when a field changes meaning or is removed."""


class Model(BaseModel):
    """Base of report models."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class Explanation(Model):
    """A reason, a flip or the deciding rule: what it is (code), the figures and ids it rests on, and the
    sentence the reports print."""

    code: str = Field(
        description="What kind of statement this is. The rule that decided (recommendation.decided_by): "
        "no_feasible_plan, hard_constraint, gate, premium, cheapest, only_kind. Reasons (rationale): recommended, "
        "best_of_kind, migration_plan, capability_gap, stated_only, ruled_out, scheduled_price_change, "
        "cheaper_from_month_one, payback, no_payback, payback_waived. Flips: input_flips (values: input, "
        "flips_at, to, to_kind), no_flip (input, low, high), team_gate, payback_gate, cloud_under_agreement, "
        "cloud_if_not_critical, local_if_open_model_suffices. Gates (recommendation.gates): team, payback. Fragility "
        "(robustness.reasons): flips_near_today, low_odds."
    )
    values: dict[str, float | int | str | None] = Field(description="The numbers and ids it is made from.")
    text: str = Field(description="The statement as the Markdown and terminal reports print it.")


class SegmentSummary(Model):
    """A segment as the report restates it."""

    name: str
    requests_per_month: float = Field(description="Requests in the first month.")
    input_tokens: float
    output_tokens: float
    cached_input_fraction: float
    growth_per_month: float
    pattern: str
    peak_to_average: float
    data_sensitivity: str
    latency: str
    capability: str
    ttft_slo_ms: float | None
    min_output_tokens_per_s: float | None


class PreferencesSummary(Model):
    """The decision's settings as the workload gives them (or their defaults)."""

    cost_basis: Literal["nominal", "npv"]
    max_premium: float
    premiums: dict[str, float] = Field(description="Premiums granted per dimension, where the workload gives any.")
    max_payback_months: float | None
    team_gate: bool


class WorkloadSummary(Model):
    """The workload the report is about."""

    name: str
    file: str | None = Field(description="File name of the workload (no directories).")
    description: str | None
    horizon_months: int
    hours_per_month: float
    prices_as_of: dt.date | None = Field(description="The workload's or --as-of date prices were taken at, if given.")
    starts: dt.date | None = Field(
        description="First day of month 1: prices_as_of, else the catalog's review date; each month is priced "
        "on its first day."
    )
    team_capability: str
    preferences: PreferencesSummary = Field(description="How cost was traded against the other dimensions.")
    evidence_max_age_days: int = Field(description="Age in days beyond which a price's evidence is called stale.")
    segments: list[SegmentSummary]


class PlanStep(Model):
    """Where one segment runs in a plan."""

    segment: str
    side: Literal["cloud", "local", "split"]
    local_share: float = Field(description="Share of the segment's requests served locally.")
    cloud_model: str | None = None
    cloud_provider: str | None = None
    cost_per_request_usd: float | None = None
    open_model: str | None = None
    accelerator: str | None = None
    gpus: float | None = Field(default=None, description="GPUs (or machines) in the first month.")
    gpus_at_horizon_end: float | None = None
    gpus_pessimistic: float | None = Field(
        default=None,
        description="First-month GPUs if throughput is at the pessimistic end of the capacity model's interval.",
    )
    speed_interval: list[float] | None = Field(
        default=None,
        description="Measured / predicted speed the capacity model's error bars allow here: [low, high], "
        "from leave-one-source-out residuals of its regimes.",
    )
    interval_regimes: list[str] | None = Field(default=None, description="Regimes the interval joins.")
    tp: int | None = None
    acquisition: Literal["buy", "rent"] | None = None
    engine: str | None = None
    precision: str | None = None
    kv_precision: str | None = Field(default=None, description="KV-cache precision the fleet is sized with.")
    per_user_output_tokens_per_s: float | None = Field(
        default=None, description="Per-user speed at the batch the fleet is sized at."
    )
    ttft_ms: float | None = Field(default=None, description="Time to first token at the sized batch.")
    batch_per_replica: int | None = Field(default=None, description="Batch (concurrent requests) sized for.")
    devices: int | None = Field(default=None, description="On-device deployments: one device per user or site.")
    concurrency_at_peak: float | None = Field(
        default=None, description="Requests in flight per replica at the first month's peak (Little's law)."
    )
    per_user_output_tokens_per_s_at_peak: float | None = Field(
        default=None, description="Per-user speed at that concurrency."
    )
    ttft_ms_at_peak: float | None = Field(
        default=None, description="Time to first token at that concurrency, waiting for a slot included."
    )
    queue_ms_at_peak: float | None = Field(default=None, description="Mean wait for a batch slot at the peak.")
    overloaded_at_peak: bool | None = Field(
        default=None, description="The peak offers more requests than the sized batch holds."
    )
    overflow_share: float | None = Field(
        default=None, description="Overflow hybrid: share of the horizon's requests sent to the cloud model."
    )


class OptionReport(Model):
    """One plan compared in the report."""

    id: str
    kind: Literal["cloud", "local", "hybrid"]
    label: str
    feasible: bool
    excluded_reason: str | None
    monthly_cost_usd: float | None = Field(description="Cost of the first month.")
    horizon_cost_usd: float | None = Field(description="Monthly costs over the horizon plus one-time setup.")
    one_time_usd: float | None = Field(description="Cash paid up front: hardware and setup.")
    score: float | None
    plan: list[PlanStep]
    line_items: list[CostLineItem]


class PremiumReport(Model):
    """What the recommended plan costs over the cheapest plan the gates let through, and what buys it."""

    over: str = Field(description="Id of the cheapest allowed plan (the recommended plan itself when it is cheapest).")
    over_kind: str
    over_label: str
    premium: float = Field(description="Recommended plan's cost / the cheapest's - 1, on the cost basis.")
    premium_usd: float
    limit: float = Field(description="The most its better scores allow over that plan.")
    dimensions: list[str] = Field(description="Non-cost dimensions on which it scores above the cheapest plan.")
    basis: Literal["nominal", "npv"]
    text: str


class Recommendation(Model):
    """The decision and why."""

    decision: Literal["cloud", "local", "hybrid", "none"]
    option: str | None = Field(description="Id of the recommended option.")
    label: str | None
    plan: list[PlanStep]
    monthly_cost_usd: float | None
    horizon_cost_usd: float | None
    one_time_usd: float | None
    decided_by: Explanation = Field(
        description="The rule that decided: no_feasible_plan, hard_constraint, gate, premium, cheapest or only_kind."
    )
    premium: PremiumReport | None = Field(description="The recommended plan's premium over the cheapest allowed plan.")
    gates: list[Explanation] = Field(
        description="Gates (team, payback) that held back a plan cheaper than the recommended one."
    )
    rationale: list[Explanation]
    flips: list[Explanation] = Field(description="What would have to change for the decision to flip.")


class BreakEvenReport(Model):
    """Cheapest cloud plan against cheapest local plan."""

    cloud_option: str | None
    local_option: str | None
    requests_per_month: float | None = Field(description="Total monthly requests where both cost the same.")
    volume_multiple: float | None = Field(description="That volume as a multiple of today's.")
    payback_months: float | None = Field(description="Months for local's up-front cash to pay back; None = never.")
    outcome: Literal["no_cloud_plan", "no_local_plan", "never", "always", "local_above", "cloud_below"] = Field(
        description="What the comparison found: a side missing, local never or always cheaper, or a crossing."
    )
    note: str = Field(description="The outcome as the reports say it.")


class ScoreInput(Model):
    """The computed facts one non-cost score rests on, for one side of one segment."""

    dimension: str
    segment: str
    side: Literal["cloud", "local"]
    score: float
    inputs: dict[str, float | int | str | bool | None]


class ScoreRow(Model):
    """One option's six dimension scores and weighted total."""

    option: str
    total: float
    data_sensitivity: float
    latency: float
    volume_pattern: float
    capability: float
    cost: float
    team: float
    inputs: list[ScoreInput] = Field(description="The facts behind each non-cost score, per segment and side.")


class Scores(Model):
    """Weights and per-option scores."""

    weights: dict[str, float]
    options: list[ScoreRow]


class Series(Model):
    """Cumulative cash over the horizon for one option."""

    option: str
    kind: str
    label: str
    cumulative_usd: list[float]


class SegmentExclusions(Model):
    """What was ruled out for one segment on one side, and why."""

    segment: str
    side: Literal["cloud", "local"]
    blocked_by: str | None
    excluded: dict[str, int]


class CatalogStamp(Model):
    """Version of one catalog file used."""

    id: str
    version: str
    as_of: dt.date


class AssumptionUsed(Model):
    """An assumption the costs rest on."""

    name: str
    value: float | str
    unit: str
    source: str


class LedgerEntry(Model):
    """A catalog entry the recommended or best plans use, with its source and date."""

    id: str
    kind: str
    what: str
    date: dt.date | None
    source: str


class SensitivityReport(Model):
    """One input swept from low to high with the others at today's values."""

    input: str
    label: str
    unit: Literal["x", "+"] = Field(description="'x': a multiplier of today's value; '+': an absolute change.")
    low: float
    high: float
    low_cost_usd: float = Field(description="The recommended plan's horizon cost at the low end.")
    high_cost_usd: float
    swing_usd: float
    flip_value: float | None = Field(description="Value nearest today's at which another plan wins; None = none.")
    flip_to: str | None
    flip_kind: str | None = Field(description="Kind of the plan that wins there.")
    near_regret: float = Field(
        description="Within the plausible band around today's value, the most the recommended plan costs over "
        "the plan that wins instead, as a share of that plan's cost."
    )
    near_kind_change: bool = Field(description="Whether a plan of another kind wins within that band.")
    kind_flip_value: float | None = Field(
        description="Value nearest today's, within the swept range, at which a plan of another kind wins."
    )
    kind_flip_to: str | None = Field(description="Id of that plan.")


class PlanDistributionReport(Model):
    """One plan's horizon cost across the Monte Carlo samples."""

    option: str
    p10_usd: float
    p50_usd: float
    p90_usd: float
    probability_cheapest: float
    probability_recommended: float


class WidenedPrice(Model):
    """A catalog price the Monte Carlo samples over an extra range because of its basis."""

    entry: str
    kind: str
    basis: str
    low: float = Field(description="Lowest multiplier of the price drawn.")
    high: float = Field(description="Highest multiplier drawn.")


class CapacityDraw(Model):
    """A local deployment whose throughput the Monte Carlo drew from the capacity model's error bars."""

    deployment: str
    low: float = Field(description="Measured / predicted speed at the 10th percentile.")
    median: float
    high: float = Field(description="At the 90th percentile.")
    regimes: list[str]


class MonteCarloReport(Model):
    """Sampled uncertain inputs and what they do to each plan."""

    samples: int
    seed: int
    inputs: dict[str, list[float | None]] = Field(description="Input: [low, high, mode or null for uniform].")
    labels: dict[str, str] = Field(description="Each sampled input as the reports name it.")
    options: list[PlanDistributionReport]
    recommended_kind_share: float | None = Field(
        description="Share of samples won by a plan of the recommended plan's kind."
    )
    widened: list[WidenedPrice] = Field(
        default_factory=list, description="Catalog prices sampled over an extra range because of their basis."
    )
    capacity: list[CapacityDraw] = Field(
        default_factory=list,
        description="Local deployments whose speed was drawn from the capacity model's interval (fleet sizes move).",
    )


class OverflowSegment(Model):
    """One segment of the overflow plan: local sized below peak, the rest to the cloud, hour by hour."""

    segment: str
    replicas: int = Field(description="Local replicas chosen.")
    gpus: float = Field(description="GPUs (or machines) of those replicas.")
    share_of_peak: float = Field(description="Local capacity as a share of the first month's peak request rate.")
    overflow_share_first_month: float = Field(description="Share of the first month's requests sent to the cloud.")
    overflow_share_over_horizon: float = Field(description="Share of the horizon's requests sent to the cloud.")
    horizon_usd: float = Field(description="Segment's horizon cost at this size (hardware, power, cloud; no staff).")
    all_cloud_usd: float = Field(description="The same segment all in the cloud.")
    all_local_replicas: int = Field(description="Replicas that carry the peak hour at the horizon's end.")
    all_local_usd: float = Field(description="The same segment on all_local_replicas, no overflow.")


class OverflowReport(Model):
    """The cost-optimal overflow hybrid, compared with all-cloud and all-local for the same segments."""

    option: str
    monthly_cost_usd: float | None
    horizon_cost_usd: float | None
    segments: list[OverflowSegment]


class PriceChangeReport(Model):
    """A catalog price that changes inside the horizon, for a plan the report compares."""

    option: str
    segment: str
    month: int = Field(description="1-based month of the horizon the new price first applies to.")
    starts: dt.date = Field(description="First day of that month.")
    entry: str = Field(description="Catalog entry whose price changes.")
    kind: Literal["API price", "rental rate", "purchase price"]
    before_usd: float
    after_usd: float
    unit: str = Field(description="What both figures are per: 'request' (this segment's), 'GPU-hour', 'GPU', 'system'.")
    change: float = Field(description="after / before - 1.")
    source: str = Field(description="Source of the new price.")


class PriceEvidenceReport(Model):
    """A catalog price a compared plan rests on, with the date its source shows it."""

    option: str
    segment: str
    entry: str = Field(description="Catalog entry the price belongs to.")
    kind: Literal["API price", "rental rate", "purchase price"]
    basis: str = Field(description="list, promotional, street, used, floor, ...")
    observed: dt.date | None = Field(description="Date the source shows the price; null when not stated.")
    age_days: int | None = Field(description="Days from observed to the first month of the horizon.")
    stale: bool = Field(description="Older than the workload's evidence_max_age_days.")


class YearCost(Model):
    """One year of a plan's cash."""

    year: int
    months: int = Field(description="Months of the horizon in that year (12, or fewer in a last, partial year).")
    capex_usd: float = Field(description="Hardware bought (and replaced) that year.")
    opex_usd: float = Field(description="Rent, power, hosting, maintenance and fixed costs (API bills are cloud_usd).")
    staff_usd: float = Field(description="Operations, on-call, setup and hiring.")
    cloud_usd: float = Field(description="API bills.")
    resale_usd: float = Field(description="Hardware sold at the horizon's end (last year only).")
    total_usd: float = Field(description="capex + opex + staff + cloud - resale.")


class PlanFinance(Model):
    """A plan on a cash basis and at present value, beside its horizon cost."""

    option: str
    label: str
    horizon_cost_usd: float = Field(description="Monthly costs summed, hardware as it depreciates, plus setup.")
    cash_usd: float = Field(description="Cash paid over the horizon (hardware when bought).")
    book_value_end_usd: float = Field(description="Straight-line value of the hardware in service at the end.")
    resale_end_usd: float = Field(description="What that hardware fetches at the end (resale curve).")
    nominal_usd: float = Field(description="cash_usd - resale_end_usd.")
    npv_usd: float = Field(description="Net present value of the cash and the resale at the discount rate.")
    years: list[YearCost]


class FinanceReport(Model):
    """Cost of capital: nominal and present values of the recommended and best plans."""

    discount_rate_per_year: float
    discount_rate_source: str
    plans: list[PlanFinance]


class Robustness(Model):
    """How sure the recommendation is."""

    fragile: bool
    reasons: list[Explanation] = Field(
        description="Why it is fragile: a plausible change of one input that changes the kind of plan or costs the "
        "recommended plan at least 5% more than the new winner; or low odds for its kind."
    )
    sensitivity: list[SensitivityReport]
    monte_carlo: MonteCarloReport | None


class DecisionReport(Model):
    """Everything ``llmdecide assess`` reports."""

    report_version: str = REPORT_VERSION
    workload: WorkloadSummary
    recommendation: Recommendation
    options: list[OptionReport]
    best_by_kind: dict[str, str | None]
    break_even: BreakEvenReport
    scores: Scores
    cumulative_cost: list[Series]
    exclusions: list[SegmentExclusions]
    catalogs: list[CatalogStamp]
    assumptions: list[AssumptionUsed]
    ledger: list[LedgerEntry]
    price_changes: list[PriceChangeReport] = Field(
        description="Scheduled price changes inside the horizon, for the recommended and best plans."
    )
    price_evidence: list[PriceEvidenceReport] = Field(
        description="How old the evidence is behind each price the recommended and best plans rest on."
    )
    overflow: OverflowReport | None = Field(description="The overflow hybrid, when one is cheaper than both extremes.")
    finance: FinanceReport | None = Field(
        default=None, description="Cash, resale and net present value of the recommended and best plans."
    )
    robustness: Robustness | None
    warnings: list[str]
