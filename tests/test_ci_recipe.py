"""The CI recipes in ``examples/ci/`` run as written: their llmdecide steps on a base and a head catalog, the
sticky-comment step against a stand-in ``gh``, and the GitLab job naming the same commands."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from llmdecide.report.github import COMMENT_MARKER
from llmdecide.yaml_source import parse_yaml_text

REPO = Path(__file__).parent.parent
GITHUB_RECIPE = REPO / "examples/ci/github-actions.yml"
GITLAB_RECIPE = REPO / "examples/ci/gitlab-ci.yml"
TEST_CATALOG = Path(__file__).parent / "data" / "catalog"

pytestmark = pytest.mark.skipif(shutil.which("bash") is None, reason="the recipes' steps are bash scripts")

WORKLOAD = """\
schema_version: 1
name: chat
horizon_months: 12
segments:
  - name: chat
    requests_per_day: 20000
    input_tokens: 800
    output_tokens: 200
    pattern: steady_low
candidates:
  cloud_models: [openai/gpt-4o]
"""

EXPECTED_COMMANDS = [
    ["llmdecide", "catalog", "validate", "--strict", "--format", "github", "."],
    ["llmdecide", "catalog", "diff", "$BASE_CATALOG", ".", "--workloads", "examples/", "-f", "markdown"],
]


def _workflow() -> dict[str, Any]:
    data = parse_yaml_text(GITHUB_RECIPE.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def _steps() -> list[dict[str, Any]]:
    [job] = _workflow()["jobs"].values()
    steps: list[dict[str, Any]] = job["steps"]
    return steps


def _step(step_id: str) -> dict[str, Any]:
    [step] = [s for s in _steps() if s.get("id") == step_id]
    return step


def llmdecide_commands(script: str) -> list[list[str]]:
    """Every llmdecide command line of a shell script, as words, up to its first redirection or operator."""
    found = []
    for line in script.splitlines():
        if not line.strip().startswith("llmdecide "):
            continue
        lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
        lexer.whitespace_split = True
        lexer.commenters = ""
        words = []
        for token in lexer:
            if token in (">", ">>", "|", "||", "&&", ";", "&"):
                break
            words.append(token)
        found.append(words)
    return found


def _raw_words(line: str) -> list[str]:
    """The words of an llmdecide line as written (variables not expanded), up to the first operator."""
    return [w.strip('"') for w in re.split(r"\s+(?:>>?|\|\|)\s+", line.strip())[0].split()]


def _shim(bin_dir: Path, name: str, body: str) -> None:
    path = bin_dir / name
    path.write_text("#!/bin/sh\n" + body, encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)


@pytest.fixture
def runner_env(tmp_path: Path) -> dict[str, str]:
    """What the recipe's steps see on a runner: PATH with ``llmdecide`` (this checkout, via ``python -m``) and a
    stand-in ``gh``, the files GitHub reads back, and the paths the checkout step exports."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    _shim(bin_dir, "llmdecide", f'exec {shlex.quote(sys.executable)} -m llmdecide "$@"\n')
    _shim(
        bin_dir,
        "gh",
        'printf "%s\\n" "$*" >> "$GH_LOG"\n'
        'case "$*" in *--paginate*) [ -n "$EXISTING_COMMENT" ] && echo "$EXISTING_COMMENT";; esac\n'
        'for arg in "$@"; do case "$arg" in body=@*) cat "${arg#body=@}" > "$GH_POSTED";; esac; done\n',
    )
    base = tmp_path / "runner-temp" / "base-catalog"
    shutil.copytree(TEST_CATALOG, base)
    env = {
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "PYTHONPATH": str(REPO),
        "HOME": str(tmp_path),
        "BASE_CATALOG": str(base),
        "COMMENT": str(tmp_path / "runner-temp" / "catalog-comment.md"),
        "GITHUB_OUTPUT": str(tmp_path / "github-output"),
        "GITHUB_STEP_SUMMARY": str(tmp_path / "step-summary.md"),
        "GITHUB_REPOSITORY": "example/catalogs",
        "GH_LOG": str(tmp_path / "gh.log"),
        "GH_POSTED": str(tmp_path / "posted.md"),
        "EXISTING_COMMENT": "",
    }
    return env


@pytest.fixture
def head(tmp_path: Path) -> Path:
    """The pull request's checkout: the test catalog with gpt-4o's input price doubled, and one workload."""
    root = tmp_path / "head"
    shutil.copytree(TEST_CATALOG, root)
    prices = root / "pricing/api/openai.yaml"
    text = prices.read_text(encoding="utf-8")
    assert text.count("input_usd_per_mtok: 2.5\n") == 1
    prices.write_text(text.replace("input_usd_per_mtok: 2.5\n", "input_usd_per_mtok: 5.0\n"), encoding="utf-8")
    (root / "examples").mkdir()
    (root / "examples/chat.yaml").write_text(WORKLOAD, encoding="utf-8")
    return root


def run_step(step: dict[str, Any], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """A step's ``run:`` script, as the runner runs it (bash -e), with the step's own env where it holds no
    expression (those the test sets itself)."""
    own = {k: str(v) for k, v in step.get("env", {}).items() if "${{" not in str(v)}
    return subprocess.run(
        ["bash", "--noprofile", "--norc", "-e", "-c", step["run"]],
        cwd=cwd,
        env={**env, **own},
        capture_output=True,
        text=True,
        timeout=300,
    )


def _outputs(env: dict[str, str]) -> dict[str, str]:
    lines = Path(env["GITHUB_OUTPUT"]).read_text(encoding="utf-8").splitlines()
    return dict(line.split("=", 1) for line in lines)


def test_the_workflow_runs_on_pull_requests_touching_the_catalog() -> None:
    workflow = _workflow()
    assert workflow["on"] == {"pull_request": {"paths": ["pricing/**", "hardware/**"]}}
    assert workflow["permissions"] == {"contents": "read", "pull-requests": "write"}
    uses = [s["uses"] for s in _steps() if "uses" in s]
    assert uses == ["actions/checkout@v4", "actions/setup-python@v5"]
    checkout = _step("base")["run"]
    assert 'git worktree add --detach "$RUNNER_TEMP/base-catalog" "$BASE_SHA"' in checkout
    assert "BASE_CATALOG=$RUNNER_TEMP/base-catalog" in checkout and "COMMENT=" in checkout


def test_the_recipe_names_the_commands_as_the_cli_spells_them() -> None:
    commands = [c for s in _steps() if "run" in s for c in llmdecide_commands(s["run"])]
    assert commands == EXPECTED_COMMANDS
    for words in commands:
        # unknown options exit 2; every option the recipe gives is one the command has
        help_text = subprocess.run(
            [sys.executable, "-m", "llmdecide", *words[1:3], "--help"],
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONPATH": str(REPO), "COLUMNS": "200"},
            check=True,
        ).stdout
        for word in words[3:]:
            if word.startswith("-"):
                assert word in help_text, (word, words)


def test_a_price_change_gives_a_comment_with_the_change_and_its_effect(head: Path, runner_env: dict[str, str]) -> None:
    result = run_step(_step("check"), head, runner_env)
    assert result.returncode == 0, result.stderr
    assert _outputs(runner_env)["status"] == "0"
    body = Path(runner_env["COMMENT"]).read_text(encoding="utf-8")
    assert body.splitlines()[0] == COMMENT_MARKER
    assert "## Catalog validation: OK" in body and "No problems found." in body
    assert "| API model | openai/gpt-4o | changed | input_usd_per_mtok | 2.5 | 5 | +100.0% |" in body
    assert "## Effect on workloads" in body
    [row] = [line for line in body.splitlines() if line.startswith("| chat.yaml |")]
    cells = [c.strip() for c in row.split("|")[1:-1]]
    assert cells[1].startswith("cloud -> ") and cells[6] == "yes"  # the doubled price moves the decision
    assert "1 workloads re-assessed; 1 decisions changed." in body
    assert "::" not in result.stdout + result.stderr  # no annotations for a clean catalog
    assert Path(runner_env["GITHUB_STEP_SUMMARY"]).read_text(encoding="utf-8") == body
    fail = run_step(_step("verdict"), head, {**runner_env, "STATUS": _outputs(runner_env)["status"]})
    assert fail.returncode == 0


def test_a_broken_head_catalog_gets_annotations_and_fails(head: Path, runner_env: dict[str, str]) -> None:
    prices = head / "pricing/api/openai.yaml"
    lines = prices.read_text(encoding="utf-8").splitlines(keepends=True)
    [at] = [n for n, line in enumerate(lines, 1) if "context_window_tokens: 8192" in line]
    lines[at - 1] = lines[at - 1].replace("context_window_tokens", "context_windw_tokens")
    prices.write_text("".join(lines), encoding="utf-8")

    result = run_step(_step("check"), head, runner_env)
    assert result.returncode == 0, result.stderr  # the step records the failure; the last step fails the job
    status = _outputs(runner_env)["status"]
    assert status not in ("", "0")
    annotations = [line for line in result.stderr.splitlines() if line.startswith("::")]
    assert (
        f"::error file=pricing/api/openai.yaml,line={at},title=models[0].context_windw_tokens::"
        "unknown key (not part of the schema; check the spelling)"
    ) in annotations
    entry_line = at - 5  # '- id: openai/gpt-4' starts the entry that lacks the key
    assert lines[entry_line - 1].lstrip().startswith("- id: openai/gpt-4")
    assert (
        f"::error file=pricing/api/openai.yaml,line={entry_line},title=models[0].context_window_tokens::"
        "required key is missing"
    ) in annotations
    body = Path(runner_env["COMMENT"]).read_text(encoding="utf-8")
    assert body.startswith(COMMENT_MARKER + "\n")
    assert "## Catalog validation: FAILED" in body
    assert f"| error | pricing/api/openai.yaml | {at} | models[0].context_windw_tokens |" in body
    assert "The catalog diff exited with status 4; see the job log." in body
    fail = run_step(_step("verdict"), head, {**runner_env, "STATUS": status})
    assert fail.returncode == int(status) != 0


@pytest.mark.parametrize("existing", ["", "4242"])
def test_the_comment_is_posted_once_then_edited(tmp_path: Path, runner_env: dict[str, str], existing: str) -> None:
    Path(runner_env["COMMENT"]).write_text(f"{COMMENT_MARKER}\n\n## Catalog validation: OK\n", encoding="utf-8")
    env = {**runner_env, "PR": "17", "EXISTING_COMMENT": existing}
    result = run_step(_step("comment"), tmp_path, env)
    assert result.returncode == 0, result.stderr
    lookup, write = Path(env["GH_LOG"]).read_text(encoding="utf-8").splitlines()
    assert lookup.startswith("api --paginate repos/example/catalogs/issues/17/comments --jq ")
    if existing:
        assert write.startswith("api --method PATCH repos/example/catalogs/issues/comments/4242 -F body=@")
    else:
        assert write.startswith("api --method POST repos/example/catalogs/issues/17/comments -F body=@")
    assert Path(env["GH_POSTED"]).read_text(encoding="utf-8") == Path(env["COMMENT"]).read_text(encoding="utf-8")


def test_a_long_comment_is_cut_to_what_github_takes(tmp_path: Path, runner_env: dict[str, str]) -> None:
    Path(runner_env["COMMENT"]).write_text(COMMENT_MARKER + "\n\n" + "| row |\n" * 20000, encoding="utf-8")
    result = run_step(_step("comment"), tmp_path, {**runner_env, "PR": "17"})
    assert result.returncode == 0, result.stderr
    posted = Path(runner_env["GH_POSTED"]).read_text(encoding="utf-8")
    assert posted.startswith(COMMENT_MARKER) and len(posted) < 65536
    assert posted.endswith("(Cut here: the full report is in the job summary.)\n")


@pytest.mark.skipif(shutil.which("jq") is None, reason="jq reads the comment filter as gh api --jq does")
def test_the_lookup_finds_only_this_workflows_marked_comment() -> None:
    script = _step("comment")["run"]
    [jq_filter] = re.findall(r"--jq '([^']+)'", script)
    assert COMMENT_MARKER in jq_filter
    comments = [
        {"id": 1, "user": {"login": "someone"}, "body": f"{COMMENT_MARKER}\nnot ours"},
        {"id": 2, "user": {"login": "github-actions[bot]"}, "body": "another bot comment"},
        {"id": 3, "user": {"login": "github-actions[bot]"}, "body": f"{COMMENT_MARKER}\n\n## Catalog validation"},
    ]
    found = subprocess.run(
        ["jq", jq_filter], input=json.dumps(comments), capture_output=True, text=True, check=True
    ).stdout.split()
    assert found == ["3"]


def test_the_gitlab_job_runs_the_same_commands() -> None:
    data = parse_yaml_text(GITLAB_RECIPE.read_text(encoding="utf-8"))
    job = data["catalog-diff"]
    assert job["rules"][0]["if"] == '$CI_PIPELINE_SOURCE == "merge_request_event"'
    assert job["rules"][0]["changes"] == ["pricing/**/*", "hardware/**/*"]
    script = "\n".join(job["script"])
    assert llmdecide_commands(script) == EXPECTED_COMMANDS
    github_lines = [
        line.strip()
        for s in _steps()
        if "run" in s
        for line in s["run"].splitlines()
        if line.strip().startswith("llmdecide ")
    ]
    gitlab_lines = [line.strip() for line in script.splitlines() if line.strip().startswith("llmdecide ")]
    assert [_raw_words(line) for line in gitlab_lines] == [_raw_words(line) for line in github_lines]
    assert 'git worktree add --detach "$BASE_CATALOG" "$CI_MERGE_REQUEST_DIFF_BASE_SHA"' in script
    [poster] = re.findall(r"<<'PY'\n(.*?)\nPY\n", script, flags=re.S)
    compile(poster, "gitlab-note", "exec")  # the note poster is valid Python
    assert f'MARKER = "{COMMENT_MARKER}"' in poster
    assert job["script"][-1] == 'exit "$status"'
