"""Debian's Chromium for the browser tests: where it is, how it starts, what if it is missing."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
"""Debian's chromium (`playwright install` cannot download a browser here)."""

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
"""Flags that let it run as root, headless, and without reaching for the network."""


def unavailable(reason: str) -> None:
    """Browser tests cannot run here: a failure in CI, a skip on a person's machine."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"browser tests cannot run in CI: {reason}", pytrace=False)
    pytest.skip(
        f"{reason}; to run the browser tests install Debian's chromium "
        "(apt install chromium) and the Python package playwright"
    )
