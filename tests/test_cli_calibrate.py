"""``llmdecide calibrate``: from benchmark result files to an overlay that assess and capacity use."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from llmdecide.capacity.calibrate_runs import Setup, calibrate_files
from llmdecide.capacity.calibration import calibrate_profile
from llmdecide.capacity.results import read_results
from llmdecide.catalog import Catalog, load_catalog
from llmdecide.cli import app
from llmdecide.errors import ExitCode, InputFileError

runner = CliRunner()
DATA = Path(__file__).parent / "data" / "calibrate"
VLLM = [*sorted(DATA.glob("vllm-bench-*.json")), DATA / "genai-perf-llama-3.1-8b-h100-c8.json"]
SGLANG = [DATA / "sglang-bench-serving-qwen3-8b-h100.jsonl"]
LLAMA = [DATA / "llama-bench-llama-3.1-8b-q4_k_m-rtx-4090.json"]
SETUPS = [
    (VLLM, Setup("meta/llama-3.1-8b", "nvidia/h100-sxm-80gb", precision="bf16")),
    (SGLANG, Setup("qwen/qwen3-8b", "nvidia/h100-sxm-80gb", engine="sglang", precision="bf16")),
    (LLAMA, Setup("meta/llama-3.1-8b", "nvidia/rtx-4090", precision="int4")),
]


@pytest.fixture(scope="module")
def packaged() -> Catalog:
    return load_catalog()


@pytest.mark.parametrize(("files", "setup"), SETUPS, ids=["vllm+genai-perf", "sglang", "llama-bench"])
def test_the_fit_reproduces_the_profile_that_generated_the_files(
    packaged: Catalog, files: list[Path], setup: Setup
) -> None:
    """The sample files are the model's figures under a known profile (generate.py): the fitted profile
    predicts every one of them within 5%."""
    result, points = calibrate_files(packaged, files, setup)
    assert len(points) >= 3 and result.after.points >= 4
    assert result.after.worst_ratio <= 1.05
    assert result.before.worst_ratio > result.after.worst_ratio
    assert result.profile.accelerators == [setup.accelerator]


def test_the_readers_take_each_tools_own_keys() -> None:
    vllm = read_results(VLLM[0])[0]
    raw = json.loads(VLLM[0].read_text())
    assert vllm.tool == "vllm" and vllm.concurrency == raw["max_concurrency"]
    assert vllm.input_tokens == raw["total_input_tokens"] // raw["completed"]
    assert vllm.per_user_output_tokens_per_s == pytest.approx(1000 / raw["median_tpot_ms"])
    sglang = read_results(SGLANG[0])
    assert [r.tool for r in sglang] == ["sglang"] * 4 and sglang[0].ttft_ms is not None
    bench = read_results(LLAMA[0])
    assert [(r.prefill_tokens_per_s is not None, r.per_user_output_tokens_per_s is not None) for r in bench] == [
        (True, False),
        (False, True),
        (True, False),
    ]
    genai = read_results(VLLM[-1])[0]
    assert genai.tool == "genai-perf" and genai.concurrency == 8


def test_the_cli_writes_an_overlay_that_capacity_and_assess_use(tmp_path: Path) -> None:
    out = tmp_path / "h100.yaml"
    args = ["--model", "meta/llama-3.1-8b", "--gpu", "nvidia/h100-sxm-80gb", "--precision", "bf16"]
    result = runner.invoke(app, ["calibrate", *map(str, VLLM), *args, "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "median |error|" in result.stderr
    overlay = yaml.safe_load(out.read_text())
    assert overlay["kind"] == "overlay" and overlay["engines"][0]["profiles"][0]["accelerators"] == [
        "nvidia/h100-sxm-80gb"
    ]
    assert str(tmp_path) not in out.read_text()  # sources name the files, not where they lay
    base = ["capacity", "--model", "meta/llama-3.1-8b", "--gpu", "nvidia/h100-sxm-80gb", "-f", "json"]
    plain = json.loads(runner.invoke(app, base).stdout)
    tuned = json.loads(runner.invoke(app, [*base, "--overlay", str(out)]).stdout)
    assert tuned["efficiency"]["source"].startswith("llmdecide calibrate:")
    assert tuned["output_tokens_per_s"] != plain["output_tokens_per_s"]
    again = tmp_path / "again.yaml"
    runner.invoke(app, ["calibrate", *map(str, VLLM), *args, "-o", str(again)])
    assert again.read_bytes() == out.read_bytes()  # deterministic


def test_the_overlay_leaves_other_accelerators_alone(tmp_path: Path) -> None:
    out = tmp_path / "h100.yaml"
    args = ["--model", "meta/llama-3.1-8b", "--gpu", "nvidia/h100-sxm-80gb", "--precision", "bf16", "-o", str(out)]
    assert runner.invoke(app, ["calibrate", *map(str, VLLM), *args]).exit_code == 0
    base = ["capacity", "--model", "meta/llama-3.1-8b", "--gpu", "nvidia/h200-sxm-141gb", "-f", "json"]
    plain = json.loads(runner.invoke(app, base).stdout)
    tuned = json.loads(runner.invoke(app, [*base, "--overlay", str(out)]).stdout)
    assert tuned["output_tokens_per_s"] == plain["output_tokens_per_s"]


@settings(max_examples=12, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=10_000), min_size=2, max_size=6, unique=True), st.data())
def test_calibrating_on_a_set_never_fits_it_worse(seeds: list[int], data: st.DataObject) -> None:
    """On any published measurements of one engine and accelerator, the fitted profile's mean error on them
    is at most the catalog profile's."""
    catalog = load_catalog()
    groups: dict[tuple[str, str], list[str]] = {}
    for mid, e in sorted(catalog.measurements.items()):
        if not e.item.excluded_metrics:
            groups.setdefault((e.item.engine, e.item.accelerator), []).append(mid)
    keys = sorted(k for k, v in groups.items() if len(v) >= 2)
    key = keys[seeds[0] % len(keys)]
    ids = groups[key]
    chosen = sorted({ids[s % len(ids)] for s in seeds})
    points = [catalog.measurements[i].item for i in chosen]
    result = calibrate_profile(catalog, points, source="test", checked=catalog.as_of)  # type: ignore[arg-type]
    assert result.objective_after <= result.objective_before + 1e-12


BAD = [
    ("foreign.json", '{"hello": 1}', "not a benchmark result llmdecide reads"),
    ("empty.json", "", "file is empty"),
    ("binary.json", "\x00\x01", "binary file"),
    ("broken.jsonl", '{"duration": 1}\n{not json', "line 2: not JSON"),
]


@pytest.mark.parametrize(("name", "text", "expected"), BAD)
def test_unreadable_files_get_one_line_naming_them(tmp_path: Path, name: str, text: str, expected: str) -> None:
    path = tmp_path / name
    path.write_text(text)
    result = runner.invoke(app, ["calibrate", str(path), "--model", "meta/llama-3.1-8b", "--gpu", "h100-sxm"])
    assert result.exit_code == ExitCode.INPUT_ERROR, result.output
    line = result.stderr.strip()
    assert "\n" not in line and name in line and expected in line


def _vllm(tmp_path: Path, **change: object) -> Path:
    data = json.loads(VLLM[1].read_text())
    for key, value in change.items():
        if value is None:
            data.pop(key)
        else:
            data[key] = value
    path = tmp_path / "run.json"
    path.write_text(json.dumps(data))
    return path


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"duration": 0}, "run.duration: must be a finite number above 0"),
        ({"total_output_tokens": None}, "run.total_output_tokens: missing"),
        ({"output_throughput": "fast"}, "run.output_throughput: expected a number"),
        ({"max_concurrency": None, "request_rate": 4.0}, "run.request_rate: a run at 4 requests/s"),
        ({"max_concurrency": 0}, "run.max_concurrency: must be a whole number"),
        ({"max_concurrency": "inf"}, "run.max_concurrency: must be a whole number"),
        ({"max_concurrency": 10**40}, "run.max_concurrency: 1.000e+40 is absurdly large"),
        ({"num_prompts": 0}, "run.num_prompts: must be a whole number"),
        ({"num_prompts": 2.5}, "run.num_prompts: must be a whole number"),
        ({"completed": 7.5}, "run.completed: must be a whole number"),
    ],
)
def test_result_files_with_bad_fields_name_the_field(tmp_path: Path, change: dict[str, object], expected: str) -> None:
    path = _vllm(tmp_path, **change)
    result = runner.invoke(app, ["calibrate", str(path), "--model", "meta/llama-3.1-8b", "--gpu", "h100-sxm"])
    assert result.exit_code == ExitCode.INPUT_ERROR, result.output
    assert expected in result.stderr and result.stderr.count("\n") == 1


def test_deeply_nested_json_is_refused_in_one_line(tmp_path: Path) -> None:
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000 + "]" * 100_000)
    result = runner.invoke(app, ["calibrate", str(path), "--model", "meta/llama-3.1-8b", "--gpu", "h100-sxm"])
    assert result.exit_code == ExitCode.INPUT_ERROR and "nested too deeply" in result.stderr


def test_a_run_with_one_output_token_keeps_its_time_to_first_token(tmp_path: Path) -> None:
    """vLLM writes a TPOT of 0 (SGLang -0.0) when each request generates one token: no per-user figure."""
    path = _vllm(tmp_path, median_tpot_ms=0.0, mean_tpot_ms=-0.0)
    run = read_results(path)[0]
    assert run.per_user_output_tokens_per_s is None and run.ttft_ms is not None


def test_a_run_says_which_statistic_its_first_token_time_is(tmp_path: Path) -> None:
    """The median where the file gives it (the steady-state figure the model predicts), else the mean; a
    calibrated point carries which, as every catalog measurement does."""
    raw = json.loads(VLLM[1].read_text())
    run = read_results(VLLM[1])[0]
    assert run.ttft_ms == pytest.approx(raw["median_ttft_ms"]) and run.ttft_statistic == "median"
    mean_only = read_results(_vllm(tmp_path, median_ttft_ms=None))[0]
    assert mean_only.ttft_ms == pytest.approx(raw["mean_ttft_ms"]) and mean_only.ttft_statistic == "mean"
    genai = read_results(VLLM[-1])[0]
    assert genai.ttft_ms is not None and genai.ttft_statistic == "median"


def test_files_of_one_name_in_two_folders_stay_apart(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first, second = tmp_path / "a" / "result.json", tmp_path / "b" / "result.json"
    first.write_text(VLLM[0].read_text())
    second.write_text(VLLM[1].read_text())
    result, points = calibrate_files(
        load_catalog(), [first, second], Setup("meta/llama-3.1-8b", "nvidia/h100-sxm-80gb", precision="bf16")
    )
    assert len({p.id for p in points}) == 2
    assert "a/result.json" in result.profile.source and "b/result.json" in result.profile.source
    assert str(tmp_path) not in result.profile.source


def test_a_prompt_test_at_a_depth_is_refused(tmp_path: Path) -> None:
    runs = json.loads(LLAMA[0].read_text())
    runs[0]["n_depth"] = 4096
    path = tmp_path / "depth.json"
    path.write_text(json.dumps(runs))
    with pytest.raises(InputFileError, match=r"run 0.n_depth: a prompt test at a context depth"):
        read_results(path)


def test_genai_perf_files_need_the_engine_named() -> None:
    result = runner.invoke(app, ["calibrate", str(VLLM[-1]), "--model", "meta/llama-3.1-8b", "--gpu", "h100-sxm"])
    assert result.exit_code == ExitCode.INPUT_ERROR and "--engine" in result.stderr


def test_runs_of_different_accelerators_are_refused(tmp_path: Path) -> None:
    runs = json.loads(LLAMA[0].read_text())
    runs[1]["gpu_info"] = "NVIDIA GeForce RTX 3090"
    path = tmp_path / "mixed.json"
    path.write_text(json.dumps(runs))
    result = runner.invoke(app, ["calibrate", str(path), "--model", "meta/llama-3.1-8b", "--gpu", "rtx-4090"])
    assert result.exit_code == ExitCode.INPUT_ERROR and "different accelerators" in result.stderr


@pytest.mark.parametrize(
    ("args", "code", "expected"),
    [
        (["--engine-version", "latest!"], ExitCode.INPUT_ERROR, "unknown engine version 'latest!'"),
        (["--engine", "llama.cpp"], ExitCode.INPUT_ERROR, "not a run of llama.cpp"),
        (["--engine", "vlm"], ExitCode.UNKNOWN_ID, "did you mean"),
    ],
)
def test_setup_errors(args: list[str], code: ExitCode, expected: str) -> None:
    result = runner.invoke(app, ["calibrate", str(VLLM[0]), "--model", "meta/llama-3.1-8b", "--gpu", "h100-sxm", *args])
    assert result.exit_code == code, result.output
    assert expected in result.stderr


def test_an_unknown_model_gets_a_did_you_mean() -> None:
    result = runner.invoke(app, ["calibrate", str(VLLM[0]), "--model", "llama-3.1-8bb", "--gpu", "h100-sxm"])
    assert result.exit_code == ExitCode.UNKNOWN_ID and "did you mean" in result.stderr


def test_a_directory_is_not_a_result_file(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="is a directory"):
        read_results(tmp_path)
