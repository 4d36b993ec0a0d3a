"""Progress of long work: the library reports its steps; the terminal bar appears only after a second."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import pytest

from llmdecide import progress
from llmdecide.api import assess
from llmdecide.capacity.calibrate_runs import Setup, calibrate_files
from llmdecide.capacity.calibration import FIT_PROGRESS
from llmdecide.catalog import load_catalog
from llmdecide.cli import progress_bar

REPO = Path(__file__).resolve().parent.parent.parent
CALIBRATE = REPO / "tests" / "data" / "calibrate"


def _record() -> tuple[list[tuple[str, int, int]], progress.Reporter]:
    seen: list[tuple[str, int, int]] = []
    return seen, lambda what, done, total: seen.append((what, done, total))


def _check_steps(seen: list[tuple[str, int, int]], what: str) -> None:
    steps = [(done, total) for w, done, total in seen if w == what]
    assert steps, seen
    assert steps[0][0] == 0 and steps[-1][0] == steps[-1][1] > 0
    assert [d for d, _ in steps] == sorted(d for d, _ in steps)  # never goes back


def test_monte_carlo_reports_its_chunks() -> None:
    seen, reporter = _record()
    with progress.reporting(reporter):
        assess(REPO / "examples" / "startup-mvp.yaml")
    _check_steps(seen, "Monte Carlo")


def test_calibrate_reports_each_start_of_the_fit() -> None:
    seen, reporter = _record()
    files = sorted(CALIBRATE.glob("vllm-bench-*.json"))
    setup = Setup("llama-3.1-8b", "h100-sxm", None, None, None, None, 1, None)
    with progress.reporting(reporter):
        calibrate_files(load_catalog(), files, setup)
    _check_steps(seen, FIT_PROGRESS)


def test_nothing_is_reported_without_a_reporter() -> None:
    progress.advance("anything", 0, 10)  # no reporter installed: a no-op, not an error


class _FakeProgress:
    made: ClassVar[list[_FakeProgress]] = []

    def __init__(self, *columns: object, **kwargs: object) -> None:
        self.updates: list[tuple[object, int]] = []
        self.started = self.stopped = False
        _FakeProgress.made.append(self)

    def start(self) -> None:
        self.started = True

    def stop(self) -> None:
        self.stopped = True

    def add_task(self, what: str, total: int) -> str:
        return what

    def update(self, task: object, completed: int) -> None:
        self.updates.append((task, completed))


@pytest.mark.parametrize(("seconds", "shown"), [(0.4, False), (2.5, True)])
def test_the_bar_appears_only_after_a_second(monkeypatch: pytest.MonkeyPatch, seconds: float, shown: bool) -> None:
    import rich.progress

    _FakeProgress.made = []
    monkeypatch.setattr(rich.progress, "Progress", _FakeProgress)
    clock = iter([100.0, 100.0 + seconds / 2, 100.0 + seconds, 100.0 + seconds])
    monkeypatch.setattr(progress_bar.time, "monotonic", lambda: next(clock))
    with progress_bar.terminal_progress():
        for done in range(3):
            progress.advance("work", done, 3)
        progress.advance("work", 3, 3)
    if not shown:
        assert _FakeProgress.made == []
        return
    (bar,) = _FakeProgress.made
    assert bar.started and bar.stopped
    assert bar.updates[-1] == ("work", 3)


def test_diff_over_workloads_reports_each_file(tmp_path: Path) -> None:
    from llmdecide.api import DIFF_PROGRESS, workload_deltas

    for name in ("startup-mvp.yaml", "thousand-queries-a-day.yaml"):
        (tmp_path / name).write_text((REPO / "examples" / name).read_text())
    catalog = load_catalog()
    seen, reporter = _record()
    with progress.reporting(reporter):
        workload_deltas(tmp_path, catalog, catalog)
    _check_steps(seen, DIFF_PROGRESS)
    assert [d for w, d, _ in seen if w == DIFF_PROGRESS] == [0, 1, 2]
