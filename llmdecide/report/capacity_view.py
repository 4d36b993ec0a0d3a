"""Rendering a :class:`CapacityResult` for the terminal, as Markdown and as JSON."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

from llmdecide.capacity.planner import CapacityResult
from llmdecide.report.formatting import fmt_number, fmt_pct
from llmdecide.report.tables import markdown_table, to_json
from llmdecide.report.text_safety import markdown_inline, terminal_text


def capacity_json(result: CapacityResult) -> str:
    """Every field of the result, unrounded."""
    return to_json(result.model_dump(mode="json"))


def _num(value: float | None, unit: str = "", decimals: int = 1) -> str:
    if value is None:
        return "—"
    return f"{fmt_number(round(value, decimals), decimals=decimals)}{unit}"


def capacity_rows(r: CapacityResult) -> list[tuple[str, str]]:
    """Label and value of each line of the terminal view."""
    e = r.efficiency
    rows = [
        ("fits", "yes" if r.fits else "NO"),
        ("system", f"{r.gpus} x {r.accelerator} = {r.replicas} replica(s) of tensor parallel {r.tp}"),
        ("engine, precision", f"{r.engine}, weights {r.precision}, KV cache {r.kv_precision}"),
        ("request shape", f"{r.input_tokens:,} input + {r.output_tokens:,} output tokens"),
        ("weights", f"{_num(r.weights_gb, ' GB')} ({_num(r.weights_gb_per_gpu, ' GB')} per GPU)"),
        ("usable memory", f"{_num(r.usable_memory_gb_per_gpu, ' GB')} per GPU"),
        ("memory needed", f"{_num(r.memory_needed_gb, ' GB')} per replica for weights, overhead and one sequence"),
        (
            "KV cache",
            f"{_num(r.kv_cache_gb_per_sequence, ' GB', 3)} per sequence; "
            f"{_num(r.kv_cache_gb_per_replica, ' GB')} free per replica",
        ),
        ("max concurrency", f"{r.max_concurrency:,} sequences"),
        ("concurrency", f"{r.concurrency:,} sequences"),
        (
            "throughput",
            f"{_num(r.output_tokens_per_s, ' output tokens/s')} ({_num(r.requests_per_s, ' requests/s', 2)})",
        ),
        ("per user", _num(r.per_user_output_tokens_per_s, " tokens/s")),
        ("time to first token", _num(r.ttft_ms, " ms", 0)),
    ]
    if r.speed_interval is not None and r.output_tokens_per_s is not None:
        low, high = r.speed_interval
        rows.append(
            (
                "80% interval",
                f"{_num(r.output_tokens_per_s * low, '')} to {_num(r.output_tokens_per_s * high, ' output tokens/s')}"
                f" (x{low:.2f} to x{high:.2f}; {', '.join(r.interval_regimes)})",
            )
        )
    if r.ttft_interval is not None and r.ttft_ms is not None:
        low, high = r.ttft_interval
        rows.append(("TTFT 80% interval", f"{_num(r.ttft_ms / high, '', 0)} to {_num(r.ttft_ms / low, ' ms', 0)}"))
    rows += [
        ("prefill", _num(r.prefill_tokens_per_s, " tokens/s", 0)),
        ("bound by", r.bound or "—"),
        (
            "efficiency used",
            f"bandwidth {fmt_pct(e.bandwidth_efficiency)}, decode compute "
            f"{fmt_pct(e.decode_compute_efficiency)}, prefill compute {fmt_pct(e.prefill_compute_efficiency)}, "
            f"{e.step_overhead_ms:g} ms per step + {e.layer_overhead_us:g} us per layer, "
            f"{e.request_overhead_ms:g} ms per request ({e.engine} on {e.accelerator_class})",
        ),
    ]
    return rows


def print_capacity(console: Console, r: CapacityResult) -> None:
    """The result as a two-column table plus its warnings."""
    table = Table(title=terminal_text(f"{r.model} on {r.accelerator}"), show_header=False)
    table.add_column("", style="bold", no_wrap=True)
    table.add_column("")
    for label, value in capacity_rows(r):
        table.add_row(terminal_text(label), terminal_text(value))
    console.print(table)
    for w in r.warnings:
        console.print(Text.assemble(("warning:", "yellow"), " ", terminal_text(w)))


def capacity_markdown(r: CapacityResult) -> str:
    """The same rows as the terminal view, as a Markdown section with its warnings (for a pull request or a
    sizing note)."""
    title = f"## {markdown_inline(f'{r.model} on {r.accelerator}')}\n\n"
    body = markdown_table(["", "value"], [[label, value] for label, value in capacity_rows(r)])
    warnings = "".join(f"\n- **warning:** {markdown_inline(w)}" for w in r.warnings)
    return title + body + (warnings + "\n" if warnings else "")
