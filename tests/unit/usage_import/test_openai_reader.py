"""The openai-usage reader: OpenAI Usage API completions pages, as one page, an array of pages or JSON lines."""

from __future__ import annotations

import copy
import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import pytest

from llmdecide.errors import InputFileError
from llmdecide.usage_import.openai_usage import FORMAT
from llmdecide.usage_import.records import ReadNotes, UsageRecord

DATA = Path(__file__).parents[2] / "data" / "import"
HOURLY = DATA / "openai" / "usage_completions.json"
PAGES_JSONL = DATA / "openai" / "usage_completions_pages.jsonl"
PAGES_ARRAY = DATA / "openai" / "usage_completions_pages.json"
OTHER_SAMPLES = [DATA / "anthropic" / "messages_usage.json", DATA / "openrouter" / "activity.csv"]


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


def hourly_page() -> dict[str, Any]:
    return json.loads(HOURLY.read_text(encoding="utf-8"))


def with_result(change: dict[str, Any], *, bucket: int = 2, result: int = 0) -> str:
    """The hourly sample with ``change`` applied to one result (a value of ``...`` deletes the key)."""
    page = hourly_page()
    target = page["data"][bucket]["results"][result]
    for key, value in change.items():
        if value is ...:
            del target[key]
        else:
            target[key] = value
    return json.dumps(page)


def a_page(start: int = 1_767_582_000, **result: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "object": "organization.usage.completions.result",
        "input_tokens": 100,
        "output_tokens": 10,
        "num_model_requests": 2,
    }
    base.update(result)
    bucket = {"object": "bucket", "start_time": start, "end_time": start + 3600, "results": [base]}
    return {"object": "page", "data": [bucket], "has_more": False, "next_page": None}


# --- The samples ----------------------------------------------------------------------------------------------


def test_hourly_sample_totals_match_the_file_and_the_known_values() -> None:
    records, notes = read_file(HOURLY)
    results = [result for bucket in hourly_page()["data"] for result in bucket["results"]]
    assert len(records) == len(results) == 28
    assert sum(r.input_tokens for r in records) == sum(x["input_tokens"] for x in results) == 34_202_400
    assert sum(r.cached_input_tokens for r in records) == 14_649_600
    assert sum(r.cache_write_tokens for r in records) == 1_220_800
    assert sum(r.output_tokens for r in records) == sum(x["output_tokens"] for x in results) == 5_296_800
    assert sum(r.requests or 0 for r in records) == sum(x["num_model_requests"] for x in results) == 20_380
    cached_share = sum(r.cached_input_tokens for r in records) / sum(r.input_tokens for r in records)
    assert cached_share == pytest.approx(0.42832, abs=1e-5)
    assert all(r.cost_usd is None for r in records)
    assert notes.messages == {}


def test_hourly_sample_times_are_utc_hourly_buckets_over_three_months() -> None:
    records, _ = read_file(HOURLY)
    for record in records:
        assert record.start.tzinfo is not None and record.start.utcoffset() == dt.timedelta(0)
        assert record.end is not None and record.end - record.start == dt.timedelta(hours=1)
    assert records[0].start == dt.datetime(2026, 1, 5, 3, tzinfo=dt.UTC)
    assert max(r.start for r in records) - min(r.start for r in records) >= dt.timedelta(days=84)
    assert {r.start.hour for r in records} == {3, 10, 16}
    assert {r.start.month for r in records} == {1, 2, 3}


def test_hourly_sample_batch_traffic_and_labels() -> None:
    records, _ = read_file(HOURLY)
    batch = [r for r in records if r.batch]
    assert len(batch) == 7
    assert {r.start.hour for r in batch} == {3}
    assert {(r.project, r.api_key, r.model) for r in batch} == {
        ("proj_synthetic_reports", "key_synthetic_batch", "gpt-4.1-mini-2025-04-14")
    }
    interactive = {(r.project, r.api_key, r.model) for r in records if not r.batch}
    assert interactive == {("proj_synthetic_support", "key_synthetic_support", "gpt-4.1-2025-04-14")}
    assert {r.tags for r in records} == {(("service_tier", "default"),)}
    assert {r.provider for r in records} == {"openai"}
    assert records[0].where == "record 1, results[0]"
    assert records[1].where == "record 1, results[1]"


def test_user_ids_are_never_carried() -> None:
    assert "user-synthetic-0001" in HOURLY.read_text(encoding="utf-8")
    records, _ = read_file(HOURLY)
    assert all("user-synthetic-0001" not in repr(record) for record in records)


def test_the_quiet_bucket_yields_nothing() -> None:
    page = hourly_page()
    assert page["data"][-1]["results"] == []
    records, _ = read_file(HOURLY)
    assert all(r.start != dt.datetime(2026, 3, 30, 22, tzinfo=dt.UTC) for r in records)


def test_json_lines_and_an_array_of_pages_read_the_same() -> None:
    lines, _ = read_file(PAGES_JSONL)
    array, _ = read_file(PAGES_ARRAY)
    assert len(lines) == len(array) == 21
    strip = [
        (r.start, r.end, r.model, r.input_tokens, r.cached_input_tokens, r.output_tokens, r.requests) for r in lines
    ]
    assert strip == [
        (r.start, r.end, r.model, r.input_tokens, r.cached_input_tokens, r.output_tokens, r.requests) for r in array
    ]
    assert sum(r.requests or 0 for r in lines) == 383_960
    assert sum(r.input_tokens for r in lines) == 691_128_000
    assert all(r.end is not None and r.end - r.start == dt.timedelta(days=1) for r in lines)
    assert {r.start.month for r in lines} == {1, 2, 3}
    assert lines[0].where == "line 1, record 1, results[0]"
    assert lines[7].where == "line 2, record 8, results[0]"
    assert array[7].where.startswith("line ") and ", record 8," in array[7].where


def test_the_last_page_saying_more_follow_is_noted() -> None:
    page = a_page()
    page["has_more"] = True
    page["next_page"] = "page_x"
    records, notes = read_text(json.dumps(page))
    assert len(records) == 1
    assert any("has_more" in message for message in notes.messages.values())
    _, quiet = read_text(json.dumps(a_page()))
    assert quiet.messages == {}


def test_optional_fields_and_nulls() -> None:
    records, _ = read_text(json.dumps(a_page(input_cached_tokens=None, batch=None, model=None, project_id="")))
    [record] = records
    assert record.cached_input_tokens == 0 and record.cache_write_tokens == 0
    assert record.batch is False and record.model is None and record.project is None and record.api_key is None


def test_the_singular_result_key_of_one_reference_rendering_is_read() -> None:
    page = a_page()
    bucket = page["data"][0]
    bucket["result"] = bucket.pop("results")
    records, _ = read_text(json.dumps(page))
    assert [r.where for r in records] == ["record 1, result[0]"]


def test_audio_tokens_are_noted_once_and_not_added() -> None:
    pages = [a_page(input_audio_tokens=40), a_page(start=1_767_585_600, output_audio_tokens=5)]
    records, notes = read_text("\n".join(json.dumps(p) for p in pages))
    assert [r.input_tokens for r in records] == [100, 100]
    assert [r.output_tokens for r in records] == [10, 10]
    assert len([m for m in notes.messages.values() if "audio" in m]) == 1


def test_iso_times_without_a_zone_are_read_as_utc_and_noted_once() -> None:
    page = a_page()
    page["data"][0]["start_time"] = "2026-01-05T03:00:00"
    page["data"][0]["end_time"] = "2026-01-05T04:00:00"
    twice = copy.deepcopy(page)
    records, notes = read_text(json.dumps(page) + "\n" + json.dumps(twice))
    assert records[0].start == dt.datetime(2026, 1, 5, 3, tzinfo=dt.UTC)
    assert len(notes.messages) == 1
    assert "without a time zone" in next(iter(notes.messages.values()))


def test_json_lines_are_streamed_a_page_at_a_time() -> None:
    line = json.dumps(a_page()) + "\n"

    class OneLineAtATime(io.StringIO):
        served = 0

        def read(self, size: int | None = -1) -> str:
            if self.served >= 1000:
                return ""
            self.served += 1
            return line

    stream = OneLineAtATime()
    records = FORMAT.read(stream, "big.jsonl", ReadNotes())
    first = next(records)
    assert first.input_tokens == 100
    assert stream.served <= 3
    assert sum(1 for _ in records) == 999


# --- sniff ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [HOURLY, PAGES_JSONL, PAGES_ARRAY])
def test_sniff_accepts_its_samples(path: Path) -> None:
    assert FORMAT.sniff(path.read_text(encoding="utf-8")[:4096])


@pytest.mark.parametrize("path", OTHER_SAMPLES)
def test_sniff_rejects_other_formats(path: Path) -> None:
    assert not FORMAT.sniff(path.read_text(encoding="utf-8")[:4096])


def test_sniff_rejects_other_usage_endpoints() -> None:
    page = a_page(object="organization.usage.embeddings.result")
    assert not FORMAT.sniff(json.dumps(page))


# --- Bad input ------------------------------------------------------------------------------------------------


def test_missing_field_names_file_record_and_field() -> None:
    message = read_error(with_result({"output_tokens": ...}))
    assert message.startswith("usage.json: record 3: results[0].output_tokens: missing")


def test_non_numeric_count_names_the_field() -> None:
    message = read_error(with_result({"output_tokens": "abc"}))
    assert message.startswith("usage.json: record 3: results[0].output_tokens: expected")
    assert "abc" not in message


def test_negative_count_is_refused() -> None:
    message = read_error(with_result({"num_model_requests": -5}))
    assert message.startswith("usage.json: record 3: results[0].num_model_requests: expected")
    assert "-5" in message


def test_a_boolean_is_not_a_count() -> None:
    message = read_error(with_result({"input_tokens": True}))
    assert "record 3: results[0].input_tokens: expected" in message


def test_cached_tokens_above_input_tokens_are_refused() -> None:
    message = read_error(json.dumps(a_page(input_cached_tokens=90, input_cache_write_tokens=20)))
    assert message.startswith("usage.json: record 1: results[0].input_cached_tokens:")


def test_batch_must_be_a_boolean() -> None:
    message = read_error(json.dumps(a_page(batch="yes")))
    assert message.startswith("usage.json: record 1: results[0].batch: expected true, false or null")


def test_other_usage_endpoints_are_refused() -> None:
    message = read_error(json.dumps(a_page(object="organization.usage.embeddings.result")))
    assert "record 1: results[0].object: this format reads completions usage" in message


def test_missing_bucket_time() -> None:
    page = a_page()
    del page["data"][0]["end_time"]
    assert read_error(json.dumps(page)).startswith("usage.json: record 1: end_time: missing")


def test_bucket_ending_before_it_starts() -> None:
    page = a_page()
    page["data"][0]["end_time"] = page["data"][0]["start_time"]
    assert read_error(json.dumps(page)).startswith("usage.json: record 1: end_time:")


def test_error_in_a_later_json_line_names_the_line() -> None:
    bad = a_page(output_tokens="x")
    text = json.dumps(a_page()) + "\n" + json.dumps(bad) + "\n"
    assert read_error(text, "usage.jsonl").startswith("usage.jsonl: line 2: record 2: results[0].output_tokens:")


def test_malformed_json_names_the_line() -> None:
    text = HOURLY.read_text(encoding="utf-8")
    cut = text[: text.index("\n", text.index("\n") + 1) + 30]
    message = read_error(cut)
    assert message.startswith("usage.json: line ")
    assert "JSON" in message


def test_a_csv_file_is_not_json() -> None:
    text = (DATA / "openrouter" / "activity.csv").read_text(encoding="utf-8")
    message = read_error(text, "activity.csv")
    assert message.startswith("activity.csv: line 1:")


def test_a_page_without_data() -> None:
    assert read_error('{"object": "page", "has_more": false}').startswith("usage.json: data: missing")


def test_a_single_bucket_instead_of_a_page() -> None:
    bucket = a_page()["data"][0]
    assert "one time bucket, not a usage page" in read_error(json.dumps(bucket))


def test_an_anthropic_report_given_as_openai() -> None:
    text = (DATA / "anthropic" / "messages_usage.json").read_text(encoding="utf-8")
    message = read_error(text, "messages_usage.json")
    assert message.startswith("messages_usage.json: record 1: start_time: missing")


def test_an_empty_array_has_no_pages() -> None:
    assert "no report pages" in read_error("[]")


def test_a_page_that_is_not_an_object() -> None:
    assert "expected an OpenAI usage page (a JSON object)" in read_error("[1, 2]")
