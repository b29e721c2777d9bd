"""Words for numbers, lists and p values: one wording for each, used by every chapter."""

from __future__ import annotations

from decimal import Decimal

from lehc_report.prose.rounding import format_p

NUMBER_WORDS = {0: "no", 1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight",
                9: "nine", 10: "ten", 11: "eleven", 12: "twelve"}


def number_word(n: int) -> str:
    """A count in words up to twelve ("no", "one" ... "twelve"), digits above.

    Parameters
    ----------
    n : int
        A count (people, areas, behaviours).

    Returns
    -------
    str
    """
    return NUMBER_WORDS.get(int(n), str(int(n)))


def join_words(parts: list[str]) -> str:
    """Join phrases as a list in a sentence: "a", "a and b", "a, b and c".

    Parameters
    ----------
    parts : list of str

    Returns
    -------
    str
        ``""`` for an empty list.
    """
    parts = list(parts)
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def p_text(p: float, relation: str = "=") -> str:
    """A p value as the chapters write it: "p = .012", "p ≤ .004" or "p < .001".

    Parameters
    ----------
    p : float
        The p value, 0 to 1.
    relation : str
        "=" for one p, "≤" for the largest of several.

    Returns
    -------
    str
        "p < .001" whenever p < .001 (APA style: a table's ".000" reads as zero, and
        for .0005 <= p < .001 "p < .001" is the exact statement); otherwise the
        relation and p rounded half up to three places without the leading zero.
    """
    return "p < .001" if p < 0.001 else f"p {relation} {format_p(p)}"


def alpha_text(alpha: float) -> str:
    """The significance level as the chapters print it: ".05", ".001".

    Parameters
    ----------
    alpha : float
        The significance level, between 0 and 1 (``analysis.yml``).

    Returns
    -------
    str
        The level in plain decimals without the leading zero (APA style).
    """
    text = format(Decimal(repr(float(alpha))).normalize(), "f")
    return text[1:] if text.startswith("0.") else text
