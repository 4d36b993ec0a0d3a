"""Bad decision preferences get one line naming the key and exit 3; good ones reach the report."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from llmdecide.cli import app

runner = CliRunner()


def _workload(**preferences: Any) -> dict[str, Any]:
    seg = {"name": "s", "requests_per_day": 2000, "input_tokens": 800, "output_tokens": 200}
    return {"schema_version": 1, "name": "t", "horizon_months": 12, "segments": [seg], "preferences": preferences}


CASES = [
    ({"max_premium": -0.1}, "preferences.max_premium"),
    ({"max_premium": 11}, "preferences.max_premium"),
    ({"max_payback_months": 0}, "preferences.max_payback_months"),
    ({"max_payback_months": -3}, "preferences.max_payback_months"),
    ({"premiums": {"cost": 0.2}}, "preferences.premiums.cost"),
    ({"premiums": {"privacy": 0.2}}, "preferences.premiums.privacy"),
    ({"premiums": {"latency": -1}}, "preferences.premiums.latency"),
    ({"cost_basis": "cash"}, "preferences.cost_basis"),
    ({"team_gate": "maybe"}, "preferences.team_gate"),
]


@pytest.mark.parametrize(("preferences", "expected"), CASES)
def test_bad_preferences_are_one_line_and_exit_3(
    input_error: Callable[[dict[str, Any]], str], preferences: dict[str, Any], expected: str
) -> None:
    assert expected in input_error(_workload(**preferences))


def test_stated_preferences_reach_the_json_report(test_catalog: Path, tmp_path: Path) -> None:
    path = tmp_path / "w.yaml"
    prefs = {"max_premium": 0.05, "premiums": {"data_sensitivity": 0.25}, "max_payback_months": 18}
    path.write_text(yaml.safe_dump(_workload(**prefs)))
    result = runner.invoke(app, ["assess", str(path), "--catalog-dir", str(test_catalog), "-f", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    stated = report["workload"]["preferences"]
    assert stated["max_premium"] == 0.05 and stated["premiums"] == {"data_sensitivity": 0.25}
    assert stated["max_payback_months"] == 18 and stated["cost_basis"] == "nominal"
    assert report["recommendation"]["premium"]["basis"] == "nominal"
