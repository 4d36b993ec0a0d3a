"""A plan's cash over the horizon, the hardware's resale at the end, and its net present value.

The horizon cost of a plan (``plan.py``) recognises bought hardware as it
depreciates. Finance also wants the cash view: hardware paid when bought
(replacements too, when the horizon outlives the depreciation life), and its
resale at the horizon's end from the catalog's resale curve by accelerator
class and age (``finance.resale_fraction`` replaces it). Then:

- nominal cash total = sum of the monthly cash + one-time setup - resale at the end;
- net present value = sum over months m of cash_m / (1 + r)^(m / 12) - resale / (1 + r)^(horizon / 12),
  cash paid at the start of each month, resale at the end of the last;
- at r = 0 the net present value is the nominal cash total.

The gap between the cumulative cash and the horizon cost is the book value of the hardware still in service at
the end (straight-line), which the resale recovers in part.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from llmdecide.catalog.catalog import Catalog
from llmdecide.costing.local import Sourced
from llmdecide.costing.plan import Plan, plan_costs
from llmdecide.costing.projection import FloatArray, Scenario, local_series
from llmdecide.workload.schema import Workload


@dataclass(frozen=True)
class PlanCash:
    """A plan's cash each month by kind, and its hardware's value at the horizon's end (neutral scenario)."""

    capex_usd: FloatArray
    """Hardware purchases (and replacements) each month."""
    staff_usd: FloatArray
    """Operations, on-call, setup and hiring each month."""
    opex_usd: FloatArray
    """Everything else paid each month: API bills, rent, power, hosting, maintenance, fixed costs."""
    book_value_end_usd: float
    resale_end_usd: float

    @property
    def cash_usd(self) -> FloatArray:
        """All cash paid each month."""
        return np.asarray(self.capex_usd + self.staff_usd + self.opex_usd)

    @property
    def nominal_usd(self) -> float:
        """Cash paid over the horizon less the resale at its end."""
        return float(self.cash_usd.sum()) - self.resale_end_usd

    def npv_usd(self, rate: float) -> float:
        """Net present value of the cash at an annual discount rate (resale at the horizon's end)."""
        cash = self.cash_usd.reshape(1, -1)
        return float(present_value(cash, np.array([self.resale_end_usd]), rate)[0])

    def by_year(self) -> list[tuple[int, float, float, float, float]]:
        """(year, capex, opex, staff, resale) per year of the horizon; resale in the last year."""
        horizon = len(self.capex_usd)
        rows = []
        for y, start in enumerate(range(0, horizon, 12)):
            end = min(start + 12, horizon)
            resale = self.resale_end_usd if end == horizon else 0.0
            rows.append(
                (
                    y + 1,
                    float(self.capex_usd[start:end].sum()),
                    float(self.opex_usd[start:end].sum()),
                    float(self.staff_usd[start:end].sum()),
                    resale,
                )
            )
        return rows


def present_value(cash_usd: FloatArray, resale_end_usd: FloatArray, rate: float) -> FloatArray:
    """Net present value per scenario: sum over months m of cash[m] / (1 + r)^(m / 12), less the resale
    at the horizon's end / (1 + r)^(horizon / 12); ``cash_usd`` is (n, horizon), ``resale_end_usd`` (n,)."""
    horizon = cash_usd.shape[1]
    factors = np.power(1.0 + rate, -np.arange(horizon) / 12.0)
    return np.asarray(cash_usd @ factors - resale_end_usd * (1.0 + rate) ** (-horizon / 12.0))


def npv_costs(plan: Plan, s: Scenario, horizon: int, rate: float) -> FloatArray:
    """A plan's net present value in every scenario, through the same projection as its costs and cash."""
    cash = plan_costs(plan, s, horizon).cash_usd
    resale = np.zeros(s.n)
    for p in plan.placements:
        if p.local is not None and p.local.spec is not None:
            resale = resale + local_series(p.local.spec, s, horizon).resale_end_usd
    return present_value(cash, resale, rate)


def plan_cash(plan: Plan, horizon: int) -> PlanCash:
    """The cash view of a priced plan (neutral scenario), through the same projection as its costs."""
    neutral = Scenario.build()
    cash = plan_costs(plan, neutral, horizon).cash_usd[0]
    capex = np.zeros(horizon)
    staff = np.zeros(horizon)
    book = 0.0
    resale = 0.0
    for p in plan.placements:
        if p.local is not None and p.local.spec is not None:
            ls = local_series(p.local.spec, neutral, horizon)
            capex += ls.purchases_usd[0]
            staff += ls.staff_usd[0]
            book += float(ls.book_value_end_usd[0])
            resale += float(ls.resale_end_usd[0])
    for item in plan.fixed_items:
        if item.category in ("staff", "setup"):
            staff += item.monthly_cost_usd
            staff[0] += item.one_time_usd
    return PlanCash(capex, staff, np.asarray(cash - capex - staff), book, resale)


def discount_rate(workload: Workload, catalog: Catalog) -> Sourced:
    """The annual discount rate: the workload's ``finance.discount_rate_per_year`` or the catalog's."""
    stated = workload.finance.discount_rate_per_year
    if stated is not None:
        return Sourced(stated, "workload: finance.discount_rate_per_year")
    a = catalog.require_assumptions().discount_rate_per_year
    return Sourced(a.value, f"assumption discount_rate_per_year ({a.source})")
