"""A journal with many entries in every table: charts stay small.

A journal of 20,000 entries in every table, nearly all its beliefs written once
(and thousands of them starting with the same words), must make charts that embed
a bounded number of rows. (The report's page does not stay small yet: its tables
list every person, quality and belief; see issue 10.) Results are checked
against belief-by-belief computations, so the all-at-once ones change nothing.
No test here measures time: the benchmarks do (``python -m benchmarks``).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv
import pytest

from benchmarks import generate
from trustlab import charts, insights, open_journal
from trustlab.schema import TABLES

ROWS = 20_000
"""Entries in every table of the big journal (people and qualities included)."""

MAX_CHART_ROWS = 1_000
"""The most rows one dataset of a chart may embed, however big the journal."""


def _with_many_beliefs(path: Path, seed: int) -> Path:
    """Rewrite the generated beliefs.csv so nearly every belief is written once.

    A tenth keep the generator's three beliefs (each recorded hundreds of times),
    three tenths come in threes (one to three records each) and the rest are new
    words; all but the first start with the same 32 characters as thousands of others.
    """
    file = path / "beliefs.csv"
    columns = {name: pa.string() for name in ["id", *TABLES["beliefs"].column_names]}
    table = pa_csv.read_csv(
        file,
        convert_options=pa_csv.ConvertOptions(column_types=columns, strings_can_be_null=False),
    )
    rng = np.random.default_rng(seed)
    words = []
    for i, belief in enumerate(table["belief"].to_pylist()):
        draw = rng.random()
        if draw < 0.1:
            words.append(belief)
        elif draw < 0.4:
            words.append(f"Everyone I let close will leave me again, time {i // 3}")
        else:
            words.append(f"{belief}, and this time it is thought number {i}")
    at = table.schema.get_field_index("belief")
    generate.write_table(file, table.set_column(at, "belief", pa.array(words, pa.string())))
    return path


@pytest.fixture(scope="module")
def many(tmp_path_factory):
    root = tmp_path_factory.mktemp("many")
    path = generate.generate_journal(root / "journal", marbles=ROWS, people=ROWS, others=ROWS)
    return open_journal(_with_many_beliefs(path, seed=10))


@pytest.fixture(scope="module")
def some(tmp_path_factory):
    """The same shape with 3,000 entries per table: enough to fill a report's tables."""
    root = tmp_path_factory.mktemp("some")
    path = generate.generate_journal(root / "journal", marbles=3_000, people=3_000, others=3_000)
    return open_journal(_with_many_beliefs(path, seed=11))


def test_the_big_journal_is_what_it_says(many):
    for name in TABLES:
        assert len(many.table(name)) == ROWS
    beliefs = insights.belief_trends(many)
    assert len(beliefs) > ROWS * 0.8
    assert beliefs["records"].max() > 500  # the three beliefs kept: trend tests run
    assert ((beliefs["records"] > 1) & (beliefs["records"] < 5)).sum() > 500


# --- charts ---------------------------------------------------------------------------------

CHARTS = {
    "marble_jar": charts.marble_jar,
    "current_jars": charts.current_jars,
    "braving_profile": charts.braving_profile,
    "step_responses": charts.step_responses,
    "qualities_check": charts.qualities_check,
    "self_trust": charts.self_trust,
    "self_trust_by_person": lambda j: charts.self_trust(j, by_person=True),
    "belief_shift": lambda j: charts.belief_shift(j, label_beliefs=False),
    "belief_shift_labelled": lambda j: charts.belief_shift(j, label_beliefs=True),
    "triggers_over_time": charts.triggers_over_time,
    "blame_balance": charts.blame_balance,
    "dashboard": lambda j: charts.dashboard(j, label_beliefs=False),
}


@pytest.mark.parametrize("name", list(CHARTS))
def test_every_chart_embeds_a_bounded_number_of_rows(many, name):
    spec = CHARTS[name](many).to_dict()
    datasets = spec.get("datasets", {})
    assert datasets
    for rows in datasets.values():
        assert len(rows) <= MAX_CHART_ROWS
    assert len(json.dumps(spec)) < 300_000


def test_the_belief_chart_says_it_shows_only_some_beliefs(many):
    spec = charts.belief_shift(many, label_beliefs=False).to_dict()
    beliefs = len(insights.belief_trends(many))
    assert (
        f"The 6 beliefs with the most thought records, of {beliefs:,} beliefs."
        in (spec["title"]["subtitle"])
    )
    assert len(spec["facet"]["row"]["sort"]) == 6


def test_the_qualities_chart_says_it_shows_only_some_qualities(many):
    spec = charts.qualities_check(many).to_dict()
    assert any(
        line.startswith("The 12 qualities that matter most, of ")
        for line in spec["title"]["subtitle"]
    )


def _labels_one_by_one(trends: pd.DataFrame) -> dict[int, str]:
    """Belief labels as the rule says, looking through every label taken for each belief."""
    labels: dict[int, str] = {}
    for number, text in zip(trends["number"], trends["belief"], strict=True):
        first = label = insights.short_label(text)
        copy = 2
        while label in labels.values():
            label, copy = f"{first} ({copy})", copy + 1
        labels[int(number)] = label
    return labels


def test_thousands_of_beliefs_with_the_same_first_words_get_distinct_labels(many):
    labels = charts.belief_labels(many, label_beliefs=True)
    trends = insights.belief_trends(many)
    assert list(labels) == trends["number"].tolist()
    assert len(set(labels.values())) == len(labels)
    # A label depends only on the beliefs before it: the first 600, one by one.
    assert {n: labels[n] for n in range(1, 601)} == _labels_one_by_one(trends.head(600))
    assert charts.belief_labels(many)[len(labels)] == f"Belief {len(labels)}"


def test_labels_leave_room_for_a_belief_written_like_a_copy(journal):
    for belief in ("Everyone leaves (2)", "Everyone leaves", "Everyone leaves", "EVERYONE LEAVES "):
        journal.add("beliefs", date="2024-03-01", belief=belief, before=70)
    journal.add("beliefs", date="2024-03-02", belief="everyone leaves (2) ", before=60)
    journal.add("beliefs", date="2024-03-03", belief="Everyone  leaves", before=60)
    assert charts.belief_labels(journal, label_beliefs=True) == {
        1: "Everyone leaves (2)",
        2: "Everyone leaves",
        3: "Everyone leaves (3)",
    }


# --- insights -------------------------------------------------------------------------------


def _trends_one_by_one(records: pd.DataFrame) -> pd.DataFrame:
    """:func:`insights.belief_trends` computed belief by belief, as the docstring says."""
    rows = []
    for number, group in records.groupby("number", sort=True):
        before = group["before"].to_numpy(dtype="float64")
        with_after = group[group["after"].notna()]
        change = insights._fitted_change(before)
        rows.append(
            {
                "number": number,
                "belief": group["belief"].iloc[0],
                "records": len(group),
                "first_date": group["date"].iloc[0],
                "last_date": group["date"].iloc[-1],
                "first_before": int(before[0]),
                "last_before": int(before[-1]),
                "last_after": with_after["after"].iloc[-1] if len(with_after) else pd.NA,
                "mean_shift": float(with_after["shift"].astype("float64").mean())
                if len(with_after)
                else np.nan,
                "change": change,
                "trend": insights._belief_trend(before, change)[0],
            }
        )
    return pd.DataFrame(rows).astype(
        {
            "number": "int64",
            "belief": "str",
            "records": "int64",
            "first_date": "datetime64[ms]",
            "last_date": "datetime64[ms]",
            "first_before": "int64",
            "last_before": "int64",
            "last_after": "Int64",
            "mean_shift": "float64",
            "change": "float64",
            "trend": "str",
        }
    )


def test_belief_trends_are_those_of_each_belief_alone(some):
    records = insights.belief_shift(some)
    assert records["after"].isna().any() and records["number"].nunique() > 1_000
    pd.testing.assert_frame_equal(
        insights.belief_trends(some), _trends_one_by_one(records), check_exact=True
    )


def test_many_people_sort_as_person_order_says(many):
    order = insights.person_order(many)
    assert len(order) == ROWS
    jars = insights.current_jars(many)
    place = {p: i for i, p in enumerate(order)}
    assert jars["person"].map(place).is_monotonic_increasing
    busiest = insights.busiest_people(many, max_people=8)
    assert busiest == sorted(busiest, key=place.get) and len(busiest) == 8
