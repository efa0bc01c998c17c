"""The sentences of each of the five steps, and what :func:`highlights` weighs each by."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import chance
from ..chance import CHANCE
from ..schema import ALL_OR_NOTHING, TABLES
from ._common import MIN_ENTRIES
from ._words import (
    _BEYOND_CHANCE,
    _and,
    _busiest,
    _count,
    _lately,
    _of,
    _of_all,
    _percent,
    _recent,
    _Said,
    _signed,
    short_label,
)
from .beliefs import _belief_trend, belief_shift, belief_trends
from .jars import braving_profile, current_jars, jar_trends, step_responses
from .qualities import qualities_check
from .self_trust import promises_kept, self_trust_rate


def _jar_sentences(journal, weeks, as_of, max_people) -> list[_Said]:
    jars = current_jars(journal)
    if jars.empty:
        return []
    trends = jar_trends(journal, weeks=weeks, as_of=as_of).set_index("person")
    steps = step_responses(journal)
    said = []
    for person in _busiest(jars, "moments", max_people):
        jar = jars[jars["person"] == person].iloc[0]
        marbles, moments = int(jar["marbles"]), int(jar["moments"])
        if marbles >= 0:
            text = (
                f"{person}'s jar holds {_count(marbles, 'marble')} "
                f"from {_count(moments, 'moment')}."
            )
        else:
            text = (
                f"{person}'s jar is at {_signed(marbles)} marbles "
                f"after {_count(moments, 'moment')}."
            )
        said.append(_Said(text, 5))
        said += _jar_trend_sentence(person, trends.loc[person], marbles, weeks)
    said += [_Said(text, 5) for text in _braving_sentences(journal, max_people)]
    said += [_Said(text, 5) for text in _step_sentences(steps, max_people)]
    return said


def _jar_trend_sentence(person: str, trend: pd.Series, marbles: int, weeks: int) -> list[_Said]:
    lately = _lately(weeks)
    change, recent = int(trend["change"]), int(trend["moments"])
    earning, p = int(trend["earning"]), float(trend["p"])
    if trend["trend"] in ("filling", "emptying"):
        filling = trend["trend"] == "filling"
        leaning = earning if filling else recent - earning
        text = (
            f"{person}'s jar has been {trend['trend']} {lately}, clearly: "
            f"{_of_all(leaning, recent)} moments "
            f"{'put marbles in' if filling else 'took marbles out'} ({_signed(change)} marbles)."
        )
        before = marbles - change
        turned = (before < 0) if filling else (before > 0)
        if turned:
            why = (
                f"A turn: before {_recent(weeks)} the jar was at {_signed(before)} marbles, and "
                f"{_of_all(leaning, recent)} moments since went the other way, {_BEYOND_CHANCE}."
            )
        else:
            why = (
                f"A clear direction: {_of_all(leaning, recent)} moments in {_recent(weeks)} "
                f"went the same way, {_BEYOND_CHANCE}."
            )
        return [_Said(text, 5, 3 if turned else 2, why, claims=(p,), checks=(p,))]
    if trend["trend"] == "steady":
        text = (
            f"{person}'s jar has held steady {lately}: as many marbles went in "
            f"as came out, over {_count(recent, 'moment')}."
        )
        return [_Said(text, 5, checks=(p,))]
    if recent >= MIN_ENTRIES:
        text = (
            f"{person}'s jar changed by {_signed(change)} marbles {lately}, from "
            f"{_count(recent, 'moment')} ({earning:,} in, {recent - earning:,} out): too early "
            "to tell a direction yet."
        )
        return [_Said(text, 5, checks=(p,))]
    if recent:
        text = (
            f"There {'is' if recent == 1 else 'are'} "
            f"{_count(recent, 'moment')} for {person} {lately}: too few to see "
            "a direction yet."
        )
        return [_Said(text, 5)]
    return []


def _braving_sentences(journal, max_people) -> list[str]:
    profile = braving_profile(journal)
    if profile.empty:
        return []
    said = []
    braving = TABLES["marbles"].column("braving")
    for person in _busiest(profile, "moments", max_people):
        mine = profile[profile["person"] == person]
        moments = int(mine["moments"].sum())
        if moments < MIN_ENTRIES:
            continue
        best = mine.sort_values(["net", "moments"], ascending=False, kind="stable").iloc[0]
        if best["net"] > 0:
            net, moments = int(best["net"]), int(best["moments"])
            said.append(
                f"{person} has shown {braving.words_of(best['element'])} most "
                f"({_signed(net)} marbles over {_count(moments, 'moment')})."
            )
    return said


def _step_sentences(steps: pd.DataFrame, max_people: int) -> list[str]:
    if steps.empty:
        return []
    said, few = [], []
    for person in _busiest(steps, "steps", max_people):
        mine = steps[steps["person"] == person].set_index("response")
        answered = int(mine["answered"].iloc[0])
        warm = int(mine.loc["warm", "steps"])
        if answered >= MIN_ENTRIES:
            said.append(
                f"When you gave or asked for something small, {person} responded "
                f"warmly {_count(warm, 'time')} out of {answered:,}."
            )
        elif answered:
            few.append(person)
    if few:
        said.append(
            f"{_and(few)} {'has' if len(few) == 1 else 'have each'} answered fewer than "
            f"{MIN_ENTRIES} of your small steps so far: too few to see a pattern yet."
        )
    return said


def _quality_sentences(journal, max_people) -> list[_Said]:
    check = qualities_check(journal)
    if check.empty:
        return []
    said, few = [], []
    for person in _busiest(check, "observations", max_people):
        mine = check[(check["person"] == person) & check["enough"]]
        if mine.empty:
            few.append(person)
            continue
        best = mine.sort_values(
            ["share_shown", "observations"], ascending=False, kind="stable"
        ).iloc[0]
        said.append(
            f"With {person}, “{best['quality']}” showed up in {int(best['yes']):,} of "
            f"{_count(int(best['observations']), 'observation')}."
        )
    if few:
        said.append(
            f"For {_and(few)} there are fewer than {MIN_ENTRIES} observations of any one "
            "quality so far: too few to see a pattern yet."
        )
    return [_Said(text, 2) for text in said]


def _self_trust_sentences(journal, weeks, changes: pd.DataFrame) -> list[_Said]:
    said = []
    lately = _lately(weeks).capitalize()
    overall = self_trust_rate(journal).iloc[0]
    flags, decided = int(overall["flags"]), int(overall["decided"])
    if flags:
        heeded, watching = int(overall["heeded"]), int(overall["watching"])
        text = (
            f"You heeded {heeded:,} of the {_count(decided, 'red flag')} you made a call on"
            if decided
            else f"You have noted {_count(flags, 'red flag')}"
        )
        if watching:
            text += f", and you are watching {watching:,} more"
        said.append(_Said(text + ".", 3))
        change = changes.loc["heeded"]
        if not np.isnan(change["p"]):
            now, now_n, then, then_n = _of(change)
            counts = f"{now:,} of {now_n:,}, against {then:,} of {then_n:,} before"
            if change["direction"] == "too_few":
                said.append(
                    _Said(
                        f"{lately} you heeded {now:,} of {now_n:,} ({_percent(change['recent'])}), "
                        f"against {then:,} of {then_n:,} ({_percent(change['before'])}) before: "
                        "too early to tell whether this is changing.",
                        3,
                        checks=(change["p"],),
                    )
                )
            else:
                way = "more" if change["direction"] == "higher" else "less"
                said.append(
                    _Said(
                        f"{lately} you heeded them clearly {way} often than before ({counts}).",
                        3,
                        2,
                        f"A clear change in how you answer red flags: {counts}, {_BEYOND_CHANCE}.",
                        claims=(change["p"],),
                        checks=(change["p"],),
                    )
                )
        elif decided:
            said.append(
                _Said(
                    f"There are too few red flags in {_recent(weeks)}, or before them, to say "
                    "whether this is changing.",
                    3,
                )
            )
    said += _promise_sentences(journal, weeks, changes.loc["kept"])
    return said


def _promise_sentences(journal, weeks, change: pd.Series) -> list[_Said]:
    kept = promises_kept(journal).iloc[0]
    promises, checked, waiting = int(kept["promises"]), int(kept["decided"]), int(kept["open"])
    if not promises:
        return []
    if checked:
        text = (
            f"Of the {_count(checked, 'promise')} to yourself you have looked back on, "
            f"you kept {int(kept['yes']):,}"
        )
        if kept["partly"]:
            text += f" and partly kept {int(kept['partly']):,}"
        text += "."
    else:
        text = f"You have made {_count(promises, 'promise')} to yourself."
    if waiting and checked:
        text += f" {waiting:,} {'is' if waiting == 1 else 'are'} still open."
    why = ""
    if waiting:
        them = "it" if waiting == 1 else "them"
        why = (
            f"{_count(waiting, 'promise').capitalize()} to yourself "
            f"{'is' if waiting == 1 else 'are'} waiting for you to look back on {them}: "
            "each one you check is part of how self-trust grows."
        )
    said = [_Said(text, 3, 1 if waiting else 0, why)]
    if not np.isnan(change["p"]):
        now, now_n, then, then_n = _of(change)
        counts = f"{now:,} of {now_n:,}, against {then:,} of {then_n:,} before"
        made = f"Of the promises to yourself you made {_lately(weeks)}"
        if change["direction"] == "too_few":
            said.append(
                _Said(
                    f"{made}, you kept {now:,} of the {now_n:,} you looked back on "
                    f"({_percent(change['recent'])}), against {then:,} of {then_n:,} "
                    f"({_percent(change['before'])}) before: too early to tell whether this is "
                    "changing.",
                    3,
                    checks=(change["p"],),
                )
            )
        else:
            way = "more" if change["direction"] == "higher" else "fewer"
            said.append(
                _Said(
                    f"{made}, you kept clearly {way} than before ({counts}).",
                    3,
                    2,
                    f"A clear change in the promises you keep: {counts}, {_BEYOND_CHANCE}.",
                    claims=(change["p"],),
                    checks=(change["p"],),
                )
            )
    return said


def _belief_sentences(journal, label_beliefs, max_beliefs) -> list[_Said]:
    trends = belief_trends(journal)
    if trends.empty:
        return []
    records = belief_shift(journal)
    said = []
    shown = trends.nlargest(max_beliefs, "records", keep="first").sort_values("number")
    for _, belief in shown.iterrows():
        name = (
            f"“{short_label(belief['belief'])}”"
            if label_beliefs
            else f"Belief {int(belief['number'])}"
        )
        count = int(belief["records"])
        first, last = int(belief["first_before"]), int(belief["last_before"])
        if count == 1:
            after = belief["last_after"]
            text = f"{name} felt {first}% true before your thought record" + (
                f" and {int(after)}% after it."
                if pd.notna(after)
                else "; you can note how true it feels afterwards whenever you are ready."
            )
            said.append(_Said(text, 4))
            continue
        mine = records[records["number"] == belief["number"]]
        text = (
            f"{name} felt {first}% true before your first thought record and {last}% "
            f"before your latest ({count:,} records)."
        )
        after = _after_record(mine["shift"].dropna().to_numpy(dtype="int64"), count)
        trend, p = _belief_trend(mine["before"].to_numpy(dtype="float64"), belief["change"])
        checks = (*after.checks, *((p,) if count >= MIN_ENTRIES else ()))
        if trend in ("easing", "stronger"):
            way = "less" if trend == "easing" else "more"
            text += after.text + f" Across your records it has clearly come to feel {way} true."
            span = f"{count:,} thought records, from {first}% to {last}%, {_BEYOND_CHANCE}"
            why = (
                f"A belief easing: how true it felt before each record has come down across {span}."
                if trend == "easing"
                else f"A belief that has grown stronger across {span}: worth gentle attention."
            )
            weight = 3 if trend == "easing" else 2
            said.append(_Said(text, 4, weight, why, (*after.claims, p), checks))
        elif after.claims:
            text += after.text + " It is too early to tell a trend across your records."
            said.append(after._replace(text=text, checks=checks))
        else:
            text += after.text + " It is too early to tell a direction yet."
            said.append(_Said(text, 4, checks=checks))
    said += _all_records(records, len(trends))
    return said


def _after_record(shifts: np.ndarray, records: int) -> _Said:
    """How a belief felt after each record (words to add to its sentence), and the check."""
    if not len(shifts):
        return _Said("", 4)
    eased, rose = int((shifts < 0).sum()), int((shifts > 0).sum())
    mean = round(float(shifts.mean()))
    tested = eased + rose >= MIN_ENTRIES
    p = chance.sign_test(eased, eased + rose)
    checks = (p,) if tested else ()
    of = f" ({len(shifts):,} with an after)" if len(shifts) < records else ""
    if tested and p <= CHANCE and mean and (mean < 0) == (eased > rose):
        way = "less" if mean < 0 else "more"
        times = _of_all(max(eased, rose), len(shifts))
        text = (
            f" After a record it has clearly felt {way} true: {_count(abs(mean), 'point')} "
            f"{way} on average, and {way} true after {times} records."
        )
        why = f"A clear pattern: it felt {way} true after {times} records, {_BEYOND_CHANCE}."
        return _Said(text, 4, 2, why, claims=(p,), checks=checks)
    if not mean:
        return _Said(f" After a record it felt about the same on average{of}.", 4, checks=checks)
    text = f" After a record, how true it felt changed by {_signed(mean)} points on average{of}."
    return _Said(text, 4, checks=checks)


def _all_records(records: pd.DataFrame, beliefs: int) -> list[_Said]:
    """Across every belief's records: did a belief feel less true after a record?"""
    shifts = records["shift"].dropna().to_numpy(dtype="int64")
    with_after = records.loc[records["shift"].notna(), "number"].nunique()
    eased, rose = int((shifts < 0).sum()), int((shifts > 0).sum())
    if beliefs < 2 or with_after < 2 or eased + rose < MIN_ENTRIES:
        return []
    p = chance.sign_test(eased, eased + rose)
    changed = f"{_count(eased + rose, 'record')} where how true it felt changed"
    if p <= CHANCE and eased != rose:
        way = "less" if eased > rose else "more"
        times = _of_all(max(eased, rose), eased + rose)
        text = (
            f"After your thought records a belief has clearly tended to feel {way} true: "
            f"it did after {times} records where how true it felt changed."
        )
        why = (
            f"A clear pattern across all your beliefs: {way} true after {times} of the "
            f"records where it changed, {_BEYOND_CHANCE}."
        )
        return [_Said(text, 4, 2, why, claims=(p,), checks=(p,))]
    text = (
        f"Across all your beliefs, a belief felt less true after {eased:,} and more true after "
        f"{rose:,} of the {changed}: too early to tell a pattern yet."
    )
    return [_Said(text, 4, checks=(p,))]


def _roots_sentences(journal, weeks, changes: pd.DataFrame) -> list[_Said]:
    triggers = journal.table("triggers")
    n = len(triggers)
    if not n:
        return []
    said = []
    origins = triggers["origin"].value_counts()
    top, k = origins.index[0], int(origins.iloc[0])
    said.append(
        _Said(
            f"Of your {_count(n, 'trigger')}, {k:,} seem{'s' if k == 1 else ''} to come "
            f"from {TABLES['triggers'].column('origin').words_of(top)}.",
            1,
        )
    )
    said += _pace_sentence(changes.loc["triggers"], weeks)
    said += _intensity_sentence(changes.loc["intensity"], weeks)
    low, high = ALL_OR_NOTHING
    share = triggers["my_share"]
    extreme = int(((share <= low) | (share >= high)).sum())
    how = f"all or nothing ({low}% or less yours, or {high}% or more)"
    if n == 1:
        text = (
            f"You saw your one trigger as {how}."
            if extreme
            else "For your one trigger you found some middle ground in the blame balance."
        )
    elif extreme == n:
        text = f"In each of your {n:,} triggers you saw what happened as {how}."
    elif extreme:
        text = (
            f"In {extreme:,} of your {n:,} triggers you saw what happened as {how}; in the "
            f"other {n - extreme:,} you found some middle ground."
        )
    else:
        text = (
            f"In all {n:,} of your triggers you found some middle ground: none was all or nothing."
        )
    said.append(_Said(text, 1))
    return said


def _pace_sentence(change: pd.Series, weeks: int) -> list[_Said]:
    if np.isnan(change["p"]):
        return []
    now = _count(int(change["recent_n"]), "trigger")
    expected = change["before"] * weeks
    about = f"about {expected:,.0f}" if expected >= 1 else "fewer than 1"
    pace = f"{now} {_lately(weeks)}, where the pace before would have brought {about}"
    if change["direction"] == "too_few":
        text = f"You noted {pace}: too early to tell whether they are coming more or less often."
        return [_Said(text, 1, checks=(change["p"],))]
    way = "more" if change["direction"] == "higher" else "less"
    text = f"You have noted triggers clearly {way} often lately: {pace}."
    why = f"A clear change in how often triggers came: {pace}, {_BEYOND_CHANCE}."
    return [_Said(text, 1, 2, why, claims=(change["p"],), checks=(change["p"],))]


def _intensity_sentence(change: pd.Series, weeks: int) -> list[_Said]:
    if np.isnan(change["p"]):
        return []
    now, then = change["recent"], change["before"]
    counts = (
        f"on average {now:.1f} out of 10 over {_count(int(change['recent_n']), 'trigger')}, "
        f"against {then:.1f} over {int(change['before_n']):,}"
    )
    lately = _lately(weeks).capitalize()
    if change["direction"] == "too_few":
        text = (
            f"{lately} your triggers felt {counts} before: too early to tell whether that "
            "is a change."
        )
        return [_Said(text, 1, checks=(change["p"],))]
    how = "more intense" if change["direction"] == "higher" else "less intense"
    text = f"{lately} your triggers have clearly felt {how} than before ({counts})."
    why = f"A clear change in how intense triggers felt: {counts} before, {_BEYOND_CHANCE}."
    return [_Said(text, 1, 2, why, claims=(change["p"],), checks=(change["p"],))]
