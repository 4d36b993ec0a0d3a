"""The capacity model on sources it was not fitted on: leave one source out, held to today's figures.

Every figure here is predicted by engine factors fitted without any row of its source document
(``calibration.leave_one_source_out``). The thresholds are today's figures with a small margin, so the suite
fails when a change makes the model worse on unseen sources; they are not yet the targets the project aims
for (median error 15% and 95% of figures within 2x for every engine, bias between 0.9 and 1.1): the README's
capacity section states where it stands against those.
"""

from __future__ import annotations

import pytest

from llmdecide.capacity.calibration import (
    HeldOutError,
    HeldOutRow,
    held_out_table,
    interval_coverage,
    leave_one_source_out,
    prediction_intervals,
)
from llmdecide.catalog import Catalog, load_catalog


@pytest.fixture(scope="module")
def packaged() -> Catalog:
    return load_catalog()


@pytest.fixture(scope="module")
def held(packaged: Catalog) -> list[HeldOutError]:
    rows, _ = leave_one_source_out(packaged)
    return rows


@pytest.fixture(scope="module")
def table(held: list[HeldOutError]) -> dict[str, HeldOutRow]:
    return {r.group: r for r in held_out_table(held)}


FLOORS = {
    # group: (highest median |error| %, lowest share within 2x, largest bias off 1 either way); the held-out
    # figures of engines 2026.12.04.8 (619 figures from 55 documents) with a little room. The floors rose
    # from 2026.12.04.7 (597 figures) with the data, not the model: DataCrunch's 22 SGLang figures of dense
    # Llama models on H200 (a publisher not seen before) come within 23.5% held out, and refitting every
    # other document with them in the pool moves vLLM's and the tensor-parallel groups too.
    "all": (17.0, 0.91, 0.04),
    "engine: llama.cpp": (12.5, 0.97, 0.04),
    "engine: mlx": (14.0, 0.97, 0.08),
    "engine: vllm": (15.5, 0.89, 0.04),
    "engine: tensorrt-llm": (21.0, 0.91, 0.13),
    "engine: sglang": (21.5, 0.87, 0.06),
    "regime: batch 1": (17.5, 0.90, 0.04),
    "regime: mid concurrency": (16.0, 0.93, 0.07),
    "regime: saturation": (21.5, 0.89, 0.08),
    "regime: prefill": (16.0, 0.85, 0.05),
    "model: dense": (15.0, 0.95, 0.07),
    "model: mixture of experts": (20.5, 0.85, 0.06),
    "GPUs: one": (14.5, 0.91, 0.08),
    "GPUs: several (tensor parallel)": (19.0, 0.90, 0.04),
}


@pytest.mark.parametrize("group", sorted(FLOORS))
def test_held_out_error_does_not_get_worse(table: dict[str, HeldOutRow], group: str) -> None:
    median, within, off = FLOORS[group]
    row = table[group]
    assert row.sources >= 2, "a held-out figure needs another source of its engine to be fitted on"
    assert row.median_abs_pct <= median, row
    assert row.within_2x >= within, row
    assert 1.0 / (1.0 + off) <= row.bias <= 1.0 + off, row


def test_every_engine_with_points_is_cross_validated(table: dict[str, HeldOutRow]) -> None:
    engines = {g.split(": ", 1)[1] for g in table if g.startswith("engine: ")}
    assert {"vllm", "sglang", "tensorrt-llm", "llama.cpp", "mlx"} <= engines
    assert table["engine: vllm"].figures >= 25 and table["engine: sglang"].figures >= 25


def test_the_catalog_intervals_are_the_held_out_ones(packaged: Catalog, held: list[HeldOutError]) -> None:
    """benchmarks/calibrate.py --write stored the intervals these residuals give (rerun it after changing the
    model or the measurements)."""
    stored = {i.regime: i for i in packaged.prediction_intervals}
    fresh = {i.regime: i for i in prediction_intervals(held)}
    assert (
        set(stored)
        == set(fresh)
        == {
            "batch 1",
            "mid concurrency",
            "saturation",
            "prefill",
            "mixture of experts",
            "multi-GPU",
        }
    )
    for regime, interval in fresh.items():
        assert stored[regime].low == pytest.approx(interval.low, abs=0.01), regime
        assert stored[regime].high == pytest.approx(interval.high, abs=0.01), regime


def test_each_interval_covers_about_eighty_percent_of_its_regime(packaged: Catalog, held: list[HeldOutError]) -> None:
    coverage = interval_coverage(held, packaged.prediction_intervals)
    assert coverage, "no intervals in the catalog"
    for regime, share in coverage.items():
        assert 0.7 <= share <= 0.9, (regime, share)
