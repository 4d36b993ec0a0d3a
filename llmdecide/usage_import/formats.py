"""The import formats by their command-line names, and a guess at a file's format from its first characters."""

from __future__ import annotations

import importlib

from llmdecide.errors import InputFileError
from llmdecide.usage_import.records import ImportFormat

FORMAT_MODULES: dict[str, str] = {
    "openai-usage": "openai_usage",
    "anthropic-usage": "anthropic_usage",
    "litellm": "litellm",
    "openrouter": "openrouter",
    "otel-genai": "otel_genai",
}
"""Each format's command-line name and the module of this package that reads it (its ``FORMAT``)."""
FORMAT_NAMES = tuple(FORMAT_MODULES)

DEFAULT_PROVIDERS: dict[str, str] = {"openai-usage": "openai", "anthropic-usage": "anthropic"}
"""Who served every model of a provider's own usage export (its model names are that provider's)."""


def import_format(name: str) -> ImportFormat:
    """The format of a command-line name; raise :class:`InputFileError` for a name that is not one."""
    module = FORMAT_MODULES.get(name)
    if module is None:
        raise InputFileError(f"unknown import format {name!r}", hint=f"formats: {', '.join(FORMAT_NAMES)}")
    found = importlib.import_module(f"llmdecide.usage_import.{module}").FORMAT
    assert isinstance(found, ImportFormat) and found.name == name, f"{module}.FORMAT is not the {name} format"
    return found


def guess_formats(head: str, *, besides: str = "") -> list[str]:
    """The names of the formats whose sniff takes ``head`` (the first characters of a file), ``besides`` left out."""
    out = []
    for name in FORMAT_NAMES:
        if name == besides:
            continue
        if import_format(name).sniff(head):
            out.append(name)
    return out
