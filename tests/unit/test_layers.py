"""Imports point one way.

cli -> api -> report -> assessment, usage_import -> scoring -> options -> costing -> capacity -> demand
-> catalog, workload -> errors, units.

Domain layers never import typer, rich or jinja2.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).parent.parent.parent / "llmdecide"
RANK = {
    "errors": 0,
    "units": 0,
    "yaml_source": 0,
    "limits": 0,
    "input_files": 0,
    "progress": 0,
    "catalog": 1,
    "workload": 1,
    "demand": 2,
    "capacity": 3,
    "costing": 4,
    "options": 5,
    "scoring": 6,
    "assessment": 7,
    "usage_import": 7,
    "report": 8,
    "api": 9,
    "cli": 10,
}
UI_LIBRARIES = {"typer", "rich", "jinja2", "click"}


def _layer(module: str) -> str:
    return module.split(".")[1] if module.count(".") >= 1 else module


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text())
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.append(node.module)
    return found


FILES = sorted(p for p in PACKAGE.rglob("*.py") if p.name != "__main__.py")


@pytest.mark.parametrize("path", FILES, ids=[str(p.relative_to(PACKAGE)) for p in FILES])
def test_imports_point_down(path: Path) -> None:
    relative = path.relative_to(PACKAGE)
    own = relative.parts[0].removesuffix(".py")
    if own not in RANK:
        return
    for module in _imports(path):
        top = module.split(".")[0]
        if own not in ("cli", "report", "api"):
            assert top not in UI_LIBRARIES, f"{relative} imports {module}"
        if top == "llmdecide" and "." in module:
            other = _layer(module)
            if other in RANK:
                assert RANK[other] <= RANK[own], f"{relative} ({own}) imports {module} ({other})"


def test_every_module_belongs_to_a_layer() -> None:
    """A new top-level package or module must be placed in the layer order, not slip past the check."""
    tops = {p.relative_to(PACKAGE).parts[0].removesuffix(".py") for p in FILES}
    assert tops - {"__init__"} <= set(RANK), sorted(tops - set(RANK) - {"__init__"})
