"""``llmdecide capacity`` from the outside."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from llmdecide.cli import app
from llmdecide.errors import ExitCode

runner = CliRunner()
REQUIRED = {
    "fits",
    "gpus",
    "tp",
    "replicas",
    "precision",
    "weights_gb",
    "kv_cache_gb_per_sequence",
    "max_concurrency",
    "concurrency",
    "output_tokens_per_s",
    "per_user_output_tokens_per_s",
    "ttft_ms",
    "bound",
}


def capacity(test_catalog: Path, *args: str) -> Any:
    return runner.invoke(app, ["capacity", "--catalog-dir", str(test_catalog), *args])


def as_json(test_catalog: Path, *args: str) -> dict[str, Any]:
    result = capacity(test_catalog, *args, "--format", "json")
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def test_json_has_the_documented_keys(test_catalog: Path) -> None:
    data = as_json(test_catalog, "--model", "llama-3.1-8b", "--gpu", "h100-sxm")
    assert data.keys() >= REQUIRED
    assert data["fits"] is True and data["tp"] == 1 and data["gpus"] == 1 and data["replicas"] == 1
    assert data["weights_gb"] == pytest.approx(16.06)
    assert data["bound"] in ("memory-bandwidth", "compute", "kv-capacity")


def test_smallest_tp_that_fits_and_replicas_fill_the_rest(test_catalog: Path) -> None:
    data = as_json(test_catalog, "--model", "llama-3.1-70b", "--gpu", "h100-sxm", "--gpus", "8")
    assert (data["tp"], data["replicas"], data["gpus"]) == (2, 4, 8)  # 141 GB of bf16 weights on two 80 GiB GPUs
    one = as_json(test_catalog, "--model", "llama-3.1-70b", "--gpu", "h100-sxm", "--gpus", "4")
    assert data["output_tokens_per_s"] == pytest.approx(2 * one["output_tokens_per_s"])


def test_70b_bf16_does_not_fit_one_80gb_gpu(test_catalog: Path) -> None:
    result = capacity(test_catalog, "--model", "llama-3.1-70b", "--gpu", "h100-sxm", "--gpus", "1")
    assert result.exit_code == 0
    assert "does not fit" in result.stdout
    data = as_json(test_catalog, "--model", "llama-3.1-70b", "--gpu", "h100-sxm", "--gpus", "1")
    assert data["fits"] is False
    assert data["memory_needed_gb"] > data["usable_memory_gb_per_gpu"]
    assert data["gpus_needed_to_fit"] == 2
    assert data["output_tokens_per_s"] is None


def test_70b_fp8_fits_one_80gb_gpu_as_the_engines_run_it(test_catalog: Path) -> None:
    """70.6 GB of FP8 weights on an H100's 80 GiB (85.9 GB): vLLM's 90% of total memory leaves a few GB of KV
    cache, enough for a handful of 1,280-token sequences (TensorRT-LLM's own tables run it on one GPU)."""
    data = as_json(test_catalog, "--model", "llama-3.1-70b", "--gpu", "h100-sxm", "--precision", "fp8", "--gpus", "1")
    assert data["fits"] is True and data["tp"] == 1
    assert data["gpus_needed_to_fit"] == 1
    assert 1 <= data["max_concurrency"] < 64


def test_long_context_is_bound_by_kv_capacity(test_catalog: Path) -> None:
    data = as_json(
        test_catalog,
        *("--model", "llama-3.1-70b", "--gpu", "h100-sxm", "--precision", "fp8"),
        *("--input-tokens", "16000", "--output-tokens", "4000"),
    )
    assert data["tp"] == 1 and data["bound"] == "kv-capacity"
    assert 1 <= data["max_concurrency"] < 8


def test_more_concurrency_means_more_throughput_and_slower_users(test_catalog: Path) -> None:
    low = as_json(test_catalog, "--model", "llama-3.1-8b", "--gpu", "h100-sxm", "--concurrency", "1")
    high = as_json(test_catalog, "--model", "llama-3.1-8b", "--gpu", "h100-sxm", "--concurrency", "64")
    assert low["bound"] == "memory-bandwidth"
    assert high["output_tokens_per_s"] > 10 * low["output_tokens_per_s"]
    assert high["per_user_output_tokens_per_s"] < low["per_user_output_tokens_per_s"]


def test_apple_silicon_with_llama_cpp(test_catalog: Path) -> None:
    data = as_json(
        test_catalog, "--model", "llama-3.1-70b", "--gpu", "m2-ultra", "--precision", "int4", "--concurrency", "1"
    )
    assert data["engine"] == "llama.cpp" and data["fits"] is True
    assert 5 < data["per_user_output_tokens_per_s"] < 30


def test_table_output(test_catalog: Path) -> None:
    result = capacity(test_catalog, "--model", "mixtral-8x7b", "--gpu", "a100")
    assert result.exit_code == 0
    assert "meta" not in result.stdout and "mistralai/mixtral-8x7b on nvidia/a100-sxm-80gb" in result.stdout


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--model", "llama-3.1-8b", "--gpu", "h1000"], ExitCode.UNKNOWN_ID, "unknown accelerator id 'h1000'"),
        (["--model", "lama-3.1-8b", "--gpu", "h100-sxm"], ExitCode.UNKNOWN_ID, "did you mean 'meta/llama-3.1-8b'"),
        (["--model", "llama-3.1", "--gpu", "h100-sxm"], ExitCode.UNKNOWN_ID, "ambiguous"),
        (
            ["--model", "llama-3.1-8b", "--gpu", "m2-ultra", "--precision", "fp8"],
            ExitCode.INPUT_ERROR,
            "cannot run fp8",
        ),
        (
            ["--model", "llama-3.1-8b", "--gpu", "h100-sxm", "--precision", "fp7"],
            ExitCode.INPUT_ERROR,
            "unknown precision",
        ),
        (["--model", "llama-3.1-8b", "--gpu", "h100-sxm", "--input-tokens", "0"], ExitCode.INPUT_ERROR, "at least 1"),
        (["--model", "llama-3.1-8b", "--gpu", "h100-sxm", "--gpus", "-2"], ExitCode.INPUT_ERROR, "at least 1"),
        (
            ["--model", "llama-3.1-8b", "--gpu", "h100-sxm", "--gpus", "3", "--tp", "2"],
            ExitCode.INPUT_ERROR,
            "cannot be split",
        ),
        (["--model", "llama-3.1-8b", "--gpu", "h100-sxm", "--tp", "3"], ExitCode.INPUT_ERROR, "power of two"),
        (
            ["--model", "llama-3.1-8b", "--gpu", "h100-sxm", "--output-tokens", "999999999"],
            ExitCode.INPUT_ERROR,
            "absurdly large",
        ),
        (
            ["--model", "llama-3.1-8b", "--gpu", "h100-sxm", "--engine", "vlm"],
            ExitCode.UNKNOWN_ID,
            "did you mean 'vllm'",
        ),
        (["--model", "llama-3.1-8b"], ExitCode.USAGE, ""),
    ],
)
def test_bad_input(test_catalog: Path, args: list[str], code: int, message: str) -> None:
    result = capacity(test_catalog, *args)
    assert result.exit_code == code, result.output
    assert result.stdout == ""
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_help() -> None:
    result = runner.invoke(app, ["capacity", "--help"])
    assert result.exit_code == 0 and "--concurrency" in result.stdout


def test_markdown_has_the_same_rows_as_the_table(test_catalog: Path) -> None:
    result = capacity(test_catalog, "--model", "llama-3.1-8b", "--gpu", "h100-sxm", "-f", "markdown")
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert text.startswith("## meta/llama-3.1-8b on nvidia/h100-sxm-80gb\n")
    data = as_json(test_catalog, "--model", "llama-3.1-8b", "--gpu", "h100-sxm")
    assert f"| concurrency | {data['concurrency']:,} sequences |" in text
    assert "| fits | yes |" in text and "| bound by |" in text
