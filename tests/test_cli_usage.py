"""Usage errors through the real entry point (``python -m llmdecide``): each names the option or argument
and what was expected, on one stderr line, with exit code 2 and nothing on stdout."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = str(REPO / "examples" / "startup-mvp.yaml")


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "llmdecide", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
        check=False,
    )


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["assess"], "Missing argument 'WORKLOAD'"),
        (["capacity", "--model", "x"], "Missing option '--gpu'"),
        (["capacity", "--model", "meta/llama-3.1-8b", "--gpu", "nvidia/h100-sxm-80gb", "--gpus", "abc"], "'--gpus'"),
        (["catalog", "diff", "old"], "Missing argument 'NEW'"),
        (["catalog", "show"], "Missing argument 'ID'"),
        (["catalog", "list", "nonsense"], "'nonsense' is not one of 'api', 'rental', 'accelerators', 'models'"),
        (["schema"], "Choose from: workload, report"),
        (["calibrate"], "Missing argument 'RESULTS'"),
        (["assess", EXAMPLE, "--format", "pdf"], "'pdf' is not one of 'table', 'json', 'markdown'"),
        (["assess", EXAMPLE, "--as-of", "2026-13-01"], "--as-of: expected a date as YYYY-MM-DD"),
        (["--bogus"], "No such option: --bogus"),
    ],
)
def test_usage_errors_say_what_was_expected(args: list[str], expected: str) -> None:
    done = run(*args)
    assert done.returncode == 2, done.stderr
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("llmdecide: error: ") and expected in lines[0], lines[0]
    assert "--help" in lines[0]


def test_short_help_and_version() -> None:
    assert "Usage: python -m llmdecide [OPTIONS] COMMAND" in run("-h").stdout
    assert "Usage: python -m llmdecide assess" in run("assess", "-h").stdout
    version = run("-V")
    assert version.returncode == 0 and version.stdout.startswith("llmdecide ")
    from importlib.metadata import version as installed

    assert version.stdout.strip() == f"llmdecide {installed('llmdecide')}"


def test_piped_tables_follow_columns() -> None:
    narrow = run("assess", EXAMPLE, env={"COLUMNS": "90"}).stdout
    wide = run("assess", EXAMPLE, env={"COLUMNS": ""}).stdout
    assert max(len(line) for line in narrow.splitlines()) <= 90
    assert max(len(line) for line in wide.splitlines()) > 90


@pytest.mark.parametrize("columns", ["60", "80"])
def test_narrow_tables_wrap_ids_instead_of_cutting_them(columns: str) -> None:
    narrow = run("assess", str(REPO / "examples" / "chat-fleet-24x7.yaml"), env={"COLUMNS": columns}).stdout
    assert max(len(line) for line in narrow.splitlines()) <= int(columns)
    assert "…" not in narrow and "..." not in narrow
    listing = run("catalog", "list", "accelerators", env={"COLUMNS": columns}).stdout
    assert "…" not in listing


@pytest.mark.parametrize(
    "args",
    [["-h"], ["catalog", "list", "-h"], ["catalog", "list", "api"], ["catalog", "list", "api", "-f", "json"]],
)
def test_a_reader_that_goes_away_is_not_a_failed_check(args: list[str]) -> None:
    env = {**os.environ, "COLUMNS": "120"}
    child = subprocess.Popen(
        [sys.executable, "-m", "llmdecide", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env
    )
    assert child.stdout is not None and child.stderr is not None
    child.stdout.close()  # closed before the first byte: every write meets a broken pipe
    err = child.stderr.read().decode()
    assert child.wait(timeout=120) == 0, err
    assert err == ""
