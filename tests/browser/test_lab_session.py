"""A real ``trustlab lab`` session: what the person writes never lands in the repository.

JupyterLab saves outputs (names, what the person typed, widget views) into every notebook it
serves, and keeps copies in ``.ipynb_checkpoints/``. So ``trustlab lab`` must serve the
person's own copies from their journal, never the repository's ``notebooks/``. This test runs
the real command, as a person would, with a temp HOME: it opens steps 1 to 5 in
Chromium, saves an entry in each and writes a note in each with words found nowhere else,
saves the notebooks, stops trustlab, and checks that the words are in the journal and the
person's copies but nowhere in the repository; then that ``trustlab lab --sample`` (same HOME)
serves none of them either, and opens on the first notebook in single-document mode, without
the Launcher.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import lab
import pytest

ROOT = Path(__file__).resolve().parents[2]
"""The repository (the checkout whose trustlab is tested)."""
WORDS = "zebra-unique-words-4711"
"""What the person writes: found nowhere in the repository before this test."""
STARTUP = 120.0  # seconds for trustlab to start JupyterLab on a slow, busy machine
STOP = 60.0  # seconds for JupyterLab to stop its kernels and exit after SIGTERM


@dataclass
class Session:
    """A running ``trustlab lab``: its address, token, log and process."""

    url: str
    token: str
    log: Path
    process: subprocess.Popen = field(repr=False)

    def url_for(self, path: str) -> str:
        """The address of ``path`` with the token (as ``lab.open_notebook`` expects)."""
        sep = "&" if "?" in path else "?"
        return f"{self.url}/{path.lstrip('/')}{sep}token={self.token}"

    def api(self, path: str, timeout: float = 30.0) -> Any:
        """GET ``api/<path>`` and decode its JSON."""
        request = urllib.request.Request(
            f"{self.url}/api/{path.lstrip('/')}", headers={"Authorization": f"token {self.token}"}
        )
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return json.load(response)

    def log_text(self) -> str:
        return self.log.read_text("utf-8", errors="replace")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _environment(home: Path, runtime: Path) -> dict[str, str]:
    """The person's environment, with a temp HOME and none of this machine's Jupyter setup.

    PYTHONPATH puts this checkout's trustlab first (for trustlab and its kernels alike).
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "TRUSTLAB"))}
    path = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env.update(HOME=str(home), JUPYTER_RUNTIME_DIR=str(runtime), PYTHONPATH=path,
               PYTHONUNBUFFERED="1")
    expose_app_in_browser(home)
    return env


def expose_app_in_browser(home: Path) -> None:
    """Give the page window.jupyterapp, which the helpers in lab.py read the notebook from.

    The test's own Jupyter configuration, in its temp HOME (as a person's ~/.jupyter):
    trustlab itself writes no configuration.
    """
    config = home / ".jupyter"
    config.mkdir(parents=True, exist_ok=True)
    (config / "jupyter_server_config.json").write_text(
        '{"LabApp": {"expose_app_in_browser": true}}', "utf-8")


def start_trustlab(log: Path, env: dict[str, str], *args: str) -> Session:
    """Run ``trustlab lab --no-browser ARGS`` on a free port; wait until it answers."""
    port = _free_port()
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "trustlab.cli", "lab", "--no-browser", "--port", str(port),
             *args],
            stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT, env=env,
        )  # fmt: skip
    session = Session(url=f"http://127.0.0.1:{port}", token="", log=log, process=process)
    # trustlab prints the address with the session's token: the only place to read it.
    printed = re.compile(rf"http://127\.0\.0\.1:{port}/[^\s?]*\?token=(\w+)")
    deadline = time.monotonic() + STARTUP
    while True:
        found = printed.search(session.log_text())
        if found:
            session.token = found.group(1)
            with contextlib.suppress(OSError, ValueError):
                session.api("status", timeout=5)
                return session
        if process.poll() is not None or time.monotonic() > deadline:
            stop(session)
            raise AssertionError(f"trustlab lab did not start:\n{session.log_text()}")
        time.sleep(0.25)  # polling the log and the server, not waiting a fixed time


def _tree(pid: int) -> list[Any]:
    import psutil

    with contextlib.suppress(psutil.Error):
        return psutil.Process(pid).children(recursive=True)
    return []


def stop(session: Session) -> list[str]:
    """Stop trustlab as a person would (SIGTERM) and wait for JupyterLab and its kernels.

    trustlab passes SIGTERM on to JupyterLab, which shuts its kernels down. Returns the
    processes still running after that (they are killed, so none is ever left behind).
    """
    import psutil

    children = _tree(session.process.pid)
    if session.process.poll() is None:
        session.process.terminate()
        try:
            session.process.wait(timeout=STOP)
        except subprocess.TimeoutExpired:
            session.process.kill()
            session.process.wait(timeout=STOP)
    _, alive = psutil.wait_procs(children, timeout=STOP)
    left = []
    for proc in alive:
        with contextlib.suppress(psutil.Error):
            left.append(f"{proc.pid} {' '.join(proc.cmdline()[:4])}")
            proc.kill()
    return left


def git_status() -> str:
    """The repository's ``git status``, untracked files listed one by one.

    ``--no-optional-locks``: looking must not rewrite the index others are working with.
    """
    return subprocess.run(
        ["git", "--no-optional-locks", "status", "--porcelain", "--untracked-files=all"],
        cwd=ROOT, capture_output=True, text=True, check=True, timeout=120,
    ).stdout  # fmt: skip


def files_containing(folder: Path, words: str) -> list[Path]:
    """Every file under ``folder`` (hidden ones and checkpoints too) that contains ``words``."""
    needle = words.encode("utf-8")
    return sorted(
        path for path in folder.rglob("*")
        if path.is_file() and not path.is_symlink() and needle in path.read_bytes()
    )  # fmt: skip


def save_notebook(page: Any, session: Session, name: str) -> None:
    """Ctrl+S in the notebook in view; wait until the server has saved it and JupyterLab shows
    no unsaved change."""

    def saved_at() -> str:
        return session.api(f"contents/{urllib.parse.quote(name)}?content=0")["last_modified"]

    before = saved_at()
    # Select a cell (command mode) so that Ctrl+S goes to the notebook, not to a form field.
    lab.notebook(page).locator(".jp-Cell .jp-InputPrompt").first.click()
    page.keyboard.press("Control+s")
    dirty = page.locator(".lm-TabBar-tab.jp-mod-current.jp-mod-dirty")
    deadline = time.monotonic() + lab.TIMEOUT / 1000
    while saved_at() == before or dirty.count():
        assert time.monotonic() < deadline, f"{name} was not saved"
        page.wait_for_timeout(100)  # not time.sleep: keep Playwright's events flowing


def fill_trigger(page: Any) -> None:
    """Step 1: one trigger, its situation written in the distinctive words."""
    form = lab.cell_output(page, 'workbook.section(journal, "triggers"')
    lab.set_date(page, "Date", "2026-09-02", within=form)
    lab.fill_text(page, "Situation", f"{WORDS} at dinner", within=form)
    lab.choose_toggle(page, "Where it comes from", "childhood", within=form)
    lab.fill_text(page, "Mine to own", f"{WORDS} mine", within=form)
    lab.click_button(page, "Save", within=form)
    lab.wait_for_text(page, "Saved in your journal", within=form)


def fill_quality(page: Any) -> None:
    """Step 2: a quality that matters, in the distinctive words."""
    form = lab.cell_output(page, 'workbook.section(journal, "qualities")')
    lab.fill_text(page, "Quality", f"{WORDS} patience", within=form)
    lab.fill_text(page, "Why it matters", f"{WORDS} why", within=form)
    lab.click_button(page, "Save", within=form)
    lab.wait_for_text(page, "Saved in your journal", within=form)


def fill_promise(page: Any) -> None:
    """Step 3: a promise to myself."""
    form = lab.cell_output(page, 'workbook.section(journal, "promises")')
    lab.set_date(page, "Date", "2026-09-04", within=form)
    lab.fill_text(page, "Promise", f"{WORDS} rest", within=form)
    lab.click_button(page, "Save", within=form)
    lab.wait_for_text(page, "Saved in your journal", within=form)


def fill_belief(page: Any) -> None:
    """Step 4: a thought record."""
    form = lab.cell_output(page, 'workbook.section(journal, "beliefs"')
    lab.set_date(page, "Date", "2026-09-05", within=form)
    lab.fill_text(page, "Belief", f"{WORDS} belief", within=form)
    lab.set_slider(page, "How true it feels (before)", 70, within=form)
    lab.click_button(page, "Save", within=form)
    lab.wait_for_text(page, "Saved in your journal", within=form)


def fill_marble(page: Any) -> None:
    """Step 5: one marble for a person named in the distinctive words."""
    form = lab.cell_output(page, 'workbook.section(journal, "marbles"')
    lab.set_date(page, "Date", "2026-09-06", within=form)
    lab.fill_text(page, "Person", WORDS, within=form)
    lab.set_slider(page, "Marbles", 2, within=form)
    lab.fill_text(page, "The moment", f"{WORDS} called back", within=form)
    lab.click_button(page, "Save", within=form)
    lab.wait_for_text(page, "Saved in your journal", within=form)


def write_note(page: Any, text: str) -> None:
    """The person writes a note of their own in a new Markdown cell at the end (as people do
    in notebooks: it is saved in the notebook's sources, wherever JupyterLab saves it)."""
    cells = lab.notebook(page).locator(".jp-Cell")
    cells.last.locator(".jp-InputPrompt").click()  # select the last cell: command mode
    page.keyboard.press("b")  # a new cell below it
    page.keyboard.press("m")  # ... a Markdown cell
    page.keyboard.press("Enter")  # edit it
    page.keyboard.type(text)
    page.keyboard.press("Control+Enter")  # render it (Shift+Enter would add another cell)
    rendered = lab.notebook(page).locator(".jp-MarkdownCell .jp-RenderedMarkdown")
    rendered.filter(has_text=text).wait_for(timeout=lab.TIMEOUT)


def check_single_document(page: Any, session: Session, artifacts: Path) -> None:
    """The address trustlab opens shows 00_start_here alone: no Launcher, no other tab."""
    page.goto(session.url_for(""), timeout=lab.KERNEL_TIMEOUT)
    lab.notebook(page).locator(".jp-Notebook").wait_for(timeout=lab.KERNEL_TIMEOUT)
    lab.wait_for_idle_kernel(page)  # by now JupyterLab has restored its layout
    assert urllib.parse.urlparse(page.url).path == "/doc/tree/00_start_here.ipynb", page.url
    assert page.locator(".jp-LabShell").get_attribute("data-shell-mode") == "single-document"
    assert page.locator(".jp-Launcher").filter(visible=True).count() == 0
    # single-document mode's title bar names the one document shown
    assert page.locator("#jp-title-panel-title input").input_value() == "00_start_here.ipynb"
    heading = lab.notebook(page).locator(".jp-RenderedMarkdown h1").first
    heading.wait_for(timeout=lab.TIMEOUT)
    assert "Welcome to trustlab" in heading.inner_text()
    lab.screenshot(page, artifacts / "lab_session_single_document.png")


@pytest.mark.timeout(900)
def test_the_persons_words_stay_in_their_journal(
    tmp_path, browser_page, blocked_requests, artifacts
):
    pytest.importorskip("psutil")
    page = browser_page
    status_before = git_status()
    home, journal = tmp_path / "home", tmp_path / "journal"
    home.mkdir()
    journal.mkdir(mode=0o700)
    # The person in the words is one of the person's people (a marble needs someone known).
    (journal / "people.csv").write_text(f"person,relationship,era,note\n{WORDS},friend,present,\n",
                                        "utf-8")
    # Kernels' IPC sockets live in the runtime folder; a socket's path must be short.
    runtime = Path(tempfile.mkdtemp(prefix="tl-"))
    env = _environment(home, runtime)
    sessions: list[Session] = []
    try:
        session = start_trustlab(tmp_path / "lab.log", env, "--journal", str(journal))
        sessions.append(session)
        workspace = journal / ".trustlab" / "notebooks"
        for name, fill in (("01_roots_of_distrust.ipynb", fill_trigger),
                           ("02_relationship_stock_take.ipynb", fill_quality),
                           ("03_trust_in_yourself.ipynb", fill_promise),
                           ("04_challenging_beliefs.ipynb", fill_belief),
                           ("05_marble_jar.ipynb", fill_marble)):
            lab.open_notebook(page, session, name)
            lab.run_all(page)
            fill(page)
            write_note(page, f"My own note: {WORDS}")
            save_notebook(page, session, name)
        assert stop(session) == [], session.log_text()

        # The words are nowhere in the repository: not in its notebooks, not in checkpoints ...
        assert files_containing(ROOT / "notebooks", WORDS) == []
        assert git_status() == status_before
        # ... but in the journal, and in the person's own copies of the notebooks (so the
        # check above would have found them had they been saved in the repository).
        assert WORDS in (journal / "triggers.csv").read_text("utf-8")
        for table in ("qualities", "promises", "beliefs", "marbles"):
            assert WORDS in (journal / f"{table}.csv").read_text("utf-8"), table
        assert {workspace / f"{n}.ipynb" for n in (
            "01_roots_of_distrust", "02_relationship_stock_take", "03_trust_in_yourself",
            "04_challenging_beliefs", "05_marble_jar")} <= set(files_containing(workspace, WORDS))

        # The sample session (same HOME) has copies of its own: none has the words.
        sample = start_trustlab(tmp_path / "sample.log", env, "--sample")
        sessions.append(sample)
        served = [item["path"] for item in sample.api("contents")["content"]
                  if item["type"] == "notebook"]
        assert "05_marble_jar.ipynb" in served
        check_single_document(page, sample, artifacts)
        for path in served:
            notebook = sample.api(f"contents/{urllib.parse.quote(path)}?content=1")
            assert WORDS not in json.dumps(notebook), path
        copies = home / ".cache" / "trustlab" / "sample-journal" / ".trustlab" / "notebooks"
        assert f"your notebooks are in {copies} " in sample.log_text()
        assert stop(sample) == [], sample.log_text()
        assert blocked_requests == []
    except BaseException:
        for session in sessions:
            print(f"--- {session.log}:\n{session.log_text()[-20000:]}")
        raise
    finally:
        for session in sessions:
            stop(session)
        shutil.rmtree(runtime, ignore_errors=True)
