"""Help as a reader expects it (plain metavars, choices listed, no Python types) and shell completion."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from typing import Any

import pytest
import typer

from llmdecide.cli import app
from llmdecide.cli.help_text import Shell, plain_metavars


def _commands(command: Any, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = [path]
    for name, sub in sorted(getattr(command, "commands", {}).items()):
        found.extend(_commands(sub, (*path, name)))
    return found


COMMANDS = _commands(typer.main.get_command(app))


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full = {**os.environ, "COLUMNS": "200", **(env or {})}
    return subprocess.run([sys.executable, "-m", "llmdecide", *args], capture_output=True, text=True, env=full)


def test_every_command_is_covered() -> None:
    names = {" ".join(c) for c in COMMANDS}
    assert {"assess", "capacity", "calibrate", "config", "completion", "catalog diff", "catalog list"} <= names


@pytest.mark.parametrize("path", COMMANDS, ids=lambda p: " ".join(p) or "llmdecide")
def test_help_has_plain_metavars(path: tuple[str, ...]) -> None:
    done = run(*path, "-h")
    assert done.returncode == 0, done.stderr
    text = done.stdout
    assert "Usage: " in text and "llmdecide" in text
    assert not re.search(r"<(bool|str|int|float|path|list\[[^]]*\])>", text), text
    assert "{" not in text.split("\n", 3)[1], text  # the usage line: WORKLOAD, not {workload}
    usage = next(line for line in text.splitlines() if "Usage:" in line)
    assert not re.search(r"\[[a-z_]+\]|\b[a-z_]+\.\.\.", usage.split("[OPTIONS]", 1)[-1]), usage


def test_metavars_by_kind() -> None:
    text = run("assess", "-h").stdout
    assert re.search(r"--format\s+-f\s+table\|json\|markdown", text)
    assert re.search(r"--as-of\s+DATE", text) and re.search(r"--catalog-dir\s+DIR", text)
    assert re.search(r"--overlay\s+FILE", text) and re.search(r"--output\s+-o\s+FILE", text)
    assert re.search(r"--allow-outside-paths\s+Read", text)  # a flag: no metavar
    assert re.search(r"--gpus\s+N\b", run("capacity", "-h").stdout)


def test_plain_metavars_keeps_a_declared_metavar() -> None:
    command = plain_metavars(typer.main.get_command(app))
    config = command.commands["config"]
    assert [p.metavar for p in config.params if p.name == "workload"] == ["[WORKLOAD]"]


@pytest.mark.parametrize("shell", list(Shell))
def test_completion_prints_a_script_for_each_shell(shell: Shell) -> None:
    done = run("completion", shell.value)
    assert done.returncode == 0, done.stderr
    assert "_LLMDECIDE_COMPLETE" in done.stdout and "llmdecide" in done.stdout
    assert f"complete_{'powershell' if shell is Shell.POWERSHELL else shell.value}" in done.stdout


def test_completion_of_an_unknown_shell_is_a_usage_error() -> None:
    done = run("completion", "tcsh")
    assert done.returncode == 2 and "'tcsh' is not one of" in done.stderr


def _complete(words: str, cword: int) -> list[str]:
    env = {"_LLMDECIDE_COMPLETE": "complete_bash", "COMP_WORDS": words, "COMP_CWORD": str(cword)}
    done = run(env=env)
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


def test_the_shell_gets_commands_options_and_choices() -> None:
    assert "catalog" in _complete("llmdecide cat", 1)
    assert _complete("llmdecide catalog d", 2) == ["diff"]
    assert "--format" in _complete("llmdecide assess --fo", 2)
    assert _complete("llmdecide assess -f ", 3) == ["table", "json", "markdown", "html"]


def test_list_choices_are_the_catalogs_own() -> None:
    from typing import get_args

    from llmdecide.catalog.catalog import KINDS
    from llmdecide.catalog.schema import Tier
    from llmdecide.cli.catalog import ListKind, TierChoice

    assert get_args(ListKind) == KINDS
    assert set(get_args(TierChoice)) == {t.value for t in Tier}
    text = run("catalog", "list", "-h").stdout
    assert "frontier|good_enough|specialized|simple" in text.replace("\n", "").replace(" ", "").replace("│", "")


@pytest.mark.parametrize(
    ("command", "formats"),
    [
        ("llmdecide assess -f ", ["table", "json", "markdown", "html"]),
        ("llmdecide capacity -f ", ["table", "json", "markdown"]),
        ("llmdecide catalog list -f ", ["table", "json", "markdown"]),
        ("llmdecide catalog validate -f ", ["table", "json", "markdown", "github"]),
        ("llmdecide config -f ", ["table", "json"]),
    ],
)
def test_each_command_offers_only_the_formats_it_writes(command: str, formats: list[str]) -> None:
    assert _complete(command, len(command.split())) == formats
