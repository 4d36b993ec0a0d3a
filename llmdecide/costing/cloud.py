"""Cloud API cost: requests x (input tokens x input price + output tokens x output price).

Formula (domain note, "cloud cost"), per request, in USD::

    input_tokens  x (1 - cached) x p_in          (uncached prompt)
  + input_tokens  x cached       x p_cached      (prompt-cache reads)
  + output_tokens               x p_out
  x (1 - batch discount)   when the work is batch-latency and the model has a batch API

with every price normalised from the catalog's USD per 1M tokens, and the
long-context prices replacing the base prices when a request's prompt exceeds
the model's long-context threshold. ``token_overhead`` scales token counts up
for retries and underestimated prompts (teams undercount by 40-50%, 001).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from llmdecide.catalog.catalog import Entry, price_on
from llmdecide.catalog.schema import ApiModel, ApiPrice, PriceBasis
from llmdecide.costing.line_item import CostLineItem
from llmdecide.errors import CatalogError
from llmdecide.units import TOKENS_PER_MTOK


class MissingPriceError(CatalogError):
    """A model has no price in force on the date asked for."""


@dataclass(frozen=True)
class TokenPrices:
    """The prices of one API model that apply to one request shape, USD per 1M tokens."""

    model_id: str
    input_usd_per_mtok: float
    output_usd_per_mtok: float
    cached_input_usd_per_mtok: float | None
    batch_discount: float | None
    long_context: bool
    effective_from: dt.date
    source: str
    basis: PriceBasis = PriceBasis.LIST
    """What the period's figures are (list, promotional, ...)."""
    end_unannounced: bool = False
    """A promotional or introductory price whose end the provider has not announced."""


@dataclass(frozen=True)
class RequestShape:
    """Tokens of one request and how it is billed."""

    input_tokens: float
    output_tokens: float
    cached_input_fraction: float = 0.0
    batch: bool = False
    token_overhead: float = 0.0


def last_price_by(prices: Sequence[ApiPrice], on: dt.date) -> ApiPrice | None:
    """The newest period that had started by ``on``, in force or ended (None before the first)."""
    started = [p for p in prices if p.effective_from <= on]
    return max(started, key=lambda p: p.effective_from) if started else None


def token_prices(
    entry: Entry[ApiModel], shape: RequestShape, on: dt.date | None = None, *, carry_forward: bool = False
) -> TokenPrices:
    """The price period in force (newest, or on ``on``), with the long-context tier applied if it bites.

    With ``carry_forward``, a day after the model's last price ended takes that last price.
    """
    model = entry.item
    period = price_on(model.prices, on)
    if period is None and carry_forward and on is not None:
        period = last_price_by(model.prices, on)
    if period is None:
        when = on.isoformat() if on else "any date"
        first = min(p.effective_from for p in model.prices).isoformat()
        raise MissingPriceError(f"{model.id}: no price in force on {when} (prices start {first})")
    return period_prices(model.id, period, shape)


def period_prices(model_id: str, period: ApiPrice, shape: RequestShape) -> TokenPrices:
    """One price period's prices for a request shape (the long-context tier when the prompt passes it)."""
    lc = period.long_context
    prompt = shape.input_tokens * (1.0 + shape.token_overhead)
    if lc is not None and prompt > lc.threshold_tokens:
        return TokenPrices(
            model_id,
            lc.input_usd_per_mtok,
            lc.output_usd_per_mtok,
            lc.cached_input_usd_per_mtok,
            period.batch_discount,
            True,
            period.effective_from,
            period.source,
            period.basis,
            period.end is not None,
        )
    return TokenPrices(
        model_id,
        period.input_usd_per_mtok,
        period.output_usd_per_mtok,
        period.cached_input_usd_per_mtok,
        period.batch_discount,
        False,
        period.effective_from,
        period.source,
        period.basis,
        period.end is not None,
    )


@dataclass(frozen=True)
class RequestCost:
    """USD per request, split the way line items show it."""

    uncached_input_usd: float
    cached_input_usd: float
    output_usd: float
    discount_factor: float
    warnings: tuple[str, ...]

    @property
    def total_usd(self) -> float:
        """USD for one request after any batch discount."""
        return (self.uncached_input_usd + self.cached_input_usd + self.output_usd) * self.discount_factor


def cost_per_request(prices: TokenPrices, shape: RequestShape) -> RequestCost:
    """USD for one request of this shape (see the module docstring for the formula)."""
    scale = 1.0 + shape.token_overhead
    prompt = shape.input_tokens * scale
    output = shape.output_tokens * scale
    warnings: list[str] = []
    cached_share = shape.cached_input_fraction
    cached_price = prices.cached_input_usd_per_mtok
    if cached_share > 0 and cached_price is None:
        warnings.append(
            f"{prices.model_id} publishes no cached-input price: cached prompt tokens are billed at the full rate"
        )
        cached_price = prices.input_usd_per_mtok
    uncached = prompt * (1.0 - cached_share) * prices.input_usd_per_mtok / TOKENS_PER_MTOK
    cached = prompt * cached_share * (cached_price or 0.0) / TOKENS_PER_MTOK
    out = output * prices.output_usd_per_mtok / TOKENS_PER_MTOK
    factor = 1.0
    if shape.batch:
        if prices.batch_discount is not None:
            factor = 1.0 - prices.batch_discount
        else:
            warnings.append(f"{prices.model_id} has no published batch-API discount: billed at the standard rate")
    return RequestCost(uncached, cached, out, factor, tuple(warnings))


def cloud_monthly_cost(prices: TokenPrices, shape: RequestShape, requests_per_month: ArrayLike) -> NDArray[np.float64]:
    """Monthly bill for arrays of monthly request volumes: linear, cost per request x volume."""
    per_request = cost_per_request(prices, shape).total_usd
    return np.asarray(requests_per_month, dtype=np.float64) * per_request


def cloud_line_items(
    entry: Entry[ApiModel], prices: TokenPrices, shape: RequestShape, requests_per_month: float, *, label: str = ""
) -> list[CostLineItem]:
    """Line items of one month's bill: uncached input, cached input, output (batch discount folded in)."""
    cost = cost_per_request(prices, shape)
    scale = 1.0 + shape.token_overhead
    factor = cost.discount_factor
    source = f"{entry.item.id} (effective {prices.effective_from.isoformat()}; {prices.source})"
    prefix = f"{label}: " if label else ""
    tier = " (long-context tier)" if prices.long_context else ""
    discount_note = f"batch API discount {round((1 - factor) * 100):d}% applied" if factor < 1 else None
    items: list[CostLineItem] = []
    prompt_mtok = requests_per_month * shape.input_tokens * scale / TOKENS_PER_MTOK
    uncached_mtok = prompt_mtok * (1.0 - shape.cached_input_fraction)
    items.append(
        CostLineItem(
            name=f"{prefix}{entry.item.name} input tokens{tier}",
            category="api",
            quantity=uncached_mtok,
            unit="M input tokens",
            unit_price_usd=prices.input_usd_per_mtok * factor,
            monthly_cost_usd=uncached_mtok * prices.input_usd_per_mtok * factor,
            source=source,
            note=discount_note,
        )
    )
    if shape.cached_input_fraction > 0:
        cached_price = (
            prices.cached_input_usd_per_mtok
            if prices.cached_input_usd_per_mtok is not None
            else prices.input_usd_per_mtok
        )
        cached_mtok = prompt_mtok * shape.cached_input_fraction
        items.append(
            CostLineItem(
                name=f"{prefix}{entry.item.name} cached input tokens{tier}",
                category="api",
                quantity=cached_mtok,
                unit="M cached input tokens",
                unit_price_usd=cached_price * factor,
                monthly_cost_usd=cached_mtok * cached_price * factor,
                source=source,
                note=None if prices.cached_input_usd_per_mtok is not None else "no cached price: full input rate",
            )
        )
    output_mtok = requests_per_month * shape.output_tokens * scale / TOKENS_PER_MTOK
    items.append(
        CostLineItem(
            name=f"{prefix}{entry.item.name} output tokens{tier}",
            category="api",
            quantity=output_mtok,
            unit="M output tokens",
            unit_price_usd=prices.output_usd_per_mtok * factor,
            monthly_cost_usd=output_mtok * prices.output_usd_per_mtok * factor,
            source=source,
            note=discount_note,
        )
    )
    return items
