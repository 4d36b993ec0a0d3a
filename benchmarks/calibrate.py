"""Fit each engine profile's factors on the calibration measurements and print the capacity model's errors.

Usage: python benchmarks/calibrate.py [--catalog-dir DIR] [--points] [--write] [--markdown] [--by-publisher]

It prints, per engine and accelerator class, the factors fitted on the 'calibration' points of
hardware/measurements.yaml; the model's error on the calibration and holdout points with the factors in
the catalog; and leave-one-source-out figures: each source document's rows predicted by factors fitted on
every other document's rows (both splits), overall and by engine, regime, dense or mixture-of-experts and
one or several GPUs, with the bias (median predicted / measured speed; above 1 is optimistic), and the
prediction interval of each regime with the share of held-out figures it covers.

With --write it writes the fitted factors, the points they were fitted on and the prediction intervals
into hardware/engines.yaml (of --catalog-dir, or of this checkout); without it, it writes nothing.
--markdown prints the leave-one-source-out table as Markdown (as the README shows it).
"""

from __future__ import annotations

import argparse
import copy
import re
from pathlib import Path

from llmdecide.capacity.calibration import (
    CLASS_GROUPS,
    FIT_PARAMETERS,
    fit_profile,
    held_out_table,
    interval_coverage,
    leave_one_source_out,
    prediction_errors,
    prediction_intervals,
    profile_factors,
    publisher_of,
    summarise,
)
from llmdecide.catalog import Catalog, Entry, load_catalog
from llmdecide.catalog.schema import EngineProfile, PredictionInterval

REPO = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--catalog-dir", type=Path, default=None)
    parser.add_argument("--points", action="store_true", help="print every point's error")
    parser.add_argument("--write", action="store_true", help="write the fit into hardware/engines.yaml")
    parser.add_argument("--markdown", action="store_true", help="print the held-out table as Markdown")
    parser.add_argument(
        "--by-publisher", action="store_true", help="also hold out every document of one publisher together"
    )
    args = parser.parse_args()
    catalog = load_catalog(args.catalog_dir)
    engines = sorted(catalog.engines)
    fitted: dict[tuple[str, str], EngineProfile] = {}
    print("fitted factors (calibration points only):")
    for engine in engines:
        for group in CLASS_GROUPS:
            result = fit_profile(catalog, engine, group)
            if result is None:
                continue
            profiles, s = result
            p = next(iter(profiles.values()))
            fitted.update({(engine, cls): prof for cls, prof in profiles.items()})
            label = "+".join(group)
            print(f"  {engine:13} {label:36} {s.points:3} figures, median {s.median_abs_pct:.1f}%")
            print(f"      {describe(p)}")
    held, skipped = leave_one_source_out(catalog)
    intervals = prediction_intervals(held)
    if args.write:
        root = args.catalog_dir or REPO
        write_engines(root / "hardware" / "engines.yaml", fitted, intervals)
        catalog = load_catalog(args.catalog_dir)
        print(f"\nwrote {root / 'hardware' / 'engines.yaml'}")
    print("\nerror with the factors in the catalog:")
    for split in ("calibration", "holdout"):
        errors = prediction_errors(catalog, split)
        s = summarise(errors)
        print(
            f"  {split:11} {s.points} figures: median |error| {s.median_abs_pct:.1f}%, "
            f"worst x{s.worst_ratio:.2f}, within 2x: {s.within_2x}/{s.points}"
        )
        if args.points:
            for e in sorted(errors, key=lambda e: -abs(e.ratio - 1)):
                print(
                    f"      {e.measurement:75} {e.metric:30} measured {e.measured:10.1f} predicted {e.predicted:10.1f}"
                )
    print("\nleave one source out (fitted on every other source document, both splits):")
    for row in held_out_table(held):
        print(
            f"  {row.group:40} {row.figures:3} figures  median |error| {row.median_abs_pct:5.1f}%  "
            f"within 2x {row.within_2x:5.0%}  bias x{row.bias:.2f}  sources {row.sources}"
        )
    for line in skipped:
        print(f"  not cross-validated (no other source for the engine): {line}")
    coverage = interval_coverage(held, catalog.prediction_intervals or intervals)
    print("\nprediction intervals (measured / predicted speed, 10th to 90th percentile of held-out figures):")
    for i in catalog.prediction_intervals or intervals:
        print(
            f"  {i.regime:20} x{i.low:.2f} to x{i.high:.2f} (median x{i.median:.2f}), {i.figures} figures from "
            f"{i.sources} sources, covers {coverage.get(i.regime, float('nan')):.0%}"
        )
    if args.by_publisher:
        strict, _ = leave_one_source_out(catalog, publisher_of)
        print("\nleave one publisher out (every document of a GitHub repository or web site held out together):")
        for row in held_out_table(strict):
            print(
                f"  {row.group:40} {row.figures:3} figures  median |error| {row.median_abs_pct:5.1f}%  "
                f"within 2x {row.within_2x:5.0%}  bias x{row.bias:.2f}  publishers {row.sources}"
            )
    if args.markdown:
        print("\n| group | figures | sources | median abs. error | within 2x | bias (pred./meas.) |")
        print("|---|---:|---:|---:|---:|---:|")
        for row in held_out_table(held):
            print(
                f"| {row.group} | {row.figures} | {row.sources} | {row.median_abs_pct:.1f}% | "
                f"{row.within_2x:.0%} | {row.bias:.2f} |"
            )


def describe(p: EngineProfile) -> str:
    """The fitted factors of a profile on one line."""
    values = profile_factors(p)
    return " ".join(f"{name.replace('_efficiency', '')} {value:g}" for name, value in values.items())


WRITTEN = tuple(FIT_PARAMETERS)
"""Profile fields the fit writes (besides calibrated_on)."""


def write_engines(
    path: Path, fitted: dict[tuple[str, str], EngineProfile], intervals: list[PredictionInterval]
) -> None:
    """Rewrite the fitted fields of each profile and the prediction intervals in engines.yaml, keeping the
    file's other lines (notes, sources, defaults) as they are."""
    lines = path.read_text().split("\n")
    out: list[str] = []
    engine = cls = None
    skip_list = False
    pending: dict[str, str] = {}

    def flush() -> None:
        # Fields a profile did not have yet go at its end.
        for key, value in pending.items():
            out.append(f"        {key}:{value}" if value.startswith("\n") else f"        {key}: {value}")
        pending.clear()

    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        if line.startswith("prediction_intervals:"):
            while i < len(lines) and (lines[i].startswith("  ") or not lines[i].strip()):
                i += 1
            continue
        m = re.match(r"  - id: (\S+)", line)
        p = re.match(r"      - accelerator_class: (\S+)", line)
        if m or p or (line and not line.startswith(" ")):
            flush()
        if m:
            engine, cls = m.group(1), None
        if p:
            cls = p.group(1)
            prof = fitted.get((engine or "", cls))
            if prof is not None:
                pending = {k: _fmt(getattr(prof, k)) for k in WRITTEN}
                pending["calibrated_on"] = _ids(prof.calibrated_on)
        if skip_list:
            if line.startswith("          - "):
                continue
            skip_list = False
        field = re.match(r"        (\w+):", line)
        if field and field.group(1) in pending:
            key = field.group(1)
            value = pending.pop(key)
            out.append(f"        {key}:{value}" if value.startswith("\n") else f"        {key}: {value}")
            skip_list = key == "calibrated_on"
            continue
        out.append(line)
    flush()
    while out and not out[-1].strip():
        out.pop()
    out.append("prediction_intervals:")
    for iv in intervals:
        out.append(
            f"  - {{regime: {iv.regime}, low: {iv.low:g}, high: {iv.high:g}, median: {iv.median:g}, "
            f"coverage: {iv.coverage:g}, figures: {iv.figures}, sources: {iv.sources}}}"
        )
    path.write_text("\n".join(out) + "\n")


def _fmt(value: float) -> str:
    return f"{value:g}"


def _ids(ids: list[str]) -> str:
    return "\n" + "\n".join(f"          - {i}" for i in ids) if ids else "[]"


def with_profiles(catalog: Catalog, profiles: dict[tuple[str, str], EngineProfile]) -> Catalog:
    """A copy of the catalog whose engine profiles are replaced by fitted ones."""
    out = copy.copy(catalog)
    out.engines = dict(catalog.engines)
    for engine_id, entry in catalog.engines.items():
        new = [profiles.get((engine_id, p.accelerator_class.value), p) for p in entry.item.profiles]
        out.engines[engine_id] = Entry(entry.item.model_copy(update={"profiles": new}), entry.file)
    return out


if __name__ == "__main__":
    main()
