"""Deployments on accelerators without a published tensor-FLOPS figure are not sized."""

from __future__ import annotations

import pytest

from llmdecide.capacity.deployment import compute_known, resolve_deployment
from llmdecide.catalog import load_catalog

CATALOG = load_catalog()


@pytest.mark.parametrize(
    ("accelerator", "precision", "kv", "known"),
    [
        ("nvidia/rtx-6000-ada", "bf16", None, False),  # its datasheet publishes a Tensor rate for FP8 only
        ("nvidia/rtx-6000-ada", "fp8", "bf16", False),  # attention would run at the missing BF16 rate
        ("nvidia/rtx-6000-ada", "fp8", "fp8", True),
        ("nvidia/h100-sxm-80gb", "bf16", None, True),
    ],
)
def test_compute_known(accelerator: str, precision: str, kv: str | None, known: bool) -> None:
    d = resolve_deployment(CATALOG, "microsoft/phi-4", accelerator, precision=precision, kv_precision=kv)
    assert compute_known(d) is known
