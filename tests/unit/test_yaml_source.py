"""The YAML reader refuses everything that is not plain data."""

from __future__ import annotations

from pathlib import Path

import pytest

from llmdecide.yaml_source import YamlReadError, parse_yaml_text, read_yaml_file


def test_plain_yaml_parses() -> None:
    assert parse_yaml_text("a: 1\nb: [x, y]\n") == {"a": 1, "b": ["x", "y"]}


def test_scientific_notation_without_a_dot_is_a_number() -> None:
    assert parse_yaml_text("a: 1e6\nb: 2.5E-3\nc: 12\nd: v1e6\n") == {"a": 1e6, "b": 0.0025, "c": 12, "d": "v1e6"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a: 1\na: 2\n", "duplicate key 'a'"),
        ("a: &x [1]\nb: *x\n", "anchors"),
        ("a: [1,\n", "malformed YAML"),
        ("a: !!python/object/apply:os.system ['true']\n", "only plain YAML data"),
    ],
)
def test_refused(text: str, expected: str) -> None:
    with pytest.raises(YamlReadError, match=expected):
        parse_yaml_text(text)


def test_alias_bomb_is_refused_quickly() -> None:
    bomb = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    for i, name in enumerate("bcdefghi"):
        prev = "abcdefghi"[i]
        bomb += f"{name}: &{name} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]\n"
    with pytest.raises(YamlReadError, match="not allowed"):
        parse_yaml_text(bomb)


def test_python_tag_executes_nothing(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    evil = tmp_path / "evil.yaml"
    evil.write_text(f"a: !!python/object/apply:os.system ['touch {marker}']\n")
    with pytest.raises(YamlReadError):
        read_yaml_file(evil)
    assert not marker.exists()


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "empty"),
        (b"   \n# only a comment\n", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "binary"),
        (b"a: \xff\xfe\n", "not UTF-8"),
    ],
)
def test_unusable_files(tmp_path: Path, content: bytes, expected: str) -> None:
    path = tmp_path / "f.yaml"
    path.write_bytes(content)
    with pytest.raises(YamlReadError, match=expected):
        read_yaml_file(path)


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(YamlReadError, match="no such file"):
        read_yaml_file(tmp_path / "nope.yaml")
    with pytest.raises(YamlReadError, match="directory"):
        read_yaml_file(tmp_path)
