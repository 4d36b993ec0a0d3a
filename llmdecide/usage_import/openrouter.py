"""The ``openrouter`` import format: OpenRouter's activity CSV export, one row per generation (request).

What it reads
-------------
The CSV file the OpenRouter dashboard (``openrouter.ai/activity``) exports of its generations:
a header row, then one row per generation. Each row becomes one :class:`UsageRecord` with ``requests=1``,
``end=None`` and ``where="line N"``; the file is read a row at a time with the :mod:`csv` module (a UTF-8 byte
order mark before the header is ignored). Columns may come in any order, and those this reader does not use may
be absent. Numbers are plain (``1234``, ``0.0012``): the export writes no thousands separators, so ``"1,234"``
is an error, like any other cell that is not a number of 0 or more.

Columns, as the record takes them:

========================  ===================================================================================
``created_at``            ``start`` (required); exports write it without a zone (``2026-02-06 18:54:30.040``)
                          and it is read as UTC, with a note
``model_permaslug``       ``model`` (required column; an empty cell leaves the model unknown)
``tokens_prompt``         ``input_tokens`` (required)
``tokens_completion``     ``output_tokens`` (required); reasoning tokens are inside it, so
                          ``tokens_reasoning`` is not added
``tokens_cached``         ``cached_input_tokens``, a part of ``tokens_prompt`` as in OpenRouter's usage
                          accounting (absent: 0)
``cost_total``            ``cost_usd`` (absent column or empty cell: no cost)
``byok_usage_inference``  added to ``cost_usd`` when above 0, with a note: OpenRouter's estimate of what a
                          bring-your-own-key request cost at the provider
``provider_name``         ``provider``: who served the generation (``OpenAI``, ``DeepInfra``, ...)
``variant``               tag ``variant`` (e.g. ``free``)
``app_name``              tag ``app``
``api_key_name``          ``api_key``: the name given to the key, never the key
``user``                  never read: it can hold the caller's user id
========================  ===================================================================================

An empty count cell reads as 0, with a note. No cache-write count is exported, so ``cache_write_tokens`` is 0.
``generation_id``, ``cancelled``, ``streamed``, ``finish_reason_*``, ``generation_time_ms``,
``time_to_first_token_ms``, ``api_key_disabled``, ``tokens_reasoning`` and the other ``cost_*`` columns are not
read. None of the export's known columns holds prompt or completion text.

Sources
-------
* OpenRouter's documentation describes the export but does not list its columns:
  https://openrouter.ai/docs/guides/features/activity (Activity; exports),
  https://openrouter.ai/docs/cookbook/administration/activity-export ("reasoning tokens are included in
  completion tokens for billing"; spend is OpenRouter credits plus estimated BYOK spend) and
  https://openrouter.ai/docs/use-cases/usage-accounting (cached tokens are a part of the prompt tokens).
* The column names come from exports as public tools that read them see them, since OpenRouter documents none:
  the header ``generation_id, created_at, cost_total, cost_web_search, cost_cache, cost_file_processing,
  byok_usage_inference, tokens_prompt, tokens_completion, tokens_reasoning, tokens_cached, model_permaslug,
  provider_name, variant, cancelled, streamed, user, finish_reason_raw, finish_reason_normalized,
  generation_time_ms, time_to_first_token_ms, api_key_disabled, api_key_name, app_name`` is quoted in one public
  repository, and github.com/CodexClawd/codexclawd (``skills/openrouter-analyzer/scripts/analyze.py``) and a
  public OpenRouter log viewer read the same names and the zone-less ``created_at``. The names agree with the
  documented ``GET /api/v1/activity`` fields ``model_permaslug``, ``provider_name`` and
  ``byok_usage_inference`` (https://openrouter.ai/docs/client-sdks/typescript/models/activityitem), which is a
  daily JSON summary and not this format.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator
from typing import TextIO

from llmdecide.errors import InputFileError
from llmdecide.usage_import.csv_reports import header_columns
from llmdecide.usage_import.fields import cost_usd, timestamp, token_count
from llmdecide.usage_import.records import ImportFormat, ReadNotes, UsageRecord

REQUIRED_COLUMNS = ("created_at", "model_permaslug", "tokens_prompt", "tokens_completion")
"""Columns every OpenRouter activity export has and this reader needs."""

_TAG_COLUMNS = (("variant", "variant"), ("app_name", "app"))
_USED_COLUMNS = (
    *REQUIRED_COLUMNS,
    "tokens_cached",
    "cost_total",
    "byok_usage_inference",
    "api_key_name",
    "provider_name",
    *(column for column, _ in _TAG_COLUMNS),
)


def _header(reader: Iterator[list[str]], name: str) -> list[str]:
    try:
        header = next(reader)
    except StopIteration:
        raise InputFileError(f"{name}: empty file (expected an OpenRouter activity CSV export)") from None
    except csv.Error as exc:
        raise InputFileError(f"{name}: line 1: not a CSV header ({exc})") from None
    if header:
        header[0] = header[0].removeprefix("\ufeff")
    header = [cell.strip() for cell in header]
    if ",".join(header).lstrip().startswith(("{", "[")):
        raise InputFileError(f"{name}: line 1: this is JSON, not an OpenRouter activity CSV export")
    missing = [column for column in REQUIRED_COLUMNS if column not in header]
    if missing:
        names = ", ".join(repr(column) for column in missing)
        raise InputFileError(
            f"{name}: line 1: missing column{'s' if len(missing) > 1 else ''} {names} "
            f"(an OpenRouter activity export has {', '.join(REQUIRED_COLUMNS)})"
        )
    for column in _USED_COLUMNS:
        if header.count(column) > 1:
            raise InputFileError(f"{name}: line 1: column {column!r} appears more than once")
    return header


def _row_record(row: list[str], at: dict[str, int], name: str, line: int, notes: ReadNotes) -> UsageRecord:
    where = f"line {line}"

    def cell(column: str) -> str:
        return row[at[column]].strip() if column in at else ""

    def tokens(column: str) -> float:
        if column in at and not cell(column):
            notes.once("openrouter-empty-counts", f"{name}: empty token counts: read as 0")
        return token_count(cell(column), name, where, column, blank=0.0)

    start = timestamp(cell("created_at"), name, where, "created_at", notes).astimezone(dt.UTC)
    prompt = tokens("tokens_prompt")
    completion = tokens("tokens_completion")
    cached = tokens("tokens_cached")
    if cached > prompt:
        raise InputFileError(
            f"{name}: {where}: tokens_cached: {cached:.0f} is more than tokens_prompt {prompt:.0f}, which includes it"
        )
    cost = cost_usd(cell("cost_total"), name, where, "cost_total")
    byok = cost_usd(cell("byok_usage_inference"), name, where, "byok_usage_inference")
    if byok:
        notes.once(
            "openrouter-byok",
            f"{name}: bring-your-own-key requests: their cost includes OpenRouter's estimate of the provider's "
            "charge (byok_usage_inference)",
        )
        cost = (cost or 0.0) + byok
    return UsageRecord(
        start=start,
        end=None,
        model=cell("model_permaslug") or None,
        input_tokens=prompt,
        cached_input_tokens=cached,
        cache_write_tokens=0.0,
        output_tokens=completion,
        requests=1.0,
        api_key=cell("api_key_name") or None,
        tags=tuple((tag, value) for column, tag in _TAG_COLUMNS if (value := cell(column))),
        cost_usd=cost,
        where=where,
        provider=cell("provider_name") or None,
    )


def read(stream: TextIO, name: str, notes: ReadNotes) -> Iterator[UsageRecord]:
    """Usage records of an OpenRouter activity CSV export, one per row, read a row at a time."""
    reader = csv.reader(stream)
    header = _header(reader, name)
    at = {column: header.index(column) for column in _USED_COLUMNS if column in header}
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise InputFileError(f"{name}: line {reader.line_num}: malformed CSV ({exc})") from None
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            raise InputFileError(f"{name}: line {reader.line_num}: {len(row)} fields, but the header has {len(header)}")
        yield _row_record(row, at, name, reader.line_num, notes)


def sniff(head: str) -> bool:
    """Whether ``head`` starts with an OpenRouter activity export header."""
    return set(REQUIRED_COLUMNS) <= header_columns(head)


FORMAT = ImportFormat(
    name="openrouter",
    description="OpenRouter activity CSV export: one row per generation (request), with tokens and cost",
    read=read,
    sniff=sniff,
)
