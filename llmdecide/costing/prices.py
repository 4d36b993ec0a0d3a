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
from dataclasses import dataclass
from typing import Literal

from llmdecide.catalog.catalog import Catalog, Entry, price_on
from llmdecide.catalog.schema import Accelerator, AcceleratorClass, RentalOffer
from llmdecide.catalog.trends import TrendSet
from llmdecide.costing.local import Sourced
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


@dataclass(frozen=True)
class RentPrices:
    """Prices of renting."""

    usd_per_gpu_hour: Sourced
    rate_kind: str
    gpus_per_instance: int
    billing: Literal["always_on", "by_use"]


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


def cheapest_rental(
    catalog: Catalog, accelerator_id: str, rate: RateKind, on: dt.date | None
) -> tuple[Entry[RentalOffer], float, str] | None:
    """The cheapest offer for an accelerator at a rate kind: (offer, USD per GPU-hour, source), or None.

    Offers are compared by USD per GPU-hour of the price period in force on ``on``
    (the newest when None); ties go to the offer id that sorts first.
    """
    key = f"{rate}_usd_per_gpu_hour"
    best: tuple[Entry[RentalOffer], float, str] | None = None
    for entry_id in sorted(catalog.rental_offers):
        entry = catalog.rental_offers[entry_id]
        if entry.item.accelerator != accelerator_id:
            continue
        period = price_on(entry.item.prices, on)
        if period is None:
            continue
        value = getattr(period, key)
        if value is None:
            continue
        if best is None or value < best[1]:
            when = period.effective_from.isoformat()
            source = f"{entry.item.id} ({entry.item.region}, effective {when}; {period.source})"
            best = (entry, value, source)
    return best


@dataclass(frozen=True)
class PriceBook:
    """The prices, assumptions and trends local deployments are costed with."""

    catalog: Catalog
    workload: Workload
    trends: TrendSet
    hours_per_month: float

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
