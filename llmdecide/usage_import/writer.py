"""The workload file an import writes: YAML that ``llmdecide assess`` runs as it is, with a comment header saying
where each number came from.

The text is built line by line (no YAML library), so the order, the comments and the rounding are the same on
every run: no clock, no absolute paths (input files are named by their base name), no dictionary order. Labels
from the export (models, projects, tags) are cleaned of control and invisible characters and shortened before
they are written; message content, user identifiers and keys are never in the records to begin with.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from llmdecide.limits import shorten
from llmdecide.usage_import.aggregate import GroupKey, Totals
from llmdecide.usage_import.figures import SegmentFigures, Window
from llmdecide.workload.schema import MIN_OUTPUT_TOKENS

_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u00ad\u061c\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb]")
COMMENT_CHARS = 110
PROFILE_PER_LINE = 12


def clean_label(text: str, limit: int = 120) -> str:
    """A label from an export as one printable line: control and invisible characters as '?', cut to ``limit``."""
    return shorten(" ".join(_UNSAFE.sub("?", text).split()), limit)


def number(value: float, digits: int = 0) -> str:
    """``value`` rounded to ``digits`` decimals, without trailing zeros (``1234.5``, ``0.0213``, ``12000``)."""
    if digits <= 0:
        return f"{round(value):d}"
    text = f"{round(value, digits):.{digits}f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def grouped(value: float) -> str:
    """A count with thousands separators, for comments."""
    return f"{round(value):,d}"


def percent(share: float, digits: int = 1) -> str:
    """A share as a signed or plain percentage for comments."""
    return f"{share * 100:.{digits}f}%"


def quoted(text: str) -> str:
    """A YAML double-quoted scalar (JSON string syntax, which YAML reads the same)."""
    return json.dumps(text, ensure_ascii=False)


@dataclass(frozen=True)
class SegmentEntry:
    """One segment as it is written."""

    figures: SegmentFigures
    name: str
    model_id: str | None
    """The catalog id of the model most of the segment's tokens ran on, where the catalog knows it."""
    model_written: str
    """That model as the export names it."""
    model_share: float
    """Share of the segment's tokens on that model."""
    tier: str | None
    """The catalog tier of that model."""
    others: list[str]
    """Other models in the segment, with their shares, for the comment."""
    groups: dict[GroupKey, Totals] = field(default_factory=dict)
    """The segment's sums by (month, model, provider), for the bill check."""


@dataclass(frozen=True)
class Header:
    """What the comment header says about the import as a whole."""

    format_name: str
    format_description: str
    files: list[str]
    window: Window
    zone: str
    records: int
    segment_by: str
    notes: list[str]
    models: list[str]
    """One line per model name of the export: how it maps to the catalog."""
    tokens_per_request: float | None
    bills: list[str]
    """The reconciliation's summary lines (empty on the first pass)."""


def _comment(text: str) -> str:
    return "# " + shorten(_UNSAFE.sub("?", text), 400) if text else "#"


def _wrap(text: str, indent: str = "") -> list[str]:
    """A long comment over several lines of at most about ``COMMENT_CHARS`` characters."""
    words = _UNSAFE.sub("?", text).split()
    lines: list[str] = []
    current = ""
    for word in words:
        if current and len(current) + 1 + len(word) > COMMENT_CHARS:
            lines.append(f"{indent}# {current}")
            current = word
        else:
            current = f"{current} {word}" if current else word
    if current:
        lines.append(f"{indent}# {current}")
    return lines


def _header(h: Header) -> list[str]:
    files = ", ".join(clean_label(f, 80) for f in h.files)
    start, end = h.window.start, h.window.end
    lines = [
        f"# Written by 'llmdecide import {h.format_name}' from {files}",
        _comment(f"({h.format_description})."),
        _comment(
            f"{grouped(h.records)} records from {start:%Y-%m-%d %H:%M} to {end:%Y-%m-%d %H:%M} ({h.zone}); "
            f"segments by {h.segment_by}."
        ),
        "#",
    ]
    lines += _wrap(
        "Every number below comes from the export, as each line's comment says. Two things the export cannot "
        "tell: how sensitive the data in the prompts is (data_sensitivity, written as internal: CONFIRM it for "
        "every segment) and which capability tier the work needs (written as the tier of the model in use: "
        "lower it if a cheaper model would do)."
    )
    if h.tokens_per_request is not None:
        lines += _wrap(
            f"The export counts no requests: input_tokens and output_tokens are its token split of the "
            f"--tokens-per-request given, {number(h.tokens_per_request, 1)} tokens a request."
        )
    if h.models:
        lines += ["#", "# Models in the export, and the catalog entry each is priced at:"]
        lines += [_comment(f"  {m}") for m in h.models]
    if h.notes:
        lines += ["#", "# Notes:"]
        for note in h.notes:
            lines += _wrap(f"- {note}")
    if h.bills:
        lines += ["#", "# Bill check (the export's bill against what 'llmdecide assess' prices this file at):"]
        for bill in h.bills:
            lines += _wrap(f"  {bill}")
    return lines


def _profile_lines(values: Sequence[float]) -> list[str]:
    lines = ["    hourly_profile: ["]
    for i in range(0, len(values), PROFILE_PER_LINE):
        chunk = ", ".join(number(v, 3) for v in values[i : i + PROFILE_PER_LINE])
        lines.append(f"      {chunk}{',' if i + PROFILE_PER_LINE < len(values) else ''}")
    lines.append("    ]")
    return lines


def _months_comment(f: SegmentFigures, unit: str) -> list[str]:
    parts = []
    for month, t in f.monthly:
        value = t.tokens if f.tokens_only else t.requests
        mark = "" if month in f.full else " (part)"
        parts.append(f"{month} {grouped(value)}{mark}")
    return _wrap(f"{unit} by month: " + "; ".join(parts), "    ")


def _segment(entry: SegmentEntry, tokens_per_request: float | None) -> list[str]:
    f = entry.figures
    lines = [f"  - name: {quoted(entry.name)}"]
    unit = "tokens" if f.tokens_only else "requests"
    lines += _months_comment(f, unit.capitalize())
    if f.tokens_only:
        if f.volume_per_day:
            lines.append("    # no full month in the window: tokens per day over the window, times 30.4 days")
            lines.append(f"    tokens_per_month: {number(f.volume * 730 / 24)}")
        else:
            lines.append(f"    # tokens (input + output) in {f.latest_full}, the latest full month")
            lines.append(f"    tokens_per_month: {number(f.volume)}")
        scale = tokens_per_request if tokens_per_request is not None else 1000.0
        if tokens_per_request is None:
            lines += _wrap(
                "the export counts no requests: these two give only its split of input and output tokens, per "
                "1,000 tokens; the request count assess derives from them is not a measurement: give "
                "--tokens-per-request (or edit both) for a real request size",
                "    ",
            )
        else:
            lines.append(
                f"    # the export's token split of {number(scale, 1)} tokens a request (--tokens-per-request)"
            )
        lines.append(f"    input_tokens: {number(max(f.input_mean * scale, 0.1), 1)}")
        lines.append(f"    output_tokens: {number(max(f.output_mean * scale, MIN_OUTPUT_TOKENS), 1)}")
    else:
        if f.volume_per_day:
            lines.append(f"    # no full month in the window: requests per day over its {number(f.days, 1)} days")
            lines.append(f"    requests_per_day: {number(f.volume, 1) if f.volume < 100 else number(f.volume)}")
        else:
            lines.append(f"    # requests in {f.latest_full}, the latest full month")
            lines.append(f"    requests_per_month: {number(max(f.volume, 1))}")
        p90_in = f", p90 {grouped(f.input_p90)}" if f.input_p90 is not None else ""
        p90_out = f", p90 {grouped(f.output_p90)}" if f.output_p90 is not None else ""
        lines.append(f"    # mean over {grouped(f.totals.requests)} requests{p90_in}")
        lines.append(f"    input_tokens: {number(max(f.input_mean, 0.1), 1)}")
        lines.append(f"    # mean{p90_out}")
        lines.append(f"    output_tokens: {number(max(f.output_mean, MIN_OUTPUT_TOKENS), 1)}")
    cached = round(f.cached_share, 4)
    written = round(f.cache_write_share, 4)
    if cached + written > 1:
        written = round(1 - cached, 4)
    if cached > 0:
        lines.append("    # share of prompt tokens read from the provider's prompt cache")
        lines.append(f"    cached_input_fraction: {number(cached, 4)}")
    if written > 0:
        lines.append("    # share of prompt tokens written to the prompt cache")
        lines.append(f"    cache_write_fraction: {number(written, 4)}")
    if f.growth is not None:
        g = f.growth
        growth = min(max(g.per_month, -0.5), 1.0)
        spread = f" (spread {percent(g.low)} to {percent(g.high)})" if g.low is not None and g.high is not None else ""
        clamp = " (the schema's bounds, -50% to +100%, applied)" if growth != g.per_month else ""
        lines.append(f"    # fitted over {g.months} full months: {percent(g.per_month)} a month{spread}{clamp}")
        lines.append(f"    growth_per_month: {number(growth, 4)}")
    else:
        lines.append("    # fewer than two full months: no growth fitted (0)")
    if f.batch:
        lines.append("    # traffic sent through the batch API")
        lines.append("    latency: batch")
    if entry.tier is not None and entry.model_id is not None:
        lines.append(f"    # tier of {entry.model_id}, the model in use: lower it if a cheaper model would do")
        lines.append(f"    capability: {entry.tier}")
    if entry.model_id is not None:
        lines.append(f"    # model in use: {entry.model_id} ({percent(entry.model_share)} of the tokens)")
    else:
        lines.append(
            f"    # model in use: {clean_label(entry.model_written, 80)} ({percent(entry.model_share)} of the "
            "tokens), not in the catalog"
        )
    for other in entry.others:
        lines.append(f"    # also: {clean_label(other, COMMENT_CHARS)}")
    lines.append("    # CONFIRM: the export cannot tell how sensitive the prompts are")
    lines.append("    data_sensitivity: internal")
    if f.profile is not None:
        lines.append(f"    # from the records' timestamps: {f.profile_note}")
        lines += _profile_lines(f.profile)
    else:
        lines.append(f"    # {f.profile_note}")
    return lines


def render_workload(header: Header, entries: Sequence[SegmentEntry], tokens_per_request: float | None) -> str:
    """The workload file's text."""
    lines = _header(header)
    lines += [
        "schema_version: 1",
        f"name: {quoted(f'Usage imported from {header.format_name}')}",
        f"description: {quoted(_description(header))}",
        "segments:",
    ]
    for entry in entries:
        lines += _segment(entry, tokens_per_request)
    ids = sorted({e.model_id for e in entries if e.model_id is not None})
    if ids:
        lines.append("candidates:")
        lines.append("  # the catalog models in use; remove this list to compare every catalog model")
        lines.append("  cloud_models:")
        lines += [f"    - {i}" for i in ids]
    return "\n".join(lines) + "\n"


def _description(h: Header) -> str:
    files = ", ".join(clean_label(f, 80) for f in h.files)
    return clean_label(
        f"{h.format_name} usage from {files}, {h.window.start:%Y-%m-%d} to {h.window.end:%Y-%m-%d} ({h.zone})", 400
    )
