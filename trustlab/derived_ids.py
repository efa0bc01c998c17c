"""Ids for entries saved without one (a journal made by hand), made from their content.

A derived id is ``L`` and the 16 hex digits of pandas' hash of the entry's fields
(``pandas.util.hash_pandas_object(frame, index=False)``), and ``-2``, ``-3``, … for
the second, third, … copy of an identical entry, in file order. Everything works on
whole columns, and only the copies of repeated entries are looked at one by one.
"""

from __future__ import annotations

import binascii
import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
import pyarrow as pa

_LOW_BITS = 20
"""Bits of each hash in the table that finds the rows whose content repeats."""


def content_ids(frame: pd.DataFrame) -> pa.Array:
    """Ids for entries that have none, from their content: ``L`` and 16 hex digits.

    The same content gets the same id in every read; a repeat of an identical entry
    gets ``-2``, ``-3``, … after it, in file order.
    """
    n = len(frame)
    if n == 0:
        return pa.array([], pa.large_string())
    hashes = row_hashes(frame)
    digits = binascii.hexlify(hashes.astype(">u8"))  # 16 per hash, most significant first
    text = np.empty((n, 17), dtype=np.uint8)
    text[:, 0] = ord("L")
    text[:, 1:] = np.frombuffer(digits, dtype=np.uint8).reshape(n, 16)
    data = text.reshape(-1)
    lengths = np.full(n, 17, dtype=np.int64)
    rows, nth = _copies(hashes)
    if len(rows):
        # Write "-2", "-3", ... after the hex digits of each later copy.
        suffixes = [f"-{k}" for k in nth.tolist()]
        extra = np.fromiter(map(len, suffixes), dtype=np.int64, count=len(suffixes))
        lengths[rows] += extra
        added = np.frombuffer("".join(suffixes).encode("ascii"), dtype=np.uint8)
        data = np.insert(data, np.repeat((rows + 1) * 17, extra), added)
    offsets = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    return pa.LargeStringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(data))


_PARALLEL_ROWS = 50_000
"""From this many rows, the columns are hashed side by side."""


def row_hashes(frame: pd.DataFrame) -> np.ndarray:
    """``pandas.util.hash_pandas_object(frame, index=False)``, sooner on a large table.

    pandas hashes the columns one after the other and combines them. Here, on a
    large table, each column is hashed in its own thread (pandas and pyarrow let
    go of the GIL while they hash), then combined exactly as pandas combines them.
    """
    columns = [frame.iloc[:, i] for i in range(frame.shape[1])]
    workers = min(len(columns), os.cpu_count() or 1)
    if len(frame) < _PARALLEL_ROWS or workers < 2:
        return pd.util.hash_pandas_object(frame, index=False).to_numpy()
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="trustlab-hash") as pool:
        hashed = list(pool.map(
            lambda column: pd.util.hash_pandas_object(column, index=False).to_numpy(), columns
        ))
    return _combine(hashed)


def _combine(hashed: list[np.ndarray]) -> np.ndarray:
    """Combine each column's hashes into each row's, as pandas does
    (``pandas.core.util.hashing.combine_hash_arrays``, pandas 2 and 3)."""
    mult = np.uint64(1000003)
    out = np.zeros_like(hashed[0]) + np.uint64(0x345678)
    for i, column in enumerate(hashed):
        inverse = len(hashed) - i
        out ^= column
        out *= mult
        mult += np.uint64(82520 + inverse + inverse)
    out += np.uint64(97531)
    return out


def _copies(hashes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The rows whose content an earlier row already has, in file order, and which copy
    of it each is (2, 3, …)."""
    ordered = np.sort(hashes)
    same_as_before = ordered[1:] == ordered[:-1]
    if not same_as_before.any():
        return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.int64)
    repeated = ordered[1:][same_as_before]
    # Only the rows whose content repeats take part. A table of the hashes' low bits
    # picks them out in one pass, with a few others, which count as first copies below.
    low = np.uint64((1 << _LOW_BITS) - 1)
    table = np.zeros(1 << _LOW_BITS, dtype=bool)
    table[(repeated & low).astype(np.intp)] = True
    involved = np.flatnonzero(table[(hashes & low).astype(np.intp)])
    same = hashes[involved]
    nth = pd.Series(same).groupby(same, sort=False).cumcount().to_numpy() + 1
    later = nth > 1
    return involved[later], nth[later]
