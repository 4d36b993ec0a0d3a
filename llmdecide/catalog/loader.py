"""Finding catalog directories and parsing their files into schema models.

Parsing never stops at the first problem: every file is read, and every
problem found is returned as an :class:`Issue`, so ``catalog validate`` can
report them all at once.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from llmdecide.catalog.issues import Issue, issues_from_validation_error
from llmdecide.catalog.schema import FILE_MODELS, SUPPORTED_SCHEMA_VERSIONS, CatalogHeader
from llmdecide.errors import CatalogError
from llmdecide.yaml_source import YamlReadError, read_yaml_file

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
