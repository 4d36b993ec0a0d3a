"""Progress of long work, shown on a terminal only when it takes more than a second.

The library reports progress through :func:`advance`; nothing is shown unless the command line has
installed a reporter with :func:`reporting` (it does so only when stderr is a terminal), so reports,
pipes and tests never see it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

Reporter = Callable[[str, int, int], None]
"""Called with (what, done, total) after each step of long work."""

_REPORTER: ContextVar[Reporter | None] = ContextVar("llmdecide_progress", default=None)

SHOW_AFTER_S = 1.0
"""Work that finishes sooner shows no progress at all."""


def advance(what: str, done: int, total: int) -> None:
    """Say that ``done`` of ``total`` steps of ``what`` are finished (0 when the work starts)."""
    reporter = _REPORTER.get()
    if reporter is not None:
        reporter(what, done, total)


@contextmanager
def reporting(reporter: Reporter) -> Iterator[None]:
    """Send progress to ``reporter`` inside the block."""
    token = _REPORTER.set(reporter)
    try:
        yield
    finally:
        _REPORTER.reset(token)
