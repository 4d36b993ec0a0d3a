"""Pricing one segment on one side, month by month over the horizon.

A :class:`CloudChoice` is a segment on an API model; a :class:`LocalChoice` is a
segment on a sized local deployment, bought or rented. Each carries its
first-month line items and two series over the horizon: the cost recognised
each month (bought hardware as straight-line depreciation) and the cash paid
each month (hardware when bought), which payback uses.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from llmdecide.capacity.deployment import Deployment, memory_limit_note
from llmdecide.capacity.sizing import LoadSizing, replicas_for
from llmdecide.catalog.catalog import Entry, price_on
from llmdecide.catalog.schema import ApiModel
from llmdecide.costing.cloud import RequestShape, TokenPrices, cloud_line_items, cost_per_request, token_prices
from llmdecide.costing.line_item import CostLineItem
from llmdecide.costing.local import amortised_capex_item, energy_item, fte_item, rental_item
from llmdecide.costing.prices import (
    Acquisition,
    BuyPrices,
    CostingTerms,
    PriceStep,
    RentPrices,
    hosts_for,
    schedule_of,
    steps_of,
)
from llmdecide.costing.projection import (
    BuySpec,
    CloudSpec,
    LocalSeries,
    LocalSpec,
    RentSpec,
    Scenario,
    Schedule,
    cloud_monthly,
    local_series,
)
from llmdecide.costing.staff import HOURS_PER_FTE_MONTH, DeploymentEffort, MachineKind
from llmdecide.demand.segment_load import SegmentLoad
from llmdecide.workload.schema import Latency

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class CostSeries:
    """Monthly cost (recognised), cash (paid), and the up-front part of that cash, over the horizon."""

    monthly_usd: FloatArray
    cash_usd: FloatArray
    up_front_usd: FloatArray
    """Cash paid at the start of each month for hardware and setup (part of ``cash_usd``)."""

    def __add__(self, other: CostSeries) -> CostSeries:
        return CostSeries(
            self.monthly_usd + other.monthly_usd,
            self.cash_usd + other.cash_usd,
            self.up_front_usd + other.up_front_usd,
        )

    @classmethod
    def zeros(cls, months: int) -> CostSeries:
        """No cost at all."""
        return cls(np.zeros(months), np.zeros(months), np.zeros(months))

    @classmethod
    def running(cls, monthly: FloatArray) -> CostSeries:
        """A cost paid as it is incurred, with nothing up front."""
        return cls(monthly, monthly.copy(), np.zeros(len(monthly)))

    def scaled(self, factor: float) -> CostSeries:
        """Every series times ``factor``."""
        return CostSeries(self.monthly_usd * factor, self.cash_usd * factor, self.up_front_usd * factor)


@dataclass(frozen=True)
class CloudChoice:
    """A segment served by an API model."""

    segment: str
    entry: Entry[ApiModel]
    prices: TokenPrices
    cost_per_request_usd: float
    series: CostSeries
    line_items: list[CostLineItem]
    warnings: tuple[str, ...]
    spec: CloudSpec
    steps: tuple[PriceStep, ...] = ()
    """Scheduled changes of this model's price inside the horizon."""

    @property
    def model_id(self) -> str:
        """The API model id."""
        return self.entry.item.id

    @property
    def label(self) -> str:
        """Short description for reports."""
        return self.entry.item.id


def price_cloud(
    load: SegmentLoad,
    entry: Entry[ApiModel],
    *,
    on: dt.date | None,
    batch: bool,
    decline_per_year: float = 0.0,
    month_starts: Sequence[dt.date] | None = None,
    carry_forward: bool = False,
    region: str | None = None,
) -> CloudChoice:
    """The segment's bill on one API model: cost per request x requests, every month.

    With ``month_starts`` each month is billed at the price period in force on its first day; a model with
    no price on some month's first day raises :class:`MissingPriceError` naming that day, unless
    ``carry_forward`` (a model the workload names): those months take its last price, with a warning.
    The segment's service tier and the data-residency ``region`` select the prices (see ``costing.cloud``).
    """
    seg = load.segment
    shape = RequestShape(
        seg.input_tokens,
        seg.output_tokens,
        seg.cached_input_fraction,
        batch=batch,
        token_overhead=seg.token_overhead,
        cache_write_fraction=seg.cache_write_fraction,
        service_tier=seg.service_tier,
        region=region,
    )
    prices = token_prices(entry, shape, on, carry_forward=carry_forward)
    cost = cost_per_request(prices, shape)
    factors: Schedule = None
    steps: tuple[PriceStep, ...] = ()
    warnings = list(cost.warnings)
    if month_starts:
        model = entry.item
        monthly_prices = [token_prices(entry, shape, day, carry_forward=carry_forward) for day in month_starts]
        per_request = [cost_per_request(p, shape).total_usd for p in monthly_prices]
        factors = schedule_of(per_request)
        sources = [p.source for p in monthly_prices]
        steps = steps_of(per_request, sources, month_starts, model.id, "API price", "request")
        unpriced = [day for day in month_starts if price_on(model.prices, day) is None]
        if unpriced:
            last = max(model.prices, key=lambda p: p.effective_from)
            ended = f"its last price ended {last.effective_to.isoformat()}" if last.effective_to else "it has no price"
            warnings.append(
                f"{model.id} ({model.status.value}): {ended}; the months from {unpriced[0].isoformat()} are "
                "billed at that last price, as the workload names this model"
            )
    spec = CloudSpec(cost.total_usd, load.start_requests_per_month, seg.growth_per_month, decline_per_year, factors)
    monthly = cloud_monthly(spec, Scenario.build(), len(load.requests_per_month))[0]
    items = cloud_line_items(entry, prices, shape, load.start_requests_per_month, label=load.name)
    return CloudChoice(
        load.name, entry, prices, cost.total_usd, CostSeries.running(monthly), items, tuple(warnings), spec, steps
    )


@dataclass(frozen=True)
class LocalChoice:
    """A segment served by a local deployment (or a share of it, the rest going to the cloud)."""

    segment: str
    label: str
    deployment: Deployment
    acquisition: Literal["buy", "rent"]
    sizing: LoadSizing
    gpus: FloatArray
    """GPUs (or machines) held or billed in each month."""
    series: CostSeries
    line_items: list[CostLineItem]
    warnings: tuple[str, ...] = field(default_factory=tuple)
    pinned: bool = False
    gpus_per_instance: int = 1
    """Rental instances come in this many GPUs; billed GPUs round up to whole instances."""
    spec: LocalSpec | None = None
    """What the projection needs to re-cost this choice under other scenarios."""
    buy: BuyPrices | None = None
    rent: RentPrices | None = None
    effort: DeploymentEffort | None = None
    """What this deployment asks of the team (machines to look after, on-call)."""
    devices: int | None = None
    """On-device deployments: how many devices (one per user or site)."""

    def gpus_at_speed(self, factor: float) -> float | None:
        """GPUs (or machines) held or billed in the first month if every replica ran at ``factor`` times the
        predicted speed (``Scenario.speed``): the same fleet formula as the plan's. None for a pinned fleet,
        on-device units or a choice without a projection."""
        if self.spec is None or self.pinned or self.devices is not None:
            return None
        series = local_series(self.spec, Scenario.build(speed=factor), 1)
        return float(series.gpus[0, 0])

    @property
    def gpus_pessimistic(self) -> float | None:
        """First-month GPUs at the pessimistic end of the capacity model's interval (``LoadSizing.speed_low``)."""
        if not self.sizing.interval_regimes:
            return None
        return self.gpus_at_speed(self.sizing.speed_low)


def deployment_label(d: Deployment, gpus: int, acquisition: str) -> str:
    """How a sized deployment is named in reports: model, precisions, GPUs, accelerator, engine, buy or rent."""
    return f"{d.model.id} {d.precisions} on {gpus} x {d.accelerator.id} ({d.engine.id}), {acquisition}"


def machine_kind(prices: Acquisition, devices: bool) -> MachineKind:
    """What the team looks after per unit of this deployment: owned hosts, rented instances or end-user devices."""
    if devices:
        return "device"
    return "owned" if isinstance(prices, BuyPrices) else "rented"


def local_spec(
    load: SegmentLoad,
    deployment: Deployment,
    sizing: LoadSizing,
    prices: Acquisition,
    terms: CostingTerms,
    *,
    share: float,
    pinned_gpus: int | None,
    min_gpus: int = 0,
    devices: bool = False,
) -> LocalSpec:
    """Everything the projection needs to cost a local deployment."""
    buy_spec = None
    rent_spec = None
    if isinstance(prices, BuyPrices):
        buy = prices
        host = buy.host if buy.running_costs else None
        buy_spec = BuySpec(
            unit_usd=buy.unit_usd.value,
            host_usd=host.usd.value if host is not None else 0.0,
            gpus_per_host=host.gpus_per_host if host is not None else 1,
            whole_hosts=host.whole if host is not None else True,
            host_power_w=host.power_w if host is not None else 0.0,
            host_idle_w=host.idle_w if host is not None else 0.0,
            gpu_idle_fraction=buy.gpu_idle_fraction.value,
            depreciation_years=buy.depreciation_years.value,
            residual_fraction=buy.residual_fraction,
            maintenance_fraction_per_year=buy.maintenance_fraction_per_year.value,
            electricity_usd_per_kwh=buy.electricity_usd_per_kwh.value,
            pue=buy.pue.value,
            colocation_usd_per_kw_month=(
                buy.colocation_usd_per_kw_month.value if buy.colocation_usd_per_kw_month else None
            ),
            running_costs=buy.running_costs,
            unit_factors=buy.unit_factors,
            has_host=host is not None,
            owned_units=float(buy.owned_units),
            replace_month=buy.replace_month,
            owned_maintenance_usd_month=buy.owned_maintenance_usd_month,
            replace_at_end_of_life=buy.replace_at_end_of_life,
            resale_curve=buy.resale_curve,
        )
    else:
        rent_spec = RentSpec(
            prices.usd_per_gpu_hour.value, prices.gpus_per_instance, prices.billing, prices.rate_factors
        )
    effort = terms.effort
    staff = effort.usd_per_machine_month(machine_kind(prices, devices)) if effort is not None else 0.0
    return LocalSpec(
        start_requests_per_month=load.start_requests_per_month,
        growth_per_month=load.segment.growth_per_month,
        peak_to_average=load.peak_to_average,
        hours_per_month=terms.hours_per_month,
        share=share,
        requests_per_s_per_replica=sizing.requests_per_s_per_replica,
        tp=sizing.tp,
        target_utilization=terms.target_utilization,
        tdp_w=deployment.accelerator.tdp_w,
        pinned_gpus=pinned_gpus,
        buy=buy_spec,
        rent=rent_spec,
        gpu_price_decline_per_year=terms.gpu_price_decline_per_year,
        rental_decline_per_year=terms.rental_decline_per_year,
        staff_usd_per_host_month=staff,
        min_gpus=min_gpus,
    )


def pinned_needs(load: SegmentLoad, sizing: LoadSizing, share: float, target_utilization: float) -> int:
    """GPUs a pinned deployment's replicas must grow to for the busiest month's peak at the target utilisation
    (the one fleet-size formula)."""
    peak = load.peak_rps() * share
    replicas = float(replicas_for(peak, sizing.requests_per_s_per_replica, target_utilization).max())
    return int(replicas) * max(sizing.tp, 1)


def pinned_overload(load: SegmentLoad, sizing: LoadSizing, pinned_gpus: int, share: float) -> float | None:
    """The worst month's peak load as a share of a pinned fleet's capacity, when the fleet is too small; else None.

    Too small means the one fleet-size formula, at each replica's full rate, asks for more replicas than the
    fleet holds (replicas = pinned GPUs // tensor-parallel degree, at least one).
    """
    held = max(pinned_gpus // max(sizing.tp, 1), 1)
    rate = sizing.requests_per_s_per_replica
    peak = load.peak_rps() * share
    if float(replicas_for(peak, rate, 1.0).max()) <= held:
        return None
    return float(np.max(peak / (held * rate)))


def needs_on_call(load: SegmentLoad, prices: Acquisition, devices: bool) -> bool:
    """Whether a deployment serves a 24/7 service that needs an on-call rotation: interactive or real-time work
    from a data center, a colocation facility or a rented cloud (a desk, an office or a user's device: no)."""
    if devices or load.segment.latency not in (Latency.INTERACTIVE, Latency.REAL_TIME):
        return False
    return not isinstance(prices, BuyPrices) or prices.hosting in ("colocation", "on_premises")


def price_local(
    load: SegmentLoad,
    deployment: Deployment,
    sizing: LoadSizing,
    prices: Acquisition,
    terms: CostingTerms,
    *,
    share: float = 1.0,
    label: str | None = None,
    pinned_gpus: int | None = None,
    overflows: bool = False,
    min_gpus: int = 0,
    devices: int | None = None,
) -> LocalChoice:
    """The bill of a local deployment serving ``share`` of a segment, every month (see projection.py).

    Bought when ``prices`` are :class:`BuyPrices` (owned when they say so), rented when :class:`RentPrices`.
    The label defaults to :func:`deployment_label` with the sized GPUs. ``devices``: one unit per user or
    site (an on-device deployment of that many devices). ``min_gpus``: a pinned deployment extended to its load.
    """
    acquisition: Literal["buy", "rent"] = "buy" if isinstance(prices, BuyPrices) else "rent"
    on_devices = devices is not None
    if on_devices:
        pinned_gpus = devices
    label = label or deployment_label(deployment, pinned_gpus or sizing.gpus, acquisition)
    acc = deployment.accelerator
    name = acc.name
    hours_per_month = terms.hours_per_month
    spec = local_spec(
        load,
        deployment,
        sizing,
        prices,
        terms,
        share=share,
        pinned_gpus=pinned_gpus,
        min_gpus=min_gpus,
        devices=on_devices,
    )
    ls = local_series(spec, Scenario.build(), terms.horizon_months)
    gpus = ls.gpus[0]
    warnings: list[str] = []
    if pinned_gpus is not None and not overflows and not on_devices:
        worst = pinned_overload(load, sizing, pinned_gpus, share)
        if worst is not None:
            warnings.append(f"{label}: peak load reaches {worst:.0%} of this deployment's modelled capacity")
    if sizing.memory_limit_raised:
        warnings.append(memory_limit_note(label, deployment))
    series = CostSeries(ls.monthly_usd[0], ls.cash_usd[0], ls.up_front_usd[0])
    items: list[CostLineItem] = []
    buy = prices if isinstance(prices, BuyPrices) else None
    rent = prices if isinstance(prices, RentPrices) else None
    kind = machine_kind(prices, on_devices)
    if buy is not None:
        g0 = float(gpus[0])
        unit_word = "devices" if on_devices else ("systems" if buy.unit == "system" else "GPUs")
        owned = min(float(buy.owned_units), g0)
        if owned < g0 or buy.owned_units == 0:
            items.append(
                amortised_capex_item(
                    f"{load.name}: {name} purchase",
                    buy.unit_usd.value,
                    buy.depreciation_years.value,
                    buy.unit_usd.source,
                    quantity=g0 - owned,
                    unit=unit_word,
                    residual_fraction=buy.residual_fraction,
                )
            )
        if owned:
            replaced = (
                f"; replaced in month {buy.replace_month + 1} at the catalog's price"
                if buy.replace_month is not None and buy.replace_month < terms.horizon_months
                else ""
            )
            items.append(
                CostLineItem(
                    name=f"{load.name}: {name}, owned",
                    category="capex",
                    quantity=owned,
                    unit=unit_word,
                    unit_price_usd=0.0,
                    monthly_cost_usd=0.0,
                    source="workload: acquisition owned",
                    note=f"already paid for: no purchase and no depreciation{replaced}",
                )
            )
        host = buy.host if buy.running_costs else None
        if host is not None:
            hosts = float(ls.hosts[0, 0])
            owned_hosts = min(float(hosts_for(np.array([owned]), host)[0]), hosts) if owned else 0.0
            if hosts - owned_hosts > 0:
                what = "machines" if host.whole else f"{host.gpus_per_host}-GPU servers (share)"
                items.append(
                    amortised_capex_item(
                        f"{load.name}: host {host.kind.replace('_', ' ')}",
                        host.usd.value,
                        buy.depreciation_years.value,
                        host.usd.source,
                        quantity=hosts - owned_hosts,
                        unit=what,
                        residual_fraction=buy.residual_fraction,
                    )
                )
        if buy.running_costs:
            items += _running_items(load.name, acc.tdp_w, hours_per_month, g0, ls, buy)
    else:
        assert rent is not None
        if rent.billing == "always_on":
            basis = f"{gpus[0]:g} GPUs ({rent.gpus_per_instance} per instance) x {hours_per_month:g} h, always on"
        else:
            basis = "GPU-hours the average load needs at the sized batch, billed by use"
        items.append(
            rental_item(
                f"{load.name}: {name} rental ({rent.rate_kind.replace('_', ' ')})",
                float(ls.gpu_hours[0, 0]),
                rent.usd_per_gpu_hour.value,
                rent.usd_per_gpu_hour.source,
                note=basis,
            )
        )
    effort = terms.effort
    machines_0 = float(ls.hosts[0, 0])
    staff_0 = float(ls.staff_usd[0, 0])
    if effort is not None and staff_0 > 0:
        hours = {"owned": effort.host_owned_hours, "rented": effort.host_rented_hours, "device": effort.device_hours}[
            kind
        ]
        count = float(np.ceil(machines_0 - 1e-9))
        noun = {"owned": "machine", "rented": "instance", "device": "device"}[kind] + ("" if count == 1 else "s")
        item = fte_item(
            f"{load.name}: upkeep of {count:g} {noun}",
            count * hours.value * effort.factor.value / HOURS_PER_FTE_MONTH,
            effort.loaded_usd_per_year.value,
            f"{hours.source}; x {effort.factor.value:g} effort ({effort.factor.source})",
            note=f"{hours.value:g} h a month each; grows with the fleet",
        )
        items.append(item.model_copy(update={"monthly_cost_usd": staff_0}))  # the series' own figure
    instance = rent.gpus_per_instance if rent is not None else 1
    return LocalChoice(
        load.name,
        label,
        deployment,
        acquisition,
        sizing,
        gpus,
        series,
        items,
        tuple(warnings),
        pinned_gpus is not None,
        instance,
        spec,
        buy,
        rent,
        DeploymentEffort(label, kind, machines_0, staff_0, needs_on_call(load, prices, on_devices)),
        devices,
    )


def _running_items(
    segment: str, tdp_w: float, hours_per_month: float, gpus: float, ls: LocalSeries, buy: BuyPrices
) -> list[CostLineItem]:
    """First-month line items for power, colocation and maintenance of bought hardware."""
    utilization = float(ls.utilization[0, 0])
    host = buy.host
    hosts = float(ls.hosts[0, 0])
    idle = buy.gpu_idle_fraction.value
    host_note = (
        f" + {hosts:g} host(s) x ({host.idle_w:g} W idle to {host.power_w:g} W at load)" if host is not None else ""
    )
    items = [
        energy_item(
            float(ls.kwh[0, 0]),
            buy.electricity_usd_per_kwh.value,
            buy.electricity_usd_per_kwh.source,
            name=f"{segment}: electricity",
            note=f"{gpus:g} x {tdp_w:g} W x ({idle:.0%} idle + {1 - idle:.0%} x {utilization:.0%} load){host_note} "
            f"x PUE {buy.pue.value:g} ({buy.hosting}) x {hours_per_month:g} h",
        )
    ]
    if buy.colocation_usd_per_kw_month is not None:
        kw = (gpus * tdp_w + (hosts * host.power_w if host is not None else 0.0)) / 1000.0
        items.append(
            CostLineItem(
                name=f"{segment}: colocation",
                category="hosting",
                quantity=kw,
                unit="kW of system power",
                unit_price_usd=buy.colocation_usd_per_kw_month.value,
                monthly_cost_usd=float(ls.hosting_usd[0, 0]),
                source=buy.colocation_usd_per_kw_month.source,
            )
        )
    maintenance = float(ls.maintenance_usd[0, 0])
    if maintenance > 0 or buy.owned_units == 0:
        items.append(
            CostLineItem(
                name=f"{segment}: hardware maintenance",
                category="maintenance",
                quantity=float(ls.capex_held_usd[0, 0]),
                unit="USD of capex",
                unit_price_usd=buy.maintenance_fraction_per_year.value / 12.0,
                monthly_cost_usd=maintenance,
                source=buy.maintenance_fraction_per_year.source
                if buy.owned_maintenance_usd_month == 0
                else "workload: maintenance_usd_per_month",
                note=f"{buy.maintenance_fraction_per_year.value:.0%} of capex a year"
                if buy.owned_maintenance_usd_month == 0
                else "as stated for the owned hardware",
            )
        )
    return items
