"""Looking entries up by id, price periods by date, and overlays."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from llmdecide.catalog import load_catalog, price_on
from llmdecide.errors import CatalogError, UnknownIdError


def test_resolve_exact_short_and_prefix(test_catalog: Path) -> None:
    cat = load_catalog(test_catalog)
    assert cat.resolve("models", "meta/llama-3.1-8b") == "meta/llama-3.1-8b"
    assert cat.resolve("models", "llama-3.1-8b") == "meta/llama-3.1-8b"
    assert cat.resolve("accelerators", "h100-sxm") == "nvidia/h100-sxm-80gb"
    assert cat.resolve("accelerators", "RTX-4090") == "nvidia/rtx-4090"


def test_unknown_id_suggests(test_catalog: Path) -> None:
    cat = load_catalog(test_catalog)
    with pytest.raises(UnknownIdError) as info:
        cat.api_model("openai/gpt4o")
    assert "openai/gpt-4o" in info.value.suggestions
    assert "did you mean" in str(info.value)


def test_ambiguous_short_id_is_an_error(test_catalog: Path) -> None:
    cat = load_catalog(test_catalog)
    with pytest.raises(UnknownIdError) as info:
        cat.resolve("models", "llama-3.1")
    assert info.value.suggestions == ["meta/llama-3.1-70b", "meta/llama-3.1-8b"]
    assert cat.resolve("accelerators", "a100") == "nvidia/a100-sxm-80gb"


def test_price_on_dates(test_catalog: Path) -> None:
    prices = load_catalog(test_catalog).api_model("openai/gpt-4o").item.prices
    assert price_on(prices, dt.date(2024, 6, 1)).input_usd_per_mtok == 5.0  # type: ignore[union-attr]
    assert price_on(prices, dt.date(2024, 8, 6)).input_usd_per_mtok == 2.5  # type: ignore[union-attr]
    assert price_on(prices, None).input_usd_per_mtok == 2.5  # type: ignore[union-attr]
    assert price_on(prices, dt.date(2020, 1, 1)) is None


def test_invalid_catalog_refuses_to_load(catalog_copy: Path) -> None:
    (catalog_copy / "hardware/models.yaml").write_text("schema_version: 1\nkind: open_models\n")
    with pytest.raises(CatalogError, match=r"hardware/models\.yaml"):
        load_catalog(catalog_copy)


OVERLAY = """\
schema_version: 1
kind: overlay
version: acme-2025-q1
as_of: 2025-01-01
api_discounts:
  - models: ["openai/*"]
    discount: 0.2
    source: "Acme enterprise agreement 2025, schedule B"
    checked: 2025-01-01
accelerators:
  - id: acme/h100-owned
    name: Our H100s
    vendor: NVIDIA
    accelerator_class: datacenter
    form_factor: module
    architecture: Hopper
    memory_gb: 80
    memory_type: HBM3
    memory_bandwidth_gb_per_s: 3350
    bf16_dense_tflops: 989
    tdp_w: 700
    interconnect: NVLink 4
    release_year: 2023
    source: "asset register 2025"
    checked: 2025-01-01
    purchase_prices:
      - {effective_from: 2024-01-10, usd: 21000, unit: gpu, basis: negotiated, source: "PO 4471", checked: 2025-01-01}
assumptions:
  electricity_usd_per_kwh: {value: 0.08, source: "our utility contract", checked: 2025-01-01}
"""


def test_overlay_discounts_adds_and_replaces(test_catalog: Path, tmp_path: Path) -> None:
    overlay = tmp_path / "acme.yaml"
    overlay.write_text(OVERLAY)
    cat = load_catalog(test_catalog, [overlay])
    price = price_on(cat.api_model("openai/gpt-4o").item.prices)
    assert price is not None
    assert price.input_usd_per_mtok == pytest.approx(2.0)
    assert price.cached_input_usd_per_mtok == pytest.approx(1.0)
    assert "20% discount" in (price.note or "")
    other = price_on(cat.api_model("anthropic/claude-3.5-sonnet").item.prices)
    assert other is not None and other.input_usd_per_mtok == 3.0
    assert cat.accelerator("acme/h100-owned").file == overlay.name  # reports name an overlay by its file name
    assert cat.require_assumptions().electricity_usd_per_kwh.value == 0.08
    assert cat.require_assumptions().pue.value == 1.5
    assert any(v.id == overlay.name for v in cat.versions)


def test_overlay_is_validated_like_the_catalog(test_catalog: Path, tmp_path: Path) -> None:
    overlay = tmp_path / "bad.yaml"
    overlay.write_text(OVERLAY.replace("discount: 0.2", "discount: 20").replace("memory_gb: 80", "memory_gb: 80000"))
    with pytest.raises(CatalogError) as info:
        load_catalog(test_catalog, [overlay])
    assert str(overlay) in str(info.value)
