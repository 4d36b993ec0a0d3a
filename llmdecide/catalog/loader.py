"""Finding catalog directories and parsing their files into schema models.

Parsing never stops at the first problem: every file is read, and every
problem found is returned as an :class:`Issue`, so ``catalog validate`` can
report them all at once.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from llmdecide.catalog.issues import Issue, issues_from_validation_error
from llmdecide.catalog.schema import FILE_MODELS, SUPPORTED_SCHEMA_VERSIONS, CatalogHeader
from llmdecide.errors import CatalogError
from llmdecide.input_files import InputReadError, decode_text, read_input_bytes
from llmdecide.limits import MAX_YAML_BYTES, MAX_YAML_DEPTH, MAX_YAML_NODES
from llmdecide.yaml_source import YamlReadError, key_path, read_yaml_file

CATALOG_DIR_ENV = "LLMDECIDE_CATALOG_DIR"
"""Environment variable naming a catalog directory to use instead of the packaged one."""

EXPECTED_KINDS: dict[str, tuple[str, ...]] = {
    "pricing/api": ("api_prices",),
    "pricing/gpu-rental": ("gpu_rental",),
    "pricing": ("assumptions",),
    "hardware": ("accelerators", "open_models", "engines", "measurements"),
}
"""Which kinds of file may sit in which folder of a catalog directory."""


@dataclass(frozen=True)
class LoadedFile:
    """One parsed catalog file and the name it is reported under."""

    display: str
    model: CatalogHeader


def packaged_catalog_dir() -> Path | None:
    """The catalog shipped inside the wheel, or the source tree's copy in a checkout."""
    package_dir = Path(__file__).resolve().parent.parent
    for candidate in (package_dir / "_catalog", package_dir.parent):
        if (candidate / "pricing").is_dir() and (candidate / "hardware").is_dir():
            return candidate
    return None


def locate_catalog_dir(explicit: Path | None = None) -> Path:
    """Pick the catalog directory: ``--catalog-dir``, then ``$LLMDECIDE_CATALOG_DIR``, then the packaged one."""
    if explicit is not None:
        chosen, how = explicit, "--catalog-dir"
    elif os.environ.get(CATALOG_DIR_ENV):
        chosen, how = Path(os.environ[CATALOG_DIR_ENV]), f"${CATALOG_DIR_ENV}"
    else:
        packaged = packaged_catalog_dir()
        if packaged is None:
            raise CatalogError("no packaged catalog found; give --catalog-dir or set " + CATALOG_DIR_ENV)
        return packaged
    if not chosen.is_dir():
        raise CatalogError(f"{chosen}: catalog directory given by {how} does not exist")
    if not (chosen / "pricing").is_dir() and not (chosen / "hardware").is_dir():
        raise CatalogError(
            f"{chosen}: not a catalog directory (given by {how})",
            hint="expected 'pricing/' and 'hardware/' folders in it",
        )
    return chosen


def catalog_files(root: Path) -> list[tuple[Path, str]]:
    """Every YAML file of a catalog directory, with its display name, in a stable order."""
    found: list[tuple[Path, str]] = []
    for folder in sorted(EXPECTED_KINDS):
        directory = root / folder
        if not directory.is_dir():
            continue
        for path in sorted(directory.iterdir()):
            if path.is_file() and path.suffix in (".yaml", ".yml"):
                found.append((path, f"{folder}/{path.name}"))
    return found


def parse_catalog_file(path: Path, display: str, *, folder: str | None = None) -> tuple[LoadedFile | None, list[Issue]]:
    """Parse one file into its schema model; ``folder`` checks the kind fits where the file sits."""
    try:
        data = read_yaml_file(path)
    except YamlReadError as exc:
        return None, [Issue(display, "", str(exc))]
    if not isinstance(data, dict):
        return None, [Issue(display, "", f"expected a YAML mapping at the top, got {type(data).__name__}")]
    version = data.get("schema_version")
    if version is None:
        return None, [Issue(display, "schema_version", "required key is missing")]
    if not isinstance(version, int) or isinstance(version, bool) or version not in SUPPORTED_SCHEMA_VERSIONS:
        supported = ", ".join(str(v) for v in SUPPORTED_SCHEMA_VERSIONS)
        hint = (
            "the file is newer than this llmdecide: upgrade llmdecide"
            if isinstance(version, int) and version > max(SUPPORTED_SCHEMA_VERSIONS)
            else "see the README section 'Catalog schema versions' for the upgrade steps"
        )
        return None, [
            Issue(
                display,
                "schema_version",
                f"unsupported schema version {version!r}; this release reads {supported} ({hint})",
            )
        ]
    kind = data.get("kind")
    if kind not in FILE_MODELS:
        kinds = ", ".join(sorted(FILE_MODELS))
        return None, [Issue(display, "kind", f"unknown kind {kind!r}; expected one of {kinds}")]
    if folder is not None and kind not in EXPECTED_KINDS[folder]:
        allowed = " or ".join(EXPECTED_KINDS[folder])
        return None, [Issue(display, "kind", f"a {kind!r} file does not belong in {folder}/ (expected {allowed})")]
    try:
        model = FILE_MODELS[kind].model_validate(data)
    except ValidationError as exc:
        return None, issues_from_validation_error(display, exc)
    return LoadedFile(display, model), []


def parse_catalog_dir(root: Path) -> tuple[list[LoadedFile], list[Issue]]:
    """Parse every file of a catalog directory."""
    loaded: list[LoadedFile] = []
    issues: list[Issue] = []
    for path, display in catalog_files(root):
        folder = display.rsplit("/", 1)[0]
        parsed, problems = parse_catalog_file(path, display, folder=folder)
        issues.extend(problems)
        if parsed is not None:
            loaded.append(parsed)
    return loaded, issues


_PARSER: type[Any] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_MESSAGE_LINE = re.compile(r"^line ([0-9]{1,9})\b")
_COMPLEX = object()
"""The pending key of a mapping whose key is a list or mapping: its value's path is not recorded."""


class _Frame:
    """An open list or mapping while reading events: its key path (None: not recorded), the next list index
    or the pending mapping key (None: the next node is a key)."""

    __slots__ = ("index", "key", "path")

    def __init__(self, path: list[str | int] | None, is_list: bool) -> None:
        self.path = path
        self.index: int | None = 0 if is_list else None
        self.key: object = None


def key_lines(text: str) -> dict[str, int]:
    """The 1-based line of every key path of a YAML document: a mapping value at the line of its key, a list
    item at the line it starts on (``{"models": 3, "models[0]": 4, "models[0].id": 4, ...}``).

    Read from the parser's events only, so nothing is built or expanded, and within the limits files are
    read under (``MAX_YAML_NODES`` values, ``MAX_YAML_DEPTH`` levels): a document the parser stops on, or
    one past a limit, gives the lines read up to there. What sits under a complex (list or mapping) key is
    not recorded.
    """
    lines: dict[str, int] = {}
    stack: list[_Frame] = []
    nodes = 0

    def record(path: list[str | int] | None, event: Any) -> None:
        if path is not None:
            lines.setdefault(key_path(path), event.start_mark.line + 1)

    parser = _PARSER(text)
    try:
        while True:
            event = parser.get_event()
            if isinstance(event, yaml.StreamEndEvent):
                break
            if isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                stack.pop()
                continue
            if not isinstance(event, (yaml.ScalarEvent, yaml.AliasEvent, yaml.CollectionStartEvent)):
                continue
            nodes += 1
            if nodes > MAX_YAML_NODES or len(stack) >= MAX_YAML_DEPTH:
                break
            path: list[str | int] | None = []
            if stack:
                frame = stack[-1]
                if frame.index is not None:  # the next item of a list
                    path = None if frame.path is None else [*frame.path, frame.index]
                    frame.index += 1
                    record(path, event)
                elif frame.key is None:  # a mapping key
                    if isinstance(event, yaml.ScalarEvent):
                        frame.key = event.value
                        record(None if frame.path is None else [*frame.path, event.value], event)
                    else:
                        frame.key = _COMPLEX
                    path = None
                else:  # a mapping value
                    key, frame.key = frame.key, None
                    path = None if frame.path is None or not isinstance(key, str) else [*frame.path, key]
            if isinstance(event, yaml.CollectionStartEvent):
                stack.append(_Frame(path, isinstance(event, yaml.SequenceStartEvent)))
    except yaml.YAMLError:
        pass
    finally:
        parser.dispose()
    return lines


def _prefixes(path: str) -> list[str]:
    """``path`` and every shorter key path it extends, longest first: ``a[0].b``, ``a[0]``, ``a``."""
    cuts = [i for i, ch in enumerate(path) if ch in ".[" and i > 0]
    return [path, *(path[:i] for i in reversed(cuts))]


def line_of(lines: Mapping[str, int], issue: Issue) -> int | None:
    """The line an issue is at: its key path's, else the nearest enclosing key's (a missing key is reported
    at the entry that lacks it), else the line a YAML error names in its message, else ``None``."""
    if issue.path:
        for prefix in _prefixes(issue.path):
            if prefix in lines:
                return lines[prefix]
    found = _MESSAGE_LINE.match(issue.message)
    return int(found.group(1)) if found else None


def locate_issues(issues: Sequence[Issue], sources: Mapping[str, Path]) -> list[Issue]:
    """``issues`` with their ``line`` filled in, reading each file that has an issue once.

    ``sources`` maps the file names the issues are reported under to the files on disk; an issue of a file
    not in it, or of a file that cannot be read, keeps ``line=None`` (or the line its message names).
    """
    cache: dict[str, dict[str, int]] = {}
    out: list[Issue] = []
    for issue in issues:
        if issue.file not in cache:
            cache[issue.file] = _file_lines(sources.get(issue.file))
        out.append(dataclasses.replace(issue, line=line_of(cache[issue.file], issue)))
    return out


def _file_lines(path: Path | None) -> dict[str, int]:
    if path is None:
        return {}
    try:
        text = decode_text(read_input_bytes(path, MAX_YAML_BYTES, "a YAML file"), "YAML")
    except InputReadError:
        return {}
    return key_lines(text)
