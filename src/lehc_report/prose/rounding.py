"""Rounding for display, matching the published report.

The 2013 report rounds half up (7.625 was printed as 7.63), whereas Python's
``round`` and ``format`` round half to even on the binary value.  We round the
shortest decimal representation of the float (``repr``) half away from zero with
:mod:`decimal`, so an exact tie such as 7.625 goes up, as published.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal


def round_half_up(value: float, places: int) -> float:
    """Round ``value`` to ``places`` decimals, ties away from zero."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return value
    quantum = Decimal(1).scaleb(-places)
    return float(Decimal(repr(float(value))).quantize(quantum, rounding=ROUND_HALF_UP))


def format_half_up(value: float, places: int) -> str:
    """Format ``value`` with ``places`` decimals, ties away from zero ("7.63")."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    quantum = Decimal(1).scaleb(-places)
    text = str(Decimal(repr(float(value))).quantize(quantum, rounding=ROUND_HALF_UP))
    return "0." + "0" * places if text.startswith("-0.") and set(text[3:]) == {"0"} else text


def format_p(p: float, places: int = 3) -> str:
    """Format a p value the way the published table does: no leading zero.

    ".000" therefore means p < .0005, as in the published Appendix 3.
    """
    text = format_half_up(p, places)
    return text[1:] if text.startswith("0.") else text
