"""The HTML report (jinja2): one self-contained page for finance, to read on screen or print to PDF.

The content is the :class:`~llmdecide.report.view.ReportView` that ``report_view.py`` builds, the same one the
Markdown report lays out; the charts' coordinates come from ``svg.py``. The page carries its own stylesheet
(a print stylesheet too: each section starts a page) and its charts as inline SVG: it loads nothing and runs
no script.

Escaping is jinja2's autoescaping: every value a ``{{ ... }}`` prints goes through :func:`h`, which writes a
view cell as HTML (ids as ``<code>``, bold as ``<strong>``, http and https sources as links) with its text
escaped, and any other value as escaped text; control, bidi and invisible format characters are shown as
visible escapes first (:func:`~llmdecide.report.text_safety.terminal_safe`), as in the other formats.
"""

from __future__ import annotations

import re

import jinja2
from markupsafe import Markup, escape

from llmdecide.report.report_view import report_view
from llmdecide.report.result import DecisionReport
from llmdecide.report.svg import line_chart_svg, tornado_svg
from llmdecide.report.text_safety import terminal_safe
from llmdecide.report.view import Code, Link, Rich, Strong

_HREF = re.compile(r"https?://[^\s<>\"'`\\]+")


def h(value: object) -> Markup:
    """Any value the template prints, as HTML: markup the template or this function wrote as it is, a view cell
    in its own element, anything else as escaped text."""
    if isinstance(value, Markup):
        return value
    if isinstance(value, Code):
        return Markup("<code>{}</code>").format(terminal_safe(value.text))
    if isinstance(value, Strong):
        return Markup("<strong>{}</strong>").format(terminal_safe(value.text))
    if isinstance(value, Link):
        text = terminal_safe(value.text)
        if _HREF.fullmatch(value.href):
            return Markup('<a href="{}">{}</a>').format(value.href, text)
        return escape(text)
    if isinstance(value, Rich):
        return Markup("").join(h(p) for p in value.parts)
    return escape(terminal_safe(str(value)))


def _template() -> jinja2.Template:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("llmdecide.report", "templates"),
        autoescape=True,
        finalize=h,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    env.globals["line_chart_svg"] = line_chart_svg
    env.globals["tornado_svg"] = tornado_svg
    return env.get_template("report.html.j2")


def render_html(report: DecisionReport) -> str:
    """The whole HTML report, one file."""
    return _template().render(view=report_view(report))
