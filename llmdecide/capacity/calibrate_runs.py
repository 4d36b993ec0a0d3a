"""From benchmark result files to a calibrated engine profile and the overlay that carries it.

:func:`runs_to_measurements` turns the runs of ``results.py`` into measurements of one stated setup;
:func:`calibrate_files` fits them (``calibration.calibrate_profile``) and :func:`overlay_yaml` writes the
overlay catalog that ``assess --overlay`` and ``capacity --overlay`` read.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import yaml

from llmdecide.capacity.calibration import Calibration, calibrate_profile
from llmdecide.capacity.deployment import PARAMETER_NAMES, InputNames, resolve_deployment
from llmdecide.capacity.results import RunResult, read_results
from llmdecide.catalog.catalog import Catalog
from llmdecide.catalog.schema import Engine, Measurement, OverlayFile
from llmdecide.errors import InputFileError
from llmdecide.input_files import InputReadError, decode_text, read_input_bytes
from llmdecide.limits import MAX_RESULT_BYTES

ENGINE_FOR_TOOL: dict[str, tuple[str, ...] | None] = {
    "vllm": ("vllm",),
    "sglang": ("sglang",),
    "llama-bench": ("llama.cpp",),
    "genai-perf": None,
}
"""Engines each tool's files can come from (GenAI-Perf and AIPerf measure any OpenAI-compatible server)."""

VERSION = re.compile(r"^v?\d+(\.\d+){0,3}([.+-][0-9A-Za-z.+-]+)?$|^b\d+$|^[0-9a-f]{7,40}$")
"""Engine versions as the projects write them: 0.11.0, v0.5.4.post2, 1.2.0rc5, a llama.cpp build b6800 or commit."""


@dataclass(frozen=True)
class Setup:
    """What the result files do not record: the model, accelerator and engine the runs used."""

    model: str
    accelerator: str
    engine: str | None = None
    engine_version: str | None = None
    precision: str | None = None
    kv_precision: str | None = None
    tp: int = 1
    gpus: int | None = None


def display_names(files: list[Path]) -> dict[Path, str]:
    """How the overlay and ids name each file: its name, or as many of its last path parts as tell it from
    the others (never the absolute path)."""
    parts = {f: f.parts for f in files}
    out: dict[Path, str] = {}
    for f in files:
        for n in range(1, len(parts[f]) + 1):
            tail = "/".join(parts[f][-n:])
            if all(o == f or "/".join(parts[o][-n:]) != tail for o in files):
                out[f] = tail.lstrip("/")
                break
        else:
            out[f] = f.name
    return out


def _slug(name: str) -> str:
    """A file name as an id part: lower case, anything but letters, digits, '.', '_' and '-' as '-'."""
    slug = re.sub(r"[^a-z0-9._-]+", "-", name.lower()).strip("-._")
    return slug or "run"


def _digest(path: Path) -> str:
    return hashlib.sha256(read_input_bytes(path, MAX_RESULT_BYTES, "a benchmark result file")).hexdigest()[:12]


def _run_date(path: Path) -> dt.date | None:
    """The date a result file says its run happened on (vLLM's 'date', llama-bench's 'test_time')."""
    try:
        text = decode_text(read_input_bytes(path, MAX_RESULT_BYTES, "a benchmark result file"), "JSON")
    except InputReadError:
        return None
    found = re.search(r'"(?:date|test_time)"\s*:\s*"(\d{4})-?(\d{2})-?(\d{2})', text)
    if found is None:
        return None
    try:
        return dt.date(int(found[1]), int(found[2]), int(found[3]))
    except ValueError:
        return None


def runs_to_measurements(
    catalog: Catalog, files: list[Path], setup: Setup, names: InputNames = PARAMETER_NAMES
) -> tuple[list[Measurement], list[RunResult], dt.date | None]:
    """Every run of the files as a measurement of ``setup``, the runs, and the newest date the files show."""
    if setup.engine_version is not None and not VERSION.match(setup.engine_version):
        raise InputFileError(
            f"{names.engine}: unknown engine version {setup.engine_version!r}",
            hint="give it as the engine prints it, e.g. 0.11.0, 0.5.4.post2, 1.2.0rc5 or a llama.cpp build b6800",
        )
    shown = display_names(files)
    runs: list[RunResult] = []
    for path in files:
        runs += [replace(r, file=shown[path]) for r in read_results(path)]
    tools = sorted({r.tool for r in runs})
    engine = setup.engine
    if engine is None:
        fixed = sorted({allowed[0] for t in tools if (allowed := ENGINE_FOR_TOOL[t]) is not None})
        if not fixed:
            raise InputFileError(
                f"{names.engine}: GenAI-Perf and AIPerf results do not say which engine served them; "
                "give the engine (e.g. --engine vllm)"
            )
        engine = fixed[0]
    d = resolve_deployment(
        catalog,
        setup.model,
        setup.accelerator,
        engine_id=engine,
        precision=setup.precision,
        kv_precision=setup.kv_precision,
        names=names,
    )
    for r in runs:
        allowed = ENGINE_FOR_TOOL[r.tool]
        if allowed is not None and d.engine.id not in allowed:
            raise InputFileError(f"{r.file}: a {r.tool} result, not a run of {d.engine.id} ({names.engine})")
    gpus_named = sorted({r.gpu_info for r in runs if r.gpu_info})
    if len(gpus_named) > 1:
        raise InputFileError(
            f"{runs[0].file}: gpu_info: the runs name different accelerators ({'; '.join(gpus_named)}); "
            "calibrate one accelerator at a time"
        )
    gpus = setup.gpus or setup.tp
    if setup.tp < 1 or gpus % setup.tp:
        raise InputFileError(f"{names.gpus}: {gpus} GPUs cannot be split into replicas of {names.tp} {setup.tp}")
    digests = {shown[path]: _digest(path) for path in files}
    dates = [day for day in (_run_date(p) for p in files) if day is not None]
    newest = max(dates) if dates else None
    checked = newest or catalog.as_of or dt.date(2000, 1, 1)
    out = []
    for r in runs:
        out.append(
            Measurement.model_validate(
                {
                    "id": f"calibrate/{_slug(r.file)}-{r.index}",
                    "model": d.model.id,
                    "accelerator": d.accelerator.id,
                    "engine": d.engine.id,
                    "engine_version": setup.engine_version or r.build,
                    "gpus": gpus,
                    "tp": setup.tp,
                    "precision": d.precision,
                    "kv_precision": d.kv_precision,
                    "input_tokens": r.input_tokens,
                    "output_tokens": r.output_tokens,
                    "concurrency": r.concurrency,
                    "requests": r.requests if r.concurrency is None else None,
                    "output_tokens_per_s": r.output_tokens_per_s,
                    "per_user_output_tokens_per_s": r.per_user_output_tokens_per_s,
                    "ttft_ms": r.ttft_ms,
                    "ttft_statistic": r.ttft_statistic if r.ttft_ms is not None else None,
                    "prefill_tokens_per_s": r.prefill_tokens_per_s,
                    "split": "calibration",
                    "source": f"{r.file} (sha256 {digests[r.file]})",
                    "checked": checked,
                }
            )
        )
    return out, runs, newest


def calibrate_files(
    catalog: Catalog, files: list[Path], setup: Setup, names: InputNames = PARAMETER_NAMES
) -> tuple[Calibration, list[Measurement]]:
    """Fit the engine profile of the setup's accelerator on the runs of the result files."""
    points, _, _ = runs_to_measurements(catalog, files, setup, names)
    listed = ", ".join(dict.fromkeys(p.source for p in points))  # each file once, in the order given
    return calibrate_profile(
        catalog, points, source=f"llmdecide calibrate: {listed}", checked=points[0].checked
    ), points


def overlay_yaml(catalog: Catalog, result: Calibration) -> str:
    """The overlay catalog carrying the fitted profile, as YAML text (validated against the overlay schema)."""
    engine = catalog.engines[result.engine].item
    overlay_engine = Engine(id=engine.id, name=engine.name, url=engine.url, profiles=[result.profile])
    day = result.profile.checked
    overlay = OverlayFile(
        schema_version=1,
        kind="overlay",
        version=f"calibrated-{day.isoformat()}",
        as_of=day,
        engines=[overlay_engine],
    )
    data: dict[str, Any] = overlay.model_dump(mode="json", exclude_none=True, exclude_defaults=False)
    data = {k: v for k, v in data.items() if v != []}
    data = {"schema_version": data.pop("schema_version"), "kind": data.pop("kind"), **data}
    sourced = ("source", "source_kind", "checked", "observed", "note")
    for e in data["engines"]:
        e["profiles"] = [
            {**{k: v for k, v in p.items() if k not in sourced}, **{k: p[k] for k in sourced if k in p}}
            for p in e["profiles"]
        ]
    header = (
        f"# Engine profile of {result.engine} on {result.accelerator}, fitted by `llmdecide calibrate` on the\n"
        f"# runs named in its source. Median |error| on them: {result.before.median_abs_pct:.1f}% with the\n"
        f"# catalog's profile, {result.after.median_abs_pct:.1f}% with this one. Use it with\n"
        "# `llmdecide assess --overlay FILE` or `llmdecide capacity --overlay FILE`.\n"
    )
    return header + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
