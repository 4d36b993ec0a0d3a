"""Reading YAML the safe way: no tags, no aliases, no duplicate keys.

Catalogs and workload files are data from outside. The safe loader already
refuses ``!!python/object`` tags; on top of that this module refuses aliases
(the "billion laughs" alias bomb is refused before anything is expanded) and
duplicate mapping keys (which PyYAML would silently let the last one win), and
it reports empty and binary files as such instead of as ``None`` or a parse error.
"""

from __future__ import annotations

import contextlib
import re
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import ConstructorError
from yaml.nodes import MappingNode, Node

MAX_FILE_BYTES = 16 * 1024 * 1024
"""Files above this size are refused rather than parsed."""


class YamlReadError(Exception):
    """A file that is not usable YAML; ``str()`` is a one-line reason."""


class _NoDuplicateKeys:
    """Constructor mixin: a mapping that repeats a key is an error, not last-one-wins."""

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)  # type: ignore[attr-defined]
            try:
                duplicate = key in seen
            except TypeError:
                duplicate = False
            if duplicate:
                raise YamlReadError(f"line {key_node.start_mark.line + 1}: duplicate key {key!r}")
            with contextlib.suppress(TypeError):
                seen.add(key)
        return super().construct_mapping(node, deep=deep)  # type: ignore[misc,no-any-return]


_BASE: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's parser when PyYAML was built with it (several times faster), else the pure-Python one."""


class _StrictSafeLoader(_NoDuplicateKeys, _BASE):  # type: ignore[misc,valid-type]
    """Safe loader that refuses duplicate keys; aliases are refused after composing (see below)."""


_StrictSafeLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?[0-9][0-9_]*(?:\.[0-9_]*)?[eE][-+]?[0-9]+$"),
    list("-+0123456789"),
)
"""YAML 1.1 reads 1e6 as a string; numbers in scientific notation without a dot are floats here."""


def _refuse_aliases(root: Node) -> None:
    """An alias makes the composed graph share a node; plain data never does. Refuse the first one."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            raise YamlReadError(f"line {node.start_mark.line + 1}: YAML anchors and aliases are not allowed")
        seen.add(id(node))
        if isinstance(node, MappingNode):
            for key, value in node.value:
                stack += [key, value]
        elif isinstance(node.value, list):
            stack += node.value


def parse_yaml_text(text: str) -> Any:
    """Parse YAML text with the strict safe loader; raise :class:`YamlReadError`."""
    loader = _StrictSafeLoader(text)
    try:
        root = loader.get_single_node()
        if root is None:
            return None
        _refuse_aliases(root)
        return loader.construct_document(root)
    except YamlReadError:
        raise
    except ConstructorError as exc:
        mark = exc.problem_mark
        where = f"line {mark.line + 1}: " if mark is not None else ""
        raise YamlReadError(f"{where}{exc.problem or 'unsupported YAML'} (only plain YAML data is allowed)") from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
        raise YamlReadError(f"{where}malformed YAML: {exc.problem}") from None
    except yaml.YAMLError as exc:
        raise YamlReadError(f"malformed YAML: {exc}") from None
    finally:
        loader.dispose()


def read_yaml_file(path: Path) -> Any:
    """Read and parse one YAML file; raise :class:`YamlReadError` with a one-line reason."""
    try:
        if path.is_dir():
            raise YamlReadError("is a directory, expected a YAML file")
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise YamlReadError(f"file is {size} bytes, larger than the {MAX_FILE_BYTES}-byte limit")
        raw = path.read_bytes()
    except FileNotFoundError:
        raise YamlReadError("no such file") from None
    except PermissionError:
        raise YamlReadError("permission denied") from None
    except OSError as exc:
        raise YamlReadError(f"cannot read: {exc.strerror or exc}") from None
    if b"\x00" in raw:
        raise YamlReadError("binary file, expected YAML text")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise YamlReadError(f"not UTF-8 text (byte {exc.start}), expected YAML") from None
    if not text.strip() or all(not line.strip() or line.lstrip().startswith("#") for line in text.splitlines()):
        raise YamlReadError("file is empty, expected a YAML mapping")
    data = parse_yaml_text(text)
    if data is None:
        raise YamlReadError("file is empty, expected a YAML mapping")
    return data
