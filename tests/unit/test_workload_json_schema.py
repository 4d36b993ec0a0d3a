"""The workload JSON Schema accepts what llmdecide accepts, as a YAML 1.2 language server sees it."""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from llmdecide.workload.json_schema import UNDERSCORE_NUMBER, workload_json_schema
from llmdecide.yaml_source import read_yaml_file

EXAMPLES = sorted((Path(__file__).resolve().parent.parent.parent / "examples").glob("*.yaml"))
SCHEMA = workload_json_schema()
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)


def _numbers(node: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    if isinstance(node, dict):
        if node.get("type") in ("number", "integer"):
            found.append(node)
        for value in node.values():
            found.extend(_numbers(value))
    elif isinstance(node, list):
        for item in node:
            found.extend(_numbers(item))
    return found


def test_the_schema_is_valid_json_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_every_example_validates(path: Path) -> None:
    errors = sorted(VALIDATOR.iter_errors(read_yaml_file(path)), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors]


def _segment_doc(value: Any) -> dict[str, Any]:
    doc = copy.deepcopy(read_yaml_file(EXAMPLES[0]))
    doc["segments"][0].pop("requests_per_month", None)
    doc["segments"][0].pop("tokens_per_month", None)
    doc["segments"][0]["requests_per_day"] = value
    return doc


@pytest.mark.parametrize("written", ["20_000", "1_000.5", "2_0e3", "+1_000"])
def test_a_number_with_underscores_is_accepted_as_the_language_server_reads_it(written: str) -> None:
    assert VALIDATOR.is_valid(_segment_doc(written)), written  # a language server reads 20_000 as a string


@pytest.mark.parametrize("written", ["20000", "lots", "_20", "2e4x", "1_0_x", ""])
def test_other_strings_are_still_refused(written: str) -> None:
    assert not VALIDATOR.is_valid(_segment_doc(written)), written


def _numbers_outside_the_pair(node: Any) -> int:
    """Numeric nodes not paired, in one anyOf, with the underscore string form."""
    if isinstance(node, list):
        return sum(_numbers_outside_the_pair(item) for item in node)
    if not isinstance(node, dict):
        return 0
    if node.get("type") in ("number", "integer"):
        return 1
    alternatives = node.get("anyOf")
    count = sum(_numbers_outside_the_pair(v) for k, v in node.items() if k != "anyOf")
    if isinstance(alternatives, list):
        paired = any(a.get("pattern") == UNDERSCORE_NUMBER for a in alternatives if isinstance(a, dict))
        numbers = [a for a in alternatives if isinstance(a, dict) and a.get("type") in ("number", "integer")]
        count += 0 if paired else len(numbers)
        count += sum(_numbers_outside_the_pair(a) for a in alternatives if a not in numbers)
    return count


def test_every_number_in_the_schema_admits_the_underscore_form() -> None:
    assert _numbers(SCHEMA), "the schema has numbers"
    assert _numbers_outside_the_pair(SCHEMA) == 0


def test_the_pattern_matches_what_the_yaml_reader_calls_a_number(tmp_path: Path) -> None:
    for written in ("20_000", "1_000.5", "3_0e2"):
        path = tmp_path / "n.yaml"
        path.write_text(f"n: {written}\n")
        assert isinstance(read_yaml_file(path)["n"], int | float), written
        assert re.match(UNDERSCORE_NUMBER, written)
