"""Problems found in a journal, and the error that carries them."""

from __future__ import annotations

from dataclasses import asdict, dataclass
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
