"""The Markdown report (jinja2), for finance and pull requests.

:func:`markdown_view` turns a :class:`DecisionReport` into the template's
context: every figure formatted here, in Python, every sentence taken from
``wording.py``, every table a :class:`Table` of header and row cells. The
template (``templates/report.md.j2``) only lays them out, looping over rows.

Escaping is the template environment's default, not each call site's: every value a ``{{ ... }}`` prints
and every table cell goes through :func:`~llmdecide.report.text_safety.markdown_inline` (HTML and Markdown syntax
escaped, one line), unless it is a :class:`~llmdecide.report.text_safety.MarkdownSafe`. The view below makes a
``MarkdownSafe`` only of Markdown it writes itself around escaped pieces: ids as code spans
(:func:`~llmdecide.report.text_safety.markdown_code`), ``**bold**`` cells, the mermaid charts' numbers and
:func:`~llmdecide.report.text_safety.mermaid_label` labels. A new field is escaped without anyone remembering to.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import jinja2

from llmdecide.report.formatting import (
    MISSING,
    fmt_gpus,
    fmt_pct,
    fmt_per_request,
    fmt_price,
    fmt_sweep_value,
    fmt_text,
    fmt_usd,
    line_item_cells,
)
from llmdecide.report.result import DecisionReport, PlanStep
from llmdecide.report.text_safety import MarkdownSafe, markdown_code, markdown_inline, mermaid_label
from llmdecide.report.wording import (
    NO_OVERFLOW,
    break_even_volume_text,
    first_screen_flips,
    fragility_text,
    gates_line,
    payback_text,
    runs_on,
)
from llmdecide.scoring.dimensions import DIMENSIONS


@dataclass(frozen=True)
class Table:
    """A table for the template: header cells, row cells (already text), and which columns are numeric."""

    headers: list[str]
    rows: list[list[str]]
    numeric: list[bool]

    @property
    def aligns(self) -> list[str]:
        """The Markdown alignment row: right for numeric columns."""
        return ["---:" if n else "---" for n in self.numeric]


def _cell(value: object) -> MarkdownSafe:
    """A table cell: Markdown the view wrote as it is (on one line), anything else escaped."""
    if isinstance(value, MarkdownSafe):
        return MarkdownSafe(value.replace("\r", " ").replace("\n", " "))
    return markdown_inline(str(value))


def _finalize(value: object) -> MarkdownSafe:
    """What every ``{{ ... }}`` of the template prints: a :class:`MarkdownSafe` as it is, anything else escaped."""
    return value if isinstance(value, MarkdownSafe) else markdown_inline(str(value))


def render_table(t: Table) -> MarkdownSafe:
    """A GitHub-flavoured Markdown table: header, alignment row, one line per row, each cell through ``_cell``."""
    lines = ["| " + " | ".join(_cell(h) for h in t.headers) + " |", "|" + "|".join(t.aligns) + "|"]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in t.rows]
    return MarkdownSafe("\n".join(lines) + "\n")


def _template() -> jinja2.Template:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("llmdecide.report", "templates"),
        autoescape=False,
        finalize=_finalize,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["cell"] = _cell
    env.filters["code"] = markdown_code
    env.filters["safe"] = MarkdownSafe
    env.globals["table"] = render_table
    return env.get_template("report.md.j2")


def plan_table(steps: list[PlanStep]) -> Table:
    """Segment, where it runs, and the local performance figures."""
    return Table(
        [
            "segment",
            "runs on",
            "cloud USD/request",
            "GPUs at horizon end",
            "engine",
            "sized at: batch, tokens/s per user, TTFT ms",
            "at today's peak: in flight, tokens/s per user, TTFT ms",
        ],
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
    )


def _operating_point(
    concurrency: float | None, speed: float | None, ttft_ms: float | None, *, sized: bool = False
) -> str:
    """'batch, tokens/s, TTFT' of a local step, or the missing mark for a cloud step."""
    if concurrency is None or speed is None:
        return MISSING
    count = f"{concurrency:.0f}" if sized or concurrency >= 10 else f"{concurrency:.2f}"
    ttft = fmt_usd(ttft_ms, decimals=0) if ttft_ms is not None else MISSING
    return f"{count}, {fmt_usd(speed, decimals=1)}, {ttft}"


def _options(report: DecisionReport) -> Table:
    return Table(
        ["option", "kind", "plan", "feasible", "first month USD", "horizon USD", "up front USD", "score", "why not"],
        [
            [
                markdown_code(o.id),
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
        ],
        [False, False, False, False, True, True, True, True, False],
    )


def _chart(report: DecisionReport) -> dict[str, Any] | None:
    series = report.cumulative_cost
    if len(series) < 2:
        return None
    months = len(series[0].cumulative_usd)
    top = max(max(s.cumulative_usd) for s in series)
    return {
        "months": MarkdownSafe(", ".join(str(m) for m in range(1, months + 1))),
        "top": MarkdownSafe(f"{_nice_ceiling(top):.0f}"),
        "lines": [MarkdownSafe(", ".join(f"{v:.0f}" for v in s.cumulative_usd)) for s in series],
        "legend": MarkdownSafe(
            ", ".join(f"{i + 1}. {markdown_inline(s.kind)} ({markdown_code(s.option)})" for i, s in enumerate(series))
        ),
    }


def _finance(report: DecisionReport) -> dict[str, Any] | None:
    f = report.finance
    if f is None:
        return None
    plans = Table(
        ["option", "horizon cost", "cash paid", "book value at end", "resale at end", "net cash", "net present value"],
        [
            [
                markdown_code(p.option),
                fmt_usd(p.horizon_cost_usd),
                fmt_usd(p.cash_usd),
                fmt_usd(p.book_value_end_usd),
                fmt_usd(p.resale_end_usd),
                fmt_usd(p.nominal_usd),
                fmt_usd(p.npv_usd),
            ]
            for p in f.plans
        ],
        [False, True, True, True, True, True, True],
    )
    first = f.plans[0]
    years = Table(
        ["year", "capex", "opex", "staff", "resale", "total"],
        [
            [
                str(y.year),
                fmt_usd(y.capex_usd),
                fmt_usd(y.opex_usd),
                fmt_usd(y.staff_usd),
                fmt_usd(y.resale_usd),
                fmt_usd(y.total_usd),
            ]
            for y in first.years
        ],
        [False, True, True, True, True, True],
    )
    gap = first.cash_usd - first.horizon_cost_usd
    option = markdown_code(first.option)
    if abs(gap) < 0.5:
        why = (
            f"For {option} the cumulative cash at the horizon's end equals its horizon cost: nothing is "
            "bought that outlives the horizon."
        )
    else:
        why = (
            f"For {option} the cumulative cash at the horizon's end ({fmt_usd(first.cash_usd)}) is "
            f"{fmt_usd(gap)} more than its horizon cost ({fmt_usd(first.horizon_cost_usd)}): hardware is cash when "
            f"bought but cost as it depreciates, and {fmt_usd(first.book_value_end_usd)} of book value is left at "
            f"the end, of which resale would recover {fmt_usd(first.resale_end_usd)}."
        )
    return {
        "rate": fmt_pct(f.discount_rate_per_year, decimals=1),
        "source": f.discount_rate_source,
        "plans": plans,
        "years": years,
        "option": first.option,
        "why": MarkdownSafe(why),
    }


def _overflow(report: DecisionReport) -> dict[str, Any] | None:
    o = report.overflow
    if o is None:
        return None
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
    whole = [f"overflow {markdown_code(o.option)} {fmt_usd(o.horizon_cost_usd)}"]
    for kind in ("cloud", "local"):
        best = report.best_by_kind.get(kind)
        if best is not None and best in horizons:
            whole.append(f"best all-{kind} {markdown_code(best)} {fmt_usd(horizons[best])}")
    return {
        "option": o.option,
        "monthly": fmt_usd(o.monthly_cost_usd),
        "horizon": fmt_usd(o.horizon_cost_usd),
        "table": table,
        "whole": MarkdownSafe(", ".join(whole)),
    }


def _robustness(report: DecisionReport) -> dict[str, Any] | None:
    rob = report.robustness
    if rob is None:
        return None
    sweeps = Table(
        ["input", "range", "horizon USD at low", "at high", "swing", "flips at", "to", "another kind at", "to"],
        [
            [
                r.label,
                f"{fmt_sweep_value(r.unit, r.low)} to {fmt_sweep_value(r.unit, r.high)}",
                fmt_usd(r.low_cost_usd),
                fmt_usd(r.high_cost_usd),
                fmt_usd(r.swing_usd),
                fmt_sweep_value(r.unit, r.flip_value) if r.flip_value is not None else "does not flip",
                markdown_code(r.flip_to) if r.flip_to else "",
                fmt_sweep_value(r.unit, r.kind_flip_value) if r.kind_flip_value is not None else "none in range",
                markdown_code(r.kind_flip_to) if r.kind_flip_to else "",
            ]
            for r in rob.sensitivity
        ],
        [False, False, True, True, True, True, False, True, False],
    )
    view: dict[str, Any] = {
        "labels": MarkdownSafe(", ".join(f'"{mermaid_label(r.label)}"' for r in rob.sensitivity)),
        "bars": MarkdownSafe(", ".join(f"{r.swing_usd:.0f}" for r in rob.sensitivity)),
        "sweeps": sweeps,
        "monte_carlo": None,
    }
    mc = rob.monte_carlo
    if mc is not None:
        view["monte_carlo"] = {
            "samples": f"{mc.samples:,}",
            "seed": mc.seed,
            "inputs": ", ".join(
                f"{mc.labels.get(k, k)} {lo:g} to {hi:g}" + (f" (most likely {mode:g})" if mode is not None else "")
                for k, (lo, hi, mode) in mc.inputs.items()
            ),
            "widened": MarkdownSafe(
                "; ".join(
                    f"{markdown_code(w.entry)} {markdown_inline(w.kind)} ({markdown_inline(w.basis)}) "
                    f"x{w.low:g} to x{w.high:g}"
                    for w in mc.widened
                )
            ),
            "capacity": "; ".join(
                f"{c.deployment} x{c.low:.2f} to x{c.high:.2f} (median x{c.median:.2f})" for c in mc.capacity
            ),
            "table": Table(
                ["option", "P10 USD", "P50 USD", "P90 USD", "cheapest in", "recommended in"],
                [
                    [
                        markdown_code(d.option),
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
        }
    return view


def _price_changes(report: DecisionReport) -> Table | None:
    if not report.price_changes:
        return None
    return Table(
        [
            "option",
            "segment",
            "from month",
            "starting",
            "entry",
            "price",
            "before USD",
            "after USD",
            "per",
            "change",
            "source",
        ],
        [
            [
                markdown_code(c.option),
                c.segment,
                str(c.month),
                c.starts.isoformat(),
                markdown_code(c.entry),
                c.kind,
                fmt_price(c.before_usd),
                fmt_price(c.after_usd),
                c.unit,
                f"{c.change:+.1%}",
                c.source,
            ]
            for c in report.price_changes
        ],
        [False, False, True, False, False, False, True, True, False, True, False],
    )


def _price_evidence(report: DecisionReport) -> Table | None:
    if not report.price_evidence:
        return None
    return Table(
        ["option", "segment", "entry", "price", "basis", "source shows it on", "age, days", "stale"],
        [
            [
                markdown_code(e.option),
                e.segment,
                markdown_code(e.entry),
                e.kind,
                e.basis,
                e.observed.isoformat() if e.observed else "not stated",
                str(e.age_days) if e.age_days is not None else "",
                MarkdownSafe("**yes**") if e.stale else "no",
            ]
            for e in report.price_evidence
        ],
        [False, False, False, False, False, False, True, False],
    )


def _scores(report: DecisionReport) -> Table:
    rows = [
        [markdown_code(s.option), f"{s.total:.2f}", *[f"{getattr(s, d):.2f}" for d in DIMENSIONS]]
        for s in report.scores.options
    ]
    rows.append(["weight", "1.00", *[f"{report.scores.weights[d]:.2f}" for d in DIMENSIONS]])
    return Table(["option", "total", *[d.replace("_", " ") for d in DIMENSIONS]], rows, [False] + [True] * 7)


def _premium_limit(report: DecisionReport) -> str:
    p = report.workload.preferences
    text = f"preferences.max_premium {fmt_pct(p.max_premium)}"
    if p.premiums:
        text += ", or " + ", ".join(f"{fmt_pct(v)} for {k.replace('_', ' ')}" for k, v in sorted(p.premiums.items()))
    return text


def fmt_fact(value: float | int | str | bool | None) -> str:
    """One score input as a table cell."""
    if value is None:
        return MISSING
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.3g}" if abs(value) < 1000 else fmt_usd(value)
    return str(value)


def _score_inputs(report: DecisionReport) -> Table:
    shown = [report.recommendation.option, *report.best_by_kind.values()]
    rows: list[list[str]] = []
    seen: set[str] = set()
    for s in report.scores.options:
        if s.option not in shown or s.option in seen:
            continue
        seen.add(s.option)
        for f in s.inputs:
            facts = "; ".join(f"{k.replace('_', ' ')} {fmt_fact(v)}" for k, v in f.inputs.items())
            rows.append(
                [markdown_code(s.option), f.segment, f.dimension.replace("_", " "), f.side, f"{f.score:.2f}", facts]
            )
    return Table(
        ["option", "segment", "dimension", "side", "score", "from"], rows, [False, False, False, False, True, False]
    )


def _line_items(report: DecisionReport) -> Table | None:
    rec = next((o for o in report.options if o.id == report.recommendation.option), None)
    if rec is None:
        return None
    rows = [line_item_cells(i) for i in rec.line_items]
    rows.append(
        [
            MarkdownSafe("**total**"),
            "",
            "",
            "",
            MarkdownSafe(f"**{fmt_usd(rec.monthly_cost_usd, decimals=2)}**"),
            MarkdownSafe(f"**{fmt_usd(rec.one_time_usd, decimals=2)}**"),
            "",
        ]
    )
    return Table(
        ["item", "quantity", "unit", "unit price USD", "monthly USD", "one-time USD", "source"],
        rows,
        [False, True, False, True, True, True, False],
    )


def _segments(report: DecisionReport) -> Table:
    return Table(
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


def _plain(headers: list[str], rows: list[list[str]]) -> Table:
    return Table(headers, rows, [False] * len(headers))


def markdown_view(report: DecisionReport) -> dict[str, Any]:
    """Everything the template lays out, as text and tables."""
    r = report.recommendation
    be = report.break_even
    rob = report.robustness
    exclusions = [
        [e.segment, e.side, e.blocked_by or "; ".join(f"{n} {reason}" for reason, n in e.excluded.items())]
        for e in report.exclusions
    ]
    return {
        "title": report.workload.name,
        "decision": r.decision,
        "label": r.label,
        "monthly": fmt_usd(r.monthly_cost_usd) if r.monthly_cost_usd is not None else None,
        "horizon": fmt_usd(r.horizon_cost_usd) if r.horizon_cost_usd is not None else None,
        "one_time": fmt_usd(r.one_time_usd) if r.one_time_usd else None,
        "horizon_months": report.workload.horizon_months,
        "decided_by": r.decided_by.text,
        "premium": r.premium.text
        if r.premium is not None and r.premium.dimensions and r.decided_by.code != "premium"
        else None,
        "gates": gates_line([(g.code, g.values) for g in r.gates]) if len(r.gates) > 1 else None,
        "premium_limit": _premium_limit(report),
        "score_inputs": _score_inputs(report),
        "description": report.workload.description,
        "fragile": fragility_text([x.text for x in rob.reasons]) if rob is not None and rob.fragile else "",
        "rationale": [x.text for x in r.rationale],
        "flips": first_screen_flips([(x.code, x.text) for x in r.flips]),
        "plan": plan_table(r.plan) if r.plan else None,
        "options": _options(report),
        "price_changes": _price_changes(report),
        "price_evidence": _price_evidence(report),
        "evidence_days": report.workload.evidence_max_age_days,
        "starts": report.workload.starts.isoformat() if report.workload.starts else None,
        "chart": _chart(report),
        "overflow": _overflow(report),
        "no_overflow": NO_OVERFLOW,
        "finance": _finance(report),
        "break_even": {
            "compared": bool(be.cloud_option and be.local_option),
            "cloud": be.cloud_option,
            "local": be.local_option,
            "volume": break_even_volume_text(be),
            "payback": payback_text(be),
            "note": be.note,
        },
        "robustness": _robustness(report),
        "scores": _scores(report),
        "line_items": _line_items(report),
        "segments": _segments(report),
        "exclusions": _plain(["segment", "side", "ruled out"], exclusions) if exclusions else None,
        "assumptions": _plain(
            ["assumption", "value", "unit", "source"],
            [
                [a.name, f"{a.value:g}" if isinstance(a.value, float) else str(a.value), a.unit, a.source]
                for a in report.assumptions
            ],
        ),
        "ledger": _plain(
            ["entry", "kind", "what", "date", "source"],
            [
                [markdown_code(e.id), e.kind, e.what, e.date.isoformat() if e.date else MISSING, e.source]
                for e in report.ledger
            ],
        ),
        "catalogs": _plain(
            ["file", "version", "as of"],
            [[markdown_code(c.id), c.version, c.as_of.isoformat()] for c in report.catalogs],
        ),
        "warnings": report.warnings,
    }


def render_markdown(report: DecisionReport) -> str:
    """The whole Markdown report."""
    text = _template().render(**markdown_view(report))
    return re.sub(r"\n{3,}", "\n\n", text)


def _nice_ceiling(value: float) -> float:
    """A round number at or above ``value`` for a chart axis."""
    if value <= 0:
        return 1.0
    magnitude = 10 ** (len(f"{int(value)}") - 1)
    return float(-(-value // magnitude) * magnitude)
