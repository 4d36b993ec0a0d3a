"""The report's content in no particular format: what the Markdown and HTML reports both lay out.

:func:`~llmdecide.report.report_view.report_view` builds one :class:`ReportView` from a
:class:`~llmdecide.report.result.DecisionReport`: every figure already formatted, every sentence already
written, every table a :class:`Table` of cells, every chart a :class:`LineChart` or :class:`Tornado` of
plain numbers, colours and legend entries. A renderer only turns these into its own syntax, escaping as it
goes: Markdown through :mod:`~llmdecide.report.text_safety` (``markdown.py``), HTML through jinja2's
autoescaping (``html.py``). Neither holds a sentence of its own, so the two reports never say different things.

Text in a cell is a plain ``str`` (user text or the report's own, escaped by the renderer), or a span that
says how to show it: :class:`Code` (an id), :class:`Strong`, :class:`Link` (a source's URL), or a
:class:`Rich` run of them (a sentence with ids in it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import ClassVar


@dataclass(frozen=True)
class Code:
    """An id or a key shown as code."""

    text: str


@dataclass(frozen=True)
class Strong:
    """Text shown in bold."""

    text: str


@dataclass(frozen=True)
class Link:
    """A web address; ``href`` is an http or https URL (see :func:`linked`)."""

    text: str
    href: str


Span = str | Code | Strong | Link


@dataclass(frozen=True)
class Rich:
    """A run of spans read as one piece of text: ``Rich(("For ", Code("cloud"), " the cash ..."))``."""

    parts: tuple[Span, ...]


Cell = Span | Rich
"""What a table cell, a list item or a paragraph holds."""


_URL = re.compile(r"https?://[^\s<>\"'`]+")
_TRAILING = ".,;:!?"


def _url_end(url: str) -> str:
    """A URL as found in prose, less the punctuation that ends the sentence or the parenthesis around it."""
    while url and (url[-1] in _TRAILING or (url[-1] == ")" and url.count("(") < url.count(")"))):
        url = url[:-1]
    return url


def linked(text: str) -> Cell:
    """``text`` with every http or https URL in it a :class:`Link` (other schemes stay text); ``text`` itself
    when it holds none."""
    parts: list[Span] = []
    at = 0
    for m in _URL.finditer(text):
        url = _url_end(m.group())
        if not url.split("://", 1)[1]:
            continue
        if m.start() > at:
            parts.append(text[at : m.start()])
        parts.append(Link(url, url))
        at = m.start() + len(url)
    if not parts:
        return text
    if at < len(text):
        parts.append(text[at:])
    return Rich(tuple(parts))


def plain_text(cell: Cell) -> str:
    """What a cell says, without its formatting."""
    if isinstance(cell, str):
        return cell
    if isinstance(cell, Rich):
        return "".join(plain_text(p) for p in cell.parts)
    return cell.text


@dataclass(frozen=True)
class Note:
    """A long label kept out of a table: the short key the table shows, and what it stands for."""

    key: Cell
    text: Cell


@dataclass(frozen=True)
class Table:
    """Header cells, rows of cells, which columns are numeric, and the notes listed under the table."""

    kind: ClassVar[str] = "table"
    headers: list[str]
    rows: list[list[Cell]]
    numeric: list[bool]
    notes_title: str = ""
    notes: list[Note] = field(default_factory=list)


@dataclass(frozen=True)
class Paragraph:
    """A paragraph."""

    kind: ClassVar[str] = "paragraph"
    text: Cell


@dataclass(frozen=True)
class Bullets:
    """A list, with an optional bold line above it."""

    kind: ClassVar[str] = "bullets"
    items: list[Cell]
    title: str = ""


@dataclass(frozen=True)
class Subheading:
    """A heading inside a section."""

    kind: ClassVar[str] = "subheading"
    text: str


@dataclass(frozen=True)
class Colour:
    """A chart colour, with the name a legend gives it."""

    hex: str
    name: str


RECOMMENDED = Colour("#1d4ed8", "blue")
"""The recommended plan's colour in every chart: strong, where the other plans' colours are muted."""
OTHERS = (Colour("#8c8c8c", "grey"), Colour("#c8a46e", "sand"), Colour("#6fa3a3", "teal"))
"""The other plans' colours, in the order the chart draws them."""
LOW_END = Colour("#93c5fd", "light blue")
"""The tornado's bar from today's cost to the cost at an input's low end."""
BASE_DASH = "4 3"
"""The tornado's line at today's horizon cost."""
DASHES = ("6 4", "2 3", "8 3 2 3")
"""The other plans' line patterns (SVG ``stroke-dasharray``), beside their colours."""


@dataclass(frozen=True)
class LegendEntry:
    """One line of a chart's legend: the colour (and line pattern, where the format draws one) and what it is."""

    colour: Colour
    text: Cell
    dash: str = ""
    strong: bool = False


@dataclass(frozen=True)
class ChartLine:
    """One plan's cumulative cash, month by month."""

    option: str
    values: list[float]
    colour: Colour
    dash: str
    recommended: bool


@dataclass(frozen=True)
class LineChart:
    """Cumulative cash of the best plan of each kind over the horizon."""

    kind: ClassVar[str] = "line_chart"
    title: str
    x_label: str
    y_label: str
    months: int
    lines: list[ChartLine]
    legend: list[LegendEntry]


@dataclass(frozen=True)
class TornadoBar:
    """One swept input: its range and the recommended plan's horizon cost at each end."""

    label: str
    low: str
    high: str
    low_cost_usd: float
    high_cost_usd: float
    swing_usd: float


@dataclass(frozen=True)
class Tornado:
    """The recommended plan's horizon cost as each input is swept on its own, widest swing first."""

    kind: ClassVar[str] = "tornado"
    title: str
    base_usd: float
    base_text: str
    bars: list[TornadoBar]
    legend: list[LegendEntry]
    swing_legend: LegendEntry
    """The legend of a one-sided chart of the swings alone (the Markdown report's mermaid bars)."""


Block = Table | Paragraph | Bullets | Subheading | LineChart | Tornado


@dataclass(frozen=True)
class Section:
    """A titled part of the report; ``id`` is its anchor."""

    id: str
    title: str
    blocks: list[Block]


@dataclass(frozen=True)
class ReportView:
    """The whole report: title, the headline and its reasons, warnings, description, then the sections."""

    title: str
    headline: str
    details: list[Cell]
    warnings: list[str]
    description: str | None
    sections: list[Section]
