"""The coach's side: reading reports back, comparing them, and the coach's reply.

:func:`read_reports` and :func:`compare_reports` need only the report folders, never a
journal (the coach's review notebook runs on them).

The reply
---------
The coach writes in the empty ``coach-notes`` cells of ``report.ipynb`` (one under each step,
one for the report as a whole). ``trustlab reply REPORT_DIR`` gathers them into
``REPORT_DIR/reply.json``, which the coach sends back; the person's
``trustlab import-reply JOURNAL FILE`` (or the button in 07) adds them to ``coach_notes.csv``.

reply.json, version 1 (UTF-8 JSON, at most :data:`MAX_BYTES`)::

    {"format": "trustlab-reply", "version": 1,
     "report": "<the report's id, from its report.json>",
     "notes": [{"section": "report" | "roots" | "qualities" | "self_trust" | "beliefs"
                           | "marbles",
                "note": "<plain text, at most MAX_NOTE characters, no HTML>",
                "date": "YYYY-MM-DD"}, ...]}

A reply is read like any other input: anything else (broken JSON, another format or version,
a huge file or note, HTML, an unknown section, a bad date) is refused with a message naming
the file and the note, and the journal is left as it was. A note already in the journal (the
same report, section and words) is not added again, so importing a reply twice adds nothing.
"""

from __future__ import annotations

import datetime
import json
import math
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from ..schema import COACH_SECTIONS
from ..storage import NotAFile, TooBig, read_regular
from .folder import earlier_report, report_json
from .options import short_date

REPLY_FORMAT = "trustlab-reply"
REPLY_VERSION = 1
MAX_BYTES = 1_000_000
"""The largest reply.json read (a reply is a few notes; anything bigger is not one)."""
MAX_NOTE = 10_000
"""The longest note, in characters."""
MAX_NOTES = 200
_HTML = re.compile(r"<\s*[A-Za-z!/?]")
"""What starts an HTML tag, comment or declaration: refused in a note (a "<3" is fine)."""


class ReplyError(ValueError):
    """A reply could not be gathered or read; the message says where and why."""


@dataclass(frozen=True)
class Note:
    """One note from the coach."""

    report: str
    section: str
    note: str
    date: str

    @property
    def key(self) -> tuple[str, str, str]:
        """What makes two notes the same note (for importing a reply twice)."""
        return (self.report.strip(), self.section, " ".join(self.note.split()))


# --- the coach's side: gathering the notes ---------------------------------------------------


def gather_reply(report_dir: str | os.PathLike, *, today: datetime.date | None = None) -> Path:
    """Write ``REPORT_DIR/reply.json`` from the coach's notes in ``REPORT_DIR/report.ipynb``;
    return its path. Raises :class:`ReplyError` if the folder holds no trustlab report, or
    if no note has been written yet."""
    folder = Path(report_dir).expanduser()
    notebook, report = folder / "report.ipynb", folder / "report.json"
    ident = _report_id(report)
    try:
        nb = json.loads(_read(notebook, 20 * MAX_BYTES).decode("utf-8"))
    except (OSError, ValueError) as error:
        raise ReplyError(
            f"{notebook}: not a report notebook trustlab can read ({error}).") from None
    date = (today or datetime.date.today()).isoformat()
    notes = []
    for cell in nb.get("cells", []) if isinstance(nb, dict) else []:
        meta = cell.get("metadata", {}) if isinstance(cell, dict) else {}
        if "coach-notes" not in meta.get("tags", []):
            continue
        source = cell.get("source", "")
        text = "".join(source) if isinstance(source, list) else str(source)
        if not text.strip():
            continue
        section = meta.get("trustlab", {}).get("section", "report")
        notes.append({"section": section if section in COACH_SECTIONS else "report",
                      "note": text.strip(), "date": date})
    if not notes:
        raise ReplyError(f"{notebook}: no notes yet. Write yours in the empty cells under "
                         "each “Coach's notes” heading, save the notebook, and run this again.")
    reply = {"format": REPLY_FORMAT, "version": REPLY_VERSION, "report": ident, "notes": notes}
    data = (json.dumps(reply, ensure_ascii=False, indent=1) + "\n").encode("utf-8")
    parse_reply(data, str(folder / "reply.json"))  # what is written can be read back
    out = folder / "reply.json"
    if out.is_symlink():
        raise ReplyError(f"{out} is a link; reply.json is never written through a link.")
    from ..storage import write_temp

    os.replace(write_temp(out, data), out)
    return out


def _report_id(path: Path) -> str:
    try:
        data = json.loads(_read(path, 20 * MAX_BYTES).decode("utf-8"))
    except (OSError, ValueError) as error:
        raise ReplyError(f"{path}: not a trustlab report's report.json ({error}).") from None
    ident = data.get("id") if isinstance(data, dict) else None
    if not isinstance(ident, str) or not ident:
        raise ReplyError(f"{path}: this report has no id (it was made by an older trustlab); "
                         "ask for a new report to reply to.")
    return ident


# --- the person's side: reading and importing a reply ----------------------------------------


def read_reply(path: str | os.PathLike) -> list[Note]:
    """The notes of reply file ``path``, checked (see the module's docstring)."""
    path = Path(path).expanduser()
    try:
        data = _read(path, MAX_BYTES)
    except ReplyError:
        raise
    except OSError as error:
        raise ReplyError(f"{path}: cannot be read ({error.strerror or error}).") from None
    return parse_reply(data, str(path))


def parse_reply(data: bytes, where: str) -> list[Note]:
    """The notes of a reply's bytes ``data`` (``where`` names it in messages)."""
    if len(data) > MAX_BYTES:
        raise ReplyError(f"{where}: {len(data):,} bytes is too big for a reply (at most "
                         f"{MAX_BYTES:,}).")
    try:
        reply = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise ReplyError(f"{where}: not UTF-8 text, so not a trustlab reply.") from None
    except ValueError as error:
        raise ReplyError(f"{where}: not valid JSON ({error}), so not a trustlab reply.") from None
    if not isinstance(reply, dict) or reply.get("format") != REPLY_FORMAT:
        raise ReplyError(
            f"{where}: not a trustlab reply (expected \"format\": \"{REPLY_FORMAT}\").")
    if reply.get("version") != REPLY_VERSION:
        raise ReplyError(f"{where}: reply version {reply.get('version')!r}; this trustlab reads "
                         f"version {REPLY_VERSION}. Ask your coach to use the same trustlab "
                         "version.")
    report = reply.get("report")
    if not isinstance(report, str) or not report.strip() or len(report) > 100:
        raise ReplyError(f"{where}: \"report\" must be the report's id (some text).")
    notes = reply.get("notes")
    if not isinstance(notes, list) or not notes:
        raise ReplyError(f"{where}: \"notes\" must be a list of at least one note.")
    if len(notes) > MAX_NOTES:
        raise ReplyError(f"{where}: {len(notes)} notes; a reply holds at most {MAX_NOTES}.")
    found = []
    for number, item in enumerate(notes, start=1):
        here = f"{where}: note {number}"
        if not isinstance(item, dict):
            raise ReplyError(f"{here} is not an object with section, note and date.")
        section, note, date = item.get("section"), item.get("note"), item.get("date")
        if section not in COACH_SECTIONS:
            raise ReplyError(f"{here}: section {section!r} is not one of "
                             f"{', '.join(COACH_SECTIONS)}.")
        if not isinstance(note, str) or not note.strip():
            raise ReplyError(f"{here}: \"note\" must be some text.")
        if len(note) > MAX_NOTE:
            raise ReplyError(f"{here}: {len(note):,} characters; a note holds at most "
                             f"{MAX_NOTE:,}.")
        if _HTML.search(note):
            raise ReplyError(f"{here}: holds HTML ({_HTML.search(note)[0]}…); a note is plain "
                             "text.")
        if "\x00" in note:
            raise ReplyError(f"{here}: holds a NUL character; a note is plain text.")
        try:
            day = datetime.date.fromisoformat(str(date))
        except ValueError:
            raise ReplyError(f"{here}: date {date!r} is not a date written YYYY-MM-DD.") from None
        found.append(Note(report.strip(), section, note.strip(), day.isoformat()))
    return found


def import_reply(journal: Any, path: str | os.PathLike) -> tuple[int, int]:
    """Add the notes of reply file ``path`` to ``journal``'s coach_notes.csv; return
    (notes added, notes already there). All or nothing: a reply that cannot be read, or a
    note the journal refuses, adds none (ReplyError or JournalError)."""
    notes = read_reply(path)
    have = journal.table("coach_notes")
    known = {Note(r, s, n, "").key
             for r, s, n in zip(have["report"], have["section"], have["note"], strict=True)}
    new, seen = [], set(known)
    for note in notes:
        if note.key in seen:
            continue
        seen.add(note.key)
        new.append({"date": note.date, "report": note.report, "section": note.section,
                    "note": note.note})
    journal.add_many("coach_notes", new)
    return len(new), len(notes) - len(new)


def _read(path: Path, limit: int) -> bytes:
    """At most ``limit`` bytes of regular file ``path``, never through a link."""
    try:
        return read_regular(path, limit)
    except NotAFile as error:
        if error.kind == "a symbolic link":
            raise ReplyError(f"{path} is a link; trustlab reads a reply only from the file "
                             "itself.") from None
        raise ReplyError(f"{path} is not a file.") from None
    except TooBig:
        raise ReplyError(f"{path}: more than {limit:,} bytes is too big for a reply.") from None


# --- reading reports back ---------------------------------------------------------------


def read_reports(
    where: str | os.PathLike | Iterable[str | os.PathLike],
    *,
    identity: str | os.PathLike | None = None,
) -> list[dict]:
    """The reports in a folder (or in its sub-folders), or in a list of folders, oldest first.

    Parameters
    ----------
    where
        A report folder, a folder of report folders, a report.json file, a sealed report
        (``.age``), or a list of any of these.
    identity
        The coach's secret key file: sealed reports (``*.age`` files in ``where``) are
        read with it, in memory (nothing is unpacked). Without it they are left out (see
        :func:`sealed_reports`). A key that cannot open one raises
        :class:`~trustlab.report.seal.SealError`.

    Returns
    -------
    list of dict
        Each report.json's content, with ``folder`` (the folder's name) and
        ``label`` (its period, for tables and charts), ordered by period.
    """
    found: dict[Path, dict] = {}
    for place in _places(where):
        path = Path(place).expanduser()
        if path.is_file() and path.suffix != ".age":
            candidates = [path]
        elif (path / "report.json").is_file():
            candidates = [path / "report.json"]
        else:
            candidates = sorted(path.glob("*/report.json"))
        candidates += sealed_reports(path) if identity is not None else []
        for file in candidates:
            if file.suffix == ".age":
                from .seal import open_sealed

                inside = open_sealed(file, Path(identity).expanduser())  # type: ignore[arg-type]
                data = report_json(inside.get("report.json", b""))
                file = file.with_suffix("") / "report.json"  # named as if unpacked
            else:
                data = earlier_report(file.parent)
            if data is not None:
                period = data.get("period")
                period = period if isinstance(period, dict) else {}
                found[file.resolve()] = {
                    **data,
                    "period": {
                        k: str(period[k]) if period.get(k) else None for k in ("since", "until")
                    },
                    "folder": file.parent.name,
                }
    reports = sorted(
        found.values(),
        key=lambda r: (
            r["period"]["until"] or "",
            r["period"]["since"] or "",
            str(r.get("created", "")),
            r["folder"],
        ),
    )
    labels: dict[str, int] = {}
    for report in reports:
        label = period_label(report["period"]["since"], report["period"]["until"])
        labels[label] = labels.get(label, 0) + 1
        report["label"] = label if labels[label] == 1 else f"{label} ({labels[label]})"
    return reports


def _places(where: str | os.PathLike | Iterable[str | os.PathLike]) -> list:
    return [where] if isinstance(where, str | os.PathLike) else list(where)


def sealed_reports(where: str | os.PathLike | Iterable[str | os.PathLike]) -> list[Path]:
    """The sealed reports (``.age`` files) in ``where``: a file, or a folder's files."""
    found = []
    for place in _places(where):
        path = Path(place).expanduser()
        if path.is_file() and path.suffix == ".age":
            found.append(path)
        elif path.is_dir():
            found += sorted(p for p in path.glob("*.age") if p.is_file())
    return found


def period_label(since: str | None, until: str | None) -> str:
    """``1 Jun 2026 – 30 Jun 2026`` from ISO dates (``…`` for one not known)."""

    def day(text: str | None) -> str:
        try:
            return short_date(datetime.date.fromisoformat(str(text)))
        except ValueError:
            return "…"

    return f"{day(since)} – {day(until)}"


def measures(figures: dict) -> list[tuple[str, str, str, float]]:
    """(group, measure, kind, value) for the main figures of one report.json."""
    out: list[tuple[str, str, str, float]] = []

    def add(group: str, measure: str, kind: str, value: Any) -> None:
        if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
            out.append((group, measure, kind, float(value)))

    def records(section: str, table: str) -> list[dict]:
        found = figures.get(section, {})
        rows = found.get(table, []) if isinstance(found, dict) else []
        return [r for r in rows if isinstance(r, dict)] if isinstance(rows, list) else []

    for r in records("marbles", "jars"):
        add("Marble jars", f"{r.get('person')}: marbles in the jar", "number", r.get("marbles"))
    for r in records("self_trust", "red_flags"):
        who = "all red flags" if r.get("person") == "Everyone" else f"about {r.get('person')}"
        add("Self-trust", f"Red flags heeded, {who}", "share", r.get("rate"))
    for r in records("self_trust", "promises"):
        add("Self-trust", "Promises to themselves kept", "share", r.get("rate"))
    for r in records("beliefs", "beliefs"):
        add(
            "Beliefs",
            f"{r.get('label')}: how true before (average)",
            "number",
            r.get("mean_before"),
        )
        add("Beliefs", f"{r.get('label')}: how true after (average)", "number", r.get("mean_after"))
    origins = records("roots", "by_origin")
    for r in origins:
        add("Triggers", f"Triggers: {r.get('origin')}", "number", r.get("triggers"))
    counted = [(r.get("triggers"), r.get("mean_intensity")) for r in origins]
    counted = [
        (n, m)
        for n, m in counted
        if isinstance(n, int | float) and n and isinstance(m, int | float)
    ]
    if counted:
        total = sum(n for n, _ in counted)
        add(
            "Triggers",
            "Average intensity (0–10)",
            "number",
            round(sum(n * m for n, m in counted) / total, 1),
        )
    shown: dict[str, list[float]] = {}
    for r in records("qualities", "qualities_check"):
        yes, seen = r.get("yes"), r.get("observations")
        if isinstance(yes, int | float) and isinstance(seen, int | float):
            totals = shown.setdefault(str(r.get("person")), [0.0, 0.0])
            totals[0] += yes
            totals[1] += seen
    for person, (yes, seen) in shown.items():
        if seen:
            add(
                "Qualities", f"{person} showed my qualities (all observations)", "share", yes / seen
            )
    return out


def compare_reports(reports: Sequence[dict]) -> pd.DataFrame:
    """The main shared figures of several reports side by side, in long form.

    Parameters
    ----------
    reports
        From :func:`read_reports`, oldest first.

    Returns
    -------
    pandas.DataFrame
        One row per report and figure: ``order`` (0 for the oldest report),
        ``report`` (its label), ``until`` (the period's last day), ``group``
        ("Marble jars", "Self-trust", "Beliefs", "Triggers", "Qualities"),
        ``measure``, ``kind`` ("share", from 0 to 1, or "number") and
        ``value``. A figure is missing where a report did not share it.
    """
    columns = ["order", "report", "until", "group", "measure", "kind", "value"]
    rows = []
    for order, report in enumerate(reports):
        figures = report.get("figures")
        for group, measure, kind, value in measures(figures if isinstance(figures, dict) else {}):
            rows.append(
                [order, report["label"], report["period"].get("until"), group, measure, kind, value]
            )
    frame = pd.DataFrame(rows, columns=columns)
    frame["until"] = pd.to_datetime(frame["until"], errors="coerce")
    return frame
