"""``llmdecide capacity``: how a model runs on an accelerator."""

from __future__ import annotations

from typing import Annotated

import typer

from llmdecide.cli.boundary import check_output_target, user_errors
from llmdecide.cli.options import (
    CatalogDirOption,
    FormatOption,
    ListingFormat,
    OutputOption,
    OverlayOption,
    catalog_inputs,
    emit,
    open_catalog,
)
from llmdecide.cli.settings import catalog_settings

CLI_FLAGS = {
    "model": "--model",
    "accelerator": "--gpu",
    "engine": "--engine",
    "precision": "--precision",
    "kv_precision": "--kv-precision",
    "gpus": "--gpus",
    "tp": "--tp",
    "concurrency": "--concurrency",
    "input_tokens": "--input-tokens",
    "output_tokens": "--output-tokens",
}
"""How capacity errors name each input on the command line."""


def capacity_command(
    ctx: typer.Context,
    model: Annotated[str, typer.Option("--model", "-m", help="Open-model id, e.g. llama-3.1-70b.")],
    gpu: Annotated[str, typer.Option("--gpu", "-g", help="Accelerator id, e.g. h100-sxm.")],
    gpus: Annotated[
        int | None, typer.Option("--gpus", help="GPUs in the whole system (default: the fewest that fit).")
    ] = None,
    tp: Annotated[
        int | None, typer.Option("--tp", help="Tensor-parallel degree (default: the smallest that fits).")
    ] = None,
    precision: Annotated[
        str | None,
        typer.Option("--precision", help="Weight precision: bf16, fp16, fp8, int8, int4, fp4 (default: native)."),
    ] = None,
    kv_precision: Annotated[
        str | None,
        typer.Option("--kv-precision", help="KV-cache precision (default: fp8 with fp8 weights, else bf16)."),
    ] = None,
    engine: Annotated[
        str | None, typer.Option("--engine", help="Serving engine (default: vllm; llama.cpp on Apple silicon).")
    ] = None,
    concurrency: Annotated[
        int | None,
        typer.Option("--concurrency", help="Concurrent requests (default: the most the KV cache holds)."),
    ] = None,
    input_tokens: Annotated[int, typer.Option("--input-tokens", help="Prompt tokens per request.")] = 1024,
    output_tokens: Annotated[int, typer.Option("--output-tokens", help="Generated tokens per request.")] = 256,
    fmt: FormatOption = ListingFormat.TABLE,
    output: OutputOption = None,
    catalog_dir: CatalogDirOption = None,
    overlay: OverlayOption = None,
) -> None:
    """Will a model fit on an accelerator, and how fast will it run?

    Memory fit (weights, KV cache, overhead), tensor parallelism and replicas,
    decode speed per user and for the whole system, time to first token, and
    what bounds it: memory bandwidth, compute or KV-cache capacity. A model that
    does not fit is a result (exit 0) that says how much memory it needs.
    """
    from llmdecide.capacity.deployment import InputNames
    from llmdecide.capacity.planner import plan_capacity
    from llmdecide.report.capacity_view import capacity_json, capacity_markdown, print_capacity

    cli_names = InputNames(**CLI_FLAGS)
    with user_errors():
        catalog_dir, overlay = catalog_settings(ctx, catalog_dir, overlay)
        inputs = catalog_inputs(catalog_dir, overlay)
        if output is not None:
            check_output_target(output, inputs)
        catalog = open_catalog(catalog_dir, overlay)
        result = plan_capacity(
            catalog,
            model,
            gpu,
            engine_id=engine,
            precision=precision,
            kv_precision=kv_precision,
            gpus=gpus,
            tp=tp,
            concurrency=concurrency,
            input_tokens=input_tokens,
            output_tokens=output_tokens,
            names=cli_names,
        )
        emit(
            fmt,
            output,
            draw=lambda c: print_capacity(c, result),
            json_text=lambda: capacity_json(result),
            markdown_text=lambda: capacity_markdown(result),
            inputs=inputs,
        )
