"""Help that reads like other command-line tools': plain metavars (``FILE``, ``DATE``, ``N``, the choices), and
shell completion scripts.

Typer writes a parameter's Python type in angle brackets (``<path>``, ``<list[Path]>``, ``<bool>`` after every
flag, ``{workload}`` in usage lines). :func:`plain_metavars` walks the built command tree once and gives every
parameter the metavar a reader expects; a parameter declared with its own metavar keeps it.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, get_args, get_origin

import typer

DATE_PARAMETERS = {"as_of", "on", "since", "until"}
"""Parameters that take a date as YYYY-MM-DD, whatever their Python type."""
DIRECTORY_PARAMETERS = {"catalog_dir", "workloads", "old", "new"}
"""Path parameters that name a directory (or, for ``catalog diff``, a catalog directory)."""


def _annotation(param: Any) -> Any:
    descriptor = getattr(param, "type_descriptor", None)
    return getattr(descriptor, "annotation", None)


def _bare(annotation: Any) -> Any:
    while get_origin(annotation) is list or (get_args(annotation) and type(None) in get_args(annotation)):
        args = [a for a in get_args(annotation) if a is not type(None)]
        if not args:
            break
        annotation = args[0]
    return annotation


def metavar_for(param: Any) -> str:
    """The metavar of one parameter: choices as ``a|b|c``, ``FILE``/``DIR``, ``DATE``, ``N``, ``NUMBER``,
    ``TEXT``; nothing for a flag."""
    if getattr(param, "is_flag", False) or getattr(param, "count", False):
        return ""
    name = (param.name or "").lower()
    descriptor = getattr(param, "type_descriptor", None)
    choices = getattr(descriptor, "choices", None) if getattr(descriptor, "is_choice", False) else None
    if choices is None:
        choices = getattr(getattr(param, "type", None), "choices", None)
    if choices:
        return "|".join(str(getattr(c, "value", c)) for c in choices)
    if name in DATE_PARAMETERS:
        return "DATE"
    annotation = _bare(_annotation(param))
    if isinstance(annotation, type) and issubclass(annotation, StrEnum):
        return "|".join(m.value for m in annotation)
    if annotation is Path or (isinstance(annotation, type) and issubclass(annotation, Path)):
        return "DIR" if name in DIRECTORY_PARAMETERS else "FILE"
    if annotation is bool:
        return ""
    if annotation is int:
        return "N"
    if annotation is float:
        return "NUMBER"
    if annotation in (dt.date, dt.datetime):
        return "DATE"
    return "TEXT"


def _plain_argument(param: Any, metavar: str) -> None:
    """Typer shows an argument's type beside it and its name in braces in the usage line; show the metavar."""
    repeated = param.nargs != 1
    shown = metavar + ("..." if repeated else "")
    usage = shown if param.required else f"[{shown}]"
    param.display_type_rich = lambda ctx: ""
    param._usage_display_name = lambda: usage
    param._rich_display_name = lambda: shown


def plain_metavars(command: Any) -> Any:
    """Give every parameter of ``command`` and its subcommands a plain metavar (in place); returns ``command``."""
    for param in getattr(command, "params", []):
        explicit = param.metavar
        if getattr(param, "param_type_name", "") == "argument":
            name = explicit or (param.name or "").upper()
            param.metavar = name
            _plain_argument(param, name)
        elif explicit is None or explicit.startswith("<"):
            param.metavar = metavar_for(param)
    made = getattr(command, "get_help_option", None)
    if made is not None:

        def help_option(ctx: Any, made: Any = made) -> Any:
            option = made(ctx)
            if option is not None:
                option.metavar = ""
            return option

        command.get_help_option = help_option
    for sub in getattr(command, "commands", {}).values():
        plain_metavars(sub)
    return command


class Shell(StrEnum):
    """Shells with a completion script."""

    BASH = "bash"
    ZSH = "zsh"
    FISH = "fish"
    POWERSHELL = "powershell"


COMPLETE_VAR = "_LLMDECIDE_COMPLETE"
"""The environment variable the completion scripts set when they ask llmdecide for completions."""


def enable_completion() -> None:
    """Register the shells' completion classes, so that a shell's request (``_LLMDECIDE_COMPLETE=complete_bash``)
    is answered."""
    from typer._completion_classes import completion_init

    completion_init()


def completion_command(
    shell: Annotated[Shell, typer.Argument(help="The shell to print the completion script for.", metavar="SHELL")],
) -> None:
    """Print the shell completion script; load it from your shell's start-up file.

    bash: eval "$(llmdecide completion bash)" in ~/.bashrc. zsh: the same in
    ~/.zshrc. fish: llmdecide completion fish > ~/.config/fish/completions/llmdecide.fish.
    """
    from typer._completion_shared import get_completion_script

    from llmdecide.report.text_safety import write_stdout

    write_stdout(get_completion_script(prog_name="llmdecide", complete_var=COMPLETE_VAR, shell=shell.value) + "\n")
