"""``llmdecide assess``, ``init`` and ``schema`` from the outside: formats, output files, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from llmdecide.cli import app
from llmdecide.errors import ExitCode
from llmdecide.report.result import DecisionReport
from llmdecide.workload import load_workload

runner = CliRunner()

GOOD = """\
schema_version: 1
name: test workload
horizon_months: 12
segments:
  - name: chat
    requests_per_day: 20000
    input_tokens: 800
    output_tokens: 200
    pattern: steady_high
"""


def invoke(test_catalog: Path, *args: str | Path) -> Any:
    return runner.invoke(app, ["assess", *[str(a) for a in args], "--catalog-dir", str(test_catalog)])


@pytest.fixture
def good(tmp_path: Path) -> Path:
    path = tmp_path / "workload.yaml"
    path.write_text(GOOD)
    return path


@pytest.mark.parametrize("fmt", ["table", "markdown", "json", "html"])
def test_every_format(test_catalog: Path, good: Path, fmt: str) -> None:
    result = invoke(test_catalog, good, "--format", fmt)
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    if fmt == "json":
        data = json.loads(result.stdout)
        assert {
            "report_version",
            "workload",
            "recommendation",
            "options",
            "break_even",
            "scores",
            "catalogs",
            "assumptions",
            "warnings",
        } <= data.keys()
        assert {"decision", "plan", "rationale", "flips"} <= data["recommendation"].keys()
        item = data["options"][0]["line_items"][0]
        assert {"name", "quantity", "unit", "unit_price_usd", "monthly_cost_usd", "source"} <= item.keys()
        DecisionReport.model_validate(data)
    elif fmt == "markdown":
        assert result.stdout.startswith("# LLM deployment decision: test workload")
        assert '```mermaid\n%%{init: {"themeVariables": {"xyChart": {"plotColorPalette": "#1d4ed8, ' in result.stdout
        assert "%%\nxychart-beta\n" in result.stdout
    elif fmt == "html":
        assert result.stdout.startswith("<!DOCTYPE html>\n")
        assert "<h1>LLM deployment decision: test workload</h1>" in result.stdout
        assert result.stdout.count("<svg viewBox=") == 2 and "<table>" in result.stdout
        assert "<script" not in result.stdout and " src=" not in result.stdout and "<link" not in result.stdout
    else:
        assert "Recommendation:" in result.stdout and "Options compared" in result.stdout


def test_json_totals_equal_the_sum_of_line_items(test_catalog: Path, good: Path) -> None:
    data = json.loads(invoke(test_catalog, good, "-f", "json").stdout)
    for option in data["options"]:
        if option["feasible"]:
            total = sum(i["monthly_cost_usd"] for i in option["line_items"])
            assert total == pytest.approx(option["monthly_cost_usd"], rel=1e-6)


def test_reports_are_byte_identical(test_catalog: Path, good: Path) -> None:
    first = invoke(test_catalog, good, "-f", "markdown").stdout
    assert invoke(test_catalog, good, "-f", "markdown").stdout == first
    assert str(good.parent) not in first


def test_output_file(test_catalog: Path, good: Path, tmp_path: Path) -> None:
    target = tmp_path / "out" / "report.md"
    target.parent.mkdir()
    result = invoke(test_catalog, good, "-f", "markdown", "-o", target)
    assert result.exit_code == 0 and result.stdout == ""
    assert target.read_text().startswith("# LLM deployment decision")
    assert sorted(p.name for p in target.parent.iterdir()) == ["report.md"]


def test_as_of_prices_a_past_date(test_catalog: Path, good: Path) -> None:
    text = (
        GOOD.replace("    pattern: steady_high\n", "    pattern: steady_high\n")
        + "candidates:\n  cloud_models: [openai/gpt-4o]\n"
    )
    good.write_text(text)
    now = json.loads(invoke(test_catalog, good, "-f", "json").stdout)
    then = json.loads(invoke(test_catalog, good, "-f", "json", "--as-of", "2024-06-01").stdout)
    cost = lambda d: next(o for o in d["options"] if o["id"] == "cloud")["monthly_cost_usd"]  # noqa: E731
    assert cost(then) == pytest.approx(cost(now) * (5 * 800 + 15 * 200) / (2.5 * 800 + 10 * 200))
    assert then["workload"]["prices_as_of"] == "2024-06-01"


BAD = [
    ("", ExitCode.INPUT_ERROR, "empty"),
    ("\x00\x01\x02", ExitCode.INPUT_ERROR, "binary"),
    ("name: [unclosed", ExitCode.INPUT_ERROR, "malformed YAML"),
    ("- just\n- a list\n", ExitCode.INPUT_ERROR, "expected a YAML mapping"),
    (GOOD.replace("schema_version: 1", "schema_version: 7"), ExitCode.INPUT_ERROR, "schema_version: unsupported"),
    (GOOD.replace("    pattern:", "    patern:"), ExitCode.INPUT_ERROR, "segments[0].patern: unknown key"),
    (GOOD.replace("input_tokens: 800", "input_tokens: lots"), ExitCode.INPUT_ERROR, "segments[0].input_tokens"),
    (
        GOOD.replace("requests_per_day: 20000", "requests_per_day: -5"),
        ExitCode.INPUT_ERROR,
        "segments[0].requests_per_day: input should be greater than 0",
    ),
    (GOOD.replace("requests_per_day: 20000", "requests_per_day: 0"), ExitCode.INPUT_ERROR, "greater than 0"),
    (GOOD.replace("requests_per_day: 20000", "requests_per_day: 1e13"), ExitCode.INPUT_ERROR, "less than or equal"),
    (
        GOOD.replace("    input_tokens", "    requests_per_month: 5\n    input_tokens"),
        ExitCode.INPUT_ERROR,
        "give exactly one of requests_per_day, requests_per_month or tokens_per_month",
    ),
    (GOOD.split("segments:")[0] + "segments: []\n", ExitCode.INPUT_ERROR, "segments: list should have at least 1 item"),
    (
        GOOD + "candidates:\n  cloud_models: [openai/gpt4o]\n",
        ExitCode.UNKNOWN_ID,
        "candidates.cloud_models: unknown API model id 'openai/gpt4o' (did you mean 'openai/gpt-4o'",
    ),
    (
        GOOD + "candidates:\n  accelerators: [h1000]\n",
        ExitCode.UNKNOWN_ID,
        "candidates.accelerators: unknown accelerator",
    ),
    (
        GOOD + "local:\n  engine: vllmm\n",
        ExitCode.UNKNOWN_ID,
        "local.engine: unknown engine id 'vllmm' (did you mean 'vllm'",
    ),
    (
        GOOD + "constraints:\n  excluded_providers: [opneai]\n",
        ExitCode.UNKNOWN_ID,
        "constraints.excluded_providers[0]: unknown provider id 'opneai' (did you mean 'openai'",
    ),
    (
        GOOD + "candidates:\n  open_models: [llama-9]\n",
        ExitCode.UNKNOWN_ID,
        "candidates.open_models: unknown open model id",
    ),
    (
        GOOD + "candidates:\n  deployments:\n    - {name: d, accelerator: h1000, gpus: 1, acquisition: buy}\n",
        ExitCode.UNKNOWN_ID,
        "candidates.deployments[0].accelerator: unknown accelerator",
    ),
    (GOOD + "a: &x 1\nb: *x\n", ExitCode.INPUT_ERROR, "anchors"),
    (
        GOOD + "uncertainty:\n  volume: {low: 2, high: 0.5}\n",
        ExitCode.INPUT_ERROR,
        "uncertainty.volume: low (2) is above high (0.5)",
    ),
    (
        GOOD + "uncertainty:\n  api_price: {low: 0.5, high: 1.5, mode: 3}\n",
        ExitCode.INPUT_ERROR,
        "mode (3) is outside low..high",
    ),
    (GOOD + "uncertainty:\n  volume: {low: -1, high: 2}\n", ExitCode.INPUT_ERROR, "must stay above 0"),
    (GOOD + "uncertainty:\n  samples: 10\n", ExitCode.INPUT_ERROR, "uncertainty.samples"),
    (GOOD + "price_trends:\n  api_decline_per_year: 1.5\n", ExitCode.INPUT_ERROR, "price_trends.api_decline_per_year"),
    (
        GOOD.replace("    pattern: steady_high\n", "    hourly_profile: [1, 2, 3]\n"),
        ExitCode.INPUT_ERROR,
        "hourly_profile needs 24, 168 or 8760 values, got 3",
    ),
    (
        GOOD.replace("    pattern: steady_high\n", "    hourly_profile: [" + ", ".join(["1"] * 23 + ["-1"]) + "]\n"),
        ExitCode.INPUT_ERROR,
        "hourly_profile values must not be negative",
    ),
    (
        GOOD.replace("    pattern: steady_high\n", "    hourly_profile_csv: missing.csv\n"),
        ExitCode.INPUT_ERROR,
        "segments[0].hourly_profile_csv: missing.csv: no such file",
    ),
    (
        GOOD.replace("    pattern: steady_high\n", "    pattern: steady_high\n    cached_input_fraction: 1.5\n"),
        ExitCode.INPUT_ERROR,
        "segments[0].cached_input_fraction",
    ),
    (GOOD + "local:\n  target_utilization: -0.2\n", ExitCode.INPUT_ERROR, "local.target_utilization"),
    (GOOD + "x: !!python/object/apply:os.system ['true']\n", ExitCode.INPUT_ERROR, "only plain YAML data"),
]


@pytest.mark.parametrize(("text", "code", "message"), BAD)
def test_bad_workloads(test_catalog: Path, tmp_path: Path, text: str, code: int, message: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_bytes(text.encode("latin-1"))
    target = tmp_path / "report.json"
    result = invoke(test_catalog, path, "-f", "json", "-o", target)
    assert result.exit_code == code, result.output
    assert result.stdout == ""
    assert message in result.stderr, result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert not target.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["bad.yaml"]


def test_missing_file(test_catalog: Path, tmp_path: Path) -> None:
    result = invoke(test_catalog, tmp_path / "nope.yaml")
    assert result.exit_code == ExitCode.INPUT_ERROR and "no such file" in result.stderr


def test_init_writes_a_valid_template(tmp_path: Path, test_catalog: Path) -> None:
    target = tmp_path / "w.yaml"
    assert runner.invoke(app, ["init", str(target)]).exit_code == 0
    workload = load_workload(target)
    assert workload.segments[0].name == "chat"
    text = target.read_text()
    assert "# Prompt tokens per request (average)." in text
    again = runner.invoke(app, ["init", str(target)])
    assert again.exit_code == ExitCode.OUTPUT_ERROR and "already exists" in again.stderr
    assert runner.invoke(app, ["init", str(target), "--force"]).exit_code == 0
    assert invoke(test_catalog, target).exit_code == 0


@pytest.mark.parametrize("which", ["workload", "report"])
def test_schema(which: str) -> None:
    result = runner.invoke(app, ["schema", which])
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    assert schema["$schema"].startswith("https://json-schema.org/")
    assert "properties" in schema


@pytest.mark.parametrize("command", [["assess"], ["init"], ["schema"], ["capacity"]])
def test_help(command: list[str]) -> None:
    assert runner.invoke(app, [*command, "--help"]).exit_code == 0


def test_entry_point_usage_error_is_one_line() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "llmdecide", "schema", "bogus"], capture_output=True, text=True, check=False
    )
    assert result.returncode == ExitCode.USAGE
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("llmdecide: error: ")


def test_as_of_before_every_price_is_an_error(test_catalog: Path, good: Path) -> None:
    result = invoke(test_catalog, good, "--as-of", "1999-01-01")
    assert result.exit_code == ExitCode.INPUT_ERROR
    assert "no prices that old" in result.stderr and result.stdout == ""


def test_overlay_discount_lowers_the_cloud_bill(test_catalog: Path, good: Path, tmp_path: Path) -> None:
    good.write_text(GOOD + "candidates:\n  cloud_models: [openai/gpt-4o]\n")
    overlay = tmp_path / "contract.yaml"
    overlay.write_text(
        "schema_version: 1\nkind: overlay\nversion: acme-1\nas_of: 2025-01-01\napi_discounts:\n"
        "  - {models: ['openai/*'], discount: 0.25, source: 'Acme MSA 2025', checked: 2025-01-01}\n"
    )
    plain = json.loads(invoke(test_catalog, good, "-f", "json").stdout)
    result = invoke(test_catalog, good, "-f", "json", "--overlay", overlay)
    assert result.exit_code == 0, result.output
    discounted = json.loads(result.stdout)
    cost = lambda d: next(o for o in d["options"] if o["id"] == "cloud")["monthly_cost_usd"]  # noqa: E731
    assert cost(discounted) == pytest.approx(0.75 * cost(plain))
    assert any(c["id"] == "contract.yaml" for c in discounted["catalogs"])


def test_hourly_profile_from_csv(test_catalog: Path, tmp_path: Path) -> None:
    (tmp_path / "load.csv").write_text(
        "hour,requests\n" + "\n".join(f"{h},{10 if 9 <= h < 17 else 1}" for h in range(24))
    )
    path = tmp_path / "w.yaml"
    path.write_text(GOOD.replace("    pattern: steady_high\n", "    hourly_profile_csv: load.csv\n"))
    data = json.loads(invoke(test_catalog, path, "-f", "json").stdout)
    expected = 10 / ((8 * 10 + 16 * 1) / 24)
    assert data["workload"]["segments"][0]["peak_to_average"] == pytest.approx(expected)
    bad = tmp_path / "bad.csv"
    bad.write_text("hour,requests\n1,2\n2,lots\n")
    path.write_text(GOOD.replace("    pattern: steady_high\n", "    hourly_profile_csv: bad.csv\n"))
    result = invoke(test_catalog, path)
    assert result.exit_code == ExitCode.INPUT_ERROR and "bad.csv line 3: expected a number" in result.stderr


def test_uncertainty_gives_a_distribution(test_catalog: Path, tmp_path: Path) -> None:
    path = tmp_path / "w.yaml"
    path.write_text(
        GOOD
        + "uncertainty:\n  samples: 2000\n  volume: {low: 0.5, high: 2, mode: 1}\n  api_price: {low: 0.7, high: 1.2}\n"
    )
    data = json.loads(invoke(test_catalog, path, "-f", "json").stdout)
    mc = data["robustness"]["monte_carlo"]
    assert mc["samples"] == 2000 and mc["inputs"]["volume"] == [0.5, 2.0, 1.0]
    total = sum(o["probability_cheapest"] for o in mc["options"])
    assert total == pytest.approx(1.0)
    for o in mc["options"]:
        assert o["p10_usd"] <= o["p50_usd"] <= o["p90_usd"]
    again = json.loads(invoke(test_catalog, path, "-f", "json").stdout)
    assert again["robustness"] == data["robustness"]
