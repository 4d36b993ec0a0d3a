"""Usage records summed into counters per segment, month, model and hour, in memory that does not grow with the
number of records.

What is kept per segment: token and request totals for each (month, model, provider) seen; requests (or tokens,
where the export counts none) in each hour of the time span, for the hourly profile; and two fixed-size
histograms of tokens per request for the 90th percentiles. Memory grows with the number of segments (at most
``MAX_TRACKED_SEGMENTS``; more fall into one segment, ``OTHER``), months, models and hours in the span, never
with the number of records.

Buckets of aggregated reports (records with an ``end``) are checked against the buckets already counted with
the same labels: one that repeats a bucket, or overlaps one, is counted once (the first seen) and the warning
says how many were dropped.
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass, field

from llmdecide.limits import MAX_IMPORT_SEGMENTS
from llmdecide.usage_import.records import UsageRecord

MAX_TRACKED_SEGMENTS = MAX_IMPORT_SEGMENTS
"""Distinct segments counted apart while reading; records of further ones are counted in ``OTHER``."""
OTHER = "other"
HISTOGRAM_BINS_PER_E = 200
"""Resolution of the token histograms: bins of 0.5% width (a p90 within 0.5% of the exact one)."""
HISTOGRAM_BINS = int(math.log(1e8) * HISTOGRAM_BINS_PER_E) + 2
"""Bins up to 100M tokens a request."""
SECONDS_PER_HOUR = 3600
_EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()
_log1p = math.log1p


class Histogram:
    """Counts of values in logarithmic bins: a quantile to within half a percent, in fixed memory."""

    __slots__ = ("counts", "total")

    def __init__(self) -> None:
        self.counts = [0.0] * HISTOGRAM_BINS
        self.total = 0.0

    def add(self, value: float, weight: float = 1.0) -> None:
        """Count ``value`` (0 or more) ``weight`` times."""
        index = int(math.log1p(value) * HISTOGRAM_BINS_PER_E)
        self.counts[min(index, HISTOGRAM_BINS - 1)] += weight
        self.total += weight

    def merge(self, other: Histogram) -> None:
        """Add another histogram's counts."""
        self.counts = [a + b for a, b in zip(self.counts, other.counts, strict=True)]
        self.total += other.total

    def quantile(self, q: float) -> float | None:
        """The ``q`` quantile (0..1), at its bin's middle; None when nothing was counted."""
        if self.total <= 0:
            return None
        target = q * self.total
        running = 0.0
        for index, count in enumerate(self.counts):
            running += count
            if running >= target and count > 0:
                return math.expm1((index + 0.5) / HISTOGRAM_BINS_PER_E)
        return None


@dataclass(slots=True)
class Totals:
    """Sums over some records."""

    records: int = 0
    requests: float = 0.0
    """Requests counted (records whose export counts no requests add none)."""
    tokens_only_records: int = 0
    """Records whose export counts tokens but no requests."""
    input_tokens: float = 0.0
    cached_input_tokens: float = 0.0
    cache_write_tokens: float = 0.0
    output_tokens: float = 0.0
    cost_usd: float = 0.0
    costed_records: int = 0
    """Records that say what they cost."""

    def add(self, r: UsageRecord) -> None:
        """Add one record."""
        self.records += 1
        if r.requests is None:
            self.tokens_only_records += 1
        else:
            self.requests += r.requests
        self.input_tokens += r.input_tokens
        self.cached_input_tokens += r.cached_input_tokens
        self.cache_write_tokens += r.cache_write_tokens
        self.output_tokens += r.output_tokens
        if r.cost_usd is not None:
            self.cost_usd += r.cost_usd
            self.costed_records += 1

    def merge(self, other: Totals) -> None:
        """Add another's sums."""
        self.records += other.records
        self.requests += other.requests
        self.tokens_only_records += other.tokens_only_records
        self.input_tokens += other.input_tokens
        self.cached_input_tokens += other.cached_input_tokens
        self.cache_write_tokens += other.cache_write_tokens
        self.output_tokens += other.output_tokens
        self.cost_usd += other.cost_usd
        self.costed_records += other.costed_records

    @property
    def tokens(self) -> float:
        """Input plus output tokens."""
        return self.input_tokens + self.output_tokens


GroupKey = tuple[str, str, str]
"""(month ``YYYY-MM``, model as the export names it, provider or '')."""


@dataclass
class SegmentUsage:
    """Everything counted for one segment."""

    name: str
    batch: bool
    groups: dict[GroupKey, Totals] = field(default_factory=dict)
    hours: dict[int, float] = field(default_factory=dict)
    """Requests (tokens, where the export counts no requests) by hour since 1970 in the export's time zone."""
    coarse_records: int = 0
    """Buckets longer than an hour: their hour is not known, so no hourly profile is drawn from them."""
    input_histogram: Histogram = field(default_factory=Histogram)
    output_histogram: Histogram = field(default_factory=Histogram)
    """Tokens per request, from single-request records only."""
    merged: int = 1
    """Segments counted in this one (above 1 for ``other``)."""

    def totals(self) -> Totals:
        """Sums over every group."""
        out = Totals()
        for t in self.groups.values():
            out.merge(t)
        return out

    def merge(self, other: SegmentUsage) -> None:
        """Add another segment's counts."""
        for key, totals in other.groups.items():
            self.groups.setdefault(key, Totals()).merge(totals)
        for hour, value in other.hours.items():
            self.hours[hour] = self.hours.get(hour, 0.0) + value
        self.coarse_records += other.coarse_records
        self.input_histogram.merge(other.input_histogram)
        self.output_histogram.merge(other.output_histogram)
        self.merged += other.merged


SegmentKey = Callable[[UsageRecord], str]


def segment_key(by: str, model_names: Callable[[UsageRecord], str]) -> SegmentKey:
    """The function naming a record's segment for ``--segment-by`` (``model``, ``project``, ``api_key``,
    ``tag:NAME`` or ``none``); ``model_names`` names a record's model (the catalog id where one matched)."""
    if by == "model":
        return model_names
    if by == "project":
        return lambda r: r.project or "no project"
    if by == "api_key":
        return lambda r: r.api_key or "no key"
    if by == "none":
        return lambda r: "all usage"
    tag = by.removeprefix("tag:")

    def by_tag(r: UsageRecord) -> str:
        for key, value in r.tags:
            if key == tag:
                return value or key
        return f"no {tag} tag"

    return by_tag


@dataclass
class Dropped:
    """Buckets left out as repeats of ones already counted."""

    duplicates: int = 0
    overlaps: int = 0
    first: str = ""
    """Where the first one dropped was (``file: record N``)."""


@dataclass
class AggregatorCounts:
    """An aggregator's counts as plain data: what a part of a file counted in another process sends back."""

    segments: dict[tuple[str, bool], SegmentUsage]
    first: dt.datetime | None
    last: dt.datetime | None
    outside_window: int
    dropped: Dropped
    buckets: dict[tuple[object, ...], tuple[list[float], list[float]]]


class Aggregator:
    """Adds records up per segment as they stream past."""

    def __init__(
        self,
        name_segment: SegmentKey,
        *,
        since: dt.date | None = None,
        until: dt.date | None = None,
    ) -> None:
        self._name_segment = name_segment
        self._since_day = since
        self._until_day = until
        self.since: dt.datetime | None = None
        """Start of ``since`` in the export's time zone (known from the first record on)."""
        self.until: dt.datetime | None = None
        """End of ``until`` (the next day's start) in the export's time zone."""
        self.segments: dict[tuple[str, bool], SegmentUsage] = {}
        self.zone: dt.tzinfo | None = None
        """The export's time zone: that of its first record."""
        self._offset_s = 0
        self._wall_zone: dt.tzinfo | None = None
        """The export's zone when it is a fixed offset: a start in it gives its hour from its wall clock."""
        self.first: dt.datetime | None = None
        self.last: dt.datetime | None = None
        """Latest end (or start, for single requests) seen."""
        self.outside_window = 0
        self.dropped = Dropped()
        self._buckets: dict[tuple[object, ...], tuple[list[float], list[float]]] = {}
        self._months: dict[int, str] = {}
        self.files: list[str] = []

    def _month(self, local_hour: int) -> str:
        day = dt.datetime(1970, 1, 1) + dt.timedelta(hours=local_hour)
        text = f"{day.year:04d}-{day.month:02d}"
        self._months[local_hour] = text
        return text

    def _is_repeat(self, r: UsageRecord, file: str) -> bool:
        assert r.end is not None
        labels = (r.model, r.provider, r.project, r.api_key, r.tags, r.batch)
        starts, ends = self._buckets.setdefault(labels, ([], []))
        a, b = r.start.timestamp(), r.end.timestamp()
        i = bisect.bisect_left(starts, a)
        if i < len(starts) and starts[i] == a and ends[i] == b:
            self.dropped.duplicates += 1
        elif (i > 0 and ends[i - 1] > a) or (i < len(starts) and starts[i] < b):
            self.dropped.overlaps += 1
        else:
            starts.insert(i, a)
            ends.insert(i, b)
            return False
        if not self.dropped.first:
            self.dropped.first = f"{file}: {r.where}" if r.where else file
        return True

    def set_zone(self, start: dt.datetime) -> None:
        """Take the export's time zone from its first record's start (once; later calls change nothing)."""
        if self.zone is not None:
            return
        self.zone = start.tzinfo
        offset = start.utcoffset()
        self._offset_s = int(offset.total_seconds()) if offset is not None else 0
        self._wall_zone = start.tzinfo if isinstance(start.tzinfo, dt.timezone) else None
        zone = dt.timezone(dt.timedelta(seconds=self._offset_s))
        if self._since_day is not None:
            self.since = dt.datetime.combine(self._since_day, dt.time(), tzinfo=zone)
        if self._until_day is not None:
            self.until = dt.datetime.combine(self._until_day + dt.timedelta(days=1), dt.time(), tzinfo=zone)

    def fresh(self) -> Aggregator:
        """An empty aggregator that names segments, keeps the window and reads the time zone as this one does:
        one part of a file counted in another process, to be added back with :meth:`absorb`."""
        other = Aggregator(self._name_segment, since=self._since_day, until=self._until_day)
        other.zone, other._offset_s, other.since, other.until = self.zone, self._offset_s, self.since, self.until
        other._wall_zone = self._wall_zone
        return other

    def counts(self) -> AggregatorCounts:
        """What this aggregator has counted, as plain data (to send from one process to another)."""
        return AggregatorCounts(self.segments, self.first, self.last, self.outside_window, self.dropped, self._buckets)

    def absorb(self, counts: AggregatorCounts) -> None:
        """Add the counts of a part counted apart (by :meth:`fresh`'s aggregator), as if its records had been
        added here after this one's own. Segments beyond ``MAX_TRACKED_SEGMENTS`` go into ``OTHER``."""
        for key, seg in counts.segments.items():
            mine = self.segments.get(key)
            if mine is None and len(self.segments) >= MAX_TRACKED_SEGMENTS:
                key = (OTHER, key[1])
                mine = self.segments.get(key)
                if mine is None:
                    mine = self.segments[key] = SegmentUsage(OTHER, key[1], merged=0)
            if mine is None:
                self.segments[key] = seg
            else:
                mine.merge(seg)
        if counts.first is not None and (self.first is None or counts.first < self.first):
            self.first = counts.first
        if counts.last is not None and (self.last is None or counts.last > self.last):
            self.last = counts.last
        self.outside_window += counts.outside_window
        self.dropped.duplicates += counts.dropped.duplicates
        self.dropped.overlaps += counts.dropped.overlaps
        self.dropped.first = self.dropped.first or counts.dropped.first
        for labels, (starts, ends) in counts.buckets.items():
            for a, b in zip(starts, ends, strict=True):
                mine_starts, mine_ends = self._buckets.setdefault(labels, ([], []))
                i = bisect.bisect_left(mine_starts, a)
                mine_starts.insert(i, a)
                mine_ends.insert(i, b)

    def add(self, r: UsageRecord, file: str = "") -> None:
        """Count one record (unless it falls outside the window or repeats a bucket already counted)."""
        start = r.start
        if self.zone is None:
            self.set_zone(start)
        if (self.since is not None and start < self.since) or (self.until is not None and start >= self.until):
            self.outside_window += 1
            return
        if r.end is not None and self._is_repeat(r, file):
            return
        if start.tzinfo is self._wall_zone is not None:  # the same hour as below, without timestamp()'s work
            hour = (start.toordinal() - _EPOCH_ORDINAL) * 24 + start.hour
        else:
            hour = (int(start.timestamp()) + self._offset_s) // SECONDS_PER_HOUR
        month = self._months.get(hour) or self._month(hour)
        key = (self._name_segment(r), r.batch)
        seg = self.segments.get(key)
        if seg is None:
            if len(self.segments) >= MAX_TRACKED_SEGMENTS:
                key = (OTHER, r.batch)
                seg = self.segments.get(key)
            if seg is None:
                seg = self.segments[key] = SegmentUsage(key[0], r.batch)
        group_key = (month, r.model or "unknown model", r.provider or "")
        totals = seg.groups.get(group_key)
        if totals is None:
            totals = seg.groups[group_key] = Totals()
        # Totals.add, inlined: this runs once per record
        requests = r.requests
        prompt, output = r.input_tokens, r.output_tokens
        totals.records += 1
        if requests is None:
            totals.tokens_only_records += 1
            weight = prompt + output
        else:
            totals.requests += requests
            weight = requests
        totals.input_tokens += prompt
        totals.cached_input_tokens += r.cached_input_tokens
        totals.cache_write_tokens += r.cache_write_tokens
        totals.output_tokens += output
        if r.cost_usd is not None:
            totals.cost_usd += r.cost_usd
            totals.costed_records += 1
        end = r.end
        hours = seg.hours
        if end is None:
            hours[hour] = hours.get(hour, 0.0) + weight
            if requests == 1.0:  # _count, inlined for both histograms
                h = seg.input_histogram
                i = int(_log1p(prompt) * HISTOGRAM_BINS_PER_E)
                h.counts[i if i < HISTOGRAM_BINS else HISTOGRAM_BINS - 1] += 1.0
                h.total += 1.0
                h = seg.output_histogram
                i = int(_log1p(output) * HISTOGRAM_BINS_PER_E)
                h.counts[i if i < HISTOGRAM_BINS else HISTOGRAM_BINS - 1] += 1.0
                h.total += 1.0
            latest = start
        else:
            if (end - start).total_seconds() <= SECONDS_PER_HOUR:
                hours[hour] = hours.get(hour, 0.0) + weight
            else:
                seg.coarse_records += 1
            latest = end
        if self.first is None or start < self.first:
            self.first = start
        if self.last is None or latest > self.last:
            self.last = latest

    @property
    def offset(self) -> dt.timedelta:
        """The export's offset from UTC."""
        return dt.timedelta(seconds=self._offset_s)
