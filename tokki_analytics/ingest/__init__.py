"""The ingest step: a prefecture's data folder → typed frames and submission defects.

:func:`load` returns a :class:`Submission` (:mod:`.submission`); its steps, in the order of
the data flow:

- :mod:`.folders`: the data folder walked (no link out of it), contractor folders by code,
  the Q0 of what cannot be read;
- :mod:`.read`: one file read into raw grids (CSV encodings, workbooks) and header rows
  found; workbooks are read by :mod:`.sheetreader` in a worker process, inside the limits
  of :mod:`.guard` (messages) and the checks of :mod:`.xlsx` (the zip and its XML), its
  requests timed by :mod:`.watchdog`;
- :mod:`.typed`: grids cut to raw records, typed by form with :mod:`.values` (cell kinds),
  :mod:`.dates` (dates and 和暦) and :mod:`.cells` (blanks, column encoding);
- :mod:`.checks`: contracts, Q3 and Q1; :mod:`.defects`: the Q0–Q3 records;
- :mod:`.masters`: what every contractor is checked against, read once; :mod:`.shards`:
  one contractor's folder (a shard), or several (a batch), read with the masters;
  :mod:`.submission`: the masters and shards put together (:func:`load`);
- :mod:`.assess`: which forms each contractor has usable (read by the rules and the report).

The names below are imported on first use: the sheet reader's worker, a fresh interpreter,
imports :mod:`.sheetreader` and so runs this file, and must not import pandas and the rule
catalogue with it; and the settings and the rules, which the load imports, import
:mod:`.guard` and :mod:`.assess`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tokki_analytics.ingest.defects import DEFECT_COLUMNS
    from tokki_analytics.ingest.masters import DataFolderError, read_contracts
    from tokki_analytics.ingest.submission import Submission, load, read_person_names

__all__ = [
    "DEFECT_COLUMNS",
    "DataFolderError",
    "Submission",
    "load",
    "read_contracts",
    "read_person_names",
]


def __getattr__(name: str) -> object:
    """An exported name, imported on first use (PEP 562)."""
    if name == "DEFECT_COLUMNS":
        from tokki_analytics.ingest import defects

        return defects.DEFECT_COLUMNS
    if name in ("DataFolderError", "read_contracts"):
        from tokki_analytics.ingest import masters

        return getattr(masters, name)
    if name in __all__:
        from tokki_analytics.ingest import submission

        return getattr(submission, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
