"""Hard constraints: the rules that rule a whole side out for a segment, before anything is priced.

Critical data or an embedded deployment rule the cloud out; regulated data may
go to a cloud only where the workload allows it under an agreement; a time to
first token below what cloud APIs deliver rules the cloud out; a workload may
force either side. Capability tiers decide which models can serve a need.
"""

from __future__ import annotations

from llmdecide.catalog.schema import Tier
from llmdecide.demand.segment_load import SegmentLoad
from llmdecide.workload.schema import Latency, Sensitivity, Workload

TIER_RANK = {Tier.SIMPLE: 1, Tier.SPECIALIZED: 2, Tier.GOOD_ENOUGH: 3, Tier.FRONTIER: 4}
"""A model serves a need when its tier ranks at least as high."""

CLOUD_TTFT_FLOOR_MS = 250.0
"""Cloud APIs see 200-500 ms to first token plus 50-200 ms of network (003): a target below 250 ms rules them out."""


def meets(tier: Tier, need: Tier) -> bool:
    """Whether a model of ``tier`` serves a need of ``need``."""
    return TIER_RANK[tier] >= TIER_RANK[need]


def cloud_block_reason(workload: Workload, load: SegmentLoad) -> str | None:
    """The hard constraint that rules the cloud out for this segment, if any."""
    seg = load.segment
    if workload.constraints.force == "local":
        return "the workload forces local (constraints.force)"
    if seg.data_sensitivity is Sensitivity.CRITICAL:
        return "critical data never leaves the organisation"
    if (
        seg.data_sensitivity is Sensitivity.REGULATED
        and Sensitivity.REGULATED not in workload.constraints.cloud_allowed_for
    ):
        return "regulated data may go to a cloud only under an agreement (constraints.cloud_allowed_for)"
    if seg.latency is Latency.EMBEDDED:
        return "an embedded (offline, on-device) deployment has no network to reach a cloud"
    if seg.ttft_slo_ms is not None and seg.ttft_slo_ms < CLOUD_TTFT_FLOOR_MS:
        return (
            f"a {seg.ttft_slo_ms:g} ms time-to-first-token target is below what cloud APIs deliver "
            f"({CLOUD_TTFT_FLOOR_MS:g} ms at best)"
        )
    return None


def local_forced_out(workload: Workload) -> str | None:
    """The hard constraint that rules local out for every segment, if any."""
    if workload.constraints.force == "cloud":
        return "the workload forces the cloud (constraints.force)"
    return None


def residency_region(workload: Workload, load: SegmentLoad) -> str | None:
    """The region this segment's processing must stay in (constraints.data_residency), if any."""
    rule = workload.constraints.data_residency
    if rule is None:
        return None
    if rule.applies_to is not None and load.segment.data_sensitivity not in rule.applies_to:
        return None
    return rule.region
