"""The ``trustlab`` command (what ``trustlab lab`` runs is in :mod:`trustlab.lab`)."""

from __future__ import annotations

import argparse
import os
import secrets
import sys
from pathlib import Path

from . import __version__
from .journal import inspect_journal, journal_path
from .lab import LAB_STATE, _run_lab, ipc_problem, lab_command, prepare_lab
from .report.options import ALL as ALL_SECTIONS
from .schema import TABLES
from .storage import STATE_DIR
from .workspace import UnsafeFolder, prepare_workspace


def _journal_folder(given: str) -> Path | None:
    """``given`` as a journal folder, or None after saying on stderr that there is none."""
    folder = Path(given).expanduser()
    if folder.is_dir():
        return folder
    print(f"{folder}: no such folder (a journal is a folder of CSV files).", file=sys.stderr)
    return None


def _check(args: argparse.Namespace) -> int:
    folder = _journal_folder(args.dir)
    if folder is None:
        return 2
    found = inspect_journal(folder)
    for problem in found.problems:
        print(f"{folder / problem.file}:{str(problem).removeprefix(problem.file + ':')}")
    if found.errors:
        n = len(found.errors)
        print(f"{folder}: {n} problem{'s' if n != 1 else ''} to fix; no file was changed.",
              file=sys.stderr)
        return 1
    counts = ", ".join(f"{found.counts.get(name, 0)} {name}" for name in TABLES)
    print(f"{folder}: OK: {counts}")
    return 0


def _history(args: argparse.Namespace) -> int:
    from .history import history

    folder = _journal_folder(args.journal)
    if folder is None:
        return 2
    kept = history(folder)
    if not kept:
        print(f"{folder}: nothing to undo yet. trustlab keeps the previous version of a file "
              "each time an entry is corrected or deleted.")
        return 0
    print(f"What trustlab kept in {folder / STATE_DIR}, newest first:")
    for k in kept:
        print(f"  {k.name}\n      {k.description}")
    print(f"To put a version back: trustlab restore {folder} NAME")
    return 0


def _restore(args: argparse.Namespace) -> int:
    from .errors import JournalError
    from .history import restore

    folder = _journal_folder(args.journal)
    if folder is None:
        return 2
    try:
        undo = restore(folder, args.backup)
    except JournalError as error:
        print(f"trustlab restore: {error}", file=sys.stderr)
        return 1
    print(f"Restored {undo.table}.csv from {args.backup}. The version it replaced is kept as "
          f"{undo.name}: `trustlab restore {folder} {undo.name}` undoes this.")
    return 0


def _demo(args: argparse.Namespace) -> int:
    from .sample import write_sample

    folder = Path(args.dir)
    existing = [t.filename for t in TABLES.values() if (folder / t.filename).exists()]
    if existing:
        print(f"{folder} already has journal files ({', '.join(existing)}); the sample journal "
              "goes into an empty or new folder so it never mixes with real entries.",
              file=sys.stderr)
        return 1
    write_sample(folder)
    print(f"Wrote the sample journal (a fictional person) to {folder}.")
    return 0


def notebooks_dir() -> Path:
    """The guided notebooks' templates: beside the package in a checkout, else the current
    folder. ``trustlab lab`` serves the person's copies of them (see trustlab.workspace)."""
    here = Path(__file__).resolve().parent.parent / "notebooks"
    return here if here.is_dir() else Path.cwd()


SAMPLE_COPY = Path("~/.cache/trustlab/sample-journal")
"""Where ``trustlab lab --sample`` keeps its copy of the sample journal."""


def _lab(args: argparse.Namespace) -> int:
    from .workbook import copy_sample

    if args.sample:
        journal = copy_sample(SAMPLE_COPY.expanduser())
        print("trustlab: opening the SAMPLE journal (a fictional person); "
              "your own journal is not touched.")
    else:
        journal = journal_path(args.journal)
        journal.mkdir(mode=0o700, parents=True, exist_ok=True)
        print(f"trustlab: your journal is {journal}")
    try:
        lab_env = prepare_lab(journal)
        workspace = prepare_workspace(journal, notebooks_dir(),
                                      notary_folder=Path(lab_env["JUPYTER_DATA_DIR"]))
    except UnsafeFolder as error:
        print(f"trustlab lab: {error}", file=sys.stderr)
        return 2
    for line in workspace.messages():
        print(line)
    print(f"trustlab: your notebooks are in {workspace.folder} (what you write in them stays "
          "there, in your journal)")
    problem = ipc_problem()
    if problem:
        print(f"trustlab: kernels will talk over local TCP, not private IPC sockets: {problem}.")
    env = {**os.environ, **lab_env, "TRUSTLAB_JOURNAL": str(journal),
           # The token that opens this session, made here so trustlab can print the address
           # (JupyterLab then prints no block of its own); in the environment, which only this
           # user can read, not on the command line, which everyone can.
           "JUPYTER_TOKEN": secrets.token_hex(24)}
    # JupyterLab runs in the journal's private lab folder, not wherever trustlab was started:
    # Voilà reads a configuration file (voila.py: code) from the folder it runs in.
    return _run_lab(lab_command(journal, port=args.port, browser=not args.no_browser), env,
                    cwd=journal / LAB_STATE)


def _export(args: argparse.Namespace) -> int:
    from .errors import JournalError
    from .journal import open_journal
    from .report.options import ExportError, ReportExists, ReportOptions

    def fail(message: str, code: int = 2) -> int:
        print(f"trustlab export: {message}", file=sys.stderr)
        return code

    folder = _journal_folder(args.journal)
    if folder is None:
        return 2
    try:
        # A mistyped option is reported before the journal is read (or the charts loaded).
        options = ReportOptions.from_mapping(vars(args))
        if args.to_coach:
            from .report.seal import SealError, parse_recipients

            try:
                parse_recipients(args.to_coach)  # a wrong key, before anything is built
            except SealError as error:
                return fail(str(error))
            from .report.folder import check_file

            check_file(Path(args.out), folder, replace=args.replace)  # and a wrong place
        from .report.output import preview

        built = preview(open_journal(folder), options)
        if args.to_coach:
            result = built.seal(args.out, args.to_coach, replace=args.replace)
        else:
            result = built.write(Path(args.out), replace=args.replace)
    except ReportExists as error:
        return fail(str(error), 1)
    except ExportError as error:
        return fail(str(error))
    except JournalError as error:
        print(f"{error}\nNo report was written; the journal was not changed.", file=sys.stderr)
        return 1
    print(result.summary)
    return 0


def _reply(args: argparse.Namespace) -> int:
    from .report.coach import ReplyError, gather_reply

    try:
        path = gather_reply(args.report)
    except ReplyError as error:
        print(f"trustlab reply: {error}", file=sys.stderr)
        return 1
    print(f"Wrote {path}: your notes only. Send that file to the person; they bring it into "
          "their journal with trustlab import-reply (or in their notebook 07).")
    return 0


def _import_reply(args: argparse.Namespace) -> int:
    from .errors import JournalError
    from .journal import open_journal
    from .report.coach import ReplyError, import_reply

    folder = _journal_folder(args.journal)
    if folder is None:
        return 2
    try:
        added, already = import_reply(open_journal(folder), args.file)
    except (ReplyError, JournalError) as error:
        print(f"trustlab import-reply: {error}\nNothing was added; the journal was not "
              "changed.", file=sys.stderr)
        return 1
    print(f"Added {added} note{'s' if added != 1 else ''} from your coach to coach_notes.csv"
          + (f" ({already} already there)." if already else "."))
    return 0


def _coach_key(args: argparse.Namespace) -> int:
    from .report.seal import SealError, new_identity

    try:
        public = new_identity(Path(args.file).expanduser())
    except (SealError, OSError) as error:
        print(f"trustlab coach-key: {error}", file=sys.stderr)
        return 1
    print(f"Wrote your secret key to {args.file}: keep it private, and never send it.\n"
          f"Your public key, to give the people you coach (for --to-coach):\n{public}")
    return 0


def _open_report(args: argparse.Namespace) -> int:
    from .report.seal import SealError, unseal

    sealed = Path(args.file).expanduser()
    into = Path(args.into).expanduser() if args.into else sealed.with_suffix("")
    if into == sealed:
        into = sealed.with_name(sealed.name + "-report")
    try:
        unseal(sealed, Path(args.identity).expanduser(), into)
    except SealError as error:
        print(f"trustlab open-report: {error}", file=sys.stderr)
        return 1
    print(f"Opened the report into {into}: open report.html there, or report.ipynb to write "
          "your notes.")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="trustlab",
        description="A private, local-first workbook for rebuilding trust.",
    )
    parser.add_argument("--version", action="version", version=f"trustlab {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    check = commands.add_parser(
        "check", help="check a journal folder and list every problem (changes nothing)"
    )
    check.add_argument("dir", metavar="DIR", help="the journal folder")
    check.set_defaults(run=_check)

    demo = commands.add_parser("demo", help="write the sample journal to DIR")
    demo.add_argument("dir", metavar="DIR", help="an empty or new folder")
    demo.set_defaults(run=_demo)

    history = commands.add_parser(
        "history", help="list the previous versions trustlab kept (to undo a change)")
    history.add_argument("journal", metavar="JOURNAL", help="the journal folder")
    history.set_defaults(run=_history)

    restore = commands.add_parser(
        "restore", help="put back a previous version of a file (see `trustlab history`)")
    restore.add_argument("journal", metavar="JOURNAL", help="the journal folder")
    restore.add_argument("backup", metavar="BACKUP", help="a name `trustlab history` lists")
    restore.set_defaults(run=_restore)

    lab = commands.add_parser("lab", help="open the guided notebooks in JupyterLab")
    lab.add_argument("--journal", metavar="DIR",
                     help="the journal folder (default: $TRUSTLAB_JOURNAL or ~/trustlab-journal)")
    lab.add_argument("--sample", action="store_true",
                     help="explore a fresh copy of the sample journal (a fictional person)")
    lab.add_argument("--port", type=int, help="the port to serve on (default: a free one)")
    lab.add_argument("--no-browser", action="store_true", help="do not open a browser")
    lab.set_defaults(run=_lab)

    export = commands.add_parser(
        "export",
        help="write a report to share with a coach (only what you choose; see --help)",
        description="Write report.html, report.ipynb and report.json into DIR for a coach. "
        "By default the report shares the least: counts, scores and charts for every step, "
        "people as Person A, Person B ..., and nothing you wrote.",
    )
    export.add_argument("journal", metavar="JOURNAL", help="the journal folder (only read)")
    export.add_argument("--out", required=True, metavar="DIR",
                        help="a new or empty folder for the report (not inside the journal; "
                        "one with an earlier report only with --replace); with --to-coach, "
                        "the one file the sealed report goes into")
    export.add_argument("--sections", metavar="LIST",
                        help=f"steps to share, separated by commas, from: "
                        f"{','.join(ALL_SECTIONS)} (default: all)")
    export.add_argument("--since", metavar="YYYY-MM-DD", help="share entries from this day on")
    export.add_argument("--until", metavar="YYYY-MM-DD", help="share entries up to this day")
    export.add_argument("--include-text", action="store_true",
                        help="also share what you wrote (notes, moments, beliefs' wording ...)")
    export.add_argument("--real-names", action="store_true",
                        help="show real names instead of Person A, Person B ...")
    export.add_argument("--note", metavar="TEXT", help="a note for your coach")
    export.add_argument("--csv", action="store_true",
                        help="also write the report's tables as CSV files for a spreadsheet")
    export.add_argument("--moment", metavar="TABLE:ID",
                        help="one entry you want to talk about, shown first in the report "
                        "with its words (for example marbles:L3f2a…; ids are in the CSV files)")
    export.add_argument("--replace", action="store_true",
                        help="replace an earlier report in DIR (files someone changed or added "
                        "there are kept)")
    export.add_argument("--to-coach", metavar="KEY",
                        help="seal the report into one file (--out) that only your coach can "
                        "open: their public key (age1…, or an ssh-ed25519 line) or a file of "
                        "keys. Your coach makes a key with trustlab coach-key")
    export.set_defaults(run=_export)

    reply = commands.add_parser(
        "reply", help="(for a coach) gather your notes in a report into REPORT_DIR/reply.json")
    reply.add_argument("report", metavar="REPORT_DIR",
                       help="the report's folder, with report.ipynb holding your notes")
    reply.set_defaults(run=_reply)

    bring = commands.add_parser(
        "import-reply", help="add your coach's notes (their reply.json) to your journal")
    bring.add_argument("journal", metavar="JOURNAL", help="the journal folder")
    bring.add_argument("file", metavar="FILE", help="the reply.json your coach sent")
    bring.set_defaults(run=_import_reply)

    key = commands.add_parser(
        "coach-key", help="(for a coach) make a key pair, so reports can be sealed for you")
    key.add_argument("file", metavar="FILE",
                     help="where to write your secret key (a new file, readable only by you)")
    key.set_defaults(run=_coach_key)

    opened = commands.add_parser(
        "open-report", help="(for a coach) open a report sealed for you into a new folder")
    opened.add_argument("file", metavar="FILE", help="the sealed report (.age) you were sent")
    opened.add_argument("--identity", required=True, metavar="KEY_FILE",
                        help="your secret key file (from trustlab coach-key, or age-keygen)")
    opened.add_argument("--into", metavar="DIR",
                        help="a new folder to open it into (default: FILE without .age)")
    opened.set_defaults(run=_open_report)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except KeyboardInterrupt:
        return 130
    except OSError as exc:
        print(f"trustlab: {exc.filename or ''}: {exc.strerror or exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
