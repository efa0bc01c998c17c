"""One entry's values: the text stored for what a caller gives, checked and typed,
and the entry handed back as plain Python values; new ids, and the error for a
missing entry.
"""

from __future__ import annotations

import datetime
import difflib
import math
import secrets
from collections.abc import Sequence
from numbers import Integral
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..errors import JournalError, Problem
from ..schema import ID, Table, make_id
from ..validate import validate_entry


def _no_entry(table: Table, ident: str) -> JournalError:
    message = f"there is no entry with id {ident!r} in {table.filename}."
    if ident.startswith("L"):
        message = (
            f"this entry is no longer in {table.filename} as it was when the list was "
            "made: the file was changed outside trustlab (in a spreadsheet or an "
            "editor). Look at the list again and choose the entry you mean."
        )
    return JournalError(
        [Problem(table.filename, 0, ID, ident, message, code="no_entry")],
        heading="Nothing was changed:",
    )


def _new_id() -> str:
    return make_id(secrets.randbits(60))


def _ids_given(header: list[str], rows: pa.Table) -> tuple[list[str], pa.Table, pa.Array]:
    """A file's ``header`` and ``rows`` (text, as stored) ready to rewrite: an id column
    (first, if the file had none) and a new id for every entry without one; and the ids."""
    if ID not in header:
        header = [ID, *header]
        rows = rows.add_column(0, ID, pa.repeat(pa.scalar("", pa.string()), rows.num_rows))
    position = header.index(ID)
    ids = rows.column(position).combine_chunks()
    missing = pc.equal(ids, "")
    if count := pc.sum(missing).as_py():
        ids = pc.replace_with_mask(ids, missing, pa.array([_new_id() for _ in range(count)],
                                                          ids.type))
        rows = rows.set_column(position, rows.column_names[position], ids)
    return header, rows, ids


def _row(header: list[str], texts: dict[str, str]) -> list[str]:
    return [texts.get(h, "") for h in header]


def _entry_texts(
    table: Table, fields: dict[str, Any], *, complete: bool
) -> tuple[dict[str, str], list[Problem]]:
    """The text to store for each given field, and a problem for each field that is wrong."""
    problems = []
    texts: dict[str, str] = {}
    names = table.column_names
    for key, value in fields.items():
        if key not in names:
            close = difflib.get_close_matches(key, names, n=1)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            message = (
                "the id is given by trustlab; it cannot be set."
                if key == ID
                else f"{table.filename} has no field {key!r}.{hint} "
                f"Its fields are: {', '.join(names)}."
            )
            problems.append(
                Problem(table.filename, 0, key, _show(value), message, code="unknown_field")
            )
            continue
        text, message = _to_text(table.column(key), value)
        if message:
            problems.append(Problem(table.filename, 0, key, _show(value), message, code="bad_type"))
        else:
            texts[key] = text
    if complete:
        texts = {name: texts.get(name, "") for name in names}
    return texts, problems


def _show(value: Any) -> str:
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= 200 else text[:200] + "…"


def _to_text(col, value: Any) -> tuple[str, str | None]:
    if (
        value is None
        or value is pd.NA
        or value is pd.NaT
        or (isinstance(value, float) and math.isnan(value))
    ):
        return "", None
    if col.kind == "date":
        if isinstance(value, (datetime.datetime, pd.Timestamp)):
            return value.date().isoformat(), None
        if isinstance(value, datetime.date):
            return value.isoformat(), None
        if isinstance(value, np.datetime64):
            return str(value.astype("datetime64[D]")), None
    elif col.kind == "int":
        if isinstance(value, bool):
            return "", f"expected {col.expected()}, not {value!r}."
        if isinstance(value, Integral):
            return str(int(value)), None
        if isinstance(value, float):
            if value.is_integer():
                return str(int(value)), None
            return "", f"{value!r} is not a whole number; expected {col.expected()}."
    if not isinstance(value, str):
        return "", f"expected {col.expected()}, not {type(value).__name__} {value!r}."
    if "\x00" in value:
        return "", "contains a NUL character, which cannot be stored; remove it."
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "", "contains characters that cannot be saved as UTF-8 text."
    return value, None


def _validated_entry(
    table: Table, texts: dict[str, str], problems: Sequence[Problem] = ()
) -> dict[str, Any]:
    """The typed entry, or a JournalError with ``problems`` and every value problem."""
    entry, value_problems = validate_entry(table, texts)
    bad_type = {p.column for p in problems}
    found = [*problems, *(p for p in value_problems if p.column not in bad_type)]
    if found:
        raise JournalError(found, heading="This entry was not saved:")
    return {ID: "", **entry}


def _as_dict(entry: dict[str, Any]) -> dict[str, Any]:
    """An entry as plain Python values: dates as ``datetime.date``, empty numbers as None."""
    out = {}
    for key, value in entry.items():
        if isinstance(value, pd.Timestamp):
            value = value.date()
        elif value is pd.NA:
            value = None
        elif isinstance(value, np.integer):
            value = int(value)
        out[key] = value
    return out
