"""The Markdown report (jinja2), for finance and pull requests.

Every figure is formatted here in Python and handed to the template as text;
the template only lays it out.
"""

from __future__ import annotations

import re

import jinja2

from llmdecide.report.formatting import MISSING, fmt_pct, fmt_price, fmt_text, fmt_usd
from llmdecide.report.result import DecisionReport, PlanStep
from llmdecide.report.tables import markdown_table
from llmdecide.report.wording import break_even_volume_text, payback_text
from llmdecide.scoring.dimensions import DIMENSIONS


def _template() -> jinja2.Template:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("llmdecide.report", "templates"),
        autoescape=False,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    return env.get_template("report.md.j2")


def _runs_on(step: PlanStep) -> str:
    if step.side == "cloud":
        return f"cloud: {step.cloud_model}"
    local = f"{step.open_model} ({step.precision}) on {fmt_gpus(step.gpus)} x {step.accelerator}, {step.acquisition}"
    if step.side == "split":
        return f"{fmt_pct(step.local_share)} local: {local}; rest cloud: {step.cloud_model}"
    return f"local: {local}"


def plan_rows_text(steps: list[PlanStep]) -> list[str]:
    """One line per segment saying where it runs."""
    return [f"{s.segment}: {_runs_on(s)}" for s in steps]


def fmt_quantity(value: float) -> str:
    """A line item's quantity: whole numbers plainly, small fractions with two decimals."""
    if float(value).is_integer() or value >= 100:
        return fmt_usd(value, decimals=0)
    return fmt_usd(value, decimals=2)


def fmt_gpus(value: float | None) -> str:
    """A GPU count."""
    return MISSING if value is None else f"{value:g}"


def plan_table(steps: list[PlanStep]) -> str:
    """Segment, where it runs, and the local performance figures."""
    rows = [
        [
            s.segment,
            _runs_on(s),
            fmt_price(s.cost_per_request_usd) if s.cost_per_request_usd is not None else MISSING,
            fmt_gpus(s.gpus_at_horizon_end) if s.gpus is not None else MISSING,
            fmt_text(s.engine),
            fmt_usd(s.per_user_output_tokens_per_s, decimals=1) if s.per_user_output_tokens_per_s else MISSING,
            fmt_usd(s.ttft_ms, decimals=0) if s.ttft_ms is not None else MISSING,
        ]
        for s in steps
    ]
    return markdown_table(
        ["segment", "runs on", "cloud USD/request", "GPUs at horizon end", "engine", "tokens/s per user", "TTFT ms"],
        rows,
        [False, False, True, True, False, True, True],
    )


def fmt_sweep_value(unit: str, value: float | None) -> str:
    """A swept input's value: '1.50x' for multipliers, '+0.020' for absolute changes."""
    if value is None:
        return MISSING
    return f"{value:.2f}x" if unit == "x" else f"{value:+.3f}"


def overflow_markdown(report: DecisionReport) -> str:
    """The overflow hybrid next to all-cloud and all-local for the same segments."""
    o = report.overflow
    if o is None:
        return (
            "No overflow hybrid: no segment has a mix of local replicas and cloud overflow that costs less "
            "than both all-cloud and all-local (one replica already carries the peak, one side is ruled out, "
            "or the cheapest size is one of the extremes)."
        )
    rows = [
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
    ]
    lines = [
        f"Option `{o.option}`: local replicas sized below the peak, each hour's load above them sent to the "
        f"cloud; the size is the one with the lowest horizon cost. {fmt_usd(o.monthly_cost_usd)} USD in the "
        f"first month, {fmt_usd(o.horizon_cost_usd)} USD over the horizon with staff.",
        "",
        markdown_table(
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
            rows,
            [False, True, True, True, True, True, True, True, True],
        ),
        "Segment costs here exclude staff; overflow shares are of requests (and so of tokens).",
    ]
    return "\n".join(lines)


def robustness_markdown(report: DecisionReport) -> str:
    """Tornado chart and table, flip thresholds, and the Monte Carlo distribution."""
    rob = report.robustness
    if rob is None:
        return "Not computed: no feasible plan."
    lines = [
        "Each input swept on its own from low to high, the others at today's values; the bars are the "
        "recommended plan's horizon cost swing, and the flip is the value nearest today's at which "
        "another plan would be recommended.",
        "",
        "```mermaid",
        "xychart-beta horizontal",
        '    title "Horizon cost swing of the recommended plan, USD"',
        "    x-axis [" + ", ".join(f'"{r.label}"' for r in rob.sensitivity) + "]",
        "    bar [" + ", ".join(f"{r.swing_usd:.0f}" for r in rob.sensitivity) + "]",
        "```",
        "",
    ]
    lines.append(
        markdown_table(
            ["input", "range", "horizon USD at low", "at high", "swing", "flips at", "to"],
            [
                [
                    r.label,
                    f"{fmt_sweep_value(r.unit, r.low)} to {fmt_sweep_value(r.unit, r.high)}",
                    fmt_usd(r.low_cost_usd),
                    fmt_usd(r.high_cost_usd),
                    fmt_usd(r.swing_usd),
                    fmt_sweep_value(r.unit, r.flip_value) if r.flip_value is not None else "does not flip",
                    f"`{r.flip_to}`" if r.flip_to else "",
                ]
                for r in rob.sensitivity
            ],
            [False, False, True, True, True, True, False],
        )
    )
    mc = rob.monte_carlo
    if mc is not None:
        inputs = ", ".join(
            f"{k} {lo:g} to {hi:g}" + (f" (most likely {mode:g})" if mode is not None else "")
            for k, (lo, hi, mode) in mc.inputs.items()
        )
        lines += [
            f"Monte Carlo over {mc.samples:,} samples (seed {mc.seed}) of {inputs}:",
            "",
            markdown_table(
                ["option", "P10 USD", "P50 USD", "P90 USD", "cheapest in", "recommended in"],
                [
                    [
                        f"`{d.option}`",
                        fmt_usd(d.p10_usd),
                        fmt_usd(d.p50_usd),
                        fmt_usd(d.p90_usd),
                        fmt_pct(d.probability_cheapest, decimals=1),
                        fmt_pct(d.probability_recommended, decimals=1),
                    ]
                    for d in mc.options
                ],
                [False, True, True, True, True, True],
            ),
        ]
    else:
        lines.append("No uncertainty ranges given (add an `uncertainty:` section for a Monte Carlo).")
    return "\n".join(lines)


def render_markdown(report: DecisionReport) -> str:
    """The whole Markdown report."""
    r = report.recommendation
    options_rows = [
        [
            f"`{o.id}`",
            o.kind,
            o.label,
            "yes" if o.feasible else "no",
            fmt_usd(o.monthly_cost_usd),
            fmt_usd(o.horizon_cost_usd),
            fmt_usd(o.one_time_usd),
            f"{o.score:.2f}" if o.score is not None else MISSING,
            o.excluded_reason or "",
        ]
        for o in report.options
    ]
    options_table = markdown_table(
        ["option", "kind", "plan", "feasible", "first month USD", "horizon USD", "up front USD", "score", "why not"],
        options_rows,
        [False, False, False, False, True, True, True, True, False],
    )
    chart = None
    if len(report.cumulative_cost) >= 1:
        months = len(report.cumulative_cost[0].cumulative_usd)
        top = max(max(s.cumulative_usd) for s in report.cumulative_cost)
        chart = {
            "months": ", ".join(str(m) for m in range(1, months + 1)),
            "top": f"{_nice_ceiling(top):.0f}",
            "lines": [", ".join(f"{v:.0f}" for v in s.cumulative_usd) for s in report.cumulative_cost],
            "legend": ", ".join(f"{i + 1}. {s.kind} (`{s.option}`)" for i, s in enumerate(report.cumulative_cost)),
        }
        if len(report.cumulative_cost) < 2:
            chart = None
    be = report.break_even
    if be.cloud_option and be.local_option:
        lines = [
            f"Cheapest cloud plan `{be.cloud_option}` against cheapest local plan `{be.local_option}`:",
            "",
            f"- {break_even_volume_text(be)}",
            f"- {payback_text(be)}",
        ]
        break_even = "\n".join(lines)
    else:
        break_even = f"Not computed: {be.note}."
    score_rows = [
        [f"`{s.option}`", f"{s.total:.2f}", *[f"{getattr(s, d):.2f}" for d in DIMENSIONS]]
        for s in report.scores.options
    ]
    score_rows.append(["weight", "1.00", *[f"{report.scores.weights[d]:.2f}" for d in DIMENSIONS]])
    scores_table = markdown_table(
        ["option", "total", *[d.replace("_", " ") for d in DIMENSIONS]], score_rows, [False] + [True] * 7
    )
    rec_option = next((o for o in report.options if o.id == r.option), None)
    items_table = ""
    if rec_option is not None:
        items_table = markdown_table(
            ["item", "quantity", "unit", "unit price USD", "monthly USD", "one-time USD", "source"],
            [
                [
                    i.name,
                    fmt_quantity(i.quantity),
                    i.unit,
                    fmt_price(i.unit_price_usd),
                    fmt_usd(i.monthly_cost_usd, decimals=2),
                    fmt_usd(i.one_time_usd, decimals=2) if i.one_time_usd else "",
                    i.source + (f" ({i.note})" if i.note else ""),
                ]
                for i in rec_option.line_items
            ]
            + [
                [
                    "**total**",
                    "",
                    "",
                    "",
                    f"**{fmt_usd(rec_option.monthly_cost_usd, decimals=2)}**",
                    f"**{fmt_usd(rec_option.one_time_usd, decimals=2)}**",
                    "",
                ]
            ],
            [False, True, False, True, True, True, False],
        )
    segments_table = markdown_table(
        [
            "segment",
            "requests/month",
            "tokens in/out",
            "pattern",
            "peak/avg",
            "growth/month",
            "data",
            "latency",
            "capability",
        ],
        [
            [
                s.name,
                fmt_usd(s.requests_per_month),
                f"{s.input_tokens:g} / {s.output_tokens:g}",
                s.pattern,
                f"{s.peak_to_average:g}",
                fmt_pct(s.growth_per_month, decimals=1),
                s.data_sensitivity,
                s.latency + (f", TTFT {s.ttft_slo_ms:g} ms" if s.ttft_slo_ms else ""),
                s.capability,
            ]
            for s in report.workload.segments
        ],
        [False, True, False, False, True, True, False, False, False],
    )
    exclusions_rows = [
        [
            e.segment,
            e.side,
            e.blocked_by or "; ".join(f"{n} {reason}" for reason, n in e.excluded.items()),
        ]
        for e in report.exclusions
    ]
    assumptions_table = markdown_table(
        ["assumption", "value", "unit", "source"],
        [
            [a.name, f"{a.value:g}" if isinstance(a.value, float) else str(a.value), a.unit, a.source]
            for a in report.assumptions
        ],
    )
    ledger_table = markdown_table(
        ["entry", "kind", "what", "date", "source"],
        [[f"`{e.id}`", e.kind, e.what, e.date.isoformat() if e.date else MISSING, e.source] for e in report.ledger],
    )
    catalogs_table = markdown_table(
        ["file", "version", "as of"], [[f"`{c.id}`", c.version, c.as_of.isoformat()] for c in report.catalogs]
    )
    text = _template().render(
        title=report.workload.name,
        decision=r.decision,
        label=r.label,
        monthly=fmt_usd(r.monthly_cost_usd) if r.monthly_cost_usd is not None else None,
        horizon=fmt_usd(r.horizon_cost_usd) if r.horizon_cost_usd is not None else None,
        one_time=fmt_usd(r.one_time_usd) if r.one_time_usd else None,
        horizon_months=report.workload.horizon_months,
        decided_by=r.decided_by.text,
        description=report.workload.description,
        rationale=[x.text for x in r.rationale],
        flips=[x.text for x in r.flips],
        plan_rows=bool(r.plan),
        plan_table=plan_table(r.plan),
        options_table=options_table,
        chart=chart,
        break_even=break_even,
        scores_table=scores_table,
        items_table=items_table,
        segments_table=segments_table,
        exclusions_table=markdown_table(["segment", "side", "ruled out"], exclusions_rows) if exclusions_rows else "",
        assumptions_table=assumptions_table,
        ledger_table=ledger_table,
        catalogs_table=catalogs_table,
        warnings=report.warnings,
        robustness=robustness_markdown(report),
        overflow=overflow_markdown(report),
        fragile="; ".join(x.text for x in report.robustness.reasons)
        if report.robustness and report.robustness.fragile
        else "",
    )
    return re.sub(r"\n{3,}", "\n\n", text)


def _nice_ceiling(value: float) -> float:
    """A round number at or above ``value`` for a chart axis."""
    if value <= 0:
        return 1.0
    magnitude = 10 ** (len(f"{int(value)}") - 1)
    return float(-(-value // magnitude) * magnitude)
