"""The HTML report and the view model it shares with the Markdown report: escaping, links, chart coordinates,
and ``--format html`` for ``assess`` only."""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from llmdecide.api import assess
from llmdecide.catalog import Catalog, load_catalog
from llmdecide.cli import app
from llmdecide.errors import ExitCode
from llmdecide.report.html import h, render_html
from llmdecide.report.markdown import render_markdown
from llmdecide.report.report_view import report_view
from llmdecide.report.svg import line_chart_svg, nice_step, tornado_svg
from llmdecide.report.view import RECOMMENDED, Code, LineChart, Link, Rich, Strong, Table, Tornado, linked

REPO = Path(__file__).parent.parent
EXAMPLE = REPO / "examples" / "support-chatbot-two-segments.yaml"
runner = CliRunner()

HOSTILE_NAME = '<script>alert(1)</script> & "q" \u202eevil'
HOSTILE_SEGMENT = "<img src=x onerror=alert(1)> [x](javascript:alert(2))"


@pytest.fixture(scope="module")
def packaged() -> Catalog:
    return load_catalog()


@pytest.fixture(scope="module")
def hostile(packaged: Catalog, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The HTML report of an example whose workload and segment names are HTML and a bidi override."""
    data: dict[str, Any] = copy.deepcopy(yaml.safe_load(EXAMPLE.read_text(encoding="utf-8")))
    data["name"] = HOSTILE_NAME
    data["description"] = "</p><script>alert(3)</script>"
    data["segments"][0]["name"] = HOSTILE_SEGMENT
    path = tmp_path_factory.mktemp("hostile") / "w.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return render_html(assess(path, packaged))


def test_user_text_is_escaped_in_html(hostile: str) -> None:
    assert "<script" not in hostile and "<img" not in hostile and "javascript:" not in hostile.split("(javascript:")[0]
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &#34;q&#34; \\u202eevil" in hostile
    assert "&lt;img src=x onerror=alert(1)&gt;" in hostile
    assert "\u202e" not in hostile
    assert '<a href="javascript' not in hostile
    assert "&lt;/p&gt;&lt;script&gt;alert(3)&lt;/script&gt;" in hostile


def test_only_web_addresses_become_links() -> None:
    cell = linked("catalog: x (https://example.com/a_(b)); javascript:alert(1) ftp://x http://")
    assert isinstance(cell, Rich)
    links = [p for p in cell.parts if isinstance(p, Link)]
    assert links == [Link("https://example.com/a_(b)", "https://example.com/a_(b)")]
    assert "".join(p if isinstance(p, str) else p.text for p in cell.parts) == (
        "catalog: x (https://example.com/a_(b)); javascript:alert(1) ftp://x http://"
    )
    assert str(h(cell)).count("<a href=") == 1
    assert str(h(Link("x", "javascript:alert(1)"))) == "x"
    assert str(h(Link('"><b>', 'https://e.example/"><b>'))) == "&#34;&gt;&lt;b&gt;"
    assert linked("workload") == "workload"


def test_cells_render_as_their_element() -> None:
    assert str(h(Code("<a>"))) == "<code>&lt;a&gt;</code>"
    assert str(h(Strong("a&b"))) == "<strong>a&amp;b</strong>"
    assert str(h(Rich(("For ", Code("cloud"), " the cash")))) == "For <code>cloud</code> the cash"
    assert str(h("\x1b[2J")) == "\\x1b[2J"


def _view_blocks(report_html_view: Any, kind: type) -> list[Any]:
    return [b for s in report_html_view.sections for b in s.blocks if isinstance(b, kind)]


def test_html_and_markdown_say_the_same_things(packaged: Catalog) -> None:
    """Every paragraph, list item and table cell of the view is in both reports (the view is their only source)."""
    report = assess(EXAMPLE, packaged)
    view = report_view(report)
    html, markdown = render_html(report), render_markdown(report)
    tables = _view_blocks(view, Table)
    assert html.count("<table>") == len(tables) == markdown.count("\n|---")
    assert html.count('<figure class="chart"') == len(_view_blocks(view, LineChart)) + len(_view_blocks(view, Tornado))
    assert markdown.count("```mermaid\n%%{init:") == 2
    for t in tables:
        for row in t.rows:
            for cell in row:
                if isinstance(cell, str) and cell:
                    assert str(h(cell)) in html
    for section in view.sections:
        assert f"<h2>{h(section.title)}</h2>" in html and f"\n## {section.title}\n" in markdown


def test_the_recommended_plan_is_the_strong_line_and_the_legend_matches(packaged: Catalog) -> None:
    report = assess(EXAMPLE, packaged)
    chart = _view_blocks(report_view(report), LineChart)[0]
    svg = line_chart_svg(chart)
    assert svg.lines[-1].option == report.recommendation.option, "drawn last, on top"
    assert svg.lines[-1].colour == RECOMMENDED.hex and svg.lines[-1].width > svg.lines[0].width
    assert [e.colour for e in chart.legend] == [line.colour for line in chart.lines]
    assert sum(e.strong for e in chart.legend) == 1
    markdown = render_markdown(report)
    palette = re.search(r'"plotColorPalette": "([^"]+)"', markdown)
    assert palette is not None
    legend = re.findall(r"^- (?:\*\*)?\w+(?:\*\*)? `(#[0-9a-f]{6})`: `([^`]+)`", markdown, flags=re.M)
    assert [c for c, _ in legend] == palette.group(1).split(", ")
    assert [o for _, o in legend] == [s.option for s in report.cumulative_cost]


def test_chart_coordinates_stay_in_the_view_box(packaged: Catalog) -> None:
    report = assess(EXAMPLE, packaged)
    view = report_view(report)
    svg = line_chart_svg(_view_blocks(view, LineChart)[0])
    for line in svg.lines:
        for point in line.points.split():
            x, y = (float(v) for v in point.split(","))
            assert float(svg.left) <= x <= float(svg.right) and float(svg.top) <= y <= float(svg.bottom)
    assert [t.label for t in svg.y_ticks] == ["0", "200,000", "400,000", "600,000"]  # the top plan ends at 586,978
    tornado = tornado_svg(_view_blocks(view, Tornado)[0])
    for bar in tornado.bars:
        for x, width in ((bar.low_x, bar.low_width), (bar.high_x, bar.high_width)):
            assert float(x) >= 320 and float(x) + float(width) <= 960 - 84 + 0.05
    assert float(tornado.ticks[0].at) <= float(tornado.base_x) <= float(tornado.ticks[-1].at)


@pytest.mark.parametrize(("span", "step"), [(54_000, 20_000), (100, 20), (7, 2), (1_000_000, 200_000), (0, 1)])
def test_nice_step(span: float, step: float) -> None:
    assert nice_step(span) == step


def test_html_is_for_assess_only(test_catalog: Path) -> None:
    import subprocess
    import sys

    args = [
        "capacity",
        "--catalog-dir",
        str(test_catalog),
        "--model",
        "llama-3.1-8b",
        "--gpu",
        "h100-sxm",
        "-f",
        "html",
    ]
    done = subprocess.run([sys.executable, "-m", "llmdecide", *args], capture_output=True, text=True, check=False)
    assert done.returncode == ExitCode.USAGE, done.stderr
    assert "'--format'" in done.stderr and "'html' is not one of 'table', 'json', 'markdown'" in done.stderr
    assert done.stdout == ""


def test_assess_writes_an_html_file(test_catalog: Path, tmp_path: Path) -> None:
    workload = tmp_path / "w.yaml"
    workload.write_text((REPO / "examples" / "startup-mvp.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    target = tmp_path / "report.html"
    result = runner.invoke(app, ["assess", str(workload), "-f", "html", "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    text = target.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and text.rstrip().endswith("</html>")
    assert str(tmp_path) not in text
