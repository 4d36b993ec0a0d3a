"""``import_usage``: usage exports in, a workload file and its bill check out.

Stages: open each file (``opening``), check it is of the format named (each format's sniff), stream its records
(the format's reader) into the counters (``aggregate``), derive each segment's figures (``figures``), map its
models to the catalog (``model_ids``), write the workload (``writer``), load it back with the workload loader,
and check its bill against the export's (``reconcile``). Bad input stops the import with one
:class:`~llmdecide.errors.InputFileError` before anything is written.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import gc
import zlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from llmdecide.catalog.catalog import Catalog
from llmdecide.errors import InputFileError
from llmdecide.limits import MAX_SEGMENTS
from llmdecide.progress import advance
from llmdecide.usage_import.aggregate import OTHER, Aggregator, SegmentUsage, segment_key
from llmdecide.usage_import.figures import SegmentFigures, Window, segment_figures
from llmdecide.usage_import.formats import DEFAULT_PROVIDERS, guess_formats, import_format
from llmdecide.usage_import.model_ids import ModelMatch, match_model
from llmdecide.usage_import.opening import UsageFile, gzip_problem, open_usage_file
from llmdecide.usage_import.parallel import read_parallel
from llmdecide.usage_import.reconcile import Reconciliation, reconcile
from llmdecide.usage_import.records import ImportFormat, ReadNotes, UsageRecord
from llmdecide.usage_import.writer import Header, SegmentEntry, clean_label, percent, render_workload
from llmdecide.workload import Workload, load_workload_text

PROGRESS_EVERY = 50_000
"""Records between two progress reports."""
SEGMENT_BY = ("model", "project", "api_key", "none")
"""``--segment-by`` values besides ``tag:NAME``."""


@dataclass(frozen=True)
class ImportOptions:
    """How to turn the records into a workload."""

    segment_by: str = "model"
    since: dt.date | None = None
    """First day counted (in the export's time zone)."""
    until: dt.date | None = None
    """Last day counted, included."""
    tokens_per_request: float | None = None
    """Tokens of one request, for exports that count tokens but no requests."""

    def check(self) -> None:
        """Raise ``ValueError`` for an option out of range or options that contradict each other."""
        if self.segment_by not in SEGMENT_BY and not (
            self.segment_by.startswith("tag:") and self.segment_by.removeprefix("tag:").strip()
        ):
            raise ValueError(f"expected one of {', '.join(SEGMENT_BY)} or tag:NAME, got {self.segment_by!r}")
        if self.since is not None and self.until is not None and self.until < self.since:
            raise ValueError(f"--until {self.until} is before --since {self.since}")
        if self.tokens_per_request is not None and not 0 < self.tokens_per_request <= 11_000_000:
            raise ValueError("--tokens-per-request must be above 0 and at most 11,000,000")


@dataclass(frozen=True)
class ImportResult:
    """A finished import."""

    text: str
    """The workload file's text."""
    workload: Workload
    reconciliation: Reconciliation
    notes: list[str]
    """What the readers and the aggregation noted, each once."""
    segments: list[SegmentEntry]
    records: int


class _Models:
    """Model names of the export mapped to the catalog, each looked up once."""

    def __init__(self, catalog: Catalog, default_provider: str | None) -> None:
        self.catalog = catalog
        self.default_provider = default_provider
        self.found: dict[tuple[str, str], ModelMatch] = {}
        self._labels: dict[tuple[str | None, str | None], str] = {}

    def match(self, model: str, provider: str) -> ModelMatch:
        key = (model, provider)
        found = self.found.get(key)
        if found is None:
            found = self.found[key] = match_model(self.catalog, model, provider or self.default_provider)
        return found

    def label(self, r: UsageRecord) -> str:
        """The segment name of a record's model (the catalog id where one matched); runs once per record."""
        key = (r.model, r.provider)
        label = self._labels.get(key)
        if label is None:
            found = self.match(r.model or "unknown model", r.provider or "")
            label = self._labels[key] = found.catalog_id or clean_label(found.written, 80)
        return label


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Pause the cyclic garbage collector while records stream past: each row makes short-lived objects without
    cycles (freed by reference counting), and the collector's passes over them cost a quarter of the time."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _read_files(paths: Sequence[Path], format_name: str, agg: Aggregator, notes: ReadNotes) -> int:
    fmt = import_format(format_name)
    count = 0
    with _no_cycle_collection():
        for path in paths:
            with open_usage_file(path) as f:
                count += _read_file(fmt, f, format_name, agg, notes)
    return count


def _read_file(fmt: ImportFormat, f: UsageFile, format_name: str, agg: Aggregator, notes: ReadNotes) -> int:
    """Stream one file's records into ``agg``; its notes go into ``notes`` under its base name."""
    count = 0
    own = ReadNotes()
    if not fmt.sniff(f.head):
        others = guess_formats(f.head, besides=format_name)
        if others:
            raise InputFileError(
                f"{f.name}: not a {format_name} export",
                hint=f"it looks like {' or '.join(others)}: try 'llmdecide import {others[0]} ...'",
            )
    agg.files.append(f.base)
    what = f"reading {clean_label(f.base, 40)}"
    advance(what, 0, f.size)
    try:
        shared = _read_shared(fmt, f, agg, own, what)
        if shared is not None:
            count = shared
            records: Iterator[UsageRecord] = iter(())
        else:
            records = fmt.read(f.text, f.name, own)
        for record in records:
            agg.add(record, f.name)
            count += 1
            if count % PROGRESS_EVERY == 0:
                advance(what, f.position(), f.size)
    except UnicodeDecodeError as exc:
        raise InputFileError(f"{f.name}: not UTF-8 text ({exc.reason})") from None
    except (EOFError, zlib.error) as exc:
        raise InputFileError(f"{f.name}: {gzip_problem(exc)}") from None
    except OSError as exc:
        problem = gzip_problem(exc) if f.compressed else f"cannot read: {exc.strerror or exc}"
        raise InputFileError(f"{f.name}: {problem}") from None
    advance(what, f.size, f.size)
    for key, message in own.messages.items():
        shown = f.base + message[len(f.name) :] if message.startswith(f"{f.name}:") else message
        notes.once(f"{f.base}: {key}", shown)
    return count


def _read_shared(fmt: ImportFormat, f: UsageFile, agg: Aggregator, notes: ReadNotes, what: str) -> int | None:
    """A large plain CSV of a request-level format read by several processes (``parallel``): the records
    counted, or None when it is read by this process alone."""
    if fmt.read_csv_part is None or fmt.is_csv is None or f.compressed or not fmt.is_csv(f.head):
        return None
    if f.encoding not in ("utf-8", "utf-8-sig"):
        return None
    return read_parallel(fmt.read_csv_part, Path(f.name), f.name, f.size, agg, notes, what)


def _merge_small(segments: dict[tuple[str, bool], SegmentUsage]) -> list[SegmentUsage]:
    """At most ``MAX_SEGMENTS`` segments: the largest by tokens, the rest merged into ``other``."""
    ranked = sorted(segments.values(), key=lambda s: (-s.totals().tokens, s.name, s.batch))
    if len(ranked) <= MAX_SEGMENTS:
        return ranked
    kept = ranked[: MAX_SEGMENTS - 2]
    rest: dict[bool, SegmentUsage] = {}
    for seg in ranked[MAX_SEGMENTS - 2 :]:
        if seg.batch not in rest:
            rest[seg.batch] = SegmentUsage(OTHER, seg.batch, merged=0)
        rest[seg.batch].merge(seg)
    return kept + [rest[b] for b in sorted(rest)]


def _unique_names(figures: list[SegmentFigures]) -> list[str]:
    names: list[str] = []
    for f in figures:
        base = clean_label(f.name, 150) + (" (batch)" if f.batch else "")
        name, n = base, 2
        while name in names:
            name, n = f"{base} {n}", n + 1
        names.append(name)
    return names


def _entries(figures: list[SegmentFigures], usages: list[SegmentUsage], models: _Models) -> list[SegmentEntry]:
    out = []
    for f, usage, name in zip(figures, usages, _unique_names(figures), strict=True):
        total = f.totals.tokens or 1.0
        model, provider, t = f.models[0]
        match = models.match(model, provider)
        tier = None
        if match.catalog_id is not None:
            tier = models.catalog.api_models[match.catalog_id].item.tier.value
        others = []
        for m, p, other in f.models[1:]:
            found = models.match(m, p)
            others.append(f"{found.catalog_id or clean_label(m, 60)} ({percent(other.tokens / total)} of the tokens)")
        out.append(SegmentEntry(f, name, match.catalog_id, model, t.tokens / total, tier, others, dict(usage.groups)))
    return out


def _zone_label(offset: dt.timedelta) -> str:
    minutes = int(offset.total_seconds() // 60)
    if minutes == 0:
        return "UTC"
    sign = "+" if minutes > 0 else "-"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _model_lines(models: _Models) -> list[str]:
    lines = []
    for (model, provider), found in sorted(models.found.items()):
        via = f" (provider {clean_label(provider, 30)})" if provider else ""
        target = f"-> {found.catalog_id}, {found.note}" if found.catalog_id else f": {found.note}"
        lines.append(f"{clean_label(model, 80)}{via} {target}")
    return lines


def import_usage(
    format_name: str,
    paths: Sequence[Path],
    catalog: Catalog,
    options: ImportOptions | None = None,
) -> ImportResult:
    """Read usage exports of one format and write the workload they describe, with its bill check."""
    options = options or ImportOptions()
    try:
        options.check()
    except ValueError as exc:
        raise InputFileError(str(exc)) from None
    if not paths:
        raise InputFileError("no usage export given")
    fmt = import_format(format_name)
    models = _Models(catalog, DEFAULT_PROVIDERS.get(format_name))
    agg = Aggregator(segment_key(options.segment_by, models.label), since=options.since, until=options.until)
    notes = ReadNotes()
    count = _read_files(paths, format_name, agg, notes)
    names = ", ".join(str(p) for p in paths)
    if agg.first is None or agg.last is None or not agg.segments:
        window_note = " in the --since/--until window" if agg.outside_window else ""
        raise InputFileError(f"{names}: no usage records{window_note} (nothing to import)")
    zone = agg.zone or dt.UTC
    start = max(agg.since, agg.first) if agg.since is not None else agg.first
    end = min(agg.until, agg.last) if agg.until is not None else agg.last
    window = Window(start, max(end, start + dt.timedelta(hours=1)))
    usages = _merge_small(agg.segments)
    offset_s = int(agg.offset.total_seconds())
    figures = [segment_figures(u, window, zone, offset_s) for u in usages]
    tokens_only = any(f.tokens_only for f in figures)
    entries = _entries(figures, usages, models)
    extra = list(notes.messages.values())
    if agg.dropped.duplicates or agg.dropped.overlaps:
        extra.append(
            f"{agg.dropped.duplicates} duplicated and {agg.dropped.overlaps} overlapping buckets counted once "
            f"(the first at {agg.dropped.first})"
        )
    if agg.outside_window:
        extra.append(f"{agg.outside_window:,} records outside the --since/--until window left out")
    if any(u.name == OTHER and u.merged > 1 for u in usages):
        extra.append(f"more than {MAX_SEGMENTS} segments: the smallest are merged into '{OTHER}'")
    unmapped = [e.name for e in entries if e.model_id is None]
    if unmapped and any(e.model_id for e in entries):
        extra.append(
            "segments whose model is not in the catalog are compared against the catalog models in use only "
            "(candidates.cloud_models); remove that list to compare every catalog model"
        )
    header = Header(
        format_name=fmt.name,
        format_description=fmt.description,
        files=list(agg.files),
        window=window,
        zone=_zone_label(agg.offset),
        records=count,
        segment_by=options.segment_by,
        notes=extra,
        models=_model_lines(models),
        tokens_per_request=options.tokens_per_request if tokens_only else None,
        bills=[],
    )
    draft = render_workload(header, entries, options.tokens_per_request)
    workload = load_workload_text(draft, "the imported workload")
    bill = reconcile(entries, models.found, workload, catalog)
    final = dataclasses.replace(header, bills=bill.lines())
    text = render_workload(final, entries, options.tokens_per_request)
    workload = load_workload_text(text, "the imported workload")
    return ImportResult(text, workload, bill, extra, entries, count)
