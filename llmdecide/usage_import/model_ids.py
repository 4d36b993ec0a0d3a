"""Which catalog model a provider's model name means: ``gpt-4o-2024-08-06`` is ``openai/gpt-4o``.

Exports name models as the provider's API does: dated snapshots (``claude-sonnet-4-20250514``,
``gpt-4o-2024-08-06``), dashes for version dots (``claude-3-5-haiku``), a gateway's routing prefix
(``azure/gpt-4o``, ``bedrock/anthropic.claude-3-haiku-20240307-v1:0``, OpenRouter's ``openai/gpt-4o``), and
OpenRouter's word order (``claude-4.5-sonnet``). Each name is tried against the catalog's ids in the provider's
namespace, as written first and then with those spellings undone one at a time, with the catalog's own lookup
(``llmdecide.catalog.catalog.resolve_id``) taking only an exact match of the model's name (never a prefix, which
could name a different model). A name that matches nothing, or matches in several namespaces with no provider to
choose between them (and no maker's own price list among them), stays unmapped and the workload's header says so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from llmdecide.catalog.catalog import Catalog, resolve_id
from llmdecide.errors import UnknownIdError

PROVIDER_NAMESPACES: dict[str, str] = {
    "openai": "openai",
    "text-completion-openai": "openai",
    "anthropic": "anthropic",
    "azure": "azure-openai",
    "azure_ai": "azure-openai",
    "azure.ai.openai": "azure-openai",
    "bedrock": "aws-bedrock",
    "bedrock_converse": "aws-bedrock",
    "aws.bedrock": "aws-bedrock",
    "aws_bedrock": "aws-bedrock",
    "gemini": "google",
    "google": "google",
    "google-ai-studio": "google",
    "google-vertex": "google",
    "vertex_ai": "google",
    "vertex_ai_beta": "google",
    "gcp.gemini": "google",
    "gcp.vertex_ai": "google",
    "gcp.gen_ai": "google",
    "mistral": "mistral",
    "mistralai": "mistral",
    "mistral_ai": "mistral",
    "groq": "groq",
    "deepseek": "deepseek",
    "together": "together",
    "together_ai": "together",
    "togetherai": "together",
    "fireworks": "fireworks",
    "fireworks_ai": "fireworks",
    "x-ai": "xai",
    "x_ai": "xai",
    "xai": "xai",
    "cohere": "cohere",
    "cohere_chat": "cohere",
    "alibaba": "alibaba",
    "dashscope": "alibaba",
    "qwen": "alibaba",
    "minimax": "minimax",
}
"""Provider names as LiteLLM (``custom_llm_provider``, model prefixes), OpenTelemetry (``gen_ai.provider.name``)
and OpenRouter (model prefixes) write them, to the catalog namespace that prices that provider."""

MAKERS = frozenset({"openai", "anthropic", "google", "mistral", "xai", "deepseek", "cohere", "alibaba", "minimax"})
"""Namespaces of the companies that make the models they sell: where a name no provider qualifies is priced."""

_DATE_SUFFIX = re.compile(r"-(?:20\d{2}-?\d{2}-?\d{2}|\d{4})$")
_BEDROCK = re.compile(
    r"^(?:[a-z]{2}\.)?(?:anthropic|meta|amazon|mistral|cohere|ai21|deepseek|openai)\.(.+?)(?:-v\d+(?::\d+)?)?$"
)
_CLAUDE_ORDER = re.compile(r"^claude-([0-9][0-9.]*)-(opus|sonnet|haiku)(.*)$")
"""OpenRouter's ``claude-4.5-sonnet`` for Anthropic's ``claude-sonnet-4.5``."""
_VERSION_DASH = re.compile(r"(?<![0-9])([0-9])-([0-9])(?![0-9])")


@dataclass(frozen=True)
class ModelMatch:
    """How one model name of an export maps to the catalog."""

    written: str
    """The model as the export names it."""
    catalog_id: str | None
    """The catalog id, or None when none matched."""
    note: str
    """How it matched, or why it did not, for the workload's header."""


def _spellings(name: str) -> list[str]:
    """The name, then the same with a dated snapshot, '-latest', a vendor prefix or version dashes undone."""
    out = [name]

    def add(text: str) -> None:
        if text and text not in out:
            out.append(text)

    bedrock = _BEDROCK.match(name)
    if bedrock:
        add(bedrock.group(1))
    for base in list(out):
        add(base.removesuffix("-latest"))
    for base in list(out):
        add(_DATE_SUFFIX.sub("", base))
    for base in list(out):
        add(_VERSION_DASH.sub(r"\1.\2", base))
    for base in list(out):
        add(_CLAUDE_ORDER.sub(r"claude-\2-\1\3", base))
    return out


def split_prefix(model: str) -> tuple[str | None, str]:
    """A gateway's ``provider/model`` split into its provider (when it names one) and the model."""
    head, sep, rest = model.partition("/")
    if sep and head in PROVIDER_NAMESPACES:
        return head, rest
    if model.startswith("models/"):
        return None, model.removeprefix("models/")
    return None, model


def match_model(catalog: Catalog, model: str, provider: str | None = None) -> ModelMatch:
    """The catalog id a model name means, given the provider that served it where the export says."""
    written = model
    key = model.strip().lower()
    prefix, bare = split_prefix(key)
    named = (provider or prefix or "").strip().lower()
    namespace = PROVIDER_NAMESPACES.get(named)
    ids = list(catalog.api_models)
    pool = [i for i in ids if i.split("/", 1)[0] == namespace] if namespace else ids
    if not pool:
        pool = ids
    ambiguous: list[str] = []
    for spelling in _spellings(bare):
        try:
            found = resolve_id(pool, spelling, "API model")
        except UnknownIdError as exc:
            if exc.suggestions and "ambiguous" in exc.message:
                ambiguous = exc.suggestions
            continue
        if found.split("/", 1)[1] != spelling:
            continue  # a prefix match: another model, not this one
        how = "as written" if spelling == bare and not prefix else f"as {spelling}"
        return ModelMatch(written, found, f"{how} in the catalog")
    makers = [i for i in ambiguous if i.split("/", 1)[0] in MAKERS]
    if not namespace and len(makers) == 1:
        return ModelMatch(written, makers[0], "in its maker's own price list (the export names no provider)")
    if ambiguous:
        return ModelMatch(
            written, None, f"in several providers' price lists ({', '.join(ambiguous[:3])}); the export names none"
        )
    where = f" of {namespace}" if namespace else ""
    return ModelMatch(written, None, f"not in the catalog's price lists{where}")
