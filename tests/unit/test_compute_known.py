"""Deployments on accelerators without a published tensor-FLOPS figure are not sized."""

from __future__ import annotations

import pytest

from llmdecide.capacity.deployment import compute_known, compute_tflops, resolve_deployment
from llmdecide.catalog import load_catalog
from llmdecide.catalog.catalog import Entry

CATALOG = load_catalog()
ADA = CATALOG.accelerators["nvidia/rtx-6000-ada"]
CATALOG.accelerators["test/fp8-only"] = Entry(
    ADA.item.model_copy(update={"id": "test/fp8-only", "bf16_dense_tflops": None, "fp16_dense_tflops": None}),
    ADA.file,
    ADA.provider,
)
"""A card whose datasheet publishes a Tensor rate for FP8 only (as the RTX 6000 Ada's once did)."""


@pytest.mark.parametrize(
    ("accelerator", "precision", "kv", "known"),
    [
        ("test/fp8-only", "bf16", None, False),
        ("test/fp8-only", "fp8", "bf16", False),  # attention would run at the missing BF16 rate
        ("test/fp8-only", "fp8", "fp8", True),
        ("nvidia/h100-sxm-80gb", "bf16", None, True),
    ],
)
def test_compute_known(accelerator: str, precision: str, kv: str | None, known: bool) -> None:
    d = resolve_deployment(CATALOG, "microsoft/phi-4", accelerator, precision=precision, kv_precision=kv)
    assert compute_known(d) is known


def test_fp4_without_fp4_tensor_cores_runs_at_the_16_bit_rate() -> None:
    h100 = CATALOG.accelerators["nvidia/h100-sxm-80gb"].item
    assert h100.fp4_dense_tflops is None
    assert compute_tflops(h100, "fp4") == h100.bf16_dense_tflops
    b200 = CATALOG.accelerators["nvidia/b200-sxm-180gb"].item
    assert compute_tflops(b200, "fp4") == b200.fp4_dense_tflops
