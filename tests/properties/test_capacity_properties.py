"""Properties of the capacity model that must hold for any input."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from llmdecide.capacity.deployment import replica_spec, resolve_deployment
from llmdecide.capacity.sizing import size_for_load
from llmdecide.capacity.throughput import ReplicaSpec, replica_tokens_per_s, roofline_tokens_per_s
from llmdecide.catalog import Catalog, load_catalog

CATALOG: Catalog = load_catalog(Path(__file__).parent.parent / "data" / "catalog")
PAIRS = [
    ("llama-3.1-8b", "h100-sxm", "bf16"),
    ("llama-3.1-70b", "h100-sxm", "fp8"),
    ("mixtral-8x7b", "a100-sxm-80gb", "bf16"),
    ("llama-3.1-8b", "rtx-4090", "int4"),
]


@settings(max_examples=60, deadline=None)
@given(
    pair=st.sampled_from(PAIRS),
    tp=st.sampled_from([1, 2, 4, 8]),
    batch=st.integers(1, 512),
    n_in=st.integers(1, 32_000),
    n_out=st.integers(1, 4_000),
)
def test_prediction_never_exceeds_the_roofline(
    pair: tuple[str, str, str], tp: int, batch: int, n_in: int, n_out: int
) -> None:
    d = resolve_deployment(CATALOG, pair[0], pair[1], precision=pair[2])
    spec = replica_spec(d, tp)
    predicted = replica_tokens_per_s(spec, batch, n_in, n_out)
    ceiling = roofline_tokens_per_s(spec, batch, n_in, n_out)
    assert np.all(predicted <= ceiling * (1 + 1e-12))


def _spec_with(spec: ReplicaSpec, **kw: float) -> ReplicaSpec:
    return ReplicaSpec(**{**spec.__dict__, **{k: np.asarray(v, dtype=np.float64) for k, v in kw.items()}})


@settings(max_examples=40, deadline=None)
@given(load=st.floats(0.01, 200.0), factor=st.floats(1.0, 10.0), pair=st.sampled_from(PAIRS))
def test_gpus_never_fall_as_load_grows(load: float, factor: float, pair: tuple[str, str, str]) -> None:
    d = resolve_deployment(CATALOG, pair[0], pair[1], precision=pair[2])
    low = size_for_load(d, peak_requests_per_s=load, input_tokens=1000, output_tokens=200)
    high = size_for_load(d, peak_requests_per_s=load * factor, input_tokens=1000, output_tokens=200)
    if low.meets_latency and high.meets_latency:
        assert high.gpus >= low.gpus


@settings(max_examples=40, deadline=None)
@given(context=st.integers(100, 60_000), extra=st.integers(0, 60_000), pair=st.sampled_from(PAIRS))
def test_gpus_never_fall_as_context_grows(context: int, extra: int, pair: tuple[str, str, str]) -> None:
    d = resolve_deployment(CATALOG, pair[0], pair[1], precision=pair[2])
    short = size_for_load(d, peak_requests_per_s=5.0, input_tokens=context, output_tokens=200)
    long = size_for_load(d, peak_requests_per_s=5.0, input_tokens=context + extra, output_tokens=200)
    if short.meets_latency and long.meets_latency:
        assert long.gpus >= short.gpus
    if not short.fits:
        assert not long.fits


@pytest.mark.parametrize(("model", "gpu", "precision"), PAIRS)
def test_more_batch_never_lowers_system_throughput_below_batch_one(model: str, gpu: str, precision: str) -> None:
    d = resolve_deployment(CATALOG, model, gpu, precision=precision)
    spec = replica_spec(d, 8 if model == "llama-3.1-70b" else 1)
    rates = replica_tokens_per_s(spec, np.arange(1, 257), 512, 256)
    assert np.all(rates >= rates[0] * 0.999)
