"""Price trends derived from the price history the catalog keeps.

- API prices, per capability tier: each quarter over the window, the median of
  the three cheapest blended prices (3 parts input to 1 part output, USD per 1M
  tokens) among the tier's models with a price in force that day; the yearly
  decline is 1 - exp(slope) of a least-squares line through the log prices.
  A tier with fewer than three usable quarters takes the rate of the tiers
  pooled (each tier's prices divided by its own first value).
- GPU rental: per accelerator, the median on-demand rate across offers each
  quarter, fitted the same way; the median of the accelerators' rates.
- GPU purchase: the same over dated purchase prices.

A trend with no usable history is reported as such and applied as flat (0),
never silently: the report lists where each rate came from.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from llmdecide.catalog.catalog import Catalog, price_on
from llmdecide.catalog.schema import Tier

WINDOW_YEARS = 2.0
"""How far back the trends look: the last two years of prices."""

MIN_POINTS = 3


@dataclass(frozen=True)
class Trend:
    """A yearly price decline and where it came from."""

    decline_per_year: float
    points: int
    basis: str


def _quarters(end: dt.date, years: float) -> list[dt.date]:
    start_year = end.year - int(np.ceil(years)) - 1
    dates = [dt.date(y, m, 1) for y in range(start_year, end.year + 1) for m in (1, 4, 7, 10)]
    earliest = end - dt.timedelta(days=int(years * 365.25))
    return [d for d in dates if earliest <= d <= end]


def _rounded(decline: float) -> float:
    """A yearly decline clipped to [-50%, 95%] and kept to 0.01 percentage point (no float noise in reports)."""
    return round(float(np.clip(decline, -0.5, 0.95)), 4) + 0.0


def _fit(dates: list[dt.date], values: list[float]) -> float | None:
    """Yearly decline of a log-linear fit, or None with too few points."""
    if len(values) < MIN_POINTS or min(values) <= 0:
        return None
    x = np.array([(d - dates[0]).days / 365.25 for d in dates])
    if np.ptp(x) < 0.5:
        return None
    slope = float(np.polyfit(x, np.log(values), 1)[0])
    return _rounded(1.0 - np.exp(slope))


def _series(dates: list[dt.date], sample: Callable[[dt.date], float | None]) -> tuple[list[dt.date], list[float]]:
    kept_d: list[dt.date] = []
    kept_v: list[float] = []
    for d in dates:
        v = sample(d)
        if v is not None:
            kept_d.append(d)
            kept_v.append(v)
    return kept_d, kept_v


def _end(catalog: Catalog) -> dt.date:
    return max((v.as_of for v in catalog.versions), default=dt.date.today())


def api_tier_trends(catalog: Catalog, end: dt.date | None = None) -> dict[Tier, Trend]:
    """Yearly decline of API prices per capability tier over the last two years."""
    end = end or _end(catalog)
    dates = _quarters(end, WINDOW_YEARS)

    def cheapest(tier: Tier) -> Callable[[dt.date], float | None]:
        def sample(d: dt.date) -> float | None:
            prices = []
            for e in catalog.api_models.values():
                if e.item.tier is not tier:
                    continue
                p = price_on(e.item.prices, d)
                if p is not None:
                    prices.append((3 * p.input_usd_per_mtok + p.output_usd_per_mtok) / 4)
            if len(prices) < 2:
                return None
            return float(np.median(sorted(prices)[:3]))

        return sample

    out: dict[Tier, Trend] = {}
    pooled_x: list[float] = []
    pooled_y: list[float] = []
    fitted: dict[Tier, tuple[list[dt.date], list[float]]] = {}
    for tier in Tier:
        ds, vs = _series(dates, cheapest(tier))
        fitted[tier] = (ds, vs)
        if len(vs) >= 2:
            pooled_x += [(d - dates[0]).days / 365.25 for d in ds]
            pooled_y += list(np.log(np.array(vs) / vs[0]))
    pooled = None
    if len(pooled_y) >= MIN_POINTS:
        pooled = _rounded(1.0 - np.exp(np.polyfit(pooled_x, pooled_y, 1)[0]))
    for tier, (ds, vs) in fitted.items():
        rate = _fit(ds, vs)
        if rate is not None:
            out[tier] = Trend(rate, len(vs), f"{tier.value} tier: median of its 3 cheapest prices, {len(vs)} quarters")
        elif pooled is not None:
            out[tier] = Trend(pooled, len(pooled_y), f"too little {tier.value} history; all tiers pooled")
        else:
            out[tier] = Trend(0.0, 0, "no usable price history: assumed flat")
    return out


def _fit_per_group(
    groups: Iterable[tuple[str, Callable[[dt.date], float | None]]], dates: list[dt.date], what: str
) -> Trend:
    rates = []
    for _, sample in groups:
        ds, vs = _series(dates, sample)
        rate = _fit(ds, vs)
        if rate is not None:
            rates.append(rate)
    if not rates:
        return Trend(0.0, 0, f"no usable {what} history: assumed flat")
    return Trend(
        _rounded(float(np.median(rates))), len(rates), f"median over {len(rates)} accelerators with {what} history"
    )


def rental_trend(catalog: Catalog, end: dt.date | None = None) -> Trend:
    """Yearly decline of on-demand GPU rental rates."""
    end = end or _end(catalog)
    dates = _quarters(end, WINDOW_YEARS)
    by_gpu: dict[str, list[Any]] = {}
    for e in catalog.rental_offers.values():
        by_gpu.setdefault(e.item.accelerator, []).append(e.item)

    def sampler(offers: list[Any]) -> Callable[[dt.date], float | None]:
        def sample(d: dt.date) -> float | None:
            rates = [
                p.on_demand_usd_per_gpu_hour
                for o in offers
                if (p := price_on(o.prices, d)) is not None and p.on_demand_usd_per_gpu_hour is not None
            ]
            return float(np.median(rates)) if rates else None

        return sample

    return _fit_per_group(((g, sampler(o)) for g, o in sorted(by_gpu.items())), dates, "rental price")


def purchase_trend(catalog: Catalog, end: dt.date | None = None) -> Trend:
    """Yearly decline of GPU purchase prices."""
    end = end or _end(catalog)
    dates = _quarters(end, WINDOW_YEARS)

    def sampler(prices: list[Any]) -> Callable[[dt.date], float | None]:
        def sample(d: dt.date) -> float | None:
            p = price_on(prices, d)
            return p.usd if p is not None else None

        return sample

    groups = ((a_id, sampler(e.item.purchase_prices)) for a_id, e in sorted(catalog.accelerators.items()))
    return _fit_per_group(groups, dates, "purchase price")


@dataclass(frozen=True)
class TrendSet:
    """The yearly declines an assessment applies, each with where it came from."""

    api: dict[Tier, Trend]
    rental: Trend
    purchase: Trend


def trend_set(
    catalog: Catalog,
    *,
    end: dt.date | None = None,
    api_override: float | None = None,
    rental_override: float | None = None,
    purchase_override: float | None = None,
) -> TrendSet:
    """Catalog-derived trends up to ``end``, with any stated override taking their place."""
    stated = "stated in the workload (price_trends)"
    api = (
        {t: Trend(api_override, 0, stated) for t in Tier} if api_override is not None else api_tier_trends(catalog, end)
    )
    rental = Trend(rental_override, 0, stated) if rental_override is not None else rental_trend(catalog, end)
    purchase = Trend(purchase_override, 0, stated) if purchase_override is not None else purchase_trend(catalog, end)
    return TrendSet(api, rental, purchase)
