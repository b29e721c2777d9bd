"""The build's check of a report's sentences: nothing said that the cohort's data cannot bear.

A chapter page, as built, must not hold

* a "not available" fragment (a glued value standing where a sentence should be);
* a false zero, a count of respondents given as 0 or "none of the N" for a code the
  cohort's codebook does not have (only the 2013 codebook's sentences word such counts
  from named codes, so outside that codebook any such phrase is a false zero: the
  findings written from another codebook's data never word a count that way);
* a 2013 sentence (:data:`lehc_report.published.codebook_2013.FINGERPRINTS`) unless the
  cohort was coded with the 2013 codebook.

:mod:`lehc_report.book.sphinxext` runs :func:`report_problems` on every chapter once its
glue is resolved and turns each problem into a Sphinx warning, which stops the build.
"""

from __future__ import annotations

import re

#: A glued value that stands where a sentence should be.
NOT_AVAILABLE = re.compile(r"\bnot available\b", re.I)
#: A respondent count worded as zero ("0 respondents", "0 of the 9 respondents", "none of the 9 interviewees").
FALSE_ZERO = re.compile(r"(?<![\d.])0 (?:of the \d+ )?(?:survey )?(?:respondents?|interviewees?)\b"
                        r"|\bnone of the \d+ (?:survey )?(?:respondents|interviewees)\b", re.I)


def _squash(text: str) -> str:
    # Typography and line breaks differ between the source and the page: compare on plain words.
    return " ".join(text.replace("\u2019", "'").replace("\u2018", "'").split())


def report_problems(text: str, codebook_2013: bool) -> list[str]:
    """What a built chapter says that its cohort's data cannot bear.

    Parameters
    ----------
    text : str
        The page's text as a reader sees it (glue resolved).
    codebook_2013 : bool
        The cohort was coded with the 2013 codebook (content flag ``codebook_2013``):
        its sentences, and counts of its named codes, may then appear.

    Returns
    -------
    list of str
        One line per problem, quoting the words found; empty when the page is sound.
    """
    plain = _squash(text)
    problems = [f"'not available' in {_context(plain, m)!r}" for m in NOT_AVAILABLE.finditer(plain)]
    if not codebook_2013:
        # Imported here: the 2013 codebook's module pulls in pandas and pydantic (0.4 s of
        # every Sphinx build), and a cohort coded with that codebook never needs its sentences.
        from lehc_report.published.codebook_2013 import FINGERPRINTS

        problems += [f"a count of zero for a code this cohort's codebook may not have: {_context(plain, m)!r}"
                     for m in FALSE_ZERO.finditer(plain)]
        lowered = plain.lower()
        problems += [f"a sentence of the 2013 findings: {fingerprint!r}" for fingerprint in FINGERPRINTS
                     if _squash(fingerprint).lower() in lowered]
    return problems


def _context(text: str, match: re.Match, width: int = 50) -> str:
    return text[max(0, match.start() - width):match.end() + width]
