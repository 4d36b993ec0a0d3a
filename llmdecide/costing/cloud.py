"""Cloud API cost: requests x (input tokens x input price + output tokens x output price).

Formula (domain note, "cloud cost"), per request, in USD::

    input_tokens  x (1 - cached - written) x p_in        (uncached prompt)
  + input_tokens  x cached                 x p_cached    (prompt-cache reads)
  + input_tokens  x written                x p_write     (prompt-cache writes)
  + output_tokens                          x p_out
  x (1 - batch discount)   when the work is batch-latency and the model has a batch API

with every price normalised from the catalog's USD per 1M tokens, and the
long-context prices replacing the base prices when a request's prompt exceeds
the model's long-context threshold. A flex or priority service tier replaces
the standard prices by the tier's (scaled by the long-context ratio when that
tier bites; no batch discount on top), and a data-residency region multiplies
every price by the region's published multiplier. A model without the tier or
the region is unavailable (:class:`UnavailableError`), never priced at the
standard rate. ``token_overhead`` scales token counts up for retries and
underestimated prompts (teams undercount by 40-50%, 001).
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


class UnavailableError(MissingPriceError):
    """A model's price period does not sell the service tier or the region a request needs."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason
        """Why, as a segment's exclusion counts it: 'without a flex tier', ..."""


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
    cache_write_usd_per_mtok: float | None = None
    """Price of writing the prompt cache; None: writes are billed at the input price."""
    observed: dt.date | None = None
    """Date the period's source shows for its figures."""
    tier: str = "standard"
    """Service tier the prices are for."""
    region: str | None = None
    """Data-residency region the prices are for (None: the standard, unrestricted processing)."""


@dataclass(frozen=True)
class RequestShape:
    """Tokens of one request and how it is billed."""

    input_tokens: float
    output_tokens: float
    cached_input_fraction: float = 0.0
    batch: bool = False
    token_overhead: float = 0.0
    cache_write_fraction: float = 0.0
    service_tier: str = "standard"
    region: str | None = None
    """Region the processing must stay in (priced at the period's regional multiplier)."""


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
    """One price period's prices for a request shape: long-context tier, service tier and region applied.

    Raises :class:`UnavailableError` when the period sells no such service tier or region.
    """
    lc = period.long_context
    prompt = shape.input_tokens * (1.0 + shape.token_overhead)
    long = lc is not None and prompt > lc.threshold_tokens
    p_in, p_out, p_cached = period.input_usd_per_mtok, period.output_usd_per_mtok, period.cached_input_usd_per_mtok
    p_write = period.cache_write_usd_per_mtok
    if long and lc is not None:
        ratio_in = lc.input_usd_per_mtok / p_in
        p_in, p_out, p_cached = lc.input_usd_per_mtok, lc.output_usd_per_mtok, lc.cached_input_usd_per_mtok
        p_write = None if p_write is None else p_write * ratio_in
    batch_discount = period.batch_discount
    if shape.service_tier != "standard":
        tiers = period.service_tiers
        tier = getattr(tiers, shape.service_tier, None) if tiers is not None else None
        if tier is None:
            raise UnavailableError(
                f"{model_id}: no {shape.service_tier} tier in the price from {period.effective_from.isoformat()}",
                f"without a {shape.service_tier} tier",
            )
        scale_in = p_in / period.input_usd_per_mtok
        scale_out = p_out / period.output_usd_per_mtok
        p_write = None if p_write is None else p_write * tier.input_usd_per_mtok / period.input_usd_per_mtok
        p_in, p_out = tier.input_usd_per_mtok * scale_in, tier.output_usd_per_mtok * scale_out
        p_cached = None if tier.cached_input_usd_per_mtok is None else tier.cached_input_usd_per_mtok * scale_in
        batch_discount = None
    if shape.region is not None:
        regional = next((r for r in period.regions if r.region == shape.region), None)
        if regional is None:
            raise UnavailableError(
                f"{model_id}: no {shape.region} data-residency price from {period.effective_from.isoformat()}",
                f"without {shape.region} data-residency processing",
            )
        m = regional.price_multiplier
        p_in, p_out = p_in * m, p_out * m
        p_cached = None if p_cached is None else p_cached * m
        p_write = None if p_write is None else p_write * m
    return TokenPrices(
        model_id,
        p_in,
        p_out,
        p_cached,
        batch_discount,
        long,
        period.effective_from,
        period.source,
        period.basis,
        period.end is not None,
        p_write,
        period.observed,
        shape.service_tier,
        shape.region,
    )


@dataclass(frozen=True)
class RequestCost:
    """USD per request, split the way line items show it."""

    uncached_input_usd: float
    cached_input_usd: float
    output_usd: float
    discount_factor: float
    warnings: tuple[str, ...]
    cache_write_usd: float = 0.0

    @property
    def total_usd(self) -> float:
        """USD for one request after any batch discount."""
        parts = self.uncached_input_usd + self.cached_input_usd + self.cache_write_usd + self.output_usd
        return parts * self.discount_factor


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
    written_share = shape.cache_write_fraction
    write_price = write_price_of(prices)
    if written_share > 0 and prices.cache_write_usd_per_mtok is None:
        warnings.append(f"{prices.model_id} publishes no cache-write price: cache writes are billed at the input rate")
    uncached = prompt * (1.0 - cached_share - written_share) * prices.input_usd_per_mtok / TOKENS_PER_MTOK
    cached = prompt * cached_share * (cached_price or 0.0) / TOKENS_PER_MTOK
    written = prompt * written_share * write_price / TOKENS_PER_MTOK
    out = output * prices.output_usd_per_mtok / TOKENS_PER_MTOK
    factor = 1.0
    if shape.batch:
        if prices.batch_discount is not None:
            factor = 1.0 - prices.batch_discount
        else:
            warnings.append(f"{prices.model_id} has no published batch-API discount: billed at the standard rate")
    return RequestCost(uncached, cached, out, factor, tuple(warnings), written)


def write_price_of(prices: TokenPrices) -> float:
    """USD per 1M tokens written to the cache: the published write price, else the input price."""
    return prices.cache_write_usd_per_mtok if prices.cache_write_usd_per_mtok is not None else prices.input_usd_per_mtok


def cloud_monthly_cost(prices: TokenPrices, shape: RequestShape, requests_per_month: ArrayLike) -> NDArray[np.float64]:
    """Monthly bill for arrays of monthly request volumes: linear, cost per request x volume."""
    per_request = cost_per_request(prices, shape).total_usd
    return np.asarray(requests_per_month, dtype=np.float64) * per_request


def cloud_line_items(
    entry: Entry[ApiModel], prices: TokenPrices, shape: RequestShape, requests_per_month: float, *, label: str = ""
) -> list[CostLineItem]:
    """Line items of one month's bill: uncached input, cache reads, cache writes, output (batch discount folded in)."""
    cost = cost_per_request(prices, shape)
    scale = 1.0 + shape.token_overhead
    factor = cost.discount_factor
    source = f"{entry.item.id} (effective {prices.effective_from.isoformat()}; {prices.source})"
    prefix = f"{label}: " if label else ""
    marks = [
        m
        for m in (
            "long-context tier" if prices.long_context else "",
            f"{prices.tier} tier" if prices.tier != "standard" else "",
            f"{prices.region} residency" if prices.region else "",
        )
        if m
    ]
    tier = f" ({', '.join(marks)})" if marks else ""
    discount_note = f"batch API discount {round((1 - factor) * 100):d}% applied" if factor < 1 else None
    prompt_mtok = requests_per_month * shape.input_tokens * scale / TOKENS_PER_MTOK
    output_mtok = requests_per_month * shape.output_tokens * scale / TOKENS_PER_MTOK
    cached_note = None if prices.cached_input_usd_per_mtok is not None else "no cached price: full input rate"
    write_note = None if prices.cache_write_usd_per_mtok is not None else "no cache-write price: input rate"
    cached_price = prices.cached_input_usd_per_mtok
    uncached_mtok = prompt_mtok * (1.0 - shape.cached_input_fraction - shape.cache_write_fraction)
    rows = [
        ("input tokens", "M input tokens", uncached_mtok, prices.input_usd_per_mtok, discount_note, True),
        ("cached input tokens", "M cached input tokens", prompt_mtok * shape.cached_input_fraction,
         cached_price if cached_price is not None else prices.input_usd_per_mtok, cached_note,
         shape.cached_input_fraction > 0),
        ("cache-write tokens", "M cache-write tokens", prompt_mtok * shape.cache_write_fraction,
         write_price_of(prices), write_note, shape.cache_write_fraction > 0),
        ("output tokens", "M output tokens", output_mtok, prices.output_usd_per_mtok, discount_note, True),
    ]  # fmt: skip
    return [
        CostLineItem(
            name=f"{prefix}{entry.item.name} {what}{tier}",
            category="api",
            quantity=mtok,
            unit=unit,
            unit_price_usd=price * factor,
            monthly_cost_usd=mtok * price * factor,
            source=source,
            note=note,
        )
        for what, unit, mtok, price, note, shown in rows
        if shown
    ]
