"""Settings from ``llmdecide.toml`` / ``[tool.llmdecide]`` and ``LLMDECIDE_*``: flag > environment > file > default."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from llmdecide.cli import app
from llmdecide.errors import ExitCode

runner = CliRunner()

WORKLOAD = """\
schema_version: 1
name: settings test
horizon_months: 12
segments:
  - name: chat
    requests_per_day: 20000
    input_tokens: 800
    output_tokens: 200
    pattern: steady_high
candidates:
  cloud_models: [openai/gpt-4o]
"""
OVERLAY = (
    "schema_version: 1\nkind: overlay\nversion: acme-1\nas_of: 2025-01-01\napi_discounts:\n"
    "  - {models: ['openai/*'], discount: 0.25, source: 'Acme MSA 2025', checked: 2025-01-01}\n"
)


@pytest.fixture(autouse=True)
def _look_for_files(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LLMDECIDE_CONFIG")


@pytest.fixture
def project(tmp_path: Path, test_catalog: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repository with a catalog copy, an overlay and a workload one folder down; the current directory."""
    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True)
    shutil.copytree(test_catalog, root / "cat")
    (root / "contract.yaml").write_text(OVERLAY)
    (root / "workloads").mkdir()
    (root / "workloads" / "chat.yaml").write_text(WORKLOAD)
    monkeypatch.chdir(root)
    return root


def invoke(*args: str, env: dict[str, str] | None = None) -> Any:
    return runner.invoke(app, list(args), env=env)


def shown(*args: str, env: dict[str, str] | None = None) -> dict[str, Any]:
    result = invoke("config", *args, "-f", "json", env=env)
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def test_defaults_without_a_file(project: Path) -> None:
    data = shown("workloads/chat.yaml")
    assert data["settings_file"] is None
    assert {k: v["from"] for k, v in data["settings"].items()} == dict.fromkeys(data["settings"], "default")


def test_llmdecide_toml_sets_catalog_format_output_and_overlays(project: Path) -> None:
    (project / "llmdecide.toml").write_text(
        'catalog_dir = "cat"\noverlays = ["contract.yaml"]\nformat = "json"\noutput = "reports/{workload}.json"\n'
    )
    (project / "reports").mkdir()
    result = invoke("assess", "workloads/chat.yaml")
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    report = json.loads((project / "reports" / "chat.json").read_text())
    assert any(c["id"] == "contract.yaml" for c in report["catalogs"])  # the overlay was applied
    data = shown("workloads/chat.yaml")
    assert data["settings_file"] == "llmdecide.toml"
    assert data["settings"]["output"]["value"] == os.path.join("reports", "chat.json")
    assert {v["from"] for v in data["settings"].values()} == {"llmdecide.toml"}


def test_pyproject_table_is_read_and_paths_are_relative_to_it(project: Path) -> None:
    (project / "pyproject.toml").write_text('[project]\nname = "x"\n\n[tool.llmdecide]\ncatalog_dir = "cat"\n')
    os.chdir(project / "workloads")
    data = shown("chat.yaml")
    assert data["settings_file"] == os.path.join("..", "pyproject.toml")
    assert data["settings"]["catalog_dir"] == {
        "value": os.path.join("..", "cat"),
        "from": os.path.join("..", "pyproject.toml"),
        "env": "LLMDECIDE_CATALOG_DIR",
        "flag": "--catalog-dir",
    }


def test_llmdecide_toml_comes_before_pyproject_and_a_pyproject_without_the_table_is_passed_over(project: Path) -> None:
    (project / "workloads" / "pyproject.toml").write_text('[project]\nname = "x"\n')
    (project / "pyproject.toml").write_text('[tool.llmdecide]\nformat = "markdown"\n')
    (project / "llmdecide.toml").write_text('format = "json"\n')
    assert shown("workloads/chat.yaml")["settings"]["format"]["from"] == "llmdecide.toml"


def test_the_search_stops_at_the_repository_root(project: Path) -> None:
    (project.parent / "llmdecide.toml").write_text('format = "json"\n')  # above .git: not this project's
    assert shown("workloads/chat.yaml")["settings_file"] is None


def test_precedence_flag_over_environment_over_file(project: Path, test_catalog: Path) -> None:
    (project / "llmdecide.toml").write_text('format = "json"\noverlays = ["contract.yaml"]\n')
    assert shown("workloads/chat.yaml")["settings"]["format"] == {
        "value": "json",
        "from": "llmdecide.toml",
        "env": "LLMDECIDE_FORMAT",
        "flag": "--format",
    }
    env = {"LLMDECIDE_FORMAT": "markdown", "LLMDECIDE_CATALOG_DIR": str(test_catalog)}
    data = shown("workloads/chat.yaml", env=env)
    assert data["settings"]["format"]["from"] == "$LLMDECIDE_FORMAT"
    assert data["settings"]["catalog_dir"]["from"] == "$LLMDECIDE_CATALOG_DIR"
    assert data["settings"]["overlays"]["from"] == "llmdecide.toml"
    markdown = invoke("assess", "workloads/chat.yaml", env=env)
    assert markdown.exit_code == 0 and markdown.stdout.startswith("#"), markdown.output
    table = invoke("assess", "workloads/chat.yaml", "-f", "table", env=env)
    assert table.exit_code == 0 and not table.stdout.startswith(("#", "{")), table.output
    flag = shown("workloads/chat.yaml", "--catalog-dir", "cat", env=env)
    assert flag["settings"]["catalog_dir"] == {
        "value": "cat",
        "from": "--catalog-dir",
        "env": "LLMDECIDE_CATALOG_DIR",
        "flag": "--catalog-dir",
    }


def test_overlays_from_the_environment_and_the_flag(project: Path, test_catalog: Path) -> None:
    (project / "second.yaml").write_text(OVERLAY.replace("acme-1", "acme-2"))
    env = {"LLMDECIDE_OVERLAYS": os.pathsep.join(["contract.yaml", "second.yaml"])}
    data = shown("--catalog-dir", "cat", env=env)
    assert data["settings"]["overlays"]["value"] == "contract.yaml, second.yaml"
    assert data["settings"]["overlays"]["from"] == "$LLMDECIDE_OVERLAYS"
    flag = shown("--catalog-dir", "cat", "--overlay", "second.yaml", env=env)
    assert flag["settings"]["overlays"]["value"] == "second.yaml"
    assert flag["settings"]["overlays"]["from"] == "--overlay"


def test_output_dash_on_the_command_line_overrides_a_file_output(project: Path) -> None:
    (project / "llmdecide.toml").write_text('catalog_dir = "cat"\nformat = "json"\noutput = "out.json"\n')
    result = invoke("assess", "workloads/chat.yaml", "-o", "-")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["recommendation"]["decision"]
    assert not (project / "out.json").exists()


def test_capacity_reads_the_catalog_dir_setting(project: Path) -> None:
    (project / "llmdecide.toml").write_text('catalog_dir = "cat"\n')
    result = invoke("capacity", "-m", "llama-3.1-8b", "-g", "h100-sxm", "-f", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["accelerator"]


def test_llmdecide_config_names_a_file_or_none(project: Path, tmp_path: Path) -> None:
    (project / "llmdecide.toml").write_text('format = "json"\n')
    other = tmp_path / "elsewhere.toml"
    other.write_text('format = "markdown"\n')
    assert shown(env={"LLMDECIDE_CONFIG": str(other)})["settings"]["format"]["value"] == "markdown"
    assert shown(env={"LLMDECIDE_CONFIG": "none"})["settings_file"] is None
    missing = invoke("config", env={"LLMDECIDE_CONFIG": str(tmp_path / "nope.toml")})
    assert missing.exit_code == ExitCode.INPUT_ERROR and "$LLMDECIDE_CONFIG: no such settings file" in missing.stderr


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('formt = "json"\n', "llmdecide.toml: formt: unknown setting; did you mean 'format'?"),
        ("format = 3\n", "llmdecide.toml: format: expected a non-empty string, got int 3"),
        ('format = "pdf"\n', "llmdecide.toml: format: expected one of table, json, markdown"),
        ('overlays = "a.yaml"\n', "llmdecide.toml: overlays: expected a list of file paths (strings)"),
        ('catalog_dir = "nowhere"\n', "llmdecide.toml: catalog_dir: no such directory 'nowhere'"),
        ('format = "json\n', "llmdecide.toml: not valid TOML"),
        ("\x00\x01binary", "llmdecide.toml: "),
        ("", None),
    ],
)
def test_a_bad_settings_file_is_one_line_and_exit_3(project: Path, text: str, message: str | None) -> None:
    (project / "llmdecide.toml").write_text(text)
    result = invoke("assess", "workloads/chat.yaml")
    if message is None:  # an empty file sets nothing
        assert result.exit_code in (0, ExitCode.CATALOG_ERROR, ExitCode.UNKNOWN_ID), result.output
        return
    assert result.exit_code == ExitCode.INPUT_ERROR, result.output
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"llmdecide: error: {message}"), result.stderr


def test_pyproject_errors_name_the_table(project: Path) -> None:
    (project / "pyproject.toml").write_text('[tool.llmdecide]\noutptu = "x"\n')
    result = invoke("config")
    assert result.exit_code == ExitCode.INPUT_ERROR
    assert "pyproject.toml: tool.llmdecide.outptu: unknown setting; did you mean 'output'?" in result.stderr


def test_a_bad_environment_value_is_a_usage_error(project: Path) -> None:
    result = invoke("assess", "workloads/chat.yaml", env={"LLMDECIDE_FORMAT": "pdf"})
    assert result.exit_code == ExitCode.USAGE
    assert "$LLMDECIDE_FORMAT" in result.output


@pytest.mark.parametrize(
    "args",
    [["catalog", "list", "models"], ["catalog", "show", "llama-3.1-8b"], ["catalog", "stats"], ["catalog", "validate"]],
)
def test_catalog_commands_read_the_catalog_dir_setting(project: Path, args: list[str]) -> None:
    (project / "cat" / "pricing" / "api" / "broken.yaml").write_text("schema_version: 1\nkind: api-prices\n")
    (project / "llmdecide.toml").write_text('catalog_dir = "cat"\n')
    result = invoke(*args)
    assert result.exit_code != 0 and "broken.yaml" in result.output  # the settings' catalog was read
    (project / "llmdecide.toml").write_text("")
    assert invoke(*args).exit_code == 0  # the packaged catalog
