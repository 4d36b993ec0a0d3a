"""Reading YAML as people mean it, and nothing more: plain data, YAML 1.2 scalars, bounded size.

Catalogs and workload files are data from outside. This module builds Python values straight from
the parser's events (never PyYAML's constructors), so:

- scalars follow the YAML 1.2 core schema: ``0700`` is 700 (never octal 448), ``16:40`` is text
  (never sexagesimal 1,000), ``yes``/``no``/``on``/``off`` are text, dates are text that the schema
  then reads as ISO dates (an impossible date is a schema error with its key); ``1e6`` and
  ``20_000`` are numbers;
- explicit tags are refused except the standard ``!!str``, ``!!int``, ``!!float``, ``!!bool`` and
  ``!!null`` (whose value must then be what the tag says), ``!!seq`` and ``!!map``;
- aliases are refused before anything is expanded (no "billion laughs"), duplicate keys are errors
  (PyYAML would let the last one win), keys must be plain scalars, one document per file;
- nesting depth, the number of values, a value's length and a number's digits are limited
  (``limits.py``), checked as the events arrive, so a hostile file costs little before it is refused;
- empty and binary files are reported as such, and only regular files are read (``input_files.py``).

Every error is one line that names the line and the key path.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from llmdecide.input_files import InputReadError, decode_text, read_input_bytes
from llmdecide.limits import (
    MAX_NUMBER_DIGITS,
    MAX_SCALAR_CHARS,
    MAX_YAML_BYTES,
    MAX_YAML_DEPTH,
    MAX_YAML_NODES,
    shorten,
)

MAX_FILE_BYTES = MAX_YAML_BYTES
"""Files above this size are refused rather than parsed."""


class YamlReadError(Exception):
    """A file that is not usable YAML; ``str()`` is a one-line reason."""


_PARSER: type[Any] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's parser when PyYAML was built with it (several times faster), else the pure-Python one. Only
its event stream is used."""

_TAG = "tag:yaml.org,2002:"
_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")
_BOOL = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
_INT = re.compile(r"^[-+]?(?:[0-9][0-9_]*|0o[0-7_]+|0x[0-9a-fA-F_]+)$")
_FLOAT = re.compile(r"^[-+]?(?:\.[0-9][0-9_]*|[0-9][0-9_]*(?:\.[0-9_]*)?)(?:[eE][-+]?[0-9]+)?$")
_SPECIAL_FLOAT = re.compile(r"^(?:[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$")
_ALLOWED_TAGS = {f"{_TAG}{t}" for t in ("str", "int", "float", "bool", "null", "seq", "map")} | {"!"}


def _short_tag(tag: str) -> str:
    return "!!" + tag[len(_TAG) :] if tag.startswith(_TAG) else tag


def key_path(path: Sequence[str | int]) -> str:
    """A key path as every message writes it: ``models[3].prices[0].input_usd_per_mtok``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out


class _Builder:
    """Python values from a YAML event stream, with every check of the module docstring."""

    def __init__(self) -> None:
        self.nodes = 0
        # one frame per open container: (container, key path of the container, pending key or None)
        self.stack: list[list[Any]] = []
        self.root: Any = None
        self.done = False

    def fail(self, event: Any, what: str, extra: str | int | None = None) -> YamlReadError:
        path = [frame[1] for frame in self.stack]
        if extra is not None:
            path.append(extra)
        where = shorten(key_path([p for p in path if p is not None]), 120)
        mark = getattr(event, "start_mark", None)
        line = f"line {mark.line + 1}: " if mark is not None else ""
        return YamlReadError(f"{line}{where + ': ' if where else ''}{what}")

    def _slot(self) -> str | int | None:
        """The key (mapping) or index (list) the next value will take, for paths."""
        if not self.stack:
            return None
        container, _, key = self.stack[-1]
        if isinstance(container, list):
            return len(container)
        return str(key.key) if isinstance(key, _Pending) else None

    def _count(self, event: Any) -> None:
        self.nodes += 1
        if self.nodes > MAX_YAML_NODES:
            raise self.fail(event, f"more than {MAX_YAML_NODES:,} values in one file (the limit)")

    def _check_tag(self, event: Any, allowed: set[str]) -> None:
        tag = event.tag
        if tag is not None and tag not in allowed:
            raise self.fail(
                event,
                f"the tag {shorten(_short_tag(tag))} is not allowed (only plain YAML data: text, numbers, "
                "true/false, lists and mappings)",
                self._slot(),
            )

    def scalar(self, event: Any) -> Any:
        self._count(event)
        value: str = event.value
        if len(value) > MAX_SCALAR_CHARS:
            raise self.fail(
                event, f"a value of {len(value):,} characters (the limit is {MAX_SCALAR_CHARS:,})", self._slot()
            )
        tag = event.tag
        self._check_tag(event, _ALLOWED_TAGS - {f"{_TAG}seq", f"{_TAG}map"})
        if tag is None:
            if not event.implicit[0]:
                return value  # quoted: always text
            return self._plain(event, value)
        if tag in ("!", f"{_TAG}str"):
            return value
        kind = tag[len(_TAG) :]
        parsed = self._plain(event, value)
        ok = {
            "int": isinstance(parsed, int) and not isinstance(parsed, bool),
            "float": isinstance(parsed, (int, float)) and not isinstance(parsed, bool),
            "bool": isinstance(parsed, bool),
            "null": parsed is None,
        }[kind]
        if not ok:
            raise self.fail(event, f"{_short_tag(tag)} {shorten(value)!r} is not a valid {kind}", self._slot())
        return float(parsed) if kind == "float" else parsed

    def _plain(self, event: Any, value: str) -> Any:
        if _NULL.match(value):
            return None
        if _BOOL.match(value):
            return value.lower() == "true"
        if _INT.match(value) or _FLOAT.match(value):
            digits = sum(c.isdigit() for c in value.split("e")[0].split("E")[0])
            if digits > MAX_NUMBER_DIGITS:
                raise self.fail(event, f"a number of {digits} digits (the limit is {MAX_NUMBER_DIGITS})", self._slot())
            text = value.replace("_", "")
            if _INT.match(value):
                body = text.lstrip("+-")
                sign = -1 if text.startswith("-") else 1
                if body.startswith("0o"):
                    return sign * int(body[2:] or "0", 8)
                if body.startswith("0x"):
                    return sign * int(body[2:] or "0", 16)
                return sign * int(body, 10)
            return float(text)
        if _SPECIAL_FLOAT.match(value):
            return float(value.replace(".", ""))
        return value

    def start(self, event: Any, container: Any) -> None:
        self._count(event)
        self._check_tag(event, {f"{_TAG}seq", f"{_TAG}map", "!"} if event.tag is not None else set())
        if len(self.stack) >= MAX_YAML_DEPTH:
            raise self.fail(event, f"lists and mappings nested more than {MAX_YAML_DEPTH} deep (the limit)")
        self.stack.append([container, self._slot(), None])

    def add(self, event: Any, value: Any) -> None:
        if not self.stack:
            self.root = value
            self.done = True
            return
        frame = self.stack[-1]
        container = frame[0]
        if isinstance(container, list):
            container.append(value)
            return
        if frame[2] is None:
            if isinstance(value, (dict, list)):
                raise self.fail(event, "a mapping key must be plain text or a number, not a list or mapping")
            if value is None:
                raise self.fail(event, "a mapping key is empty (null)")
            if value in container:
                raise self.fail(event, f"duplicate key {shorten(str(value))!r}")
            frame[2] = _Pending(value)
            return
        key = frame[2].key
        container[key] = value
        frame[2] = None

    def end(self, event: Any) -> None:
        container, _, _ = self.stack.pop()
        self.add(event, container)


class _Pending:
    """A mapping key read, its value not yet."""

    __slots__ = ("key",)

    def __init__(self, key: Any) -> None:
        self.key = key


def parse_yaml_text(text: str) -> Any:
    """Parse YAML text into plain Python data (see the module docstring); raise :class:`YamlReadError`."""
    parser = _PARSER(text)
    builder = _Builder()
    try:
        while True:
            event = parser.get_event()
            if isinstance(event, yaml.ScalarEvent):
                if builder.done:
                    raise builder.fail(event, "more than one YAML document in the file")
                builder.add(event, builder.scalar(event))
            elif isinstance(event, yaml.MappingStartEvent):
                if builder.done:
                    raise builder.fail(event, "more than one YAML document in the file")
                builder.start(event, {})
            elif isinstance(event, yaml.SequenceStartEvent):
                if builder.done:
                    raise builder.fail(event, "more than one YAML document in the file")
                builder.start(event, [])
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                builder.end(event)
            elif isinstance(event, yaml.AliasEvent):
                raise builder.fail(event, "YAML anchors and aliases are not allowed", builder._slot())
            elif isinstance(event, yaml.DocumentStartEvent) and builder.done:
                raise builder.fail(event, "more than one YAML document in the file")
            elif isinstance(event, yaml.StreamEndEvent):
                break
    except YamlReadError:
        raise
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
        raise YamlReadError(f"{where}malformed YAML: {exc.problem}") from None
    except yaml.YAMLError as exc:
        raise YamlReadError(f"malformed YAML: {shorten(str(exc))}") from None
    except (ValueError, OverflowError) as exc:  # a number Python cannot represent
        raise YamlReadError(f"unreadable value: {shorten(str(exc))}") from None
    finally:
        parser.dispose()
    return builder.root


def read_yaml_file(path: Path) -> Any:
    """Read and parse one YAML file; raise :class:`YamlReadError` with a one-line reason."""
    try:
        raw = read_input_bytes(path, MAX_YAML_BYTES, "a YAML file")
        text = decode_text(raw, "YAML")
    except InputReadError as exc:
        raise YamlReadError(str(exc)) from None
    if not text.strip() or all(not line.strip() or line.lstrip().startswith("#") for line in text.splitlines()):
        raise YamlReadError("file is empty, expected a YAML mapping")
    data = parse_yaml_text(text)
    if data is None:
        raise YamlReadError("file is empty, expected a YAML mapping")
    return data
