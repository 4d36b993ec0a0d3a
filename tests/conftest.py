"""Shared fixtures: the frozen test catalog and a way to plant a fault in a copy of it."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

DATA = Path(__file__).parent / "data"
TEST_CATALOG = DATA / "catalog"
REPO = Path(__file__).parent.parent

Mutator = Callable[[dict[str, Any]], None]


@pytest.fixture(autouse=True)
def _no_terminal_width(monkeypatch: pytest.MonkeyPatch) -> None:
    """Table output follows COLUMNS; the tests read it at the piped width, whatever terminal runs them."""
    monkeypatch.delenv("COLUMNS", raising=False)


@pytest.fixture(autouse=True)
def _no_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    """No settings file or LLMDECIDE_* variable of the machine running the tests reaches them; the settings tests
    set what they test."""
    monkeypatch.setenv("LLMDECIDE_CONFIG", "none")
    for name in ("LLMDECIDE_CATALOG_DIR", "LLMDECIDE_OVERLAYS", "LLMDECIDE_FORMAT", "LLMDECIDE_OUTPUT"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def test_catalog() -> Path:
    """The frozen test catalog (read only)."""
    return TEST_CATALOG


@pytest.fixture
def catalog_copy(tmp_path: Path) -> Path:
    """A writable copy of the test catalog."""
    target = tmp_path / "catalog"
    shutil.copytree(TEST_CATALOG, target)
    return target


def plant(root: Path, relative: str, mutate: Mutator) -> Path:
    """Load one YAML file of a catalog copy, let ``mutate`` change it, write it back."""
    path = root / relative
    data = yaml.safe_load(path.read_text())
    mutate(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


@pytest.fixture
def planted(catalog_copy: Path) -> Callable[[str, Mutator], Path]:
    """Plant a fault in the catalog copy: ``planted('pricing/api/openai.yaml', fn)`` returns the root."""

    def _plant(relative: str, mutate: Mutator) -> Path:
        plant(catalog_copy, relative, mutate)
        return catalog_copy

    return _plant


@pytest.fixture
def input_error(tmp_path: Path) -> Callable[[dict[str, Any]], str]:
    """Assess a workload (given as data) on the test catalog, expect exit 3 with one line, return that line."""
    from typer.testing import CliRunner

    from llmdecide.cli import app
    from llmdecide.errors import ExitCode

    def _run(workload: dict[str, Any]) -> str:
        path = tmp_path / "w.yaml"
        path.write_text(yaml.safe_dump(workload))
        result = CliRunner().invoke(app, ["assess", str(path), "--catalog-dir", str(TEST_CATALOG)])
        assert result.exit_code == ExitCode.INPUT_ERROR, result.output
        message = result.output.strip()
        assert "Traceback" not in message and len(message.splitlines()) == 1
        return message

    return _run


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden", action="store_true", default=False, help="rewrite golden reports instead of comparing"
    )


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    """Whether golden files are to be rewritten."""
    return bool(request.config.getoption("--update-golden"))
