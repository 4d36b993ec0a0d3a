"""A large CSV read by several processes gives the same workload, the same notes and the same errors as one."""

from __future__ import annotations

import csv
import io
import itertools
from pathlib import Path

import pytest

from llmdecide.catalog import Catalog, load_catalog
from llmdecide.errors import InputFileError
from llmdecide.usage_import import ImportOptions, import_usage, parallel

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "import" / "litellm" / "spend_logs.csv"


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


def _big_export(path: Path, copies: int, *, newline_in_quotes: bool = True, broken_row: int | None = None) -> None:
    """The sample's rows ``copies`` times, their messages holding quoted line breaks and doubled quotes."""
    rows = list(csv.reader(SAMPLE.open(newline="", encoding="utf-8")))
    header, body = rows[0], rows[1:]
    messages = header.index("messages")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    n = 0
    for _ in range(copies):
        for row in body:
            row = list(row)
            if newline_in_quotes and n % 3 == 0:
                row[messages] = '[{"role": "user", "content": "line one\nline ""two""\n\nend"}]'
            if broken_row is not None and n == broken_row:
                row[header.index("prompt_tokens")] = "many"
            writer.writerow(row)
            n += 1
    path.write_text(out.getvalue(), encoding="utf-8")


def _row_line(path: Path, data_row: int) -> int:
    """The line of the file data row ``data_row`` (0 first) ends on, as the csv module counts it."""
    reader = csv.reader(path.open(newline="", encoding="utf-8"))
    next(reader)
    for i, _ in enumerate(reader):
        if i == data_row:
            return reader.line_num
    raise AssertionError("no such row")


def test_parts_are_whole_rows_with_their_line_numbers(tmp_path: Path) -> None:
    path = tmp_path / "spend.csv"
    _big_export(path, 30)
    data = path.read_bytes()
    found = parallel.csv_parts(path, len(data), 5)
    assert found is not None
    header_end, parts = found
    assert data[header_end - 1 : header_end] == b"\n" and data[:header_end].count(b'"') % 2 == 0
    assert parts[0].start == header_end and parts[-1].end == len(data)
    assert len(parts) == 5
    for before, after in itertools.pairwise(parts):
        assert before.end == after.start
        assert data[: after.start].count(b'"') % 2 == 0 and data[after.start - 1 : after.start] == b"\n"
        assert after.first_line == data[: after.start].count(b"\n") + 1
    total = sum(1 for _ in csv.reader(io.StringIO(data.decode())))
    counted = 0
    for part in parts:
        chunk = data[:header_end] + data[part.start : part.end]
        counted += sum(1 for _ in csv.reader(io.StringIO(chunk.decode()))) - 1
    assert counted == total - 1  # every row in exactly one part


def test_a_file_without_a_row_boundary_is_not_cut(tmp_path: Path) -> None:
    path = tmp_path / "one.csv"
    path.write_bytes(b'a,b\n1,"open quote\n' + b"x" * 1000 + b"\n")  # the quote never closes
    assert parallel.csv_parts(path, path.stat().st_size, 4) is None


@pytest.mark.parametrize("workers", ["2", "3"])
def test_several_processes_write_the_same_workload_as_one(
    tmp_path: Path, catalog: Catalog, monkeypatch: pytest.MonkeyPatch, workers: str
) -> None:
    path = tmp_path / "spend.csv"
    _big_export(path, 40)
    monkeypatch.setenv(parallel.WORKERS_ENV, "1")
    one = import_usage("litellm", [path], catalog, ImportOptions(segment_by="api_key"))
    monkeypatch.setenv(parallel.WORKERS_ENV, workers)
    monkeypatch.setattr(parallel, "MIN_PART_BYTES", 1024)
    calls: list[int] = []
    real = parallel.csv_parts
    monkeypatch.setattr(parallel, "csv_parts", lambda *a: calls.append(a[2]) or real(*a))
    shared = import_usage("litellm", [path], catalog, ImportOptions(segment_by="api_key"))
    assert calls == [int(workers)]  # it was cut
    assert shared.text == one.text
    assert shared.notes == one.notes and shared.records == one.records


def test_an_error_in_a_later_part_names_the_files_line(
    tmp_path: Path, catalog: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "spend.csv"
    _big_export(path, 40, broken_row=6000)
    monkeypatch.setenv(parallel.WORKERS_ENV, "1")
    with pytest.raises(InputFileError) as serial:
        import_usage("litellm", [path], catalog)
    monkeypatch.setenv(parallel.WORKERS_ENV, "3")
    monkeypatch.setattr(parallel, "MIN_PART_BYTES", 1024)
    with pytest.raises(InputFileError) as shared:
        import_usage("litellm", [path], catalog)
    assert str(shared.value) == str(serial.value)
    assert f"line {_row_line(path, 6000)}: prompt_tokens" in str(shared.value)


def test_the_worker_count_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(parallel.WORKERS_ENV, "3")
    assert parallel.workers() == 3
    monkeypatch.setenv(parallel.WORKERS_ENV, "100")
    assert parallel.workers() == parallel.MAX_WORKERS
    monkeypatch.setenv(parallel.WORKERS_ENV, "none")
    assert 1 <= parallel.workers() <= parallel.MAX_WORKERS
