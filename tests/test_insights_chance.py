"""Directions that hold up against chance, checked by simulation.

Each test makes many journals (or many people, beliefs) whose entries go either
way at random, and checks that trustlab names a direction in at most 5% of them;
then entries with a clear change, and checks how often the change is found.
The journals live in memory (insights only needs ``journal.table(name)``) and
every random number comes from a seeded generator, so the figures are the same
on every run.

What 12 moments can show: with only whether each moment put marbles in or took
them out, no test that names a direction in at most 5% of random jars finds a
jar where 85% of moments put marbles in 80% of the time; the best possible is
about 75% (see ``test_no_honest_rule_finds_85_percent_in_12_moments_80_percent_of_the_time``).
trustlab's rule finds it about 73% of the time, and 90% of 12, or 85% of 20, at
least 80% of the time.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from trustlab import TABLES, insights, open_journal

END = pd.Timestamp("2024-06-30")
"""The last day of every simulated journal."""


@pytest.fixture(scope="module")
def empty(tmp_path_factory) -> dict[str, pd.DataFrame]:
    """Every table of an empty journal, with its columns and types."""
    journal = open_journal(tmp_path_factory.mktemp("empty"))
    return {name: journal.table(name) for name in TABLES}


class Tables:
    """A journal in memory: ``table(name)`` returns the given frame, or an empty table."""

    def __init__(self, empty: dict[str, pd.DataFrame], **frames: pd.DataFrame) -> None:
        self.empty, self.frames = empty, frames

    def table(self, name: str) -> pd.DataFrame:
        return self.frames.get(name, self.empty[name])


def table(empty, name: str, days_back, **columns) -> pd.DataFrame:
    """Table ``name`` with entries ``days_back`` days before END; other columns empty."""
    days = np.asarray(days_back)
    frame = {}
    for column, dtype in empty[name].dtypes.items():
        if column == "date":
            frame[column] = (END - pd.to_timedelta(days, unit="D")).astype("datetime64[ms]")
        elif column in columns:
            frame[column] = pd.Series(columns[column], dtype=dtype)
        elif dtype == "int64":
            frame[column] = pd.Series(np.zeros(len(days), "int64"))
        else:
            frame[column] = pd.Series([""] * len(days), dtype=dtype)
    return pd.DataFrame(frame)


def marbles(empty, rng, *, people: int, moments: int, earning: float) -> pd.DataFrame:
    """Each person's ``moments`` in the last four weeks, each earning with chance ``earning``."""
    signs = np.where(rng.random((people, moments)) < earning, 1, -1)
    days = rng.integers(0, 28, (people, moments))
    days[:, 0] = 0  # someone's moment on the last day ends the window
    return table(
        empty,
        "marbles",
        days.ravel(),
        person=np.repeat([f"Person {i}" for i in range(people)], moments),
        marbles=(signs * rng.integers(1, 4, (people, moments))).ravel(),
    )


def directions(trends: pd.DataFrame) -> float:
    return float(trends["trend"].isin(["filling", "emptying"]).mean())


# --- the marble jar ------------------------------------------------------------------------


@pytest.mark.parametrize("moments", [6, 12, 20, 40])
def test_a_jar_of_random_moments_is_rarely_called_filling_or_emptying(empty, moments):
    # The exact rates are 3.1%, 3.9%, 4.1% and 3.8%: close enough to 5% that a small
    # simulation can cross it by luck alone, hence 20,000 people.
    rng = np.random.default_rng(moments)
    frame = marbles(empty, rng, people=20_000, moments=moments, earning=0.5)
    trends = insights.jar_trends(Tables(empty, marbles=frame))
    assert len(trends) == 20_000
    assert directions(trends) <= 0.05
    inside = (trends["low"] <= 0.5) & (trends["high"] >= 0.5)
    assert (inside == (trends["p"] > insights.CHANCE)).all()  # interval and test agree


@pytest.mark.parametrize(
    ("earning", "moments", "found"),
    [
        (0.85, 12, 0.70),  # measured 73%: the most any honest rule can do here is 75%
        (0.90, 12, 0.80),  # measured 89%
        (0.85, 20, 0.80),  # measured 94%
    ],
)
def test_a_jar_that_really_fills_is_found(empty, earning, moments, found):
    rng = np.random.default_rng(int(100 * earning) + moments)
    frame = marbles(empty, rng, people=2000, moments=moments, earning=earning)
    trends = insights.jar_trends(Tables(empty, marbles=frame))
    assert directions(trends) >= found
    assert (trends["trend"] != "emptying").all()


def test_no_honest_rule_finds_85_percent_in_12_moments_80_percent_of_the_time():
    # The most powerful rule that names a direction in at most 5% of random jars (2.5% each
    # way) calls "filling" on the likeliest patterns under the shift first: every pattern
    # with 10 or more of 12 moments in, then as many 9-of-12 patterns as the 2.5% allows.
    def pmf(k: int, p: float) -> float:
        return math.comb(12, k) * p**k * (1 - p) ** (12 - k)

    sure = sum(pmf(k, 0.5) for k in (10, 11, 12))
    spare_patterns = math.floor((0.025 - sure) * 2**12)
    best = sum(pmf(k, 0.85) for k in (10, 11, 12)) + spare_patterns * 0.85**9 * 0.15**3
    assert 0.75 < best < 0.76
    trustlab = sum(pmf(k, 0.85) for k in (10, 11, 12))  # the exact sign test
    assert 0.73 < trustlab < 0.74


# --- beliefs -------------------------------------------------------------------------------


def beliefs(empty, rng, *, count: int, records: int, slope: float, eased: float):
    """``count`` beliefs, each with ``records`` weekly records; "before" moves by ``slope``
    points a record (plus noise, rounded to 5 as people do), and felt less true after a
    record with chance ``eased``."""
    start = rng.integers(60, 95, (count, 1))
    noise = rng.normal(0, 8, (count, records))
    before = np.clip(np.round((start + slope * np.arange(records) + noise) / 5) * 5, 0, 100)
    shift = np.where(rng.random((count, records)) < eased, -5, 5)
    after = np.clip(before + shift * rng.integers(1, 5, (count, records)), 0, 100)
    return table(
        empty,
        "beliefs",
        np.tile(7 * np.arange(records)[::-1], count),
        belief=np.repeat([f"Belief {i}" for i in range(count)], records),
        before=before.astype("int64").ravel(),
        after=pd.array(after.astype("int64").ravel(), dtype="Int64"),
    )


def belief_claims(journal, count: int) -> tuple[float, float]:
    """How often beliefs got a trend, and how often a clear change after a record."""
    trends = insights.belief_trends(journal)
    said = insights.sentences(journal, step=4, max_people=count, label_beliefs=False)
    per_belief = [s for s in said if s.startswith("Belief ")]
    assert len(trends) == len(per_belief) == count
    after = np.mean(["After a record it has clearly" in s for s in per_belief])
    return float((trends["trend"] != "too_few").mean()), float(after)


@pytest.mark.parametrize("records", [5, 8, 12])
def test_beliefs_that_only_wobble_get_no_trend(empty, records):
    rng = np.random.default_rng(records)
    frame = beliefs(empty, rng, count=4000, records=records, slope=0, eased=0.5)
    trends = insights.belief_trends(Tables(empty, beliefs=frame))
    assert (trends["trend"] != "too_few").mean() <= 0.05  # measured: 1.2%, 3.2%, 4.2%


def test_records_that_only_wobble_are_too_early_to_tell(empty):
    rng = np.random.default_rng(12)
    frame = beliefs(empty, rng, count=1500, records=12, slope=0, eased=0.5)
    _, after = belief_claims(Tables(empty, beliefs=frame), 1500)
    assert after <= 0.05  # measured 3.9% (12 records); fewer records, fewer still


def test_a_belief_that_eases_record_by_record_is_found(empty):
    rng = np.random.default_rng(4)
    frame = beliefs(empty, rng, count=400, records=8, slope=-5, eased=0.5)
    trends = insights.belief_trends(Tables(empty, beliefs=frame))
    assert (trends["trend"] == "easing").mean() >= 0.75  # measured 82% (35 points over 8)


def test_records_that_leave_a_belief_feeling_less_true_are_found(empty):
    rng = np.random.default_rng(5)
    frame = beliefs(empty, rng, count=400, records=12, slope=0, eased=0.9)
    _, after = belief_claims(Tables(empty, beliefs=frame), 400)
    assert after >= 0.80  # measured 90% (85% of 12 records: 73%, as for jars)


# --- self-trust ----------------------------------------------------------------------------


def self_trust(empty, rng, before: float, lately: float):
    """12 red flags and 12 promises before the last four weeks and 12 in them; each heeded
    (kept) with chance ``before``, then ``lately``."""
    days = np.r_[rng.integers(40, 120, 12), rng.integers(1, 28, 11), 0]
    yes = np.r_[rng.random(12) < before, rng.random(12) < lately]
    flags = table(empty, "red_flags", days, flag=["x"] * 24,
                  response=np.where(yes, "heeded", "painted_green"))  # fmt: skip
    yes = np.r_[rng.random(12) < before, rng.random(12) < lately]
    promises = table(empty, "promises", days, promise=["x"] * 24,
                     kept=np.where(yes, "yes", "no"))  # fmt: skip
    changes = insights.recent_changes(Tables(empty, red_flags=flags, promises=promises))
    return changes.set_index("measure")["direction"]


def test_self_trust_that_only_wobbles_is_too_early_to_tell(empty):
    rng = np.random.default_rng(6)
    found = pd.DataFrame([self_trust(empty, rng, 0.6, 0.6) for _ in range(300)])
    named = (found[["heeded", "kept"]] != "too_few").mean()
    assert (named <= 0.05).all()  # measured over 3,000: 2.1% and 2.3%


def test_heeding_red_flags_far_more_often_is_found(empty):
    rng = np.random.default_rng(7)
    found = pd.DataFrame([self_trust(empty, rng, 0.25, 0.9) for _ in range(300)])
    assert ((found[["heeded", "kept"]] == "higher").mean() >= 0.8).all()  # measured 89%


# --- triggers ------------------------------------------------------------------------------


def triggers(empty, rng, *, before: float, lately: float, intensity=(6, 6)):
    """Triggers at ``before`` a week for 12 weeks, then ``lately`` a week for four; their
    intensity around ``intensity`` (before, lately). The journal goes on to END."""
    n_before, n_lately = rng.poisson(12 * before), rng.poisson(4 * lately)
    days = np.r_[rng.integers(28, 112, n_before), rng.integers(0, 28, n_lately)]
    strength = np.r_[rng.normal(intensity[0], 2, n_before), rng.normal(intensity[1], 2, n_lately)]
    n = len(days)
    frame = table(empty, "triggers", days, situation=["x"] * n, origin=["other"] * n,
                  intensity=np.clip(np.round(strength), 0, 10).astype("int64"),
                  my_share=np.full(n, 50))  # fmt: skip
    changes = insights.recent_changes(Tables(empty, triggers=frame), as_of=END)
    return changes.set_index("measure")["direction"]


def test_triggers_that_only_wobble_are_too_early_to_tell(empty):
    rng = np.random.default_rng(8)
    found = pd.DataFrame([triggers(empty, rng, before=1.5, lately=1.5) for _ in range(600)])
    named = (found[["triggers", "intensity"]] != "too_few").mean()
    assert (named <= 0.05).all()  # measured over 4,000: 3.3% and 2.7%


def test_triggers_that_come_far_less_often_or_less_intensely_are_found(empty):
    rng = np.random.default_rng(9)
    found = pd.DataFrame([triggers(empty, rng, before=3, lately=0.5) for _ in range(300)])
    assert (found["triggers"] == "lower").mean() >= 0.8  # measured 88%
    calmer = [triggers(empty, rng, before=2, lately=2, intensity=(7, 4)) for _ in range(300)]
    assert (pd.DataFrame(calmer)["intensity"] == "lower").mean() >= 0.75  # measured 82%


# --- what stands out -------------------------------------------------------------------------


def noisy_journal(empty, rng) -> Tables:
    """Four people, three beliefs, red flags, promises and triggers: all at random."""
    flags_days = np.r_[rng.integers(29, 120, 12), rng.integers(0, 28, 12)]
    n_triggers = rng.poisson(24)
    return Tables(
        empty,
        marbles=marbles(empty, rng, people=4, moments=12, earning=0.5),
        beliefs=beliefs(empty, rng, count=3, records=8, slope=0, eased=0.5),
        red_flags=table(empty, "red_flags", flags_days, flag=["x"] * 24,
                        response=rng.choice(["heeded", "painted_green"], 24)),
        promises=table(empty, "promises", flags_days, promise=["x"] * 24,
                       kept=rng.choice(["yes", "no"], 24)),
        triggers=table(empty, "triggers", rng.integers(0, 112, n_triggers),
                       situation=["x"] * n_triggers, origin=["other"] * n_triggers,
                       intensity=rng.integers(2, 9, n_triggers),
                       my_share=np.full(n_triggers, 50)),
    )  # fmt: skip


def test_what_stands_out_in_random_journals_names_no_direction(empty):
    rng = np.random.default_rng(10)
    named = 0
    for _ in range(60):
        journal = noisy_journal(empty, rng)
        top = insights.highlights(journal)
        assert len(top) <= 5 and (top["why"] != "").all()
        assert not top.loc[~top["direction"], "sentence"].str.contains("clearly").any()
        named += bool(top["direction"].any())
    # Every sentence list above rests on about 15 checks, each at 5%; what stands out
    # allows for all of them together, so a direction shows in at most 1 journal in 20.
    assert named <= 3  # measured over 1,000 journals: 1.4%


def test_what_stands_out_in_one_step_of_random_journals_names_no_direction(empty):
    rng = np.random.default_rng(20)
    named = dict.fromkeys(range(1, 6), 0)
    for _ in range(120):
        journal = noisy_journal(empty, rng)
        for step in named:
            top = insights.highlights(journal, step=step)
            assert (top["step"] == step).all()
            named[step] += bool(top["direction"].any())
    # A step's page allows for that step's checks together: a direction in at most 1
    # journal in 20 in the long run (measured over 300 journals: 4.7%, 0%, 1.7%, 1.7%
    # and 3.7% for steps 1 to 5). 120 journals at exactly 5% give more than 10 about
    # 4 times in 100.
    assert max(named.values()) <= 10, named
