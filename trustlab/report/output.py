"""Making a report: :func:`preview` builds it in memory, :meth:`Preview.write` (or
:func:`export`) writes it, and :meth:`Preview.seal` writes it as one file only the coach
can open."""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from markupsafe import escape

from ..journal import Journal
from ..storage import utc_stamp
from . import brief, html, notebook
from .build import build
from .content import Report, ReportTable, period
from .files import render_csv, render_json
from .folder import SAMPLE, check_file, check_folder, inside, write_report
from .options import ExportError, ReportOptions


class Preview:
    """A report built in memory: exactly what :meth:`write` will put in a folder.

    Display it in a notebook to see the page (in a sandboxed frame, so nothing
    in it can run). ``html`` is report.html's text; ``files`` maps each file's
    name to its bytes; ``included`` and ``excluded`` say what was shared.
    """

    def __init__(self, report: Report, journal_path: Path):
        self._journal_path = journal_path
        self._real_names = report.opts.real_names
        self._letters = dict(report.letters)
        self.included: list[str] = list(report.included)
        self.excluded: list[str] = list(report.excluded)
        self.period: str = period(report)
        names = ["report.html", "report.ipynb", "report.json"]
        tables: dict[str, ReportTable] = {}
        if report.opts.csv:
            tables["csv/people.csv"] = report.people
            for part in report.parts:
                for t in [*part.tables, *part.entries]:
                    kind = "figures" if t.figures else "words"
                    tables[f"csv/{part.section.key}-{t.key}-{kind}.csv"] = t
            names += list(tables)
        self.html: str = html.render(report)
        others = {
            "report.html": self.html.encode("utf-8"),
            "report.ipynb": notebook.render(report).encode("utf-8"),
            **{name: render_csv(t) for name, t in tables.items()},
        }
        hashes = {name: hashlib.sha256(data).hexdigest() for name, data in others.items()}
        self.files: dict[str, bytes] = {
            "report.html": others.pop("report.html"),
            "report.ipynb": others.pop("report.ipynb"),
            "report.json": render_json(report, names, hashes).encode("utf-8"),
            **others,
        }

    def __repr__(self) -> str:
        return f"<Preview of a report: {self.period}; files: {', '.join(self.files)}>"

    def _repr_html_(self) -> str:
        page = self.html if self._real_names else html.highlight_letters(self.html)
        return (
            '<iframe title="Preview of the report" sandbox="" '
            'style="width:100%;height:70vh;border:1px solid #ccc;border-radius:6px;'
            f'background:#fff" srcdoc="{escape(page)}"></iframe>'
        )

    def write(self, out_dir: str | os.PathLike, *, replace: bool = False) -> ExportResult:
        """Write the report into folder ``out_dir`` (made if needed) and say what went in.

        The folder must be new or empty; one holding an earlier trustlab report is refused
        (:class:`ReportExists`) unless ``replace`` is true. Replacing never loses anyone's
        work: a file of the earlier report that was changed since it was written (a coach's
        notes in report.ipynb) is kept beside it under a new name, one the new report no
        longer has is removed only if unchanged, and files trustlab did not write are never
        touched. The folder may not be inside the journal folder or the sample journal, be
        a link, or hold a link where a report file (or the ``csv`` folder) goes: everything
        is checked before anything is written, and no file is ever opened through a link.
        """
        plan = check_folder(Path(out_dir), self._journal_path, self.files, replace=replace)
        written = write_report(plan, self.files)
        self._keep()
        return ExportResult(
            plan.folder, tuple(written), tuple(self.included), tuple(self.excluded), self.period,
            kept=tuple(plan.folder / new for _, new in plan.keep),
            left=tuple(plan.folder / name for name in plan.left),
        )


    def seal(
        self, dest: str | os.PathLike, to_coach: str | os.PathLike, *, replace: bool = False
    ) -> ExportResult:
        """Write the report as one file, ``dest``, that only the coach can open.

        ``to_coach`` is the coach's public key (``age1…``, or an ``ssh-ed25519`` /
        ``ssh-rsa`` line) or a file of such keys; the report's files are packed and
        encrypted in memory (age, :mod:`trustlab.report.seal`), so they never lie on disk
        unencrypted. ``dest`` may not be inside the journal, be a link or a folder, or exist
        already (unless ``replace``). The coach opens it with ``trustlab open-report``, or
        reads its figures in coach_review.
        """
        from .seal import SealError, parse_recipients, seal_files

        path = check_file(Path(dest), self._journal_path, replace=replace)
        try:
            recipients = parse_recipients(to_coach)
            seal_files(self.files, recipients, path, replace=replace)
        except SealError as error:
            raise ExportError(str(error)) from None
        self._keep()
        return ExportResult(path.parent, (path,), tuple(self.included), tuple(self.excluded),
                            self.period, sealed=True)

    def _keep(self) -> None:
        """Keep report.json in the journal, for the next report's brief ("since the last
        report"), with whose each letter is (for this journal only); never in the sample."""
        if not inside(self._journal_path.resolve(), SAMPLE.resolve()):
            kept = json.loads(self.files["report.json"])
            kept["letters"] = self._letters
            brief.keep(self._journal_path,
                       json.dumps(kept, ensure_ascii=False, indent=1).encode("utf-8"),
                       utc_stamp())


@dataclass(frozen=True)
class ExportResult:
    """What :func:`export` wrote, and what the report includes and leaves out."""

    folder: Path
    files: tuple[Path, ...]
    included: tuple[str, ...]
    excluded: tuple[str, ...]
    period: str
    kept: tuple[Path, ...] = ()
    """Files of the earlier report that someone changed, kept under these new names."""
    left: tuple[Path, ...] = ()
    """Files of the earlier report the new one does not have, left because someone
    changed them."""
    sealed: bool = False
    """Whether the report was sealed for the coach into one file (``files``)."""

    @property
    def summary(self) -> str:
        written = (
            [f"Sealed the report for your coach into {self.files[0]}: only their key opens "
             "it. Send them that file."]
            if self.sealed else [f"Wrote {len(self.files)} files to {self.folder}:"]
        )
        lines = [
            *written,
            *(f"  {p.relative_to(self.folder)}" for p in self.files if not self.sealed),
            *(["Changed since the earlier report was written, so kept as:"] if self.kept
              else []),
            *(f"  {p.relative_to(self.folder)}" for p in self.kept),
            *(["Left as they are (changed since the earlier report was written):"]
              if self.left else []),
            *(f"  {p.relative_to(self.folder)}" for p in self.left),
            f"Period: {self.period}",
            "Shared:",
            *(f"  - {i}" for i in self.included),
            "Not shared:",
            *(f"  - {x}" for x in self.excluded),
        ]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary

    def _repr_html_(self) -> str:
        files = "".join(
            f"<li><code>{escape(p.name)}</code></li>" for p in self.files if p.parent == self.folder
        )
        return (
            f"<p>The report is in <code>{escape(self.folder)}</code>:</p><ul>{files}</ul>"
            "<p>Open <code>report.html</code> in a browser to see what your coach will "
            "see.</p>"
        )


def preview(journal: Journal, options: ReportOptions | None = None, **fields) -> Preview:
    """Build a report in memory, to look at before anything is written.

    Parameters
    ----------
    journal
        The open journal (it is only read).
    options
        What the report shares (:class:`ReportOptions`); or give its fields here by name
        (``sections=``, ``since=``, ``until=``, ``include_text=``, ``real_names=``,
        ``note=``, ``csv=``, ``moment=``). By default the report shares the least:
        every step's counts, scores and charts, people as "Person A", "Person B" ...,
        and nothing the person wrote.

    Returns
    -------
    Preview
        Shows the report in a notebook; ``.html`` is the exact page, ``.write(folder)``
        writes exactly these files and ``.seal(file, to_coach)`` seals them for a coach.

    Raises
    ------
    ExportError
        An option is not valid (naming it, the value given and what is allowed).
    """
    return Preview(build(journal, ReportOptions.of(options, **fields)), journal.path)


def export(
    journal: Journal,
    out_dir: str | os.PathLike,
    options: ReportOptions | None = None,
    *,
    replace: bool = False,
    **fields,
) -> ExportResult:
    """Write a report for a coach: report.html, report.ipynb and report.json in ``out_dir``.

    ``options`` (or its fields by name) are those of :func:`preview`. ``out_dir`` is a new
    or empty folder, or one holding an earlier report (only with ``replace``, see
    :meth:`Preview.write`); never inside the journal folder, never a link, and holding no
    link where a report file goes.

    Raises
    ------
    ExportError
        An option is not valid, or ``out_dir`` is not a place the report can go
        (:class:`ReportExists`: it holds a report and ``replace`` is false).
    """
    opts = ReportOptions.of(options, **fields)
    # A folder that cannot take a report is refused before the report is built;
    # write() checks again, with the report's own file names, before writing.
    names = ["report.html", "report.ipynb", "report.json",
             *(["csv/people.csv"] if opts.csv else [])]
    check_folder(Path(out_dir), journal.path, names, replace=replace)
    return Preview(build(journal, opts), journal.path).write(out_dir, replace=replace)
