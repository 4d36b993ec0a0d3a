"""Loading a workload file: safe YAML, then the schema, with one-line errors naming file and key path."""

from __future__ import annotations

import csv
import math
import re
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from llmdecide.catalog.issues import issues_from_validation_error
from llmdecide.errors import InputFileError
from llmdecide.input_files import InputReadError, decode_text, read_input_bytes
from llmdecide.limits import MAX_CSV_BYTES, MAX_PROFILE_VALUES, shorten
from llmdecide.workload.schema import Segment, Workload
from llmdecide.yaml_source import YamlReadError, parse_yaml_text, read_yaml_file


def load_workload(path: Path, *, allow_outside_paths: bool = False) -> Workload:
    """Read and validate a workload file; raise :class:`InputFileError` with ``file: key.path: message``.

    A profile CSV the file names must sit beside it or below it, unless ``allow_outside_paths``.
    """
    try:
        data = read_yaml_file(path)
    except YamlReadError as exc:
        raise InputFileError(f"{path}: {exc}") from None
    workload = parse_workload(data, str(path))
    return with_profiles_read(workload, path, allow_outside_paths=allow_outside_paths)


def profile_csv_path(workload_file: Path, written: str, where: str, *, allow_outside_paths: bool = False) -> Path:
    """Where a segment's ``hourly_profile_csv`` is: relative to the workload file, and (unless
    ``allow_outside_paths``) inside the workload file's directory."""
    base = workload_file.parent
    candidate = base / written
    if allow_outside_paths:
        return candidate
    try:
        inside = candidate.resolve().is_relative_to(base.resolve())
    except (OSError, RuntimeError, ValueError):
        inside = False
    if not inside:
        raise InputFileError(
            f"{where}: {shorten(written)!r} is outside the workload file's directory",
            hint="move the CSV beside the workload or below it, or pass --allow-outside-paths",
        )
    return candidate


def with_profiles_read(workload: Workload, path: Path, *, allow_outside_paths: bool = False) -> Workload:
    """Read every ``hourly_profile_csv`` (relative to the workload file) into ``hourly_profile``."""
    segments = []
    for i, seg in enumerate(workload.segments):
        if seg.hourly_profile_csv is None:
            segments.append(seg)
            continue
        where = f"{path}: segments[{i}].hourly_profile_csv"
        csv_path = profile_csv_path(path, seg.hourly_profile_csv, where, allow_outside_paths=allow_outside_paths)
        values = read_profile_csv(csv_path, where)
        data = seg.model_dump(exclude={"hourly_profile_csv"})
        data["hourly_profile"] = values
        try:
            segments.append(Segment.model_validate(data))
        except ValidationError as exc:
            issue = issues_from_validation_error(str(path), exc, prefix=("segments", i))[0]
            raise InputFileError(f"{issue} (from {shorten(seg.hourly_profile_csv)})") from None
    return workload.model_copy(update={"segments": segments})


_NUMBER_LIKE = re.compile(r"^[-+0-9.,eE_ ]+$|^[-+]?(?:nan|inf|infinity)$", re.IGNORECASE)
_THOUSANDS = re.compile(r"^[-+]?[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]*)?$")


def _delimiter(first: str) -> str:
    """The separator of a profile CSV: ';' or a tab when the first line uses one, else ','."""
    if ";" in first:
        return ";"
    if "\t" in first:
        return "\t"
    return ","


def _number(cell: str) -> float | None:
    text = cell.strip().replace("_", "")
    if _THOUSANDS.match(text):
        text = text.replace(",", "")
    elif text.count(",") == 1 and "." not in text:
        text = text.replace(",", ".")  # a decimal comma
    try:
        return float(text)
    except ValueError:
        return None


def read_profile_csv(path: Path, where: str) -> list[float]:
    """Numbers from a CSV: one per line, or the last column (',' ';' or tab separated, quotes allowed); one
    header line may be skipped. A value is never quoted back beyond its first characters."""
    name = shorten(path.name)
    try:
        raw = read_input_bytes(path, MAX_CSV_BYTES, "a CSV file")
        text = decode_text(raw, "CSV")
    except InputReadError as exc:
        raise InputFileError(f"{where}: {name}: {exc}") from None
    lines = text.splitlines()
    first = next((line for line in lines if line.strip()), "")
    rows = csv.reader(lines, delimiter=_delimiter(first))
    values: list[float] = []
    header_allowed = True
    try:
        for row in rows:
            cells = [c for c in row if c.strip()]
            if not cells:
                continue
            n = rows.line_num
            cell = cells[-1].strip()
            value = _number(cell)
            if value is None:
                if header_allowed:
                    header_allowed = False
                    continue
                shown = f"got {shorten(cell, 40)!r}" if _NUMBER_LIKE.match(cell) else "got text"
                raise InputFileError(f"{where}: {name} line {n}: expected a number, {shown}")
            header_allowed = False
            if not math.isfinite(value):
                raise InputFileError(f"{where}: {name} line {n}: expected a finite number, got {shorten(cell, 40)!r}")
            values.append(value)
            if len(values) > MAX_PROFILE_VALUES:
                raise InputFileError(
                    f"{where}: {name}: more than {MAX_PROFILE_VALUES:,} values (24, 168 or 8,760 are read)"
                )
    except csv.Error as exc:
        raise InputFileError(f"{where}: {name} line {rows.line_num}: malformed CSV ({exc})") from None
    if not values:
        raise InputFileError(f"{where}: {name} has no numbers")
    return values


def load_workload_text(text: str, name: str = "<workload>") -> Workload:
    """Validate a workload given as YAML text."""
    try:
        data = parse_yaml_text(text)
    except YamlReadError as exc:
        raise InputFileError(f"{name}: {exc}") from None
    if data is None:
        raise InputFileError(f"{name}: empty, expected a YAML mapping")
    return parse_workload(data, name)


def parse_workload(data: Any, name: str) -> Workload:
    """Validate parsed YAML against the workload schema."""
    if not isinstance(data, dict):
        raise InputFileError(f"{name}: expected a YAML mapping at the top, got {type(data).__name__}")
    version = data.get("schema_version")
    if version is None:
        raise InputFileError(f"{name}: schema_version: required key is missing", hint="this release reads 1")
    if version != 1 or isinstance(version, bool):
        raise InputFileError(
            f"{name}: schema_version: unsupported workload schema version {version!r}; this release reads 1"
        )
    try:
        return Workload.model_validate(data)
    except ValidationError as exc:
        issues = issues_from_validation_error(name, exc)
        first = issues[0]
        more = f" (and {len(issues) - 1} more problem{'s' if len(issues) > 2 else ''})" if len(issues) > 1 else ""
        raise InputFileError(f"{first}{more}") from None
