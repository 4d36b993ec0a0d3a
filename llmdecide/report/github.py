"""GitHub output: workflow-command annotations and the body of the sticky pull-request comment.

A workflow step's output lines of the form ``::error file=F,line=L,title=T::message`` become annotations
on the pull request's files (GitHub's "workflow commands"). Their data and properties are escaped as the
runner reads them back, so no text from a catalog file can end an annotation early or start another command.
"""

from __future__ import annotations

from typing import Literal

from llmdecide.report.text_safety import safe_message, terminal_safe

COMMENT_MARKER = "<!-- llmdecide-catalog-diff -->"
"""The first line of every comment body ``--format github`` writes: a CI job finds its own earlier comment by it
and updates that one instead of adding another."""

AnnotationLevel = Literal["error", "warning", "notice"]


def escape_data(text: str) -> str:
    """The message of a workflow command: ``%``, carriage return and line feed as ``%25``, ``%0D``, ``%0A``."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A property value of a workflow command (``file``, ``title``): :func:`escape_data`, and ``:`` and ``,``
    as ``%3A`` and ``%2C``."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(
    level: AnnotationLevel,
    message: str,
    *,
    file: str | None = None,
    line: int | None = None,
    title: str | None = None,
) -> str:
    """One workflow-command line: ``::error file=pricing/api/x.yaml,line=12,title=models[0].id::message``.

    ``line`` is given only with a ``file``. The message is shortened to one line of printable characters
    (:func:`~llmdecide.report.text_safety.safe_message`) and the properties are made printable
    (:func:`~llmdecide.report.text_safety.terminal_safe`) before they are escaped.
    """
    props: list[str] = []
    if file:
        props.append(f"file={escape_property(terminal_safe(file))}")
        if line is not None:
            props.append(f"line={int(line)}")
    if title:
        props.append(f"title={escape_property(safe_message(title, 120))}")
    head = f"::{level}" + (" " + ",".join(props) if props else "")
    return f"{head}::{escape_data(safe_message(message))}"


def comment_body(markdown: str) -> str:
    """The body of the sticky comment: :data:`COMMENT_MARKER` on the first line, then ``markdown``."""
    return f"{COMMENT_MARKER}\n\n{markdown}"
