"""Reading the CSV exports of aggregated usage reports (a row per time bucket and grouping), shared by the
``openai-usage`` and ``anthropic-usage`` formats.

A dashboard's export is a header row and then one row per bucket and grouping. :class:`CsvReport` reads the header
(a UTF-8 byte order mark ignored, comma or tab separated, as the file's first line shows), checks the columns a
format needs, and yields the rows with their line numbers, skipping blank ones; every error is one line naming the
file, the line and the column.

A dashboard groups its rows by columns it does not always show (OpenAI's export can hold two rows of one bucket
whose every shown label is equal), so :func:`summed_buckets` adds up the records of one bucket that carry the same
labels instead of leaving the aggregator to count the second as a repeat.
"""

from __future__ import annotations

import csv
import itertools
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TextIO

from llmdecide.errors import InputFileError
from llmdecide.usage_import.jsonstream import Readable, Rejoined
from llmdecide.usage_import.records import ReadNotes, UsageRecord

Columns = Sequence[str | tuple[str, ...]]
"""Required columns: a name, or a tuple of names of which one is enough."""


def _delimiter(first_line: str) -> str:
    """Tab when the header line is tab separated (a spreadsheet's "save as TSV"), else comma."""
    return "\t" if "\t" in first_line and "," not in first_line else ","


class CsvReport:
    """The header and rows of one CSV export (see the module docstring)."""

    def __init__(self, lines: Iterable[str], name: str, what: str, required: Columns = ()) -> None:
        self.name = name
        stream = iter(lines)
        first = next(stream, "")
        self._skipped = 0
        """Blank lines before the header, for line numbers."""
        while first and not first.strip("\ufeff \t\r\n"):
            first = next(stream, "")
            self._skipped += 1
        self.header_line: int = 1 + self._skipped
        if not first:
            raise InputFileError(f"{name}: empty file (expected {what})")
        self._rows = csv.reader(itertools.chain([first], stream), delimiter=_delimiter(first))
        try:
            header = next(self._rows)
        except csv.Error as exc:
            raise InputFileError(f"{name}: line {self.header_line}: not a CSV header ({exc})") from None
        self.header = [cell.removeprefix("\ufeff").strip() for cell in header]
        repeated = sorted({column for column in self.header if column and self.header.count(column) > 1})
        if repeated:
            raise InputFileError(f"{name}: line {self.header_line}: column {repeated[0]!r} appears more than once")
        self.at = {column: index for index, column in enumerate(self.header) if column}
        """Each named column's index."""
        self.require(required, what)

    def require(self, required: Columns, what: str) -> CsvReport:
        """This report, or a one-line error naming the required columns its header lacks."""
        missing = [
            " or ".join(repr(option) for option in (need if isinstance(need, tuple) else (need,)))
            for need in required
            if not any(option in self.at for option in (need if isinstance(need, tuple) else (need,)))
        ]
        if missing:
            raise InputFileError(
                f"{self.name}: line {self.header_line}: missing column{'s' if len(missing) > 1 else ''} "
                f"{', '.join(missing)} (expected {what})"
            )
        return self

    def rows(self) -> Iterator[tuple[int, dict[str, str]]]:
        """``(line, {column: cell})`` for each row that is not blank, cells stripped."""
        width = len(self.header)
        names = list(self.at.items())
        while True:
            try:
                row = next(self._rows)
            except StopIteration:
                return
            except csv.Error as exc:
                line = self._rows.line_num + self._skipped
                raise InputFileError(f"{self.name}: line {line}: malformed CSV ({exc})") from None
            line = self._rows.line_num + self._skipped
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != width:
                raise InputFileError(f"{self.name}: line {line}: {len(row)} fields, but the header has {width}")
            yield line, {column: row[index].strip() for column, index in names}


def opening_lines(stream: TextIO) -> tuple[list[str], bool]:
    """The lines at the start of ``stream`` up to its first non-blank one, and whether that one opens JSON (or the
    file is empty): a report format reads JSON from ``Rejoined("".join(lines), stream)`` and CSV from
    ``itertools.chain(lines, stream)``, with its line numbers intact."""
    read = [stream.readline()]
    while read[-1] and not read[-1].strip("\ufeff \t\r\n"):
        read.append(stream.readline())
    first = read[-1]
    return read, not first or first.lstrip("\ufeff \t")[:1] in ("[", "{")


def report_or_csv(
    stream: TextIO,
    name: str,
    notes: ReadNotes,
    read_pages: Callable[[Readable, str, ReadNotes], Iterator[UsageRecord]],
    read_csv: Callable[[Iterable[str], str, ReadNotes], Iterator[UsageRecord]],
) -> Iterator[UsageRecord]:
    """The records of a report format's file: its API's JSON pages by ``read_pages``, or, when the file does not
    open with ``{`` or ``[``, its dashboard's CSV export by ``read_csv``, rows of one bucket with the same labels
    added together (:func:`summed_buckets`)."""
    opening, is_json = opening_lines(stream)
    if is_json:
        yield from read_pages(Rejoined("".join(opening), stream), name, notes)
    else:
        yield from summed_buckets(read_csv(itertools.chain(opening, stream), name, notes), name, notes)


def header_columns(head: str) -> set[str]:
    """The column names of a CSV file's first line (``head`` is its first characters); empty for JSON or an
    unreadable line."""
    first = head.removeprefix("\ufeff").lstrip(" \t\r\n").split("\n", 1)[0].strip()
    if not first or first.startswith(("{", "[")):
        return set()
    try:
        return {cell.strip() for cell in next(csv.reader([first], delimiter=_delimiter(first)))}
    except (csv.Error, StopIteration):
        return set()


def _labels(record: UsageRecord) -> tuple[object, ...]:
    return (record.start, record.end, record.model, record.provider, record.project, record.api_key, record.tags)


def _summed(first: UsageRecord, more: Iterable[UsageRecord]) -> UsageRecord:
    out = first
    for record in more:
        requests = None if out.requests is None or record.requests is None else out.requests + record.requests
        cost = (
            None if out.cost_usd is None and record.cost_usd is None else (out.cost_usd or 0) + (record.cost_usd or 0)
        )
        out = out._replace(
            input_tokens=out.input_tokens + record.input_tokens,
            cached_input_tokens=out.cached_input_tokens + record.cached_input_tokens,
            cache_write_tokens=out.cache_write_tokens + record.cache_write_tokens,
            output_tokens=out.output_tokens + record.output_tokens,
            requests=requests,
            cost_usd=cost,
        )
    return out


def summed_buckets(records: Iterable[UsageRecord], name: str, notes: ReadNotes) -> Iterator[UsageRecord]:
    """``records`` with those of one bucket and the same labels (and batch flag) added into one, the first one's
    ``where`` kept. Rows are held while their bucket's start repeats (exports list a bucket's rows together), so
    memory is one bucket's rows; a bucket whose rows are scattered through the file is summed run by run, and the
    aggregator then counts a later run as a repeat."""
    run: dict[tuple[object, ...], list[UsageRecord]] = {}
    run_start: object = None
    merged = 0
    for record in records:
        if record.start != run_start and run:
            yield from (_summed(group[0], group[1:]) for group in run.values())
            run = {}
        run_start = record.start
        group = run.setdefault((*_labels(record), record.batch), [])
        if group:
            merged += 1
        group.append(record)
    yield from (_summed(group[0], group[1:]) for group in run.values())
    if merged:
        notes.once(
            "summed-bucket-rows",
            f"{name}: {merged} row{'s' if merged > 1 else ''} of a bucket had the same labels as another row of it "
            "(the export groups by columns it does not show): added together",
        )
