"""JSON values from a text stream, one at a time, in bounded memory.

A usage export in JSON is one of: a single document, JSON lines (one value a line), or values written one after
another (pretty-printed objects, as OpenTelemetry's console exporter writes them). Each top-level value is
yielded as it is complete; a top-level *array* is streamed element by element, so a file that is one large array
of records never sits in memory whole. Each value (or element) may be at most ``MAX_VALUE_CHARS`` long.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any, Protocol

from llmdecide.errors import InputFileError
from llmdecide.limits import MAX_IMPORT_JSON_VALUE_CHARS

CHUNK_CHARS = 1 << 20
"""Characters read at a time."""
MAX_VALUE_CHARS = MAX_IMPORT_JSON_VALUE_CHARS
"""Longest single JSON value (a page of an API's answer, one line of JSON lines) read, in characters."""

_WHITESPACE = " \t\r\n\ufeff"


class Readable(Protocol):
    """Anything with ``read(size)`` returning text: a text stream, or :class:`Rejoined`."""

    def read(self, size: int = -1, /) -> str: ...


class Rejoined:
    """A text stream with text already read from it put back in front."""

    def __init__(self, first: str, stream: Readable) -> None:
        self._first = first
        self._stream = stream

    def read(self, size: int = -1, /) -> str:
        if self._first:
            head, self._first = self._first, ""
            return head + self._stream.read(max(0, size - len(head)) if size > 0 else size)
        return self._stream.read(size)


_DECODER = json.JSONDecoder()


class _Buffer:
    """Text read so far and not yet parsed, with the count of lines already parsed past (for messages)."""

    def __init__(self, stream: Readable, name: str) -> None:
        self.stream = stream
        self.name = name
        self.text = ""
        self.pos = 0
        self.eof = False
        self.line = 1
        """Line number at ``counted`` in ``text``."""
        self.counted = 0

    def more(self) -> bool:
        """Read another chunk (at least as large as what is buffered); False at the end of the stream."""
        if self.eof:
            return False
        if self.pos:
            self.line_at(self.pos)
            self.text = self.text[self.pos :]
            self.counted -= self.pos
            self.pos = 0
        if len(self.text) > MAX_VALUE_CHARS:
            raise InputFileError(
                f"{self.name}: line {self.line}: a JSON value longer than {MAX_VALUE_CHARS:,} characters "
                "(or JSON that never closes)"
            )
        chunk = self.stream.read(max(CHUNK_CHARS, len(self.text)))
        if not chunk:
            self.eof = True
            return False
        self.text += chunk
        return True

    def skip(self, chars: str) -> str | None:
        """Move past ``chars``; the next other character (None at the end of the stream)."""
        while True:
            text, pos = self.text, self.pos
            while pos < len(text) and text[pos] in chars:
                pos += 1
            self.pos = pos
            if pos < len(text):
                return text[pos]
            if not self.more():
                return None

    def line_at(self, pos: int) -> int:
        """The line number at ``pos`` (at or after the last position asked for)."""
        if pos > self.counted:
            self.line += self.text.count("\n", self.counted, pos)
            self.counted = pos
        return self.line

    def value(self) -> Any:
        """Decode the value that starts at the current position, reading more until it is complete."""
        while True:
            try:
                value, end = _DECODER.raw_decode(self.text, self.pos)
            except json.JSONDecodeError as exc:
                cut = exc.msg.startswith("Unterminated string") or exc.pos >= len(self.text) - 16
                if cut and not self.eof:
                    self.more()
                    continue  # the value may go on past what is read so far: decode it again
                raise InputFileError(f"{self.name}: line {self.line_at(exc.pos)}: invalid JSON ({exc.msg})") from None
            if end >= len(self.text) and not self.eof and self.more():
                continue  # a number or literal may go on in the next chunk
            self.pos = end
            return value


def json_values(stream: Readable, name: str) -> Iterator[tuple[int, Any]]:
    """Each top-level JSON value of ``stream`` with the line it starts on; a top-level array's elements one by
    one instead of the array. Raises :class:`InputFileError` on invalid JSON, naming the line."""
    buf = _Buffer(stream, name)
    while True:
        first = buf.skip(_WHITESPACE)
        if first is None:
            return
        if first != "[":
            line = buf.line_at(buf.pos)
            yield line, buf.value()
            continue
        buf.pos += 1
        expect_value = True
        while True:
            nxt = buf.skip(_WHITESPACE)
            if nxt is None:
                raise InputFileError(f"{name}: line {buf.line_at(buf.pos)}: invalid JSON (the array never closes)")
            if nxt == "]":
                buf.pos += 1
                break
            if not expect_value:
                if nxt != ",":
                    raise InputFileError(f"{name}: line {buf.line_at(buf.pos)}: invalid JSON (expected ',' or ']')")
                buf.pos += 1
                expect_value = True
                continue
            line = buf.line_at(buf.pos)
            yield line, buf.value()
            expect_value = False
