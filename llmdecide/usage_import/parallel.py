"""A large plain CSV export read by several processes at once, one part of the file each.

A year of gateway logs is tens of millions of rows, and reading a row in Python costs microseconds: one core
reads 5,000,000 LiteLLM rows in about a minute. An uncompressed CSV of a request-level format (one row, one
request: nothing in one row depends on another) is cut into parts at row boundaries, each part read and counted
in a forked process (``Aggregator.fresh``), and the counts added back in file order (``Aggregator.absorb``), so
the workload written is the same as from one process.

A row boundary is a line break outside quotes: a CSV field may hold a line break inside quotes, and ``"`` is
escaped by doubling, so a line break ends a row exactly when the ``"`` characters before it are even in number.
The cut points are found by counting quotes and line breaks in large blocks (the line breaks give each part's
first line number, for messages). A gzip file cannot be cut and is read by one process.

Errors keep their order: the first part's error (read here) comes first, then each other part's in file order,
so the message names the same line as a one-process read would.
"""

from __future__ import annotations

import io
import os
import sys
import traceback
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from llmdecide.errors import InputFileError, LlmdecideError
from llmdecide.progress import advance
from llmdecide.usage_import.aggregate import Aggregator, AggregatorCounts
from llmdecide.usage_import.opening import text_stream
from llmdecide.usage_import.records import CsvPartReader, ReadNotes, UsageRecord

MIN_PART_BYTES = 32 * 1024 * 1024
"""Smallest part worth a process of its own (a file under twice this is read by one process)."""
MAX_WORKERS = 8
"""Most processes reading one file."""
WORKERS_ENV = "LLMDECIDE_IMPORT_WORKERS"
"""Sets how many processes read a large CSV export (1: one, the current one)."""
_BLOCK = 16 * 1024 * 1024
_PROGRESS_EVERY = 50_000
_NOT_QUOTE_OR_NEWLINE = bytes(b for b in range(256) if b not in b'"\n')
"""Every byte but ``"`` and a line break: deleted from a block to count those two in one pass."""


@dataclass(frozen=True)
class Part:
    """Bytes ``start`` to ``end`` of a CSV file (whole rows), whose first row is on line ``first_line``."""

    start: int
    end: int
    first_line: int


def workers() -> int:
    """Processes to read a large CSV with: ``$LLMDECIDE_IMPORT_WORKERS``, else the CPUs this process may use."""
    given = os.environ.get(WORKERS_ENV, "").strip()
    if given.isdigit() and int(given) >= 1:
        return min(int(given), MAX_WORKERS)
    try:
        usable = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        usable = os.cpu_count() or 1
    return max(1, min(usable, MAX_WORKERS))


def _row_end(raw: BinaryIO, position: int, odd: bool) -> tuple[int, int] | None:
    """The first row boundary at or after ``position`` (quote parity ``odd`` there): the offset just past the line
    break, and the line breaks passed to reach it; None at the end of the file."""
    raw.seek(position)
    passed = 0
    while True:
        block = raw.read(1 << 16)
        if not block:
            return None
        i = 0
        while True:
            j = block.find(b"\n", i)
            if j < 0:
                odd ^= block.count(b'"', i) % 2 == 1
                break
            odd ^= block.count(b'"', i, j) % 2 == 1
            passed += 1
            if not odd:
                return position + j + 1, passed
            i = j + 1
        position += len(block)


def csv_parts(path: Path, size: int, count: int) -> tuple[int, list[Part]] | None:
    """The header's end and ``count`` parts of whole rows (fewer where rows are long), or None when the file
    has no complete header line or fewer than two parts."""
    with open(path, "rb") as raw:
        header = _row_end(raw, 0, False)
        if header is None:
            return None
        header_end = header[0]
        targets = [header_end + (size - header_end) * k // count for k in range(1, count)]
        cuts: list[tuple[int, int]] = [(header_end, 2)]  # (offset, line of the row starting there)
        position, lines, odd = header_end, 2, False
        raw.seek(position)
        for target in targets:
            if target <= position:
                continue
            while position < target:  # count quotes and line breaks up to the target, a block at a time
                block = raw.read(min(_BLOCK, target - position))
                if not block:
                    break
                kept = block.translate(None, _NOT_QUOTE_OR_NEWLINE)  # one pass, then count a far shorter text
                quotes = kept.count(b'"')
                odd ^= quotes % 2 == 1
                lines += len(kept) - quotes
                position += len(block)
            found = _row_end(raw, position, odd)
            if found is None:
                break
            position, passed = found
            lines += passed
            odd = False
            raw.seek(position)
            if position < size:
                cuts.append((position, lines))
    if len(cuts) < 2:
        return None
    ends = [c[0] for c in cuts[1:]] + [size]
    return header_end, [Part(start, end, line) for (start, line), end in zip(cuts, ends, strict=True)]


class _PartStream(io.RawIOBase):
    """The file's header line, then bytes ``start`` to ``end``: a part read as a CSV file of its own."""

    def __init__(self, path: Path, header_end: int, part: Part) -> None:
        self._file = open(path, "rb")  # noqa: SIM115  (closed with the stream)
        self._header = self._file.read(header_end)
        self._file.seek(part.start)
        self._left = part.end - part.start
        self.consumed = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer)
        if self._header:
            n = min(len(view), len(self._header))
            view[:n] = self._header[:n]
            self._header = self._header[n:]
            return n
        if self._left <= 0:
            return 0
        n = self._file.readinto(view[: min(len(view), self._left)])
        n = n or 0
        self._left -= n
        self.consumed += n
        return n

    def close(self) -> None:
        self._file.close()
        super().close()


def _records(read: CsvPartReader, path: Path, header_end: int, part: Part, name: str, notes: ReadNotes) -> Any:
    raw = _PartStream(path, header_end, part)
    text = text_stream(io.BufferedReader(raw, 1 << 20), "utf-8-sig")
    return raw, text, read(text, name, notes, part.first_line - 2)


def _count_part(
    read: CsvPartReader, path: Path, header_end: int, part: Part, name: str, agg: Aggregator
) -> tuple[int, AggregatorCounts, dict[str, str]]:
    notes = ReadNotes()
    _, text, records = _records(read, path, header_end, part, name, notes)
    count = 0
    with text:
        for record in records:
            agg.add(record, name)
            count += 1
    return count, agg.counts(), notes.messages


def _child(conn: Any, read: CsvPartReader, path: Path, header_end: int, part: Part, name: str, agg: Any) -> None:
    """A forked process's work: count one part and send the counts back, or the error that stopped it."""
    try:
        conn.send(("ok", _count_part(read, path, header_end, part, name, agg)))
    except LlmdecideError as exc:
        conn.send(("error", (type(exc), exc.message, exc.hint)))
    except UnicodeDecodeError as exc:
        conn.send(("error", (InputFileError, f"{name}: not UTF-8 text ({exc.reason})", None)))
    except BaseException:  # a bug: its traceback travels back
        conn.send(("bug", traceback.format_exc()))
    finally:
        conn.close()
        sys.stdout.flush()
        os._exit(0)


def read_parallel(
    read: CsvPartReader,
    path: Path,
    name: str,
    size: int,
    agg: Aggregator,
    notes: ReadNotes,
    what: str,
) -> int | None:
    """Read a plain CSV export with several processes into ``agg`` (its notes into ``notes``) and return the
    records counted; None, having read nothing, when the file is too small to share, cannot be cut, or this
    system cannot fork."""
    import multiprocessing

    count_workers = min(workers(), size // MIN_PART_BYTES)
    if count_workers < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return None
    found = csv_parts(path, size, count_workers)
    if found is None:
        return None
    header_end, parts = found
    context = multiprocessing.get_context("fork")
    own = ReadNotes()
    raw, text, records = _records(read, path, header_end, parts[0], name, own)
    children: list[tuple[Any, Any]] = []
    count = 0
    try:
        with text:
            first: UsageRecord | None = next(records, None)
            if first is not None:
                agg.set_zone(first.start)  # every part reads hours in the zone of the file's first record
            for part in parts[1:]:
                receive, send = context.Pipe(duplex=False)
                child = context.Process(
                    target=_child, args=(send, read, path, header_end, part, name, agg.fresh()), daemon=True
                )
                child.start()
                send.close()
                children.append((child, receive))
            share = len(parts)
            for record in _chain(first, records):
                agg.add(record, name)
                count += 1
                if count % _PROGRESS_EVERY == 0:
                    advance(what, min(size - 1, header_end + raw.consumed * share), size)
        for (_, receive), part in zip(children, parts[1:], strict=True):
            try:
                status, payload = receive.recv()
            except EOFError:
                raise RuntimeError(
                    f"the process reading {name} from byte {part.start} ended without a result"
                ) from None
            if status == "bug":
                raise RuntimeError(f"reading {name} from byte {part.start} failed:\n{payload}")
            if status == "error":
                kind, message, hint = payload
                raise kind(message, hint=hint)
            part_count, counts, messages = payload
            agg.absorb(counts)
            for key, message in messages.items():
                own.once(key, message)
            count += part_count
            advance(what, part.end, size)
    finally:
        for child, receive in children:
            receive.close()
            if child.is_alive():
                child.terminate()
            child.join()
    for key, message in own.messages.items():
        notes.once(key, message)
    return count


def _chain(first: UsageRecord | None, rest: Iterator[UsageRecord]) -> Iterator[UsageRecord]:
    if first is not None:
        yield first
    yield from rest
