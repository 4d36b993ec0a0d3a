"""The cost model over the horizon, vectorised over scenarios.

Every monthly cost the reports show is computed here, for one scenario (the
point estimate) or for thousands at once (sensitivity sweeps, Monte Carlo).
A :class:`Scenario` holds one value per scenario for each uncertain input, as a
column (shape ``(n, 1)``) that broadcasts against the months of the horizon
(shape ``(1, horizon)``); every series returned is ``(n, horizon)``.

Month ``m`` (0-based) of a segment:

- requests = start x volume factor x (1 + growth + growth delta)^m;
- API prices fall by their annual decline (the model tier's trend, plus the scenario's delta):
  price x API price factor x (1 - decline)^(m / 12);
- rental rates and purchase prices likewise with their own factors and trends;
- prices the catalog schedules (a promotion's end, an announced rise) apply from the first month that
  starts on or after the day they take effect: each spec carries its schedule as one multiplier per month
  of the price in force on that month's first day over month 0's (None when the price never changes);
- local replicas = max(1, ceil(peak rate x share / (rate per replica x target utilisation x utilisation factor)))
  (:func:`llmdecide.capacity.sizing.replicas_for`, the one fleet-size formula);
- rented GPUs billed always on round up to whole instances (:func:`billed_gpus`);
- bought hardware: held GPUs never fall; each month's purchase is depreciated straight-line over
  round(depreciation years x depreciation factor x 12) months; power, colocation and maintenance as in local.py.

The same costs summed over the horizon, in closed form, are in ``horizon.py``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from llmdecide.capacity.sizing import replicas_for

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class Scenario:
    """One value per scenario of every uncertain input (columns of shape (n, 1)); 1 and 0 are neutral."""

    volume: FloatArray
    growth_delta: FloatArray
    api_price: FloatArray
    api_decline_delta: FloatArray
    gpu_price: FloatArray
    gpu_decline_delta: FloatArray
    rental_rate: FloatArray
    rental_decline_delta: FloatArray
    utilization: FloatArray
    speed: FloatArray
    """Measured / predicted speed of the local deployments (the capacity model's error); 1 is the prediction."""
    staff_cost: FloatArray
    electricity: FloatArray
    depreciation: FloatArray
    cache: dict[Any, FloatArray] = field(default_factory=dict, compare=False, repr=False)
    """Series already computed for these scenarios (growth and trend factors, local bills), by their inputs."""

    @classmethod
    def build(cls, n: int = 1, **values: float | FloatArray) -> Scenario:
        """A scenario set of size ``n``: every input neutral unless given (scalar or length-n array)."""
        neutral = {f.name: 0.0 if f.name.endswith("_delta") else 1.0 for f in fields(cls) if f.name != "cache"}
        unknown = set(values) - set(neutral)
        if unknown:
            raise ValueError(f"unknown scenario inputs: {sorted(unknown)}")
        cols: dict[str, Any] = {}
        for name, default in neutral.items():
            v = np.asarray(values.get(name, default), dtype=np.float64)
            cols[name] = np.broadcast_to(v.reshape(-1, 1) if v.ndim else v, (n, 1)).copy()
        return cls(**cols)

    @property
    def n(self) -> int:
        """How many scenarios."""
        return int(self.volume.shape[0])

    def take(self, rows: NDArray[np.int64]) -> Scenario:
        """The scenarios at ``rows`` only (a fresh cache)."""
        return Scenario(**{f.name: getattr(self, f.name)[rows] for f in fields(self) if f.name != "cache"})


def month_index(horizon: int) -> FloatArray:
    """0, 1, ... horizon-1 as a row."""
    return np.arange(horizon, dtype=np.float64).reshape(1, -1)


def trend(decline_per_year: FloatArray, horizon: int) -> FloatArray:
    """Price multiplier each month for an annual decline: (1 - decline)^(m / 12)."""
    return np.asarray(np.power(1.0 - decline_per_year, month_index(horizon) / 12.0), dtype=np.float64)


def per_month(column: FloatArray, horizon: int, f: Any) -> FloatArray:
    """``f(column)`` as an (n, horizon) array; computed on one row and broadcast when every scenario agrees."""
    n = column.shape[0]
    if n > 1 and bool((column == column[0, 0]).all()):
        return np.broadcast_to(np.asarray(f(column[:1]), dtype=np.float64), (n, horizon))
    return np.asarray(f(column), dtype=np.float64)


def falling_prices(s: Scenario, kind: str, base: float, delta: FloatArray, horizon: int) -> FloatArray:
    """Price multiplier each month for a base annual decline plus each scenario's delta (computed once)."""
    key = ("trend", kind, base, horizon)
    if key not in s.cache:
        s.cache[key] = per_month(delta, horizon, lambda d: trend(np.clip(base + d, -1.0, 0.99), horizon))
    return s.cache[key]


def growth_factor(growth: float, s: Scenario, horizon: int) -> FloatArray:
    """(1 + growth + delta)^m for every scenario and month (computed once per growth rate)."""
    key = ("growth", growth, horizon)
    if key not in s.cache:
        s.cache[key] = per_month(s.growth_delta, horizon, lambda d: np.power(1.0 + growth + d, month_index(horizon)))
    return s.cache[key]


def requests(start: float, growth: float, s: Scenario, horizon: int) -> FloatArray:
    """Requests each month: start x volume factor x (1 + growth + delta)^m."""
    return np.asarray(start * s.volume * growth_factor(growth, s, horizon))


Schedule = tuple[float, ...] | None
"""A price's multiplier in each month of the horizon over its month-0 value; None when it never changes."""


def scheduled(factors: Schedule, horizon: int) -> FloatArray | float:
    """A schedule's first ``horizon`` months as a (1, horizon) row to multiply a series by; 1.0 when there is none.

    A shorter horizon than the schedule's (break-even looks at the first month only) takes its first months.
    """
    if factors is None:
        return 1.0
    if len(factors) < horizon:
        raise ValueError(f"a price schedule of {len(factors)} months for a {horizon}-month horizon")
    return np.asarray(factors[:horizon], dtype=np.float64).reshape(1, -1)


@dataclass(frozen=True)
class CloudSpec:
    """What a segment's API bill depends on."""

    cost_per_request_usd: float
    start_requests_per_month: float
    growth_per_month: float
    decline_per_year: float = 0.0
    """Annual decline of the price of this capability tier."""
    price_factors: Schedule = None
    """Cost per request each month over month 0's, from the catalog's dated price periods."""


def cloud_monthly(spec: CloudSpec, s: Scenario, horizon: int, share: float = 1.0) -> FloatArray:
    """API bill each month: requests x cost per request x price factor x trend x share."""
    volume = requests(spec.start_requests_per_month, spec.growth_per_month, s, horizon)
    falling = falling_prices(s, "api", spec.decline_per_year, s.api_decline_delta, horizon)
    return np.asarray(
        volume * spec.cost_per_request_usd * s.api_price * falling * scheduled(spec.price_factors, horizon) * share
    )


@dataclass(frozen=True)
class BuySpec:
    """Owning terms of one local deployment."""

    unit_usd: float
    host_usd: float
    """One host machine without its accelerators (0 when the accelerator is the machine)."""
    gpus_per_host: int
    whole_hosts: bool
    """Whole machines are bought (rounded up); False: a data-center server shared by GPU slot."""
    host_power_w: float
    host_idle_w: float
    gpu_idle_fraction: float
    depreciation_years: float
    residual_fraction: float
    maintenance_fraction_per_year: float
    electricity_usd_per_kwh: float
    pue: float
    colocation_usd_per_kw_month: float | None
    running_costs: bool
    unit_factors: Schedule = None
    """The unit price in each month over month 0's (hardware added later is bought at that month's price)."""
    has_host: bool = True
    """False when the accelerator is the machine (its TDP is the whole system's)."""
    owned_units: float = 0.0
    """Units already owned: not bought until ``replace_month``."""
    replace_month: int | None = None
    owned_maintenance_usd_month: float = 0.0
    replace_at_end_of_life: bool = True
    resale_curve: tuple[tuple[float, float], ...] = ()


@dataclass(frozen=True)
class RentSpec:
    """Renting terms of one local deployment."""

    usd_per_gpu_hour: float
    gpus_per_instance: int
    billing: Literal["always_on", "by_use"]
    rate_factors: Schedule = None
    """The rate in each month over month 0's."""


@dataclass(frozen=True)
class LocalSpec:
    """What a segment's local bill depends on."""

    start_requests_per_month: float
    growth_per_month: float
    peak_to_average: float
    hours_per_month: float
    share: float
    requests_per_s_per_replica: float
    tp: int
    target_utilization: float
    tdp_w: float
    pinned_gpus: int | None
    buy: BuySpec | None
    rent: RentSpec | None
    gpu_price_decline_per_year: float = 0.0
    rental_decline_per_year: float = 0.0
    staff_usd_per_host_month: float = 0.0
    """Operations effort per machine (owned host, rented instance or device) a month, in USD."""
    min_gpus: int = 0
    """A floor on the sized fleet (a pinned deployment extended to its load keeps at least its GPUs)."""


@dataclass(frozen=True)
class LocalSeries:
    """A local deployment's series over the horizon, each (n, horizon)."""

    gpus: FloatArray
    """GPUs held (bought) or billed (rented) each month."""
    monthly_usd: FloatArray
    cash_usd: FloatArray
    up_front_usd: FloatArray
    amortisation_usd: FloatArray
    purchases_usd: FloatArray
    kwh: FloatArray
    power_usd: FloatArray
    hosting_usd: FloatArray
    maintenance_usd: FloatArray
    capex_held_usd: FloatArray
    utilization: FloatArray
    gpu_hours: FloatArray
    hosts: FloatArray
    """Machines each month: hosts held, rented instances, or devices."""
    staff_usd: FloatArray
    """Operations effort that grows with the machines, each month (part of ``monthly_usd``)."""
    book_value_end_usd: FloatArray
    """Undepreciated value of the bought hardware in service at the horizon's end, per scenario (n,)."""
    resale_end_usd: FloatArray
    """What that hardware would fetch if sold at the horizon's end (resale curve by age), per scenario (n,)."""


def trailing_sum(x: FloatArray, months: FloatArray) -> FloatArray:
    """Each month's sum of ``x`` over the last ``months`` months, itself included (``months`` one per scenario)."""
    n, horizon = x.shape
    m = np.arange(horizon)
    cumulative = np.cumsum(x, axis=1)
    back = m.reshape(1, -1) - months.astype(np.int64)
    padded = np.concatenate([np.zeros((n, 1)), cumulative], axis=1)
    earlier = np.take_along_axis(padded, np.clip(back + 1, 0, horizon), axis=1)
    return np.asarray(cumulative - np.where(back >= 0, earlier, 0.0))


def with_replacements(units: FloatArray, months: FloatArray) -> FloatArray:
    """Units bought each month when every purchase is bought again at the end of its life (``months`` later)."""
    horizon = units.shape[1]
    shortest = int(months.min())
    if shortest >= horizon:
        return units
    total = units.copy()
    m = np.arange(horizon).reshape(1, -1)
    j = 1
    while j * shortest < horizon:
        back = m - (j * months).astype(np.int64)
        total += np.where(back >= 0, np.take_along_axis(units, np.clip(back, 0, horizon - 1), axis=1), 0.0)
        j += 1
    return total


def resale_at_end(purchases: FloatArray, months: FloatArray, curve: tuple[tuple[float, float], ...]) -> FloatArray:
    """What the hardware still in service at the horizon's end fetches: each purchase at its age on the curve."""
    if not curve:
        return np.zeros(purchases.shape[0])
    from llmdecide.costing.prices import resale_fraction

    horizon = purchases.shape[1]
    age = horizon - np.arange(horizon, dtype=np.float64).reshape(1, -1)
    in_service = age <= months
    return np.asarray((purchases * resale_fraction(curve, age) * in_service).sum(axis=1))


def book_value_at_end(purchases: FloatArray, months: FloatArray, residual: float) -> FloatArray:
    """Straight-line book value at the horizon's end of the purchases still in service."""
    horizon = purchases.shape[1]
    age = horizon - np.arange(horizon, dtype=np.float64).reshape(1, -1)
    left = np.clip(1.0 - (1.0 - residual) * age / months, 0.0, 1.0)
    return np.asarray((purchases * np.where(age <= months, left, 0.0)).sum(axis=1))


def replica_rate(spec: LocalSpec, s: Scenario) -> FloatArray:
    """Requests per second one replica serves in each scenario: the sized rate times the scenario's speed."""
    return np.asarray(spec.requests_per_s_per_replica * s.speed, dtype=np.float64)


def fleet(spec: LocalSpec, s: Scenario, horizon: int) -> tuple[FloatArray, FloatArray, FloatArray | None]:
    """Requests, average request rate and replicas sized for the peak, each month in every scenario.

    Replicas are None for a pinned fleet.
    """
    volume = requests(spec.start_requests_per_month, spec.growth_per_month, s, horizon)
    average_rps = volume / (spec.hours_per_month * 3600.0)
    if spec.pinned_gpus is not None:
        return volume, average_rps, None
    peak_rps = average_rps * spec.peak_to_average * spec.share
    # The speed multiplies the achievable share exactly as a faster replica would: at speed 1 this is the
    # sizing's own replicas_for(peak, rate, target utilisation), bit for bit.
    replicas = replicas_for(
        peak_rps, spec.requests_per_s_per_replica, spec.target_utilization * s.utilization * s.speed
    )
    if spec.min_gpus:
        replicas = np.maximum(replicas, float(max(spec.min_gpus // max(spec.tp, 1), 1)))
    return volume, average_rps, replicas


def billed_gpus(gpus: FloatArray, gpus_per_instance: int) -> FloatArray:
    """GPUs billed when rented always on: the fleet rounded up to whole instances."""
    return np.asarray(np.ceil(gpus / gpus_per_instance) * gpus_per_instance)


def fleet_gpus(spec: LocalSpec, s: Scenario, horizon: int, replicas: FloatArray | None) -> FloatArray:
    """GPUs each month: the pinned count, or replicas x tensor-parallel degree."""
    if replicas is None:
        assert spec.pinned_gpus is not None
        return np.full((s.n, horizon), float(spec.pinned_gpus))
    return np.asarray(replicas * spec.tp)


def machines(hosts: FloatArray) -> FloatArray:
    """Machines to look after: a share of a server counts as a whole one."""
    return np.asarray(np.ceil(hosts - 1e-9))


def host_count(units: FloatArray, b: BuySpec) -> FloatArray:
    """Host machines for ``units`` accelerators (the units themselves when the accelerator is the machine)."""
    if not b.has_host:
        return units
    per = units / b.gpus_per_host
    return np.asarray(np.ceil(per - 1e-9) if b.whole_hosts else per)


def bought_series(
    spec: LocalSpec, b: BuySpec, s: Scenario, horizon: int, average_rps: FloatArray, gpus: FloatArray
) -> LocalSeries:
    """A bought (or owned) fleet's bill each month: purchases and their depreciation, power, hosting, maintenance
    and the operations effort per machine."""
    zero = np.zeros((s.n, horizon))
    held = np.maximum.accumulate(gpus, axis=1)
    hosts = host_count(held, b)
    owned = float(b.owned_units)
    paid = np.maximum(held - owned, 0.0) if owned else held
    paid_hosts = np.maximum(hosts - host_count(np.full((1, 1), owned), b), 0.0) if owned else hosts
    units = np.diff(np.concatenate([np.zeros((s.n, 1)), paid], axis=1), axis=1)
    host_units = np.diff(np.concatenate([np.zeros((s.n, 1)), paid_hosts], axis=1), axis=1)
    if owned and b.replace_month is not None and b.replace_month < horizon:
        units[:, b.replace_month] += owned
        host_units[:, b.replace_month] += float(host_count(np.full((1, 1), owned), b)[0, 0])
    months = np.maximum(1.0, np.round(b.depreciation_years * s.depreciation * 12.0))
    if b.replace_at_end_of_life:
        units = with_replacements(units, months)
        host_units = with_replacements(host_units, months)
    falling = falling_prices(s, "gpu", spec.gpu_price_decline_per_year, s.gpu_decline_delta, horizon)
    unit_price = b.unit_usd * scheduled(b.unit_factors, horizon) if b.unit_factors is not None else b.unit_usd
    any_units = bool(units.any())
    purchases = (units * unit_price + host_units * b.host_usd) * s.gpu_price * falling if any_units else zero
    amortisation = trailing_sum(purchases * ((1.0 - b.residual_fraction) / months), months)
    in_service = trailing_sum(purchases, months)
    rate = replica_rate(spec, s)
    capacity_rps = np.maximum(held / max(spec.tp, 1), 1.0) * rate
    utilization = np.minimum(1.0, average_rps * spec.share / np.maximum(capacity_rps, 1e-12))
    staff = machines(hosts) * spec.staff_usd_per_host_month * s.staff_cost
    if b.running_costs:
        idle = b.gpu_idle_fraction
        watts = held * spec.tdp_w * (idle + (1.0 - idle) * utilization)
        if b.has_host:
            watts = watts + hosts * (b.host_idle_w + (b.host_power_w - b.host_idle_w) * utilization)
        kwh = watts * b.pue * spec.hours_per_month / 1000.0
        power = kwh * b.electricity_usd_per_kwh * s.electricity
        colo = b.colocation_usd_per_kw_month
        if colo is not None:
            kw = (held * spec.tdp_w + (hosts * b.host_power_w if b.has_host else 0.0)) / 1000.0
            hosting = kw * colo
        else:
            hosting = zero
        maintenance = in_service * (b.maintenance_fraction_per_year / 12.0)
        if owned and b.owned_maintenance_usd_month:
            until = b.replace_month if b.replace_month is not None else horizon
            maintenance = maintenance + np.where(np.arange(horizon) < until, b.owned_maintenance_usd_month, 0.0)
    else:
        kwh, power, hosting, maintenance = zero, zero, zero, zero
    opex = power + hosting + maintenance + staff
    return LocalSeries(
        held,
        amortisation + opex,
        purchases + opex,
        purchases,
        amortisation,
        purchases,
        kwh,
        power,
        hosting,
        maintenance,
        in_service,
        utilization,
        zero,
        hosts,
        staff,
        book_value_at_end(purchases, months, b.residual_fraction),
        resale_at_end(purchases, months, b.resale_curve),
    )


def local_series(spec: LocalSpec, s: Scenario, horizon: int) -> LocalSeries:
    """A local deployment's bill each month in every scenario."""
    zero = np.zeros((s.n, horizon))
    volume, average_rps, replicas = fleet(spec, s, horizon)
    rate = replica_rate(spec, s)
    gpus = fleet_gpus(spec, s, horizon, replicas)
    if spec.buy is not None:
        return bought_series(spec, spec.buy, s, horizon, average_rps, gpus)
    assert spec.rent is not None
    r = spec.rent
    capacity_rps = np.maximum(gpus / max(spec.tp, 1), 1.0) * rate
    utilization = np.minimum(1.0, average_rps * spec.share / np.maximum(capacity_rps, 1e-12))
    falling = falling_prices(s, "rental", spec.rental_decline_per_year, s.rental_decline_delta, horizon)
    price = r.usd_per_gpu_hour * s.rental_rate * falling * scheduled(r.rate_factors, horizon)
    if r.billing == "always_on":
        billed = billed_gpus(gpus, r.gpus_per_instance)
        hours = billed * spec.hours_per_month
        instances = billed / r.gpus_per_instance
    else:
        billed = gpus
        hours = volume * spec.share / rate / 3600.0 * spec.tp
        instances = hours / (spec.hours_per_month * r.gpus_per_instance)
    staff = machines(instances) * spec.staff_usd_per_host_month * s.staff_cost
    cost = hours * price + staff
    none = np.zeros(s.n)
    return LocalSeries(
        billed,
        cost,
        cost,
        zero,
        zero,
        zero,
        zero,
        zero,
        zero,
        zero,
        zero,
        utilization,
        hours,
        instances,
        staff,
        none,
        none,
    )
