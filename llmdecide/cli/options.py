"""Options shared by several commands."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from llmdecide.catalog import Catalog, load_catalog


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
    return load_catalog(catalog_dir, overlays or ())


def make_console() -> Console:
    """A console for table output: the terminal's width, or 160 columns when piped."""
    return Console(width=None if sys.stdout.isatty() else 160)
