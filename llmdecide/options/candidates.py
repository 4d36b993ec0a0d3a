"""Per segment: the cloud models (``cloud.py``) and local deployments (here) that could serve it, cheapest first.

Hard constraints (``constraints.py``) come first and rule a whole side out
for a segment. Then each candidate is checked on its own (capability tier,
context window, fit in memory, latency targets, a published price) and
excluded with its reason. Only capacity outcomes are caught here (an engine
that cannot run a deployment); ids the workload names were resolved up front
(``resolve.py``), so a user error is never swallowed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

from llmdecide.capacity.attention import rope_scaling_note
from llmdecide.capacity.deployment import (
    DEFAULT_ENGINE,
    SIXTEEN_BIT,
    CapacityError,
    Deployment,
    compute_known,
    resolve_deployment,
)
from llmdecide.capacity.sizing import LoadSizing, size_for_load
from llmdecide.catalog.catalog import Catalog, Entry, price_on
from llmdecide.catalog.schema import (
    Accelerator,
    AcceleratorClass,
    ApiModel,
    OpenModel,
    OperatingAssumptions,
    Tier,
)
from llmdecide.costing.choices import CloudChoice, LocalChoice, pinned_needs, price_local
from llmdecide.costing.local import Sourced
from llmdecide.costing.prices import Acquisition, PriceBook, allowed_hosting, cheapest_rental
from llmdecide.demand.segment_load import SegmentLoad
from llmdecide.errors import InputFileError
from llmdecide.options.cloud import cloud_choices
from llmdecide.options.constraints import TIER_RANK, local_forced_out, meets, residency_region
from llmdecide.options.side import EXCLUDED_BASIS, KEEP_CHOICES, SideChoices
from llmdecide.workload.schema import Latency, PinnedDeployment, Workload

MAX_OPEN_MODELS = 3
"""Open models sized per segment when the workload names none: the smallest that meet the need."""


@dataclass(frozen=True)
class SegmentCandidates:
    """What could serve one segment on each side, cheapest first, and why others cannot."""

    load: SegmentLoad
    cloud: tuple[CloudChoice, ...] = ()
    local: tuple[LocalChoice, ...] = ()
    cloud_blocked: str | None = None
    local_blocked: str | None = None
    cloud_exclusions: dict[str, int] = field(default_factory=dict)
    local_exclusions: dict[str, int] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    sizing_off: bool = False

    def why_no(self, side: Literal["cloud", "local"]) -> str:
        """Why this side has no choice for the segment, in one line."""
        blocked = self.cloud_blocked if side == "cloud" else self.local_blocked
        if blocked:
            return f"{self.load.name}: {blocked}"
        if side == "local" and self.sizing_off:
            return (
                f"{self.load.name}: not sized, only the stated deployments were compared "
                "(candidates.size_deployments is false)"
            )
        counts = self.cloud_exclusions if side == "cloud" else self.local_exclusions
        if not counts:
            return f"{self.load.name}: no {side} candidate in the catalog"
        top = "; ".join(f"{n} {reason}" for reason, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:3])
        return f"{self.load.name}: every {side} candidate is excluded ({top})"


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
        hosting = workload.local.hosting
        if hosting is not None and list(workload.candidates.acquisitions) == ["buy"]:
            for i, a in enumerate(pool):
                if hosting not in allowed_hosting(a):
                    raise InputFileError(
                        f"local.hosting: {hosting} does not fit candidates.accelerators[{i}] {a.id} "
                        f"({a.accelerator_class.value}, {a.form_factor.value}); expected one of "
                        f"{', '.join(allowed_hosting(a))}"
                    )
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
    if accelerator.fp8_dense_tflops and model.native_precision in SIXTEEN_BIT:
        options.append("fp8")
    if accelerator.accelerator_class is not AcceleratorClass.DATACENTER:
        options.append("int4")
    return options


def latency_targets(load: SegmentLoad, a: OperatingAssumptions | None) -> tuple[float | None, float | None]:
    """(time-to-first-token ms, per-user tokens/s) a local deployment is sized to: the segment's own targets,
    else the catalog's defaults by latency class (interactive and real-time both, on-device work its speed
    only, batch neither)."""
    seg = load.segment
    ttft, speed = seg.ttft_slo_ms, seg.min_output_tokens_per_s
    if a is None:
        return ttft, speed
    if seg.latency is Latency.INTERACTIVE:
        return (ttft or a.interactive_ttft_ms.value, speed or a.interactive_output_tokens_per_s.value)
    if seg.latency is Latency.REAL_TIME:
        return (ttft or a.real_time_ttft_ms.value, speed or a.real_time_output_tokens_per_s.value)
    if seg.latency is Latency.EMBEDDED:
        return ttft, speed or a.interactive_output_tokens_per_s.value
    return ttft, speed


def _size(d: Deployment, load: SegmentLoad, book: PriceBook, share: float = 1.0, tp: int | None = None) -> LoadSizing:
    workload = book.workload
    ttft, speed = latency_targets(load, book.catalog.assumptions)
    sizing = size_for_load(
        d,
        peak_requests_per_s=float(load.peak_rps()[0]) * share,
        input_tokens=load.input_tokens,
        output_tokens=load.output_tokens,
        ttft_slo_ms=ttft,
        min_output_tokens_per_s=speed,
        target_utilization=workload.local.target_utilization,
        tp=tp,
    )
    return sizing.model_copy(update={"ttft_target_ms": ttft, "output_tokens_per_s_target": speed})


def local_choices(book: PriceBook, load: SegmentLoad) -> SideChoices[LocalChoice]:
    """Size and price the segment on every eligible open model x accelerator x precision, bought or rented."""
    catalog, workload = book.catalog, book.workload
    seg = load.segment
    forced = local_forced_out(workload)
    if forced:
        return SideChoices(blocked=forced)
    if not workload.candidates.size_deployments:
        return SideChoices(sizing_off=True)
    models, named = _open_pool(catalog, workload, load)
    if not named and not models:
        if seg.capability is Tier.FRONTIER:
            return SideChoices(
                blocked="frontier capability is needed and no open model in the catalog reaches that tier"
            )
        return SideChoices(blocked=f"no open model in the catalog meets the {seg.capability.value} tier and context")
    excluded: Counter[str] = Counter()
    choices: list[LocalChoice] = []
    for model in models:
        if named and not meets(model.tier, seg.capability):
            excluded[f"{model.id} is below the {seg.capability.value} tier"] += 1
            continue
        if model.max_context_tokens < load.context_tokens:
            excluded[f"{model.id} has too small a context window"] += 1
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
                except CapacityError:
                    excluded["deployments the engine cannot run"] += 1
                    continue
                if not compute_known(d):
                    excluded["deployments on accelerators with no published compute figure"] += 1
                    continue
                if seg.devices is not None:
                    choices += _on_devices(book, load, d, seg.devices, excluded)
                    continue
                sizing = _size(d, load, book)
                if not sizing.fits:
                    excluded["deployments that do not fit in memory"] += 1
                    continue
                if not sizing.meets_latency:
                    excluded["deployments that miss the latency target"] += 1
                    continue
                choices += _priced(book, load, d, sizing, excluded, workload.candidates.acquisitions)
    effort = book.terms.effort
    horizon = workload.horizon_months

    def rank(c: LocalChoice) -> tuple[float, str]:
        staff = effort.standalone_usd(c.effort, horizon) if effort is not None and c.effort is not None else 0.0
        return (float(c.series.monthly_usd.sum()) + staff, c.label)

    choices.sort(key=rank)
    unique: list[LocalChoice] = []
    seen: set[str] = set()
    for c in choices:
        if c.label not in seen:
            unique.append(c)
            seen.add(c.label)
    return SideChoices(tuple(unique[:KEEP_CHOICES]), None, dict(excluded))


def _on_devices(
    book: PriceBook, load: SegmentLoad, d: Deployment, devices: int, excluded: Counter[str]
) -> list[LocalChoice]:
    """One device per user or site, each serving its own share of the load on one accelerator, bought."""
    if d.accelerator.accelerator_class is AcceleratorClass.DATACENTER:
        excluded["datacenter accelerators (an on-device deployment needs a device)"] += 1
        return []
    sizing = _size(d, load, book, 1.0 / devices, tp=1)
    if not sizing.fits:
        excluded["devices the model does not fit on"] += 1
        return []
    if not sizing.meets_latency:
        excluded["devices that miss the latency target"] += 1
        return []
    if sizing.replicas > 1:
        excluded["devices too slow for one user's or site's peak load"] += 1
        return []
    prices = _acquisition(book, d.accelerator, "buy", excluded)
    if prices is None:
        return []
    label = f"{d.model.id} {d.precisions} on {devices:,} devices ({d.accelerator.id}, {d.engine.id}), buy"
    choice = price_local(load, d, sizing, prices, book.terms, label=label, devices=devices)
    return [_with_context_note(choice, load)]


def _acquisition(
    book: PriceBook,
    accelerator: Accelerator,
    acquisition: Literal["buy", "rent"],
    excluded: Counter[str],
    *,
    buy_override: Sourced | None = None,
    rent_override: Sourced | None = None,
    running_costs: bool = True,
    region: str | None = None,
) -> Acquisition | None:
    """The prices of buying or renting an accelerator; None (and the exclusion counted) when none is published.

    With ``region`` (the segment's data residency), only rental offers sold in that region are considered;
    bought hardware stands wherever the organisation puts it.
    """
    if acquisition == "buy":
        if not book.hosting_fits(accelerator):
            excluded[f"purchases of hardware that cannot run at local.hosting {book.workload.local.hosting}"] += 1
            return None
        buy = book.buy(accelerator, buy_override)
        if buy is None:
            period = price_on(accelerator.purchase_prices, book.on)
            excluded[EXCLUDED_BASIS if period is not None else "deployments with no published purchase price"] += 1
            return None
        return buy if running_costs else replace(buy, running_costs=False)
    rent = book.rent(accelerator, rent_override, region)
    if rent is None:
        rate = book.workload.local.rental_rate
        unfiltered = cheapest_rental(book.catalog, accelerator.id, rate, book.on, book.month_starts)
        no_price = f"deployments with no published {rate.replace('_', ' ')} rental price"
        anywhere = book.rent(accelerator) if region is not None else None
        if anywhere is not None:
            excluded[f"rentals with no offer listed in {region} (constraints.data_residency)"] += 1
        else:
            excluded[EXCLUDED_BASIS if unfiltered is not None else no_price] += 1
    return rent


def _priced(
    book: PriceBook,
    load: SegmentLoad,
    d: Deployment,
    sizing: LoadSizing,
    excluded: Counter[str],
    acquisitions: Sequence[Literal["buy", "rent"]],
) -> list[LocalChoice]:
    out: list[LocalChoice] = []
    region = residency_region(book.workload, load)
    for acquisition in acquisitions:
        prices = _acquisition(book, d.accelerator, acquisition, excluded, region=region)
        if prices is not None:
            out.append(_with_context_note(price_local(load, d, sizing, prices, book.terms), load))
    return out


def _with_context_note(choice: LocalChoice, load: SegmentLoad) -> LocalChoice:
    """Say so when the segment's context lies beyond the window the model was trained for."""
    note = rope_scaling_note(choice.deployment.model, load.context_tokens)
    if note is None:
        return choice
    return replace(choice, warnings=(*choice.warnings, f"{load.name}: {note}"))


def pinned_choice(book: PriceBook, load: SegmentLoad, pin: PinnedDeployment, index: int) -> LocalChoice | str:
    """A pinned deployment priced for one segment, or the reason it cannot serve it.

    A deployment that cannot carry the segment's peak load at the target utilisation in some month of the
    horizon cannot serve it, unless ``local.scale_pinned``: it is then extended to the replicas it needs
    (keeping at least its own GPUs).
    """
    catalog, workload = book.catalog, book.workload
    where = f"candidates.deployments[{index}]"
    acc = catalog.accelerator(pin.accelerator, where=f"{where}.accelerator").item
    engine = workload.local.engine or DEFAULT_ENGINE[acc.accelerator_class]
    if pin.acquisition != "rent" and not book.hosting_fits(acc):
        raise InputFileError(
            f"local.hosting: {workload.local.hosting} does not fit {where}.accelerator {acc.id} "
            f"({acc.accelerator_class.value}, {acc.form_factor.value}); expected one of "
            + ", ".join(allowed_hosting(acc))
        )
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
    unserved: str | None = None
    for model in models:
        try:
            d = resolve_deployment(catalog, model.id, acc.id, engine_id=engine, precision=workload.local.precision)
        except CapacityError:
            continue
        sizing = _size(d, load, book, share)
        if not sizing.fits or sizing.tp > pin.gpus:
            continue
        replicas = pin.gpus // sizing.tp
        stated: dict[str, float] = {"replicas": replicas, "gpus": pin.gpus}
        if pin.output_tokens_per_s is not None:
            stated["requests_per_s_per_replica"] = pin.output_tokens_per_s / replicas / load.output_tokens
        fixed = LoadSizing(**{**sizing.model_dump(), **stated})
        if fixed.requests_per_s_per_replica <= 0:  # fits, but serves nothing within the latency target
            unserved = f"{pin.name}: {model.id} on {pin.gpus} x {acc.id} {sizing.reason}"
            continue
        needed = pinned_needs(load, fixed, share, workload.local.target_utilization)
        scale = needed > pin.gpus and workload.local.scale_pinned
        if needed > pin.gpus and not scale:
            return (
                f"{pin.name}: cannot carry the peak load ({float(load.peak_rps().max()) * share:.3g} requests/s in "
                f"the busiest month needs {needed:,} x {acc.id} at {workload.local.target_utilization:.0%} target "
                f"utilisation, {pin.gpus} pinned; local.scale_pinned: true extends it)"
            )
        excluded: Counter[str] = Counter()
        if pin.acquisition == "owned":
            owned = book.buy(
                acc,
                owned_units=pin.gpus,
                replace_month=book.month_of(pin.replace_on) if pin.replace_on is not None else None,
                owned_maintenance_usd_month=pin.maintenance_usd_per_month or 0.0,
                needs_price=scale,
            )
            if owned is None:
                why = "to extend it" if scale else "to replace it"
                return f"{pin.name}: {acc.id} has no catalog purchase price {why}"
            prices: Acquisition | None = (
                owned if pin.running_costs == "modelled" else replace(owned, running_costs=False)
            )
        else:
            prices = _acquisition(
                book,
                acc,
                pin.acquisition,
                excluded,
                buy_override=Sourced(pin.usd_per_unit, f"workload: {where}.usd_per_unit") if pin.usd_per_unit else None,
                rent_override=Sourced(pin.usd_per_gpu_hour, f"workload: {where}.usd_per_gpu_hour")
                if pin.usd_per_gpu_hour
                else None,
                running_costs=pin.running_costs == "modelled",
                region=residency_region(workload, load),
            )
        if prices is None:
            return next(iter(excluded), f"{pin.name}: no price") + f" ({pin.name})"
        if scale:
            label = (
                f"{pin.name}: {d.model.id} {d.precisions} on {pin.gpus} x {acc.id} extended to {needed:,} for its "
                f"load, {pin.acquisition}"
            )
            choice = price_local(load, d, fixed, prices, book.terms, share=share, label=label, min_gpus=pin.gpus)
            choice = replace(
                choice,
                warnings=(
                    *choice.warnings,
                    f"{pin.name}: extended from {pin.gpus} to {needed:,} "
                    f"x {acc.id} to carry the peak load (local.scale_pinned)",
                ),
            )
        else:
            label = f"{pin.name}: {d.model.id} {d.precisions} on {pin.gpus} x {acc.id}, {pin.acquisition}"
            choice = price_local(load, d, fixed, prices, book.terms, share=share, label=label, pinned_gpus=pin.gpus)
        return _with_context_note(choice, load)
    return unserved or f"{pin.name}: no open model meeting the need fits on {pin.gpus} x {acc.id}"


def segment_candidates(
    book: PriceBook, load: SegmentLoad, pool: tuple[Sequence[Entry[ApiModel]], int]
) -> SegmentCandidates:
    """Both sides' choices for one segment; ``pool`` is :func:`cloud_pool`, built once per assessment."""
    cloud = cloud_choices(book, load, *pool)
    local = local_choices(book, load)
    warnings = tuple(w for choice in cloud.choices[:1] for w in choice.warnings)
    return SegmentCandidates(
        load,
        cloud.choices,
        local.choices,
        cloud.blocked,
        local.blocked,
        cloud.exclusions,
        local.exclusions,
        warnings,
        local.sizing_off,
    )
