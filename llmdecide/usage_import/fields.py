"""Reading one field of a usage record: token counts, costs and timestamps, with one-line errors.

Every message names the file, the line or record, and the field: ``usage.csv: line 12: prompt_tokens: expected a
whole number of tokens, got text``. A value is quoted back only when it looks like a number; anything else is
called "text", so a prompt or a key that sits in the wrong column never reaches the terminal.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any

from llmdecide.errors import InputFileError
from llmdecide.usage_import.records import ReadNotes

UTC = dt.UTC
_NUMBER_LIKE = re.compile(r"^[-+]?[0-9][0-9.,eE+_ -]{0,30}$|^[-+]?(?:nan|inf|infinity)$", re.IGNORECASE)
NAIVE_NOTE = "naive-time"


def field_error(name: str, where: str, field: str, expected: str, value: object = None) -> InputFileError:
    """``name: where: field: expected ...[, got ...]`` as an :class:`InputFileError`."""
    got = ""
    if value is not None:
        got = f", got {shown(value)}"
    place = f"{where}: " if where else ""
    return InputFileError(f"{name}: {place}{field}: expected {expected}{got}")


def shown(value: object) -> str:
    """A value for a message: a number-like text quoted (at most 32 characters), anything else by its kind."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value) if math.isfinite(value) else str(value)
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return "an empty value"
        if _NUMBER_LIKE.match(text):
            return repr(text[:32])
        return "text"
    if value is None:
        return "nothing"
    return {"dict": "an object", "list": "a list"}.get(type(value).__name__, type(value).__name__)


def token_count(value: Any, name: str, where: str, field: str, *, blank: float | None = None) -> float:
    """A token (or request) count: a non-negative whole number, written as a number or as text.

    ``blank`` is what an empty or missing value counts as (None: it is an error).
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        if blank is None:
            raise field_error(name, where, field, "a whole number of tokens", value if value is not None else "")
        return blank
    if isinstance(value, bool):
        raise field_error(name, where, field, "a whole number of tokens", value)
    if isinstance(value, int):
        number = float(value)
    elif isinstance(value, float):
        number = value
    elif isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            raise field_error(name, where, field, "a whole number of tokens", value) from None
    else:
        raise field_error(name, where, field, "a whole number of tokens", value)
    if not math.isfinite(number) or number != math.floor(number):
        raise field_error(name, where, field, "a whole number of tokens", value)
    if number < 0:
        raise field_error(name, where, field, "a count of 0 or more", value)
    return number


def cost_usd(value: Any, name: str, where: str, field: str) -> float | None:
    """A cost in USD (0 or more), or None when the value is empty."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise field_error(name, where, field, "a cost in USD", value)
    try:
        number = float(value)
    except ValueError:
        raise field_error(name, where, field, "a cost in USD", value) from None
    if not math.isfinite(number):
        raise field_error(name, where, field, "a finite cost in USD", value)
    if number < 0:
        raise field_error(name, where, field, "a cost of 0 or more", value)
    return number


def timestamp(value: Any, name: str, where: str, field: str, notes: ReadNotes) -> dt.datetime:
    """A point in time: ISO 8601 text (``2025-01-31T12:00:00Z``, ``2025-01-31 12:00:00.123+00:00``) or Unix
    seconds. Text without a time zone is read as UTC, and ``notes`` says so once."""
    if isinstance(value, str):
        text = value.strip()
        try:
            when = dt.datetime.fromisoformat(text)
        except ValueError:
            raise field_error(name, where, field, "a date and time (ISO 8601)", value) from None
        if when.tzinfo is None:
            notes.once(NAIVE_NOTE, f"{name}: timestamps without a time zone: read as UTC")
            return when.replace(tzinfo=UTC)
        return when
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        return unix_seconds(float(value), name, where, field)
    raise field_error(name, where, field, "a date and time (ISO 8601)", value)


EARLIEST = dt.datetime(2000, 1, 1, tzinfo=UTC)
LATEST = dt.datetime(2200, 1, 1, tzinfo=UTC)


def unix_seconds(value: float, name: str, where: str, field: str) -> dt.datetime:
    """Unix time in seconds as an aware UTC datetime; a value outside 2000..2200 is an error."""
    if not (EARLIEST.timestamp() <= value < LATEST.timestamp()):
        raise field_error(name, where, field, "a Unix time in seconds between 2000 and 2200", value)
    return dt.datetime.fromtimestamp(value, UTC)


def text_label(value: Any) -> str | None:
    """A label (model, project, tag) as text: stripped, None when empty or not text."""
    if isinstance(value, str):
        text = value.strip()
        return text or None
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return None
