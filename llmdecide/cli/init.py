"""``llmdecide init`` and ``llmdecide schema``: a workload template and the JSON Schemas."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Literal

import typer

from llmdecide.cli.boundary import output_exists, parse_output_path, user_errors, write_output
from llmdecide.cli.options import OUTPUT_RULES, OutputOption
from llmdecide.errors import OutputError
from llmdecide.report.text_safety import terminal_safe


def init_command(
    output: Annotated[
        Path | None,
        typer.Argument(
            parser=parse_output_path,
            help="Where to write the template (default: print it). " + OUTPUT_RULES,
            show_default=False,
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Overwrite an existing file (the rules above still apply).")
    ] = False,
) -> None:
    """Write a commented workload template, every field described, ready to edit and assess."""
    from llmdecide.workload.template import workload_template

    with user_errors():
        if output is not None and not force and output_exists(output):  # a dangling symbolic link exists too
            raise OutputError(f"{output}: already exists", hint="use --force to overwrite it")
        write_output(workload_template(), output)
        if output is not None:
            shown = terminal_safe(str(output))
            typer.echo(f"wrote {shown}; edit it, then run: llmdecide assess {shown}", err=True)


def schema_command(
    which: Annotated[
        Literal["workload", "report"], typer.Argument(help="workload (the input file) or report (the JSON output).")
    ],
    output: OutputOption = None,
) -> None:
    """Print the JSON Schema of the workload file or of the JSON report."""
    from llmdecide.report.result import DecisionReport
    from llmdecide.workload.json_schema import workload_json_schema

    if which == "workload":
        schema = workload_json_schema()
    else:
        schema = DecisionReport.model_json_schema()
        schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        schema["title"] = "llmdecide decision report"
    with user_errors():
        write_output(json.dumps(schema, indent=2, sort_keys=True) + "\n", output, kind="json")
