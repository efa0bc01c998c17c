"""Fixtures for browser tests: a private JupyterLab server and a headless Chromium page.

``lab_server`` starts JupyterLab on a free local port with a random token, a temp HOME,
temp JupyterLab settings (trustlab's quiet, offline settings) and ``TRUSTLAB_JOURNAL``
pointing at a temp copy of a journal. ``browser_page`` is a Playwright page in Debian's
Chromium that may only talk to this machine: every other request is aborted and recorded
in ``blocked_requests``. On failure the test gets a screenshot in ``test-artifacts/browser/``
and the server log and browser console in its report.

Override the module-scoped ``lab_notebooks`` or ``lab_journal`` fixtures in a test module to
serve other notebooks or another journal, or call ``start_lab(...)`` for a second server
(for example one with an empty journal) inside a test.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from chromium import CHROMIUM, CHROMIUM_ARGS, unavailable

from trustlab.lab import lab_settings

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
SAMPLE_JOURNAL = ROOT / "data" / "sample"
ARTIFACTS = ROOT / "test-artifacts" / "browser"
VIEWPORT = {"width": 1400, "height": 1000}
STARTUP_TIMEOUT = 90.0  # seconds for JupyterLab to answer on a slow, busy CI machine

# --- outcome of each test phase, for screenshots and logs on failure ---------------------


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Any:
    report = yield
    setattr(item, f"_report_{report.when}", report)
    if report.failed:
        for title, read in getattr(item, "_failure_sections", {}).items():
            report.sections.append((title, read()))
    return report


def _failed(item: pytest.Item) -> bool:
    return any(
        getattr(getattr(item, f"_report_{when}", None), "failed", False)
        for when in ("setup", "call")
    )


def _add_failure_section(item: pytest.Item, title: str, read: Callable[[], str]) -> None:
    if not hasattr(item, "_failure_sections"):
        item._failure_sections = {}  # type: ignore[attr-defined]
    item._failure_sections[title] = read  # type: ignore[attr-defined]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.browser)



# --- JupyterLab ----------------------------------------------------------------------------


@dataclass
class LabServer:
    """A running JupyterLab: where it is, its token and its temp folders."""

    url: str
    token: str
    notebooks: Path
    journal: Path
    home: Path
    log: Path
    process: subprocess.Popen = field(repr=False)

    def url_for(self, path: str) -> str:
        """The address of ``path`` (for example ``lab/tree/x.ipynb``) with the token."""
        sep = "&" if "?" in path else "?"
        return f"{self.url}/{path.lstrip('/')}{sep}token={self.token}"

    def api(self, path: str, method: str = "GET", timeout: float = 10.0) -> Any:
        """Call the REST API at ``api/<path>``; return the decoded JSON (None if empty)."""
        request = urllib.request.Request(
            f"{self.url}/api/{path.lstrip('/')}",
            method=method,
            headers={"Authorization": f"token {self.token}"},
            data=b"" if method in ("POST", "PUT") else None,
        )
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = response.read()
        return json.loads(body) if body else None

    def log_text(self) -> str:
        return self.log.read_text("utf-8", errors="replace") if self.log.exists() else ""

    def processes(self) -> str:
        """The server's processes (kernels included): pid, state, CPU seconds, command."""
        lines = []
        for proc in [*_descendants(self.process.pid, include_self=True)]:
            with contextlib.suppress(Exception):
                cpu = sum(proc.cpu_times()[:2])
                lines.append(
                    f"{proc.pid} {proc.status()} cpu={cpu:.1f}s {' '.join(proc.cmdline())[:160]}"
                )
        return "\n".join(lines)

    def stop_kernels(self) -> None:
        """Shut down every kernel session (a finished test's notebooks)."""
        with contextlib.suppress(OSError, ValueError):  # a server that is gone has none
            for session in self.api("sessions"):
                self.api(f"sessions/{session['id']}", method="DELETE", timeout=30)

    def stop(self) -> None:
        """Stop the server and its kernels, politely first, then by force."""
        descendants = _descendants(self.process.pid)
        if self.process.poll() is None:
            with contextlib.suppress(OSError, ValueError):
                self.api("shutdown", method="POST", timeout=30)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.terminate()
                try:
                    self.process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    self.process.kill()
                    self.process.wait(timeout=10)
        for child in descendants:  # kernels live in their own sessions: end them by id
            with contextlib.suppress(Exception):  # psutil.NoSuchProcess and friends
                if child.is_running():
                    child.kill()


def _descendants(pid: int, *, include_self: bool = False) -> list[Any]:
    try:
        import psutil
    except ImportError:
        return []
    try:
        parent = psutil.Process(pid)
        return [parent] * include_self + parent.children(recursive=True)
    except psutil.Error:
        return []


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _write_lab_settings(settings_dir: Path) -> None:
    """Write ``@scope/ext:plugin`` settings to ``@scope/ext/plugin.jupyterlab-settings``."""
    for plugin, values in lab_settings().items():
        extension, name = plugin.split(":")
        path = settings_dir / extension / f"{name}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values, indent=2), "utf-8")


def _copy_folder(source: Path | None, target: Path) -> Path:
    if source is None:
        target.mkdir(parents=True)
    else:
        ignore = shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__", ".trustlab")
        shutil.copytree(source, target, ignore=ignore)
    return target


class _Exited(RuntimeError):
    """JupyterLab exited before it answered (for example: its port was taken meanwhile)."""


def _wait_until_ready(server: LabServer, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if server.process.poll() is not None:
            raise _Exited(f"JupyterLab exited with code {server.process.returncode}")
        try:
            server.api("status", timeout=5)
            return
        except (OSError, ValueError):
            if time.monotonic() > deadline:
                raise RuntimeError(f"JupyterLab did not answer within {timeout:.0f} s") from None
            time.sleep(0.25)


def launch_lab(
    workdir: Path,
    *,
    notebooks: Path | None = NOTEBOOKS,
    journal: Path | None = SAMPLE_JOURNAL,
    timeout: float = STARTUP_TIMEOUT,
) -> LabServer:
    """Start JupyterLab in ``workdir`` on copies of ``notebooks`` and ``journal``.

    ``None`` means an empty folder. Raises RuntimeError (with the log) if it does not start.
    """
    workdir.mkdir(parents=True, exist_ok=True)
    home = workdir / "home"
    settings = home / "lab-settings"
    _write_lab_settings(settings)
    notebooks_copy = _copy_folder(notebooks, workdir / "notebooks")
    journal_copy = _copy_folder(journal, workdir / "journal")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "TRUSTLAB"))}
    env.update(
        HOME=str(home),
        JUPYTER_CONFIG_DIR=str(home / ".jupyter"),
        JUPYTER_DATA_DIR=str(home / "jupyter-data"),
        JUPYTER_RUNTIME_DIR=str(home / "jupyter-runtime"),
        JUPYTERLAB_SETTINGS_DIR=str(settings),
        JUPYTERLAB_WORKSPACES_DIR=str(home / "lab-workspaces"),
        IPYTHONDIR=str(home / ".ipython"),
        TRUSTLAB_JOURNAL=str(journal_copy),
        PYTHONUNBUFFERED="1",
    )
    log = workdir / "jupyterlab.log"
    attempts = 3
    for attempt in range(1, attempts + 1):
        server = _spawn(notebooks_copy, journal_copy, home, env, log)
        try:
            _wait_until_ready(server, timeout)
        except _Exited as error:
            if attempt < attempts:
                continue  # most likely its port was taken meanwhile: try another one
            raise RuntimeError(f"{error}. Its log ({log}):\n{server.log_text()}") from None
        except Exception as error:
            server.stop()
            raise RuntimeError(f"{error}. Its log ({log}):\n{server.log_text()}") from None
        except BaseException:
            server.stop()
            raise
        return server
    raise AssertionError("not reached")


def _spawn(notebooks: Path, journal: Path, home: Path, env: dict[str, str], log: Path) -> LabServer:
    token = secrets.token_hex(24)
    port = _free_port()
    command = [
        sys.executable, "-m", "jupyterlab",
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--ServerApp.token={token}",
        f"--ServerApp.root_dir={notebooks}",
        "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        # window.jupyterapp, as JupyterLab's own UI tests use: lets the helpers in lab.py read
        # the notebook's kernel status and cell errors instead of guessing from the screen
        "--LabApp.expose_app_in_browser=True",
    ]  # fmt: skip
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")
    with log.open("ab") as log_file:
        process = subprocess.Popen(
            command, cwd=notebooks, env=env, stdin=subprocess.DEVNULL,
            stdout=log_file, stderr=subprocess.STDOUT,
        )  # fmt: skip
    return LabServer(
        url=f"http://127.0.0.1:{port}", token=token, notebooks=notebooks, journal=journal,
        home=home, log=log, process=process,
    )  # fmt: skip


def _attach_server_report(item: pytest.Item, server: LabServer) -> None:
    _add_failure_section(item, "JupyterLab log", lambda: server.log_text()[-20000:])
    _add_failure_section(item, "JupyterLab processes", server.processes)


def _start(factory: pytest.TempPathFactory, **options: Any) -> LabServer:
    try:
        return launch_lab(factory.mktemp("lab"), **options)
    except RuntimeError as error:
        pytest.fail(str(error), pytrace=False)


@pytest.fixture
def start_lab(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Callable[..., LabServer]]:
    """``start_lab(notebooks=..., journal=...)``: another server just for this test (for
    example with an empty journal: ``journal=None``), stopped when the test ends. Its log is
    in the report if the test fails."""
    servers: list[LabServer] = []

    def start(**options: Any) -> LabServer:
        server = _start(tmp_path_factory, **options)
        servers.append(server)
        _attach_server_report(request.node, server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture(scope="module")
def lab_notebooks() -> Path | None:
    """The notebooks folder the module's server serves a copy of (None: an empty one)."""
    return NOTEBOOKS


@pytest.fixture(scope="module")
def lab_journal() -> Path | None:
    """The journal the module's server gets a copy of (None: an empty journal)."""
    return SAMPLE_JOURNAL


@pytest.fixture(scope="module")
def lab_server(
    tmp_path_factory: pytest.TempPathFactory, lab_notebooks: Path | None, lab_journal: Path | None
) -> Iterator[LabServer]:
    """A JupyterLab server shared by the tests of one module (its kernels are shut down after
    each test that used ``browser_page``)."""
    server = _start(tmp_path_factory, notebooks=lab_notebooks, journal=lab_journal)
    yield server
    server.stop()


# --- Chromium ------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def _chromium() -> Iterator[Any]:
    try:
        from playwright.sync_api import Error, sync_playwright
    except ImportError:
        unavailable("the Python package playwright is not installed (pip install playwright)")
    if not os.access(CHROMIUM, os.X_OK):
        unavailable(f"{CHROMIUM} not found")
    with sync_playwright() as playwright:
        try:
            browser = playwright.chromium.launch(
                executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
            )
        except Error as error:
            unavailable(f"Chromium at {CHROMIUM} did not start: {error}")
        yield browser
        browser.close()


# Requests to anywhere but this machine. The pattern is matched inside Playwright's driver, so
# local requests never wait for Python: a route handler only runs while the test is inside a
# Playwright call, and a page whose every request waited for it would stall whenever the test
# waits on something else (a file, the REST API).
_LEAVING = re.compile(
    r"^(?!(?:https?|wss?)://(?:127\.0\.0\.1|localhost|\[::1\])(?::\d+)?(?:[/?#]|$))",
    re.IGNORECASE,
)


@pytest.fixture
def blocked_requests() -> list[str]:
    """URLs the page tried to fetch from anywhere but this machine (all were aborted)."""
    return []


def _artifact_name(item: pytest.Item) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", item.name).strip("_")


@pytest.fixture
def browser_page(
    request: pytest.FixtureRequest, _chromium: Any, blocked_requests: list[str]
) -> Iterator[Any]:
    """A fresh Chromium page (1400x1000) that can reach only 127.0.0.1 and localhost."""
    context = _chromium.new_context(viewport=VIEWPORT, service_workers="block")
    console: list[str] = []

    def block(route: Any) -> None:
        blocked_requests.append(route.request.url)
        route.abort("blockedbyclient")

    context.route(_LEAVING, block)
    page = context.new_page()
    page.on("console", lambda m: console.append(f"[{m.type}] {m.text}"))
    page.on("pageerror", lambda e: console.append(f"[pageerror] {e}"))
    _add_failure_section(request.node, "browser console", lambda: "\n".join(console[-200:]))
    _add_failure_section(
        request.node, "requests blocked", lambda: "\n".join(blocked_requests) or "none"
    )
    yield page
    if _failed(request.node):
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        shot = ARTIFACTS / f"{_artifact_name(request.node)}.png"
        try:
            page.screenshot(path=str(shot), full_page=True)
            print(f"screenshot of the failing page: {shot}")
        except Exception as error:  # a crashed page must not hide the test's own failure
            print(f"could not save a screenshot: {error}")
    context.close()
    if "lab_server" in request.fixturenames:
        request.getfixturevalue("lab_server").stop_kernels()


@pytest.fixture(autouse=True)
def _server_log_on_failure(request: pytest.FixtureRequest) -> None:
    """Attach the JupyterLab log to a failing test's report."""
    if "lab_server" in request.fixturenames:
        _attach_server_report(request.node, request.getfixturevalue("lab_server"))


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """The folder for screenshots a person may want to look at (git-ignored)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
