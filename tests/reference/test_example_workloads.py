"""The domain note's worked examples, as stated in examples/, reproduce the articles' figures."""

from __future__ import annotations

from pathlib import Path

import pytest

from llmdecide.api import assess
from llmdecide.catalog import Catalog, load_catalog
from llmdecide.report.result import DecisionReport

EXAMPLES = Path(__file__).parent.parent.parent / "examples"


@pytest.fixture(scope="module")
def packaged() -> Catalog:
    return load_catalog()


def run(name: str, catalog: Catalog) -> DecisionReport:
    return assess(EXAMPLES / name, catalog)


def monthly(report: DecisionReport, option: str) -> float:
    value = next(o for o in report.options if o.id == option).monthly_cost_usd
    assert value is not None
    return value


def test_004_cloud_local_and_hybrid(packaged: Catalog) -> None:
    """GPT-4 45,000 a month; 2 rented A100s + 0.5 FTE + monitoring 7,820; 80/20 hybrid 16,820."""
    r = run("gpt4-at-a-million-requests.yaml", packaged)
    assert monthly(r, "cloud") == pytest.approx(45_000)
    assert monthly(r, "pinned-1") == pytest.approx(7_820)
    assert monthly(r, "pinned-2") == pytest.approx(16_820)
    assert next(o for o in r.options if o.id == "pinned-2").kind == "hybrid"


def test_004_break_even(packaged: Catalog) -> None:
    """5,000 / 0.045 = 111,111 requests a month."""
    r = run("llama3-break-even.yaml", packaged)
    assert r.break_even.requests_per_month == pytest.approx(111_111.1, rel=1e-4)


def test_002_small_volume(packaged: Catalog) -> None:
    """GPT-4o 97.50, Claude 3.5 Sonnet 135, RTX 4090 amortised 50, A100 rented 1,440 a month."""
    r = run("thousand-queries-a-day.yaml", packaged)
    by_model = {o.plan[0].cloud_model: o.monthly_cost_usd for o in r.options if o.kind == "cloud" and o.feasible}
    assert by_model["openai/gpt-4o"] == pytest.approx(97.50)
    assert by_model["anthropic/claude-3.5-sonnet"] == pytest.approx(135.0)
    rtx = next(o for o in r.options if o.id == "pinned-1")
    amortised = next(i for i in rtx.line_items if i.category == "capex")
    assert amortised.monthly_cost_usd == pytest.approx(50.0)
    assert monthly(r, "pinned-2") == pytest.approx(1_440)


def test_001_bill_and_year_one_tco(packaged: Catalog) -> None:
    """1,800 a month (21,600 a year) in the cloud; 98,300 in year one on premises."""
    r = run("thirty-million-tokens.yaml", packaged)
    assert monthly(r, "cloud") == pytest.approx(1_800)
    assert monthly(r, "cloud") * 12 == pytest.approx(21_600)
    assert next(o for o in r.options if o.id == "pinned-1").horizon_cost_usd == pytest.approx(98_300)


@pytest.mark.parametrize(
    ("name", "months"), [("hundred-thousand-calls-low.yaml", 6.0), ("hundred-thousand-calls-high.yaml", 1.58)]
)
def test_003_payback(packaged: Catalog, name: str, months: float) -> None:
    """15,000 / (3,000 - 500) = 6 months; 15,000 / (10,000 - 500) = 1.6 months."""
    r = run(name, packaged)
    assert r.break_even.payback_months == pytest.approx(months, abs=0.01)


def test_003_never_pays_back(packaged: Catalog) -> None:
    """1,000 calls a day: cloud 30 a month against 500 of local running costs: never."""
    r = run("thousand-calls-never-pays-back.yaml", packaged)
    assert monthly(r, "cloud") == pytest.approx(30.0)
    assert r.break_even.payback_months is None
    assert r.recommendation.decision == "cloud"


def test_000_billed_by_use(packaged: Catalog) -> None:
    """100,000 tokens a day at 30 tokens/s = 0.93 GPU-hours a day, USD 1.39 a day at 1.50/h."""
    r = run("a10g-billed-by-use.yaml", packaged)
    rental = next(i for i in next(o for o in r.options if o.id == "pinned-1").line_items if i.category == "rental")
    assert rental.quantity / 30 == pytest.approx(0.926, abs=0.001)
    assert rental.monthly_cost_usd / 30 == pytest.approx(1.39, abs=0.005)
