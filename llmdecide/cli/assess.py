"""``llmdecide assess``: the recommendation for a workload file."""

from __future__ import annotations

import datetime as dt
import sys
from contextlib import nullcontext
from pathlib import Path
from typing import Annotated

import typer

from llmdecide.cli.boundary import check_output_target, user_errors
from llmdecide.cli.options import (
    CatalogDirOption,
    Format,
    OutputOption,
    OverlayOption,
    ReportFormatOption,
    catalog_inputs,
    emit,
    open_catalog,
    workload_inputs,
)
from llmdecide.cli.progress_bar import terminal_progress
from llmdecide.cli.settings import resolve_settings


def assess_command(
    ctx: typer.Context,
    workload: Annotated[Path, typer.Argument(help="Workload YAML file (see 'llmdecide init').")],
    fmt: ReportFormatOption = Format.TABLE,
    output: OutputOption = None,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of", help="Price with the catalog as it stood on this date (YYYY-MM-DD).", show_default=False
        ),
    ] = None,
    catalog_dir: CatalogDirOption = None,
    overlay: OverlayOption = None,
    allow_outside_paths: Annotated[
        bool,
        typer.Option(
            "--allow-outside-paths",
            help="Read a profile CSV the workload names even when it sits outside the workload file's directory.",
        ),
    ] = False,
) -> None:
    """Recommend cloud, local or hybrid for a workload, with costs, scores and what would flip it."""
    from llmdecide.api import assess
    from llmdecide.report.html import render_html
    from llmdecide.report.json_report import render_json
    from llmdecide.report.markdown import render_markdown
    from llmdecide.report.terminal import print_report

    on = None
    if as_of is not None:
        try:
            on = dt.date.fromisoformat(as_of)
        except ValueError:
            raise typer.BadParameter(f"expected a date as YYYY-MM-DD, got {as_of!r}", param_hint="--as-of") from None
    with user_errors():
        settings = resolve_settings(
            ctx,
            workload.parent,
            workload=workload,
            catalog_dir=catalog_dir,
            overlays=overlay,
            fmt=fmt.value,
            output=output,
            takes=("catalog_dir", "overlays", "format", "output"),
        )
        catalog_dir, overlay, output = settings.catalog_dir, settings.overlays, settings.output
        fmt = Format(settings.format or fmt)
        inputs = [*workload_inputs(workload), *catalog_inputs(catalog_dir, overlay)]
        if output is not None:
            check_output_target(output, inputs)  # before the work: a refused output file costs nothing
        catalog = open_catalog(catalog_dir, overlay)
        with terminal_progress() if sys.stderr.isatty() else nullcontext():
            report = assess(workload, catalog, as_of=on, allow_outside_paths=allow_outside_paths)
        emit(
            fmt,
            output,
            draw=lambda c: print_report(c, report),
            json_text=lambda: render_json(report),
            markdown_text=lambda: render_markdown(report),
            html_text=lambda: render_html(report),
            inputs=inputs,
        )
