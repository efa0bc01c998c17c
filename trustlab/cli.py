"""The ``trustlab`` command."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from . import __version__
from .journal import inspect_journal, journal_path
from .schema import TABLES

# JupyterLab settings that keep it quiet and offline: no news or update checks;
# a notebook starts its kernel without asking which one, and every cell stays
# rendered (the guided notebooks are short, and forms keep their state).
LAB_SETTINGS = {
    "@jupyterlab/apputils-extension:notification": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
    "@jupyterlab/notebook-extension:tracker": {
        "autoStartDefaultKernel": True,
        "windowingMode": "none",
    },
}
LAB_CONFIG = """\
c.LabApp.news_url = None
c.LabApp.check_for_updates_class = "jupyterlab.NeverCheckForUpdate"
c.ServerApp.ip = "127.0.0.1"
"""


def _check(args: argparse.Namespace) -> int:
    folder = Path(args.dir)
    if not folder.is_dir():
        print(f"{folder}: no such folder (a journal is a folder of CSV files).", file=sys.stderr)
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
    """The guided notebooks: beside the package in a checkout, else the current folder."""
    here = Path(__file__).resolve().parent.parent / "notebooks"
    return here if here.is_dir() else Path.cwd()


def write_lab_settings(prefix: Path) -> Path:
    """Merge trustlab's JupyterLab settings into ``prefix``'s overrides.json."""
    settings_dir = prefix / "share" / "jupyter" / "lab" / "settings"
    settings_dir.mkdir(parents=True, exist_ok=True)
    overrides = settings_dir / "overrides.json"
    current = json.loads(overrides.read_text("utf-8")) if overrides.exists() else {}
    for plugin, values in LAB_SETTINGS.items():
        current.setdefault(plugin, {}).update(values)
    overrides.write_text(json.dumps(current, indent=2) + "\n", "utf-8")
    return overrides


def lab_command(journal: Path, *, port: int | None = None, browser: bool = True) -> list[str]:
    """The command line that starts JupyterLab for trustlab (local only, with a token)."""
    config = Path(tempfile.gettempdir()) / f"trustlab_jupyter_config_{os.getuid()}.py"
    config.write_text(LAB_CONFIG, "utf-8")
    command = [
        sys.executable, "-m", "jupyterlab",
        f"--config={config}",
        f"--ServerApp.root_dir={notebooks_dir()}",
        "--ServerApp.ip=127.0.0.1",
    ]
    if port:
        command.append(f"--ServerApp.port={port}")
    if not browser:
        command.append("--no-browser")
    if os.geteuid() == 0:
        command.append("--allow-root")
    return command


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
    write_lab_settings(Path(sys.prefix))
    env = {**os.environ, "TRUSTLAB_JOURNAL": str(journal)}
    return subprocess.call(lab_command(journal, port=args.port, browser=not args.no_browser),
                           env=env)


def _export(args: argparse.Namespace) -> int:
    from .errors import JournalError
    from .export import ExportError, check_options, preview
    from .journal import open_journal

    def fail(message: str, code: int = 2) -> int:
        print(f"trustlab export: {message}", file=sys.stderr)
        return code

    folder = Path(args.journal).expanduser()
    if not folder.is_dir():
        return fail(f"{folder}: no such folder (a journal is a folder of CSV files).")
    options = {
        "sections": args.sections if args.sections is not None else _ALL_SECTIONS,
        "since": args.since,
        "until": args.until,
        "include_text": args.include_text,
        "real_names": args.real_names,
        "note": args.note,
        "csv": args.csv,
    }
    try:
        check_options(**options)  # a mistyped option is reported before the journal is read
        journal = open_journal(folder)
        result = preview(journal, **options).write(Path(args.out))
    except ExportError as error:
        return fail(str(error))
    except JournalError as error:
        print(f"{error}\nNo report was written; the journal was not changed.", file=sys.stderr)
        return 1
    print(result.summary)
    return 0


_ALL_SECTIONS = ("roots", "qualities", "self_trust", "beliefs", "marbles")
"""trustlab.export.ALL, repeated so the command starts without importing the charts."""


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
                        help="a new or empty folder for the report (not inside the journal)")
    export.add_argument("--sections", metavar="LIST",
                        help=f"steps to share, separated by commas, from: "
                        f"{','.join(_ALL_SECTIONS)} (default: all)")
    export.add_argument("--since", metavar="YYYY-MM-DD", help="share entries from this day on")
    export.add_argument("--until", metavar="YYYY-MM-DD", help="share entries up to this day")
    export.add_argument("--include-text", action="store_true",
                        help="also share what you wrote (notes, moments, beliefs' wording ...)")
    export.add_argument("--real-names", action="store_true",
                        help="show real names instead of Person A, Person B ...")
    export.add_argument("--note", metavar="TEXT", help="a note for your coach")
    export.add_argument("--csv", action="store_true",
                        help="also write the report's tables as CSV files for a spreadsheet")
    export.set_defaults(run=_export)
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
