"""The golden HTML reports in a real browser: headless Chromium renders each at 1280 px and prints it.

Each example's page is loaded with the network cut off, screenshotted (kept under $LLMDECIDE_SCREENSHOT_DIR, or
a temporary folder the run prints), and read back from the rendered DOM: the headline, every table and every
chart is there and visible, nothing runs past the right edge, every chart's legend shows the colours it draws,
no chart's text is cut off; under print media every section starts a page, and the PDF Chromium prints has
a page per section at least. One browser serves every example.

Chromium is Debian's ``chromium`` package (``/usr/bin/chromium``, or $LLMDECIDE_CHROMIUM), driven through
Playwright (a dev dependency); without Chromium the tests are skipped, saying why.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import struct
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).parent.parent
EXAMPLES = sorted((REPO / "examples").glob("*.yaml"))
GOLDEN = Path(__file__).parent / "golden"
WIDTH = 1280
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def chromium() -> Path | None:
    """The Chromium to drive: $LLMDECIDE_CHROMIUM, /usr/bin/chromium, or chromium on the PATH."""
    for candidate in (os.environ.get("LLMDECIDE_CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium")):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return Path(candidate)
    return None


@pytest.fixture(scope="module")
def screenshots(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Iterator[Path]:
    """Where the screenshots go; the run says where, at its end."""
    given = os.environ.get("LLMDECIDE_SCREENSHOT_DIR")
    folder = Path(given) if given else tmp_path_factory.mktemp("html-screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    yield folder
    shots = sorted(folder.glob("*.png"))
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is not None and capture is not None and shots:
        with capture.global_and_fixture_disabled():
            reporter.write_line(f"\nHTML report screenshots ({len(shots)}, {WIDTH} px wide): {folder}")


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, list[str]]]:
    """One headless Chromium with a fresh profile and no network; the addresses anything tried to load."""
    executable = chromium()
    if executable is None:
        pytest.skip(
            "Chromium not found ($LLMDECIDE_CHROMIUM, /usr/bin/chromium, chromium on the PATH): "
            "install Debian's chromium package (apt-get install chromium) to check the HTML reports in a browser"
        )
    from playwright.sync_api import Route, sync_playwright

    fetched: list[str] = []

    def refuse(route: Route) -> None:
        url = route.request.url
        if url.startswith("file://"):
            route.continue_()
        else:
            fetched.append(url)
            route.abort()

    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")),
            executable_path=str(executable),
            headless=True,
            args=ARGS,
            viewport={"width": WIDTH, "height": 900},
            java_script_enabled=False,
        )
        context.route("**/*", refuse)
        try:
            yield context, fetched
        finally:
            context.close()


DOM = """() => {
  const vw = window.innerWidth;
  const box = e => {
    const r = e.getBoundingClientRect(), s = getComputedStyle(e);
    return {width: r.width, height: r.height, left: r.left, right: r.right,
            shown: s.display !== 'none' && s.visibility !== 'hidden' && Number(s.opacity) > 0};
  };
  const clipped = svg => {
    const b = svg.getBoundingClientRect();
    return [...svg.querySelectorAll('text')].filter(t => {
      const r = t.getBoundingClientRect();
      return r.left < b.left - 1 || r.right > b.right + 1 || r.top < b.top - 1 || r.bottom > b.bottom + 1;
    }).map(t => t.textContent);
  };
  const headline = document.querySelector('.decision .headline');
  return {
    vw,
    scrollWidth: document.documentElement.scrollWidth,
    headline: headline ? {...box(headline), text: headline.innerText} : null,
    tables: [...document.querySelectorAll('table')].map(box),
    charts: [...document.querySelectorAll('figure.chart > svg')].map(svg => ({...box(svg), clipped: clipped(svg)})),
    figures: [...document.querySelectorAll('figure.chart')].map(f => ({
      drawn: [...f.querySelectorAll('svg:not(.swatch) polyline, svg:not(.swatch) rect, svg:not(.swatch) line.base')]
        .map(e => e.getAttribute('stroke') || e.getAttribute('fill')),
      lines: [...f.querySelectorAll('polyline')].map(p => [p.dataset.option, p.getAttribute('stroke')]),
      legend: [...f.querySelectorAll('.legend li')].map(li => [
        li.querySelector('code') ? li.querySelector('code').textContent : null,
        li.querySelector('.swatch line').getAttribute('stroke')]),
    })),
    overflowing: [...document.querySelectorAll('body *')]
      .filter(e => e.getBoundingClientRect().right > vw + 0.5 || e.getBoundingClientRect().left < -0.5)
      .map(e => e.tagName + '.' + e.getAttribute('class')).slice(0, 5),
    scripts: document.scripts.length,
    sections: document.querySelectorAll('section.section').length,
  };
}"""

PRINT = """() => [...document.querySelectorAll('section.section')].map(s => getComputedStyle(s).breakBefore)"""


def png_size(path: Path) -> tuple[int, int]:
    """Width and height of a PNG, from its header."""
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", header[16:24])
    return width, height


@pytest.mark.parametrize("example", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_html_report_in_chromium(example: Path, browser: tuple[Any, list[str]], screenshots: Path) -> None:
    context, fetched = browser
    html = GOLDEN / f"{example.stem}.html"
    markdown = (GOLDEN / f"{example.stem}.md").read_text(encoding="utf-8")
    decision = json.loads((GOLDEN / f"{example.stem}.json").read_text(encoding="utf-8"))["recommendation"]["decision"]
    page = context.new_page()
    try:
        page.goto(html.as_uri(), wait_until="load")
        shot = screenshots / f"{example.stem}.png"
        page.screenshot(path=str(shot), full_page=True)
        dom = page.evaluate(DOM)

        page.emulate_media(media="print")
        breaks = page.evaluate(PRINT)
        pdf = page.pdf(prefer_css_page_size=True)
    finally:
        page.close()

    assert fetched == [], f"the page tried to load {fetched}"
    assert dom["scripts"] == 0
    assert png_size(shot)[0] == WIDTH and shot.stat().st_size > 10_000

    head = dom["headline"]
    assert head is not None and head["shown"] and head["width"] > 0 and head["height"] > 0
    assert head["text"].startswith(f"Recommendation: {decision}")

    assert len(dom["tables"]) == markdown.count("\n|---") > 0, "every table of the report is on the page"
    assert len(dom["charts"]) == markdown.count("```mermaid"), "every chart of the report is on the page"
    for element in [*dom["tables"], *dom["charts"]]:
        assert element["shown"] and element["width"] > 0 and element["height"] > 0
        assert element["left"] >= 0 and element["right"] <= WIDTH
    for chart in dom["charts"]:
        assert chart["clipped"] == [], "chart text runs outside its chart"
    assert dom["scrollWidth"] <= WIDTH and dom["overflowing"] == []

    for figure in dom["figures"]:
        swatches = {colour for _, colour in figure["legend"]}
        assert set(figure["drawn"]) <= swatches, "every colour a chart draws is in its legend"
        if figure["lines"]:
            assert sorted(figure["lines"]) == sorted(figure["legend"]), "each plan's line has its own legend entry"

    assert len(breaks) == dom["sections"] > 0 and set(breaks) == {"page"}, (
        "under print media each section starts a page"
    )
    pages = len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf))
    assert pages >= dom["sections"] + 1, f"{pages} printed pages for {dom['sections']} sections and the headline"
