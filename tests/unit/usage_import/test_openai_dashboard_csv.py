"""The openai-usage reader on the usage dashboard's activity CSV export."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest

from llmdecide.errors import InputFileError
from llmdecide.usage_import.openai_usage import FORMAT
from llmdecide.usage_import.records import ReadNotes, UsageRecord

DATA = Path(__file__).parents[2] / "data" / "import"
SAMPLE = DATA / "openai" / "dashboard_activity.csv"
UTC = dt.UTC


def sample_rows() -> list[dict[str, str]]:
    with SAMPLE.open(encoding="utf-8", newline="") as stream:
        return list(csv.DictReader(stream))


def read_text(text: str, name: str = "activity.csv") -> tuple[list[UsageRecord], ReadNotes]:
    notes = ReadNotes()
    return list(FORMAT.read(io.StringIO(text), name, notes)), notes


def read_error(text: str, name: str = "activity.csv") -> str:
    with pytest.raises(InputFileError) as caught:
        read_text(text, name)
    message = str(caught.value)
    assert "\n" not in message and message.startswith(f"{name}: ")
    return message


def sample_with(change: dict[str, str], row: int = 2) -> str:
    """The sample with cells of one data row (0-based) changed; its line in the file is ``row + 2``."""
    rows = sample_rows()
    rows[row].update(change)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def test_the_sample_totals_equal_the_files_columns() -> None:
    records, notes = read_text(SAMPLE.read_text(encoding="utf-8"))
    rows = [row for row in sample_rows() if row["num_model_requests"]]
    for column, attribute in (
        ("input_tokens", "input_tokens"),
        ("output_tokens", "output_tokens"),
        ("input_cached_tokens", "cached_input_tokens"),
        ("num_model_requests", "requests"),
    ):
        assert sum(getattr(r, attribute) for r in records) == sum(float(row[column]) for row in rows)
    assert all(
        r.provider == "openai" and r.end is not None and r.end - r.start == dt.timedelta(days=1) for r in records
    )
    assert records[0].start == dt.datetime(2026, 1, 1, tzinfo=UTC)
    assert records[0].where == "line 2"
    assert "summed-bucket-rows" in notes.messages


def test_rows_of_one_bucket_with_the_same_labels_are_added_and_others_kept_apart() -> None:
    records, _ = read_text(SAMPLE.read_text(encoding="utf-8"))
    first_day = [r for r in records if r.start == dt.datetime(2026, 1, 1, tzinfo=UTC)]
    by_model = {r.model: r for r in first_day}
    assert len(first_day) == 2
    assert by_model["gpt-4.1-2025-04-14"].requests == 700 + 40
    assert by_model["gpt-4.1-2025-04-14"].input_tokens == 700 * 1500 + 40 * 6000
    assert by_model["gpt-4.1-mini-2025-04-14"].requests == 300


def test_labels_batch_flags_and_no_user_ids() -> None:
    records, _ = read_text(SAMPLE.read_text(encoding="utf-8"))
    batch = {r.model for r in records if r.batch}
    assert batch == {"gpt-4.1-mini-2025-04-14"}
    support = next(r for r in records if r.model == "gpt-4.1-2025-04-14")
    assert (support.project, support.api_key, support.tags) == (
        "proj_synthetic_support",
        "key_synthetic_support",
        (("service_tier", "default"),),
    )
    assert not any("user-synthetic" in repr(r) for r in records)


def test_a_day_without_usage_is_skipped() -> None:
    records, _ = read_text(SAMPLE.read_text(encoding="utf-8"))
    assert not any(r.start == dt.datetime(2026, 2, 14, tzinfo=UTC) for r in records)
    assert any(r.start == dt.datetime(2026, 2, 15, tzinfo=UTC) for r in records)


def test_iso_bounds_stand_in_for_unix_seconds_and_tabs_separate_too() -> None:
    text = SAMPLE.read_text(encoding="utf-8")
    plain, _ = read_text(text)
    rows = sample_rows()
    for row in rows:
        row["start_time"] = row["end_time"] = ""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), delimiter="\t", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    tabbed, _ = read_text(out.getvalue())
    assert [(r.start, r.end, r.input_tokens) for r in tabbed] == [(r.start, r.end, r.input_tokens) for r in plain]


def test_a_byte_order_mark_and_blank_lines_before_the_header_are_read_past() -> None:
    text = SAMPLE.read_text(encoding="utf-8")
    plain, _ = read_text(text)
    marked, _ = read_text("\ufeff" + text)
    assert len(marked) == len(plain)
    message = read_error("\n\n" + sample_with({"input_tokens": "lots"}))
    assert message == "activity.csv: line 6: input_tokens: expected a whole number of tokens, got text"


def test_the_sniff_tells_the_dashboard_export_from_other_csv_files() -> None:
    assert FORMAT.sniff(SAMPLE.read_text(encoding="utf-8")[:4096])
    for other in (DATA / "openrouter" / "activity.csv", DATA / "litellm" / "spend_logs.csv"):
        assert not FORMAT.sniff(other.read_text(encoding="utf-8")[:4096])
    assert not FORMAT.sniff((DATA / "anthropic" / "console_usage.csv").read_text(encoding="utf-8")[:4096])


# --- Bad input ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"input_tokens": "abc"}, "activity.csv: line 4: input_tokens: expected a whole number of tokens, got text"),
        ({"output_tokens": "-5.0"}, "activity.csv: line 4: output_tokens: expected a count of 0 or more, got '-5.0'"),
        ({"num_model_requests": "2.5"}, "activity.csv: line 4: num_model_requests: expected a whole number"),
        ({"batch": "maybe"}, "activity.csv: line 4: batch: expected TRUE, FALSE or empty, got text"),
        ({"start_time": "soon"}, "activity.csv: line 4: start_time: expected a date and time (ISO 8601), got text"),
        ({"start_time": "99"}, "activity.csv: line 4: start_time: expected a Unix time in seconds between 2000"),
        ({"end_time": "1767225600"}, "activity.csv: line 4: end_time: 2026-01-01 00:00:00 is not after start_time"),
        ({"input_cached_tokens": "9e9"}, "activity.csv: line 4: input_cached_tokens: "),
    ],
)
def test_bad_cells_name_the_line_and_column(change: dict[str, str], expected: str) -> None:
    assert read_error(sample_with(change)).startswith(expected)


def test_a_required_column_missing_from_the_header() -> None:
    text = SAMPLE.read_text(encoding="utf-8").replace("num_model_requests", "requests", 1)
    assert read_error(text) == (
        "activity.csv: line 1: missing column 'num_model_requests' "
        "(expected the OpenAI usage dashboard's activity CSV export)"
    )


def test_the_cost_export_is_refused_with_what_to_export_instead() -> None:
    text = (
        "start_time,end_time,start_time_iso,end_time_iso,amount_value,amount_currency,line_item,project_id,"
        "organization_id,organization_name\n"
        "1767225600,1767312000,2026-01-01T00:00:00+00:00,2026-01-02T00:00:00+00:00,0.89,usd,,,org-synthetic,Demo\n"
    )
    message = read_error(text, "cost.csv")
    assert "cost export" in message and "activity view" in message
    assert FORMAT.sniff(text)


def test_a_row_of_the_wrong_width() -> None:
    lines = SAMPLE.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[3] = lines[3].rstrip("\n") + ",extra\n"
    assert read_error("".join(lines)) == "activity.csv: line 4: 25 fields, but the header has 24"


def test_an_unclosed_quote_is_malformed_csv() -> None:
    text = SAMPLE.read_text(encoding="utf-8").replace("proj_synthetic_reports", '"proj_synthetic', 1)
    assert "malformed CSV" in read_error(text) or "fields, but the header has" in read_error(text)


def test_a_duplicated_column() -> None:
    text = SAMPLE.read_text(encoding="utf-8").replace("output_text_tokens", "output_tokens", 1)
    assert read_error(text) == "activity.csv: line 1: column 'output_tokens' appears more than once"
