"""Every number in a parsed JSON report, for the hostile-input tests."""

from __future__ import annotations

from typing import Any


def numbers_in(value: Any) -> list[float]:
    """Every number in a parsed JSON document (booleans are not numbers)."""
    if isinstance(value, bool):
        return []
    if isinstance(value, (int, float)):
        return [float(value)]
    if isinstance(value, dict):
        return [n for v in value.values() for n in numbers_in(v)]
    if isinstance(value, list):
        return [n for v in value for n in numbers_in(v)]
    return []
