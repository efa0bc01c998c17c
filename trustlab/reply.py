"""The coach's reply: from the notes in a report back into the person's journal.

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
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .schema import COACH_SECTIONS

FORMAT = "trustlab-reply"
VERSION = 1
MAX_BYTES = 1_000_000
"""The largest reply.json read (a reply is a few notes; anything bigger is not one)."""
MAX_NOTE = 10_000
"""The longest note, in characters."""
MAX_NOTES = 200
_HTML = re.compile(r"<\s*[A-Za-z!/?]")
"""What starts an HTML tag, comment or declaration: refused in a note (a "<3" is fine)."""
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_BINARY = getattr(os, "O_BINARY", 0)


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


def gather(report_dir: str | os.PathLike, *, today: datetime.date | None = None) -> Path:
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
    reply = {"format": FORMAT, "version": VERSION, "report": ident, "notes": notes}
    data = (json.dumps(reply, ensure_ascii=False, indent=1) + "\n").encode("utf-8")
    parse(data, str(folder / "reply.json"))  # what is written can be read back
    out = folder / "reply.json"
    if out.is_symlink():
        raise ReplyError(f"{out} is a link; reply.json is never written through a link.")
    from .storage import write_temp

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


def read(path: str | os.PathLike) -> list[Note]:
    """The notes of reply file ``path``, checked (see the module's docstring)."""
    path = Path(path).expanduser()
    try:
        data = _read(path, MAX_BYTES)
    except ReplyError:
        raise
    except OSError as error:
        raise ReplyError(f"{path}: cannot be read ({error.strerror or error}).") from None
    return parse(data, str(path))


def parse(data: bytes, where: str) -> list[Note]:
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
    if not isinstance(reply, dict) or reply.get("format") != FORMAT:
        raise ReplyError(f"{where}: not a trustlab reply (expected \"format\": \"{FORMAT}\").")
    if reply.get("version") != VERSION:
        raise ReplyError(f"{where}: reply version {reply.get('version')!r}; this trustlab reads "
                         f"version {VERSION}. Ask your coach to use the same trustlab version.")
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
    notes = read(path)
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
        fd = os.open(path, os.O_RDONLY | _NOFOLLOW | _BINARY)
    except OSError as error:
        if path.is_symlink():
            raise ReplyError(f"{path} is a link; trustlab reads a reply only from the file "
                             "itself.") from None
        raise error
    with os.fdopen(fd, "rb") as file:
        if not stat.S_ISREG(os.fstat(file.fileno()).st_mode):
            raise ReplyError(f"{path} is not a file.")
        data = file.read(limit + 1)
    if len(data) > limit:
        raise ReplyError(f"{path}: more than {limit:,} bytes is too big for a reply.")
    return data
