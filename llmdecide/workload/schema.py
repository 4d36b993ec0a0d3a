"""The workload file: what a team wants to run, described in YAML.

Every model forbids unknown keys and every field has a description; the
``init`` template and the JSON Schema are generated from these descriptions.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import Field, StringConstraints, model_validator

from llmdecide.catalog.schema import Int, Num, Precision, PriceBasis, RegionCode, Strict, Tier
from llmdecide.limits import (
    MAX_CANDIDATES,
    MAX_DEPLOYMENTS,
    MAX_ID_CHARS,
    MAX_NAME_CHARS,
    MAX_PROFILE_VALUES,
    MAX_SAMPLES,
    MAX_SEGMENTS,
)

Name = Annotated[str, StringConstraints(min_length=1, max_length=MAX_NAME_CHARS, strip_whitespace=True)]
"""A name a report prints: non-empty, at most ``MAX_NAME_CHARS`` characters."""
IdText = Annotated[str, StringConstraints(min_length=1, max_length=MAX_ID_CHARS, strip_whitespace=True)]
"""A catalog id (or a prefix of one) as a workload writes it, at most ``MAX_ID_CHARS`` characters."""


class TeamCapability(StrEnum):
    """How much ML operations skill the team has."""

    NONE = "none"
    BASIC = "basic"
    INTERMEDIATE = "intermediate"
    ADVANCED = "advanced"


class Pattern(StrEnum):
    """How the request volume behaves over time."""

    SPORADIC = "sporadic"
    STEADY_LOW = "steady_low"
    STEADY_HIGH = "steady_high"
    SPIKY = "spiky"
    GROWING = "growing"


class Sensitivity(StrEnum):
    """How sensitive the data in the prompts is."""

    PUBLIC = "public"
    INTERNAL = "internal"
    REGULATED = "regulated"
    CRITICAL = "critical"


class Latency(StrEnum):
    """How quickly answers are needed."""

    BATCH = "batch"
    INTERACTIVE = "interactive"
    REAL_TIME = "real_time"
    EMBEDDED = "embedded"


class Team(Strict):
    """Who would run a local deployment."""

    capability: TeamCapability = Field(
        default=TeamCapability.INTERMEDIATE,
        description="ML/DevOps maturity: none, basic, intermediate or advanced. Local needs intermediate or more.",
    )
    fte_loaded_usd_per_year: Num | None = Field(
        default=None, gt=0, le=2_000_000, description="Loaded annual cost of one ML/DevOps engineer, USD."
    )
    ops_fte: Num | None = Field(
        default=None,
        ge=0,
        le=500,
        description="Engineers (FTE) operating the local deployments of a plan, replacing the effort model "
        "(hours per deployment, machine and device, plus on-call for 24/7 service, by team capability).",
    )
    setup_hours: Num | None = Field(
        default=None,
        ge=0,
        le=100_000,
        description="One-time engineering hours to set up a plan's local deployments, replacing the effort model.",
    )
    hire: bool | Num = Field(
        default=False,
        description="Hire for local operations: true hires the whole engineers the effort needs (at least one), "
        "a number hires that many FTE; either adds the recruiting cost once.",
    )
    on_call: bool | None = Field(
        default=None,
        description="Whether local deployments need a 24/7 on-call rotation; default: yes for interactive and "
        "real-time segments in a data center, colocation or rented, no on desks and in offices.",
    )

    @property
    def staffed(self) -> bool:
        """Whether the workload states who runs local hardware: a hire, or a head count above zero."""
        return self.hire is not False or (self.ops_fte is not None and self.ops_fte > 0)

    @model_validator(mode="after")
    def _hire_count(self) -> Team:
        if not isinstance(self.hire, bool) and not 0 < self.hire <= 500:
            raise ValueError(f"hire: a number of engineers must be above 0 and at most 500, got {self.hire:g}")
        return self


MIN_OUTPUT_TOKENS = 1.0
"""Fewest generated tokens a request averages: every request generates at least one, and a fraction of a token
would put a prompt of millions of tokens into each decode step (``usage import`` writes no less)."""


class Segment(Strict):
    """One class of requests in the workload, with its own volume and needs."""

    name: Name = Field(description="Name of the request class, e.g. 'chat' or 'nightly summaries'.")
    requests_per_day: Num | None = Field(default=None, gt=0, le=1e10, description="Requests per day.")
    requests_per_month: Num | None = Field(default=None, gt=0, le=3e11, description="Requests per month.")
    tokens_per_month: Num | None = Field(
        default=None,
        gt=0,
        le=1e14,
        description="Input plus output tokens per month; requests = tokens / (input_tokens + output_tokens).",
    )
    input_tokens: Num = Field(gt=0, le=10_000_000, description="Prompt tokens per request (average).")
    output_tokens: Num = Field(
        ge=MIN_OUTPUT_TOKENS,
        le=1_000_000,
        description="Generated tokens per request (average; every request generates at least one).",
    )
    cached_input_fraction: Num = Field(
        default=0.0, ge=0, le=1, description="Share of prompt tokens served from a provider's prompt cache."
    )
    cache_write_fraction: Num = Field(
        default=0.0,
        ge=0,
        le=1,
        description="Share of prompt tokens written to the provider's prompt cache (billed at its cache-write "
        "price); with cached_input_fraction at most 1.",
    )
    service_tier: Literal["standard", "flex", "priority"] = Field(
        default="standard",
        description="API service tier: standard, flex (slower, cheaper) or priority (faster, dearer). Models "
        "without the tier are left out.",
    )
    token_overhead: Num = Field(
        default=0.0,
        ge=0,
        le=5,
        description="Extra tokens for retries and underestimated prompts (0.4 = 40% more than stated).",
    )
    growth_per_month: Num = Field(
        default=0.0, ge=-0.5, le=1.0, description="Month-on-month volume growth (0.05 = 5% a month)."
    )
    pattern: Pattern = Field(
        default=Pattern.STEADY_LOW, description="sporadic, steady_low, steady_high, spiky or growing."
    )
    peak_to_average: Num | None = Field(
        default=None,
        ge=1,
        le=1000,
        description="Peak request rate over the average; default by pattern (sporadic 10, steady_low 2, "
        "steady_high 1.5, spiky 5, growing 2).",
    )
    data_sensitivity: Sensitivity = Field(
        default=Sensitivity.INTERNAL, description="public, internal, regulated or critical."
    )
    latency: Latency = Field(
        default=Latency.INTERACTIVE,
        description="batch, interactive, real_time or embedded (runs on the user's own device; give devices).",
    )
    devices: Int | None = Field(
        default=None,
        ge=1,
        le=10_000_000,
        description="Devices (users or sites) that each run the model themselves: one device each is bought, "
        "sized for one user. Required for embedded latency.",
    )
    ttft_slo_ms: Num | None = Field(default=None, gt=0, le=600_000, description="Target time to first token, ms.")
    min_output_tokens_per_s: Num | None = Field(
        default=None, gt=0, le=10_000, description="Slowest acceptable generation speed one user sees, tokens/s."
    )
    capability: Tier = Field(
        default=Tier.GOOD_ENOUGH, description="Capability needed: frontier, good_enough, specialized or simple."
    )
    context_tokens: Int | None = Field(
        default=None, gt=0, le=20_000_000, description="Longest context a request needs; default input_tokens."
    )
    hourly_profile: list[Annotated[Num, Field(le=1e15)]] | None = Field(
        default=None,
        max_length=MAX_PROFILE_VALUES,
        description="Relative load per hour over a day (24 values), a week (168) or a year (8760), repeated over "
        "the year; sets the peak-to-average ratio. Default: a profile built from the pattern.",
    )
    hourly_profile_csv: IdText | None = Field(
        default=None,
        description="A CSV file (path relative to the workload file) with the hourly profile: one number per "
        "line, or the last column of each line; a header line is skipped.",
    )

    @model_validator(mode="after")
    def _one_volume(self) -> Segment:
        given = [k for k in ("requests_per_day", "requests_per_month", "tokens_per_month") if getattr(self, k)]
        if len(given) != 1:
            raise ValueError(
                "give exactly one of requests_per_day, requests_per_month or tokens_per_month"
                + (f" (got {', '.join(given)})" if given else "")
            )
        if self.latency is Latency.EMBEDDED and self.devices is None:
            raise ValueError(
                "an embedded segment runs on one device per user or site: give devices (how many devices run it)"
            )
        if self.cached_input_fraction > 0 and self.latency is Latency.EMBEDDED:
            raise ValueError("cached_input_fraction applies to cloud prompt caches, not embedded deployments")
        if self.cached_input_fraction + self.cache_write_fraction > 1:
            raise ValueError("cached_input_fraction plus cache_write_fraction exceeds 1 (shares of one prompt)")
        profile = self.hourly_profile
        if profile is not None:
            if self.hourly_profile_csv is not None:
                raise ValueError("give hourly_profile or hourly_profile_csv, not both")
            if len(profile) not in (24, 168, 8760):
                raise ValueError(f"hourly_profile needs 24, 168 or 8760 values, got {len(profile)}")
            if any(v < 0 for v in profile):
                raise ValueError("hourly_profile values must not be negative")
            if not any(v > 0 for v in profile):
                raise ValueError("hourly_profile has no load at all")
            if self.peak_to_average is not None:
                raise ValueError("give peak_to_average or an hourly profile, not both (the profile sets the peak)")
        return self


class DataResidency(Strict):
    """Where the data of some segments must be processed."""

    region: RegionCode = Field(description="Region the data must stay in: eu, us, uk, ...")
    applies_to: list[Sensitivity] | None = Field(
        default=None,
        min_length=1,
        description="Data classes it applies to, e.g. [regulated]; default every segment.",
    )


class Constraints(Strict):
    """Rules the decision must respect."""

    cloud_allowed_for: list[Sensitivity] = Field(
        default_factory=list,
        description="Sensitive data classes the organisation may send to a cloud under an agreement "
        "(BAA, DPA), e.g. [regulated]. Critical data never leaves.",
    )
    monthly_budget_usd: Num | None = Field(
        default=None, gt=0, le=1e12, description="Plans above this monthly cost are flagged (not excluded)."
    )
    force: Literal["cloud", "local"] | None = Field(
        default=None, description="Rule out the other side entirely, whatever the scores."
    )
    excluded_providers: list[IdText] = Field(
        default_factory=list, max_length=MAX_CANDIDATES, description="API providers that must not be used (e.g. [xai])."
    )
    data_residency: DataResidency | None = Field(
        default=None,
        description="Processing that must stay in one region: cloud models are priced on their regional "
        "(data-residency) price or left out; rental offers not known to be in the region are left out.",
    )


class PinnedDeployment(Strict):
    """A local deployment stated exactly, as the articles' worked examples do."""

    name: Name = Field(description="Label for the deployment.")
    accelerator: IdText = Field(description="Accelerator id, e.g. nvidia/a100-sxm-80gb.")
    gpus: Int = Field(ge=1, le=10_000, description="GPUs (or Apple machines) in the deployment.")
    acquisition: Literal["buy", "rent", "owned"] = Field(
        description="buy, rent, or owned (hardware already paid for: no purchase, only running costs)."
    )
    open_model: IdText | None = Field(
        default=None, description="Open model it serves; default: the best one that fits and meets the need."
    )
    usd_per_gpu_hour: Num | None = Field(
        default=None, gt=0, le=1000, description="Rental price to use instead of the catalog's, USD per GPU-hour."
    )
    usd_per_unit: Num | None = Field(
        default=None, gt=0, le=10_000_000, description="Purchase price to use instead of the catalog's, USD."
    )
    segments: list[Name] | None = Field(
        max_length=MAX_SEGMENTS,
        default=None,
        description="The one segment it serves, as a one-item list; may be left out with one segment.",
    )
    local_share: Num = Field(
        default=1.0,
        gt=0,
        le=1,
        description="Share of the segment's requests it serves; the rest goes to the cloud (0.8 = 80% local).",
    )
    output_tokens_per_s: Num | None = Field(
        default=None,
        gt=0,
        le=10_000_000,
        description="Measured output tokens/s of the whole deployment, replacing the modelled throughput.",
    )
    running_costs: Literal["modelled", "stated_separately"] = Field(
        default="modelled",
        description="modelled: add the host machine, power, hosting and maintenance of bought hardware "
        "from the catalog's assumptions; stated_separately: they are in local.extra_monthly_costs.",
    )
    replace_on: dt.date | None = Field(
        default=None,
        description="For owned hardware: the day its remaining life ends; from the month that starts on or after "
        "it, a replacement is bought at the catalog's price.",
    )
    maintenance_usd_per_month: Num | None = Field(
        default=None,
        ge=0,
        le=10_000_000,
        description="For owned hardware: its maintenance or support contract, USD a month (default none).",
    )

    @model_validator(mode="after")
    def _owned_terms(self) -> PinnedDeployment:
        if self.acquisition == "owned":
            if self.usd_per_unit is not None or self.usd_per_gpu_hour is not None:
                raise ValueError("owned hardware is already paid for: leave out usd_per_unit and usd_per_gpu_hour")
        else:
            for key in ("replace_on", "maintenance_usd_per_month"):
                if getattr(self, key) is not None:
                    raise ValueError(f"{key} applies to owned hardware only (acquisition: owned)")
        return self


def _both_acquisitions() -> list[Literal["buy", "rent"]]:
    return ["buy", "rent"]


class PinnedCloudModel(Strict):
    """An API price stated exactly (a quote, a negotiated rate, or an article's example)."""

    id: Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9._-]*/[a-z0-9][a-z0-9._:-]*$")] = Field(
        description="Id for the report, 'namespace/name', not already in the catalog."
    )
    name: Name = Field(description="Display name.")
    input_usd_per_mtok: Num = Field(gt=0, le=1000, description="USD per 1M input tokens.")
    output_usd_per_mtok: Num = Field(gt=0, le=1000, description="USD per 1M output tokens.")
    cached_input_usd_per_mtok: Num | None = Field(default=None, gt=0, le=1000, description="USD per 1M cached.")
    batch_discount: Num | None = Field(default=None, ge=0, lt=1, description="Batch-API discount.")
    tier: Tier = Field(default=Tier.FRONTIER, description="Capability tier of the model.")
    context_window_tokens: Int = Field(default=128_000, gt=0, description="Context window, tokens.")


class Candidates(Strict):
    """What to consider; anything not listed is left out. Omit a list to consider the whole catalog."""

    cloud_models: list[IdText] | None = Field(
        default=None, max_length=MAX_CANDIDATES, description="API model ids to consider."
    )
    open_models: list[IdText] | None = Field(
        default=None, max_length=MAX_CANDIDATES, description="Open-model ids to consider."
    )
    accelerators: list[IdText] | None = Field(
        default=None, max_length=MAX_CANDIDATES, description="Accelerator ids to consider."
    )
    price_bases: list[PriceBasis] | None = Field(
        default=None,
        min_length=1,
        description="Catalog price bases a plan may rest on (default: all), e.g. [list, street] keeps promotional, "
        "floor, midpoint, derived and used prices out.",
    )
    acquisitions: list[Literal["buy", "rent"]] = Field(
        default_factory=_both_acquisitions, min_length=1, description="buy, rent or both."
    )
    deployments: list[PinnedDeployment] = Field(
        max_length=MAX_DEPLOYMENTS,
        default_factory=list,
        description="Local deployments stated exactly; considered besides the sized ones.",
    )
    pinned_cloud_models: list[PinnedCloudModel] = Field(
        max_length=MAX_CANDIDATES,
        default_factory=list,
        description="API prices stated exactly; considered besides the catalog's models.",
    )
    size_deployments: bool = Field(
        default=True,
        description="Size local deployments from the catalog; false compares only the pinned deployments.",
    )


class ExtraCost(Strict):
    """A fixed monthly cost of a local deployment."""

    name: Name = Field(description="What it is, e.g. 'monitoring'.")
    usd_per_month: Num = Field(ge=0, le=10_000_000, description="USD per month.")


class LocalSettings(Strict):
    """How local deployments are run and billed."""

    extra_monthly_costs: list[ExtraCost] = Field(
        max_length=MAX_CANDIDATES,
        default_factory=list,
        description="Fixed monthly costs beyond hardware and staff (monitoring, licences).",
    )
    target_utilization: Num = Field(
        default=0.7, gt=0.05, le=1, description="Peak load as a share of sized capacity (headroom for bursts)."
    )
    engine: IdText | None = Field(default=None, description="Serving engine; default vLLM (llama.cpp on Apple).")
    precision: Precision | None = Field(default=None, description="Weight precision; default the model's native.")
    rental_rate: Literal["on_demand", "spot", "committed_1y", "committed_3y"] = Field(
        default="on_demand", description="Which rental price to use."
    )
    rent_billing: Literal["always_on", "by_use"] = Field(
        default="always_on",
        description="always_on bills every hour of the month; by_use bills only the GPU-hours the load needs.",
    )
    hosting: Literal["desk", "office", "colocation", "on_premises"] | None = Field(
        default=None,
        description="Where bought hardware runs: desk (no facility overhead), office (a server room), colocation "
        "(billed per kW of provisioned power) or on_premises (the organisation's data center). Default: "
        "colocation for datacenter GPUs, office for workstations, desk for consumer cards and whole machines.",
    )
    scale_pinned: bool = Field(
        default=False,
        description="Extend a pinned deployment to the replicas its peak load needs instead of ruling it out.",
    )
    residual_fraction: Num = Field(
        default=0.0, ge=0, lt=1, description="Resale value of bought hardware at the end of depreciation."
    )
    depreciation_years: Num | None = Field(
        default=None, gt=0, le=15, description="Straight-line depreciation period; default the catalog's."
    )


class Finance(Strict):
    """The cost of capital and the end of the hardware's life."""

    discount_rate_per_year: Num | None = Field(
        default=None, ge=0, le=0.5, description="Discount rate for net present values; default the catalog's."
    )
    resale_fraction: Num | None = Field(
        default=None,
        ge=0,
        le=1,
        description="Resale value of bought hardware at the horizon's end, share of its price; default from the "
        "catalog's resale curve by accelerator class and age.",
    )
    replace_at_end_of_life: bool = Field(
        default=True,
        description="Buy a replacement when bought hardware reaches the end of its depreciation life "
        "inside the horizon.",
    )


class Weights(Strict):
    """Weights of the six decision dimensions; they are normalised to sum to 1."""

    data_sensitivity: Num = Field(default=0.25, ge=0, le=100, description="Weight of data sensitivity.")
    latency: Num = Field(default=0.15, ge=0, le=100, description="Weight of latency fit.")
    volume_pattern: Num = Field(default=0.10, ge=0, le=100, description="Weight of volume pattern fit.")
    capability: Num = Field(default=0.15, ge=0, le=100, description="Weight of capability fit.")
    cost: Num = Field(default=0.25, ge=0, le=100, description="Weight of cost over the horizon.")
    team: Num = Field(default=0.10, ge=0, le=100, description="Weight of team capability fit.")

    @model_validator(mode="after")
    def _some_weight(self) -> Weights:
        if sum(self.model_dump().values()) <= 0:
            raise ValueError("at least one weight must be above 0")
        return self


class DimensionPremiums(Strict):
    """Premiums over the cheapest plan the user will pay for a plan that scores better on one dimension."""

    data_sensitivity: Num | None = Field(
        default=None, ge=0, le=10, description="Premium paid for better data sensitivity (0.25 = up to 25% more)."
    )
    latency: Num | None = Field(default=None, ge=0, le=10, description="Premium paid for a better latency fit.")
    volume_pattern: Num | None = Field(
        default=None, ge=0, le=10, description="Premium paid for a better fit of the fleet to the load."
    )
    capability: Num | None = Field(default=None, ge=0, le=10, description="Premium paid for a better capability fit.")
    team: Num | None = Field(default=None, ge=0, le=10, description="Premium paid for a better team fit.")


DEFAULT_MAX_PREMIUM = 0.10
"""The premium over the cheapest plan that the non-cost scores may justify when the workload states none."""

DEFAULT_MAX_PAYBACK_MONTHS = 12.0
"""Payback beyond which a plan that buys hardware does not win where the cloud is allowed (article 003)."""


class Preferences(Strict):
    """How the recommendation trades cost against the other dimensions, and the framework's gates."""

    cost_basis: Literal["nominal", "npv"] = Field(
        default="nominal",
        description="Cost the plans are compared on: nominal (the horizon cost: monthly costs summed, hardware "
        "as it depreciates, plus setup) or npv (net present value of the cash, resale at the end).",
    )
    max_premium: Num = Field(
        default=DEFAULT_MAX_PREMIUM,
        ge=0,
        le=10,
        description="Most a plan may cost over the cheapest allowed plan and still be recommended for its "
        "other scores (0.10 = 10% more); 0 recommends the cheapest.",
    )
    premiums: DimensionPremiums = Field(
        default_factory=DimensionPremiums,
        description="Larger premiums for a plan that scores better on one dimension than the cheapest plan, "
        "e.g. data_sensitivity: 0.25 to pay up to 25% more to keep data in-house.",
    )
    max_payback_months: Num | None = Field(
        default=DEFAULT_MAX_PAYBACK_MONTHS,
        gt=0,
        le=600,
        description="Where the cloud is allowed, a plan that buys hardware and pays it back against the cloud "
        "more slowly than this does not win (null turns the gate off).",
    )
    team_gate: bool = Field(
        default=True,
        description="Where the cloud is allowed, a team at none or basic capability with no hire or stated "
        "head count (team.hire, team.ops_fte) is recommended the cloud, with what local would take.",
    )

    def premium_for(self, dimension: str) -> float:
        """The premium a better score on ``dimension`` may justify: its own premium or max_premium, the larger."""
        own = getattr(self.premiums, dimension, None)
        return max(self.max_premium, own) if own is not None else self.max_premium


class Range(Strict):
    """An uncertain input: sampled uniformly between low and high, or triangularly when a mode is given."""

    low: Num = Field(description="Lowest plausible value.")
    high: Num = Field(description="Highest plausible value.")
    mode: Num | None = Field(default=None, description="Most likely value; gives a triangular distribution.")

    @model_validator(mode="after")
    def _ordered(self) -> Range:
        if self.low > self.high:
            raise ValueError(f"low ({self.low:g}) is above high ({self.high:g})")
        if self.mode is not None and not self.low <= self.mode <= self.high:
            raise ValueError(f"mode ({self.mode:g}) is outside low..high")
        return self


MULTIPLIERS = (
    "volume",
    "api_price",
    "gpu_price",
    "rental_rate",
    "utilization",
    "staff_cost",
    "electricity",
    "depreciation",
)
"""Uncertainty ranges that multiply today's value."""
MULTIPLIER_MAX = {"volume": 1000.0}
"""Highest multiplier a range may reach, where it differs from ``MULTIPLIER_MAX_DEFAULT``."""
MULTIPLIER_MAX_DEFAULT = 100.0
"""Highest multiplier of a price, a rate or a period a range may reach."""


class Uncertainty(Strict):
    """Ranges for the inputs that are guesses; a Monte Carlo over them reports P10/P50/P90 of each plan's cost."""

    samples: Int = Field(default=100_000, ge=100, le=MAX_SAMPLES, description="Monte Carlo samples.")
    seed: Int | None = Field(
        default=None, ge=0, le=2**63 - 1, description="Random seed (a fixed default keeps reports stable)."
    )
    volume: Range | None = Field(default=None, description="Multiplier of every segment's request volume.")
    growth_per_month_change: Range | None = Field(
        default=None, description="Change added to every segment's monthly growth (0.02 = two points more)."
    )
    api_price: Range | None = Field(default=None, description="Multiplier of API prices.")
    api_price_decline_change: Range | None = Field(
        default=None, description="Change added to the yearly decline of API prices (0.1 = ten points faster)."
    )
    gpu_price: Range | None = Field(default=None, description="Multiplier of GPU purchase prices.")
    rental_rate: Range | None = Field(default=None, description="Multiplier of GPU rental rates.")
    utilization: Range | None = Field(default=None, description="Multiplier of the achievable utilisation.")
    staff_cost: Range | None = Field(default=None, description="Multiplier of staff cost.")
    electricity: Range | None = Field(default=None, description="Multiplier of the electricity price.")
    depreciation: Range | None = Field(default=None, description="Multiplier of the depreciation period.")

    @model_validator(mode="after")
    def _positive_multipliers(self) -> Uncertainty:
        for name in MULTIPLIERS:
            r = getattr(self, name)
            if r is None:
                continue
            top = MULTIPLIER_MAX.get(name, MULTIPLIER_MAX_DEFAULT)
            if r.low <= 0:
                raise ValueError(f"{name}: a multiplier must stay above 0 (low is {r.low:g})")
            if r.high > top:
                raise ValueError(f"{name}: a multiplier of at most {top:g} is plausible (high is {r.high:g})")
        r = self.growth_per_month_change
        if r is not None and (r.low <= -0.5 or r.high > 1):
            raise ValueError(
                "growth_per_month_change: must stay above -0.5 (50 points less a month) and at most 1 "
                f"(100 points more); got {r.low:g}..{r.high:g}"
            )
        r = self.api_price_decline_change
        if r is not None and not (r.low > -1 and r.high < 1):
            raise ValueError(
                f"api_price_decline_change: must stay between -1 and 1 (exclusive); got {r.low:g}..{r.high:g}"
            )
        return self

    def ranges(self) -> dict[str, tuple[float, float, float | None]]:
        """The given ranges keyed by the projection's scenario inputs."""
        fields = {
            "volume": "volume",
            "growth_per_month_change": "growth_delta",
            "api_price": "api_price",
            "api_price_decline_change": "api_decline_delta",
            "gpu_price": "gpu_price",
            "rental_rate": "rental_rate",
            "utilization": "utilization",
            "staff_cost": "staff_cost",
            "electricity": "electricity",
            "depreciation": "depreciation",
        }
        out: dict[str, tuple[float, float, float | None]] = {}
        for key, field in fields.items():
            r = getattr(self, key)
            if r is not None:
                out[field] = (r.low, r.high, r.mode)
        return out


class PriceTrends(Strict):
    """Yearly price declines applied month by month over the horizon; default: derived from the catalog's history."""

    api_decline_per_year: Num | None = Field(
        default=None,
        ge=-0.5,
        le=0.95,
        description="Yearly decline of API prices (0.3 = 30% cheaper each year; negative = rising).",
    )
    gpu_purchase_decline_per_year: Num | None = Field(
        default=None, ge=-0.5, le=0.95, description="Yearly decline of GPU purchase prices."
    )
    gpu_rental_decline_per_year: Num | None = Field(
        default=None, ge=-0.5, le=0.95, description="Yearly decline of GPU rental rates."
    )


class Workload(Strict):
    """A workload to assess: its request segments, team, constraints and options."""

    schema_version: Literal[1] = Field(description="Workload schema version; this release reads 1.")
    name: Name = Field(description="Name of the workload.")
    description: str | None = Field(default=None, description="What it does, for the report.")
    horizon_months: Int = Field(default=36, ge=1, le=120, description="Months to compare costs over.")
    hours_per_month: Num = Field(
        default=730,
        ge=600,
        le=744,
        description="Hours in a month for every bill and rate (default: the catalog's hours_per_month, 730 "
        "= cloud billing; the articles use 720).",
    )
    currency: Literal["USD"] = Field(default="USD", description="Currency of the report.")
    as_of: dt.date | None = Field(default=None, description="Price the workload as of this date (default: newest).")
    evidence_max_age_days: Int = Field(
        default=90,
        ge=1,
        le=3650,
        description="Warn when a price a compared plan rests on was last shown by its source more than this many "
        "days before the first month of the horizon.",
    )
    team: Team = Field(default_factory=Team, description="Who would run a local deployment.")
    segments: list[Segment] = Field(
        min_length=1, max_length=MAX_SEGMENTS, description="The request classes of the workload."
    )
    constraints: Constraints = Field(default_factory=Constraints, description="Rules the decision must respect.")
    candidates: Candidates = Field(default_factory=Candidates, description="What to consider.")
    local: LocalSettings = Field(default_factory=LocalSettings, description="How local deployments are run.")
    finance: Finance = Field(default_factory=Finance, description="Cost of capital, resale and replacement.")
    weights: Weights = Field(default_factory=Weights, description="Weights of the six decision dimensions.")
    preferences: Preferences = Field(
        default_factory=Preferences,
        description="Cost basis, the premium the other dimensions may justify, and the framework's gates.",
    )
    price_trends: PriceTrends = Field(
        default_factory=PriceTrends, description="Yearly price declines; default derived from the catalog."
    )
    uncertainty: Uncertainty | None = Field(
        default=None, description="Ranges for uncertain inputs; a Monte Carlo over them is reported."
    )

    @model_validator(mode="after")
    def _unique_segments(self) -> Workload:
        names = [s.name for s in self.segments]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"segment names must be unique (repeated: {', '.join(dupes)})")
        for d in self.candidates.deployments:
            for s in d.segments or []:
                if s not in names:
                    raise ValueError(f"deployment {d.name!r} names unknown segment {s!r}")
            served = d.segments if d.segments is not None else names
            if len(served) != 1:
                raise ValueError(
                    f"deployment {d.name!r} must serve exactly one segment (give segments: [name]); "
                    "state one deployment per segment"
                )
        return self
