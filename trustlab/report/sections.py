"""Each step's part of a report: its sentences, charts, figures and (with words) entries."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from .. import charts, insights
from ..schema import ALL_OR_NOTHING, TABLES
from .consent import FREE_TEXT, Naming, SharedJournal, is_quality
from .content import Column, Part, ReportTable, chart, table
from .options import MAX_ROWS, ReportOptions, Section


def _counts(table: str, column: str) -> list[Column]:
    """A column counting each choice of ``table.column``, in the schema's order, headed by
    the schema's heading for it (so a new choice gets a column of its own)."""
    col = TABLES[table].column(column)
    return [Column(value, col.heading_of(value)) for value in col.choices]


def _sentences(view: SharedJournal, step: int, opts: ReportOptions) -> list[str]:
    said = insights.sentences(view, step=step, label_beliefs=True)
    if not opts.include_text:
        # Labels stand in for words here; quoting them as if they were words reads oddly.
        said = [re.sub(r"“((?:Belief|Quality) \d+)”", r"\1", s) for s in said]
    return said


def _roots(view: SharedJournal, part: Part, opts: ReportOptions, naming: Naming) -> None:
    triggers = view.table("triggers")
    if triggers.empty:
        part.empty = True
        return
    part.sentences = _sentences(view, 1, opts)
    part.charts = [
        chart("triggers_over_time", lambda: charts.triggers_over_time(view)),
        chart("blame_balance", lambda: charts.blame_balance(view)),
    ]
    origins = insights.triggers_by_origin(view)
    origins = origins.assign(
        origin=origins["origin"].map(TABLES["triggers"].column("origin").label_of),
        mean_intensity=origins["mean_intensity"].round(1),
    )
    part.tables.append(
        table(
            "by_origin",
            "Triggers by where the wariness seems to come from",
            origins,
            [
                Column("origin", "Where it seems to come from", "text"),
                Column("triggers", "Triggers"),
                Column("mean_intensity", "Average intensity (0–10)", "float"),
                Column("max_intensity", "Strongest (0–10)"),
            ],
        )
    )
    low, high = ALL_OR_NOTHING
    share = triggers["my_share"]
    blame = pd.DataFrame(
        {
            "answer": [f"All or nothing ({low}% or less, or {high}% or more)", "Some of each"],
            "triggers": [
                int(((share <= low) | (share >= high)).sum()),
                int(((share > low) & (share < high)).sum()),
            ],
            "average_share": [
                share[(share <= low) | (share >= high)].mean(),
                share[(share > low) & (share < high)].mean(),
            ],
        }
    )
    part.tables.append(
        table(
            "blame_balance",
            "How much of each trigger the person saw as theirs to own",
            blame,
            [
                Column("answer", "Answer", "text"),
                Column("triggers", "Triggers"),
                Column("average_share", "Average share theirs (%)", "float"),
            ],
        )
    )


def _qualities(view: SharedJournal, part: Part, opts: ReportOptions, naming: Naming) -> None:
    check = insights.qualities_check(view)
    if check.empty:
        part.empty = True
        return
    part.sentences = _sentences(view, 2, opts)
    part.charts = [chart("qualities_check", lambda: charts.qualities_check(view))]
    part.tables.append(
        table(
            "qualities_check",
            "How often each person showed each quality",
            check,
            [
                Column("person", "Person", "text"),
                Column("quality", "Quality", "text"),
                *_counts("observations", "shown"),
                Column("observations", "Observations"),
                Column("share_shown", "Share shown", "share"),
            ],
            rows_of="pairs of a person and a quality",
            busiest=("observations", "observations"),
        )
    )


def _self_trust(view: SharedJournal, part: Part, opts: ReportOptions, naming: Naming) -> None:
    flags, promises = view.table("red_flags"), view.table("promises")
    if flags.empty and promises.empty:
        part.empty = True
        return
    part.sentences = _sentences(view, 3, opts)
    part.charts = [chart("self_trust", lambda: charts.self_trust(view))]
    flag_columns = [
        *_counts("red_flags", "response"),
        Column("rate", "Heeded, of those decided", "share"),
    ]
    if not flags.empty:
        overall = insights.self_trust_rate(view).assign(person="Everyone")
        by_person = insights.self_trust_rate(view, by_person=True)
        part.tables.append(
            table(
                "red_flags",
                "Red flags, and what the person did about them",
                by_person,
                [Column("person", "About", "text"), *flag_columns],
                rows_of="people",
                busiest=("flags", "red flags"),
                total=overall,
            )
        )
    if not promises.empty:
        kept = insights.promises_kept(view).assign(what="Promises to themselves")
        part.tables.append(
            table(
                "promises",
                "Promises the person made to themselves",
                kept,
                [
                    Column("what", "What", "text"),
                    *_counts("promises", "kept"),
                    Column("open", "Not looked back on yet"),
                    Column("rate", "Kept, of those looked back on", "share"),
                ],
            )
        )


_TRENDS = {
    "easing": "Feels less true",
    "stronger": "Feels more true",
    "too_few": "Too early to tell",
}


def _beliefs(view: SharedJournal, part: Part, opts: ReportOptions, naming: Naming) -> None:
    records = insights.belief_shift(view)
    if records.empty:
        part.empty = True
        return
    part.sentences = _sentences(view, 4, opts)
    part.charts = [chart("belief_shift", lambda: charts.belief_shift(view, label_beliefs=True))]
    trends = insights.belief_trends(view)
    # (one vectorised mean per column: a Python function per belief took minutes at 200k)
    means = records.assign(after=records["after"].astype("float64")).groupby("number").agg(
        mean_before=("before", "mean"), mean_after=("after", "mean"))
    trends = trends.join(means, on="number")
    trends = trends.assign(
        label=[naming.belief_label(text) for text in trends["belief"]],
        words=trends["belief"],
        trend=trends["trend"].map(_TRENDS),
        mean_before=trends["mean_before"].round(1),
        mean_after=trends["mean_after"].round(1),
    ).sort_values("label", key=lambda s: s.str.extract(r"(\d+)$")[0].astype("float64"))
    columns = [Column("label", "Belief", "text")]
    if opts.include_text:
        columns.append(Column("words", "In their words", "text"))
    columns += [
        Column("records", "Thought records"),
        Column("mean_before", "How true before (average, 0–100)", "float"),
        Column("mean_after", "How true after (average, 0–100)", "float"),
        Column("first_before", "Before, first record"),
        Column("last_before", "Before, latest record"),
        Column("trend", "Across the records", "text"),
    ]
    part.tables.append(table("beliefs", "How true each belief has felt", trends, columns,
                             rows_of="beliefs", busiest=("records", "thought records")))


def _marbles(view: SharedJournal, part: Part, opts: ReportOptions, naming: Naming) -> None:
    marbles, steps = view.table("marbles"), view.table("steps")
    if marbles.empty and steps.empty:
        part.empty = True
        return
    part.sentences = _sentences(view, 5, opts)
    if not marbles.empty:
        part.charts += [
            chart("marble_jar", lambda: charts.marble_jar(view)),
            chart("current_jars", lambda: charts.current_jars(view)),
        ]
        if (marbles["braving"] != "").any():
            part.charts.append(chart("braving_profile", lambda: charts.braving_profile(view)))
        jars = insights.current_jars(view)
        trends = insights.jar_trends(view).set_index("person")["trend"]
        jars = jars.assign(lately=jars["person"].map(trends).map(_JAR_TRENDS))
        part.tables.append(
            table(
                "jars",
                "Each person's marble jar over the period",
                jars,
                [
                    Column("person", "Person", "text"),
                    Column("marbles", "In the jar (in minus out)"),
                    Column("earned", "Marbles in"),
                    Column("lost", "Marbles out"),
                    Column("moments", "Moments"),
                    Column("lately", f"Last {insights.RECENT_WEEKS} weeks", "text"),
                    Column("last_date", "Latest moment", "date"),
                ],
                rows_of="people",
                busiest=("moments", "moments"),
            )
        )
    if not steps.empty:
        part.charts.append(chart("step_responses", lambda: charts.step_responses(view)))
        responses = insights.step_responses(view)
        wide = responses.pivot_table(
            index="person",
            columns="response",
            values="steps",
            aggfunc="sum",
            fill_value=0,
            sort=False,
        )
        given = responses.groupby("person", sort=False)[["gave", "asked"]].sum()
        wide = given.join(wide).reset_index()
        for response in TABLES["steps"].column("response").choices:
            if response not in wide:
                wide[response] = 0
        part.tables.append(
            table(
                "steps",
                "Small steps, and how each person responded",
                wide.assign(all=wide["gave"] + wide["asked"]),
                [
                    Column("person", "Person", "text"),
                    Column("gave", "Gave"),
                    Column("asked", "Asked"),
                    *_counts("steps", "response"),
                ],
                rows_of="people",
                busiest=("all", "small steps"),
            )
        )


_JAR_TRENDS = {
    "filling": "Filling",
    "emptying": "Emptying",
    "steady": "Steady",
    "too_few": "Too early to tell",
}


def labelled(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    """``frame`` (entries of table ``name``) with each choice in the schema's words, as the
    forms show it ("Waiting" for ``pending``)."""
    choices = [c for c in TABLES[name].columns if c.kind == "choice"]
    return frame.assign(**{c.name: frame[c.name].map(c.label_of) for c in choices})


def entries(view: SharedJournal, section: Section) -> list[ReportTable]:
    """What the person wrote, entry by entry, newest first (at most MAX_ROWS each)."""
    out = []
    for name in section.tables:
        kind_of = TABLES[name]
        frame = view.table(name)
        # An observation's quality only names one of the qualities: not words of its own.
        words = [c for c in FREE_TEXT[name] if name == "qualities" or not is_quality(kind_of, c)]
        written = np.zeros(len(frame), dtype=bool)
        for column in words:
            written |= (frame[column].str.strip() != "").to_numpy()
        frame = frame[written]
        if "date" in frame.columns:
            frame = frame.sort_values("date", ascending=False, kind="stable")
        total = len(frame)
        if not total:
            continue
        frame = labelled(frame.head(MAX_ROWS), name)
        columns = []
        for col in kind_of.columns:
            kind = {"date": "date", "int": "int", "choice": "choice"}.get(col.kind, "text")
            columns.append(Column(col.name, col.label, kind))
        note = (
            f"The latest {MAX_ROWS:,} of {total:,} entries with words in them."
            if total > MAX_ROWS
            else ""
        )
        out.append(
            table(name, f"{kind_of.title}, in their words", frame, columns, note=note,
                  figures=False)
        )
    return out


BUILDERS = {
    "roots": _roots,
    "qualities": _qualities,
    "self_trust": _self_trust,
    "beliefs": _beliefs,
    "marbles": _marbles,
}
"""Each section's builder: fills in a :class:`Part` from the shared view."""
