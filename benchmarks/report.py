"""The results table: paired measurements, their Markdown rows, and the README's copy of them.

``make bench`` writes its table into README.md between :data:`START` and
:data:`END`, so the figures there are always the last real run's, never typed
by hand. Only the text between the markers changes.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from .timing import seconds

START = "<!-- bench:start -->"
END = "<!-- bench:end -->"
README = Path(__file__).resolve().parent.parent / "README.md"
HEADER = ("measurement", "journal", "trustlab", "baseline", "ratio", "target", "ok")


@dataclass(frozen=True)
class Row:
    """One line of the results table, as text (``ok`` None: reported, no target)."""

    measurement: str
    journal: str
    trustlab: str
    baseline: str
    ratio: str
    target: str
    ok: bool | None = None

    def cells(self) -> list[str]:
        ok = "—" if self.ok is None else "yes" if self.ok else "NO"
        return [
            self.measurement,
            self.journal,
            self.trustlab,
            self.baseline,
            self.ratio,
            self.target,
            ok,
        ]


@dataclass(frozen=True)
class Measurement:
    """Median times of trustlab and a baseline run in pairs, and the median of the pairs' ratios.

    The median of paired ratios (each trustlab run over the baseline run beside it)
    cancels out a machine that is busier for a while better than the ratio of the
    two medians does. With ``min_speed_up`` the row says how many times faster
    trustlab is (baseline over trustlab); otherwise how many times slower (≤ ``max_ratio``).
    """

    name: str
    journal: str
    trustlab: float
    baseline: float
    ratio: float
    baseline_name: str
    max_ratio: float | None = None
    max_seconds: float | None = None
    min_speed_up: float | None = None

    @classmethod
    def from_runs(
        cls,
        name: str,
        journal: str,
        ours: Sequence[float],
        theirs: Sequence[float],
        baseline_name: str,
        **targets: float | None,
    ) -> Measurement:
        """Summarise paired runs: ``ours[i]`` ran right beside ``theirs[i]``."""
        ratios = [a / b for a, b in zip(ours, theirs, strict=True)]
        return cls(
            name,
            journal,
            statistics.median(ours),
            statistics.median(theirs),
            statistics.median(ratios),
            baseline_name,
            **targets,
        )

    @property
    def target(self) -> str:
        parts = []
        if self.max_seconds is not None:
            parts.append(f"< {_limit(self.max_seconds)}")
        if self.max_ratio is not None:
            parts.append(f"≤ {self.max_ratio:g}×")
        if self.min_speed_up is not None:
            parts.append(f"≥ {self.min_speed_up:g}× faster")
        return " and ".join(parts) or "—"

    @property
    def ok(self) -> bool | None:
        checks = []
        if self.max_seconds is not None:
            checks.append(self.trustlab < self.max_seconds)
        if self.max_ratio is not None:
            checks.append(self.ratio <= self.max_ratio)
        if self.min_speed_up is not None:
            checks.append(1 / self.ratio >= self.min_speed_up)
        return all(checks) if checks else None

    def row(self) -> Row:
        if self.min_speed_up is not None:
            ratio = f"{1 / self.ratio:.1f}× faster"
        else:
            ratio = f"{self.ratio:.2f}×"
        return Row(
            self.name,
            self.journal,
            seconds(self.trustlab),
            f"{seconds(self.baseline)} ({self.baseline_name})",
            ratio,
            self.target,
            self.ok,
        )


def format_table(rows: Sequence[Row]) -> str:
    """The rows as a Markdown table."""
    lines = [
        "| " + " | ".join(HEADER) + " |",
        "|---|---|---:|---:|---:|---|---|",
    ]
    lines += ["| " + " | ".join(row.cells()) + " |" for row in rows]
    return "\n".join(lines)


def parse_table(block: str) -> list[list[str]]:
    """The cells of each row of the first Markdown table in ``block`` (header and rule left out)."""
    lines = [line.strip() for line in block.splitlines()]
    table = []
    for line in lines:
        if line.startswith("|"):
            table.append([cell.strip() for cell in line.strip("|").split("|")])
        elif table:
            break
    return table[2:]


def between_markers(text: str) -> str:
    """What ``text`` holds between :data:`START` and :data:`END` (exactly one of each)."""
    start, end = _marker_positions(text)
    return text[start + len(START) : end]


def replace_between_markers(text: str, block: str) -> str:
    """``text`` with what lies between :data:`START` and :data:`END` replaced by ``block``.

    Everything outside the markers, the markers included, is kept byte for byte.
    """
    start, end = _marker_positions(text)
    return text[: start + len(START)] + "\n" + block.strip("\n") + "\n" + text[end:]


def write_readme(block: str, readme: Path = README) -> None:
    """Put ``block`` between the markers in ``readme``, leaving the rest of it as it is."""
    text = readme.read_text(encoding="utf-8")
    updated = replace_between_markers(text, block)
    if updated != text:
        tmp = readme.with_name(f".{readme.name}.bench.tmp")
        tmp.write_text(updated, encoding="utf-8")
        tmp.replace(readme)


def _limit(s: float) -> str:
    return f"{s:g} s" if s >= 1 else f"{s * 1000:g} ms"


def _marker_positions(text: str) -> tuple[int, int]:
    if text.count(START) != 1 or text.count(END) != 1:
        raise ValueError(f"expected one {START} and one {END} in the text")
    start, end = text.index(START), text.index(END)
    if end < start:
        raise ValueError(f"{END} comes before {START}")
    return start, end
