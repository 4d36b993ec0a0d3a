"""Every worked example of shared/domain.md, reproduced by the cost model.

Each test's docstring carries the article's arithmetic. Prices come from the
frozen test catalog where the article names a catalog model, otherwise from
the figures the article states.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from llmdecide.assessment import assess_workload
from llmdecide.catalog import Catalog, load_catalog
from llmdecide.costing.breakeven import payback_months
from llmdecide.costing.cloud import RequestShape, cloud_line_items, cloud_monthly_cost, cost_per_request, token_prices
from llmdecide.costing.line_item import total_monthly
from llmdecide.costing.local import (
    Sourced,
    StaffTerms,
    amortised_capex_item,
    energy_item,
    extra_line_items,
    gpu_hours_for_tokens,
    rental_item,
    staff_line_items,
)
from llmdecide.workload import load_workload_text

SRC = "worked example"


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog(Path(__file__).parent.parent / "data" / "catalog")


def gpt4_monthly(catalog: Catalog, requests: float, shape: RequestShape) -> float:
    entry = catalog.api_model("openai/gpt-4")
    return float(cloud_monthly_cost(token_prices(entry, shape), shape, requests))


def rented_pair_of_a100s() -> list[float]:
    items = [rental_item("2 x A100 80GB", 2 * 720, 3.0, SRC)]
    items += staff_line_items(StaffTerms(Sourced(0.5, SRC), Sourced(72_000, SRC), Sourced(0, SRC)))
    items += extra_line_items([("monitoring", 500.0, SRC)])
    return [i.monthly_cost_usd for i in items]


def test_004_gpt4_one_million_requests(catalog: Catalog) -> None:
    """1M requests x (500 x 0.03/1K + 500 x 0.06/1K) = 15,000 + 30,000 = USD 45,000 a month."""
    shape = RequestShape(500, 500)
    entry = catalog.api_model("openai/gpt-4")
    items = cloud_line_items(entry, token_prices(entry, shape), shape, 1_000_000)
    assert [round(i.monthly_cost_usd, 6) for i in items] == [15_000.0, 30_000.0]
    assert total_monthly(items) == pytest.approx(45_000.0)


def test_004_two_rented_a100s() -> None:
    """2 GPUs x USD 3 x 720 h = 4,320; + 0.5 FTE (3,000) + monitoring 500 = USD 7,820 (83% below 45,000)."""
    costs = rented_pair_of_a100s()
    assert costs == pytest.approx([4_320.0, 3_000.0, 500.0])
    assert sum(costs) == pytest.approx(7_820.0)
    assert 1 - sum(costs) / 45_000 == pytest.approx(0.83, abs=0.005)


def test_004_hybrid_eighty_percent_local(catalog: Catalog) -> None:
    """Local 7,820 + 20% of 1M requests on GPT-4 (200k x 0.045 = 9,000) = USD 16,820 (63% saving)."""
    cloud_part = gpt4_monthly(catalog, 200_000, RequestShape(500, 500))
    total = sum(rented_pair_of_a100s()) + cloud_part
    assert cloud_part == pytest.approx(9_000.0)
    assert total == pytest.approx(16_820.0)
    assert 1 - total / 45_000 == pytest.approx(0.63, abs=0.005)


BREAK_EVEN_004 = """
schema_version: 1
name: 004 break-even
hours_per_month: 720
horizon_months: 12
team: {ops_fte: 0, setup_hours: 0}
segments:
  - {name: requests, requests_per_month: 100000, input_tokens: 500, output_tokens: 500,
     pattern: steady_high, capability: good_enough}
candidates:
  cloud_models: [openai/gpt-4]
  size_deployments: false
  deployments:
    - {name: two A100s, accelerator: nvidia/a100-sxm-80gb, gpus: 2, acquisition: rent,
       usd_per_gpu_hour: 3.4722222, open_model: meta/llama-3.1-70b}
local: {precision: fp8}
price_trends: {api_decline_per_year: 0, gpu_purchase_decline_per_year: 0, gpu_rental_decline_per_year: 0}
"""


def test_004_break_even_volume(catalog: Catalog) -> None:
    """USD 5,000 a month of local infrastructure / USD 0.045 a GPT-4 request = 111,111 requests a month.

    Two A100s rented at 3.4722 USD per GPU-hour over 720 hours are the 5,000 USD; the break-even volume comes
    from the same projection as every other cost.
    """
    shape = RequestShape(500, 500)
    per_request = cost_per_request(token_prices(catalog.api_model("openai/gpt-4"), shape), shape).total_usd
    assert per_request == pytest.approx(0.045)
    a = assess_workload(load_workload_text(BREAK_EVEN_004), catalog)
    volume = a.break_even.requests_per_month
    assert volume is not None
    assert volume == pytest.approx(111_111.1, rel=1e-6)
    assert 100_000 <= volume <= 150_000


@pytest.mark.parametrize(
    ("model_id", "per_day", "per_month"),
    [("openai/gpt-4o", 3.25, 97.50), ("anthropic/claude-3.5-sonnet", 4.50, 135.0)],
)
def test_002_thousand_queries_a_day(catalog: Catalog, model_id: str, per_day: float, per_month: float) -> None:
    """1,000 queries x (500 in + 200 out): GPT-4o 1.25 + 2.00 = 3.25/day; Sonnet 1.50 + 3.00 = 4.50/day; x 30 days."""
    shape = RequestShape(500, 200)
    entry = catalog.api_model(model_id)
    daily = float(cloud_monthly_cost(token_prices(entry, shape), shape, 1_000))
    assert daily == pytest.approx(per_day)
    assert daily * 30 == pytest.approx(per_month)


def test_002_rtx_4090_bought() -> None:
    """USD 1,800 over 3 years straight line = USD 50 a month."""
    item = amortised_capex_item("RTX 4090", 1_800, 3, SRC, unit="GPUs")
    assert item.monthly_cost_usd == pytest.approx(50.0)
    assert item.one_time_usd == 1_800


def test_002_rtx_4090_power_at_full_use(catalog: Catalog) -> None:
    """The article's 400 W at full use is below the card's 450 W board power in the catalog."""
    assert catalog.accelerator("rtx-4090").item.tdp_w >= 400


def test_002_a100_rented_around_the_clock() -> None:
    """USD 2 x 24 h x 30 days = USD 1,440 a month."""
    assert total_monthly([rental_item("A100", 24 * 30, 2.0, SRC)]) == pytest.approx(1_440.0)


def test_001_token_volume_bill(catalog: Catalog) -> None:
    """30M input x 0.03/1K + 15M output x 0.06/1K = 900 + 900 = USD 1,800 a month, 21,600 a year.

    Stated as 1M requests of 30 input and 15 output tokens on GPT-4.
    """
    monthly = gpt4_monthly(catalog, 1_000_000, RequestShape(30, 15))
    assert monthly == pytest.approx(1_800.0)
    assert monthly * 12 == pytest.approx(21_600.0)


def test_001_year_one_local_tco() -> None:
    """Depreciation 8,000 + 6,400 + 1,600 + 500, power 40,000 kWh x 0.12 = 4,800,
    0.5 FTE x 150,000 = 75,000, maintenance 2,000: USD 98,300 in year one."""
    items = [
        amortised_capex_item("H100", 40_000, 5, SRC),
        amortised_capex_item("4 x A100", 32_000, 5, SRC),
        amortised_capex_item("server", 8_000, 5, SRC),
        amortised_capex_item("cooling", 5_000, 10, SRC),
        energy_item(40_000 / 12, 0.12, SRC),
    ]
    items += staff_line_items(StaffTerms(Sourced(0.5, SRC), Sourced(150_000, SRC), Sourced(0, SRC)))
    items += extra_line_items([("maintenance", 2_000 / 12, SRC)])
    yearly = [round(i.monthly_cost_usd * 12, 6) for i in items]
    assert yearly == [8_000.0, 6_400.0, 1_600.0, 500.0, 4_800.0, 75_000.0, 2_000.0]
    assert sum(yearly) == pytest.approx(98_300.0)


@pytest.mark.parametrize(("cloud", "months"), [(3_000.0, 6.0), (10_000.0, 15_000 / 9_500)])
def test_003_payback(cloud: float, months: float) -> None:
    """USD 15,000 hardware + 500 a month vs cloud 3,000-10,000: 15,000 / (3,000 - 500) = 6 months
    down to 15,000 / (10,000 - 500) = 1.6 months."""
    horizon = 36
    up_front = np.zeros(horizon)
    up_front[0] = 15_000
    result = payback_months(np.full(horizon, cloud), np.full(horizon, 500.0), up_front)
    assert result == pytest.approx(months)
    assert round(result, 1) in (6.0, 1.6)


@pytest.mark.parametrize("cloud", [30.0, 100.0])
def test_003_never_pays_back(cloud: float) -> None:
    """1,000 calls a day: cloud USD 30-100 a month against local opex of 500: never pays back."""
    up_front = np.zeros(36)
    up_front[0] = 15_000
    assert payback_months(np.full(36, cloud), np.full(36, 500.0), up_front) is None


def test_000_a10g_billed_by_use() -> None:
    """100,000 tokens a day at 30 tokens/s = 0.93 GPU-hours a day; at USD 1.50/h, under USD 2 a day."""
    hours = gpu_hours_for_tokens(100_000, 30)
    assert hours == pytest.approx(0.93, abs=0.005)
    assert hours * 1.50 < 2.0
    assert hours * 1.50 == pytest.approx(1.39, abs=0.005)
