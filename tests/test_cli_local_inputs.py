"""Bad local-cost inputs get one line naming the key and exit 3."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest


def _workload(**extra: Any) -> dict[str, Any]:
    seg = {"name": "s", "requests_per_day": 2000, "input_tokens": 800, "output_tokens": 200}
    return {"schema_version": 1, "name": "t", "horizon_months": 12, "segments": [seg], **extra}


OWNED = {"name": "box", "accelerator": "nvidia/h100-sxm-80gb", "gpus": 8, "acquisition": "owned"}
CASES = [
    ({"finance": {"discount_rate_per_year": -0.05}}, "finance.discount_rate_per_year"),
    ({"finance": {"resale_fraction": 1.2}}, "finance.resale_fraction"),
    ({"candidates": {"deployments": [{**OWNED, "usd_per_unit": 20000}]}}, "candidates.deployments[0]"),
    ({"candidates": {"deployments": [{**OWNED, "acquisition": "buy", "replace_on": "2027-01-01"}]}}, "replace_on"),
    (
        {
            "segments": [
                {
                    "name": "s",
                    "requests_per_day": 10,
                    "input_tokens": 8,
                    "output_tokens": 2,
                    "latency": "embedded",
                    "devices": 0,
                }
            ]
        },
        "segments[0].devices",
    ),
    (
        {
            "segments": [
                {"name": "s", "requests_per_day": 10, "input_tokens": 8, "output_tokens": 2, "latency": "embedded"}
            ]
        },
        "give devices",
    ),
    ({"team": {"hire": 0}}, "hire"),
    (
        {
            "candidates": {"accelerators": ["apple/m2-ultra-192gb"], "acquisitions": ["buy"]},
            "local": {"hosting": "colocation"},
        },
        "local.hosting: colocation does not fit",
    ),
    (
        {
            "candidates": {"deployments": [{**OWNED, "accelerator": "nvidia/rtx-4090", "gpus": 1}]},
            "local": {"hosting": "on_premises"},
        },
        "local.hosting: on_premises does not fit",
    ),
]


@pytest.mark.parametrize(("extra", "expected"), CASES)
def test_bad_local_input_is_one_line_and_exit_3(
    input_error: Callable[[dict[str, Any]], str], extra: dict[str, Any], expected: str
) -> None:
    assert expected in input_error(_workload(**extra))
