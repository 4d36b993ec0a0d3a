"""The one error hierarchy of llmdecide.

Every error a user can cause is an :class:`LlmdecideError` subclass carrying the
process exit code the command line uses for it. The CLI boundary prints the
one-line message and exits; anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

from enum import IntEnum

from llmdecide.limits import shorten


class ExitCode(IntEnum):
    """Process exit codes, documented in the README."""

    OK = 0
    CHECK_FAILED = 1
    USAGE = 2
    INPUT_ERROR = 3
    CATALOG_ERROR = 4
    UNKNOWN_ID = 5
    OUTPUT_ERROR = 6


class LlmdecideError(Exception):
    """Base of every user-facing error; ``str()`` is the one-line message."""

    exit_code: ExitCode = ExitCode.INPUT_ERROR

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def in_file(self, file: str) -> LlmdecideError:
        """This error with ``file: `` in front of its message, unless it already names the file."""
        if not file or self.message.startswith(f"{file}:"):
            return self
        copy = self.__class__.__new__(self.__class__)
        copy.__dict__.update(self.__dict__)
        copy.message = f"{file}: {self.message}"
        copy.args = (copy.message,)
        return copy

    def __str__(self) -> str:
        if self.hint:
            return f"{self.message} ({self.hint})"
        return self.message


class InputFileError(LlmdecideError):
    """A file given by the user cannot be read or does not match its schema."""

    exit_code = ExitCode.INPUT_ERROR


class CatalogError(LlmdecideError):
    """The catalog in use is missing, unreadable or invalid."""

    exit_code = ExitCode.CATALOG_ERROR


class UnknownIdError(LlmdecideError):
    """An id that names no catalog entry; carries did-you-mean suggestions."""

    exit_code = ExitCode.UNKNOWN_ID

    def __init__(
        self, kind: str, wanted: str, suggestions: list[str], *, where: str = "", ambiguous: bool = False
    ) -> None:
        prefix = f"{where}: " if where else ""
        options = " or ".join(repr(s) for s in suggestions)
        shown = repr(shorten(wanted))
        if ambiguous:
            super().__init__(f"{prefix}ambiguous {kind} id {shown}", hint=f"it matches {options}; give the full id")
        else:
            hint = f"did you mean {options}?" if suggestions else None
            super().__init__(f"{prefix}unknown {kind} id {shown}", hint=hint)
        self.kind = kind
        self.wanted = wanted
        self.suggestions = suggestions


class OutputError(LlmdecideError):
    """An output file cannot be written."""

    exit_code = ExitCode.OUTPUT_ERROR
