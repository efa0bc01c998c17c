"""What a derived id is, written out the slow, plain way, for the tests to compare with."""

from __future__ import annotations

import numpy as np
import pandas as pd
from pandas.core.util.hashing import combine_hash_arrays

_BITS = 2**64 - 1


def _finish(h: int) -> int:
    h ^= h >> 30
    h = h * 0xBF58476D1CE4E5B9 & _BITS
    h ^= h >> 27
    h = h * 0x94D049BB133111EB & _BITS
    return h ^ (h >> 31)


def _bytes_hash(data: bytes) -> int:
    if len(data) > 512:  # in pieces of 512 bytes, then the pieces' hashes
        joined = b"".join(
            _bytes_hash(data[i : i + 512]).to_bytes(8, "little") for i in range(0, len(data), 512)
        )
        return _finish(_bytes_hash(joined) ^ (len(data) * 0x94D049BB133111EB & _BITS))
    h = 0x2545F4914F6CDD1D
    for k in range(0, len(data), 8):
        h = (h ^ int.from_bytes(data[k : k + 8], "little")) * 0xBF58476D1CE4E5B9 & _BITS
        h ^= h >> 29
    return _finish(h ^ (len(data) * 0x94D049BB133111EB & _BITS))


def text_hash_by_definition(text: str | None) -> int:
    """``trustlab.derived_ids.text_hashes`` of one text, written out from its docstring."""
    return _finish(0x9E3779B97F4A7C15) if text is None else _bytes_hash(text.encode("utf-8"))


def ids_by_definition(frame: pd.DataFrame) -> list[str]:
    """What a derived id is: ``L`` and the hex digits of the row's hash (each text column
    by :func:`text_hash_by_definition`, other columns by pandas, combined as pandas
    combines columns), and -2, -3, … for later copies of the same entry."""
    columns = [
        np.array([text_hash_by_definition(None if pd.isna(v) else v) for v in frame[name]],
                 dtype=np.uint64)
        if isinstance(frame[name].dtype, pd.StringDtype)
        else pd.util.hash_pandas_object(frame[name], index=False).to_numpy()
        for name in frame.columns
    ]
    seen: dict[int, int] = {}
    ids = []
    for h in combine_hash_arrays(iter(columns), len(columns)).tolist():
        seen[h] = seen.get(h, 0) + 1
        ids.append(f"L{h:016x}" + (f"-{seen[h]}" if seen[h] > 1 else ""))
    return ids
