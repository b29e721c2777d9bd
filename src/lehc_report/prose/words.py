"""Words for numbers, lists and p values: one wording for each, used by every chapter.

Counts in sentences follow ordinary house style (e.g. the *Guardian and Observer style
guide*; APA *Publication Manual*, 7th ed., §6.32-6.33): small counts in words, a count
that opens a sentence in words (or the sentence recast), and a part equal to its whole
written "all 38 behaviours", not "38 of the 38 behaviours".
"""

from __future__ import annotations

import re
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


_UNITS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
          "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen")
_TENS = ("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")


def cardinal_words(n: int) -> str:
    """A whole number from 0 to 999 in British English words: "seven", "twenty-six", "one hundred and five".

    Parameters
    ----------
    n : int
        0 to 999.

    Returns
    -------
    str
        The number in words (digits, unchanged, from 1,000 up: such a count is recast,
        not spelled out; see :func:`sentence_start`).
    """
    n = int(n)
    if n < 0 or n > 999:
        return str(n)
    if n < 20:
        return _UNITS[n]
    if n < 100:
        return _TENS[n // 10] + ("" if n % 10 == 0 else "-" + _UNITS[n % 10])
    rest = n % 100
    return _UNITS[n // 100] + " hundred" + ("" if rest == 0 else " and " + cardinal_words(rest))


def count_phrase(k: int, n: int, noun: str, *, one: str | None = None) -> str:
    """A part of a whole in words: "7 of the 19 respondents", "all 38 behaviours", "both areas", "none of the four areas".

    Parameters
    ----------
    k : int
        The part (people, areas, behaviours who or which did something), 0 <= k <= n.
    n : int
        The whole.
    noun : str
        Plural noun of the whole ("respondents").
    one : str, optional
        The singular noun, for a whole of one ("the one respondent"); default ``noun``
        without a final "s".

    Returns
    -------
    str
        "none of the N nouns" (k = 0), "the one noun" (k = n = 1), "both nouns"
        (k = n = 2), "all N nouns" (k = n), else "k of the N nouns": both counts in
        words when the whole is twelve or fewer (:func:`number_word`), else both in
        digits. Never "N of the N".
    """
    k, n = int(k), int(n)
    singular = one or (noun[:-1] if noun.endswith("s") else noun)
    if n == 0:
        return f"no {noun}"
    if k == n:
        return f"the one {singular}" if n == 1 else ("both " + noun if n == 2 else f"all {number_word(n)} {noun}")
    if k == 0:
        return f"none of the {number_word(n)} {noun}" if n > 1 else f"not the one {singular}"
    # Both counts in words, or both in digits: "seven of the ten", "7 of the 19" (APA 7th ed., §6.33).
    word = number_word if n <= max(NUMBER_WORDS) else str
    return f"{word(k)} of the {word(n)} {noun}"


def count_noun(n: int, noun: str, one: str | None = None) -> str:
    """A count with its noun in words where small: "no respondents", "one respondent", "7 respondents" ... "19 respondents".

    Parameters
    ----------
    n : int
        The count.
    noun : str
        Plural noun.
    one : str, optional
        The singular noun (default ``noun`` without a final "s").

    Returns
    -------
    str
        The count (:func:`number_word`: words up to twelve) and the noun, singular for one.
    """
    singular = one or (noun[:-1] if noun.endswith("s") else noun)
    return f"{number_word(n)} {singular if int(n) == 1 else noun}"


def sentence_start(text: str) -> str:
    """``text`` made fit to open a sentence: capital first letter, no digit first.

    A leading whole number below 1,000 is written in words ("16 respondents made" ->
    "Sixteen respondents made", "27% of ratings" -> "Twenty-seven per cent of ratings");
    a larger one, or a decimal, is recast with "In all," (APA 7th ed., §6.32).

    Parameters
    ----------
    text : str
        A sentence or the start of one.

    Returns
    -------
    str
        The same sentence, fit to open with.
    """
    match = re.match(r"(\d+)(%| per cent)?(?![\d.,]\d)", text)
    if match and int(match.group(1)) < 1000:
        words = cardinal_words(int(match.group(1))) + (" per cent" if match.group(2) else "")
        text = words + text[match.end():]
    elif text[:1].isdigit():
        text = "In all, " + text
    return text[:1].upper() + text[1:]


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
