"""User text is inert in every output format: hostile names through the real renderers.

Workload, segment and entry names carrying rich markup, terminal escape sequences, bidi overrides, HTML, Markdown
fences and headings, mermaid terminators and table pipes are put into a copy of an example workload (and an
overlay), assessed on the packaged catalog and rendered as the terminal report (rich, with and without a terminal),
Markdown and JSON. The terminal shows them as typed, with control characters as visible escapes; the Markdown
document keeps the structure of the same report with plain names; JSON gives back the exact names.
"""

from __future__ import annotations

import copy
import io
import json
import os
import re
import subprocess
import sys
import unicodedata
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rich.cells import cell_len
from rich.console import Console
from typer.testing import CliRunner

from llmdecide.api import assess
from llmdecide.catalog import Catalog, load_catalog
from llmdecide.cli import app
from llmdecide.report.json_report import render_json
from llmdecide.report.markdown import render_markdown
from llmdecide.report.result import DecisionReport
from llmdecide.report.tables import markdown_table, to_json
from llmdecide.report.terminal import print_report
from llmdecide.report.text_safety import (
    UNSAFE,
    MarkdownSafe,
    json_inert,
    markdown_code,
    markdown_inline,
    mermaid_label,
    safe_message,
    shorten,
    stream_safe,
    terminal_safe,
    terminal_text,
    write_stdout,
)

REPO = Path(__file__).resolve().parent.parent.parent
EXAMPLE = REPO / "examples" / "support-chatbot-two-segments.yaml"
SHIPPED = REPO / "examples" / "startup-mvp.yaml"
WIDTH = 140

HOSTILE = {
    "rich-close-tag": "close [/] here [/bold]",
    "rich-link": "[link=https://evil.example/x]click me[/link]",
    "rich-style": "[bold red]vanishes[/bold red] :warning: [blink]x",
    "clear-screen": "a\x1b[2J\x1b[H\x1b[31mred",
    "window-title": "t\x1b]0;owned\x07\x1b]2;owned\x1b\\",
    "osc8-link": "\x1b]8;;https://evil.example\x1b\\click\x1b]8;;\x1b\\",
    "nul-and-c0": "nul\x00bel\x07bs\x08del\x7fvt\x0bff\x0c",
    "c1": "csi\x9b31m osc\x9d0;x\x9c",
    "bidi": "user\u202etxt.exe \u202a\u202b\u202c\u202d \u2066\u2067\u2068\u2069 \u200f",
    "html": '<script>alert(1)</script><img src=x onerror="alert(1)"> &lt;b&gt; &#60;i&#62;',
    "js-link": "[click](javascript:alert(1)) ![x](javascript:alert(2)) <javascript:alert(3)>",
    "fence": "name\n```\n# injected\n```mermaid\ngraph TD;A-->B\n```",
    "heading": "name\n# Injected heading\n## Another\n---\n===",
    "mermaid-end": 'x"] \n```\n%%{init: {"theme": "dark"}}%%\nbar [1]\n```',
    "pipes": "a | b || c |",
    "emphasis": "*bold* _it_ __x__ ~~strike~~ `code` \\*",
    "reference": "[x]: https://evil.example\n[^1]: note [0](https://evil.example)",
    "list-quote": "- item\n> quote\n1. first\n+ plus",
    "long-line": "L" * 150 + "\u2028" + "M" * 40,
}
"""Hostile names (at most 200 characters: the workload's own limit on a name)."""

_SGR = re.compile(r"\x1b\[[0-9;]*m")
_HEADING = re.compile(r"#{1,6}(?:\s|$)")
_ORDERED = re.compile(r"\d{1,9}[.)](?:\s|$)")


@pytest.fixture(scope="module")
def packaged() -> Catalog:
    return load_catalog()


def _workload(name: str, segments: tuple[str, str]) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    data = copy.deepcopy(data)
    data["name"] = name
    for segment, new in zip(data["segments"], segments, strict=True):
        segment["name"] = new
    return data


def _assess(tmp_path: Path, catalog: Catalog, name: str, segments: tuple[str, str]) -> DecisionReport:
    path = tmp_path / "w.yaml"
    path.write_text(yaml.safe_dump(_workload(name, segments), allow_unicode=False), encoding="utf-8")
    return assess(path, catalog)


@pytest.fixture(scope="module")
def plain(packaged: Catalog, tmp_path_factory: pytest.TempPathFactory) -> DecisionReport:
    """The example with plain, distinctive names, to substitute hostile text into."""
    return _assess(tmp_path_factory.mktemp("plain"), packaged, "PLAINWORKLOAD", ("PLAINSEGA", "PLAINSEGB"))


def _substitute(report: DecisionReport, name: str, seg_a: str, seg_b: str) -> DecisionReport:
    """The plain report with every occurrence of its names, in every string (sentences, labels, ids), replaced."""

    def walk(value: Any) -> Any:
        if isinstance(value, str):
            return value.replace("PLAINWORKLOAD", name).replace("PLAINSEGA", seg_a).replace("PLAINSEGB", seg_b)
        if isinstance(value, dict):
            return {walk(k): walk(v) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v) for v in value]
        return value

    return DecisionReport.model_validate(walk(report.model_dump()))


# --- what the checks look at -------------------------------------------------------------------------------------


def _unescaped_pipes(line: str) -> int:
    """Pipes not preceded by an odd number of backslashes: the cell borders of a table row."""
    count = 0
    for m in re.finditer(r"(\\*)\|", line):
        if len(m.group(1)) % 2 == 0:
            count += 1
    return count


def skeleton(markdown: str) -> list[str]:
    """The block structure of a Markdown document, one entry per line: heading level, fence, code, table row (with
    its number of cell borders), list item, quote, blank or text."""
    kinds: list[str] = []
    in_code = False
    for line in markdown.split("\n"):
        if line.startswith("```") or line.startswith("~~~"):
            kinds.append("fence-open" if not in_code else "fence-close")
            in_code = not in_code
        elif in_code:
            kinds.append("code")
        elif _HEADING.match(line):
            kinds.append("h" + str(len(line) - len(line.lstrip("#"))))
        elif line.startswith("|"):
            kinds.append(f"row{_unescaped_pipes(line)}")
        elif line[:2] in ("- ", "* ", "+ ") or _ORDERED.match(line):
            kinds.append("item")
        elif line.startswith(">"):
            kinds.append("quote")
        elif line.startswith("    "):
            kinds.append("indented")
        elif not line.strip():
            kinds.append("blank")
        else:
            kinds.append("text")
    assert not in_code, "a code block is left open"
    return kinds


def check_markdown(markdown: str, baseline: str) -> None:
    assert skeleton(markdown) == skeleton(baseline)
    assert markdown.count("```mermaid") == baseline.count("```mermaid")
    assert sum(1 for line in markdown.split("\n") if line.startswith("#")) == sum(
        1 for line in baseline.split("\n") if line.startswith("#")
    )
    assert sum(1 for line in markdown.split("\n") if line.startswith("```")) == sum(
        1 for line in baseline.split("\n") if line.startswith("```")
    )
    assert "<" not in markdown, "raw HTML (or an autolink) in the Markdown report"
    assert [c for c in markdown if c != "\n" and UNSAFE.match(c)] == []
    assert markdown.splitlines() == markdown.split("\n")[: len(markdown.splitlines())], "a line break other than \\n"
    mermaid = re.findall(r"```mermaid\n(.*?)```", markdown, flags=re.S)
    for block in mermaid:
        for line in block.splitlines():
            assert line.count('"') % 2 == 0 and line.count("[") == line.count("]"), line


def terminal_output(report: DecisionReport, *, force_terminal: bool) -> tuple[str, str]:
    """What print_report writes (raw, with rich's own escape sequences when a terminal) and its plain text."""
    console = Console(record=True, width=WIDTH, file=io.StringIO(), force_terminal=force_terminal)
    print_report(console, report)
    raw = console.file.getvalue()  # type: ignore[attr-defined]
    return raw, console.export_text()


def check_terminal(raw: str) -> None:
    assert "\x1b]" not in raw, "an OSC sequence (hyperlink, window title) in the terminal output"
    without_styles = _SGR.sub("", raw)
    assert [c for c in without_styles if c != "\n" and UNSAFE.match(c)] == []
    for line in without_styles.split("\n"):
        assert cell_len(line) <= WIDTH, line


# --- the real pipeline, from a workload file ---------------------------------------------------------------------


@pytest.mark.parametrize("key", list(HOSTILE), ids=list(HOSTILE))
def test_hostile_names_are_inert_in_every_format(
    key: str, packaged: Catalog, plain: DecisionReport, tmp_path: Path
) -> None:
    name = HOSTILE[key]
    report = _assess(tmp_path, packaged, name, (name + " A", "B " + name))
    markdown = render_markdown(report)
    check_markdown(markdown, render_markdown(plain))

    for force_terminal in (True, False):
        raw, text = terminal_output(report, force_terminal=force_terminal)
        check_terminal(raw)
        shown = terminal_safe(report.workload.name)
        assert shorten(shown, 80)[:40] in text.replace("\n", ""), "the name is shown as typed (markup and all)"

    data = json.loads(render_json(report))
    assert data["workload"]["name"] == report.workload.name == name.strip()
    assert [s["name"] for s in data["workload"]["segments"]] == [s.name for s in report.workload.segments]
    assert {s.name for s in report.workload.segments} == {(name + " A").strip(), ("B " + name).strip()}
    assert [c for c in render_json(report) if c != "\n" and UNSAFE.match(c)] == []


def test_rich_markup_is_printed_not_obeyed(packaged: Catalog, tmp_path: Path) -> None:
    report = _assess(tmp_path, packaged, "[bold red]gone[/] [/]", ("[link=https://evil.example/x]seg[/link]", "b"))
    raw, text = terminal_output(report, force_terminal=True)
    check_terminal(raw)
    assert "[bold red]gone[/] [/]" in text
    assert "[link=https://evil.example/x]seg[/link]" in text


def test_a_10kb_name_is_shortened_in_the_terminal_and_escaped_in_markdown(plain: DecisionReport) -> None:
    big = "N" * 5000 + "<script>|`" + "\x1b" * 10 + "M" * 5000
    report = _substitute(plain, big, big + " a", "b " + big)
    raw, text = terminal_output(report, force_terminal=True)
    check_terminal(raw)
    assert f"… ({len(big):,} characters)" in text
    _, baseline = terminal_output(plain, force_terminal=True)
    assert len(text) < 5 * len(baseline), "names cut to 80 characters, sentences to 4,000"
    markdown = render_markdown(report)
    check_markdown(markdown, render_markdown(plain))
    assert "N" * 5000 + "&lt;script>\\|\\`" in markdown


# --- any text at all, at the report level ------------------------------------------------------------------------

TOKENS = [
    "`",
    "```",
    "\n",
    "\r",
    "\n#",
    "\n```\n",
    "*",
    "_",
    "[",
    "]",
    "(",
    ")",
    "|",
    "\\",
    "<",
    ">",
    "&",
    ";",
    '"',
    "#",
    "-",
    "+",
    "=",
    "~",
    "!",
    ":",
    "%%",
    "{",
    "}",
    "1.",
    " ",
    "\t",
    "\x1b",
    "\x1b]8;;",
    "\x07",
    "\x00",
    "\x9b",
    "\u202e",
    "\u2066",
    "\u2028",
    "\u0085",
    "\ufeff",
    "a",
    "é",
    "—",
    "漢",
    "👩\u200d💻",
    "\u0301",
]
names = st.one_of(st.text(), st.lists(st.sampled_from(TOKENS), max_size=30).map("".join))


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=names, seg=names)
def test_any_name_keeps_the_markdown_structure_and_the_terminal_clean(
    plain: DecisionReport, name: str, seg: str
) -> None:
    report = _substitute(plain, name, seg + "A", "B" + seg)
    check_markdown(render_markdown(report), render_markdown(plain))
    raw, _ = terminal_output(report, force_terminal=True)
    check_terminal(raw)
    data = json.loads(render_json(report))
    assert data["workload"]["name"] == name


# --- the functions themselves ------------------------------------------------------------------------------------


def test_unsafe_covers_every_control_format_and_separator_character() -> None:
    missing = [
        f"U+{cp:04X}"
        for cp in range(sys.maxunicode + 1)
        if unicodedata.category(chr(cp)) in ("Cc", "Cf", "Zl", "Zp", "Cs")
        and cp not in (0x200C, 0x200D)
        and not UNSAFE.match(chr(cp))
    ]
    assert missing == []


@given(st.text(alphabet=st.characters(codec=None)))
def test_terminal_safe_leaves_no_unsafe_character(text: str) -> None:
    shown = terminal_safe(text)
    assert UNSAFE.search(shown) is None
    if UNSAFE.search(text) is None:
        assert shown == text
    assert UNSAFE.search(safe_message(text)) is None
    assert UNSAFE.search(terminal_text(text).plain) is None


def test_terminal_safe_shows_escapes() -> None:
    assert terminal_safe("a\x1b[2Jb\n\u202e\x00\U000e0041") == "a\\x1b[2Jb\\n\\u202e\\x00\\U000e0041"
    assert terminal_safe("plain — naïve 漢字 👩\u200d💻") == "plain — naïve 漢字 👩\u200d💻"


@given(st.text(), st.integers(min_value=1, max_value=300))
def test_shorten_keeps_the_start_and_says_the_length(text: str, limit: int) -> None:
    short = shorten(text, limit)
    assert len(short) <= limit
    if len(text) <= limit:
        assert short == text
    else:
        assert short.endswith("…") or short.endswith(f"… ({len(text):,} characters)")
        assert text.startswith(short[: short.rfind("…")])


def test_shorten_of_a_100kb_id() -> None:
    text = "x" * 100_000
    assert shorten(text) == "x" * (80 - len("… (100,000 characters)")) + "… (100,000 characters)"
    assert len(shorten(text)) == 80
    line = safe_message(f"unknown model '{text}'")
    assert len(line) <= 400 and "(100,016 characters)" in line


def test_markdown_inline_leaves_the_reports_own_text_alone() -> None:
    for text in (
        "recommended hybrid plan: 2,188 USD in the first month (constraints.cloud_allowed_for)",
        "candidates.deployments[0].usd_per_unit; good_enough",
        "pricing/assumptions.yaml: https://x.example/Show/16478?cPage=11&all=False&sort=0/_gemma4.py",
        "-20.0 points to +20.0 points",
        "API prices: no flip between 0.25x and 4x today's",
    ):
        assert markdown_inline(text) == text


def test_markdown_inline_escapes() -> None:
    assert markdown_inline("# x") == "\\# x"
    assert markdown_inline("- x") == "\\- x"
    assert markdown_inline("1. x") == "1\\. x"
    assert markdown_inline("a\n```\nb") == "a \\`\\`\\` b"
    assert markdown_inline("[a](javascript:x)") == "\\[a\\](javascript:x)"
    assert markdown_inline("[0](x) [0]: y [0]") == "\\[0\\](x) \\[0\\]: y [0]"
    assert markdown_inline("<b>&amp;&x") == "&lt;b>&amp;amp;&x"
    assert markdown_inline("> quote -> x") == "&gt; quote -> x"
    assert markdown_inline("_a_ b_c *d*") == "\\_a\\_ b_c \\*d\\*"
    assert markdown_inline("a|b\\") == "a\\|b\\\\"
    assert isinstance(markdown_inline("x"), MarkdownSafe)


def test_markdown_code_always_closes() -> None:
    assert markdown_code("openai/gpt-4o") == "`openai/gpt-4o`"
    assert markdown_code("a`b") == "``a`b``"
    assert markdown_code("`a``") == "``` `a`` ```"
    assert markdown_code("a|b\nc") == "`a\\|b c`"
    assert markdown_code("") == ""


def test_mermaid_label_cannot_end_anything() -> None:
    label = mermaid_label('x"] \n```\n%%{init: {"theme": "dark"}}%%; bar [1] <b>&#35; `q`' + "z" * 100)
    assert not set(label) & set('"`[]{}<>#%;&|\\\n\r')
    assert len(label) <= 40
    assert mermaid_label("request volume") == "request volume"


def test_markdown_tables_of_catalog_listings_escape_cells() -> None:
    table = markdown_table(["id", "name"], [["a|b", "<img src=x>\n# h"]])
    assert table.splitlines()[2] == "| a\\|b | &lt;img src=x> # h |"


# --- JSON --------------------------------------------------------------------------------------------------------


@given(st.text(alphabet=st.characters(codec=None)))
def test_json_round_trips_exactly_and_shows_no_control_character(text: str) -> None:
    out = to_json({"name": text, "list": [text]})
    assert json.loads(out) == {"name": text, "list": [text]}
    assert [c for c in out if c != "\n" and UNSAFE.match(c)] == []
    for encoding in ("ascii", "latin-1", "utf-8"):
        safe = stream_safe(out, encoding, "json")
        safe.encode(encoding)
        assert json.loads(safe) == {"name": text, "list": [text]}


def test_json_inert_changes_nothing_else() -> None:
    text = json.dumps({"a": "plain — naïve"}, ensure_ascii=False)
    assert json_inert(text) == text
    out = to_json({"a": "\udcff\u202e\x85"})
    assert '"\\udcff\\u202e\\u0085"' in out and json.loads(out) == {"a": "\udcff\u202e\x85"}
    out.encode("utf-8")


# --- streams that cannot encode everything -----------------------------------------------------------------------


def test_stream_safe_by_kind() -> None:
    text = "Café — “quoted” … 漢 █"
    assert stream_safe(text, "utf-8") == text
    assert stream_safe(text, "ascii") == 'Cafe - "quoted" ... ? #'
    assert stream_safe(text, "latin-1") == 'Café - "quoted" ... ? #'
    assert stream_safe(text, "ascii", "markdown") == "Caf&#233; &#8212; &#8220;quoted&#8221; &#8230; &#28450; &#9608;"
    assert stream_safe("\udcff", "utf-8", "json") == "\\udcff"


def test_write_stdout_to_an_ascii_stream() -> None:
    buffer = io.BytesIO()
    stream = io.TextIOWrapper(buffer, encoding="ascii")
    write_stdout(to_json({"name": "Café — 漢 👩"}), kind="json", stream=stream)
    stream.flush()
    assert json.loads(buffer.getvalue().decode("ascii")) == {"name": "Café — 漢 👩"}


def _run(args: list[str], encoding: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONUTF8", "FORCE_COLOR", "NO_COLOR")}
    env.update(PYTHONIOENCODING=encoding, PYTHONUTF8="0", COLUMNS="120")
    proc = subprocess.run(
        [sys.executable, "-m", "llmdecide", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        timeout=300,
        check=False,
    )
    return subprocess.CompletedProcess(
        proc.args, proc.returncode, proc.stdout.decode(encoding), proc.stderr.decode("utf-8", "replace")
    )


@pytest.mark.parametrize("encoding", ["ascii", "latin-1"])
def test_the_table_report_on_a_stdout_that_cannot_encode_unicode(encoding: str) -> None:
    result = _run(["assess", str(SHIPPED.relative_to(REPO))], encoding)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert "Recommendation:" in result.stdout and "+-" in result.stdout


@pytest.mark.parametrize("encoding", ["ascii", "latin-1"])
def test_the_markdown_report_on_a_stdout_that_cannot_encode_unicode(encoding: str) -> None:
    result = _run(["assess", str(SHIPPED.relative_to(REPO)), "-f", "markdown"], encoding)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout.startswith("# LLM deployment decision: ")
    assert "&#8212;" in result.stdout


@pytest.mark.parametrize("encoding", ["ascii", "latin-1"])
def test_the_json_report_of_an_example_on_a_stdout_that_cannot_encode_unicode(encoding: str) -> None:
    result = _run(["assess", str(SHIPPED.relative_to(REPO)), "-f", "json"], encoding)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["workload"]["file"] == SHIPPED.name


@pytest.mark.parametrize("encoding", ["ascii", "latin-1"])
def test_the_json_report_of_a_unicode_name_on_a_stdout_that_cannot_encode_it(encoding: str, tmp_path: Path) -> None:
    name = "Café — Überprüfung \u201924 漢字 \u202e"
    path = tmp_path / "w.yaml"
    path.write_text(yaml.safe_dump(_workload(name, ("ä “seg”", "b…"))), encoding="utf-8")
    result = _run(["assess", str(path), "-f", "json"], encoding)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["workload"]["name"] == name


@pytest.mark.parametrize("encoding", ["ascii", "latin-1"])
def test_the_table_report_of_a_unicode_name_on_a_stdout_that_cannot_encode_it(encoding: str, tmp_path: Path) -> None:
    path = tmp_path / "w.yaml"
    path.write_text(yaml.safe_dump(_workload("Café — \u201924 漢字 \x1b[2J", ("ä “seg”", "b…"))), encoding="utf-8")
    result = _run(["assess", str(path)], encoding)
    assert result.returncode == 0, result.stderr
    assert "Caf" in result.stdout and "\\x1b[2J" in result.stdout and "\x1b" not in result.stdout


# --- catalog show and list, with an overlay entry named in markup ------------------------------------------------

OVERLAY = """\
schema_version: 1
kind: overlay
version: hostile-1
as_of: 2025-01-01
accelerators:
  - id: acme/h100-owned
    name: "[/] [link=https://evil.example]Our H100s[/link] \\e]0;t\\a \\u202e"
    vendor: NVIDIA
    accelerator_class: datacenter
    form_factor: module
    architecture: Hopper
    memory_gb: 80
    memory_type: HBM3
    memory_bandwidth_gb_per_s: 3350
    bf16_dense_tflops: 989
    tdp_w: 700
    interconnect: NVLink 4
    release_year: 2023
    source: "[bold]asset register[/] <script>x</script> | `q`"
    checked: 2025-01-01
    purchase_prices:
      - {effective_from: 2024-01-10, usd: 21000, unit: gpu, basis: negotiated, source: "PO [/] 4471", checked: 2025-01-01}
"""


@pytest.mark.parametrize("fmt", ["table", "markdown", "json"])
def test_catalog_show_of_an_overlay_entry_named_in_markup(fmt: str, test_catalog: Path, tmp_path: Path) -> None:
    overlay = tmp_path / "acme.yaml"
    overlay.write_text(OVERLAY, encoding="utf-8")
    result = CliRunner().invoke(
        app,
        [
            "catalog",
            "show",
            "acme/h100-owned",
            "-f",
            fmt,
            "--catalog-dir",
            str(test_catalog),
            "--overlay",
            str(overlay),
        ],
    )
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert [c for c in out if c != "\n" and UNSAFE.match(c)] == []
    if fmt == "table":
        assert "[/] [link=https://evil.example]Our H100s[/link] \\x1b]0;t\\x07 \\u202e" in out
        assert "[bold]asset register[/]" in out
    elif fmt == "markdown":
        assert "<" not in out and "\\[/\\]" in out and "\\|" in out
    else:
        assert json.loads(out)["entry"]["name"] == "[/] [link=https://evil.example]Our H100s[/link] \x1b]0;t\x07 \u202e"


def test_catalog_list_with_an_overlay_entry_named_in_markup(test_catalog: Path, tmp_path: Path) -> None:
    overlay = tmp_path / "acme.yaml"
    overlay.write_text(OVERLAY, encoding="utf-8")
    result = CliRunner().invoke(
        app, ["catalog", "list", "accelerators", "--catalog-dir", str(test_catalog), "--overlay", str(overlay)]
    )
    assert result.exit_code == 0, result.output
    assert "acme/h100-owned" in result.stdout
