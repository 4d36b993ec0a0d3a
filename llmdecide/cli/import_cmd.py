"""``llmdecide import``: a workload file from real usage records, with its bill checked against the export's."""

from __future__ import annotations

import datetime as dt
import sys
from contextlib import nullcontext
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from llmdecide.cli.boundary import check_output_target, user_errors, write_output
from llmdecide.cli.options import CatalogDirOption, OutputOption, OverlayOption, catalog_inputs, open_catalog
from llmdecide.cli.progress_bar import terminal_progress
from llmdecide.cli.settings import catalog_settings
from llmdecide.report.text_safety import safe_message


class ImportFormatName(StrEnum):
    """The formats ``llmdecide import`` reads (``llmdecide.usage_import.FORMAT_NAMES``)."""

    OPENAI_USAGE = "openai-usage"
    ANTHROPIC_USAGE = "anthropic-usage"
    LITELLM = "litellm"
    OPENROUTER = "openrouter"
    OTEL_GENAI = "otel-genai"


def _day(value: str | None, option: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"expected a date as YYYY-MM-DD, got {value!r}", param_hint=option) from None


def _segment_by(value: str) -> str:
    from llmdecide.usage_import.importer import SEGMENT_BY

    if value in SEGMENT_BY or (value.startswith("tag:") and value.removeprefix("tag:").strip()):
        return value
    raise typer.BadParameter(f"expected {', '.join(SEGMENT_BY)} or tag:NAME, got {value!r}", param_hint="--segment-by")


def import_command(
    ctx: typer.Context,
    fmt: Annotated[
        ImportFormatName,
        typer.Argument(metavar="FORMAT", help="Format of the files: " + ", ".join(f.value for f in ImportFormatName)),
    ],
    files: Annotated[
        list[Path], typer.Argument(metavar="FILE", help="Usage exports of that format (gzip-compressed too).")
    ],
    output: OutputOption = None,
    segment_by: Annotated[
        str,
        typer.Option(
            "--segment-by", help="One workload segment per model, project, api_key, tag:NAME, or none (all in one)."
        ),
    ] = "model",
    since: Annotated[
        str | None, typer.Option("--since", help="First day counted (YYYY-MM-DD).", show_default=False)
    ] = None,
    until: Annotated[
        str | None, typer.Option("--until", help="Last day counted, included (YYYY-MM-DD).", show_default=False)
    ] = None,
    tokens_per_request: Annotated[
        float | None,
        typer.Option(
            "--tokens-per-request",
            help="Tokens of one request, for exports that count tokens but no requests (Anthropic's usage report).",
            show_default=False,
        ),
    ] = None,
    catalog_dir: CatalogDirOption = None,
    overlay: OverlayOption = None,
) -> None:
    """Write a workload file from real usage records (provider usage reports, gateway logs, OpenTelemetry spans).

    The workload goes to --output (or stdout); what the import found and the bill check go to stderr.
    """
    from llmdecide.usage_import import ImportOptions, import_usage

    options = ImportOptions(
        segment_by=_segment_by(segment_by),
        since=_day(since, "--since"),
        until=_day(until, "--until"),
        tokens_per_request=tokens_per_request,
    )
    if options.since and options.until and options.until < options.since:
        raise typer.BadParameter(f"--until {until} is before --since {since}", param_hint="--until")
    if tokens_per_request is not None and not 0 < tokens_per_request <= 11_000_000:
        raise typer.BadParameter("expected a number above 0, at most 11,000,000", param_hint="--tokens-per-request")
    with user_errors():
        catalog_dir, overlay = catalog_settings(ctx, catalog_dir, overlay)
        inputs = [*files, *catalog_inputs(catalog_dir, overlay)]
        if output is not None:
            check_output_target(output, inputs)  # before the work: a refused output file costs nothing
        catalog = open_catalog(catalog_dir, overlay)
        with terminal_progress() if sys.stderr.isatty() else nullcontext():
            result = import_usage(fmt.value, files, catalog, options)
        write_output(result.text, output, inputs)
        say = [f"imported {result.records:,} records into {len(result.segments)} segment(s)"]
        say += [f"note: {n}" for n in result.notes]
        say += ["bill check:", *(f"  {line}" for line in result.reconciliation.lines())]
        for line in say:
            print(safe_message(line, 1000), file=sys.stderr)
