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
    """Round ``value`` to ``places`` decimals, ties away from zero (as the 2013 report and
    most statistics packages' printed tables do), not to even as Python's ``round`` does.

    Parameters
    ----------
    value : float
    places : int
        Decimal places.

    Returns
    -------
    float
        NaN stays NaN.
    """
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return value
    quantum = Decimal(1).scaleb(-places)
    return float(Decimal(repr(float(value))).quantize(quantum, rounding=ROUND_HALF_UP))


def format_half_up(value: float, places: int) -> str:
    """``value`` with ``places`` decimals, ties away from zero ("7.63").

    Parameters
    ----------
    value : float
    places : int
        Decimal places.

    Returns
    -------
    str
        "–" for NaN or None (an undefined or withheld value).
    """
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    quantum = Decimal(1).scaleb(-places)
    text = str(Decimal(repr(float(value))).quantize(quantum, rounding=ROUND_HALF_UP))
    return "0." + "0" * places if text.startswith("-0.") and set(text[3:]) == {"0"} else text


def format_p(p: float, places: int = 3) -> str:
    """A p value as the published table prints it: no leading zero (".003").

    Parameters
    ----------
    p : float
        The p value, 0 to 1.
    places : int
        Decimal places (3 in the 2013 report).

    Returns
    -------
    str
        Rounded half up; "–" for NaN or None.
    """
    text = format_half_up(p, places)
    return text[1:] if text.startswith("0.") else text
