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
    cloud_monthly,
    falling_prices,
    fleet,
    fleet_gpus,
    month_index,
    per_month,
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


def local_horizon(spec: LocalSpec, s: Scenario, horizon: int) -> FloatArray:
    """A local deployment's monthly costs summed over the horizon, without building every monthly series.

    The same quantities as :func:`local_series`, summed: a purchase in month k is
    depreciated for min(M, horizon - k) of its M months and is maintained for
    horizon - k months. Computed once per deployment and set of scenarios.
    """
    key = ("local", spec, horizon)
    if key in s.cache:
        return s.cache[key]
    volume, average_rps, replicas = fleet(spec, s, horizon)
    if spec.buy is not None:
        if replicas is None:
            result = _pinned_bought_horizon(spec, spec.buy, s, horizon, average_rps)
        else:
            result = _bought_horizon(spec, spec.buy, s, horizon, average_rps, replicas)
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
            hours = billed_gpus(gpus, r.gpus_per_instance) * spec.hours_per_month
        else:
            hours = volume * (spec.share / spec.requests_per_s_per_replica / 3600.0 * spec.tp)
        result = np.asarray((hours * price).sum(axis=1))
    s.cache[key] = result
    return result


def _bought_horizon(
    spec: LocalSpec, b: BuySpec, s: Scenario, horizon: int, average_rps: FloatArray, replicas: FloatArray
) -> FloatArray:
    """:func:`local_horizon` for a bought fleet sized month by month.

    The fleet held never falls: each month's purchase is its increase. GPUs held x utilisation is
    tp x held x min(1, load / (replicas x rate per replica)); when no scenario's volume falls the
    fleet held is the fleet needed and that is tp x min(replicas, load / rate per replica).
    """
    tp = float(spec.tp)
    growing = bool((spec.growth_per_month + s.growth_delta >= 0).all())
    held = replicas if growing else np.maximum.accumulate(replicas, axis=1)
    bought = np.empty_like(held)
    bought[:, 0] = held[:, 0]
    np.subtract(held[:, 1:], held[:, :-1], out=bought[:, 1:])
    bought *= falling_prices(s, "gpu", spec.gpu_price_decline_per_year, s.gpu_decline_delta, horizon)
    months_left = horizon - month_index(horizon)
    months = np.maximum(1.0, np.round(b.depreciation_years * s.depreciation * 12.0))
    held_months = per_month(months, horizon, lambda m: np.minimum(m, months_left))
    if b.unit_factors is None:
        unit = (b.unit_usd + b.server_usd_per_gpu) * tp * s.gpu_price[:, 0]
    else:
        bought *= b.unit_usd * scheduled(b.unit_factors, horizon) + b.server_usd_per_gpu
        unit = tp * s.gpu_price[:, 0]
    total = (bought * held_months).sum(axis=1) * unit * ((1.0 - b.residual_fraction) / months[:, 0])
    if b.running_costs:
        load = average_rps * (spec.share / spec.requests_per_s_per_replica)
        if growing:
            busy = np.minimum(load, replicas)
        else:
            load /= replicas
            np.minimum(load, 1.0, out=load)
            busy = load * held
        kwh_per_gpu_month = spec.tdp_w * b.pue * spec.hours_per_month / 1000.0
        total += tp * busy.sum(axis=1) * (kwh_per_gpu_month * b.electricity_usd_per_kwh * s.electricity[:, 0])
        if b.colocation_usd_per_kw_month is not None:
            total += tp * held.sum(axis=1) * (spec.tdp_w / 1000.0 * b.colocation_usd_per_kw_month)
        total += (bought * months_left).sum(axis=1) * unit * (b.maintenance_fraction_per_year / 12.0)
    return np.asarray(total)


def _pinned_bought_horizon(
    spec: LocalSpec, b: BuySpec, s: Scenario, horizon: int, average_rps: FloatArray
) -> FloatArray:
    """:func:`local_horizon` for a fixed bought fleet: one purchase in month 0, so only power needs the months."""
    assert spec.pinned_gpus is not None
    gpus = float(spec.pinned_gpus)
    falling = falling_prices(s, "gpu", spec.gpu_price_decline_per_year, s.gpu_decline_delta, horizon)
    purchase = gpus * ((b.unit_usd + b.server_usd_per_gpu) * s.gpu_price[:, 0]) * falling[:, 0]
    months = np.maximum(1.0, np.round(b.depreciation_years * s.depreciation[:, 0] * 12.0))
    total = purchase * np.minimum(months, float(horizon)) * ((1.0 - b.residual_fraction) / months)
    if b.running_costs:
        capacity_rps = max(gpus / max(spec.tp, 1), 1.0) * spec.requests_per_s_per_replica
        utilization = np.minimum(average_rps * (spec.share / max(capacity_rps, 1e-12)), 1.0)
        kwh_per_gpu_month = spec.tdp_w * b.pue * spec.hours_per_month / 1000.0
        total = total + gpus * utilization.sum(axis=1) * (
            kwh_per_gpu_month * b.electricity_usd_per_kwh * s.electricity[:, 0]
        )
        if b.colocation_usd_per_kw_month is not None:
            total = total + gpus * horizon * (spec.tdp_w / 1000.0 * b.colocation_usd_per_kw_month)
        total = total + purchase * horizon * (b.maintenance_fraction_per_year / 12.0)
    return np.asarray(total)
