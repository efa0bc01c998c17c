"""Problems found in a journal, and the error that carries them."""

from __future__ import annotations

import errno
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Literal

import pandas as pd

Level = Literal["error", "warning"]


@dataclass(frozen=True)
class Problem:
    """One thing wrong (or worth a look) in one place of a journal file.

    ``line`` is the 1-based line in the CSV file (the header is line 1);
    ``column`` is ``None`` when the problem is about the whole line or file.
    """

    file: str
    line: int
    column: str | None
    value: str | None
    message: str
    level: Level = "error"
    code: str = ""

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}: " if self.line else f"{self.file}: "
        if self.column:
            where += f"column {self.column}: "
        if self.level == "warning":
            where += "warning: "
        return where + self.message


def problems_frame(problems: list[Problem]) -> pd.DataFrame:
    """The problems as a table a notebook can show, one row each."""
    columns = ["level", "file", "line", "column", "value", "message", "code"]
    return pd.DataFrame([asdict(p) for p in problems], columns=columns)


class JournalError(Exception):
    """The journal, or an entry for it, is not valid.

    ``problems`` lists every problem found, each with ``file``, ``line``,
    ``column``, ``value`` and ``message``. Nothing was written.
    """

    def __init__(self, problems: list[Problem], *, heading: str | None = None):
        self.problems = list(problems)
        self.heading = heading
        super().__init__(self._text())

    def _text(self) -> str:
        errors = [p for p in self.problems if p.level == "error"]
        n = len(errors)
        heading = self.heading or (
            "The journal has a problem:" if n == 1 else f"The journal has {n} problems:"
        )
        return "\n".join([heading, *(f"  {p}" for p in self.problems)])

    def table(self) -> pd.DataFrame:
        """The problems as a DataFrame (level, file, line, column, value, message)."""
        return problems_frame(self.problems)


class JournalWarning(UserWarning):
    """Something in the journal worth a look that does not stop it from working."""


class JournalBusy(Exception):
    """Another writer held a journal file's lock for longer than trustlab waits."""


def failed_write(filename: str, folder: Path, error: BaseException, done: str) -> JournalError:
    """A failure to write (full disk, read-only folder, busy lock, …) in a person's words.

    ``done`` is what did not happen: "saved", "changed", "deleted", "restored".
    """
    if isinstance(error, JournalBusy):
        message = (f"another trustlab window (or another program) is saving to this journal "
                   f"right now, so nothing was {done}. Try again in a moment.")
        code = "busy"
    elif isinstance(error, OSError) and error.errno in (
        errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)
    ):
        message = (f"your disk is full: nothing was {done}. Free some space and try again; "
                   "what you typed is still in the form.")
        code = "disk_full"
    elif isinstance(error, PermissionError) or getattr(error, "errno", None) == errno.EROFS:
        where = Path(error.filename).parent if getattr(error, "filename", None) else folder
        message = (f"trustlab cannot write to {where} (it is read-only, or it belongs to "
                   f"another user): nothing was {done}. Make the folder writable for you, or "
                   "keep your journal in a folder you own.")
        code = "read_only"
    else:
        where = Path(error.filename).parent if getattr(error, "filename", None) else folder
        reason = getattr(error, "strerror", None) or error
        message = (f"trustlab could not write to {where} ({reason}): nothing was {done}. "
                   "Try again; if it keeps happening, check the disk.")
        code = "write_failed"
    return JournalError([Problem(filename, 0, None, None, message, code=code)],
                        heading=f"Nothing was {done}:")
