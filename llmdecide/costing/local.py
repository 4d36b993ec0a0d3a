"""Local (self-hosted) cost of ownership: buy or rent GPUs, power, hosting, maintenance, staff.

Formulas, all per month unless stated (domain note, "local cost (TCO)"):

- buy, capex (one time) = units x unit price (+ host server and networking per
  datacenter GPU); amortisation = (capex - residual) / (depreciation years x 12);
- power = GPUs x TDP (W) x utilisation x PUE x hours / 1000 x USD/kWh;
- hosting (colocation) = GPUs x TDP / 1000 (kW of IT load) x USD per kW-month;
- maintenance = capex x annual maintenance fraction / 12;
- rent = GPUs x billed hours x USD per GPU-hour (on demand, spot, or committed);
- staff = FTE x loaded cost per FTE-year / 12; setup (one time) = hours x loaded
  cost / 2,080 working hours a year;
- extra fixed costs as given (monitoring, licences).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from llmdecide.costing.line_item import CostLineItem

WORK_HOURS_PER_YEAR = 2080.0
"""40 hours x 52 weeks: turns a loaded annual cost into an hourly one."""

TeamCapability = Literal["none", "basic", "intermediate", "advanced"]

OPS_FTE_BY_CAPABILITY: dict[str, float] = {"advanced": 0.25, "intermediate": 0.5, "basic": 0.75, "none": 1.0}
"""Default operations FTE for one self-hosted deployment by team maturity.

Sources: 004 prices a 2 x A100 deployment with 0.5 FTE of DevOps; practitioners
cite 0.1-0.2 FTE for a small single-GPU deployment and 1.0-1.5 FTE to keep
models healthy in production (shared/reference, "staffing"). Less mature teams
need more of an engineer; a team with no ML operations skill must hire one.
"""

SETUP_POINT_BY_CAPABILITY: dict[str, Literal["low", "value", "high"]] = {
    "advanced": "low",
    "intermediate": "value",
    "basic": "high",
    "none": "high",
}
"""Which point of the setup-hours assumption range each team maturity uses (40-200 hours, 001/003)."""


@dataclass(frozen=True)
class Sourced:
    """A number and where it came from, for line-item provenance."""

    value: float
    source: str


@dataclass(frozen=True)
class BuyTerms:
    """What owning the hardware costs."""

    unit_price_usd: Sourced
    unit: Literal["gpu", "system"]
    server_usd_per_gpu: Sourced | None
    depreciation_years: Sourced
    residual_fraction: float
    maintenance_fraction_per_year: Sourced
    electricity_usd_per_kwh: Sourced
    pue: Sourced
    colocation_usd_per_kw_month: Sourced | None


@dataclass(frozen=True)
class RentTerms:
    """What renting the GPUs costs."""

    rate_usd_per_gpu_hour: Sourced
    rate_kind: str
    billed_hours_per_month: float
    billing_basis: str


@dataclass(frozen=True)
class StaffTerms:
    """People: ongoing operations and the one-time setup."""

    ops_fte: Sourced
    fte_loaded_usd_per_year: Sourced
    setup_hours: Sourced


@dataclass(frozen=True)
class LocalCostInputs:
    """Everything a local deployment's bill depends on."""

    accelerator_id: str
    accelerator_name: str
    tdp_w: float
    gpus: int
    hours_per_month: float
    utilization: float
    buy: BuyTerms | None = None
    rent: RentTerms | None = None
    staff: StaffTerms | None = None
    extra_monthly: list[tuple[str, float, str]] = field(default_factory=list)


def hardware_line_items(inp: LocalCostInputs) -> list[CostLineItem]:
    """Line items that scale with the number of GPUs (buy or rent)."""
    if inp.buy is not None:
        return _buy_items(inp, inp.buy)
    if inp.rent is not None:
        return _rent_items(inp, inp.rent)
    raise ValueError("a local deployment is either bought or rented")


def _buy_items(inp: LocalCostInputs, b: BuyTerms) -> list[CostLineItem]:
    n = inp.gpus
    items: list[CostLineItem] = []
    months = b.depreciation_years.value * 12.0
    unit_word = "systems" if b.unit == "system" else "GPUs"
    hardware_capex = n * b.unit_price_usd.value
    items.append(
        CostLineItem(
            name=f"{inp.accelerator_name} purchase, amortised",
            category="capex",
            quantity=n,
            unit=unit_word,
            unit_price_usd=b.unit_price_usd.value * (1 - b.residual_fraction) / months,
            monthly_cost_usd=hardware_capex * (1 - b.residual_fraction) / months,
            one_time_usd=hardware_capex,
            source=b.unit_price_usd.source,
            note=f"straight line over {b.depreciation_years.value:g} years"
            + (f", {b.residual_fraction:.0%} residual value" if b.residual_fraction else ""),
        )
    )
    capex = hardware_capex
    if b.server_usd_per_gpu is not None and b.server_usd_per_gpu.value > 0:
        server = n * b.server_usd_per_gpu.value
        capex += server
        items.append(
            CostLineItem(
                name="host server and networking share, amortised",
                category="capex",
                quantity=n,
                unit="GPUs",
                unit_price_usd=b.server_usd_per_gpu.value * (1 - b.residual_fraction) / months,
                monthly_cost_usd=server * (1 - b.residual_fraction) / months,
                one_time_usd=server,
                source=b.server_usd_per_gpu.source,
                note=f"straight line over {b.depreciation_years.value:g} years",
            )
        )
    kwh = n * inp.tdp_w * inp.utilization * b.pue.value * inp.hours_per_month / 1000.0
    items.append(
        CostLineItem(
            name="electricity",
            category="power",
            quantity=kwh,
            unit="kWh",
            unit_price_usd=b.electricity_usd_per_kwh.value,
            monthly_cost_usd=kwh * b.electricity_usd_per_kwh.value,
            source=b.electricity_usd_per_kwh.source,
            note=f"{n} x {inp.tdp_w:g} W x {inp.utilization:.0%} utilisation x PUE {b.pue.value:g} "
            f"x {inp.hours_per_month:g} h ({b.pue.source})",
        )
    )
    if b.colocation_usd_per_kw_month is not None:
        kw = n * inp.tdp_w / 1000.0
        items.append(
            CostLineItem(
                name="colocation (space, cooling, power delivery)",
                category="hosting",
                quantity=kw,
                unit="kW of IT load",
                unit_price_usd=b.colocation_usd_per_kw_month.value,
                monthly_cost_usd=kw * b.colocation_usd_per_kw_month.value,
                source=b.colocation_usd_per_kw_month.source,
            )
        )
    items.append(
        CostLineItem(
            name="hardware maintenance and support",
            category="maintenance",
            quantity=capex,
            unit="USD of capex",
            unit_price_usd=b.maintenance_fraction_per_year.value / 12.0,
            monthly_cost_usd=capex * b.maintenance_fraction_per_year.value / 12.0,
            source=b.maintenance_fraction_per_year.source,
            note=f"{b.maintenance_fraction_per_year.value:.0%} of capex a year",
        )
    )
    return items


def _rent_items(inp: LocalCostInputs, r: RentTerms) -> list[CostLineItem]:
    hours = inp.gpus * r.billed_hours_per_month
    return [
        CostLineItem(
            name=f"{inp.accelerator_name} rental ({r.rate_kind})",
            category="rental",
            quantity=hours,
            unit="GPU-hours",
            unit_price_usd=r.rate_usd_per_gpu_hour.value,
            monthly_cost_usd=hours * r.rate_usd_per_gpu_hour.value,
            source=r.rate_usd_per_gpu_hour.source,
            note=f"{inp.gpus} GPUs x {r.billed_hours_per_month:,.1f} h ({r.billing_basis})",
        )
    ]


def staff_line_items(staff: StaffTerms) -> list[CostLineItem]:
    """Operations FTE every month, and setup hours once."""
    items: list[CostLineItem] = []
    if staff.ops_fte.value > 0:
        items.append(
            CostLineItem(
                name="ML/DevOps operations",
                category="staff",
                quantity=staff.ops_fte.value,
                unit="FTE",
                unit_price_usd=staff.fte_loaded_usd_per_year.value / 12.0,
                monthly_cost_usd=staff.ops_fte.value * staff.fte_loaded_usd_per_year.value / 12.0,
                source=f"{staff.ops_fte.source}; loaded cost: {staff.fte_loaded_usd_per_year.source}",
            )
        )
    if staff.setup_hours.value > 0:
        hourly = staff.fte_loaded_usd_per_year.value / WORK_HOURS_PER_YEAR
        items.append(
            CostLineItem(
                name="setup (one time)",
                category="setup",
                quantity=staff.setup_hours.value,
                unit="engineer-hours",
                unit_price_usd=hourly,
                monthly_cost_usd=0.0,
                one_time_usd=staff.setup_hours.value * hourly,
                source=staff.setup_hours.source,
                note=f"loaded cost / {WORK_HOURS_PER_YEAR:,.0f} working hours a year",
            )
        )
    return items


def extra_line_items(extra: list[tuple[str, float, str]]) -> list[CostLineItem]:
    """Fixed monthly costs the workload states (monitoring, licences, ...)."""
    return [
        CostLineItem(
            name=name,
            category="other",
            quantity=1,
            unit="month",
            unit_price_usd=usd,
            monthly_cost_usd=usd,
            source=source,
        )
        for name, usd, source in extra
    ]


def local_line_items(inp: LocalCostInputs) -> list[CostLineItem]:
    """Every line item of a local deployment: hardware, staff, extras."""
    items = hardware_line_items(inp)
    if inp.staff is not None:
        items += staff_line_items(inp.staff)
    items += extra_line_items(inp.extra_monthly)
    return items


def per_gpu_monthly_usd(inp: LocalCostInputs) -> float:
    """Monthly cost that scales with GPU count (amortisation, power, hosting, maintenance, or rent), per GPU."""
    items = hardware_line_items(LocalCostInputs(**{**inp.__dict__, "gpus": 1}))
    return sum(i.monthly_cost_usd for i in items)


def per_gpu_one_time_usd(inp: LocalCostInputs) -> float:
    """Up-front cost per GPU (purchase and server share; zero when renting)."""
    items = hardware_line_items(LocalCostInputs(**{**inp.__dict__, "gpus": 1}))
    return sum(i.one_time_usd for i in items)


def amortised_capex_item(
    name: str, usd: float, years: float, source: str, *, residual_fraction: float = 0.0
) -> CostLineItem:
    """One capital purchase, straight-line: (usd - residual) / (years x 12) a month, usd paid up front."""
    months = years * 12.0
    return CostLineItem(
        name=f"{name}, amortised",
        category="capex",
        quantity=1,
        unit="purchase",
        unit_price_usd=usd * (1 - residual_fraction) / months,
        monthly_cost_usd=usd * (1 - residual_fraction) / months,
        one_time_usd=usd,
        source=source,
        note=f"straight line over {years:g} years",
    )


def energy_item(kwh_per_month: float, usd_per_kwh: float, source: str) -> CostLineItem:
    """Electricity for a known monthly energy use: kWh x USD/kWh."""
    return CostLineItem(
        name="electricity",
        category="power",
        quantity=kwh_per_month,
        unit="kWh",
        unit_price_usd=usd_per_kwh,
        monthly_cost_usd=kwh_per_month * usd_per_kwh,
        source=source,
    )


def gpu_hours_for_tokens(tokens: float, tokens_per_s: float) -> float:
    """GPU-hours to generate ``tokens`` at ``tokens_per_s``: tokens / (tokens/s x 3600)."""
    return tokens / (tokens_per_s * 3600.0)
