"""The Journal: a folder of CSV files, validated, typed, and safely written."""

# Where each part lives: opening a journal and the Journal's reading and writing in core;
# reading and checking files without changing them in inspection; one entry's values
# in entries; renaming a person or a quality everywhere in renaming.

from .core import DEFAULT_JOURNAL, Journal, journal_path, open_journal
from .inspection import Inspection, inspect_journal

__all__ = [
    "DEFAULT_JOURNAL",
    "Inspection",
    "Journal",
    "inspect_journal",
    "journal_path",
    "open_journal",
]
