"""trustlab: a private, local-first workbook for rebuilding trust.

The public API is small on purpose::

    import trustlab
    journal = trustlab.open_journal("~/trustlab-journal")
    journal.add("marbles", date="2024-03-01", person="Sam", marbles=2, moment="Called back")
    journal.table("marbles")
"""

from .errors import JournalError, Problem
from .journal import Journal, open_journal
from .schema import TABLES

__version__ = "0.1.0"

__all__ = ["TABLES", "Journal", "JournalError", "Problem", "__version__", "open_journal"]
