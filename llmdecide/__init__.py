"""llmdecide: should an LLM workload run on a cloud API, on your own GPUs, or both?

The library behind the command line::

    from pathlib import Path
    import llmdecide

    catalog = llmdecide.load_catalog()
    report = llmdecide.assess(Path("workload.yaml"), catalog)
    print(report.recommendation.decision, report.recommendation.horizon_cost_usd)

    fit = llmdecide.plan_capacity(catalog, "llama-3.1-70b", "h100-sxm", input_tokens=2000)

Names are imported on first use, so ``import llmdecide`` stays cheap.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any


def _installed_version() -> str:
    """The version of the installed distribution (pyproject.toml is the one place it is written)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("llmdecide")
    except PackageNotFoundError:  # a source tree on sys.path without an install
        return "0+unknown"


if TYPE_CHECKING:
    from llmdecide.api import assess, workload_deltas
    from llmdecide.assessment import Assessment, assess_workload
    from llmdecide.capacity.planner import CapacityResult, plan_capacity
    from llmdecide.catalog import Catalog, load_catalog
    from llmdecide.errors import ExitCode, LlmdecideError
    from llmdecide.report.json_report import render_json
    from llmdecide.report.markdown import render_markdown
    from llmdecide.report.result import DecisionReport
    from llmdecide.workload import Workload, load_workload, load_workload_text

_EXPORTS = {
    "assess": "llmdecide.api",
    "workload_deltas": "llmdecide.api",
    "Assessment": "llmdecide.assessment",
    "assess_workload": "llmdecide.assessment",
    "CapacityResult": "llmdecide.capacity.planner",
    "plan_capacity": "llmdecide.capacity.planner",
    "Catalog": "llmdecide.catalog",
    "load_catalog": "llmdecide.catalog",
    "ExitCode": "llmdecide.errors",
    "LlmdecideError": "llmdecide.errors",
    "render_json": "llmdecide.report.json_report",
    "render_markdown": "llmdecide.report.markdown",
    "DecisionReport": "llmdecide.report.result",
    "Workload": "llmdecide.workload",
    "load_workload": "llmdecide.workload",
    "load_workload_text": "llmdecide.workload",
}

__all__ = [
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
]


def __getattr__(name: str) -> Any:
    """Import a public name from its module on first use (``__version__``: read from the installed metadata
    only when asked, so ``import llmdecide`` does not pay for importlib.metadata)."""
    if name == "__version__":
        globals()[name] = version = _installed_version()
        return version
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'llmdecide' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
