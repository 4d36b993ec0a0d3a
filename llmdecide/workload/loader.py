"""Loading a workload file: safe YAML, then the schema, with one-line errors naming file and key path."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ValidationError

from llmdecide.catalog.issues import issues_from_validation_error
from llmdecide.errors import InputFileError
from llmdecide.workload.schema import Segment, Workload
from llmdecide.yaml_source import YamlReadError, parse_yaml_text, read_yaml_file


def load_workload(path: Path) -> Workload:
    """Read and validate a workload file; raise :class:`InputFileError` with ``file: key.path: message``."""
    try:
        data = read_yaml_file(path)
    except YamlReadError as exc:
        raise InputFileError(f"{path}: {exc}") from None
    workload = parse_workload(data, str(path))
    return with_profiles_read(workload, path)


def with_profiles_read(workload: Workload, path: Path) -> Workload:
    """Read every ``hourly_profile_csv`` (relative to the workload file) into ``hourly_profile``."""
    segments = []
    for i, seg in enumerate(workload.segments):
        if seg.hourly_profile_csv is None:
            segments.append(seg)
            continue
        where = f"{path}: segments[{i}].hourly_profile_csv"
        csv_path = path.parent / seg.hourly_profile_csv
        values = read_profile_csv(csv_path, where)
        data = seg.model_dump(exclude={"hourly_profile_csv"})
        data["hourly_profile"] = values
        try:
            segments.append(Segment.model_validate(data))
        except ValidationError as exc:
            issue = issues_from_validation_error(str(path), exc, prefix=("segments", i))[0]
            raise InputFileError(f"{issue} (from {seg.hourly_profile_csv})") from None
    return workload.model_copy(update={"segments": segments})


def read_profile_csv(path: Path, where: str) -> list[float]:
    """Numbers from a CSV: one per line or the last column; one header line may be skipped."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputFileError(f"{where}: cannot read {path.name}: {exc.strerror or exc}") from None
    if b"\x00" in raw:
        raise InputFileError(f"{where}: {path.name} is a binary file, expected CSV")
    values: list[float] = []
    for n, line in enumerate(raw.decode("utf-8", errors="replace").splitlines(), start=1):
        cell = line.strip().split(",")[-1].strip()
        if not cell:
            continue
        try:
            values.append(float(cell))
        except ValueError:
            if n == 1:
                continue
            raise InputFileError(f"{where}: {path.name} line {n}: expected a number, got {cell!r}") from None
    if not values:
        raise InputFileError(f"{where}: {path.name} has no numbers")
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
