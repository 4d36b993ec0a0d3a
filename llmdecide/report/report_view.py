"""From a :class:`DecisionReport` to the :class:`ReportView` the Markdown and HTML reports lay out.

Every figure is formatted here (through ``formatting.py``), every sentence is written here or taken from
``wording.py``; the templates add nothing but layout. Built once per report, whatever the format.
"""

from __future__ import annotations

from llmdecide.report.formatting import (
    MISSING,
    fmt_gpus,
    fmt_pct,
    fmt_per_request,
    fmt_sweep_value,
    fmt_text,
    fmt_usd,
)
from llmdecide.report.result import DecisionReport, PlanStep
from llmdecide.report.view import (
    BASE_DASH,
    DASHES,
    LOW_END,
    OTHERS,
    RECOMMENDED,
    Block,
    Bullets,
    Cell,
    ChartLine,
    Code,
    LegendEntry,
    LineChart,
    Note,
    Paragraph,
    ReportView,
    Rich,
    Section,
    Span,
    Strong,
    Subheading,
    Table,
    Tornado,
    TornadoBar,
    linked,
)
from llmdecide.report.view_tables import (
    SourceKeys,
    finance_tables,
    line_items_table,
    price_changes_table,
    price_evidence_table,
    score_inputs_table,
    scores_table,
    segments_table,
    sweeps_table,
    year_table,
)
from llmdecide.report.wording import (
    NO_OVERFLOW,
    break_even_volume_text,
    first_screen_flips,
    fragility_text,
    gates_line,
    payback_text,
    runs_on,
)


def _sentence(text: str) -> str:
    """A phrase as the start of a sentence."""
    return text[:1].upper() + text[1:]


def _headline(report: DecisionReport) -> tuple[str, list[Cell]]:
    r = report.recommendation
    head = f"Recommendation: {r.decision}" + (f" ({r.label})" if r.label else "") + "."
    if r.monthly_cost_usd is not None:
        head += (
            f" {fmt_usd(r.monthly_cost_usd)} USD in the first month, {fmt_usd(r.horizon_cost_usd)} USD over "
            f"{report.workload.horizon_months} months"
        )
        head += f", {fmt_usd(r.one_time_usd)} USD up front." if r.one_time_usd else "."
    details: list[Cell] = [f"Decided by {r.decided_by.text}."]
    if r.premium is not None and r.premium.dimensions and r.decided_by.code != "premium":
        details.append(f"Premium: {r.premium.text}.")
    if len(r.gates) > 1:
        details.append(_sentence(gates_line([(g.code, g.values) for g in r.gates])) + ".")
    return head, details


def _summary(report: DecisionReport) -> list[Block]:
    r = report.recommendation
    rob = report.robustness
    blocks: list[Block] = []
    if rob is not None and rob.fragile:
        text = fragility_text([x.text for x in rob.reasons])
        blocks.append(Paragraph(Rich((Strong("This decision is fragile:"), f" {text}."))))
    blocks.append(Bullets([x.text for x in r.rationale]))
    flips = first_screen_flips([(x.code, x.text) for x in r.flips])
    if flips:
        blocks.append(Bullets(list(flips), title="What would flip it:"))
    return blocks


def _operating_point(
    concurrency: float | None, speed: float | None, ttft_ms: float | None, *, sized: bool = False
) -> str:
    """'batch, tokens/s, TTFT' of a local step, or the missing mark for a cloud step."""
    if concurrency is None or speed is None:
        return MISSING
    count = f"{concurrency:.0f}" if sized or concurrency >= 10 else f"{concurrency:.2f}"
    ttft = fmt_usd(ttft_ms, decimals=0) if ttft_ms is not None else MISSING
    return f"{count}, {fmt_usd(speed, decimals=1)}, {ttft}"


def plan_table(steps: list[PlanStep]) -> Table:
    """Segment, where it runs, and the local performance figures."""
    return Table(
        ["segment", "runs on", "cloud USD/request", "GPUs at horizon end", "engine", "sized at", "at today's peak"],
        [
            [
                s.segment,
                runs_on(s),
                fmt_per_request(s.cost_per_request_usd),
                fmt_gpus(s.gpus_at_horizon_end) if s.gpus is not None else MISSING,
                fmt_text(s.engine),
                _operating_point(s.batch_per_replica, s.per_user_output_tokens_per_s, s.ttft_ms, sized=True),
                "overloaded"
                if s.overloaded_at_peak
                else _operating_point(s.concurrency_at_peak, s.per_user_output_tokens_per_s_at_peak, s.ttft_ms_at_peak),
            ]
            for s in steps
        ],
        [False, False, True, True, False, True, True],
        notes=[
            Note("sized at", "batch (requests in flight per replica), tokens/s per user, TTFT ms"),
            Note("at today's peak", "requests in flight per replica, tokens/s per user, TTFT ms"),
        ],
    )


def _options(report: DecisionReport) -> Table:
    notes = []
    for o in report.options:
        text = o.label if o.feasible else f"{o.label}; not feasible: {o.excluded_reason or 'no reason given'}"
        notes.append(Note(Code(o.id), text))
    return Table(
        ["option", "kind", "feasible", "first month USD", "horizon USD", "up front USD", "score"],
        [
            [
                Strong(o.id) if o.id == report.recommendation.option else Code(o.id),
                o.kind,
                "yes" if o.feasible else "no",
                fmt_usd(o.monthly_cost_usd),
                fmt_usd(o.horizon_cost_usd),
                fmt_usd(o.one_time_usd),
                f"{o.score:.2f}" if o.score is not None else MISSING,
            ]
            for o in report.options
        ],
        [False, False, False, True, True, True, True],
        notes_title="Plans (the recommended one in bold):",
        notes=notes,
    )


def _chart(report: DecisionReport) -> LineChart | None:
    series = report.cumulative_cost
    if len(series) < 2:
        return None
    recommended = report.recommendation.option
    lines: list[ChartLine] = []
    legend: list[LegendEntry] = []
    others = 0
    for s in series:
        if s.option == recommended:
            colour, dash = RECOMMENDED, ""
        else:
            colour, dash = OTHERS[others % len(OTHERS)], DASHES[others % len(DASHES)]
            others += 1
        mark = s.option == recommended
        lines.append(ChartLine(s.option, s.cumulative_usd, colour, dash, mark))
        what = f"best {s.kind} plan" + (", recommended" if mark else "")
        ends = f"{fmt_usd(s.cumulative_usd[-1])} USD paid by month {len(s.cumulative_usd)}"
        legend.append(LegendEntry(colour, Rich((Code(s.option), f" ({what}): {s.label}; {ends}")), dash, mark))
    return LineChart(
        title="Cumulative cash spent, USD",
        x_label="month",
        y_label="USD",
        months=len(series[0].cumulative_usd),
        lines=lines,
        legend=legend,
    )


def _tornado(report: DecisionReport) -> Tornado | None:
    rob = report.robustness
    base = report.recommendation.horizon_cost_usd
    if rob is None or base is None:
        return None
    bars = [
        TornadoBar(
            r.label,
            fmt_sweep_value(r.unit, r.low),
            fmt_sweep_value(r.unit, r.high),
            r.low_cost_usd,
            r.high_cost_usd,
            r.swing_usd,
        )
        for r in rob.sensitivity
    ]
    base_text = f"today's horizon cost, {fmt_usd(base)} USD"
    return Tornado(
        title="Horizon cost swing of the recommended plan, USD",
        base_usd=base,
        base_text=base_text,
        bars=bars,
        legend=[
            LegendEntry(LOW_END, "from today's horizon cost to the cost with the input at the low end of its range"),
            LegendEntry(RECOMMENDED, "to the cost with the input at the high end of its range", strong=True),
            LegendEntry(OTHERS[0], _sentence(base_text), BASE_DASH),
        ],
        swing_legend=LegendEntry(
            RECOMMENDED,
            "the swing of the recommended plan's horizon cost between the input's low and high ends (the costs at "
            "each end are in the table below)",
            strong=True,
        ),
    )


def _robustness(report: DecisionReport) -> list[Block]:
    rob = report.robustness
    tornado = _tornado(report)
    if rob is None or tornado is None:
        return [Paragraph("Not computed: no feasible plan.")]
    blocks: list[Block] = [
        Paragraph(
            "Each input swept on its own from low to high, the others at today's values; the bars are the "
            "recommended plan's horizon cost swing, and the flip is the value nearest today's at which another plan "
            "would be recommended, and the next column the value nearest today's at which a plan of another kind "
            "(cloud, local, hybrid) would."
        ),
        tornado,
        sweeps_table(rob.sensitivity),
    ]
    mc = rob.monte_carlo
    if mc is None:
        blocks.append(
            Paragraph(
                Rich(("No uncertainty ranges given (add an ", Code("uncertainty:"), " section for a Monte Carlo)."))
            )
        )
        return blocks
    inputs = ", ".join(
        f"{mc.labels.get(k, k)} {lo:g} to {hi:g}" + (f" (most likely {mode:g})" if mode is not None else "")
        for k, (lo, hi, mode) in mc.inputs.items()
    )
    parts: list[Span] = [f"Monte Carlo over {mc.samples:,} samples (seed {mc.seed}) of {inputs}"]
    if mc.widened:
        parts.append("; prices that are not list prices are also drawn over their own range: ")
        for i, w in enumerate(mc.widened):
            parts += [*(["; "] if i else []), Code(w.entry), f" {w.kind} ({w.basis}) x{w.low:g} to x{w.high:g}"]
    if mc.capacity:
        capacity = "; ".join(
            f"{c.deployment} x{c.low:.2f} to x{c.high:.2f} (median x{c.median:.2f})" for c in mc.capacity
        )
        parts.append(
            "; the speed of each local deployment is drawn from the capacity model's error bars (measured / "
            f"predicted, 10th to 90th percentile), so its fleet grows or shrinks: {capacity}"
        )
    parts.append(":")
    blocks.append(Paragraph(Rich(tuple(parts))))
    blocks.append(
        Table(
            ["option", "P10 USD", "P50 USD", "P90 USD", "cheapest in", "recommended in"],
            [
                [
                    Code(d.option),
                    fmt_usd(d.p10_usd),
                    fmt_usd(d.p50_usd),
                    fmt_usd(d.p90_usd),
                    fmt_pct(d.probability_cheapest, decimals=1),
                    fmt_pct(d.probability_recommended, decimals=1),
                ]
                for d in mc.options
            ],
            [False, True, True, True, True, True],
        )
    )
    return blocks


def _overflow(report: DecisionReport) -> list[Block]:
    o = report.overflow
    if o is None:
        return [Paragraph(NO_OVERFLOW)]
    table = Table(
        [
            "segment",
            "replicas",
            "GPUs",
            "of today's peak",
            "overflow, month 1",
            "overflow, horizon",
            "horizon USD",
            "all cloud",
            "all local",
        ],
        [
            [
                s.segment,
                f"{s.replicas} of {s.all_local_replicas}",
                fmt_gpus(s.gpus),
                fmt_pct(s.share_of_peak),
                fmt_pct(s.overflow_share_first_month, decimals=1),
                fmt_pct(s.overflow_share_over_horizon, decimals=1),
                fmt_usd(s.horizon_usd),
                fmt_usd(s.all_cloud_usd),
                fmt_usd(s.all_local_usd),
            ]
            for s in o.segments
        ],
        [False, True, True, True, True, True, True, True, True],
    )
    horizons = {opt.id: opt.horizon_cost_usd for opt in report.options if opt.feasible}
    whole: list[Span] = ["overflow ", Code(o.option), f" {fmt_usd(o.horizon_cost_usd)}"]
    for kind in ("cloud", "local"):
        best = report.best_by_kind.get(kind)
        if best is not None and best in horizons:
            whole += [f", best all-{kind} ", Code(best), f" {fmt_usd(horizons[best])}"]
    intro = Rich(
        (
            "Option ",
            Code(o.option),
            ": local replicas sized below the peak, each hour's load above them sent to the cloud; the size is the "
            f"one with the lowest horizon cost. {fmt_usd(o.monthly_cost_usd)} USD in the first month, "
            f"{fmt_usd(o.horizon_cost_usd)} USD over the horizon with staff.",
        )
    )
    after = Rich(
        (
            "The segment columns (horizon USD, all cloud, all local) are hardware, power, hosting and cloud bills of "
            "that segment, without staff; overflow shares are of requests (and so of tokens). Whole plans over the "
            "horizon, with staff: ",
            *whole,
            ".",
        )
    )
    return [Paragraph(intro), table, Paragraph(after)]


def _break_even(report: DecisionReport) -> list[Block]:
    be = report.break_even
    if not (be.cloud_option and be.local_option):
        return [Paragraph(f"Not computed: {be.note}.")]
    intro = Rich(
        ("Cheapest cloud plan ", Code(be.cloud_option), " against cheapest local plan ", Code(be.local_option), ":")
    )
    return [Paragraph(intro), Bullets([break_even_volume_text(be), payback_text(be)])]


def _premium_limit(report: DecisionReport) -> str:
    p = report.workload.preferences
    text = f"preferences.max_premium {fmt_pct(p.max_premium)}"
    if p.premiums:
        text += ", or " + ", ".join(f"{fmt_pct(v)} for {k.replace('_', ' ')}" for k, v in sorted(p.premiums.items()))
    return text


def _price_sections(report: DecisionReport, sources: SourceKeys) -> list[Section]:
    starts = report.workload.starts
    first = (
        f"Month 1 starts {starts.isoformat()}; each month is billed at the catalog prices in force on its first day."
        if starts
        else "Every month is billed at the newest catalog prices."
    )
    changes = price_changes_table(report, sources)
    evidence = price_evidence_table(report)
    return [
        Section(
            "price-changes",
            "Scheduled price changes",
            [
                Paragraph(first),
                changes
                if changes is not None
                else Paragraph("No price of the recommended or best plans changes within the horizon."),
            ],
        ),
        Section(
            "price-evidence",
            "Price evidence",
            [
                Paragraph(
                    "How old the evidence is behind each catalog price the recommended and best plans rest on: the "
                    "date the source itself shows the price, and its age at month 1. Prices older than "
                    f"{report.workload.evidence_max_age_days} days are marked stale."
                ),
                evidence
                if evidence is not None
                else Paragraph("The plans rest on no catalog price (every price is stated in the workload)."),
            ],
        ),
    ]


def _ledger(report: DecisionReport, sources: SourceKeys) -> list[Block]:
    assumption_rows: list[list[Cell]] = [
        [a.name, f"{a.value:,g}" if isinstance(a.value, float) else str(a.value), a.unit, sources.key(a.source)]
        for a in report.assumptions
    ]
    ledger_rows: list[list[Cell]] = [
        [Code(e.id), e.kind, e.what, e.date.isoformat() if e.date else MISSING, sources.key(e.source)]
        for e in report.ledger
    ]
    return [
        sources.table(["assumption", "value", "unit", "source"], assumption_rows, [False, True, False, False]),
        Subheading("Catalog entries used"),
        sources.table(["entry", "kind", "what", "date", "source"], ledger_rows, [False] * 5),
        Subheading("Catalogs"),
        Table(
            ["file", "version", "as of"],
            [[Code(c.id), c.version, c.as_of.isoformat()] for c in report.catalogs],
            [False, False, False],
        ),
    ]


def _cost_per_year(report: DecisionReport) -> list[Block]:
    table = year_table(report)
    if table is None:
        return [Paragraph("No feasible plan.")]
    return [
        Paragraph(
            "Cash paid each year of the horizon by the recommended plan (in bold) and the best plans. Capex is "
            "hardware bought (and replaced); opex is rent, power, hosting, maintenance and fixed costs; staff is "
            "operations, on-call, setup and hiring; cloud is API bills; resale is the hardware still in service sold "
            "at the horizon's end. Total = capex + opex + staff + cloud - resale; a plan's total over all years is "
            "its net cash under Cash, resale and present value."
        ),
        table,
    ]


def _finance(report: DecisionReport) -> list[Block]:
    tables = finance_tables(report)
    f = report.finance
    if tables is None or f is None:
        return [Paragraph("No feasible plan.")]
    plans, why = tables
    intro = (
        "Horizon cost recognises bought hardware as it depreciates; cash pays it when bought. Resale is the "
        "hardware still in service sold at the horizon's end, at the catalog's resale curve by class and age. Net "
        f"present value discounts each month's cash at {fmt_pct(f.discount_rate_per_year, decimals=1)} a year ("
    )
    source = linked(f.discount_rate_source)
    return [
        Paragraph(Rich((intro, *(source.parts if isinstance(source, Rich) else (source,)), ")."))),
        plans,
        Paragraph(why),
    ]


def _or_none(block: Block | None, text: str) -> Block:
    return block if block is not None else Paragraph(text)


def report_view(report: DecisionReport) -> ReportView:
    """The report's whole content, for any format."""
    r = report.recommendation
    sources = SourceKeys()
    head, details = _headline(report)
    chart = _chart(report)
    exclusions: list[list[Cell]] = [
        [e.segment, e.side, e.blocked_by or "; ".join(f"{n} {reason}" for reason, n in e.excluded.items())]
        for e in report.exclusions
    ]
    horizon = report.workload.horizon_months
    sections = [
        Section("summary", "Executive summary", _summary(report)),
        Section("plan", "Recommended plan", [plan_table(r.plan) if r.plan else Paragraph("No feasible plan.")]),
        Section(
            "costs",
            "Cost comparison",
            [
                _options(report),
                Paragraph(
                    f"Horizon cost is the sum of monthly costs over {horizon} months (bought hardware as "
                    "straight-line depreciation) plus one-time setup."
                ),
            ],
        ),
        Section("years", "Cost per year", _cost_per_year(report)),
        Section(
            "cumulative",
            "Cumulative cost over the horizon",
            [
                chart,
                Paragraph(
                    "Cash as it is paid, hardware when bought: for a plan that buys hardware the line ends above its "
                    "horizon cost, which counts the hardware as it depreciates (see Cash, resale and present value)."
                ),
            ]
            if chart is not None
            else [Paragraph("Only one kind of plan is feasible; there is no cross-over to chart.")],
        ),
        Section("finance", "Cash, resale and present value", _finance(report)),
        *_price_sections(report, sources),
        Section("overflow", "Overflow hybrid", _overflow(report)),
        Section("break-even", "Break-even and payback", _break_even(report)),
        Section("robustness", "How robust is it", _robustness(report)),
        Section(
            "scores",
            "Scores",
            [
                Paragraph(
                    "Each dimension is scored from 0 to 1 from the facts below and weighted. Cost comes first: the "
                    "cheapest plan the constraints and gates allow wins unless a plan with a higher total costs no "
                    f"more than the premium limit over it ({_premium_limit(report)}); the scores decide among the "
                    "plans within that limit."
                ),
                scores_table(report),
                Paragraph("Facts behind the scores of the recommended and best plans:"),
                score_inputs_table(report),
            ],
        ),
        Section(
            "line-items",
            "Line items of the recommended plan",
            [_or_none(line_items_table(report, sources), "No feasible plan.")],
        ),
        Section("workload", "Workload", [segments_table(report)]),
    ]
    if exclusions:
        sections.append(
            Section("ruled-out", "Ruled out", [Table(["segment", "side", "ruled out"], exclusions, [False] * 3)])
        )
    sections.append(Section("assumptions", "Assumptions ledger", _ledger(report, sources)))
    return ReportView(
        title=f"LLM deployment decision: {report.workload.name}",
        headline=head,
        details=details,
        warnings=list(report.warnings),
        description=report.workload.description,
        sections=sections,
    )
