"""Take the README's screenshots of a real ``trustlab lab --sample`` session (``make screenshots``).

Runs the command a person runs (a temporary HOME, the sample journal, nothing of this
machine's Jupyter set-up) and drives it in headless Chromium with the browser tests' own
helpers (``tests/browser``), so the pictures show what a person sees:

* ``docs/images/notebook-01.png`` and ``notebook-05.png``: a step in JupyterLab's
  single-document mode after Run All, its code hidden;
* ``docs/images/app-view-05.png``: the app view of step 5 (Voilà, ``/voila/render/...``);
* ``docs/images/report.png``: the first screen (1280 x 800) of a report made from the sample
  journal, the second of two, so its brief compares with the first.

Every process it starts is stopped at the end.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
IMAGES = ROOT / "docs" / "images"
VIEWPORT = {"width": 1280, "height": 900}
"""A laptop's window: what the README promises the notebooks fit."""

sys.path.insert(0, str(ROOT / "tests" / "browser"))

import lab  # noqa: E402
from chromium import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from test_lab_session import _environment, start_trustlab, stop  # noqa: E402


def _step(page, session, name: str, form_label: str, out: Path) -> None:
    """Open step ``name`` alone (as ``trustlab lab`` does) and run it."""
    page.goto(session.url_for(f"doc/tree/{name}"), timeout=lab.KERNEL_TIMEOUT)
    lab.notebook(page).locator(".jp-Notebook").wait_for(timeout=lab.KERNEL_TIMEOUT)
    lab.wait_for_idle_kernel(page)
    lab.run_all(page)
    page.locator("label.widget-label", has_text=form_label).first.wait_for(timeout=lab.TIMEOUT)
    page.screenshot(path=str(out))


def _app_view(page, session, name: str, form_label: str, out: Path) -> None:
    """The app view of ``name``: Voilà's page, drawn to the end, scrolled to the form."""
    page.goto(session.url_for(f"voila/render/{name}"), timeout=lab.KERNEL_TIMEOUT)
    page.locator("#rendered_cells").wait_for(state="visible", timeout=lab.KERNEL_TIMEOUT)
    field = page.locator("label.widget-label", has_text=form_label).first
    field.wait_for(timeout=lab.TIMEOUT)
    lab.chart_drawn(page, within=page.locator(".jp-Cell").filter(has=field))
    page.mouse.move(640, 450)
    page.mouse.wheel(0, 380)  # the form and the first chart
    page.wait_for_timeout(500)  # let the scroll settle before the picture
    page.screenshot(path=str(out))


def _report(browser, folder: Path, out: Path) -> None:
    """Two reports of the sample journal (July, then August, with a moment and a
    note); the first screen of the second, opened from disk with nothing else reachable."""
    from trustlab import open_journal
    from trustlab.report import export
    from trustlab.sample import write_sample

    journal = open_journal(write_sample(folder / "sample-journal"))
    export(journal, folder / "july", since="2026-07-01", until="2026-07-31")
    marbles = journal.table("marbles")
    moment = marbles[marbles["date"] >= "2026-08-20"].iloc[0]["id"]
    result = export(journal, folder / "august", since="2026-08-01", until="2026-08-31",
                    include_text=True, moment=f"marbles:{moment}",
                    note="Could we talk about how the weekend went?")
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page_url = (result.folder / "report.html").as_uri()
    context.route("**/*", lambda route: route.continue_()
                  if route.request.url == page_url else route.abort())
    page = context.new_page()
    page.goto(page_url)
    page.screenshot(path=str(out))
    context.close()


def main() -> int:
    from playwright.sync_api import sync_playwright

    folder = Path(tempfile.mkdtemp(prefix="tl-shots-"))
    runtime = Path(tempfile.mkdtemp(prefix="tl-"))
    home = folder / "home"
    home.mkdir()
    session = start_trustlab(folder / "lab.log", _environment(home, runtime), "--sample")
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                                 args=CHROMIUM_ARGS)
            context = browser.new_context(viewport=VIEWPORT)
            # Offline, as a person's session is: only this machine.
            context.route("**/*", lambda route: route.continue_()
                          if route.request.url.startswith(session.url) else route.abort())
            page = context.new_page()
            _step(page, session, "01_roots_of_distrust.ipynb", "Situation",
                  IMAGES / "notebook-01.png")
            _step(page, session, "05_marble_jar.ipynb", "The moment", IMAGES / "notebook-05.png")
            _app_view(page, session, "05_marble_jar.ipynb", "The moment",
                      IMAGES / "app-view-05.png")
            _report(browser, folder, IMAGES / "report.png")
            browser.close()
    finally:
        left = stop(session)
        shutil.rmtree(runtime, ignore_errors=True)
        shutil.rmtree(folder, ignore_errors=True)
    for name in ("notebook-01.png", "notebook-05.png", "app-view-05.png", "report.png"):
        print(f"wrote {IMAGES / name}")
    if left:
        print(f"had to stop: {left}", file=sys.stderr)
    return 1 if left else 0


if __name__ == "__main__":
    raise SystemExit(main())
