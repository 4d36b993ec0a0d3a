"""The otel-genai reader: GenAI inference spans from OTLP JSON lines or opentelemetry-python's flat spans."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import pytest

from llmdecide.errors import InputFileError
from llmdecide.usage_import import otel_genai
from llmdecide.usage_import.records import ReadNotes, UsageRecord

DATA = Path(__file__).parents[2] / "data" / "import" / "otel"
OTLP = DATA / "otlp_spans.jsonl"
CONSOLE = DATA / "console_spans.json"


def read(text: str) -> tuple[list[UsageRecord], ReadNotes]:
    notes = ReadNotes()
    return list(otel_genai.FORMAT.read(io.StringIO(text), "spans", notes)), notes


def test_otlp_and_console_shapes_read_the_same_spans() -> None:
    otlp, notes = read(OTLP.read_text())
    flat, _ = read(CONSOLE.read_text())
    assert len(otlp) == len(flat) == 212
    key = [(r.start, r.model, r.provider, r.input_tokens, r.cached_input_tokens, r.output_tokens, r.project)
           for r in otlp]  # fmt: skip
    assert key == [(r.start, r.model, r.provider, r.input_tokens, r.cached_input_tokens, r.output_tokens, r.project)
                   for r in flat]  # fmt: skip
    assert "other operations" in " ".join(notes.messages.values())  # the embeddings and agent spans


def test_a_span_carries_its_model_provider_tokens_and_labels() -> None:
    records, _ = read(OTLP.read_text())
    first = records[0]
    assert first.start == dt.datetime(2025, 1, 1, 9, 37, tzinfo=dt.UTC)
    assert first.model == "gpt-4o" and first.provider == "openai"
    assert first.project == "support-bot"
    assert ("deployment.environment", "prod") in first.tags
    assert all(not k.startswith(("gen_ai.input", "gen_ai.output", "user.")) for k, _ in first.tags)


def _otlp(attributes: list[dict[str, object]], start: object = "1735700000000000000") -> str:
    span = {"name": "chat", "startTimeUnixNano": start, "attributes": attributes}
    return json.dumps({"resourceSpans": [{"resource": {"attributes": []}, "scopeSpans": [{"spans": [span]}]}]})


def test_int_values_as_strings_and_numbers() -> None:
    attrs = [
        {"key": "gen_ai.request.model", "value": {"stringValue": "gpt-4o"}},
        {"key": "gen_ai.usage.input_tokens", "value": {"intValue": "120"}},
        {"key": "gen_ai.usage.output_tokens", "value": {"intValue": 30}},
    ]
    (record,), _ = read(_otlp(attrs, 1735700000000000000))
    assert (record.input_tokens, record.output_tokens) == (120, 30)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (_otlp([{"key": "gen_ai.usage.input_tokens", "value": {"intValue": "5"}}]),
         "spans: line 1: span 1: gen_ai.request.model: expected a model name"),
        (_otlp([{"key": "gen_ai.request.model", "value": {"stringValue": "m"}},
                {"key": "gen_ai.usage.input_tokens", "value": {"stringValue": "many"}}]),
         "spans: line 1: span 1: gen_ai.usage.input_tokens: expected a whole number of tokens, got text"),
        (_otlp([{"key": "gen_ai.request.model", "value": {"stringValue": "m"}},
                {"key": "gen_ai.usage.input_tokens", "value": {"intValue": "5"}}], "soon"),
         "spans: line 1: span 1: startTimeUnixNano: expected nanoseconds since 1970"),
        ('{"name": "x"}', "spans: record 1 (line 1): expected an OTLP export request"),
        ('{"attributes": {"gen_ai.usage.input_tokens": 3}}', "spans: record 1 (line 1): start_time: expected"),
    ],
)  # fmt: skip
def test_bad_spans_name_the_line_span_and_attribute(text: str, message: str) -> None:
    with pytest.raises(InputFileError) as err:
        read(text)
    assert str(err.value).startswith(message)


def test_sniff() -> None:
    assert otel_genai.sniff(OTLP.read_text()[:4096]) and otel_genai.sniff(CONSOLE.read_text()[:4096])
    assert not otel_genai.sniff("request_id,model\n")
