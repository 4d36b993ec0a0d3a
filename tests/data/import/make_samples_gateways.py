"""Write the synthetic gateway exports the litellm and otel-genai readers are tested with.

Run from the repository root: ``python tests/data/import/make_samples_gateways.py``. It is deterministic: the same
files come out every run. Every id, key, label and count is made up; none is customer data. Each file spans
January to March 2025 (every 9 hours and 17 minutes, so every hour of the week is reached), with two models of
the test catalog (``tests/data/catalog``) and, in the LiteLLM files, one the catalog does not know.

Planted in every file, for the privacy test: prompt and answer text (``PLANTED_PROMPT``), a virtual key
(``PLANTED_KEY``) and a user's e-mail address (``PLANTED_USER``), in the columns and attributes where the
exporters put them (LiteLLM's ``messages``, ``response``, ``api_key``, ``user``, ``metadata.user_api_key``;
OpenTelemetry's ``gen_ai.input.messages``, ``gen_ai.output.messages``, ``user.email``). None may reach the
workload file or the terminal.

Files written, and the documented format each follows (see the readers' docstrings for the sources):

``litellm/spend_logs.csv``
    ``COPY "LiteLLM_SpendLogs" TO ... CSV HEADER``: the table's columns, PostgreSQL timestamps without a time zone.
``litellm/spend_logs.json``
    The same rows as ``GET /spend/logs`` answers them: one JSON array, metadata as an object.
``litellm/spend_logs_pages.jsonl``
    The same rows as ``GET /spend/logs/v2`` pages of 50, one page a line.
``otel/otlp_spans.jsonl``
    OTLP JSON ``ExportTraceServiceRequest`` lines (the Collector's file exporter): chat spans, plus an
    ``embeddings`` and an ``invoke_agent`` span the reader leaves out.
``otel/console_spans.json``
    The same chat spans as opentelemetry-python's ``ConsoleSpanExporter`` prints them (``ReadableSpan.to_json``,
    pretty-printed, one after another).
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
START = dt.datetime(2025, 1, 1, 0, 20, tzinfo=UTC)
END = dt.datetime(2025, 4, 1, tzinfo=UTC)
STEP = dt.timedelta(hours=9, minutes=17)

PLANTED_PROMPT = "Summarise the medical file of patient Jane Roe, born 1961-04-12"
PLANTED_KEY = "sk-live-0123456789abcdefSECRETKEY"
PLANTED_USER = "jane.roe@example.com"

# model as the export names it, provider, USD per 1M input / cached input / output tokens (the test catalog's)
MODELS = [
    ("gpt-4o-2024-08-06", "openai", 2.5, 1.25, 10.0),
    ("claude-3-5-sonnet-20241022", "anthropic", 3.0, 0.3, 15.0),
    ("mistral-small-latest", "mistral", 0.1, 0.1, 0.3),
]
COLUMNS = [
    "request_id", "call_type", "api_key", "spend", "total_tokens", "prompt_tokens", "completion_tokens",
    "startTime", "endTime", "model", "model_group", "custom_llm_provider", "api_base", "user", "metadata",
    "cache_hit", "cache_key", "request_tags", "team_id", "end_user", "messages", "response", "status",
]  # fmt: skip


def _times() -> list[dt.datetime]:
    out, t = [], START
    while t < END:
        out.append(t)
        t += STEP
    return out


def litellm_rows() -> list[dict[str, Any]]:
    """One spend-log row per request, growing month on month (every request, then fewer skipped)."""
    rows = []
    for i, t in enumerate(_times()):
        if t.month == 1 and i % 4 == 0:
            continue  # fewer requests in January: the volume grows
        model, provider, p_in, p_cached, p_out = MODELS[0 if i % 5 < 3 else 1 if i % 5 == 3 else 2]
        if i % 23 == 0:
            model, provider, p_in, p_cached, p_out = MODELS[2]
        prompt = 400 + (i * 37) % 1600
        output = 60 + (i * 53) % 400
        cached = prompt // 2 if i % 3 == 0 and provider != "mistral" else 0
        spend = ((prompt - cached) * p_in + cached * p_cached + output * p_out) / 1e6
        team = "search" if i % 2 else "support"
        meta = {
            "user_api_key": "88dc28d0f030c55ed4ab77ed8faf098196cb1c05df778539800c9f1243fe6b4b",
            "user_api_key_alias": "backend" if i % 3 else None,
            "user_api_key_team_alias": team,
            "user_api_key_user_id": PLANTED_USER,
            "additional_usage_values": {"prompt_tokens_details": {"cached_tokens": cached}},
            "requester_ip_address": "203.0.113.7",
        }
        stamp = t.strftime("%Y-%m-%d %H:%M:%S.000")
        done = (t + dt.timedelta(seconds=3)).strftime("%Y-%m-%d %H:%M:%S.000")
        rows.append(
            {
                "request_id": f"chatcmpl-{i:06d}",
                "call_type": "acompletion",
                "api_key": PLANTED_KEY if i % 17 == 0 else f"{i % 3:064x}",
                "spend": round(spend, 10),
                "total_tokens": prompt + output,
                "prompt_tokens": prompt,
                "completion_tokens": output,
                "startTime": stamp,
                "endTime": done,
                "model": model,
                "model_group": model.split("-20")[0],
                "custom_llm_provider": provider,
                "api_base": "https://gateway.example.com/v1",
                "user": PLANTED_USER,
                "metadata": meta,
                "cache_hit": "False",
                "cache_key": "",
                "request_tags": ["env:prod", f"feature:{'chat' if i % 2 else 'summaries'}"],
                "team_id": f"team-{team}",
                "end_user": PLANTED_USER,
                "messages": [{"role": "user", "content": PLANTED_PROMPT}] if i % 7 == 0 else {},
                "response": {"choices": [{"message": {"content": PLANTED_PROMPT}}]} if i % 7 == 0 else {},
                "status": "success",
            }
        )
    rows.append(dict(rows[-1], request_id="emb-1", call_type="aembedding", completion_tokens=0, spend=0.0001))
    rows.append(dict(rows[-2], request_id="cached-1", cache_hit="True", spend=0.0))
    return rows


def _csv_text(rows: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(COLUMNS)
    for row in rows:
        w.writerow([json.dumps(row[c]) if isinstance(row[c], dict | list) else row[c] for c in COLUMNS])
    return out.getvalue()


def _attr(key: str, value: Any) -> dict[str, Any]:
    if isinstance(value, bool):
        return {"key": key, "value": {"boolValue": value}}
    if isinstance(value, int):
        return {"key": key, "value": {"intValue": str(value)}}
    return {"key": key, "value": {"stringValue": value}}


def otel_spans() -> list[dict[str, Any]]:
    """Chat spans (flat attributes) with their start times."""
    spans = []
    for i, t in enumerate(_times()):
        if t.month == 1 and i % 4 == 0:
            continue
        openai = i % 3 != 0
        prompt = 300 + (i * 41) % 1200
        attrs: dict[str, Any] = {
            "gen_ai.operation.name": "chat",
            "gen_ai.provider.name": "openai" if openai else "anthropic",
            "gen_ai.request.model": "gpt-4o" if openai else "claude-3-5-sonnet-20241022",
            "gen_ai.response.model": "gpt-4o-2024-08-06" if openai else "claude-3-5-sonnet-20241022",
            "gen_ai.usage.input_tokens": prompt,
            "gen_ai.usage.output_tokens": 50 + (i * 29) % 300,
            "gen_ai.usage.cache_read.input_tokens": prompt // 4 if i % 2 else 0,
            "deployment.environment": "prod" if i % 4 else "staging",
        }
        if i % 7 == 0:
            attrs["gen_ai.input.messages"] = json.dumps([{"role": "user", "parts": [{"content": PLANTED_PROMPT}]}])
            attrs["gen_ai.output.messages"] = json.dumps(
                [{"role": "assistant", "parts": [{"content": PLANTED_PROMPT}]}]
            )
            attrs["user.email"] = PLANTED_USER
        spans.append({"start": t, "attrs": attrs, "service": "support-bot" if i % 2 else "search-api", "i": i})
    return spans


def _otlp_line(span: dict[str, Any], extra: list[dict[str, Any]]) -> str:
    nanos = int(span["start"].timestamp()) * 1_000_000_000
    spans = [
        {
            "traceId": f"{span['i']:032x}",
            "spanId": f"{span['i']:016x}",
            "name": f"chat {span['attrs']['gen_ai.request.model']}",
            "kind": 3,
            "startTimeUnixNano": str(nanos),
            "endTimeUnixNano": str(nanos + 2_000_000_000),
            "attributes": [_attr(k, v) for k, v in span["attrs"].items()],
        },
        *extra,
    ]
    request = {
        "resourceSpans": [
            {
                "resource": {"attributes": [_attr("service.name", span["service"])]},
                "scopeSpans": [{"scope": {"name": "opentelemetry.instrumentation.openai_v2"}, "spans": spans}],
            }
        ]
    }
    return json.dumps(request, separators=(",", ":"))


def _console_span(span: dict[str, Any]) -> str:
    start = span["start"].strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    flat = {
        "name": f"chat {span['attrs']['gen_ai.request.model']}",
        "context": {"trace_id": f"0x{span['i']:032x}", "span_id": f"0x{span['i']:016x}", "trace_state": "[]"},
        "kind": "SpanKind.CLIENT",
        "parent_id": None,
        "start_time": start,
        "end_time": start,
        "status": {"status_code": "UNSET"},
        "attributes": span["attrs"],
        "events": [],
        "links": [],
        "resource": {"attributes": {"service.name": span["service"]}, "schema_url": ""},
    }
    return json.dumps(flat, indent=4)


def main() -> None:
    rows = litellm_rows()
    (HERE / "litellm").mkdir(exist_ok=True)
    (HERE / "otel").mkdir(exist_ok=True)
    (HERE / "litellm" / "spend_logs.csv").write_text(_csv_text(rows), encoding="utf-8")
    (HERE / "litellm" / "spend_logs.json").write_text(json.dumps(rows, indent=1) + "\n", encoding="utf-8")
    pages = [rows[i : i + 50] for i in range(0, len(rows), 50)]
    lines = [
        json.dumps({"data": page, "total": len(rows), "page": n + 1, "page_size": 50, "total_pages": len(pages)})
        for n, page in enumerate(pages)
    ]
    (HERE / "litellm" / "spend_logs_pages.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    spans = otel_spans()
    skipped = [
        {
            "traceId": "f" * 32,
            "spanId": "e" * 16,
            "name": "embeddings text-embedding-3-small",
            "startTimeUnixNano": "1735700000000000000",
            "attributes": [
                _attr("gen_ai.operation.name", "embeddings"),
                _attr("gen_ai.request.model", "text-embedding-3-small"),
                _attr("gen_ai.usage.input_tokens", 12),
            ],
        },
        {
            "traceId": "f" * 32,
            "spanId": "d" * 16,
            "name": "invoke_agent helper",
            "startTimeUnixNano": "1735700000000000000",
            "attributes": [
                _attr("gen_ai.operation.name", "invoke_agent"),
                _attr("gen_ai.request.model", "gpt-4o"),
                _attr("gen_ai.usage.input_tokens", 5000),
                _attr("gen_ai.usage.output_tokens", 900),
            ],
        },
    ]
    otlp = [_otlp_line(s, skipped if n == 0 else []) for n, s in enumerate(spans)]
    (HERE / "otel" / "otlp_spans.jsonl").write_text("\n".join(otlp) + "\n", encoding="utf-8")
    (HERE / "otel" / "console_spans.json").write_text(
        "\n".join(_console_span(s) for s in spans) + "\n", encoding="utf-8"
    )


if __name__ == "__main__":
    main()
