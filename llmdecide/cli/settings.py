"""Settings from a file and the environment: ``llmdecide.toml`` or ``[tool.llmdecide]`` in ``pyproject.toml``.

Each setting is taken from the first of: the command-line flag, its ``LLMDECIDE_*`` environment variable,
the settings file, the built-in default. The file is looked for in the workload's directory (the current
directory for commands without a workload) and then in each parent, up to the first directory holding
``.git`` or the filesystem root; in each directory ``llmdecide.toml`` comes before ``pyproject.toml``, and a
``pyproject.toml`` counts only when it has a ``[tool.llmdecide]`` table. ``LLMDECIDE_CONFIG`` names the file
instead (``none`` reads no file). Paths in a file are relative to the file's directory.
"""

from __future__ import annotations

import difflib
import os
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import typer

from llmdecide.errors import InputFileError
from llmdecide.input_files import InputReadError, decode_text, read_input_bytes
from llmdecide.limits import MAX_SETTINGS_BYTES, shorten

CONFIG_ENV = "LLMDECIDE_CONFIG"
"""Names the settings file to read instead of looking for one; ``none`` reads none."""
FILE_NAME = "llmdecide.toml"
ENV_VARS = {
    "catalog_dir": "LLMDECIDE_CATALOG_DIR",
    "overlays": "LLMDECIDE_OVERLAYS",
    "format": "LLMDECIDE_FORMAT",
    "output": "LLMDECIDE_OUTPUT",
}
"""The environment variable of each setting. ``LLMDECIDE_OVERLAYS`` holds paths separated by ``os.pathsep``."""
PARAMETERS = {"catalog_dir": "catalog_dir", "overlays": "overlay", "format": "fmt", "output": "output"}
"""The parameter name every command gives each setting's option."""
FLAGS = {"catalog_dir": "--catalog-dir", "overlays": "--overlay", "format": "--format", "output": "--output"}
KEYS = {
    "catalog_dir": "catalog directory (with pricing/ and hardware/) instead of the packaged one",
    "overlays": "overlay catalog files layered on top, in order",
    "format": "default output format of 'llmdecide assess'",
    "output": "default output file of 'llmdecide assess'; '{workload}' is replaced by the workload file's stem",
}
"""Every key a settings file may hold, and what it sets."""


@dataclass(frozen=True)
class SettingsFile:
    """A settings file that was found and read."""

    path: Path
    table: str
    """Where the settings sit in it: ``llmdecide.toml`` or ``pyproject.toml [tool.llmdecide]``."""
    values: dict[str, Any]


@dataclass(frozen=True)
class Settings:
    """The settings one command runs with, and where each came from."""

    catalog_dir: Path | None = None
    overlays: list[Path] = field(default_factory=list)
    format: str | None = None
    output: Path | None = None
    sources: dict[str, str] = field(default_factory=dict)
    """Each setting's origin: the flag, ``$LLMDECIDE_...``, the settings file's name, or ``default``."""
    file: SettingsFile | None = None


def display_path(path: Path) -> str:
    """``path`` relative to the current directory where that is shorter to read."""
    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)


def _error(file: Path, key: str, expected: str) -> InputFileError:
    where = f"{key}: " if key else ""
    return InputFileError(f"{display_path(file)}: {where}{expected}")


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        raw = read_input_bytes(path, MAX_SETTINGS_BYTES, "a TOML file")
        text = decode_text(raw, "a TOML file")
    except InputReadError as exc:
        raise _error(path, "", str(exc)) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise _error(path, "", f"not valid TOML: {shorten(str(exc))}") from None


def _table_of(path: Path, data: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
    if path.name != "pyproject.toml":
        return FILE_NAME if path.name == FILE_NAME else path.name, data
    tool = data.get("tool")
    table = tool.get("llmdecide") if isinstance(tool, dict) else None
    if table is None:
        return None
    if not isinstance(table, dict):
        raise _error(path, "tool.llmdecide", f"expected a table, got {type(table).__name__}")
    return "pyproject.toml [tool.llmdecide]", table


def _check(path: Path, prefix: str, table: dict[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for key, value in table.items():
        where = f"{prefix}{key}"
        if key not in KEYS:
            close = difflib.get_close_matches(key, KEYS, n=1)
            hint = f"; did you mean '{close[0]}'?" if close else f"; expected one of {', '.join(KEYS)}"
            raise _error(path, where, f"unknown setting{hint}")
        if key == "overlays":
            if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
                raise _error(path, where, "expected a list of file paths (strings)")
            values[key] = [path.parent / v for v in value]
        elif not isinstance(value, str) or not value:
            raise _error(path, where, f"expected a non-empty string, got {type(value).__name__} {value!r}")
        elif key == "format":
            from llmdecide.cli.options import Format

            choices = [f.value for f in Format]
            if value not in choices:
                raise _error(path, where, f"expected one of {', '.join(choices)}, got {shorten(value)!r}")
            values[key] = value
        elif key == "catalog_dir":
            directory = path.parent / value
            if not directory.is_dir():
                raise _error(path, where, f"no such directory {shorten(value)!r}")
            values[key] = directory
        else:
            values[key] = value
    return values


def read_settings_file(path: Path) -> SettingsFile | None:
    """The settings of ``path`` (``llmdecide.toml`` or a ``pyproject.toml``), or None for a ``pyproject.toml``
    without a ``[tool.llmdecide]`` table; raise :class:`InputFileError` naming the file and key."""
    found = _table_of(path, _read_toml(path))
    if found is None:
        return None
    name, table = found
    prefix = "tool.llmdecide." if name.startswith("pyproject") else ""
    return SettingsFile(path, name, _check(path, prefix, table))


def find_settings_file(start: Path) -> SettingsFile | None:
    """The first settings file from ``start`` up (see the module docstring), or the one ``$LLMDECIDE_CONFIG``
    names."""
    named = os.environ.get(CONFIG_ENV)
    if named is not None and named.strip():
        if named.strip().lower() == "none":
            return None
        path = Path(named)
        if not path.is_file():
            raise InputFileError(f"${CONFIG_ENV}: no such settings file {shorten(named)!r}")
        return read_settings_file(path)
    directory = start.resolve() if start.exists() else Path.cwd()
    for folder in (directory, *directory.parents):
        for name in (FILE_NAME, "pyproject.toml"):
            candidate = folder / name
            if candidate.is_file():
                found = read_settings_file(candidate)
                if found is not None:
                    return found
        if (folder / ".git").exists():
            break
    return None


def _from_commandline(ctx: typer.Context | None, name: str) -> bool:
    if ctx is None:
        return False
    source = ctx.get_parameter_source(name)
    return source is not None and source.name in ("COMMANDLINE", "PROMPT")


def _from_environment(ctx: typer.Context | None, name: str) -> bool:
    if ctx is None:
        return False
    source = ctx.get_parameter_source(name)
    return source is not None and source.name == "ENVIRONMENT"


def resolve_settings(
    ctx: typer.Context | None,
    start: Path | None = None,
    *,
    catalog_dir: Path | None = None,
    overlays: Sequence[Path] | None = None,
    fmt: str | None = None,
    output: Path | None = None,
    workload: Path | None = None,
    takes: Sequence[str] = ("catalog_dir", "overlays"),
) -> Settings:
    """The settings a command runs with: each from its flag, else its environment variable, else the settings
    file, else the default (None or empty).

    ``takes`` names the settings this command has (``catalog_dir``, ``overlays``, ``format``, ``output``), whose
    parameters are named as in ``PARAMETERS`` and whose values are passed in the keyword arguments; a setting the
    command does not take is neither read nor reported. ``start`` is where the file search begins (the workload's
    directory, else the current directory).
    """
    params = {key: PARAMETERS[key] for key in takes}
    given: dict[str, Any] = {"catalog_dir": catalog_dir, "overlays": list(overlays or []), "format": fmt}
    given["output"] = output
    file = find_settings_file(start if start is not None else Path.cwd())
    chosen: dict[str, Any] = {}
    sources: dict[str, str] = {}
    for key, param in params.items():
        value = given[key]
        if _from_commandline(ctx, param):  # '-o -' (None) on the command line means standard output
            chosen[key], sources[key] = value, FLAGS[key]
            continue
        env = os.environ.get(ENV_VARS[key], "")
        if _from_environment(ctx, param) and value not in (None, []):
            chosen[key], sources[key] = value, f"${ENV_VARS[key]}"
            continue
        if env.strip() and not _handled_by_option(key):
            chosen[key], sources[key] = _env_value(key, env), f"${ENV_VARS[key]}"
            continue
        if file is not None and key in file.values:
            chosen[key], sources[key] = file.values[key], display_path(file.path)
            continue
        chosen[key], sources[key] = value, "default"
    out = chosen.get("output")
    if isinstance(out, str):
        out = _output_path(
            out,
            workload,
            file.path.parent
            if file is not None and sources["output"] != "default" and not sources["output"].startswith("$")
            else None,
        )
    return Settings(
        catalog_dir=chosen.get("catalog_dir"),
        overlays=list(chosen.get("overlays") or []),
        format=chosen.get("format"),
        output=out,
        sources=sources,
        file=file,
    )


def _output_path(text: str, workload: Path | None, base: Path | None) -> Path | None:
    """An output setting as a path: ``{workload}`` replaced by the workload file's stem, relative to ``base``
    (the settings file's directory) when one is given; ``-`` is standard output (None)."""
    from llmdecide.cli.boundary import parse_output_path

    text = text.replace("{workload}", workload.stem if workload is not None else "report")
    path = parse_output_path(text)
    if path is None or base is None or path.is_absolute():
        return path
    return path.__class__(base / path)


def _handled_by_option(key: str) -> bool:
    """Whether the option itself reads the environment variable (typer's ``envvar``): ``--catalog-dir``."""
    return key == "catalog_dir"


def _env_value(key: str, text: str) -> Any:
    if key == "overlays":
        return [Path(p) for p in text.split(os.pathsep) if p.strip()]
    if key == "format":
        from llmdecide.cli.options import Format

        choices = [f.value for f in Format]
        if text.strip() not in choices:
            raise typer.BadParameter(
                f"expected one of {', '.join(choices)}, got {shorten(text)!r}", param_hint=f"${ENV_VARS[key]}"
            )
        return text.strip()
    return text


def catalog_settings(
    ctx: typer.Context | None, catalog_dir: Path | None, overlays: Sequence[Path] | None, start: Path | None = None
) -> tuple[Path | None, list[Path]]:
    """The catalog directory and overlays of a command that takes only those two settings."""
    settings = resolve_settings(ctx, start, catalog_dir=catalog_dir, overlays=overlays)
    return settings.catalog_dir, settings.overlays
