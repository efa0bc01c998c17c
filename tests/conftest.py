"""Small shared fixtures: an empty journal folder, a way to write a file into it, a journal."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from trustlab import Journal, open_journal


@pytest.fixture
def journal_dir(tmp_path: Path) -> Path:
    """An empty journal folder."""
    path = tmp_path / "journal"
    path.mkdir()
    return path


@pytest.fixture
def write_file(journal_dir: Path) -> Callable[[str, str | bytes], Path]:
    """Write ``content`` to ``journal_dir / filename`` byte for byte (text as UTF-8, no
    newline translation) and return the path."""

    def write(filename: str, content: str | bytes) -> Path:
        path = journal_dir / filename
        path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
        return path

    return write


@pytest.fixture
def journal(journal_dir: Path) -> Journal:
    """A new, empty journal."""
    return open_journal(journal_dir)


def folder_bytes(path: Path) -> dict[str, bytes]:
    """Every file under ``path`` (hidden ones too) and its bytes, by relative path."""
    return {
        str(p.relative_to(path)): p.read_bytes() for p in sorted(path.rglob("*")) if p.is_file()
    }


@pytest.fixture
def snapshot() -> Callable[[Path], dict[str, bytes]]:
    """``snapshot(folder)``: every file in the folder and its bytes, to compare later."""
    return folder_bytes


@pytest.fixture
def restore_altair():
    """Put Altair's renderer and theme back as they were after the test."""
    import altair as alt

    renderer, theme = alt.renderers.active, alt.theme.active
    yield
    alt.renderers.enable(renderer)
    alt.theme.enable(theme)
