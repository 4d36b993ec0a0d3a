"""Rendering listings and entry views as rich tables, Markdown or JSON."""

from __future__ import annotations

import json
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from llmdecide.report.catalog_view import EntryView, Listing, flatten
from llmdecide.report.text_safety import NAME_LIMIT, json_inert, markdown_code, markdown_inline, terminal_text


def to_json(data: Any) -> str:
    """Stable, pretty JSON with a trailing newline; control, bidi and format characters that ``json.dumps`` leaves
    in strings are ``\\u`` escapes (:func:`~llmdecide.report.text_safety.json_inert`), so the data is exactly
    the same."""
    return json_inert(json.dumps(data, indent=2, sort_keys=False, ensure_ascii=False)) + "\n"


def markdown_table(headers: list[str], rows: list[list[str]], numeric: list[bool] | None = None) -> str:
    """A GitHub-flavoured Markdown table; numeric columns right-aligned."""
    numeric = numeric or [False] * len(headers)
    lines = ["| " + " | ".join(markdown_inline(h) for h in headers) + " |"]
    lines.append("|" + "|".join("---:" if n else "---" for n in numeric) + "|")
    lines += ["| " + " | ".join(markdown_inline(c) for c in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def listing_markdown(listing: Listing) -> str:
    """A listing as a Markdown section."""
    body = markdown_table([c.header for c in listing.columns], listing.cells(), [c.numeric for c in listing.columns])
    return f"## {markdown_inline(listing.title)}\n\n{body}\n{len(listing.rows)} entries.\n"


def listing_json(listing: Listing) -> str:
    """A listing as JSON: kind, count and the raw rows (numbers unrounded, missing as null)."""
    return to_json({"kind": listing.kind, "title": listing.title, "count": len(listing.rows), "entries": listing.rows})


def print_listing(console: Console, listing: Listing) -> None:
    """A listing as a rich table."""
    table = Table(title=terminal_text(listing.title), header_style="bold")
    for c in listing.columns:
        table.add_column(c.header, justify="right" if c.numeric else "left", no_wrap=c.key == "id")
    for row in listing.cells():
        table.add_row(*[terminal_text(cell) for cell in row])
    console.print(table)
    console.print(f"{len(listing.rows)} entries")


def entry_markdown(view: EntryView) -> str:
    """One entry, every field with its source, as Markdown."""
    rows = [[k, v] for k, v in flatten(view.fields)]
    head = f"## {markdown_inline(view.noun)} {markdown_code(view.id)}\n\nFrom {markdown_code(view.file)}"
    if view.provider:
        provider = f"{view.provider['name']} ({view.provider['pricing_url']})"
        head += f", provider {markdown_inline(provider)}"
    return head + ".\n\n" + markdown_table(["field", "value"], rows)


def print_entry(console: Console, view: EntryView) -> None:
    """One entry as a two-column rich table."""
    title = Text.assemble(
        terminal_text(view.noun), " ", terminal_text(view.id, limit=NAME_LIMIT), "  (", terminal_text(view.file), ")"
    )
    table = Table(title=title, show_header=True, header_style="bold")
    table.add_column("field", no_wrap=True)
    table.add_column("value", overflow="fold")
    if view.provider:
        table.add_row("provider", terminal_text(f"{view.provider['name']} ({view.provider['pricing_url']})"))
    for key, value in flatten(view.fields):
        table.add_row(terminal_text(key), terminal_text(value))
    console.print(table)
