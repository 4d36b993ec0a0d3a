"""The JSON Schema of the workload file, as editors' YAML language servers read it.

A language server reads YAML 1.2 with a JSON Schema: to it ``20_000`` is a string, while llmdecide
reads it as the number 20,000 (``yaml_source``). So every number in the schema also admits a string of
digits with ``_`` between them, and the schema accepts what the tool accepts.
"""

from __future__ import annotations

from typing import Any

UNDERSCORE_NUMBER = r"^(?=[^_]*[0-9]_)[-+]?(?:\.[0-9][0-9_]*|[0-9][0-9_]*(?:\.[0-9_]*)?)(?:[eE][-+]?[0-9]+)?$"
"""A number written with ``_`` between digits (``20_000``, ``1_000.5``), which llmdecide reads as a number and
a YAML 1.2 language server as a string."""
NUMBER_KEYWORDS = ("type", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf")


def _with_underscores(node: Any) -> Any:
    if isinstance(node, list):
        return [_with_underscores(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: _with_underscores(value) for key, value in node.items()}
    if out.get("type") in ("number", "integer"):
        number = {key: out.pop(key) for key in NUMBER_KEYWORDS if key in out}
        written = {
            "type": "string",
            "pattern": UNDERSCORE_NUMBER,
            "description": "a number written with _ between digits, e.g. 20_000",
        }
        out["anyOf"] = [number, written]
    return out


def workload_json_schema() -> dict[str, Any]:
    """The workload file's JSON Schema (draft 2020-12), numbers admitting the ``20_000`` form."""
    from llmdecide.workload.schema import Workload

    schema: dict[str, Any] = _with_underscores(Workload.model_json_schema())
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "llmdecide workload file"
    return schema
