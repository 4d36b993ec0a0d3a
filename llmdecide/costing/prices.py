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
from typing import Literal

from llmdecide.catalog.catalog import Catalog, Entry, price_on, prices_by_month
from llmdecide.catalog.schema import Accelerator, AcceleratorClass, PriceBasis, RentalOffer, RentalPrice
from llmdecide.catalog.trends import TrendSet
from llmdecide.costing.local import Sourced
from llmdecide.costing.projection import Schedule
from llmdecide.workload.schema import Workload

RateKind = Literal["on_demand", "spot", "committed_1y", "committed_3y"]


@dataclass(frozen=True)
class BuyPrices:
    """Prices of owning hardware."""

    unit_usd: Sourced
    unit: Literal["gpu", "system"]
    server_usd_per_gpu: Sourced | None
    depreciation_years: Sourced
    residual_fraction: float
    maintenance_fraction_per_year: Sourced
    electricity_usd_per_kwh: Sourced
    pue: Sourced
    colocation_usd_per_kw_month: Sourced | None
    running_costs: bool = True
    """Whether power, hosting and maintenance are costed here (False: the workload states them separately)."""
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


def default_hosting(accelerator_class: AcceleratorClass) -> Literal["colocation", "on_premises"]:
    """Datacenter GPUs go to a colocation facility; workstations, consumer cards and Macs stay on premises."""
    return "colocation" if accelerator_class is AcceleratorClass.DATACENTER else "on_premises"


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

    @property
    def terms(self) -> CostingTerms:
        """The shared terms of every local bill in this assessment."""
        return CostingTerms(
            hours_per_month=self.hours_per_month,
            horizon_months=self.workload.horizon_months,
            target_utilization=self.workload.local.target_utilization,
            gpu_price_decline_per_year=self.trends.purchase.decline_per_year,
            rental_decline_per_year=self.trends.rental.decline_per_year,
        )

    def buy(self, accelerator: Accelerator, override: Sourced | None = None) -> BuyPrices | None:
        """Owning prices for an accelerator, or None when no purchase price is published."""
        a = self.catalog.require_assumptions()
        local = self.workload.local
        unit_kind: Literal["gpu", "system"]
        unit_factors: Schedule = None
        steps: tuple[PriceStep, ...] = ()
        unit_basis: PriceBasis | None = None
        unit_observed: dt.date | None = None
        if override is not None:
            apple = accelerator.accelerator_class is AcceleratorClass.APPLE_SILICON
            unit, unit_kind = override, "system" if apple else "gpu"
        else:
            period = price_on(accelerator.purchase_prices, self.on)
            if period is None or not self.allows(period.basis):
                return None
            unit = Sourced(period.usd, f"{accelerator.id} {period.basis.value} price ({period.source})")
            unit_kind = period.unit
            unit_basis = period.basis
            unit_observed = period.observed
            if self.month_starts:
                values, sources = self._purchase_by_month(accelerator, period.usd, period.source)
                unit_factors = schedule_of(values)
                steps = steps_of(values, sources, self.month_starts, accelerator.id, "purchase price", unit_kind)
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
            unit_factors=unit_factors,
            steps=steps,
            unit_basis=unit_basis,
            unit_observed=unit_observed,
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
