"""The ``openai-usage`` import format: OpenAI's Usage API completions report.

What it reads
-------------
The response of ``GET /v1/organization/usage/completions`` as saved to a file, in any of three shapes:

* one page per file (a JSON object, pretty-printed or not);
* several pages in one JSON array;
* JSON lines, one page per line (or pages simply written one after another).

The file is streamed a page at a time (:mod:`llmdecide.usage_import.jsonstream`). A page is
``{"object": "page", "data": [bucket, ...], "has_more": ..., "next_page": ...}``; a bucket is
``{"object": "bucket", "start_time": <unix s>, "end_time": <unix s>, "results": [result, ...]}``; a result is an
``organization.usage.completions.result``. Each result becomes one :class:`UsageRecord` for the bucket's
``[start_time, end_time)``. ``record N`` counts buckets through the file; ``where`` is
``record N, results[i]``, preceded by ``line L`` (the line the page starts on) when the file holds several
pages, and messages name the same places: ``usage.json: record 3: results[0].output_tokens: missing``.

Fields, as the record takes them:

============================  ==================================================================================
``start_time``/``end_time``   bucket start and end, unix seconds (UTC); both required (ISO 8601 text is read
                              too, a time without a zone as UTC, with a note)
``input_tokens``              ``input_tokens`` (required); the reference says it includes cached and cache-write
                              tokens, and text, audio and image tokens
``input_cached_tokens``       ``cached_input_tokens`` (absent or null: 0)
``input_cache_write_tokens``  ``cache_write_tokens`` (absent or null: 0)
``output_tokens``             ``output_tokens`` (required)
``num_model_requests``        ``requests`` (required)
``model``                     ``model`` (set when the report was grouped by model)
``project_id``                ``project``
``api_key_id``                ``api_key`` (an id such as ``key_abc``, never the key itself)
``batch``                     ``batch`` (``true``: batch API traffic; absent or null: not batch)
``service_tier``              tag ``service_tier``
``user_id``                   never read: a person's id is not carried, not even as a label
============================  ==================================================================================

Every record has ``provider="openai"``. ``input_audio_tokens``, ``output_audio_tokens`` and the other
per-modality breakdowns (``input_text_tokens``, ``input_image_tokens``, ...) are checked to be counts but not
added: the current reference counts them inside ``input_tokens``/``output_tokens``. Older versions of the
reference said ``input_tokens`` counted text only and ``input_audio_tokens`` separately; the two sources
disagree, so a file with audio tokens gets a note saying which reading was taken. A last page with
``has_more: true`` gets a note too: the pages after it are missing from the file.

Sources
-------
* OpenAI API reference, Usage / Completions:
  https://developers.openai.com/api/docs/api-reference/usage and
  https://developers.openai.com/api/reference/python/resources/admin/subresources/organization/subresources/usage/
  (page, bucket and result fields; ``batch``, ``service_tier``, ``user_id``, ``api_key_id``, ``project_id``).
* The OpenAPI description OpenAI publishes, github.com/openai/openai-openapi ``openapi.yaml``, schemas
  ``UsageResponse``, ``UsageTimeBucket`` and ``UsageCompletionsResult`` (2026-08 revision): which fields are
  required (``object``, ``input_tokens``, ``output_tokens``, ``num_model_requests``; ``start_time``,
  ``end_time``, ``results``), ``input_cache_write_tokens``, ``input_uncached_tokens`` and the per-modality
  fields, and what ``input_tokens`` includes.
* Disagreement: one rendering of the reference
  (https://developers.openai.com/api/reference/resources/organization/subresources/usage) names the bucket's
  list ``result``; the OpenAPI file, the Python reference and the published examples name it ``results``.
  Both are read; ``results`` wins when a bucket has both.

The usage dashboard's CSV export
--------------------------------
A file that does not start with ``{`` or ``[`` is read as the CSV the usage dashboard exports
(platform.openai.com/usage, *Export* in the activity view): a header row, then one row per time bucket and
grouping, comma separated (tab separated too, as a spreadsheet saves it). Its columns are the Usage API result's
fields under the same names, so they are read as in the table above, plus the bucket's bounds:

=====================================  ======================================================================
``start_time``/``end_time``            bucket start and end in unix seconds; where absent or empty,
                                       ``start_time_iso``/``end_time_iso`` (ISO 8601) are read instead
``num_model_requests``, ``*_tokens``   counts as above; the export writes them as ``10.0``
``batch``                              ``TRUE``/``FALSE`` (or empty: not batch)
``user_id``                            never read
=====================================  ======================================================================

``where`` is ``line N``. A row with no counts at all (the export lists a day without usage with its times only)
is skipped. The export can hold two rows of one bucket whose every shown label is the same (it groups by more
than it shows); they are added together (:func:`llmdecide.usage_import.csv_reports.summed_buckets`), with a
note. The dashboard's *cost* export (``amount_value``, ``amount_currency``, ``line_item``) has no token counts
and is refused with a message saying to export the activity view.

Sources of the CSV columns. OpenAI's help article
(https://help.openai.com/en/articles/8554956-understanding-your-api-usage) says the dashboard exports its Cost or
its Activity data (up to 60 days, timestamps in UTC) but does not list the columns. The header this reader
expects (``start_time, end_time, start_time_iso, end_time_iso, project_id, num_model_requests, user_id,
api_key_id, model, batch, service_tier, input_tokens, output_tokens, input_cached_tokens, input_uncached_tokens,
input_text_tokens, output_text_tokens, input_cached_text_tokens, input_audio_tokens, input_cached_audio_tokens,
output_audio_tokens, input_image_tokens, input_cached_image_tokens, output_image_tokens``), the ``10.0`` counts,
the ``TRUE``/``FALSE`` flags, the times-only rows of days without usage and the cost export's header come from a
copy of one organisation's exports published in a public repository (github.com/xavierjflanagan/Guardian,
``openai-usage-and-cost-report-2025-10-12.md``, exported 2025-10-12): a secondary source. Its figures show
``input_tokens`` = ``input_cached_tokens`` + ``input_uncached_tokens``, as the Usage API reference says.

Not supported
-------------
Other usage endpoints (embeddings, images, audio, ...) are rejected by their result ``object``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, TextIO

from llmdecide.errors import InputFileError
from llmdecide.usage_import.csv_reports import CsvReport, header_columns, report_or_csv
from llmdecide.usage_import.fields import field_error, shown, text_label, timestamp, token_count, unix_seconds
from llmdecide.usage_import.jsonstream import Readable, json_values
from llmdecide.usage_import.records import ImportFormat, ReadNotes, UsageRecord

COMPLETIONS_RESULT = "organization.usage.completions.result"

_BREAKDOWNS = (
    "input_uncached_tokens",
    "input_text_tokens",
    "output_text_tokens",
    "input_cached_text_tokens",
    "input_audio_tokens",
    "input_cached_audio_tokens",
    "output_audio_tokens",
    "input_image_tokens",
    "input_cached_image_tokens",
    "output_image_tokens",
)
_AUDIO = ("input_audio_tokens", "input_cached_audio_tokens", "output_audio_tokens")


# --- Report pages in JSON (also read by the anthropic-usage format) --------------------------------------------


@dataclass(frozen=True)
class JsonPage:
    """One page of a report file."""

    value: Any
    line: int
    """The line the page starts on."""
    several: bool
    """Whether the file holds more than one page (then messages and records name the page's line)."""


def report_pages(stream: Readable, name: str, what: str) -> Iterator[JsonPage]:
    """The pages of a report file: one JSON value, a JSON array of pages, or JSON lines of pages, streamed a page
    at a time (:func:`llmdecide.usage_import.jsonstream.json_values`). ``what`` names a page for the message an
    empty file or array gets."""
    values = json_values(stream, name)
    current = next(values, None)
    if current is None:
        raise InputFileError(f"{name}: no report pages (expected {what} in JSON)")
    following = next(values, None)
    several = following is not None
    while current is not None:
        line, value = current
        yield JsonPage(value, line, several)
        current, following = following, (next(values, None) if following is not None else None)


def page_place(page: JsonPage) -> str:
    """Where a page is, for messages: ``line L`` in a file of several pages, else nothing."""
    return f"line {page.line}" if page.several else ""


def joined(*places: str) -> str:
    """Places of a message joined with ``: ``, empty ones left out."""
    return ": ".join(place for place in places if place)


def record_where(page: JsonPage, record: int, result: int, key: str = "results") -> str:
    """``UsageRecord.where`` for result ``result`` (of the bucket's list ``key``) of bucket ``record``."""
    return ", ".join(part for part in (page_place(page), f"record {record}", f"{key}[{result}]") if part)


def need(mapping: dict[str, Any], key: str, name: str, where: str, field: str, why: str) -> Any:
    """``mapping[key]``, or a one-line "missing" error naming ``field`` and why it is needed."""
    if key not in mapping:
        raise InputFileError(f"{name}: {joined(where, field)}: missing ({why})")
    return mapping[key]


def object_of(value: Any, name: str, where: str, what: str) -> dict[str, Any]:
    """``value`` if it is a JSON object, else an error saying ``what`` was expected."""
    if not isinstance(value, dict):
        raise InputFileError(f"{name}: {joined(where, f'expected {what} (a JSON object), got {shown(value)}')}")
    return value


def list_of(value: Any, name: str, where: str, field: str, what: str) -> list[Any]:
    """``value`` if it is a JSON list, else an error naming ``field``."""
    if not isinstance(value, list):
        raise field_error(name, where, field, f"a list of {what}", value)
    return value


def optional_count(mapping: dict[str, Any], key: str, name: str, where: str, field: str) -> float:
    """``mapping[key]`` as a token count; absent or null reads as 0."""
    return token_count(mapping.get(key), name, where, field, blank=0.0)


def optional_label(mapping: dict[str, Any], key: str, name: str, where: str, field: str) -> str | None:
    """``mapping[key]`` as a label; absent, null or empty reads as ``None``."""
    value = mapping.get(key)
    if value is not None and not isinstance(value, str):
        raise field_error(name, where, field, "text or null", value)
    return text_label(value)


# --- The OpenAI completions usage report -----------------------------------------------------------------------


def _page_buckets(page: JsonPage, name: str) -> tuple[list[Any], bool]:
    where = page_place(page)
    body = page.value
    if isinstance(body, dict) and "start_time" in body and ("results" in body or "result" in body):
        raise InputFileError(
            f"{name}: {joined(where, 'this is one time bucket, not a usage page')}: save the whole API response "
            '({"object": "page", "data": [...]})'
        )
    body = object_of(body, name, where, "an OpenAI usage page")
    kind = body.get("object")
    if kind is not None and kind != "page":
        raise field_error(name, where, "object", '"page" (a Usage API response)', kind)
    data = need(body, "data", name, where, "data", "a usage page lists its time buckets under data")
    return list_of(data, name, where, "data", "time buckets"), body.get("has_more") is True


def _bucket_time(bucket: dict[str, Any], key: str, name: str, where: str, notes: ReadNotes) -> dt.datetime:
    value = need(bucket, key, name, where, key, "every usage bucket has start_time and end_time, in unix seconds")
    return timestamp(value, name, where, key, notes).astimezone(dt.UTC)


def _path(field: str, key: str) -> str:
    """A result's field for messages: ``results[0].input_tokens`` in JSON, the column ``input_tokens`` in CSV."""
    return f"{field}.{key}" if field else key


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
    res = object_of(result, name, where, f"a completions usage result at {field}")
    kind = res.get("object")
    if kind is not None and kind != COMPLETIONS_RESULT:
        raise InputFileError(
            f'{name}: {where}: {field}.object: this format reads completions usage ("{COMPLETIONS_RESULT}"), '
            f"got {shown(kind) if not isinstance(kind, str) else repr(kind[:60])}"
        )
    why = "every completions usage result has input_tokens, output_tokens and num_model_requests"

    def required(key: str) -> float:
        return token_count(need(res, key, name, where, _path(field, key), why), name, where, _path(field, key))

    input_tokens = required("input_tokens")
    output_tokens = required("output_tokens")
    requests = required("num_model_requests")
    cached = optional_count(res, "input_cached_tokens", name, where, _path(field, "input_cached_tokens"))
    written = optional_count(res, "input_cache_write_tokens", name, where, _path(field, "input_cache_write_tokens"))
    if cached + written > input_tokens:
        raise InputFileError(
            f"{name}: {where}: {_path(field, 'input_cached_tokens')}: {cached:.0f} cached plus {written:.0f} "
            f"cache-write tokens is more than input_tokens {input_tokens:.0f}, which includes both"
        )
    breakdown = {key: optional_count(res, key, name, where, _path(field, key)) for key in _BREAKDOWNS}
    if any(breakdown[key] > 0 for key in _AUDIO):
        notes.once(
            "openai-audio-tokens",
            f"{name}: audio tokens are taken as counted inside input_tokens and output_tokens, as the current Usage "
            "API reference says (earlier versions of it counted audio separately)",
        )
    batch = res.get("batch")
    if batch is not None and not isinstance(batch, bool):
        raise field_error(name, where, _path(field, "batch"), "true, false or null", batch)
    tier = optional_label(res, "service_tier", name, where, _path(field, "service_tier"))
    return UsageRecord(
        start=start,
        end=end,
        model=optional_label(res, "model", name, where, _path(field, "model")),
        input_tokens=input_tokens,
        cached_input_tokens=cached,
        cache_write_tokens=written,
        output_tokens=output_tokens,
        requests=requests,
        project=optional_label(res, "project_id", name, where, _path(field, "project_id")),
        api_key=optional_label(res, "api_key_id", name, where, _path(field, "api_key_id")),
        tags=(("service_tier", tier),) if tier else (),
        batch=batch is True,
        where=record_at,
        provider="openai",
    )


def read(stream: TextIO, name: str, notes: ReadNotes) -> Iterator[UsageRecord]:
    """Usage records of an OpenAI completions usage file: Usage API pages in JSON, or the dashboard's CSV export
    (see the module docstring)."""
    return report_or_csv(stream, name, notes, _read_pages, _read_dashboard_csv)


def _read_pages(stream: Readable, name: str, notes: ReadNotes) -> Iterator[UsageRecord]:
    record = 0
    more_follow = False
    for page in report_pages(stream, name, "an OpenAI Usage API completions page"):
        buckets, more_follow = _page_buckets(page, name)
        for bucket_value in buckets:
            record += 1
            where = joined(page_place(page), f"record {record}")
            bucket = object_of(bucket_value, name, where, "a time bucket")
            kind = bucket.get("object")
            if kind is not None and kind != "bucket":
                raise field_error(name, where, "object", '"bucket"', kind)
            start = _bucket_time(bucket, "start_time", name, where, notes)
            end = _bucket_time(bucket, "end_time", name, where, notes)
            if end <= start:
                raise InputFileError(f"{name}: {where}: end_time: {end:%Y-%m-%d %H:%M:%S} is not after start_time")
            key = "results" if "results" in bucket or "result" not in bucket else "result"
            results = list_of(
                need(bucket, key, name, where, key, "every usage bucket lists its results, perhaps none"),
                name,
                where,
                key,
                "completions usage results",
            )
            for index, result in enumerate(results):
                yield _result_record(
                    result, start, end, name, where, f"{key}[{index}]", record_where(page, record, index, key), notes
                )
    if more_follow:
        notes.once(
            "openai-has-more",
            f"{name}: the last page says more pages follow (has_more: true): usage after it is not in this file",
        )


# --- The usage dashboard's CSV export --------------------------------------------------------------------------

DASHBOARD_REQUIRED: tuple[str | tuple[str, ...], ...] = (
    ("start_time", "start_time_iso"),
    ("end_time", "end_time_iso"),
    "num_model_requests",
    "input_tokens",
    "output_tokens",
)
"""Columns the dashboard's activity export has and this reader needs (a bucket bound in either form)."""
_DASHBOARD_COUNTS = (
    "num_model_requests",
    "input_tokens",
    "output_tokens",
    "input_cached_tokens",
    "input_cache_write_tokens",
    *_BREAKDOWNS,
)
_DASHBOARD_LABELS = ("model", "project_id", "api_key_id", "service_tier")
_COST_EXPORT = ("amount_value", "line_item")
_BATCH_CELLS = {"true": True, "false": False, "1": True, "0": False, "": None}


def _csv_time(row: dict[str, str], key: str, name: str, where: str, notes: ReadNotes) -> dt.datetime:
    """A bucket bound from ``start_time``/``end_time`` (unix seconds, as the export writes them) or, where that
    column is absent or empty, from its ``_iso`` twin."""
    cell = row.get(key, "")
    if cell:
        try:
            seconds = float(cell)
        except ValueError:
            return timestamp(cell, name, where, key, notes).astimezone(dt.UTC)
        return unix_seconds(seconds, name, where, key)  # refuses NaN and infinities with the range
    iso = f"{key}_iso"
    if row.get(iso):
        return timestamp(row[iso], name, where, iso, notes).astimezone(dt.UTC)
    raise field_error(name, where, key, "the bucket's time (unix seconds, or ISO 8601 in " + iso + ")", "")


def _read_dashboard_csv(lines: Iterable[str], name: str, notes: ReadNotes) -> Iterator[UsageRecord]:
    table = CsvReport(lines, name, "the OpenAI usage dashboard's activity CSV export", ())
    if all(column in table.at for column in _COST_EXPORT) and "input_tokens" not in table.at:
        raise InputFileError(
            f"{name}: line {table.header_line}: this is the usage dashboard's cost export (amount_value, "
            "line_item), which has no token or request counts: export the dashboard's activity view instead"
        )
    table = table.require(DASHBOARD_REQUIRED, "the OpenAI usage dashboard's activity CSV export")
    counts = [column for column in _DASHBOARD_COUNTS if column in table.at]
    labels = [column for column in _DASHBOARD_LABELS if column in table.at]
    for line, row in table.rows():
        where = f"line {line}"
        if not any(row[column] for column in counts):
            continue  # a bucket with no usage: the export writes its times and nothing else
        result: dict[str, Any] = {column: row[column] for column in (*counts, *labels)}
        batch = row.get("batch", "").lower()
        if batch not in _BATCH_CELLS:
            raise field_error(name, where, "batch", "TRUE, FALSE or empty", row["batch"])
        result["batch"] = _BATCH_CELLS[batch]
        start = _csv_time(row, "start_time", name, where, notes)
        end = _csv_time(row, "end_time", name, where, notes)
        if end <= start:
            raise InputFileError(f"{name}: {where}: end_time: {end:%Y-%m-%d %H:%M:%S} is not after start_time")
        yield _result_record(result, start, end, name, where, "", where, notes)


_PAGE_OBJECT = re.compile(r'"object"\s*:\s*"(page|bucket)"')
_START_TIME = re.compile(r'"start_time"\s*:\s*\d')
_RESULT_OBJECT = re.compile(r'"object"\s*:\s*"(organization\.[a-z_.]+)"')


def sniff(head: str) -> bool:
    """Whether ``head`` looks like an OpenAI completions usage page or the dashboard's activity (or cost) CSV."""
    text = head.lstrip("\ufeff \t\r\n")
    if not text.startswith(("{", "[")):
        columns = header_columns(head)
        bounds = {"start_time", "end_time"} <= columns or {"start_time_iso", "end_time_iso"} <= columns
        return bounds and ("num_model_requests" in columns or set(_COST_EXPORT) <= columns)
    kinds = set(_RESULT_OBJECT.findall(text))
    if kinds:
        return kinds == {COMPLETIONS_RESULT}
    return bool(_PAGE_OBJECT.search(text)) and bool(_START_TIME.search(text))


FORMAT = ImportFormat(
    name="openai-usage",
    description=(
        "OpenAI Usage API completions report (GET /v1/organization/usage/completions): one JSON page, "
        "a JSON array of pages, or JSON lines of pages; or the usage dashboard's activity CSV export"
    ),
    read=read,
    sniff=sniff,
)
