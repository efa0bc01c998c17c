"""The sample journal: three months in the life of Robin, a fictional person.

In March 2026 Robin found out that Sam, their partner of six years, had been having an
affair with someone from his work. They are staying together for now, with a couples
counsellor, and in June Robin starts this journal. It runs from 2026-06-01 to 2026-08-31
and fills every table, with people whose trust moves in different ways:

- Sam, the partner: slowly regaining trust, with setbacks (messages from May that surface
  in June, a defensive evening in July);
- Priya, a friend since university: broke a confidence in early June, repaired it quickly;
- Zoë, a new friend from pottery class: steadily earning marbles;
- Dana, a colleague: keeps letting Robin down, so her jar empties;
- Mum: loving, with opinions; up and down, slightly up overall;
- Ines, the neighbour with the spare key: small, quiet kindnesses;
- Alex, an ex-partner from years ago: where much of the wariness was learned.

Everyone here is made up. Hand-written entries (:mod:`trustlab.sample_entries`) carry the
story; a seeded :class:`random.Random` spreads the everyday marbles and observations across
the weeks, so the same seed always gives byte-for-byte the same files (``make sample`` regenerates
``data/sample/``; ``trustlab demo DIR`` writes a copy)::

    python -m trustlab.sample DIR
"""

from __future__ import annotations

import argparse
import os
import random
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from . import storage
from .sample_entries import (
    _BELIEFS,
    _COACH_NOTES,
    _OBSERVATIONS,
    _PEOPLE,
    _PROMISES,
    _QUALITIES,
    _RED_FLAGS,
    _STEPS,
    _TRIGGERS,
)
from .schema import ID, TABLES, make_id

__all__ = ["write_sample"]

SEED = 20260601
"""The seed of the committed sample in ``data/sample/``."""

START = date(2026, 6, 1)
END = date(2026, 8, 31)

Moment = tuple[int, str, str]
"""One marble moment: (marbles, BRAVING element or "", what happened)."""

Row = dict[str, object]
"""One entry of a table, by column name (its date as a :class:`~datetime.date`)."""


def _on(month_day: str) -> date:
    """A date of the sample's year from ``"MM-DD"``."""
    month, day = (int(part) for part in month_day.split("-"))
    return date(START.year, month, day)


# --- step 2: the everyday observations -------------------------------------------


@dataclass(frozen=True)
class _Watch:
    """How often Robin notes a person's qualities, and how it tends to go over the summer."""

    person: str
    start: date
    count: int
    qualities: tuple[str, ...]
    shown_yes: tuple[float, float]
    """The chance of "yes" on the first and on the last day (the rest is "no" or "unsure")."""
    shown_no: tuple[float, float]


_WATCHES = (
    _Watch("Sam", START, 16,
           ("reliability", "honesty", "openness", "accountability", "respects my boundaries",
            "warmth"), (0.4, 0.8), (0.35, 0.08)),
    _Watch("Priya", _on("06-08"), 8,
           ("keeps confidences", "reliability", "non-judgment", "warmth"), (0.55, 0.9),
           (0.25, 0.05)),
    _Watch("Zoë", _on("06-12"), 9,
           ("reliability", "warmth", "respects my boundaries", "keeps confidences",
            "non-judgment"), (0.7, 0.92), (0.1, 0.04)),
    _Watch("Dana", START, 9, ("reliability", "accountability", "honesty", "openness"),
           (0.3, 0.15), (0.5, 0.7)),
    _Watch("Mum", START, 7, ("non-judgment", "respects my boundaries", "warmth", "reliability"),
           (0.5, 0.6), (0.35, 0.25)),
    _Watch("Ines", START, 4, ("reliability", "respects my boundaries", "warmth"), (0.9, 0.9),
           (0.0, 0.0)),
)


# --- step 5: the marble jars ------------------------------------------------------


@dataclass(frozen=True)
class _Jar:
    """One person's marble jar: the everyday moments, and the ones that stand out."""

    person: str
    start: date
    per_week: float
    lets_down: tuple[float, float]
    """The chance that a moment is a let-down, on the first and on the last day."""
    ups: tuple[Moment, ...]
    downs: tuple[Moment, ...]
    events: tuple[tuple[str, Moment], ...] = ()


_JARS = (
    _Jar("Sam", START, 4.6, (0.3, 0.08), (
        (1, "reliability", "Home when he said he'd be home"),
        (1, "reliability", "Texted when the meeting ran late, before I had to wonder"),
        (2, "integrity", "Told me she'd emailed him about work, and showed me his reply"),
        (1, "generosity", "Made my coffee the way I like it without asking"),
        (2, "accountability", "Said \"I know I did this to us\" in counselling, unprompted"),
        (1, "", "Walked to the market together, easy and quiet"),
        (2, "boundaries", "Didn't push when I said I wasn't ready to talk about it tonight"),
        (1, "reliability", "Picked up my prescription like he said he would"),
        (3, "integrity", "Handed me his phone before I asked, and went to make tea"),
        (1, "non_judgment", "Didn't sigh when I asked the same question again"),
        (2, "accountability", "Apologised for snapping, the same evening"),
        (1, "generosity", "Asked about my day and actually listened to the answer"),
        (1, "", "Laughed together at the neighbour's cat on the balcony"),
        (1, "vault", "Didn't tell his brother about our counselling when he asked"),
        (2, "boundaries", "Asked before telling his parents anything about us"),
        (1, "reliability", "Booked the next counselling session himself"),
        (3, "accountability", "Wrote me a letter about what he's learning. No excuses in it."),
        (1, "generosity", "Fixed the wobbly shelf I'd mentioned once, weeks ago"),
        (1, "", "Held my hand at the cinema"),
        (2, "integrity", "Told me, unprompted, that she'd be at the same conference"),
        (1, "reliability", "Called when he said he would, at six on the dot"),
        (2, "non_judgment", "Stayed with me through a bad night without trying to fix it"),
        (1, "generosity", "Brought sunflowers, no occasion, no fuss 🌻"),
        (1, "reliability", "Remembered the bins, the plants and Mum's birthday"),
        (2, "vault", "Kept what I told him about Priya to himself"),
        (1, "", "Cooked dinner and we ate outside"),
        (1, "boundaries", "Gave me the evening alone when I asked for it"),
        (1, "reliability", "Was at the station to pick me up, early"),
        (2, "integrity", "Left the work drinks at ten, like we'd agreed"),
        (1, "generosity", "Sent a photo of the sunset from his walk, just because"),
        (1, "non_judgment", "Let me be angry without getting angry back"),
        (1, "", "Sang badly in the kitchen and I laughed, properly, for the first time in ages"),
    ), (
        (-1, "reliability", "Forgot to call when he said he would"),
        (-2, "integrity", "Vague about who he'd had lunch with"),
        (-1, "", "Phone face-down on the table again"),
        (-2, "accountability", "Said \"can we not do this again\" when I asked a question"),
        (-2, "non_judgment", "Called me paranoid, then took it back"),
        (-1, "reliability", "Late home, no text"),
        (-3, "accountability", "Made it about how hard all this is for him"),
        (-2, "boundaries", "Joked about \"being on probation\" in front of our friends"),
    ), (
        ("06-01", (2, "reliability", "Came to counselling and stayed for the hard part")),
        ("06-20", (-4, "integrity",
                   "Found out he'd still been messaging her in May and hadn't told me")),
        ("06-21", (1, "accountability", "Told me everything about the May messages when I asked")),
        ("07-12", (2, "reliability", "Kept the Sunday check-in even though the match was on")),
        ("07-18", (-2, "", "Got defensive about his phone at dinner; we both went to bed upset")),
        ("07-19", (2, "accountability",
                   "Came back in the morning and said sorry for being defensive, without a "
                   "\"but\"")),
        ("08-16", (3, "reliability", "Eight Sunday check-ins in a row, not one missed")),
        ("08-31", (2, "", "Sat on the balcony and talked about next year, carefully, hopefully")),
    )),
    _Jar("Priya", _on("06-06"), 2.3, (0.1, 0.05), (
        (1, "reliability", "Replied to my long message the same day"),
        (2, "vault", "Kept what I told her to herself; it never came back round"),
        (1, "generosity", "Dropped off soup when I had a cold"),
        (2, "non_judgment", "Listened to me explain why I'm staying with Sam, without a single "
         "\"but\""),
        (1, "", "Voice note of her singing in the car, terribly 😂"),
        (1, "reliability", "Turned up to book club like she said she would"),
        (2, "accountability", "Checked in, weeks later, on how the Marco thing still feels"),
        (1, "boundaries", "Asked whether I wanted advice or just an ear"),
        (1, "generosity", "Sent me a book she thought I'd like, with a note inside"),
        (1, "", "Long walk by the canal; talked about everything except Sam"),
        (1, "vault", "Changed the subject when someone at the party asked about me and Sam"),
        (2, "integrity", "Told me straight when she thought I was being unfair to myself"),
        (1, "reliability", "Remembered my counselling appointment and texted good luck"),
        (1, "", "Pub quiz. We came second to last and didn't care"),
    ), (
        (-1, "reliability", "Cancelled on the day, with a good reason"),
        (-1, "", "Forgot the news I told her last week"),
    ), (
        ("06-02", (-5, "vault",
                   "Found out she told Marco about the affair. I'd asked her not to tell anyone.")),
        ("06-03", (-2, "accountability",
                   "Her first reply was \"I thought you'd told him already\"")),
        ("06-05", (3, "accountability",
                   "Came round and apologised properly: no excuses, asked what would help")),
        ("06-12", (2, "vault",
                   "Told me Marco had asked her more about it, and she'd said it wasn't hers to "
                   "share")),
    )),
    _Jar("Zoë", _on("06-10"), 2.4, (0.04, 0.04), (
        (1, "reliability", "Saved me a wheel at class like she said she would"),
        (1, "generosity", "Shared her glaze recipe, the good one"),
        (1, "", "Laughed so hard at my lopsided bowl that I laughed too"),
        (1, "reliability", "Texted back within the day, every time"),
        (1, "boundaries", "Said \"no worries at all\" when I needed to leave early"),
        (2, "non_judgment", "Heard the whole story about Sam and said \"that sounds so hard\". "
         "Nothing else."),
        (1, "generosity", "Lent me her good apron"),
        (1, "reliability", "On time for coffee, again"),
        (1, "", "Sent a photo of her cat \"helping\" with the clay"),
        (2, "integrity", "Told me honestly she didn't like my first glaze, then helped me fix it"),
        (1, "generosity", "Invited me to her birthday picnic"),
        (1, "reliability", "Gave the book back with a pressed flower inside"),
        (2, "vault", "Kept what I told her about Sam to herself, even with the class group"),
        (1, "accountability", "Said sorry for running late, and meant it"),
        (1, "", "Swam at the lido together; cold and lovely"),
        (1, "boundaries", "Asked before posting a photo with me in it"),
        (1, "generosity", "Brought me figs from her allotment"),
        (2, "reliability", "Came to help me move the bookshelf, as promised"),
    ), (
        (-1, "reliability", "Cancelled at the last minute (moving flat, fair enough)"),
    ), (
        ("06-09", (1, "", "Met at pottery class; she offered me her spare sponge")),
    )),
    _Jar("Dana", START, 2.0, (0.6, 0.75), (
        (1, "generosity", "Brought pastries for the team"),
        (1, "reliability", "Sent the draft on time, for once"),
        (2, "accountability", "Admitted the mix-up with the slides was hers"),
        (1, "", "Told a funny story about her dog at lunch"),
    ), (
        (-2, "integrity", "Presented my analysis in the team meeting as hers"),
        (-1, "reliability", "Missed the Thursday deadline, no heads-up"),
        (-2, "accountability", "Blamed the client for a delay that was hers"),
        (-1, "reliability", "Said she'd send the numbers by lunch; they came at six"),
        (-2, "boundaries", "Messaged me at 10pm about a \"quick thing\" that took an hour"),
        (-1, "", "Sighed when I asked for the file again"),
        (-2, "vault", "Mentioned my leave to the client without asking me"),
        (-1, "reliability", "Double-booked our sync and didn't reschedule"),
        (-2, "accountability", "Said \"that's not how I remember it\" about an email I could "
         "forward"),
        (-1, "non_judgment", "Rolled her eyes at my question in front of the team"),
        (-3, "integrity", "Changed the figures in my slides without telling me"),
        (-1, "reliability", "Forgot the handoff notes, again"),
    ), (
        ("07-29", (-3, "boundaries",
                   "Cc'd my manager on a complaint about me without talking to me first")),
    )),
    _Jar("Mum", START, 1.5, (0.35, 0.3), (
        (1, "reliability", "Rang when she said she would, right on time"),
        (2, "generosity", "Sent a parcel: tea, socks and a card that said \"thinking of you\""),
        (1, "", "Told me the story of how she met Dad, again, and I didn't mind"),
        (2, "non_judgment", "Didn't say a word about Sam when I mentioned him"),
        (1, "reliability", "Remembered the date of my counselling"),
        (1, "generosity", "Offered to come and stay for a weekend"),
        (2, "boundaries", "Called before coming over, like I asked"),
        (2, "accountability", "Said sorry for the comment at lunch, the next day"),
    ), (
        (-2, "non_judgment", "\"I always said he was too charming\""),
        (-1, "boundaries", "Dropped by unannounced with a casserole"),
        (-1, "", "Asked when I'm \"going to decide\" about Sam"),
        (-1, "boundaries", "Rang three times in an hour because I hadn't replied"),
    ), (
        ("06-16", (-2, "vault", "Told Auntie Jo about Sam, \"only because she asked\"")),
    )),
    _Jar("Ines", START, 0.8, (0.0, 0.0), (
        (1, "reliability", "Watered the tomatoes while I was away; all alive"),
        (1, "generosity", "Left a bag of apricots by my door"),
        (1, "vault", "Took in a parcel and didn't mention the counselling leaflet on top"),
        (1, "", "Chatted on the stairs about her granddaughter"),
        (1, "reliability", "Took my bins out while I was at Mum's, like she'd offered"),
        (1, "generosity", "Lent me her stepladder"),
        (1, "", "Waved from her balcony every morning this week"),
        (1, "boundaries", "Knocked, waited, and left when I didn't answer. No fuss afterwards."),
        (1, "integrity", "Told me she'd broken my flowerpot, before I noticed"),
    ), (), (
        ("08-29", (2, "reliability", "Kept my spare key safe and gave it back the moment I asked")),
    )),
    _Jar("Alex", START, 0.0, (0.0, 0.0), (), (), (
        ("06-10", (-2, "integrity",
                   "Remembered the Christmas he swore he'd been at his brother's. He hadn't.")),
        ("06-27", (-1, "", "Saw his name in a group chat and my stomach dropped")),
        ("07-30", (1, "accountability",
                   "Heard he's in therapy and owns some of it now. Good for him, honestly.")),
        ("08-23", (-1, "reliability",
                   "An old photo came up: the birthday he didn't turn up for")),
    )),
)


# --- building the rows ------------------------------------------------------------------


class _Deck:
    """Deal moments in a shuffled order, reshuffling once all have been dealt."""

    def __init__(self, cards: Sequence[Moment], rng: random.Random):
        self._cards = list(cards)
        self._rng = rng
        self._left: list[Moment] = []

    def deal(self) -> Moment:
        if not self._left:
            self._left = self._cards[:]
            self._rng.shuffle(self._left)
        return self._left.pop()


def _days(start: date) -> Iterator[tuple[date, float]]:
    """Each day from ``start`` to the end, with how far through the summer it is (0 to 1)."""
    span = (END - START).days
    day = start
    while day <= END:
        yield day, (day - START).days / span
        day += timedelta(days=1)


def _between(pair: tuple[float, float], progress: float) -> float:
    return pair[0] + (pair[1] - pair[0]) * progress


def _marbles(rng: random.Random) -> list[Row]:
    rows = []
    for jar in _JARS:
        ups, downs = _Deck(jar.ups, rng), _Deck(jar.downs, rng)
        for day, progress in _days(jar.start):
            if rng.random() >= jar.per_week / 7:
                continue
            let_down = bool(jar.downs) and rng.random() < _between(jar.lets_down, progress)
            rows.append(_marble(day, jar.person, (downs if let_down else ups).deal()))
        for when, card in jar.events:
            rows.append(_marble(_on(when), jar.person, card))
    return rows


def _marble(day: date, person: str, card: Moment) -> Row:
    marbles, braving, moment = card
    return {"date": day, "person": person, "marbles": marbles, "moment": moment,
            "braving": braving}


def _routine_observations(rng: random.Random) -> list[Row]:
    rows = []
    for watch in _WATCHES:
        span = (END - watch.start).days
        for day_number in sorted(rng.sample(range(span + 1), watch.count)):
            day = watch.start + timedelta(days=day_number)
            progress = (day - START).days / (END - START).days
            roll = rng.random()
            yes, no = _between(watch.shown_yes, progress), _between(watch.shown_no, progress)
            shown = "yes" if roll < yes else "no" if roll < yes + no else "unsure"
            rows.append({"date": day, "person": watch.person,
                         "quality": rng.choice(watch.qualities), "shown": shown, "note": ""})
    return rows


def _beliefs() -> list[Row]:
    return _dated([
        {"belief": belief["belief"], "opposite": belief["opposite"], **visit}
        for belief in _BELIEFS
        for visit in belief["visits"]
    ])


def _dated(entries: Sequence[Row]) -> list[Row]:
    return [{**entry, "date": _on(entry["date"])} for entry in entries]


def _entries(rng: random.Random) -> dict[str, list[Row]]:
    """Every table's rows, without ids."""
    return {
        "people": list(_PEOPLE),
        "qualities": list(_QUALITIES),
        "observations": _dated(_OBSERVATIONS) + _routine_observations(rng),
        "triggers": _dated(_TRIGGERS),
        "red_flags": _dated(_RED_FLAGS),
        "promises": _dated(_PROMISES),
        "beliefs": _beliefs(),
        "steps": _dated(_STEPS),
        "marbles": _marbles(rng),
        "coach_notes": _dated(_COACH_NOTES),
    }


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _file_bytes(name: str, rows: list[Row], ids: random.Random) -> bytes:
    table = TABLES[name]
    if "date" in table.column_names:
        rows = sorted(rows, key=lambda row: row["date"])  # stable: same-day entries keep order
    lines = [[ID, *table.column_names]]
    for row in rows:
        if sorted(row) != sorted(table.column_names):
            raise ValueError(f"a sample {name} row has the columns {', '.join(row)}, not "
                             f"{', '.join(table.column_names)}: {row!r}")
        lines.append([make_id(ids.getrandbits(60)), *(_text(row[c]) for c in table.column_names)])
    return storage.format_rows(lines)


def _write(path: Path, data: bytes) -> None:
    if path.exists():
        # Regenerating over earlier files: take the journal's lock, keep the old file as a backup.
        with storage.locked(path):
            storage.atomic_write(path, data)
    else:
        storage.atomic_write(path, data, keep_backup=False)


def write_sample(folder: str | os.PathLike, *, seed: int = SEED) -> Path:
    """Write the sample journal (Robin's three months) into ``folder``.

    The folder is created, private to the current user, if it does not exist. The nine
    files are written atomically; a file that is already there is replaced, and its previous
    version kept in ``.trustlab/backups/``. (``trustlab demo DIR`` refuses a folder that
    already has journal files.)

    Parameters
    ----------
    folder
        Where to write the CSV files.
    seed
        The seed for the everyday entries and the ids; the default gives ``data/sample/``.

    Returns
    -------
    Path
        The folder.
    """
    folder = Path(folder).expanduser()
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    entries = _entries(random.Random(seed))
    ids = random.Random(seed + 1)
    for name, table in TABLES.items():
        _write(folder / table.filename, _file_bytes(name, entries[name], ids))
    return folder


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m trustlab.sample",
        description="Write the sample journal, a fictional person's three months, to DIR "
        "(files already there are replaced; their previous versions go to "
        "DIR/.trustlab/backups/).",
    )
    parser.add_argument("dir", metavar="DIR", help="the folder to write (created if needed)")
    args = parser.parse_args(argv)
    folder = write_sample(args.dir)
    print(f"Wrote the sample journal (a fictional person) to {folder}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
