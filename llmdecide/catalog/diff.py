"""What changed between two catalogs: added, removed and changed entries, field by field.

Priced entries are compared at their current price period (the newest one),
so a price cut recorded as a new period shows as a change of the price fields.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

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


@dataclass
class CatalogDiff:
    """Added, removed and changed entries between an old and a new catalog."""

    added: list[tuple[str, str]] = field(default_factory=list)
    removed: list[tuple[str, str]] = field(default_factory=list)
    changed: list[EntryChange] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        """True when the catalogs hold the same entries with the same compared values."""
        return not (self.added or self.removed or self.changed)

    def max_price_change_pct(self) -> float:
        """Largest absolute percentage change of any price field (0 when none changed)."""
        pcts = [
            abs(c.pct_change)
            for e in self.changed
            for c in e.changes
            if c.field in PRICE_FIELDS and c.pct_change is not None
        ]
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
    return result


def describe_kind(kind: str) -> str:
    """The noun for a kind, for reports."""
    return KIND_NOUNS[kind]
