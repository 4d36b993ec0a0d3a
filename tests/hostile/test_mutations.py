"""Random mutations of the shipped example workloads either assess with finite, in-band results or fail
with a clean llmdecide error; never a traceback, a numpy warning or an absurd figure."""

from __future__ import annotations

import json
import math
import warnings
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from llmdecide.api import assess
from llmdecide.catalog import Catalog, load_catalog
from llmdecide.errors import LlmdecideError
from llmdecide.limits import MAX_RESULT_USD
from llmdecide.report.json_report import render_json
from llmdecide.workload.loader import load_workload_text
from llmdecide.yaml_source import parse_yaml_text
from tests.hostile.json_numbers import numbers_in

EXAMPLES = sorted((Path(__file__).resolve().parent.parent.parent / "examples").glob("*.yaml"))
STRANGE_NUMBERS = [0, -1, -1e9, 1e-12, 1e12, 1e300, 7e22, 0.5, 3, 100_000, 2**63, float("inf"), float("nan")]
STRANGE_TEXT = ["", " ", "no", "yes", "[/]", "x" * 300, "nvidia/h100", "openai/gpt-4o", "\x1b[2J", "0700", "16:40"]


@cache
def catalog() -> Catalog:
    return load_catalog()


def _leaves(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(value, dict):
        return [path] + [p for k, v in value.items() for p in _leaves(v, (*path, k))]
    if isinstance(value, list):
        return [path] + [p for i, v in enumerate(value) for p in _leaves(v, (*path, i))]
    return [path]


def _set(root: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    parent = root
    for part in path[:-1]:
        parent = parent[part]
    parent[path[-1]] = new
    return root


def _delete(root: Any, path: tuple[Any, ...]) -> Any:
    parent = root
    for part in path[:-1]:
        parent = parent[part]
    del parent[path[-1]]
    return root


@st.composite
def scaled(draw: st.DrawFn) -> str:
    """An example with one or two of its numbers scaled up or down by up to a million."""
    example = draw(st.sampled_from(EXAMPLES))
    data = parse_yaml_text(example.read_text())
    for _ in range(draw(st.integers(1, 2))):
        numeric = [p for p in _leaves(data) if p and p[0] != "schema_version" and type(_get(data, p)) in (int, float)]
        if not numeric:
            break
        path = draw(st.sampled_from(numeric))
        old = _get(data, path)
        data = _set(data, path, type(old)(old * draw(st.sampled_from([1e-6, 1e-3, 0.1, 0.5, 2, 10, 1e3, 1e6]))))
    uncertainty = data.get("uncertainty")
    if isinstance(uncertainty, dict):
        uncertainty["samples"] = 2000
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


@st.composite
def mutated(draw: st.DrawFn) -> str:
    example = draw(st.sampled_from(EXAMPLES))
    data = parse_yaml_text(example.read_text())
    for _ in range(draw(st.integers(1, 2))):
        paths = [p for p in _leaves(data) if p and p[0] != "schema_version"]
        numeric = [p for p in paths if isinstance(_get(data, p), (int, float)) and not isinstance(_get(data, p), bool)]
        path = draw(st.sampled_from(numeric if numeric and draw(st.booleans()) else paths))
        how = draw(st.sampled_from(["number", "number", "scale", "scale", "text", "delete", "list", "bool"]))
        if how == "number":
            data = _set(
                data, path, draw(st.sampled_from(STRANGE_NUMBERS) | st.floats(0.001, 1e8) | st.integers(1, 10**6))
            )
        elif how == "text":
            data = _set(data, path, draw(st.sampled_from(STRANGE_TEXT) | st.text(max_size=30)))
        elif how == "delete":
            data = _delete(data, path)
        elif how == "list":
            data = _set(data, path, [])
        elif how == "bool":
            data = _set(data, path, draw(st.booleans()))
        else:
            old = _get(data, path)
            if isinstance(old, (int, float)) and not isinstance(old, bool):
                data = _set(data, path, old * draw(st.sampled_from([1e-6, 0.001, 0.5, 2, 10, 1000, 1e6])))
    uncertainty = data.get("uncertainty") if isinstance(data, dict) else None
    if isinstance(uncertainty, dict):
        uncertainty["samples"] = 2000  # the property is about values, not about the Monte Carlo's length
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def _get(root: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        root = root[part]
    return root


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.one_of(mutated(), scaled()))
def test_mutated_examples_assess_cleanly_or_fail_cleanly(text: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # numpy floating-point warnings
        try:
            report = assess(load_workload_text(text, "mutated.yaml"), catalog())
        except LlmdecideError as exc:
            event("refused")
            message = str(exc)
            assert message and "\n" not in message and "Traceback" not in message
            return
        figures = numbers_in(json.loads(render_json(report)))
    event("assessed")
    assert all(math.isfinite(n) for n in figures)
    assert max((abs(n) for n in figures), default=0) <= 100 * MAX_RESULT_USD
