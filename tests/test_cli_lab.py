"""`trustlab lab` starts JupyterLab locally, with a token, offline, on the chosen journal.

Nothing it hands Jupyter lives where another user can write: every server option is on the
command line (no configuration file, nothing in the temp folder), JupyterLab's settings and
workspaces live in the journal's private ``.trustlab/lab`` folder, nothing is written in the
Python environment, and kernels talk over IPC sockets in Jupyter's private runtime folder.
The same server shows app views of the notebooks with Voilà (``/voila/render/NAME``), offline,
and JupyterLab opens the person's copies as trusted (trustlab signs them with the key in
Jupyter's data folder, which it hands the server).
"""

from __future__ import annotations

import ast
import asyncio
import concurrent.futures
import contextlib
import json
import os
import re
import shutil
import socket
import stat
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path
from queue import Empty

import pytest

import trustlab.lab
from trustlab import cli

needs_uids = pytest.mark.skipif(not hasattr(os, "getuid"), reason="no user ids here")
needs_symlinks = pytest.mark.skipif(os.name != "posix", reason="symbolic links need POSIX")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


@pytest.fixture
def runtime(monkeypatch) -> Path:
    """A private Jupyter runtime folder with a short path (IPC socket paths must be short)."""
    folder = Path(tempfile.mkdtemp(prefix="tl-"))
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(folder))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(autouse=True)
def jupyter_data(tmp_path, monkeypatch) -> Path:
    """Jupyter's data folder (the notary's key and signatures): a temp one, never the real."""
    folder = tmp_path / "jupyter-data"
    monkeypatch.setenv("JUPYTER_DATA_DIR", str(folder))
    monkeypatch.delenv("JUPYTER_PATH", raising=False)
    return folder


@pytest.fixture
def shared_tmp(tmp_path, monkeypatch, runtime) -> Path:
    """The temp folder every user shares, pointed at a fresh folder."""
    folder = tmp_path / "shared-tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


class FakePopen:
    """Stands in for JupyterLab: records its command line and environment."""

    def __init__(self, args, **kwargs):
        self.args = list(args)
        self.env = kwargs.get("env")
        self.cwd = kwargs.get("cwd")
        self.returncode = 0
        self.pid = 0

    def wait(self, timeout=None):
        return 0

    def poll(self):
        return 0

    def terminate(self):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


@pytest.fixture
def launched(monkeypatch, runtime) -> list[FakePopen]:
    """Every JupyterLab ``trustlab lab`` would have started (none really starts)."""
    started: list[FakePopen] = []

    def popen(args, **kwargs):
        started.append(FakePopen(args, **kwargs))
        return started[-1]

    monkeypatch.setattr(subprocess, "Popen", popen)
    return started


def run_lab(journal: Path, *extra: str) -> int:
    return cli.main(["lab", "--journal", str(journal), "--no-browser", *extra])


def old_config_path() -> Path:
    """Where trustlab used to write the configuration Jupyter runs."""
    return Path(tempfile.gettempdir()) / f"trustlab_jupyter_config_{os.getuid()}.py"


# --- the command line ------------------------------------------------------------------


def test_lab_command_is_local_quiet_and_writes_nothing(shared_tmp):
    journal = shared_tmp / "journal"
    command = cli.lab_command(journal, port=8899, browser=False)
    for option in ("--ServerApp.ip=127.0.0.1", "--LabApp.news_url=None",
                   "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
                   "--ServerApp.port=8899", "--no-browser",
                   # the person's copies, in the journal; never the repository's notebooks/
                   f"--ServerApp.root_dir={journal / '.trustlab' / 'notebooks'}",
                   # the first notebook alone, in single-document mode (no Launcher)
                   "--LabApp.default_url=/doc/tree/00_start_here.ipynb"):
        assert option in command
    assert not any(str(cli.notebooks_dir()) in arg for arg in command)
    assert not any(arg.startswith("--config") for arg in command)
    assert not any("token" in arg.lower() for arg in command)  # the token is never turned off
    assert list(shared_tmp.iterdir()) == []
    assert not (shared_tmp / "journal").exists()


@pytest.mark.skipif(os.name != "posix", reason="IPC sockets are POSIX only")
def test_kernels_use_ipc_sockets_only_in_a_private_runtime_folder(runtime, tmp_path):
    assert cli.ipc_problem(runtime) is None
    assert "--KernelManager.transport=ipc" in cli.lab_command(tmp_path)
    assert cli.ipc_problem(runtime / "not yet made") is None  # Jupyter makes it 0700
    runtime.chmod(0o755)
    assert "not private" in cli.ipc_problem(runtime)
    assert "--KernelManager.transport=ipc" not in cli.lab_command(tmp_path)
    runtime.chmod(0o700)
    long = runtime / ("x" * 80)
    long.mkdir(mode=0o700)
    assert "too long" in cli.ipc_problem(long)


def test_allow_root_only_for_root(monkeypatch, tmp_path, runtime):
    monkeypatch.setattr(os, "geteuid", lambda: 0, raising=False)
    assert "--allow-root" in cli.lab_command(tmp_path)
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    assert "--allow-root" not in cli.lab_command(tmp_path)
    trustlab.lab.lab_settings()  # imports JupyterLab first: send2trash reads os.getuid on import
    monkeypatch.delattr(os, "geteuid")
    monkeypatch.delattr(os, "getuid", raising=False)
    assert "--allow-root" not in cli.lab_command(tmp_path)
    assert cli.prepare_lab(tmp_path)["JUPYTERLAB_SETTINGS_DIR"]  # no owners to check: fine


# --- nothing in the shared temp folder ---------------------------------------------------


@needs_uids
def test_a_planted_config_file_in_the_temp_folder_is_neither_read_nor_written(
    shared_tmp, tmp_path, launched
):
    planted = old_config_path()
    planted.write_text('c.ServerApp.token = ""\nc.ServerApp.ip = "0.0.0.0"\n', "utf-8")
    before = planted.read_bytes(), planted.stat().st_mtime_ns
    assert run_lab(tmp_path / "journal") == 0
    (child,) = launched
    assert (planted.read_bytes(), planted.stat().st_mtime_ns) == before
    assert not any(arg.startswith("--config") for arg in child.args)
    assert not any(str(shared_tmp) in arg for arg in child.args)
    assert not any(str(shared_tmp) in value for value in child.env.values())
    assert sorted(shared_tmp.iterdir()) == [planted]


@needs_uids
@needs_symlinks
def test_a_planted_symlink_in_the_temp_folder_is_not_written_through(
    shared_tmp, tmp_path, launched
):
    victim = tmp_path / "victims_file.py"
    victim.write_text("# someone else's file\n", "utf-8")
    old_config_path().symlink_to(victim)
    cli.lab_command(tmp_path / "journal")
    assert run_lab(tmp_path / "journal") == 0
    assert victim.read_text("utf-8") == "# someone else's file\n"
    assert old_config_path().is_symlink()
    assert sorted(shared_tmp.iterdir()) == [old_config_path()]


# --- JupyterLab's settings: in the journal's private folder, not in the environment --------


def test_lab_writes_nothing_in_the_python_environment(tmp_path, monkeypatch, launched):
    prefix = tmp_path / "prefix"
    prefix.mkdir()
    monkeypatch.setattr(sys, "prefix", str(prefix))
    journal = tmp_path / "journal"
    assert run_lab(journal) == 0
    assert list(prefix.rglob("*")) == []

    (child,) = launched
    lab = journal / ".trustlab" / "lab"
    settings, workspaces = lab / "settings", lab / "workspaces"
    assert child.env["JUPYTERLAB_SETTINGS_DIR"] == str(settings)
    assert child.env["JUPYTERLAB_WORKSPACES_DIR"] == str(workspaces)
    assert child.env["TRUSTLAB_JOURNAL"] == str(journal)
    files = sorted(p for p in settings.rglob("*") if p.is_file())
    assert [p.relative_to(settings).as_posix() for p in files] == [
        "@jupyterlab/apputils-extension/notification.jupyterlab-settings",
        "@jupyterlab/notebook-extension/tracker.jupyterlab-settings",
        "@jupyterlab/shortcuts-extension/shortcuts.jupyterlab-settings",
    ]
    for plugin, values in trustlab.lab.lab_settings().items():
        extension, name = plugin.split(":")
        path = settings / extension / f"{name}.jupyterlab-settings"
        assert json.loads(path.read_text("utf-8")) == values
    if os.name == "posix":
        for folder in (journal, journal / ".trustlab", lab, settings, workspaces,
                       *(p for p in settings.rglob("*") if p.is_dir())):
            assert mode(folder) == 0o700, folder
        for path in files:
            assert mode(path) == 0o600, path


# --- the person's own copies of the notebooks, in the journal ------------------------------


def root_dir(child: FakePopen) -> Path:
    (option,) = [arg for arg in child.args if arg.startswith("--ServerApp.root_dir=")]
    return Path(option.partition("=")[2])


def test_lab_serves_the_persons_copies_from_the_journal(tmp_path, launched, capsys):
    journal = tmp_path / "journal"
    assert run_lab(journal) == 0
    (child,) = launched
    workspace = journal / ".trustlab" / "notebooks"
    assert root_dir(child) == workspace
    templates = sorted(p.name for p in cli.notebooks_dir().glob("*.ipynb"))
    assert sorted(p.name for p in workspace.glob("*.ipynb")) == templates
    assert "--LabApp.default_url=/doc/tree/00_start_here.ipynb" in child.args
    out = capsys.readouterr().out
    assert f"your notebooks are in {workspace}" in out
    assert f"copied {len(templates)} guided notebooks" in out


def test_a_new_template_is_offered_beside_an_edited_copy_in_one_line(
    tmp_path, launched, capsys, monkeypatch
):
    templates = tmp_path / "templates"
    templates.mkdir()
    shutil.copy(cli.notebooks_dir() / "05_marble_jar.ipynb", templates)
    monkeypatch.setattr(cli, "notebooks_dir", lambda: templates)
    journal = tmp_path / "journal"
    assert run_lab(journal) == 0
    copy = journal / ".trustlab" / "notebooks" / "05_marble_jar.ipynb"
    notebook = json.loads(copy.read_text("utf-8"))
    notebook["cells"][0]["source"] = "# My own heading"
    copy.write_text(json.dumps(notebook), "utf-8")
    notebook["cells"][-1]["source"] = "A new closing line from a later trustlab."
    (templates / "05_marble_jar.ipynb").write_text(json.dumps(notebook), "utf-8")
    capsys.readouterr()

    assert run_lab(journal) == 0
    lines = [line for line in capsys.readouterr().out.splitlines() if "new version" in line]
    assert lines == ["trustlab: 05_marble_jar.ipynb has a new version; your copy has your own "
                     "changes, so it is left as it is, and the new version is beside it as "
                     "'05_marble_jar (new version).ipynb'."]
    assert "# My own heading" in copy.read_text("utf-8")
    assert run_lab(journal) == 0
    assert "new version" not in capsys.readouterr().out  # said once


def test_the_sample_session_has_its_own_fresh_copies(tmp_path, launched, monkeypatch):
    home = tmp_path / "home"
    monkeypatch.setenv("HOME", str(home))
    assert cli.main(["lab", "--sample", "--no-browser"]) == 0
    sample = home / ".cache" / "trustlab" / "sample-journal"
    workspace = sample / ".trustlab" / "notebooks"
    assert root_dir(launched[-1]) == workspace
    assert (workspace / "05_marble_jar.ipynb").is_file()
    # What was typed in one sample session is gone in the next (copy_sample starts afresh).
    (workspace / "05_marble_jar.ipynb").write_text("typed in the sample", "utf-8")
    (workspace / "mine.ipynb").write_text("typed in the sample", "utf-8")
    assert cli.main(["lab", "--sample", "--no-browser"]) == 0
    assert (workspace / "05_marble_jar.ipynb").read_bytes() == (
        cli.notebooks_dir() / "05_marble_jar.ipynb").read_bytes()
    assert not (workspace / "mine.ipynb").exists()


def test_a_persons_own_settings_are_kept_and_merged(tmp_path, runtime):
    journal = tmp_path / "journal"
    journal.mkdir(mode=0o700)
    settings = Path(cli.prepare_lab(journal)["JUPYTERLAB_SETTINGS_DIR"])
    apputils = settings / "@jupyterlab" / "apputils-extension"
    theme = apputils / "themes.jupyterlab-settings"
    theme.write_text('{\n  // mine\n  "theme": "JupyterLab Dark"\n}\n', "utf-8")
    (apputils / "notification.jupyterlab-settings").write_text(
        '{\n  // JupyterLab keeps comments\n  "doNotDisturbMode": true,\n  "fetchNews": "true",\n}',
        "utf-8",
    )
    cli.prepare_lab(journal)
    assert theme.read_text("utf-8") == '{\n  // mine\n  "theme": "JupyterLab Dark"\n}\n'
    merged = json.loads((apputils / "notification.jupyterlab-settings").read_text("utf-8"))
    assert merged == {"doNotDisturbMode": True, "fetchNews": "false", "checkForUpdates": False}
    assert not [p for p in settings.rglob("*.tmp")]


def test_settings_that_are_not_json_are_left_as_they_are(tmp_path, runtime, capsys):
    journal = tmp_path / "journal"
    journal.mkdir(mode=0o700)
    settings = Path(cli.prepare_lab(journal)["JUPYTERLAB_SETTINGS_DIR"])
    tracker = settings / "@jupyterlab" / "notebook-extension" / "tracker.jupyterlab-settings"
    tracker.write_text('{"autoStartDefaultKernel": fals', "utf-8")
    cli.prepare_lab(journal)
    assert tracker.read_text("utf-8") == '{"autoStartDefaultKernel": fals'
    assert f"{tracker} is not readable as JSON settings; left as it is" in capsys.readouterr().err


@needs_symlinks
@pytest.mark.parametrize("link", [
    ".trustlab",
    ".trustlab/notebooks",
    ".trustlab/lab",
    ".trustlab/lab/settings",
    ".trustlab/lab/workspaces",
    ".trustlab/lab/settings/@jupyterlab/apputils-extension",
    ".trustlab/lab/jupyter",
    ".trustlab/lab/jupyter/nbconvert/templates/trustlab",
])
def test_a_symlinked_lab_folder_is_refused(tmp_path, launched, capsys, link):
    journal = tmp_path / "journal"
    (journal / link).parent.mkdir(mode=0o700, parents=True)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (journal / link).symlink_to(elsewhere, target_is_directory=True)
    assert run_lab(journal) == 2
    err = capsys.readouterr().err
    assert "symbolic link" in err and str(journal / link) in err and "Traceback" not in err
    assert list(elsewhere.iterdir()) == []
    assert launched == []


@needs_symlinks
@pytest.mark.parametrize("name", ["notification", "tracker"])
def test_a_symlinked_settings_file_is_not_written_through(tmp_path, launched, capsys, name):
    journal = tmp_path / "journal"
    extension = "apputils-extension" if name == "notification" else "notebook-extension"
    folder = journal / ".trustlab" / "lab" / "settings" / "@jupyterlab" / extension
    folder.mkdir(mode=0o700, parents=True)
    victim = tmp_path / "victim.json"
    victim.write_text('{"theirs": true}', "utf-8")
    (folder / f"{name}.jupyterlab-settings").symlink_to(victim)
    assert run_lab(journal) == 2
    assert "symbolic link" in capsys.readouterr().err
    assert victim.read_text("utf-8") == '{"theirs": true}'
    assert (folder / f"{name}.jupyterlab-settings").is_symlink()
    assert launched == []


@needs_uids
@pytest.mark.parametrize("where", ["journal", ".trustlab/lab", ".trustlab/lab/settings",
                                   ".trustlab/notebooks", "runtime", "jupyter data"])
def test_a_folder_other_users_can_change_is_refused(tmp_path, runtime, jupyter_data, launched,
                                                    capsys, where):
    journal = tmp_path / "journal"
    (journal / ".trustlab" / "lab" / "settings").mkdir(mode=0o700, parents=True)
    (journal / ".trustlab" / "notebooks").mkdir(mode=0o700)
    jupyter_data.mkdir(mode=0o700)
    folder = {"journal": journal, "runtime": runtime, "jupyter data": jupyter_data}.get(
        where, journal / where)
    folder.chmod(0o777)
    try:
        assert run_lab(journal) == 2
    finally:
        folder.chmod(0o700)
    err = capsys.readouterr().err
    assert f"{folder} " in err and "other users" in err and "Traceback" not in err
    assert launched == []


@needs_uids
@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0,
                    reason="only root can give a folder to another user")
def test_a_lab_folder_of_another_user_is_refused(tmp_path, launched, capsys):
    journal = tmp_path / "journal"
    settings = journal / ".trustlab" / "lab" / "settings"
    settings.mkdir(mode=0o700, parents=True)
    os.chown(settings, 65534, -1)
    assert run_lab(journal) == 2
    assert "belongs to another user" in capsys.readouterr().err
    assert list(settings.iterdir()) == []
    assert launched == []


# --- trusted copies and Voilà's app views -------------------------------------------------


def test_the_copies_are_trusted_with_the_key_jupyterlab_uses(tmp_path, launched, jupyter_data):
    import nbformat
    from jupyter_core.paths import jupyter_data_dir
    from nbformat.sign import NotebookNotary

    journal = tmp_path / "journal"
    assert run_lab(journal) == 0
    (child,) = launched
    # the server's notary reads its key and signatures where trustlab signed
    assert child.env["JUPYTER_DATA_DIR"] == str(jupyter_data) == jupyter_data_dir()
    copies = sorted((journal / ".trustlab" / "notebooks").glob("*.ipynb"))
    assert copies
    with NotebookNotary(data_dir=child.env["JUPYTER_DATA_DIR"]) as notary:
        for copy in copies:
            assert notary.check_signature(nbformat.read(copy, as_version=4)), copy.name


def test_voila_app_views_use_trustlabs_template_from_the_journal(tmp_path, launched,
                                                                 monkeypatch):
    monkeypatch.setenv("JUPYTER_PATH", "/a/path/of/mine")
    journal = tmp_path / "journal"
    assert run_lab(journal) == 0
    (child,) = launched
    for option in ("--VoilaConfiguration.template=trustlab",
                   "--VoilaConfiguration.allow_template_override=NO",
                   '--ServerApp.jpserver_extensions={"trustlab.lab": True}'):
        assert option in child.args
    (tornado,) = [a for a in child.args if a.startswith("--ServerApp.tornado_settings=")]
    settings = ast.literal_eval(tornado.partition("=")[2])  # as traitlets reads it
    assert settings["mathjax_url"] is None and settings["mathjax_config"] is None
    lab = journal / ".trustlab" / "lab"
    assert child.env["JUPYTER_PATH"] == os.pathsep.join([str(lab / "jupyter"),
                                                         "/a/path/of/mine"])
    template = lab / "jupyter" / "nbconvert" / "templates" / "trustlab"
    assert sorted(p.name for p in template.iterdir()) == ["conf.json", "index.html.j2"]
    assert json.loads((template / "conf.json").read_text("utf-8")) == {"base_template": "lab"}
    assert "cdn.jsdelivr.net" in (template / "index.html.j2").read_text("utf-8")  # removed
    if os.name == "posix":
        for folder in (lab / "jupyter", lab / "jupyter" / "nbconvert",
                       lab / "jupyter" / "nbconvert" / "templates", template):
            assert mode(folder) == 0o700, folder
        assert {mode(p) for p in template.iterdir()} == {0o600}
    # Voilà finds it (as the server will, with that JUPYTER_PATH), on top of its "lab" template
    from jupyter_core.paths import jupyter_path
    from voila.paths import collect_template_paths

    monkeypatch.setenv("JUPYTER_PATH", child.env["JUPYTER_PATH"])
    paths = collect_template_paths(["voila", "nbconvert"], "trustlab", prune=True,
                                   root_dirs=jupyter_path())
    assert paths[0] == str(template)
    assert any(p.endswith(os.path.join("voila", "templates", "lab")) for p in paths)


def test_jupyterlab_runs_in_the_journals_lab_folder(tmp_path, launched, monkeypatch):
    """Voilà reads voila.py (code) from the folder the server runs in: never wherever the
    person happened to start trustlab (their Downloads, a shared folder ...)."""
    from voila.server_extension import load_config_file

    started_in = tmp_path / "shared"
    started_in.mkdir()
    (started_in / "voila.json").write_text('{"VoilaConfiguration": {"strip_sources": false}}',
                                           "utf-8")
    monkeypatch.chdir(started_in)
    assert load_config_file().VoilaConfiguration.strip_sources is False  # what is at stake
    journal = tmp_path / "journal"
    assert run_lab(journal) == 0
    (child,) = launched
    assert child.cwd == journal / ".trustlab" / "lab"
    monkeypatch.chdir(child.cwd)
    assert "strip_sources" not in (load_config_file() or {}).get("VoilaConfiguration", {})


class Interrupted(FakePopen):
    """A JupyterLab that is running when the person presses Ctrl-C, and stops when told."""

    def __init__(self, args, **kwargs):
        super().__init__(args, **kwargs)
        self.kwargs = kwargs
        self.pid = 4242
        self.stopped = False

    def wait(self, timeout=None):
        if not self.stopped:
            raise KeyboardInterrupt
        return -15

    def poll(self):
        return -15 if self.stopped else None

    def terminate(self):
        self.stopped = True


def test_ctrl_c_stops_jupyterlab_without_its_own_question(tmp_path, monkeypatch, capsys):
    """Ctrl-C reaches trustlab only (JupyterLab runs in a session of its own, so it never
    asks "Shutdown this Jupyter server (y/[n])?"), and trustlab stops it cleanly."""
    started = []
    monkeypatch.setattr(subprocess, "Popen",
                        lambda args, **kw: started.append(Interrupted(args, **kw)) or started[-1])
    code = cli._run_lab(["jupyter"], {"JUPYTER_RUNTIME_DIR": str(tmp_path)})
    (child,) = started
    assert child.stopped and code == -15
    assert child.kwargs["start_new_session"] is (os.name == "posix")
    assert "stopping JupyterLab" in capsys.readouterr().out


def test_the_address_is_printed_once_jupyterlab_serves(tmp_path, capsys):
    """The port comes from JupyterLab's own server file in the private runtime folder."""

    class Serving:
        pid = 777
        polls = 0

        def poll(self):
            self.polls += 1
            if self.polls == 3:  # JupyterLab is up: it writes its server file
                (tmp_path / "jpserver-777.json").write_text('{"port": 8890}', "utf-8")
            return None if self.polls < 20 else 0

    (tmp_path / "jpserver-776.json").write_text('{"port": 9999}', "utf-8")  # another server
    trustlab.lab._announce(Serving(), tmp_path, "abc123")
    assert capsys.readouterr().out.splitlines() == [
        "trustlab: JupyterLab is running at "
        "http://127.0.0.1:8890/doc/tree/00_start_here.ipynb?token=abc123",
        "trustlab: to stop it, press Ctrl-C in this window (what you saved is already in "
        "your journal).",
    ]


def test_nothing_is_printed_when_jupyterlab_exits_first(tmp_path, capsys):
    class Failed:
        pid = 778

        def poll(self):
            return 1

    trustlab.lab._announce(Failed(), tmp_path, "abc123")
    assert capsys.readouterr().out == ""


def test_the_token_is_in_jupyterlabs_environment_not_its_command_line(tmp_path, launched):
    """Everyone on the machine can read a command line (ps); the environment is the user's."""
    assert run_lab(tmp_path / "journal") == 0
    (child,) = launched
    token = child.env["JUPYTER_TOKEN"]
    assert len(token) == 48 and not any(token in arg for arg in child.args)
    assert "--ServerApp.log_level=WARN" in child.args


def test_a_lost_wake_up_costs_a_kernel_client_in_the_server_a_second():
    """The server extension's fix, on a real socket whose wake-ups are lost (as seen in Voilà:
    the reply waits in the socket while the page spins forever)."""
    import zmq
    import zmq.asyncio
    from jupyter_client.channels import AsyncZMQSocketChannel
    from jupyter_client.session import Session

    async def scenario() -> list[str]:
        context = zmq.asyncio.Context()
        here, kernel = context.socket(zmq.PAIR), context.socket(zmq.PAIR)
        here.bind("inproc://lost-wake-up")
        kernel.connect("inproc://lost-wake-up")
        session = Session()
        channel = AsyncZMQSocketChannel(here, session)
        plain = AsyncZMQSocketChannel.get_msg
        sliced = trustlab.lab._sliced_get_msg(plain)
        try:
            waiting = asyncio.ensure_future(plain(channel))
            await asyncio.sleep(0)  # it is waiting on the socket now
            assert asyncio.get_running_loop().remove_reader(here.FD)  # wake-ups are lost
            session.send(kernel, "execute_reply", {"status": "ok", "n": 1})
            done, _ = await asyncio.wait([waiting], timeout=2 * trustlab.lab.WAKE_UP)
            assert not done  # the reply is there, and the plain wait never ends
            waiting.cancel()
            seen = [(await sliced(channel))["content"]["n"]]  # it was in the socket all along
            waiting = asyncio.ensure_future(sliced(channel))
            await asyncio.sleep(0)
            session.send(kernel, "execute_reply", {"status": "ok", "n": 2})
            start = time.monotonic()
            seen.append((await asyncio.wait_for(waiting, 30))["content"]["n"])
            assert time.monotonic() - start < 30
            with pytest.raises(Empty):  # a timeout is still a timeout
                await sliced(channel, 0.2)
            return seen
        finally:
            here.close(linger=0)
            kernel.close(linger=0)
            context.term()

    with concurrent.futures.ThreadPoolExecutor(1) as pool:  # Playwright may own this thread
        assert pool.submit(asyncio.run, scenario()).result(timeout=120) == [1, 2]


def test_the_server_extension_is_loaded_once(monkeypatch):
    from jupyter_client.channels import AsyncZMQSocketChannel

    original = AsyncZMQSocketChannel.get_msg
    monkeypatch.setattr(AsyncZMQSocketChannel, "get_msg", original)
    assert trustlab.lab._jupyter_server_extension_points() == [{"module": "trustlab.lab"}]
    trustlab.lab._load_jupyter_server_extension(object())
    patched = AsyncZMQSocketChannel.get_msg
    assert patched is not original and patched._trustlab
    trustlab.lab._load_jupyter_server_extension(object())
    assert AsyncZMQSocketChannel.get_msg is patched


# --- a real JupyterLab --------------------------------------------------------------------


def _descendants(pid: int) -> list:
    try:
        import psutil
    except ImportError:
        return []
    with contextlib.suppress(psutil.Error):
        return psutil.Process(pid).children(recursive=True)
    return []


def _stop(process: subprocess.Popen) -> list[str]:
    """Stop ``process`` as a person would (SIGTERM) and wait for its whole tree to end.

    Returns the processes that were still running after that and had to be killed.
    """
    tree = _descendants(process.pid)
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
    if not tree:
        return []
    import psutil

    _, alive = psutil.wait_procs(tree, timeout=30)
    killed = []
    for proc in alive:
        with contextlib.suppress(psutil.Error):
            killed.append(" ".join(proc.cmdline()[:4]))
            proc.kill()
    return killed


async def _execute(port: int, token: str, kernel: str, code: str) -> str:
    """Run ``code`` in ``kernel`` through the server's websocket, as JupyterLab does."""
    from tornado.websocket import websocket_connect

    url = (f"ws://127.0.0.1:{port}/api/kernels/{kernel}/channels?token={token}"
           f"&session_id={uuid.uuid4().hex}")
    connection = await websocket_connect(url)
    msg_id = uuid.uuid4().hex
    await connection.write_message(json.dumps({
        "header": {"msg_id": msg_id, "msg_type": "execute_request", "username": "",
                   "session": uuid.uuid4().hex, "version": "5.3", "date": ""},
        "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
        "content": {"code": code, "silent": False, "store_history": False,
                    "user_expressions": {}, "allow_stdin": False, "stop_on_error": True},
    }))
    output = ""
    try:
        while True:
            message = json.loads(await asyncio.wait_for(connection.read_message(), 60))
            if message.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            if message["msg_type"] == "stream":
                output += message["content"]["text"]
            elif message["msg_type"] == "error":
                raise AssertionError(message["content"])
            elif message["msg_type"] == "status" and (
                message["content"]["execution_state"] == "idle"
            ):
                return output
    finally:
        connection.close()


@pytest.mark.timeout(240)
def test_lab_serves_on_localhost_with_a_token_and_the_journal(tmp_path):
    port = free_port()
    journal = tmp_path / "my journal"
    # Kernels' IPC sockets live in the runtime folder; a socket's path must be short.
    runtime = Path(tempfile.mkdtemp(prefix="tl-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "TRUSTLAB"))}
    env.update(HOME=str(tmp_path / "home"), JUPYTER_RUNTIME_DIR=str(runtime),
               PYTHONUNBUFFERED="1")
    log = tmp_path / "lab.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "trustlab.cli", "lab", "--no-browser", "--port", str(port),
             "--journal", str(journal)],
            stdout=out, stderr=subprocess.STDOUT, env=env,
        )
    base = f"http://127.0.0.1:{port}"

    def api(path: str, body: dict | None = None):
        request = urllib.request.Request(
            f"{base}/{path}", method="POST" if body is not None else "GET",
            data=json.dumps(body).encode() if body is not None else None,
            headers={"Authorization": f"token {token}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.load(response)

    try:
        token = None
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and token is None:
            # the address it opens: the first notebook, alone (single-document mode)
            found = re.search(rf"127\.0\.0\.1:{port}/doc/tree/00_start_here\.ipynb\?token=(\w+)",
                              log.read_text())
            token = found.group(1) if found else None
            assert process.poll() is None, log.read_text()
            time.sleep(0.5)
        assert token, log.read_text()
        workspace = journal / ".trustlab" / "notebooks"
        # What the person reads in the terminal: their journal and notebooks, the address
        # and how to stop, nothing else (no log lines, warnings or tracebacks).
        assert log.read_text().splitlines() == [
            f"trustlab: your journal is {journal}",
            "trustlab: copied 9 guided notebooks into your notebooks folder.",
            f"trustlab: your notebooks are in {workspace} (what you write in them stays "
            "there, in your journal)",
            f"trustlab: JupyterLab is running at {base}/doc/tree/00_start_here.ipynb"
            f"?token={token}",
            "trustlab: to stop it, press Ctrl-C in this window (what you saved is already in "
            "your journal).",
        ]
        with pytest.raises(urllib.error.HTTPError):  # no token, no entry (JupyterLab warns)
            urllib.request.urlopen(f"{base}/api/contents")
        while "403 GET /api/contents" not in log.read_text():  # logged just after replying
            assert time.monotonic() < deadline + 60, log.read_text()
            time.sleep(0.1)
        probed = log.read_text().index("403 GET /api/contents")
        probed = log.read_text().index("\n", probed) + 1
        names = {item["name"] for item in api("api/contents")["content"]}
        assert "00_start_here.ipynb" in names
        # ... the person's copies, in the journal (not the repository's notebooks/)
        assert names == {p.name for p in workspace.glob("*.ipynb")}
        assert stat.S_IMODE(journal.stat().st_mode) == 0o700
        assert f"your journal is {journal}" in log.read_text()
        # JupyterLab opens the copies as trusted: no "Notebook ... is not trusted" (it logs
        # that when it reads one that is not), and its notary (the temp HOME's) agrees.
        for name in names:
            api(f"api/contents/{urllib.parse.quote(name)}?content=1")
        assert "not trusted" not in log.read_text(), log.read_text()
        import nbformat
        from nbformat.sign import NotebookNotary

        with NotebookNotary(data_dir=str(tmp_path / "home/.local/share/jupyter")) as notary:
            for copy in workspace.glob("*.ipynb"):
                assert notary.check_signature(nbformat.read(copy, as_version=4)), copy.name
        # Voilà's app view of a notebook, on the same server: trustlab's template, nothing
        # loaded from elsewhere (no CDN stylesheet, no MathJax address), no cell failed.
        request = urllib.request.Request(f"{base}/voila/render/00_start_here.ipynb",
                                         headers={"Authorization": f"token {token}"})
        with urllib.request.urlopen(request, timeout=180) as response:
            page = response.read().decode("utf-8")
        assert "voila/templates/trustlab/static/" in page
        assert re.findall(r"<(?:link|script)\b[^>]*\b(?:href|src)=[\"']?(?:https?:)?//",
                          page) == []
        assert '"fullMathjaxUrl": null' in page and '"mathjaxConfig": null' in page
        assert "Welcome to trustlab" in page and "error when executing" not in page
        assert "from trustlab import workbook" not in page  # no code
        assert "trustlab.lab" not in log.read_text()  # no extension failed to load

        # JupyterLab reads trustlab's settings from the journal's private folder
        tracker = api("lab/api/settings/@jupyterlab/notebook-extension:tracker")
        assert tracker["settings"]["autoStartDefaultKernel"] is True
        assert (journal / ".trustlab/lab/settings/@jupyterlab/notebook-extension"
                / "tracker.jupyterlab-settings").is_file()

        # Open a notebook's kernel as JupyterLab does: a session, then its websocket.
        session = api("api/sessions", {"path": "00_start_here.ipynb", "type": "notebook",
                                       "name": "", "kernel": {"name": "python3"}})
        kernel = session["kernel"]["id"]
        code = "import os; print(os.environ['TRUSTLAB_JOURNAL'])"
        # In a thread of its own: Playwright's sync API (the browser tests, in the same
        # pytest run) keeps an event loop running in this one.
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            output = pool.submit(asyncio.run, _execute(port, token, kernel, code)).result()
        assert output.strip() == str(journal)
        deadline = time.monotonic() + 60
        while api(f"api/kernels/{kernel}")["execution_state"] != "idle":
            assert time.monotonic() < deadline, api(f"api/kernels/{kernel}")
            time.sleep(0.25)

        # Its sockets are IPC sockets in the private runtime folder, and nothing warns.
        connection = json.loads((runtime / f"kernel-{kernel}.json").read_text("utf-8"))
        assert connection["transport"] == "ipc"
        sockets = sorted(runtime.glob(f"kernel-{kernel}-ipc-*"))
        assert len(sockets) == 5 and all(stat.S_ISSOCK(s.stat().st_mode) for s in sockets)
        if os.name == "posix":
            assert stat.S_IMODE(runtime.stat().st_mode) & 0o077 == 0
        text = log.read_text()
        assert "without encryption" not in text and "Traceback" not in text, text
        assert not re.search(r"^\[[WEC] |Warning", text[probed:], re.M), text  # nor since

        # Stopping trustlab stops JupyterLab and its kernel, which clean up after themselves.
        assert _stop(process) == [], log.read_text()
        assert list(runtime.glob("kernel-*")) == [], log.read_text()
    finally:
        _stop(process)
        shutil.rmtree(runtime, ignore_errors=True)
