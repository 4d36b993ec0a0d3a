"""Opening a usage export for streaming: a regular file only, gzip by its magic bytes, text by its byte-order mark.

The checks are the project's own (``llmdecide.input_files``): a FIFO, a device, a socket or a directory is refused
before it is read, and again after it is opened. Unlike the YAML and CSV inputs, an export is never read whole: the
file is decompressed and decoded as it is read, so memory does not grow with its size, and no size limit applies.

What is refused, each as one line naming the file: an empty file (nothing but whitespace), a binary file (a NUL byte
in its first 64 KiB where no UTF-16/UTF-32 byte-order mark says so, or bytes there that are not UTF-8), a gzip file
that is damaged or cut short. Text is UTF-8, with or without a byte-order mark, or UTF-16/UTF-32 with one.
"""

from __future__ import annotations

import contextlib
import gzip
import io
import os
import stat
import zlib
from pathlib import Path
from types import TracebackType
from typing import Any, TextIO

from llmdecide.errors import InputFileError
from llmdecide.input_files import file_kind, os_reason

HEAD_BYTES = 64 * 1024
"""Bytes of (decompressed) text looked at before reading: for binary files, the encoding and the format's sniff."""
READ_BUFFER_BYTES = 1 << 20
"""Bytes read from disk at a time."""
GZIP_MAGIC = b"\x1f\x8b"

_BOMS = (
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
    (b"\xef\xbb\xbf", "utf-8-sig"),
)


class _Prefixed(io.RawIOBase):
    """The bytes already read for the head, then the rest of the stream."""

    def __init__(self, head: bytes, rest: io.BufferedIOBase) -> None:
        self._head = memoryview(head)
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        if self._head:
            n = min(len(buffer), len(self._head))
            buffer[:n] = self._head[:n]
            self._head = self._head[n:]
            return n
        data = self._rest.read1(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def _read_head(stream: io.BufferedIOBase, name: str, compressed: bool) -> bytes:
    chunks: list[bytes] = []
    total = 0
    try:
        while total < HEAD_BYTES:
            chunk = stream.read1(HEAD_BYTES - total)
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
    except (OSError, EOFError, zlib.error) as exc:
        raise InputFileError(f"{name}: {gzip_problem(exc) if compressed else _reason_of(exc)}") from None
    return b"".join(chunks)


def _reason_of(exc: BaseException) -> str:
    return os_reason(exc) if isinstance(exc, OSError) else f"cannot read: {exc}"


def gzip_problem(exc: BaseException) -> str:
    """The one-line reason a gzip stream could not be read."""
    if isinstance(exc, EOFError):
        return "gzip file cut short (it ends before its compressed data does)"
    return "damaged gzip file (not valid compressed data)"


def _encoding(head: bytes, name: str) -> str:
    for bom, codec in _BOMS:
        if head.startswith(bom):
            return codec
    if b"\x00" in head:
        raise InputFileError(f"{name}: binary file, expected a text export (JSON or CSV)")
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 3:  # not just a character cut at the end of the head
            raise InputFileError(
                f"{name}: binary file or not UTF-8 text (byte {exc.start}), expected a text export (JSON or CSV)"
            ) from None
    return "utf-8"


class UsageFile:
    """An export opened for reading: its decoded text stream, its first characters, and how far it has been read."""

    def __init__(self, path: Path) -> None:
        self.name = str(path)
        """The file as the user named it, for messages."""
        self.base = path.name
        """The file's name without directories, for the workload's header."""
        if not self.name:
            raise InputFileError("empty path, expected a usage export")
        try:
            info = os.stat(path)
        except (OSError, ValueError) as exc:
            raise InputFileError(
                f"{self.name}: {os_reason(exc) if isinstance(exc, OSError) else 'invalid path'}"
            ) from None
        if not stat.S_ISREG(info.st_mode):
            raise InputFileError(f"{self.name}: is {file_kind(info.st_mode)}, expected a usage export")
        flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOCTTY", 0)
        try:
            fd = os.open(path, flags)
        except OSError as exc:
            raise InputFileError(f"{self.name}: {os_reason(exc)}") from None
        self._raw = io.FileIO(fd, "rb", closefd=True)
        try:
            opened = os.fstat(fd)
            if not stat.S_ISREG(opened.st_mode):
                raise InputFileError(f"{self.name}: is {file_kind(opened.st_mode)}, expected a usage export")
            self.size = opened.st_size
            """Bytes on disk (compressed, for a gzip file)."""
            disk = io.BufferedReader(self._raw, READ_BUFFER_BYTES)
            self.compressed = disk.peek(2)[:2] == GZIP_MAGIC
            """Whether the file is gzip-compressed."""
            source: io.BufferedIOBase = gzip.GzipFile(fileobj=disk, mode="rb") if self.compressed else disk
            head = _read_head(source, self.name, self.compressed)
            if not head.strip(b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"):
                raise InputFileError(f"{self.name}: empty file, expected a usage export")
            encoding = _encoding(head, self.name)
            self.encoding = encoding
            buffered = io.BufferedReader(_Prefixed(head, source), READ_BUFFER_BYTES)
            self.text: TextIO = text_stream(buffered, encoding)
            """The decoded text; lines keep their line breaks (``newline=''``, as the csv module wants)."""
            self.head = head.decode(encoding if encoding != "utf-8" else "utf-8-sig", errors="ignore")
            """The first characters of the text, for sniffing the format."""
        except BaseException:
            self._raw.close()
            raise

    def position(self) -> int:
        """Bytes of the file on disk read so far (for progress)."""
        try:
            return min(self.size, self._raw.tell())
        except (OSError, ValueError):
            return self.size

    def close(self) -> None:
        """Close the file."""
        with contextlib.suppress(OSError, EOFError, zlib.error):
            self.text.close()
        self._raw.close()

    def __enter__(self) -> UsageFile:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()


TEXT_CHUNK_CHARS = 1 << 16
"""Bytes a text stream decodes at a time: the csv module reads the stream line by line, and decoding 64 KiB
instead of the default 8 KiB at a time takes about a tenth off reading a large CSV export."""


def text_stream(binary: io.BufferedReader[Any], encoding: str) -> TextIO:
    """``binary`` decoded as ``encoding``, strictly, with line breaks kept (``newline=''``, as the csv module
    wants), decoded TEXT_CHUNK_CHARS at a time."""
    text = io.TextIOWrapper(binary, encoding=encoding, errors="strict", newline="")
    with contextlib.suppress(AttributeError, ValueError):  # an implementation's detail, where it has it
        text._CHUNK_SIZE = TEXT_CHUNK_CHARS  # type: ignore[attr-defined]
    return text


def open_usage_file(path: Path) -> UsageFile:
    """Open ``path`` for streaming; raise :class:`InputFileError` (one line, naming the file) when it cannot be."""
    return UsageFile(path)
