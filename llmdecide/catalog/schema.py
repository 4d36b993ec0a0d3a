"""Pydantic models of the catalog files.

Each YAML file under ``pricing/`` and ``hardware/`` is one :class:`CatalogFile`
subclass, selected by its ``kind``. Every model forbids unknown keys, every field
has a description (the README tables and JSON Schema are generated from them),
and units live in field names. Plausibility and cross-file checks live in
``validate.py``; this module only states shapes and hard invariants.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import (
    AllowInfNan,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    create_model,
    model_validator,
)
from pydantic import Strict as StrictType

SUPPORTED_SCHEMA_VERSIONS = (1,)
"""Catalog schema versions this release reads."""

EntryId = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z0-9][a-z0-9._-]*/[a-z0-9][a-z0-9._:-]*$"),
    Field(description="Stable id, 'namespace/name', lower case, e.g. 'openai/gpt-4o'."),
]
ProviderId = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z0-9][a-z0-9._-]*$"),
    Field(description="Provider id, lower case, e.g. 'openai'."),
]
NonEmpty = Annotated[str, StringConstraints(min_length=1, strip_whitespace=True)]
Num = Annotated[float, StrictType(), AllowInfNan(False)]
"""A finite number as YAML writes it: an int or a float, never a string, a boolean, ``.inf`` or ``.nan``."""


def _whole_float(value: object) -> object:
    """``2e4`` and ``20000.0`` are the whole number 20000; any other float stays a float (and is refused)."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**63:
        return int(value)
    return value


Int = Annotated[int, BeforeValidator(_whole_float), StrictType()]
"""A whole number as YAML writes it (``20000``, ``20_000`` or ``2e4``), never a string, fraction or boolean."""


Precision = Literal["fp32", "bf16", "fp16", "fp8", "int8", "int4", "fp4"]
"""Weight (or KV-cache) precision of a deployment."""


class Strict(BaseModel):
    """Base of every catalog model: unknown keys are errors, values are frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class SourceKind(StrEnum):
    """How direct the evidence behind a figure is."""

    PRIMARY = "primary"
    """The provider's or vendor's own pricing page, docs or datasheet (a large retailer for street prices)."""
    SECONDARY = "secondary"
    """Another project's data file, an aggregator, a third-party article."""
    ESTIMATE = "estimate"
    """No source states the figure: derived or judged, with the derivation in the note."""


class Sourced(Strict):
    """Mixin for anything that states a fact: where it came from and when it was checked."""

    source: NonEmpty = Field(
        description="Public URL the values were read from (an overlay may give other text, "
        "such as a contract reference)."
    )
    checked: dt.date = Field(description="Date the source was last read for these values.")
    observed: dt.date | None = Field(
        default=None,
        description="Date the source itself shows for the values (its 'last updated' date, the article's or "
        "snapshot's date); may be much older than ``checked``. Required on every catalog price and assumption.",
    )
    source_kind: SourceKind | None = Field(
        default=None,
        description="primary (the provider's or vendor's own page), secondary (another project's data, a "
        "third-party page) or estimate (no source states the figure). Required on every catalog price.",
    )
    note: str | None = Field(
        default=None,
        description="Caveats: disagreeing sources, promotions, derivations, confidence.",
    )


class Tier(StrEnum):
    """Capability tier of a model, as the decision uses it."""

    FRONTIER = "frontier"
    GOOD_ENOUGH = "good_enough"
    SPECIALIZED = "specialized"
    SIMPLE = "simple"


class ModelStatus(StrEnum):
    """Lifecycle of an API model."""

    ACTIVE = "active"
    PREVIEW = "preview"
    LEGACY = "legacy"
    RETIRED = "retired"


class PriceBasis(StrEnum):
    """What a price figure is, so a report can say when a plan rests on something other than a list price."""

    LIST = "list"
    """The provider's or vendor's published standard price (MSRP for hardware)."""
    PROMOTIONAL = "promotional"
    """A sale or limited-time discount; ends on ``effective_to`` or ``end: unannounced``."""
    INTRODUCTORY = "introductory"
    """A launch price the provider says will rise; ends on ``effective_to`` or ``end: unannounced``."""
    PREVIEW = "preview"
    """The price of a preview or beta release."""
    NEGOTIATED = "negotiated"
    """A quote or contract rate (overlays and workloads)."""
    USED = "used"
    """Second-hand or refurbished hardware."""
    STREET = "street"
    """What retailers charge for new hardware, dated."""
    FLOOR = "floor"
    """A 'from' price: the lowest listing or the bottom of a range."""
    RANGE_MIDPOINT = "range_midpoint"
    """The middle of a published range."""
    DERIVED = "derived"
    """Computed from other figures (a median of marketplace offers, a ratio applied to another price)."""


TEMPORARY_BASES = frozenset({PriceBasis.PROMOTIONAL, PriceBasis.INTRODUCTORY})
"""Bases that end: such a price needs its end date and the price that follows, or ``end: unannounced``."""


# ---------------------------------------------------------------- API prices


class LongContextTier(Strict):
    """Prices that apply when a request's input exceeds a threshold."""

    threshold_tokens: Int = Field(
        gt=0, description="Input tokens above which the whole request is billed at these prices."
    )
    input_usd_per_mtok: Num = Field(gt=0, description="USD per 1M input tokens above the threshold.")
    output_usd_per_mtok: Num = Field(gt=0, description="USD per 1M output tokens above the threshold.")
    cached_input_usd_per_mtok: Num | None = Field(
        default=None, gt=0, description="USD per 1M cached input tokens above the threshold."
    )


class TierPrices(Strict):
    """Token prices of one service tier (flex, priority)."""

    input_usd_per_mtok: Num = Field(gt=0, description="USD per 1M input tokens in this tier.")
    output_usd_per_mtok: Num = Field(gt=0, description="USD per 1M output tokens in this tier.")
    cached_input_usd_per_mtok: Num | None = Field(
        default=None, gt=0, description="USD per 1M cached input tokens in this tier."
    )


class ServiceTiers(Strict):
    """Service tiers sold besides the standard one."""

    flex: TierPrices | None = Field(default=None, description="Slower, interruptible processing at a discount.")
    priority: TierPrices | None = Field(default=None, description="Faster, prioritised processing at a premium.")


RegionCode = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z]{2,6}$"),
    Field(description="Region code, lower case: eu, us, uk, jp, au, ca, in, ch, sg, ..."),
]


class RegionalPrice(Strict):
    """Processing kept inside one region (data residency), at a multiple of the standard price."""

    region: RegionCode
    price_multiplier: Num = Field(
        ge=0.5, le=5, description="Multiplier on every token price of the period (1.0 = the standard price)."
    )
    note: str | None = Field(default=None, description="What the provider calls it, and caveats.")


class ApiPrice(Sourced):
    """One period of an API model's price."""

    effective_from: dt.date = Field(description="First day this price applied.")
    effective_to: dt.date | None = Field(
        default=None, description="Last day this price applied; absent while it is current."
    )
    basis: PriceBasis = Field(description="What the figures are: list, promotional, introductory, preview, ...")
    end: Literal["unannounced"] | None = Field(
        default=None,
        description="'unannounced' for a promotional or introductory price whose end the provider has not "
        "announced (it is then billed for the whole horizon, with a warning).",
    )
    input_usd_per_mtok: Num = Field(gt=0, description="USD per 1M input (prompt) tokens.")
    output_usd_per_mtok: Num = Field(gt=0, description="USD per 1M output (completion) tokens.")
    cached_input_usd_per_mtok: Num | None = Field(
        default=None,
        gt=0,
        description="USD per 1M input tokens read from the prompt cache; absent when not offered.",
    )
    cache_write_usd_per_mtok: Num | None = Field(
        default=None,
        gt=0,
        description="USD per 1M input tokens written to the prompt cache (the shortest-lived write where there "
        "are several); absent: writes are billed at the input price.",
    )
    batch_discount: Num | None = Field(
        default=None,
        ge=0,
        lt=1,
        description="Fractional discount of the batch API (0.5 = half price); absent when not offered.",
    )
    long_context: LongContextTier | None = Field(
        default=None, description="Higher prices for long prompts, where the provider has them."
    )
    service_tiers: ServiceTiers | None = Field(
        default=None, description="Flex and priority prices, where the provider sells them."
    )
    regions: list[RegionalPrice] = Field(
        default_factory=list, description="Regional (data-residency) processing prices, where published."
    )

    @model_validator(mode="after")
    def _dates_in_order(self) -> ApiPrice:
        if self.effective_to is not None and self.effective_to < self.effective_from:
            raise ValueError("effective_to is before effective_from")
        if self.end is not None and (self.basis not in TEMPORARY_BASES or self.effective_to is not None):
            raise ValueError("end: unannounced is for a promotional or introductory price without effective_to")
        codes = [r.region for r in self.regions]
        if len(codes) != len(set(codes)):
            raise ValueError(f"regions names a region twice ({', '.join(sorted(codes))})")
        return self


class ApiLatency(Sourced):
    """Measured speed of a hosted model at its provider: time to first token and output speed per request."""

    ttft_ms: Num | None = Field(default=None, gt=0, le=600_000, description="Time to first token, ms.")
    output_tokens_per_s: Num | None = Field(
        default=None, gt=0, le=100_000, description="Output tokens per second of one request once it streams."
    )
    statistic: Literal["median", "mean", "range_midpoint"] = Field(
        description="What the figures are: the median or mean of the measurements, or the middle of a range."
    )


class ApiModel(Sourced):
    """A model sold per token by one provider, with its price history."""

    id: EntryId
    name: NonEmpty = Field(description="Display name.")
    tier: Tier = Field(description="Capability tier the decision matches against a workload's need.")
    tier_basis: NonEmpty = Field(description="Why this tier: the benchmark, ranking or positioning used.")
    status: ModelStatus = Field(default=ModelStatus.ACTIVE, description="Lifecycle status.")
    context_window_tokens: Int = Field(gt=0, description="Maximum input context, tokens.")
    max_output_tokens: Int | None = Field(default=None, gt=0, description="Maximum output tokens per request.")
    open_model: EntryId | None = Field(
        default=None,
        description="Id in hardware/models.yaml when this is a hosted open-weight model.",
    )
    prices: list[ApiPrice] = Field(min_length=1, description="Price periods, oldest first.")
    latency: ApiLatency | None = Field(
        default=None, description="Measured time to first token and output speed at this provider, with source."
    )


class Provider(Strict):
    """Who sells it."""

    id: ProviderId
    name: NonEmpty = Field(description="Display name.")
    pricing_url: NonEmpty = Field(description="The provider's public pricing page.")


class CatalogHeader(Strict):
    """Keys every catalog file starts with."""

    schema_version: Int = Field(description="Catalog schema version; this release reads 1.")
    version: NonEmpty = Field(description="Version of this file's data, e.g. '2026.11.22'.")
    as_of: dt.date = Field(description="Date the data in this file was last reviewed as a whole.")
    currency: Literal["USD"] = Field(default="USD", description="Currency of every price in the file.")


class ApiPriceFile(CatalogHeader):
    """``pricing/api/<provider>.yaml``: token prices of one provider."""

    kind: Literal["api_prices"]
    provider: Provider
    models: list[ApiModel] = Field(min_length=1, description="The provider's models.")


# ---------------------------------------------------------------- GPU rental


class RentalPrice(Sourced):
    """One period of a rental offer's hourly prices, per GPU."""

    effective_from: dt.date = Field(description="First day this price applied.")
    effective_to: dt.date | None = Field(default=None, description="Last day this price applied.")
    basis: PriceBasis = Field(description="What the on-demand and committed figures are (list, floor, ...).")
    spot_basis: PriceBasis | None = Field(
        default=None, description="What the spot figure is, where it differs from ``basis`` (often a floor)."
    )
    on_demand_usd_per_gpu_hour: Num | None = Field(
        default=None, gt=0, description="On-demand USD per GPU-hour (instance price / GPUs)."
    )
    spot_usd_per_gpu_hour: Num | None = Field(
        default=None, gt=0, description="Spot / preemptible / interruptible USD per GPU-hour."
    )
    committed_1y_usd_per_gpu_hour: Num | None = Field(
        default=None, gt=0, description="Effective USD per GPU-hour with a 1-year commitment."
    )
    committed_3y_usd_per_gpu_hour: Num | None = Field(
        default=None, gt=0, description="Effective USD per GPU-hour with a 3-year commitment."
    )

    @model_validator(mode="after")
    def _some_price(self) -> RentalPrice:
        if self.effective_to is not None and self.effective_to < self.effective_from:
            raise ValueError("effective_to is before effective_from")
        if all(
            v is None
            for v in (
                self.on_demand_usd_per_gpu_hour,
                self.spot_usd_per_gpu_hour,
                self.committed_1y_usd_per_gpu_hour,
                self.committed_3y_usd_per_gpu_hour,
            )
        ):
            raise ValueError("a rental price needs at least one of on-demand, spot, 1y or 3y")
        return self


class RentalOffer(Strict):
    """An instance type (or GPU offer) of one provider."""

    id: EntryId
    accelerator: EntryId = Field(description="Id in hardware/accelerators.yaml.")
    instance_type: NonEmpty = Field(description="The provider's name for the instance or offer.")
    gpus_per_instance: Int = Field(ge=1, le=72, description="GPUs in one instance.")
    region: NonEmpty = Field(description="Region the prices are for ('us-east-1', 'marketplace', ...).")
    residency_regions: list[RegionCode] = Field(
        default_factory=list,
        description="Data-residency regions the offer is sold in at these prices (eu, us, ...); a workload "
        "with constraints.data_residency considers only offers that list its region.",
    )
    prices: list[RentalPrice] = Field(min_length=1, description="Price periods, oldest first.")


class GpuRentalFile(CatalogHeader):
    """``pricing/gpu-rental/<provider>.yaml``: GPU rental prices of one provider."""

    kind: Literal["gpu_rental"]
    provider: Provider
    offers: list[RentalOffer] = Field(min_length=1, description="The provider's GPU offers.")


# ---------------------------------------------------------------- accelerators


class AcceleratorClass(StrEnum):
    """Broad class of an accelerator; sets defaults such as usable memory."""

    DATACENTER = "datacenter"
    WORKSTATION = "workstation"
    CONSUMER = "consumer"
    APPLE_SILICON = "apple_silicon"


class FormFactor(StrEnum):
    """How an accelerator is packaged, which sets the machine it needs to run."""

    MODULE = "module"
    """A board module (SXM, OAM) that sits on an 8-GPU baseboard server."""
    PCIE = "pcie"
    """A PCIe card that sits in a server, a workstation tower or a desktop."""
    SYSTEM = "system"
    """A whole machine (Apple silicon, DGX Spark, Ryzen AI Max): the accelerator is the computer."""


class PurchasePrice(Sourced):
    """What it costs to buy one unit (one GPU, or one whole machine for Apple silicon)."""

    effective_from: dt.date = Field(description="Date the price was observed or took effect.")
    effective_to: dt.date | None = Field(default=None, description="Last day this price applied.")
    usd: Num = Field(gt=0, description="USD per unit.")
    unit: Literal["gpu", "system"] = Field(
        description="'gpu' for one card or module, 'system' for a complete machine (Apple)."
    )
    basis: PriceBasis = Field(description="What the figure is: list (MSRP or launch price), street, used, ...")


class Accelerator(Sourced):
    """A GPU or AI accelerator: the specs the capacity model uses."""

    id: EntryId
    name: NonEmpty = Field(description="Display name.")
    vendor: NonEmpty = Field(description="Vendor, e.g. 'NVIDIA', 'AMD', 'Apple'.")
    accelerator_class: AcceleratorClass = Field(description="Broad class of the device.")
    form_factor: FormFactor = Field(
        description="module (SXM/OAM on a baseboard server), pcie (a card in a host machine) or system "
        "(a whole machine, priced and powered as one)."
    )
    architecture: NonEmpty = Field(description="Chip architecture, e.g. 'Hopper'.")
    memory_gb: Num = Field(gt=0, description="Device memory (unified memory for Apple), GB.")
    memory_type: NonEmpty = Field(description="Memory technology, e.g. 'HBM3', 'GDDR6X', 'LPDDR5X'.")
    memory_bandwidth_gb_per_s: Num = Field(gt=0, description="Peak memory bandwidth, GB/s.")
    bf16_dense_tflops: Num | None = Field(
        default=None, gt=0, description="Dense BF16 tensor TFLOPS (no sparsity); absent if unsupported."
    )
    fp16_dense_tflops: Num | None = Field(
        default=None, gt=0, description="Dense FP16 tensor TFLOPS with FP32 accumulation (no sparsity)."
    )
    fp16_acc16_dense_tflops: Num | None = Field(
        default=None,
        gt=0,
        description="Dense FP16 tensor TFLOPS with FP16 accumulation, where faster than FP32 accumulation "
        "(GeForce cards); used by engines whose profile says fp16_accumulation.",
    )
    fp8_dense_tflops: Num | None = Field(
        default=None, gt=0, description="Dense FP8 tensor TFLOPS; absent if the chip has no FP8 math."
    )
    int8_dense_tops: Num | None = Field(default=None, gt=0, description="Dense INT8 tensor TOPS.")
    fp4_dense_tflops: Num | None = Field(
        default=None, gt=0, description="Dense FP4 tensor TFLOPS; absent if the chip has no FP4 math."
    )
    tdp_w: Num = Field(gt=0, description="Board power / TDP in watts (whole package for Apple).")
    interconnect: NonEmpty = Field(description="GPU-to-GPU link, e.g. 'NVLink 4, 900 GB/s', or 'PCIe 4.0 x16'.")
    interconnect_gb_per_s: Num | None = Field(
        default=None, gt=0, description="GPU-to-GPU bandwidth per GPU, GB/s (bidirectional)."
    )
    release_year: Int = Field(ge=2010, le=2035, description="Year of launch.")
    purchase_prices: list[PurchasePrice] = Field(
        default_factory=list, description="Purchase prices, oldest first; empty when none is published."
    )


class AcceleratorFile(CatalogHeader):
    """``hardware/accelerators.yaml``."""

    kind: Literal["accelerators"]
    accelerators: list[Accelerator] = Field(min_length=1, description="The accelerators.")


# ---------------------------------------------------------------- open models


class AttentionKind(StrEnum):
    """How a model's attention layers cache context, which sets the KV-cache size and attention FLOPs."""

    MHA = "mha"
    """Multi-head attention: one key/value head per query head."""
    GQA = "gqa"
    """Grouped-query attention: fewer key/value heads than query heads."""
    MLA = "mla"
    """Multi-head latent attention (DeepSeek V2/V3 style): a compressed latent plus a rope key is cached."""
    SLIDING_WINDOW = "sliding_window"
    """Some or all layers attend to a window of recent tokens only."""
    HYBRID_LINEAR = "hybrid_linear"
    """Linear-attention or state-space layers mixed with full-attention layers; only the latter cache keys."""


class LatentAttention(Strict):
    """The dimensions of multi-head latent attention, from the model's config.json."""

    kv_lora_rank: Int = Field(gt=0, description="Rank of the compressed key/value latent that is cached.")
    qk_rope_head_dim: Int = Field(gt=0, description="Rotary part of each query/key head (cached once per token).")
    qk_nope_head_dim: Int = Field(gt=0, description="Non-rotary part of each query/key head.")
    v_head_dim: Int = Field(gt=0, description="Dimension of each value head.")


class ContextExtension(StrEnum):
    """How a model reaches a context longer than it was trained for."""

    YARN = "yarn"
    LINEAR = "linear"
    DYNAMIC_NTK = "dynamic_ntk"
    LONGROPE = "longrope"


class OpenModel(Sourced):
    """An open-weight model architecture: what the capacity model needs."""

    id: EntryId
    name: NonEmpty = Field(description="Display name.")
    family: NonEmpty = Field(description="Model family, e.g. 'Llama 3.1'.")
    release_date: dt.date = Field(description="Date the weights were published.")
    licence: NonEmpty = Field(description="Licence of the weights.")
    tier: Tier = Field(description="Capability tier.")
    tier_basis: NonEmpty = Field(description="Why this tier: benchmark or ranking used.")
    total_params_b: Num = Field(gt=0, description="Total parameters, billions (all experts for MoE).")
    active_params_b: Num = Field(
        gt=0, description="Parameters used per token, billions (equals total for dense models)."
    )
    layers: Int = Field(gt=0, description="Transformer layers (num_hidden_layers).")
    hidden_size: Int = Field(gt=0, description="Model width (hidden_size).")
    attention_heads: Int = Field(gt=0, description="Query heads (num_attention_heads).")
    kv_heads: Int = Field(gt=0, description="Key/value heads (num_key_value_heads); < heads means GQA.")
    head_dim: Int = Field(gt=0, description="Dimension of one attention head.")
    max_context_tokens: Int = Field(gt=0, description="Maximum context the model supports, tokens.")
    vocab_size: Int | None = Field(default=None, gt=0, description="Vocabulary size.")
    experts: Int | None = Field(default=None, ge=2, description="Routed experts per MoE layer.")
    experts_per_token: Int | None = Field(default=None, ge=1, description="Routed experts active per token.")
    attention: AttentionKind = Field(description="mha, gqa, mla, sliding_window or hybrid_linear.")
    mla: LatentAttention | None = Field(
        default=None, description="Latent-attention dimensions; required for attention: mla."
    )
    full_attention_layers: Int | None = Field(
        default=None,
        gt=0,
        description="Layers with full attention (and a KV cache); required for attention: hybrid_linear.",
    )
    linear_state_elements_per_layer: Int | None = Field(
        default=None,
        gt=0,
        description="Recurrent-state elements one sequence keeps in one linear-attention layer (hybrid_linear).",
    )
    native_context_tokens: Int | None = Field(
        default=None,
        gt=0,
        description="Context the model was trained for, when max_context_tokens needs rope scaling to reach.",
    )
    context_extension: ContextExtension | None = Field(
        default=None,
        description="How max_context_tokens is reached beyond the native window: yarn, linear, dynamic_ntk, "
        "longrope; required when native_context_tokens is below max_context_tokens.",
    )
    sliding_window_tokens: Int | None = Field(
        default=None, gt=0, description="Window of the sliding-window attention layers, tokens."
    )
    sliding_window_layers: Int | None = Field(
        default=None, ge=0, description="How many of the layers use sliding-window attention."
    )
    native_precision: Literal["bf16", "fp16", "fp8", "mxfp4", "fp32"] = Field(
        default="bf16", description="Precision the weights were released in."
    )

    @model_validator(mode="after")
    def _consistent(self) -> OpenModel:
        if self.active_params_b > self.total_params_b:
            raise ValueError("active_params_b exceeds total_params_b")
        if self.attention_heads % self.kv_heads != 0:
            raise ValueError("attention_heads is not a multiple of kv_heads")
        if (self.experts is None) != (self.experts_per_token is None):
            raise ValueError("give both experts and experts_per_token, or neither")
        if self.experts is not None and self.experts_per_token is not None and self.experts_per_token > self.experts:
            raise ValueError("experts_per_token exceeds experts")
        if self.sliding_window_layers is not None and self.sliding_window_layers > self.layers:
            raise ValueError("sliding_window_layers exceeds layers")
        self._check_attention()
        if self.native_context_tokens is not None:
            if self.native_context_tokens > self.max_context_tokens:
                raise ValueError("native_context_tokens exceeds max_context_tokens")
            if self.native_context_tokens < self.max_context_tokens and self.context_extension is None:
                raise ValueError("give context_extension (yarn, ...) for a max_context_tokens beyond the native window")
        elif self.context_extension is not None:
            raise ValueError("context_extension needs native_context_tokens")
        return self

    def _check_attention(self) -> None:
        kind = self.attention
        if (kind is AttentionKind.MLA) != (self.mla is not None):
            raise ValueError("attention: mla needs the mla block (kv_lora_rank, ...), and only mla has one")
        if (kind is AttentionKind.HYBRID_LINEAR) != (self.full_attention_layers is not None):
            raise ValueError("attention: hybrid_linear needs full_attention_layers, and only hybrid_linear has it")
        if self.linear_state_elements_per_layer is not None and kind is not AttentionKind.HYBRID_LINEAR:
            raise ValueError("linear_state_elements_per_layer is for attention: hybrid_linear")
        if self.full_attention_layers is not None and self.full_attention_layers > self.layers:
            raise ValueError("full_attention_layers exceeds layers")
        if kind is AttentionKind.MHA and self.kv_heads != self.attention_heads:
            raise ValueError("attention: mha needs kv_heads equal to attention_heads (fewer is gqa)")
        if kind is AttentionKind.GQA and self.kv_heads >= self.attention_heads:
            raise ValueError("attention: gqa needs fewer kv_heads than attention_heads (equal is mha)")
        if kind is AttentionKind.SLIDING_WINDOW and self.sliding_window_tokens is None:
            raise ValueError("attention: sliding_window needs sliding_window_tokens and sliding_window_layers")
        if self.sliding_window_tokens is not None and kind not in (
            AttentionKind.SLIDING_WINDOW,
            AttentionKind.HYBRID_LINEAR,
        ):
            raise ValueError("sliding_window_tokens is for attention: sliding_window (or hybrid_linear)")
        if self.mla is not None and self.head_dim != self.mla.qk_nope_head_dim + self.mla.qk_rope_head_dim:
            raise ValueError("with attention: mla, head_dim is qk_nope_head_dim + qk_rope_head_dim")


class OpenModelFile(CatalogHeader):
    """``hardware/models.yaml``."""

    kind: Literal["open_models"]
    models: list[OpenModel] = Field(min_length=1, description="The open-weight models.")


# ---------------------------------------------------------------- assumptions


class Assumption(Sourced):
    """A sourced default the cost model uses, with the range it is known to span."""

    value: Num = Field(description="Default value, in the unit its key names.")
    low: Num | None = Field(default=None, description="Low end of the commonly cited range.")
    high: Num | None = Field(default=None, description="High end of the commonly cited range.")

    @model_validator(mode="after")
    def _range(self) -> Assumption:
        if self.low is not None and self.high is not None and self.low > self.high:
            raise ValueError("low is above high")
        if self.low is not None and self.value < self.low:
            raise ValueError("value is below low")
        if self.high is not None and self.value > self.high:
            raise ValueError("value is above high")
        return self


class OperatingAssumptions(Strict):
    """The operating assumptions of local deployments: facility, hosts, power, staff, finance and latency targets."""

    electricity_usd_per_kwh: Assumption = Field(description="Electricity price, USD per kWh.")
    pue: Assumption = Field(description="Power usage effectiveness of an enterprise (on-premises) data center (>= 1).")
    pue_colocation: Assumption = Field(description="Power usage effectiveness of a colocation facility (>= 1).")
    pue_office: Assumption = Field(description="Power usage effectiveness of an office server room or closet (>= 1).")
    colocation_usd_per_kw_month: Assumption = Field(description="Colocation, USD per kW of provisioned power a month.")
    mlops_fte_loaded_usd_per_year: Assumption = Field(
        description="Loaded annual cost of one ML/DevOps engineer (salary, benefits, overhead)."
    )
    depreciation_years: Assumption = Field(description="Straight-line depreciation period for hardware, years.")
    hours_per_month: Assumption = Field(description="Hours in a billing month.")
    maintenance_fraction_of_capex_per_year: Assumption = Field(
        description="Annual maintenance and support of datacenter hardware as a fraction of its capex."
    )
    maintenance_fraction_workstation: Assumption = Field(
        description="Annual maintenance and support of workstation hardware as a fraction of its capex."
    )
    maintenance_fraction_consumer: Assumption = Field(
        description="Annual repair reserve of consumer hardware as a fraction of its capex."
    )
    maintenance_fraction_apple_silicon: Assumption = Field(
        description="Annual support (AppleCare-style) of Apple machines as a fraction of their price."
    )
    host_baseboard_server_usd: Assumption = Field(
        description="An 8-GPU baseboard (HGX/OAM) server without its GPUs, with its share of networking, USD."
    )
    host_baseboard_server_gpus: Assumption = Field(description="GPUs one baseboard server holds.")
    host_baseboard_server_power_w: Assumption = Field(description="Baseboard server power beyond its GPUs at load, W.")
    host_baseboard_server_idle_w: Assumption = Field(description="Baseboard server power beyond its GPUs at idle, W.")
    host_pcie_server_usd: Assumption = Field(description="A PCIe GPU server without its GPUs, USD.")
    host_pcie_server_gpus: Assumption = Field(description="GPU cards one PCIe server holds.")
    host_pcie_server_power_w: Assumption = Field(description="PCIe server power beyond its GPUs at load, W.")
    host_pcie_server_idle_w: Assumption = Field(description="PCIe server power beyond its GPUs at idle, W.")
    host_workstation_usd: Assumption = Field(description="A workstation tower without its GPUs, USD.")
    host_workstation_gpus: Assumption = Field(description="Professional GPU cards one workstation tower holds.")
    host_workstation_power_w: Assumption = Field(description="Workstation power beyond its GPUs at load, W.")
    host_workstation_idle_w: Assumption = Field(description="Workstation power beyond its GPUs at idle, W.")
    host_desktop_usd: Assumption = Field(description="A consumer desktop PC without its GPU, USD.")
    host_desktop_gpus: Assumption = Field(description="GeForce cards one desktop holds.")
    host_desktop_power_w: Assumption = Field(description="Desktop power beyond its GPU at load, W.")
    host_desktop_idle_w: Assumption = Field(description="Desktop power beyond its GPU at idle, W.")
    gpu_idle_fraction_datacenter: Assumption = Field(description="Idle draw of a datacenter GPU, share of its TDP.")
    gpu_idle_fraction_workstation: Assumption = Field(description="Idle draw of a workstation GPU, share of its TDP.")
    gpu_idle_fraction_consumer: Assumption = Field(description="Idle draw of a consumer GPU, share of its TDP.")
    gpu_idle_fraction_apple_silicon: Assumption = Field(
        description="Idle draw of an Apple machine (or other whole system), share of its maximum power."
    )
    ops_hours_per_deployment_month: Assumption = Field(
        description="Engineer-hours a month to run one self-hosted model deployment (upgrades, evals, monitoring)."
    )
    ops_hours_per_host_month_owned: Assumption = Field(
        description="Engineer-hours a month to keep one owned machine (OS, drivers, firmware, failures)."
    )
    ops_hours_per_host_month_rented: Assumption = Field(
        description="Engineer-hours a month to keep one rented instance (images, drivers; the provider owns failures)."
    )
    ops_hours_per_device_month: Assumption = Field(
        description="Engineer-hours a month per end-user device running a model (fleet updates, support)."
    )
    on_call_fte_24x7: Assumption = Field(
        description="Engineers (FTE) a 24/7 on-call rotation for one production service costs."
    )
    setup_hours: Assumption = Field(description="Engineering hours to stand up one self-hosted deployment.")
    setup_hours_production: Assumption = Field(
        description="Extra engineering hours to take one deployment to production for a 24/7 service."
    )
    setup_hours_per_host: Assumption = Field(
        description="Engineering hours to install one machine (rack, cable, OS, drivers) or image one instance."
    )
    ops_effort_factor_advanced: Assumption = Field(
        description="Operations and setup effort of an advanced team relative to an intermediate one."
    )
    ops_effort_factor_basic: Assumption = Field(
        description="Operations and setup effort of a basic team relative to an intermediate one."
    )
    ops_effort_factor_none: Assumption = Field(
        description="Operations and setup effort of a team with no ML operations skill relative to an intermediate one."
    )
    recruiting_cost_fraction: Assumption = Field(
        description="One-time cost of hiring an engineer, as a share of a year's loaded cost."
    )
    discount_rate_per_year: Assumption = Field(description="Discount rate (cost of capital) for net present values.")
    resale_datacenter_12m: Assumption = Field(description="Resale value of a 12-month-old datacenter GPU.")
    resale_datacenter_24m: Assumption = Field(description="Resale value of a 24-month-old datacenter GPU.")
    resale_datacenter_36m: Assumption = Field(description="Resale value of a 36-month-old datacenter GPU.")
    resale_datacenter_60m: Assumption = Field(description="Resale value of a 60-month-old datacenter GPU.")
    resale_workstation_36m: Assumption = Field(description="Resale value of a 36-month-old workstation GPU.")
    resale_workstation_60m: Assumption = Field(description="Resale value of a 60-month-old workstation GPU.")
    resale_consumer_36m: Assumption = Field(description="Resale value of a 36-month-old consumer GPU, share of new.")
    resale_consumer_60m: Assumption = Field(description="Resale value of a 60-month-old consumer GPU, share of new.")
    resale_apple_silicon_36m: Assumption = Field(description="Resale value of a 36-month-old Apple machine.")
    resale_apple_silicon_60m: Assumption = Field(description="Resale value of a 60-month-old Apple machine.")
    interactive_ttft_ms: Assumption = Field(description="Default time-to-first-token target of interactive work, ms.")
    interactive_output_tokens_per_s: Assumption = Field(
        description="Default per-user generation speed target of interactive work, tokens/s."
    )
    real_time_ttft_ms: Assumption = Field(description="Default time-to-first-token target of real-time work, ms.")
    real_time_output_tokens_per_s: Assumption = Field(
        description="Default per-user generation speed target of real-time work, tokens/s."
    )
    cloud_ttft_ms: Assumption = Field(
        description="Time to first token of a hosted API model with no measured figure in the catalog, ms "
        "(at the provider; the network round trip is added)."
    )
    cloud_output_tokens_per_s: Assumption = Field(
        description="Per-request output speed of a hosted API model with no measured figure in the catalog, tokens/s."
    )
    network_round_trip_ms: Assumption = Field(
        description="Network round trip from the workload's servers to a cloud API region, ms."
    )


class AssumptionFile(CatalogHeader):
    """``pricing/assumptions.yaml``."""

    kind: Literal["assumptions"]
    assumptions: OperatingAssumptions


# ---------------------------------------------------------------- serving engines

EngineId = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z0-9][a-z0-9._-]*$"),
    Field(description="Engine id, lower case, e.g. 'vllm', 'llama.cpp'."),
]


class EngineProfile(Sourced):
    """How efficiently one engine uses one class of accelerator, calibrated on published measurements."""

    accelerator_class: AcceleratorClass = Field(description="The accelerator class this profile applies to.")
    accelerators: list[EntryId] = Field(
        default_factory=list,
        description="Accelerators this profile is limited to (a profile fitted on them by `llmdecide calibrate`); "
        "empty: every accelerator of the class without a profile of its own.",
    )
    precisions: list[Precision] = Field(
        min_length=1, description="Weight precisions the engine serves on this class of accelerator."
    )
    fp16_accumulation: bool = Field(
        default=False,
        description="The engine multiplies FP16 (and dequantised integer) weights with FP16 accumulation, so it "
        "gets an accelerator's fp16_acc16_dense_tflops where one is given (llama.cpp's cuBLAS path).",
    )
    bandwidth_efficiency: Num = Field(
        gt=0, le=1, description="Fraction of peak memory bandwidth reached streaming weights in a decode step."
    )
    kv_bandwidth_efficiency: Num = Field(
        gt=0, le=1, description="Fraction of peak memory bandwidth reached reading the KV cache (attention)."
    )
    decode_compute_efficiency: Num = Field(
        gt=0, le=1, description="Fraction of peak tensor FLOPS reached by batched decode."
    )
    prefill_compute_efficiency: Num = Field(
        gt=0, le=1, description="Fraction of peak tensor FLOPS reached by prefill (prompt processing)."
    )
    step_overhead_ms: Num = Field(
        ge=0, le=100, description="Fixed time per decode step whatever the model: scheduling, sampling, launch."
    )
    layer_overhead_us: Num = Field(
        default=0.0,
        ge=0,
        le=1000,
        description="Fixed time per layer per step: kernel launches and synchronisation that CUDA graphs or "
        "fused kernels do not hide, so deeper models pay more.",
    )
    request_overhead_ms: Num = Field(
        default=0.0,
        ge=0,
        le=10000,
        description="Fixed time every request spends before its first token beyond the prefill itself: "
        "tokenisation, scheduling, the API server and the first sampling step.",
    )
    serving_token_overhead_us: Num = Field(
        default=0.0,
        ge=0,
        le=1000,
        description="Time the engine's API server spends per sequence per decode step (detokenising and "
        "streaming each token): a served deployment's step grows with its batch by this much per sequence; the "
        "engine's own offline benchmarks do not pay it.",
    )
    allreduce_latency_us: Num = Field(
        ge=0,
        le=1000,
        description="Latency of one tensor-parallel all-reduce of a decode step's activations over NVLink or "
        "Infinity Fabric (two per layer per step); PCIe links add PCIE_ALLREDUCE_EXTRA_S to each.",
    )
    memory_utilization: Num = Field(
        gt=0, le=1, description="Fraction of memory the engine may use (see memory_utilization_of)."
    )
    memory_utilization_of: Literal["total", "free_after_weights"] = Field(
        default="total",
        description="What memory_utilization is a fraction of: 'total' device memory, which holds the weights, "
        "runtime overhead and KV cache (vLLM gpu_memory_utilization, SGLang mem_fraction_static), or the memory "
        "'free_after_weights' and runtime overhead, all of which goes to the KV cache (TensorRT-LLM "
        "free_gpu_memory_fraction).",
    )
    memory_limit_raisable: bool = Field(
        default=False,
        description="memory_utilization is an operating-system default the user may raise (macOS caps the memory "
        "the GPU may wire; `sudo sysctl iogpu.wired_limit_mb=N` raises it): a model that does not fit under the "
        "default is sized at raised_memory_utilization, and the plan says the limit must be raised.",
    )
    raised_memory_utilization: Num | None = Field(
        default=None, gt=0, le=1, description="Fraction of memory usable once the limit is raised."
    )
    runtime_overhead_gb: Num = Field(
        ge=0,
        le=64,
        description="Memory per GPU taken by activations, CUDA context and graphs, GB, as the engine's defaults "
        "imply it (before the fitted runtime_overhead_scale).",
    )
    runtime_overhead_scale: Num = Field(
        default=1.0,
        gt=0,
        le=8,
        description="Fitted factor on runtime_overhead_gb: how much more (or less) memory than that the "
        "measured runs left out of the KV cache.",
    )
    max_batch: Int = Field(ge=1, le=65536, description="Most sequences one replica decodes at once (the default).")
    max_batch_large_memory: Int | None = Field(
        default=None,
        ge=1,
        le=65536,
        description="The engine's default on accelerators with at least large_memory_gib of memory, where it "
        "differs (vLLM from 0.10 sets max_num_seqs by device memory).",
    )
    large_memory_gib: Num | None = Field(
        default=None, gt=0, description="Device memory (GiB) from which max_batch_large_memory applies."
    )
    large_memory_except: list[EntryId] = Field(
        default_factory=list,
        description="Accelerators with that much memory the engine still gives max_batch (vLLM excepts A100s).",
    )
    engine_version: NonEmpty | None = Field(
        default=None, description="Engine release the defaults (memory fraction, batch limit) are read from."
    )
    weight_bits: dict[Literal["int8", "int4", "fp4"], Num] = Field(
        default_factory=dict,
        description="Effective bits per weight of the engine's usual quantised formats, scales included "
        "(e.g. llama.cpp Q4_K_M is about 4.9); absent formats use 8 or 4 bits.",
    )
    moe_efficiency: Num = Field(
        default=1.0,
        gt=0,
        le=1,
        description="Extra factor on the weight-streaming efficiency of mixture-of-experts models (routing, "
        "scattered expert reads); matters at small batch.",
    )
    rocm_efficiency: Num = Field(
        default=1.0,
        gt=0,
        le=1,
        description="Extra factor on every efficiency on AMD GPUs, where the engine's ROCm build runs other "
        "kernels than on CUDA.",
    )
    low_precision_efficiency: Num = Field(
        default=1.0,
        gt=0,
        le=1,
        description="Extra factor on matmul efficiency where weights multiply on FP8 or FP4 tensor cores: "
        "the narrower format doubles the peak, but scaling, dequantisation and epilogues do not speed up.",
    )
    moe_compute_efficiency: Num = Field(
        default=1.0,
        gt=0,
        le=1,
        description="Extra factor on the compute efficiency of mixture-of-experts models (grouped-GEMM "
        "kernels, expert load imbalance); matters at large batch.",
    )
    calibrated_on: list[NonEmpty] = Field(
        default_factory=list, description="Ids in hardware/measurements.yaml the factors were fitted on."
    )

    @model_validator(mode="after")
    def _paired(self) -> EngineProfile:
        if (self.max_batch_large_memory is None) != (self.large_memory_gib is None):
            raise ValueError("give max_batch_large_memory and large_memory_gib together")
        if self.memory_limit_raisable != (self.raised_memory_utilization is not None):
            raise ValueError("give raised_memory_utilization exactly when memory_limit_raisable is true")
        return self

    @property
    def overhead_gb(self) -> float:
        """Memory per GPU the engine keeps out of the KV cache: runtime_overhead_gb x runtime_overhead_scale."""
        return self.runtime_overhead_gb * self.runtime_overhead_scale

    def max_batch_for(self, accelerator: Accelerator) -> int:
        """The engine's default batch limit on this accelerator (its memory in GiB, as marketed)."""
        large = self.max_batch_large_memory
        if (
            large is not None
            and self.large_memory_gib is not None
            and accelerator.memory_gb >= self.large_memory_gib
            and accelerator.id not in self.large_memory_except
        ):
            return large
        return self.max_batch


class Engine(Strict):
    """A serving engine (vLLM, TensorRT-LLM, llama.cpp, ...) and its per-class profiles."""

    id: EngineId
    name: NonEmpty = Field(description="Display name.")
    url: NonEmpty = Field(description="Project page.")
    profiles: list[EngineProfile] = Field(min_length=1, description="One profile per accelerator class served.")


Regime = Literal["batch 1", "mid concurrency", "saturation", "prefill", "mixture of experts", "multi-GPU"]
"""Operating regimes the capacity model's error is measured in (``capacity/calibration.py``)."""


class PredictionInterval(Strict):
    """How far measured speed falls from the model's in one regime, from leave-one-source-out residuals."""

    regime: Regime = Field(description="The regime: a batch regime, or a model / parallelism kind.")
    low: Num = Field(gt=0, le=1, description="Measured / predicted speed at the interval's low end (10th percentile).")
    high: Num = Field(ge=1, le=100, description="Measured / predicted speed at its high end (90th percentile).")
    median: Num = Field(gt=0, description="Median measured / predicted speed (below 1: the model is optimistic).")
    coverage: Num = Field(gt=0, lt=1, description="Share of held-out figures the interval is meant to cover.")
    figures: Int = Field(ge=1, description="Held-out figures the interval is drawn from.")
    sources: Int = Field(ge=1, description="Source documents those figures come from.")


class EngineFile(CatalogHeader):
    """``hardware/engines.yaml``: serving-engine efficiency profiles."""

    kind: Literal["engines"]
    engines: list[Engine] = Field(min_length=1, description="The engines.")
    prediction_intervals: list[PredictionInterval] = Field(
        default_factory=list,
        description="Error bars of the capacity model by regime, written by benchmarks/calibrate.py --write "
        "from leave-one-source-out residuals.",
    )


# ---------------------------------------------------------------- measurements


class Measurement(Sourced):
    """A published throughput or latency measurement, for calibrating and checking the capacity model."""

    id: EntryId
    model: EntryId = Field(description="Id in hardware/models.yaml.")
    accelerator: EntryId = Field(description="Id in hardware/accelerators.yaml.")
    engine: NonEmpty = Field(description="Serving engine id, e.g. 'vllm', 'tensorrt-llm', 'llama.cpp'.")
    engine_version: NonEmpty | None = Field(
        default=None, description="Engine release measured, as the source states it (absent when it does not)."
    )
    gpus: Int = Field(ge=1, le=1024, description="GPUs in the measured system.")
    tp: Int = Field(ge=1, le=64, description="Tensor-parallel degree (GPUs per replica).")
    precision: Precision = Field(description="Weight precision (Q4_0 and AWQ/GPTQ 4-bit are int4, Q8_0 is int8).")
    kv_precision: Precision | None = Field(
        default=None,
        description="KV-cache precision of the run; absent: the engine's default (16-bit, except where "
        "TensorRT-LLM takes its FP8 checkpoint's FP8 cache; calibration.measured_kv_precision).",
    )
    input_tokens: Int = Field(ge=1, description="Prompt tokens per request.")
    output_tokens: Int = Field(ge=1, description="Generated tokens per request.")
    concurrency: Int | None = Field(
        default=None, ge=1, description="Concurrent requests (whole system); absent for offline / max throughput."
    )
    harness: Literal["served", "offline"] = Field(
        default="served",
        description="'served': requests through the engine's API server (vllm bench serve, sglang.bench_serving, "
        "GenAI-Perf); 'offline': the engine's own benchmark with no server in the loop (trtllm-bench, vLLM "
        "benchmark_throughput / benchmark_latency, llama-bench).",
    )
    requests: Int | None = Field(
        default=None,
        ge=1,
        description="Requests of a run that sends every prompt at once (offline, or served with no "
        "concurrency limit): the run's batch is the smaller of this and what the replicas hold. Required for "
        "such a served run; without it the batch would be the engine's limit, whatever the run sent.",
    )
    output_tokens_per_s: Num | None = Field(default=None, gt=0, description="Measured output tokens/s, whole system.")
    per_user_output_tokens_per_s: Num | None = Field(
        default=None, gt=0, description="Measured decode tokens/s seen by one request."
    )
    ttft_ms: Num | None = Field(
        default=None,
        gt=0,
        description="Measured time to first token, ms: the median over the run's requests where the source gives "
        "it (the steady-state figure the model predicts; a mean carries the opening burst's queue and cold "
        "requests), else what the source gives.",
    )
    ttft_statistic: Literal["median", "mean", "unstated"] | None = Field(
        default=None,
        description="What ttft_ms is: the 'median' or 'mean' over the run's requests, or 'unstated' by the "
        "source. Required with ttft_ms.",
    )
    prefill_tokens_per_s: Num | None = Field(
        default=None, gt=0, description="Measured prompt-processing tokens/s (e.g. llama-bench pp512)."
    )
    split: Literal["calibration", "holdout"] = Field(
        description="'calibration' entries tune the engine factors; 'holdout' entries only check the model."
    )
    excluded_metrics: list[
        Literal["output_tokens_per_s", "per_user_output_tokens_per_s", "ttft_ms", "prefill_tokens_per_s"]
    ] = Field(
        default_factory=list,
        description="Figures recorded for context but outside what the model predicts (e.g. a time to "
        "first token dominated by queueing at saturation); neither fitted nor scored.",
    )
    exclusion_reason: str | None = Field(default=None, description="Why the excluded figures are excluded.")

    @model_validator(mode="after")
    def _some_metric(self) -> Measurement:
        metrics = (self.output_tokens_per_s, self.per_user_output_tokens_per_s, self.ttft_ms, self.prefill_tokens_per_s)
        if all(v is None for v in metrics):
            raise ValueError("a measurement needs at least one measured figure")
        if self.gpus % self.tp != 0:
            raise ValueError("gpus is not a multiple of tp")
        if self.excluded_metrics and not self.exclusion_reason:
            raise ValueError("give exclusion_reason when excluding figures")
        if (self.ttft_ms is None) != (self.ttft_statistic is None):
            raise ValueError("ttft_ms and ttft_statistic go together: say whether the time is a median or a mean")
        if self.harness == "served" and self.concurrency is None and self.requests is None:
            raise ValueError(
                "a served run gives its concurrency, or the requests it sent at once: without either, its batch "
                "would be taken as the engine's limit"
            )
        return self


class MeasurementFile(CatalogHeader):
    """``hardware/measurements.yaml``: published measurements the capacity model is calibrated and checked on."""

    kind: Literal["measurements"]
    measurements: list[Measurement] = Field(min_length=1, description="The measurements.")


# ---------------------------------------------------------------- overlays


class ApiDiscount(Sourced):
    """A negotiated discount on list prices, for the models matching a pattern."""

    models: list[NonEmpty] = Field(min_length=1, description="Model ids or shell-style patterns, e.g. 'openai/*'.")
    discount: Num = Field(
        gt=0, le=0.9, description="Fraction off the list price (0.15 = 15% off); at most 0.9 (90% off)."
    )


PartialAssumptions = create_model(
    "PartialAssumptions",
    __base__=Strict,
    __doc__="Operating assumptions an overlay replaces; the others keep their packaged values.",
    **{  # type: ignore[call-overload]
        name: (Assumption | None, Field(default=None, description="See OperatingAssumptions."))
        for name in OperatingAssumptions.model_fields
    },
)


class OverlayFile(CatalogHeader):
    """A user's own file layered on top of the catalog: negotiated prices, owned hardware.

    Entries replace the catalog entry with the same id, or add a new one.
    """

    kind: Literal["overlay"]
    api_discounts: list[ApiDiscount] = Field(default_factory=list, description="Discounts on API list prices.")
    api_models: list[ApiModel] = Field(
        default_factory=list, description="API models to add or replace; the provider is the id's namespace."
    )
    engines: list[Engine] = Field(
        default_factory=list,
        description="Engine profiles to add: an engine with a catalog id gets these profiles ahead of its own "
        "(a profile limited to some accelerators replaces the catalog's for them; `llmdecide calibrate` writes "
        "these); a new id adds an engine.",
    )
    rental_offers: list[RentalOffer] = Field(
        default_factory=list,
        description="Rental offers to add or replace; the provider is the id's namespace.",
    )
    accelerators: list[Accelerator] = Field(default_factory=list, description="Accelerators to add or replace.")
    open_models: list[OpenModel] = Field(default_factory=list, description="Open models to add or replace.")
    assumptions: PartialAssumptions | None = Field(default=None, description="Assumptions to replace.")


CatalogFile = ApiPriceFile | GpuRentalFile | AcceleratorFile | OpenModelFile | AssumptionFile | OverlayFile
"""Any one catalog file, discriminated by ``kind``."""

FILE_MODELS: dict[str, type[CatalogHeader]] = {
    "api_prices": ApiPriceFile,
    "gpu_rental": GpuRentalFile,
    "accelerators": AcceleratorFile,
    "open_models": OpenModelFile,
    "assumptions": AssumptionFile,
    "overlay": OverlayFile,
    "measurements": MeasurementFile,
    "engines": EngineFile,
}
