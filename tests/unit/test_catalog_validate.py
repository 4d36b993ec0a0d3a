"""Each catalog check, driven by a fault planted in a copy of the frozen test catalog."""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from llmdecide.catalog.issues import Severity
from llmdecide.catalog.validate import check_catalog_dir

TODAY = dt.date(2025, 6, 1)
Planter = Callable[[str, Callable[[dict[str, Any]], None]], Path]


def lines(root: Path, severity: Severity | None = None) -> list[str]:
    result = check_catalog_dir(root, today=TODAY)
    return [str(i) for i in result.issues if severity is None or i.severity is severity]


def test_frozen_test_catalog_is_clean(test_catalog: Path) -> None:
    assert lines(test_catalog) == []


def _set(path: list[Any], value: Any) -> Callable[[dict[str, Any]], None]:
    def mutate(data: dict[str, Any]) -> None:
        node: Any = data
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value

    return mutate


API = "pricing/api/openai.yaml"
ACC = "hardware/accelerators.yaml"
RENT = "pricing/gpu-rental/lambda.yaml"
MODELS = "hardware/models.yaml"

ERROR_CASES = [
    # (file, key path, value, expected line fragment)
    (API, ["models", 0, "tokens_per_dollar"], 5, "pricing/api/openai.yaml: models[0].tokens_per_dollar: unknown key"),
    (
        API,
        ["models", 0, "context_window_tokens"],
        "lots",
        "models[0].context_window_tokens: input should be a valid integer",
    ),
    (
        API,
        ["models", 0, "context_window_tokens"],
        True,
        "models[0].context_window_tokens: input should be a valid integer",
    ),
    (API, ["models", 0, "prices", 0, "input_usd_per_mtok"], "30", "input_usd_per_mtok: input should be a valid number"),
    (API, ["models", 0, "prices", 0, "input_usd_per_mtok"], -1, "input_usd_per_mtok: input should be greater than 0"),
    (API, ["models", 0, "tier"], "genius", "models[0].tier: input should be 'frontier'"),
    (API, ["models", 1, "id"], "openai/gpt-4", "models[1].id: duplicate id 'openai/gpt-4'"),
    (API, ["models", 0, "id"], "acme/gpt-4", "models[0].id: id must start with the provider id 'openai/'"),
    (API, ["models", 0, "id"], "OpenAI/GPT 4", "models[0].id: string should match pattern"),
    (
        API,
        ["models", 0, "open_model"],
        "meta/llama-3.1-8",
        "models[0].open_model: unknown open model 'meta/llama-3.1-8'",
    ),
    (API, ["models", 0, "checked"], dt.date(2030, 1, 1), "models[0].checked: date 2030-01-01 is in the future"),
    (API, ["as_of"], dt.date(2030, 1, 1), "pricing/api/openai.yaml: as_of: date 2030-01-01 is in the future"),
    (API, ["models", 0, "source"], "the internet", "models[0].source: expected a public http(s) URL"),
    (API, ["models", 0, "prices", 0, "input_usd_per_mtok"], 0.00003, "input_usd_per_mtok: 3e-05 is implausibly low"),
    (API, ["models", 0, "prices", 0, "output_usd_per_mtok"], 60000, "output_usd_per_mtok: 60000 is implausibly high"),
    (API, ["models", 1, "prices", 1, "cached_input_usd_per_mtok"], 9.0, "cached input costs more than uncached"),
    (
        API,
        ["models", 1, "prices", 0, "effective_to"],
        dt.date(2024, 9, 1),
        "models[1].prices[1].effective_from: price period from 2024-08-06 overlaps",
    ),
    (API, ["models", 1, "prices", 0, "effective_to"], dt.date(2024, 1, 1), "effective_to is before effective_from"),
    (API, ["models", 0, "prices", 0, "basis"], "sale", "models[0].prices[0].basis: input should be 'list'"),
    (
        API,
        ["models", 1, "prices", 1, "basis"],
        "promotional",
        "models[1].prices[1].effective_to: a promotional price needs its end date and the price that follows",
    ),
    (
        API,
        ["models", 1, "prices", 1, "end"],
        "unannounced",
        "end: unannounced is for a promotional or introductory price without effective_to",
    ),
    (
        API,
        ["models", 1, "status"],
        "retired",
        "models[1].prices[1].effective_to: a retired model's last price must end",
    ),
    (RENT, ["offers", 0, "prices", 0, "spot_basis"], "cheap", "spot_basis: input should be 'list'"),
    (
        API,
        ["schema_version"],
        2,
        "schema_version: unsupported schema version 2; this release reads 1 (the file is newer",
    ),
    (API, ["kind"], "accelerators", "kind: a 'accelerators' file does not belong in pricing/api/"),
    (
        RENT,
        ["offers", 0, "accelerator"],
        "nvidia/a100-sxm-80",
        "offers[0].accelerator: unknown accelerator 'nvidia/a100-sxm-80'; did you mean 'nvidia/a100-sxm-80gb'",
    ),
    (
        RENT,
        ["offers", 0, "prices", 0, "on_demand_usd_per_gpu_hour"],
        320.0,
        "on_demand_usd_per_gpu_hour: 320 is implausibly high (above 150); an instance price",
    ),
    (RENT, ["offers", 0, "prices", 0, "on_demand_usd_per_gpu_hour"], None, "a rental price needs at least one of"),
    (
        ACC,
        ["accelerators", 0, "memory_gb"],
        81920,
        "accelerators[0].memory_gb: 81920 is implausibly high (above 2048); memory in MB typed as GB?",
    ),
    (ACC, ["accelerators", 0, "memory_bandwidth_gb_per_s"], 3.35, "memory_bandwidth_gb_per_s: 3.35 is implausibly low"),
    (ACC, ["accelerators", 0, "tdp_w"], 0.7, "tdp_w: 0.7 is implausibly low"),
    (MODELS, ["models", 0, "kv_heads"], 7, "attention_heads is not a multiple of kv_heads"),
    (
        MODELS,
        ["models", 0, "total_params_b"],
        8030000,
        "total_params_b: 8.03e+06 is implausibly high (above 10000); millions typed as billions?",
    ),
    (
        API,
        ["models", 0, "prices", 0, "observed"],
        None,
        "prices[0].observed: a checked date without an observed date: give the date the source itself shows",
    ),
    (API, ["models", 0, "prices", 0, "observed"], dt.date(2026, 1, 1), "is after checked"),
    (API, ["models", 0, "prices", 0, "source_kind"], None, "prices[0].source_kind: give source_kind: primary"),
    (API, ["models", 0, "prices", 0, "source_kind"], "hearsay", "source_kind: input should be 'primary'"),
    (API, ["models", 0, "prices", 0, "basis"], "rumoured", "prices[0].basis: input should be 'list'"),
    (
        API,
        ["models", 0, "prices", 0, "regions"],
        [{"region": "eu", "price_multiplier": 1.1}, {"region": "eu", "price_multiplier": 1.2}],
        "regions names a region twice",
    ),
    (API, ["models", 0, "prices", 0, "regions"], [{"region": "Europe!", "price_multiplier": 1.1}], "region: "),
    (RENT, ["offers", 0, "prices", 0, "observed"], None, "offers[0].prices[0].observed: a checked date without"),
    (ACC, ["accelerators", 0, "purchase_prices", 0, "source_kind"], None, "purchase_prices[0].source_kind"),
    (
        "pricing/assumptions.yaml",
        ["assumptions", "pue", "observed"],
        None,
        "assumptions.pue.observed: a checked date without an observed date",
    ),
    (ACC, ["accelerators", 2, "purchase_prices"], [], "accelerators[2].purchase_prices: cannot be costed"),
    (MODELS, ["models", 0, "attention"], "mla", "attention: mla needs the mla block"),
    (MODELS, ["models", 0, "attention"], "mha", "attention: mha needs kv_heads equal to attention_heads"),
    (MODELS, ["models", 0, "attention"], "linear", "attention: input should be 'mha'"),
    (MODELS, ["models", 0, "attention"], "hybrid_linear", "hybrid_linear needs full_attention_layers"),
    (MODELS, ["models", 0, "native_context_tokens"], 8192, "give context_extension (yarn, ...)"),
    (MODELS, ["models", 0, "native_context_tokens"], 1_000_000, "native_context_tokens exceeds max_context_tokens"),
    ("pricing/assumptions.yaml", ["assumptions", "pue", "value"], 0.5, "assumptions.pue: value is below low"),
    ("pricing/assumptions.yaml", ["assumptions", "hours_per_month", "value"], 43800, "assumptions.hours_per_month"),
]


@pytest.mark.parametrize(("file", "path", "value", "expected"), ERROR_CASES)
def test_planted_errors(planted: Planter, file: str, path: list[Any], value: Any, expected: str) -> None:
    root = planted(file, _set(path, value))
    errors = lines(root, Severity.ERROR)
    assert any(expected in line for line in errors), errors
    assert all(line.startswith(file) for line in errors if expected in line)


WARNING_CASES = [
    (
        API,
        ["models", 0, "prices", 0, "input_usd_per_mtok"],
        0.015,
        "very cheap for a good_enough model; a per-1K price typed as per-1M?",
    ),
    (API, ["models", 0, "prices", 0, "output_usd_per_mtok"], 20.0, "output is cheaper than input"),
    (
        RENT,
        ["offers", 1, "prices", 0, "on_demand_usd_per_gpu_hour"],
        26.3,
        "was the instance price divided by its GPUs?",
    ),
    (RENT, ["offers", 1, "prices", 0, "committed_1y_usd_per_gpu_hour"], 4.0, "committed_1y price is above on-demand"),
    (ACC, ["accelerators", 0, "fp8_dense_tflops"], 3958, "FP8 is more than 2.5x BF16/FP16: a with-sparsity figure?"),
    (MODELS, ["models", 2, "active_params_b"], 46.7, "an MoE model should have fewer active than total"),
    (API, ["models", 2, "prices", 0, "cache_write_usd_per_mtok"], 5.0, "writing the cache is cheaper than reading"),
    (
        API,
        ["models", 0, "prices", 0, "service_tiers"],
        {"flex": {"input_usd_per_mtok": 900.0, "output_usd_per_mtok": 900.0}},
        "flex costs more than the standard tier",
    ),
]


@pytest.mark.parametrize(("file", "path", "value", "expected"), WARNING_CASES)
def test_planted_warnings(planted: Planter, file: str, path: list[Any], value: Any, expected: str) -> None:
    root = planted(file, _set(path, value))
    assert lines(root, Severity.ERROR) == []
    warnings = lines(root, Severity.WARNING)
    assert any(expected in line for line in warnings), warnings


def test_a_latent_attention_model_with_its_ranks_is_clean(planted: Planter) -> None:
    mla = {"kv_lora_rank": 512, "qk_rope_head_dim": 64, "qk_nope_head_dim": 64, "v_head_dim": 128}

    def to_mla(data: dict[str, Any]) -> None:
        data["models"][0].update(attention="mla", mla=mla)

    root = planted(MODELS, to_mla)
    assert lines(root, Severity.ERROR) == []
    root = planted(MODELS, lambda data: data["models"][0].update(attention="mla", mla={**mla, "kv_lora_rank": 0}))
    assert any("mla.kv_lora_rank: input should be greater than 0" in e for e in lines(root, Severity.ERROR))


def test_every_problem_is_reported_at_once(planted: Planter) -> None:
    planted(API, _set(["models", 0, "tier"], "genius"))
    planted(ACC, _set(["accelerators", 0, "memory_gb"], 81920))
    root = planted(RENT, _set(["offers", 0, "accelerator"], "nvidia/nope"))
    errors = lines(root, Severity.ERROR)
    assert {e.split(":")[0] for e in errors} == {API, ACC, RENT}


def test_missing_assumptions_and_empty_catalog(catalog_copy: Path, tmp_path: Path) -> None:
    (catalog_copy / "pricing/assumptions.yaml").unlink()
    assert any("operating assumptions" in line for line in lines(catalog_copy))
    empty = tmp_path / "empty"
    (empty / "pricing").mkdir(parents=True)
    assert any("no catalog files found" in line for line in lines(empty))


def test_broken_yaml_file_is_one_line(catalog_copy: Path) -> None:
    (catalog_copy / API).write_text("schema_version: 1\nmodels: [\n")
    errors = lines(catalog_copy)
    assert len([e for e in errors if e.startswith(API)]) == 1
    assert "malformed YAML" in errors[0] or any("malformed YAML" in e for e in errors)


def test_replacement_file_is_checked_in_context(catalog_copy: Path, test_catalog: Path) -> None:
    edited = catalog_copy / API
    text = edited.read_text().replace("output_usd_per_mtok: 60.0", "output_usd_per_mtok: 0.00006", 1)
    edited.write_text(text)
    result = check_catalog_dir(test_catalog, replace=[edited], today=TODAY)
    assert [i.path for i in result.errors] == ["models[0].prices[0].output_usd_per_mtok"]
    assert result.errors[0].file == str(edited)


def test_a_promotion_that_ends_needs_the_price_that_follows(planted: Planter) -> None:
    """An ended promotional price with no period starting the next day is an error; with one it is clean."""

    def promo_without_follow_on(data: dict[str, Any]) -> None:
        prices = data["models"][1]["prices"]
        prices[1]["basis"] = "promotional"
        prices[1]["effective_to"] = "2024-12-31"

    root = planted(API, promo_without_follow_on)
    assert any(
        "a promotional price that ends needs the price that follows it from 2025-01-01" in line for line in lines(root)
    )

    def promo_with_follow_on(data: dict[str, Any]) -> None:
        prices = data["models"][1]["prices"]
        follow = {**copy.deepcopy(prices[1]), "effective_from": "2025-01-01", "basis": "list"}
        follow.pop("effective_to", None)
        prices.append(follow)

    planted(API, promo_with_follow_on)
    assert lines(root) == []

    def unannounced(data: dict[str, Any]) -> None:
        prices = data["models"][1]["prices"]
        prices.pop()
        prices[1].pop("effective_to")
        prices[1]["end"] = "unannounced"

    planted(API, unannounced)
    assert lines(root) == []
