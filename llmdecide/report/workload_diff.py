"""How a catalog change moves each workload's decision and costs (``catalog diff --workloads``)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict
from rich.console import Console
from rich.table import Table

from llmdecide.report.formatting import fmt_text, fmt_usd
from llmdecide.report.result import DecisionReport
from llmdecide.report.tables import markdown_table
from llmdecide.report.text_safety import terminal_text


class WorkloadDelta(BaseModel):
    """One workload assessed under the old and the new catalog."""

    model_config = ConfigDict(frozen=True)

    workload: str
    old_decision: str
    new_decision: str
    old_plan: str | None
    new_plan: str | None
    old_monthly_usd: float | None
    new_monthly_usd: float | None
    old_horizon_usd: float | None
    new_horizon_usd: float | None
    new_decided_by: str
    """Why the new catalog's recommendation is what it is (the deciding rule, as the report says it)."""

    @property
    def decision_changed(self) -> bool:
        """Whether the decision (cloud/local/hybrid/none) or the recommended plan changed."""
        return self.old_decision != self.new_decision or self.old_plan != self.new_plan

    def as_json(self) -> dict[str, Any]:
        """JSON-ready form, with the change flag."""
        return {**self.model_dump(), "decision_changed": self.decision_changed}


def workload_delta(name: str, old: DecisionReport, new: DecisionReport) -> WorkloadDelta:
    """One workload's recommendation under the old and the new catalog, side by side."""
    ra, rb = old.recommendation, new.recommendation
    return WorkloadDelta(
        workload=name,
        old_decision=ra.decision,
        new_decision=rb.decision,
        old_plan=ra.label,
        new_plan=rb.label,
        old_monthly_usd=ra.monthly_cost_usd,
        new_monthly_usd=rb.monthly_cost_usd,
        old_horizon_usd=ra.horizon_cost_usd,
        new_horizon_usd=rb.horizon_cost_usd,
        new_decided_by=rb.decided_by.text,
    )


def _pct(old: float | None, new: float | None) -> str:
    if old is None or new is None or old == 0:
        return ""
    return f"{(new - old) / old * 100:+.1f}%"


def delta_rows(deltas: list[WorkloadDelta]) -> list[list[str]]:
    """Rows: workload, decision old -> new, plan old -> new, monthly old -> new and change, horizon change,
    whether it changed, and why the new decision is what it is."""
    return [
        [
            d.workload,
            d.old_decision if d.old_decision == d.new_decision else f"{d.old_decision} -> {d.new_decision}",
            fmt_text(d.new_plan) if d.old_plan == d.new_plan else f"{fmt_text(d.old_plan)} -> {fmt_text(d.new_plan)}",
            f"{fmt_usd(d.old_monthly_usd)} -> {fmt_usd(d.new_monthly_usd)}",
            _pct(d.old_monthly_usd, d.new_monthly_usd),
            _pct(d.old_horizon_usd, d.new_horizon_usd),
            "yes" if d.decision_changed else "no",
            d.new_decided_by if d.decision_changed else "",
        ]
        for d in deltas
    ]


DELTA_HEADERS = [
    "workload",
    "decision",
    "plan",
    "first month USD",
    "change",
    "horizon change",
    "decision changed",
    "why (new)",
]


def deltas_markdown(deltas: list[WorkloadDelta]) -> str:
    """The workload deltas as a Markdown section."""
    changed = sum(d.decision_changed for d in deltas)
    head = f"## Effect on workloads\n\n{len(deltas)} workloads re-assessed; {changed} decisions changed.\n\n"
    return head + markdown_table(
        DELTA_HEADERS, delta_rows(deltas), [False, False, False, True, True, True, False, False]
    )


def print_deltas(console: Console, deltas: list[WorkloadDelta]) -> None:
    """The workload deltas as a rich table."""
    table = Table(title="Effect on workloads", header_style="bold")
    for h in DELTA_HEADERS:
        table.add_column(h)
    for row in delta_rows(deltas):
        table.add_row(*[terminal_text(cell) for cell in row])
    console.print(table)
