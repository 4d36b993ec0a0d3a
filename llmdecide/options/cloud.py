"""The cloud side of a segment: the API models considered, and each priced on the segment or excluded.

Models come from the workload's list or the catalog, plus prices the workload
states; an excluded provider's models are dropped, whichever way they came in.
Each month is priced at the period in force on its first day; a model whose
price ends within the horizon is dropped unless the workload names it. A model
without the segment's service tier, or without a price for the region its data
must stay in, is left out with that reason.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence

from llmdecide.catalog.catalog import Catalog, Entry, price_on
from llmdecide.catalog.schema import (
    ApiModel,
    ApiPrice,
    ModelStatus,
    PriceBasis,
    Provider,
    RegionalPrice,
    ServiceTiers,
    TierPrices,
)
from llmdecide.costing.choices import CloudChoice, price_cloud
from llmdecide.costing.cloud import MissingPriceError, UnavailableError, last_price_by
from llmdecide.costing.prices import PriceBook
from llmdecide.demand.segment_load import SegmentLoad
from llmdecide.errors import InputFileError
from llmdecide.options.constraints import cloud_block_reason, meets, residency_region
from llmdecide.options.side import EXCLUDED_BASIS, KEEP_CHOICES, SideChoices
from llmdecide.workload.schema import Latency, Workload

PINNED_PRICE_DATE = dt.date(2000, 1, 1)
"""Start date given to prices a workload states, so they apply on any date the report is priced at."""


def pinned_cloud_entries(catalog: Catalog, workload: Workload) -> list[Entry[ApiModel]]:
    """The workload's stated API prices as catalog-like entries, sourced to the workload."""
    out = []
    residency = workload.constraints.data_residency
    for i, pin in enumerate(workload.candidates.pinned_cloud_models):
        where = f"candidates.pinned_cloud_models[{i}]"
        if pin.id in catalog.api_models:
            raise InputFileError(f"{where}.id: {pin.id!r} is already a catalog model; give a new id")
        source = f"workload: {where}"
        stated = TierPrices(
            input_usd_per_mtok=pin.input_usd_per_mtok,
            output_usd_per_mtok=pin.output_usd_per_mtok,
            cached_input_usd_per_mtok=pin.cached_input_usd_per_mtok,
        )
        stated_tiers = ServiceTiers(flex=stated, priority=stated)
        stated_regions = [RegionalPrice(region=residency.region, price_multiplier=1.0)] if residency else []
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
                    basis=PriceBasis.NEGOTIATED,
                    input_usd_per_mtok=pin.input_usd_per_mtok,
                    output_usd_per_mtok=pin.output_usd_per_mtok,
                    cached_input_usd_per_mtok=pin.cached_input_usd_per_mtok,
                    batch_discount=pin.batch_discount,
                    service_tiers=stated_tiers,
                    regions=stated_regions,
                    source=source,
                    checked=PINNED_PRICE_DATE,
                )
            ],
        )
        namespace = pin.id.split("/", 1)[0]
        out.append(Entry(model, source, Provider(id=namespace, name=namespace, pricing_url="(stated in the workload)")))
    return out


EXCLUDED_PROVIDER = "from a provider the workload excludes (constraints.excluded_providers)"
"""How API models of an excluded provider are counted among a segment's cloud exclusions."""


def cloud_pool(catalog: Catalog, workload: Workload) -> tuple[list[Entry[ApiModel]], int]:
    """The API models considered, and how many were dropped for their provider.

    Those the workload names, else every current catalog model; plus the models whose prices the workload
    states; less every model of a provider in ``constraints.excluded_providers`` (whichever way it came in).
    """
    names = workload.candidates.cloud_models
    if names is not None:
        pool = [catalog.api_model(n, where="candidates.cloud_models") for n in names]
    else:
        pool = [
            catalog.api_models[entry_id]
            for entry_id in sorted(catalog.api_models)
            if workload.as_of is not None or catalog.api_models[entry_id].item.status is not ModelStatus.RETIRED
        ]
    pool += pinned_cloud_entries(catalog, workload)
    excluded = {p.strip().lower() for p in workload.constraints.excluded_providers}
    kept = [e for e in pool if _provider_id(e) not in excluded]
    return kept, len(pool) - len(kept)


def _provider_id(entry: Entry[ApiModel]) -> str:
    return entry.provider.id if entry.provider is not None else entry.item.id.split("/", 1)[0]


def cloud_choices(
    book: PriceBook, load: SegmentLoad, pool: Sequence[Entry[ApiModel]], dropped: int = 0
) -> SideChoices[CloudChoice]:
    """Price the segment on every eligible API model of the pool, cheapest first.

    ``dropped`` is how many models the pool lost to an excluded provider; they are counted as exclusions.
    """
    workload, trends = book.workload, book.trends
    blocked = cloud_block_reason(workload, load)
    if blocked:
        return SideChoices(blocked=blocked)
    seg = load.segment
    excluded: Counter[str] = Counter()
    if dropped:
        excluded[EXCLUDED_PROVIDER] = dropped
    names = workload.candidates.cloud_models
    named_ids = {book.catalog.resolve("api", n) for n in names} if names is not None else set()
    region = residency_region(workload, load)
    choices: list[CloudChoice] = []
    for entry in pool:
        model = entry.item
        if not meets(model.tier, seg.capability):
            excluded[f"below the {seg.capability.value} tier"] += 1
            continue
        if model.context_window_tokens < load.context_tokens:
            excluded["with too small a context window"] += 1
            continue
        named = entry.item.id in named_ids
        period = price_on(model.prices, book.on) or (
            last_price_by(model.prices, book.on) if named and book.on else None
        )
        if period is None:
            excluded["without a price on the date"] += 1
            continue
        if not book.allows(period.basis):
            excluded[EXCLUDED_BASIS] += 1
            continue
        try:
            choice = price_cloud(
                load,
                entry,
                on=book.on,
                batch=seg.latency is Latency.BATCH,
                decline_per_year=trends.api[model.tier].decline_per_year,
                month_starts=book.month_starts,
                carry_forward=named,
                region=region,
            )
        except UnavailableError as exc:
            excluded[exc.reason] += 1
            continue
        except MissingPriceError:
            excluded["whose price ends within the horizon"] += 1
            continue
        choices.append(choice)
    choices.sort(key=lambda c: (float(c.series.monthly_usd.sum()), c.model_id))
    return SideChoices(tuple(choices[:KEEP_CHOICES]), None, dict(excluded))
