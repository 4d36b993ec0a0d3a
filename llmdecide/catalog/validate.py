"""Validating a catalog directory: every file parsed, assembled and checked, every issue at once.

The per-file checks (references, dates, plausibility bands) are in
``checks.py``. Errors fail validation; warnings flag values that are odd but
possible and fail only with ``--strict``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from llmdecide.catalog.catalog import Catalog, build_catalog
from llmdecide.catalog.checks import EntryChecker, W
from llmdecide.catalog.issues import Issue, Severity
from llmdecide.catalog.loader import LoadedFile, catalog_files, parse_catalog_dir, parse_catalog_file
from llmdecide.catalog.schema import (
    AcceleratorFile,
    ApiPriceFile,
    AssumptionFile,
    EngineFile,
    GpuRentalFile,
    MeasurementFile,
    OpenModelFile,
    OverlayFile,
)


@dataclass
class ValidationResult:
    """Everything ``catalog validate`` found, and the catalog it built on the way."""

    catalog: Catalog
    issues: list[Issue]
    sources: dict[str, Path] = field(default_factory=dict)
    """The file on disk behind each file name the issues are reported under (for
    :func:`~llmdecide.catalog.loader.locate_issues`)."""

    @property
    def errors(self) -> list[Issue]:
        """Issues that make the catalog unusable."""
        return [i for i in self.issues if i.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Issue]:
        """Issues that flag odd but possible values."""
        return [i for i in self.issues if i.severity is Severity.WARNING]


def check_catalog_dir(
    root: Path,
    overlays: Sequence[Path] = (),
    *,
    replace: Sequence[Path] = (),
    today: dt.date | None = None,
) -> ValidationResult:
    """Parse, assemble and check a catalog directory, optionally with overlays or replacement files.

    ``replace`` files stand in for the catalog file of the same folder and name
    (or are added when there is none), so one edited file can be checked in the
    context of the whole catalog.
    """
    files, issues = parse_catalog_dir(root)
    sources = {display: path for path, display in catalog_files(root)}
    for path in replace:
        display = str(path)
        sources[display] = path
        folder = _catalog_folder(path)
        parsed, problems = parse_catalog_file(path, display, folder=folder)
        issues = [i for i in issues if not _same_slot(i.file, path)] + problems
        files = [f for f in files if not _same_slot(f.display, path)]
        if parsed is not None:
            files.append(parsed)
    overlay_files: list[LoadedFile] = []
    for path in overlays:
        sources[str(path)] = path
        sources.setdefault(path.name, path)
        parsed, problems = parse_catalog_file(path, str(path))
        issues.extend(problems)
        if parsed is not None:
            if isinstance(parsed.model, OverlayFile):
                # reports name an overlay by its file name, so they read the same from any working directory
                overlay_files.append(LoadedFile(path.name, parsed.model))
            else:
                kind = getattr(parsed.model, "kind", "?")
                issues.append(Issue(str(path), "kind", f"an overlay must have kind 'overlay', not {kind!r}"))
    catalog = build_catalog(files, overlay_files)
    issues.extend(catalog.issues)
    issues.extend(check_files(files, catalog, today=today, require_urls=True))
    issues.extend(check_files(overlay_files, catalog, today=today, require_urls=False))
    if not files and not issues:
        issues.append(Issue(str(root), "", "no catalog files found under pricing/ or hardware/"))
    elif catalog.assumptions is None and files:
        issues.append(Issue("pricing/assumptions.yaml", "", "missing: a catalog needs its operating assumptions"))
    return ValidationResult(catalog, sorted(set(issues)), sources)


def _catalog_folder(path: Path) -> str | None:
    parts = path.resolve().parts
    for folder in ("pricing/api", "pricing/gpu-rental"):
        if tuple(parts[-3:-1]) == tuple(folder.split("/")):
            return folder
    if len(parts) >= 2 and parts[-2] in ("pricing", "hardware"):
        return parts[-2]
    return None


def _same_slot(display: str, path: Path) -> bool:
    folder = _catalog_folder(path)
    return folder is not None and display == f"{folder}/{path.name}"


def check_files(
    files: Sequence[LoadedFile], catalog: Catalog, *, today: dt.date | None = None, require_urls: bool = True
) -> list[Issue]:
    """Every file-level check on already-parsed files."""
    today = today or dt.date.today()
    out: list[Issue] = []
    for loaded in files:
        ctx = EntryChecker(loaded.display, catalog, today, require_urls)
        ctx.header(loaded.model)
        model = loaded.model
        if isinstance(model, ApiPriceFile):
            ctx.url("provider.pricing_url", model.provider.pricing_url)
            stem = Path(loaded.display).stem
            if stem != model.provider.id:
                ctx.add("provider.id", f"provider id {model.provider.id!r} differs from the file name {stem!r}", W)
            for i, m in enumerate(model.models):
                if m.id.split("/", 1)[0] != model.provider.id:
                    ctx.add(f"models[{i}].id", f"id must start with the provider id '{model.provider.id}/'")
                ctx.api_model(f"models[{i}]", m)
        elif isinstance(model, GpuRentalFile):
            ctx.url("provider.pricing_url", model.provider.pricing_url)
            for i, o in enumerate(model.offers):
                if o.id.split("/", 1)[0] != model.provider.id:
                    ctx.add(f"offers[{i}].id", f"id must start with the provider id '{model.provider.id}/'")
                ctx.rental_offer(f"offers[{i}]", o)
        elif isinstance(model, AcceleratorFile):
            for i, a in enumerate(model.accelerators):
                ctx.accelerator(f"accelerators[{i}]", a)
        elif isinstance(model, OpenModelFile):
            for i, om in enumerate(model.models):
                ctx.open_model(f"models[{i}]", om)
        elif isinstance(model, AssumptionFile):
            ctx.assumptions("assumptions", model.assumptions)
        elif isinstance(model, EngineFile):
            for i, e in enumerate(model.engines):
                ctx.engine(f"engines[{i}]", e)
        elif isinstance(model, MeasurementFile):
            for i, ms in enumerate(model.measurements):
                ctx.measurement(f"measurements[{i}]", ms)
        elif isinstance(model, OverlayFile):
            for i, d in enumerate(model.api_discounts):
                ctx.sourced(f"api_discounts[{i}]", d)
            for i, m in enumerate(model.api_models):
                ctx.api_model(f"api_models[{i}]", m)
            for i, o in enumerate(model.rental_offers):
                ctx.rental_offer(f"rental_offers[{i}]", o)
            for i, a in enumerate(model.accelerators):
                ctx.accelerator(f"accelerators[{i}]", a)
            for i, om in enumerate(model.open_models):
                ctx.open_model(f"open_models[{i}]", om)
            if model.assumptions is not None:
                ctx.assumptions("assumptions", model.assumptions)
        out.extend(ctx.issues)
    return out


def iter_lines(issues: Sequence[Issue]) -> Iterator[str]:
    """One line per issue, warnings marked."""
    for i in issues:
        yield f"{i} [warning]" if i.severity is W else str(i)
