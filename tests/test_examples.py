"""Every example workload, assessed on the packaged catalog and compared with its golden reports (Markdown,
HTML and JSON).

Run ``pytest --update-golden`` after an intended change (a price update, a new
report section) and review the diff of tests/golden/ like any other change.
"""

from __future__ import annotations

import difflib
import io
from pathlib import Path

import pytest
from rich.console import Console

from llmdecide.api import assess
from llmdecide.catalog import Catalog, load_catalog
from llmdecide.report.html import render_html
from llmdecide.report.json_report import render_json
from llmdecide.report.markdown import render_markdown
from llmdecide.report.result import DecisionReport
from llmdecide.report.terminal import print_report

REPO = Path(__file__).parent.parent
EXAMPLES = sorted((REPO / "examples").glob("*.yaml"))
GOLDEN = Path(__file__).parent / "golden"


@pytest.fixture(scope="module")
def packaged() -> Catalog:
    return load_catalog()


def _compare(path: Path, actual: str, update: bool) -> None:
    if update or not path.exists():
        path.write_text(actual, encoding="utf-8")
        if not update:
            pytest.fail(f"{path.name} did not exist; written, review and commit it")
        return
    expected = path.read_text(encoding="utf-8")
    if expected != actual:
        diff = "".join(
            difflib.unified_diff(
                expected.splitlines(keepends=True), actual.splitlines(keepends=True), str(path), "actual", n=2
            )
        )
        pytest.fail(f"{path.name} differs from the golden report (pytest --update-golden rewrites it):\n{diff[:6000]}")


def test_there_are_enough_examples() -> None:
    assert len(EXAMPLES) >= 12


@pytest.mark.parametrize("example", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_matches_golden(example: Path, packaged: Catalog, update_golden: bool) -> None:
    report = assess(example, packaged)
    markdown = render_markdown(report)
    html = render_html(report)
    json_text = render_json(report)
    again = assess(example, packaged)
    assert render_markdown(again) == markdown, "the same inputs must give the same report"
    assert render_html(again) == html, "the same inputs must give the same HTML, byte for byte"
    for text in (markdown, html, json_text):
        assert "/work/" not in text and str(REPO) not in text
    console = Console(record=True, width=140, file=io.StringIO())
    print_report(console, report)
    assert report.recommendation.decision.upper() in console.export_text()
    assert markdown.split("\n")[2].startswith("**Recommendation: "), "the headline is a bold paragraph"
    assert "\n> " not in markdown
    _years_add_up(report)
    _compare(GOLDEN / f"{example.stem}.md", markdown, update_golden)
    _compare(GOLDEN / f"{example.stem}.html", html, update_golden)
    _compare(GOLDEN / f"{example.stem}.json", json_text, update_golden)


def _years_add_up(report: DecisionReport) -> None:
    """The cost-per-year table agrees with the cash, net cash and cumulative chart the report shows elsewhere."""
    if report.finance is None:
        return
    cumulative = {s.option: s.cumulative_usd[-1] for s in report.cumulative_cost}
    for p in report.finance.plans:
        years = p.years
        assert sum(y.months for y in years) == report.workload.horizon_months
        paid = sum(y.capex_usd + y.opex_usd + y.staff_usd + y.cloud_usd for y in years)
        assert paid == pytest.approx(p.cash_usd, rel=1e-9, abs=1e-6), p.option
        assert sum(y.total_usd for y in years) == pytest.approx(p.nominal_usd, rel=1e-9, abs=1e-6)
        assert min(y.opex_usd for y in years) >= -1e-6, "API bills taken out of opex never leave it negative"
        assert min(y.cloud_usd for y in years) >= 0
        if p.option in cumulative:
            assert cumulative[p.option] == pytest.approx(p.cash_usd, rel=1e-9), p.option
        kind = next(o.kind for o in report.options if o.id == p.option)
        if kind == "local":
            assert all(y.cloud_usd == 0 for y in years)


def test_every_example_reports_its_robustness_and_some_an_overflow_plan(packaged: Catalog) -> None:
    with_overflow = []
    for example in EXAMPLES:
        report = assess(example, packaged)
        assert report.robustness is not None, example.name
        assert len(report.robustness.sensitivity) == 10
        o = report.overflow
        if o is None:
            continue
        with_overflow.append(example.stem)
        for s in o.segments:
            assert 1 <= s.replicas < s.all_local_replicas
            assert 0 < s.overflow_share_over_horizon < 1
            assert s.horizon_usd <= min(s.all_cloud_usd, s.all_local_usd)
    assert len(with_overflow) >= 3, with_overflow


def test_an_example_rents_from_the_catalog(packaged: Catalog) -> None:
    """A golden report holds a line item priced from a catalog rental offer, so a rental price change shows."""
    rented = []
    for example in EXAMPLES:
        for option in assess(example, packaged).options:
            for item in option.line_items:
                if item.category == "rental" and item.source.split(" ")[0] in packaged.rental_offers:
                    rented.append((example.stem, item.source))
    assert rented, "no example prices a rental from the catalog"
