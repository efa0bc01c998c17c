"""The ``trustlab`` command."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import __version__
from .journal import inspect_journal
from .schema import TABLES


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
