"""The attention formulas of each attention kind: cache size, replication, fixed state and FLOPs."""

from __future__ import annotations

from typing import Any

import pytest

from llmdecide.capacity.attention import (
    attention_flops_per_context_token,
    kv_elements_per_token_per_layer,
    kv_replication,
    needs_rope_scaling,
    state_elements_per_sequence,
)
from llmdecide.capacity.memory import kv_gb_per_sequence, state_gb_per_sequence
from llmdecide.catalog.schema import OpenModel

BASE: dict[str, Any] = {
    "name": "m",
    "family": "f",
    "release_date": "2025-01-01",
    "licence": "MIT",
    "tier": "good_enough",
    "tier_basis": "test",
    "source": "https://example.org/config.json",
    "checked": "2025-01-01",
}

DEEPSEEK_V3 = OpenModel.model_validate(
    {
        **BASE,
        "id": "deepseek/v3-like",
        "total_params_b": 671,
        "active_params_b": 37,
        "layers": 61,
        "hidden_size": 7168,
        "attention_heads": 128,
        "kv_heads": 128,
        "head_dim": 192,
        "max_context_tokens": 131072,
        "attention": "mla",
        "mla": {"kv_lora_rank": 512, "qk_rope_head_dim": 64, "qk_nope_head_dim": 128, "v_head_dim": 128},
        "experts": 256,
        "experts_per_token": 8,
    }
)
"""DeepSeek-V3's config.json dimensions."""

LLAMA_70B = OpenModel.model_validate(
    {
        **BASE,
        "id": "meta/llama-like",
        "total_params_b": 70.6,
        "active_params_b": 70.6,
        "layers": 80,
        "hidden_size": 8192,
        "attention_heads": 64,
        "kv_heads": 8,
        "head_dim": 128,
        "max_context_tokens": 131072,
        "native_context_tokens": 8192,
        "context_extension": "yarn",
        "attention": "gqa",
    }
)

HYBRID = OpenModel.model_validate(
    {
        **BASE,
        "id": "qwen/hybrid-like",
        "total_params_b": 27,
        "active_params_b": 27,
        "layers": 64,
        "hidden_size": 5120,
        "attention_heads": 24,
        "kv_heads": 4,
        "head_dim": 256,
        "max_context_tokens": 262144,
        "attention": "hybrid_linear",
        "full_attention_layers": 16,
        "linear_state_elements_per_layer": 48 * 128 * 128,
    }
)
"""Qwen3.6-27B-like: 16 of 64 layers full attention, the others Gated DeltaNet."""


def test_mla_caches_the_latent_and_rope_key_on_every_gpu() -> None:
    assert kv_elements_per_token_per_layer(DEEPSEEK_V3) == 576
    # 61 layers x 576 elements x 2 bytes = 70,272 bytes per token
    assert kv_gb_per_sequence(DEEPSEEK_V3, "bf16", 1.0) == pytest.approx(61 * 576 * 2 / 1e9)
    assert kv_replication(DEEPSEEK_V3, 8) == 8.0
    assert kv_replication(LLAMA_70B, 8) == 1.0
    assert kv_replication(LLAMA_70B, 16) == 2.0


def test_mla_attention_flops_use_the_absorbed_form_in_decode_and_the_expanded_form_in_prefill() -> None:
    decode = attention_flops_per_context_token(DEEPSEEK_V3, decode=True)
    prefill = attention_flops_per_context_token(DEEPSEEK_V3, decode=False)
    assert decode == 61 * 128 * (2 * (512 + 64) + 2 * 512)
    assert prefill == 61 * 128 * (2 * (128 + 64) + 2 * 128)
    gqa = attention_flops_per_context_token(LLAMA_70B, decode=True)
    assert gqa == 4 * 80 * 64 * 128 == attention_flops_per_context_token(LLAMA_70B, decode=False)


def test_a_hybrid_caches_only_its_full_attention_layers_and_keeps_a_fixed_state() -> None:
    assert kv_gb_per_sequence(HYBRID, "bf16", 1000.0) == pytest.approx(16 * 2 * 4 * 256 * 2 * 1000 / 1e9)
    assert state_elements_per_sequence(HYBRID) == 48 * 48 * 128 * 128
    assert state_gb_per_sequence(HYBRID, "fp8") == pytest.approx(48 * 48 * 128 * 128 * 2 / 1e9)
    assert attention_flops_per_context_token(HYBRID, decode=True) == 16 * 24 * 4 * 256
    assert state_elements_per_sequence(LLAMA_70B) == 0


def test_rope_scaling_is_needed_only_beyond_the_native_window() -> None:
    assert not needs_rope_scaling(LLAMA_70B, 8192)
    assert needs_rope_scaling(LLAMA_70B, 8193)
    assert not needs_rope_scaling(DEEPSEEK_V3, 131072)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"head_dim": 56}, r"head_dim is qk_nope_head_dim \+ qk_rope_head_dim"),
        ({"mla": None}, "attention: mla needs the mla block"),
        ({"attention": "gqa"}, "only mla has one"),
    ],
)
def test_inconsistent_attention_is_refused(change: dict[str, Any], message: str) -> None:
    data = {**DEEPSEEK_V3.model_dump(mode="json", exclude_none=True), **change}
    data = {k: v for k, v in data.items() if v is not None}
    with pytest.raises(ValueError, match=message):
        OpenModel.model_validate(data)
