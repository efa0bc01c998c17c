"""Step 1, roots: where triggers seem to come from, and how I balanced the blame."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..journal import Journal
from ..schema import ALL_OR_NOTHING, TABLES
from ._common import Freq, _check_freq, period_start

_NONE, _ALL = ALL_OR_NOTHING
BLAME_BANDS: tuple[tuple[int, int], ...] = (
    (0, _NONE),
    *((low, min(low + 9, _ALL - 1)) for low in range(_NONE + 1, _ALL, 10)),
    (_ALL, 100),
)
"""The bands of :func:`blame_balance`: the all-or-nothing answers of
:data:`~trustlab.schema.ALL_OR_NOTHING` first and last, and tens between them
((0, 10), (11, 20) ... (81, 89), (90, 100))."""


# --- step 1: roots -----------------------------------------------------------


def triggers_by_origin(journal: Journal, *, freq: Freq | None = None) -> pd.DataFrame:
    """Triggers by where they seem to come from, with how intense they felt.

    Parameters
    ----------
    journal
        The open journal.
    freq
        Count per period, or ``None`` for one row per origin overall.

    Returns
    -------
    pandas.DataFrame
        ``date`` (with ``freq``), ``origin``, ``triggers``, ``mean_intensity``
        and ``max_intensity`` (0-10). Without ``freq`` every origin has a row
        (0 triggers, NaN intensities where none); with ``freq`` only periods and
        origins with triggers appear.
    """
    if freq is not None:
        _check_freq(freq)
    table = journal.table("triggers")
    frame = pd.DataFrame(
        {
            "origin": pd.Categorical(
                table["origin"], categories=TABLES["triggers"].column("origin").choices
            ),
            "intensity": table["intensity"].astype("float64"),
        }
    )
    keys = ["origin"]
    if freq is not None:
        frame.insert(0, "date", period_start(table["date"], freq))
        keys.insert(0, "date")
    grouped = frame.groupby(keys, observed=freq is not None, sort=True)["intensity"].agg(
        triggers="size", mean_intensity="mean", max_intensity="max"
    )
    grouped = grouped.reset_index()
    grouped["origin"] = grouped["origin"].astype("str")
    grouped["triggers"] = grouped["triggers"].astype("int64")
    return grouped.reset_index(drop=True)


def blame_balance(journal: Journal) -> pd.DataFrame:
    """How much of each trigger I saw as mine to own (``my_share``), in bands.

    Parameters
    ----------
    journal
        The open journal.

    Returns
    -------
    pandas.DataFrame
        One row per band of :data:`BLAME_BANDS`, lowest first: ``low``,
        ``high``, ``triggers`` and ``all_or_nothing`` (the band is at or below
        10 or at or above 90, see :data:`ALL_OR_NOTHING`).
    """
    share = journal.table("triggers")["my_share"].to_numpy()
    lows = np.array([low for low, _ in BLAME_BANDS])
    band = np.searchsorted(lows, share, side="right") - 1
    counts = np.bincount(band.astype("int64"), minlength=len(BLAME_BANDS))
    low_cut, high_cut = ALL_OR_NOTHING
    return pd.DataFrame(
        {
            "low": np.array([low for low, _ in BLAME_BANDS], dtype="int64"),
            "high": np.array([high for _, high in BLAME_BANDS], dtype="int64"),
            "triggers": counts.astype("int64"),
            "all_or_nothing": [high <= low_cut or low >= high_cut for low, high in BLAME_BANDS],
        }
    )
