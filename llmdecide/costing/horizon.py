"""Horizon totals in closed form: the projection's monthly costs summed without building every series.

Cloud bills are geometric series; a local deployment's total is computed once
per deployment and set of scenarios. Both equal the sum of the monthly series
of ``projection.py`` (a property test holds them together), and are what
sensitivity sweeps and Monte Carlo samples use.
"""

from __future__ import annotations

import numpy as np

from llmdecide.costing.projection import (
    BuySpec,
    CloudSpec,
    FloatArray,
    LocalSpec,
    Scenario,
    billed_gpus,
    bought_series,
    cloud_monthly,
    falling_prices,
    fleet,
    fleet_gpus,
    host_count,
    machines,
    month_index,
    per_month,
    replica_rate,
    scheduled,
)


def cloud_horizon(spec: CloudSpec, s: Scenario, horizon: int, share: float = 1.0) -> FloatArray:
    """The API bill summed over the horizon, in closed form: each month is the last times
    q = (1 + growth + delta) x (1 - decline)^(1/12), so the sum is a geometric series.

    A scheduled price change breaks the series: the monthly bills are then summed as they are."""
    if spec.price_factors is not None:
        return np.asarray(cloud_monthly(spec, s, horizon, share).sum(axis=1))
    decline = np.clip(spec.decline_per_year + s.api_decline_delta, -1.0, 0.99)
    q = (1.0 + spec.growth_per_month + s.growth_delta) * np.power(1.0 - decline, 1.0 / 12.0)
    near_one = np.abs(q - 1.0) < 1e-12
    series = np.where(near_one, float(horizon), (np.power(q, horizon) - 1.0) / np.where(near_one, 1.0, q - 1.0))
    first = spec.start_requests_per_month * s.volume * spec.cost_per_request_usd * s.api_price * share
    return np.asarray((first * series)[:, 0])


def _bought_horizon(
    spec: LocalSpec, b: BuySpec, s: Scenario, horizon: int, average_rps: FloatArray, gpus: FloatArray
) -> FloatArray:
    """:func:`bought_series` summed over the horizon with fewer arrays: a purchase in month k is depreciated and
    maintained for min(M, horizon - k) of its M months; the fleet held never falls. Owned units and replacements
    inside the horizon take the series itself."""
    months = np.maximum(1.0, np.round(b.depreciation_years * s.depreciation * 12.0))
    if b.owned_units or (b.replace_at_end_of_life and float(months.min()) < horizon):
        return np.asarray(bought_series(spec, b, s, horizon, average_rps, gpus).monthly_usd.sum(axis=1))
    growing = bool((spec.growth_per_month + s.growth_delta >= 0).all())
    held = gpus if growing else np.maximum.accumulate(gpus, axis=1)
    hosts = host_count(held, b)
    units = np.diff(held, axis=1, prepend=0.0)
    host_units = np.diff(hosts, axis=1, prepend=0.0) if b.has_host and b.host_usd else None
    price = b.unit_usd * scheduled(b.unit_factors, horizon) if b.unit_factors is not None else b.unit_usd
    falling = falling_prices(s, "gpu", spec.gpu_price_decline_per_year, s.gpu_decline_delta, horizon)
    purchases = units * price if host_units is None else units * price + host_units * b.host_usd
    purchases = purchases * falling * s.gpu_price
    kept = per_month(months, horizon, lambda m: np.minimum(m, horizon - month_index(horizon)))
    weighted = (purchases * kept).sum(axis=1)
    total = weighted * ((1.0 - b.residual_fraction) / months[:, 0])
    if spec.staff_usd_per_host_month:
        total = total + machines(hosts).sum(axis=1) * spec.staff_usd_per_host_month * s.staff_cost[:, 0]
    if not b.running_costs:
        return np.asarray(total)
    tp = float(max(spec.tp, 1))
    load = average_rps * spec.share / replica_rate(spec, s)
    replicas = np.maximum(held / tp, 1.0)
    busy = np.minimum(replicas, load)
    idle = b.gpu_idle_fraction
    watt_months = spec.tdp_w * (idle * held.sum(axis=1) + (1.0 - idle) * (held / replicas * busy).sum(axis=1))
    if b.has_host:
        share = busy / replicas
        watt_months = watt_months + (hosts * (b.host_idle_w + (b.host_power_w - b.host_idle_w) * share)).sum(axis=1)
    total = (
        total + watt_months * (b.pue * spec.hours_per_month / 1000.0 * b.electricity_usd_per_kwh) * s.electricity[:, 0]
    )
    if b.colocation_usd_per_kw_month is not None:
        kw = spec.tdp_w * held.sum(axis=1) + (b.host_power_w * hosts.sum(axis=1) if b.has_host else 0.0)
        total = total + kw / 1000.0 * b.colocation_usd_per_kw_month
    total = total + weighted * (b.maintenance_fraction_per_year / 12.0)
    return np.asarray(total)


def local_horizon(spec: LocalSpec, s: Scenario, horizon: int) -> FloatArray:
    """A local deployment's monthly costs summed over the horizon, computed once per deployment and set of
    scenarios (the same arithmetic as :func:`local_series`; rented fleets without the series they do not need)."""
    key = ("local", spec, horizon)
    if key in s.cache:
        return s.cache[key]
    volume, average_rps, replicas = fleet(spec, s, horizon)
    if spec.buy is not None:
        gpus = fleet_gpus(spec, s, horizon, replicas)
        result = _bought_horizon(spec, spec.buy, s, horizon, average_rps, gpus)
    else:
        assert spec.rent is not None
        r = spec.rent
        price = (
            r.usd_per_gpu_hour
            * s.rental_rate
            * falling_prices(s, "rental", spec.rental_decline_per_year, s.rental_decline_delta, horizon)
            * scheduled(r.rate_factors, horizon)
        )
        if r.billing == "always_on":
            gpus = fleet_gpus(spec, s, horizon, replicas)
            billed = billed_gpus(gpus, r.gpus_per_instance)
            hours = billed * spec.hours_per_month
            instances = billed / r.gpus_per_instance
        else:
            hours = volume * spec.share / replica_rate(spec, s) / 3600.0 * spec.tp
            instances = hours / (spec.hours_per_month * r.gpus_per_instance)
        cost = hours * price
        if spec.staff_usd_per_host_month:
            cost = cost + machines(instances) * spec.staff_usd_per_host_month * s.staff_cost
        result = np.asarray(cost.sum(axis=1))
    s.cache[key] = result
    return result
