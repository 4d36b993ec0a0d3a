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

The Console's usage CSV export
------------------------------
A file that does not start with ``{`` or ``[`` is read as the CSV the Claude Console's Usage page exports: a header
row, then one row per UTC day and grouping. ``where`` is ``line N``. Columns, as the record takes them:

=========================================  ==================================================================
``usage_date_utc``                         the bucket: that UTC day (a time of day other than midnight: that
                                           hour, with a note) (required)
``model_version``                          ``model`` (required)
``usage_input_tokens_no_cache``            part of ``input_tokens`` (required)
``usage_input_tokens_cache_read``          ``cached_input_tokens``, and part of ``input_tokens`` (required)
``usage_input_tokens_cache_write_5m``,     ``cache_write_tokens`` (their sum), and part of ``input_tokens``;
``usage_input_tokens_cache_write_1h``      older exports have one ``usage_input_tokens_cache_write`` column,
                                           read the same way (one of them required)
``usage_output_tokens``                    ``output_tokens`` (required)
``workspace``                              ``project``
``api_key``                                ``api_key``: the key's name as the Console shows it, never the key
``usage_type``                             tag ``service_tier``; ``batch`` sets ``batch``
``context_window``, ``inference_geo``,     tags ``context_window``, ``inference_geo`` and ``speed``
``speed``
``web_search_count``                       checked, not imported, with a note (as ``web_search_requests``)
=========================================  ==================================================================

An empty count reads as 0, with a note. Rows of one day with the same labels (two keys of one name) are added
together, with a note. Like the API report, the export counts tokens, not requests. In either form, usage of the
long context window (``200k-1M`` in the API report, ``> 200k`` in the Console's) gets a note: Anthropic bills
it at long-context prices, which a workload priced at its mean request does not reach.

Sources of the CSV columns. Anthropic's help article
(https://support.claude.com/en/articles/9534590-cost-and-usage-reporting-in-the-claude-console) says the Usage
page exports a CSV of the data it shows (by model, date and API key, per workspace), without listing the columns.
The header above comes from public tools that read these exports, in agreement with one another: a test fixture
of a usage tracker quoting the whole header ``usage_date_utc, model_version, api_key, workspace, usage_type,
context_window, usage_input_tokens_no_cache, usage_input_tokens_cache_write_5m,
usage_input_tokens_cache_write_1h, usage_input_tokens_cache_read, usage_output_tokens, web_search_count,
inference_geo, speed`` with rows such as ``2026-03-22, claude-sonnet-4-20250514, test-key, Default, standard,
≤ 200k, ...``; a cost reconciler that notes the ``api_key`` column holds the key's name, not its id; and an older
usage plotter that reads a single ``usage_input_tokens_cache_write`` column. All are secondary sources (read
2026-12-02); the column names agree with the API report's groupings (``context_window``,
``inference_geo``, ``speed``, ``service_tier``).

Not supported
-------------
* The Console's Cost page CSV export: its columns were not found in any source, so it is not read.
* The cost report (``GET /v1/organizations/cost_report``,
  https://platform.claude.com/docs/en/api/resources/admin/subresources/usage_and_cost): it has daily buckets only,
  with amounts per workspace and per cost description (model, token type, service tier, context window), not per
  API key, and its token costs are not tied to usage results one for one. Attaching its amounts to usage records
  would mean splitting costs over buckets and groupings the report never states, so no cost is attached.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from typing import Any, TextIO

from llmdecide.errors import InputFileError
from llmdecide.usage_import.csv_reports import CsvReport, header_columns, report_or_csv
from llmdecide.usage_import.fields import timestamp, token_count
from llmdecide.usage_import.jsonstream import Readable
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


LONG_CONTEXT_NOTE = (
    "usage of the long context window (over 200k tokens a request): Anthropic bills it at long-context prices, "
    "which the bill check and the written workload (priced at its mean request) do not apply"
)


def note_long_context(label: str | None, name: str, notes: ReadNotes) -> None:
    """Note usage billed at long-context prices: a ``context_window`` of ``200k-1M`` (API) or ``> 200k`` (Console)."""
    if label and label.replace(" ", "").startswith(("200k-", ">")):
        notes.once("anthropic-long-context", f"{name}: {LONG_CONTEXT_NOTE}")


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
    note_long_context(dict(tags).get("context_window"), name, notes)
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
    """Usage records of an Anthropic messages usage report in JSON, or of the Console's usage CSV export (see the
    module docstring)."""
    return report_or_csv(stream, name, notes, _read_pages, _read_console_csv)


def _read_pages(stream: Readable, name: str, notes: ReadNotes) -> Iterator[UsageRecord]:
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


# --- The Console's usage CSV export ---------------------------------------------------------------------------

CONSOLE_REQUIRED: tuple[str | tuple[str, ...], ...] = (
    "usage_date_utc",
    "model_version",
    "usage_input_tokens_no_cache",
    ("usage_input_tokens_cache_write_5m", "usage_input_tokens_cache_write"),
    "usage_input_tokens_cache_read",
    "usage_output_tokens",
)
"""Columns the Console's usage export has and this reader needs (older exports have one cache-write column)."""
_CONSOLE_WRITES = (
    "usage_input_tokens_cache_write_5m",
    "usage_input_tokens_cache_write_1h",
    "usage_input_tokens_cache_write",
)
_CONSOLE_TAGS = (
    ("usage_type", "service_tier"),
    ("context_window", "context_window"),
    ("inference_geo", "inference_geo"),
    ("speed", "speed"),
)
_CONSOLE_WHAT = "the Claude Console's usage CSV export"


def _console_bucket(cell: str, name: str, where: str, notes: ReadNotes) -> tuple[dt.datetime, dt.datetime]:
    """``usage_date_utc`` as a bucket: a date (or a time at midnight) is that UTC day; another time of day is
    the hour from it, with a note."""
    if not cell:
        raise InputFileError(f"{name}: {where}: usage_date_utc: missing (every row of the export has its UTC date)")
    try:
        day = dt.date.fromisoformat(cell)
    except ValueError:
        start = timestamp(cell, name, where, "usage_date_utc", notes).astimezone(dt.UTC)
    else:
        start = dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)
    if (start.hour, start.minute, start.second, start.microsecond) == (0, 0, 0, 0):
        return start, start + dt.timedelta(days=1)
    notes.once("anthropic-console-hours", f"{name}: usage_date_utc has times of day: each row read as one hour")
    return start, start + dt.timedelta(hours=1)


def _console_record(row: dict[str, str], name: str, line: int, notes: ReadNotes) -> UsageRecord:
    where = f"line {line}"

    def tokens(column: str) -> float:
        if column not in row:
            return 0.0
        if not row[column]:
            notes.once("anthropic-console-empty", f"{name}: empty token counts: read as 0")
        return token_count(row[column], name, where, column, blank=0.0)

    start, end = _console_bucket(row["usage_date_utc"], name, where, notes)
    uncached = tokens("usage_input_tokens_no_cache")
    cache_read = tokens("usage_input_tokens_cache_read")
    written = sum(tokens(column) for column in _CONSOLE_WRITES)
    if row.get("web_search_count") and token_count(row["web_search_count"], name, where, "web_search_count") > 0:
        notes.once(
            "anthropic-web-search",
            f"{name}: web search requests (web_search_count) are not imported: they are tool calls, not tokens",
        )
    tags = tuple((tag, row[column]) for column, tag in _CONSOLE_TAGS if row.get(column))
    note_long_context(row.get("context_window"), name, notes)
    return UsageRecord(
        start=start,
        end=end,
        model=row["model_version"] or None,
        input_tokens=uncached + cache_read + written,
        cached_input_tokens=cache_read,
        cache_write_tokens=written,
        output_tokens=tokens("usage_output_tokens"),
        requests=None,
        project=row.get("workspace") or None,
        api_key=row.get("api_key") or None,
        tags=tags,
        batch=row.get("usage_type", "").lower() == "batch",
        where=where,
        provider="anthropic",
    )


def _read_console_csv(lines: Iterable[str], name: str, notes: ReadNotes) -> Iterator[UsageRecord]:
    table = CsvReport(lines, name, _CONSOLE_WHAT, CONSOLE_REQUIRED)
    for line, row in table.rows():
        yield _console_record(row, name, line, notes)


def sniff(head: str) -> bool:
    """Whether ``head`` looks like an Anthropic messages usage report page or the Console's usage CSV export."""
    text = head.lstrip("\ufeff \t\r\n")
    if not text.startswith(("{", "[")):
        columns = header_columns(head)
        return {"usage_date_utc", "usage_input_tokens_no_cache", "usage_output_tokens"} <= columns
    if '"results"' not in text or ('"object"' in text and '"page"' in text):
        return False
    if '"uncached_input_tokens"' in text and '"cache_read_input_tokens"' in text:
        return True
    return '"starting_at"' in text and '"ending_at"' in text


FORMAT = ImportFormat(
    name="anthropic-usage",
    description=(
        "Anthropic Messages usage report (GET /v1/organizations/usage_report/messages): one JSON page, "
        "a JSON array of pages, or JSON lines of pages; or the Claude Console's usage CSV export; tokens only, "
        "no request counts"
    ),
    read=read,
    sniff=sniff,
    counts_requests=False,
)
