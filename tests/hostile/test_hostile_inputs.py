"""Hostile and extreme inputs: each class gets a clean answer in bounded time and memory.

Every case is generated at test time in ``tmp_path`` (sparse files stand in for huge ones). Each runs
the real command line in a subprocess and asserts the exit code, a single stderr line naming the file
(and key) at fault, nothing on stdout for an error, and generous time and memory bounds measured with
``resource.getrusage`` (generous so a slow machine never fails: these catch hangs and blow-ups, not
slowness).
"""

from __future__ import annotations

import json
import math
import os
import resource
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from llmdecide import limits
from tests.hostile.json_numbers import numbers_in

REPO = Path(__file__).resolve().parent.parent.parent
EXAMPLE = REPO / "examples" / "startup-mvp.yaml"
BASE = EXAMPLE.read_text()
TIME_LIMIT_S = 120
MEMORY_LIMIT_MB = 2500


@dataclass(frozen=True)
class Run:
    code: int
    stdout: str
    stderr: str
    seconds: float
    peak_mb: float


def llmdecide(*args: str | Path, cwd: Path | None = None, env: dict[str, str] | None = None) -> Run:
    """Run the command line; return its exit code, output and the child's peak memory."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "llmdecide", *map(str, args)],
            capture_output=True,
            text=True,
            timeout=TIME_LIMIT_S,
            cwd=cwd,
            env={**os.environ, "PYTHONWARNINGS": "default", **(env or {})},
            check=False,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"llmdecide {' '.join(map(str, args))} ran past {TIME_LIMIT_S} s")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    seconds = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    peak_mb = after.ru_maxrss / 1024
    return Run(done.returncode, done.stdout, done.stderr, seconds, peak_mb)


def refused(run: Run, code: int, *parts: str) -> str:
    """An error: the exit code, nothing on stdout, one stderr line holding every part; returns the line."""
    assert run.code == code, (run.code, run.stderr[-2000:])
    assert run.stdout == ""
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1, run.stderr[-2000:]
    assert "Traceback" not in run.stderr
    for part in parts:
        assert part in lines[0], (part, lines[0])
    assert run.peak_mb < MEMORY_LIMIT_MB
    return lines[0]


def workload(tmp_path: Path, text: str = BASE, name: str = "w.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def replaced(old: str, new: str, text: str = BASE) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


# --- YAML as people mean it ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "parts"),
    [
        ("requests_per_day: 300", "requests_per_day: 16:40", ["segments[0].requests_per_day", "valid number"]),
        ("horizon_months: 24", "horizon_months: !!int abc", ["horizon_months", "!!int 'abc' is not a valid int"]),
        ("horizon_months: 24", "horizon_months: !!float abc", ["horizon_months", "!!float"]),
        ("capability: basic", "capability: !!bool maybe", ["team.capability", "!!bool"]),
        ("horizon_months: 24", "horizon_months: !!timestamp 2026-01-01", ["horizon_months", "!!timestamp"]),
        ("horizon_months: 24", "horizon_months: !!python/object:os.system x", ["horizon_months", "not allowed"]),
        ("horizon_months: 24", "horizon_months: 24\nas_of: 2026-02-30", ["as_of", "day value is outside"]),
        ("horizon_months: 24", "horizon_months: 24\nas_of: 2026-13-01", ["as_of", "month value"]),
        ("horizon_months: 24", "horizon_months: " + "9" * 5000, ["horizon_months", "5000 digits"]),
        ("horizon_months: 24", "horizon_months: &h 24\nevidence_max_age_days: *h", ["anchors and aliases"]),
        ("horizon_months: 24", "<<: {horizon_months: 24}", ["<<", "unknown key"]),
        ("horizon_months: 24", "horizon_months: 24\nhorizon_months: 12", ["duplicate key 'horizon_months'"]),
        ("horizon_months: 24", "horizon_months: 24\n---\nname: x", ["more than one YAML document"]),
    ],
)
def test_yaml_surprises_are_clean_errors(tmp_path: Path, old: str, new: str, parts: list[str]) -> None:
    path = workload(tmp_path, replaced(old, new))
    refused(llmdecide("assess", path), 3, "w.yaml: ", *parts)


def test_yaml_numbers_are_yaml_1_2(tmp_path: Path) -> None:
    """0700 is seven hundred, never octal 448; 2e4 is a whole number where one is expected."""
    text = replaced("input_tokens: 1200", "input_tokens: 0700", replaced("horizon_months: 24", "horizon_months: 2.4e1"))
    run = llmdecide("assess", workload(tmp_path, text), "-f", "json")
    assert run.code == 0, run.stderr
    report = json.loads(run.stdout)
    assert report["workload"]["horizon_months"] == 24
    assert '"input_tokens": 700' in run.stdout.replace(".0", "")


def test_yes_and_no_are_text_not_booleans(tmp_path: Path) -> None:
    """An id written as no is the id 'no' (unknown), not False."""
    text = replaced("uncertainty:", "candidates:\n  open_models: [no]\nuncertainty:")
    refused(llmdecide("assess", workload(tmp_path, text)), 5, "w.yaml: ", "candidates.open_models", "'no'")


def test_deep_nesting_is_refused_before_parsing_it(tmp_path: Path) -> None:
    path = workload(tmp_path, "schema_version: 1\nname: x\nsegments: " + "[" * 200_000 + "]" * 200_000 + "\n")
    run = llmdecide("assess", path)
    refused(run, 3, "w.yaml: ", f"nested more than {limits.MAX_YAML_DEPTH} deep")


def test_too_many_values_are_refused_early(tmp_path: Path) -> None:
    ids = "\n".join(f"    - x/{i}" for i in range(limits.MAX_YAML_NODES + 10))
    path = workload(tmp_path, replaced("uncertainty:", f"candidates:\n  open_models:\n{ids}\nuncertainty:"))
    refused(llmdecide("assess", path), 3, "w.yaml: ", f"more than {limits.MAX_YAML_NODES:,} values")


def test_a_huge_value_is_refused(tmp_path: Path) -> None:
    path = workload(tmp_path, replaced("name: Startup MVP", "name: " + "x" * (limits.MAX_SCALAR_CHARS + 1)))
    refused(llmdecide("assess", path), 3, "w.yaml: ", "name: a value of")


# --- files that are not files -----------------------------------------------------------------------------


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
@pytest.mark.parametrize("role", ["workload", "overlay", "csv", "catalog"])
def test_a_fifo_never_blocks(tmp_path: Path, role: str) -> None:
    fifo = tmp_path / ("load.csv" if role == "csv" else "f.yaml")
    os.mkfifo(fifo)
    if role == "workload":
        run = llmdecide("assess", fifo)
    elif role == "overlay":
        run = llmdecide("assess", workload(tmp_path), "--overlay", fifo)
    elif role == "csv":
        text = replaced("    pattern: sporadic\n", "    hourly_profile_csv: load.csv\n")
        run = llmdecide("assess", workload(tmp_path, text))
    else:
        catalog = tmp_path / "catalog"
        (catalog / "pricing").mkdir(parents=True)
        (catalog / "hardware").mkdir()
        os.mkfifo(catalog / "pricing" / "api.yaml")
        run = llmdecide("catalog", "validate", "--catalog-dir", catalog)
        assert run.code != 0 and "Traceback" not in run.stderr
        return
    line = refused(run, 3 if role != "overlay" else 4)
    assert "FIFO" in line or "not a regular file" in line


@pytest.mark.parametrize("target", ["/dev/zero", "/dev/urandom"])
def test_a_device_is_never_read(tmp_path: Path, target: str) -> None:
    if not Path(target).exists():
        pytest.skip(f"no {target}")
    link = tmp_path / "w.yaml"
    link.symlink_to(target)
    refused(llmdecide("assess", link), 3, "w.yaml: ", "is a device")
    csv = tmp_path / "load.csv"
    csv.symlink_to(target)
    text = replaced("    pattern: sporadic\n", "    hourly_profile_csv: load.csv\n")
    inside = refused(llmdecide("assess", workload(tmp_path, text, "v.yaml")), 3, "v.yaml: ")
    assert "outside the workload file's directory" in inside  # where the link points
    run = llmdecide("assess", tmp_path / "v.yaml", "--allow-outside-paths")
    refused(run, 3, "v.yaml: ", "is a device")


def test_a_huge_file_is_refused_unread(tmp_path: Path) -> None:
    big = tmp_path / "w.yaml"
    with big.open("wb") as f:  # sparse: no disk used
        f.truncate(10 * 1024**3)
    run = llmdecide("assess", big)
    refused(run, 3, "w.yaml: ", "larger than the")
    assert run.seconds < 30
    csv = tmp_path / "load.csv"
    with csv.open("wb") as f:
        f.truncate(1024**3)
    text = replaced("    pattern: sporadic\n", "    hourly_profile_csv: load.csv\n")
    refused(llmdecide("assess", workload(tmp_path, text, "v.yaml")), 3, "load.csv", "larger than the")


def test_a_directory_is_refused(tmp_path: Path) -> None:
    (tmp_path / "d.yaml").mkdir()
    refused(llmdecide("assess", tmp_path / "d.yaml"), 3, "d.yaml: ", "is a directory")


# --- limits ---------------------------------------------------------------------------------------------


def test_too_many_segments(tmp_path: Path) -> None:
    seg = BASE[BASE.index("  - name: assistant") : BASE.index("uncertainty:")]
    many = "".join(seg.replace("name: assistant", f"name: s{i}") for i in range(limits.MAX_SEGMENTS + 1))
    text = BASE.replace(seg, many)
    refused(llmdecide("assess", workload(tmp_path, text)), 3, "w.yaml: ", "segments", f"at most {limits.MAX_SEGMENTS}")


def test_samples_above_the_limit(tmp_path: Path) -> None:
    text = replaced("uncertainty:\n", f"uncertainty:\n  samples: {limits.MAX_SAMPLES + 1}\n")
    refused(llmdecide("assess", workload(tmp_path, text)), 3, "uncertainty.samples", str(limits.MAX_SAMPLES))


def test_the_most_samples_run_in_bounded_memory(tmp_path: Path) -> None:
    """The documented maximum of Monte Carlo samples runs; its memory stays far below what the samples
    would take unchunked (several GB)."""
    text = replaced("uncertainty:\n", f"uncertainty:\n  samples: {limits.MAX_SAMPLES}\n")
    run = llmdecide("assess", workload(tmp_path, text), "-f", "json")
    assert run.code == 0, run.stderr
    assert json.loads(run.stdout)["robustness"]["monte_carlo"]["samples"] == limits.MAX_SAMPLES
    assert run.peak_mb < 1500, run.peak_mb


@pytest.mark.parametrize(
    ("range_text", "parts"),
    [
        ("api_price_decline_change: {low: 0, high: 50}", ["api_price_decline_change", "between -1 and 1"]),
        ("api_price_decline_change: {low: -5, high: 5}", ["api_price_decline_change", "between -1 and 1"]),
        ("api_price: {low: 0.5, high: 2.7e301}", ["api_price", "at most 100"]),
        ("volume: {low: 0.5, high: .inf}", ["uncertainty.volume.high", "finite number"]),
        ("volume: {low: .nan, high: 2}", ["uncertainty.volume.low", "finite number"]),
    ],
)
def test_uncertainty_ranges_are_checked(tmp_path: Path, range_text: str, parts: list[str]) -> None:
    text = replaced("  volume: {low: 0.3, high: 5.0, mode: 1.0}\n", f"  {range_text}\n")
    refused(llmdecide("assess", workload(tmp_path, text)), 3, "w.yaml: ", *parts)


@pytest.mark.parametrize(
    ("old", "new", "parts"),
    [
        ("horizon_months: 24", "horizon_months: 24\nconstraints:\n  monthly_budget_usd: .inf", ["monthly_budget_usd"]),
        ("requests_per_day: 300", "requests_per_day: .nan", ["segments[0].requests_per_day", "finite"]),
        ("input_tokens: 1200", "input_tokens: -5", ["segments[0].input_tokens", "greater than 0"]),
    ],
)
def test_numbers_entering_the_model_are_finite_and_in_band(
    tmp_path: Path, old: str, new: str, parts: list[str]
) -> None:
    refused(llmdecide("assess", workload(tmp_path, replaced(old, new))), 3, "w.yaml: ", *parts)


def test_absurd_results_are_not_printed(tmp_path: Path) -> None:
    """A pinned deployment at enormous overload and a volume no one can serve: the plans are reported as
    outside what llmdecide can size, and no figure beyond the ceilings reaches the report."""
    text = (
        replaced(
            "requests_per_day: 300",
            "requests_per_day: 9000000000",
            replaced("growth_per_month: 0.15", "growth_per_month: 1.0"),
        )
        + "candidates:\n  open_models: [meta/llama-3.1-8b]\n  accelerators: [nvidia/h100-sxm-80gb]\n"
        "  deployments:\n    - {name: tiny, accelerator: nvidia/h100-sxm-80gb, gpus: 1, acquisition: buy,"
        " open_model: meta/llama-3.1-8b}\n"
    )
    text = text.replace("capability: basic", "capability: advanced")
    run = llmdecide("assess", workload(tmp_path, text), "-f", "json")
    assert run.code == 0, run.stderr
    assert "Warning" not in run.stderr and "overflow" not in run.stderr
    report = json.loads(run.stdout)

    figures = numbers_in(report)
    assert all(math.isfinite(n) for n in figures)
    assert max(abs(n) for n in figures) <= 10 * limits.MAX_RESULT_USD
    assert "outside what llmdecide can size" in run.stdout


def test_a_huge_profile_value_is_refused(tmp_path: Path) -> None:
    values = ", ".join(["1e308"] * 24)
    text = replaced("    pattern: sporadic\n", f"    hourly_profile: [{values}]\n")
    run = llmdecide("assess", workload(tmp_path, text))
    refused(run, 3, "w.yaml: ", "segments[0].hourly_profile[0]", "less than or equal")
    assert "RuntimeWarning" not in run.stderr


# --- profile CSVs -----------------------------------------------------------------------------------------


def csv_case(tmp_path: Path, content: bytes, name: str = "load.csv") -> Run:
    (tmp_path / name).write_bytes(content)
    text = replaced("    pattern: sporadic\n", f"    hourly_profile_csv: {name}\n")
    return llmdecide("assess", workload(tmp_path, text), "-f", "json")


@pytest.mark.parametrize(
    "content",
    [
        "\ufeffload\n" + "\n".join(["1"] * 23 + ["2"]) + "\n",  # Excel's "CSV UTF-8"
        "hour;load\n" + "\n".join(f"{h};1,5" for h in range(24)) + "\n",  # ';' and a decimal comma
        "hour,load\n" + "\n".join(f'{h},"1,000"' for h in range(24)) + "\n",  # quoted thousands
    ],
)
def test_csv_as_people_save_it(tmp_path: Path, content: str) -> None:
    run = csv_case(tmp_path, content.encode("utf-8"))
    assert run.code == 0, run.stderr
    assert json.loads(run.stdout)["workload"]["name"] == "Startup MVP"


def test_csv_in_utf16(tmp_path: Path) -> None:
    text = "load\n" + "\n".join(["1"] * 24) + "\n"
    run = csv_case(tmp_path, b"\xff\xfe" + text.encode("utf-16-le"))
    assert run.code == 0, run.stderr


def test_a_bom_keeps_the_first_value(tmp_path: Path) -> None:
    """A BOM before the first number used to turn it into a header and lose it (23 values: refused)."""
    run = csv_case(tmp_path, ("\ufeff" + "\n".join(["1"] * 24) + "\n").encode("utf-8"))
    assert run.code == 0, run.stderr


@pytest.mark.parametrize(("cell", "message"), [("nan", "finite number"), ("inf", "finite number")])
def test_csv_non_finite_values_name_the_file_and_line(tmp_path: Path, cell: str, message: str) -> None:
    run = csv_case(tmp_path, ("load\n" + "\n".join(["1"] * 5 + [cell] + ["1"] * 18) + "\n").encode())
    refused(run, 3, "w.yaml: segments[0].hourly_profile_csv: load.csv line 7", message)


def test_csv_outside_the_workload_directory_is_refused(tmp_path: Path) -> None:
    inner = tmp_path / "inner"
    inner.mkdir()
    secret = tmp_path / "secret.csv"
    secret.write_text("root:x:0:0:root:/root:/bin/bash\nsecret-token-123\n")
    text = replaced("    pattern: sporadic\n", "    hourly_profile_csv: ../secret.csv\n")
    line = refused(llmdecide("assess", workload(inner, text)), 3, "outside the workload file's directory")
    assert "secret-token" not in line
    absolute = replaced("    pattern: sporadic\n", "    hourly_profile_csv: /etc/passwd\n")
    line = refused(llmdecide("assess", workload(inner, absolute, "a.yaml")), 3, "outside the workload")
    assert "root:" not in line


def test_allow_outside_paths_reads_it_but_never_quotes_text(tmp_path: Path) -> None:
    inner = tmp_path / "inner"
    inner.mkdir()
    (tmp_path / "secret.csv").write_text("header\nsecret-token-123\n")
    text = replaced("    pattern: sporadic\n", "    hourly_profile_csv: ../secret.csv\n")
    run = llmdecide("assess", workload(inner, text), "--allow-outside-paths")
    line = refused(run, 3, "secret.csv line 2", "expected a number, got text")
    assert "secret-token" not in line


# --- messages that say where --------------------------------------------------------------------------


def test_a_long_unknown_id_is_shortened(tmp_path: Path) -> None:
    long_id = "x/" + "a" * 150
    text = replaced("uncertainty:", f"candidates:\n  open_models: ['{long_id}']\nuncertainty:")
    line = refused(llmdecide("assess", workload(tmp_path, text)), 5, "w.yaml: ", "characters)")
    assert len(line) < 400


def test_overlay_path_form_does_not_change_the_report(tmp_path: Path) -> None:
    overlay = tmp_path / "sub" / "ov.yaml"
    overlay.parent.mkdir()
    overlay.write_text(
        yaml.safe_dump(
            {
                "schema_version": 1,
                "kind": "overlay",
                "version": "1",
                "as_of": "2026-11-01",
                "api_discounts": [
                    {"models": ["openai/*"], "discount": 0.1, "source": "contract 42", "checked": "2026-11-01"}
                ],
            }
        )
    )
    path = workload(tmp_path)
    reports = {
        form: llmdecide("assess", "w.yaml", "-f", "json", "--overlay", form, cwd=tmp_path).stdout
        for form in ("sub/ov.yaml", "./sub/ov.yaml", str(overlay))
    }
    assert path.exists()
    assert len(set(reports.values())) == 1, {k: len(v) for k, v in reports.items()}
    assert str(tmp_path) not in next(iter(reports.values()))


# --- benchmark result files (calibrate) ---------------------------------------------------------------

RESULT = REPO / "tests" / "data" / "calibrate" / "vllm-bench-llama-3.1-8b-h100-1024-128-c1.json"


@pytest.mark.parametrize(
    ("key", "value", "parts"),
    [
        ("output_throughput", 1e308, ["run.output_throughput", "absurdly large"]),
        ("output_throughput", 1e6, ["run.output_throughput", "disagrees with total_output_tokens / duration"]),
        ("duration", -1.0, ["run.duration", "above 0"]),
        ("completed", "ten", ["run.completed", "expected a number"]),
    ],
)
def test_result_files_with_absurd_figures(tmp_path: Path, key: str, value: object, parts: list[str]) -> None:
    run = json.loads(RESULT.read_text())
    run[key] = value
    path = tmp_path / "r.json"
    path.write_text(json.dumps(run))
    args = ("calibrate", path, "--model", "meta/llama-3.1-8b", "--gpu", "nvidia/h100-sxm-80gb")
    refused(llmdecide(*args), 3, "r.json: ", *parts)


def test_a_deeply_nested_result_file(tmp_path: Path) -> None:
    path = tmp_path / "r.json"
    path.write_text("[" * 100_000 + "]" * 100_000)
    args = ("calibrate", path, "--model", "meta/llama-3.1-8b", "--gpu", "nvidia/h100-sxm-80gb")
    refused(llmdecide(*args), 3, "r.json: ", "nested too deeply")
