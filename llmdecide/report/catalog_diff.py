"""Rendering a :class:`CatalogDiff` for terminals, pull requests (Markdown) and machines (JSON)."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table

from llmdecide.catalog.diff import CatalogDiff, FieldChange, describe_kind
from llmdecide.report.formatting import fmt_text
from llmdecide.report.tables import markdown_table, to_json
from llmdecide.report.text_safety import markdown_code, terminal_text


def _value(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:,.6f}".rstrip("0").rstrip(".")
    return fmt_text(v)


def _pct(c: FieldChange) -> str:
    p = c.pct_change
    return "" if p is None else f"{p:+.1f}%"


def change_rows(diff: CatalogDiff) -> list[list[str]]:
    """One row per added, removed or changed field: kind, id, change, field, old, new, %."""
    rows: list[list[str]] = []
    rows += [[describe_kind(k), i, "added", "", "", "", ""] for k, i in diff.added]
    rows += [[describe_kind(k), i, "removed", "", "", "", ""] for k, i in diff.removed]
    for e in diff.changed:
        for c in e.changes:
            rows.append([describe_kind(e.kind), e.id, "changed", c.field, _value(c.old), _value(c.new), _pct(c)])
    return rows


HEADERS = ["kind", "id", "change", "field", "old", "new", "change %"]

PERIOD_CHANGES = {
    "period_added": "period added",
    "period_removed": "period removed (rewrites history)",
    "period_overwritten": "open period overwritten in place (rewrites history)",
    "history_changed": "closed period changed (rewrites history)",
}
"""How each kind of price-period change reads in a report."""

HISTORY_HEADERS = ["kind", "id", "period from", "change", "field", "old", "new", "change %"]


def history_rows(diff: CatalogDiff) -> list[list[str]]:
    """One row per price period added, removed or altered (one per changed field)."""
    rows: list[list[str]] = []
    for h in diff.history:
        label = PERIOD_CHANGES[h.change]
        if not h.fields:
            rows.append([describe_kind(h.kind), h.id, h.effective_from, label, "", "", "", ""])
        for c in h.fields:
            rows.append(
                [describe_kind(h.kind), h.id, h.effective_from, label, c.field, _value(c.old), _value(c.new), _pct(c)]
            )
    return rows


def diff_summary(diff: CatalogDiff) -> str:
    """One line: how many entries were added, removed, changed, and how many price periods."""
    periods = sum(h.change == "period_added" for h in diff.history)
    return (
        f"{len(diff.added)} added, {len(diff.removed)} removed, {len(diff.changed)} changed; "
        f"{periods} price periods added, {len(diff.rewrites)} history rewrites"
    )


def diff_markdown(diff: CatalogDiff, old_label: str, new_label: str) -> str:
    """A Markdown section to paste into a pull request."""
    head = f"## Catalog changes: {markdown_code(old_label)} → {markdown_code(new_label)}\n\n{diff_summary(diff)}.\n"
    if diff.empty:
        return head
    text = head
    rows = change_rows(diff)
    if rows:
        text += "\n" + markdown_table(HEADERS, rows, [False] * 4 + [True] * 3)
    if diff.history:
        text += "\n### Price history\n\n" + markdown_table(
            HISTORY_HEADERS, history_rows(diff), [False] * 5 + [True] * 3
        )
    return text


def diff_json(diff: CatalogDiff, old_label: str, new_label: str) -> str:
    """The diff as JSON."""
    return to_json({"old": old_label, "new": new_label, **diff.as_json()})


def print_diff(console: Console, diff: CatalogDiff) -> None:
    """The diff as a rich table."""
    if diff.empty:
        console.print("No changes.")
        return
    table = Table(title="Catalog changes", header_style="bold")
    for h in HEADERS:
        table.add_column(h, justify="right" if h in ("old", "new", "change %") else "left")
    for row in change_rows(diff):
        table.add_row(*[terminal_text(cell) for cell in row])
    if table.row_count:
        console.print(table)
    if diff.history:
        history = Table(title="Price history", header_style="bold")
        for h in HISTORY_HEADERS:
            history.add_column(h, justify="right" if h in ("old", "new", "change %") else "left")
        for row in history_rows(diff):
            history.add_row(*[terminal_text(cell) for cell in row])
        console.print(history)
    console.print(terminal_text(diff_summary(diff)))
