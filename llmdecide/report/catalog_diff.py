"""Rendering a :class:`CatalogDiff` for terminals, pull requests (Markdown) and machines (JSON)."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table

from llmdecide.catalog.diff import CatalogDiff, FieldChange, describe_kind
from llmdecide.report.formatting import fmt_text
from llmdecide.report.tables import markdown_table, to_json


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


def diff_summary(diff: CatalogDiff) -> str:
    """One line: how many entries were added, removed, changed."""
    return f"{len(diff.added)} added, {len(diff.removed)} removed, {len(diff.changed)} changed"


def diff_markdown(diff: CatalogDiff, old_label: str, new_label: str) -> str:
    """A Markdown section to paste into a pull request."""
    head = f"## Catalog changes: `{old_label}` → `{new_label}`\n\n{diff_summary(diff)}.\n"
    if diff.empty:
        return head
    return head + "\n" + markdown_table(HEADERS, change_rows(diff), [False] * 4 + [True] * 3)


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
        table.add_row(*row)
    console.print(table)
    console.print(diff_summary(diff))
