"""The terminal report (rich): summary panel, options compared, line items, scores, warnings.

Every piece of text that can hold user input (names, ids, labels, sentences) is a :class:`~rich.text.Text` made by
:func:`~llmdecide.report.text_safety.terminal_text`: never parsed as rich markup, control and bidi characters shown as
escapes, names and ids cut to ``NAME_LIMIT`` characters and sentences to ``TEXT_LIMIT``. Markup appears only in
strings written here.
"""

from __future__ import annotations

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from llmdecide.report.formatting import MISSING, fmt_sweep_value, fmt_usd, line_item_cells
from llmdecide.report.result import DecisionReport
from llmdecide.report.text_safety import NAME_LIMIT, terminal_text
from llmdecide.report.wording import (
    break_even_volume_text,
    excluded_text,
    first_screen_flips,
    fragility_text,
    gates_line,
    payback_text,
    plan_rows_text,
)
from llmdecide.scoring.dimensions import DIMENSIONS

COLOURS = {"cloud": "cyan", "local": "green", "hybrid": "magenta", "none": "red"}


def _t(text: str, style: str = "") -> Text:
    """A sentence or a cell: user text inside, so a Text, never markup."""
    return terminal_text(text, style=style)


def _name(text: str, style: str = "") -> Text:
    """A name or an id on its own: a Text, cut to NAME_LIMIT characters."""
    return terminal_text(text, limit=NAME_LIMIT, style=style)


def warning_line(text: str) -> Text:
    """'warning: ...' with the warning as plain text."""
    return Text.assemble(("warning:", "yellow"), " ", _t(text))


def print_report(console: Console, report: DecisionReport) -> None:
    """Render the report to a rich console."""
    r = report.recommendation
    for w in report.warnings:
        console.print(warning_line(w))
    colour = COLOURS[r.decision]
    head = Text.assemble(("Recommendation: ", "bold"), (r.decision.upper(), f"bold {colour}"))
    if r.label:
        head.append_text(_t(f"  ({r.label})"))
    lines: list[Text] = [head]
    if r.monthly_cost_usd is not None and r.horizon_cost_usd is not None:
        lines.append(
            Text(
                f"{fmt_usd(r.monthly_cost_usd)} USD in the first month, {fmt_usd(r.horizon_cost_usd)} USD over "
                f"{report.workload.horizon_months} months"
                + (f", {fmt_usd(r.one_time_usd)} USD up front" if r.one_time_usd else "")
            )
        )
    lines.append(_t(f"Decided by {r.decided_by.text}", style="italic"))
    if r.premium is not None and r.premium.dimensions and r.decided_by.code != "premium":
        lines.append(_t(f"Premium: {r.premium.text}"))
    if len(r.gates) > 1:
        lines.append(_t(_capitalised(gates_line([(g.code, g.values) for g in r.gates])), style="yellow"))
    rob = report.robustness
    if rob is not None and rob.fragile:
        lines.append(_t(f"Fragile: {fragility_text([x.text for x in rob.reasons])}", style="bold red"))
    for step in plan_rows_text(r.plan):
        lines.append(_t(f"  {step}"))
    for line in r.rationale:
        lines.append(_t(f"- {line.text}"))
    if r.flips:
        lines.append(Text("What would flip it:", style="bold"))
        lines += [_t(f"- {text}") for text in first_screen_flips([(f.code, f.text) for f in r.flips])]
    console.print(Panel(Group(*lines), title=_name(report.workload.name), border_style=colour))

    options = Table(title="Options compared", header_style="bold")
    for col, justify in (
        ("option", "left"),
        ("kind", "left"),
        ("plan", "left"),
        ("first month USD", "right"),
        ("horizon USD", "right"),
        ("up front USD", "right"),
        ("score", "right"),
    ):
        options.add_column(col, justify=justify)  # type: ignore[arg-type]
    for o in report.options:
        if o.feasible:
            options.add_row(
                _name(o.id),
                _t(o.kind),
                _t(o.label),
                fmt_usd(o.monthly_cost_usd),
                fmt_usd(o.horizon_cost_usd),
                fmt_usd(o.one_time_usd),
                f"{o.score:.2f}" if o.score is not None else MISSING,
                style="bold" if o.id == r.option else None,
            )
        else:
            options.add_row(
                _name(o.id),
                _t(o.kind),
                _t(excluded_text(o.excluded_reason)),
                MISSING,
                MISSING,
                MISSING,
                MISSING,
                style="dim",
            )
    console.print(options)

    be = report.break_even
    if be.cloud_option and be.local_option:
        console.print(_t(_capitalised(break_even_volume_text(be))))
        console.print(_t(_capitalised(payback_text(be))))
    else:
        console.print(_t(f"Break-even: not computed ({be.note})."))

    rec = next((o for o in report.options if o.id == r.option), None)
    if rec is not None:
        items = Table(title=Text.assemble("Line items of ", _name(rec.id), " (first month)"), header_style="bold")
        for col, justify in (
            ("item", "left"),
            ("quantity", "right"),
            ("unit", "left"),
            ("unit price", "right"),
            ("monthly USD", "right"),
            ("one-time USD", "right"),
        ):
            items.add_column(col, justify=justify)  # type: ignore[arg-type]
        for i in rec.line_items:
            items.add_row(*[_t(c) for c in line_item_cells(i)[:6]])
        console.print(items)

    scores = Table(title="Scores (0-1, weighted)", header_style="bold")
    scores.add_column("option")
    scores.add_column("total", justify="right")
    for d in DIMENSIONS:
        scores.add_column(f"{d.replace('_', ' ')}\n(w {report.scores.weights[d]:.2f})", justify="right")
    for s in report.scores.options:
        scores.add_row(_name(s.option), f"{s.total:.2f}", *[f"{getattr(s, d):.2f}" for d in DIMENSIONS])
    console.print(scores)
    print_overflow(console, report)
    print_robustness(console, report)


def print_overflow(console: Console, report: DecisionReport) -> None:
    """The overflow hybrid's size against the all-cloud and all-local extremes."""
    o = report.overflow
    if o is None:
        return
    table = Table(
        title=Text.assemble(
            "Overflow hybrid (",
            _name(o.option),
            f"): {fmt_usd(o.monthly_cost_usd)} USD in month 1, {fmt_usd(o.horizon_cost_usd)} USD over the horizon",
        ),
        header_style="bold",
    )
    for col in ("segment", "replicas", "of peak", "overflow m1", "overflow all", "USD", "all cloud", "all local"):
        table.add_column(col, justify="left" if col == "segment" else "right")
    for s in o.segments:
        table.add_row(
            _name(s.segment),
            f"{s.replicas}/{s.all_local_replicas}",
            f"{s.share_of_peak:.0%}",
            f"{s.overflow_share_first_month:.1%}",
            f"{s.overflow_share_over_horizon:.1%}",
            fmt_usd(s.horizon_usd),
            fmt_usd(s.all_cloud_usd),
            fmt_usd(s.all_local_usd),
        )
    console.print(table)


def print_robustness(console: Console, report: DecisionReport) -> None:
    """Tornado bars, flip thresholds and the Monte Carlo table."""
    rob = report.robustness
    if rob is None:
        return
    table = Table(title="Sensitivity: recommended plan's horizon cost, one input at a time", header_style="bold")
    for col, justify in (
        ("input", "left"),
        ("swing", "left"),
        ("USD at low", "right"),
        ("at high", "right"),
        ("flips at", "right"),
        ("another kind at", "right"),
    ):
        table.add_column(col, justify=justify)  # type: ignore[arg-type]
    widest = max((r.swing_usd for r in rob.sensitivity), default=0.0) or 1.0
    for r in rob.sensitivity:
        bar = "█" * max(0, round(24 * r.swing_usd / widest))
        flip = fmt_sweep_value(r.unit, r.flip_value) + f" -> {r.flip_to}" if r.flip_value is not None else "no flip"
        kind = (
            fmt_sweep_value(r.unit, r.kind_flip_value) + f" -> {r.kind_flip_to}"
            if r.kind_flip_value is not None
            else "none"
        )
        table.add_row(_t(r.label), bar, fmt_usd(r.low_cost_usd), fmt_usd(r.high_cost_usd), _t(flip), _t(kind))
    console.print(table)
    mc = rob.monte_carlo
    if mc is not None:
        dist = Table(title=f"Monte Carlo, {mc.samples:,} samples", header_style="bold")
        for col in ("option", "P10 USD", "P50 USD", "P90 USD", "cheapest in", "recommended in"):
            dist.add_column(col, justify="left" if col == "option" else "right")
        for d in mc.options:
            dist.add_row(
                _name(d.option),
                fmt_usd(d.p10_usd),
                fmt_usd(d.p50_usd),
                fmt_usd(d.p90_usd),
                f"{d.probability_cheapest:.1%}",
                f"{d.probability_recommended:.1%}",
            )
        console.print(dist)


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]
