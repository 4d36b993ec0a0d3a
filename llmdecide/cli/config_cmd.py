"""``llmdecide config``: the settings a command would run with, and where each comes from."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from llmdecide.cli.boundary import user_errors, write_output
from llmdecide.cli.options import CatalogDirOption, Format, OverlayOption, TableOrJson, make_console
from llmdecide.cli.settings import ENV_VARS, FLAGS, KEYS, display_path, resolve_settings


def config_command(
    ctx: typer.Context,
    workload: Annotated[
        Path | None,
        typer.Argument(
            help="Workload file whose directory the settings file is looked for from (default: the current one).",
            metavar="[WORKLOAD]",
            show_default=False,
        ),
    ] = None,
    shown_as: Annotated[TableOrJson, typer.Option("--format", "-f", help="Output format.")] = TableOrJson.TABLE,
    catalog_dir: CatalogDirOption = None,
    overlay: OverlayOption = None,
) -> None:
    """Show the settings 'llmdecide assess' would use, and where each comes from.

    Its own --format is how this list is shown, not a setting.

    Each setting is taken from the first of: its flag, its LLMDECIDE_* environment
    variable, the settings file (llmdecide.toml, or [tool.llmdecide] in
    pyproject.toml, in the workload's directory or a parent), the default.
    """
    with user_errors():
        settings = resolve_settings(
            ctx,
            workload.parent if workload is not None else None,
            workload=workload,
            catalog_dir=catalog_dir,
            overlays=overlay,
            takes=("catalog_dir", "overlays", "format", "output"),
        )
        shown = {
            "catalog_dir": (
                display_path(settings.catalog_dir) if settings.catalog_dir is not None else "(packaged catalog)"
            ),
            "overlays": ", ".join(display_path(p) for p in settings.overlays) or "(none)",
            "format": settings.format or Format.TABLE.value,
            "output": display_path(settings.output) if settings.output is not None else "(standard output)",
        }
        file = settings.file.path if settings.file is not None else None
        if shown_as is TableOrJson.JSON:
            data = {
                "settings_file": display_path(file) if file is not None else None,
                "settings": {
                    key: {"value": shown[key], "from": settings.sources[key], "env": ENV_VARS[key], "flag": FLAGS[key]}
                    for key in KEYS
                },
            }
            write_output(json.dumps(data, indent=2) + "\n", None, (), kind="json")
            return
        from rich.table import Table
        from rich.text import Text

        from llmdecide.report.text_safety import terminal_safe

        table = Table(title="llmdecide settings", title_justify="left")
        for column in ("setting", "value", "from", "flag", "environment"):
            table.add_column(column)
        for key in KEYS:
            cells = (key, shown[key], settings.sources[key], FLAGS[key], ENV_VARS[key])
            table.add_row(*(Text(terminal_safe(cell)) for cell in cells))
        console = make_console()
        console.print(table)
        where = terminal_safe(display_path(file)) if file is not None else "(none found)"
        console.print(f"settings file: {where}", markup=False, highlight=False)
