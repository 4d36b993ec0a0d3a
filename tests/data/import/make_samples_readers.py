"""Write the synthetic usage exports the openai-usage, anthropic-usage and openrouter readers are tested with.

Run from the repository root: ``python tests/data/import/make_samples_readers.py``. It is deterministic: the
same files come out every run. Every id, key name and count is made up; none is customer data. The files span
January to March 2026, on seven days two weeks apart, at several hours of the day (batch work at 03:00 UTC,
interactive traffic in the day), with volume growing week on week, so growth and daily profiles can be tested.

Files written, and the documented format each follows:

``openai/usage_completions.json``
    One response page of ``GET /v1/organization/usage/completions?bucket_width=1h&group_by=...`` (OpenAI API
    reference, Usage / Completions; schemas ``UsageResponse``, ``UsageTimeBucket``, ``UsageCompletionsResult``
    of github.com/openai/openai-openapi): hourly buckets, results grouped by model, project, API key, batch and
    service tier; one result also carries a ``user_id``, which the reader must drop.
``openai/usage_completions_pages.jsonl`` and ``openai/usage_completions_pages.json``
    Three pages of daily buckets (``bucket_width=1d``, seven buckets a page, the API's default ``limit``), one
    page per line, and the same three pages as one JSON array.
``anthropic/messages_usage.json``
    One response page of ``GET /v1/organizations/usage_report/messages?bucket_width=1h&group_by[]=...``
    (Anthropic API reference, Get Messages Usage Report): hourly buckets with RFC 3339 bounds, results grouped by
    model, workspace, API key, service tier and context window.
``openrouter/activity.csv``
    An OpenRouter activity CSV export, one row per generation, with the columns OpenRouter's export has
    (OpenRouter does not document them; see ``llmdecide/usage_import/openrouter.py`` for where they come from).

``openai/dashboard_activity.csv``
    The usage dashboard's activity CSV export (platform.openai.com/usage, *Export*): one row per day and grouping,
    January to March 2026, with the columns of the Usage API result plus ``start_time_iso``/``end_time_iso``.
    OpenAI does not document the export's columns; ``llmdecide/usage_import/openai_usage.py`` says where they
    come from. It has what such an export has: counts written as ``10.0``, ``TRUE``/``FALSE`` batch flags, a
    ``user_id`` column (which the reader must drop), a day with no usage (times only), and two rows of one day
    whose shown labels are equal.
``anthropic/console_usage.csv``
    The Claude Console's usage CSV export: one row per UTC day and model, API key (by name), workspace, usage
    type, context window, inference geography and speed, January to March 2026. Anthropic does not document its
    columns; ``llmdecide/usage_import/anthropic_usage.py`` says where they come from.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
UTC = dt.UTC

DAYS = [dt.date(2026, 1, 5) + dt.timedelta(days=14 * week) for week in range(7)]
"""Mondays two weeks apart, 2026-01-05 to 2026-03-30."""
HOURS = (3, 10, 16)


def growth(week: int) -> float:
    """Traffic relative to the first sampled week: 12 % more every two weeks."""
    return 1.12**week


def unix(moment: dt.datetime) -> int:
    return int(moment.timestamp())


def rfc3339(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def dump_page(page: dict[str, Any]) -> str:
    """A page as the API sends it, keys in the API's order, one bucket per line so the sample reads easily."""
    parts = []
    for key, value in page.items():
        if key == "data" and value:
            buckets = ",\n".join("  " + json.dumps(bucket) for bucket in value)
            parts.append(f'"data": [\n{buckets}\n]')
        else:
            parts.append(f"{json.dumps(key)}: {json.dumps(value)}")
    return "{" + ", ".join(parts) + "}\n"


# --- OpenAI ------------------------------------------------------------------------------------------------------


def openai_result(
    model: str, requests: int, input_tokens: int, cached: int, written: int, output: int, **group: Any
) -> dict[str, Any]:
    result: dict[str, Any] = {
        "object": "organization.usage.completions.result",
        "input_tokens": input_tokens,
        "input_cached_tokens": cached,
        "input_cache_write_tokens": written,
        "input_uncached_tokens": input_tokens - cached - written,
        "output_tokens": output,
        "input_audio_tokens": 0,
        "output_audio_tokens": 0,
        "num_model_requests": requests,
        "project_id": None,
        "user_id": None,
        "api_key_id": None,
        "model": model,
        "batch": None,
        "service_tier": None,
    }
    result.update(group)
    return result


def openai_hourly_page() -> dict[str, Any]:
    buckets = []
    for week, day in enumerate(DAYS):
        scale = growth(week)
        for hour in HOURS:
            start = dt.datetime(day.year, day.month, day.day, hour, tzinfo=UTC)
            results = []
            if hour == 3:
                requests = round(400 * scale)
                results.append(
                    openai_result(
                        "gpt-4.1-mini-2025-04-14",
                        requests,
                        requests * 2400,
                        requests * 1200,
                        requests * 100,
                        requests * 300,
                        project_id="proj_synthetic_reports",
                        api_key_id="key_synthetic_batch",
                        batch=True,
                        service_tier="default",
                    )
                )
            busy = {3: 0.1, 10: 1.0, 16: 0.7}[hour]
            requests = round(900 * scale * busy)
            result = openai_result(
                "gpt-4.1-2025-04-14",
                requests,
                requests * 1500,
                requests * 600,
                requests * 50,
                requests * 250,
                project_id="proj_synthetic_support",
                api_key_id="key_synthetic_support",
                batch=False,
                service_tier="default",
            )
            if week == 2 and hour == 10:
                result["user_id"] = "user-synthetic-0001"
            results.append(result)
            buckets.append(
                {
                    "object": "bucket",
                    "start_time": unix(start),
                    "end_time": unix(start + dt.timedelta(hours=1)),
                    "results": results,
                }
            )
    # A quiet hour: the API lists the bucket with no results.
    quiet = dt.datetime(2026, 3, 30, 22, tzinfo=UTC)
    buckets.append(
        {"object": "bucket", "start_time": unix(quiet), "end_time": unix(quiet + dt.timedelta(hours=1)), "results": []}
    )
    return {"object": "page", "data": buckets, "has_more": False, "next_page": None}


def openai_daily_pages() -> list[dict[str, Any]]:
    pages = []
    firsts = [dt.date(2026, 1, 5), dt.date(2026, 2, 2), dt.date(2026, 3, 2)]
    for number, first in enumerate(firsts):
        buckets = []
        for offset in range(7):
            day = first + dt.timedelta(days=offset)
            start = dt.datetime(day.year, day.month, day.day, tzinfo=UTC)
            weekday_factor = 0.4 if day.weekday() >= 5 else 1.0
            requests = round(20_000 * (1.1**number) * weekday_factor)
            buckets.append(
                {
                    "object": "bucket",
                    "start_time": unix(start),
                    "end_time": unix(start + dt.timedelta(days=1)),
                    "results": [
                        openai_result(
                            "gpt-4.1-mini-2025-04-14",
                            requests,
                            requests * 1800,
                            requests * 700,
                            0,
                            requests * 220,
                        )
                    ],
                }
            )
        last = number == len(firsts) - 1
        pages.append(
            {
                "object": "page",
                "data": buckets,
                "has_more": not last,
                "next_page": None if last else f"page_synthetic_{number + 1}",
            }
        )
    return pages


# --- Anthropic ---------------------------------------------------------------------------------------------------


def anthropic_result(
    model: str, uncached: int, read: int, five_min: int, one_hour: int, output: int, searches: int, **group: Any
) -> dict[str, Any]:
    result: dict[str, Any] = {
        "uncached_input_tokens": uncached,
        "cache_creation": {"ephemeral_1h_input_tokens": one_hour, "ephemeral_5m_input_tokens": five_min},
        "cache_read_input_tokens": read,
        "output_tokens": output,
        "server_tool_use": {"web_search_requests": searches},
        "api_key_id": None,
        "workspace_id": None,
        "model": model,
        "service_tier": None,
        "context_window": None,
    }
    result.update(group)
    return result


def anthropic_hourly_page() -> dict[str, Any]:
    buckets = []
    for week, day in enumerate(DAYS):
        scale = growth(week)
        for hour in HOURS:
            start = dt.datetime(day.year, day.month, day.day, hour, tzinfo=UTC)
            results = []
            if hour == 3:
                unit = round(1000 * scale)
                results.append(
                    anthropic_result(
                        "claude-sonnet-4-5-20250929",
                        unit * 900,
                        unit * 1500,
                        unit * 100,
                        0,
                        unit * 400,
                        0,
                        api_key_id="apikey_synthetic_batch",
                        workspace_id="wrkspc_synthetic_reports",
                        service_tier="batch",
                        context_window="0-200k",
                    )
                )
            busy = {3: 0.1, 10: 1.0, 16: 0.6}[hour]
            unit = round(1500 * scale * busy)
            results.append(
                anthropic_result(
                    "claude-sonnet-4-5-20250929",
                    unit * 700,
                    unit * 2000,
                    unit * 150,
                    unit * 50,
                    unit * 350,
                    0,
                    api_key_id="apikey_synthetic_support",
                    workspace_id="wrkspc_synthetic_support",
                    service_tier="standard",
                    context_window="0-200k",
                )
            )
            buckets.append(
                {
                    "starting_at": rfc3339(start),
                    "ending_at": rfc3339(start + dt.timedelta(hours=1)),
                    "results": results,
                }
            )
    return {"data": buckets, "has_more": False, "next_page": None}


# --- Dashboard and Console CSV exports --------------------------------------------------------------------------

OPENAI_DASHBOARD_COLUMNS = [
    "start_time",
    "end_time",
    "start_time_iso",
    "end_time_iso",
    "project_id",
    "num_model_requests",
    "user_id",
    "api_key_id",
    "model",
    "batch",
    "service_tier",
    "input_tokens",
    "output_tokens",
    "input_cached_tokens",
    "input_uncached_tokens",
    "input_text_tokens",
    "output_text_tokens",
    "input_cached_text_tokens",
    "input_audio_tokens",
    "input_cached_audio_tokens",
    "output_audio_tokens",
    "input_image_tokens",
    "input_cached_image_tokens",
    "output_image_tokens",
]

EXPORT_DAYS = [dt.date(2026, 1, 1) + dt.timedelta(days=offset) for offset in range(90)]
"""2026-01-01 to 2026-03-31: three full months."""


def iso(moment: dt.datetime) -> str:
    return moment.isoformat()


def openai_dashboard_rows() -> list[list[str]]:
    rows = []
    for number, day in enumerate(EXPORT_DAYS):
        start = dt.datetime(day.year, day.month, day.day, tzinfo=UTC)
        end = start + dt.timedelta(days=1)
        times = [str(unix(start)), str(unix(end)), iso(start), iso(end)]
        if day == dt.date(2026, 2, 14):
            rows.append(times + [""] * (len(OPENAI_DASHBOARD_COLUMNS) - 4))
            continue
        weekday = 0.35 if day.weekday() >= 5 else 1.0
        scale = 1.06 ** (number / 30)
        groups = [
            # (model, project, user, key, batch, requests, input, cached, output per request)
            ("gpt-4.1-2025-04-14", "proj_synthetic_support", "user-synthetic-a", "key_synthetic_support", False,
             round(700 * scale * weekday), 1500, 600, 250),
            ("gpt-4.1-2025-04-14", "proj_synthetic_support", "user-synthetic-a", "key_synthetic_support", False,
             round(40 * scale * weekday), 6000, 0, 900),
            ("gpt-4.1-mini-2025-04-14", "proj_synthetic_reports", "user-synthetic-b", "key_synthetic_batch", True,
             round(300 * scale), 2400, 1200, 300),
        ]  # fmt: skip
        for model, project, user, key, batch, requests, per_in, per_cached, per_out in groups:
            tokens_in, cached, tokens_out = requests * per_in, requests * per_cached, requests * per_out
            counts = [tokens_in, tokens_out, cached, tokens_in - cached, tokens_in - cached, tokens_out, cached]
            counts += [0] * 6
            rows.append(
                times
                + [project, f"{requests:.1f}", user, key, model, "TRUE" if batch else "FALSE", "default"]
                + [f"{count:.1f}" for count in counts]
            )
    return rows


ANTHROPIC_CONSOLE_COLUMNS = [
    "usage_date_utc",
    "model_version",
    "api_key",
    "workspace",
    "usage_type",
    "context_window",
    "usage_input_tokens_no_cache",
    "usage_input_tokens_cache_write_5m",
    "usage_input_tokens_cache_write_1h",
    "usage_input_tokens_cache_read",
    "usage_output_tokens",
    "web_search_count",
    "inference_geo",
    "speed",
]


def anthropic_console_rows() -> list[list[str]]:
    rows = []
    for number, day in enumerate(EXPORT_DAYS):
        weekday = 0.3 if day.weekday() >= 5 else 1.0
        scale = 1.08 ** (number / 30)
        groups = [
            # (model, key name, workspace, usage type, uncached, 5m write, 1h write, cache read, output, searches)
            ("claude-sonnet-4-5-20250929", "support-bot", "Support", "standard", 2_100_000, 150_000, 40_000,
             5_500_000, 600_000, 3),
            ("claude-haiku-4-5-20251001", "nightly-reports", "Reports", "batch", 4_000_000, 0, 0, 0, 500_000, 0),
        ]  # fmt: skip
        for model, key, workspace, usage_type, uncached, five, hour, read, output, searches in groups:
            factor = scale * (weekday if usage_type == "standard" else 1.0)
            counts = [round(value * factor) for value in (uncached, five, hour, read, output)]
            rows.append(
                [day.isoformat(), model, key, workspace, usage_type, "\u2264 200k"]
                + [str(count) for count in counts]
                + [str(searches), "not_available", ""]
            )
    return rows


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")


# --- OpenRouter --------------------------------------------------------------------------------------------------

OPENROUTER_COLUMNS = [
    "generation_id",
    "created_at",
    "cost_total",
    "cost_web_search",
    "cost_cache",
    "cost_file_processing",
    "byok_usage_inference",
    "tokens_prompt",
    "tokens_completion",
    "tokens_reasoning",
    "tokens_cached",
    "model_permaslug",
    "provider_name",
    "variant",
    "cancelled",
    "streamed",
    "user",
    "finish_reason_raw",
    "finish_reason_normalized",
    "generation_time_ms",
    "time_to_first_token_ms",
    "api_key_disabled",
    "api_key_name",
    "app_name",
]

OPENROUTER_MODELS = [
    # (permaslug, provider, variant, $ per 1M prompt tokens, $ per 1M completion tokens, key name, app)
    ("openai/gpt-4.1-mini-2025-04-14", "OpenAI", "standard", 0.40, 1.60, "support-bot", "Synthetic Helpdesk"),
    ("anthropic/claude-4.5-sonnet-20250929", "Anthropic", "standard", 3.00, 15.00, "support-bot", ""),
    ("meta-llama/llama-3.3-70b-instruct", "DeepInfra", "free", 0.0, 0.0, "nightly-reports", ""),
]


def openrouter_rows() -> list[list[str]]:
    rows = []
    number = 0
    for week, day in enumerate(DAYS):
        per_day = 3 + week // 2
        for slot in range(per_day):
            model, provider, variant, p_in, p_out, key, app = OPENROUTER_MODELS[(number + week) % 3]
            hour = (2, 9, 13, 17, 21, 11)[slot % 6]
            moment = dt.datetime(day.year, day.month, day.day, hour, (number * 7) % 60, (number * 13) % 60)
            moment += dt.timedelta(milliseconds=(number * 137) % 1000)
            prompt = 800 + (number * 373) % 4200
            completion = 120 + (number * 97) % 900
            reasoning = completion // 4 if "claude" in model else 0
            cached = (prompt // 2) if number % 3 == 0 else 0
            cost = (prompt - cached) * p_in / 1e6 + cached * p_in / 4e6 + completion * p_out / 1e6
            cancelled = number == 11
            rows.append(
                [
                    f"gen-{unix(moment.replace(tzinfo=UTC))}-synthetic{number:03d}",
                    moment.strftime("%Y-%m-%d %H:%M:%S.") + f"{moment.microsecond // 1000:03d}",
                    f"{cost:.7f}",
                    "0",
                    f"{cached * p_in / 4e6:.7f}",
                    "0",
                    "0",
                    str(prompt),
                    str(completion),
                    str(reasoning),
                    str(cached),
                    model,
                    provider,
                    variant,
                    "true" if cancelled else "false",
                    "true",
                    f"user_synthetic_{number % 4}",
                    "stop",
                    "stop",
                    str(400 + (number * 53) % 3000),
                    str(150 + (number * 31) % 700),
                    "false",
                    key,
                    app,
                ]
            )
            number += 1
    return rows


def main() -> None:
    (HERE / "openai").mkdir(exist_ok=True)
    (HERE / "anthropic").mkdir(exist_ok=True)
    (HERE / "openrouter").mkdir(exist_ok=True)

    (HERE / "openai" / "usage_completions.json").write_text(dump_page(openai_hourly_page()), encoding="utf-8")
    pages = openai_daily_pages()
    (HERE / "openai" / "usage_completions_pages.jsonl").write_text(
        "".join(json.dumps(page) + "\n" for page in pages), encoding="utf-8"
    )
    (HERE / "openai" / "usage_completions_pages.json").write_text(
        "[\n" + ",\n".join(dump_page(page).rstrip("\n") for page in pages) + "\n]\n", encoding="utf-8"
    )
    (HERE / "anthropic" / "messages_usage.json").write_text(dump_page(anthropic_hourly_page()), encoding="utf-8")

    write_csv(HERE / "openrouter" / "activity.csv", OPENROUTER_COLUMNS, openrouter_rows())
    write_csv(HERE / "openai" / "dashboard_activity.csv", OPENAI_DASHBOARD_COLUMNS, openai_dashboard_rows())
    write_csv(HERE / "anthropic" / "console_usage.csv", ANTHROPIC_CONSOLE_COLUMNS, anthropic_console_rows())


if __name__ == "__main__":
    main()
