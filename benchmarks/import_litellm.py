"""Time and peak memory of ``llmdecide import litellm`` on a large spend-log export.

Usage: python benchmarks/import_litellm.py [ROWS] [--gzip]

Writes a LiteLLM_SpendLogs CSV of ROWS rows (default 5,000,000) to a temporary directory: the table's columns,
three models of two providers, cache reads on a third of the rows, metadata JSON with a key alias and a team,
request tags, 90 days of timestamps without a time zone (as PostgreSQL writes them), and the ``messages`` and
``response`` columns as LiteLLM leaves them when it stores no prompts. Then runs the import in a fresh process
(``python -m llmdecide import litellm FILE -o workload.yaml``) and prints the rows, the file size, the wall time
and the peak resident memory of that process (its ``ru_maxrss``), which include starting Python and loading the
catalog.
"""

from __future__ import annotations

import csv
import gzip
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

COLUMNS = [
    "request_id", "call_type", "api_key", "spend", "total_tokens", "prompt_tokens", "completion_tokens",
    "startTime", "endTime", "model", "model_group", "custom_llm_provider", "api_base", "user", "metadata",
    "cache_hit", "cache_key", "request_tags", "team_id", "end_user", "messages", "response", "status",
]  # fmt: skip
MODELS = [
    ("gpt-4o-2024-08-06", "openai", 2.5, 10.0, 1.25),
    ("gpt-4o-mini", "openai", 0.15, 0.6, 0.075),
    ("claude-sonnet-4-20250514", "anthropic", 3.0, 15.0, 0.3),
]


def write_export(path: Path, rows: int, compress: bool) -> None:
    """A spend-log CSV of ``rows`` rows, the same for the same ``rows`` (fixed seed)."""
    rng = random.Random(5_000_000)
    opener = gzip.open if compress else open
    start = 1_735_689_600  # 2025-01-01 00:00 UTC
    span = 90 * 86_400
    teams = [f"team-{i}" for i in range(8)]
    keys = [f"{i:064x}" for i in range(40)]
    with opener(path, "wt", newline="", encoding="utf-8") as fh:  # type: ignore[operator]
        w = csv.writer(fh)
        w.writerow(COLUMNS)
        for i in range(rows):
            model, provider, p_in, p_out, p_cached = MODELS[i % 7 % 3]
            prompt = rng.randint(100, 4000)
            output = rng.randint(20, 800)
            cached = prompt // 2 if i % 3 == 0 else 0
            spend = ((prompt - cached) * p_in + cached * p_cached + output * p_out) / 1e6
            t = start + (i * span) // rows
            stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(t)) + ".000"
            team = teams[i % 8]
            meta = {
                "user_api_key_alias": f"service-{i % 40}",
                "user_api_key_team_alias": team,
                "additional_usage_values": {"prompt_tokens_details": {"cached_tokens": cached}},
            }
            w.writerow([
                f"chatcmpl-{i:012d}", "acompletion", keys[i % 40], f"{spend:.8f}", prompt + output, prompt,
                output, stamp, stamp, model, model, provider, "", "", json.dumps(meta), "False", "",
                '["env:prod"]', team, "", "{}", "{}", "success",
            ])  # fmt: skip


def main() -> None:
    args = [a for a in sys.argv[1:] if a != "--gzip"]
    rows = int(args[0]) if args else 5_000_000
    compress = "--gzip" in sys.argv[1:]
    with tempfile.TemporaryDirectory() as tmp:
        export = Path(tmp) / ("spend-logs.csv.gz" if compress else "spend-logs.csv")
        began = time.perf_counter()
        write_export(export, rows, compress)
        print(f"wrote {rows:,} rows, {export.stat().st_size / 1e6:,.0f} MB, in {time.perf_counter() - began:.0f} s")
        os.sync()  # the export's dirty pages flushed now, not while the import is timed
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        began = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "llmdecide", "import", "litellm", str(export), "-o", str(Path(tmp) / "w.yaml")],
            capture_output=True,
            text=True,
            check=False,
        )
        elapsed = time.perf_counter() - began
        peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        if done.returncode != 0:
            print(done.stderr, file=sys.stderr)
            raise SystemExit(done.returncode)
        print(done.stderr.splitlines()[0])
        print(
            f"import: {elapsed:.1f} s, {rows / elapsed:,.0f} rows/s, peak memory {max(peak_kib, before) / 1024:,.0f} MB"
        )


if __name__ == "__main__":
    main()
