"""``llmdecide calibrate``: fit the capacity model to your own benchmark runs and write an overlay."""

from __future__ import annotations

import sys
from contextlib import nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from llmdecide.cli.boundary import check_output_target, parse_output_path, user_errors, write_output
from llmdecide.cli.capacity import CLI_FLAGS
from llmdecide.cli.options import (
    OUTPUT_RULES,
    CatalogDirOption,
    OverlayOption,
    catalog_inputs,
    make_console,
    open_catalog,
)
from llmdecide.cli.progress_bar import terminal_progress
from llmdecide.cli.settings import catalog_settings
from llmdecide.report.text_safety import terminal_safe

if TYPE_CHECKING:
    from llmdecide.capacity.calibration import Calibration
    from llmdecide.catalog import Catalog
    from llmdecide.catalog.schema import EngineProfile


def calibrate_command(
    ctx: typer.Context,
    results: Annotated[
        list[Path],
        typer.Argument(
            help="Result files: vllm bench serve --save-result JSON, sglang.bench_serving JSONL, "
            "llama-bench -o json/jsonl, GenAI-Perf or AIPerf profile export JSON.",
        ),
    ],
    model: Annotated[str, typer.Option("--model", "-m", help="Open-model id the runs served.")],
    gpu: Annotated[str, typer.Option("--gpu", "-g", help="Accelerator id the runs ran on.")],
    engine: Annotated[
        str | None, typer.Option("--engine", help="Serving engine (default: the one the files come from).")
    ] = None,
    engine_version: Annotated[
        str | None, typer.Option("--engine-version", help="Engine release the runs used, e.g. 0.11.0.")
    ] = None,
    precision: Annotated[str | None, typer.Option("--precision", help="Weight precision of the runs.")] = None,
    kv_precision: Annotated[str | None, typer.Option("--kv-precision", help="KV-cache precision.")] = None,
    tp: Annotated[int, typer.Option("--tp", help="Tensor-parallel degree of the runs.")] = 1,
    gpus: Annotated[int | None, typer.Option("--gpus", help="GPUs in the measured system (default: --tp).")] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            parser=parse_output_path,
            metavar="<path>",
            help="Write the overlay to this file instead of stdout. " + OUTPUT_RULES,
            show_default=False,
        ),
    ] = None,
    catalog_dir: CatalogDirOption = None,
    overlay: OverlayOption = None,
) -> None:
    """Fit the engine profile of one accelerator to your own benchmark runs.

    Reads the result files, predicts each run with the catalog's profile, fits the
    efficiency factors and overheads that match them (starting from, and held
    towards, the catalog's), and writes an overlay catalog with the fitted profile
    for that accelerator. The summary (error before and after, factors that moved)
    goes to stderr; the overlay to stdout or --output. Use the overlay with
    'llmdecide assess --overlay FILE' and 'llmdecide capacity --overlay FILE'.
    """
    from llmdecide.capacity.calibrate_runs import Setup, calibrate_files, overlay_yaml
    from llmdecide.capacity.calibration import profile_factors
    from llmdecide.capacity.deployment import InputNames
    from llmdecide.capacity.planner import _check_counts

    names = InputNames(**CLI_FLAGS)  # the same flags name the same inputs as in 'capacity'
    with user_errors():
        _check_counts(1, 1, gpus, tp, None, names)
        catalog_dir, overlay = catalog_settings(ctx, catalog_dir, overlay)
        inputs = [*results, *catalog_inputs(catalog_dir, overlay)]
        if output is not None:
            check_output_target(output, inputs)
        catalog = open_catalog(catalog_dir, overlay)
        setup = Setup(model, gpu, engine, engine_version, precision, kv_precision, tp, gpus)
        with terminal_progress() if sys.stderr.isatty() else nullcontext():
            result, points = calibrate_files(catalog, results, setup, names)
        text = overlay_yaml(catalog, result)
        console = make_console()
        console.file = typer.get_text_stream("stderr")
        console.print(
            f"{terminal_safe(result.engine)} on {terminal_safe(result.accelerator)}: {len(points)} runs, "
            f"{result.after.points} figures; "
            f"median |error| {result.before.median_abs_pct:.1f}% with the catalog's profile, "
            f"{result.after.median_abs_pct:.1f}% fitted (worst x{result.before.worst_ratio:.2f} -> "
            f"x{result.after.worst_ratio:.2f})",
            markup=False,
            highlight=False,
        )
        base = profile_factors(catalog_profile(catalog, result))
        for name, value in profile_factors(result.profile).items():
            if abs(value - base[name]) > 1e-9:
                console.print(f"  {name}: {base[name]:g} -> {value:g}", markup=False, highlight=False)
        write_output(text, output, inputs, kind="text")


def catalog_profile(catalog: Catalog, result: Calibration) -> EngineProfile:
    """The catalog's profile the fit started from."""
    from llmdecide.capacity.deployment import profile_for

    profile = profile_for(catalog.engines[result.engine].item, catalog.accelerators[result.accelerator].item)
    assert profile is not None
    return profile
