"""Step 2, qualities: how often each person showed each of my qualities."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..journal import Journal
from ..schema import TABLES
from ._common import (
    MIN_ENTRIES,
    _listed,
    _names,
    _only,
    _places,
    _share,
    _sort_people,
    _typed_empty,
)

# --- step 2: qualities ------------------------------------------------------


def quality_order(journal: Journal) -> list[str]:
    """My qualities, most important first (then as listed), then other named qualities A to Z."""
    qualities = journal.table("qualities")
    listed = qualities.assign(quality=qualities["quality"].str.strip(), _row=range(len(qualities)))
    listed = listed.sort_values(["importance", "_row"], ascending=[False, True])
    named = pd.Index(listed["quality"].unique(), dtype="str")
    others = _names(journal.table("observations")["quality"]).names
    others = others[(_places(others, named) < 0) & (others != "")]
    return named.tolist() + sorted(others.tolist(), key=str.casefold)


def qualities_check(journal: Journal, *, people: Sequence[str] | None = None) -> pd.DataFrame:
    """For each person and each of my qualities: how often it was shown.

    Parameters
    ----------
    journal
        The open journal.
    people
        Only these people (default everyone with an observation).

    Returns
    -------
    pandas.DataFrame
        One row per person and quality observed at least once: ``person``,
        ``quality``, ``yes``, ``no``, ``unsure`` (one count per choice of
        ``shown``), ``observations``,
        ``share_shown`` (yes / observations) and ``enough`` (at least
        :data:`MIN_ENTRIES` observations). Observations naming no person or no
        quality are left out.
    """
    table = journal.table("observations")
    shown = TABLES["observations"].column("shown").choices
    frame = pd.DataFrame(
        {
            "person": _names(table["person"]).as_category(),
            "quality": _names(table["quality"]).as_category(),
            **{s: (table["shown"] == s).astype("int64") for s in shown},
        }
    )
    frame = _only(frame, "person", people)
    frame = frame[np.asarray(frame["quality"] != "")]
    columns = ["person", "quality", *shown, "observations", "share_shown", "enough"]
    if frame.empty:
        return _typed_empty(
            columns, text=("person", "quality"), floats=("share_shown",), flags=("enough",)
        )
    grouped = frame.groupby(["person", "quality"], observed=True).sum().reset_index()
    grouped["person"] = grouped["person"].astype("str")
    grouped["quality"] = grouped["quality"].astype("str")
    grouped["observations"] = grouped[list(shown)].sum(axis=1)
    grouped["share_shown"] = _share(grouped["yes"], grouped["observations"])
    grouped["enough"] = grouped["observations"] >= MIN_ENTRIES
    order = quality_order(journal)
    grouped = _sort_people(grouped, _listed(journal), then=["_quality"], extra=order)
    return grouped[columns].reset_index(drop=True)
