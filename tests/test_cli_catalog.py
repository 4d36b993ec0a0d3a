"""``llmdecide catalog`` from the outside: exit codes, stdout/stderr split, JSON output."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from llmdecide.cli import app
from llmdecide.errors import ExitCode

runner = CliRunner()


def run(*args: str | Path, env: dict[str, str] | None = None) -> Any:
    return runner.invoke(app, [str(a) for a in args], env=env)


def test_validate_clean_catalog(test_catalog: Path) -> None:
    result = run("catalog", "validate", "--catalog-dir", test_catalog)
    assert result.exit_code == ExitCode.OK, result.output
    assert result.stdout.splitlines()[-1] == "OK"
    assert result.stderr == ""


def test_validate_reports_errors_with_exit_1(catalog_copy: Path) -> None:
    path = catalog_copy / "pricing/api/openai.yaml"
    path.write_text(path.read_text().replace("context_window_tokens: 8192", "context_windw_tokens: 8192"))
    result = run("catalog", "validate", catalog_copy)
    assert result.exit_code == ExitCode.CHECK_FAILED
    assert "pricing/api/openai.yaml: models[0].context_windw_tokens: unknown key" in result.stdout
    assert "pricing/api/openai.yaml: models[0].context_window_tokens: required key is missing" in result.stdout
    assert result.stdout.splitlines()[-1] == "FAILED"


def test_strict_fails_on_warnings(catalog_copy: Path) -> None:
    path = catalog_copy / "pricing/api/openai.yaml"
    path.write_text(path.read_text().replace("output_usd_per_mtok: 60.0", "output_usd_per_mtok: 20.0", 1))
    assert run("catalog", "validate", catalog_copy).exit_code == ExitCode.OK
    strict = run("catalog", "validate", catalog_copy, "--strict", "--format", "json")
    assert strict.exit_code == ExitCode.CHECK_FAILED
    payload = json.loads(strict.stdout)
    assert payload["ok"] is False and payload["errors"] == []
    assert payload["warnings"][0]["path"] == "models[0].prices[0].output_usd_per_mtok"


def test_validate_single_file_in_context(test_catalog: Path, tmp_path: Path) -> None:
    edited = tmp_path / "pricing" / "api" / "openai.yaml"
    edited.parent.mkdir(parents=True)
    edited.write_text((test_catalog / "pricing/api/openai.yaml").read_text().replace("30.0", "0.0003"))
    result = run("catalog", "validate", edited, "--catalog-dir", test_catalog, "--strict")
    assert result.exit_code == ExitCode.CHECK_FAILED
    assert f"{edited}: models[0].prices[0].input_usd_per_mtok: 0.0003 is implausibly low" in result.stdout


def test_env_var_selects_catalog(test_catalog: Path) -> None:
    result = run("catalog", "list", "models", "--format", "json", env={"LLMDECIDE_CATALOG_DIR": str(test_catalog)})
    assert result.exit_code == 0
    assert json.loads(result.stdout)["count"] == 3


def test_missing_catalog_dir_is_a_catalog_error(tmp_path: Path) -> None:
    result = run("catalog", "list", "--catalog-dir", tmp_path / "nope")
    assert result.exit_code == ExitCode.CATALOG_ERROR
    assert result.stdout == ""
    assert result.stderr.startswith("llmdecide: error: ") and len(result.stderr.splitlines()) == 1


def test_broken_catalog_is_a_catalog_error(catalog_copy: Path) -> None:
    (catalog_copy / "hardware/models.yaml").write_bytes(b"\x00\x01binary")
    result = run("catalog", "list", "--catalog-dir", catalog_copy)
    assert result.exit_code == ExitCode.CATALOG_ERROR
    assert "hardware/models.yaml: binary file" in result.stderr
    assert "Traceback" not in result.output


@pytest.mark.parametrize("kind", ["api", "rental", "accelerators", "models"])
@pytest.mark.parametrize("fmt", ["table", "json", "markdown"])
def test_list_every_kind_and_format(test_catalog: Path, kind: str, fmt: str) -> None:
    result = run("catalog", "list", kind, "--format", fmt, "--catalog-dir", test_catalog)
    assert result.exit_code == 0, result.output
    if fmt == "json":
        payload = json.loads(result.stdout)
        assert payload["kind"] == kind and payload["count"] == len(payload["entries"]) > 0
    elif fmt == "markdown":
        assert result.stdout.startswith("## ") and "|---" in result.stdout


def test_list_filters(test_catalog: Path) -> None:
    def ids(*args: str) -> list[str]:
        out = run("catalog", "list", *args, "--format", "json", "--catalog-dir", test_catalog)
        assert out.exit_code == 0, out.output
        return [e["id"] for e in json.loads(out.stdout)["entries"]]

    assert ids("api", "--provider", "anthropic") == ["anthropic/claude-3-haiku", "anthropic/claude-3.5-sonnet"]
    assert ids("api", "--tier", "frontier") == ["openai/o1"]
    assert ids("rental", "--gpu", "h100-sxm") == ["lambda/gpu_1x_h100_sxm5"]
    assert ids("accelerators", "--provider", "apple") == ["apple/m2-ultra-192gb"]
    assert ids("api", "--as-of", "2024-06-01", "--provider", "openai") == ["openai/gpt-4", "openai/gpt-4o"]


def test_list_as_of_uses_the_old_price(test_catalog: Path) -> None:
    out = run("catalog", "list", "api", "--as-of", "2024-06-01", "-f", "json", "--catalog-dir", test_catalog)
    gpt4o = next(e for e in json.loads(out.stdout)["entries"] if e["id"] == "openai/gpt-4o")
    assert gpt4o["input_usd_per_mtok"] == 5.0


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["catalog", "list", "gpus"], ExitCode.USAGE),
        (["catalog", "list", "api", "--tier", "genius"], ExitCode.USAGE),
        (["catalog", "list", "api", "--as-of", "yesterday"], ExitCode.USAGE),
        (["catalog", "list", "rental", "--gpu", "h1000"], ExitCode.UNKNOWN_ID),
    ],
)
def test_bad_list_arguments(test_catalog: Path, args: list[str], code: int) -> None:
    result = run(*args, "--catalog-dir", test_catalog)
    assert result.exit_code == code, result.output
    assert result.stdout == ""


def test_show_entry_with_sources(test_catalog: Path) -> None:
    result = run("catalog", "show", "gpt-4o", "--format", "json", "--catalog-dir", test_catalog)
    assert result.exit_code == 0
    payload = json.loads(result.stdout)
    assert payload["id"] == "openai/gpt-4o" and payload["kind"] == "api"
    assert payload["entry"]["prices"][1]["source"] == "https://openai.com/api/pricing/"
    assert payload["provider"]["name"] == "OpenAI"
    table = run("catalog", "show", "h100-sxm", "--catalog-dir", test_catalog)
    assert "memory_bandwidth_gb_per_s" in table.stdout and "3350" in table.stdout
    md = run("catalog", "show", "llama-3.1-70b", "-f", "markdown", "--catalog-dir", test_catalog)
    assert "| kv_heads | 8 |" in md.stdout


def test_show_unknown_id_suggests(test_catalog: Path) -> None:
    result = run("catalog", "show", "gpt4o", "--catalog-dir", test_catalog)
    assert result.exit_code == ExitCode.UNKNOWN_ID
    assert result.stdout == ""
    assert "did you mean 'openai/gpt-4o'" in result.stderr


def test_output_file_is_written_atomically(test_catalog: Path, tmp_path: Path) -> None:
    target = tmp_path / "models.md"
    result = run("catalog", "list", "models", "-f", "markdown", "-o", target, "--catalog-dir", test_catalog)
    assert result.exit_code == 0 and result.stdout == ""
    assert target.read_text().startswith("## Open-weight models")
    assert [p.name for p in tmp_path.iterdir()] == ["models.md"]
    bad = run("catalog", "list", "-o", tmp_path / "missing" / "x.md", "--catalog-dir", test_catalog)
    assert bad.exit_code == ExitCode.OUTPUT_ERROR


Planter = Callable[[str, Callable[[dict[str, Any]], None]], Path]


def test_diff_shows_changes_and_gates(test_catalog: Path, planted: Planter) -> None:
    def cut(data: dict[str, Any]) -> None:
        data["models"][1]["prices"][1]["input_usd_per_mtok"] = 2.0
        del data["models"][2]

    new = planted("pricing/api/openai.yaml", cut)
    result = run("catalog", "diff", test_catalog, new, "--format", "json")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["removed"] == [{"kind": "api", "id": "openai/o1"}]
    change = payload["changed"][0]
    assert change["id"] == "openai/gpt-4o"
    assert change["changes"] == [{"field": "input_usd_per_mtok", "old": 2.5, "new": 2.0, "pct_change": -20.0}]
    md = run("catalog", "diff", test_catalog, new, "--format", "markdown")
    assert "| API model | openai/gpt-4o | changed | input_usd_per_mtok | 2.5 | 2 | -20.0% |" in md.stdout
    assert run("catalog", "diff", test_catalog, new, "--fail-on-removed").exit_code == ExitCode.CHECK_FAILED
    assert run("catalog", "diff", test_catalog, new, "--fail-above", "10").exit_code == ExitCode.CHECK_FAILED
    assert run("catalog", "diff", test_catalog, new, "--fail-above", "25").exit_code == ExitCode.OK
    assert run("catalog", "diff", test_catalog, test_catalog, "--fail-on-change").exit_code == ExitCode.OK


@pytest.mark.parametrize(
    "command", [[], ["catalog"], ["catalog", "validate"], ["catalog", "list"], ["catalog", "show"], ["catalog", "diff"]]
)
def test_every_command_has_help(command: list[str]) -> None:
    result = run(*command, "--help")
    assert result.exit_code == 0
    assert "Usage" in result.stdout


WORKLOAD = """\
schema_version: 1
name: diffed
horizon_months: 12
segments:
  - name: chat
    requests_per_day: 20000
    input_tokens: 800
    output_tokens: 200
    pattern: steady_low
candidates:
  cloud_models: [openai/gpt-4o]
"""


def test_diff_with_workloads_shows_decision_changes(test_catalog: Path, planted: Planter, tmp_path: Path) -> None:
    workloads = tmp_path / "workloads"
    workloads.mkdir()
    (workloads / "chat.yaml").write_text(WORKLOAD)

    def price_hike(data: dict[str, Any]) -> None:
        data["models"][1]["prices"][1]["input_usd_per_mtok"] = 250.0
        data["models"][1]["prices"][1]["output_usd_per_mtok"] = 900.0

    new = planted("pricing/api/openai.yaml", price_hike)
    result = run("catalog", "diff", test_catalog, new, "--workloads", workloads, "-f", "json")
    assert result.exit_code == 0, result.output
    delta = json.loads(result.stdout)["workloads"][0]
    assert delta["workload"] == "chat.yaml"
    assert delta["old_decision"] in ("cloud", "hybrid") and delta["new_decision"] == "local"
    assert delta["decision_changed"] is True
    md = run("catalog", "diff", test_catalog, new, "--workloads", workloads, "-f", "markdown").stdout
    assert "## Effect on workloads" in md and f"{delta['old_decision']} -> local" in md
    gate = run("catalog", "diff", test_catalog, new, "--workloads", workloads, "--fail-on-decision-change")
    assert gate.exit_code == ExitCode.CHECK_FAILED
    same = run("catalog", "diff", test_catalog, test_catalog, "--workloads", workloads, "--fail-on-decision-change")
    assert same.exit_code == ExitCode.OK
    missing = run("catalog", "diff", test_catalog, new, "--workloads", tmp_path / "nope")
    assert missing.exit_code == ExitCode.INPUT_ERROR


GOLDEN = Path(__file__).parent / "golden"


def test_a_history_edit_is_caught_by_diff(test_catalog: Path, planted: Planter, update_golden: bool) -> None:
    """A closed price period multiplied by 100 passes validate but not --fail-on-history-change."""

    def rewrite(data: dict[str, Any]) -> None:
        old = data["models"][1]["prices"][0]
        old["input_usd_per_mtok"] *= 100
        old["output_usd_per_mtok"] *= 10

    new = planted("pricing/api/openai.yaml", rewrite)
    assert run("catalog", "validate", "--catalog-dir", new).exit_code == 0
    md = run("catalog", "diff", test_catalog, new, "-f", "markdown")
    assert md.exit_code == 0, md.output
    text = md.stdout.replace(str(test_catalog), "OLD").replace(str(new), "NEW")
    golden = GOLDEN / "catalog-diff-history.md"
    if update_golden or not golden.exists():
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8")
    assert "closed period changed (rewrites history)" in text
    gate = run("catalog", "diff", test_catalog, new, "--fail-on-history-change")
    assert gate.exit_code == ExitCode.CHECK_FAILED
    assert "gate tripped: --fail-on-history-change: openai/gpt-4o period from 2024-05-13 history changed" in gate.stderr
    payload = json.loads(run("catalog", "diff", test_catalog, new, "-f", "json").stdout)
    [history] = payload["history"]
    assert history["change"] == "history_changed" and history["rewrites_history"] is True
    assert {g["gate"]: g["tripped"] for g in payload["gates"]}["--fail-on-history-change"] is False
    assert run("catalog", "diff", test_catalog, new, "--fail-above", "500").exit_code == ExitCode.CHECK_FAILED


def test_an_overwritten_current_price_and_a_new_period_are_told_apart(test_catalog: Path, planted: Planter) -> None:
    def overwrite(data: dict[str, Any]) -> None:
        data["models"][1]["prices"][1]["output_usd_per_mtok"] = 12.0

    new = planted("pricing/api/openai.yaml", overwrite)
    payload = json.loads(run("catalog", "diff", test_catalog, new, "-f", "json").stdout)
    assert [h["change"] for h in payload["history"]] == ["period_overwritten"]

    def add_period(data: dict[str, Any]) -> None:
        prices = data["models"][1]["prices"]
        prices[1]["output_usd_per_mtok"] = 10.0
        prices[1]["effective_to"] = "2024-12-31"
        follow = {k: str(v) if k in ("checked", "observed") else v for k, v in prices[1].items() if k != "effective_to"}
        prices.append({**follow, "effective_from": "2025-01-01", "output_usd_per_mtok": 12.0})

    new = planted("pricing/api/openai.yaml", add_period)
    result = run("catalog", "diff", test_catalog, new, "-f", "json", "--fail-on-history-change")
    assert result.exit_code == 0, result.stderr
    assert [h["change"] for h in json.loads(result.stdout)["history"]] == ["period_added"]


def test_diff_reads_yml_workloads_and_skips_a_bad_one(test_catalog: Path, tmp_path: Path) -> None:
    workloads = tmp_path / "workloads"
    workloads.mkdir()
    (workloads / "a.yml").write_text(WORKLOAD)
    (workloads / "b.yaml").write_text("name: [broken")
    (workloads / "c.yaml").write_text(WORKLOAD.replace("diffed", "third"))
    result = run("catalog", "diff", test_catalog, test_catalog, "--workloads", workloads, "-f", "json")
    assert result.exit_code == ExitCode.INPUT_ERROR
    payload = json.loads(result.stdout)
    assert [d["workload"] for d in payload["workloads"]] == ["a.yml", "c.yaml"]
    assert [e["file"] for e in payload["workload_errors"]] == ["b.yaml"]
    assert "b.yaml: skipped:" in result.stderr


def test_stats_count_entries_and_grade_evidence(planted: Callable[..., Path]) -> None:
    def primary(data: dict[str, Any]) -> None:
        data["models"][0]["prices"][-1]["source_kind"] = "primary"
        data["models"][1]["prices"][-1]["observed"] = "2024-06-01"

    root = planted("pricing/api/openai.yaml", primary)
    out = run("catalog", "stats", "--catalog-dir", str(root), "--on", "2025-01-01", "-f", "json")
    assert out.exit_code == 0, out.stderr
    data = json.loads(out.stdout)
    api = next(r for r in data["evidence"] if r["kind"] == "API prices")
    assert (api["in_force"], api["primary"], api["secondary"], api["older_than_threshold"]) == (5, 1, 4, 1)
    assert data["counts"]["API providers"] == 2
    md = run(
        "catalog", "stats", "--catalog-dir", str(root), "--on", "2025-01-01", "--stale-after", "365", "-f", "markdown"
    )
    assert "| API prices | 5 | 1 | 4 | 0 | 20% | 0 | 0 |" in md.stdout
