"""Reading the result files of the benchmark tools people run on their own hardware.

Each reader turns one file into measured points (:class:`RunResult`) with the figures the capacity
model predicts; the setup the file does not record (model, accelerator, engine, parallelism, precision)
comes from the caller. Formats, as their tools write them:

- ``vllm``: ``vllm bench serve --save-result`` (and the older ``benchmarks/benchmark_serving.py``): one
  JSON object (or, with ``--append-result``, one per line) with ``duration``, ``completed``,
  ``total_input_tokens``, ``total_output_tokens``, ``output_throughput``, ``max_concurrency``,
  ``request_rate`` ("inf" for a burst), ``num_prompts``, ``mean_ttft_ms``/``median_ttft_ms`` and
  ``mean_tpot_ms``/``median_tpot_ms``;
- ``sglang``: ``python -m sglang.bench_serving --output-file``: one JSON object per line, the same figures
  (``request_rate`` may be written ``Infinity``), no model name;
- ``llama-bench``: ``llama-bench -o json`` (an array) or ``-o jsonl``: one object per test with
  ``n_prompt``, ``n_gen``, ``avg_ts`` (tokens/s), ``gpu_info``, ``model_type`` and ``build_commit``;
- ``genai-perf``: NVIDIA GenAI-Perf ``profile_export_genai_perf.json`` and AIPerf
  ``profile_export_aiperf.json``: metrics (``output_token_throughput``, ``time_to_first_token``,
  ``inter_token_latency``, ``input_sequence_length``, ``output_sequence_length``) each with ``avg``/``p50``
  and a ``unit``, the run's settings under ``input_config`` (AIPerf's first releases nest the metrics
  under ``records``).

A file that is none of these, or lacks a figure its format must have, is refused with one line naming
the file and the field.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from llmdecide.errors import InputFileError
from llmdecide.input_files import InputReadError, decode_text, read_input_bytes
from llmdecide.limits import MAX_RESULT_BYTES

LARGEST = 10**15
"""Largest count or figure read (a quadrillion tokens is no benchmark)."""


FORMATS = ("vllm", "sglang", "llama-bench", "genai-perf")


@dataclass(frozen=True)
class RunResult:
    """One measured run of a result file: its shape, load and the figures the capacity model predicts."""

    file: str
    index: int
    """Position of the run in the file (0 for a file of one run)."""
    tool: str
    input_tokens: int
    output_tokens: int
    concurrency: int | None
    """Concurrent requests; None for a burst (every request sent at once) or a single llama-bench stream."""
    requests: int | None
    output_tokens_per_s: float | None
    per_user_output_tokens_per_s: float | None
    ttft_ms: float | None
    prefill_tokens_per_s: float | None
    ttft_statistic: str | None = None
    """'median' or 'mean': what ttft_ms is (the median where the file gives it)."""
    gpu_info: str | None = None
    """The GPU the file names, when it names one (llama-bench's gpu_info)."""
    build: str | None = None
    """The engine build the file names (llama-bench's build_commit)."""


def _fail(path: Path, where: str, what: str) -> InputFileError:
    field = f" {where}:" if where else ""
    return InputFileError(f"{path}:{field} {what}")


def _read_text(path: Path) -> str:
    try:
        text = decode_text(read_input_bytes(path, MAX_RESULT_BYTES, "a benchmark result file"), "JSON")
    except InputReadError as exc:
        raise _fail(path, "", str(exc)) from None
    if not text.strip():
        raise _fail(path, "", "file is empty, expected a JSON benchmark result")
    return text


def _documents(path: Path, text: str) -> list[Any]:
    """The JSON value of the file, or its lines' values (JSON lines). Python's ``Infinity``/``NaN`` are
    accepted as numbers, as the tools write them."""
    try:
        return [json.loads(text)]
    except json.JSONDecodeError:
        pass
    except RecursionError:
        raise _fail(path, "", "JSON nested too deeply to be a benchmark result") from None
    out = []
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            out.append(json.loads(line))
        except json.JSONDecodeError as exc:
            raise _fail(path, f"line {n}", f"not JSON ({exc.msg})") from None
        except RecursionError:
            raise _fail(path, f"line {n}", "JSON nested too deeply to be a benchmark result") from None
    return out


def _runs(path: Path, docs: list[Any]) -> Iterator[tuple[int, dict[str, Any]]]:
    index = 0
    for doc in docs:
        items = doc if isinstance(doc, list) else [doc]
        for item in items:
            if not isinstance(item, dict):
                raise _fail(path, f"run {index}", f"expected a JSON object, got {type(item).__name__}")
            yield index, item
            index += 1


def detect(path: Path, run: dict[str, Any]) -> str:
    """Which tool wrote a run, from the keys only that tool writes."""
    if "n_prompt" in run and "avg_ts" in run:
        return "llama-bench"
    if "input_config" in run or "records" in run or "output_token_throughput" in run:
        return "genai-perf"
    if "output_throughput" in run and "duration" in run:
        if "model_id" in run or "endpoint_type" in run or "num_prompts" in run:
            return "vllm"
        return "sglang"
    raise _fail(
        path,
        "",
        "not a benchmark result llmdecide reads (vllm bench serve --save-result, sglang.bench_serving, "
        "llama-bench -o json, GenAI-Perf or AIPerf export)",
    )


def _number(path: Path, where: str, run: dict[str, Any], key: str, *, required: bool = True) -> float | None:
    value = run.get(key)
    if value is None:
        if required:
            raise _fail(path, f"{where}.{key}", "missing, expected a number")
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        if isinstance(value, str) and value.strip().lower() in ("inf", "infinity"):
            return math.inf
        raise _fail(path, f"{where}.{key}", f"expected a number, got {value!r:.40}")
    if (isinstance(value, int) or math.isfinite(value)) and abs(value) > LARGEST:
        raise _fail(path, f"{where}.{key}", f"{float(value):.3e} is absurdly large")
    if math.isnan(value):
        if required:
            raise _fail(path, f"{where}.{key}", "is NaN, expected a number")
        return None
    return float(value)


def _whole(path: Path, where: str, run: dict[str, Any], key: str) -> int | None:
    """An optional count: absent, or a whole number of at least 1."""
    value = _number(path, where, run, key, required=False)
    if value is None:
        return None
    if not math.isfinite(value) or value < 1 or value != int(value):
        raise _fail(path, f"{where}.{key}", f"must be a whole number of at least 1, got {value:g}")
    return int(value)


def _positive(path: Path, where: str, run: dict[str, Any], key: str, *, required: bool = True) -> float | None:
    value = _number(path, where, run, key, required=required)
    if value is not None and not (value > 0 and math.isfinite(value)):
        raise _fail(path, f"{where}.{key}", f"must be a finite number above 0, got {value:g}")
    return value


def _serving(path: Path, where: str, run: dict[str, Any], tool: str, index: int) -> RunResult:
    """A vllm bench serve or sglang bench_serving run."""
    duration = _positive(path, where, run, "duration")
    completed = _positive(path, where, run, "completed")
    if completed is not None and completed != int(completed):
        raise _fail(path, f"{where}.completed", f"must be a whole number of requests, got {completed:g}")
    assert duration is not None and completed is not None
    total_in = _positive(path, where, run, "total_input_tokens")
    total_out = _positive(path, where, run, "total_output_tokens")
    assert total_in is not None and total_out is not None
    output_rate = _positive(path, where, run, "output_throughput")
    assert output_rate is not None
    implied = total_out / duration
    if not 0.5 <= output_rate / implied <= 2.0:
        raise _fail(
            path,
            f"{where}.output_throughput",
            f"{output_rate:g} tokens/s disagrees with total_output_tokens / duration ({implied:g} tokens/s)",
        )
    rate = _number(path, where, run, "request_rate", required=False)
    concurrency = _whole(path, where, run, "max_concurrency")
    if concurrency is None and rate is not None and math.isfinite(rate):
        raise _fail(
            path,
            f"{where}.request_rate",
            f"a run at {rate:g} requests/s without max_concurrency is not one the model predicts; "
            "rerun with --max-concurrency, or with --request-rate inf",
        )
    median_ttft = _latency(path, where, run, ("median_ttft_ms",))
    ttft = median_ttft if median_ttft is not None else _latency(path, where, run, ("mean_ttft_ms",))
    ttft_statistic = "median" if median_ttft is not None else "mean"
    tpot = _latency(path, where, run, ("median_tpot_ms", "mean_tpot_ms"))
    prompts = _whole(path, where, run, "num_prompts")
    return RunResult(
        file=path.name,
        index=index,
        tool=tool,
        input_tokens=max(1, round(total_in / completed)),
        output_tokens=max(1, round(total_out / completed)),
        concurrency=concurrency,
        requests=prompts if prompts is not None else int(completed),
        output_tokens_per_s=output_rate,
        per_user_output_tokens_per_s=1000.0 / tpot if tpot is not None and concurrency is not None else None,
        ttft_ms=ttft if concurrency is not None else None,
        prefill_tokens_per_s=None,
        ttft_statistic=ttft_statistic if ttft is not None and concurrency is not None else None,
    )


def _latency(path: Path, where: str, run: dict[str, Any], keys: tuple[str, ...]) -> float | None:
    """The first of the keys that holds a latency above 0; None when none does (a run with one output token
    has no time per output token, and tools write 0 or -0.0 for it)."""
    for key in keys:
        value = _number(path, where, run, key, required=False)
        if value is not None and math.isfinite(value) and value > 0:
            return value
    return None


def _llama_bench(path: Path, where: str, run: dict[str, Any], index: int) -> RunResult:
    n_prompt = _number(path, where, run, "n_prompt")
    n_gen = _number(path, where, run, "n_gen")
    rate = _positive(path, where, run, "avg_ts")
    assert n_prompt is not None and n_gen is not None and rate is not None
    if n_prompt < 0 or n_gen < 0 or n_prompt + n_gen == 0:
        raise _fail(path, f"{where}.n_prompt", "a test needs prompt or generated tokens")
    depth = _number(path, where, run, "n_depth", required=False) or 0.0
    if n_gen == 0 and depth > 0:
        raise _fail(
            path,
            f"{where}.n_depth",
            "a prompt test at a context depth (-d) processes a prompt after a cached one, which the model does "
            "not predict; run the prompt tests at -d 0 (generation tests may have any depth)",
        )
    if n_gen == 0:  # pp test: prompt processing alone
        shape_in, shape_out = int(n_prompt + depth), 1
        prefill, per_user = rate, None
    elif n_prompt == 0:  # tg test: one stream generating after the depth
        shape_in, shape_out = max(1, int(depth)), int(n_gen)
        prefill, per_user = None, rate
    else:
        raise _fail(
            path,
            f"{where}.n_gen",
            "a combined prompt+generation test (-pg) mixes two speeds; run -p and -n as separate tests",
        )
    return RunResult(
        file=path.name,
        index=index,
        tool="llama-bench",
        input_tokens=shape_in,
        output_tokens=shape_out,
        concurrency=1,
        requests=None,
        output_tokens_per_s=per_user,
        per_user_output_tokens_per_s=per_user,
        ttft_ms=None,
        prefill_tokens_per_s=prefill,
        gpu_info=str(run["gpu_info"]) if run.get("gpu_info") else None,
        build=str(run["build_commit"]) if run.get("build_commit") else None,
    )


def _metric(path: Path, where: str, metrics: dict[str, Any], key: str, unit: str, *, required: bool) -> float | None:
    entry = metrics.get(key)
    if entry is None:
        if required:
            raise _fail(path, f"{where}.{key}", "missing, expected a metric with avg and unit")
        return None
    if not isinstance(entry, dict):
        raise _fail(path, f"{where}.{key}", "expected an object with avg and unit")
    got = entry.get("unit")
    if got is not None and str(got) != unit:
        raise _fail(path, f"{where}.{key}.unit", f"expected {unit!r}, got {got!r:.40}")
    value = _positive(path, f"{where}.{key}", entry, "p50", required=False)
    return value if value is not None else _positive(path, f"{where}.{key}", entry, "avg", required=required)


def _statistic(entry: dict[str, Any]) -> str:
    """Which statistic ``_metric`` read from an entry it accepted: the median (p50) where given, else the mean."""
    return "median" if entry.get("p50") is not None else "mean"


def _genai_perf(path: Path, where: str, run: dict[str, Any], index: int) -> RunResult:
    metrics = run.get("records", run)
    if not isinstance(metrics, dict):
        raise _fail(path, f"{where}.records", "expected an object of metrics")
    output_rate = _metric(path, where, metrics, "output_token_throughput", "tokens/sec", required=True)
    ttft = _metric(path, where, metrics, "time_to_first_token", "ms", required=False)
    itl = _metric(path, where, metrics, "inter_token_latency", "ms", required=False)
    isl = _metric(path, where, metrics, "input_sequence_length", "tokens", required=True)
    osl = _metric(path, where, metrics, "output_sequence_length", "tokens", required=True)
    assert isl is not None and osl is not None
    config = run.get("input_config")
    if not isinstance(config, dict):
        raise _fail(path, f"{where}.input_config", "missing, expected the run's settings (concurrency)")
    concurrency = _find(config, "concurrency")
    if not isinstance(concurrency, int) or isinstance(concurrency, bool) or concurrency < 1:
        raise _fail(
            path, f"{where}.input_config.concurrency", f"expected a whole number of at least 1, got {concurrency!r:.40}"
        )
    return RunResult(
        file=path.name,
        index=index,
        tool="genai-perf",
        input_tokens=max(1, round(isl)),
        output_tokens=max(1, round(osl)),
        concurrency=concurrency,
        requests=None,
        output_tokens_per_s=output_rate,
        per_user_output_tokens_per_s=1000.0 / itl if itl is not None else None,
        ttft_ms=ttft,
        prefill_tokens_per_s=None,
        ttft_statistic=None if ttft is None else _statistic(metrics["time_to_first_token"]),
    )


def _find(config: dict[str, Any], key: str) -> Any:
    """A setting anywhere in GenAI-Perf's flat or AIPerf's nested input_config."""
    if key in config:
        return config[key]
    for value in config.values():
        if isinstance(value, dict):
            found = _find(value, key)
            if found is not None:
                return found
    return None


def read_results(path: Path) -> list[RunResult]:
    """Every run of one result file, each tool's format detected from its keys."""
    text = _read_text(path)
    runs = list(_runs(path, _documents(path, text)))
    if not runs:
        raise _fail(path, "", "no runs in the file")
    out = []
    for index, run in runs:
        where = f"run {index}" if len(runs) > 1 else "run"
        tool = detect(path, run)
        if tool == "llama-bench":
            out.append(_llama_bench(path, where, run, index))
        elif tool == "genai-perf":
            out.append(_genai_perf(path, where, run, index))
        else:
            out.append(_serving(path, where, run, tool, index))
    return out
