"""Line items of local (self-hosted) cost of ownership: hardware, power, rent, staff.

Formulas, per month unless stated (domain note, "local cost (TCO)"):

- buy: capex (one time) = units x unit price; amortisation = (capex - residual) / (depreciation years x 12);
- power = kWh x USD/kWh, with kWh = (GPUs x TDP x (idle share + (1 - idle share) x utilisation) + hosts x
  (idle W + (load W - idle W) x utilisation)) x PUE x hours / 1000;
- hosting (colocation) = (GPUs x TDP + hosts x host W) / 1000 (kW of system power) x USD per kW-month;
- maintenance = capex in service x annual maintenance fraction / 12;
- rent = GPU-hours x USD per GPU-hour (on demand, spot, or committed);
- staff = FTE x loaded cost per FTE-year / 12 (a stated head count; the effort model is ``staff.py``);
  setup (one time) = hours x loaded cost / 2,080 h;
- extra fixed costs as the workload states them (monitoring, licences).

The month-by-month series over a horizon live in ``projection.py``; the
functions here build the first-month line items both it and users call.
"""

from __future__ import annotations

from dataclasses import dataclass

from llmdecide.costing.line_item import CostLineItem

WORK_HOURS_PER_YEAR = 2080.0
"""40 hours x 52 weeks: turns a loaded annual cost into an hourly one."""


@dataclass(frozen=True)
class Sourced:
    """A number and where it came from, for line-item provenance."""

    value: float
    source: str


@dataclass(frozen=True)
class StaffTerms:
    """People: ongoing operations and the one-time setup."""

    ops_fte: Sourced
    fte_loaded_usd_per_year: Sourced
    setup_hours: Sourced


def amortised_capex_item(
    name: str,
    unit_usd: float,
    years: float,
    source: str,
    *,
    quantity: float = 1.0,
    unit: str = "purchase",
    residual_fraction: float = 0.0,
) -> CostLineItem:
    """A capital purchase, straight-line: quantity x (unit price - residual) / (years x 12) a month, paid up front."""
    months = years * 12.0
    per_unit_month = unit_usd * (1 - residual_fraction) / months
    note = f"straight line over {years:g} years" + (
        f", {residual_fraction:.0%} residual value" if residual_fraction else ""
    )
    return CostLineItem(
        name=f"{name}, amortised",
        category="capex",
        quantity=quantity,
        unit=unit,
        unit_price_usd=per_unit_month,
        monthly_cost_usd=quantity * per_unit_month,
        one_time_usd=quantity * unit_usd,
        source=source,
        note=note,
    )


def energy_item(
    kwh_per_month: float, usd_per_kwh: float, source: str, *, name: str = "electricity", note: str | None = None
) -> CostLineItem:
    """Electricity for a monthly energy use: kWh x USD/kWh."""
    return CostLineItem(
        name=name,
        category="power",
        quantity=kwh_per_month,
        unit="kWh",
        unit_price_usd=usd_per_kwh,
        monthly_cost_usd=kwh_per_month * usd_per_kwh,
        source=source,
        note=note,
    )


def rental_item(
    name: str, gpu_hours: float, usd_per_gpu_hour: float, source: str, *, note: str | None = None
) -> CostLineItem:
    """Rented GPUs: GPU-hours x USD per GPU-hour."""
    return CostLineItem(
        name=name,
        category="rental",
        quantity=gpu_hours,
        unit="GPU-hours",
        unit_price_usd=usd_per_gpu_hour,
        monthly_cost_usd=gpu_hours * usd_per_gpu_hour,
        source=source,
        note=note,
    )


def fte_item(name: str, fte: float, loaded_usd_per_year: float, source: str, note: str | None = None) -> CostLineItem:
    """Engineers every month: FTE x loaded cost per FTE-year / 12."""
    return CostLineItem(
        name=name,
        category="staff",
        quantity=fte,
        unit="FTE",
        unit_price_usd=loaded_usd_per_year / 12.0,
        monthly_cost_usd=fte * loaded_usd_per_year / 12.0,
        source=source,
        note=note,
    )


def setup_item(hours: float, loaded_usd_per_year: float, source: str, note: str | None = None) -> CostLineItem:
    """Setup work once: hours x loaded cost / 2,080 working hours."""
    hourly = loaded_usd_per_year / WORK_HOURS_PER_YEAR
    return CostLineItem(
        name="setup (one time)",
        category="setup",
        quantity=hours,
        unit="engineer-hours",
        unit_price_usd=hourly,
        monthly_cost_usd=0.0,
        one_time_usd=hours * hourly,
        source=source,
        note=note,
    )


def staff_line_items(staff: StaffTerms) -> list[CostLineItem]:
    """A stated head count every month, and stated setup hours once."""
    items: list[CostLineItem] = []
    loaded = staff.fte_loaded_usd_per_year
    if staff.ops_fte.value > 0:
        source = f"{staff.ops_fte.source}; loaded cost: {loaded.source}"
        items.append(fte_item("ML/DevOps operations", staff.ops_fte.value, loaded.value, source))
    if staff.setup_hours.value > 0:
        note = f"loaded cost / {WORK_HOURS_PER_YEAR:,.0f} working hours a year"
        items.append(setup_item(staff.setup_hours.value, loaded.value, staff.setup_hours.source, note))
    return items


def extra_line_items(extra: list[tuple[str, float, str]]) -> list[CostLineItem]:
    """Fixed monthly costs as stated: (name, USD a month, source)."""
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


def gpu_hours_for_tokens(tokens: float, tokens_per_s: float) -> float:
    """GPU-hours to generate ``tokens`` at ``tokens_per_s``: tokens / (tokens/s x 3600)."""
    return tokens / (tokens_per_s * 3600.0)
