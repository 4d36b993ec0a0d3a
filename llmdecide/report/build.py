"""Turning an :class:`Assessment` into the :class:`DecisionReport` every renderer draws from."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from llmdecide.assessment import Assessment
from llmdecide.catalog.catalog import Catalog, price_on
from llmdecide.costing.finance import discount_rate, plan_cash
from llmdecide.costing.plan import Placement, Plan
from llmdecide.costing.projection import FloatArray, Scenario, cloud_monthly
from llmdecide.demand.segment_load import SegmentLoad
from llmdecide.report.result import (
    AssumptionUsed,
    BreakEvenReport,
    CapacityDraw,
    CatalogStamp,
    DecisionReport,
    Explanation,
    FinanceReport,
    LedgerEntry,
    MonteCarloReport,
    OptionReport,
    OverflowReport,
    OverflowSegment,
    PlanDistributionReport,
    PlanFinance,
    PlanStep,
    PreferencesSummary,
    PremiumReport,
    PriceChangeReport,
    PriceEvidenceReport,
    Recommendation,
    Robustness,
    ScoreInput,
    ScoreRow,
    Scores,
    SegmentExclusions,
    SegmentSummary,
    SensitivityReport,
    Series,
    WidenedPrice,
    WorkloadSummary,
    YearCost,
)
from llmdecide.report.wording import OUTCOMES, decided_by_text, flip_text, gate_text, premium_text, reason_text
from llmdecide.scoring.dimensions import DIMENSIONS, normalised_weights
from llmdecide.scoring.robustness import SWEEPS
from llmdecide.scoring.statements import Flip, Gate, Reason


def _portable(file_id: str) -> str:
    """Catalog file ids as reports show them: catalog-relative, or the bare name of an overlay file."""
    return Path(file_id).name if Path(file_id).is_absolute() or file_id.startswith(".") else file_id


def _finite(value: float | None) -> float | None:
    """None for missing, NaN or infinite values: no such figure reaches a user."""
    if value is None or not math.isfinite(value):
        return None
    return float(value)


def _reason(r: Reason) -> Explanation:
    return Explanation(code=r.code, values=dict(r.values), text=reason_text(r))


def _flip(f: Flip) -> Explanation:
    return Explanation(code=f.code, values=dict(f.values), text=flip_text(f))


def _gate(g: Gate) -> Explanation:
    return Explanation(code=g.code, values=dict(g.values), text=gate_text(g))


def _step(p: Placement, load: SegmentLoad | None = None) -> PlanStep:
    step: dict[str, object] = {"segment": p.segment, "side": p.side, "local_share": p.local_share if p.local else 0.0}
    if p.overflow is not None:
        step["overflow_share"] = p.overflow.overflow_share
    if p.cloud is not None and (p.local_share < 1.0 or p.overflow is not None):
        step["cloud_model"] = p.cloud.model_id
        step["cloud_provider"] = p.cloud.entry.provider.id if p.cloud.entry.provider else None
        step["cost_per_request_usd"] = p.cloud.cost_per_request_usd
    if p.local is not None:
        d = p.local.deployment
        s = p.local.sizing
        step.update(
            open_model=d.model.id,
            accelerator=d.accelerator.id,
            gpus=float(p.local.gpus[0]),
            gpus_at_horizon_end=float(p.local.gpus[-1]),
            gpus_pessimistic=p.local.gpus_pessimistic,
            speed_interval=[s.speed_low, s.speed_high] if s.interval_regimes else None,
            interval_regimes=list(s.interval_regimes) or None,
            tp=s.tp,
            acquisition=p.local.acquisition,
            engine=d.engine.id,
            precision=d.precision,
            kv_precision=d.kv_precision,
            per_user_output_tokens_per_s=_finite(s.per_user_output_tokens_per_s),
            ttft_ms=_finite(s.ttft_ms),
            batch_per_replica=s.batch_per_replica,
            devices=p.local.devices,
        )
        point = p.at_peak(load.input_tokens, load.output_tokens) if load is not None else None
        if point is not None:
            step.update(
                concurrency_at_peak=point.concurrency,
                per_user_output_tokens_per_s_at_peak=point.per_user_output_tokens_per_s,
                ttft_ms_at_peak=_finite(point.ttft_ms),
                queue_ms_at_peak=point.queue_ms,
                overloaded_at_peak=point.overloaded,
            )
    return PlanStep.model_validate(step)


def _option(plan: Plan, a: Assessment) -> OptionReport:
    feasible = plan.feasible
    return OptionReport(
        id=plan.id,
        kind=plan.kind,
        label=plan.label,
        feasible=feasible,
        excluded_reason=plan.excluded_reason,
        monthly_cost_usd=_finite(plan.monthly_cost_usd) if feasible else None,
        horizon_cost_usd=_finite(plan.horizon_cost_usd) if feasible else None,
        one_time_usd=_finite(plan.one_time_usd) if feasible else None,
        score=a.scores[plan.id].total if plan.id in a.scores else None,
        plan=[_step(p, a.loads.get(p.segment)) for p in plan.placements],
        line_items=plan.line_items if feasible else [],
    )


def _ledger(a: Assessment, catalog: Catalog) -> list[LedgerEntry]:
    used: dict[str, LedgerEntry] = {}
    plans = [p for p in a.best_by_kind.values()]
    if a.recommended is not None:
        plans.append(a.recommended)
    on = a.workload.as_of
    for plan in plans:
        for pl in plan.placements:
            if pl.cloud is not None:
                m = pl.cloud.entry.item
                price = price_on(m.prices, on)
                used[f"api:{m.id}"] = LedgerEntry(
                    id=m.id,
                    kind="API price",
                    what=f"{m.name}: {pl.cloud.prices.input_usd_per_mtok:g} / {pl.cloud.prices.output_usd_per_mtok:g} "
                    "USD per 1M input / output tokens",
                    date=price.effective_from if price and not price.source.startswith("workload") else None,
                    source=price.source if price else m.source,
                )
            if pl.local is not None:
                d = pl.local.deployment
                used[f"acc:{d.accelerator.id}"] = LedgerEntry(
                    id=d.accelerator.id,
                    kind="accelerator",
                    what=d.accelerator.name,
                    date=d.accelerator.checked,
                    source=d.accelerator.source,
                )
                used[f"model:{d.model.id}"] = LedgerEntry(
                    id=d.model.id,
                    kind="open model",
                    what=f"{d.model.name} ({d.model.licence})",
                    date=d.model.checked,
                    source=d.model.source,
                )
                used[f"engine:{d.engine.id}:{d.profile.accelerator_class.value}"] = LedgerEntry(
                    id=d.engine.id,
                    kind="engine profile",
                    what=f"{d.engine.name} on {d.profile.accelerator_class.value} accelerators",
                    date=d.profile.checked,
                    source=d.profile.source,
                )
                for item in pl.local.line_items:
                    if item.category in ("rental", "capex") and not item.source.startswith(("workload", "assumption")):
                        key = f"price:{item.source}"
                        used[key] = LedgerEntry(
                            id=d.accelerator.id,
                            kind="rental price" if item.category == "rental" else "purchase price",
                            what=item.name.split(": ", 1)[-1],
                            date=None,
                            source=item.source,
                        )
    return [used[k] for k in sorted(used)]


def _assumptions(a: Assessment, catalog: Catalog) -> list[AssumptionUsed]:
    w = a.workload
    out = [
        AssumptionUsed(name="hours per month", value=a.hours.value, unit="h", source=a.hours.source),
        AssumptionUsed(
            name="horizon",
            value=w.horizon_months,
            unit="months",
            source="workload" if "horizon_months" in w.model_fields_set else "default",
        ),
        AssumptionUsed(
            name="target utilisation of local capacity",
            value=w.local.target_utilization,
            unit="of peak",
            source="workload" if "target_utilization" in w.local.model_fields_set else "default",
        ),
        AssumptionUsed(name="rental rate", value=w.local.rental_rate, unit="", source="workload or default"),
        AssumptionUsed(name="rental billing", value=w.local.rent_billing, unit="", source="workload or default"),
    ]
    for tier, t in sorted(a.trends.api.items(), key=lambda kv: kv[0].value):
        out.append(
            AssumptionUsed(
                name=f"API price decline per year, {tier.value} tier",
                value=t.decline_per_year,
                unit="per year (negative: prices rise)",
                source=t.basis,
            )
        )
    out.append(
        AssumptionUsed(
            name="GPU rental rate decline per year",
            value=a.trends.rental.decline_per_year,
            unit="per year",
            source=a.trends.rental.basis,
        )
    )
    out.append(
        AssumptionUsed(
            name="GPU purchase price decline per year",
            value=a.trends.purchase.decline_per_year,
            unit="per year",
            source=a.trends.purchase.basis,
        )
    )
    if catalog.assumptions is not None:
        for key, value in catalog.assumptions:
            if key == "hours_per_month":
                continue  # its own row above, with the figure the costs used
            out.append(
                AssumptionUsed(
                    name=key.replace("_", " "),
                    value=value.value,
                    unit=assumption_unit(key),
                    source=f"{catalog.assumptions_file}: {value.source}",
                )
            )
    return out


ASSUMPTION_UNITS: tuple[tuple[str, str], ...] = (
    ("hours_per_month", "h"),
    ("electricity_usd_per_kwh", "USD/kWh"),
    ("colocation_usd_per_kw_month", "USD per kW-month"),
    ("mlops_fte_loaded_usd_per_year", "USD per FTE-year"),
    ("depreciation_years", "years"),
    ("maintenance_", "of capex a year"),
    ("resale_", "of the new price"),
    ("discount_rate", "per year"),
    ("recruiting", "of a year's loaded cost"),
    ("on_call_fte", "FTE"),
    ("ops_effort_factor", "x intermediate effort"),
    ("gpu_idle_fraction", "of TDP"),
    ("_hours", "engineer-hours"),
    ("_usd", "USD"),
    ("_gpus", "GPUs"),
    ("_w", "W"),
    ("_ms", "ms"),
    ("_tokens_per_s", "tokens/s"),
    ("pue", ""),
)
"""The unit of each operating assumption, by the first pattern its key contains."""


def assumption_unit(key: str) -> str:
    """The unit an operating assumption is stated in (``ASSUMPTION_UNITS``)."""
    for pattern, unit in ASSUMPTION_UNITS:
        if pattern in key:
            return unit
    raise KeyError(f"no unit for the assumption {key!r}")


def build_report(a: Assessment, catalog: Catalog, *, workload_file: Path | None = None) -> DecisionReport:
    """The report for an assessment; deterministic for the same inputs and catalogs."""
    w = a.workload
    segments = [
        SegmentSummary(
            name=s.name,
            requests_per_month=a.loads[s.name].start_requests_per_month,
            input_tokens=s.input_tokens,
            output_tokens=s.output_tokens,
            cached_input_fraction=s.cached_input_fraction,
            growth_per_month=s.growth_per_month,
            pattern=s.pattern.value,
            peak_to_average=a.loads[s.name].peak_to_average,
            data_sensitivity=s.data_sensitivity.value,
            latency=s.latency.value,
            capability=s.capability.value,
            ttft_slo_ms=s.ttft_slo_ms,
            min_output_tokens_per_s=s.min_output_tokens_per_s,
        )
        for s in w.segments
    ]
    summary = WorkloadSummary(
        name=w.name,
        file=workload_file.name if workload_file else None,
        description=w.description,
        horizon_months=w.horizon_months,
        hours_per_month=a.hours.value,
        prices_as_of=w.as_of,
        starts=a.starts,
        team_capability=w.team.capability.value,
        preferences=PreferencesSummary(
            cost_basis=w.preferences.cost_basis,
            max_premium=w.preferences.max_premium,
            premiums={k: v for k, v in w.preferences.premiums.model_dump().items() if v is not None},
            max_payback_months=w.preferences.max_payback_months,
            team_gate=w.preferences.team_gate,
        ),
        evidence_max_age_days=w.evidence_max_age_days,
        segments=segments,
    )
    rec = a.recommended
    recommendation = Recommendation(
        decision=rec.kind if rec else "none",
        option=rec.id if rec else None,
        label=rec.label if rec else None,
        plan=[_step(p, a.loads.get(p.segment)) for p in rec.placements] if rec else [],
        monthly_cost_usd=_finite(rec.monthly_cost_usd) if rec else None,
        horizon_cost_usd=_finite(rec.horizon_cost_usd) if rec else None,
        one_time_usd=_finite(rec.one_time_usd) if rec else None,
        decided_by=Explanation(
            code=a.decided_by.rule, values=dict(a.decided_by.values), text=decided_by_text(a.decided_by)
        ),
        premium=_premium(a),
        gates=[_gate(g) for g in a.gates],
        rationale=[_reason(r) for r in a.rationale],
        flips=[_flip(f) for f in a.flips],
    )
    be = a.break_even
    weights = normalised_weights(w)
    score_rows = [
        ScoreRow(
            option=pid,
            total=s.total,
            **{d: s.dimensions[d] for d in DIMENSIONS},
            inputs=[
                ScoreInput(dimension=f.dimension, segment=f.segment, side=f.side, score=f.score, inputs=dict(f.inputs))
                for f in s.facts
            ],
        )
        for pid, s in sorted(a.scores.items(), key=lambda kv: (-kv[1].total, kv[0]))
    ]
    series = []
    for kind in ("cloud", "local", "hybrid"):
        plan = a.best_by_kind.get(kind)
        if plan is not None and plan.series is not None:
            cumulative = np.cumsum(plan.series.cash_usd)
            series.append(
                Series(option=plan.id, kind=kind, label=plan.label, cumulative_usd=[float(v) for v in cumulative])
            )
    exclusions = []
    for sc in a.segments:
        for side in ("cloud", "local"):
            blocked = sc.cloud_blocked if side == "cloud" else sc.local_blocked
            counts = sc.cloud_exclusions if side == "cloud" else sc.local_exclusions
            if blocked or counts:
                exclusions.append(
                    SegmentExclusions(
                        segment=sc.load.name, side=side, blocked_by=blocked, excluded=dict(sorted(counts.items()))
                    )
                )
    return DecisionReport(
        workload=summary,
        recommendation=recommendation,
        options=[_option(p, a) for p in a.plans],
        best_by_kind={k: (a.best_by_kind[k].id if k in a.best_by_kind else None) for k in ("cloud", "local", "hybrid")},
        break_even=BreakEvenReport(
            cloud_option=be.cloud_plan,
            local_option=be.local_plan,
            requests_per_month=_finite(be.requests_per_month),
            volume_multiple=_finite(be.scale),
            payback_months=_finite(be.payback_months),
            outcome=be.outcome,
            note=OUTCOMES[be.outcome],
        ),
        scores=Scores(weights=weights, options=score_rows),
        cumulative_cost=series,
        exclusions=exclusions,
        catalogs=[CatalogStamp(id=_portable(v.id), version=v.version, as_of=v.as_of) for v in catalog.versions],
        assumptions=_assumptions(a, catalog),
        ledger=_ledger(a, catalog),
        price_changes=_price_changes(a),
        price_evidence=_price_evidence(a),
        overflow=_overflow(a),
        finance=_finance(a, catalog),
        robustness=_robustness(a),
        warnings=a.warnings,
    )


def _premium(a: Assessment) -> PremiumReport | None:
    p = a.premium
    if p is None:
        return None
    return PremiumReport(
        over=p.over,
        over_kind=p.over_kind,
        over_label=p.over_label,
        premium=p.premium,
        premium_usd=p.premium_usd,
        limit=p.limit,
        dimensions=list(p.dimensions),
        basis=p.basis,
        text=premium_text(p, a.recommended.kind if a.recommended else ""),
    )


def _compared(a: Assessment) -> list[Plan]:
    """The recommended plan, then the best of each kind: the plans the first screen compares."""
    plans = [a.recommended] if a.recommended is not None else []
    return plans + [p for p in a.best_by_kind.values() if p not in plans]


def _price_evidence(a: Assessment) -> list[PriceEvidenceReport]:
    out: list[PriceEvidenceReport] = []
    limit = a.workload.evidence_max_age_days
    for plan in _compared(a):
        for pl in plan.placements:
            for e in pl.price_evidence():
                age = e.age_days(a.starts) if a.starts is not None else None
                out.append(
                    PriceEvidenceReport(
                        option=plan.id,
                        segment=pl.segment,
                        entry=e.entry,
                        kind=e.what,
                        basis=e.basis.value,
                        observed=e.observed,
                        age_days=age,
                        stale=a.starts is not None and e.stale(a.starts, limit),
                    )
                )
    return out


def _price_changes(a: Assessment) -> list[PriceChangeReport]:
    out = []
    for plan in _compared(a):
        for pl in plan.placements:
            for s in pl.price_steps():
                out.append(
                    PriceChangeReport(
                        option=plan.id,
                        segment=pl.segment,
                        month=s.month + 1,
                        starts=s.starts,
                        entry=s.entry,
                        kind=s.kind,
                        before_usd=s.before_usd,
                        after_usd=s.after_usd,
                        unit=s.unit,
                        change=s.after_usd / s.before_usd - 1.0,
                        source=s.source,
                    )
                )
    return out


def _overflow(a: Assessment) -> OverflowReport | None:
    plan = next((p for p in a.plans if p.id == "overflow" and p.feasible), None)
    if plan is None:
        return None
    rows = []
    for p in plan.placements:
        o = p.overflow
        if o is None or p.local is None:
            continue
        rows.append(
            OverflowSegment(
                segment=p.segment,
                replicas=o.replicas,
                gpus=float(p.local.gpus[0]),
                share_of_peak=o.share_of_peak,
                overflow_share_first_month=1.0 - p.local_share,
                overflow_share_over_horizon=o.overflow_share,
                horizon_usd=o.horizon_usd,
                all_cloud_usd=o.all_cloud_usd,
                all_local_replicas=o.full_replicas,
                all_local_usd=o.all_local_usd,
            )
        )
    return OverflowReport(
        option=plan.id,
        monthly_cost_usd=_finite(plan.monthly_cost_usd),
        horizon_cost_usd=_finite(plan.horizon_cost_usd),
        segments=rows,
    )


def _finance(a: Assessment, catalog: Catalog) -> FinanceReport | None:
    plans: list[Plan] = []
    for plan in [a.recommended, *(a.best_by_kind.get(k) for k in ("cloud", "local", "hybrid"))]:
        if plan is not None and plan.feasible and plan not in plans:
            plans.append(plan)
    if not plans:
        return None
    rate = discount_rate(a.workload, catalog)
    horizon = a.workload.horizon_months
    rows = []
    for plan in plans:
        pc = plan_cash(plan, horizon)
        cloud = _api_bills(plan, horizon)
        rows.append(
            PlanFinance(
                option=plan.id,
                label=plan.label,
                horizon_cost_usd=plan.horizon_cost_usd,
                cash_usd=float(pc.cash_usd.sum()),
                book_value_end_usd=pc.book_value_end_usd,
                resale_end_usd=pc.resale_end_usd,
                nominal_usd=pc.nominal_usd,
                npv_usd=pc.npv_usd(rate.value),
                years=[
                    YearCost(
                        year=y,
                        months=min(12, horizon - 12 * (y - 1)),
                        capex_usd=capex,
                        opex_usd=opex - api,
                        staff_usd=staff,
                        cloud_usd=api,
                        resale_usd=resale,
                        total_usd=capex + opex + staff - resale,
                    )
                    for (y, capex, opex, staff, resale), api in zip(pc.by_year(), _by_year(cloud), strict=True)
                ],
            )
        )
    return FinanceReport(discount_rate_per_year=rate.value, discount_rate_source=rate.source, plans=rows)


def _api_bills(plan: Plan, horizon: int) -> FloatArray:
    """The API bills of a plan each month (neutral scenario), the cloud part of ``plan_costs``: each segment's
    bill for the share of its requests the cloud serves (the overflow share, hour by hour, for an overflow plan)."""
    neutral = Scenario.build()
    bills = np.zeros(horizon)
    for p in plan.placements:
        if p.cloud is not None and p.overflow is not None:
            bills += (cloud_monthly(p.cloud.spec, neutral, horizon) * p.overflow.cloud_share(neutral, horizon))[0]
        elif p.cloud is not None and p.local_share < 1.0:
            bills += cloud_monthly(p.cloud.spec, neutral, horizon, share=1.0 - p.local_share)[0]
    return bills


def _by_year(monthly: FloatArray) -> list[float]:
    """Monthly amounts summed per year of the horizon (the last year may be partial)."""
    return [float(monthly[start : start + 12].sum()) for start in range(0, len(monthly), 12)]


INPUT_LABELS = {sweep.field: sweep.label for sweep in SWEEPS}
"""Each scenario input as the reports name it."""


def _robustness(a: Assessment) -> Robustness | None:
    if a.recommended is None:
        return None
    rows = [
        SensitivityReport(
            input=r.input.name,
            label=r.input.label,
            unit=r.input.unit,
            low=r.input.low,
            high=r.input.high,
            low_cost_usd=r.low_cost_usd,
            high_cost_usd=r.high_cost_usd,
            swing_usd=r.swing_usd,
            flip_value=r.flip_value,
            flip_to=r.flip_to,
            flip_kind=r.flip_kind,
            near_regret=r.near_regret,
            near_kind_change=r.near_kind_change,
            kind_flip_value=r.near_kind_value,
            kind_flip_to=r.near_kind_to,
        )
        for r in a.sensitivity
    ]
    mc = None
    if a.monte_carlo is not None:
        m = a.monte_carlo
        mc = MonteCarloReport(
            samples=m.samples,
            seed=m.seed,
            inputs={k: [lo, hi, mode] for k, (lo, hi, mode) in m.inputs.items()},
            labels={k: INPUT_LABELS.get(k, k) for k in m.inputs},
            recommended_kind_share=m.recommended_kind_share,
            options=[
                PlanDistributionReport(
                    option=d.plan,
                    p10_usd=d.p10_usd,
                    p50_usd=d.p50_usd,
                    p90_usd=d.p90_usd,
                    probability_cheapest=d.probability_cheapest,
                    probability_recommended=d.probability_recommended,
                )
                for d in m.plans
            ],
            widened=[
                WidenedPrice(entry=w.entry, kind=w.kind, basis=w.basis, low=w.low, high=w.high) for w in m.widened
            ],
            capacity=[
                CapacityDraw(deployment=c.deployment, low=c.low, median=c.median, high=c.high, regimes=list(c.regimes))
                for c in m.capacity
            ],
        )
    return Robustness(
        fragile=bool(a.fragile), reasons=[_reason(r) for r in a.fragile], sensitivity=rows, monte_carlo=mc
    )
