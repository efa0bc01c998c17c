"""report.json (the shared figures, for the coach's review) and the report's CSV files."""

from __future__ import annotations

import csv
import datetime
import io
import json
import re
from typing import Any

from .. import __version__
from .content import Report, ReportTable
from .options import FORMAT, FORMAT_VERSION


def figures(report: Report) -> dict[str, dict[str, list[dict[str, Any]]]]:
    """The report's tables of figures, by section and table, as report.json holds them."""
    return {
        part.section.key: {
            t.key: [
                {c.key: json_value(v) for c, v in zip(t.columns, row, strict=True)}
                for row in t.rows
            ]
            for t in part.tables
            if t.figures
        }
        for part in report.parts
    }


def render_json(report: Report, files: list[str], hashes: dict[str, str]) -> str:
    """report.json: the brief, the figures, and each file's name; ``hashes`` holds the
    SHA-256 of each of the other files as written, so a later export can tell a file
    someone changed (a coach's notes in report.ipynb) from one it may replace."""
    shared = figures(report)
    opts = report.opts
    data = {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "id": report.ident,
        "made_with": f"trustlab {__version__}",
        "created": report.created.isoformat(),
        "period": {
            "since": (opts.since or report.first).isoformat()
            if (opts.since or report.first)
            else None,
            "until": (opts.until or report.last).isoformat()
            if (opts.until or report.last)
            else None,
        },
        "sections": list(opts.sections),
        "names": "real" if opts.real_names else "pseudonyms",
        "words_included": opts.include_text,
        "people": [
            {c.key: json_value(v) for c, v in zip(report.people.columns, row, strict=True)}
            for row in report.people.rows
        ],
        "brief": report.brief.as_json() if report.brief else None,
        "figures": shared,
        "files": files,
        "sha256": hashes,
    }
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"


def json_value(value: Any) -> Any:
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float):
        return round(value, 4)
    return value


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?")


def neutralise(value: str) -> str:
    """A spreadsheet cell that cannot run as a formula: ``'`` before a leading = + - @ tab CR.

    Plain numbers (``-3``, ``+2.5``) are left as they are.
    """
    if value.startswith(_FORMULA_START) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def render_csv(table: ReportTable) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow([neutralise(c.label or c.key) for c in table.columns])
    for row in table.rows:
        writer.writerow([neutralise(csv_value(v)) for v in row])
    return out.getvalue().encode("utf-8-sig")


def csv_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float):
        return f"{value:.4g}" if abs(value) < 1 else f"{value:.2f}".rstrip("0").rstrip(".")
    return str(value)
