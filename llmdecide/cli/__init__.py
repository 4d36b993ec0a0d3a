"""The ``llmdecide`` command line: parses options, calls the library, renders, maps errors to exit codes."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.console import Console

import llmdecide
from llmdecide.cli import catalog as catalog_cli
from llmdecide.cli.assess import assess_command
from llmdecide.cli.calibrate import calibrate_command
from llmdecide.cli.capacity import capacity_command
from llmdecide.cli.config_cmd import config_command
from llmdecide.cli.help_text import COMPLETE_VAR, completion_command, enable_completion, plain_metavars
from llmdecide.cli.import_cmd import import_command
from llmdecide.cli.init import init_command, schema_command
from llmdecide.cli.options import quiet_on_broken_pipe
from llmdecide.errors import ExitCode
from llmdecide.report.text_safety import safe_message

app = typer.Typer(
    name="llmdecide",
    help="Decide whether an LLM workload should run on a cloud API, on your own or rented GPUs, or both, "
    "and what each costs over the years.",
    no_args_is_help=True,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
    pretty_exceptions_enable=False,
)
app.command("assess")(assess_command)
app.add_typer(catalog_cli.app, name="catalog")
app.command("capacity")(capacity_command)
app.command("import")(import_command)
app.command("calibrate")(calibrate_command)
app.command("init")(init_command)
app.command("config")(config_command)
app.command("completion")(completion_command)
app.command("schema")(schema_command)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"llmdecide {llmdecide.__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: Annotated[
        bool,
        typer.Option("--version", "-V", callback=_version, is_eager=True, help="Print the version and exit."),
    ] = False,
) -> None:
    """llmdecide: cloud API, local GPUs, or hybrid, with the costs behind the answer."""


UsageError: type[Exception] = typer.BadParameter.__mro__[1]
"""Click's UsageError as typer bundles it (bad options, missing arguments)."""


def main() -> None:
    """Console-script entry point: usage errors become one line on stderr with exit code 2."""
    enable_completion()
    Console.on_broken_pipe = quiet_on_broken_pipe  # type: ignore[method-assign,assignment]  # help too
    command = plain_metavars(typer.main.get_command(app))
    try:
        code = command.main(standalone_mode=False, complete_var=COMPLETE_VAR)
    except UsageError as exc:
        formatted = getattr(exc, "format_message", None)
        message = str((formatted() if callable(formatted) else "") or getattr(exc, "message", "") or "")
        message = " ".join(message.replace("Value error, ", "").split()).rstrip(".")
        ctx = getattr(exc, "ctx", None)
        if message:
            hint = f" (see '{ctx.command_path} --help')" if ctx is not None else ""
            print(f"llmdecide: error: {safe_message(message)}{hint}", file=sys.stderr)
        raise SystemExit(int(ExitCode.USAGE)) from None
    except typer.Abort:
        print("llmdecide: aborted", file=sys.stderr)
        raise SystemExit(130) from None
    raise SystemExit(code if isinstance(code, int) else 0)
