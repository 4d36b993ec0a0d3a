"""Loading a workload file: safe YAML, then the schema, with one-line errors naming file and key path."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ValidationError

from llmdecide.catalog.issues import issues_from_validation_error
from llmdecide.errors import InputFileError
from llmdecide.workload.schema import Workload
from llmdecide.yaml_source import YamlReadError, parse_yaml_text, read_yaml_file


def load_workload(path: Path) -> Workload:
    """Read and validate a workload file; raise :class:`InputFileError` with ``file: key.path: message``."""
    try:
        data = read_yaml_file(path)
    except YamlReadError as exc:
        raise InputFileError(f"{path}: {exc}") from None
    return parse_workload(data, str(path))


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
