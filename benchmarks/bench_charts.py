"""Speed and size of the dashboard chart on a journal with a million marbles.

trustlab aggregates in pandas and hands Altair only the few rows each chart
draws. The baseline is the same dashboard built the way Altair's documentation
suggests for large data: hand Altair the rows, describe the aggregation as
Vega-Lite transforms, and let the VegaFusion data transformer evaluate them in
Python (``alt.data_transformers.enable("vegafusion")``, then
``to_dict(format="vega")``, which VegaFusion requires). To be fair to it, each
table is handed over once, with only the columns its charts use (never the free
text), so it neither converts nor ships anything it does not need, and the three
marble charts share one dataset (three copies, one per chart, made it about
three times slower).

Each spec is made as a notebook page makes it, without checking it against the
Vega-Lite schema again (``to_dict(validate=False)``, as
:func:`trustlab.forms.page.accessible` does: every chart trustlab builds is
validated by its tests), and the baseline's likewise.

Both are timed in the same process on the same open journal, interleaved after
one warm-up each, and the medians are reported:

- warm (:func:`run`): the journal's tables already read, as in a notebook that
  has drawn the dashboard before;
- cold (:func:`run_cold`): the first redraw after a save, that is
  ``journal.add(...)`` (which changes the table) and then the dashboard.

Run it with ``python -m benchmarks.bench_charts``.
"""

from __future__ import annotations

import argparse
import datetime
import itertools
import json
import shutil
import statistics
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import altair as alt
import pandas as pd

import trustlab
from trustlab import charts, insights
from trustlab.schema import TABLES

from .generate import cached_journal
from .timing import interleaved, seconds

MAX_SECONDS = 1.0
"""Target: the dashboard's spec from the million-row journal in under a second."""
MIN_SPEED_UP = 5.0
"""Target: at least this many times faster than the VegaFusion baseline."""
MAX_SPEC_KB = 300
"""Target: the dashboard's spec (JSON) under this many kilobytes."""


class Row(NamedTuple):
    """One line of the results table, ready to print."""

    measurement: str
    trustlab: str
    baseline: str
    ratio: str
    target: str
    ok: bool


@dataclass
class Figures:
    """What one warm comparison measured: paired times, and each side's last spec."""

    ours: list[float]
    theirs: list[float]
    our_spec: dict
    their_spec: dict
    marbles: int

    @property
    def speed_up(self) -> float:
        """The median of the paired ratios, baseline over trustlab."""
        return statistics.median(b / a for a, b in zip(self.ours, self.theirs, strict=True))


def measure(journal_dir: str | Path, *, runs: int = 5) -> Figures:
    """Time the dashboard's spec, warm, with trustlab and with the VegaFusion baseline."""
    journal = trustlab.open_journal(journal_dir)
    for name in TABLES:  # read every table now: the journal is already open in a notebook
        journal.table(name)
    people = insights.busiest_people(journal, max_people=charts.MAX_PEOPLE)

    def ours() -> dict:
        return charts.dashboard(journal).to_dict(validate=False)

    def theirs() -> dict:
        with alt.data_transformers.enable("vegafusion"):
            return baseline_dashboard(journal, people).to_dict(format="vega", validate=False)

    (our_times, their_times), (our_spec, their_spec) = interleaved(ours, theirs, runs=runs)
    return Figures(our_times, their_times, our_spec, their_spec, len(journal.table("marbles")))


def run(
    journal_dir: str | Path | None = None, *, runs: int = 5, marbles: int = 1_000_000
) -> list[Row]:
    """Time the dashboard's spec with trustlab and with the VegaFusion baseline.

    Parameters
    ----------
    journal_dir
        A journal folder; default the cached generated journal with ``marbles``
        marbles from :mod:`benchmarks.generate` (generated on first use).
    runs
        Timed runs of each, after one warm-up each.
    marbles
        Marbles in the generated journal when ``journal_dir`` is not given.

    Returns
    -------
    list of Row
        Build time, spec size and the largest embedded dataset, each with the
        baseline's figure, the ratio, the target and whether it is met.
    """
    if journal_dir is None:
        journal_dir = cached_journal(marbles)
    return rows_of(measure(journal_dir, runs=runs))


def rows_of(figures: Figures) -> list[Row]:
    """The table's rows for ``figures``: build time, spec size, largest dataset."""
    our_time, their_time = statistics.median(figures.ours), statistics.median(figures.theirs)
    our_kb, their_kb = _kilobytes(figures.our_spec), _kilobytes(figures.their_spec)
    our_rows = _largest_dataset(figures.our_spec)
    their_rows = _largest_dataset(figures.their_spec)
    speed_up = figures.speed_up
    return [
        Row(
            f"dashboard spec, {figures.marbles:,}-marble journal",
            seconds(our_time),
            f"{seconds(their_time)} ({BASELINE})",
            f"{speed_up:.1f}× faster",
            f"< {MAX_SECONDS:g} s and ≥ {MIN_SPEED_UP:g}× faster",
            our_time < MAX_SECONDS and speed_up >= MIN_SPEED_UP,
        ),
        Row(
            "dashboard spec size (JSON)",
            f"{our_kb:.0f} KB",
            f"{their_kb:.0f} KB (Vega)",
            f"{our_kb / their_kb:.2f}×",
            f"< {MAX_SPEC_KB} KB",
            our_kb < MAX_SPEC_KB,
        ),
        Row(
            "largest dataset embedded in the dashboard",
            f"{our_rows:,} rows",
            f"{their_rows:,} rows",
            f"{our_rows / max(their_rows, 1):.2f}×",
            f"≤ {charts.MAX_ROWS:,} rows",
            our_rows <= charts.MAX_ROWS,
        ),
    ]


def run_cold(journal_dir: str | Path, *, runs: int = 5) -> tuple[list[float], list[float]]:
    """Time the first redraw after a save: ``add`` then the dashboard, both ways.

    Each run adds one marble to a copy of ``journal_dir`` (in a temporary folder)
    and then builds the dashboard's spec, with trustlab or with the baseline.

    Returns
    -------
    tuple of list of float
        The seconds of each run of trustlab and of the baseline, run in pairs.
    """
    with tempfile.TemporaryDirectory(prefix="trustlab-bench-charts-") as scratch:
        journal = trustlab.open_journal(shutil.copytree(journal_dir, Path(scratch) / "j"))
        for name in TABLES:
            journal.table(name)
        people = insights.busiest_people(journal, max_people=charts.MAX_PEOPLE)
        last = journal.table("marbles")["date"].max().date()
        days = itertools.count(1)

        def save() -> None:  # one marble a day after the last, as a journal grows
            day = last + datetime.timedelta(days=next(days))
            journal.add(
                "marbles",
                date=day.isoformat(),
                person=people[0],
                marbles=1,
                moment="Showed up, as promised",
                braving="reliability",
            )

        def ours() -> dict:
            save()
            return charts.dashboard(journal).to_dict(validate=False)

        def theirs() -> dict:
            save()
            with alt.data_transformers.enable("vegafusion"):
                return baseline_dashboard(journal, people).to_dict(format="vega", validate=False)

        (our_times, their_times), _ = interleaved(ours, theirs, runs=runs)
    return our_times, their_times


# --- the baseline: the rows each chart uses, Vega-Lite transforms, VegaFusion ---------------

BASELINE = "VegaFusion, only the columns the charts use"

_TIME_UNITS = {
    "D": "yearmonthdate",
    "W": "yearweek",
    "M": "yearmonth",
    "Q": "yearquarter",
    "Y": "year",
}


def baseline_dashboard(journal: trustlab.Journal, people: Sequence[str]) -> alt.VConcatChart:
    """trustlab's dashboard rebuilt from raw rows with Vega-Lite transforms.

    The panels, marks and encodings match :func:`trustlab.charts.dashboard`;
    the aggregation is left to VegaFusion instead of pandas. Periods are the
    ones trustlab picks, so both draw the same number of points. Each table
    comes with only the columns its charts use.
    """
    people = list(people)
    marbles = journal.table("marbles")[["date", "person", "marbles", "braving"]]
    mine = alt.FieldOneOfPredicate(field="person", oneOf=people)
    in_and_out = {
        "earned": "datum.marbles > 0 ? datum.marbles : 0",
        "lost": "datum.marbles < 0 ? -datum.marbles : 0",
    }
    jar_unit = _TIME_UNITS[charts.choose_freq(marbles["date"])]

    jar = (
        alt.Chart(marbles)
        .transform_filter(mine)
        .transform_timeunit(period=f"{jar_unit}(date)")
        .transform_calculate(**in_and_out)
        .transform_aggregate(
            net="sum(marbles)",
            earned="sum(earned)",
            lost="sum(lost)",
            moments="count()",
            groupby=["person", "period"],
        )
        .transform_window(
            balance="sum(net)",
            groupby=["person"],
            sort=[alt.SortField("period")],
            frame=[None, 0],
        )
        .encode(
            x=alt.X("period:T", title=None),
            y=alt.Y("balance:Q", title="Marbles in the jar"),
            color=alt.Color("person:N", scale=charts.person_scale(journal, people)),
        )
    )
    jar = alt.layer(
        jar.mark_line(interpolate="step-after"),
        jar.mark_point(filled=True).encode(
            tooltip=["person:N", "period:T", "earned:Q", "lost:Q", "moments:Q", "balance:Q"]
        ),
    ).properties(width=380, height=260, title="How full each jar has been")

    jars = (
        alt.Chart(marbles)
        .transform_filter(mine)
        .transform_calculate(**in_and_out)
        .transform_aggregate(
            marbles="sum(marbles)",
            earned="sum(earned)",
            lost="sum(lost)",
            moments="count()",
            last_date="max(date)",
            groupby=["person"],
        )
        .encode(y=alt.Y("person:N", sort="-x"), x="marbles:Q")
    )
    jars = alt.layer(
        jars.mark_bar().encode(
            color=alt.Color("person:N", scale=charts.person_scale(journal, people)),
            tooltip=["person:N", "marbles:Q", "earned:Q", "lost:Q", "moments:Q", "last_date:T"],
        ),
        jars.mark_text(align="left", dx=4).encode(text="marbles:Q"),
    ).properties(width=260, title="Each jar now")

    braving = (
        alt.Chart(marbles)
        .transform_filter(mine)
        .transform_filter(alt.datum.braving != "")
        .transform_calculate(**in_and_out)
        .transform_aggregate(
            net="sum(marbles)",
            earned="sum(earned)",
            lost="sum(lost)",
            moments="count()",
            groupby=["person", "braving"],
        )
        .encode(x="braving:N", y="person:N")
    )
    braving = alt.layer(
        braving.mark_rect().encode(
            color=alt.Color("net:Q", scale=alt.Scale(scheme="redblue", domainMid=0)),
            tooltip=["person:N", "braving:N", "earned:Q", "lost:Q", "moments:Q"],
        ),
        braving.mark_text().encode(text="net:Q"),
    ).properties(title="Which parts of trust each person has shown")

    steps = (
        alt.Chart(journal.table("steps")[["person", "response"]])
        .transform_filter(mine)
        .transform_aggregate(steps="count()", groupby=["person", "response"])
        .transform_joinaggregate(answered="sum(steps)", groupby=["person"])
        .transform_calculate(share="datum.steps / datum.answered")
        .mark_bar()
        .encode(
            y="person:N",
            x="steps:Q",
            color="response:N",
            tooltip=["person:N", "response:N", "steps:Q", "share:Q"],
        )
        .properties(width=260, title="How people met my small steps")
    )

    flags = (
        alt.Chart(journal.table("red_flags")[["date", "response"]])
        .transform_timeunit(period=f"{jar_unit}(date)")
        .transform_calculate(
            heeded="datum.response == 'heeded' ? 1 : 0",
            decided="datum.response == 'watching' ? 0 : 1",
        )
        .transform_aggregate(heeded="sum(heeded)", decided="sum(decided)", groupby=["period"])
        .transform_window(
            heeded_so_far="sum(heeded)",
            decided_so_far="sum(decided)",
            sort=[alt.SortField("period")],
            frame=[None, 0],
        )
        .transform_calculate(rate="datum.heeded_so_far / datum.decided_so_far")
    )
    promises = (
        alt.Chart(journal.table("promises")[["date", "kept"]])
        .transform_timeunit(period=f"{jar_unit}(date)")
        .transform_calculate(kept="datum.kept == 'yes' ? 1 : 0", decided="datum.kept == '' ? 0 : 1")
        .transform_aggregate(kept="sum(kept)", decided="sum(decided)", groupby=["period"])
        .transform_window(
            kept_so_far="sum(kept)",
            decided_so_far="sum(decided)",
            sort=[alt.SortField("period")],
            frame=[None, 0],
        )
        .transform_calculate(rate="datum.kept_so_far / datum.decided_so_far")
    )
    self_trust = alt.layer(
        *(
            layer.encode(
                x="period:T", y="rate:Q", tooltip=["period:T", "rate:Q", "decided_so_far:Q"]
            ).mark_line(interpolate="step-after")
            for layer in (flags, promises)
        ),
        *(
            layer.encode(
                x="period:T", y="rate:Q", tooltip=["period:T", "rate:Q", "decided_so_far:Q"]
            ).mark_circle()
            for layer in (flags, promises)
        ),
    ).properties(width=380, height=180, title="Trusting myself")

    qualities = (
        alt.Chart(journal.table("observations")[["person", "quality", "shown"]])
        .transform_filter(mine)
        .transform_filter(alt.datum.quality != "")
        .transform_calculate(yes="datum.shown == 'yes' ? 1 : 0")
        .transform_aggregate(yes="sum(yes)", observations="count()", groupby=["person", "quality"])
        .transform_calculate(share="datum.yes / datum.observations")
        .encode(x="quality:N", y="person:N")
    )
    qualities = alt.layer(
        qualities.mark_rect().encode(
            color="share:Q", tooltip=["person:N", "quality:N", "yes:Q", "observations:Q"]
        ),
        qualities.mark_text().encode(text=alt.Text("share:Q", format=".0%")),
    ).properties(title="How often each person showed my qualities")

    # Transforms on the facet itself run before the rows are split, as in trustlab.
    record = alt.Chart()
    beliefs = (
        alt.layer(
            record.transform_filter("isValid(datum.after)")
            .mark_rule()
            .encode(x="day:T", y="before:Q", y2="after:Q"),
            record.transform_fold(["before", "after"], as_=["when", "how_true"])
            .mark_circle()
            .encode(
                x="day:T",
                y="how_true:Q",
                color="when:N",
                tooltip=["belief:N", "day:T", "records:Q"],
            ),
        )
        .properties(width=380, height=80)
        .facet(row="belief:N", data=journal.table("beliefs")[["date", "belief", "before", "after"]])
        .transform_timeunit(day="yearmonthdate(date)")
        .transform_aggregate(
            before="mean(before)",
            after="mean(after)",
            records="count()",
            groupby=["belief", "day"],
        )
        .properties(title="How true my beliefs have felt")
    )

    triggers = journal.table("triggers")[["date", "origin", "intensity", "my_share"]]
    trigger_unit = _TIME_UNITS[
        charts.choose_freq(triggers["date"], max_periods=40, min_per_period=2)
    ]
    over_time = (
        alt.Chart(triggers)
        .transform_timeunit(period=f"{trigger_unit}(date)")
        .transform_aggregate(
            triggers="count()", mean_intensity="mean(intensity)", groupby=["period", "origin"]
        )
        .mark_bar()
        .encode(
            x="period:T",
            y="triggers:Q",
            color="origin:N",
            tooltip=["period:T", "origin:N", "triggers:Q", "mean_intensity:Q"],
        )
        .properties(width=320, height=150, title="Triggers over time")
    )
    blame = (
        alt.Chart(triggers)
        .transform_bin("band", "my_share", bin=alt.Bin(extent=[0, 100], step=10))
        .transform_aggregate(triggers="count()", groupby=["band", "band_end"])
        .mark_bar()
        .encode(x="band:Q", x2="band_end:Q", y="triggers:Q", tooltip=["band:Q", "triggers:Q"])
        .properties(width=320, height=150, title="How much of each trigger I saw as mine")
    )

    # One column, in trustlab's order (see trustlab.charts.dashboard).
    return (
        alt.vconcat(
            jar,
            jars,
            braving,
            steps,
            self_trust,
            qualities,
            beliefs,
            over_time,
            blame,
            spacing=50,
        )
        .resolve_scale(color="independent", shape="independent")
        .properties(title="Your trust journal at a glance")
    )


# --- measuring ----------------------------------------------------------------------------


def _kilobytes(spec: dict) -> float:
    return len(json.dumps(spec, separators=(",", ":")).encode("utf-8")) / 1000


def _largest_dataset(spec: dict) -> int:
    """The most rows in one inline dataset, in a Vega-Lite or Vega spec."""
    sizes = [len(values) for values in spec.get("datasets", {}).values()]
    sizes += [
        len(d["values"])
        for d in spec.get("data", [])
        if isinstance(d, dict) and isinstance(d.get("values"), list)
    ]
    return max(sizes, default=0)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.bench_charts",
        description="Time the dashboard's spec against raw rows + VegaFusion.",
    )
    parser.add_argument(
        "journal",
        nargs="?",
        type=Path,
        help="a journal folder (default: the generated million-marble journal)",
    )
    parser.add_argument("--runs", type=int, default=5, help="timed runs of each (default 5)")
    args = parser.parse_args(argv)
    rows = run(args.journal, runs=args.runs)
    print("| measurement | trustlab | baseline | ratio | target | ok |")
    print("|---|---:|---:|---:|---|---|")
    for r in rows:
        print(
            f"| {r.measurement} | {r.trustlab} | {r.baseline} | {r.ratio} | {r.target} "
            f"| {'yes' if r.ok else 'NO'} |"
        )
    print(
        f"\nMedians of {args.runs} interleaved runs after one warm-up each; pandas "
        f"{pd.__version__}, altair {alt.__version__}."
    )
    return 0 if all(r.ok for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
