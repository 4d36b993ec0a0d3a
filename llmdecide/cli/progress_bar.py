"""A progress bar on stderr for long library work (``llmdecide.progress``), shown after a second."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from llmdecide.progress import SHOW_AFTER_S, reporting


@contextmanager
def terminal_progress() -> Iterator[None]:
    """A progress bar on stderr for work that runs longer than ``SHOW_AFTER_S``; removed when done."""
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeRemainingColumn

    started: dict[str, float] = {}
    bar: list[Progress] = []
    tasks: dict[str, TaskID] = {}

    def report(what: str, done: int, total: int) -> None:
        now = time.monotonic()
        first = started.setdefault(what, now)
        if done >= total:
            if what in tasks:
                bar[0].update(tasks[what], completed=total)
            started.pop(what, None)
            return
        if not bar and now - first < SHOW_AFTER_S:
            return
        if not bar:
            bar.append(
                Progress(
                    TextColumn("{task.description}"),
                    BarColumn(),
                    TextColumn("{task.completed}/{task.total}"),
                    TimeRemainingColumn(),
                    console=Console(stderr=True),
                    transient=True,
                )
            )
            bar[0].start()
        if what not in tasks:
            tasks[what] = bar[0].add_task(what, total=total)
        bar[0].update(tasks[what], completed=done)

    try:
        with reporting(report):
            yield
    finally:
        if bar:
            bar[0].stop()
