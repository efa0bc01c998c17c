"""Charts of how trust is changing: pure functions from a journal to an Altair chart.

Each chart reads :mod:`trustlab.insights`, keeps only the few aggregated
columns it draws (names, dates, counts, shares: never notes, moments,
situations or other free text) and embeds at most :data:`MAX_ROWS` rows, so a
journal of a million entries makes a chart as small as a journal of fifty.

Every person keeps one colour in every chart (:func:`person_colours`), taken
from their place in people.csv. Call :func:`enable_offline` once in a notebook
so charts show without internet, and :func:`to_svg` for a standalone picture.
"""

# Where each part lives: the charts of the five steps in roots, qualities, myself
# (self-trust), beliefs and jars; all of them together in overview (the dashboard);
# colours, labels, the theme and drawing offline in style; what every chart shares
# (limits, periods, axes, titles) in _common.

from ._common import MAX_PEOPLE, MAX_PERIODS, MAX_ROWS, ChartType, choose_freq
from .beliefs import belief_labels, belief_shift
from .jars import braving_profile, current_jars, marble_jar, step_responses
from .myself import self_trust
from .overview import dashboard
from .qualities import qualities_check
from .roots import blame_balance, triggers_over_time
from .style import (
    LABELS,
    PALETTE,
    THEME,
    VEGA_MIMETYPE,
    chart_words,
    enable_offline,
    lab_bundle,
    person_colours,
    person_scale,
    to_svg,
)

__all__ = [
    "LABELS",
    "MAX_PEOPLE",
    "MAX_PERIODS",
    "MAX_ROWS",
    "PALETTE",
    "THEME",
    "VEGA_MIMETYPE",
    "ChartType",
    "belief_labels",
    "belief_shift",
    "blame_balance",
    "braving_profile",
    "chart_words",
    "choose_freq",
    "current_jars",
    "dashboard",
    "enable_offline",
    "lab_bundle",
    "marble_jar",
    "person_colours",
    "person_scale",
    "qualities_check",
    "self_trust",
    "step_responses",
    "to_svg",
    "triggers_over_time",
]
