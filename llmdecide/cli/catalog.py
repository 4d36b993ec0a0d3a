"""``llmdecide catalog``: validate, list, show, count and diff the price and hardware catalogs."""

from __future__ import annotations

import datetime as dt
import json
import sys
from contextlib import nullcontext
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer
from rich.console import Console

from llmdecide.cli.boundary import check_output_target, user_errors, write_output
from llmdecide.cli.options import (
    CatalogDirOption,
    FormatOption,
    ListingFormat,
    OutputOption,
    OverlayOption,
    catalog_inputs,
    emit,
    open_catalog,
    workload_inputs,
)
from llmdecide.cli.progress_bar import terminal_progress
from llmdecide.cli.settings import catalog_settings
from llmdecide.errors import ExitCode, InputFileError, LlmdecideError, UnknownIdError
from llmdecide.input_files import InputReadError, read_input_bytes
from llmdecide.limits import MAX_YAML_BYTES
from llmdecide.report.text_safety import safe_message, terminal_safe

if TYPE_CHECKING:
    from llmdecide.catalog.issues import Issue
    from llmdecide.catalog.validate import ValidationResult
    from llmdecide.report.workload_diff import WorkloadDelta

ListKind = Literal["api", "rental", "accelerators", "models"]
"""What ``catalog list`` lists: the catalog's entry kinds (``llmdecide.catalog.catalog.KINDS``, tested equal)."""
TierChoice = Literal["frontier", "good_enough", "specialized", "simple"]
"""Capability tiers ``--tier`` selects (the catalog's ``Tier`` values, tested equal)."""

# The library is imported inside each command, so that --help, --version and usage errors stay fast.

app = typer.Typer(
    help="Validate, list, show and diff the price and hardware catalogs.",
    no_args_is_help=True,
    add_completion=False,
)


class CatalogFormat(StrEnum):
    """Output formats of ``catalog validate`` and ``catalog diff``: table, json and markdown, and ``github``."""

    TABLE = "table"
    JSON = "json"
    MARKDOWN = "markdown"
    GITHUB = "github"


GITHUB_HELP = (
    "github: the body of a sticky pull-request comment (a hidden marker line, then the Markdown) on stdout, "
    "and GitHub workflow annotations on stderr."
)


def _summary(result: ValidationResult) -> str:
    cat = result.catalog
    counts = (
        f"{len(cat.versions)} files, {len(cat.api_models)} API models from "
        f"{len({e.provider.id for e in cat.api_models.values() if e.provider})} providers, "
        f"{len(cat.rental_offers)} rental offers from "
        f"{len({e.provider.id for e in cat.rental_offers.values() if e.provider})} providers, "
        f"{len(cat.accelerators)} accelerators, {len(cat.open_models)} open models"
    )
    return f"{len(result.errors)} errors, {len(result.warnings)} warnings; {counts}"


@app.command("validate")
def validate_command(
    ctx: typer.Context,
    paths: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Catalog directories, catalog files (checked in the context of the active catalog) "
            "or overlay files. Default: the active catalog.",
            show_default=False,
        ),
    ] = None,
    strict: Annotated[bool, typer.Option("--strict", help="Fail on warnings too.")] = False,
    catalog_dir: CatalogDirOption = None,
    overlay: OverlayOption = None,
    fmt: Annotated[
        CatalogFormat,
        typer.Option(
            "--format",
            "-f",
            help="table (one line per problem), json, markdown (a summary and a table of problems) or " + GITHUB_HELP,
        ),
    ] = CatalogFormat.TABLE,
) -> None:
    """Check catalog files: schema, cross-file references, dates, plausibility bands.

    Prints every problem at once, one line each ('file: key.path: message').
    Exit 0 when clean, 1 on errors (or on warnings with --strict).
    """
    from llmdecide.catalog.loader import locate_catalog_dir, locate_issues
    from llmdecide.catalog.validate import check_catalog_dir
    from llmdecide.report.catalog_validation import issue_annotations, validation_markdown
    from llmdecide.report.github import comment_body
    from llmdecide.report.tables import to_json

    with user_errors():
        catalog_dir, overlay = catalog_settings(ctx, catalog_dir, overlay)
        results: list[ValidationResult] = []
        dirs = [p for p in (paths or []) if p.is_dir()]
        files = [p for p in (paths or []) if not p.is_dir()]
        for p in files:
            if not p.exists():
                raise InputFileError(f"{p}: no such file or directory")
        overlay_files = list(overlay or [])
        replace: list[Path] = []
        for p in files:
            (overlay_files if _is_overlay(p) else replace).append(p)
        if files or not dirs:
            root = locate_catalog_dir(catalog_dir)
            results.append(check_catalog_dir(root, overlay_files, replace=replace))
        for d in dirs:
            results.append(check_catalog_dir(locate_catalog_dir(d), list(overlay or [])))
        located: dict[Issue, Path | None] = {}  # each issue, with its line, and the file it is in
        for r in results:
            for i in locate_issues(r.issues, r.sources):
                located.setdefault(i, r.sources.get(i.file))
        issues = sorted(located)
        errors = [i for i in issues if i.severity == "error"]
        warnings = [i for i in issues if i.severity == "warning"]
        failed = bool(errors) or (strict and bool(warnings))
        if fmt is CatalogFormat.JSON:
            write_output(
                to_json(
                    {
                        "ok": not failed,
                        "strict": strict,
                        "errors": [_issue_json(i) for i in errors],
                        "warnings": [_issue_json(i) for i in warnings],
                        "summary": [_summary(r) for r in results],
                    }
                ),
                None,
                kind="json",
            )
        elif fmt in (CatalogFormat.MARKDOWN, CatalogFormat.GITHUB):
            text = validation_markdown(issues, [_summary(r) for r in results], failed=failed, strict=strict)
            if fmt is CatalogFormat.GITHUB:
                for line in issue_annotations(errors + warnings, located, Path.cwd()):
                    print(line, file=sys.stderr)
                text = comment_body(text)
            write_output(text, None, kind="markdown")
        else:
            lines = [terminal_safe(f"{i}") for i in errors] + [terminal_safe(f"{i} [warning]") for i in warnings]
            lines += [_summary(r) for r in results]
            lines.append("FAILED" if failed else "OK")
            write_output("\n".join(lines) + "\n", None)
    if failed:
        raise typer.Exit(int(ExitCode.CHECK_FAILED))


def _is_overlay(path: Path) -> bool:
    try:
        head = read_input_bytes(path, MAX_YAML_BYTES, "a YAML file")[:4096]
    except InputReadError:
        return False  # reading it as a catalog file then reports why
    return b"kind: overlay" in head


def _issue_json(issue: Issue) -> dict[str, str | int | None]:
    return {
        **{k: str(getattr(issue, k)) for k in ("file", "path", "message", "severity")},
        "line": issue.line,
    }


def _parse_date(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"expected a date as YYYY-MM-DD, got {value!r}", param_hint="--as-of") from None


@app.command("list")
def list_command(
    ctx: typer.Context,
    kind: Annotated[ListKind, typer.Argument(help="What to list.", metavar="KIND")] = "api",
    provider: Annotated[
        str | None,
        typer.Option("--provider", help="Only this provider (api, rental), vendor (accelerators) or org (models)."),
    ] = None,
    tier: Annotated[
        TierChoice | None,
        typer.Option("--tier", help="Only this capability tier (api, models).", show_default=False),
    ] = None,
    gpu: Annotated[
        str | None, typer.Option("--gpu", help="Only rental offers of this accelerator.", show_default=False)
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="Prices as they stood on this date (YYYY-MM-DD).", show_default=False),
    ] = None,
    fmt: FormatOption = ListingFormat.TABLE,
    output: OutputOption = None,
    catalog_dir: CatalogDirOption = None,
    overlay: OverlayOption = None,
) -> None:
    """List catalog entries with their current (or --as-of) prices and key specs."""
    from llmdecide.report.catalog_view import ListFilter, build_listing
    from llmdecide.report.tables import listing_json, listing_markdown, print_listing

    on = _parse_date(as_of)
    with user_errors():
        catalog_dir, overlay = catalog_settings(ctx, catalog_dir, overlay)
        inputs = catalog_inputs(catalog_dir, overlay)
        if output is not None:
            check_output_target(output, inputs)
        catalog = open_catalog(catalog_dir, overlay)
        accelerator = catalog.resolve("accelerators", gpu, where="--gpu") if gpu else None
        listing = build_listing(catalog, kind, ListFilter(provider, tier, accelerator, on))
        emit(
            fmt,
            output,
            draw=lambda c: print_listing(c, listing),
            json_text=lambda: listing_json(listing),
            markdown_text=lambda: listing_markdown(listing),
            inputs=inputs,
        )


@app.command("show")
def show_command(
    ctx: typer.Context,
    entry_id: Annotated[str, typer.Argument(metavar="ID", help="Entry id, e.g. openai/gpt-4o or h100-sxm.")],
    fmt: FormatOption = ListingFormat.TABLE,
    output: OutputOption = None,
    catalog_dir: CatalogDirOption = None,
    overlay: OverlayOption = None,
) -> None:
    """Show every field of one catalog entry, with its sources and price history."""
    from llmdecide.catalog.catalog import KINDS, resolve_id
    from llmdecide.report.catalog_view import build_entry_view
    from llmdecide.report.tables import entry_markdown, print_entry, to_json

    with user_errors():
        catalog_dir, overlay = catalog_settings(ctx, catalog_dir, overlay)
        inputs = catalog_inputs(catalog_dir, overlay)
        if output is not None:
            check_output_target(output, inputs)
        catalog = open_catalog(catalog_dir, overlay)
        views = []
        for kind in KINDS:
            try:
                full = catalog.resolve(kind, entry_id)
            except UnknownIdError:
                continue
            views.append(build_entry_view(catalog, kind, full))
        if not views:
            all_ids = [i for kind in KINDS for i in catalog.table(kind)]
            resolve_id(all_ids, entry_id, "catalog entry")

        def draw(console: Console) -> None:
            for v in views:
                print_entry(console, v)

        payload = views[0].as_json() if len(views) == 1 else [v.as_json() for v in views]
        emit(
            fmt,
            output,
            draw=draw,
            json_text=lambda: to_json(payload),
            markdown_text=lambda: "\n".join(entry_markdown(v) for v in views),
            inputs=inputs,
        )


@app.command("stats")
def stats_command(
    ctx: typer.Context,
    on: Annotated[
        str | None,
        typer.Option("--on", help="Prices in force on this date (YYYY-MM-DD). Default: the catalog's as_of."),
    ] = None,
    stale_after: Annotated[
        int, typer.Option("--stale-after", min=1, max=3650, help="Days after which a price's evidence is old.")
    ] = 90,
    fmt: FormatOption = ListingFormat.TABLE,
    output: OutputOption = None,
    catalog_dir: CatalogDirOption = None,
    overlay: OverlayOption = None,
) -> None:
    """Count the catalog's entries and grade the evidence behind its prices in force.

    For API prices, rental prices, purchase prices and assumptions: how many cite the provider's or
    vendor's own page (primary), another source (secondary) or no source (estimate), and how many the
    source shows more than --stale-after days before the date.
    """
    from llmdecide.catalog.stats import catalog_stats
    from llmdecide.report.catalog_stats import print_stats, stats_json, stats_markdown

    day = _parse_date(on)
    with user_errors():
        catalog_dir, overlay = catalog_settings(ctx, catalog_dir, overlay)
        inputs = catalog_inputs(catalog_dir, overlay)
        if output is not None:
            check_output_target(output, inputs)
        catalog = open_catalog(catalog_dir, overlay)
        when = day or catalog.as_of
        if when is None:
            raise InputFileError("the catalog has no as_of date; give --on")
        stats = catalog_stats(catalog, when, stale_after)
        emit(
            fmt,
            output,
            draw=lambda c: print_stats(c, stats),
            json_text=lambda: stats_json(stats),
            markdown_text=lambda: stats_markdown(stats),
            inputs=inputs,
        )


@app.command("diff")
def diff_command(
    old: Annotated[Path, typer.Argument(help="The old catalog directory.")],
    new: Annotated[Path, typer.Argument(help="The new catalog directory.")],
    fail_on_removed: Annotated[
        bool, typer.Option("--fail-on-removed", help="Exit 1 when an entry was removed.")
    ] = False,
    fail_above: Annotated[
        float | None,
        typer.Option(
            "--fail-above",
            min=0,
            help="Exit 1 when any price changed by more than this many percent.",
            show_default=False,
        ),
    ] = None,
    fail_on_change: Annotated[bool, typer.Option("--fail-on-change", help="Exit 1 on any difference at all.")] = False,
    workloads: Annotated[
        Path | None,
        typer.Option(
            "--workloads",
            help="Directory of workload files to re-assess under both catalogs, showing decision and cost deltas.",
            show_default=False,
        ),
    ] = None,
    fail_on_decision_change: Annotated[
        bool, typer.Option("--fail-on-decision-change", help="Exit 1 when a workload's recommendation changes.")
    ] = False,
    fail_on_history_change: Annotated[
        bool,
        typer.Option(
            "--fail-on-history-change",
            help="Exit 1 when recorded price history is rewritten: a period removed, a closed period changed, "
            "or an open period overwritten in place.",
        ),
    ] = False,
    fmt: Annotated[
        CatalogFormat, typer.Option("--format", "-f", help="Output format: table, json, markdown or " + GITHUB_HELP)
    ] = CatalogFormat.TABLE,
    output: OutputOption = None,
) -> None:
    """Compare two catalog directories: added, removed and changed entries, and their effect on workloads."""
    from llmdecide.api import workload_deltas
    from llmdecide.catalog.diff import diff_catalogs, diff_gates
    from llmdecide.catalog.loader import locate_catalog_dir
    from llmdecide.report.catalog_diff import diff_json, diff_markdown, print_diff
    from llmdecide.report.github import annotation, comment_body
    from llmdecide.report.tables import to_json
    from llmdecide.report.workload_diff import deltas_markdown, print_deltas

    with user_errors():
        inputs = [*catalog_inputs(old, None), *catalog_inputs(new, None)]
        if workloads is not None and workloads.is_dir():
            for path in sorted({*workloads.glob("*.yaml"), *workloads.glob("*.yml")}):
                inputs += workload_inputs(path)
        if output is not None:
            check_output_target(output, inputs)
        old_cat = open_catalog(locate_catalog_dir(old), None)
        new_cat = open_catalog(locate_catalog_dir(new), None)
        diff = diff_catalogs(old_cat, new_cat)
        deltas: list[WorkloadDelta] = []
        failed: list[tuple[str, LlmdecideError]] = []
        if workloads is not None:
            if not workloads.is_dir():
                raise InputFileError(f"{workloads}: --workloads must be a directory of workload files")
            with terminal_progress() if sys.stderr.isatty() else nullcontext():
                deltas, failed = workload_deltas(workloads, old_cat, new_cat)
        gates = diff_gates(
            diff,
            deltas,
            fail_on_removed=fail_on_removed,
            fail_above=fail_above,
            fail_on_change=fail_on_change,
            fail_on_decision_change=fail_on_decision_change,
            fail_on_history_change=fail_on_history_change,
        )

        def as_json() -> str:
            payload = json.loads(diff_json(diff, str(old), str(new)))
            if workloads is not None:
                payload["workloads"] = [d.as_json() for d in deltas]
                payload["workload_errors"] = [{"file": name, "error": str(exc)} for name, exc in failed]
            payload["gates"] = [g.as_json() for g in gates]
            return to_json(payload)

        def as_markdown() -> str:
            text = diff_markdown(diff, str(old), str(new))
            return text + ("\n" + deltas_markdown(deltas) if workloads is not None else "")

        def draw(console: Console) -> None:
            print_diff(console, diff)
            if workloads is not None:
                print_deltas(console, deltas)

        if fmt is CatalogFormat.GITHUB:
            write_output(comment_body(as_markdown()), output, inputs, kind="markdown")
        else:
            shown = ListingFormat(fmt.value)
            emit(shown, output, draw=draw, json_text=as_json, markdown_text=as_markdown, inputs=inputs)
    github = fmt is CatalogFormat.GITHUB
    for name, exc in failed:
        why = f"{workloads}/{name}: skipped: {exc}"
        line = (
            annotation("error", why, title="workload skipped") if github else f"llmdecide: error: {safe_message(why)}"
        )
        print(line, file=sys.stderr)
    tripped = [g for g in gates if g.tripped]
    for g in tripped:
        why = f"{g.option}: {g.why}"
        line = (
            annotation("error", why, title="gate tripped")
            if github
            else f"llmdecide: gate tripped: {safe_message(why)}"
        )
        print(line, file=sys.stderr)
    if failed:
        raise typer.Exit(int(failed[0][1].exit_code))
    if tripped:
        raise typer.Exit(int(ExitCode.CHECK_FAILED))
