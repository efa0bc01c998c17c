"""What the journal shows, as small pandas tables: pure functions, no plotting.

Every function takes the open journal first and options by keyword, reads the
tables it needs with ``journal.table(name)`` (so anything with such a method
works, for example a pseudonymised copy) and returns a new DataFrame or list.
Nothing here writes, draws or touches a widget.

Each insight carries its counts (``moments``, ``flags``, ``records`` ...) so a
reader can see how much it rests on. Where an insight could suggest a direction
(a jar filling, a belief easing, red flags heeded more often), the direction is
only named when the entries tell it apart from chance: on entries that go either
way at random, at most 1 time in 20 (:data:`CHANCE`). Otherwise the ``trend`` or
``direction`` is ``"too_few"`` and the sentences say it is too early to tell.
Each check is exact for any number of entries: a sign test on the moments that
put marbles in (with its Clopper-Pearson interval), Fisher's test for a share
lately against before, a trend test (Mann-Kendall) across a belief's records,
and a permutation test for trigger intensity. :func:`highlights` asks more still:
what it shows must stand out even allowing for everything it looked at (Holm).

Free text (notes, moments, situations, beliefs ...) never leaves this module,
with two exceptions for the person's own eyes: the ``belief`` column of
:func:`belief_shift` and :func:`belief_trends`, and the first words of each
belief quoted by :func:`sentences` unless ``label_beliefs=False``.
"""

# Where each part lives: the five steps in roots, qualities, self_trust, beliefs and
# jars; lately against before in lately; the sentences and highlights in sentences
# (worded by _step_sentences and _words); what they all share in _common.

from __future__ import annotations

from ..chance import CHANCE
from ._common import (
    FREQUENCIES,
    MIN_ENTRIES,
    RECENT_WEEKS,
    Freq,
    busiest_people,
    period_start,
    person_order,
)
from ._words import short_label
from .beliefs import _belief_trend as _belief_trend  # tests/test_scale.py checks these
from .beliefs import _fitted_change as _fitted_change
from .beliefs import belief_shift, belief_trends
from .jars import braving_profile, current_jars, jar_trends, marble_balance, step_responses
from .lately import recent_changes
from .qualities import qualities_check, quality_order
from .roots import ALL_OR_NOTHING, BLAME_BANDS, blame_balance, triggers_by_origin
from .self_trust import promises_kept, self_trust_rate
from .sentences import highlights, sentences, summary

__all__ = [
    "ALL_OR_NOTHING",
    "BLAME_BANDS",
    "CHANCE",
    "FREQUENCIES",
    "MIN_ENTRIES",
    "RECENT_WEEKS",
    "Freq",
    "belief_shift",
    "belief_trends",
    "blame_balance",
    "braving_profile",
    "busiest_people",
    "current_jars",
    "highlights",
    "jar_trends",
    "marble_balance",
    "period_start",
    "person_order",
    "promises_kept",
    "qualities_check",
    "quality_order",
    "recent_changes",
    "self_trust_rate",
    "sentences",
    "short_label",
    "step_responses",
    "summary",
    "triggers_by_origin",
]
