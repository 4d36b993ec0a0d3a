"""Opening an export: regular files only, gzip by its magic bytes, text by its byte-order mark."""

from __future__ import annotations

import gzip
import os
from pathlib import Path

import pytest

from llmdecide.errors import InputFileError
from llmdecide.usage_import.jsonstream import json_values
from llmdecide.usage_import.opening import open_usage_file


def _text(path: Path) -> str:
    with open_usage_file(path) as f:
        return f.text.read()


def test_plain_gzip_and_byte_order_marks_read_the_same_text(tmp_path: Path) -> None:
    text = "a,b\n1,2\n" * 1000
    plain = tmp_path / "plain.csv"
    plain.write_text(text)
    packed = tmp_path / "packed.csv.whatever"  # the magic bytes decide, not the name
    packed.write_bytes(gzip.compress(text.encode()))
    utf8_bom = tmp_path / "bom.csv"
    utf8_bom.write_bytes(b"\xef\xbb\xbf" + text.encode())
    utf16 = tmp_path / "utf16.csv"
    utf16.write_text(text, encoding="utf-16")
    for path in (plain, packed, utf8_bom, utf16):
        assert _text(path) == text, path.name
    with open_usage_file(packed) as f:
        assert f.compressed and f.head.startswith("a,b")
        f.text.read()
        assert f.position() == f.size


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty file"),
        (b"\n \t\n", "empty file"),
        (gzip.compress(b""), "empty file"),
        (b"PK\x03\x04\x00\x00binary", "binary file"),
        (b"\xff\xd8\xff\xe0 a jpeg \x90\x91", "binary file or not UTF-8 text"),
        (b"\x1f\x8b\x08\x00garbage-not-deflate", "damaged gzip file"),
    ],
)
def test_what_is_refused_is_one_line_naming_the_file(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "export.json"
    path.write_bytes(content)
    with pytest.raises(InputFileError) as err:
        _text(path)
    assert str(err.value).startswith(f"{path}: ") and message in str(err.value)


def test_directories_fifos_and_missing_files_are_refused(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="is a directory"):
        open_usage_file(tmp_path)
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(InputFileError, match="FIFO"):
        open_usage_file(fifo)
    with pytest.raises(InputFileError, match="no such file"):
        open_usage_file(tmp_path / "missing.csv")


def test_json_values_stream_arrays_lines_and_concatenated_documents(tmp_path: Path) -> None:
    import io

    assert [v for _, v in json_values(io.StringIO('[1, {"a": [2]}, "x"]'), "f")] == [1, {"a": [2]}, "x"]
    assert [v for _, v in json_values(io.StringIO('{"a": 1}\n{"a": 2}\n'), "f")] == [{"a": 1}, {"a": 2}]
    assert [line for line, _ in json_values(io.StringIO('{\n "a": 1\n}\n{\n "a": 2\n}'), "f")] == [1, 4]
    big = "[" + ",".join(f'{{"n": {i}, "pad": "{"y" * 50}"}}' for i in range(40_000)) + "]"
    assert sum(1 for _ in json_values(io.StringIO(big), "f")) == 40_000  # past several 1 MiB chunks
    with pytest.raises(InputFileError, match=r"f: line 2: invalid JSON"):
        list(json_values(io.StringIO('{"a": 1}\n{"a": }\n'), "f"))
    with pytest.raises(InputFileError, match="never closes"):
        list(json_values(io.StringIO("[1, 2"), "f"))
