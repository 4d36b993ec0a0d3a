"""LiteLLM proxy spend logs: one row per request, from the ``/spend/logs`` endpoints or a database export.

Sources (field names come from these and nowhere else):

- the ``LiteLLM_SpendLogs`` table in LiteLLM's Prisma schema,
  https://github.com/BerriAI/litellm/blob/main/schema.prisma: ``request_id``, ``call_type``, ``api_key`` (a hash of
  the virtual key, never the key), ``spend`` (USD), ``prompt_tokens``, ``completion_tokens``, ``startTime``,
  ``endTime``, ``model``, ``model_group``, ``custom_llm_provider``, ``metadata`` (JSON), ``cache_hit``,
  ``request_tags`` (a JSON list), ``team_id``, ``status``. PostgreSQL stores the times as ``timestamp(3)``
  without a time zone, in UTC; ``COPY "LiteLLM_SpendLogs" TO ... CSV HEADER`` writes the columns under those names;
- ``SpendLogsMetadata`` in ``litellm/proxy/_types.py``, the keys kept in ``metadata``: ``user_api_key_alias``,
  ``user_api_key_team_id``, ``user_api_key_team_alias``, ``user_api_key_project_id``,
  ``user_api_key_project_alias`` and ``additional_usage_values`` (the usage fields beyond the three token counts,
  from ``litellm/proxy/spend_tracking/spend_tracking_utils.py``): ``cache_read_input_tokens``,
  ``cache_creation_input_tokens`` and ``prompt_tokens_details.cached_tokens``;
- LiteLLM's Anthropic transformation adds cache reads and cache writes into ``prompt_tokens``
  (``litellm/llms/anthropic/chat/transformation.py``), and OpenAI's ``prompt_tokens`` counts cached tokens, so
  ``prompt_tokens`` is every prompt token and the cache counts are parts of it;
- ``GET /spend/logs`` answers a JSON array of those rows; ``GET /spend/logs/v2`` and ``/spend/logs/ui`` answer a
  page ``{"data": [...], "total", "page", "page_size", "total_pages"}`` (LiteLLM's proxy docs, "cost tracking").

Read: a JSON array, pages (one per line or one after another), or rows as JSON lines; or the CSV export.
Left out, each counted once in the notes: failed requests (``status`` ``failure``), answers LiteLLM served
from its own cache (``cache_hit`` true: no provider call), and calls that generate no text (embeddings, images,
moderation, audio, rerank). Never read: ``messages``, ``response``, ``user``, ``end_user``,
``requester_ip_address`` and the other metadata keys.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import hashlib
import itertools
import json
import math
import operator
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, TextIO

from llmdecide.errors import InputFileError
from llmdecide.limits import MAX_IMPORT_CSV_FIELD_CHARS
from llmdecide.usage_import.csv_reports import opening_lines
from llmdecide.usage_import.fields import (
    NAIVE_NOTE,
    UTC,
    cost_usd,
    field_error,
    text_label,
    timestamp,
    token_count,
)
from llmdecide.usage_import.jsonstream import Readable, Rejoined, json_values
from llmdecide.usage_import.records import ImportFormat, ReadNotes, UsageRecord

REQUIRED = ("model", "prompt_tokens", "completion_tokens", "startTime")
"""Columns a spend-log row must have."""
READ_FIELDS = (
    "status", "cache_hit", "call_type", "model", "model_group", "prompt_tokens", "completion_tokens", "startTime",
    "metadata", "team_id", "api_key", "request_tags", "spend", "custom_llm_provider",
)  # fmt: skip
"""The fields a row is read from, in the order ``_Rows.record`` takes them (every other field is never read)."""
NOT_GENERATION = ("embedding", "image", "moderation", "transcription", "speech", "rerank")
"""Call types that generate no text: left out."""
MAX_FIELD_CHARS = MAX_IMPORT_CSV_FIELD_CHARS
"""Longest CSV field read (a ``messages`` or ``response`` column can hold a whole conversation)."""


def key_label(api_key_hash: str | None, alias: str | None) -> str | None:
    """A label for a virtual key that is safe to print: its alias, else a short digest of the stored hash."""
    if alias:
        return alias
    if api_key_hash:
        return "key " + hashlib.sha256(api_key_hash.encode("utf-8", "replace")).hexdigest()[:10]
    return None


def _tags(value: Any, name: str, where: str) -> tuple[tuple[str, str], ...]:
    if value is None or value == "":
        return ()
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            raise field_error(name, where, "request_tags", "a JSON list of tags", "text") from None
    if not isinstance(value, list):
        raise field_error(name, where, "request_tags", "a JSON list of tags", value)
    out = []
    for tag in value:
        if isinstance(tag, str) and tag.strip():
            key, sep, rest = tag.strip().partition(":")
            out.append((key.strip(), rest.strip()) if sep else (key.strip(), ""))
    return tuple(out)


_SCAN: Callable[[str, int], tuple[Any, int]] = json.JSONDecoder().scan_once  # type: ignore[attr-defined]
"""The JSON scanner ``json.loads`` ends in, called directly: one metadata object per row."""


def _json_object(text: str) -> Any:
    """``json.loads(text)`` for a value starting with ``{`` (raises ``ValueError`` as it would, ``StopIteration``
    for no value at all)."""
    value, end = _SCAN(text, 0)
    if end != len(text) and text[end:].strip():
        raise ValueError("extra data after the JSON value")
    return value


def _metadata(value: Any, name: str, where: str) -> dict[str, Any]:
    if value is None or value == "" or value == "{}":
        return {}
    if isinstance(value, str):
        try:
            value = _json_object(value) if value[:1] == "{" else json.loads(value)
        except (ValueError, StopIteration):
            raise field_error(name, where, "metadata", "a JSON object", "text") from None
    if not isinstance(value, dict):
        raise field_error(name, where, "metadata", "a JSON object", value)
    return value


def _whole(value: Any, name: str, where: str, field: str) -> float:
    """A token count from JSON: a non-negative int as it is, anything else through ``token_count``."""
    if type(value) is int and value >= 0:
        return float(value)
    if value is None:
        return 0.0
    return token_count(value, name, where, field, blank=0.0)


_CACHE_READ_FIELD = "metadata.additional_usage_values.cache_read_input_tokens"
_CACHE_WRITE_FIELD = "metadata.additional_usage_values.cache_creation_input_tokens"


def _cache_counts(meta: dict[str, Any], name: str, where: str) -> tuple[float, float]:
    found = meta.get("additional_usage_values")
    if not isinstance(found, dict):
        found = meta.get("usage_object")
    usage: dict[str, Any] = found if isinstance(found, dict) else {}
    read = usage.get("cache_read_input_tokens")
    if read is None:
        details = usage.get("prompt_tokens_details")
        read = details.get("cached_tokens") if isinstance(details, dict) else None
    cached = _whole(read, name, where, _CACHE_READ_FIELD)
    written = _whole(usage.get("cache_creation_input_tokens"), name, where, _CACHE_WRITE_FIELD)
    return cached, written


def _truthy(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return isinstance(value, str) and value.strip().lower() in ("true", "t", "1", "yes")


def _label(value: Any) -> str | None:
    if type(value) is str:
        return value.strip() or None
    if value is None:
        return None
    return text_label(value)


CACHE_ENTRIES = 4096
"""Distinct values (tags, keys, call types) remembered per file, so repeated ones are parsed once."""


class _Rows:
    """Spend-log rows of one file to records; values that repeat from row to row are worked out once."""

    def __init__(self, name: str, notes: ReadNotes) -> None:
        self.name = name
        self.notes = notes
        self._skip: dict[tuple[Any, Any, Any], str | None] = {}
        self._tags: dict[str, tuple[tuple[str, str], ...]] = {}
        self._keys: dict[tuple[str | None, str | None], str | None] = {}
        self._naive_noted = False

    def _count(self, value: Any, where: str, field: str) -> float:
        if type(value) is str:
            try:
                number = int(value)
            except ValueError:
                return token_count(value, self.name, where, field)
            if number >= 0:
                return float(number)
        return token_count(value, self.name, where, field)

    def _time(self, value: Any, where: str) -> dt.datetime:
        if type(value) is str:
            if self._naive_noted:  # a file of naive times: read the next one as UTC at once
                try:
                    return dt.datetime.fromisoformat(value + "+00:00")
                except ValueError:
                    pass  # a zone of its own, or no time at all: read below
            try:
                when = dt.datetime.fromisoformat(value)
            except ValueError:
                pass
            else:
                if when.tzinfo is not None:
                    return when
                if not self._naive_noted:  # said once; not formatted again for every row
                    self._naive_noted = True
                    self.notes.once(NAIVE_NOTE, f"{self.name}: timestamps without a time zone: read as UTC")
                # PostgreSQL's timestamp(3) has no zone: parsing it again with one is several times faster
                # than datetime.replace, and this runs once per row
                try:
                    return dt.datetime.fromisoformat(value + "+00:00")
                except ValueError:
                    return when.replace(tzinfo=UTC)
        return timestamp(value, self.name, where, "startTime", self.notes)

    def _cost(self, value: Any, where: str) -> float | None:
        if type(value) is str:
            try:
                number = float(value)
            except ValueError:
                pass
            else:
                if 0 <= number < math.inf:
                    return number
        return cost_usd(value, self.name, where, "spend")

    def _left_out(self, key: tuple[Any, Any, Any]) -> str | None:
        """Why a row with this (status, cache_hit, call_type) is left out, or None when it is counted."""
        try:
            return self._skip[key]
        except (KeyError, TypeError):
            pass
        status, cache_hit, call_type = key
        why = None
        if isinstance(status, str) and status.strip().lower() == "failure":
            why = "failed requests (status failure) left out"
        elif _truthy(cache_hit):
            why = "answers served from LiteLLM's own cache left out (no provider call)"
        elif any(word in (text_label(call_type) or "").lower() for word in NOT_GENERATION):
            why = "calls that generate no text (embeddings, images, audio) left out"
        if len(self._skip) < CACHE_ENTRIES:
            with contextlib.suppress(TypeError):
                self._skip[key] = why
        return why

    def tags(self, value: Any, where: str) -> tuple[tuple[str, str], ...]:
        if type(value) is not str:
            return _tags(value, self.name, where)
        found = self._tags.get(value)
        if found is None:
            found = _tags(value, self.name, where)
            if len(self._tags) < CACHE_ENTRIES:
                self._tags[value] = found
        return found

    def key(self, key_hash: str | None, alias: str | None) -> str | None:
        pair = (key_hash, alias)
        found = self._keys.get(pair)
        if found is None:
            found = key_label(key_hash, alias)
            if len(self._keys) < CACHE_ENTRIES:
                self._keys[pair] = found
        return found

    def record(self, values: Sequence[Any], where: str) -> UsageRecord | None:
        """The record of one row, given its READ_FIELDS values in that order (None for a field it lacks);
        None for a row that is left out. Runs once per row: the values come as one sequence, not a dict."""
        name = self.name
        (status, cache_hit, call_type, model_name, model_group, prompt_tokens, completion_tokens, start_time,
         metadata, team_id, api_key, request_tags, spend, provider) = values  # fmt: skip
        why = self._left_out((status, cache_hit, call_type))
        if why is not None:
            self.notes.once(why, f"{name}: {why}")
            return None
        model = _label(model_name) or _label(model_group)
        if model is None:
            raise field_error(name, where, "model", "a model name", "" if model_name is None else model_name)
        prompt = self._count(prompt_tokens, where, "prompt_tokens")
        output = self._count(completion_tokens, where, "completion_tokens")
        start = self._time(start_time, where)
        meta = _metadata(metadata, name, where)
        cached, written = _cache_counts(meta, name, where) if meta else (0.0, 0.0)
        if cached + written > prompt:
            self.notes.once(
                "litellm-cache-parts",
                f"{name}: some rows count cache reads and writes beyond prompt_tokens: the prompt is taken as "
                "their sum",
            )
            prompt = cached + written
        project = None
        if meta:
            get = meta.get
            project = (
                _label(get("user_api_key_project_alias"))
                or _label(get("user_api_key_project_id"))
                or _label(get("user_api_key_team_alias"))
                or _label(get("user_api_key_team_id"))
            )
        project = project or _label(team_id)
        key_hash = _label(api_key) or _label(meta.get("user_api_key"))
        return UsageRecord(
            start,
            None,
            model,
            prompt,
            cached,
            written,
            output,
            1.0,
            project,
            self.key(key_hash, _label(meta.get("user_api_key_alias"))),
            self.tags(request_tags, where),
            False,
            self._cost(spend, where),
            where,
            _label(provider),
        )


def _read_csv(stream: Iterable[str], name: str, notes: ReadNotes, line_offset: int = 0) -> Iterator[UsageRecord]:
    csv.field_size_limit(max(csv.field_size_limit(), min(MAX_FIELD_CHARS, sys.maxsize)))
    rows = csv.reader(stream)
    reader = _Rows(name, notes)
    try:
        header = next(rows, None)
        if header is None:
            raise InputFileError(f"{name}: empty file, expected a LiteLLM spend-log export")
        columns = [c.strip().strip('"') for c in header]
        missing = [c for c in REQUIRED if c not in columns]
        if missing:
            raise InputFileError(
                f"{name}: line 1: missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)} "
                "(a LiteLLM_SpendLogs export has model, prompt_tokens, completion_tokens and startTime)"
            )
        width = len(columns)
        # a field the header lacks reads the None appended to every row
        pick = operator.itemgetter(*(columns.index(c) if c in columns else width for c in READ_FIELDS))
        record = reader.record
        for row in rows:
            if len(row) != width:
                if not row or (len(row) == 1 and not row[0].strip()):
                    continue
                raise InputFileError(
                    f"{name}: line {rows.line_num + line_offset}: expected {width} columns as in the header, "
                    f"got {len(row)}"
                )
            cells: list[Any] = row
            cells.append(None)
            found = record(pick(cells), f"line {rows.line_num + line_offset}")
            if found is not None:
                yield found
    except csv.Error as exc:
        raise InputFileError(f"{name}: line {rows.line_num + line_offset}: malformed CSV ({exc})") from None


def _rows(value: Any) -> list[Any] | None:
    if isinstance(value, dict) and isinstance(value.get("data"), list):
        return list(value["data"])
    if isinstance(value, dict):
        return [value]
    return None


def _read_json(stream: Readable, name: str, notes: ReadNotes) -> Iterator[UsageRecord]:
    count = 0
    reader = _Rows(name, notes)
    for line, value in json_values(stream, name):
        rows = _rows(value)
        if rows is None:
            raise InputFileError(f"{name}: line {line}: expected a spend-log row (a JSON object) or a page of them")
        for row in rows:
            count += 1
            where = f"record {count}"
            if not isinstance(row, dict):
                raise InputFileError(f"{name}: {where}: expected a spend-log row (a JSON object)")
            missing = [c for c in REQUIRED if c not in row]
            if missing:
                raise InputFileError(f"{name}: {where}: {missing[0]}: missing (a LiteLLM spend-log row has it)")
            record = reader.record(tuple(map(row.get, READ_FIELDS)), where)
            if record is not None:
                yield record


def read(stream: TextIO, name: str, notes: ReadNotes) -> Iterator[UsageRecord]:
    """Spend-log rows as usage records (see the module docstring for what is read and what is left out)."""
    opening, is_json = opening_lines(stream)
    first = opening[-1]
    if is_json and first:
        yield from _read_json(Rejoined(first, stream), name, notes)
    else:
        yield from _read_csv(itertools.chain([first], stream), name, notes)


def sniff(head: str) -> bool:
    """A spend-log export: its CSV header or its JSON rows carry ``startTime`` and ``prompt_tokens``."""
    start = head.lstrip("\ufeff \t\r\n")
    first_line = start.split("\n", 1)[0]
    if start[:1] in "[{":
        return '"startTime"' in head and '"prompt_tokens"' in head
    return "startTime" in first_line and "prompt_tokens" in first_line


def is_csv(head: str) -> bool:
    """A spend-log CSV (not JSON rows)."""
    return head.lstrip("\ufeff \t\r\n")[:1] not in ("[", "{")


FORMAT = ImportFormat(
    name="litellm",
    description="LiteLLM proxy spend logs: /spend/logs JSON or a LiteLLM_SpendLogs CSV export",
    read=read,
    sniff=sniff,
    read_csv_part=_read_csv,
    is_csv=is_csv,
)
