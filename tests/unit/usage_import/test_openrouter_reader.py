"""The openrouter reader: OpenRouter's activity CSV export, one row per generation."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest

from llmdecide.errors import InputFileError
from llmdecide.usage_import.openrouter import FORMAT
from llmdecide.usage_import.records import ReadNotes, UsageRecord

DATA = Path(__file__).parents[2] / "data" / "import"
SAMPLE = DATA / "openrouter" / "activity.csv"
OTHER_SAMPLES = [
    DATA / "openai" / "usage_completions.json",
    DATA / "openai" / "usage_completions_pages.jsonl",
    DATA / "anthropic" / "messages_usage.json",
]
HEADER = "generation_id,created_at,cost_total,tokens_prompt,tokens_completion,tokens_cached,model_permaslug,user"


def read_file(path: Path) -> tuple[list[UsageRecord], ReadNotes]:
    notes = ReadNotes()
    with path.open(encoding="utf-8", newline="") as stream:
        return list(FORMAT.read(stream, path.name, notes)), notes


def read_text(text: str, name: str = "activity.csv") -> tuple[list[UsageRecord], ReadNotes]:
    notes = ReadNotes()
    return list(FORMAT.read(io.StringIO(text, newline=""), name, notes)), notes


def read_error(text: str, name: str = "activity.csv") -> str:
    with pytest.raises(InputFileError) as caught:
        read_text(text, name)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"{name}: ")
    return message


def rows(*lines: str) -> str:
    return HEADER + "\n" + "\n".join(lines) + "\n"


ROW = "gen-1,2026-01-05 09:00:00.000,0.0012,1000,200,300,openai/gpt-4.1-mini-2025-04-14,user_x"


def sample_rows() -> list[dict[str, str]]:
    with SAMPLE.open(encoding="utf-8", newline="") as stream:
        return list(csv.DictReader(stream))


# --- The sample -----------------------------------------------------------------------------------------------


def test_sample_totals_match_the_file_and_the_known_values() -> None:
    records, _ = read_file(SAMPLE)
    raw = sample_rows()
    assert len(records) == len(raw) == 30
    assert all(r.requests == 1 for r in records)
    assert sum(r.input_tokens for r in records) == sum(int(x["tokens_prompt"]) for x in raw) == 81_255
    assert sum(r.output_tokens for r in records) == sum(int(x["tokens_completion"]) for x in raw) == 16_095
    assert sum(r.cached_input_tokens for r in records) == 12_375
    assert all(r.cache_write_tokens == 0 for r in records)
    assert sum(r.cost_usd or 0 for r in records) == pytest.approx(0.1765339, abs=1e-9)
    cached_share = sum(r.cached_input_tokens for r in records) / sum(r.input_tokens for r in records)
    assert cached_share == pytest.approx(0.15230, abs=1e-5)


def test_reasoning_tokens_are_inside_completion_tokens_not_added() -> None:
    records, _ = read_file(SAMPLE)
    raw = sample_rows()
    assert sum(int(x["tokens_reasoning"]) for x in raw) > 0
    assert [r.output_tokens for r in records] == [float(x["tokens_completion"]) for x in raw]


def test_sample_times_are_utc_requests_at_many_hours_over_three_months() -> None:
    records, notes = read_file(SAMPLE)
    for record in records:
        assert record.start.tzinfo is not None and record.start.utcoffset() == dt.timedelta(0)
        assert record.end is None
    assert records[1].start == dt.datetime(2026, 1, 5, 9, 7, 13, 137000, tzinfo=dt.UTC)
    assert len({r.start.hour for r in records}) >= 5
    assert {r.start.month for r in records} == {1, 2, 3}
    assert len(notes.messages) == 1
    assert "without a time zone" in next(iter(notes.messages.values()))


def test_labels_tags_and_provider() -> None:
    records, _ = read_file(SAMPLE)
    first = records[0]
    assert first.model == "openai/gpt-4.1-mini-2025-04-14"
    assert first.provider == "OpenAI"
    assert first.api_key == "support-bot"
    assert dict(first.tags) == {"variant": "standard", "app": "Synthetic Helpdesk"}
    assert first.where == "line 2"
    assert {r.api_key for r in records} == {"support-bot", "nightly-reports"}
    assert {r.provider for r in records} == {"OpenAI", "Anthropic", "DeepInfra"}
    assert "app" not in dict(records[1].tags)
    assert all(r.batch is False and r.project is None for r in records)


def test_user_column_is_never_carried() -> None:
    assert "user_synthetic_" in SAMPLE.read_text(encoding="utf-8")
    records, _ = read_file(SAMPLE)
    assert all("user_synthetic_" not in repr(r) for r in records)


# --- Other rows -----------------------------------------------------------------------------------------------


def test_a_byte_order_mark_before_the_header_is_ignored() -> None:
    records, _ = read_text("\ufeff" + rows(ROW))
    assert [r.input_tokens for r in records] == [1000]


def test_columns_in_any_order_and_unused_ones_absent() -> None:
    text = "tokens_completion,model_permaslug,created_at,tokens_prompt\n7,x/y,2026-01-05T09:00:00Z,9\n"
    [record], notes = read_text(text)
    assert (record.input_tokens, record.output_tokens, record.cached_input_tokens) == (9, 7, 0)
    assert record.cost_usd is None and record.api_key is None and record.provider is None
    assert notes.messages == {}


def test_blank_lines_are_skipped_and_lines_counted() -> None:
    records, _ = read_text(HEADER + "\n\n" + ROW + "\n")
    assert [r.where for r in records] == ["line 3"]


def test_empty_counts_read_as_zero_with_a_note() -> None:
    records, notes = read_text(rows("gen-1,2026-01-05 09:00:00,,500,,,m/x,u", "gen-2,2026-01-05 10:00:00,,600,,,m/x,u"))
    assert [r.output_tokens for r in records] == [0, 0]
    assert [r.cost_usd for r in records] == [None, None]
    assert len([m for m in notes.messages.values() if "empty token counts" in m]) == 1


def test_bring_your_own_key_cost_is_added_with_a_note() -> None:
    text = "created_at,model_permaslug,tokens_prompt,tokens_completion,cost_total,byok_usage_inference\n"
    text += "2026-01-05 09:00:00,a/b,10,5,0.0001,0.002\n"
    [record], notes = read_text(text)
    assert record.cost_usd == pytest.approx(0.0021)
    assert any("bring-your-own-key" in m for m in notes.messages.values())


def test_zoned_timestamps_are_converted_to_utc() -> None:
    [record], notes = read_text(rows(ROW.replace("2026-01-05 09:00:00.000", "2026-01-05T11:00:00+02:00")))
    assert record.start == dt.datetime(2026, 1, 5, 9, tzinfo=dt.UTC)
    assert notes.messages == {}


def test_rows_are_read_one_at_a_time() -> None:
    class Rows(io.StringIO):
        served = 0

        def readline(self, size: int | None = -1) -> str:
            if self.served == 0:
                self.served += 1
                return HEADER + "\n"
            if self.served > 1000:
                return ""
            self.served += 1
            return ROW + "\n"

        def __next__(self) -> str:
            line = self.readline()
            if not line:
                raise StopIteration
            return line

    stream = Rows()
    records = FORMAT.read(stream, "big.csv", ReadNotes())
    assert next(records).where == "line 2"
    assert stream.served <= 3
    assert sum(1 for _ in records) == 999


# --- sniff ----------------------------------------------------------------------------------------------------


def test_sniff_accepts_its_sample() -> None:
    assert FORMAT.sniff(SAMPLE.read_text(encoding="utf-8")[:4096])
    assert FORMAT.sniff("\ufeff" + rows(ROW))


@pytest.mark.parametrize("path", OTHER_SAMPLES)
def test_sniff_rejects_other_formats(path: Path) -> None:
    assert not FORMAT.sniff(path.read_text(encoding="utf-8")[:4096])


def test_sniff_rejects_a_csv_without_the_export_columns() -> None:
    assert not FORMAT.sniff("timestamp,model,prompt_tokens,completion_tokens\n2026-01-05,x,1,2\n")


# --- Bad input ------------------------------------------------------------------------------------------------


def test_missing_column_is_named() -> None:
    text = "generation_id,created_at,tokens_prompt,model_permaslug\ngen-1,2026-01-05 09:00:00,5,a/b\n"
    assert read_error(text).startswith("activity.csv: line 1: missing column 'tokens_completion'")


def test_non_numeric_count_names_line_and_column() -> None:
    message = read_error(rows(ROW, ROW.replace(",200,", ",abc,")))
    assert message.startswith("activity.csv: line 3: tokens_completion: expected")
    assert "abc" not in message


def test_negative_count_is_refused() -> None:
    message = read_error(rows(ROW.replace(",1000,", ",-1000,")))
    assert message.startswith("activity.csv: line 2: tokens_prompt: expected")


def test_thousands_separators_are_not_numbers_in_this_export() -> None:
    message = read_error(rows(ROW.replace(",1000,", ',"1,000",')))
    assert message.startswith("activity.csv: line 2: tokens_prompt: expected")


def test_negative_cost_is_refused() -> None:
    message = read_error(rows(ROW.replace(",0.0012,", ",-0.5,")))
    assert message.startswith("activity.csv: line 2: cost_total: expected")


def test_cached_tokens_above_prompt_tokens_are_refused() -> None:
    message = read_error(rows(ROW.replace(",300,", ",3000,")))
    assert message.startswith("activity.csv: line 2: tokens_cached:")


def test_unreadable_timestamp() -> None:
    message = read_error(rows(ROW.replace("2026-01-05 09:00:00.000", "05/01/2026 9am")))
    assert message.startswith("activity.csv: line 2: created_at: expected")


def test_a_row_with_too_few_fields() -> None:
    assert read_error(rows("gen-1,2026-01-05 09:00:00")).startswith("activity.csv: line 2: 2 fields")


def test_a_json_file_is_not_this_csv() -> None:
    text = (DATA / "openai" / "usage_completions.json").read_text(encoding="utf-8")
    assert "this is JSON" in read_error(text, "usage.json")


def test_an_empty_file() -> None:
    assert "empty file" in read_error("")


def test_a_duplicated_column() -> None:
    text = "created_at,model_permaslug,tokens_prompt,tokens_completion,tokens_prompt\n"
    assert "appears more than once" in read_error(text)
