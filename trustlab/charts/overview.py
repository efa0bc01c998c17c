"""All the main charts together on one page: the dashboard."""

from __future__ import annotations

from collections.abc import Sequence

import altair as alt

from ..journal import Journal
from ._common import _WIDTH, MAX_PEOPLE, ChartType, _people
from .beliefs import belief_shift
from .jars import braving_profile, current_jars, marble_jar, step_responses
from .myself import self_trust
from .qualities import qualities_check
from .roots import blame_balance, triggers_over_time


def dashboard(
    journal: Journal,
    *,
    people: Sequence[str] | None = None,
    max_people: int = MAX_PEOPLE,
    label_beliefs: bool = False,
) -> ChartType:
    """The main charts on one page, from the marble jars to the roots of distrust.

    Parameters
    ----------
    journal
        The open journal.
    people
        Whom to show (default the :data:`MAX_PEOPLE` people with the most entries).
    max_people
        How many people at most when ``people`` is not given.
    label_beliefs
        Name beliefs by their first words (for the person's own eyes); by default
        "Belief 1", "Belief 2" ...

    Returns
    -------
    altair.VConcatChart
    """
    chosen = _people(journal, people, max_people)
    # One column of charts, so the page is at most about 650 px wide: it fits a 1,280 px
    # window with JupyterLab's sidebar open, and a phone-sized report.
    rows = [
        marble_jar(journal, people=chosen, width=_WIDTH),
        current_jars(journal, people=chosen, width=360),
        braving_profile(journal, people=chosen),
        step_responses(journal, people=chosen, width=420),
        self_trust(journal, width=_WIDTH, height=180),
        qualities_check(journal, people=chosen),
        belief_shift(journal, label_beliefs=label_beliefs, width=_WIDTH),
        triggers_over_time(journal, width=360, height=170),
        blame_balance(journal, width=360, height=170),
    ]
    # Built with one constructor each: Altair's helpers (vconcat, resolve_scale,
    # properties) copy the whole tree at every call, a third of the build time.
    return alt.VConcatChart(
        vconcat=rows,
        spacing=50,
        resolve=_INDEPENDENT,
        title=alt.Title("Your trust journal at a glance", fontSize=20, offset=20),
    )


_INDEPENDENT = alt.Resolve(
    scale=alt.ScaleResolveMap(color="independent", shape="independent", opacity="independent")
)
"""Concatenated charts share colour scales unless told otherwise, which would merge
people, BRAVING scores and trigger origins into one legend."""
