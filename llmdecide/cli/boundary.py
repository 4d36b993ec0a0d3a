"""The one place user errors become a one-line message on stderr and an exit code."""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import typer

from llmdecide.errors import LlmdecideError, OutputError


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn an :class:`LlmdecideError` into ``llmdecide: error: ...`` and its exit code.

    Anything else is a bug and propagates with its traceback.
    """
    try:
        yield
    except LlmdecideError as exc:
        print(f"llmdecide: error: {exc}", file=sys.stderr)
        raise typer.Exit(int(exc.exit_code)) from None


def write_output(text: str, output: Path | None) -> None:
    """Print ``text`` to stdout, or write it to ``output`` atomically (temp file, then rename)."""
    if output is None:
        sys.stdout.write(text)
        return
    directory = output.parent if str(output.parent) else Path(".")
    if not directory.is_dir():
        raise OutputError(f"{output}: cannot write: directory {directory} does not exist")
    fd, tmp = tempfile.mkstemp(prefix=f".{output.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        os.replace(tmp, output)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise OutputError(f"{output}: cannot write: {exc.strerror or exc}") from None
