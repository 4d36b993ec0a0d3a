"""The JSON report: the DecisionReport as data, floats rounded for stable output."""

from __future__ import annotations

from typing import Any

from llmdecide.report.formatting import round_floats
from llmdecide.report.result import DecisionReport
from llmdecide.report.tables import to_json


def render_json(report: DecisionReport) -> str:
    """Pretty JSON, keys in model order, floats rounded to 6 decimal places."""
    data: Any = round_floats(report.model_dump(mode="json"))
    return to_json(data)
