"""OpenTelemetry spans that follow the GenAI semantic conventions, exported as JSON: one inference call a span.

Sources (field names come from these and nowhere else):

- the GenAI span conventions, https://github.com/open-telemetry/semantic-conventions/blob/main/docs/gen-ai/gen-ai-spans.md
  (inference spans): ``gen_ai.operation.name`` (``chat``, ``text_completion``, ``generate_content``; ``embeddings``,
  ``execute_tool``, ``invoke_agent`` and the others are not model calls of their own), ``gen_ai.provider.name``
  (``gen_ai.system`` before v1.37), ``gen_ai.request.model``, ``gen_ai.response.model``,
  ``gen_ai.usage.input_tokens`` ("SHOULD include all types of input tokens, including cached tokens"),
  ``gen_ai.usage.output_tokens``, ``gen_ai.usage.cache_read.input_tokens`` and
  ``gen_ai.usage.cache_creation.input_tokens`` (both "SHOULD be included in ``gen_ai.usage.input_tokens``");
- the OTLP JSON encoding (opentelemetry-proto, ``ExportTraceServiceRequest``), which the Collector's file exporter
  writes one request a line: ``resourceSpans[].resource.attributes``, ``resourceSpans[].scopeSpans[].spans[]``
  with ``startTimeUnixNano`` (a decimal string or a number) and ``attributes`` as a list of
  ``{"key": ..., "value": {"stringValue" | "intValue" | "doubleValue" | "boolValue": ...}}``
  (``intValue`` is a string, as proto3 JSON writes 64-bit integers);
- the flat shape of opentelemetry-python's ``ReadableSpan.to_json()`` (what its ``ConsoleSpanExporter`` prints,
  pretty-printed, one span after another): ``name``, ``start_time`` (ISO 8601, UTC), ``attributes`` as a mapping,
  ``resource.attributes`` as a mapping.

A span is counted when it carries a token count and is an inference call (or names no operation, as older
instrumentations do). The resource's ``service.name`` is the span's project; string attributes of the span and
its resource are its tags (for ``--segment-by tag:NAME``), except message content (``gen_ai.input.*``,
``gen_ai.output.*``, ``gen_ai.prompt*``, ``gen_ai.completion*``, ``gen_ai.system_instructions``,
``gen_ai.tool.*``) and people (``user.*``, ``enduser.*``), which are never read.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any, TextIO

from llmdecide.errors import InputFileError
from llmdecide.usage_import.fields import UTC, field_error, text_label, timestamp, token_count
from llmdecide.usage_import.jsonstream import json_values
from llmdecide.usage_import.records import ImportFormat, ReadNotes, UsageRecord

INPUT = "gen_ai.usage.input_tokens"
OUTPUT = "gen_ai.usage.output_tokens"
CACHE_READ = "gen_ai.usage.cache_read.input_tokens"
CACHE_WRITE = "gen_ai.usage.cache_creation.input_tokens"
INFERENCE = frozenset({"chat", "text_completion", "generate_content"})
PRIVATE_PREFIXES = (
    "gen_ai.input",
    "gen_ai.output",
    "gen_ai.prompt",
    "gen_ai.completion",
    "gen_ai.system_instructions",
    "gen_ai.tool",
    "gen_ai.conversation",
    "user.",
    "enduser.",
)
"""Attributes that hold message content or identify people: never read, never a tag."""
MAX_TAG_CHARS = 200


def _otlp_value(value: Any) -> Any:
    if not isinstance(value, dict):
        return None
    for key in ("stringValue", "intValue", "doubleValue", "boolValue"):
        if key in value:
            return value[key]
    return None


def _otlp_attributes(items: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if isinstance(items, list):
        for item in items:
            if isinstance(item, dict) and isinstance(item.get("key"), str):
                if item["key"].startswith(PRIVATE_PREFIXES):
                    continue
                out[item["key"]] = _otlp_value(item.get("value"))
    return out


def _flat_attributes(items: Any) -> dict[str, Any]:
    if not isinstance(items, dict):
        return {}
    return {k: v for k, v in items.items() if isinstance(k, str) and not k.startswith(PRIVATE_PREFIXES)}


def _nanos(value: Any, name: str, where: str) -> dt.datetime:
    field = "startTimeUnixNano"
    if isinstance(value, str) and value.strip().isdigit():
        nanos = int(value.strip())
    elif isinstance(value, int) and not isinstance(value, bool):
        nanos = value
    else:
        raise field_error(name, where, field, "nanoseconds since 1970 (a whole number)", value)
    seconds = nanos / 1e9
    if not 946_684_800 <= seconds < 7_258_118_400:
        raise field_error(name, where, field, "nanoseconds since 1970, between the years 2000 and 2200", value)
    return dt.datetime.fromtimestamp(seconds, UTC)


def _tags(*sources: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    tags: dict[str, str] = {}
    for attrs in sources:
        for key, value in attrs.items():
            if isinstance(value, str) and value.strip() and len(value) <= MAX_TAG_CHARS:
                tags.setdefault(key, value.strip())
    return tuple(sorted(tags.items()))


def _span(
    attrs: dict[str, Any], resource: dict[str, Any], start: Any, name: str, where: str, notes: ReadNotes, *, otlp: bool
) -> UsageRecord | None:
    if INPUT not in attrs and OUTPUT not in attrs:
        return None
    operation = text_label(attrs.get("gen_ai.operation.name"))
    if operation is not None and operation not in INFERENCE:
        notes.once(
            "otel-operations",
            f"{name}: spans of other operations (agents, tools, embeddings) left out: their tokens are counted "
            "on the model calls they make",
        )
        return None
    model = text_label(attrs.get("gen_ai.request.model")) or text_label(attrs.get("gen_ai.response.model"))
    if model is None:
        raise field_error(name, where, "gen_ai.request.model", "a model name", attrs.get("gen_ai.request.model", ""))
    prompt = token_count(attrs.get(INPUT), name, where, INPUT, blank=0.0)
    output = token_count(attrs.get(OUTPUT), name, where, OUTPUT, blank=0.0)
    cached = token_count(attrs.get(CACHE_READ), name, where, CACHE_READ, blank=0.0)
    written = token_count(attrs.get(CACHE_WRITE), name, where, CACHE_WRITE, blank=0.0)
    if cached + written > prompt:
        notes.once(
            "otel-cache-parts",
            f"{name}: some spans count cache reads and writes beyond {INPUT}: the prompt is taken as their sum",
        )
        prompt = cached + written
    when = _nanos(start, name, where) if otlp else timestamp(start, name, where, "start_time", notes)
    provider = text_label(attrs.get("gen_ai.provider.name")) or text_label(attrs.get("gen_ai.system"))
    return UsageRecord(
        start=when,
        end=None,
        model=model,
        input_tokens=prompt,
        cached_input_tokens=cached,
        cache_write_tokens=written,
        output_tokens=output,
        requests=1.0,
        project=text_label(resource.get("service.name")),
        tags=_tags(attrs, resource),
        where=where,
        provider=provider,
    )


def _otlp_spans(request: dict[str, Any], name: str, line: int, notes: ReadNotes) -> Iterator[UsageRecord]:
    resource_spans = request.get("resourceSpans")
    if not isinstance(resource_spans, list):
        raise InputFileError(f"{name}: line {line}: resourceSpans: expected a list")
    count = 0
    for rs in resource_spans:
        if not isinstance(rs, dict):
            continue
        resource = rs.get("resource")
        resource_attrs = _otlp_attributes(resource.get("attributes")) if isinstance(resource, dict) else {}
        scopes = rs.get("scopeSpans", rs.get("instrumentationLibrarySpans", []))
        for scope in scopes if isinstance(scopes, list) else []:
            spans = scope.get("spans") if isinstance(scope, dict) else None
            for span in spans if isinstance(spans, list) else []:
                count += 1
                where = f"line {line}: span {count}"
                if not isinstance(span, dict):
                    raise InputFileError(f"{name}: {where}: expected a span (a JSON object)")
                record = _span(
                    _otlp_attributes(span.get("attributes")),
                    resource_attrs,
                    span.get("startTimeUnixNano"),
                    name,
                    where,
                    notes,
                    otlp=True,
                )
                if record is not None:
                    yield record


def _values(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def read(stream: TextIO, name: str, notes: ReadNotes) -> Iterator[UsageRecord]:
    """GenAI inference spans as usage records: OTLP JSON (one export request a line) or flat spans."""
    flat = 0
    for line, top in json_values(stream, name):
        for value in _values(top):
            if isinstance(value, dict) and "resourceSpans" in value:
                yield from _otlp_spans(value, name, line, notes)
                continue
            flat += 1
            where = f"record {flat} (line {line})"
            if not isinstance(value, dict) or not isinstance(value.get("attributes"), dict):
                raise InputFileError(
                    f"{name}: {where}: expected an OTLP export request (resourceSpans) or a span with attributes"
                )
            if "start_time" not in value:
                raise field_error(name, where, "start_time", "the span's start time", "")
            resource = value.get("resource")
            resource_attrs = resource.get("attributes") if isinstance(resource, dict) else None
            record = _span(
                _flat_attributes(value["attributes"]),
                _flat_attributes(resource_attrs),
                value.get("start_time"),
                name,
                where,
                notes,
                otlp=False,
            )
            if record is not None:
                yield record


def sniff(head: str) -> bool:
    """OTLP JSON or flat spans carrying GenAI token counts."""
    start = head.lstrip("\ufeff \t\r\n")
    return start[:1] in "[{" and ('"resourceSpans"' in head or '"gen_ai.' in head)


FORMAT = ImportFormat(
    name="otel-genai",
    description="OpenTelemetry GenAI spans as OTLP JSON lines or flat JSON spans (Langfuse, Helicone, gateways)",
    read=read,
    sniff=sniff,
)
