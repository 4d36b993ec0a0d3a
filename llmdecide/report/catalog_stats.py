"""``llmdecide catalog stats`` rendered: the catalog's counts and the evidence behind its prices in force."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from llmdecide.catalog.stats import CatalogStats
from llmdecide.report.tables import markdown_table, to_json
from llmdecide.report.text_safety import terminal_text

EVIDENCE_HEADERS = ["prices in force", "count", "primary", "secondary", "estimate", "primary share", "older", "undated"]


def _evidence_rows(stats: CatalogStats) -> list[list[str]]:
    rows = []
    for r in stats.evidence:
        share = f"{r.primary_share:.0%}" if r.primary_share is not None else "n/a"
        rows.append(
            [
                r.kind,
                str(r.in_force),
                str(r.primary),
                str(r.secondary),
                str(r.estimate),
                share,
                str(r.older),
                str(r.undated),
            ]
        )
    return rows


def _older_note(stats: CatalogStats) -> str:
    return (
        f"Prices in force on {stats.on.isoformat()}; 'older': the source shows the price more than "
        f"{stats.stale_after_days} days before that date; 'undated': no observed date."
    )


def stats_markdown(stats: CatalogStats) -> str:
    """The statistics as Markdown: counts, then the evidence table."""
    counts = markdown_table(["entries", "count"], [[k, str(v)] for k, v in stats.counts.items()], [False, True])
    evidence = markdown_table(EVIDENCE_HEADERS, _evidence_rows(stats), [False] + [True] * 7)
    return f"## Catalog contents\n\n{counts}\n## Evidence behind the prices\n\n{evidence}\n{_older_note(stats)}\n"


def stats_json(stats: CatalogStats) -> str:
    """The statistics as JSON."""
    return to_json(
        {
            "on": stats.on.isoformat(),
            "stale_after_days": stats.stale_after_days,
            "counts": stats.counts,
            "evidence": [
                {
                    "kind": r.kind,
                    "in_force": r.in_force,
                    "primary": r.primary,
                    "secondary": r.secondary,
                    "estimate": r.estimate,
                    "unstated": r.unstated,
                    "primary_share": r.primary_share,
                    "older_than_threshold": r.older,
                    "undated": r.undated,
                }
                for r in stats.evidence
            ],
        }
    )


def print_stats(console: Console, stats: CatalogStats) -> None:
    """The statistics as rich tables."""
    counts = Table(title="Catalog contents", header_style="bold")
    counts.add_column("entries")
    counts.add_column("count", justify="right")
    for k, v in stats.counts.items():
        counts.add_row(terminal_text(k), str(v))
    console.print(counts)
    evidence = Table(title="Evidence behind the prices", header_style="bold")
    for i, h in enumerate(EVIDENCE_HEADERS):
        evidence.add_column(h, justify="right" if i else "left")
    for row in _evidence_rows(stats):
        evidence.add_row(*[terminal_text(cell) for cell in row])
    console.print(evidence)
    console.print(terminal_text(_older_note(stats)))
