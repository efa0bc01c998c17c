"""Small shared fixtures: an empty journal folder, a way to write a file into it, a journal;
and what a derived id is, written out the slow, plain way."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from pandas.core.util.hashing import combine_hash_arrays

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


# --- derived ids, by their definition -------------------------------------------------------

_BITS = 2**64 - 1


def text_hash_by_definition(text: str | None) -> int:
    """``trustlab.derived_ids.text_hashes`` of one text, written out from its docstring."""

    def finish(h: int) -> int:
        h ^= h >> 30
        h = h * 0xBF58476D1CE4E5B9 & _BITS
        h ^= h >> 27
        h = h * 0x94D049BB133111EB & _BITS
        return h ^ (h >> 31)

    if text is None:
        return finish(0x9E3779B97F4A7C15)
    data = text.encode("utf-8")
    h = 0x2545F4914F6CDD1D
    for k in range(0, len(data), 8):
        h = (h ^ int.from_bytes(data[k : k + 8], "little")) * 0xBF58476D1CE4E5B9 & _BITS
        h ^= h >> 29
    return finish(h ^ (len(data) * 0x94D049BB133111EB & _BITS))


def ids_by_definition(frame: pd.DataFrame) -> list[str]:
    """What a derived id is: ``L`` and the hex digits of the row's hash (each text column
    by :func:`text_hash_by_definition`, other columns by pandas, combined as pandas
    combines columns), and -2, -3, … for later copies of the same entry."""
    columns = [
        np.array([text_hash_by_definition(None if pd.isna(v) else v) for v in frame[name]],
                 dtype=np.uint64)
        if pd.api.types.is_string_dtype(frame[name].dtype)
        else pd.util.hash_pandas_object(frame[name], index=False).to_numpy()
        for name in frame.columns
    ]
    seen: dict[int, int] = {}
    ids = []
    for h in combine_hash_arrays(iter(columns), len(columns)).tolist():
        seen[h] = seen.get(h, 0) + 1
        ids.append(f"L{h:016x}" + (f"-{seen[h]}" if seen[h] > 1 else ""))
    return ids
