"""The price-fetching stage: every price and assumption a local deployment is costed with, with its source.

A :class:`PriceBook` is built once per assessment. It answers "what does owning
this accelerator cost" (:class:`BuyPrices`: unit price, host share,
depreciation, power, hosting, maintenance) and "what does renting it cost"
(:class:`RentPrices`: the cheapest catalog offer at the workload's rate kind,
or a price the workload states). :class:`CostingTerms` holds the few numbers
every local bill shares (hours in a month, horizon, target utilisation, price
trends).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from llmdecide.catalog.catalog import Catalog, Entry, price_on, prices_by_month
from llmdecide.catalog.schema import (
    Accelerator,
    AcceleratorClass,
    FormFactor,
    OperatingAssumptions,
    PriceBasis,
    RentalOffer,
    RentalPrice,
)
from llmdecide.catalog.trends import TrendSet
from llmdecide.costing.local import Sourced
from llmdecide.costing.projection import Schedule
from llmdecide.costing.staff import Effort, effort_model
from llmdecide.workload.schema import Workload

RateKind = Literal["on_demand", "spot", "committed_1y", "committed_3y"]
FloatArray = NDArray[np.float64]


Hosting = Literal["desk", "office", "colocation", "on_premises"]
HostKind = Literal["baseboard_server", "pcie_server", "workstation", "desktop"]

HOSTING_BY_CLASS: dict[tuple[AcceleratorClass, FormFactor], tuple[Hosting, ...]] = {
    (AcceleratorClass.DATACENTER, FormFactor.MODULE): ("colocation", "on_premises"),
    (AcceleratorClass.DATACENTER, FormFactor.PCIE): ("colocation", "on_premises", "office"),
    (AcceleratorClass.WORKSTATION, FormFactor.PCIE): ("office", "desk", "colocation", "on_premises"),
    (AcceleratorClass.WORKSTATION, FormFactor.SYSTEM): ("desk", "office", "colocation", "on_premises"),
    (AcceleratorClass.CONSUMER, FormFactor.PCIE): ("desk", "office"),
    (AcceleratorClass.APPLE_SILICON, FormFactor.SYSTEM): ("desk", "office"),
}
"""Where each kind of hardware can run, the default first: an 8-GPU baseboard server needs a data center; a PCIe
server also fits an office server room; workstations and whole small machines run anywhere; consumer PCs and
Macs run on desks or in offices."""


def host_kind(accelerator: Accelerator) -> HostKind | None:
    """The machine an accelerator sits in; None when the accelerator is the machine (form factor system)."""
    if accelerator.form_factor is FormFactor.SYSTEM:
        return None
    if accelerator.form_factor is FormFactor.MODULE:
        return "baseboard_server"
    return {
        AcceleratorClass.DATACENTER: "pcie_server",
        AcceleratorClass.WORKSTATION: "workstation",
        AcceleratorClass.CONSUMER: "desktop",
        AcceleratorClass.APPLE_SILICON: "desktop",
    }[accelerator.accelerator_class]  # type: ignore[return-value]


@dataclass(frozen=True)
class HostTerms:
    """The machine a deployment's accelerators sit in: its price, slots and power beyond the accelerators."""

    kind: HostKind
    usd: Sourced
    """One host without its accelerators."""
    gpus_per_host: int
    whole: bool
    """True: whole machines are bought (towers, desktops); False: a data-center server is shared by GPU slot."""
    power_w: float
    idle_w: float
    source: str


def hosts_for(gpus: FloatArray, host: HostTerms | None) -> FloatArray:
    """Machines that hold ``gpus`` accelerators: whole hosts rounded up, a server's share by slot, or one machine
    per unit when the accelerator is the machine."""
    if host is None:
        return gpus
    per = gpus / host.gpus_per_host
    return np.asarray(np.ceil(per - 1e-9) if host.whole else per)


def resale_fraction(points: Sequence[tuple[float, float]], age_months: FloatArray) -> FloatArray:
    """Resale value as a share of the new price at an age, interpolated linearly on the curve's points from 1.0 new;
    beyond the last point the value keeps falling at the last segment's rate, never below 0."""
    xs = [0.0] + [p[0] for p in points]
    ys = [1.0] + [p[1] for p in points]
    age = np.asarray(age_months, dtype=np.float64)
    inside = np.interp(age, xs, ys)
    slope = (ys[-1] - ys[-2]) / (xs[-1] - xs[-2])
    beyond = ys[-1] + slope * (age - xs[-1])
    return np.asarray(np.clip(np.where(age > xs[-1], beyond, inside), 0.0, 1.0))


@dataclass(frozen=True)
class BuyPrices:
    """Prices of owning hardware."""

    unit_usd: Sourced
    unit: Literal["gpu", "system"]
    host: HostTerms | None
    """The machine the accelerators sit in (None: the accelerator is the machine, or running costs are stated)."""
    depreciation_years: Sourced
    residual_fraction: float
    maintenance_fraction_per_year: Sourced
    electricity_usd_per_kwh: Sourced
    pue: Sourced
    hosting: Hosting
    colocation_usd_per_kw_month: Sourced | None
    gpu_idle_fraction: Sourced
    resale_curve: tuple[tuple[float, float], ...]
    """(age in months, share of the new price) points of the accelerator class's resale curve."""
    resale_source: str
    running_costs: bool = True
    """Whether power, hosting and maintenance are costed here (False: the workload states them separately)."""
    owned_units: int = 0
    """Units already owned (paid for): no purchase, only running costs, until ``replace_month``."""
    replace_month: int | None = None
    """0-based month in which owned units are replaced by new ones bought at the catalog's price."""
    owned_maintenance_usd_month: float = 0.0
    """Maintenance of the owned units as the workload states it (USD a month; until they are replaced)."""
    replace_at_end_of_life: bool = True
    unit_factors: Schedule = None
    """The unit price on each month's first day over month 0's (None: it does not change)."""
    steps: tuple[PriceStep, ...] = ()
    """The scheduled changes of the unit price inside the horizon."""
    unit_basis: PriceBasis | None = None
    """What the catalog's unit price is (list, street, used, ...); None for a price the workload states."""
    unit_observed: dt.date | None = None
    """Date the unit price's source shows it (None: not stated, or a price the workload states)."""


@dataclass(frozen=True)
class RentPrices:
    """Prices of renting."""

    usd_per_gpu_hour: Sourced
    rate_kind: str
    gpus_per_instance: int
    billing: Literal["always_on", "by_use"]
    rate_factors: Schedule = None
    """The rate on each month's first day over month 0's (None: it does not change)."""
    steps: tuple[PriceStep, ...] = ()
    """The scheduled changes of the rate inside the horizon."""
    basis: PriceBasis | None = None
    """What the catalog's rate is (list, floor, range_midpoint, ...); None for a rate the workload states."""
    offer: str | None = None
    """Id of the catalog rental offer the rate comes from; None for a rate the workload states."""
    observed: dt.date | None = None
    """Date the rate's source shows it (None: not stated, or a rate the workload states)."""


PriceKind = Literal["API price", "rental rate", "purchase price"]


@dataclass(frozen=True)
class PriceStep:
    """A scheduled price change inside the horizon: from month ``month`` on, a price moves from one value to another."""

    month: int
    """0-based month of the horizon the new price first applies to."""
    starts: dt.date
    """First day of that month."""
    entry: str
    """Catalog entry whose price changes."""
    kind: PriceKind
    before_usd: float
    after_usd: float
    unit: str
    """What the two figures are per: 'request' (this segment's), 'GPU-hour', 'GPU' or 'system'."""
    source: str
    """Source of the new price."""


def steps_of(
    values: Sequence[float], sources: Sequence[str], starts: Sequence[dt.date], entry: str, kind: PriceKind, unit: str
) -> tuple[PriceStep, ...]:
    """The months in which a monthly price series changes, as steps."""
    return tuple(
        PriceStep(m, starts[m], entry, kind, values[m - 1], values[m], unit, sources[m])
        for m in range(1, len(values))
        if values[m] != values[m - 1]
    )


Acquisition = BuyPrices | RentPrices
"""How a local deployment is paid for: the prices of buying it, or of renting it."""


@dataclass(frozen=True)
class CostingTerms:
    """The numbers every local bill of one assessment shares."""

    hours_per_month: float
    horizon_months: int
    target_utilization: float
    gpu_price_decline_per_year: float = 0.0
    rental_decline_per_year: float = 0.0
    effort: Effort | None = None
    """The operations-effort model (None: no staff in the deployments' series)."""


def allowed_hosting(accelerator: Accelerator) -> tuple[Hosting, ...]:
    """Where an accelerator can run, its default first (:data:`HOSTING_BY_CLASS`)."""
    key = (accelerator.accelerator_class, accelerator.form_factor)
    if key in HOSTING_BY_CLASS:
        return HOSTING_BY_CLASS[key]
    return ("colocation", "on_premises", "office", "desk")


def default_hosting(accelerator: Accelerator) -> Hosting:
    """Datacenter GPUs go to a colocation facility, workstations to an office, the rest stays on a desk."""
    return allowed_hosting(accelerator)[0]


def host_terms(a: OperatingAssumptions, accelerator: Accelerator) -> HostTerms | None:
    """The catalog's host machine for an accelerator (None when the accelerator is the machine)."""
    kind = host_kind(accelerator)
    if kind is None:
        return None
    usd = getattr(a, f"host_{kind}_usd")
    gpus = getattr(a, f"host_{kind}_gpus")
    power = getattr(a, f"host_{kind}_power_w")
    idle = getattr(a, f"host_{kind}_idle_w")
    return HostTerms(
        kind=kind,
        usd=Sourced(usd.value, f"assumption host_{kind}_usd ({usd.source})"),
        gpus_per_host=max(int(gpus.value), 1),
        whole=kind in ("workstation", "desktop"),
        power_w=power.value,
        idle_w=idle.value,
        source=f"assumption host_{kind}_power_w ({power.source})",
    )


CLASS_KEY = {
    AcceleratorClass.DATACENTER: "datacenter",
    AcceleratorClass.WORKSTATION: "workstation",
    AcceleratorClass.CONSUMER: "consumer",
    AcceleratorClass.APPLE_SILICON: "apple_silicon",
}


def resale_points(a: OperatingAssumptions, accelerator_class: AcceleratorClass) -> tuple[tuple[float, float], ...]:
    """The catalog's resale curve of an accelerator class: (age in months, share of the new price)."""
    key = CLASS_KEY[accelerator_class]
    points = []
    for months in (12, 24, 36, 60):
        value = getattr(a, f"resale_{key}_{months}m", None)
        if value is not None:
            points.append((float(months), float(value.value)))
    return tuple(points)


def schedule_of(values: Sequence[float]) -> Schedule:
    """Each month's value over month 0's, or None when every month is the same."""
    if all(v == values[0] for v in values):
        return None
    return tuple(v / values[0] for v in values)


def _rates_by_month(
    entry: Entry[RentalOffer], key: str, starts: Sequence[dt.date]
) -> tuple[list[float], list[str]] | None:
    """The offer's rate of one kind on each month's first day and its source, or None when some month has none."""
    rates, sources = [], []
    for period in prices_by_month(entry.item.prices, starts):
        value = getattr(period, key) if period is not None else None
        if value is None or period is None:
            return None
        rates.append(float(value))
        sources.append(period.source)
    return rates, sources


def rate_basis(period: RentalPrice, rate: RateKind) -> PriceBasis:
    """What one rate kind of a rental period is: ``spot_basis`` for spot where given, else ``basis``."""
    return period.spot_basis or period.basis if rate == "spot" else period.basis


def cheapest_rental(
    catalog: Catalog,
    accelerator_id: str,
    rate: RateKind,
    on: dt.date | None,
    month_starts: Sequence[dt.date] | None = None,
    bases: Collection[PriceBasis] | None = None,
    region: str | None = None,
) -> tuple[Entry[RentalOffer], float, str, Schedule, tuple[PriceStep, ...]] | None:
    """The cheapest offer for an accelerator at a rate kind: (offer, USD per GPU-hour, source, schedule, steps).

    None when no offer has a price of that kind.

    Offers are compared by USD per GPU-hour of the price period in force on ``on``
    (the newest when None); ties go to the offer id that sorts first. With ``month_starts``, an offer
    must have a price of that kind on every month's first day, and its schedule is returned. With
    ``bases``, only offers whose rate of that kind has one of those bases are considered; with ``region``,
    only offers sold in that data-residency region.
    """
    key = f"{rate}_usd_per_gpu_hour"
    best: tuple[Entry[RentalOffer], float, str, Schedule, tuple[PriceStep, ...]] | None = None
    for entry_id in sorted(catalog.rental_offers):
        entry = catalog.rental_offers[entry_id]
        if entry.item.accelerator != accelerator_id:
            continue
        if region is not None and region not in entry.item.residency_regions:
            continue
        period = price_on(entry.item.prices, on)
        if period is None:
            continue
        value = getattr(period, key)
        if value is None or (bases is not None and rate_basis(period, rate) not in bases):
            continue
        schedule: Schedule = None
        steps: tuple[PriceStep, ...] = ()
        if month_starts:
            found = _rates_by_month(entry, key, month_starts)
            if found is None:
                continue
            rates, sources = found
            schedule = schedule_of(rates)
            steps = steps_of(rates, sources, month_starts, entry.item.id, "rental rate", "GPU-hour")
        if best is None or value < best[1]:
            when = period.effective_from.isoformat()
            source = f"{entry.item.id} ({entry.item.region}, effective {when}; {period.source})"
            best = (entry, value, source, schedule, steps)
    return best


@dataclass(frozen=True)
class PriceBook:
    """The prices, assumptions and trends local deployments are costed with."""

    catalog: Catalog
    workload: Workload
    trends: TrendSet
    hours_per_month: float
    month_starts: tuple[dt.date, ...] | None = None
    """First day of each month of the horizon; None prices every month at the newest catalog price."""

    def allows(self, basis: PriceBasis) -> bool:
        """Whether the workload lets a plan rest on a catalog price of this basis (``candidates.price_bases``)."""
        allowed = self.workload.candidates.price_bases
        return allowed is None or basis in allowed

    @property
    def on(self) -> dt.date | None:
        """The day month 0 is priced on: the horizon's first day (None: the newest prices)."""
        return self.month_starts[0] if self.month_starts else None

    @cached_property
    def terms(self) -> CostingTerms:
        """The shared terms of every local bill in this assessment."""
        return CostingTerms(
            hours_per_month=self.hours_per_month,
            horizon_months=self.workload.horizon_months,
            target_utilization=self.workload.local.target_utilization,
            gpu_price_decline_per_year=self.trends.purchase.decline_per_year,
            rental_decline_per_year=self.trends.rental.decline_per_year,
            effort=effort_model(self.workload, self.catalog),
        )

    def hosting_fits(self, accelerator: Accelerator) -> bool:
        """Whether the workload's ``local.hosting`` suits this accelerator (always, when it states none)."""
        stated = self.workload.local.hosting
        return stated is None or stated in allowed_hosting(accelerator)

    def month_of(self, day: dt.date) -> int | None:
        """0-based month of the horizon that first starts on or after ``day`` (None: after the horizon)."""
        starts = self.month_starts or ()
        return next((m for m, start in enumerate(starts) if start >= day), None)

    def hosting(self, accelerator: Accelerator) -> Hosting:
        """Where bought hardware of this accelerator runs: the workload's ``local.hosting`` or the class default."""
        stated = self.workload.local.hosting
        return stated if stated is not None else default_hosting(accelerator)

    def buy(
        self,
        accelerator: Accelerator,
        override: Sourced | None = None,
        *,
        owned_units: int = 0,
        replace_month: int | None = None,
        owned_maintenance_usd_month: float = 0.0,
        needs_price: bool = True,
    ) -> BuyPrices | None:
        """Owning prices for an accelerator, or None when no purchase price is published.

        Owned units (``owned_units``) need a catalog price only when they are replaced inside the horizon; until
        then they cost only what keeps them running.
        """
        a = self.catalog.require_assumptions()
        local = self.workload.local
        unit_kind: Literal["gpu", "system"]
        unit_factors: Schedule = None
        steps: tuple[PriceStep, ...] = ()
        unit_basis: PriceBasis | None = None
        unit_observed: dt.date | None = None
        system = accelerator.form_factor is FormFactor.SYSTEM
        if override is not None:
            unit, unit_kind = override, "system" if system else "gpu"
        else:
            period = price_on(accelerator.purchase_prices, self.on)
            if period is None or not self.allows(period.basis):
                if needs_price or owned_units == 0 or replace_month is not None:
                    return None
                unit = Sourced(float("nan"), f"{accelerator.id}: owned, no purchase")
                unit_kind = "system" if system else "gpu"
            else:
                unit = Sourced(period.usd, f"{accelerator.id} {period.basis.value} price ({period.source})")
                unit_kind = period.unit
                unit_basis = period.basis
                unit_observed = period.observed
                if self.month_starts:
                    values, sources = self._purchase_by_month(accelerator, period.usd, period.source)
                    unit_factors = schedule_of(values)
                    steps = steps_of(values, sources, self.month_starts, accelerator.id, "purchase price", unit_kind)
        hosting = self.hosting(accelerator)
        key = CLASS_KEY[accelerator.accelerator_class]
        maintenance = (
            a.maintenance_fraction_of_capex_per_year
            if accelerator.accelerator_class is AcceleratorClass.DATACENTER
            else getattr(a, f"maintenance_fraction_{key}")
        )
        maintenance_key = (
            "maintenance_fraction_of_capex_per_year"
            if accelerator.accelerator_class is AcceleratorClass.DATACENTER
            else f"maintenance_fraction_{key}"
        )
        dep = (
            Sourced(local.depreciation_years, "workload: local.depreciation_years")
            if local.depreciation_years is not None
            else Sourced(a.depreciation_years.value, f"assumption depreciation_years ({a.depreciation_years.source})")
        )
        pue = {
            "desk": Sourced(1.0, "desk: no facility overhead"),
            "office": Sourced(a.pue_office.value, f"assumption pue_office ({a.pue_office.source})"),
            "colocation": Sourced(a.pue_colocation.value, f"assumption pue_colocation ({a.pue_colocation.source})"),
            "on_premises": Sourced(a.pue.value, f"assumption pue ({a.pue.source})"),
        }[hosting]
        idle_key = "apple_silicon" if system else key
        idle = getattr(a, f"gpu_idle_fraction_{idle_key}")
        finance = self.workload.finance
        if finance.resale_fraction is not None:
            curve: tuple[tuple[float, float], ...] = ((1.0, finance.resale_fraction),)
            resale_source = "workload: finance.resale_fraction"
        else:
            curve = resale_points(a, accelerator.accelerator_class)
            resale_source = f"assumption resale_{key}_* ({getattr(a, f'resale_{key}_36m').source})"
        return BuyPrices(
            unit_usd=unit,
            unit=unit_kind,
            host=host_terms(a, accelerator),
            depreciation_years=dep,
            residual_fraction=local.residual_fraction,
            maintenance_fraction_per_year=Sourced(
                maintenance.value, f"assumption {maintenance_key} ({maintenance.source})"
            ),
            electricity_usd_per_kwh=Sourced(
                a.electricity_usd_per_kwh.value, f"assumption electricity ({a.electricity_usd_per_kwh.source})"
            ),
            pue=pue,
            hosting=hosting,
            colocation_usd_per_kw_month=Sourced(
                a.colocation_usd_per_kw_month.value, f"assumption colocation ({a.colocation_usd_per_kw_month.source})"
            )
            if hosting == "colocation"
            else None,
            gpu_idle_fraction=Sourced(idle.value, f"assumption gpu_idle_fraction_{idle_key} ({idle.source})"),
            resale_curve=curve,
            resale_source=resale_source,
            unit_factors=unit_factors,
            steps=steps,
            unit_basis=unit_basis,
            unit_observed=unit_observed,
            owned_units=owned_units,
            replace_month=replace_month,
            owned_maintenance_usd_month=owned_maintenance_usd_month,
            replace_at_end_of_life=finance.replace_at_end_of_life,
        )

    def _purchase_by_month(
        self, accelerator: Accelerator, first: float, first_source: str
    ) -> tuple[list[float], list[str]]:
        """The purchase price on each month's first day and its source; a month after the last published
        price keeps it (hardware added later is bought at the last price known)."""
        assert self.month_starts is not None
        values: list[float] = []
        sources: list[str] = []
        for period in prices_by_month(accelerator.purchase_prices, self.month_starts):
            values.append(period.usd if period is not None else (values[-1] if values else first))
            sources.append(period.source if period is not None else (sources[-1] if sources else first_source))
        return values, sources

    def rent(
        self, accelerator: Accelerator, override: Sourced | None = None, region: str | None = None
    ) -> RentPrices | None:
        """Renting prices for an accelerator (cheapest offer at the workload's rate, in ``region``), or None."""
        local = self.workload.local
        if override is not None:
            return RentPrices(override, local.rental_rate, 1, local.rent_billing)
        bases = self.workload.candidates.price_bases
        found = cheapest_rental(
            self.catalog, accelerator.id, local.rental_rate, self.on, self.month_starts, bases, region
        )
        if found is None:
            return None
        entry, rate, source, schedule, steps = found
        period = price_on(entry.item.prices, self.on)
        assert period is not None
        basis = rate_basis(period, local.rental_rate)
        return RentPrices(
            Sourced(rate, source),
            local.rental_rate,
            entry.item.gpus_per_instance,
            local.rent_billing,
            schedule,
            steps,
            basis,
            entry.item.id,
            period.observed,
        )
