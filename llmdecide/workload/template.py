"""The commented workload template ``llmdecide init`` writes, generated from the schema's field descriptions.

Every field appears with its description as a comment. Required fields get an
example value; optional fields show their default, or are commented out when
they have none, so the template parses as a valid workload as it stands.
"""

from __future__ import annotations

import json
from enum import Enum
from typing import Any

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from llmdecide.workload.schema import Segment, Workload

EXAMPLES: dict[str, Any] = {
    "schema_version": 1,
    "name": "My workload",
    "segments": [{"name": "chat", "requests_per_day": 1000, "input_tokens": 500, "output_tokens": 200}],
}
"""Values for the required fields, so the template is a runnable workload."""

SEGMENT_EXAMPLE: dict[str, Any] = EXAMPLES["segments"][0]


def _scalar(value: Any) -> str:
    if isinstance(value, Enum):
        value = value.value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value) if (not value or any(c in value for c in ":#{}[],&*!|>'\"%@`")) else value
    if isinstance(value, list):
        return "[" + ", ".join(_scalar(v) for v in value) + "]"
    return str(value)


def _default(info: FieldInfo) -> tuple[bool, Any]:
    """(has a usable default, the default)."""
    if info.default_factory is not None:
        return True, info.default_factory()  # type: ignore[call-arg]
    if info.is_required():
        return False, None
    return True, info.default


def _lines(model: type[BaseModel], indent: str, examples: dict[str, Any]) -> list[str]:
    out: list[str] = []
    for name, info in model.model_fields.items():
        desc = info.description or ""
        annotation = info.annotation
        out.append(f"{indent}# {desc}")
        if name in examples and not isinstance(examples[name], list):
            out.append(f"{indent}{name}: {_scalar(examples[name])}")
            continue
        if name == "segments":
            out.append(f"{indent}{name}:")
            out += _segment_lines(indent + "  ")
            continue
        has_default, default = _default(info)
        if isinstance(default, BaseModel):
            children = _lines(type(default), indent + "  ", {})
            every_child_optional = all(line.strip().startswith("#") for line in children)
            out.append(f"{indent}{'# ' if every_child_optional else ''}{name}:")
            out += children
            continue
        if isinstance(annotation, type) and issubclass(annotation, BaseModel) and not has_default:
            out.append(f"{indent}{name}:")
            out += _lines(annotation, indent + "  ", {})
            continue
        if has_default and default is not None:
            if isinstance(default, list) and default and isinstance(default[0], BaseModel):
                out.append(f"{indent}# {name}: []")
            else:
                out.append(f"{indent}{name}: {_scalar(default)}")
        else:
            out.append(f"{indent}# {name}:")
    return out


def _segment_lines(indent: str) -> list[str]:
    lines = _lines(Segment, indent + "  ", SEGMENT_EXAMPLE)
    first = next(i for i, line in enumerate(lines) if not line.strip().startswith("#"))
    lines[first] = f"{indent}- {lines[first].strip()}"
    return lines


def workload_template() -> str:
    """A commented, valid workload file covering every field."""
    header = [
        "# llmdecide workload file. Every key is described above it; commented-out keys are optional.",
        "# Check it with: llmdecide assess THIS_FILE",
    ]
    return "\n".join(header + _lines(Workload, "", EXAMPLES)) + "\n"
