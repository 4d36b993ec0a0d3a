"""The per-file checks of a catalog: references between entries, dates, URLs and plausibility bands.

The bands catch the classic data-entry slips: a per-1K price typed into a
per-1M field (1000x too small), a per-token price (10^6 too small), memory in MB
typed as GB, a with-sparsity TFLOPS figure typed as dense, an instance price not
divided by its GPUs.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Mapping, Sequence

from llmdecide.catalog.catalog import Catalog
from llmdecide.catalog.issues import Issue, Severity
from llmdecide.catalog.schema import (
    TEMPORARY_BASES,
    Accelerator,
    AcceleratorClass,
    ApiModel,
    ApiPrice,
    CatalogHeader,
    Engine,
    Measurement,
    ModelStatus,
    OpenModel,
    OperatingAssumptions,
    PartialAssumptions,
    RentalOffer,
    Tier,
)

W = Severity.WARNING

# Plausibility bands: (error_low, warn_low, warn_high, error_high); None = no bound.
ASSUMPTION_BANDS: dict[str, tuple[float, float]] = {
    "electricity_usd_per_kwh": (0.01, 1.0),
    "pue": (1.0, 3.0),
    "pue_colocation": (1.0, 3.0),
    "pue_office": (1.0, 4.0),
    "colocation_usd_per_kw_month": (10.0, 1000.0),
    "mlops_fte_loaded_usd_per_year": (20_000.0, 1_000_000.0),
    "depreciation_years": (1.0, 15.0),
    "hours_per_month": (600.0, 744.0),
    "maintenance_fraction_of_capex_per_year": (0.0, 0.5),
    "maintenance_fraction_workstation": (0.0, 0.5),
    "maintenance_fraction_consumer": (0.0, 0.5),
    "maintenance_fraction_apple_silicon": (0.0, 0.5),
    **{f"host_{h}_usd": (0.0, 1_000_000.0) for h in ("baseboard_server", "pcie_server", "workstation", "desktop")},
    **{f"host_{h}_gpus": (1.0, 16.0) for h in ("baseboard_server", "pcie_server", "workstation", "desktop")},
    **{f"host_{h}_power_w": (0.0, 20_000.0) for h in ("baseboard_server", "pcie_server", "workstation", "desktop")},
    **{f"host_{h}_idle_w": (0.0, 20_000.0) for h in ("baseboard_server", "pcie_server", "workstation", "desktop")},
    **{f"gpu_idle_fraction_{c}": (0.0, 1.0) for c in ("datacenter", "workstation", "consumer", "apple_silicon")},
    "ops_hours_per_deployment_month": (0.0, 500.0),
    "ops_hours_per_host_month_owned": (0.0, 200.0),
    "ops_hours_per_host_month_rented": (0.0, 200.0),
    "ops_hours_per_device_month": (0.0, 50.0),
    "on_call_fte_24x7": (0.0, 10.0),
    "setup_hours": (0.0, 5_000.0),
    "setup_hours_per_host": (0.0, 500.0),
    "setup_hours_production": (0.0, 5_000.0),
    "ops_effort_factor_advanced": (0.05, 5.0),
    "ops_effort_factor_basic": (0.05, 5.0),
    "ops_effort_factor_none": (0.05, 5.0),
    "recruiting_cost_fraction": (0.0, 1.0),
    "discount_rate_per_year": (0.0, 0.5),
    **{
        f"resale_{k}": (0.0, 1.0)
        for k in (
            "datacenter_12m",
            "datacenter_24m",
            "datacenter_36m",
            "datacenter_60m",
            "workstation_36m",
            "workstation_60m",
            "consumer_36m",
            "consumer_60m",
            "apple_silicon_36m",
            "apple_silicon_60m",
        )
    },
    "interactive_ttft_ms": (10.0, 600_000.0),
    "interactive_output_tokens_per_s": (0.1, 10_000.0),
    "real_time_ttft_ms": (10.0, 600_000.0),
    "real_time_output_tokens_per_s": (0.1, 10_000.0),
    "cloud_ttft_ms": (10.0, 60_000.0),
    "cloud_output_tokens_per_s": (1.0, 10_000.0),
    "network_round_trip_ms": (1.0, 2_000.0),
}
"""Hard bounds of each operating assumption."""


SCHEDULE_YEARS = 3
"""How far ahead an announced price may take effect before it is flagged."""


class EntryChecker:
    """Collects the issues of one file."""

    def __init__(self, file: str, catalog: Catalog, today: dt.date, require_urls: bool) -> None:
        self.file = file
        self.catalog = catalog
        self.today = today
        self.require_urls = require_urls
        self.require_evidence = require_urls
        """Catalog files (not overlays) must date and grade the evidence behind every price."""
        self.issues: list[Issue] = []

    def add(self, path: str, message: str, severity: Severity = Severity.ERROR) -> None:
        self.issues.append(Issue(self.file, path, message, severity))

    # ---------------------------------------------------------- generic

    def date(self, path: str, value: dt.date | None) -> None:
        if value is not None and value > self.today:
            self.add(path, f"date {value.isoformat()} is in the future (today is {self.today.isoformat()})")

    def url(self, path: str, value: str) -> None:
        if self.require_urls and not value.startswith(("https://", "http://")):
            self.add(path, f"expected a public http(s) URL, got {value!r}")

    def header(self, model: CatalogHeader) -> None:
        self.date("as_of", model.as_of)

    def sourced(self, path: str, item: object) -> None:
        source = getattr(item, "source", None)
        checked = getattr(item, "checked", None)
        if isinstance(source, str):
            self.url(f"{path}.source", source)
        if isinstance(checked, dt.date):
            self.date(f"{path}.checked", checked)

    def evidence(self, path: str, item: object) -> None:
        """A price or assumption says when its source showed it (observed) and how direct the source is."""
        checked = getattr(item, "checked", None)
        observed = getattr(item, "observed", None)
        if observed is None:
            if self.require_evidence:
                self.add(
                    f"{path}.observed",
                    "a checked date without an observed date: give the date the source itself shows for the value",
                )
        else:
            self.date(f"{path}.observed", observed)
            if isinstance(checked, dt.date) and observed > checked:
                self.add(f"{path}.observed", f"observed {observed.isoformat()} is after checked {checked.isoformat()}")
        if self.require_evidence and getattr(item, "source_kind", None) is None:
            self.add(f"{path}.source_kind", "give source_kind: primary, secondary or estimate")

    def band(
        self,
        path: str,
        value: float | None,
        *,
        low: float | None = None,
        high: float | None = None,
        why_low: str = "",
        why_high: str = "",
        severity: Severity = Severity.ERROR,
    ) -> None:
        if value is None:
            return
        if low is not None and value < low:
            self.add(
                path,
                f"{value:g} is implausibly low (below {low:g}){'; ' + why_low if why_low else ''}",
                severity,
            )
        if high is not None and value > high:
            self.add(
                path,
                f"{value:g} is implausibly high (above {high:g}){'; ' + why_high if why_high else ''}",
                severity,
            )

    def scheduled(self, path: str, value: dt.date | None) -> None:
        """An effective date may lie ahead (an announced price or the end of a promotion), but not absurdly."""
        if value is not None and value > self.today + dt.timedelta(days=SCHEDULE_YEARS * 366):
            self.add(path, f"date {value.isoformat()} is more than {SCHEDULE_YEARS} years ahead", W)

    def periods(self, path: str, prices: Sequence[object]) -> None:
        """Effective-date ranges of one entry must not overlap, and at most one may be open.

        Dates may be in the future: announced prices and promotion ends are stored as dated periods.
        """
        spans: list[tuple[dt.date, dt.date | None, int]] = []
        for j, p in enumerate(prices):
            start = getattr(p, "effective_from")  # noqa: B009
            end = getattr(p, "effective_to")  # noqa: B009
            self.scheduled(f"{path}[{j}].effective_from", start)
            self.scheduled(f"{path}[{j}].effective_to", end)
            self.sourced(f"{path}[{j}]", p)
            self.evidence(f"{path}[{j}]", p)
            spans.append((start, end, j))
        spans.sort(key=lambda s: s[0])
        for (s1, e1, j1), (s2, _e2, j2) in itertools.pairwise(spans):
            if e1 is None or e1 >= s2:
                end = "open-ended" if e1 is None else f"to {e1.isoformat()}"
                self.add(
                    f"{path}[{j2}].effective_from",
                    f"price period from {s2.isoformat()} overlaps period [{j1}] "
                    f"(from {s1.isoformat()}, {end}); end the older one the day before",
                )
        if [j for _s, _e, j in spans] != sorted(j for _s, _e, j in spans):
            self.add(path, "price periods are not in date order (oldest first)", W)

    def schedule(self, path: str, prices: Sequence[ApiPrice]) -> None:
        """A promotional or introductory price needs its end and the price that follows, or end: unannounced."""
        starts = {p.effective_from for p in prices}
        for j, p in enumerate(prices):
            if p.basis not in TEMPORARY_BASES or p.end is not None:
                continue
            if p.effective_to is None:
                self.add(
                    f"{path}[{j}].effective_to",
                    f"a {p.basis.value} price needs its end date and the price that follows, or end: unannounced",
                )
            elif p.effective_to + dt.timedelta(days=1) not in starts:
                follows = (p.effective_to + dt.timedelta(days=1)).isoformat()
                self.add(
                    f"{path}[{j}].effective_to",
                    f"a {p.basis.value} price that ends needs the price that follows it from {follows}",
                )

    # ---------------------------------------------------------- entries

    def api_model(self, path: str, m: ApiModel) -> None:
        self.sourced(path, m)
        self.band(f"{path}.context_window_tokens", m.context_window_tokens, low=1024, high=20_000_000)
        if m.open_model is not None and m.open_model not in self.catalog.open_models:
            self.add(f"{path}.open_model", _unresolved("open model", m.open_model, self.catalog.open_models))
        self.periods(f"{path}.prices", m.prices)
        self.schedule(f"{path}.prices", m.prices)
        last = max(range(len(m.prices)), key=lambda j: m.prices[j].effective_from)
        if m.status is ModelStatus.RETIRED and m.prices[last].effective_to is None:
            self.add(
                f"{path}.prices[{last}].effective_to",
                "a retired model's last price must end (effective_to: the last day it could be bought)",
            )
        for j, p in enumerate(m.prices):
            pp = f"{path}.prices[{j}]"
            for key in ("input_usd_per_mtok", "output_usd_per_mtok", "cached_input_usd_per_mtok"):
                self.band(
                    f"{pp}.{key}",
                    getattr(p, key),
                    low=0.001,
                    high=1000.0,
                    why_low="a per-token or per-1K price typed into a per-1M field?",
                    why_high="a price per 1B tokens, or a typo?",
                )
            if m.tier in (Tier.FRONTIER, Tier.GOOD_ENOUGH):
                floor = 0.1 if m.tier is Tier.FRONTIER else 0.02
                self.band(
                    f"{pp}.input_usd_per_mtok",
                    p.input_usd_per_mtok,
                    low=floor,
                    why_low=f"very cheap for a {m.tier.value} model; a per-1K price typed as per-1M?",
                    severity=W,
                )
            if p.output_usd_per_mtok < p.input_usd_per_mtok:
                self.add(f"{pp}.output_usd_per_mtok", "output is cheaper than input (unusual; check the source)", W)
            if p.cached_input_usd_per_mtok is not None and p.cached_input_usd_per_mtok > p.input_usd_per_mtok:
                self.add(f"{pp}.cached_input_usd_per_mtok", "cached input costs more than uncached input")
            write = p.cache_write_usd_per_mtok
            if write is not None and p.cached_input_usd_per_mtok is not None and write < p.cached_input_usd_per_mtok:
                self.add(f"{pp}.cache_write_usd_per_mtok", "writing the cache is cheaper than reading it", W)
            tiers = p.service_tiers
            if tiers is not None:
                if tiers.flex is not None and tiers.flex.input_usd_per_mtok > p.input_usd_per_mtok:
                    self.add(f"{pp}.service_tiers.flex", "flex costs more than the standard tier", W)
                if tiers.priority is not None and tiers.priority.input_usd_per_mtok < p.input_usd_per_mtok:
                    self.add(f"{pp}.service_tiers.priority", "priority costs less than the standard tier", W)
            lc = p.long_context
            if lc is not None:
                if lc.threshold_tokens >= m.context_window_tokens:
                    self.add(f"{pp}.long_context.threshold_tokens", "threshold is not below the context window")
                if lc.input_usd_per_mtok < p.input_usd_per_mtok or lc.output_usd_per_mtok < p.output_usd_per_mtok:
                    self.add(f"{pp}.long_context", "long-context prices are below the base prices", W)

    def rental_offer(self, path: str, o: RentalOffer) -> None:
        if o.accelerator not in self.catalog.accelerators:
            self.add(f"{path}.accelerator", _unresolved("accelerator", o.accelerator, self.catalog.accelerators))
        self.periods(f"{path}.prices", o.prices)
        for j, p in enumerate(o.prices):
            pp = f"{path}.prices[{j}]"
            keys = (
                "on_demand_usd_per_gpu_hour",
                "spot_usd_per_gpu_hour",
                "committed_1y_usd_per_gpu_hour",
                "committed_3y_usd_per_gpu_hour",
            )
            for key in keys:
                value = getattr(p, key)
                self.band(f"{pp}.{key}", value, low=0.02, high=150.0, why_high="an instance price typed as per GPU?")
                self.band(
                    f"{pp}.{key}",
                    value,
                    high=25.0,
                    why_high="very high per GPU-hour; was the instance price divided by its GPUs?",
                    severity=W,
                )
            od = p.on_demand_usd_per_gpu_hour
            for key in keys[1:]:
                value = getattr(p, key)
                if od is not None and value is not None and value > od:
                    self.add(f"{pp}.{key}", f"{key.split('_usd')[0]} price is above on-demand", W)
            c1, c3 = p.committed_1y_usd_per_gpu_hour, p.committed_3y_usd_per_gpu_hour
            if c1 is not None and c3 is not None and c3 > c1:
                self.add(f"{pp}.committed_3y_usd_per_gpu_hour", "3-year commitment costs more than 1-year", W)

    def accelerator(self, path: str, a: Accelerator) -> None:
        self.sourced(path, a)
        self.band(f"{path}.memory_gb", a.memory_gb, low=1, high=2048, why_high="memory in MB typed as GB?")
        self.band(
            f"{path}.memory_bandwidth_gb_per_s",
            a.memory_bandwidth_gb_per_s,
            low=20,
            high=20_000,
            why_high="bits per second typed as bytes, or MB/s as GB/s?",
        )
        for key in (
            "bf16_dense_tflops",
            "fp16_dense_tflops",
            "fp8_dense_tflops",
            "int8_dense_tops",
            "fp4_dense_tflops",
        ):
            self.band(f"{path}.{key}", getattr(a, key), low=0.5, high=50_000, why_high="GFLOPS typed as TFLOPS?")
        base = max((v for v in (a.bf16_dense_tflops, a.fp16_dense_tflops) if v is not None), default=None)
        for key, name in (("fp8_dense_tflops", "FP8"), ("int8_dense_tops", "INT8")):
            value = getattr(a, key)
            if base is not None and value is not None and value > 2.5 * base:
                self.add(f"{path}.{key}", f"{name} is more than 2.5x BF16/FP16: a with-sparsity figure?", W)
        fp8, fp4 = a.fp8_dense_tflops, a.fp4_dense_tflops
        # GeForce cards run FP8 with FP32 accumulation at half rate, FP4 at full rate: 4x is genuine there.
        fp4_ratio = 4.5 if a.accelerator_class is AcceleratorClass.CONSUMER else 3.5
        if fp8 is not None and fp4 is not None and fp4 > fp4_ratio * fp8:
            self.add(f"{path}.fp4_dense_tflops", f"FP4 is more than {fp4_ratio:g}x FP8: a with-sparsity figure?", W)
        self.band(f"{path}.tdp_w", a.tdp_w, low=5, high=3000)
        self.band(f"{path}.interconnect_gb_per_s", a.interconnect_gb_per_s, high=5000)
        self.periods(f"{path}.purchase_prices", a.purchase_prices)
        if (
            self.require_evidence
            and not a.purchase_prices
            and not any(o.item.accelerator == a.id for o in self.catalog.rental_offers.values())
        ):
            self.add(
                f"{path}.purchase_prices",
                "cannot be costed: no purchase price here and no rental offer in pricing/gpu-rental/",
            )
        for j, p in enumerate(a.purchase_prices):
            high = 200_000.0 if p.unit == "gpu" else 500_000.0
            self.band(f"{path}.purchase_prices[{j}].usd", p.usd, low=50, high=high)

    def open_model(self, path: str, m: OpenModel) -> None:
        self.sourced(path, m)
        self.date(f"{path}.release_date", m.release_date)
        self.band(
            f"{path}.total_params_b",
            m.total_params_b,
            low=0.01,
            high=10_000,
            why_high="millions typed as billions?",
        )
        self.band(f"{path}.max_context_tokens", m.max_context_tokens, low=512, high=20_000_000)
        is_moe = m.experts is not None
        if not is_moe and m.active_params_b != m.total_params_b:
            self.add(
                f"{path}.active_params_b",
                "a dense model (no experts) should have active = total parameters",
                W,
            )
        if is_moe and m.active_params_b == m.total_params_b:
            self.add(f"{path}.active_params_b", "an MoE model should have fewer active than total parameters", W)
        if m.sliding_window_tokens is not None and m.sliding_window_layers is None:
            self.add(f"{path}.sliding_window_layers", "give how many layers use the sliding window")

    def engine(self, path: str, e: Engine) -> None:
        self.url(f"{path}.url", e.url)
        classes = [p.accelerator_class for p in e.profiles if not p.accelerators]
        limited = [a for p in e.profiles for a in p.accelerators]
        for j, p in enumerate(e.profiles):
            pp = f"{path}.profiles[{j}]"
            self.sourced(pp, p)
            if not p.accelerators and classes.count(p.accelerator_class) > 1:
                self.add(f"{pp}.accelerator_class", f"second profile for {p.accelerator_class.value}")
            for k, aid in enumerate(p.accelerators):
                entry = self.catalog.accelerators.get(aid)
                if entry is None:
                    self.add(f"{pp}.accelerators[{k}]", _unresolved("accelerator", aid, self.catalog.accelerators))
                elif entry.item.accelerator_class is not p.accelerator_class:
                    self.add(
                        f"{pp}.accelerators[{k}]",
                        f"{aid} is a {entry.item.accelerator_class.value} accelerator, not {p.accelerator_class.value}",
                    )
                elif limited.count(aid) > 1:
                    self.add(f"{pp}.accelerators[{k}]", f"second profile limited to {aid}")
            for k, mid in enumerate(p.calibrated_on):
                if mid not in self.catalog.measurements:
                    self.add(f"{pp}.calibrated_on[{k}]", _unresolved("measurement", mid, self.catalog.measurements))
                elif self.catalog.measurements[mid].item.split != "calibration":
                    self.add(f"{pp}.calibrated_on[{k}]", f"{mid!r} is a holdout measurement; calibrate on others")

    def measurement(self, path: str, ms: Measurement) -> None:
        self.sourced(path, ms)
        if ms.model not in self.catalog.open_models:
            self.add(f"{path}.model", _unresolved("open model", ms.model, self.catalog.open_models))
        if ms.accelerator not in self.catalog.accelerators:
            self.add(f"{path}.accelerator", _unresolved("accelerator", ms.accelerator, self.catalog.accelerators))
        if self.catalog.engines and ms.engine not in self.catalog.engines:
            self.add(f"{path}.engine", _unresolved("engine", ms.engine, self.catalog.engines))

    def assumptions(self, path: str, a: OperatingAssumptions | PartialAssumptions) -> None:
        for key, value in a:
            if value is None:
                continue
            self.sourced(f"{path}.{key}", value)
            self.evidence(f"{path}.{key}", value)
            low, high = ASSUMPTION_BANDS[key]
            for part in ("value", "low", "high"):
                self.band(f"{path}.{key}.{part}", getattr(value, part), low=low, high=high)


def _unresolved(noun: str, wanted: str, table: Mapping[str, object]) -> str:
    import difflib

    close = difflib.get_close_matches(wanted, list(table), n=2, cutoff=0.6)
    hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
    return f"unknown {noun} {wanted!r}{hint}"
