"""The public Python API: the names ``llmdecide`` exports, and that they work as the README shows."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import llmdecide

EXAMPLE = Path(__file__).parent.parent.parent / "examples" / "startup-mvp.yaml"
TEST_CATALOG = Path(__file__).parent.parent / "data" / "catalog"

PUBLIC = {
    "Assessment",
    "CapacityResult",
    "Catalog",
    "DecisionReport",
    "ExitCode",
    "LlmdecideError",
    "Workload",
    "__version__",
    "assess",
    "assess_workload",
    "load_catalog",
    "load_workload",
    "load_workload_text",
    "plan_capacity",
    "render_json",
    "render_markdown",
    "workload_deltas",
}


def test_the_public_surface_is_pinned() -> None:
    """Adding or removing a public name is a deliberate change: update this set and the README together."""
    assert set(llmdecide.__all__) == PUBLIC
    for name in PUBLIC:
        assert getattr(llmdecide, name) is not None
    with pytest.raises(AttributeError):
        _ = llmdecide.no_such_name  # type: ignore[attr-defined]


def test_importing_the_package_stays_cheap() -> None:
    """``import llmdecide`` loads no numpy, pydantic or rich until a name is used."""
    code = "import sys, llmdecide; print(sorted(m for m in ('numpy', 'pydantic', 'rich') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_the_readme_example_runs() -> None:
    catalog = llmdecide.load_catalog()
    report = llmdecide.assess(EXAMPLE, catalog)
    assert isinstance(report, llmdecide.DecisionReport)
    assert report.recommendation.decision in ("cloud", "local", "hybrid")
    assert report.recommendation.decided_by.text
    workload = llmdecide.load_workload(EXAMPLE)
    a = llmdecide.assess_workload(workload, catalog)
    assert isinstance(a, llmdecide.Assessment)
    assert a.recommended is not None and a.recommended.id == report.recommendation.option
    assert llmdecide.render_json(report) == llmdecide.render_json(llmdecide.assess(workload, catalog)).replace(
        '"file": null', '"file": "startup-mvp.yaml"'
    )
    fit = llmdecide.plan_capacity(llmdecide.load_catalog(TEST_CATALOG), "llama-3.1-70b", "h100-sxm", input_tokens=2000)
    assert isinstance(fit, llmdecide.CapacityResult) and fit.fits


def test_errors_carry_their_exit_code() -> None:
    with pytest.raises(llmdecide.LlmdecideError) as info:
        llmdecide.plan_capacity(llmdecide.load_catalog(TEST_CATALOG), "llama-3.1-70b", "h1000")
    assert info.value.exit_code == llmdecide.ExitCode.UNKNOWN_ID
    assert str(info.value).startswith("accelerator: unknown accelerator id 'h1000'")
