"""The loaded catalog: every entry by id, with lookups that never guess.

A :class:`Catalog` is built from parsed files (packaged catalog first, then the
user's overlays). Looking up an unknown id raises :class:`UnknownIdError` with
did-you-mean suggestions; ids may be given without their namespace when that
is unambiguous (``llama-3.1-8b``, ``h100-sxm``).
"""

from __future__ import annotations

import datetime as dt
import difflib
import fnmatch
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Generic, Protocol, TypeVar

from llmdecide.catalog.issues import Issue
from llmdecide.catalog.loader import LoadedFile
from llmdecide.catalog.schema import (
    Accelerator,
    AcceleratorFile,
    ApiModel,
    ApiPrice,
    ApiPriceFile,
    AssumptionFile,
    Engine,
    EngineFile,
    GpuRentalFile,
    Measurement,
    MeasurementFile,
    OpenModel,
    OpenModelFile,
    OperatingAssumptions,
    OverlayFile,
    PredictionInterval,
    PriceBasis,
    Provider,
    RentalOffer,
)
from llmdecide.errors import CatalogError, UnknownIdError

KINDS = ("api", "rental", "accelerators", "models")
"""The entry kinds of a catalog, as the command line names them."""

KIND_NOUNS = {
    "api": "API model",
    "rental": "rental offer",
    "accelerators": "accelerator",
    "models": "open model",
}

T = TypeVar("T")


@dataclass(frozen=True)
class Entry(Generic[T]):
    """A catalog entry with the file it came from and, for priced entries, its provider."""

    item: T
    file: str
    provider: Provider | None = None


@dataclass(frozen=True)
class CatalogVersion:
    """Version stamp of one catalog file, as reports list it."""

    id: str
    version: str
    as_of: dt.date


class _Dated(Protocol):
    @property
    def effective_from(self) -> dt.date: ...

    @property
    def effective_to(self) -> dt.date | None: ...


D = TypeVar("D", bound=_Dated)


def price_on(prices: Sequence[D], on: dt.date | None = None) -> D | None:
    """The price period in force on a date, or the newest one when no date is given.

    ``None`` when the date falls outside every period (before the first, in a gap,
    or after the last one ended).
    """
    if on is None:
        return max(prices, key=lambda p: p.effective_from) if prices else None
    for period in sorted(prices, key=lambda p: p.effective_from, reverse=True):
        if period.effective_from <= on and (period.effective_to is None or on <= period.effective_to):
            return period
    return None


def prices_by_month(prices: Sequence[D], starts: Sequence[dt.date]) -> list[D | None]:
    """The price period in force on the first day of each month (None where none is)."""
    return [price_on(prices, day) for day in starts]


@dataclass
class Catalog:
    """Every catalog entry by id, plus the operating assumptions."""

    api_models: dict[str, Entry[ApiModel]] = field(default_factory=dict)
    rental_offers: dict[str, Entry[RentalOffer]] = field(default_factory=dict)
    accelerators: dict[str, Entry[Accelerator]] = field(default_factory=dict)
    open_models: dict[str, Entry[OpenModel]] = field(default_factory=dict)
    engines: dict[str, Entry[Engine]] = field(default_factory=dict)
    measurements: dict[str, Entry[Measurement]] = field(default_factory=dict)
    prediction_intervals: list[PredictionInterval] = field(default_factory=list)
    providers: dict[str, Provider] = field(default_factory=dict)
    assumptions: OperatingAssumptions | None = None
    assumptions_file: str = ""
    versions: list[CatalogVersion] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)

    @property
    def as_of(self) -> dt.date | None:
        """The newest review date of the catalog files in use (None for a catalog built without files)."""
        return max((v.as_of for v in self.versions), default=None)

    # ------------------------------------------------------------ lookups

    def table(self, kind: str) -> dict[str, Entry[object]]:
        """The entries of one kind (``api``, ``rental``, ``accelerators``, ``models``)."""
        tables: dict[str, dict[str, Entry[object]]] = {
            "api": self.api_models,  # type: ignore[dict-item]
            "rental": self.rental_offers,  # type: ignore[dict-item]
            "accelerators": self.accelerators,  # type: ignore[dict-item]
            "models": self.open_models,  # type: ignore[dict-item]
        }
        return tables[kind]

    def resolve(self, kind: str, wanted: str, *, where: str = "") -> str:
        """The full id for ``wanted`` in one kind; raise :class:`UnknownIdError` if none or several match."""
        return resolve_id(self.table(kind).keys(), wanted, KIND_NOUNS[kind], where=where)

    def api_model(self, wanted: str, *, where: str = "") -> Entry[ApiModel]:
        """An API model by id (namespace optional when unambiguous)."""
        return self.api_models[self.resolve("api", wanted, where=where)]

    def accelerator(self, wanted: str, *, where: str = "") -> Entry[Accelerator]:
        """An accelerator by id (namespace optional when unambiguous)."""
        return self.accelerators[self.resolve("accelerators", wanted, where=where)]

    def open_model(self, wanted: str, *, where: str = "") -> Entry[OpenModel]:
        """An open-weight model by id (namespace optional when unambiguous)."""
        return self.open_models[self.resolve("models", wanted, where=where)]

    def engine(self, wanted: str, *, where: str = "") -> Entry[Engine]:
        """A serving engine by id."""
        key = wanted.strip().lower()
        if key in self.engines:
            return self.engines[key]
        close = difflib.get_close_matches(key, list(self.engines), n=3, cutoff=0.5)
        raise UnknownIdError("engine", wanted, close, where=where)

    def rental_offer(self, wanted: str, *, where: str = "") -> Entry[RentalOffer]:
        """A rental offer by id (namespace optional when unambiguous)."""
        return self.rental_offers[self.resolve("rental", wanted, where=where)]

    def require_assumptions(self) -> OperatingAssumptions:
        """The operating assumptions; a catalog without them cannot cost local deployments."""
        if self.assumptions is None:
            raise CatalogError("catalog has no pricing/assumptions.yaml; local costs need its assumptions")
        return self.assumptions


def resolve_id(ids: Iterable[str], wanted: str, noun: str, *, where: str = "") -> str:
    """Match ``wanted`` against ids: exactly, by name without namespace, or by a unique name prefix."""
    ids = list(ids)
    key = wanted.strip().lower()
    if key in ids:
        return key
    by_name = [i for i in ids if i.split("/", 1)[1] == key]
    if len(by_name) == 1:
        return by_name[0]
    if not by_name and "/" not in key:
        by_prefix = [i for i in ids if i.split("/", 1)[1].startswith(key + "-")]
        if len(by_prefix) == 1:
            return by_prefix[0]
        by_name = by_prefix
    if len(by_name) > 1:
        raise UnknownIdError(noun, wanted, sorted(by_name)[:5], where=where, ambiguous=True)
    names = {i.split("/", 1)[1]: i for i in ids}
    close = difflib.get_close_matches(key, ids, n=3, cutoff=0.6)
    close += [names[n] for n in difflib.get_close_matches(key.split("/")[-1], list(names), n=3, cutoff=0.6)]
    suggestions = list(dict.fromkeys(close))[:3]
    raise UnknownIdError(noun, wanted, suggestions, where=where)


def build_catalog(files: Sequence[LoadedFile], overlays: Sequence[LoadedFile] = ()) -> Catalog:
    """Assemble parsed files into a :class:`Catalog`; duplicate ids become issues (first one wins)."""
    cat = Catalog()

    def put(table: dict[str, Entry[T]], entry_id: str, entry: Entry[T], path: str) -> None:
        if entry_id in table:
            cat.issues.append(Issue(entry.file, path, f"duplicate id {entry_id!r} (also in {table[entry_id].file})"))
            return
        table[entry_id] = entry

    for loaded in files:
        f, model = loaded.display, loaded.model
        cat.versions.append(CatalogVersion(f, model.version, model.as_of))
        if isinstance(model, ApiPriceFile):
            cat.providers.setdefault(model.provider.id, model.provider)
            for i, m in enumerate(model.models):
                put(cat.api_models, m.id, Entry(m, f, model.provider), f"models[{i}].id")
        elif isinstance(model, GpuRentalFile):
            cat.providers.setdefault(model.provider.id, model.provider)
            for i, o in enumerate(model.offers):
                put(cat.rental_offers, o.id, Entry(o, f, model.provider), f"offers[{i}].id")
        elif isinstance(model, AcceleratorFile):
            for i, a in enumerate(model.accelerators):
                put(cat.accelerators, a.id, Entry(a, f), f"accelerators[{i}].id")
        elif isinstance(model, OpenModelFile):
            for i, om in enumerate(model.models):
                put(cat.open_models, om.id, Entry(om, f), f"models[{i}].id")
        elif isinstance(model, EngineFile):
            for i, e in enumerate(model.engines):
                put(cat.engines, e.id, Entry(e, f), f"engines[{i}].id")
            cat.prediction_intervals = list(model.prediction_intervals)
        elif isinstance(model, MeasurementFile):
            for i, ms in enumerate(model.measurements):
                put(cat.measurements, ms.id, Entry(ms, f), f"measurements[{i}].id")
        elif isinstance(model, AssumptionFile):
            if cat.assumptions is not None:
                cat.issues.append(Issue(f, "", f"second assumptions file (also {cat.assumptions_file})"))
            else:
                cat.assumptions, cat.assumptions_file = model.assumptions, f
    for loaded in overlays:
        assert isinstance(loaded.model, OverlayFile)
        apply_overlay(cat, loaded.model, loaded.display)
    cat.versions.sort(key=lambda v: v.id)
    return cat


def _provider_for(cat: Catalog, entry_id: str) -> Provider:
    namespace = entry_id.split("/", 1)[0]
    return cat.providers.get(namespace) or Provider(id=namespace, name=namespace, pricing_url="(overlay)")


def apply_overlay(cat: Catalog, overlay: OverlayFile, display: str) -> None:
    """Layer a user's overlay on the catalog: replace or add entries, apply discounts."""
    cat.versions.append(CatalogVersion(display, overlay.version, overlay.as_of))
    for m in overlay.api_models:
        cat.api_models[m.id] = Entry(m, display, _provider_for(cat, m.id))
    for o in overlay.rental_offers:
        cat.rental_offers[o.id] = Entry(o, display, _provider_for(cat, o.id))
    for a in overlay.accelerators:
        cat.accelerators[a.id] = Entry(a, display)
    for om in overlay.open_models:
        cat.open_models[om.id] = Entry(om, display)
    for engine in overlay.engines:
        known = cat.engines.get(engine.id)
        if known is None:
            cat.engines[engine.id] = Entry(engine, display)
            continue
        ours = [(p.accelerator_class, tuple(p.accelerators)) for p in engine.profiles]
        kept = [p for p in known.item.profiles if (p.accelerator_class, tuple(p.accelerators)) not in ours]
        merged = known.item.model_copy(update={"profiles": [*engine.profiles, *kept]})
        cat.engines[engine.id] = Entry(merged, f"{known.file} + {display}")
    for d_index, discount in enumerate(overlay.api_discounts):
        matched = False
        for model_id, entry in list(cat.api_models.items()):
            if not any(fnmatch.fnmatchcase(model_id, pattern.lower()) for pattern in discount.models):
                continue
            matched = True
            factor = 1.0 - discount.discount
            cat.api_models[model_id] = Entry(
                entry.item.model_copy(
                    update={"prices": [_discounted(p, factor, discount.source) for p in entry.item.prices]}
                ),
                display,
                entry.provider,
            )
        if not matched:
            cat.issues.append(Issue(display, f"api_discounts[{d_index}].models", "matches no API model"))
    if overlay.assumptions is not None:
        if cat.assumptions is None:
            cat.issues.append(Issue(display, "assumptions", "no packaged assumptions to override"))
        else:
            updates = {k: v for k, v in overlay.assumptions if v is not None}
            cat.assumptions = cat.assumptions.model_copy(update=updates)
            if updates:
                cat.assumptions_file = f"{cat.assumptions_file} + {display}"


def _discounted(price: ApiPrice, factor: float, source: str) -> ApiPrice:
    def scale(v: float | None) -> float | None:
        return None if v is None else v * factor

    long_context = price.long_context
    if long_context is not None:
        long_context = long_context.model_copy(
            update={
                "input_usd_per_mtok": long_context.input_usd_per_mtok * factor,
                "output_usd_per_mtok": long_context.output_usd_per_mtok * factor,
                "cached_input_usd_per_mtok": scale(long_context.cached_input_usd_per_mtok),
            }
        )
    tiers = price.service_tiers
    if tiers is not None:
        tiers = tiers.model_copy(
            update={
                name: tier.model_copy(
                    update={
                        "input_usd_per_mtok": tier.input_usd_per_mtok * factor,
                        "output_usd_per_mtok": tier.output_usd_per_mtok * factor,
                        "cached_input_usd_per_mtok": scale(tier.cached_input_usd_per_mtok),
                    }
                )
                for name, tier in tiers
                if tier is not None
            }
        )
    pct = round((1 - factor) * 100, 4)
    return price.model_copy(
        update={
            "input_usd_per_mtok": price.input_usd_per_mtok * factor,
            "output_usd_per_mtok": price.output_usd_per_mtok * factor,
            "cached_input_usd_per_mtok": scale(price.cached_input_usd_per_mtok),
            "cache_write_usd_per_mtok": scale(price.cache_write_usd_per_mtok),
            "long_context": long_context,
            "service_tiers": tiers,
            "basis": PriceBasis.NEGOTIATED if price.basis is PriceBasis.LIST else price.basis,
            "note": f"list price less a negotiated {pct:g}% discount ({source}); list source {price.source}",
        }
    )
