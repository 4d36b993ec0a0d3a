"""Plans name the KV-cache precision whenever it is not the 16-bit cache of 16-bit weights."""

from __future__ import annotations

import pytest

from llmdecide.capacity.deployment import precision_text, resolve_deployment
from llmdecide.catalog import load_catalog
from llmdecide.costing.choices import deployment_label

CATALOG = load_catalog()


@pytest.mark.parametrize(
    ("precision", "kv", "text"),
    [
        ("bf16", "bf16", "bf16"),
        ("fp16", "bf16", "fp16"),
        ("bf16", None, "bf16"),
        ("fp8", "fp8", "fp8 with fp8 KV cache"),
        ("fp8", "bf16", "fp8 with bf16 KV cache"),
        ("int4", "bf16", "int4 with bf16 KV cache"),
        ("bf16", "fp8", "bf16 with fp8 KV cache"),
    ],
)
def test_precision_text(precision: str, kv: str | None, text: str) -> None:
    assert precision_text(precision, kv) == text


def test_a_plan_label_states_the_cache_it_was_sized_with() -> None:
    d = resolve_deployment(CATALOG, "meta/llama-3.3-70b", "nvidia/h200-sxm-141gb", engine_id="vllm", precision="fp8")
    assert d.kv_precision == "fp8"
    assert deployment_label(d, 2, "buy") == (
        "meta/llama-3.3-70b fp8 with fp8 KV cache on 2 x nvidia/h200-sxm-141gb (vllm), buy"
    )
    sixteen = resolve_deployment(
        CATALOG, "meta/llama-3.3-70b", "nvidia/h200-sxm-141gb", engine_id="vllm", precision="bf16"
    )
    assert deployment_label(sixteen, 2, "rent") == "meta/llama-3.3-70b bf16 on 2 x nvidia/h200-sxm-141gb (vllm), rent"
