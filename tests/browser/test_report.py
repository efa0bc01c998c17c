"""report.html in headless Chromium: offline, static, and readable with assistive technology.

Every request the page makes is routed and recorded (only the file itself may
load), JavaScript is on (so a script that slipped through would run and be
seen) with the page's own Content Security Policy in force, and a second look
is taken with JavaScript off. Accessibility: heading order, an accessible name
for every chart, header cells in every table, and axe-core's rules when npm can
fetch axe-core into a temporary folder.

Playwright runs in a thread of its own, so these tests neither need nor disturb
the JupyterLab fixtures of this folder's conftest.py.
"""

from __future__ import annotations

import concurrent.futures
import itertools
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from chromium import CHROMIUM, CHROMIUM_ARGS, unavailable

from trustlab import open_journal
from trustlab.report import ALL, export
from trustlab.sample import write_sample

pytestmark = pytest.mark.browser

SCRIPT = "<script>alert('script ran')</script>"
IMG = "<img src=x onerror=alert('onerror ran')>"
CHARTS = 9


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    """A report of the sample journal with words included and markup planted in them."""
    base = tmp_path_factory.mktemp("browser-report")
    journal = open_journal(write_sample(base / "journal"))
    journal.add(
        "marbles",
        date="2026-08-30",
        person="Sam",
        marbles=1,
        moment=f"{SCRIPT} and {IMG}",
        braving="vault",
    )
    result = export(journal, base / "report", include_text=True, note=f"Hello {SCRIPT}{IMG}")
    return result.folder / "report.html"


@pytest.fixture(scope="module")
def control(tmp_path_factory) -> Path:
    """A page that does everything the report must not: it shows the checks can fail."""
    page = tmp_path_factory.mktemp("browser-control") / "bad.html"
    page.write_text(
        f"<!DOCTYPE html><html><body>{SCRIPT}{IMG}"
        "<link rel=stylesheet href='https://example.com/x.css'></body></html>",
        "utf-8",
    )
    return page


@pytest.fixture(scope="module")
def axe_script(tmp_path_factory) -> str | None:
    """axe-core's axe.min.js, installed with npm into a temporary folder (None if npm can't)."""
    npm = shutil.which("npm")
    if npm is None:
        return None
    folder = tmp_path_factory.mktemp("axe")
    try:
        subprocess.run(
            [
                npm,
                "install",
                "--no-save",
                "--no-audit",
                "--no-fund",
                "--ignore-scripts",
                "--prefix",
                str(folder),
                "axe-core@4",
            ],
            check=True,
            capture_output=True,
            timeout=180,
        )
    except (subprocess.SubprocessError, OSError):
        return None
    script = folder / "node_modules" / "axe-core" / "axe.min.js"
    return script.read_text("utf-8") if script.is_file() else None


@pytest.fixture(scope="module")
def seen(report, control, axe_script) -> dict[str, Any]:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        unavailable("the Python package playwright is not installed")
    if not os.access(CHROMIUM, os.X_OK):
        unavailable(f"{CHROMIUM} not found")
    with concurrent.futures.ThreadPoolExecutor(1) as worker:
        found = worker.submit(_look, report, control, axe_script).result(timeout=300)
    if "launch_error" in found:
        unavailable(f"Chromium did not start: {found['launch_error']}")
    return found


_CHARTS_JS = """() => [...document.querySelectorAll('figure svg')].map(svg => {
  const box = svg.getBoundingClientRect();
  const style = getComputedStyle(svg);
  const labelled = svg.getAttribute('aria-labelledby');
  const title = labelled && document.getElementById(labelled);
  return {width: box.width, height: box.height, visible: style.visibility === 'visible'
          && style.display !== 'none', role: svg.getAttribute('role'),
          name: title ? title.textContent : (svg.getAttribute('aria-label') || ''),
          marks: svg.querySelectorAll('path, rect, line, text').length};
})"""

_TABLES_JS = """() => [...document.querySelectorAll('table')].map(t => ({
  caption: t.caption ? t.caption.textContent : '',
  columns: t.querySelectorAll('thead th[scope=col]').length,
  cells: t.querySelector('thead tr') ? t.querySelector('thead tr').children.length : 0,
  rows: t.querySelectorAll('tbody tr').length,
  row_headers: t.querySelectorAll('tbody th[scope=row]').length,
}))"""

_AXE_JS = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                     nodes: v.nodes.slice(0, 3).map(n => n.target)}));
}"""


def _visit(browser, path: Path, **context: Any) -> tuple[Any, Any, dict[str, list]]:
    """Open ``path`` in a new context with every request routed: only the file may load."""
    ctx = browser.new_context(
        viewport={"width": 1000, "height": 1400}, service_workers="block", **context
    )
    log: dict[str, list] = {"requests": [], "dialogs": [], "console": []}
    url = path.resolve().as_uri()

    def route(r: Any) -> None:
        log["requests"].append(r.request.url)
        if r.request.url == url:
            r.continue_()
        else:
            r.abort("blockedbyclient")

    ctx.route("**/*", route)
    page = ctx.new_page()
    page.on("dialog", lambda d: (log["dialogs"].append(d.message), d.dismiss()))
    page.on("console", lambda m: log["console"].append(m.text))
    page.on("pageerror", lambda e: log["console"].append(str(e)))
    page.goto(url, wait_until="load")
    page.wait_for_timeout(300)
    return ctx, page, log


_FIRST_SCREEN_JS = """() => {
  const brief = document.querySelector('section.brief').getBoundingClientRect();
  const h2 = [...document.querySelectorAll('h2')].map(h => h.textContent);
  return {brief_top: brief.top, brief_bottom: brief.bottom, first_h2: h2[0],
          height: window.innerHeight};
}"""


def _open_every_step(page: Any) -> None:
    """Click each folded step's heading, as a coach would (a native <details>)."""
    for summary in page.locator("details > summary").all():
        summary.click()


def _visible_charts(page: Any) -> int:
    charts = page.locator("figure svg")
    return sum(charts.nth(i).is_visible() for i in range(charts.count()))


def _look(report: Path, control: Path, axe_script: str | None) -> dict[str, Any]:
    from playwright.sync_api import Error, sync_playwright

    found: dict[str, Any] = {}
    with sync_playwright() as playwright:
        try:
            browser = playwright.chromium.launch(
                executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
            )
        except Error as error:
            return {"launch_error": str(error)}
        try:
            ctx, page, log = _visit(browser, report)
            # The first screen a coach sees (1280 x 800): the brief, all of it; each
            # step's detail folded until its heading is clicked (no JavaScript needed).
            page.set_viewport_size({"width": 1280, "height": 800})
            found["first_screen"] = page.evaluate(_FIRST_SCREEN_JS)
            page.set_viewport_size({"width": 1000, "height": 1400})
            found["folded"] = {
                "details": page.locator("details").count(),
                "open": page.locator("details[open]").count(),
                "visible_charts": _visible_charts(page),
            }
            _open_every_step(page)
            found["js"] = {
                **log,
                "scripts": page.locator("script").count(),
                "images": page.locator("img").count(),
                "iframes": page.locator("iframe").count(),
                "charts": page.evaluate(_CHARTS_JS),
                "headings": page.evaluate(
                    "() => [...document.querySelectorAll('h1,h2,h3,h4,h5,h6')]"
                    ".map(h => Number(h.tagName[1]))"
                ),
                "tables": page.evaluate(_TABLES_JS),
                "text": page.inner_text("body"),
                "lang": page.evaluate("() => document.documentElement.lang"),
            }
            ctx.close()
            ctx, page, log = _visit(browser, report, java_script_enabled=False)
            _open_every_step(page)
            found["no_js"] = {**log, "visible_charts": _visible_charts(page)}
            ctx.close()
            ctx, page, log = _visit(browser, control)
            found["control"] = log
            ctx.close()
            if axe_script is not None:
                # axe is a script: the page's policy forbids it, so this look bypasses it.
                ctx, page, _ = _visit(browser, report, bypass_csp=True)
                _open_every_step(page)
                page.add_script_tag(content=axe_script)
                found["axe"] = page.evaluate(_AXE_JS)
                ctx.close()
        finally:
            browser.close()
    return found


def test_the_checks_can_fail(seen):
    control = seen["control"]
    assert control["dialogs"], "a script on the control page should have run"
    assert any(u.startswith("https://example.com") for u in control["requests"])


def test_no_request_leaves_the_page(seen, report):
    own = report.resolve().as_uri()
    assert seen["js"]["requests"] == [own]
    assert seen["no_js"]["requests"] == [own]


def test_no_script_runs(seen):
    js = seen["js"]
    assert js["dialogs"] == []
    assert js["scripts"] == 0 and js["images"] == 0 and js["iframes"] == 0
    assert not [m for m in js["console"] if "Content Security Policy" in m], js["console"]
    # The planted markup is there, as text anyone can read.
    assert SCRIPT in js["text"] and IMG in js["text"]


def test_the_brief_is_the_first_screen_and_the_steps_are_folded(seen):
    first = seen["first_screen"]
    assert first["first_h2"] == "In brief"
    assert first["brief_top"] > 0 and first["brief_bottom"] <= first["height"], first
    folded = seen["folded"]
    assert folded["details"] == len(ALL) and folded["open"] == 0
    assert folded["visible_charts"] == 0  # nothing in a folded step is drawn


def test_every_chart_is_a_visible_svg(seen):
    charts = seen["js"]["charts"]
    assert len(charts) == CHARTS
    for chart in charts:
        assert chart["visible"] and chart["width"] > 200 and chart["height"] > 100, chart
        assert chart["marks"] > 10, chart
    assert seen["no_js"]["visible_charts"] == CHARTS


def test_headings_are_in_order(seen):
    levels = seen["js"]["headings"]
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(b <= a + 1 for a, b in itertools.pairwise(levels)), levels
    assert seen["js"]["lang"] == "en"


def test_every_chart_has_an_accessible_name(seen):
    for chart in seen["js"]["charts"]:
        assert chart["role"] == "img"
        assert len(chart["name"]) > 40, chart["name"]


def test_tables_have_captions_and_header_cells(seen):
    tables = seen["js"]["tables"]
    assert len(tables) >= 10
    for table in tables:
        assert table["caption"]
        assert table["columns"] == table["cells"] > 1
        assert table["row_headers"] == table["rows"]


def test_axe_finds_no_violations(seen):
    if "axe" not in seen:
        pytest.skip(
            "npm could not install axe-core into a temporary folder; the heading, "
            "chart-name and table checks above still ran"
        )
    assert seen["axe"] == []
