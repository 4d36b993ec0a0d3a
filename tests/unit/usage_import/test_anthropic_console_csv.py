"""The anthropic-usage reader on the Claude Console's usage CSV export."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest

from llmdecide.errors import InputFileError
from llmdecide.usage_import.anthropic_usage import FORMAT
from llmdecide.usage_import.records import ReadNotes, UsageRecord

DATA = Path(__file__).parents[2] / "data" / "import"
SAMPLE = DATA / "anthropic" / "console_usage.csv"
UTC = dt.UTC
HEADER = (
    "usage_date_utc,model_version,api_key,workspace,usage_type,context_window,usage_input_tokens_no_cache,"
    "usage_input_tokens_cache_write_5m,usage_input_tokens_cache_write_1h,usage_input_tokens_cache_read,"
    "usage_output_tokens,web_search_count,inference_geo,speed\n"
)
ROW = (
    "2026-03-02,claude-sonnet-4-5-20250929,support-bot,Support,standard,\u2264 200k,100,20,5,300,40,0,not_available,\n"
)


def read_text(text: str, name: str = "usage.csv") -> tuple[list[UsageRecord], ReadNotes]:
    notes = ReadNotes()
    return list(FORMAT.read(io.StringIO(text), name, notes)), notes


def read_error(text: str, name: str = "usage.csv") -> str:
    with pytest.raises(InputFileError) as caught:
        read_text(text, name)
    message = str(caught.value)
    assert "\n" not in message and message.startswith(f"{name}: ")
    return message


def one_row(**cells: str) -> str:
    columns = HEADER.strip().split(",")
    values = dict(zip(columns, ROW.rstrip("\n").split(","), strict=True))
    values.update(cells)
    return HEADER + ",".join(values[column] for column in columns) + "\n"


def test_the_sample_totals_equal_the_files_columns() -> None:
    records, notes = read_text(SAMPLE.read_text(encoding="utf-8"))
    with SAMPLE.open(encoding="utf-8", newline="") as stream:
        rows = list(csv.DictReader(stream))
    assert len(records) == len(rows)

    def column(name: str) -> float:
        return sum(float(row[name]) for row in rows)

    writes = column("usage_input_tokens_cache_write_5m") + column("usage_input_tokens_cache_write_1h")
    reads = column("usage_input_tokens_cache_read")
    assert sum(r.input_tokens for r in records) == column("usage_input_tokens_no_cache") + writes + reads
    assert sum(r.cache_write_tokens for r in records) == writes
    assert sum(r.cached_input_tokens for r in records) == reads
    assert sum(r.output_tokens for r in records) == column("usage_output_tokens")
    assert all(r.requests is None and r.provider == "anthropic" for r in records)
    assert "anthropic-web-search" in notes.messages


def test_a_date_is_one_utc_day_and_a_time_of_day_one_hour() -> None:
    (record,), _ = read_text(one_row())
    assert (record.start, record.end) == (dt.datetime(2026, 3, 2, tzinfo=UTC), dt.datetime(2026, 3, 3, tzinfo=UTC))
    (hourly,), notes = read_text(one_row(usage_date_utc="2026-03-02T14:00:00Z"))
    assert hourly.end is not None and hourly.end - hourly.start == dt.timedelta(hours=1)
    assert "anthropic-console-hours" in notes.messages
    (midnight,), _ = read_text(one_row(usage_date_utc="2026-03-02T00:00:00Z"))
    assert midnight.end == dt.datetime(2026, 3, 3, tzinfo=UTC)


def test_labels_tags_and_batch() -> None:
    (record,), _ = read_text(one_row())
    assert (record.model, record.project, record.api_key) == ("claude-sonnet-4-5-20250929", "Support", "support-bot")
    assert record.tags == (
        ("service_tier", "standard"),
        ("context_window", "\u2264 200k"),
        ("inference_geo", "not_available"),
    )
    assert not record.batch
    (batch,), _ = read_text(one_row(usage_type="batch"))
    assert batch.batch


def test_input_adds_uncached_cache_reads_and_both_cache_writes() -> None:
    (record,), _ = read_text(one_row())
    assert (record.input_tokens, record.cached_input_tokens, record.cache_write_tokens) == (425, 300, 25)


def test_an_older_export_with_one_cache_write_column() -> None:
    text = (
        "usage_date_utc,model_version,usage_input_tokens_no_cache,usage_input_tokens_cache_write,"
        "usage_input_tokens_cache_read,usage_output_tokens,web_search_count\n"
        "2025-03-01,claude-3-7-sonnet-20250219,100,30,200,50,0\n"
    )
    (record,), _ = read_text(text)
    assert (record.input_tokens, record.cache_write_tokens) == (330, 30)


def test_empty_counts_read_as_zero_with_a_note() -> None:
    (record,), notes = read_text(one_row(usage_input_tokens_cache_write_1h=""))
    assert record.cache_write_tokens == 20
    assert "anthropic-console-empty" in notes.messages


def test_rows_of_one_day_with_the_same_labels_are_added() -> None:
    text = one_row() + one_row().split("\n", 1)[1]
    (record,), notes = read_text(text)
    assert record.output_tokens == 80
    assert "summed-bucket-rows" in notes.messages


def test_long_context_usage_is_noted() -> None:
    _, plain = read_text(one_row())
    assert "anthropic-long-context" not in plain.messages
    _, notes = read_text(one_row(context_window="> 200k"))
    assert "long-context prices" in notes.messages["anthropic-long-context"]


def test_the_sniff_tells_the_console_export_from_other_csv_files() -> None:
    assert FORMAT.sniff(SAMPLE.read_text(encoding="utf-8")[:4096])
    for other in ("openrouter/activity.csv", "litellm/spend_logs.csv", "openai/dashboard_activity.csv"):
        assert not FORMAT.sniff((DATA / other).read_text(encoding="utf-8")[:4096])


# --- Bad input ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        ({"usage_output_tokens": "many"}, "usage.csv: line 2: usage_output_tokens: expected a whole number of tokens"),
        (
            {"usage_input_tokens_no_cache": "-1"},
            "usage.csv: line 2: usage_input_tokens_no_cache: expected a count of 0",
        ),
        ({"usage_date_utc": "March"}, "usage.csv: line 2: usage_date_utc: expected a date and time (ISO 8601)"),
        ({"usage_date_utc": ""}, "usage.csv: line 2: usage_date_utc: missing"),
        ({"web_search_count": "x"}, "usage.csv: line 2: web_search_count: expected a whole number"),
    ],
)
def test_bad_cells_name_the_line_and_column(cells: dict[str, str], expected: str) -> None:
    assert read_error(one_row(**cells)).startswith(expected)


def test_missing_columns_are_named() -> None:
    text = HEADER.replace("usage_output_tokens,", "").replace("usage_input_tokens_cache_write_5m,", "")
    assert read_error(text) == (
        "usage.csv: line 1: missing columns 'usage_input_tokens_cache_write_5m' or 'usage_input_tokens_cache_write', "
        "'usage_output_tokens' (expected the Claude Console's usage CSV export)"
    )


def test_an_empty_file() -> None:
    assert read_error("") == "usage.csv: no report pages (expected an Anthropic messages usage report page in JSON)"
    assert read_error("\n\n") == "usage.csv: no report pages (expected an Anthropic messages usage report page in JSON)"
