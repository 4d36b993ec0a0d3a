"""What a model's attention costs per token: the cache it keeps and the FLOPs it spends.

One home for the attention formulas of every attention kind (catalog ``attention``):

- ``mha`` / ``gqa``: each layer caches a key and a value per KV head, 2 x kv_heads x head_dim
  elements per token; attention reads 2 x head_dim (QK) + 2 x head_dim (AV) FLOPs per query
  head per context token.
- ``mla`` (multi-head latent attention): each layer caches one compressed latent plus one rotary
  key, kv_lora_rank + qk_rope_head_dim elements per token, the same on every GPU of a
  tensor-parallel group. Decode runs the absorbed form (every query head attends over the latent:
  2 x (rank + rope) + 2 x rank FLOPs per head per context token); prefill runs the expanded form
  (2 x (nope + rope) + 2 x v_head_dim).
- ``sliding_window``: windowed layers hold at most the window.
- ``hybrid_linear``: only ``full_attention_layers`` cache keys and attend over the context; the
  linear layers keep a fixed recurrent state per sequence, whatever its length.
"""

from __future__ import annotations

from llmdecide.catalog.schema import AttentionKind, OpenModel


def kv_elements_per_token_per_layer(model: OpenModel) -> int:
    """Elements one token adds to the cache of one caching layer."""
    if model.mla is not None:
        return model.mla.kv_lora_rank + model.mla.qk_rope_head_dim
    return 2 * model.kv_heads * model.head_dim


def caching_layers(model: OpenModel) -> tuple[int, int]:
    """(layers caching every token, layers caching at most the sliding window)."""
    windowed = (model.sliding_window_layers or 0) if model.sliding_window_tokens is not None else 0
    attending = model.full_attention_layers if model.attention is AttentionKind.HYBRID_LINEAR else model.layers
    assert attending is not None
    return attending - min(windowed, attending), min(windowed, attending)


def kv_replication(model: OpenModel, tp: int) -> float:
    """How many times the cache is stored across a tensor-parallel group.

    KV heads are split across GPUs; with more GPUs than KV heads, heads are replicated
    (tp / kv_heads copies). MLA's latent has no heads to split, so every GPU holds all of it.
    """
    if model.mla is not None:
        return float(tp)
    return max(1.0, tp / model.kv_heads)


def state_elements_per_sequence(model: OpenModel) -> int:
    """Recurrent-state elements one sequence keeps in the linear layers of a hybrid model (0 otherwise)."""
    if model.attention is not AttentionKind.HYBRID_LINEAR or model.linear_state_elements_per_layer is None:
        return 0
    assert model.full_attention_layers is not None
    return (model.layers - model.full_attention_layers) * model.linear_state_elements_per_layer


def _per_head(model: OpenModel, *, decode: bool) -> float:
    mla = model.mla
    if mla is None:
        return 4.0 * model.head_dim
    if decode:
        return 2.0 * (mla.kv_lora_rank + mla.qk_rope_head_dim) + 2.0 * mla.kv_lora_rank
    return 2.0 * (mla.qk_nope_head_dim + mla.qk_rope_head_dim) + 2.0 * mla.v_head_dim


def attention_flops_per_context_token(model: OpenModel, *, decode: bool, layers: str = "all") -> float:
    """Attention FLOPs one new token spends per token of context, over the attending layers: ``all`` of
    them, only the ``full`` (whole-context) ones, only the ``windowed`` (sliding-window) ones, or ``none``."""
    full, windowed = caching_layers(model)
    count = {"all": full + windowed, "full": full, "windowed": windowed, "none": 0}[layers]
    return count * model.attention_heads * _per_head(model, decode=decode)


def needs_rope_scaling(model: OpenModel, context_tokens: float) -> bool:
    """True when a context this long lies beyond the window the model was trained for."""
    native = model.native_context_tokens
    return native is not None and context_tokens > native


def rope_scaling_note(model: OpenModel, context_tokens: float) -> str | None:
    """What a report says when a context needs rope scaling (None when it does not)."""
    if not needs_rope_scaling(model, context_tokens):
        return None
    method = model.context_extension.value if model.context_extension is not None else "rope"
    return (
        f"a {context_tokens:,.0f}-token context is beyond {model.id}'s native {model.native_context_tokens:,} "
        f"tokens: serve it with {method} rope scaling (up to {model.max_context_tokens:,}), which engines "
        "apply to every request and may cost quality on short ones"
    )
