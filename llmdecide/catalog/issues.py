"""Problems found in catalog files, reported all at once, one line each."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from pydantic import ValidationError

from llmdecide.yaml_source import key_path


class Severity(StrEnum):
    """How bad a catalog problem is: errors fail validation, warnings only with --strict."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Issue:
    """One problem at one key path of one file."""

    file: str
    path: str
    message: str
    severity: Severity = Severity.ERROR
    line: int | None = field(default=None, compare=False)
    """The 1-based line of the key path in the file, once :func:`~llmdecide.catalog.loader.locate_issues` has
    looked it up (``None`` until then, or when the file or the key cannot be found). Not part of equality."""

    def __str__(self) -> str:
        where = f"{self.file}: {self.path}" if self.path else self.file
        return f"{where}: {self.message}"


def format_loc(loc: Sequence[int | str]) -> str:
    """Render a pydantic location tuple as a key path: ``models[3].prices[0].input_usd_per_mtok``."""
    return key_path(loc)


def issues_from_validation_error(file: str, exc: ValidationError, *, prefix: Sequence[int | str] = ()) -> list[Issue]:
    """Turn every error of a pydantic ValidationError into an :class:`Issue`."""
    out: list[Issue] = []
    for err in exc.errors(include_url=False):
        loc = [*prefix, *(p for p in err["loc"] if not _is_union_tag(p))]
        message = _message(err)
        out.append(Issue(file, format_loc(loc), message))
    return out


def _is_union_tag(part: object) -> bool:
    # pydantic inserts the tag of a tagged union ('function-after[...]', 'literal[...]') in loc
    return isinstance(part, str) and ("[" in part and part.endswith("]"))


def _message(err: object) -> str:
    assert isinstance(err, dict)
    kind = err.get("type", "")
    msg = str(err.get("msg", "invalid value"))
    if kind == "extra_forbidden":
        return "unknown key (not part of the schema; check the spelling)"
    if kind == "missing":
        return "required key is missing"
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, ") :]
    given = err.get("input")
    if kind not in ("missing",) and isinstance(given, (str, int, float, bool)) and len(str(given)) <= 40:
        return f"{msg[0].lower()}{msg[1:]} (got {given!r})"
    return f"{msg[0].lower()}{msg[1:]}"


def count(issues: Iterable[Issue], severity: Severity) -> int:
    """How many issues have this severity."""
    return sum(1 for i in issues if i.severity is severity)
