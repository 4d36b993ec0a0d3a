"""The library's entry points: assess a workload, compare catalogs over a directory of workloads."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from llmdecide import progress
from llmdecide.assessment import assess_workload
from llmdecide.catalog import Catalog, load_catalog
from llmdecide.errors import InputFileError, LlmdecideError, UnknownIdError
from llmdecide.report.build import build_report
from llmdecide.report.result import DecisionReport
from llmdecide.report.workload_diff import WorkloadDelta, workload_delta
from llmdecide.workload import Workload, load_workload


def assess(
    workload: Path | Workload,
    catalog: Catalog | None = None,
    *,
    as_of: dt.date | None = None,
    allow_outside_paths: bool = False,
) -> DecisionReport:
    """Assess a workload (a file or a parsed :class:`Workload`) against a catalog (default: the packaged one).

    ``as_of`` prices it with the catalog as it stood on that date; it overrides the workload's own ``as_of``.
    A profile CSV the file names must sit beside it or below it, unless ``allow_outside_paths``.
    """
    path = workload if isinstance(workload, Path) else None
    parsed = (
        load_workload(workload, allow_outside_paths=allow_outside_paths) if isinstance(workload, Path) else workload
    )
    if as_of is not None:
        parsed = parsed.model_copy(update={"as_of": as_of})
    cat = catalog if catalog is not None else load_catalog()
    try:
        assessment = assess_workload(parsed, cat)
    except (InputFileError, UnknownIdError) as exc:
        raise exc.in_file(str(path) if path is not None else "") from None
    return build_report(assessment, cat, workload_file=path)


DIFF_PROGRESS = "Re-assessing workloads"
"""What the progress bar of ``catalog diff --workloads`` says (one step per workload file)."""


def workload_deltas(
    directory: Path, old: Catalog, new: Catalog
) -> tuple[list[WorkloadDelta], list[tuple[str, LlmdecideError]]]:
    """Assess every ``*.yaml`` and ``*.yml`` workload in a directory under both catalogs (``catalog diff
    --workloads``): the deltas, and each file that could not be assessed with its error (the rest go on)."""
    deltas: list[WorkloadDelta] = []
    failed: list[tuple[str, LlmdecideError]] = []
    paths = sorted({*directory.glob("*.yaml"), *directory.glob("*.yml")})
    progress.advance(DIFF_PROGRESS, 0, len(paths))
    for done, path in enumerate(paths, start=1):
        try:
            workload = load_workload(path)
            deltas.append(workload_delta(path.name, assess(workload, old), assess(workload, new)))
        except LlmdecideError as exc:
            failed.append((path.name, exc))
        progress.advance(DIFF_PROGRESS, done, len(paths))
    return deltas, failed
