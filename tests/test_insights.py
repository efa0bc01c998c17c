"""Insights on small hand-built journals whose answers are worked out by hand."""

from __future__ import annotations

import inspect
from html import escape as html_escape

import numpy as np
import pandas as pd
import pytest

from trustlab import insights, open_journal
from trustlab.schema import BRAVING

DEFAULTS = {"people": {"relationship": "friend", "era": "present"}}
"""Required choices the tests do not care about."""


def add_all(journal, table: str, rows: list[dict]) -> None:
    for row in rows:
        journal.add(table, **{**DEFAULTS.get(table, {}), **row})


@pytest.fixture
def marbles_journal(journal):
    """Sam: five moments in March 2024 (+9 in all). Alex: only losses (-6)."""
    add_all(journal, "people", [{"person": "Sam"}, {"person": "Alex"}])
    add_all(
        journal,
        "marbles",
        [
            {"date": "2024-03-04", "person": "Sam", "marbles": 2, "braving": "reliability"},
            {"date": "2024-03-10", "person": "Sam", "marbles": 2, "braving": "vault"},
            {"date": "2024-03-11", "person": "Sam", "marbles": 2},
            {"date": "2024-03-20", "person": "Sam", "marbles": 2, "braving": "reliability"},
            {"date": "2024-03-28", "person": "Sam", "marbles": 1},
            {"date": "2024-03-05", "person": "Alex", "marbles": -1, "braving": "vault"},
            {"date": "2024-03-12", "person": "Alex", "marbles": -2},
            {"date": "2024-03-19", "person": "Alex", "marbles": -3, "braving": "vault"},
        ],
    )
    return journal


# --- empty journals, one entry ------------------------------------------------------------


def test_an_empty_journal_gives_empty_insights_with_their_columns(journal):
    assert insights.marble_balance(journal).columns.tolist() == [
        "person", "date", "earned", "lost", "net", "balance", "moments",
    ]  # fmt: skip
    for frame in (
        insights.marble_balance(journal),
        insights.current_jars(journal),
        insights.jar_trends(journal),
        insights.braving_profile(journal),
        insights.step_responses(journal),
        insights.qualities_check(journal),
        insights.belief_shift(journal),
        insights.belief_trends(journal),
        insights.self_trust_rate(journal, freq="M"),
        insights.triggers_by_origin(journal, freq="W"),
    ):
        assert frame.empty
    assert insights.blame_balance(journal)["triggers"].tolist() == [0] * 10
    flags = insights.self_trust_rate(journal)
    assert flags[["heeded", "painted_green", "watching", "flags", "decided"]].iloc[0].tolist() == [
        0, 0, 0, 0, 0,
    ]  # fmt: skip
    assert np.isnan(flags["rate"].iloc[0]) and not flags["enough"].iloc[0]
    assert insights.triggers_by_origin(journal)["triggers"].tolist() == [0, 0, 0, 0]
    assert insights.person_order(journal) == []
    assert insights.busiest_people(journal) == []
    changes = insights.recent_changes(journal)
    assert changes["measure"].tolist() == ["heeded", "kept", "triggers", "intensity"]
    assert changes["direction"].tolist() == ["too_few"] * 4 and changes["p"].isna().all()
    assert insights.jar_trends(journal).columns.tolist()[-4:] == ["earning", "low", "high", "p"]
    top = insights.highlights(journal)
    assert top.empty and top.columns.tolist() == ["sentence", "why", "step", "weight", "direction"]


def test_an_empty_journal_says_so_gently(journal):
    assert insights.sentences(journal) == [
        "Nothing to show here yet: as you add entries, what they show will appear here."
    ]


def test_empty_results_keep_their_types(journal):
    dtypes = insights.marble_balance(journal).dtypes
    assert dtypes["date"] == "datetime64[ms]" and dtypes["balance"] == "int64"
    assert insights.belief_shift(journal).dtypes["after"] == "Int64"


def test_one_marble(journal):
    journal.add("marbles", date="2024-03-01", person="Sam", marbles=2, moment="Called back")
    balance = insights.marble_balance(journal, freq="D")
    assert balance.to_dict("records") == [
        {
            "person": "Sam",
            "date": pd.Timestamp("2024-03-01"),
            "earned": 2,
            "lost": 0,
            "net": 2,
            "balance": 2,
            "moments": 1,
        }
    ]
    jar = insights.current_jars(journal).iloc[0]
    assert (jar["person"], jar["marbles"], jar["moments"]) == ("Sam", 2, 1)
    assert jar["first_date"] == jar["last_date"] == pd.Timestamp("2024-03-01")
    trend = insights.jar_trends(journal).iloc[0]
    assert (trend["change"], trend["moments"], trend["trend"]) == (2, 1, "too_few")
    assert insights.sentences(journal) == [
        "Sam's jar holds 2 marbles from 1 moment.",
        "There is 1 moment for Sam over the last four weeks: too few to see a direction yet.",
    ]


# --- step 5: the marble jar -----------------------------------------------------------------


def test_weekly_balance_counts_weeks_from_monday(marbles_journal):
    sam = insights.marble_balance(marbles_journal, freq="W", people=["Sam"])
    assert sam["date"].dt.strftime("%Y-%m-%d").tolist() == [
        "2024-03-04", "2024-03-11", "2024-03-18", "2024-03-25",
    ]  # fmt: skip
    assert sam["net"].tolist() == [4, 2, 2, 1]
    assert sam["balance"].tolist() == [4, 6, 8, 9]
    assert sam["moments"].tolist() == [2, 1, 1, 1]


def test_a_person_with_only_losses(marbles_journal):
    alex = insights.marble_balance(marbles_journal, freq="W", people=["Alex"])
    assert alex["earned"].tolist() == [0, 0, 0]
    assert alex["lost"].tolist() == [1, 2, 3]
    assert alex["balance"].tolist() == [-1, -3, -6]
    jar = insights.current_jars(marbles_journal, people=["Alex"]).iloc[0]
    assert (jar["marbles"], jar["earned"], jar["lost"]) == (-6, 0, 6)
    said = insights.sentences(marbles_journal, step=5)
    assert "Alex's jar is at −6 marbles after 3 moments." in said


def test_balance_since_a_date_still_counts_what_came_before(marbles_journal):
    sam = insights.marble_balance(marbles_journal, freq="W", people=["Sam"], since="2024-03-18")
    assert sam["balance"].tolist() == [8, 9]


def test_months_quarters_and_years(marbles_journal):
    for freq, first in (("M", "2024-03-01"), ("Q", "2024-01-01"), ("Y", "2024-01-01")):
        frame = insights.marble_balance(marbles_journal, freq=freq)
        assert frame["date"].dt.strftime("%Y-%m-%d").unique().tolist() == [first]
        assert frame.set_index("person")["balance"].to_dict() == {"Sam": 9, "Alex": -6}


def test_people_come_in_people_csv_order_then_a_to_z(journal):
    add_all(journal, "people", [{"person": "Zed"}, {"person": "Bea"}])
    for person in ("mia", "Bea", "Al", "Zed"):
        journal.add("marbles", date="2024-03-01", person=person, marbles=1)
    assert insights.person_order(journal) == ["Zed", "Bea", "Al", "mia"]
    assert insights.current_jars(journal)["person"].tolist() == ["Zed", "Bea", "Al", "mia"]


def test_names_with_surrounding_spaces_are_the_same_person(journal_dir, write_file):
    write_file(
        "marbles.csv",
        "date,person,marbles,moment,braving\n2024-03-01,Sam,2,,\n2024-03-02, Sam ,3,,\n",
    )
    jars = insights.current_jars(open_journal(journal_dir))
    assert jars[["person", "marbles", "moments"]].values.tolist() == [["Sam", 5, 2]]


def test_five_earning_moments_are_too_few_to_call_a_jar_filling(marbles_journal):
    # Was "filling" under the old rule (any net gain). Five of five moments putting marbles
    # in comes up 1 time in 16 by chance alone (either way), more than the 1 in 20 allowed.
    trends = insights.jar_trends(marbles_journal).set_index("person")
    sam = trends.loc["Sam"]
    assert (sam["change"], sam["moments"], sam["earning"], sam["trend"]) == (9, 5, 5, "too_few")
    assert sam["p"] == pytest.approx(2 / 32)
    assert sam["low"] == pytest.approx(0.025 ** (1 / 5)) and sam["high"] == 1.0
    assert sam["start"] == pd.Timestamp("2024-03-01")
    assert sam["end"] == pd.Timestamp("2024-03-28")
    assert trends.loc["Alex", "trend"] == "too_few"  # only three moments
    said = insights.sentences(marbles_journal, step=5)
    assert (
        "Sam's jar changed by +9 marbles over the last four weeks, from 5 moments (5 in, 0 out): "
        "too early to tell a direction yet."
    ) in said
    assert not any("filling" in s or "clearly" in s for s in said)


def test_jar_trend_filling_when_the_moments_clearly_lean_one_way(journal):
    for day in range(1, 11):
        journal.add("marbles", date=f"2024-03-{day:02d}", person="Sam", marbles=1 + day % 2)
    sam = insights.jar_trends(journal).iloc[0]
    assert (sam["trend"], sam["earning"], sam["moments"], sam["change"]) == ("filling", 10, 10, 15)
    assert sam["p"] == pytest.approx(2 / 1024)
    assert 0.5 < sam["low"] < sam["high"] == 1.0
    assert (
        "Sam's jar has been filling over the last four weeks, clearly: all 10 moments put "
        "marbles in (+15 marbles)."
    ) in insights.sentences(journal, step=5)


def test_jar_trend_window_ends_on_as_of_and_spans_whole_weeks(marbles_journal):
    trends = insights.jar_trends(marbles_journal, weeks=1, as_of="2024-03-11").set_index("person")
    # 2024-03-05 .. 2024-03-11: Sam's 10th and 11th, Alex's 5th.
    assert trends.loc["Sam", "change"] == 4
    assert trends.loc["Alex", "change"] == -1
    with pytest.raises(ValueError, match="weeks=0: look back at least 1 week"):
        insights.jar_trends(marbles_journal, weeks=0)


def test_jar_emptying_and_steady(journal):
    # Dana had five moments (four losses) under the old rule, which called that "emptying";
    # now it takes ten moments, nine of them losses, to tell it from chance.
    dana = [-1, -2, 1, -1, -1, -2, -1, -1, -3, -1]
    for day, marbles in zip(range(1, 11), dana, strict=True):
        journal.add("marbles", date=f"2024-03-{day:02d}", person="Dana", marbles=marbles)
    for day, marbles in zip(range(1, 6), [2, -2, 1, -1, 0], strict=False):
        if marbles:
            journal.add("marbles", date=f"2024-03-0{day}", person="Mo", marbles=marbles)
    journal.add("marbles", date="2024-03-05", person="Mo", marbles=3)
    journal.add("marbles", date="2024-03-05", person="Mo", marbles=-3)
    trends = insights.jar_trends(journal).set_index("person")["trend"].to_dict()
    assert trends == {"Dana": "emptying", "Mo": "steady"}
    said = insights.sentences(journal, step=5)
    assert (
        "Dana's jar has been emptying over the last four weeks, clearly: 9 of 10 moments took "
        "marbles out (−12 marbles)."
    ) in said
    assert any(s.startswith("Mo's jar has held steady over the last four weeks") for s in said)


def test_braving_profile_is_a_full_grid(marbles_journal):
    profile = insights.braving_profile(marbles_journal)
    assert len(profile) == 2 * len(BRAVING)
    assert profile["element"].tolist()[:7] == list(BRAVING)
    sam = profile[profile["person"] == "Sam"].set_index("element")
    assert sam.loc["reliability", ["earned", "lost", "net", "moments"]].tolist() == [4, 0, 4, 2]
    assert sam.loc["vault", "net"] == 2
    assert sam.loc["integrity", "moments"] == 0
    alex = profile[profile["person"] == "Alex"].set_index("element")
    assert alex.loc["vault", ["earned", "lost", "net", "moments"]].tolist() == [0, 4, -4, 2]


def test_step_responses_share_leaves_out_pending(journal):
    for response in ("warm", "warm", "cold", "pending"):
        journal.add(
            "steps", date="2024-03-01", person="Sam", kind="gave", step="x", response=response
        )
    journal.add("steps", date="2024-03-01", person="Sam", kind="asked", step="y", response="warm")
    steps = insights.step_responses(journal).set_index("response")
    assert steps["steps"].to_dict() == {"warm": 3, "neutral": 0, "cold": 1, "pending": 1}
    assert steps.loc["warm", ["gave", "asked"]].tolist() == [2, 1]
    assert steps["answered"].unique().tolist() == [4]
    assert steps.loc["warm", "share"] == pytest.approx(0.75)
    assert np.isnan(steps.loc["pending", "share"])


# --- step 2: qualities ----------------------------------------------------------------------


def test_qualities_check_shares_and_enough(journal):
    add_all(
        journal,
        "qualities",
        [
            {"quality": "Honesty", "importance": 3},
            {"quality": "Reliability", "importance": 5},
        ],
    )
    shown = ["yes", "yes", "no", "unsure", "yes"]
    for s in shown:
        journal.add("observations", date="2024-03-01", person="Sam", quality="Reliability",
                    shown=s)  # fmt: skip
    journal.add("observations", date="2024-03-01", person="Sam", quality="Honesty", shown="no")
    journal.add("observations", date="2024-03-01", person="", quality="Honesty", shown="yes")
    journal.add("observations", date="2024-03-01", person="Sam", quality="", shown="yes")
    check = insights.qualities_check(journal)
    assert check["quality"].tolist() == ["Reliability", "Honesty"]  # most important first
    reliability = check.iloc[0]
    assert reliability[["yes", "no", "unsure", "observations"]].tolist() == [3, 1, 1, 5]
    assert reliability["share_shown"] == pytest.approx(0.6)
    assert reliability["enough"] and not check.iloc[1]["enough"]
    assert insights.sentences(journal, step=2) == [
        "With Sam, “Reliability” showed up in 3 of 5 observations."
    ]


# --- step 3: self-trust ---------------------------------------------------------------------


@pytest.fixture
def flags_journal(journal):
    rows = [
        ("2024-01-10", "Sam", "heeded"),
        ("2024-01-20", "Sam", "painted_green"),
        ("2024-02-05", "Alex", "heeded"),
        ("2024-02-06", "Sam", "watching"),
        ("2024-02-07", "", "heeded"),
    ]
    for date, person, response in rows:
        journal.add("red_flags", date=date, person=person, flag="A flag", response=response)
    for date, kept in (("2024-01-02", "yes"), ("2024-01-03", "partly"), ("2024-02-01", "")):
        journal.add("promises", date=date, promise="Say what I need", kept=kept)
    return journal


def test_self_trust_rate_overall_per_month_and_so_far(flags_journal):
    overall = insights.self_trust_rate(flags_journal).iloc[0]
    assert overall[["heeded", "painted_green", "watching", "flags", "decided"]].tolist() == [
        3, 1, 1, 5, 4,
    ]  # fmt: skip
    assert overall["rate"] == pytest.approx(0.75)
    assert not overall["enough"]
    monthly = insights.self_trust_rate(flags_journal, freq="M")
    assert monthly["rate"].tolist() == pytest.approx([0.5, 1.0])
    so_far = insights.self_trust_rate(flags_journal, freq="M", cumulative=True)
    assert so_far["decided"].tolist() == [2, 4]
    assert so_far["rate"].tolist() == pytest.approx([0.5, 0.75])


def test_self_trust_rate_by_person_leaves_out_flags_about_no_one(flags_journal):
    by_person = insights.self_trust_rate(flags_journal, by_person=True).set_index("person")
    assert by_person["flags"].to_dict() == {"Alex": 1, "Sam": 3}
    assert by_person.loc["Sam", "rate"] == pytest.approx(0.5)
    only_alex = insights.self_trust_rate(flags_journal, people=["Alex"])
    assert only_alex["person"].tolist() == ["Alex"]


def test_promises_kept(flags_journal):
    kept = insights.promises_kept(flags_journal).iloc[0]
    assert kept[["yes", "partly", "no", "open", "promises", "decided"]].tolist() == [
        1, 1, 0, 1, 3, 2,
    ]  # fmt: skip
    assert kept["rate"] == pytest.approx(0.5)
    said = insights.sentences(flags_journal, step=3)
    assert said == [
        "You heeded 3 of the 4 red flags you made a call on, and you are watching 1 more.",
        "There are too few red flags in the last four weeks, or before them, to say whether "
        "this is changing.",
        "Of the 2 promises to yourself you have looked back on, you kept 1 and partly kept 1. "
        "1 is still open.",
    ]


def test_heeding_red_flags_clearly_more_often_lately(journal):
    for day in range(1, 7):
        journal.add("red_flags", date=f"2024-01-{day:02d}", flag="x", response="painted_green")
        journal.add("red_flags", date=f"2024-03-{day:02d}", flag="x", response="heeded")
    heeded = insights.recent_changes(journal).set_index("measure").loc["heeded"]
    assert (heeded["recent"], heeded["before"], heeded["recent_n"], heeded["before_n"]) == (
        1.0, 0.0, 6, 6,
    )  # fmt: skip
    assert heeded["p"] == pytest.approx(2 / 924)  # Fisher: 2 of the C(12, 6) splits
    assert heeded["direction"] == "higher"
    assert (
        "Over the last four weeks you heeded them clearly more often than before (6 of 6, "
        "against 0 of 6 before)."
    ) in insights.sentences(journal, step=3)


def test_a_change_in_self_trust_that_could_be_chance_is_too_early_to_tell(journal):
    for day, before, now in zip(range(1, 7), "hhhppp", "hhhhpp", strict=True):
        for month, response in (("01", before), ("03", now)):
            response = "heeded" if response == "h" else "painted_green"
            journal.add("red_flags", date=f"2024-{month}-{day:02d}", flag="x", response=response)
            kept = "yes" if response == "heeded" else "no"
            journal.add("promises", date=f"2024-{month}-{day:02d}", promise="x", kept=kept)
    changes = insights.recent_changes(journal).set_index("measure")
    assert changes.loc[["heeded", "kept"], "direction"].tolist() == ["too_few", "too_few"]
    said = insights.sentences(journal, step=3)
    assert (
        "Over the last four weeks you heeded 4 of 6 (67%), against 3 of 6 (50%) before: too "
        "early to tell whether this is changing."
    ) in said
    assert (
        "Of the promises to yourself you made over the last four weeks, you kept 4 of the 6 "
        "you looked back on (67%), against 3 of 6 (50%) before: too early to tell whether "
        "this is changing."
    ) in said
    assert not any("clearly" in s for s in said)


def test_triggers_coming_less_often_and_less_intensely(journal):
    # Two a week for ten weeks, then one in the last four weeks, while the journal goes on.
    start = pd.Timestamp("2024-01-01")
    for i in range(20):
        day = start + pd.Timedelta(days=3.5 * i)
        journal.add("triggers", date=day.date(), situation="x", origin="other",
                    intensity=7 + i % 2, my_share=50)  # fmt: skip
    journal.add("triggers", date="2024-03-20", situation="x", origin="other", intensity=3,
                my_share=50)  # fmt: skip
    journal.add("marbles", date="2024-04-07", person="Sam", marbles=1)
    changes = insights.recent_changes(journal).set_index("measure")
    pace = changes.loc["triggers"]
    assert (pace["recent_n"], pace["before_n"], pace["direction"]) == (1, 20, "lower")
    assert pace["recent"] == pytest.approx(0.25)
    assert changes.loc["intensity", "direction"] == "too_few"  # one recent trigger
    said = insights.sentences(journal, step=1)
    assert any(
        s.startswith("You have noted triggers clearly less often lately: 1 trigger") for s in said
    )
    # Without the marble on 7 April, "lately" ends on the latest trigger, which then says
    # nothing about how often they come: too early to tell.
    quiet = insights.recent_changes(journal, as_of="2024-03-20").set_index("measure")
    assert quiet.loc["triggers", "direction"] == "too_few"


def test_trigger_intensity_that_clearly_fell(journal):
    for day in range(1, 11):
        journal.add("triggers", date=f"2024-01-{day:02d}", situation="x", origin="other",
                    intensity=8, my_share=50)  # fmt: skip
        journal.add("triggers", date=f"2024-03-{day:02d}", situation="x", origin="other",
                    intensity=3 + day % 2, my_share=50)  # fmt: skip
    intensity = insights.recent_changes(journal).set_index("measure").loc["intensity"]
    assert (intensity["recent"], intensity["before"], intensity["direction"]) == (3.5, 8, "lower")
    assert intensity["p"] == pytest.approx(2 / 184756)  # C(20, 10) splits, the two extremes
    assert (
        "Over the last four weeks your triggers have clearly felt less intense than before "
        "(on average 3.5 out of 10 over 10 triggers, against 8.0 over 10)."
    ) in insights.sentences(journal, step=1)


def test_an_unknown_period_is_named_with_the_choices(journal):
    with pytest.raises(ValueError, match=r"freq='fortnight' is not a period .* 'W' \(week\)"):
        insights.self_trust_rate(journal, freq="fortnight")


# --- step 4: beliefs -----------------------------------------------------------------------


@pytest.fixture
def beliefs_journal(journal):
    rows = [
        ("2024-03-01", "I'm not loveable", 90, 70),
        ("2024-03-02", "Everyone leaves", 80, None),  # no "after" yet
        ("2024-03-08", " i'm NOT loveable ", 80, 60),  # the same belief, typed differently
        ("2024-03-15", "I'm not loveable", 70, None),
        ("2024-03-22", "I'm not loveable", 60, 40),
        ("2024-03-29", "I'm not loveable", 50, 30),
    ]
    for date, belief, before, after in rows:
        journal.add(
            "beliefs", date=date, belief=belief, before=before, after=after, evidence="My sister"
        )
    return journal


def test_belief_shift_numbers_beliefs_by_first_record(beliefs_journal):
    shift = insights.belief_shift(beliefs_journal)
    assert shift["number"].tolist() == [1, 1, 1, 1, 1, 2]
    assert shift["belief"].tolist() == ["I'm not loveable"] * 5 + ["Everyone leaves"]
    assert shift["record"].tolist() == [1, 2, 3, 4, 5, 1]
    assert shift["shift"].tolist()[:2] == [-20, -20]
    no_after = shift.iloc[5]
    assert no_after["after"] is pd.NA and no_after["shift"] is pd.NA


def test_belief_trends(beliefs_journal):
    trends = insights.belief_trends(beliefs_journal).set_index("number")
    loveable, leaves = trends.loc[1], trends.loc[2]
    assert loveable["records"] == 5
    assert (loveable["first_before"], loveable["last_before"], loveable["last_after"]) == (
        90, 50, 30,
    )  # fmt: skip
    assert loveable["mean_shift"] == pytest.approx(-20)
    assert loveable["change"] == pytest.approx(-40)
    assert loveable["trend"] == "easing"
    assert leaves["trend"] == "too_few"
    assert leaves["last_after"] is pd.NA and np.isnan(leaves["mean_shift"])


def test_belief_sentences_quote_or_number_the_belief(beliefs_journal):
    labelled = insights.sentences(beliefs_journal, step=4)
    # Four records with an "after" are too few to call their easing clear (the old sentence
    # said "it felt 20 points less true on average" as if it were); the steady fall of
    # "before" over five records is clear (1 time in 60 by chance).
    assert labelled == [
        "“I'm not loveable” felt 90% true before your first thought record and 50% before "
        "your latest (5 records). After a record, how true it felt changed by −20 points on "
        "average (4 with an after). Across your records it has clearly come to feel less true.",
        "“Everyone leaves” felt 80% true before your thought record; you can note how true "
        "it feels afterwards whenever you are ready.",
    ]
    private = " ".join(insights.sentences(beliefs_journal, label_beliefs=False))
    assert "Belief 1 felt 90% true" in private and "Belief 2 felt 80% true" in private
    assert "loveable" not in private and "leaves" not in private


def test_short_label():
    assert insights.short_label("Everyone leaves") == "Everyone leaves"
    assert insights.short_label("I'm not\nloveable,   and everyone will see it") == (
        "I'm not loveable, and everyone…"
    )
    assert len(insights.short_label("x" * 100)) == 32


# --- step 1: roots -------------------------------------------------------------------------


@pytest.fixture
def triggers_journal(journal):
    rows = [
        ("2024-01-05", "childhood", 8, 0),
        ("2024-01-06", "childhood", 6, 10),
        ("2024-01-20", "past_relationship", 4, 11),
        ("2024-02-02", "childhood", 2, 89),
        ("2024-02-03", "other", 5, 90),
        ("2024-02-04", "other", 3, 100),
    ]
    for date, origin, intensity, share in rows:
        journal.add(
            "triggers",
            date=date,
            situation="They were late",
            origin=origin,
            intensity=intensity,
            my_share=share,
        )
    return journal


def test_triggers_by_origin(triggers_journal):
    overall = insights.triggers_by_origin(triggers_journal).set_index("origin")
    assert overall["triggers"].to_dict() == {
        "childhood": 3, "past_relationship": 1, "current_relationship": 0, "other": 2,
    }  # fmt: skip
    assert overall.loc["childhood", "mean_intensity"] == pytest.approx(16 / 3)
    assert overall.loc["childhood", "max_intensity"] == 8
    monthly = insights.triggers_by_origin(triggers_journal, freq="M")
    assert monthly[["origin", "triggers"]].values.tolist() == [
        ["childhood", 2], ["past_relationship", 1], ["childhood", 1], ["other", 2],
    ]  # fmt: skip


def test_blame_balance_counts_all_or_nothing_at_the_edges(triggers_journal):
    bands = insights.blame_balance(triggers_journal)
    assert bands[["low", "high"]].values.tolist()[0] == [0, 10]
    assert bands["triggers"].tolist() == [2, 1, 0, 0, 0, 0, 0, 0, 1, 2]
    assert bands["all_or_nothing"].tolist() == [True] + [False] * 8 + [True]
    said = insights.sentences(triggers_journal, step=1)
    assert said == [
        "Of your 6 triggers, 3 seem to come from childhood.",
        "In 4 of your 6 triggers you saw what happened as all or nothing (10% or less yours, "
        "or 90% or more); in the other 2 you found some middle ground.",
    ]


# --- what stands out -----------------------------------------------------------------------


@pytest.fixture
def sample(tmp_path):
    from trustlab.sample import write_sample

    write_sample(tmp_path / "sample")
    return open_journal(tmp_path / "sample")


@pytest.mark.parametrize("limit", [5, 2, 0])
def test_highlights_of_the_sample_are_few_and_say_why(sample, limit):
    top = insights.highlights(sample, limit=limit)
    assert len(top) <= limit
    assert (top["why"].str.strip() != "").all()
    assert set(top["sentence"]) <= set(insights.sentences(sample))
    assert top["weight"].is_monotonic_decreasing
    assert top["step"].between(1, 5).all()
    if limit:
        assert not top.empty


def test_highlights_put_a_turning_jar_first_and_promises_waiting_last(journal):
    for day in range(1, 6):  # January: a hard stretch
        journal.add("marbles", date=f"2024-01-{day:02d}", person="Kim", marbles=-3)
    for day in range(1, 11):  # March: ten moments, all putting marbles in
        journal.add("marbles", date=f"2024-03-{day:02d}", person="Kim", marbles=1)
    journal.add("promises", date="2024-03-01", promise="Rest on Sunday")
    top = insights.highlights(journal)
    assert top["weight"].tolist() == [3, 1]
    assert top["direction"].tolist() == [True, False]
    assert top["sentence"].iloc[0].startswith("Kim's jar has been filling")
    assert top["why"].iloc[0].startswith("A turn: before the last four weeks the jar was at −15")
    assert top["why"].iloc[1] == (
        "1 promise to yourself is waiting for you to look back on it: each one you check is "
        "part of how self-trust grows."
    )


def test_a_change_only_stands_out_if_it_survives_everything_that_was_checked(journal):
    for day in range(1, 7):  # Zed: six of six moments in (p = 1/32), clear on its own
        journal.add("marbles", date=f"2024-03-{day:02d}", person="Zed", marbles=1)
    assert insights.highlights(journal)["direction"].tolist() == [True]
    for person in ("Ann", "Bo", "Cy"):  # three more people, nothing going on
        for day, marbles in zip(range(1, 7), [1, -1, 1, -1, 2, -2], strict=True):
            journal.add("marbles", date=f"2024-03-{day:02d}", person=person, marbles=marbles)
    said = insights.sentences(journal, step=5)
    assert any(
        s.startswith("Zed's jar has been filling over the last four weeks, clearly") for s in said
    )
    # Four checks: 1/32 is no longer below 0.05 / 4, so nothing stands out as a change.
    assert insights.highlights(journal).empty


def test_a_step_leads_with_what_stands_out_among_its_own_sentences(sample, journal):
    from trustlab import workbook

    for day in range(1, 11):
        sample.add("marbles", date=f"2026-08-{day + 15:02d}", person="Dana", marbles=1)
    said, top = insights.summary(sample, step=5)
    assert said == insights.sentences(sample, step=5)
    assert top.equals(insights.highlights(sample, step=5))
    assert not top.empty and (top["step"] == 5).all() and set(top["sentence"]) <= set(said)
    page = workbook._overview_html(sample, step=5)
    assert page.startswith("<p><b>What stands out</b></p><ul")
    assert (f"<details><summary>Everything trustlab noticed in this step ({len(said)})"
            "</summary>") in page
    lead = page.split("<details>")[0]
    assert all(html_escape(sentence) in lead for sentence in top["sentence"])
    # Allowing only for step 5's checks, not for every step's.
    everything = insights.highlights(sample, limit=100)
    assert len(top) >= (everything["step"] == 5).sum()
    # Nothing stands out in a step: its sentences as they are, not folded away.
    for step in range(1, 6):
        if insights.highlights(journal, step=step).empty:
            assert workbook._overview_html(journal, step=step) == workbook._sentences_html(
                insights.sentences(journal, step=step))
    with pytest.raises(ValueError, match="steps are numbered 1 to 5"):
        insights.highlights(journal, step=6)


def test_highlights_need_a_limit_of_zero_or_more(journal):
    with pytest.raises(ValueError, match="limit=-1: ask for 0 or more highlights"):
        insights.highlights(journal, limit=-1)


def test_the_overview_leads_with_what_stands_out_then_folds_the_rest(sample, journal):
    from trustlab import workbook

    sample.add("people", person="<b>Jo</b>", relationship="friend", era="present")
    for day in range(1, 11):
        sample.add("marbles", date=f"2026-08-{day + 15:02d}", person="<b>Jo</b>", marbles=1)
    page = workbook._overview_html(sample)
    assert page.startswith("<p><b>What stands out</b></p><ul")
    count = len(insights.sentences(sample))
    assert f"<details><summary>Everything trustlab noticed ({count})</summary>" in page
    assert page.index("What stands out") < page.index("<details>")
    assert "&lt;b&gt;Jo&lt;/b&gt;" in page and "<b>Jo</b>" not in page
    assert page.count("Why this: ") == len(insights.highlights(sample))
    assert workbook._overview_html(journal) == (
        '<ul style="max-width:48rem;line-height:1.5"><li>Nothing to show here yet: as you add '
        "entries, what they show will appear here.</li></ul>"
    )


# --- helpers that others build on -------------------------------------------------------------


@pytest.mark.parametrize(
    ("freq", "expected"),
    [
        ("D", "2024-05-15"),
        ("W", "2024-05-13"),
        ("M", "2024-05-01"),
        ("Q", "2024-04-01"),
        ("Y", "2024-01-01"),
    ],
)
def test_period_start(freq, expected):
    start = insights.period_start(pd.Series(pd.to_datetime(["2024-05-15"])), freq)
    assert str(start[0])[:10] == expected
    assert start.dtype == "datetime64[ms]"


def test_busiest_people_counts_entries_of_every_kind(marbles_journal):
    marbles_journal.add("red_flags", date="2024-03-01", person="Kim", flag="x", response="heeded")
    assert insights.busiest_people(marbles_journal, max_people=2) == ["Sam", "Alex"]
    assert insights.busiest_people(marbles_journal) == ["Sam", "Alex", "Kim"]


def test_a_journal_is_read_not_changed(marbles_journal, snapshot):
    before = snapshot(marbles_journal.path)
    insights.sentences(marbles_journal)
    insights.marble_balance(marbles_journal)
    assert snapshot(marbles_journal.path) == before


def test_the_public_api_is_documented():
    for name in insights.__all__:
        value = getattr(insights, name)
        if inspect.isfunction(value):
            assert value.__doc__ and value.__doc__.strip(), name
