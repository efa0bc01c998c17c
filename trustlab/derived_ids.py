"""Ids for entries saved without one (a journal made by hand), made from their content.

A derived id is ``L`` and the 16 hex digits of a 64-bit hash of the entry's fields
(:func:`row_hashes`), and ``-2``, ``-3``, … for the second, third, … copy of an
identical entry, in file order. Everything works on whole blocks of rows (in the
processor's cache, side by side on the cores), and only the copies of repeated
entries are looked at one by one.

Entries that differ in a single date or number, or in a single byte of one text,
never share a hash (each step of the hash is one-to-one for a fixed rest of the
entry); any other two share one only by chance, about once in 2**64.
"""

from __future__ import annotations

import bisect
import itertools
import os
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa

_LOW_BITS = 20
"""Bits of each hash in the table that finds the rows whose content repeats."""


Places = Mapping[str, tuple[pa.Array | pa.ChunkedArray, pa.Array]]
"""For some text columns of a frame, by name: ``(places, values)``, the column's text in
row ``i`` being exactly ``values[places[i]]``: what a check that looks each value up
(among a column's choices, or the names listed in people.csv) finds anyway."""


def content_ids(frame: pd.DataFrame, places: Places | None = None) -> pa.Array:
    """Ids for entries that have none, from their content: ``L`` and 16 hex digits.

    The same content gets the same id in every read; a repeat of an identical entry
    gets ``-2``, ``-3``, … after it, in file order. ``places`` (:data:`Places`) only
    saves time: a column given there is hashed by looking its values' hashes up.
    """
    n = len(frame)
    if n == 0:
        return pa.array([], pa.large_string())
    hashes = row_hashes(frame, places)
    rows, nth = _copies(hashes)
    suffixes = [f"-{k}".encode("ascii") for k in nth.tolist()]
    offsets = _scratch(n + 1, np.int64)  # each id's length, then (summed) where it starts
    offsets[0] = 0
    offsets[1:] = 17
    offsets[rows + 1] += np.fromiter(map(len, suffixes), dtype=np.int64, count=len(suffixes))
    np.cumsum(offsets, out=offsets)
    buffer = pa.allocate_buffer(int(offsets[-1]))  # from arrow's pool: pages it has
    data = np.frombuffer(buffer, dtype=np.uint8)
    # Between two later copies the ids are 17 bytes each, one after the other: each such
    # run is written as a table of 17 columns, in blocks side by side.
    cuts = rows + 1  # a run ends after each later copy, before its "-2", "-3", ...

    def write(start: int, stop: int) -> None:
        inside = cuts[np.searchsorted(cuts, start, "right"):np.searchsorted(cuts, stop, "left")]
        for a, b in itertools.pairwise([start, *inside.tolist(), stop]):
            at = int(offsets[a])
            _write_id(hashes[a:b], data[at : at + 17 * (b - a)].reshape(-1, 17))

    _side_by_side(write, _blocks([], n))
    for row, suffix in zip(rows.tolist(), suffixes, strict=True):
        at = int(offsets[row]) + 17
        data[at : at + len(suffix)] = np.frombuffer(suffix, dtype=np.uint8)
    return pa.LargeStringArray.from_buffers(n, pa.py_buffer(offsets), buffer)


def _scratch(n: int, dtype: type[np.generic]) -> np.ndarray:
    """An uninitialised array of ``n`` values from arrow's memory pool.

    The pool keeps the memory handed back to it for the next use, where numpy's large
    arrays come from the system each time, and the system's fresh pages cost time on
    first touch (about a millisecond per megabyte on the benchmark's virtual machine).
    """
    size = np.dtype(dtype).itemsize
    return np.frombuffer(pa.allocate_buffer(max(n, 1) * size), dtype=dtype, count=n)


_BLOCK = 65_536
"""Rows hashed together. A block's arrays stay in the processor's cache, and a large
table's blocks are shared out between the cores."""


def row_hashes(frame: pd.DataFrame, places: Places | None = None) -> np.ndarray:
    """A 64-bit hash of each row: its columns' hashes combined as pandas combines them.

    A text column (pandas' ``str``) is hashed by :func:`text_hashes`; any other
    column (dates, numbers) by ``pandas.util.hash_pandas_object(column, index=False)``.
    Each value's hash depends on that value alone, so the rows are hashed in blocks
    (:func:`_blocks`), every column of a block at once, the blocks side by side in
    threads (numpy lets go of the GIL): the long free text, the slowest to hash, is
    shared out too, and a block's arrays are small and used again.
    """
    if frame.shape[1] == 0:
        raise ValueError("a row with no fields has no content to hash")
    n = len(frame)
    places = places or {}
    columns = [_hashable(frame.iloc[:, i], places.get(frame.columns[i]))
               for i in range(frame.shape[1])]
    hashes = _scratch(n, np.uint64)

    def hash_block(start: int, stop: int) -> None:
        hashes[start:stop] = _combine([
            text_hashes(_one_array(column.slice(start, stop - start)))
            if isinstance(column, pa.ChunkedArray)
            else column.hashes[column.places[start:stop]] if isinstance(column, _Lookup)
            else _finish(column[start:stop].copy()) if isinstance(column, np.ndarray)
            else pd.util.hash_pandas_object(column.iloc[start:stop], index=False).to_numpy()
            for column in columns
        ])

    _side_by_side(hash_block, _blocks(columns, n))
    return hashes


def _side_by_side(work: Callable[[int, int], None], blocks: list[tuple[int, int]]) -> None:
    """``work(start, stop)`` for each block, in threads when there are several."""
    workers = min(os.cpu_count() or 1, len(blocks))
    if workers < 2:
        for block in blocks:
            work(*block)
        return
    with ThreadPoolExecutor(workers, thread_name_prefix="trustlab-hash") as pool:
        list(pool.map(lambda block: work(*block), blocks))


def _blocks(
    columns: list[pa.ChunkedArray | np.ndarray | pd.Series | _Lookup], n: int, first: int = 0
) -> list[tuple[int, int]]:
    """Rows ``first`` to ``first + n`` in blocks to work on together, as (start, stop):
    at most :data:`_BLOCK` rows, cut where the first text column's chunks are cut (the
    columns of a table read by pyarrow share their cuts), so that a block's text is
    mostly hashed where it lies, not copied."""
    chunked = next((c for c in columns if isinstance(c, pa.ChunkedArray)), None)
    sizes = [len(chunk) for chunk in chunked.chunks] if chunked is not None else [n]
    blocks: list[tuple[int, int]] = []
    start = first
    for size in sizes:
        if not size:
            continue
        stop = start + size
        if blocks and stop - blocks[-1][0] <= _BLOCK:
            blocks[-1] = (blocks[-1][0], stop)  # small chunks together
        else:
            parts = -(-size // _BLOCK)  # a large chunk in even parts
            blocks += itertools.pairwise([start + size * k // parts for k in range(parts + 1)])
        start = stop
    return blocks


class _Lookup(NamedTuple):
    """A text column as each row's place among some texts, and those texts' hashes."""

    places: np.ndarray
    hashes: np.ndarray


def _hashable(
    column: pd.Series, found: tuple[pa.Array | pa.ChunkedArray, pa.Array] | None = None
) -> pa.ChunkedArray | np.ndarray | pd.Series | _Lookup:
    """A text column (pandas' ``str``) as arrow strings or, given ``found`` (its entry
    in :data:`Places`), as each row's place among the texts it is one of; a column of
    64-bit numbers or times held by numpy as those 64 bits (which pandas hashes with
    :func:`_finish`); any other column as it is (pandas hashes it). Each is hashed block
    by block."""
    if found is not None:
        where, values = found
        if isinstance(where, pa.ChunkedArray):
            where = where.combine_chunks()
        if where.null_count:
            raise ValueError(f"{column.name}: a value without a place cannot be looked up")
        return _Lookup(where.to_numpy(), text_hashes(values))
    if isinstance(column.dtype, pd.StringDtype):
        values = pa.array(column, from_pandas=True)
        return values if isinstance(values, pa.ChunkedArray) else pa.chunked_array([values])
    if (isinstance(column.dtype, np.dtype) and column.dtype.kind in "iumM"
            and column.dtype.itemsize == 8):
        return column.to_numpy().view(np.uint64)
    return column


def _one_array(values: pa.ChunkedArray) -> pa.Array:
    """The chunks of ``values`` as one array (64-bit offsets when it takes a copy)."""
    if values.num_chunks == 1:
        return values.chunk(0)
    return pa.concat_arrays([chunk.cast(pa.large_string()) for chunk in values.chunks])


_HEX_PAIRS = np.frombuffer(b"".join(b"%02x" % i for i in range(256)), dtype=np.uint16)
"""The two hex digits of each byte, as one 16-bit number (in memory order)."""
_HEX_QUADS = (_HEX_PAIRS.astype(np.uint32)[:, None]
              | _HEX_PAIRS.astype(np.uint32)[None, :] << 16).ravel()
"""The four hex digits of each 16-bit number, as one 32-bit number (in memory order)."""


def _write_id(hashes: np.ndarray, text: np.ndarray) -> None:
    """Write ``L`` and the 16 hex digits of each hash (most significant first) into the
    rows of ``text`` (17 bytes each)."""
    text[:, 0] = ord("L")
    digits = _HEX_QUADS[hashes.astype(">u8").view(">u2")]
    text[:, 1:] = digits.view(np.uint8).reshape(len(hashes), 16)


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
    starts = offsets[:-1].astype(np.int64, copy=False)
    hashes = _spans(data, starts, np.diff(offsets).astype(np.int64, copy=False))
    if values.null_count:
        hashes[np.asarray(values.is_null())] = _finish(np.array([_NULL]))[0]
    return hashes


def _spans(data: np.ndarray, starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """The hash of each text ``data[start:start + length]`` (``starts`` in order)."""
    if not len(lengths) or int(lengths.max()) <= _PIECE:
        return _short_spans(data, starts, lengths)
    long = lengths > _PIECE
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
    # Texts whose last words would be read past the end of the data are hashed from a
    # padded copy of their bytes (a few at most, at the end).
    # (The texts end in order: a binary search over the few that matter.)
    safe = bisect.bisect_right(range(n), len(data) - _READ,
                               key=lambda i: int(starts[i]) + int(lengths[i]))
    if safe:
        hashes[:safe] = _absorb(data, starts[:safe], lengths[:safe])
    if safe < n:
        first, last = int(starts[safe]), int((starts[safe:] + lengths[safe:]).max())
        tail = np.zeros(last - first + _READ, dtype=np.uint8)
        tail[: last - first] = data[first:last]
        hashes[safe:] = _absorb(tail, starts[safe:] - first, lengths[safe:])
    return hashes


_WIDE = 4
"""Words read from each text at once: numpy copies 32 bytes from any position about as
fast as 8, so the bytes are taken 32 at a time and then absorbed a word at a time."""
_READ = 8 * _WIDE


def _absorb(data: np.ndarray, starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """:func:`text_hashes` of the texts at ``starts`` in ``data``, which holds at least
    :data:`_READ` bytes from each text's last word on."""
    n = len(starts)
    # Every 32 bytes from each position: reads[i] is data[i:i + 32], four words.
    reads = np.ndarray((len(data) - _READ + 1,), dtype=f"V{_READ}", buffer=data, strides=(1,))
    n_words = (lengths + 7) >> 3
    longest = int(n_words.max())
    # The texts with the most words first: key k is longest - (words of the text).
    key = (longest - n_words).astype(np.uint16 if longest < 2**16 else np.int64)
    order = np.argsort(key, kind="stable")  # 16-bit keys are sorted by radix, in one pass
    at = starts[order]
    length = lengths[order]
    h = np.full(n, _SEED, dtype=np.uint64)
    spare = np.empty(n, dtype=np.uint64)
    # still[k]: how many texts have more than k words (the first that many, in this order)
    below = np.maximum(longest - np.arange(longest + _WIDE + 1), 0).astype(key.dtype)
    still = np.searchsorted(key[order], below)
    for k in range(0, longest, _WIDE):
        m = int(still[k])
        words = reads[at[:m]].view("<u8").reshape(m, _WIDE)  # words k to k + 3
        at[:m] += _READ
        for j in range(_WIDE):
            m, ending = int(still[k + j]), int(still[k + j + 1])
            if m == 0:
                break
            word = words[:m, j]
            if ending < m:  # these texts end in this word: keep only their bytes
                word[ending:] &= _KEEP[length[ending:m] & 7]
            state = h[:m]
            state ^= word
            state *= _MIX
            shifted = spare[:m]
            np.right_shift(state, _SHIFT_29, out=shifted)
            state ^= shifted
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
    n = len(hashes)
    if n < 2:
        return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.int64)
    ordered = _scratch(n, np.uint64)
    ordered[:] = hashes
    ordered.sort()
    same_as_before = np.equal(ordered[1:], ordered[:-1], out=_scratch(n - 1, np.bool_))
    if not same_as_before.any():
        return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.int64)
    repeated = ordered[1:][same_as_before]
    # Only the rows whose content repeats take part. A table of the hashes' low bits
    # picks them out in one pass, with a few others, which count as first copies below.
    low = np.uint32((1 << _LOW_BITS) - 1)
    table = np.zeros(1 << _LOW_BITS, dtype=bool)
    table[repeated.astype(np.uint32) & low] = True  # (astype keeps the low 32 bits)
    slots = _scratch(n, np.uint32)
    slots[:] = hashes  # (the low 32 bits)
    slots &= low
    involved = np.flatnonzero(np.take(table, slots, out=_scratch(n, np.bool_)))
    same = hashes[involved]
    nth = pd.Series(same).groupby(same, sort=False).cumcount().to_numpy() + 1
    later = nth > 1
    return involved[later], nth[later]
