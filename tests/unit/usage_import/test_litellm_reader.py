"""The litellm reader: LiteLLM_SpendLogs rows from a CSV export, /spend/logs JSON, or /spend/logs/v2 pages."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import pytest

from llmdecide.errors import InputFileError
from llmdecide.usage_import import litellm
from llmdecide.usage_import.formats import guess_formats
from llmdecide.usage_import.records import ReadNotes, UsageRecord

DATA = Path(__file__).parents[2] / "data" / "import" / "litellm"
SAMPLES = [DATA / "spend_logs.csv", DATA / "spend_logs.json", DATA / "spend_logs_pages.jsonl"]


def read(text: str, name: str = "logs") -> tuple[list[UsageRecord], ReadNotes]:
    notes = ReadNotes()
    return list(litellm.FORMAT.read(io.StringIO(text), name, notes)), notes


@pytest.mark.parametrize("path", SAMPLES, ids=[p.name for p in SAMPLES])
def test_every_shape_reads_the_same_records(path: Path) -> None:
    records, notes = read(path.read_text(), path.name)
    reference, _ = read(SAMPLES[0].read_text(), "x")
    assert [(r.start, r.model, r.input_tokens, r.output_tokens, r.cost_usd) for r in records] == [
        (r.start, r.model, r.input_tokens, r.output_tokens, r.cost_usd) for r in reference
    ]
    assert len(records) == 212  # the embedding call and the cached answer are left out
    messages = " ".join(notes.messages.values())
    assert "generate no text" in messages and "LiteLLM's own cache" in messages
    if path.suffix == ".csv" or path.suffix == ".json":
        assert "without a time zone: read as UTC" in messages


def test_a_row_becomes_a_record_of_one_request() -> None:
    records, _ = read(SAMPLES[0].read_text())
    first = records[0]
    assert first.requests == 1.0 and first.end is None
    assert first.start == dt.datetime(2025, 1, 1, 9, 37, tzinfo=dt.UTC)
    assert first.model == "gpt-4o-2024-08-06" and first.provider == "openai"
    assert first.project == "search"  # the team alias
    assert first.api_key == "backend"  # the key alias, never the key
    assert ("feature", "chat") in first.tags and ("env", "prod") in first.tags
    cached = next(r for r in records if r.cached_input_tokens > 0)
    assert cached.cached_input_tokens == cached.input_tokens // 2
    no_alias = next(r for r in records if r.api_key and r.api_key.startswith("key "))
    assert len(no_alias.api_key or "") == len("key ") + 10


def test_anthropic_cache_counts_come_from_additional_usage_values() -> None:
    meta = {"additional_usage_values": {"cache_read_input_tokens": 600, "cache_creation_input_tokens": 100}}
    row = {"model": "claude-3-5-sonnet-20241022", "prompt_tokens": 1000, "completion_tokens": 50,
           "startTime": "2025-01-02T03:04:05+00:00", "metadata": meta}  # fmt: skip
    (record,), notes = read(json.dumps([row]))
    assert (record.input_tokens, record.cached_input_tokens, record.cache_write_tokens) == (1000, 600, 100)
    assert not notes.messages  # the time has a zone
    row["prompt_tokens"] = 500  # an older LiteLLM that left the cache out of prompt_tokens
    (record,), notes = read(json.dumps([row]))
    assert record.input_tokens == 700 and "their sum" in " ".join(notes.messages.values())


def test_failed_requests_are_left_out() -> None:
    row = {"model": "gpt-4o", "prompt_tokens": 1, "completion_tokens": 1, "startTime": "2025-01-02T00:00:00Z"}
    records, notes = read(json.dumps([row, dict(row, status="failure")]))
    assert len(records) == 1 and "status failure" in " ".join(notes.messages.values())


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ({"prompt_tokens": "x"}, "logs: record 1: prompt_tokens: expected a whole number of tokens, got text"),
        ({"completion_tokens": -1}, "logs: record 1: completion_tokens: expected a count of 0 or more, got -1"),
        ({"startTime": 12}, "logs: record 1: startTime: expected a Unix time in seconds between 2000 and 2200"),
        ({"spend": "free"}, "logs: record 1: spend: expected a cost in USD, got text"),
        ({"request_tags": {"a": 1}}, "logs: record 1: request_tags: expected a JSON list of tags, got an object"),
        ({"model": ""}, "logs: record 1: model: expected a model name"),
    ],
)
def test_bad_values_name_the_record_and_the_field(row: dict[str, object], message: str) -> None:
    base = {"model": "gpt-4o", "prompt_tokens": 1, "completion_tokens": 1, "startTime": "2025-01-02T00:00:00Z"}
    with pytest.raises(InputFileError) as err:
        read(json.dumps([{**base, **row}]))
    assert str(err.value).startswith(message)


def test_sniff_tells_spend_logs_from_other_exports() -> None:
    for path in SAMPLES:
        assert litellm.sniff(path.read_text()[:4096])
        assert "litellm" in guess_formats(path.read_text()[:4096])
    assert not litellm.sniff('{"object": "page", "data": []}')
    assert not litellm.sniff("generation_id,created_at,model\n")


def test_a_csv_of_the_required_columns_alone_reads_with_nothing_invented() -> None:
    text = (
        "prompt_tokens,model,startTime,completion_tokens\n"
        "100,gpt-4o,2025-01-01 00:00:00,20\n"
        "300,gpt-4o,2025-01-01T01:00:00+02:00,40\n"
    )
    (naive, zoned), notes = read(text)
    assert (naive.model, naive.input_tokens, naive.output_tokens) == ("gpt-4o", 100, 20)
    assert naive.start == dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    assert zoned.start == dt.datetime(2025, 1, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    for r in (naive, zoned):  # the columns it lacks read as absent, never as zero cost or an empty label
        assert r.cost_usd is None and r.project is None and r.api_key is None and r.provider is None
        assert r.tags == () and r.cached_input_tokens == 0 and r.where in ("line 2", "line 3")
    assert "without a time zone" in " ".join(notes.messages.values())
