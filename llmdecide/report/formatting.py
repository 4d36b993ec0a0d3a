"""The one place numbers are rounded for people. Missing values render as a dash, never as 0."""

from __future__ import annotations

import datetime as dt
import math

from llmdecide.costing.line_item import CostLineItem

MISSING = "—"
"""What a missing value looks like in a table."""


def fmt_usd(value: float | None, *, decimals: int | None = None) -> str:
    """USD amount: 2 decimals below 100, none above; tiny per-token prices keep their digits."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return MISSING
    if value == 0:
        return "0"
    if decimals is None:
        if abs(value) >= 100:
            decimals = 0
        elif abs(value) >= 0.01 or value == 0:
            decimals = 2
        else:
            decimals = 4
    return f"{value:,.{decimals}f}"


def fmt_price(value: float | None) -> str:
    """A unit price: up to 4 significant decimals, trailing zeros dropped."""
    if value is None:
        return MISSING
    text = f"{value:,.4f}".rstrip("0").rstrip(".")
    if "." not in text and abs(value) < 1000:
        text = f"{value:,.2f}"
    elif "." in text and len(text.split(".")[1]) == 1:
        text += "0"
    return text


def fmt_per_request(value: float | None, *, figures: int = 3) -> str:
    """A price per request to ``figures`` significant figures, in plain decimals: 8.1e-06 -> '0.0000081',
    0.045 -> '0.045', 1.5 -> '1.50'; never rounded to 0."""
    if value is None or math.isnan(value):
        return MISSING
    if value == 0:
        return "0"
    decimals = max(2, figures - 1 - math.floor(math.log10(abs(value))))
    text = f"{value:,.{decimals}f}"
    if "." in text:
        whole, frac = text.split(".")
        frac = frac.rstrip("0")
        text = f"{whole}.{frac.ljust(2, '0')}"
    return text


def fmt_more(share: float) -> str:
    """How much more one cost is than another: '12.3% more' below double, '2.4 times as much', '515 times as
    much' above (never a six-digit percentage)."""
    if share < 1.0:
        return f"{share * 100:.1f}% more"
    times = 1.0 + share
    return f"{times:.1f} times as much" if times < 10 else f"{times:,.0f} times as much"


def fmt_number(value: float | None, *, decimals: int = 1) -> str:
    """A plain quantity with thousands separators."""
    if value is None:
        return MISSING
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.{decimals}f}"


def fmt_int(value: int | None) -> str:
    """A whole number with thousands separators."""
    return MISSING if value is None else f"{value:,}"


def fmt_tokens(value: int | None) -> str:
    """A token count: 128k, 1.05M."""
    if value is None:
        return MISSING
    if value >= 1_000_000:
        return f"{value / 1_000_000:.2f}".rstrip("0").rstrip(".") + "M"
    if value >= 1000:
        return f"{value / 1000:.1f}".rstrip("0").rstrip(".") + "k"
    return str(value)


def fmt_pct(value: float | None, *, decimals: int = 0) -> str:
    """A fraction as a percentage: 0.5 -> '50%'."""
    if value is None:
        return MISSING
    return f"{value * 100:.{decimals}f}%"


def fmt_date(value: dt.date | None) -> str:
    """ISO date, or a dash."""
    return MISSING if value is None else value.isoformat()


def fmt_text(value: object) -> str:
    """Any value as text; None is missing."""
    return MISSING if value is None else str(value)


def fmt_quantity(value: float) -> str:
    """A line item's quantity: whole numbers plainly, small fractions with two decimals."""
    if float(value).is_integer() or value >= 100:
        return fmt_usd(value, decimals=0)
    return fmt_usd(value, decimals=2)


def fmt_gpus(value: float | None) -> str:
    """A GPU count."""
    return MISSING if value is None else f"{value:g}"


def fmt_sweep_value(unit: str, value: float | None) -> str:
    """A swept input's value: '1.50x' for multipliers, '+0.020' for absolute changes."""
    if value is None:
        return MISSING
    return f"{value:.2f}x" if unit == "x" else f"{value * 100:+.1f} points"


def line_item_cells(item: CostLineItem) -> list[str]:
    """A line item as report cells: name, quantity, unit, unit price, monthly USD, one-time USD, source."""
    return [
        item.name,
        fmt_quantity(item.quantity),
        item.unit,
        fmt_price(item.unit_price_usd),
        fmt_usd(item.monthly_cost_usd, decimals=2),
        fmt_usd(item.one_time_usd, decimals=2) if item.one_time_usd else "",
        item.source + (f" ({item.note})" if item.note else ""),
    ]


def round_floats(data: object, digits: int = 10) -> object:
    """A JSON-ready structure with every float rounded to ``digits`` significant figures, so output is stable
    across platforms and a price per request of 7.56e-06 stays 7.56e-06."""
    if isinstance(data, float):
        rounded = float(f"{data:.{digits}g}")
        return 0.0 if rounded == 0 else rounded
    if isinstance(data, dict):
        return {k: round_floats(v, digits) for k, v in data.items()}
    if isinstance(data, list):
        return [round_floats(v, digits) for v in data]
    return data
