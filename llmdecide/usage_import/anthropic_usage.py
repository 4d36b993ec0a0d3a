"""The ``anthropic-usage`` import format: Anthropic's Messages usage report (Usage & Cost Admin API).

What it reads
-------------
The response of ``GET /v1/organizations/usage_report/messages`` as saved to a file: one page per file, several
pages in a JSON array, or JSON lines of pages (the same three shapes as ``openai-usage``, streamed a page at a
time the same way). A page is ``{"data": [bucket, ...], "has_more": ..., "next_page": ...}``; a bucket is
``{"starting_at": <RFC 3339>, "ending_at": <RFC 3339>, "results": [result, ...]}``. Each result becomes one
:class:`UsageRecord` for ``[starting_at, ending_at)`` with ``provider="anthropic"``; ``where`` is
``record N, results[i]`` (``record N`` counts buckets through the file), preceded by ``line L`` for a file of
several pages, and messages name the same places.

Fields, as the record takes them:

================================================  ========================================================
``starting_at``/``ending_at``                     bucket start and end; a timestamp without a zone is read
                                                  as UTC, with a note
``uncached_input_tokens``                         part of ``input_tokens`` (required)
``cache_read_input_tokens``                       ``cached_input_tokens``, and part of ``input_tokens``
                                                  (required)
``cache_creation.ephemeral_5m_input_tokens`` and  ``cache_write_tokens`` (their sum), and part of
``cache_creation.ephemeral_1h_input_tokens``      ``input_tokens`` (required)
``output_tokens``                                 ``output_tokens`` (required)
``model``                                         ``model``
``workspace_id``                                  ``project``
``api_key_id``                                    ``api_key`` (an id, never the key)
``service_tier``                                  tag ``service_tier``; ``"batch"`` sets ``batch``
``context_window``, ``inference_geo``, ``speed``  tags of the same names
``server_tool_use.web_search_requests``           checked, not imported (a request count of a tool, not
                                                  tokens); a file with web searches gets a note
``account_id``, ``service_account_id``            never read: user and account ids are not carried
================================================  ========================================================

So ``input_tokens = uncached_input_tokens + cache_read_input_tokens + ephemeral_5m + ephemeral_1h``. The report
counts tokens, not requests: every record has ``requests=None`` and the format says ``counts_requests=False``.

Sources
-------
* Anthropic API reference, Get Messages Usage Report:
  https://platform.claude.com/docs/en/api/admin-api/usage-cost/get-messages-usage-report (its example response
  is the source of every result field above, of ``cache_creation`` being an object with
  ``ephemeral_1h_input_tokens``/``ephemeral_5m_input_tokens``, and of ``server_tool_use.web_search_requests``)
  and https://platform.claude.com/docs/en/api/admin/usage_report/retrieve_messages (the ``group_by`` values
  ``account_id``, ``api_key_id``, ``context_window``, ``inference_geo``, ``model``, ``service_account_id``,
  ``service_tier``, ``speed``, ``workspace_id``; RFC 3339 bucket bounds snapped to UTC minutes, hours or days).
* Disagreement: a third-party JSON Schema derived from an unofficial OpenAPI description
  (api-evangelist/anthropic ``anthropic-usage-report-schema.json``) has flat ``cache_creation_5m_input_tokens``
  and ``cache_creation_1h_input_tokens``; Anthropic's own example has the nested ``cache_creation`` object, which
  is what this reader reads.
* The reference now calls this endpoint legacy, pointing to ``GET /v1/organizations/analytics/usage``; that
  newer report is a different format and is not read here.

Not supported
-------------
* The Console's Usage page CSV export: Anthropic's help article
  (https://support.anthropic.com/en/articles/9534590-cost-and-usage-reporting-in-console) says it exists but no
  Anthropic page documents its columns, so this reader does not guess them.
* The cost report (``GET /v1/organizations/cost_report``,
  https://platform.claude.com/docs/en/api/resources/admin/subresources/usage_and_cost): it has daily buckets only,
  with amounts per workspace and per cost description (model, token type, service tier, context window), not per
  API key, and its token costs are not tied to usage results one for one. Attaching its amounts to usage records
  would mean splitting costs over buckets and groupings the report never states, so no cost is attached.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any, TextIO

from llmdecide.errors import InputFileError
from llmdecide.usage_import.fields import timestamp, token_count
from llmdecide.usage_import.openai_usage import (
    JsonPage,
    joined,
    list_of,
    need,
    object_of,
    optional_count,
    optional_label,
    page_place,
    record_where,
    report_pages,
)
from llmdecide.usage_import.records import ImportFormat, ReadNotes, UsageRecord

_TAGS = ("service_tier", "context_window", "inference_geo", "speed")
_WHY_TOKENS = (
    "every messages usage result has uncached_input_tokens, cache_read_input_tokens, cache_creation and output_tokens"
)


def _bucket_time(bucket: dict[str, Any], key: str, name: str, where: str, notes: ReadNotes) -> dt.datetime:
    why = "every usage bucket has starting_at and ending_at, RFC 3339 timestamps"
    return timestamp(need(bucket, key, name, where, key, why), name, where, key, notes).astimezone(dt.UTC)


def _result_record(
    result: Any,
    start: dt.datetime,
    end: dt.datetime,
    name: str,
    where: str,
    field: str,
    record_at: str,
    notes: ReadNotes,
) -> UsageRecord:
    res = object_of(result, name, where, f"a messages usage result at {field}")

    def required(mapping: dict[str, Any], key: str, path: str, why: str) -> Any:
        return need(mapping, key, name, where, f"{path}.{key}", why)

    def tokens(mapping: dict[str, Any], key: str, path: str, why: str) -> float:
        return token_count(required(mapping, key, path, why), name, where, f"{path}.{key}")

    uncached = tokens(res, "uncached_input_tokens", field, _WHY_TOKENS)
    cache_read = tokens(res, "cache_read_input_tokens", field, _WHY_TOKENS)
    creation_path = f"{field}.cache_creation"
    creation = object_of(required(res, "cache_creation", field, _WHY_TOKENS), name, where, creation_path)
    why_creation = "cache_creation has ephemeral_5m_input_tokens and ephemeral_1h_input_tokens"
    written = tokens(creation, "ephemeral_5m_input_tokens", creation_path, why_creation)
    written += tokens(creation, "ephemeral_1h_input_tokens", creation_path, why_creation)
    output_tokens = tokens(res, "output_tokens", field, _WHY_TOKENS)

    tools = res.get("server_tool_use")
    if tools is not None:
        tools_path = f"{field}.server_tool_use"
        tools = object_of(tools, name, where, tools_path)
        if optional_count(tools, "web_search_requests", name, where, f"{tools_path}.web_search_requests") > 0:
            notes.once(
                "anthropic-web-search",
                f"{name}: web search requests (server_tool_use) are not imported: they are tool calls, not tokens",
            )

    tags: list[tuple[str, str]] = []
    for key in _TAGS:
        label = optional_label(res, key, name, where, f"{field}.{key}")
        if label:
            tags.append((key, label))
    return UsageRecord(
        start=start,
        end=end,
        model=optional_label(res, "model", name, where, f"{field}.model"),
        input_tokens=uncached + cache_read + written,
        cached_input_tokens=cache_read,
        cache_write_tokens=written,
        output_tokens=output_tokens,
        requests=None,
        project=optional_label(res, "workspace_id", name, where, f"{field}.workspace_id"),
        api_key=optional_label(res, "api_key_id", name, where, f"{field}.api_key_id"),
        tags=tuple(tags),
        batch=dict(tags).get("service_tier") == "batch",
        where=record_at,
        provider="anthropic",
    )


def _page_buckets(page: JsonPage, name: str) -> tuple[list[Any], bool]:
    where = page_place(page)
    body = page.value
    if isinstance(body, dict) and "starting_at" in body and "results" in body:
        raise InputFileError(
            f"{name}: {joined(where, 'this is one time bucket, not a usage report page')}: save the whole API "
            'response ({"data": [...]})'
        )
    body = object_of(body, name, where, "an Anthropic messages usage report page")
    data = need(body, "data", name, where, "data", "a usage report page lists its time buckets under data")
    return list_of(data, name, where, "data", "time buckets"), body.get("has_more") is True


def read(stream: TextIO, name: str, notes: ReadNotes) -> Iterator[UsageRecord]:
    """Usage records of an Anthropic messages usage report file (see the module docstring)."""
    record = 0
    more_follow = False
    for page in report_pages(stream, name, "an Anthropic messages usage report page"):
        buckets, more_follow = _page_buckets(page, name)
        for bucket_value in buckets:
            record += 1
            where = joined(page_place(page), f"record {record}")
            bucket = object_of(bucket_value, name, where, "a time bucket")
            start = _bucket_time(bucket, "starting_at", name, where, notes)
            end = _bucket_time(bucket, "ending_at", name, where, notes)
            if end <= start:
                raise InputFileError(
                    f"{name}: {where}: ending_at: {end:%Y-%m-%dT%H:%M:%SZ} is not after starting_at "
                    f"{start:%Y-%m-%dT%H:%M:%SZ}"
                )
            results = list_of(
                need(bucket, "results", name, where, "results", "every usage bucket lists its results, perhaps none"),
                name,
                where,
                "results",
                "messages usage results",
            )
            for index, result in enumerate(results):
                yield _result_record(
                    result, start, end, name, where, f"results[{index}]", record_where(page, record, index), notes
                )
    if more_follow:
        notes.once(
            "anthropic-has-more",
            f"{name}: the last page says more pages follow (has_more: true): usage after it is not in this file",
        )


def sniff(head: str) -> bool:
    """Whether ``head`` looks like an Anthropic messages usage report page."""
    text = head.lstrip("\ufeff \t\r\n")
    if not text.startswith(("{", "[")):
        return False
    if '"results"' not in text or ('"object"' in text and '"page"' in text):
        return False
    if '"uncached_input_tokens"' in text and '"cache_read_input_tokens"' in text:
        return True
    return '"starting_at"' in text and '"ending_at"' in text


FORMAT = ImportFormat(
    name="anthropic-usage",
    description=(
        "Anthropic Messages usage report (GET /v1/organizations/usage_report/messages): one JSON page, "
        "a JSON array of pages, or JSON lines of pages; tokens only, no request counts"
    ),
    read=read,
    sniff=sniff,
    counts_requests=False,
)
