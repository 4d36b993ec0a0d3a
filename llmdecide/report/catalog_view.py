"""Views of catalog entries for ``catalog list`` and ``catalog show``: plain data, no rendering."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from llmdecide.catalog.catalog import KIND_NOUNS, Catalog, Entry, price_on
from llmdecide.catalog.schema import Accelerator, ApiModel, OpenModel, RentalOffer
from llmdecide.report.formatting import (
    fmt_int,
    fmt_number,
    fmt_pct,
    fmt_price,
    fmt_text,
    fmt_tokens,
    fmt_usd,
)

Formatter = Callable[[Any], str]


@dataclass(frozen=True)
class Column:
    """One column of a listing: its JSON key, its header and how to print a cell."""

    key: str
    header: str
    fmt: Formatter = fmt_text
    numeric: bool = False


@dataclass
class Listing:
    """A titled table whose rows are plain JSON-ready dicts."""

    title: str
    kind: str
    columns: list[Column]
    rows: list[dict[str, Any]] = field(default_factory=list)

    def cells(self) -> list[list[str]]:
        """Every row formatted for people."""
        return [[c.fmt(row.get(c.key)) for c in self.columns] for row in self.rows]


@dataclass(frozen=True)
class ListFilter:
    """Filters of ``catalog list``; None means no filter."""

    provider: str | None = None
    tier: str | None = None
    accelerator: str | None = None
    as_of: dt.date | None = None


def _api_row(entry: Entry[ApiModel], as_of: dt.date | None) -> dict[str, Any] | None:
    m = entry.item
    p = price_on(m.prices, as_of)
    if p is None:
        return None
    return {
        "id": m.id,
        "provider": entry.provider.id if entry.provider else None,
        "name": m.name,
        "tier": m.tier.value,
        "status": m.status.value,
        "context_window_tokens": m.context_window_tokens,
        "input_usd_per_mtok": p.input_usd_per_mtok,
        "output_usd_per_mtok": p.output_usd_per_mtok,
        "cached_input_usd_per_mtok": p.cached_input_usd_per_mtok,
        "batch_discount": p.batch_discount,
        "effective_from": p.effective_from.isoformat(),
        "open_model": m.open_model,
    }


def _rental_row(entry: Entry[RentalOffer], as_of: dt.date | None) -> dict[str, Any] | None:
    o = entry.item
    p = price_on(o.prices, as_of)
    if p is None:
        return None
    return {
        "id": o.id,
        "provider": entry.provider.id if entry.provider else None,
        "accelerator": o.accelerator,
        "gpus_per_instance": o.gpus_per_instance,
        "region": o.region,
        "on_demand_usd_per_gpu_hour": p.on_demand_usd_per_gpu_hour,
        "spot_usd_per_gpu_hour": p.spot_usd_per_gpu_hour,
        "committed_1y_usd_per_gpu_hour": p.committed_1y_usd_per_gpu_hour,
        "committed_3y_usd_per_gpu_hour": p.committed_3y_usd_per_gpu_hour,
        "effective_from": p.effective_from.isoformat(),
    }


def _accelerator_row(entry: Entry[Accelerator], as_of: dt.date | None) -> dict[str, Any] | None:
    a = entry.item
    price = price_on(a.purchase_prices, as_of)
    return {
        "id": a.id,
        "name": a.name,
        "class": a.accelerator_class.value,
        "memory_gb": a.memory_gb,
        "memory_bandwidth_gb_per_s": a.memory_bandwidth_gb_per_s,
        "bf16_dense_tflops": a.bf16_dense_tflops or a.fp16_dense_tflops,
        "fp8_dense_tflops": a.fp8_dense_tflops,
        "fp4_dense_tflops": a.fp4_dense_tflops,
        "tdp_w": a.tdp_w,
        "purchase_usd": price.usd if price else None,
        "purchase_unit": price.unit if price else None,
    }


def _model_row(entry: Entry[OpenModel], as_of: dt.date | None) -> dict[str, Any] | None:
    m = entry.item
    if as_of is not None and m.release_date > as_of:
        return None
    return {
        "id": m.id,
        "name": m.name,
        "tier": m.tier.value,
        "total_params_b": m.total_params_b,
        "active_params_b": m.active_params_b,
        "layers": m.layers,
        "attention_heads": m.attention_heads,
        "kv_heads": m.kv_heads,
        "head_dim": m.head_dim,
        "attention": m.attention.value,
        "max_context_tokens": m.max_context_tokens,
        "native_context_tokens": m.native_context_tokens or m.max_context_tokens,
        "licence": m.licence,
    }


COLUMNS: dict[str, list[Column]] = {
    "api": [
        Column("id", "id"),
        Column("tier", "tier"),
        Column("status", "status"),
        Column("context_window_tokens", "context", fmt_tokens, True),
        Column("input_usd_per_mtok", "in $/1M", fmt_price, True),
        Column("output_usd_per_mtok", "out $/1M", fmt_price, True),
        Column("cached_input_usd_per_mtok", "cached $/1M", fmt_price, True),
        Column("batch_discount", "batch", fmt_pct, True),
        Column("effective_from", "since"),
    ],
    "rental": [
        Column("id", "id"),
        Column("accelerator", "accelerator"),
        Column("gpus_per_instance", "GPUs", fmt_int, True),
        Column("region", "region"),
        Column("on_demand_usd_per_gpu_hour", "on-demand $/GPU-h", fmt_price, True),
        Column("spot_usd_per_gpu_hour", "spot", fmt_price, True),
        Column("committed_1y_usd_per_gpu_hour", "1-yr", fmt_price, True),
        Column("committed_3y_usd_per_gpu_hour", "3-yr", fmt_price, True),
        Column("effective_from", "since"),
    ],
    "accelerators": [
        Column("id", "id"),
        Column("class", "class"),
        Column("memory_gb", "memory GB", fmt_number, True),
        Column("memory_bandwidth_gb_per_s", "GB/s", fmt_number, True),
        Column("bf16_dense_tflops", "BF16 TFLOPS", fmt_number, True),
        Column("fp8_dense_tflops", "FP8", fmt_number, True),
        Column("fp4_dense_tflops", "FP4", fmt_number, True),
        Column("tdp_w", "W", fmt_number, True),
        Column("purchase_usd", "price $", fmt_usd, True),
        Column("purchase_unit", "per"),
    ],
    "models": [
        Column("id", "id"),
        Column("tier", "tier"),
        Column("total_params_b", "params B", fmt_number, True),
        Column("active_params_b", "active B", fmt_number, True),
        Column("layers", "layers", fmt_int, True),
        Column("attention_heads", "heads", fmt_int, True),
        Column("kv_heads", "KV heads", fmt_int, True),
        Column("head_dim", "head dim", fmt_int, True),
        Column("attention", "attention"),
        Column("max_context_tokens", "context", fmt_tokens, True),
        Column("native_context_tokens", "native", fmt_tokens, True),
        Column("licence", "licence"),
    ],
}

TITLES = {
    "api": "API token prices (USD per 1M tokens)",
    "rental": "GPU rental (USD per GPU-hour)",
    "accelerators": "Accelerators",
    "models": "Open-weight models",
}

_ROWS: dict[str, Callable[[Any, dt.date | None], dict[str, Any] | None]] = {
    "api": _api_row,
    "rental": _rental_row,
    "accelerators": _accelerator_row,
    "models": _model_row,
}


def _matches(kind: str, entry: Entry[Any], flt: ListFilter) -> bool:
    item = entry.item
    if flt.provider:
        wanted = flt.provider.lower()
        if kind in ("api", "rental"):
            have = entry.provider.id if entry.provider else ""
        elif kind == "accelerators":
            have = item.vendor.lower()
        else:
            have = item.id.split("/", 1)[0]
        if have != wanted and item.id.split("/", 1)[0] != wanted:
            return False
    if flt.tier and getattr(item, "tier", None) is not None and item.tier.value != flt.tier:
        return False
    return not (flt.accelerator and kind == "rental" and item.accelerator != flt.accelerator)


def build_listing(catalog: Catalog, kind: str, flt: ListFilter | None = None) -> Listing:
    """The rows of one kind of entry, filtered, in id order."""
    flt = flt or ListFilter()
    title = TITLES[kind] + (f", as of {flt.as_of.isoformat()}" if flt.as_of else "")
    listing = Listing(title, kind, COLUMNS[kind])
    for entry_id in sorted(catalog.table(kind)):
        entry = catalog.table(kind)[entry_id]
        if not _matches(kind, entry, flt):
            continue
        row = _ROWS[kind](entry, flt.as_of)
        if row is not None:
            listing.rows.append(row)
    return listing


@dataclass
class EntryView:
    """One catalog entry in full, for ``catalog show``."""

    kind: str
    noun: str
    id: str
    file: str
    provider: dict[str, Any] | None
    fields: dict[str, Any]

    def as_json(self) -> dict[str, Any]:
        """The JSON object ``catalog show --format json`` prints for this entry."""
        out: dict[str, Any] = {"kind": self.kind, "id": self.id, "file": self.file}
        if self.provider is not None:
            out["provider"] = self.provider
        out["entry"] = self.fields
        return out


def build_entry_view(catalog: Catalog, kind: str, entry_id: str) -> EntryView:
    """Every field of one entry, with its sources, as plain data."""
    entry = catalog.table(kind)[entry_id]
    assert isinstance(entry.item, BaseModel)
    provider = entry.provider.model_dump(mode="json") if entry.provider else None
    fields = entry.item.model_dump(mode="json")
    provenance: dict[str, Any] = {k: fields.pop(k) for k in ("source", "checked", "note") if k in fields}
    return EntryView(kind, KIND_NOUNS[kind], entry_id, entry.file, provider, {**fields, **provenance})


def flatten(fields: dict[str, Any], prefix: str = "") -> list[tuple[str, str]]:
    """Key paths and printable values of a nested entry, lists of mappings expanded with indexes."""
    out: list[tuple[str, str]] = []
    for key, value in fields.items():
        path = f"{prefix}.{key}" if prefix else key
        if isinstance(value, dict):
            out.extend(flatten(value, path))
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            for i, v in enumerate(value):
                out.extend(flatten(v, f"{path}[{i}]"))
        elif isinstance(value, list):
            out.append((path, ", ".join(str(v) for v in value) if value else "(none)"))
        else:
            out.append((path, fmt_text(value)))
    return out
