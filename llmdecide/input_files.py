"""Reading a file the user named: a regular file only, never more than a stated number of bytes.

A FIFO, a device (``/dev/zero``, ``/dev/urandom``), a socket or a directory is refused before it is
opened for reading, so nothing blocks and nothing is read without end; a symlink counts as what it
points to. The file is opened non-blocking and checked again after opening, so a FIFO swapped in
between the check and the open is refused as well.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path


class InputReadError(Exception):
    """A file that cannot be read as input; ``str()`` is a one-line reason without the path."""


def file_kind(mode: int) -> str:
    """What a non-regular file is, for messages: a directory, a FIFO, a device, a socket."""
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def os_reason(exc: OSError) -> str:
    """Why a file could not be opened or read, in a few words (no such file, permission denied, ...)."""
    if isinstance(exc, FileNotFoundError):
        return "no such file"
    if isinstance(exc, PermissionError):
        return "permission denied"
    if exc.errno == errno.ENAMETOOLONG:
        return "file name too long"
    if exc.errno == errno.ELOOP:
        return "too many levels of symbolic links"
    return f"cannot read: {exc.strerror or exc}"


def read_input_bytes(path: Path, limit: int, expected: str) -> bytes:
    """The bytes of ``path``, a regular file of at most ``limit`` bytes; raise :class:`InputReadError`.

    ``expected`` names what the file should be ("a YAML file", "a CSV file") for the messages.
    """
    if not str(path):
        raise InputReadError(f"empty path, expected {expected}")
    try:
        info = os.stat(path)
    except (OSError, ValueError) as exc:
        raise InputReadError(os_reason(exc) if isinstance(exc, OSError) else "invalid path") from None
    if not stat.S_ISREG(info.st_mode):
        raise InputReadError(f"is {file_kind(info.st_mode)}, expected {expected}")
    if info.st_size > limit:
        raise InputReadError(f"file is {info.st_size:,} bytes, larger than the {limit:,}-byte limit")
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise InputReadError(os_reason(exc)) from None
    try:
        opened = os.fstat(fd)
        if not stat.S_ISREG(opened.st_mode):
            raise InputReadError(f"is {file_kind(opened.st_mode)}, expected {expected}")
        chunks: list[bytes] = []
        total = 0
        while total <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
    except OSError as exc:
        raise InputReadError(os_reason(exc)) from None
    finally:
        os.close(fd)
    if total > limit:
        raise InputReadError(f"file is larger than the {limit:,}-byte limit")
    return b"".join(chunks)


def decode_text(raw: bytes, expected: str) -> str:
    """Text of a file: UTF-8 (a byte-order mark is dropped), or UTF-16/UTF-32 when a byte-order mark says
    so; NUL bytes elsewhere mean a binary file. Raise :class:`InputReadError`."""
    for bom, codec in (
        (b"\xff\xfe\x00\x00", "utf-32-le"),
        (b"\x00\x00\xfe\xff", "utf-32-be"),
        (b"\xff\xfe", "utf-16-le"),
        (b"\xfe\xff", "utf-16-be"),
    ):
        if raw.startswith(bom):
            try:
                return raw[len(bom) :].decode(codec)
            except UnicodeDecodeError:
                raise InputReadError(f"not valid {codec.upper()} text, expected {expected}") from None
    if b"\x00" in raw:
        raise InputReadError(f"binary file, expected {expected}")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputReadError(f"not UTF-8 text (byte {exc.start}), expected {expected}") from None
