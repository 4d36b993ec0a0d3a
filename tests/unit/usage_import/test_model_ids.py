"""Provider model names to catalog ids: dated snapshots, version dashes, gateway prefixes, OpenRouter's order."""

from __future__ import annotations

import pytest

from llmdecide.catalog import Catalog, load_catalog
from llmdecide.usage_import.model_ids import match_model


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


@pytest.mark.parametrize(
    ("name", "provider", "expected"),
    [
        ("gpt-4o-2024-08-06", "openai", "openai/gpt-4o"),
        ("gpt-4o-mini-2024-07-18", None, "openai/gpt-4o-mini"),
        ("claude-sonnet-4-20250514", None, "anthropic/claude-sonnet-4"),
        ("claude-3-5-haiku-20241022", "anthropic", "anthropic/claude-3.5-haiku"),
        ("claude-opus-4-1-20250805", None, "anthropic/claude-opus-4.1"),
        ("azure/gpt-4o", None, "azure-openai/gpt-4o"),
        ("gpt-4o", "azure.ai.openai", "azure-openai/gpt-4o"),
        ("openai/gpt-4o-mini", None, "openai/gpt-4o-mini"),
        ("anthropic/claude-4.5-sonnet-20250929", None, "anthropic/claude-sonnet-4.5"),
        ("models/gemini-1.5-pro", None, "google/gemini-1.5-pro"),
        ("gemini-2.5-flash", "gcp.gemini", "google/gemini-2.5-flash"),
        ("mistral-large-2411", "mistral", "mistral/mistral-large-2411"),
        ("gpt-4", None, "openai/gpt-4"),
    ],
)
def test_names_map_to_the_catalog(catalog: Catalog, name: str, provider: str | None, expected: str) -> None:
    assert match_model(catalog, name, provider).catalog_id == expected


def test_unknown_names_stay_unmapped_and_say_why(catalog: Catalog) -> None:
    found = match_model(catalog, "my-finetune-v3", None)
    assert found.catalog_id is None and "not in the catalog" in found.note
    assert match_model(catalog, "gpt-4o", "bedrock").catalog_id is None  # no such model in that price list
    assert match_model(catalog, "gpt-4o-turbo-preview", "openai").catalog_id is None  # never a prefix match
