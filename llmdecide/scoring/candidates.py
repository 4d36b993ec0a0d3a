"""Per segment: the cloud models and local deployments that could serve it, and the hard constraints.

Hard constraints come first and rule a whole side out for a segment:
critical data or an embedded deployment rule the cloud out; regulated data may
go to a cloud only where the workload allows it under an agreement; a time to
first token below what cloud APIs deliver rules the cloud out; a frontier need
with no open model of that tier rules local out. Then each candidate is checked
on its own (capability tier, context window, fit in memory, latency targets,
a published price) and excluded with its reason.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Literal

from llmdecide.capacity.plan import (
    DEFAULT_ENGINE,
    CapacityError,
    Deployment,
    LoadSizing,
    compute_known,
    resolve_deployment,
    size_for_load,
)
from llmdecide.catalog.catalog import Catalog, Entry, price_on
from llmdecide.catalog.schema import (
    Accelerator,
    AcceleratorClass,
    ApiModel,
    ApiPrice,
    ModelStatus,
    OpenModel,
    Provider,
    Tier,
)
from llmdecide.catalog.trends import TrendSet
from llmdecide.costing.cloud import MissingPriceError
from llmdecide.costing.local import Sourced
from llmdecide.costing.placement import (
    BuyPrices,
    CloudChoice,
    LocalChoice,
    RentPrices,
    cheapest_rental,
    default_hosting,
    deployment_label,
    price_cloud,
    price_local,
)
from llmdecide.costing.segment_load import SegmentLoad
from llmdecide.errors import InputFileError, LlmdecideError
from llmdecide.workload.schema import Latency, PinnedDeployment, Sensitivity, Workload

TIER_RANK = {Tier.SIMPLE: 1, Tier.SPECIALIZED: 2, Tier.GOOD_ENOUGH: 3, Tier.FRONTIER: 4}
"""A model serves a need when its tier ranks at least as high."""

CLOUD_TTFT_FLOOR_MS = 250.0
"""Cloud APIs see 200-500 ms to first token plus 50-200 ms of network (003): a target below 250 ms rules them out."""

MAX_OPEN_MODELS = 3
"""Open models sized per segment when the workload names none: the smallest that meet the need."""

KEEP_CHOICES = 5
"""Choices kept per side and segment, cheapest first."""


def meets(tier: Tier, need: Tier) -> bool:
    """Whether a model of ``tier`` serves a need of ``need``."""
    return TIER_RANK[tier] >= TIER_RANK[need]


@dataclass
class SegmentCandidates:
    """What could serve one segment on each side, cheapest first, and why others cannot."""

    load: SegmentLoad
    cloud: list[CloudChoice] = field(default_factory=list)
    local: list[LocalChoice] = field(default_factory=list)
    cloud_blocked: str | None = None
    local_blocked: str | None = None
    cloud_exclusions: Counter[str] = field(default_factory=Counter)
    local_exclusions: Counter[str] = field(default_factory=Counter)
    warnings: list[str] = field(default_factory=list)
    sizing_off: bool = False

    def why_no(self, side: Literal["cloud", "local"]) -> str:
        """Why this side has no choice for the segment, in one line."""
        blocked = self.cloud_blocked if side == "cloud" else self.local_blocked
        if blocked:
            return f"{self.load.name}: {blocked}"
        if side == "local" and self.sizing_off:
            return f"{self.load.name}: only the pinned deployments are compared (candidates.size_deployments is false)"
        counts = self.cloud_exclusions if side == "cloud" else self.local_exclusions
        if not counts:
            return f"{self.load.name}: no {side} candidate in the catalog"
        top = "; ".join(f"{n} {reason}" for reason, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:3])
        return f"{self.load.name}: every {side} candidate is excluded ({top})"


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


PINNED_PRICE_DATE = dt.date(2000, 1, 1)
"""Start date given to prices a workload states, so they apply on any date the report is priced at."""


def pinned_cloud_entries(catalog: Catalog, workload: Workload) -> list[Entry[ApiModel]]:
    """The workload's stated API prices as catalog-like entries, sourced to the workload."""
    out = []
    for i, pin in enumerate(workload.candidates.pinned_cloud_models):
        where = f"candidates.pinned_cloud_models[{i}]"
        if pin.id in catalog.api_models:
            raise InputFileError(f"{where}.id: {pin.id!r} is already a catalog model; give a new id")
        source = f"workload: {where}"
        model = ApiModel(
            id=pin.id,
            name=pin.name,
            tier=pin.tier,
            tier_basis="stated in the workload",
            context_window_tokens=pin.context_window_tokens,
            source=source,
            checked=PINNED_PRICE_DATE,
            prices=[
                ApiPrice(
                    effective_from=PINNED_PRICE_DATE,
                    input_usd_per_mtok=pin.input_usd_per_mtok,
                    output_usd_per_mtok=pin.output_usd_per_mtok,
                    cached_input_usd_per_mtok=pin.cached_input_usd_per_mtok,
                    batch_discount=pin.batch_discount,
                    source=source,
                    checked=PINNED_PRICE_DATE,
                )
            ],
        )
        namespace = pin.id.split("/", 1)[0]
        out.append(Entry(model, source, Provider(id=namespace, name=namespace, pricing_url="(stated in the workload)")))
    return out


def _cloud_pool(catalog: Catalog, workload: Workload) -> list[Entry[ApiModel]]:
    pinned = pinned_cloud_entries(catalog, workload)
    names = workload.candidates.cloud_models
    if names is not None:
        return [catalog.api_model(n, where="candidates.cloud_models") for n in names] + pinned
    excluded = {p.lower() for p in workload.constraints.excluded_providers}
    pool = []
    for entry_id in sorted(catalog.api_models):
        entry = catalog.api_models[entry_id]
        if entry.provider is not None and entry.provider.id in excluded:
            continue
        if workload.as_of is None and entry.item.status is ModelStatus.RETIRED:
            continue
        pool.append(entry)
    return pool + pinned


def cloud_choices(
    catalog: Catalog, workload: Workload, load: SegmentLoad, sc: SegmentCandidates, trends: TrendSet
) -> None:
    """Price the segment on every eligible API model."""
    sc.cloud_blocked = cloud_block_reason(workload, load)
    if sc.cloud_blocked:
        return
    seg = load.segment
    choices: list[CloudChoice] = []
    for entry in _cloud_pool(catalog, workload):
        model = entry.item
        if not meets(model.tier, seg.capability):
            sc.cloud_exclusions[f"below the {seg.capability.value} tier"] += 1
            continue
        if model.context_window_tokens < load.context_tokens:
            sc.cloud_exclusions["with too small a context window"] += 1
            continue
        try:
            choice = price_cloud(
                load,
                entry,
                on=workload.as_of,
                batch=seg.latency is Latency.BATCH,
                decline_per_year=trends.api[model.tier].decline_per_year,
            )
        except MissingPriceError:
            sc.cloud_exclusions["without a price on the date"] += 1
            continue
        choices.append(choice)
    choices.sort(key=lambda c: (float(c.series.monthly_usd.sum()), c.model_id))
    sc.cloud = choices[:KEEP_CHOICES]


def _open_pool(catalog: Catalog, workload: Workload, load: SegmentLoad) -> tuple[list[OpenModel], bool]:
    """Open models to size: (models, explicitly named)."""
    names = workload.candidates.open_models
    if names is not None:
        return [catalog.open_model(n, where="candidates.open_models").item for n in names], True
    seg = load.segment
    on = workload.as_of
    pool = [
        e.item
        for _, e in sorted(catalog.open_models.items())
        if meets(e.item.tier, seg.capability)
        and e.item.max_context_tokens >= load.context_tokens
        and (on is None or e.item.release_date <= on)
    ]
    pool.sort(key=lambda m: (m.total_params_b, -m.release_date.toordinal(), m.id))
    return pool[:MAX_OPEN_MODELS], False


def _accelerator_pool(catalog: Catalog, workload: Workload, load: SegmentLoad) -> list[Accelerator]:
    names = workload.candidates.accelerators
    if names is not None:
        pool = [catalog.accelerator(n, where="candidates.accelerators").item for n in names]
    else:
        pool = [e.item for _, e in sorted(catalog.accelerators.items())]
    if load.segment.latency is Latency.EMBEDDED:
        pool = [a for a in pool if a.accelerator_class is not AcceleratorClass.DATACENTER]
    elif names is None:
        # GeForce driver licences exclude datacenter deployment: consumer cards are sized only
        # for on-device (embedded) segments, or when the workload names them.
        pool = [a for a in pool if a.accelerator_class is not AcceleratorClass.CONSUMER]
    return pool


def _precisions(workload: Workload, model: OpenModel, accelerator: Accelerator) -> list[str | None]:
    if workload.local.precision is not None:
        return [workload.local.precision]
    options: list[str | None] = [None]
    if accelerator.fp8_dense_tflops and model.native_precision in ("bf16", "fp16"):
        options.append("fp8")
    if accelerator.accelerator_class is not AcceleratorClass.DATACENTER:
        options.append("int4")
    return options


@dataclass(frozen=True)
class PriceBook:
    """The prices, assumptions and trends local deployments are costed with."""

    catalog: Catalog
    workload: Workload
    trends: TrendSet

    def buy(self, accelerator: Accelerator, override: Sourced | None = None) -> BuyPrices | None:
        """Owning prices for an accelerator, or None when no purchase price is published."""
        a = self.catalog.require_assumptions()
        local = self.workload.local
        on = self.workload.as_of
        unit_kind: Literal["gpu", "system"]
        if override is not None:
            apple = accelerator.accelerator_class is AcceleratorClass.APPLE_SILICON
            unit, unit_kind = override, "system" if apple else "gpu"
        else:
            period = price_on(accelerator.purchase_prices, on)
            if period is None:
                return None
            unit = Sourced(period.usd, f"{accelerator.id} {period.basis} ({period.source})")
            unit_kind = period.unit
        hosting = local.hosting or default_hosting(accelerator.accelerator_class)
        server = (
            Sourced(a.server_usd_per_gpu.value, f"assumption server_usd_per_gpu ({a.server_usd_per_gpu.source})")
            if accelerator.accelerator_class is AcceleratorClass.DATACENTER
            else None
        )
        dep = (
            Sourced(local.depreciation_years, "workload: local.depreciation_years")
            if local.depreciation_years is not None
            else Sourced(a.depreciation_years.value, f"assumption depreciation_years ({a.depreciation_years.source})")
        )
        return BuyPrices(
            unit_usd=unit,
            unit=unit_kind,
            server_usd_per_gpu=server,
            depreciation_years=dep,
            residual_fraction=local.residual_fraction,
            maintenance_fraction_per_year=Sourced(
                a.maintenance_fraction_of_capex_per_year.value,
                f"assumption maintenance ({a.maintenance_fraction_of_capex_per_year.source})",
            ),
            electricity_usd_per_kwh=Sourced(
                a.electricity_usd_per_kwh.value, f"assumption electricity ({a.electricity_usd_per_kwh.source})"
            ),
            pue=Sourced(a.pue.value, f"assumption PUE ({a.pue.source})"),
            colocation_usd_per_kw_month=Sourced(
                a.colocation_usd_per_kw_month.value, f"assumption colocation ({a.colocation_usd_per_kw_month.source})"
            )
            if hosting == "colocation"
            else None,
        )

    def rent(self, accelerator: Accelerator, override: Sourced | None = None) -> RentPrices | None:
        """Renting prices for an accelerator (cheapest offer at the workload's rate), or None."""
        local = self.workload.local
        if override is not None:
            return RentPrices(override, local.rental_rate, 1, local.rent_billing)
        found = cheapest_rental(self.catalog, accelerator.id, local.rental_rate, self.workload.as_of)
        if found is None:
            return None
        entry, rate, source = found
        return RentPrices(Sourced(rate, source), local.rental_rate, entry.item.gpus_per_instance, local.rent_billing)


def _size(d: Deployment, load: SegmentLoad, workload: Workload, share: float = 1.0) -> LoadSizing:
    seg = load.segment
    return size_for_load(
        d,
        peak_requests_per_s=float(load.peak_rps()[0]) * share,
        input_tokens=load.input_tokens,
        output_tokens=load.output_tokens,
        ttft_slo_ms=seg.ttft_slo_ms,
        min_output_tokens_per_s=seg.min_output_tokens_per_s,
        target_utilization=workload.local.target_utilization,
    )


def local_choices(
    catalog: Catalog, workload: Workload, load: SegmentLoad, sc: SegmentCandidates, trends: TrendSet
) -> None:
    """Size and price the segment on every eligible open model x accelerator x precision, bought or rented."""
    seg = load.segment
    if workload.constraints.force == "cloud":
        sc.local_blocked = "the workload forces the cloud (constraints.force)"
        return
    if not workload.candidates.size_deployments:
        sc.sizing_off = True
        return
    models, named = _open_pool(catalog, workload, load)
    if not named and not models:
        if seg.capability is Tier.FRONTIER:
            sc.local_blocked = "frontier capability is needed and no open model in the catalog reaches that tier"
        else:
            sc.local_blocked = f"no open model in the catalog meets the {seg.capability.value} tier and context"
        return
    book = PriceBook(catalog, workload, trends)
    choices: list[LocalChoice] = []
    for model in models:
        if named and not meets(model.tier, seg.capability):
            sc.local_exclusions[f"{model.id} is below the {seg.capability.value} tier"] += 1
            continue
        if model.max_context_tokens < load.context_tokens:
            sc.local_exclusions[f"{model.id} has too small a context window"] += 1
            continue
        for acc in _accelerator_pool(catalog, workload, load):
            for precision in _precisions(workload, model, acc):
                try:
                    d = resolve_deployment(
                        catalog,
                        model.id,
                        acc.id,
                        engine_id=workload.local.engine or DEFAULT_ENGINE[acc.accelerator_class],
                        precision=precision,
                    )
                except (CapacityError, LlmdecideError):
                    sc.local_exclusions["deployments the engine cannot run"] += 1
                    continue
                if not compute_known(d):
                    sc.local_exclusions["deployments on accelerators with no published compute figure"] += 1
                    continue
                sizing = _size(d, load, workload)
                if not sizing.fits:
                    sc.local_exclusions["deployments that do not fit in memory"] += 1
                    continue
                if not sizing.meets_latency:
                    sc.local_exclusions["deployments that miss the latency target"] += 1
                    continue
                choices += _priced(book, load, d, sizing, workload, sc, share=1.0, label=None, pinned_gpus=None)
    choices.sort(key=lambda c: (float(c.series.monthly_usd.sum()), c.label))
    unique: list[LocalChoice] = []
    seen: set[str] = set()
    for c in choices:
        if c.label not in seen:
            unique.append(c)
            seen.add(c.label)
    sc.local = unique[:KEEP_CHOICES]


def _priced(
    book: PriceBook,
    load: SegmentLoad,
    d: Deployment,
    sizing: LoadSizing,
    workload: Workload,
    sc: SegmentCandidates,
    *,
    share: float,
    label: str | None,
    pinned_gpus: int | None,
    buy_override: Sourced | None = None,
    rent_override: Sourced | None = None,
    acquisitions: list[Literal["buy", "rent"]] | None = None,
    running_costs: bool = True,
) -> list[LocalChoice]:
    out: list[LocalChoice] = []
    for acquisition in acquisitions or workload.candidates.acquisitions:
        if acquisition == "buy":
            buy = book.buy(d.accelerator, buy_override)
            if buy is None:
                sc.local_exclusions["deployments with no published purchase price"] += 1
                continue
            if not running_costs:
                buy = replace(buy, running_costs=False, server_usd_per_gpu=None)
            rent = None
        else:
            rent = book.rent(d.accelerator, rent_override)
            if rent is None:
                rate = workload.local.rental_rate.replace("_", " ")
                sc.local_exclusions[f"deployments with no published {rate} rental price"] += 1
                continue
            buy = None
        name = label or deployment_label(d, sizing.gpus, acquisition)
        out.append(
            price_local(
                load,
                d,
                sizing,
                acquisition=acquisition,
                buy=buy,
                rent=rent,
                hours_per_month=workload.hours_per_month,
                horizon_months=workload.horizon_months,
                share=share,
                target_utilization=workload.local.target_utilization,
                label=name,
                pinned_gpus=pinned_gpus,
                gpu_price_decline_per_year=book.trends.purchase.decline_per_year,
                rental_decline_per_year=book.trends.rental.decline_per_year,
            )
        )
    return out


def pinned_choice(
    catalog: Catalog, workload: Workload, load: SegmentLoad, pin: PinnedDeployment, index: int, trends: TrendSet
) -> LocalChoice | str:
    """A pinned deployment priced for one segment, or the reason it cannot serve it."""
    where = f"candidates.deployments[{index}]"
    acc = catalog.accelerator(pin.accelerator, where=f"{where}.accelerator").item
    engine = workload.local.engine or DEFAULT_ENGINE[acc.accelerator_class]
    if pin.open_model is not None:
        models = [catalog.open_model(pin.open_model, where=f"{where}.open_model").item]
    else:
        models = [
            e.item
            for _, e in sorted(catalog.open_models.items())
            if meets(e.item.tier, load.segment.capability) and e.item.max_context_tokens >= load.context_tokens
        ]
        models.sort(key=lambda m: (-TIER_RANK[m.tier], -m.total_params_b, m.id))
    share = pin.local_share
    for model in models:
        try:
            d = resolve_deployment(catalog, model.id, acc.id, engine_id=engine, precision=workload.local.precision)
        except LlmdecideError:
            continue
        sizing = _size(d, load, workload, share)
        if not sizing.fits or sizing.tp > pin.gpus:
            continue
        replicas = pin.gpus // sizing.tp
        stated: dict[str, float] = {"replicas": replicas, "gpus": pin.gpus}
        if pin.output_tokens_per_s is not None:
            stated["requests_per_s_per_replica"] = pin.output_tokens_per_s / replicas / load.output_tokens
        fixed = LoadSizing(**{**sizing.model_dump(), **stated})
        book = PriceBook(catalog, workload, trends)
        sc = SegmentCandidates(load)
        priced = _priced(
            book,
            load,
            d,
            fixed,
            workload,
            sc,
            share=share,
            label=f"{pin.name}: {d.model.id} {d.precision} on {pin.gpus} x {acc.id}, {pin.acquisition}",
            pinned_gpus=pin.gpus,
            buy_override=Sourced(pin.usd_per_unit, f"workload: {where}.usd_per_unit") if pin.usd_per_unit else None,
            rent_override=Sourced(pin.usd_per_gpu_hour, f"workload: {where}.usd_per_gpu_hour")
            if pin.usd_per_gpu_hour
            else None,
            acquisitions=[pin.acquisition],
            running_costs=pin.running_costs == "modelled",
        )
        if priced:
            return priced[0]
        return next(iter(sc.local_exclusions), f"{pin.name}: no price") + f" ({pin.name})"
    return f"{pin.name}: no open model meeting the need fits on {pin.gpus} x {acc.id}"


def segment_candidates(catalog: Catalog, workload: Workload, load: SegmentLoad, trends: TrendSet) -> SegmentCandidates:
    """Both sides' choices for one segment."""
    sc = SegmentCandidates(load)
    cloud_choices(catalog, workload, load, sc, trends)
    local_choices(catalog, workload, load, sc, trends)
    for choice in sc.cloud[:1]:
        sc.warnings.extend(choice.warnings)
    return sc
