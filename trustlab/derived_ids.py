"""Ids for entries saved without one (a journal made by hand), made from their content.

A derived id is ``L`` and the 16 hex digits of a 64-bit hash of the entry's fields
(:func:`row_hashes`), and ``-2``, ``-3``, … for the second, third, … copy of an
identical entry, in file order. Everything works on whole columns, and only the
copies of repeated entries are looked at one by one.

Entries that differ in a single date or number, or in a single byte of one text,
never share a hash (each step of the hash is one-to-one for a fixed rest of the
entry); any other two share one only by chance, about once in 2**64.
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
    data: np.ndarray | bytes = text.reshape(-1)
    lengths = np.full(n, 17, dtype=np.int64)
    rows, nth = _copies(hashes)
    if len(rows):
        # Write "-2", "-3", ... after the hex digits of each later copy: the ids between
        # two copies are copied as one piece.
        suffixes = [f"-{k}".encode("ascii") for k in nth.tolist()]
        lengths[rows] += np.fromiter(map(len, suffixes), dtype=np.int64, count=len(suffixes))
        whole = memoryview(text.reshape(-1))
        pieces: list[bytes | memoryview] = []
        done = 0
        for end, suffix in zip(((rows + 1) * 17).tolist(), suffixes, strict=True):
            pieces += (whole[done:end], suffix)
            done = end
        pieces.append(whole[done:])
        data = b"".join(pieces)
    offsets = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    return pa.LargeStringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(data))


_PARALLEL_ROWS = 50_000
"""From this many rows, blocks of rows are hashed side by side."""


def row_hashes(frame: pd.DataFrame) -> np.ndarray:
    """A 64-bit hash of each row: its columns' hashes combined as pandas combines them.

    A text column (pandas' ``str``) is hashed by :func:`text_hashes`; any other
    column (dates, numbers) by ``pandas.util.hash_pandas_object(column, index=False)``.
    Each value's hash depends on that value alone, so a large table is hashed in
    blocks of rows, column by column, side by side in threads (numpy and pandas let
    go of the GIL): the long free text, the slowest to hash, is shared out too.
    """
    columns = [frame.iloc[:, i] for i in range(frame.shape[1])]
    if not columns:
        raise ValueError("a row with no fields has no content to hash")
    n = len(frame)
    workers = os.cpu_count() or 1
    if n < _PARALLEL_ROWS or workers < 2:
        return _combine([_column_hashes(column) for column in columns])
    step = -(-n // (2 * workers))
    parts = [(column, start) for column in columns for start in range(0, n, step)]
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="trustlab-hash") as pool:
        hashed = list(pool.map(lambda part: _column_hashes(part[0].iloc[part[1]:part[1] + step]),
                               parts))
    per_column = len(hashed) // len(columns)
    return _combine([
        np.concatenate(hashed[i : i + per_column]) for i in range(0, len(hashed), per_column)
    ])


def _column_hashes(column: pd.Series) -> np.ndarray:
    """One column's hashes: :func:`text_hashes` for a text column (pandas' ``str``),
    pandas' hash for anything else."""
    if isinstance(column.dtype, pd.StringDtype):
        values = pa.array(column, from_pandas=True)
        chunks = values.chunks if isinstance(values, pa.ChunkedArray) else [values]
        return np.concatenate([text_hashes(chunk) for chunk in chunks] or [np.zeros(0, np.uint64)])
    return pd.util.hash_pandas_object(column, index=False).to_numpy()


# Constants of SplitMix64 / MurmurHash3's finaliser (odd, so multiplying by one is
# one-to-one modulo 2**64).
_SEED = np.uint64(0x2545F4914F6CDD1D)
_MIX = np.uint64(0xBF58476D1CE4E5B9)
_LENGTH = np.uint64(0x94D049BB133111EB)
_NULL = np.uint64(0x9E3779B97F4A7C15)
_SHIFT_29, _SHIFT_30 = np.uint64(29), np.uint64(30)
_SHIFT_27, _SHIFT_31 = np.uint64(27), np.uint64(31)
_KEEP = np.array([2**64 - 1] + [(1 << (8 * r)) - 1 for r in range(1, 8)], dtype=np.uint64)
"""The bytes a text's last word keeps, by its length modulo 8 (0: all eight)."""


_PIECE = 512
"""A text longer than this many bytes is hashed in pieces of this size, and then the
pieces' hashes are hashed: one long text cannot make hashing take a step per word."""


def text_hashes(values: pa.Array) -> np.ndarray:
    """A 64-bit hash of each text in ``values`` (arrow strings), from its UTF-8 bytes.

    By definition, for a text of ``n`` bytes, ``n`` at most :data:`_PIECE`, read as
    little-endian 64-bit words ``w0, w1, …`` (the last padded with zero bytes),
    starting from ``h = SEED``: ``h = (h ^ w) * MIX`` then ``h ^= h >> 29`` for each
    word in turn (all modulo 2**64), then ``h ^= n * LENGTH``, then MurmurHash3's
    64-bit finaliser. A longer text is cut into pieces of :data:`_PIECE` bytes (the
    last may be shorter); its hash is the finaliser of ``H ^ n * LENGTH``, where ``H``
    is the hash of the pieces' hashes written one after the other as 8 little-endian
    bytes each. A missing value hashes as the finaliser of ``NULL``.

    Every text takes its k-th step at once, the longest texts first, so the work is
    a few numpy operations per word of the longest piece, not a loop over texts.
    """
    if not (pa.types.is_string(values.type) or pa.types.is_large_string(values.type)):
        raise TypeError(f"text_hashes needs text, not {values.type}")
    n = len(values)
    offset_type = np.int64 if pa.types.is_large_string(values.type) else np.int32
    _, offsets_buffer, data_buffer = values.buffers()
    if n == 0:
        return np.zeros(0, dtype=np.uint64)
    offsets = np.frombuffer(offsets_buffer, dtype=offset_type, count=n + 1,
                            offset=values.offset * np.dtype(offset_type).itemsize)
    data = (np.frombuffer(data_buffer, dtype=np.uint8) if data_buffer is not None
            else np.zeros(0, dtype=np.uint8))
    hashes = _spans(data, offsets[:-1].astype(np.int64), np.diff(offsets).astype(np.int64))
    if values.null_count:
        hashes[np.asarray(values.is_null())] = _finish(np.array([_NULL]))[0]
    return hashes


def _spans(data: np.ndarray, starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """The hash of each text ``data[start:start + length]`` (``starts`` in order)."""
    long = lengths > _PIECE
    if not long.any():
        return _short_spans(data, starts, lengths)
    hashes = np.empty(len(starts), dtype=np.uint64)
    short = ~long
    hashes[short] = _short_spans(data, starts[short], lengths[short])
    hashes[long] = _long_spans(data, starts[long], lengths[long])
    return hashes


def _long_spans(data: np.ndarray, starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """The hash of each text longer than :data:`_PIECE` bytes: the hash of its pieces'."""
    pieces = -(-lengths // _PIECE)
    first = np.cumsum(pieces) - pieces
    nth = np.arange(int(pieces.sum()), dtype=np.int64) - np.repeat(first, pieces)
    piece_starts = np.repeat(starts, pieces) + nth * _PIECE
    piece_lengths = np.minimum(_PIECE, np.repeat(starts + lengths, pieces) - piece_starts)
    # Each text's piece hashes, one after the other, are a text of 8 bytes per piece.
    joined = _spans(data, piece_starts, piece_lengths).astype("<u8").view(np.uint8)
    inner = _spans(joined, first * 8, pieces * 8)
    inner ^= lengths.astype(np.uint64) * _LENGTH
    return _finish(inner)


def _short_spans(data: np.ndarray, starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """:func:`_spans` of texts of at most :data:`_PIECE` bytes."""
    n = len(starts)
    hashes = np.empty(n, dtype=np.uint64)
    if n == 0:
        return hashes
    # Texts whose last word would read past the end of the data are hashed from a
    # padded copy of their bytes (a few at most, at the end).
    ends = starts + lengths
    safe = int(np.searchsorted(ends, len(data) - 8, side="right")) if len(data) >= 8 else 0
    if safe:
        hashes[:safe] = _absorb(data, starts[:safe], lengths[:safe])
    if safe < n:
        first, last = int(starts[safe]), int(ends[safe:].max())
        tail = np.zeros(last - first + 8, dtype=np.uint8)
        tail[: last - first] = data[first:last]
        hashes[safe:] = _absorb(tail, starts[safe:] - first, lengths[safe:])
    return hashes


def _absorb(data: np.ndarray, starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """:func:`text_hashes` of the texts at ``starts`` in ``data``, which holds at least
    eight bytes from each text's last word on."""
    n = len(starts)
    # Every 8 bytes from each position, as one little-endian number: word i is data[i:i + 8].
    words = np.ndarray((len(data) - 7,), dtype="<u8", buffer=data, strides=(1,))
    n_words = (lengths + 7) >> 3
    longest = int(n_words.max())
    if longest < 2**16:  # numpy sorts 16-bit keys by radix, in one pass
        order = np.argsort((longest - n_words).astype(np.uint16), kind="stable")
    else:
        order = np.argsort(-n_words, kind="stable")
    at = starts[order]
    length = lengths[order]
    h = np.full(n, _SEED, dtype=np.uint64)
    # still[k]: how many texts have more than k words (the first that many, in this order)
    still = n - np.cumsum(np.bincount(n_words, minlength=longest + 1))
    for k in range(longest):
        m, ending = int(still[k]), int(still[k + 1])
        word = words[at[:m]]
        if ending < m:  # these texts end in this word: keep only their bytes
            word[ending:] &= _KEEP[length[ending:m] & 7]
        at[:m] += 8
        state = h[:m]
        state ^= word
        state *= _MIX
        state ^= state >> _SHIFT_29
    h ^= length.view(np.uint64) * _LENGTH
    out = np.empty(n, dtype=np.uint64)
    out[order] = _finish(h)
    return out


def _finish(h: np.ndarray) -> np.ndarray:
    """MurmurHash3's 64-bit finaliser (one-to-one), in place."""
    h ^= h >> _SHIFT_30
    h *= _MIX
    h ^= h >> _SHIFT_27
    h *= _LENGTH
    h ^= h >> _SHIFT_31
    return h


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
    low = np.uint32((1 << _LOW_BITS) - 1)
    table = np.zeros(1 << _LOW_BITS, dtype=bool)
    table[repeated.astype(np.uint32) & low] = True  # (astype keeps the low 32 bits)
    slots = hashes.astype(np.uint32)
    slots &= low
    involved = np.flatnonzero(table[slots])
    same = hashes[involved]
    nth = pd.Series(same).groupby(same, sort=False).cumcount().to_numpy() + 1
    later = nth > 1
    return involved[later], nth[later]
