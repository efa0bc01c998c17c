"""`trustlab lab` starts JupyterLab locally, with a token, offline, on the chosen journal."""

from __future__ import annotations

import json
import os
import re
import socket
import stat
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from trustlab import cli


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_lab_command_is_local_and_quiet(tmp_path):
    command = cli.lab_command(tmp_path, port=8899, browser=False)
    assert "--ServerApp.ip=127.0.0.1" in command
    assert "--no-browser" in command
    assert any(arg.endswith(str(cli.notebooks_dir())) for arg in command)
    config = Path(next(a for a in command if a.startswith("--config=")).split("=", 1)[1])
    text = config.read_text("utf-8")
    assert "news_url = None" in text and "NeverCheckForUpdate" in text


def test_lab_settings_merge_without_losing_a_persons_own(tmp_path):
    settings = tmp_path / "share" / "jupyter" / "lab" / "settings"
    settings.mkdir(parents=True)
    (settings / "overrides.json").write_text(json.dumps(
        {"@jupyterlab/apputils-extension:themes": {"theme": "JupyterLab Dark"}}))
    written = json.loads(cli.write_lab_settings(tmp_path).read_text("utf-8"))
    assert written["@jupyterlab/apputils-extension:themes"] == {"theme": "JupyterLab Dark"}
    assert written["@jupyterlab/apputils-extension:notification"]["fetchNews"] == "false"
    assert written["@jupyterlab/notebook-extension:tracker"]["autoStartDefaultKernel"] is True


@pytest.mark.timeout(180)
def test_lab_serves_on_localhost_with_a_token_and_the_journal(tmp_path):
    port = free_port()
    journal = tmp_path / "my journal"
    env = {**os.environ, "HOME": str(tmp_path / "home"),
           "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime")}
    log = tmp_path / "lab.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "trustlab.cli", "lab", "--no-browser", "--port", str(port),
             "--journal", str(journal)],
            stdout=out, stderr=subprocess.STDOUT, env=env,
        )
    try:
        token = None
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and token is None:
            found = re.search(rf"127\.0\.0\.1:{port}/lab\?token=(\w+)", log.read_text())
            token = found.group(1) if found else None
            assert process.poll() is None, log.read_text()
            time.sleep(0.5)
        assert token, log.read_text()
        with pytest.raises(urllib.error.HTTPError):  # no token, no entry
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/contents")
        with urllib.request.urlopen(
            f"http://127.0.0.1:{port}/api/contents?token={token}"
        ) as response:
            names = {item["name"] for item in json.load(response)["content"]}
        assert "00_start_here.ipynb" in names
        assert stat.S_IMODE(journal.stat().st_mode) == 0o700
        assert f"your journal is {journal}" in log.read_text()
    finally:
        process.terminate()
        process.wait(timeout=30)
