"""Rendering what ``catalog validate`` found as Markdown, and as GitHub annotations on the catalog files."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

from llmdecide.catalog.issues import Issue, Severity
from llmdecide.report.github import annotation
from llmdecide.report.tables import markdown_table
from llmdecide.report.text_safety import markdown_inline

ISSUE_HEADERS = ["severity", "file", "line", "key path", "message"]


def issue_rows(issues: Sequence[Issue]) -> list[list[str]]:
    """One row per issue: severity, file, line (blank when unknown), key path, message."""
    return [[i.severity.value, i.file, "" if i.line is None else str(i.line), i.path, i.message] for i in issues]


def validation_markdown(issues: Sequence[Issue], summaries: Sequence[str], *, failed: bool, strict: bool) -> str:
    """A Markdown section: the verdict as the heading, one summary line per catalog checked, then a table of
    every issue (errors first) or "No problems found."."""
    ordered = [i for i in issues if i.severity is Severity.ERROR] + [
        i for i in issues if i.severity is not Severity.ERROR
    ]
    text = f"## Catalog validation: {'FAILED' if failed else 'OK'}\n\n"
    text += "".join(f"{markdown_inline(s)}.\n" for s in summaries)
    if strict and any(i.severity is Severity.WARNING for i in issues):
        text += "Warnings fail validation here (`--strict`).\n"
    if not ordered:
        return text + "\nNo problems found.\n"
    return text + "\n" + markdown_table(ISSUE_HEADERS, issue_rows(ordered), [False, False, True, False, False])


def annotation_file(issue: Issue, source: Path | None, workspace: Path) -> str:
    """The file an annotation names: ``source`` (the file the issue is in; else the name it is reported under)
    relative to ``workspace`` (the repository checkout, where the workflow runs) when it lies inside it, else
    the name the issue is reported under (relative to the catalog directory)."""
    try:
        relative = os.path.relpath((source or Path(issue.file)).resolve(), workspace.resolve())
    except (OSError, ValueError):
        return issue.file
    if relative == os.curdir or relative.split(os.sep, 1)[0] == os.pardir:
        return issue.file
    return Path(relative).as_posix()


def issue_annotations(issues: Sequence[Issue], sources: Mapping[Issue, Path | None], workspace: Path) -> list[str]:
    """One workflow-command line per issue (``::error`` or ``::warning``), at its file (``sources``: the file each
    issue is in, see :func:`annotation_file`) and line, titled with its key path."""
    return [
        annotation(
            "error" if i.severity is Severity.ERROR else "warning",
            i.message,
            file=annotation_file(i, sources.get(i), workspace),
            line=i.line,
            title=i.path or None,
        )
        for i in issues
    ]
