"""The anthropic-usage reader: Anthropic's Messages usage report (Usage & Cost Admin API) pages."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import pytest

from llmdecide.errors import InputFileError
from llmdecide.usage_import.anthropic_usage import FORMAT
from llmdecide.usage_import.records import ReadNotes, UsageRecord

DATA = Path(__file__).parents[2] / "data" / "import"
SAMPLE = DATA / "anthropic" / "messages_usage.json"
OTHER_SAMPLES = [
    DATA / "openai" / "usage_completions.json",
    DATA / "openai" / "usage_completions_pages.jsonl",
    DATA / "openai" / "usage_completions_pages.json",
    DATA / "openrouter" / "activity.csv",
]


def read_file(path: Path) -> tuple[list[UsageRecord], ReadNotes]:
    notes = ReadNotes()
    with path.open(encoding="utf-8") as stream:
        return list(FORMAT.read(stream, path.name, notes)), notes


def read_text(text: str, name: str = "usage.json") -> tuple[list[UsageRecord], ReadNotes]:
    notes = ReadNotes()
    return list(FORMAT.read(io.StringIO(text), name, notes)), notes


def read_error(text: str, name: str = "usage.json") -> str:
    with pytest.raises(InputFileError) as caught:
        read_text(text, name)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"{name}: ")
    return message


def sample_page() -> dict[str, Any]:
    return json.loads(SAMPLE.read_text(encoding="utf-8"))


def with_result(change: dict[str, Any], *, bucket: int = 2, result: int = 0) -> str:
    page = sample_page()
    target = page["data"][bucket]["results"][result]
    for key, value in change.items():
        if value is ...:
            del target[key]
        else:
            target[key] = value
    return json.dumps(page)


def a_page(starting_at: str = "2026-01-05T10:00:00Z", ending_at: str = "2026-01-05T11:00:00Z", **result: Any) -> str:
    base: dict[str, Any] = {
        "uncached_input_tokens": 100,
        "cache_creation": {"ephemeral_1h_input_tokens": 5, "ephemeral_5m_input_tokens": 15},
        "cache_read_input_tokens": 300,
        "output_tokens": 40,
        "server_tool_use": {"web_search_requests": 0},
        "api_key_id": None,
        "workspace_id": None,
        "model": "claude-sonnet-4-5-20250929",
        "service_tier": "standard",
        "context_window": "0-200k",
    }
    base.update(result)
    bucket = {"starting_at": starting_at, "ending_at": ending_at, "results": [base]}
    return json.dumps({"data": [bucket], "has_more": False, "next_page": None})


# --- The sample -----------------------------------------------------------------------------------------------


def test_sample_totals_match_the_file_and_the_known_values() -> None:
    records, notes = read_file(SAMPLE)
    results = [result for bucket in sample_page()["data"] for result in bucket["results"]]
    assert len(records) == len(results) == 28
    uncached = sum(x["uncached_input_tokens"] for x in results)
    read = sum(x["cache_read_input_tokens"] for x in results)
    written = sum(
        x["cache_creation"]["ephemeral_5m_input_tokens"] + x["cache_creation"]["ephemeral_1h_input_tokens"]
        for x in results
    )
    assert sum(r.input_tokens for r in records) == uncached + read + written == 99_827_900
    assert sum(r.cached_input_tokens for r in records) == read == 66_585_500
    assert sum(r.cache_write_tokens for r in records) == written == 6_154_100
    assert sum(r.output_tokens for r in records) == 13_039_700
    cached_share = sum(r.cached_input_tokens for r in records) / sum(r.input_tokens for r in records)
    assert cached_share == pytest.approx(0.66700, abs=1e-5)
    assert notes.messages == {}


def test_the_report_counts_no_requests() -> None:
    records, _ = read_file(SAMPLE)
    assert all(r.requests is None for r in records)
    assert FORMAT.counts_requests is False


def test_sample_times_are_utc_hourly_buckets_over_three_months() -> None:
    records, _ = read_file(SAMPLE)
    for record in records:
        assert record.start.tzinfo is not None and record.start.utcoffset() == dt.timedelta(0)
        assert record.end is not None and record.end - record.start == dt.timedelta(hours=1)
    assert records[0].start == dt.datetime(2026, 1, 5, 3, tzinfo=dt.UTC)
    assert {r.start.hour for r in records} == {3, 10, 16}
    assert {r.start.month for r in records} == {1, 2, 3}


def test_batch_tier_labels_and_tags() -> None:
    records, _ = read_file(SAMPLE)
    batch = [r for r in records if r.batch]
    assert len(batch) == 7
    assert all(dict(r.tags)["service_tier"] == "batch" for r in batch)
    assert {(r.project, r.api_key) for r in batch} == {("wrkspc_synthetic_reports", "apikey_synthetic_batch")}
    standard = [r for r in records if not r.batch]
    assert {dict(r.tags)["service_tier"] for r in standard} == {"standard"}
    assert {(r.project, r.api_key) for r in standard} == {("wrkspc_synthetic_support", "apikey_synthetic_support")}
    assert {dict(r.tags)["context_window"] for r in records} == {"0-200k"}
    assert {r.model for r in records} == {"claude-sonnet-4-5-20250929"}
    assert {r.provider for r in records} == {"anthropic"}
    assert records[2].where == "record 2, results[0]"


# --- Other shapes and fields ----------------------------------------------------------------------------------


def test_pages_as_json_lines_or_an_array() -> None:
    first = a_page()
    second = a_page("2026-02-02T10:00:00Z", "2026-02-02T11:00:00Z")
    lines, _ = read_text(first + "\n" + second + "\n")
    array, _ = read_text(f"[{first},\n{second}]")
    assert [r.start for r in lines] == [r.start for r in array]
    assert [r.where for r in lines] == ["line 1, record 1, results[0]", "line 2, record 2, results[0]"]
    assert [r.input_tokens for r in lines] == [420, 420]


def test_input_tokens_add_uncached_cache_reads_and_cache_writes() -> None:
    [record], _ = read_text(a_page())
    assert record.input_tokens == 100 + 300 + 5 + 15
    assert record.cached_input_tokens == 300
    assert record.cache_write_tokens == 20
    assert record.output_tokens == 40


def test_account_ids_are_never_carried_and_newer_groupings_are_tags() -> None:
    text = a_page(
        account_id="user_synthetic_77", service_account_id="svc_synthetic_9", inference_geo="us", speed="fast"
    )
    [record], _ = read_text(text)
    assert "user_synthetic_77" not in repr(record)
    assert "svc_synthetic_9" not in repr(record)
    assert dict(record.tags) == {
        "service_tier": "standard",
        "context_window": "0-200k",
        "inference_geo": "us",
        "speed": "fast",
    }


def test_timestamps_without_a_zone_are_read_as_utc_and_noted_once() -> None:
    first = a_page("2026-01-05T10:00:00", "2026-01-05T11:00:00")
    second = a_page("2026-01-05T11:00:00", "2026-01-05T12:00:00")
    records, notes = read_text(first + "\n" + second)
    assert records[0].start == dt.datetime(2026, 1, 5, 10, tzinfo=dt.UTC)
    assert records[1].end == dt.datetime(2026, 1, 5, 12, tzinfo=dt.UTC)
    assert len(notes.messages) == 1
    assert "without a time zone" in next(iter(notes.messages.values()))


def test_offsets_are_converted_to_utc() -> None:
    [record], notes = read_text(a_page("2026-01-05T12:00:00+02:00", "2026-01-05T13:00:00+02:00"))
    assert record.start == dt.datetime(2026, 1, 5, 10, tzinfo=dt.UTC)
    assert record.start.utcoffset() == dt.timedelta(0)
    assert notes.messages == {}


def test_web_searches_are_noted_not_imported() -> None:
    [record], notes = read_text(a_page(server_tool_use={"web_search_requests": 3}))
    assert record.input_tokens == 420
    assert any("web search" in m for m in notes.messages.values())


def test_the_last_page_saying_more_follow_is_noted() -> None:
    page = json.loads(a_page())
    page["has_more"] = True
    _, notes = read_text(json.dumps(page))
    assert any("has_more" in m for m in notes.messages.values())


# --- sniff ----------------------------------------------------------------------------------------------------


def test_sniff_accepts_its_sample() -> None:
    assert FORMAT.sniff(SAMPLE.read_text(encoding="utf-8")[:4096])
    assert FORMAT.sniff(a_page())


@pytest.mark.parametrize("path", OTHER_SAMPLES)
def test_sniff_rejects_other_formats(path: Path) -> None:
    assert not FORMAT.sniff(path.read_text(encoding="utf-8")[:4096])


# --- Bad input ------------------------------------------------------------------------------------------------


def test_missing_field_names_file_record_and_field() -> None:
    message = read_error(with_result({"output_tokens": ...}))
    assert message.startswith("usage.json: record 3: results[0].output_tokens: missing")


def test_missing_cache_creation_entry() -> None:
    message = read_error(a_page(cache_creation={"ephemeral_5m_input_tokens": 1}))
    assert message.startswith("usage.json: record 1: results[0].cache_creation.ephemeral_1h_input_tokens: missing")


def test_flat_cache_creation_fields_are_not_the_documented_shape() -> None:
    text = with_result(
        {"cache_creation": ..., "cache_creation_5m_input_tokens": 10, "cache_creation_1h_input_tokens": 0}
    )
    assert read_error(text).startswith("usage.json: record 3: results[0].cache_creation: missing")


def test_non_numeric_count_names_the_field() -> None:
    message = read_error(with_result({"uncached_input_tokens": "abc"}))
    assert message.startswith("usage.json: record 3: results[0].uncached_input_tokens: expected")
    assert "abc" not in message


def test_negative_count_is_refused() -> None:
    message = read_error(with_result({"cache_read_input_tokens": -1}))
    assert message.startswith("usage.json: record 3: results[0].cache_read_input_tokens: expected")


def test_unreadable_timestamp() -> None:
    message = read_error(a_page(starting_at="yesterday"))
    assert message.startswith("usage.json: record 1: starting_at: expected")


def test_bucket_ending_before_it_starts() -> None:
    message = read_error(a_page("2026-01-05T11:00:00Z", "2026-01-05T10:00:00Z"))
    assert message.startswith("usage.json: record 1: ending_at:")


def test_malformed_json_names_the_line() -> None:
    text = SAMPLE.read_text(encoding="utf-8")
    message = read_error(text[: len(text) // 2])
    assert message.startswith("usage.json: line ") and "JSON" in message


def test_a_csv_file_is_not_json() -> None:
    text = (DATA / "openrouter" / "activity.csv").read_text(encoding="utf-8")
    assert read_error(text, "activity.csv").startswith("activity.csv: line 1:")


def test_an_openai_page_given_as_anthropic() -> None:
    text = (DATA / "openai" / "usage_completions.json").read_text(encoding="utf-8")
    message = read_error(text, "usage_completions.json")
    assert message.startswith("usage_completions.json: record 1: starting_at: missing")


def test_a_single_bucket_instead_of_a_page() -> None:
    bucket = json.loads(a_page())["data"][0]
    assert "one time bucket, not a usage report page" in read_error(json.dumps(bucket))


def test_results_must_be_a_list() -> None:
    page = json.loads(a_page())
    page["data"][0]["results"] = {"output_tokens": 1}
    assert read_error(json.dumps(page)).startswith("usage.json: record 1: results: expected a list")
