"""Ids a workload names are resolved once, up front: misspelt ones are errors, never a silent 'no plan'."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from llmdecide.assessment import Assessment, assess_workload
from llmdecide.catalog import load_catalog
from llmdecide.errors import ExitCode, UnknownIdError
from llmdecide.workload import load_workload_text

CATALOG = load_catalog(Path(__file__).parent.parent / "data" / "catalog")
BASE = {
    "schema_version": 1,
    "name": "t",
    "segments": [{"name": "s", "requests_per_day": 20_000, "input_tokens": 800, "output_tokens": 200}],
}


def run(**extra: object) -> Assessment:
    return assess_workload(load_workload_text(yaml.safe_dump({**BASE, **extra})), CATALOG)


@pytest.mark.parametrize(
    ("extra", "where", "suggestion"),
    [
        ({"local": {"engine": "vllmm"}}, "local.engine", "vllm"),
        ({"local": {"engine": "llama-cpp"}}, "local.engine", "llama.cpp"),
        (
            {"constraints": {"excluded_providers": ["anthropic", "opneai"]}},
            "constraints.excluded_providers[1]",
            "openai",
        ),
    ],
)
def test_a_misspelt_id_is_an_unknown_id_error_with_a_suggestion(
    extra: dict[str, object], where: str, suggestion: str
) -> None:
    with pytest.raises(UnknownIdError) as info:
        run(**extra)
    assert info.value.exit_code == ExitCode.UNKNOWN_ID
    assert str(info.value).startswith(f"{where}: unknown")
    assert suggestion in info.value.suggestions


def test_a_correct_engine_and_excluded_provider_are_accepted() -> None:
    a = run(local={"engine": "VLLM"}, constraints={"excluded_providers": ["OpenAI"]})
    assert all(not p.cloud or p.cloud.model_id.split("/")[0] != "openai" for plan in a.plans for p in plan.placements)


def test_an_excluded_provider_is_excluded_however_its_models_came_in() -> None:
    """Named models and stated prices of an excluded provider are dropped too, and counted as exclusions."""
    pinned = [{"id": "mycorp/quoted", "name": "Quoted", "input_usd_per_mtok": 1, "output_usd_per_mtok": 2}]
    a = run(
        candidates={"pinned_cloud_models": pinned, "cloud_models": ["openai/gpt-4o", "anthropic/claude-3.5-sonnet"]},
        constraints={"excluded_providers": ["mycorp", "openai"]},
    )
    used = {p.cloud.model_id for plan in a.plans for p in plan.placements if p.cloud is not None}
    assert used == {"anthropic/claude-3.5-sonnet"}
    assert a.segments[0].cloud_exclusions["from a provider the workload excludes (constraints.excluded_providers)"] == 2
