"""What a catalog holds and how good its evidence is: counts, source kinds and evidence age of prices in force.

``llmdecide catalog stats`` prints these; the README's catalog section quotes them.
A price "in force" is the period of an entry in force on the date asked for (one
per API model, rental offer and accelerator), plus every operating assumption.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from llmdecide.catalog.catalog import Catalog, price_on
from llmdecide.catalog.schema import ModelStatus, Sourced, SourceKind


@dataclass(frozen=True)
class EvidenceRow:
    """The evidence behind one kind of price in force."""

    kind: str
    in_force: int
    primary: int
    secondary: int
    estimate: int
    unstated: int
    """Prices without a source_kind (overlays)."""
    older: int
    """Prices whose source shows them more than the threshold before the date."""
    undated: int
    """Prices without an observed date."""

    @property
    def primary_share(self) -> float | None:
        """Primary-sourced share of the prices in force (None when there are none)."""
        return self.primary / self.in_force if self.in_force else None


@dataclass(frozen=True)
class CatalogStats:
    """Counts of a catalog's entries and the evidence of its prices in force."""

    on: dt.date
    stale_after_days: int
    counts: dict[str, int]
    evidence: tuple[EvidenceRow, ...]


def _row(kind: str, items: Iterable[Sourced], on: dt.date, stale_after_days: int) -> EvidenceRow:
    found = list(items)
    by = {k: sum(1 for i in found if i.source_kind is k) for k in SourceKind}
    older = sum(1 for i in found if i.observed is not None and (on - i.observed).days > stale_after_days)
    return EvidenceRow(
        kind,
        len(found),
        by[SourceKind.PRIMARY],
        by[SourceKind.SECONDARY],
        by[SourceKind.ESTIMATE],
        sum(1 for i in found if i.source_kind is None),
        older,
        sum(1 for i in found if i.observed is None),
    )


def catalog_stats(catalog: Catalog, on: dt.date, stale_after_days: int = 90) -> CatalogStats:
    """The catalog's counts and the evidence behind its prices in force on ``on``."""
    api = [m.item for m in catalog.api_models.values()]
    current = [m for m in api if m.status is not ModelStatus.RETIRED]
    rentals = [o.item for o in catalog.rental_offers.values()]
    accelerators = [a.item for a in catalog.accelerators.values()]
    api_prices = [pa for m in api if (pa := price_on(m.prices, on)) is not None]
    rental_prices = [pr for o in rentals if (pr := price_on(o.prices, on)) is not None]
    purchase = [pp for a in accelerators if (pp := price_on(a.purchase_prices, on)) is not None]
    assumptions = [v for _, v in catalog.assumptions] if catalog.assumptions is not None else []
    providers = {e.provider.id for e in catalog.api_models.values() if e.provider}
    rental_providers = {e.provider.id for e in catalog.rental_offers.values() if e.provider}
    priced_accelerators = {o.accelerator for o in rentals if price_on(o.prices, on) is not None}
    priced_accelerators |= {a.id for a in accelerators if price_on(a.purchase_prices, on) is not None}
    counts = {
        "API models": len(api),
        "API models not retired": len(current),
        "API providers": len(providers),
        "hosted open-weight model offers": sum(1 for m in current if m.open_model is not None),
        "rental offers": len(rentals),
        "rental providers": len(rental_providers),
        "accelerators": len(accelerators),
        "accelerators with a price in force": len(priced_accelerators & {a.id for a in accelerators}),
        "open-weight models": len(catalog.open_models),
    }
    rows = (
        _row("API prices", api_prices, on, stale_after_days),
        _row("rental prices", rental_prices, on, stale_after_days),
        _row("purchase prices", purchase, on, stale_after_days),
        _row("assumptions", assumptions, on, stale_after_days),
    )
    return CatalogStats(on, stale_after_days, counts, rows)
