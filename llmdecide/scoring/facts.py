"""The computed facts each non-cost score rests on, one :class:`Fact` per dimension, segment and side.

- latency: the plan's predicted time to first token and per-user speed against the segment's targets
  (its own, else the catalog's defaults by latency class). Local figures are the deployment's operating
  point at the first month's peak (queueing included); cloud figures are the model's measured speed from
  the catalog where it has one, else the catalog's default, plus the network round trip. Each figure
  that misses its target scores target / actual (or actual / target for speed); the worse one counts;
  a deployment overloaded at the peak scores 0; batch work with no target scores 1.
- volume pattern: how well the capacity paid for fits the load. Pay-per-use (API, rental billed by use)
  scores 1, and so do on-device deployments (one device per user, bought for its user, not for the load);
  a fleet sized to the peak scores mean / peak of its load (1 / peak-to-average: a peak five times the
  average scores 0.2), whatever the model's speed; a fleet of fixed size (stated, or the overflow
  hybrid's) scores its mean utilisation over the horizon / the target utilisation, so an oversized stated
  fleet scores low.
- capability: the tier of the model actually placed against the tier the segment needs: 1 when it
  reaches it (a sized plan always does), 0.5 less per tier short (a stated deployment may name a model
  below the need).
- data sensitivity: where the data goes. Own hardware scores 1; a provider scores by data class and
  whether the organisation has an agreement for that class (``constraints.cloud_allowed_for``):
  ``CLOUD_DATA``.
- team: who runs local hardware. The cloud side scores 1; the local side ``TEAM`` by capability, at
  least the intermediate score when the workload states a hire or a head count.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from llmdecide.catalog.schema import OperatingAssumptions, Tier
from llmdecide.costing.plan import Placement
from llmdecide.costing.projection import Scenario, local_series
from llmdecide.demand.segment_load import SegmentLoad
from llmdecide.options.candidates import latency_targets
from llmdecide.options.constraints import TIER_RANK
from llmdecide.workload.schema import Latency, Sensitivity, TeamCapability, Workload

Value = float | int | str | bool | None
Side = Literal["cloud", "local"]

CLOUD_DATA: dict[tuple[Sensitivity, bool], float] = {
    (Sensitivity.PUBLIC, False): 1.0,
    (Sensitivity.PUBLIC, True): 1.0,
    (Sensitivity.INTERNAL, False): 0.7,
    (Sensitivity.INTERNAL, True): 0.9,
    (Sensitivity.REGULATED, False): 0.0,
    (Sensitivity.REGULATED, True): 0.5,
    (Sensitivity.CRITICAL, False): 0.0,
    (Sensitivity.CRITICAL, True): 0.0,
}
"""Data-sensitivity score of sending a data class to a provider, (class, under an agreement): internal
data under a DPA is nearly as safe as in-house; regulated data may go only under an agreement (without
one the cloud is ruled out); critical data never leaves."""

TEAM: dict[TeamCapability, float] = {
    TeamCapability.NONE: 0.0,
    TeamCapability.BASIC: 0.3,
    TeamCapability.INTERMEDIATE: 0.7,
    TeamCapability.ADVANCED: 1.0,
}
"""Local-side team score by ML-ops maturity (the cloud side scores 1): running GPUs needs intermediate or more."""


@dataclass(frozen=True)
class Fact:
    """One dimension's score for one side of one segment, and the computed inputs it rests on."""

    dimension: str
    segment: str
    side: Side
    score: float
    inputs: Mapping[str, Value]


def meets_target(actual: float | None, target: float | None, *, lower_is_better: bool) -> float:
    """1 when ``actual`` meets ``target`` (or either is unknown), else the ratio that says by how much it misses."""
    if actual is None or target is None or actual <= 0:
        return 1.0
    ratio = target / actual if lower_is_better else actual / target
    return min(1.0, ratio)


def latency_fact(p: Placement, side: Side, load: SegmentLoad, a: OperatingAssumptions) -> Fact:
    """How the side's time to first token and per-user speed compare with the segment's targets."""
    ttft_target, speed_target = latency_targets(load, a)
    inputs: dict[str, Value] = {"ttft_target_ms": ttft_target, "output_tokens_per_s_target": speed_target}
    if side == "local":
        assert p.local is not None
        point = p.at_peak(load.input_tokens, load.output_tokens)
        sizing = p.local.sizing
        ttft = point.ttft_ms if point is not None and point.ttft_ms is not None else sizing.ttft_ms
        speed = point.per_user_output_tokens_per_s if point is not None else sizing.per_user_output_tokens_per_s
        overloaded = bool(point is not None and point.overloaded)
        inputs.update(
            ttft_ms=ttft,
            output_tokens_per_s=speed,
            overloaded_at_peak=overloaded,
            source="operating point at the first month's peak",
        )
        if overloaded:
            return Fact("latency", p.segment, side, 0.0, inputs)
    else:
        assert p.cloud is not None
        measured = p.cloud.entry.item.latency
        provider_ttft = measured.ttft_ms if measured is not None else None
        speed = measured.output_tokens_per_s if measured is not None else None
        catalog = f"catalog: {p.cloud.model_id} ({measured.source})" if measured is not None else ""
        parts = [
            f"time to first token {catalog}" if provider_ttft is not None else "assumption cloud_ttft_ms",
            f"speed {catalog}" if speed is not None else "assumption cloud_output_tokens_per_s",
            "assumption network_round_trip_ms",
        ]
        source = "; ".join(parts)
        if provider_ttft is None:
            provider_ttft = a.cloud_ttft_ms.value
        if speed is None:
            speed = a.cloud_output_tokens_per_s.value
        network = a.network_round_trip_ms.value
        ttft = provider_ttft + network
        inputs.update(
            ttft_ms=ttft,
            provider_ttft_ms=provider_ttft,
            network_round_trip_ms=network,
            output_tokens_per_s=speed,
            source=source,
        )
    if load.segment.latency is Latency.BATCH and ttft_target is None and speed_target is None:
        return Fact("latency", p.segment, side, 1.0, inputs)
    score = min(
        meets_target(ttft, ttft_target, lower_is_better=True),
        meets_target(speed, speed_target, lower_is_better=False),
    )
    return Fact("latency", p.segment, side, score, inputs)


def fleet_fact(p: Placement, side: Side, horizon: int) -> Fact:
    """How well the capacity paid for fits the load: pay-per-use scores 1, a held fleet its utilisation."""
    if side == "cloud":
        return Fact("volume_pattern", p.segment, side, 1.0, {"billing": "per token"})
    local = p.local
    assert local is not None and local.spec is not None
    spec = local.spec
    if spec.rent is not None and spec.rent.billing == "by_use":
        return Fact("volume_pattern", p.segment, side, 1.0, {"billing": "by use"})
    if local.devices is not None:
        return Fact("volume_pattern", p.segment, side, 1.0, {"billing": "one device per user or site"})
    if spec.pinned_gpus is None:
        # a sized fleet follows the load month by month: within a month it idles as far as the load's
        # peak exceeds its mean, whatever the model's speed
        par = max(spec.peak_to_average, 1.0)
        inputs: dict[str, Value] = {"billing": "held all month, sized to the peak", "peak_to_average": par}
        return Fact("volume_pattern", p.segment, side, 1.0 / par, inputs)
    series = local_series(spec, Scenario.build(), horizon)
    mean = float(series.utilization[0].mean())
    target = spec.target_utilization
    score = min(1.0, mean / target) if target > 0 else 1.0
    inputs = {
        "billing": "held all month, a stated or overflow fleet",
        "mean_utilization": mean,
        "target_utilization": target,
        "peak_to_average": spec.peak_to_average,
    }
    return Fact("volume_pattern", p.segment, side, score, inputs)


def capability_fact(p: Placement, side: Side, load: SegmentLoad) -> Fact:
    """The tier of the model placed against the tier needed."""
    need = load.segment.capability
    if side == "cloud":
        assert p.cloud is not None
        tier, model = p.cloud.entry.item.tier, p.cloud.model_id
    else:
        assert p.local is not None
        tier, model = p.local.deployment.model.tier, p.local.deployment.model.id
    gap = TIER_RANK[need] - TIER_RANK[tier]
    score = 1.0 if gap <= 0 else max(0.0, 1.0 - 0.5 * gap)
    inputs: dict[str, Value] = {"needed_tier": need.value, "model": model, "model_tier": Tier(tier).value}
    return Fact("capability", p.segment, side, score, inputs)


def data_fact(p: Placement, side: Side, load: SegmentLoad, workload: Workload) -> Fact:
    """Where the segment's data goes, and how that suits its class."""
    cls = load.segment.data_sensitivity
    if side == "local":
        return Fact("data_sensitivity", p.segment, side, 1.0, {"data_class": cls.value, "goes_to": "own hardware"})
    assert p.cloud is not None
    agreement = cls in workload.constraints.cloud_allowed_for
    provider = p.cloud.entry.provider.id if p.cloud.entry.provider else None
    inputs: dict[str, Value] = {
        "data_class": cls.value,
        "goes_to": "provider under an agreement" if agreement else "provider, no agreement stated",
        "provider": provider,
    }
    return Fact("data_sensitivity", p.segment, side, CLOUD_DATA[(cls, agreement)], inputs)


def team_fact(p: Placement, side: Side, workload: Workload) -> Fact:
    """Who runs the side: the provider (cloud), or the team at its capability or with the stated staff."""
    if side == "cloud":
        return Fact("team", p.segment, side, 1.0, {"run_by": "provider"})
    team = workload.team
    score = TEAM[team.capability]
    if team.staffed:
        score = max(score, TEAM[TeamCapability.INTERMEDIATE])
    inputs: dict[str, Value] = {"capability": team.capability.value, "staffed": team.staffed}
    return Fact("team", p.segment, side, score, inputs)


def placement_facts(p: Placement, load: SegmentLoad, workload: Workload, a: OperatingAssumptions) -> list[Fact]:
    """Every non-cost fact of one segment's placement, for each side it uses."""
    sides: list[Side] = []
    if p.local is not None:
        sides.append("local")
    if p.cloud is not None and (p.local is None or p.local_share < 1.0 or p.overflow is not None):
        sides.append("cloud")
    out: list[Fact] = []
    for side in sides:
        out += [
            data_fact(p, side, load, workload),
            latency_fact(p, side, load, a),
            fleet_fact(p, side, workload.horizon_months),
            capability_fact(p, side, load),
            team_fact(p, side, workload),
        ]
    return out
