"""``llmdecide import``: from a usage export to a workload that ``assess`` runs, with the bill checked.

Every format's samples (tests/data/import/) are imported, validated by the workload loader, assessed, and their
bill checked: the bill the export implies and the bill assess computes for the written workload agree within
1% on the months present, or each difference is explained. Bad input exits 3 with one line naming the file, the
line or record and the field, and writes nothing. No planted prompt, key or e-mail address reaches the output.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import shutil
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from llmdecide.api import assess
from llmdecide.catalog import Catalog, load_catalog
from llmdecide.cli import app
from llmdecide.errors import ExitCode
from llmdecide.usage_import import ImportOptions, import_usage
from llmdecide.workload import load_workload

runner = CliRunner()
DATA = Path(__file__).parent / "data" / "import"
TEST_CATALOG = Path(__file__).parent / "data" / "catalog"
LITELLM = DATA / "litellm" / "spend_logs.csv"
PLANTED = ("Jane Roe", "jane.roe@example.com", "SECRETKEY", "sk-live", "203.0.113.7", "88dc28d0f030c55e")

GATEWAY_SAMPLES = [
    ("litellm", DATA / "litellm" / "spend_logs.csv"),
    ("litellm", DATA / "litellm" / "spend_logs.json"),
    ("litellm", DATA / "litellm" / "spend_logs_pages.jsonl"),
    ("otel-genai", DATA / "otel" / "otlp_spans.jsonl"),
    ("otel-genai", DATA / "otel" / "console_spans.json"),
]
PROVIDER_SAMPLES = [
    ("openai-usage", DATA / "openai" / "usage_completions.json"),
    ("openai-usage", DATA / "openai" / "usage_completions_pages.jsonl"),
    ("openai-usage", DATA / "openai" / "dashboard_activity.csv"),
    ("anthropic-usage", DATA / "anthropic" / "messages_usage.json"),
    ("anthropic-usage", DATA / "anthropic" / "console_usage.csv"),
    ("openrouter", DATA / "openrouter" / "activity.csv"),
]


@pytest.fixture(scope="module")
def frozen() -> Catalog:
    return load_catalog(TEST_CATALOG)


@pytest.fixture(scope="module")
def packaged() -> Catalog:
    return load_catalog()


def _run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize(("fmt", "path"), GATEWAY_SAMPLES, ids=[p.name for _, p in GATEWAY_SAMPLES])
def test_gateway_samples_become_a_workload_assess_runs(fmt: str, path: Path, tmp_path: Path, frozen: Catalog) -> None:
    out = tmp_path / "workload.yaml"
    code, stdout, stderr = _run("import", fmt, str(path), "-o", str(out), "--catalog-dir", str(TEST_CATALOG))
    assert code == 0, stderr
    assert stdout == ""
    workload = load_workload(out)
    names = [s.name for s in workload.segments]
    assert "openai/gpt-4o" in names and "anthropic/claude-3.5-sonnet" in names
    assert set(workload.candidates.cloud_models or []) == {"openai/gpt-4o", "anthropic/claude-3.5-sonnet"}
    report = assess(out, frozen)
    assert report.recommendation.decision in ("cloud", "local", "hybrid")
    gpt = next(s for s in workload.segments if s.name == "openai/gpt-4o")
    assert gpt.requests_per_month is not None and gpt.requests_per_month > 0
    assert gpt.hourly_profile is not None and len(gpt.hourly_profile) == 168
    assert 0 < gpt.cached_input_fraction < 1
    assert gpt.growth_per_month > 0  # January has fewer requests than February and March
    assert gpt.data_sensitivity.value == "internal"
    text = out.read_text()
    assert "CONFIRM" in text and "bill check" in text.lower()
    assert str(tmp_path) not in text and str(DATA) not in text  # base names only
    assert "agree" in stderr


@pytest.mark.parametrize(("fmt", "path"), PROVIDER_SAMPLES, ids=[f"{f}-{p.name}" for f, p in PROVIDER_SAMPLES])
def test_provider_samples_become_a_workload_assess_runs(
    fmt: str, path: Path, tmp_path: Path, packaged: Catalog
) -> None:
    result = import_usage(fmt, [path], packaged)
    out = tmp_path / "workload.yaml"
    out.write_text(result.text)
    report = assess(out, packaged)
    assert report.recommendation.decision in ("cloud", "local", "hybrid")
    for bill in result.reconciliation.segments:
        assert bill.agrees or bill.explanations, bill


@pytest.mark.parametrize(
    ("fmt", "path", "catalog"),
    [(f, p, "frozen") for f, p in GATEWAY_SAMPLES] + [(f, p, "packaged") for f, p in PROVIDER_SAMPLES],
    ids=[p.name for _, p in GATEWAY_SAMPLES] + [f"{f}-{p.name}" for f, p in PROVIDER_SAMPLES],
)
def test_the_bill_check_agrees_within_one_percent_for_every_known_model(
    fmt: str, path: Path, catalog: str, request: pytest.FixtureRequest
) -> None:
    """Reconciliation: for every segment on a catalog model, the export's bill (or the catalog's price of its
    records) and the bill assess computes for the written workload agree within 1% over the months present."""
    cat = request.getfixturevalue(catalog)
    result = import_usage(fmt, [path], cat)
    known = [b for b in result.reconciliation.segments if b.model_id is not None]
    assert known
    report = assess(result.workload, cat)
    compared = 0
    for bill in known:
        assert bill.implied_usd is not None and bill.assess_usd is not None
        if bill.source == "export" and not bill.agrees:  # the export's own prices differ from the catalog's
            assert any("the catalog's prices for the same tokens" in line for line in bill.explanations), bill
            continue
        assert bill.assess_usd == pytest.approx(bill.implied_usd, rel=0.01), bill
        assert bill.agrees
        for option in report.options:  # the report's own first-month line items, where a plan uses that model
            if option.kind != "cloud" or not option.feasible:
                continue
            if any(s.segment == bill.segment and s.cloud_model == bill.model_id for s in option.plan):
                items = [i for i in option.line_items if i.name.startswith(f"{bill.segment}: ")]
                assert bill.first_month_usd == pytest.approx(sum(i.monthly_cost_usd for i in items), rel=1e-9)
                compared += 1
                break
    assert compared


def test_an_unknown_model_and_a_discount_are_explained_line_by_line(tmp_path: Path, frozen: Catalog) -> None:
    rows = list(csv.reader(LITELLM.open(newline="")))
    header = rows[0]
    spend = header.index("spend")
    for row in rows[1:]:
        row[spend] = repr(float(row[spend]) * 0.8)  # a negotiated 20% off
    path = tmp_path / "discounted.csv"
    with path.open("w", newline="") as fh:
        csv.writer(fh).writerows(rows)
    result = import_usage("litellm", [path], frozen)
    by_name = {b.segment: b for b in result.reconciliation.segments}
    gpt = by_name["openai/gpt-4o"]
    assert not gpt.agrees
    assert gpt.difference == pytest.approx(0.25, rel=0.01)  # the catalog is 1 / 0.8 of the export's bill
    assert any("20.0% below the catalog's prices" in line for line in gpt.explanations)
    mistral = by_name["mistral-small-latest"]
    assert mistral.model_id is None and mistral.assess_usd is None
    assert any("is not in the catalog" in line for line in mistral.explanations)
    lines = result.reconciliation.lines()
    assert any(line.startswith("openai/gpt-4o: the export's costs are 20.0% below") for line in lines)


def test_privacy_no_prompt_key_or_user_reaches_the_file_or_the_terminal(tmp_path: Path) -> None:
    """Prompt text, a virtual key, a user's address and an IP are planted in every gateway sample; none of them
    reaches the workload file, stdout or stderr, whatever the segments."""
    for fmt, path in GATEWAY_SAMPLES:
        for by in ("model", "project", "api_key", "tag:feature", "tag:deployment.environment", "none"):
            out = tmp_path / "w.yaml"
            code, stdout, stderr = _run("import", fmt, str(path), "--segment-by", by, "-o", str(out),
                                        "--catalog-dir", str(TEST_CATALOG))  # fmt: skip
            assert code == 0, stderr
            text = out.read_text() + stdout + stderr
            for secret in PLANTED:
                assert secret not in text, (fmt, path.name, by, secret)
    code, stdout, stderr = _run("import", "litellm", str(LITELLM), "--catalog-dir", str(TEST_CATALOG))
    assert code == 0 and "segments:" in stdout
    assert not any(secret in stdout + stderr for secret in PLANTED)


def test_segments_by_project_key_and_tag(frozen: Catalog) -> None:
    by_project = import_usage("litellm", [LITELLM], frozen, ImportOptions(segment_by="project"))
    assert sorted(s.name for s in by_project.workload.segments) == ["search", "support"]
    by_key = import_usage("litellm", [LITELLM], frozen, ImportOptions(segment_by="api_key"))
    names = sorted(s.name for s in by_key.workload.segments)
    assert "backend" in names and all(n == "backend" or n.startswith("key ") for n in names)
    by_tag = import_usage("litellm", [LITELLM], frozen, ImportOptions(segment_by="tag:feature"))
    assert sorted(s.name for s in by_tag.workload.segments) == ["chat", "summaries"]
    one = import_usage("litellm", [LITELLM], frozen, ImportOptions(segment_by="none"))
    assert [s.name for s in one.workload.segments] == ["all usage"]
    bill = one.reconciliation.segments[0]
    assert any("of the tokens ran on" in line for line in bill.explanations)  # the model mix, explained


def test_since_and_until_keep_the_window(frozen: Catalog) -> None:
    result = import_usage(
        "litellm", [LITELLM], frozen, ImportOptions(since=dt_date("2025-02-01"), until=dt_date("2025-02-28"))
    )
    months = {m.month for b in result.reconciliation.segments for m in b.months}
    assert months == {"2025-02"}
    assert any("outside the --since/--until window" in n for n in result.notes)


def dt_date(text: str):  # type: ignore[no-untyped-def]
    import datetime as dt

    return dt.date.fromisoformat(text)


def test_gzip_input_is_read_like_the_plain_file(tmp_path: Path, frozen: Catalog) -> None:
    packed = tmp_path / "spend_logs.csv.gz"
    packed.write_bytes(gzip.compress(LITELLM.read_bytes()))
    plain = import_usage("litellm", [LITELLM], frozen)
    zipped = import_usage("litellm", [packed], frozen)
    assert zipped.workload.segments == plain.workload.segments


def test_the_output_is_deterministic_and_names_files_by_base_name(tmp_path: Path, frozen: Catalog) -> None:
    copy = tmp_path / "deep" / "spend_logs.csv"
    copy.parent.mkdir()
    shutil.copy(LITELLM, copy)
    first = import_usage("litellm", [copy], frozen).text
    assert first == import_usage("litellm", [LITELLM], frozen).text
    assert "deep" not in first


def test_tokens_only_exports_write_tokens_per_month_and_take_a_stated_request_size(packaged: Catalog) -> None:
    path = DATA / "anthropic" / "messages_usage.json"
    plain = import_usage("anthropic-usage", [path], packaged)
    seg = plain.workload.segments[0]
    assert seg.tokens_per_month is not None and seg.requests_per_month is None and seg.requests_per_day is None
    assert seg.input_tokens + seg.output_tokens == pytest.approx(1000, abs=0.2)
    assert "counts no requests" in plain.text
    stated = import_usage("anthropic-usage", [path], packaged, ImportOptions(tokens_per_request=4000))
    seg4 = stated.workload.segments[0]
    assert seg4.input_tokens + seg4.output_tokens == pytest.approx(4000, abs=0.2)
    assert "token split of 4000 tokens a request (--tokens-per-request)" in stated.text
    assert seg4.tokens_per_month == seg.tokens_per_month


def _bad(tmp_path: Path, name: str, content: bytes | str, fmt: str = "litellm") -> tuple[int, str, str, Path]:
    path = tmp_path / name
    if isinstance(content, str):
        path.write_text(content)
    else:
        path.write_bytes(content)
    out = tmp_path / "out.yaml"
    code, stdout, stderr = _run("import", fmt, str(path), "-o", str(out), "--catalog-dir", str(TEST_CATALOG))
    return code, stdout, stderr, out


def _csv_with(change: dict[str, str], row_index: int = 3) -> str:
    rows = list(csv.reader(LITELLM.open(newline="")))
    header = rows[0]
    for column, value in change.items():
        rows[row_index][header.index(column)] = value
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


BAD_INPUT = [
    ("wrong-format.csv", (DATA / "openrouter" / "activity.csv").read_bytes(), "not a litellm export (it looks like openrouter"),
    ("empty.csv", b"", "empty.csv: empty file"),
    ("blank.csv", b"  \n\n ", "blank.csv: empty file"),
    ("binary.csv", bytes(range(256)) * 4, "binary.csv: binary file"),
    ("missing.csv", "request_id,model,prompt_tokens\nr1,gpt-4o,12\n", "line 1: missing columns completion_tokens, startTime"),
    ("text-tokens.csv", _csv_with({"prompt_tokens": "twelve"}), "line 4: prompt_tokens: expected a whole number of tokens, got text"),
    ("fraction.csv", _csv_with({"completion_tokens": "12.5"}), "line 4: completion_tokens: expected a whole number of tokens, got '12.5'"),
    ("negative.csv", _csv_with({"prompt_tokens": "-40"}), "line 4: prompt_tokens: expected a count of 0 or more, got '-40'"),
    ("bad-time.csv", _csv_with({"startTime": "yesterday"}), "line 4: startTime: expected a date and time (ISO 8601), got text"),
    ("bad-meta.csv", _csv_with({"metadata": "{not json"}), "line 4: metadata: expected a JSON object, got text"),
    ("short-row.csv", LITELLM.read_text().replace("\n", "\nx,y\n", 1), "line 2: expected 23 columns as in the header, got 2"),
    ("cut.csv.gz", gzip.compress(LITELLM.read_bytes())[:-20], "cut.csv.gz: gzip file cut short"),
    ("damaged.csv.gz", gzip.compress(LITELLM.read_bytes())[:-8] + b"\x00" * 8, "damaged.csv.gz: damaged gzip file"),
    ("cut.json", LITELLM.with_suffix(".json").read_text()[:5000], "invalid JSON"),
    ("no-tokens.json", json.dumps([{"model": "gpt-4o", "startTime": "2025-01-01T00:00:00Z", "completion_tokens": 3}]),
     "record 1: prompt_tokens: missing"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "content", "message"), BAD_INPUT, ids=[b[0] for b in BAD_INPUT])
def test_bad_input_is_one_line_exit_3_and_nothing_written(
    tmp_path: Path, name: str, content: bytes | str, message: str
) -> None:
    code, stdout, stderr, out = _bad(tmp_path, name, content)
    assert code == ExitCode.INPUT_ERROR, stderr
    assert stdout == "" and not out.exists()
    assert len(stderr.strip().splitlines()) == 1
    assert name in stderr and message in stderr, stderr


def test_bad_otel_spans_name_the_line_span_and_attribute(tmp_path: Path) -> None:
    line = json.loads((DATA / "otel" / "otlp_spans.jsonl").read_text().splitlines()[1])
    attrs = line["resourceSpans"][0]["scopeSpans"][0]["spans"][0]["attributes"]
    next(a for a in attrs if a["key"] == "gen_ai.usage.output_tokens")["value"] = {"intValue": "-3"}
    good = (DATA / "otel" / "otlp_spans.jsonl").read_text().splitlines()[0]
    code, _, stderr, out = _bad(tmp_path, "spans.jsonl", good + "\n" + json.dumps(line) + "\n", "otel-genai")
    assert code == ExitCode.INPUT_ERROR and not out.exists()
    assert "spans.jsonl: line 2: span 1: gen_ai.usage.output_tokens: expected a count of 0 or more" in stderr


def test_duplicated_and_overlapping_buckets_are_counted_once_with_a_warning(tmp_path: Path, packaged: Catalog) -> None:
    sample = DATA / "openai" / "usage_completions.json"
    once = import_usage("openai-usage", [sample], packaged)
    twice = import_usage("openai-usage", [sample, sample], packaged)
    assert twice.workload.segments == once.workload.segments
    assert any("duplicated" in n and "counted once" in n for n in twice.notes)


def test_unknown_format_and_bad_options_are_usage_errors(tmp_path: Path) -> None:
    code, _, stderr = _run("import", "csv", str(LITELLM))
    assert code == ExitCode.USAGE
    code, _, stderr = _run("import", "litellm", str(LITELLM), "--segment-by", "user")
    assert code == ExitCode.USAGE and "--segment-by" in stderr
    code, _, stderr = _run("import", "litellm", str(LITELLM), "--since", "March")
    assert code == ExitCode.USAGE and "--since" in stderr


def test_an_input_file_is_never_the_output(tmp_path: Path) -> None:
    copy = tmp_path / "spend_logs.csv"
    shutil.copy(LITELLM, copy)
    code, _, stderr = _run("import", "litellm", str(copy), "-o", str(copy), "--catalog-dir", str(TEST_CATALOG))
    assert code == ExitCode.OUTPUT_ERROR and "one of this run's inputs" in stderr
    assert copy.read_bytes() == LITELLM.read_bytes()


def test_the_workload_header_says_where_each_number_came_from(frozen: Catalog) -> None:
    text = import_usage("litellm", [LITELLM], frozen).text
    data = yaml.safe_load(text)
    assert data["schema_version"] == 1
    for needle in (
        "gpt-4o-2024-08-06 (provider openai) -> openai/gpt-4o",
        "mistral-small-latest (provider mistral) : not in the catalog",
        "timestamps without a time zone: read as UTC",
        "requests in 2025-03, the latest full month",
        "p90",
        "fitted over 3 full months",
        "hours of the week, Monday 00:00 first",
    ):
        assert needle in text, needle


def test_reading_reports_progress_by_bytes(frozen: Catalog) -> None:
    """The progress bar (shown on a terminal after a second) follows the bytes of each file read."""
    from llmdecide.progress import reporting

    seen: list[tuple[str, int, int]] = []
    with reporting(lambda what, done, total: seen.append((what, done, total))):
        import_usage("litellm", [LITELLM, LITELLM.with_suffix(".json")], frozen)
    size = LITELLM.stat().st_size
    assert seen[0] == ("reading spend_logs.csv", 0, size)
    assert ("reading spend_logs.csv", size, size) in seen
    assert seen[-1][0] == "reading spend_logs.json" and seen[-1][1] == seen[-1][2]


def test_every_sample_is_told_apart_by_the_sniffs(tmp_path: Path) -> None:
    """A file given under another format's name is refused with a guess at its own (exit 3)."""
    from llmdecide.cli.import_cmd import ImportFormatName
    from llmdecide.usage_import import FORMAT_NAMES
    from llmdecide.usage_import.formats import guess_formats

    assert tuple(f.value for f in ImportFormatName) == FORMAT_NAMES
    for fmt, path in GATEWAY_SAMPLES + PROVIDER_SAMPLES:
        head = path.read_text()[:65536]
        assert guess_formats(head) == [fmt], path.name
        other = "otel-genai" if fmt != "otel-genai" else "litellm"
        code, _, stderr = _run("import", other, str(path), "-o", str(tmp_path / "w.yaml"))
        assert code == ExitCode.INPUT_ERROR and f"it looks like {fmt}" in stderr, stderr
        assert not (tmp_path / "w.yaml").exists()


def test_privacy_the_dashboard_exports_user_ids_never_reach_the_output(tmp_path: Path) -> None:
    """The OpenAI dashboard export has a user_id column; planted ids (and text in a column the reader does not
    know) reach neither the workload nor the terminal, whatever the segments."""
    text = (DATA / "openai" / "dashboard_activity.csv").read_text(encoding="utf-8")
    lines = text.splitlines()
    lines[0] += ",notes"
    lines[1:] = [
        line.replace("user-synthetic-a", PLANTED[1]) + f",{PLANTED[0]} said {PLANTED[2]}" for line in lines[1:]
    ]
    path = tmp_path / "activity.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    for by in ("model", "project", "api_key", "none"):
        out = tmp_path / "w.yaml"
        code, stdout, stderr = _run("import", "openai-usage", str(path), "--segment-by", by, "-o", str(out))
        assert code == 0, stderr
        written = out.read_text() + stdout + stderr
        assert not any(secret in written for secret in PLANTED), by
