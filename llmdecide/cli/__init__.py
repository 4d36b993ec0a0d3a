"""The ``llmdecide`` command line: parses options, calls the library, renders, maps errors to exit codes."""

from __future__ import annotations

from typing import Annotated

import typer

from llmdecide import __version__
from llmdecide.cli import catalog as catalog_cli
from llmdecide.cli.assess import assess_command
from llmdecide.cli.capacity import capacity_command

app = typer.Typer(
    name="llmdecide",
    help="Decide whether an LLM workload should run on a cloud API, on your own or rented GPUs, or both, "
    "and what each costs over the years.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.command("assess")(assess_command)
app.add_typer(catalog_cli.app, name="catalog")
app.command("capacity")(capacity_command)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"llmdecide {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit."),
    ] = False,
) -> None:
    """llmdecide: cloud API, local GPUs, or hybrid, with the costs behind the answer."""


def main() -> None:
    """Console-script entry point."""
    app()
