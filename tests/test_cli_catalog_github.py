"""``catalog validate`` and ``catalog diff`` in Markdown and in the ``github`` format (comment body and annotations)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from llmdecide.cli import app
from llmdecide.errors import ExitCode
from llmdecide.report.github import COMMENT_MARKER

runner = CliRunner()


def run(*args: str | Path) -> Any:
    return runner.invoke(app, [str(a) for a in args])


def _line_of(path: Path, text: str) -> int:
    [n] = [n for n, line in enumerate(path.read_text().splitlines(), 1) if text in line]
    return n


@pytest.fixture
def cheap_output(catalog_copy: Path) -> tuple[Path, int]:
    """A catalog copy whose gpt-4 output price is below its input price: a warning, at a known line."""
    path = catalog_copy / "pricing/api/openai.yaml"
    path.write_text(path.read_text().replace("output_usd_per_mtok: 60.0", "output_usd_per_mtok: 20.0", 1))
    return catalog_copy, _line_of(path, "output_usd_per_mtok: 20.0")


def test_validate_markdown_prints_a_summary_and_a_table(cheap_output: tuple[Path, int]) -> None:
    root, line = cheap_output
    result = run("catalog", "validate", root, "-f", "markdown")
    assert result.exit_code == ExitCode.OK, result.output
    out = result.stdout
    assert out.startswith("## Catalog validation: OK\n\n0 errors, 1 warnings; ")
    assert "| severity | file | line | key path | message |" in out
    assert (
        f"| warning | pricing/api/openai.yaml | {line} | models[0].prices[0].output_usd_per_mtok | "
        "output is cheaper than input (unusual; check the source) |"
    ) in out
    assert result.stderr == ""
    clean = run("catalog", "validate", "--catalog-dir", root.parent / "nowhere", "-f", "markdown")
    assert clean.exit_code == ExitCode.CATALOG_ERROR and clean.stdout == ""


def test_validate_markdown_on_a_clean_catalog(test_catalog: Path) -> None:
    result = run("catalog", "validate", test_catalog, "-f", "markdown")
    assert result.exit_code == ExitCode.OK
    assert result.stdout.startswith("## Catalog validation: OK\n") and result.stdout.endswith("No problems found.\n")


def test_validate_github_writes_the_comment_body_and_annotations(cheap_output: tuple[Path, int]) -> None:
    root, line = cheap_output
    result = run("catalog", "validate", root, "--strict", "--format", "github")
    assert result.exit_code == ExitCode.CHECK_FAILED  # --strict keeps failing on warnings
    assert result.stdout.splitlines()[0] == COMMENT_MARKER
    assert "## Catalog validation: FAILED" in result.stdout
    assert "Warnings fail validation here (`--strict`)." in result.stdout
    assert result.stderr.splitlines() == [
        f"::warning file=pricing/api/openai.yaml,line={line},title=models[0].prices[0].output_usd_per_mtok"
        "::output is cheaper than input (unusual; check the source)"
    ]
    lenient = run("catalog", "validate", root, "--format", "github")
    assert lenient.exit_code == ExitCode.OK and "## Catalog validation: OK" in lenient.stdout


def test_validate_github_errors_are_error_annotations(catalog_copy: Path) -> None:
    path = catalog_copy / "hardware/models.yaml"
    path.write_text(path.read_text() + "unexpected: 1\n")
    at = len(path.read_text().splitlines())
    result = run("catalog", "validate", catalog_copy, "-f", "github")
    assert result.exit_code == ExitCode.CHECK_FAILED
    assert f"::error file=hardware/models.yaml,line={at},title=unexpected::unknown key" in result.stderr
    assert "::" not in result.stdout


def test_validate_json_carries_the_line(cheap_output: tuple[Path, int]) -> None:
    root, line = cheap_output
    payload = json.loads(run("catalog", "validate", root, "-f", "json").stdout)
    assert payload["warnings"][0]["line"] == line


def test_a_single_edited_file_is_annotated_where_it_is(test_catalog: Path, tmp_path: Path) -> None:
    edited = tmp_path / "pricing" / "api" / "openai.yaml"
    edited.parent.mkdir(parents=True)
    edited.write_text((test_catalog / "pricing/api/openai.yaml").read_text().replace("30.0", "0.0003"))
    at = _line_of(edited, "0.0003")
    result = run("catalog", "validate", edited, "--catalog-dir", test_catalog, "--strict", "-f", "github")
    assert result.exit_code == ExitCode.CHECK_FAILED
    assert f"::error file={edited},line={at},title=models[0].prices[0].input_usd_per_mtok::0.0003" in result.stderr


Planter = Callable[[str, Callable[[dict[str, Any]], None]], Path]


def test_diff_github_is_the_marker_then_the_markdown(test_catalog: Path, planted: Planter, tmp_path: Path) -> None:
    def cut(data: dict[str, Any]) -> None:
        data["models"][1]["prices"][1]["input_usd_per_mtok"] = 2.0

    new = planted("pricing/api/openai.yaml", cut)
    markdown = run("catalog", "diff", test_catalog, new, "-f", "markdown").stdout
    result = run("catalog", "diff", test_catalog, new, "-f", "github")
    assert result.exit_code == ExitCode.OK and result.stderr == ""
    assert result.stdout == f"{COMMENT_MARKER}\n\n{markdown}"
    target = tmp_path / "comment.md"
    gated = run("catalog", "diff", test_catalog, new, "-f", "github", "--fail-above", "10", "-o", target)
    assert gated.exit_code == ExitCode.CHECK_FAILED and gated.stdout == ""
    assert target.read_text() == result.stdout
    [annotation] = gated.stderr.splitlines()
    assert (
        annotation == "::error title=gate tripped::--fail-above 10: openai/gpt-4o input_usd_per_mtok changed -20.0%25"
    )
    plain = run("catalog", "diff", test_catalog, new, "--fail-above", "10")
    assert plain.stderr == "llmdecide: gate tripped: --fail-above 10: openai/gpt-4o input_usd_per_mtok changed -20.0%\n"


def test_diff_github_reports_a_skipped_workload_as_an_annotation(test_catalog: Path, tmp_path: Path) -> None:
    workloads = tmp_path / "workloads"
    workloads.mkdir()
    (workloads / "broken.yaml").write_text("name: [broken")
    result = run("catalog", "diff", test_catalog, test_catalog, "--workloads", workloads, "-f", "github")
    assert result.exit_code == ExitCode.INPUT_ERROR
    assert result.stdout.startswith(COMMENT_MARKER + "\n\n## Catalog changes")
    [line] = result.stderr.splitlines()
    assert line.startswith(f"::error title=workload skipped::{workloads}/broken.yaml: skipped: ")
