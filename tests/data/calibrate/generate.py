"""Write the sample benchmark result files of this folder, in each tool's documented format.

The figures are the capacity model's own predictions under a known engine profile (TRUTH), so a test can
check that `llmdecide calibrate` recovers that profile from them. Run from the repository root:

    python tests/data/calibrate/generate.py
"""

from __future__ import annotations

import json
from pathlib import Path

from llmdecide.capacity.calibration import predict_measurement
from llmdecide.capacity.deployment import profile_for
from llmdecide.catalog import load_catalog
from llmdecide.catalog.schema import Measurement

HERE = Path(__file__).parent
TRUTH = {
    "vllm": {
        "bandwidth_efficiency": 0.7,
        "kv_bandwidth_efficiency": 0.6,
        "decode_compute_efficiency": 0.35,
        "prefill_compute_efficiency": 0.55,
        "step_overhead_ms": 1.5,
        "layer_overhead_us": 10.0,
        "request_overhead_ms": 30.0,
        "serving_token_overhead_us": 60.0,
        "runtime_overhead_scale": 1.0,
    },
    "llama.cpp": {"bandwidth_efficiency": 0.8, "prefill_compute_efficiency": 0.45, "step_overhead_ms": 2.0},
    "sglang": {
        "bandwidth_efficiency": 0.75,
        "kv_bandwidth_efficiency": 0.55,
        "decode_compute_efficiency": 0.4,
        "prefill_compute_efficiency": 0.6,
        "step_overhead_ms": 1.0,
        "request_overhead_ms": 25.0,
        "serving_token_overhead_us": 80.0,
        "runtime_overhead_scale": 1.0,
    },
}
"""The factors each sample set was generated with (the rest are the catalog's)."""


def predict(engine: str, model: str, gpu: str, precision: str, n_in: int, n_out: int, conc: int) -> dict[str, float]:
    cat = load_catalog()
    profile = profile_for(cat.engines[engine].item, cat.accelerators[gpu].item)
    assert profile is not None
    truth = profile.model_copy(update=TRUTH[engine])
    m = Measurement.model_validate(
        {
            "id": "generated/x",
            "model": model,
            "accelerator": gpu,
            "engine": engine,
            "gpus": 1,
            "tp": 1,
            "precision": precision,
            "input_tokens": n_in,
            "output_tokens": n_out,
            "concurrency": conc,
            "output_tokens_per_s": 1.0,
            "split": "calibration",
            "source": "generated",
            "checked": "2026-12-01",
        }
    )
    return predict_measurement(cat, m, truth)


def vllm_result(n_in: int, n_out: int, conc: int, day: str) -> dict[str, object]:
    p = predict("vllm", "meta/llama-3.1-8b", "nvidia/h100-sxm-80gb", "bf16", n_in, n_out, conc)
    prompts = 8 * conc
    duration = prompts * n_out / p["output_tokens_per_s"]
    tpot = 1000.0 / p["per_user_output_tokens_per_s"]
    ttft = p["ttft_ms"]
    return {
        "date": day,
        "endpoint_type": "vllm",
        "backend": "vllm",
        "label": None,
        "model_id": "meta-llama/Llama-3.1-8B-Instruct",
        "tokenizer_id": "meta-llama/Llama-3.1-8B-Instruct",
        "num_prompts": prompts,
        "request_rate": "inf",
        "burstiness": 1.0,
        "max_concurrency": conc,
        "duration": round(duration, 4),
        "completed": prompts,
        "failed": 0,
        "total_input_tokens": prompts * n_in,
        "total_output_tokens": prompts * n_out,
        "request_throughput": round(prompts / duration, 4),
        "request_goodput": None,
        "output_throughput": round(p["output_tokens_per_s"], 4),
        "total_token_throughput": round(prompts * (n_in + n_out) / duration, 4),
        "max_output_tokens_per_s": round(p["output_tokens_per_s"] * 1.1, 4),
        "max_concurrent_requests": conc,
        "mean_ttft_ms": round(ttft * 1.05, 4),
        "median_ttft_ms": round(ttft, 4),
        "std_ttft_ms": round(ttft * 0.1, 4),
        "p99_ttft_ms": round(ttft * 1.6, 4),
        "mean_tpot_ms": round(tpot * 1.01, 4),
        "median_tpot_ms": round(tpot, 4),
        "std_tpot_ms": round(tpot * 0.03, 4),
        "p99_tpot_ms": round(tpot * 1.2, 4),
        "mean_itl_ms": round(tpot * 1.01, 4),
        "median_itl_ms": round(tpot, 4),
        "std_itl_ms": round(tpot * 0.2, 4),
        "p99_itl_ms": round(tpot * 2.5, 4),
    }


def sglang_lines() -> str:
    """sglang.bench_serving --output-file: one JSON object per line; request_rate inf is written Infinity."""
    lines = []
    for n_in, n_out, conc in ((1024, 256, 1), (1024, 256, 8), (4096, 256, 32), (512, 1024, 64)):
        p = predict("sglang", "qwen/qwen3-8b", "nvidia/h100-sxm-80gb", "bf16", n_in, n_out, conc)
        prompts = 10 * conc
        duration = prompts * n_out / p["output_tokens_per_s"]
        tpot, ttft = 1000.0 / p["per_user_output_tokens_per_s"], p["ttft_ms"]
        result = {
            "backend": "sglang",
            "dataset_name": "random",
            "request_rate": float("inf"),
            "max_concurrency": conc,
            "sharegpt_output_len": None,
            "random_input_len": n_in,
            "random_output_len": n_out,
            "random_range_ratio": 1.0,
            "duration": round(duration, 4),
            "completed": prompts,
            "total_input_tokens": prompts * n_in,
            "total_output_tokens": prompts * n_out,
            "total_output_tokens_retokenized": prompts * n_out,
            "request_throughput": round(prompts / duration, 4),
            "input_throughput": round(prompts * n_in / duration, 4),
            "output_throughput": round(p["output_tokens_per_s"], 4),
            "mean_e2e_latency_ms": round(ttft + tpot * n_out, 4),
            "median_e2e_latency_ms": round(ttft + tpot * n_out, 4),
            "mean_ttft_ms": round(ttft * 1.05, 4),
            "median_ttft_ms": round(ttft, 4),
            "p99_ttft_ms": round(ttft * 1.8, 4),
            "mean_tpot_ms": round(tpot * 1.01, 4),
            "median_tpot_ms": round(tpot, 4),
            "p99_tpot_ms": round(tpot * 1.2, 4),
            "mean_itl_ms": round(tpot * 1.01, 4),
            "median_itl_ms": round(tpot, 4),
            "p99_itl_ms": round(tpot * 3, 4),
        }
        lines.append(json.dumps(result))
    return "\n".join(lines) + "\n"


def genai_perf(n_in: int, n_out: int, conc: int) -> dict[str, object]:
    p = predict("vllm", "meta/llama-3.1-8b", "nvidia/h100-sxm-80gb", "bf16", n_in, n_out, conc)
    itl = 1000.0 / p["per_user_output_tokens_per_s"]

    def stats(value: float, unit: str) -> dict[str, object]:
        return {
            "unit": unit,
            "avg": round(value * 1.02, 4),
            "p50": round(value, 4),
            "p90": round(value * 1.3, 4),
            "p99": round(value * 1.7, 4),
            "min": round(value * 0.8, 4),
            "max": round(value * 2.0, 4),
            "std": round(value * 0.1, 4),
        }

    return {
        "request_throughput": {"unit": "requests/sec", "avg": round(p["output_tokens_per_s"] / n_out, 4)},
        "time_to_first_token": stats(p["ttft_ms"], "ms"),
        "inter_token_latency": stats(itl, "ms"),
        "output_token_throughput": {"unit": "tokens/sec", "avg": round(p["output_tokens_per_s"], 4)},
        "output_sequence_length": {"unit": "tokens", "avg": float(n_out), "p50": float(n_out)},
        "input_sequence_length": {"unit": "tokens", "avg": float(n_in), "p50": float(n_in)},
        "input_config": {
            "model": ["meta-llama/Llama-3.1-8B-Instruct"],
            "concurrency": conc,
            "endpoint_type": "chat",
            "synthetic_input_tokens_mean": n_in,
            "output_tokens_mean": n_out,
            "streaming": True,
            "extra_inputs": {"max_tokens": n_out, "ignore_eos": True},
        },
    }


def llama_bench() -> list[dict[str, object]]:
    out = []
    for n_prompt, n_gen in ((512, 0), (0, 128), (2048, 0)):
        p = predict("llama.cpp", "meta/llama-3.1-8b", "nvidia/rtx-4090", "int4", max(n_prompt, 1), max(n_gen, 1), 1)
        rate = p["prefill_tokens_per_s"] if n_gen == 0 else p["per_user_output_tokens_per_s"]
        avg_ns = int((n_prompt + n_gen) / rate * 1e9)
        out.append(
            {
                "build_commit": "050fc7f3",
                "build_number": 6500,
                "cpu_info": "AMD Ryzen 9 7950X 16-Core Processor",
                "gpu_info": "NVIDIA GeForce RTX 4090",
                "backends": "CUDA",
                "model_filename": "Meta-Llama-3.1-8B-Instruct-Q4_K_M.gguf",
                "model_type": "llama 8B Q4_K - Medium",
                "model_size": 4920734720,
                "model_n_params": 8030261248,
                "n_batch": 2048,
                "n_ubatch": 512,
                "n_threads": 16,
                "cpu_mask": "0x0",
                "cpu_strict": False,
                "poll": 50,
                "type_k": "f16",
                "type_v": "f16",
                "n_gpu_layers": 99,
                "n_cpu_moe": 0,
                "split_mode": "layer",
                "main_gpu": 0,
                "no_kv_offload": False,
                "flash_attn": False,
                "devices": "auto",
                "tensor_split": "0.00",
                "tensor_buft_overrides": "none",
                "use_mmap": True,
                "embeddings": False,
                "no_op_offload": 0,
                "no_host": False,
                "n_prompt": n_prompt,
                "n_gen": n_gen,
                "n_depth": 0,
                "test_time": "2026-11-30T10:00:00Z",
                "avg_ns": avg_ns,
                "stddev_ns": avg_ns // 200,
                "avg_ts": round(rate, 4),
                "stddev_ts": round(rate / 200, 4),
                "samples_ns": [avg_ns] * 5,
                "samples_ts": [round(rate, 4)] * 5,
            }
        )
    return out


def main() -> None:
    shapes = [
        (1024, 128, 1),
        (1024, 128, 16),
        (2048, 256, 64),
        (256, 512, 4),
        (512, 512, 128),
        (4096, 64, 2),
        (128, 1024, 32),
    ]
    for n_in, n_out, conc in shapes:
        name = f"vllm-bench-llama-3.1-8b-h100-{n_in}-{n_out}-c{conc}.json"
        (HERE / name).write_text(json.dumps(vllm_result(n_in, n_out, conc, "20261130-101500"), indent=2) + "\n")
    (HERE / "genai-perf-llama-3.1-8b-h100-c8.json").write_text(json.dumps(genai_perf(1000, 200, 8), indent=2) + "\n")
    (HERE / "llama-bench-llama-3.1-8b-q4_k_m-rtx-4090.json").write_text(json.dumps(llama_bench(), indent=2) + "\n")
    (HERE / "sglang-bench-serving-qwen3-8b-h100.jsonl").write_text(sglang_lines())


if __name__ == "__main__":
    main()
