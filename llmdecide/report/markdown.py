"""The Markdown report (jinja2), for finance and pull requests on GitHub.

The content is the :class:`~llmdecide.report.view.ReportView` that ``report_view.py`` builds, the same one the
HTML report lays out; this module only writes it as Markdown, and ``templates/report.md.j2`` only arranges it.

Escaping is the template environment's default, not each call site's: every value a ``{{ ... }}`` prints
and every cell goes through :func:`md`, which writes user and report text with
:func:`~llmdecide.report.text_safety.markdown_inline` (HTML and Markdown syntax escaped, one line), ids with
:func:`~llmdecide.report.text_safety.markdown_code`, and nothing else, unless it is a
:class:`~llmdecide.report.text_safety.MarkdownSafe`. A ``MarkdownSafe`` is made only of Markdown this module
writes around escaped pieces: ``**bold**``, table rows, and the mermaid charts' numbers, colours and
:func:`~llmdecide.report.text_safety.mermaid_label` labels. A new field is escaped without anyone remembering to.
"""

from __future__ import annotations

import json
import re
from typing import Any

import jinja2

from llmdecide.report.report_view import report_view
from llmdecide.report.result import DecisionReport
from llmdecide.report.text_safety import MarkdownSafe, markdown_code, markdown_inline, mermaid_label
from llmdecide.report.view import Cell, Code, LegendEntry, LineChart, Link, Rich, Strong, Table, Tornado


def _span(cell: Code | Strong, line_start: bool) -> MarkdownSafe:
    if isinstance(cell, Code):
        return markdown_code(cell.text)
    text = markdown_inline(cell.text.strip(), line_start=line_start)
    return MarkdownSafe(f"**{text}**") if text else text


def _rich(cell: Rich) -> MarkdownSafe:
    """A run of spans: plain text and links escaped a stretch at a time, ids as code spans, bold as bold."""
    out: list[str] = []
    pending: list[str] = []

    def flush() -> None:
        if pending:
            out.append(markdown_inline("".join(pending), line_start=not out))
            pending.clear()

    for part in cell.parts:
        if isinstance(part, str):
            pending.append(part)
        elif isinstance(part, Link):
            pending.append(part.text if part.text == part.href else f"{part.text} ({part.href})")
        else:
            flush()
            out.append(_span(part, line_start=not out))
    flush()
    return MarkdownSafe("".join(out))


def md(value: object) -> MarkdownSafe:
    """Any value the template prints, as Markdown: a :class:`MarkdownSafe` as it is, a view cell in its own
    syntax, anything else escaped as inline text."""
    if isinstance(value, MarkdownSafe):
        return value
    if isinstance(value, Code | Strong):
        return _span(value, line_start=True)
    if isinstance(value, Link):
        return _rich(Rich((value,)))
    if isinstance(value, Rich):
        return _rich(value)
    return markdown_inline(str(value))


def _cell(value: Cell) -> MarkdownSafe:
    """A table cell: on one line, whatever it is."""
    return MarkdownSafe(md(value).replace("\r", " ").replace("\n", " "))


def render_table(t: Table) -> MarkdownSafe:
    """A GitHub-flavoured Markdown table (numeric columns right-aligned), then its notes as a list."""
    aligns = ["---:" if n else "---" for n in t.numeric]
    lines = ["| " + " | ".join(_cell(h) for h in t.headers) + " |", "|" + "|".join(aligns) + "|"]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in t.rows]
    text = "\n".join(lines) + "\n"
    if t.notes:
        if t.notes_title:
            text += f"\n{md(t.notes_title)}\n"
        text += "\n" + "".join(f"- {_cell(n.key)}: {_cell(n.text)}\n" for n in t.notes)
    return MarkdownSafe(text)


def _palette(colours: list[str]) -> MarkdownSafe:
    """The mermaid directive that colours the chart's series in order."""
    init = {"themeVariables": {"xyChart": {"plotColorPalette": ", ".join(colours)}}}
    return MarkdownSafe("%%{init: " + json.dumps(init) + "}%%")


def legend_line(entry: LegendEntry) -> MarkdownSafe:
    """One legend item: the colour's name (bold for the recommended plan), its code, and what it marks."""
    name = md(Strong(entry.colour.name)) if entry.strong else md(entry.colour.name)
    return MarkdownSafe(f"- {name} {markdown_code(entry.colour.hex)}: {_cell(entry.text)}")


def mermaid_lines(chart: LineChart) -> dict[str, Any]:
    """The cumulative cost chart as mermaid ``xychart-beta`` pieces."""
    top = max(max(line.values) for line in chart.lines)
    return {
        "palette": _palette([line.colour.hex for line in chart.lines]),
        "title": MarkdownSafe(mermaid_label(chart.title, limit=80)),
        "x_label": MarkdownSafe(mermaid_label(chart.x_label)),
        "y_label": MarkdownSafe(mermaid_label(chart.y_label)),
        "months": MarkdownSafe(", ".join(str(m) for m in range(1, chart.months + 1))),
        "top": MarkdownSafe(f"{nice_ceiling(top):.0f}"),
        "lines": [MarkdownSafe(", ".join(f"{v:.0f}" for v in line.values)) for line in chart.lines],
        "legend": [legend_line(e) for e in chart.legend],
    }


def mermaid_bars(tornado: Tornado) -> dict[str, Any]:
    """The sensitivity swings as a mermaid horizontal bar chart."""
    return {
        "palette": _palette([tornado.swing_legend.colour.hex]),
        "title": MarkdownSafe(mermaid_label(tornado.title, limit=80)),
        "labels": MarkdownSafe(", ".join(f'"{mermaid_label(b.label)}"' for b in tornado.bars)),
        "bars": MarkdownSafe(", ".join(f"{b.swing_usd:.0f}" for b in tornado.bars)),
        "legend": [legend_line(tornado.swing_legend)],
    }


def nice_ceiling(value: float) -> float:
    """A round number at or above ``value`` for a chart axis."""
    if value <= 0:
        return 1.0
    magnitude = 10 ** (len(f"{int(value)}") - 1)
    return float(-(-value // magnitude) * magnitude)


def _template() -> jinja2.Template:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("llmdecide.report", "templates"),
        autoescape=False,
        finalize=md,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["md"] = md
    env.filters["safe"] = MarkdownSafe  # a macro's output: Markdown the template wrote from escaped values
    env.globals["table"] = render_table
    env.globals["mermaid_lines"] = mermaid_lines
    env.globals["mermaid_bars"] = mermaid_bars
    env.globals["strong"] = Strong
    return env.get_template("report.md.j2")


def render_markdown(report: DecisionReport) -> str:
    """The whole Markdown report."""
    text = _template().render(view=report_view(report))
    return re.sub(r"\n{3,}", "\n\n", text)
