"""Cost line items: quantity x unit price, with the source the price came from."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Category = Literal["api", "rental", "capex", "power", "hosting", "maintenance", "staff", "setup", "other"]


class CostLineItem(BaseModel):
    """One priced quantity. ``monthly_cost_usd`` is quantity x unit price (amortised for capex).

    ``one_time_usd`` is cash paid up front (hardware purchase, setup work); it is
    what payback is measured against. A line whose price is unknown is never
    created: the option is marked incomplete instead.
    """

    model_config = ConfigDict(frozen=True)

    name: str = Field(description="What is being paid for.")
    category: Category = Field(description="Kind of cost.")
    quantity: float = Field(description="How much of the unit per month (or in total for one-time items).")
    unit: str = Field(description="Unit of the quantity, e.g. 'M input tokens', 'GPU-hours'.")
    unit_price_usd: float = Field(description="USD per unit.")
    monthly_cost_usd: float = Field(description="USD per month this line adds (first month of the horizon).")
    one_time_usd: float = Field(default=0.0, description="USD paid once, up front.")
    source: str = Field(description="Catalog entry id and URL, or the assumption or workload field used.")
    note: str | None = Field(default=None, description="How the figure was derived.")


def total_monthly(items: Iterable[CostLineItem]) -> float:
    """Sum of the monthly costs of the line items."""
    return sum(i.monthly_cost_usd for i in items)


def total_one_time(items: Iterable[CostLineItem]) -> float:
    """Sum of the up-front costs of the line items."""
    return sum(i.one_time_usd for i in items)
