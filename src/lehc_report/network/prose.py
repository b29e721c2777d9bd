"""Sentences of the network report, composed from the pooled numbers.

Nothing here is a typed claim: each sentence is built from ``pooled.csv``'s rows (the
sign of an estimate, whether its interval excludes zero, k, I-squared, the prediction
interval), so it says "rose" or "fell", "no clear change" or "too few cohorts" as the
numbers do.  Every name that comes from a network or data file (cohort labels, regions,
area names) is escaped with :func:`md_text` before it reaches the page.
"""

from __future__ import annotations

import math
import re

import pandas as pd

from lehc_report.prose.rounding import format_half_up, format_p
from lehc_report.prose.words import join_words, number_word

__all__ = ["md_text", "interval_text", "verdict", "comparison_summary", "left_out_sentences", "prediction_sentence",
           "regression_warning", "theme_share_sentences", "share_cell"]

#: ASCII punctuation: CommonMark lets a backslash escape any of it, so escaped it is text.
_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")
_PUNCTUATION_NO_PIPE = re.compile(r"([!-/:-@\[-`{}~])")


def md_text(text: object, in_table: bool = False) -> str:
    """Text from a file, made safe to place in MyST Markdown as text (never markup).

    The one escaping path of the project (:func:`lehc_report.render.text.myst_literal`);
    a table cell is left as plain text because
    :func:`lehc_report.render.outputs.myst_table` escapes every cell itself.

    Parameters
    ----------
    text : object
        Shown as ``str(text)``; line breaks become spaces.
    in_table : bool
        The text goes into a cell of :func:`~lehc_report.render.outputs.myst_table`.

    Returns
    -------
    str
    """
    from lehc_report.render.text import myst_literal, plain_text

    return " ".join(plain_text(text).split()) if in_table else myst_literal(text)


def interval_text(low: float, high: float, places: int = 2) -> str:
    """An interval as the report prints it.

    Parameters
    ----------
    low, high : float
        The bounds.
    places : int
        Decimal places (rounded half up).

    Returns
    -------
    str
        "0.83 to 1.32", or "–" when either bound is undefined.
    """
    if not (math.isfinite(low) and math.isfinite(high)):
        return "–"
    return f"{format_half_up(low, places)} to {format_half_up(high, places)}"


def verdict(row) -> str:
    """``"rose"``, ``"fell"``, ``"unclear"`` (interval includes zero) or ``"single"`` (k = 1).

    Parameters
    ----------
    row : mapping
        A ``pooled.csv`` row (``k``, ``ci_low``, ``ci_high``).

    Returns
    -------
    str
        Whether the Hartung-Knapp interval lies above zero, below it, spans it, or is
        undefined because only one cohort is pooled.
    """
    if int(row["k"]) < 2 or not math.isfinite(row["ci_low"]):
        return "single"
    if row["ci_low"] > 0:
        return "rose"
    if row["ci_high"] < 0:
        return "fell"
    return "unclear"


def _k_phrase(ks: list[int]) -> str:
    low, high = min(ks), max(ks)
    return f"{number_word(low)} cohorts" if low == high else f"{number_word(low)} to {number_word(high)} cohorts"


def comparison_summary(pooled: pd.DataFrame, comparison: str, words: str, area_names: dict[str, str]) -> list[str]:
    """What the pooled d_z and mean change say for one comparison, in a few sentences.

    Parameters
    ----------
    pooled : DataFrame
        ``pooled.csv`` rows.
    comparison : str
        ``start_to_end`` or ``end_to_follow_up``.
    words : str
        How the comparison reads ("from the start to the end of the course").
    area_names : dict
        Area id -> name (escaped here).

    Returns
    -------
    list of str
        MyST sentences; empty when no cohort has this comparison.
    """
    dz = pooled[(pooled["comparison"] == comparison) & (pooled["measure"] == "d_z")]
    raw = pooled[(pooled["comparison"] == comparison) & (pooled["measure"] == "mean_change")].set_index("area")
    if dz.empty:
        return []
    name = {a: md_text(n) for a, n in area_names.items()}
    groups: dict[str, list[str]] = {"rose": [], "fell": [], "unclear": [], "single": []}
    for row in dz.to_dict("records"):
        groups[verdict(row)].append(row["area"])
    ks = dz["k"].astype(int).tolist()
    sentences = []
    if len(groups["single"]) == len(dz):
        return [f"Only one cohort can be pooled {words}, so there is no pooled estimate: its own figures are in the cohort table."]
    lead = f"Pooled over {_k_phrase(ks)}, self-ratings {words}"
    parts = []
    unclear = ("showed no clear change (the interval, very wide with two cohorts, includes zero)" if max(ks) == 2 else
               "showed no clear change (the interval includes zero)")
    for key, phrase in (("rose", "rose"), ("fell", "fell"), ("unclear", unclear)):
        areas = groups[key]
        if not areas:
            continue
        which = "in every area" if len(areas) == len(dz) else f"in {join_words([name[a] for a in areas])}"
        values = dz.set_index("area").loc[areas, "estimate"]
        if len(areas) == 1:
            size = f"d_z = {format_half_up(values.iloc[0], 2)}"
        else:
            size = f"d_z from {format_half_up(values.min(), 2)} to {format_half_up(values.max(), 2)}"
        points = raw.loc[[a for a in areas if a in raw.index], "estimate"]
        if len(points):
            size += (f"; {format_half_up(points.iloc[0], 2)} rating points" if len(points) == 1 else
                     f"; {format_half_up(points.min(), 2)} to {format_half_up(points.max(), 2)} rating points")
        parts.append(f"{phrase} {which} ({size})")
    sentences.append(f"{lead} {join_words(parts)}.")
    if groups["single"]:
        sentences.append(f"In {join_words([name[a] for a in groups['single']])} only one cohort has this comparison, so nothing is pooled there.")
    pooled_rows = dz[dz["k"] >= 2]
    i2 = pooled_rows["i2"]
    if len(i2) and i2.notna().any():
        spread = (f"I² = {format_half_up(i2.max(), 0)}%" if i2.nunique() == 1 else
                  f"I² from {format_half_up(i2.min(), 0)}% to {format_half_up(i2.max(), 0)}%")
        top = i2.max()
        adverb = "little" if top < 25 else "somewhat" if top < 50 else "moderately" if top < 75 else "substantially"
        sentences.append(f"Beyond what sampling alone would give, the cohorts' results differ {adverb} ({spread}; "
                         "Higgins et al. 2003 read 25%, 50% and 75% as low, moderate and high).")
    sentences.append(prediction_sentence(dz, name))
    return sentences


def prediction_sentence(dz: pd.DataFrame, name: dict[str, str]) -> str:
    """What the 95% prediction intervals say about a new cohort, or why there are none.

    Parameters
    ----------
    dz : DataFrame
        ``pooled.csv`` rows of one comparison and measure.
    name : dict
        Area id -> escaped area name.

    Returns
    -------
    str
    """
    defined = dz[dz["pi_low"].notna()]
    if defined.empty:
        return ("No prediction interval for a new cohort is given: it needs at least three cohorts "
                f"(t on k − 2 degrees of freedom), and {'only ' if dz['k'].max() < 3 else ''}"
                f"{number_word(int(dz['k'].max()))} {'is' if int(dz['k'].max()) == 1 else 'are'} pooled here.")
    above = defined[defined["pi_low"] > 0]["area"].tolist()
    below = defined[defined["pi_high"] < 0]["area"].tolist()
    spans = [a for a in defined["area"] if a not in above and a not in below]

    def where(areas: list[str]) -> str:
        return "in every area" if len(areas) == len(defined) else "in " + join_words([name[a] for a in areas])

    parts = []
    if above:
        parts.append(f"lies above zero {where(above)} (a new cohort would be expected to rise)")
    if below:
        parts.append(f"lies below zero {where(below)} (a new cohort would be expected to fall)")
    if spans:
        parts.append(f"includes zero {where(spans)} (a new cohort could show a rise, no change or a fall)")
    missing = dz[dz["pi_low"].isna()]["area"].tolist()
    tail = (f" In {join_words([name[a] for a in missing])} fewer than three cohorts are pooled, so there is no prediction "
            "interval." if missing else "")
    return f"The 95% prediction interval for a new cohort like these {join_words(parts)}.{tail}"


def left_out_sentences(small: list[str], small_rows: pd.DataFrame, unlinked: list[str], undefined: pd.DataFrame,
                       labels: dict[str, str], area_names: dict[str, str], min_group_size: int) -> list[str]:
    """Which cohorts (or cohort rows) are left out of the outcome tables and the pooling, and why.

    Parameters
    ----------
    small : list of str
        Cohort ids with fewer than ``min_group_size`` participants rated at the start and the end.
    small_rows : DataFrame
        ``cohort, area, comparison, n`` rows below the threshold in otherwise shown cohorts.
    unlinked : list of str
        Cohort ids whose waves are not linked person to person (``linking: {by: none}``).
    undefined : DataFrame
        ``cohort, area, comparison`` rows whose d_z is undefined (every change equal).
    labels : dict
        Cohort id -> label.
    area_names : dict
        Area id -> name.
    min_group_size : int
        The small-cell threshold.

    Returns
    -------
    list of str
        MyST sentences (names escaped); empty when nothing is left out.
    """
    out = []
    named = lambda ids: join_words([f"{md_text(labels[i])} ({md_text(i)})" for i in ids])  # noqa: E731
    if small:
        out.append(f"{named(small)} {'is' if len(small) == 1 else 'are'} left out of every table that shows an outcome and "
                   f"of the pooling: fewer than {min_group_size} participants rated themselves at both the start and the end, "
                   "and results for so few people could identify them.")
    if len(small_rows):
        rows = [f"{md_text(area_names.get(r.area, r.area))} {r.comparison.replace('_', ' ')} in {md_text(labels[r.cohort])}"
                for r in small_rows.itertuples()]
        out.append(f"For the same reason these results are withheld and not pooled: {join_words(rows)} "
                   f"(fewer than {min_group_size} pairs).")
    if unlinked:
        out.append(f"{named(unlinked)} used questionnaires that cannot be linked person to person, so no paired change "
                   f"(d_z) can be computed: {'its' if len(unlinked) == 1 else 'their'} waves are compared as independent "
                   "samples (Hedges' g, shown in its own table) and left out of the pooling.")
    if len(undefined):
        rows = [f"{md_text(area_names.get(r.area, r.area))} in {md_text(labels[r.cohort])}" for r in undefined.itertuples()]
        out.append(f"Every participant changed by the same amount in {join_words(rows)}, so d_z is undefined there and "
                   "not pooled.")
    return out


def regression_warning(k: int) -> str:
    """The usual caution about meta-regression with few cohorts (Higgins and Thompson 2004).

    Parameters
    ----------
    k : int
        Number of cohorts in the meta-regression.

    Returns
    -------
    str
    """
    return (f"With only {number_word(k)} cohorts, a meta-regression has little power and its coefficients are fragile: "
            "one cohort can move them, several moderators tested on the same few cohorts will turn up a "
            "'significant' one by chance, and a link between a cohort's year or region and its change is an "
            "observational association across cohorts, not an effect of the year or the region (Higgins and Thompson 2004; "
            "Thompson and Higgins 2002). Read these as descriptions to follow up, not findings.")


def p_cell(p: float) -> str:
    """A p value for a table cell: "< .001" below .001 (APA style), else three places
    half up without the leading zero; "–" when undefined.

    Parameters
    ----------
    p : float

    Returns
    -------
    str
        With a no-break space after "<".
    """
    return "<\u00a0.001" if math.isfinite(p) and p < 0.001 else format_p(p)  # no break inside "< .001"


def share_cell(count, n: int) -> str:
    """A theme's share of a cohort's respondents for a table cell.

    Parameters
    ----------
    count : int or None
        Respondents who raised the theme; None (or ``pd.NA``) where withheld.
    n : int
        The cohort's respondents.

    Returns
    -------
    str
        ``"45% (9)"`` (percent rounded half up, then the count), or ``"withheld"``.
    """
    if count is None or pd.isna(count) or n <= 0:
        return "withheld"
    return f"{format_half_up(100 * int(count) / n, 0)}% ({int(count)})"


def theme_share_sentences(groups: list[list[str]], own: list[str], coded_any: bool, labels: dict[str, str],
                          min_group_size: int, any_withheld: bool) -> list[str]:
    """What the theme-share tables hold, which cohorts they compare, and what is withheld.

    Parameters
    ----------
    groups : list of list of str
        Cohort ids of each codebook shared by at least two shown cohorts (one table each).
    own : list of str
        Shown cohorts with coded data whose codebook no other shown cohort has.
    coded_any : bool
        Whether any shown cohort has coded qualitative data.
    labels : dict
        Cohort id -> label.
    min_group_size : int
        The small-cell threshold.
    any_withheld : bool
        Whether a share is withheld in the tables.

    Returns
    -------
    list of str
        MyST sentences (names escaped).
    """
    named = lambda ids: join_words([f"{md_text(labels[i])} ({md_text(i)})" for i in ids])  # noqa: E731
    out = []
    if not coded_any:
        return ["No cohort shown in this report has coded qualitative data (survey returns or interviews with a "
                "codebook), so no theme is compared across cohorts."]
    for ids in groups:
        out.append(f"{named(ids)} {'was' if len(ids) == 1 else 'were'} coded with the same codebook, so their "
                   "themes can be set side by side: each cell is the share of the cohort's respondents who raised the theme "
                   "at least once, with their number in brackets. Respondents, not passages, are counted, and who "
                   "answered differs between cohorts, so a difference in a share is a pointer to read the cohorts' own "
                   "reports, not a measured change.")
    if not groups:
        out.append("No two cohorts shown here were coded with the same codebook, so no theme is compared across cohorts.")
    if own:
        out.append(f"{named(own)} {'was' if len(own) == 1 else 'were'} coded with a codebook of "
                   f"{'its' if len(own) == 1 else 'their'} own, which no other cohort here shares, so "
                   f"{'its' if len(own) == 1 else 'their'} themes are not compared; "
                   f"{'its' if len(own) == 1 else 'each'} own report has them.")
    if groups and any_withheld:
        out.append(f"A share is withheld where fewer than {min_group_size} of a cohort's respondents raised the theme, "
                   f"or fewer than {min_group_size} did not: views held by so few could identify them.")
    return out
