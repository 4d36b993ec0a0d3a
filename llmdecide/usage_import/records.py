"""One usage record, the common shape every import format is read into.

A record is one bucket of an aggregated usage report (OpenAI, Anthropic) or one request of a gateway
log (LiteLLM, OpenRouter, OpenTelemetry spans). It holds counts, token numbers, a model, labels for
segmenting and a time; never message content, user identifiers or API keys.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import NamedTuple, TextIO


class UsageRecord(NamedTuple):
    """Usage in one bucket or one request (a named tuple: millions are made per import, and a tuple is made
    several times faster than a frozen dataclass).

    ``input_tokens`` counts every prompt token, cached and cache-written ones included;
    ``cached_input_tokens`` and ``cache_write_tokens`` are parts of it. ``requests`` is ``None`` when
    the export counts tokens but not requests (Anthropic's messages usage report): no request count is
    ever invented for it.
    """

    start: dt.datetime
    """Start of the bucket, or the request's start time; timezone-aware."""
    end: dt.datetime | None
    """End of the bucket (exclusive); ``None`` for a single request."""
    model: str | None
    input_tokens: float
    cached_input_tokens: float
    cache_write_tokens: float
    output_tokens: float
    requests: float | None
    project: str | None = None
    """A project, workspace or team label as the export names it (an id, never a person)."""
    api_key: str | None = None
    """A label for the API key safe to print: its alias, its id, or a short digest; never the key."""
    tags: tuple[tuple[str, str], ...] = ()
    batch: bool = False
    """Traffic sent through a batch API."""
    cost_usd: float | None = None
    """What the export says this usage cost, where it says so."""
    where: str = ""
    """Where the record came from in its file, e.g. ``line 12`` or ``record 3``, for messages."""
    provider: str | None = None
    """Who served the model as the export names it (``openai``, ``azure``, ``aws.bedrock``), where it says so;
    it tells apart one model name sold by several providers."""


@dataclass
class ReadNotes:
    """What a reader learnt about a file while reading it, said once each (e.g. "timestamps without a
    time zone: read as UTC"). Keys dedupe; messages keep their first-seen order."""

    messages: dict[str, str] = field(default_factory=dict)

    def once(self, key: str, message: str) -> None:
        """Record ``message`` under ``key`` unless that key was already noted."""
        self.messages.setdefault(key, message)


Reader = Callable[[TextIO, str, ReadNotes], Iterator[UsageRecord]]
"""A format's reader: ``read(stream, name, notes)`` yields records from an already decoded (and, for
``.gz``, decompressed) text stream; ``name`` is the file name for messages. It streams: memory does
not grow with the file. Bad input raises :class:`llmdecide.errors.InputFileError` with a one-line
message ``"{name}: line N: field: expected ..."`` (or ``record N`` for JSON)."""

CsvPartReader = Callable[[Iterable[str], str, ReadNotes, int], Iterator[UsageRecord]]
"""``read_part(lines, name, notes, line_offset)``: records from a CSV export's header line and a run of its rows,
numbering lines ``line_offset`` past the part's own (so messages name the file's line). Formats whose rows are
single requests, independent of each other, offer it: a large CSV is then read by several processes at once
(``parallel``)."""

Sniffer = Callable[[str], bool]
"""``sniff(head)``: whether the first few KiB of a file look like this format; used to name the right
format when a file is given under the wrong one."""


@dataclass(frozen=True)
class ImportFormat:
    """One import format as the command line names it."""

    name: str
    """The command-line name, e.g. ``openai-usage``."""
    description: str
    read: Reader
    sniff: Sniffer
    counts_requests: bool = True
    """False where the export has no request counts (records carry ``requests=None``)."""
    read_csv_part: CsvPartReader | None = None
    """For a request-level CSV format: reads one part of a large CSV (see ``CsvPartReader``)."""
    is_csv: Callable[[str], bool] | None = None
    """Whether a file's first characters are this format's CSV (rather than its JSON), for ``read_csv_part``."""
