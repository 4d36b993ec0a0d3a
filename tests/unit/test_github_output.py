"""GitHub workflow-command annotations, and the YAML lines catalog issues are reported at."""

from __future__ import annotations

from pathlib import Path

from llmdecide.catalog.issues import Issue, Severity
from llmdecide.catalog.loader import key_lines, line_of, locate_issues
from llmdecide.report.catalog_validation import annotation_file, validation_markdown
from llmdecide.report.github import COMMENT_MARKER, annotation, comment_body, escape_data, escape_property


def test_data_and_properties_are_escaped_as_the_runner_reads_them() -> None:
    assert escape_data("100% off\r\nnext: a, b") == "100%25 off%0D%0Anext: a, b"
    assert escape_property("100% off\r\nnext: a, b") == "100%25 off%0D%0Anext%3A a%2C b"
    assert escape_data("%0A") == "%250A"  # an escape in the text stays text


def test_an_annotation_cannot_start_another_command() -> None:
    line = annotation(
        "error",
        "bad value\n::warning::planted\x1b[31m",
        file="pricing/api/a,b:c.yaml",
        line=12,
        title="models[0].id, 50%: x",
    )
    assert line == (
        "::error file=pricing/api/a%2Cb%3Ac.yaml,line=12,title=models[0].id%2C 50%25%3A x"
        "::bad value\\n::warning::planted\\x1b[31m"
    )
    assert "\n" not in line and "\x1b" not in line
    assert annotation("warning", "odd", line=3) == "::warning::odd"  # a line needs a file
    assert annotation("notice", "n", file="f.yaml") == "::notice file=f.yaml::n"


def test_the_comment_body_starts_with_the_marker() -> None:
    body = comment_body("## Catalog validation: OK\n")
    assert body.splitlines()[0] == COMMENT_MARKER == "<!-- llmdecide-catalog-diff -->"
    assert body.endswith("## Catalog validation: OK\n")


YAML = """\
# a comment
schema_version: 1
models:
  - id: a/x
    prices:
      - effective_from: 2024-01-01
        input_usd_per_mtok: 1.0
  - id: a/y
    tags: [one, two]
    nested: {k: v}
"""


def test_key_lines_give_each_key_path_its_line() -> None:
    lines = key_lines(YAML)
    assert lines["schema_version"] == 2
    assert lines["models"] == 3
    assert lines["models[0]"] == lines["models[0].id"] == 4
    assert lines["models[0].prices[0].input_usd_per_mtok"] == 7
    assert lines["models[1].id"] == 8
    assert lines["models[1].tags[1]"] == 9
    assert lines["models[1].nested.k"] == 10


def test_key_lines_stop_quietly_at_broken_yaml_and_skip_complex_keys() -> None:
    assert key_lines("a: 1\nb: [unclosed\n") == {"a": 1, "b": 2, "b[0]": 2}
    assert key_lines("? [k]\n: {x: 1}\nz: 2\n") == {"z": 3}


def test_an_issue_is_placed_at_its_key_or_the_nearest_enclosing_one() -> None:
    lines = key_lines(YAML)
    assert line_of(lines, Issue("f", "models[0].prices[0].input_usd_per_mtok", "m")) == 7
    assert line_of(lines, Issue("f", "models[1].context_window_tokens", "required key is missing")) == 8
    assert line_of(lines, Issue("f", "", "line 14, column 3: malformed YAML: x")) == 14
    assert line_of(lines, Issue("f", "", "no catalog files found")) is None


def test_locate_issues_reads_each_file_once_and_leaves_unknown_files_alone(tmp_path: Path) -> None:
    path = tmp_path / "openai.yaml"
    path.write_text(YAML, encoding="utf-8")
    issues = [
        Issue("pricing/api/openai.yaml", "models[1].tags", "m"),
        Issue("pricing/assumptions.yaml", "", "missing"),
        Issue("gone.yaml", "models[0]", "m"),
    ]
    located = locate_issues(issues, {"pricing/api/openai.yaml": path, "gone.yaml": tmp_path / "gone.yaml"})
    assert [i.line for i in located] == [9, None, None]
    assert located == issues  # the line is not part of an issue's identity


def test_annotation_files_are_relative_to_the_workspace(tmp_path: Path) -> None:
    inside = tmp_path / "repo" / "catalog" / "pricing/api/openai.yaml"
    issue = Issue("pricing/api/openai.yaml", "models[0]", "m")
    assert annotation_file(issue, inside, tmp_path / "repo") == "catalog/pricing/api/openai.yaml"
    assert annotation_file(issue, inside, tmp_path / "elsewhere") == "pricing/api/openai.yaml"
    assert annotation_file(issue, None, tmp_path) == "pricing/api/openai.yaml"


def test_validation_markdown_has_a_summary_and_a_table_errors_first() -> None:
    issues = [
        Issue("a.yaml", "x", "odd but possible", Severity.WARNING, line=4),
        Issue("b.yaml", "models[0].id", "bad | value", line=2),
    ]
    text = validation_markdown(issues, ["1 errors, 1 warnings; 2 files"], failed=True, strict=True)
    assert text.splitlines()[:4] == [
        "## Catalog validation: FAILED",
        "",
        "1 errors, 1 warnings; 2 files.",
        "Warnings fail validation here (`--strict`).",
    ]
    assert "| error | b.yaml | 2 | models[0].id | bad \\| value |" in text
    assert text.index("| error |") < text.index("| warning | a.yaml | 4 | x | odd but possible |")
    clean = validation_markdown([], ["0 errors, 0 warnings; 2 files"], failed=False, strict=False)
    assert clean.endswith("0 errors, 0 warnings; 2 files.\n\nNo problems found.\n")


def test_key_lines_stay_within_the_reading_limits() -> None:
    from llmdecide.limits import MAX_YAML_DEPTH, MAX_YAML_NODES

    deep = key_lines("a:\n" + "".join(f"{'  ' * (n + 1)}k{n}:\n" for n in range(5000)))
    assert max(len(k.split(".")) for k in deep) <= MAX_YAML_DEPTH
    many = key_lines("[" + ", ".join("1" for _ in range(MAX_YAML_NODES + 1000)) + "]")
    assert 0 < len(many) <= MAX_YAML_NODES
