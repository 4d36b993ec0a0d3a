"""Fit each engine profile's efficiency factors on the calibration measurements and print the errors.

Usage: python benchmarks/calibrate.py [--catalog-dir DIR]

It prints, per engine and accelerator class, the fitted factors (to copy into
hardware/engines.yaml with the measurement ids in ``calibrated_on``), the
model's error on the calibration and holdout points with the factors now in
the catalog, and leave-one-source-out figures: each source document's rows
predicted by factors fitted on every other document's rows, summarised overall
and by engine, regime, dense or mixture-of-experts and one or several GPUs,
with the bias (median predicted / measured speed; above 1 is optimistic).
It never writes files.
"""

from __future__ import annotations

import argparse
import copy
from pathlib import Path

from llmdecide.capacity.calibration import (
    CLASS_GROUPS,
    HeldOutError,
    bias,
    fit_profile,
    leave_one_source_out,
    prediction_errors,
    summarise,
)
from llmdecide.catalog import Catalog, Entry, load_catalog
from llmdecide.catalog.schema import EngineProfile


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--catalog-dir", type=Path, default=None)
    parser.add_argument("--points", action="store_true", help="print every point's error")
    parser.add_argument(
        "--fitted", action="store_true", help="report errors with the fitted factors, not the catalog's"
    )
    args = parser.parse_args()
    catalog = load_catalog(args.catalog_dir)
    engines = sorted({e.item.engine for e in catalog.measurements.values()})
    fitted: dict[tuple[str, str], EngineProfile] = {}
    print("fitted factors (calibration points only):")
    for engine in engines:
        for group in CLASS_GROUPS:
            result = fit_profile(catalog, engine, group)
            label = "+".join(group)
            if result is None:
                print(f"  {engine:13} {label:36} no calibration points or no profile")
                continue
            profiles, s = result
            p = next(iter(profiles.values()))
            for cls, prof in profiles.items():
                fitted[(engine, cls)] = prof
            print(
                f"  {engine:13} {label:36} bw {p.bandwidth_efficiency:.2f} kv {p.kv_bandwidth_efficiency:.2f} "
                f"decode {p.decode_compute_efficiency:.2f} "
                f"prefill {p.prefill_compute_efficiency:.2f} overhead {p.step_overhead_ms:g} ms "
                f"allreduce {p.allreduce_latency_us:g} us tp-scaling {p.tp_scaling:g} "
                f"moe {p.moe_efficiency:.2f} | {s.points} figures, median {s.median_abs_pct:.1f}%, "
                f"worst x{s.worst_ratio:.2f}"
            )
            print(f"      calibrated_on: {p.calibrated_on}")
    if args.fitted:
        catalog = with_profiles(catalog, fitted)
    print("\nerror with the " + ("fitted factors:" if args.fitted else "factors in the catalog:"))
    for split in ("calibration", "holdout"):
        errors = prediction_errors(catalog, split)
        s = summarise(errors)
        print(
            f"  {split:11} {s.points} figures: median |error| {s.median_abs_pct:.1f}%, "
            f"worst x{s.worst_ratio:.2f}, within 2x: {s.within_2x}/{s.points}"
        )
        by_class: dict[str, list[object]] = {}
        for e in errors:
            by_class.setdefault(e.accelerator_class, []).append(e)
        for cls, errs in sorted(by_class.items()):
            cs = summarise(errs)  # type: ignore[arg-type]
            print(f"      {cls:14} {cs.points:3} figures: median {cs.median_abs_pct:.1f}%, worst x{cs.worst_ratio:.2f}")
        if args.points:
            for e in sorted(errors, key=lambda e: -abs(e.ratio - 1)):
                print(
                    f"      {e.measurement:70} {e.metric:30} measured {e.measured:10.1f} predicted {e.predicted:10.1f}"
                )
    print_held_out(catalog)


def print_held_out(catalog: Catalog) -> None:
    """Leave-one-source-out errors, overall and by engine, regime, model kind and GPU count."""
    held, skipped = leave_one_source_out(catalog)
    print("\nleave one source out (fitted on every other source document, both splits):")
    groups: list[tuple[str, list[HeldOutError]]] = [("all", held)]
    for title, key in (
        ("engine", lambda h: h.error.engine),
        ("regime", lambda h: h.regime),
        ("model", lambda h: "mixture of experts" if h.moe else "dense"),
        ("GPUs", lambda h: "several (tensor parallel)" if h.multi_gpu else "one"),
    ):
        values = sorted({key(h) for h in held})
        groups += [(f"{title}: {v}", [h for h in held if key(h) == v]) for v in values]
    for label, rows in groups:
        errors = [h.error for h in rows]
        s = summarise(errors)
        share = s.within_2x / s.points if s.points else 0.0
        print(
            f"  {label:40} {s.points:3} figures  median |error| {s.median_abs_pct:5.1f}%  "
            f"within 2x {share:5.0%}  bias x{bias(errors):.2f}  sources {len({h.source for h in rows})}"
        )
    for line in skipped:
        print(f"  not cross-validated (no other source for the engine): {line}")


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
