"""Options shared by several commands."""

from __future__ import annotations

import io
import os
import stat
import sys
from collections.abc import Callable, Sequence
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console

from llmdecide.cli.boundary import parse_output_path, silence_stdout, stdout_guard, write_output

if TYPE_CHECKING:
    from llmdecide.catalog import Catalog


class Format(StrEnum):
    """Output formats of the listing and report commands."""

    TABLE = "table"
    JSON = "json"
    MARKDOWN = "markdown"
    HTML = "html"
    """A self-contained web page ('llmdecide assess' only)."""


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


class ListingFormat(StrEnum):
    """The formats of the listing commands (``catalog list|show|stats``, ``capacity``): every format but html,
    which is a report's."""

    TABLE = "table"
    JSON = "json"
    MARKDOWN = "markdown"


class TableOrJson(StrEnum):
    """The formats of a command with no Markdown view (``config``)."""

    TABLE = "table"
    JSON = "json"


FormatOption = Annotated[ListingFormat, typer.Option("--format", "-f", help="Output format.")]
ReportFormatOption = Annotated[
    Format,
    typer.Option(
        "--format",
        "-f",
        help="Output format: a terminal table, json, markdown (for GitHub), or html (one self-contained page "
        "for finance, to read or print to PDF).",
    ),
]
OUTPUT_RULES = (
    "Replaced atomically; a new file gets mode 0666 minus the umask, an existing one keeps its mode. "
    "A symbolic link to a regular file is written through (the link stays). Refused: the run's own input files, "
    "directories, devices, FIFOs, sockets and dangling links. '-' is stdout."
)
"""How every output file option behaves (the end of its help)."""

OutputOption = Annotated[
    Path | None,
    typer.Option(
        "--output",
        "-o",
        parser=parse_output_path,
        metavar="<path>",
        help="Write to this file instead of stdout. " + OUTPUT_RULES,
        show_default=False,
    ),
]


def open_catalog(catalog_dir: Path | None, overlays: list[Path] | None) -> Catalog:
    """Load the catalog the options select."""
    from llmdecide.catalog import load_catalog

    return load_catalog(catalog_dir, overlays or ())


def catalog_inputs(catalog_dir: Path | None, overlays: Sequence[Path] | None) -> list[Path]:
    """What a run reads from the catalog, to refuse as output: the overlays, and the catalog's folders.

    The folders are ``pricing/`` and ``hardware/`` of ``--catalog-dir`` (or of the packaged catalog), where
    every catalog file lives: an output file anywhere under them is refused.
    """
    from llmdecide.catalog.loader import packaged_catalog_dir

    root = catalog_dir if catalog_dir is not None else packaged_catalog_dir()
    folders = [root / "pricing", root / "hardware"] if root is not None else []
    return [*(overlays or ()), *folders]


def workload_inputs(workload: Path) -> list[Path]:
    """A workload file and the profile CSVs it names (``hourly_profile_csv``, relative to the file).

    Best effort and read only when the workload is a regular file (a pipe can be read once only): a
    file that cannot be read names no CSV, and assessing it reports why.
    """
    from llmdecide.yaml_source import YamlReadError, read_yaml_file

    found = [workload]
    try:
        if not stat.S_ISREG(os.stat(workload).st_mode):
            return found
        data = read_yaml_file(workload)
    except (OSError, ValueError, YamlReadError):
        return found
    segments = data.get("segments") if isinstance(data, dict) else None
    for segment in segments if isinstance(segments, list) else []:
        csv = segment.get("hourly_profile_csv") if isinstance(segment, dict) else None
        if isinstance(csv, str) and csv:
            found.append(workload.parent / csv)
    return found


def fold_tables(renderable: object) -> None:
    """Let every column of a table (and of the tables a panel or group holds) wrap a value it cannot fit over
    several lines instead of cutting it with '…': an id such as ``nvidia/h200-sxm-141gb`` is never hidden by a
    narrow terminal or ``COLUMNS=80``."""
    from rich.table import Table

    if isinstance(renderable, Table):
        for column in renderable.columns:
            if column.overflow == "ellipsis":
                column.overflow = "fold"
    for inner in (getattr(renderable, "renderable", None), *getattr(renderable, "renderables", ())):
        if inner is not None:
            fold_tables(inner)


class _QuietOnBrokenPipe(Console):
    """A console that stops printing when its reader goes away (``... | head``), without rich's exit code 1, and
    whose tables wrap long values rather than cut them (:func:`fold_tables`)."""

    def print(self, *objects: Any, **kwargs: Any) -> None:
        for renderable in objects:
            fold_tables(renderable)
        super().print(*objects, **kwargs)

    def on_broken_pipe(self) -> None:
        quiet_on_broken_pipe(self)


def quiet_on_broken_pipe(console: Console) -> None:
    """What a console does when its reader goes away: print nothing more, and send the rest of stdout nowhere,
    so that the command's own exit code stands (rich's default exits 1, the code of a failed check). The CLI's
    entry point makes it every console's behaviour, help screens included."""
    console.quiet = True
    if console.file is sys.stdout or getattr(console.file, "wrapped", None) is sys.stdout:
        silence_stdout()


PIPED_WIDTH = 160
"""Columns of table output written to a pipe or file when ``COLUMNS`` does not say."""


def console_width() -> int | None:
    """``COLUMNS`` when it holds a sensible width (20 to 1000), else the terminal's own (None), or
    ``PIPED_WIDTH`` when stdout is not a terminal."""
    given = os.environ.get("COLUMNS", "").strip()
    if given.isdigit() and 20 <= int(given) <= 1000:
        return int(given)
    return None if sys.stdout.isatty() else PIPED_WIDTH


def make_console() -> Console:
    """A console for table output, ``console_width()`` wide; on a stdout that cannot encode every character
    (PYTHONIOENCODING=ascii, a latin-1 locale), ASCII boxes and no UnicodeEncodeError."""
    from llmdecide.report.text_safety import safe_stdout

    return _QuietOnBrokenPipe(width=console_width(), file=safe_stdout())


def emit(
    fmt: Format | ListingFormat | TableOrJson,
    output: Path | None,
    *,
    draw: Callable[[Console], None],
    json_text: Callable[[], str],
    markdown_text: Callable[[], str] | None = None,
    html_text: Callable[[], str] | None = None,
    inputs: Sequence[Path] = (),
) -> None:
    """Write a result in the chosen format to stdout or, atomically, to ``output`` (never one of ``inputs``); a
    format the command has no renderer for is a usage error naming ``--format``."""
    fmt = Format(fmt)  # a command's own narrower choice (ListingFormat, TableOrJson) as the one Format
    if fmt is Format.HTML:
        if html_text is None:
            shown = "table, json or markdown" if markdown_text is not None else "table or json"
            raise typer.BadParameter(
                f"this command prints {shown}; html is a format of 'llmdecide assess' only", param_hint="--format"
            )
        write_output(html_text(), output, inputs, kind="html")
    elif fmt is Format.JSON:
        write_output(json_text(), output, inputs, kind="json")
    elif fmt is Format.MARKDOWN:
        if markdown_text is None:
            raise typer.BadParameter("this command prints table or json", param_hint="--format")
        write_output(markdown_text(), output, inputs, kind="markdown")
    elif output is None:
        with stdout_guard():
            draw(make_console())
    else:
        console = _QuietOnBrokenPipe(record=True, width=PIPED_WIDTH, file=io.StringIO())  # the same from any terminal
        draw(console)
        write_output(console.export_text(), output, inputs)
