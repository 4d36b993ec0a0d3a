"""Options shared by several commands."""

from __future__ import annotations

import io
import sys
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from llmdecide.cli.boundary import write_output

if TYPE_CHECKING:
    from llmdecide.catalog import Catalog


class Format(StrEnum):
    """Output formats of the listing and report commands."""

    TABLE = "table"
    JSON = "json"
    MARKDOWN = "markdown"


CatalogDirOption = Annotated[
    Path | None,
    typer.Option(
        "--catalog-dir",
        envvar="LLMDECIDE_CATALOG_DIR",
        help="Catalog directory (with pricing/ and hardware/) instead of the packaged one.",
        show_default=False,
    ),
]
OverlayOption = Annotated[
    list[Path] | None,
    typer.Option(
        "--overlay",
        help="Your own catalog overlay (negotiated prices, owned hardware); repeatable.",
        show_default=False,
    ),
]
FormatOption = Annotated[Format, typer.Option("--format", "-f", help="Output format.")]
OutputOption = Annotated[
    Path | None,
    typer.Option("--output", "-o", help="Write to this file (atomically) instead of stdout.", show_default=False),
]


def open_catalog(catalog_dir: Path | None, overlays: list[Path] | None) -> Catalog:
    """Load the catalog the options select."""
    from llmdecide.catalog import load_catalog

    return load_catalog(catalog_dir, overlays or ())


def make_console() -> Console:
    """A console for table output: the terminal's width, or 160 columns when piped."""
    return Console(width=None if sys.stdout.isatty() else 160)


def emit(
    fmt: Format,
    output: Path | None,
    *,
    draw: Callable[[Console], None],
    json_text: Callable[[], str],
    markdown_text: Callable[[], str] | None = None,
) -> None:
    """Write a result in the chosen format to stdout or, atomically, to ``output``."""
    if fmt is Format.JSON:
        write_output(json_text(), output)
    elif fmt is Format.MARKDOWN:
        if markdown_text is None:
            raise typer.BadParameter("this command prints table or json", param_hint="--format")
        write_output(markdown_text(), output)
    elif output is None:
        draw(make_console())
    else:
        console = Console(record=True, width=160, file=io.StringIO())
        draw(console)
        write_output(console.export_text(), output)
