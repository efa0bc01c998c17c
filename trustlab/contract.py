"""data/README.md's table of each journal file, written from :mod:`trustlab.schema`.

The README's prose is written by hand; each file's table of columns (and the line
above it) is rendered here, so the data contract people read is the one trustlab checks.
After a change to the schema, write them again::

    python -m trustlab.contract data/README.md
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from .schema import TABLES, Column, Table, plain


def _choice(col: Column, value: str) -> str:
    """A choice as a spreadsheet holds it, with the forms' words when they say more."""
    label = col.label_of(value)
    same = label.casefold() == plain(value).casefold()
    return f"`{value}`" if same else f"`{value}` ({label})"


def _allowed(col: Column) -> str:
    if col.kind == "date":
        text = "a date written `YYYY-MM-DD`"
    elif col.kind == "int":
        text = f"a whole number from {col.minimum} to {col.maximum}"
        if col.nonzero:
            text += ", not 0"
    elif col.kind == "choice":
        text = "one of " + ", ".join(_choice(col, c) for c in col.choices)
    else:
        text = "any text"
        if col.unique:
            text += ", each only once in the file"
        if col.refers_to:
            text += f", as named in {TABLES[col.refers_to].filename}"
    if col.optional:
        text += ", or empty"
    return text


def contract_section(table: Table) -> str:
    """The part of data/README.md that describes ``table``: its heading, what it holds,
    and a row for each column."""
    lines = [
        f"### {table.filename}: {table.title}" + (f" (step {table.step})" if table.step else ""),
        "",
        table.description,
        "",
        "| column | what goes in it | allowed values | required? |",
        "|---|---|---|---|",
    ]
    for col in table.columns:
        meaning = f"**{col.label}**: {col.help}".replace("|", "\\|")
        required = "may be empty" if col.may_be_empty else "required"
        lines.append(f"| `{col.name}` | {meaning} | {_allowed(col)} | {required} |")
    return "\n".join(lines) + "\n"


def with_contract(readme: str) -> str:
    """``readme`` with each table's section written again from the schema.

    A section runs from its ``### <file>.csv`` heading to the last row of its table; the
    prose after it is kept. A file the README does not describe yet is an error.
    """
    for table in TABLES.values():
        heading = rf"^### {re.escape(table.filename)}\b.*\n\n.*\n\n(?:\|.*\n)+"
        readme, found = re.subn(
            heading, lambda _m, t=table: contract_section(t), readme, count=1, flags=re.M
        )
        if not found:
            raise ValueError(
                f"The README has no section for {table.filename}: add a heading "
                f"'### {table.filename}' where it belongs, then run this again."
            )
    return readme


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m trustlab.contract",
        description="Write each journal file's table in README (data/README.md) again "
        "from trustlab/schema.py.",
    )
    parser.add_argument("readme", metavar="README", type=Path)
    args = parser.parse_args(argv)
    text = args.readme.read_text(encoding="utf-8")
    fresh = with_contract(text)
    if fresh != text:
        args.readme.write_text(fresh, encoding="utf-8")
    print(f"{args.readme}: {'updated' if fresh != text else 'already up to date'}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
