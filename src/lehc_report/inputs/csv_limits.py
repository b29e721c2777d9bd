"""Free text of any length in the project's CSV readers.

Python's :mod:`csv` refuses a field longer than ``csv.field_size_limit()`` (131,072
characters by default) with ``_csv.Error: field larger than field limit`` and no
location.  The readers hold the whole file in memory before parsing it, so no field can
be longer than the file: raising the limit to the file's length, for the duration of
one read, admits an answer of any length and bounds nothing that was not already read.
"""

from __future__ import annotations

import csv
import sys
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def field_limit_for(text: str) -> Iterator[int]:
    """Let :mod:`csv` read ``text`` whatever the length of its fields, then restore the limit.

    Parameters
    ----------
    text : str
        The whole CSV file, already read.

    Yields
    ------
    int
        The limit in force while reading: at least the old limit and ``len(text) + 1``, at
        most the largest C long (``sys.maxsize`` overflows it on Windows).
    """
    previous = csv.field_size_limit()
    limit = min(max(previous, len(text) + 1), 2**31 - 1 if sys.platform == "win32" else sys.maxsize)
    csv.field_size_limit(limit)
    try:
        yield limit
    finally:
        csv.field_size_limit(previous)
