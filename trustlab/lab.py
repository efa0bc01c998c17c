"""JupyterLab for ``trustlab lab``: its settings, Voilà template and command line, running
it until it stops, and the server extension it loads into JupyterLab (this module, by name).
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import signal
import stat
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path
from typing import Any

from .storage import STATE_DIR, NotAFile, read_regular
from .workspace import UnsafeFolder, check_private, prepare_notary_dir, private_dir, workspace_dir

# JupyterLab settings that keep it quiet and offline: no news or update checks;
# a notebook starts its kernel without asking which one, and every cell stays
# rendered (the guided notebooks are short, and forms keep their state).
LAB_SETTINGS = {
    "@jupyterlab/apputils-extension:notification": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
    "@jupyterlab/notebook-extension:tracker": {
        "autoStartDefaultKernel": True,
        "windowingMode": "none",
    },
}
SHORTCUTS_PLUGIN = "@jupyterlab/shortcuts-extension:shortcuts"


def lab_settings() -> dict[str, dict]:
    """LAB_SETTINGS, plus keyboard shortcuts that cannot edit a notebook while one of its
    forms has the focus (see :mod:`trustlab.shortcuts`; read from the installed JupyterLab)."""
    from .shortcuts import stray_key_shortcuts

    return {**LAB_SETTINGS, SHORTCUTS_PLUGIN: {"shortcuts": stray_key_shortcuts()}}


def _merge_shortcuts(current: list, ours: list) -> list:
    """A person's own shortcuts, then trustlab's (any earlier trustlab entries replaced)."""
    from .shortcuts import OUTSIDE_OUTPUTS

    def key(entry: dict) -> tuple:
        return (entry.get("command"), tuple(entry.get("keys") or ()), entry.get("selector"))

    replaced = {key(e) for e in ours if e.get("disabled")}
    kept = [e for e in current if isinstance(e, dict)
            and OUTSIDE_OUTPUTS not in str(e.get("selector", "")) and key(e) not in replaced]
    return [*kept, *ours]


# Server options, all on the command line: a configuration file is code that Jupyter runs,
# so trustlab never writes one. Local only, offline, and the token stays on.
LAB_OPTIONS = (
    "--ServerApp.ip=127.0.0.1",
    # Quiet: trustlab prints the address and how to stop (see _announce); JupyterLab only
    # what needs attention (warnings and errors).
    "--ServerApp.log_level=WARN",
    "--LabApp.log_level=WARN",
    "--LabApp.news_url=None",
    "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    # Voilà's app views of the notebooks (/voila/render/NAME, on this same server): always
    # trustlab's template (see VOILA_TEMPLATE), whatever an address or a notebook asks for ...
    "--VoilaConfiguration.template=trustlab",
    "--VoilaConfiguration.allow_template_override=NO",
    # ... and, with no MathJax address, the MathJax Voilà ships instead of one from a CDN.
    # (Also: a websocket's ping timeout no longer than its interval, 30 s, which Tornado 6.5
    # requires; jupyter_server's default, 90 s, makes it warn on every kernel connection.)
    '--ServerApp.tornado_settings={"mathjax_url": None, "mathjax_config": None,'
    ' "ws_ping_interval": 30000, "ws_ping_timeout": 30000}',
    # trustlab's own server extension: see _load_jupyter_server_extension below.
    '--ServerApp.jpserver_extensions={"trustlab.lab": True}',
)
START_NOTEBOOK = "00_start_here.ipynb"
"""The notebook a session opens on."""
# /doc/tree/...: JupyterLab's single-document mode, showing that notebook alone (no Launcher,
# no tabs to find one's way among). The address sets the mode, not a setting, so a person who
# turns it off (View > Appearance > Simple Interface) is not put back in it on every load.
START_URL = f"/doc/tree/{urllib.parse.quote(START_NOTEBOOK)}"
LAB_STATE = Path(STATE_DIR) / "lab"
"""JupyterLab's settings and workspaces for a journal, in the journal's private state folder."""
_KERNEL_SOCKET = "kernel-00000000-0000-0000-0000-000000000000-ipc-99"
"""The longest name of a kernel's IPC socket in Jupyter's runtime folder."""
VOILA_TEMPLATE = {
    "conf.json": '{"base_template": "lab"}\n',
    "index.html.j2": """\
{#- Written by `trustlab lab` each time it starts. Voila's "lab" template without the two
    stylesheets it links from a CDN (Font Awesome: Voila's own voila-style.js brings the
    icons along), so that an app view asks nothing of the internet. -#}
{%- extends 'voila/templates/lab/index.html.j2' -%}
{%- block notebook_css -%}
{%- set cdn = '<link rel="stylesheet" href="https://cdn.jsdelivr.net/npm/@fortawesome/' -%}
{{ super()
   | replace(cdn ~ 'fontawesome-free@^5/css/all.min.css" type="text/css" />', '')
   | replace(cdn ~ 'fontawesome-free@^5/css/v4-shims.min.css" type="text/css" />', '') }}
{%- endblock notebook_css -%}
""",
}
"""trustlab's Voilà template (``--VoilaConfiguration.template=trustlab``), by file name.

Voilà finds templates only in Jupyter's data folders, so ``prepare_lab`` writes it into the
journal's private ``.trustlab/lab/jupyter`` and puts that folder first in ``JUPYTER_PATH``.
It goes under ``nbconvert/templates`` (Voilà looks there too): a ``voila`` folder there
would become Voilà's data folder and hide the themes Voilà ships.
"""


def _read_settings(path: Path) -> dict | None:
    """The settings in ``path`` ({} if there is none; None if they cannot be read as JSON)."""
    try:
        data = read_regular(path)  # a link, a pipe ...: never followed or waited on
    except FileNotFoundError:
        return {}
    except NotAFile as error:
        raise UnsafeFolder(f"{path} is {error.kind}; trustlab does not write through it. "
                           "Remove it and try again.") from None
    try:
        from json5 import loads  # as JupyterLab reads them: comments, trailing commas ...
    except ImportError:
        from json import loads
    try:
        settings = loads(data.decode("utf-8"))
    except ValueError:  # UnicodeDecodeError too
        return None
    return settings if isinstance(settings, dict) else None


def _write_private(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` (mode 0600) without ever writing through a link.

    The text goes to a new temporary file beside it (O_EXCL and O_NOFOLLOW: a link
    planted there is an error, not a way out), which then replaces ``path``.
    """
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    flags = os.O_CREAT | os.O_EXCL | os.O_WRONLY | getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(tmp, flags, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_lab_settings(settings_dir: Path) -> list[Path]:
    """Merge :func:`lab_settings` into ``settings_dir`` (a JupyterLab user settings folder).

    Each plugin has its file, ``@scope/extension/plugin.jupyterlab-settings``. trustlab's
    values are merged into what is there; other plugins' files (a person's theme ...) are
    left alone. Returns the files written.
    """
    written = []
    for plugin, values in lab_settings().items():
        extension, name = plugin.split(":")
        folder = settings_dir
        for part in extension.split("/"):
            folder = private_dir(folder / part)
        path = folder / f"{name}.jupyterlab-settings"
        current = _read_settings(path)
        if current is None:
            print(f"trustlab: {path} is not readable as JSON settings; left as it is.",
                  file=sys.stderr)
            continue
        merged = {**current, **values}
        if plugin == SHORTCUTS_PLUGIN:
            merged["shortcuts"] = _merge_shortcuts(current.get("shortcuts") or [],
                                                   values["shortcuts"])
        _write_private(path, json.dumps(merged, indent=2) + "\n")
        written.append(path)
    return written


def _runtime_dir() -> Path:
    """Jupyter's runtime folder (its cookie secret, connection files and kernel sockets)."""
    from jupyter_core.paths import jupyter_runtime_dir

    return Path(jupyter_runtime_dir())


def prepare_lab(journal: Path) -> dict[str, str]:
    """Make the private folders JupyterLab uses for ``journal``; return them as environment.

    Settings, workspaces and trustlab's Voilà template go in ``JOURNAL/.trustlab/lab`` (each
    folder 0700, each file 0600); nothing is written in the Python environment or the temp
    folder. ``JUPYTER_DATA_DIR`` is Jupyter's data folder, named as it is: the one where
    ``prepare_workspace`` signs the copies JupyterLab then trusts. Raises UnsafeFolder if
    one of them, the journal, Jupyter's runtime folder or its data folder is a link (in the
    journal), another user's, or writable by other users.
    """
    check_private(journal, journal.stat(), " (the journal)")
    folder = journal
    for part in LAB_STATE.parts:
        folder = private_dir(folder / part)
    settings = private_dir(folder / "settings")
    workspaces = private_dir(folder / "workspaces")
    write_lab_settings(settings)
    templates = private_dir(folder / "jupyter")
    write_voila_template(templates)
    runtime = _runtime_dir()
    runtime.mkdir(mode=0o700, parents=True, exist_ok=True)  # as Jupyter makes it
    check_private(runtime, runtime.stat(), " (Jupyter's runtime folder; JUPYTER_RUNTIME_DIR)")
    data = prepare_notary_dir()
    return {
        "JUPYTERLAB_SETTINGS_DIR": str(settings),
        "JUPYTERLAB_WORKSPACES_DIR": str(workspaces),
        "JUPYTER_RUNTIME_DIR": str(runtime),
        "JUPYTER_DATA_DIR": str(data),
        "JUPYTER_PATH": os.pathsep.join(filter(None, [str(templates),
                                                      os.environ.get("JUPYTER_PATH")])),
    }


def write_voila_template(root: Path) -> Path:
    """Write :data:`VOILA_TEMPLATE` into ``root/nbconvert/templates/trustlab`` (a Jupyter
    data folder; folders 0700, files 0600, never through a link); return its folder."""
    folder = root
    for part in ("nbconvert", "templates", "trustlab"):
        folder = private_dir(folder / part)
    for name, text in VOILA_TEMPLATE.items():
        _write_private(folder / name, text)
    return folder


def ipc_problem(runtime: Path | None = None) -> str | None:
    """Why kernels cannot talk over IPC sockets in ``runtime`` here (None: they can).

    IPC sockets are files in Jupyter's runtime folder: only as private as that folder,
    and their path must fit in a socket address (about 100 bytes).
    """
    runtime = _runtime_dir() if runtime is None else runtime
    try:
        import zmq
    except ImportError:
        return "pyzmq is missing"
    if os.name != "posix" or not zmq.has("ipc"):
        return "this system has no IPC sockets"
    limit = getattr(zmq, "IPC_PATH_MAX_LEN", 0) or 103
    if len(os.fsencode(runtime / _KERNEL_SOCKET)) > limit:
        return f"the path of {runtime} is too long for a socket"
    try:
        info = runtime.stat()
    except FileNotFoundError:
        return None  # Jupyter makes it, mode 0700
    if stat.S_IMODE(info.st_mode) & 0o077 or (
        hasattr(os, "getuid") and info.st_uid != os.getuid()
    ):
        return f"{runtime} is not private (chmod 700 it)"
    return None


def lab_command(journal: Path, *, port: int | None = None, browser: bool = True) -> list[str]:
    """The command line that starts JupyterLab for trustlab (local only, with a token).

    It serves ``journal``'s workspace (the person's copies of the notebooks, made by
    ``prepare_workspace``) and opens on the first notebook. Every option is on the command
    line; this writes nothing. Kernels talk over private IPC sockets where they can (see
    ``ipc_problem``), else over local TCP.
    """
    command = [
        sys.executable, "-m", "jupyterlab",
        f"--ServerApp.root_dir={workspace_dir(journal)}",
        f"--LabApp.default_url={START_URL}",
        *LAB_OPTIONS,
    ]
    if ipc_problem() is None:
        command.append("--KernelManager.transport=ipc")
    if port:
        command.append(f"--ServerApp.port={port}")
    if not browser:
        command.append("--no-browser")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")
    return command


def _run_lab(command: list[str], env: dict[str, str], cwd: Path | None = None) -> int:
    """Run JupyterLab (in folder ``cwd``) until it exits; return its exit code.

    Once it is up, :func:`_announce` prints where it is and how to stop it. Ctrl-C, SIGTERM
    or a closed terminal (SIGHUP) stops it cleanly, its kernels too: JupyterLab is never
    killed outright (subprocess.call would) or left running on its own. It runs in a session
    of its own, so Ctrl-C reaches only trustlab, which stops it without JupyterLab's
    "Shutdown this Jupyter server (y/[n])?".
    """
    posix = os.name == "posix"
    process = subprocess.Popen(command, env=env, cwd=cwd, start_new_session=posix)
    stop = lambda *_: process.terminate()  # noqa: E731
    previous = {sig: signal.signal(sig, stop)
                for sig in (signal.SIGTERM, getattr(signal, "SIGHUP", None)) if sig}
    announcer = threading.Thread(target=_announce, daemon=True,
                                 args=(process, Path(env["JUPYTER_RUNTIME_DIR"]),
                                       env.get("JUPYTER_TOKEN", "")))
    announcer.start()
    try:
        while True:
            try:
                return process.wait()
            except KeyboardInterrupt:
                print("\ntrustlab: stopping JupyterLab ...", flush=True)
                if posix:
                    process.terminate()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _announce(process: subprocess.Popen, runtime: Path, token: str) -> None:
    """Once JupyterLab ``process`` is serving, print its address and how to stop it.

    JupyterLab writes what it serves (its port) into ``jpserver-PID.json`` in its private
    runtime folder ``runtime``; that file is read, never the log. Gives up quietly when
    JupyterLab exits first (it then said why).
    """
    info = runtime / f"jpserver-{process.pid}.json"
    while process.poll() is None:
        try:
            port = int(json.loads(info.read_text("utf-8"))["port"])
        except (OSError, ValueError, KeyError, TypeError):
            time.sleep(0.2)
            continue
        query = f"?token={token}" if token else ""
        print(f"trustlab: JupyterLab is running at http://127.0.0.1:{port}{START_URL}{query}\n"
              "trustlab: to stop it, press Ctrl-C in this window (what you saved is already "
              "in your journal).", flush=True)
        return


# --- inside JupyterLab's server ----------------------------------------------------------

WAKE_UP = 1.0
"""The longest a kernel client in ``trustlab lab``'s server waits on its socket before it
looks at the socket itself (seconds)."""


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    """``trustlab lab`` loads this module into its Jupyter server as a server extension.

    Called as the server finds its extensions, before it links them: the moment to silence
    warnings meant for Jupyter's developers, not for the person at the terminal. Voilà's
    ``__init__`` asks for traitlets' deprecation warnings to be shown (then notebook_shim
    reads ``ServerApp.token``, a deprecated name, and Voilà's own classes use old traitlets
    forms); after Voilà is imported, they are hidden again, as Python hides them by default.
    """
    import warnings

    with contextlib.suppress(ImportError):
        import voila  # noqa: F401

    warnings.filterwarnings("ignore", category=DeprecationWarning, module="traitlets")
    return [{"module": "trustlab.lab"}]


def _load_jupyter_server_extension(server_app: object) -> None:
    """In ``trustlab lab``'s server: no kernel client waits for a wake-up that was lost.

    Voilà runs a notebook for an app view through a kernel client inside the server
    (nbclient on jupyter_client's ``AsyncZMQSocketChannel``, pyzmq's asyncio sockets). Now
    and then the event loop is never woken for a message that has arrived: the kernel's
    reply waits in the socket, the kernel is idle, and the page spins forever (seen with
    Voilà 0.5.13, nbclient 0.11, jupyter_client 8.10, pyzmq 27.3, with ipykernel 7.4 and
    6.31 alike: 3 to 5 renders in 30 on a busy 2-core machine). So each wait is cut into
    slices of at most WAKE_UP seconds, after each of which pyzmq polls the socket directly:
    a lost wake-up costs a second instead of the page. JupyterLab's own notebooks talk to
    their kernels another way (ZMQStream) and are not affected. Upstream, voila#1446 reports
    the same symptom (the kernel done, the page spinning, not every time).
    """
    from jupyter_client.channels import AsyncZMQSocketChannel

    if not getattr(AsyncZMQSocketChannel.get_msg, "_trustlab", False):
        AsyncZMQSocketChannel.get_msg = _sliced_get_msg(AsyncZMQSocketChannel.get_msg)


def _sliced_get_msg(get_msg: Any) -> Any:
    """``get_msg(channel, timeout)`` waiting in slices of at most WAKE_UP seconds (the same
    result: the next message, or queue.Empty once ``timeout`` seconds have passed)."""
    import time
    from queue import Empty

    async def sliced(self: Any, timeout: float | None = None) -> Any:
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            if left is not None and left <= WAKE_UP:
                return await get_msg(self, left)
            with contextlib.suppress(Empty):
                return await get_msg(self, WAKE_UP)

    sliced._trustlab = True  # type: ignore[attr-defined]
    sliced.__doc__ = get_msg.__doc__
    return sliced
