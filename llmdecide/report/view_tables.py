"""The report's tables as :class:`~llmdecide.report.view.Table` objects, shared by the Markdown and HTML reports.

A long label stays out of its table: the table shows a short key (an option id, ``S1`` for a source, ``F1`` for
the facts behind a score) and the notes under the table say what each key stands for.
"""

from __future__ import annotations

from llmdecide.report.formatting import (
    MISSING,
    fmt_int,
    fmt_pct,
    fmt_price,
    fmt_quantity,
    fmt_sweep_value,
    fmt_usd,
)
from llmdecide.report.result import DecisionReport, SensitivityReport
from llmdecide.report.view import Cell, Code, Note, Rich, Strong, Table, linked
from llmdecide.scoring.dimensions import DIMENSIONS

SHORT_SOURCE = 40
"""Characters of a source without a web address that a table shows as it is, without a key."""


class SourceKeys:
    """Short keys for sources, numbered in the order the report first cites them (the same source, the same key)."""

    def __init__(self) -> None:
        self._keys: dict[str, str] = {}

    def key(self, source: str) -> str:
        """The key of ``source`` (``S1``, ``S2``, ...); a short source without a web address (``workload``,
        ``default``) as it is."""
        if len(source) <= SHORT_SOURCE and not isinstance(linked(source), Rich):
            return source
        return self._keys.setdefault(source, f"S{len(self._keys) + 1}")

    def table(self, headers: list[str], rows: list[list[Cell]], numeric: list[bool], column: int = -1) -> Table:
        """A table whose ``column`` holds source keys, with the sources it cites listed under it, as links."""
        by_key = {k: s for s, k in self._keys.items()}
        keys = {cell for row in rows if isinstance(cell := row[column], str) and cell in by_key}
        cited = sorted(keys, key=lambda k: int(k[1:]))
        notes = [Note(k, linked(by_key[k])) for k in cited]
        return Table(headers, rows, numeric, notes_title="Sources:" if notes else "", notes=notes)


def _plan_id(report: DecisionReport, option: str) -> Cell:
    """An option id, bold where it is the recommended plan."""
    return Strong(option) if option == report.recommendation.option else Code(option)


def year_table(report: DecisionReport) -> Table | None:
    """Cash by year of the recommended and best plans: capex, opex, staff, cloud, resale, total; a total row per
    plan that spans more than one year."""
    f = report.finance
    if f is None:
        return None
    rows: list[list[Cell]] = []
    for p in f.plans:
        plan = _plan_id(report, p.option)
        for y in p.years:
            year = str(y.year) if y.months == 12 else f"{y.year} ({y.months} months)"
            amounts = [y.capex_usd, y.opex_usd, y.staff_usd, y.cloud_usd, y.resale_usd, y.total_usd]
            rows.append([plan, year, *[fmt_usd(v) for v in amounts]])
        if len(p.years) > 1:
            sums = [
                sum(y.capex_usd for y in p.years),
                sum(y.opex_usd for y in p.years),
                sum(y.staff_usd for y in p.years),
                sum(y.cloud_usd for y in p.years),
                sum(y.resale_usd for y in p.years),
                sum(y.total_usd for y in p.years),
            ]
            rows.append([plan, Strong("all years"), *[Strong(fmt_usd(v)) for v in sums]])
    return Table(
        ["option", "year", "capex USD", "opex USD", "staff USD", "cloud USD", "resale USD", "total USD"],
        rows,
        [False, False, True, True, True, True, True, True],
    )


def finance_tables(report: DecisionReport) -> tuple[Table, Cell] | None:
    """The plans on a cash basis and at present value, and why cash and horizon cost differ for the first."""
    f = report.finance
    if f is None:
        return None
    plans = Table(
        ["option", "horizon cost", "cash paid", "book value at end", "resale at end", "net cash", "net present value"],
        [
            [
                _plan_id(report, p.option),
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
    gap = first.cash_usd - first.horizon_cost_usd
    if abs(gap) < 0.5:
        why = (
            " the cumulative cash at the horizon's end equals its horizon cost: nothing is bought that outlives the "
            "horizon."
        )
    else:
        why = (
            f" the cumulative cash at the horizon's end ({fmt_usd(first.cash_usd)}) is {fmt_usd(gap)} more than its "
            f"horizon cost ({fmt_usd(first.horizon_cost_usd)}): hardware is cash when bought but cost as it "
            f"depreciates, and {fmt_usd(first.book_value_end_usd)} of book value is left at the end, of which resale "
            f"would recover {fmt_usd(first.resale_end_usd)}."
        )
    return plans, Rich(("For ", Code(first.option), why))


def sweeps_table(sensitivity: list[SensitivityReport]) -> Table:
    """Each swept input: its range, the recommended plan's cost at each end, and where the decision flips."""
    return Table(
        ["input", "range", "horizon USD at low", "at high", "swing", "flips at", "to", "another kind at", "to"],
        [
            [
                r.label,
                f"{fmt_sweep_value(r.unit, r.low)} to {fmt_sweep_value(r.unit, r.high)}",
                fmt_usd(r.low_cost_usd),
                fmt_usd(r.high_cost_usd),
                fmt_usd(r.swing_usd),
                fmt_sweep_value(r.unit, r.flip_value) if r.flip_value is not None else "does not flip",
                Code(r.flip_to) if r.flip_to else "",
                fmt_sweep_value(r.unit, r.kind_flip_value) if r.kind_flip_value is not None else "none in range",
                Code(r.kind_flip_to) if r.kind_flip_to else "",
            ]
            for r in sensitivity
        ],
        [False, False, True, True, True, True, False, True, False],
    )


def price_changes_table(report: DecisionReport, sources: SourceKeys) -> Table | None:
    """Catalog prices of the compared plans that change inside the horizon."""
    if not report.price_changes:
        return None
    rows: list[list[Cell]] = [
        [
            Code(c.option),
            c.segment,
            str(c.month),
            c.starts.isoformat(),
            Code(c.entry),
            c.kind,
            fmt_price(c.before_usd),
            fmt_price(c.after_usd),
            c.unit,
            f"{c.change:+.1%}",
            sources.key(c.source),
        ]
        for c in report.price_changes
    ]
    headers = ["option", "segment", "from month", "starting", "entry", "price", "before USD", "after USD", "per"]
    return sources.table(
        [*headers, "change", "source"], rows, [False, False, True, False, False, False, True, True, False, True, False]
    )


def price_evidence_table(report: DecisionReport) -> Table | None:
    """How old the evidence is behind each catalog price the compared plans rest on."""
    if not report.price_evidence:
        return None
    return Table(
        ["option", "segment", "entry", "price", "basis", "source shows it on", "age, days", "stale"],
        [
            [
                Code(e.option),
                e.segment,
                Code(e.entry),
                e.kind,
                e.basis,
                e.observed.isoformat() if e.observed else "not stated",
                fmt_int(e.age_days) if e.age_days is not None else "",
                Strong("yes") if e.stale else "no",
            ]
            for e in report.price_evidence
        ],
        [False, False, False, False, False, False, True, False],
    )


def scores_table(report: DecisionReport) -> Table:
    """Each option's dimension scores and total, and the weights."""
    rows: list[list[Cell]] = [
        [Code(s.option), f"{s.total:.2f}", *[f"{getattr(s, d):.2f}" for d in DIMENSIONS]] for s in report.scores.options
    ]
    rows.append(["weight", "1.00", *[f"{report.scores.weights[d]:.2f}" for d in DIMENSIONS]])
    return Table(["option", "total", *[d.replace("_", " ") for d in DIMENSIONS]], rows, [False] + [True] * 7)


def fmt_fact(value: float | int | str | bool | None) -> str:
    """One score input as text."""
    if value is None:
        return MISSING
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.3g}" if abs(value) < 1000 else fmt_usd(value)
    if isinstance(value, int):
        return f"{value:,}"
    return value


def score_inputs_table(report: DecisionReport) -> Table:
    """The facts behind the scores of the recommended and best plans, each row's facts in a note (F1, F2, ...)."""
    shown = [report.recommendation.option, *report.best_by_kind.values()]
    rows: list[list[Cell]] = []
    notes: list[Note] = []
    seen: set[str] = set()
    for s in report.scores.options:
        if s.option not in shown or s.option in seen:
            continue
        seen.add(s.option)
        for f in s.inputs:
            key = f"F{len(notes) + 1}"
            facts = "; ".join(f"{k.replace('_', ' ')} {fmt_fact(v)}" for k, v in f.inputs.items())
            notes.append(Note(key, linked(facts)))
            rows.append([Code(s.option), f.segment, f.dimension.replace("_", " "), f.side, f"{f.score:.2f}", key])
    return Table(
        ["option", "segment", "dimension", "side", "score", "from"],
        rows,
        [False, False, False, False, True, False],
        notes_title="Facts:" if notes else "",
        notes=notes,
    )


def line_items_table(report: DecisionReport, sources: SourceKeys) -> Table | None:
    """The recommended plan's first-month line items and their total."""
    rec = next((o for o in report.options if o.id == report.recommendation.option), None)
    if rec is None:
        return None
    rows: list[list[Cell]] = [
        [
            i.name + (f" ({i.note})" if i.note else ""),
            fmt_quantity(i.quantity),
            i.unit,
            fmt_price(i.unit_price_usd),
            fmt_usd(i.monthly_cost_usd, decimals=2),
            fmt_usd(i.one_time_usd, decimals=2) if i.one_time_usd else "",
            sources.key(i.source),
        ]
        for i in rec.line_items
    ]
    rows.append(
        [
            Strong("total"),
            "",
            "",
            "",
            Strong(fmt_usd(rec.monthly_cost_usd, decimals=2)),
            Strong(fmt_usd(rec.one_time_usd, decimals=2)),
            "",
        ]
    )
    return sources.table(
        ["item", "quantity", "unit", "unit price USD", "monthly USD", "one-time USD", "source"],
        rows,
        [False, True, False, True, True, True, False],
    )


def segments_table(report: DecisionReport) -> Table:
    """The workload's segments as the report restates them."""
    rows: list[list[Cell]] = [
        [
            s.name,
            fmt_usd(s.requests_per_month),
            f"{s.input_tokens:,g} / {s.output_tokens:,g}",
            s.pattern,
            f"{s.peak_to_average:g}",
            fmt_pct(s.growth_per_month, decimals=1),
            s.data_sensitivity,
            s.latency + (f", TTFT {s.ttft_slo_ms:,g} ms" if s.ttft_slo_ms else ""),
            s.capability,
        ]
        for s in report.workload.segments
    ]
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
        rows,
        [False, True, False, False, True, True, False, False, False],
    )
