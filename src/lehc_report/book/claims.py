"""Claims typed in the chapters, checked against the counts they describe.

A chapter may say "most found it hard to compare" or "met with a warm reception"
beside a glued count.  Such a word is true for the 2013 data and may be false for
another cohort, so each is tied in the source to the count and the denominator it
describes, with a data-driven alternative the build uses when the claim is false::

    <!-- claim: most t_philosophy_unlike_other_courses of n_all -->Most found it hard
    ...<!-- else claim -->{glue:text}`...np_philosophy_unlike_other_courses:s` made such a
    comparison ...<!-- end claim -->

A marker holds one or more conditions, separated by ``;``, each ``WORD COUNT of
DENOMINATOR`` where COUNT and DENOMINATOR are glue keys of notebook ``03_qual`` (a
theme or code count ``t_...`` or a group size ``n_...``), optionally followed by
``for "PHRASE"`` when the sentence says the claim in other words (an evaluative
sentence: ``for "warm reception"``).  The typed branch must contain the word (or the
phrase), so a marker cannot drift away from what it checks.  Every condition must hold,
under the fixed rules of :data:`RULES`, for the typed branch to be kept; a count the
stage withheld (privacy) or did not produce cannot hold, so the alternative is used.

The counts come from ``generated/claim_counts.json``, written by the qualitative stage
(:func:`lehc_report.stages.qual.analyse_qualitative`).  Markers are resolved by
:mod:`lehc_report.book.sphinxext` after the ``<!-- if: ... -->`` conditions, so a claim
inside a dropped passage is never checked.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

#: The quantity words and the rule each must meet: count k of denominator n.
RULES: dict[str, Callable[[int, int], bool]] = {
    "all": lambda k, n: n > 0 and k == n,
    "every": lambda k, n: n > 0 and k == n,
    "none": lambda k, n: k == 0,
    "most": lambda k, n: n > 0 and Fraction(k, n) > Fraction(1, 2),
    "many": lambda k, n: n > 0 and Fraction(k, n) >= Fraction(1, 3),
    "several": lambda k, n: k >= 3,
    "a few": lambda k, n: 2 <= k <= 4,
    "a couple": lambda k, n: k == 2,
    "two": lambda k, n: k == 2,
}

#: The rules as the methodology prints them (glued as ``claim_rules_sentence``).
RULES_TEXT = ("Words of quantity in the findings are checked against the counts beside them when the report is built, "
              "under fixed rules: \u201call\u201d and \u201cevery\u201d mean the whole group, \u201cnone\u201d means no one, "
              "\u201cmost\u201d more than half, \u201cmany\u201d at least a third, \u201cseveral\u201d at least three, "
              "\u201ca few\u201d two to four, and \u201ca couple\u201d or \u201ctwo\u201d exactly two. Evaluative sentences "
              "(a \u201cwarm reception\u201d, a criticism that \u201crecurs\u201d) are tied to the counts that justify them "
              "under the same rules. Where a claim does not hold for a cohort's data, the report says instead what the "
              "counts show.")

CLAIM = re.compile(r"<!-- claim: (?P<conditions>[^>]*?) -->(?P<typed>.*?)<!-- else claim -->(?P<alternative>.*?)"
                   r"<!-- end claim -->", re.S)
CONDITION = re.compile(r"^(?P<word>" + "|".join(sorted(RULES, key=len, reverse=True)) + r") (?P<count>[a-z0-9_]+) of "
                       r"(?P<denominator>[a-z0-9_]+)(?: for \"(?P<phrase>[^\"]+)\")?$")


class ClaimSyntaxError(ValueError):
    """A claim marker that cannot be read, or whose typed branch lacks its word."""


@dataclass(frozen=True)
class Condition:
    """One condition of a claim: ``word`` holds of ``count`` out of ``denominator``."""

    word: str
    count: str
    denominator: str
    phrase: str | None = None


@dataclass(frozen=True)
class ClaimResult:
    """A claim marker as checked: its conditions, whether they held, and why not."""

    conditions: tuple[Condition, ...]
    typed: str
    holds: bool
    reasons: tuple[str, ...]


def parse_conditions(text: str) -> tuple[Condition, ...]:
    """Read the conditions of one ``<!-- claim: ... -->`` marker.

    Parameters
    ----------
    text : str
        E.g. ``"most t_philosophy_endorsed of t_philosophy for \\"warm reception\\"; several t_x of n_all"``.

    Returns
    -------
    tuple of Condition

    Raises
    ------
    ClaimSyntaxError
        A condition that is not ``WORD COUNT of DENOMINATOR [for "PHRASE"]`` with a word of :data:`RULES`.
    """
    conditions = []
    for part in text.split(";"):
        match = CONDITION.match(" ".join(part.split()))
        if not match:
            raise ClaimSyntaxError(f"claim condition {part.strip()!r} is not 'WORD COUNT of DENOMINATOR "
                                   f"[for \"PHRASE\"]' with WORD one of: {', '.join(RULES)}")
        conditions.append(Condition(match["word"], match["count"], match["denominator"], match["phrase"]))
    return tuple(conditions)


def holds(word: str, count: int, denominator: int) -> bool:
    """Whether a quantity word is true of ``count`` out of ``denominator`` (:data:`RULES`).

    Parameters
    ----------
    word : str
        A key of :data:`RULES` (``"most"``, ``"a few"``).
    count : int
        People the word describes (respondents raising a theme).
    denominator : int
        The group they belong to (all respondents, the interviewees).

    Returns
    -------
    bool
        E.g. ``holds("most", 10, 19)`` is True, ``holds("most", 9, 18)`` False.
    """
    return RULES[word](int(count), int(denominator))


def check_conditions(conditions: tuple[Condition, ...], counts: Mapping[str, int]) -> tuple[str, ...]:
    """Why a claim does not hold: one reason per failed condition (empty when it holds).

    Parameters
    ----------
    conditions : tuple of Condition
    counts : mapping
        Glue key -> count (``generated/claim_counts.json``); a key that is absent
        (withheld or not produced) makes its condition fail.

    Returns
    -------
    tuple of str
        E.g. ``("'most' needs more than half: t_x is 9 of n_all 19",)``.
    """
    reasons = []
    for c in conditions:
        if c.count not in counts or c.denominator not in counts:
            missing = [k for k in (c.count, c.denominator) if k not in counts]
            reasons.append(f"{c.word!r}: no count for {', '.join(missing)} (withheld or not in this cohort's codebook)")
        elif not holds(c.word, counts[c.count], counts[c.denominator]):
            reasons.append(f"{c.word!r} does not hold: {c.count} is {counts[c.count]} of {c.denominator} "
                           f"{counts[c.denominator]}")
    return tuple(reasons)


def _check_wording(conditions: tuple[Condition, ...], typed: str) -> None:
    for c in conditions:
        said = c.phrase or c.word
        if not re.search(r"(?<![A-Za-z])" + re.escape(said) + r"(?![A-Za-z])", typed, re.I):
            raise ClaimSyntaxError(f"claim {c.word} {c.count} of {c.denominator}: the typed text does not say "
                                   f"{said!r}: {' '.join(typed.split())[:120]!r}")


def check_claims(text: str, counts: Mapping[str, int]) -> list[ClaimResult]:
    """Every claim marker of a page, checked.

    Parameters
    ----------
    text : str
        A page's source (after its ``<!-- if: -->`` conditions are resolved).
    counts : mapping
        Glue key -> count.

    Returns
    -------
    list of ClaimResult
        In page order.

    Raises
    ------
    ClaimSyntaxError
        A malformed marker, or a typed branch that does not say its word or phrase.
    """
    results = []
    for match in CLAIM.finditer(text):
        conditions = parse_conditions(match["conditions"])
        _check_wording(conditions, match["typed"])
        reasons = check_conditions(conditions, counts)
        results.append(ClaimResult(conditions, match["typed"], not reasons, reasons))
    return results


def resolve_claims(text: str, counts: Mapping[str, int]) -> tuple[str, list[ClaimResult]]:
    """Keep each claim's typed branch where it holds, else its alternative.

    Parameters
    ----------
    text : str
        A page's source.
    counts : mapping
        Glue key -> count.

    Returns
    -------
    str
        The page without claim markers.
    list of ClaimResult
        What was checked, in page order.

    Raises
    ------
    ClaimSyntaxError
        See :func:`check_claims`.
    """
    results = check_claims(text, counts)
    outcome = iter(results)

    def choose(match: re.Match) -> str:
        return match["typed"] if next(outcome).holds else match["alternative"]

    return CLAIM.sub(choose, text), results


def read_counts(path: Path) -> dict[str, int]:
    """The counts claims are checked against (``generated/claim_counts.json``).

    Parameters
    ----------
    path : Path

    Returns
    -------
    dict of str to int
        Empty when the file is absent (every claim then falls back to its alternative).
    """
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
