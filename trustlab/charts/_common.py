"""The pieces every chart is built from.

Size limits, choosing whom to show, the period to count in, time axes,
titles and tooltips, and the guard on how many rows a chart embeds.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import altair as alt
import pandas as pd

from .. import insights
from ..insights import Freq
from ..journal import Journal

ChartType = alt.typing.ChartType
"""Any Altair chart: single, layered, faceted or concatenated."""

MAX_ROWS = 5_000
"""The most rows any chart embeds (Altair's own limit); charts aggregate to stay far below."""

MAX_PEOPLE = 8
"""People a chart shows unless told whom: those with the most entries."""

MAX_PERIODS = 120
"""Timeline points per person or per series before counting in a longer period."""

_PERIOD_WORDS: dict[str, tuple[str, str]] = {
    "D": ("Day", "%-d %b %Y"),
    "W": ("Week from", "%-d %b %Y"),
    "M": ("Month", "%B %Y"),
    "Q": ("Quarter from", "%B %Y"),
    "Y": ("Year", "%Y"),
}
_WIDTH, _HEIGHT = 520, 260
_BETWEEN_WHOLE = "datum.value % 1 !== 0"
_WHOLE = alt.Axis(
    tickMinStep=1,
    format="d",
    labelExpr=f"{_BETWEEN_WHOLE} ? '' : datum.label",
    tickOpacity={"condition": {"test": _BETWEEN_WHOLE, "value": 0}, "value": 1},
    gridOpacity={"condition": {"test": _BETWEEN_WHOLE, "value": 0}, "value": 1},
)
"""The axis of a count: whole numbers only (never 0.5 of a trigger).

``tickMinStep`` is only a hint: on a span of one or two Vega still picks half steps
(0, 0.5, 1, 1.5, 2, labelled "0 1 1 2 2"), so a tick between whole numbers is drawn
with no label, no tick mark and no grid line."""


# --- people ----------------------------------------------------------------------


def _people(journal: Journal, people: Sequence[str] | None, max_people: int) -> list[str]:
    if people is not None:
        return list(people)
    return insights.busiest_people(journal, max_people=max_people)


def _present(people: Sequence[str], data: pd.DataFrame) -> list[str]:
    """``people`` who appear in the chart's data, so legends list no one absent."""
    shown = set(data["person"])
    return [p for p in people if p in shown]


# --- shared pieces ------------------------------------------------------------------


def choose_freq(
    dates: pd.Series, *, max_periods: int = MAX_PERIODS, min_per_period: float = 0
) -> Freq:
    """The shortest period a timeline of ``dates`` can be counted in and stay readable.

    Parameters
    ----------
    dates
        The entries' dates.
    max_periods
        At most this many periods from the first date to the last.
    min_per_period
        On average at least this many entries in each period.

    Returns
    -------
    str
        ``"D"``, ``"W"``, ``"M"``, ``"Q"`` or ``"Y"`` (``"W"`` when there are no dates).
    """
    if dates.empty:
        return "W"
    days = (dates.max() - dates.min()).days + 1
    spans: dict[Freq, float] = {"D": 1, "W": 7, "M": 30.44, "Q": 91.3, "Y": 365.25}
    for freq, length in spans.items():
        periods = max(1.0, days / length)
        if periods <= max_periods and len(dates) / periods >= min_per_period:
            return freq
    return "Y"


def _inline(frame: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """Only the columns a chart draws, with a guard on how many rows it embeds."""
    data = frame.loc[:, list(columns)].reset_index(drop=True)
    if len(data) > MAX_ROWS:
        raise ValueError(
            f"This chart would embed {len(data):,} rows; charts embed at most {MAX_ROWS:,}. "
            "Choose fewer people, or a longer period with freq='M' or freq='Y'."
        )
    return data


def _title(text: str, *subtitle: str, empty: str = "") -> alt.Title:
    """A title with subtitle lines; ``empty`` is added when there is nothing to draw yet."""
    return alt.Title(text, subtitle=[line for line in (*subtitle, empty) if line])


def _date_tooltip(field: str, freq: str) -> alt.Tooltip:
    title, fmt = _PERIOD_WORDS[freq]
    return alt.Tooltip(f"{field}:T", title=title, format=fmt)


def _x_time(freq: str, dates: pd.Series, field: str = "date") -> alt.X:
    """A time axis with about eight ticks on whole days, weeks, months or years.

    Ticks on months or years are never finer than ``freq``, so they fall on the
    periods the chart counts in.
    """
    axis = alt.Axis(labelOverlap=True)
    if len(dates):
        days = (dates.max() - dates.min()).days + 1
        for interval, length, fmt in (
            ("day", 1, "%-d %b"),
            ("week", 7, "%-d %b"),
            ("month", 30.44, "%b %Y"),
            ("year", 365.25, "%Y"),
        ):
            finer = {"M": ("day", "week"), "Q": ("day", "week"), "Y": ("day", "week", "month")}
            if interval in finer.get(freq, ()) or (days / length > 40 and interval != "year"):
                continue
            step = max(1, math.ceil(days / length / 8))
            if freq == "Q" and interval == "month":
                step = 3 * math.ceil(step / 3)
            axis = alt.Axis(
                labelOverlap=True,
                format=fmt,
                tickCount=alt.TimeIntervalStep(interval=interval, step=step),
            )
            break
    return alt.X(f"{field}:T", title=None, axis=axis)
