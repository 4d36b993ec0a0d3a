"""What changed between two catalogs: added, removed and changed entries, field by field, and price history.

Priced entries are compared at their current price period (the newest one),
so a price cut recorded as a new period shows as a change of the price fields.
Every price period is also compared, matched by ``effective_from``: a period
added is an ordinary update; a period removed, a closed period whose values
changed, or an open period overwritten in place (instead of ended and
followed by a new one) rewrites history, which ``--fail-on-history-change``
catches.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from llmdecide.catalog.catalog import KIND_NOUNS, KINDS, Catalog, Entry, price_on
from llmdecide.catalog.schema import Accelerator, ApiModel, OpenModel, RentalOffer

PRICE_FIELDS = frozenset(
    {
        "input_usd_per_mtok",
        "output_usd_per_mtok",
        "cached_input_usd_per_mtok",
        "on_demand_usd_per_gpu_hour",
        "spot_usd_per_gpu_hour",
        "committed_1y_usd_per_gpu_hour",
        "committed_3y_usd_per_gpu_hour",
        "purchase_usd",
    }
)
"""Fields that are prices: the ones ``--fail-above`` looks at."""


@dataclass(frozen=True)
class FieldChange:
    """One field of one entry that differs."""

    field: str
    old: Any
    new: Any

    @property
    def pct_change(self) -> float | None:
        """Relative change in percent; None when either side is missing or not a number."""
        if isinstance(self.old, (int, float)) and isinstance(self.new, (int, float)) and self.old != 0:
            if isinstance(self.old, bool) or isinstance(self.new, bool):
                return None
            return (self.new - self.old) / abs(self.old) * 100.0
        return None


@dataclass(frozen=True)
class EntryChange:
    """An entry present in both catalogs whose compared fields differ."""

    kind: str
    id: str
    changes: tuple[FieldChange, ...]


PeriodChangeKind = Literal["period_added", "period_removed", "period_overwritten", "history_changed"]

HISTORY_REWRITES = frozenset({"period_removed", "period_overwritten", "history_changed"})
"""Period changes that rewrite recorded history rather than add to it."""


@dataclass(frozen=True)
class PeriodChange:
    """One price period of an entry present in both catalogs that was added, removed or altered."""

    kind: str
    id: str
    effective_from: str
    change: PeriodChangeKind
    fields: tuple[FieldChange, ...] = ()


@dataclass
class CatalogDiff:
    """Added, removed and changed entries between an old and a new catalog, and their price history."""

    added: list[tuple[str, str]] = field(default_factory=list)
    removed: list[tuple[str, str]] = field(default_factory=list)
    changed: list[EntryChange] = field(default_factory=list)
    history: list[PeriodChange] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        """True when the catalogs hold the same entries with the same compared values and price history."""
        return not (self.added or self.removed or self.changed or self.history)

    @property
    def rewrites(self) -> list[PeriodChange]:
        """Period changes that rewrite history: removed periods, altered closed periods, in-place overwrites."""
        return [h for h in self.history if h.change in HISTORY_REWRITES]

    def price_changes(self) -> list[tuple[str, FieldChange]]:
        """(entry id, change) for every price field that moved, current or historical."""
        out = [(e.id, c) for e in self.changed for c in e.changes if c.field in PRICE_FIELDS]
        out += [(h.id, c) for h in self.history for c in h.fields if c.field in PRICE_FIELDS]
        return out

    def max_price_change_pct(self) -> float:
        """Largest absolute percentage change of any price field, in any period (0 when none changed)."""
        pcts = [abs(c.pct_change) for _, c in self.price_changes() if c.pct_change is not None]
        return max(pcts, default=0.0)

    def as_json(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "added": [{"kind": k, "id": i} for k, i in self.added],
            "removed": [{"kind": k, "id": i} for k, i in self.removed],
            "changed": [
                {
                    "kind": e.kind,
                    "id": e.id,
                    "changes": [
                        {"field": c.field, "old": c.old, "new": c.new, "pct_change": _round(c.pct_change)}
                        for c in e.changes
                    ],
                }
                for e in self.changed
            ],
            "history": [
                {
                    "kind": h.kind,
                    "id": h.id,
                    "effective_from": h.effective_from,
                    "change": h.change,
                    "rewrites_history": h.change in HISTORY_REWRITES,
                    "changes": [
                        {"field": c.field, "old": c.old, "new": c.new, "pct_change": _round(c.pct_change)}
                        for c in h.fields
                    ],
                }
                for h in self.history
            ],
        }


def _round(v: float | None) -> float | None:
    return None if v is None or math.isnan(v) else round(v, 4)


def _api_fields(entry: Entry[ApiModel]) -> dict[str, Any]:
    m = entry.item
    p = price_on(m.prices)
    lc = p.long_context if p else None
    return {
        "tier": m.tier.value,
        "status": m.status.value,
        "context_window_tokens": m.context_window_tokens,
        "max_output_tokens": m.max_output_tokens,
        "input_usd_per_mtok": p.input_usd_per_mtok if p else None,
        "output_usd_per_mtok": p.output_usd_per_mtok if p else None,
        "cached_input_usd_per_mtok": p.cached_input_usd_per_mtok if p else None,
        "batch_discount": p.batch_discount if p else None,
        "long_context_threshold_tokens": lc.threshold_tokens if lc else None,
        "effective_from": p.effective_from.isoformat() if p else None,
    }


def _rental_fields(entry: Entry[RentalOffer]) -> dict[str, Any]:
    o = entry.item
    p = price_on(o.prices)
    return {
        "accelerator": o.accelerator,
        "gpus_per_instance": o.gpus_per_instance,
        "region": o.region,
        "on_demand_usd_per_gpu_hour": p.on_demand_usd_per_gpu_hour if p else None,
        "spot_usd_per_gpu_hour": p.spot_usd_per_gpu_hour if p else None,
        "committed_1y_usd_per_gpu_hour": p.committed_1y_usd_per_gpu_hour if p else None,
        "committed_3y_usd_per_gpu_hour": p.committed_3y_usd_per_gpu_hour if p else None,
        "effective_from": p.effective_from.isoformat() if p else None,
    }


def _accelerator_fields(entry: Entry[Accelerator]) -> dict[str, Any]:
    a = entry.item
    p = price_on(a.purchase_prices)
    out = a.model_dump(mode="json", exclude={"id", "name", "purchase_prices", "source", "checked", "note"})
    out["purchase_usd"] = p.usd if p else None
    return out


def _model_fields(entry: Entry[OpenModel]) -> dict[str, Any]:
    return entry.item.model_dump(mode="json", exclude={"id", "source", "checked", "note", "tier_basis"})


_FIELDS: dict[str, Callable[[Any], dict[str, Any]]] = {
    "api": _api_fields,
    "rental": _rental_fields,
    "accelerators": _accelerator_fields,
    "models": _model_fields,
}


def _periods(kind: str, entry: Entry[Any]) -> list[Any]:
    item = entry.item
    if kind == "accelerators":
        return list(item.purchase_prices)
    if kind in ("api", "rental"):
        return list(item.prices)
    return []


PERIOD_PRICE_KEYS = {"usd": "purchase_usd"}
"""Period fields named as the current-price fields are (so --fail-above sees them)."""


def _period_values(period: Any) -> dict[str, Any]:
    values = period.model_dump(mode="json", exclude={"source", "checked", "note", "effective_from"})
    return {PERIOD_PRICE_KEYS.get(k, k): v for k, v in values.items()}


def _history(kind: str, entry_id: str, old: Entry[Any], new: Entry[Any]) -> list[PeriodChange]:
    before = {p.effective_from.isoformat(): p for p in _periods(kind, old)}
    after = {p.effective_from.isoformat(): p for p in _periods(kind, new)}
    out: list[PeriodChange] = []
    for start in sorted(set(before) | set(after)):
        if start not in before:
            out.append(PeriodChange(kind, entry_id, start, "period_added"))
            continue
        if start not in after:
            out.append(PeriodChange(kind, entry_id, start, "period_removed"))
            continue
        a, b = _period_values(before[start]), _period_values(after[start])
        changes = tuple(FieldChange(k, a.get(k), b.get(k)) for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k))
        if not changes:
            continue
        if a.get("effective_to") is not None:
            out.append(PeriodChange(kind, entry_id, start, "history_changed", changes))
        elif any(c.field != "effective_to" for c in changes):
            out.append(PeriodChange(kind, entry_id, start, "period_overwritten", changes))
    return out


def diff_catalogs(old: Catalog, new: Catalog) -> CatalogDiff:
    """Compare two catalogs kind by kind, entry by entry, field by field."""
    result = CatalogDiff()
    for kind in KINDS:
        old_t, new_t = old.table(kind), new.table(kind)
        fields = _FIELDS[kind]
        result.added += [(kind, i) for i in sorted(set(new_t) - set(old_t))]
        result.removed += [(kind, i) for i in sorted(set(old_t) - set(new_t))]
        for entry_id in sorted(set(old_t) & set(new_t)):
            before, after = fields(old_t[entry_id]), fields(new_t[entry_id])
            changes = tuple(
                FieldChange(k, before.get(k), after.get(k))
                for k in sorted(set(before) | set(after))
                if before.get(k) != after.get(k)
            )
            if changes:
                result.changed.append(EntryChange(kind, entry_id, changes))
            result.history += _history(kind, entry_id, old_t[entry_id], new_t[entry_id])
    return result


def describe_kind(kind: str) -> str:
    """The noun for a kind, for reports."""
    return KIND_NOUNS[kind]


@dataclass(frozen=True)
class Gate:
    """One ``catalog diff`` gate: whether it was asked for, whether it tripped, and why."""

    option: str
    enabled: bool
    tripped: bool
    why: str

    def as_json(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"gate": self.option, "enabled": self.enabled, "tripped": self.tripped, "why": self.why}


def diff_gates(
    diff: CatalogDiff,
    deltas: Sequence[Any],
    *,
    fail_on_removed: bool,
    fail_above: float | None,
    fail_on_change: bool,
    fail_on_decision_change: bool,
    fail_on_history_change: bool,
) -> list[Gate]:
    """Every gate with its outcome; a gate not asked for never trips. ``deltas`` are the workload deltas."""
    biggest = max(diff.price_changes(), key=lambda ic: abs(ic[1].pct_change or 0.0), default=None)
    changed = [d for d in deltas if d.decision_changed]
    rewrites = diff.rewrites
    above = fail_above is not None and diff.max_price_change_pct() > fail_above
    return [
        Gate(
            "--fail-on-removed",
            fail_on_removed,
            fail_on_removed and bool(diff.removed),
            ", ".join(f"{k} {i}" for k, i in diff.removed) or "nothing removed",
        ),
        Gate(
            f"--fail-above {fail_above:g}" if fail_above is not None else "--fail-above",
            fail_above is not None,
            above,
            f"{biggest[0]} {biggest[1].field} changed {biggest[1].pct_change:+.1f}%"
            if biggest is not None and biggest[1].pct_change is not None
            else "no price changed",
        ),
        Gate(
            "--fail-on-change",
            fail_on_change,
            fail_on_change and not diff.empty,
            "the catalogs differ" if not diff.empty else "no difference",
        ),
        Gate(
            "--fail-on-decision-change",
            fail_on_decision_change,
            fail_on_decision_change and bool(changed),
            ", ".join(f"{d.workload} {d.old_decision} -> {d.new_decision}" for d in changed) or "no decision changed",
        ),
        Gate(
            "--fail-on-history-change",
            fail_on_history_change,
            fail_on_history_change and bool(rewrites),
            ", ".join(f"{h.id} period from {h.effective_from} {h.change.replace('_', ' ')}" for h in rewrites)
            or "no history rewritten",
        ),
    ]
