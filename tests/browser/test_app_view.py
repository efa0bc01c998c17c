"""The app view: a guided notebook as a plain page, with Voilà, on ``trustlab lab``'s server.

``trustlab lab`` serves each notebook of the person's workspace at ``/voila/render/NAME`` as
well: the words, the forms and the charts, with no code and nothing to edit. These tests run
the real command as a person would (a temp HOME, a temp journal, the token read from its
log) and drive it in headless Chromium that may reach only this machine:

* JupyterLab opens the person's copies as trusted (trustlab signs them), so Voilà's own
  "Render with Voilà" button asks nothing, and ``00_start_here`` links the app views with
  addresses that work from inside JupyterLab (the token is then in a cookie);
* the app view of step 5 shows the marble form without a line of code, loads nothing from
  the internet, and saves a marble into the journal's marbles.csv.

Every process is stopped at the end, and none may be left over.
"""

from __future__ import annotations

import csv
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import lab
import pytest
from test_lab_session import ROOT, Session, expose_app_in_browser, start_trustlab, stop

PERSON = "Sam Okafor"
"""Someone in the journal's people.csv: the marble form only takes a person it knows."""
MOMENT = "Called back the same evening, as promised (app view 4711)"
APP_VIEW = "/voila/render/05_marble_jar.ipynb"
"""The app view of step 5, as 00_start_here links it."""
_NO_CODE = ", ".join([
    ".jp-CodeCell .jp-InputArea",  # a code cell's source
    ".jp-InputArea-editor", ".cm-editor", ".CodeMirror",  # an editor of any kind
    ".jp-NotebookPanel", ".jp-Toolbar", ".lm-MenuBar",  # a notebook, its toolbar, menus
])  # fmt: skip


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Session, Path]]:
    """``trustlab lab --journal JOURNAL`` (a temp HOME; PERSON in people.csv); stopped, with
    its kernels, at the end: no process may be left over."""
    pytest.importorskip("psutil")
    folder = tmp_path_factory.mktemp("app-view")
    home, journal = folder / "home", folder / "journal"
    home.mkdir()
    journal.mkdir(mode=0o700)
    (journal / "people.csv").write_text(
        f"person,relationship,era,note\n{PERSON},friend,present,\n", "utf-8")
    # Kernels' IPC sockets live in the runtime folder; a socket's path must be short.
    runtime = Path(tempfile.mkdtemp(prefix="tl-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "TRUSTLAB"))}
    env.update(HOME=str(home), JUPYTER_RUNTIME_DIR=str(runtime), PYTHONUNBUFFERED="1",
               PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")])))
    expose_app_in_browser(home)  # as test_lab_session: lab.py reads the notebook's model
    session = start_trustlab(folder / "lab.log", env, "--journal", str(journal))
    try:
        yield session, journal
        left = stop(session)
        assert left == [], f"left running: {left}\n{session.log_text()[-20000:]}"
        assert "not trusted" not in session.log_text()  # JupyterLab read only trusted copies
    finally:
        stop(session)
        shutil.rmtree(runtime, ignore_errors=True)


@pytest.fixture(autouse=True)
def _log_on_failure(request: pytest.FixtureRequest, app: tuple[Session, Path]) -> Iterator[None]:
    """A failing test's report ends with trustlab lab's log (conftest marks the failure)."""
    yield
    if getattr(getattr(request.node, "_report_call", None), "failed", False):
        print(f"--- trustlab lab's log ({app[0].log}):\n{app[0].log_text()[-20000:]}")


def test_jupyterlab_trusts_the_copies_and_links_the_app_views(app, browser_page,
                                                              blocked_requests):
    session, _ = app
    page = browser_page
    lab.open_notebook(page, session, "00_start_here.ipynb")
    # JupyterLab's status bar: every code cell trusted (no "Notebook not trusted")
    status = page.locator("[title^='Notebook trusted:']")
    status.first.wait_for(timeout=lab.TIMEOUT)
    assert page.locator("[title*='not trusted' i]").count() == 0

    # Voilà's "Render with Voilà" button asks nothing about an untrusted notebook
    lab.notebook(page).get_by_title("Render with Voilà").first.click()
    preview = page.locator("iframe[src*='voila/render/00_start_here.ipynb']")
    untrusted = page.locator(".jp-Dialog", has_text="Untrusted notebook")
    preview.or_(untrusted).first.wait_for(timeout=lab.KERNEL_TIMEOUT)
    assert untrusted.count() == 0 and preview.count() == 1
    # (drawn to the end: a page Voilà is still rendering keeps the server from stopping)
    rendered = page.frame_locator("iframe[src*='voila/render/00_start_here.ipynb']")
    rendered.locator("#rendered_cells").wait_for(state="visible", timeout=lab.KERNEL_TIMEOUT)

    # 00_start_here links each step's app view; it opens in a new tab, signed in by cookie
    notebook = lab.notebook(page)
    link = notebook.locator(f".jp-RenderedMarkdown a[href='{APP_VIEW}']")
    assert link.count() == 1 and link.get_attribute("target") == "_blank"
    hrefs = notebook.locator(".jp-RenderedMarkdown a[href^='/voila/render/']")
    names = {Path(h).name for h in hrefs.evaluate_all("links => links.map(a => a.href)")}
    assert names <= {p.name for p in (ROOT / "notebooks").glob("*.ipynb")} and len(names) == 6
    with page.context.expect_page(timeout=lab.TIMEOUT) as opened:
        link.click()
    view = opened.value
    try:
        marble_form(view)
        assert view.url == f"{session.url}{APP_VIEW}"  # no token in the address
        assert_no_code(view)
    finally:
        view.close(run_before_unload=True)  # Voilà shuts its kernel down
    assert blocked_requests == []


@pytest.mark.timeout(900)
def test_the_app_view_shows_the_marble_form_without_code_and_saves(
    app, browser_page, blocked_requests, artifacts
):
    session, journal = app
    page = browser_page
    page.goto(session.url_for(APP_VIEW), timeout=lab.KERNEL_TIMEOUT)
    form = marble_form(page)

    assert_no_code(page)
    assert "Add or take marbles" in page.locator("body").inner_text()

    lab.set_date(page, "Date", "2026-09-06", within=form)
    lab.fill_text(page, "Person", PERSON, within=form)
    lab.set_slider(page, "Marbles", 2, within=form)
    lab.fill_text(page, "The moment", MOMENT, within=form)
    lab.choose_dropdown(page, "BRAVING element", "reliability", within=form)
    jar = lab.chart_drawn(page, within=form)
    lab.click_button(page, "Save", within=form)
    lab.wait_for_text(page, "Saved in your journal", within=form, timeout=lab.KERNEL_TIMEOUT)
    lab.chart_drawn(page, within=form, replacing=jar)  # the jar, drawn again with the marble
    lab.screenshot(page, artifacts / "app_view_05.png")

    rows = [row for row in read_csv(journal / "marbles.csv") if row["moment"] == MOMENT]
    assert [{k: row[k] for k in ("date", "person", "marbles", "braving")} for row in rows] == [
        {"date": "2026-09-06", "person": PERSON, "marbles": "2", "braving": "reliability"}]
    assert rows[0]["id"]
    assert_no_code(page)  # still none after the page redrew
    assert blocked_requests == []


def marble_form(page: Any) -> Any:
    """The output of the app view's marble jar cell (its form), once Voilà has drawn the
    whole page."""
    page.locator("#rendered_cells").wait_for(state="visible", timeout=lab.KERNEL_TIMEOUT)
    label = page.locator("label.widget-label", has_text=re.compile(r"^\s*The moment\s*$"))
    form = page.locator(".jp-Cell").filter(has=label)
    form.locator("button.widget-button", has_text="Save").first.wait_for(timeout=lab.TIMEOUT)
    return form


def assert_no_code(page: Any) -> None:
    """No code on the page: no sources, editors or prompts, no notebook, toolbar or menu."""
    assert page.locator(_NO_CODE).count() == 0, "code or notebook controls in the app view"
    prompts = page.locator(".jp-InputPrompt, .jp-OutputPrompt").all_inner_texts()
    assert not any(p.strip() for p in prompts), prompts  # no In [1]: / Out [1]:
    text = page.locator("body").inner_text()
    assert "Step 5" in text
    assert not re.search(r"\bimport\b|workbook\.|journal = |charts=", text), text


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as file:
        return list(csv.DictReader(file))
