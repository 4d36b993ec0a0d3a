"""Every limit in ``llmdecide/limits.py`` is stated in the README's "Limits and safety" section with the
value the code enforces."""

from __future__ import annotations

from pathlib import Path

import pytest

from llmdecide import limits

README = (Path(__file__).resolve().parent.parent.parent / "README.md").read_text()
SECTION = README[README.index("## Limits and safety") : README.index("## Use it from Python")]


def _mib(n: int) -> str:
    assert n % (1024 * 1024) == 0
    return f"{n // (1024 * 1024)} MiB"


STATED = {
    "MAX_YAML_BYTES": _mib(limits.MAX_YAML_BYTES),
    "MAX_YAML_NODES": f"{limits.MAX_YAML_NODES:,}",
    "MAX_YAML_DEPTH": f"{limits.MAX_YAML_DEPTH} deep",
    "MAX_SCALAR_CHARS": f"{limits.MAX_SCALAR_CHARS:,} characters",
    "MAX_NUMBER_DIGITS": f"| {limits.MAX_NUMBER_DIGITS} |",
    "MAX_CSV_BYTES": _mib(limits.MAX_CSV_BYTES),
    "MAX_PROFILE_VALUES": f"{limits.MAX_PROFILE_VALUES:,}",
    "MAX_RESULT_BYTES": _mib(limits.MAX_RESULT_BYTES),
    "MAX_SETTINGS_BYTES": _mib(limits.MAX_SETTINGS_BYTES),
    "MAX_IMPORT_JSON_VALUE_CHARS": f"{limits.MAX_IMPORT_JSON_VALUE_CHARS // (1024 * 1024)} Mi characters",
    "MAX_IMPORT_CSV_FIELD_CHARS": f"{limits.MAX_IMPORT_CSV_FIELD_CHARS // (1024 * 1024)} Mi characters",
    "MAX_IMPORT_SEGMENTS": f"| {limits.MAX_IMPORT_SEGMENTS:,} |",
    "MAX_SEGMENTS": f"| {limits.MAX_SEGMENTS} |",
    "MAX_DEPLOYMENTS": f"| {limits.MAX_DEPLOYMENTS} |",
    "MAX_CANDIDATES": f"| {limits.MAX_CANDIDATES} |",
    "MAX_SAMPLES": f"{limits.MAX_SAMPLES:,}",
    "SAMPLE_CHUNK": f"{limits.SAMPLE_CHUNK:,} at a time",
    "MAX_NAME_CHARS": f"{limits.MAX_NAME_CHARS} characters",
    "MAX_ID_CHARS": f"{limits.MAX_ID_CHARS} characters",
    "MAX_RESULT_USD": f"{limits.MAX_RESULT_USD:,.0f} USD",
    "MAX_RESULT_GPUS": f"| {limits.MAX_RESULT_GPUS:,} |",
    "MESSAGE_VALUE_CHARS": None,
}


def test_every_limit_is_listed_here() -> None:
    constants = {name for name in vars(limits) if name.isupper()}
    assert constants == set(STATED), sorted(constants ^ set(STATED))


@pytest.mark.parametrize(("name", "text"), [(k, v) for k, v in STATED.items() if v is not None])
def test_the_readme_states_the_limit(name: str, text: str) -> None:
    assert text in SECTION, f"{name}: README 'Limits and safety' should say {text!r}"
