"""The bill an export implies against the bill ``llmdecide assess`` computes for the workload written from it.

For each segment and each month present:

- the **export's bill**: the costs its records state, where every record of that month states one;
- the **catalog's bill of the records**: each (month, model) group's tokens priced at that model's catalog
  price, with the formula ``assess`` uses (``costing.cloud.cost_per_request`` on the group's token totals, the
  price period chosen for the group's mean request, as ``assess`` chooses it);
- the **assess bill**: the written segment priced by ``costing.choices.price_cloud`` on the model in use, loaded
  by ``demand.segment_load`` from the written file, exactly as ``assess`` prices its cloud plans, on the same day
  (the workload's ``as_of``, else the catalog's review date); that is the first month's bill, and the cost per
  request (per token, where the export counts no requests) times each month's volume gives the months present.

The implied bill is the export's where it has one, else the catalog's. Over the months present the two must agree
within ``TOLERANCE``; where they do not, each cause is a line: models the catalog does not know, tokens of other
models priced at the segment's model, costs that differ from the catalog's prices (discounts, credits, a
negotiated or changed price), months without a catalog price.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from llmdecide.assessment import horizon_start, hours_per_month
from llmdecide.catalog.catalog import Catalog
from llmdecide.costing.choices import price_cloud
from llmdecide.costing.cloud import MissingPriceError, RequestShape, cost_per_request, token_prices
from llmdecide.demand.segment_load import segment_load
from llmdecide.units import month_starts
from llmdecide.usage_import.aggregate import Totals
from llmdecide.usage_import.model_ids import ModelMatch
from llmdecide.usage_import.writer import SegmentEntry, clean_label
from llmdecide.workload.schema import Latency, Segment, Workload

TOLERANCE = 0.01
"""Largest relative difference between the implied and the assess bill over the months present."""


@dataclass(frozen=True)
class MonthBill:
    """One month of one segment."""

    month: str
    volume: float
    """Requests (tokens, where the export counts no requests)."""
    export_usd: float | None
    catalog_usd: float | None
    assess_usd: float | None

    @property
    def implied_usd(self) -> float | None:
        """The export's bill where it has one, else the catalog's."""
        return self.export_usd if self.export_usd is not None else self.catalog_usd


@dataclass(frozen=True)
class SegmentBill:
    """The bills of one segment over the months present."""

    segment: str
    model_id: str | None
    months: list[MonthBill]
    first_month_usd: float | None
    """What assess bills the written workload in the first month of its horizon."""
    explanations: list[str] = field(default_factory=list)

    @property
    def implied_usd(self) -> float | None:
        """The implied bill over the months present (None when some month has none)."""
        values = [m.implied_usd for m in self.months]
        return None if any(v is None for v in values) else sum(v for v in values if v is not None)

    @property
    def assess_usd(self) -> float | None:
        """The assess bill over the months present (None without a model in the catalog)."""
        values = [m.assess_usd for m in self.months]
        return None if any(v is None for v in values) else sum(v for v in values if v is not None)

    @property
    def source(self) -> str:
        """Where the implied bill comes from."""
        kinds = {"export" if m.export_usd is not None else "catalog" for m in self.months}
        return " and ".join(sorted(kinds))

    @property
    def difference(self) -> float | None:
        """(assess - implied) / implied over the months present."""
        implied, assessed = self.implied_usd, self.assess_usd
        if implied is None or assessed is None or implied <= 0:
            return None
        return (assessed - implied) / implied

    @property
    def agrees(self) -> bool:
        """Whether the two bills agree within the tolerance."""
        diff = self.difference
        if diff is None:
            return self.implied_usd == 0 and self.assess_usd == 0
        return abs(diff) <= TOLERANCE


@dataclass(frozen=True)
class Reconciliation:
    """Every segment's bills."""

    segments: list[SegmentBill]
    priced_on: dt.date | None

    def lines(self) -> list[str]:
        """The check as lines for the terminal and the workload header."""
        out = []
        when = self.priced_on.isoformat() if self.priced_on else "the newest catalog prices"
        for bill in self.segments:
            implied, assessed = bill.implied_usd, bill.assess_usd
            months = len(bill.months)
            span = f"{bill.months[0].month} to {bill.months[-1].month}" if months > 1 else bill.months[0].month
            name = clean_label(bill.segment, 80)
            if implied is None:
                head = f"{name}: {span}: no bill implied (no costs in the export and no catalog price)"
            elif assessed is None:
                head = f"{name}: {span}: {bill.source} bill {money(implied)}; assess has no price for the model"
            else:
                diff = bill.difference
                verdict = "agree" if bill.agrees else "differ"
                shown = f" ({diff * 100:+.2f}%)" if diff is not None else ""
                head = (
                    f"{name}: {span}: {bill.source} bill {money(implied)}, assess {money(assessed)}{shown}: {verdict}"
                )
            out.append(head)
            if bill.first_month_usd is not None:
                out.append(
                    f"{name}: assess bills the written workload {money(bill.first_month_usd)} in its first month "
                    f"(prices of {when})"
                )
            out += [f"{name}: {line}" for line in bill.explanations]
        return out

    @property
    def agrees(self) -> bool:
        """Whether every segment's bills agree."""
        return all(b.agrees for b in self.segments)


def money(usd: float) -> str:
    """USD for the check's lines: cents from 100 up, four decimals below (small samples differ in the mills)."""
    return f"USD {usd:,.2f}" if abs(usd) >= 100 else f"USD {usd:,.4f}"


def _shape(t: Totals, batch: bool, fallback: Segment) -> tuple[RequestShape, RequestShape]:
    """The group's mean request (to choose the price period) and its totals as one request (to price it)."""
    prompt = t.input_tokens
    cached = t.cached_input_tokens / prompt if prompt > 0 else 0.0
    written = min(t.cache_write_tokens / prompt, 1.0 - cached) if prompt > 0 else 0.0
    if t.requests > 0:
        mean = RequestShape(prompt / t.requests, t.output_tokens / t.requests, cached, batch, 0.0, written)
    else:
        mean = RequestShape(fallback.input_tokens, fallback.output_tokens, cached, batch, 0.0, written)
    whole = RequestShape(prompt, t.output_tokens, cached, batch, 0.0, written)
    return mean, whole


def _catalog_cost(
    catalog: Catalog, match: ModelMatch | None, t: Totals, batch: bool, fallback: Segment, on: dt.date | None
) -> float | None:
    if match is None or match.catalog_id is None:
        return None
    entry = catalog.api_models[match.catalog_id]
    mean, whole = _shape(t, batch, fallback)
    try:
        prices = token_prices(entry, mean, on, carry_forward=True)
    except MissingPriceError:
        return None
    return cost_per_request(prices, whole).total_usd


def reconcile(
    entries: Sequence[SegmentEntry],
    matches: dict[tuple[str, str], ModelMatch],
    workload: Workload,
    catalog: Catalog,
) -> Reconciliation:
    """Each segment's implied and assess bills (see the module docstring)."""
    start = horizon_start(workload, catalog)
    starts = month_starts(start, workload.horizon_months) if start is not None else None
    on = starts[0] if starts else None
    hours = hours_per_month(workload, catalog).value
    segments = {s.name: s for s in workload.segments}
    bills = []
    for entry in entries:
        seg = segments[entry.name]
        f = entry.figures
        first_month: float | None = None
        unit_cost: float | None = None
        if entry.model_id is not None:
            load = segment_load(seg, hours, workload.horizon_months)
            try:
                choice = price_cloud(
                    load,
                    catalog.api_models[entry.model_id],
                    on=on,
                    batch=seg.latency is Latency.BATCH,
                    month_starts=starts,
                    carry_forward=True,
                )
            except MissingPriceError:
                choice = None
            if choice is not None:
                first_month = float(choice.series.monthly_usd[0])
                volume = load.start_requests_per_month
                if f.tokens_only:
                    volume *= seg.input_tokens + seg.output_tokens
                unit_cost = first_month / volume if volume > 0 else None
        months = []
        by_month: dict[str, list[tuple[str, str, Totals]]] = {}
        for (month, model, provider), t in _groups(entry):
            by_month.setdefault(month, []).append((model, provider, t))
        export_total = catalog_total = 0.0
        export_known = catalog_known = True
        unknown_tokens: dict[str, float] = {}
        other_models: dict[str, float] = {}
        unpriced: set[str] = set()
        for month, total in f.monthly:
            groups = by_month.get(month, [])
            export = total.cost_usd if total.costed_records == total.records else None
            catalog_usd: float | None = 0.0
            for model, provider, t in groups:
                match = matches.get((model, provider))
                cost = _catalog_cost(catalog, match, t, f.batch, seg, on)
                if cost is None:
                    catalog_usd = None
                    if match is None or match.catalog_id is None:
                        unknown_tokens[model] = unknown_tokens.get(model, 0.0) + t.tokens
                    else:
                        unpriced.add(match.catalog_id)
                elif catalog_usd is not None:
                    catalog_usd += cost
                if match is not None and match.catalog_id != entry.model_id:
                    label = match.catalog_id or model
                    other_models[label] = other_models.get(label, 0.0) + t.tokens
            volume = total.tokens if f.tokens_only else total.requests
            assess = unit_cost * volume if unit_cost is not None else None
            months.append(MonthBill(month, volume, export, catalog_usd, assess))
            export_known = export_known and export is not None
            catalog_known = catalog_known and catalog_usd is not None
            export_total += export or 0.0
            catalog_total += catalog_usd or 0.0
        bill = SegmentBill(entry.name, entry.model_id, months, first_month)
        if not bill.agrees or bill.implied_usd is None:
            bill.explanations.extend(
                _explain(entry, bill, unknown_tokens, other_models, unpriced, export_known, catalog_known,
                         export_total, catalog_total)
            )  # fmt: skip
        bills.append(bill)
    return Reconciliation(bills, on)


def _groups(entry: SegmentEntry) -> list[tuple[tuple[str, str, str], Totals]]:
    return sorted(entry.groups.items())


def _explain(
    entry: SegmentEntry,
    bill: SegmentBill,
    unknown_tokens: dict[str, float],
    other_models: dict[str, float],
    unpriced: set[str],
    export_known: bool,
    catalog_known: bool,
    export_total: float,
    catalog_total: float,
) -> list[str]:
    tokens = entry.figures.totals.tokens or 1.0
    out = []
    for model, n in sorted(unknown_tokens.items()):
        out.append(
            f"{clean_label(model, 60)} is not in the catalog ({n / tokens:.1%} of the tokens): assess has no price "
            "for it; add its prices as candidates.pinned_cloud_models or in an overlay"
        )
    for model, n in sorted(other_models.items()):
        if model not in unknown_tokens:
            out.append(
                f"{n / tokens:.1%} of the tokens ran on {clean_label(model, 60)}; the workload prices them at "
                f"{entry.model_id or 'the segment model'}'s price (segment by model to price each apart)"
            )
    for model in sorted(unpriced):
        out.append(f"{model} has no catalog price on the day priced")
    if export_known and catalog_known and catalog_total > 0:
        gap = export_total / catalog_total - 1
        if abs(gap) > TOLERANCE:
            direction = "below" if gap < 0 else "above"
            out.append(
                f"the export's costs are {abs(gap):.1%} {direction} the catalog's prices for the same tokens "
                f"({money(export_total)} against {money(catalog_total)}): a discount, credits, a negotiated or "
                "changed price, or tokens billed apart (long context, tools); an overlay with your prices "
                "(--overlay) makes assess use them"
            )
    if not out and bill.difference is not None:
        out.append(
            "the mean request priced once differs from each request priced apart (a long-context tier applies to "
            "some requests only)"
        )
    return out
