"""The robustness chapter's sentences, worded from the computed checks.

What the chapter *says* about the numbers (large or small, departure from normality
or not, can or cannot pass a correction, higher or lower) is decided here from the
computed values and glued as whole phrases, so the prose cannot contradict its own
numbers whatever the cohort.  Every threshold in a sentence (the significance level,
the confidence and power, the effect-size labels, the reliability threshold) is passed
in from ``analysis.yml``; nothing here reads a file.

:data:`ROBUST_GLUE` declares every key the chapter takes from notebook ``04_robust``,
with the text glued when the analysis is withheld.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from lehc_report.book.glue import REQUIRED, GlueSpec
from lehc_report.prose.rounding import format_half_up, format_p
from lehc_report.prose.words import alpha_text, count_phrase, join_words, number_word, p_text, sentence_start
from lehc_report.settings import AnalysisSettings
from lehc_report.stats import robustness
from lehc_report.stats.robust_checks import RobustnessChecks

#: What a check that cannot be computed reads as in a sentence or table cell.
UNDEFINED = "undefined"
#: The 2013 report's own significance level, for sentences about what it counted.
PUBLISHED_ALPHA = 0.05
SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")
WITHHELD = "Withheld: too few participants (see the note at the top of this chapter)."

#: Every glue key of the robustness chapter.  The defaults are what the chapter says
#: when the analysis is withheld (too few participants), the one case in which the
#: stage produces only the status, the counts and the attendance.
ROBUST_GLUE = GlueSpec(
    notebook="04_robust",
    keys={
        "rob_status": REQUIRED,
        "rob_n_word": REQUIRED,
        "rob_n_behaviours": REQUIRED,
        "rob_attrition_sentence": REQUIRED,
        **{f"rob_{key}": "" for key in (
            "area_coverage", "dz_precision", "wilcoxon_method_note", "slope_figure_text", "agreement", "test_agreement",
            "count_sentence", "correction_sentence", "synthetic_paragraph", "wilcoxon_floor", "alpha_sentence")},
        **{f"rob_{key}": WITHHELD for key in (
            "dz_sentence", "wilcoxon_sentence", "shapiro_sentence", "chance_sentence", "power_paragraph",
            "bayes_sentence", "robust_sentence", "fragile_sentence", "ceiling_sentence")},
        "rob_rtm_sentence": "Not assessed: too few participants.",
    },
    patterns={},
)


# ------------------------------------------------------------------ numbers as words


def fmt_or_undefined(value: float, places: int = 2) -> str:
    """A statistic rounded half up, or "undefined" where it cannot be computed.

    Parameters
    ----------
    value : float or None
    places : int

    Returns
    -------
    str
        "1.23" or "undefined" (None, NaN or infinite).
    """
    return format_half_up(value, places) if value is not None and np.isfinite(value) else UNDEFINED


def p_or_undefined(value: float) -> str:
    """A p value as a table prints it (".012"), or "undefined".

    Parameters
    ----------
    value : float or None

    Returns
    -------
    str
    """
    return format_p(value) if value is not None and np.isfinite(value) else UNDEFINED


def percent_text(share: float) -> str:
    """A share as a percentage without needless decimals: 0.95 -> "95%".

    Parameters
    ----------
    share : float
        Between 0 and 1.

    Returns
    -------
    str
    """
    return f"{round(100 * share, 6):g}%"


def bayes_factor_sentence_text(log10_bf10: float) -> str:
    """A Bayes factor for a sentence, from its base-10 logarithm: as :func:`bf_text`, and
    "more than 10^100" beyond the display cap.

    Parameters
    ----------
    log10_bf10 : float
        Finite, or +inf for a factor too large to represent.

    Returns
    -------
    str
    """
    if log10_bf10 > DISPLAY_CAP_LOG10:
        return f"more than 10^{DISPLAY_CAP_LOG10}"
    return bf_text(10.0 ** log10_bf10)


def bf_text(bf: float) -> str:
    """A Bayes factor for a sentence: one decimal below 1,000, then a whole number with commas.

    Parameters
    ----------
    bf : float
        BF10, positive.

    Returns
    -------
    str
        "3.4", "12,345".
    """
    return format_half_up(bf, 1) if bf < 1000 else f"{bf:,.0f}"


def count_of(k: int, total: int, noun: str) -> str:
    """A count out of a total: "all four areas", "three of the four areas", "none of the four areas".

    Parameters
    ----------
    k, total : int
    noun : str
        Plural noun.

    Returns
    -------
    str
        :func:`lehc_report.prose.words.count_phrase` (never "4 of 4 areas").
    """
    return count_phrase(k, total, noun)


#: How each kind of Wilcoxon p was obtained, in words (``robustness.WILCOXON_*``).
WILCOXON_METHOD_WORDS = {robustness.WILCOXON_EXACT: "exact", robustness.WILCOXON_PERMUTATION: "exact",
                         robustness.WILCOXON_NORMAL: "from the normal approximation"}


def wilcoxon_method_phrase(methods: pd.Series) -> str:
    """How the Wilcoxon p values of the areas were obtained, once: "all exact", "exact in two areas, ...".

    Parameters
    ----------
    methods : Series of str
        The method of each area with a p value (``robustness.WILCOXON_*``).

    Returns
    -------
    str
        "exact" (one area), "both exact", "all exact", "all from the normal approximation", or
        "exact in k areas and from the normal approximation in m" (the exact distribution and
        the exact enumeration of sign patterns are both exact; :func:`wilcoxon_method_note`
        says which was used where).
    """
    kinds = methods.map(WILCOXON_METHOD_WORDS)
    counts = kinds.value_counts()
    if len(counts) == 1:
        return f"{'both' if len(kinds) == 2 else 'all'} {kinds.iloc[0]}" if len(kinds) > 1 else kinds.iloc[0]
    parts = [f"{kind} in {number_word(n)} {'area' if n == 1 else 'areas'}" if i == 0 else f"{kind} in {number_word(n)}"
             for i, (kind, n) in enumerate(counts.sort_index().items())]
    return join_words(parts)


def survive_verb(k: int) -> str:
    """"none survives", "1 survives", "3 survive".

    Parameters
    ----------
    k : int

    Returns
    -------
    str
    """
    return f"{'none' if k == 0 else k} {'survive' if k > 1 else 'survives'}"


#: Bayes factors above 10 ** DISPLAY_CAP_LOG10 are shown as a bound ("> 10^100").
DISPLAY_CAP_LOG10 = 100


def bayes_factor_text(log10_bf10: float, cap_log10: int = DISPLAY_CAP_LOG10, undefined: str = "–") -> str:
    """A Bayes factor as shown in the report's tables, with a bound beyond the cap.

    Parameters
    ----------
    log10_bf10 : float
        :math:`\\log_{10} BF_{10}` (e.g. the ``log10_bf10`` column of
        ``lehc_report.stats.robustness.bayes_factors``); NaN for an undefined test.
    cap_log10 : int, default :data:`DISPLAY_CAP_LOG10`
        Values above ``10 ** cap_log10`` are shown as the bound ``"> 10^cap_log10"``.
    undefined : str, default "–"
        Text for an undefined Bayes factor.

    Returns
    -------
    str
        Below 1,000: one decimal, rounded half up ("964.8"; the value is accurate to
        1e-6, so every shown digit is right); from 1,000 up to the cap: two significant
        digits in Python's ``g`` notation ("1.2e+05"), as Table 5.1 printed them; above the
        cap: ``"> 10^100"``.
    """
    value = float(log10_bf10)
    if not np.isfinite(value):
        return f"> 10^{cap_log10}" if value == np.inf else undefined
    if value > cap_log10:
        return f"> 10^{cap_log10}"
    bf10 = 10.0**value
    if bf10 < 1000:
        return format_half_up(bf10, 1)
    return f"{bf10:.2g}"


def power_of_ten_text(log10_value: float) -> str:
    """A tiny positive number given by its base-10 logarithm, in powers of ten ("1.8 × 10⁻¹²").

    Works where the number itself underflows to 0 (an exact Wilcoxon floor 2/2**n for
    n above about 1,075).

    Parameters
    ----------
    log10_value : float
        The number's base-10 logarithm.

    Returns
    -------
    str
    """
    exponent = math.floor(log10_value)
    mantissa = 10 ** (log10_value - exponent)
    if float(f"{mantissa:.1f}") >= 10:
        mantissa, exponent = mantissa / 10, exponent + 1
    return f"{mantissa:.1f} × 10{str(exponent).translate(SUPERSCRIPT)}"


def wilcoxon_floor_text(n: int) -> str:
    """The smallest two-sided p an exact Wilcoxon test on ``n`` pairs can give, 2 / 2**n,
    as "2/512 = 0.00391" or "2/2⁴⁰ = 1.8 × 10⁻¹²", for any n.

    Parameters
    ----------
    n : int
        Pairs with a non-zero change.

    Returns
    -------
    str
    """
    log10_floor = (1 - n) * math.log10(2)
    shown = f"{10 ** log10_floor:.5f}" if log10_floor >= -3 else power_of_ten_text(log10_floor)
    return f"{wilcoxon_floor_fraction(n)} = {shown}"


def slope_figure_text(n: int, max_n: int) -> str:
    """What the slope figure shows: every participant's line, or distributions above ``max_n``.

    Parameters
    ----------
    n : int
        Participants with both ratings.
    max_n : int
        Most participants drawn one line each (``per_participant_plot_max_n`` in ``analysis.yml``).

    Returns
    -------
    str
        Completes "Figure N shows ...".
    """
    if n <= max_n:
        return "every participant's start and end score in each area"
    return (f"the distribution of the start and end scores in each area: with {n} participants, more than the {max_n} "
            "set for one line per participant, the lines would hide each other")


def wilcoxon_floor_fraction(n: int) -> str:
    """The exact Wilcoxon floor 2 / 2**n as a fraction: "2/512", or "2/2⁴⁰" above n = 20.

    Parameters
    ----------
    n : int
        Pairs with a non-zero change.

    Returns
    -------
    str
    """
    return f"2/{2 ** n}" if n <= 20 else f"2/2{str(n).translate(SUPERSCRIPT)}"


# ------------------------------------------------------------------ readings


def effect_size_label(d: float, benchmarks: Sequence[tuple[float, str]]) -> str:
    """Cohen's (1988) label for |d|.

    Parameters
    ----------
    d : float
        A standardised mean difference.
    benchmarks : sequence of (float, str)
        Lower bounds of |d| and their labels, largest first
        (``AnalysisSettings.effect_benchmarks.labelled()``).

    Returns
    -------
    str
        "large", "medium", "small" or "negligible".
    """
    size = abs(d)
    for bound, label in benchmarks:
        if size >= bound:
            return label
    return "negligible"


def dz_sentence(d_z: pd.Series, benchmarks: Sequence[tuple[float, str]]) -> str:
    """How large the area effects d_z are, by Cohen's (1988) conventions.

    Parameters
    ----------
    d_z : Series
        d_z per area reported (NaN where every change was the same).
    benchmarks : sequence of (float, str)
        As for :func:`effect_size_label`.

    Returns
    -------
    str
        One of: "d_z is undefined for every area: ...";
        "The effects are large by any convention[, and every one is a fall]: d_z ranges from A to B[ (it is
        undefined for ...)]."; "By the usual conventions (0.2 small, 0.5 medium, 0.8 large) the effects are
        <label>[ to <label>]: d_z ranges from A to B[...][; every area's score fell | ; some areas moved up
        and some down]."
    """
    d = d_z.dropna()
    if d.empty:
        return ("d_z is undefined for every area: each participant's score changed by the same amount, "
                "so the changes have no spread to divide by.")
    low, high = format_half_up(d.min(), 2), format_half_up(d.max(), 2)
    span = f"d_z ranges from {low} to {high}" if len(d) > 1 else f"d_z is {low}"
    labels = [effect_size_label(v, benchmarks) for v in d]
    same_sign = (d > 0).all() or (d < 0).all()
    undefined = d_z.isna().sum()
    tail = f" (it is undefined for {count_of(undefined, len(d_z), 'areas')}, where every change was the same)" if undefined else ""
    falls = ", and every one is a fall" if (d < 0).all() else ""
    if same_sign and set(labels) == {"large"}:
        return f"The effects are large by any convention{falls}: {span}{tail}."
    ordered = ["negligible"] + [label for _, label in benchmarks][::-1]
    present = sorted(set(labels), key=ordered.index)
    size = present[0] if len(present) == 1 else f"{present[0]} to {present[-1]}"
    sign = "; every area's score fell" if (d < 0).all() else "" if same_sign else "; some areas moved up and some down"
    conventions = ", ".join(f"{bound:g} {label}" for bound, label in reversed(benchmarks))
    return f"By the usual conventions ({conventions}) the effects are {size}: {span}{tail}{sign}."


def interval_reading(low: float, high: float, benchmarks: Sequence[tuple[float, str]]) -> tuple[float, str]:
    """How far a confidence interval of d_z lies from zero.

    Parameters
    ----------
    low, high : float
        The interval's limits.
    benchmarks : sequence of (float, str)
        As for :func:`effect_size_label`.

    Returns
    -------
    nearest : float
        The limit nearest zero, or 0.0 when the interval contains zero.
    reading : str
        "include no change at all", "exclude no change but allow a rise/fall too small to matter" or
        "still indicate at least a small/moderate/large rise/fall".
    """
    if low > 0 or high < 0:
        nearest = low if low > 0 else high
        label = effect_size_label(nearest, benchmarks)
        way = "rise" if low > 0 else "fall"
        if label == "negligible":
            return nearest, f"exclude no change but allow a {way} too small to matter"
        return nearest, f"still indicate at least a {'moderate' if label == 'medium' else label} {way}"
    return 0.0, "include no change at all"


def dz_precision_sentence(effects: pd.DataFrame, names: dict[str, str], benchmarks: Sequence[tuple[float, str]],
                          confidence: float) -> str:
    """How precise the d_z intervals are, and how close the nearest limit comes to zero.

    Parameters
    ----------
    effects : DataFrame
        Per area reported: ``d_z``, ``d_z_ci_low``, ``d_z_ci_high``.
    names : dict
        Area ID to area name.
    benchmarks : sequence of (float, str)
        As for :func:`effect_size_label`.
    confidence : float
        The intervals' level (0.95 -> "95%").

    Returns
    -------
    str
        "No confidence interval for d_z can be computed."; or "[They are also imprecise. The 95% intervals
        for d_z are wide | The 95% intervals for d_z are fairly narrow] (for <area>, the area with the
        smallest effect, A to B); " followed by "the intervals include no change at all for k of K areas."
        or "the lower limits, no lower than | upper limits, no higher than | limits nearest zero, none closer
        to it than X, <interval reading> on this measure."
    """
    rows = effects.dropna(subset=["d_z", "d_z_ci_low", "d_z_ci_high"])
    if rows.empty:
        return "No confidence interval for d_z can be computed."
    weakest = rows["d_z"].abs().idxmin()
    width = (rows["d_z_ci_high"] - rows["d_z_ci_low"]).max()
    nearest = [interval_reading(r.d_z_ci_low, r.d_z_ci_high, benchmarks) for r in rows.itertuples()]
    value, reading = nearest[int(np.argmin([abs(v) for v, _ in nearest]))]
    level = percent_text(confidence)
    lead = (f"They are also imprecise. The {level} intervals for d_z are wide" if width >= 1
            else f"The {level} intervals for d_z are fairly narrow")
    w = rows.loc[weakest]
    where = (f"for {names[weakest]}, the area with the smallest effect, {format_half_up(w['d_z_ci_low'], 2)} to "
             f"{format_half_up(w['d_z_ci_high'], 2)}")
    if value == 0.0:
        n_zero = sum(v == 0.0 for v, _ in nearest)
        return f"{lead} ({where}); the intervals {reading} for {count_of(n_zero, len(rows), 'areas')}."
    limit = "lower limits, no lower than" if value > 0 else "upper limits, no higher than"
    if (rows["d_z_ci_low"] > 0).any() and (rows["d_z_ci_high"] < 0).any():
        limit = "limits nearest zero, none closer to it than"
    return f"{lead} ({where}); the {limit} {format_half_up(value, 2)}, {reading} on this measure."


def shapiro_sentence(shapiro_p: pd.Series, n_text: str, alpha: float, n_max: int | None = None) -> str:
    """What the Shapiro–Wilk test (Shapiro & Wilk 1965) says about the changes' normality.

    Parameters
    ----------
    shapiro_p : Series
        Shapiro–Wilk p per area reported (NaN where it cannot be computed).
    n_text : str
        Pairs per area as words ("9", "8 to 9").
    alpha : float
        Significance level.
    n_max : int, optional
        The most pairs any area has; above 20 the low-power caveat is dropped.

    Returns
    -------
    str
        "The Shapiro–Wilk test cannot be computed here: ..."; "The Shapiro–Wilk test finds a departure from
        normality in the changes for k of K areas (smallest p = .012), so ..."; or "... finds no departure
        from normality in the changes (smallest p = .xxx)" followed by either ", though a non-significant
        result does not prove normality." or ", but with <n> values per area this is weak reassurance: ...".
    """
    p = shapiro_p.dropna()
    if p.empty:
        return ("The Shapiro–Wilk test cannot be computed here: the changes in each area do not vary "
                "(or there are fewer than three).")
    smallest = p_text(p.min())
    departing = int((p < alpha).sum())
    if departing:
        return (f"The Shapiro–Wilk test finds a departure from normality in the changes for "
                f"{count_of(departing, len(p), 'areas')} (smallest {smallest}), so the paired t-test's "
                "assumption is doubtful there; the Wilcoxon test does not need it.")
    if n_max is not None and n_max > 20:
        return (f"The Shapiro–Wilk test finds no departure from normality in the changes (smallest {smallest}), "
                "though a non-significant result does not prove normality.")
    return (f"The Shapiro–Wilk test finds no departure from normality in the changes (smallest {smallest}), "
            f"but with {n_text} values per area this is weak reassurance: the test has little power to detect "
            "even marked skew in so few values.")


def wilcoxon_sentence(p: pd.Series, methods: pd.Series, alpha: float, n_max: int | None = None) -> str:
    """What the Wilcoxon signed-rank test finds in the areas.

    Parameters
    ----------
    p : Series
        Wilcoxon p per area reported (NaN where no score changed).
    methods : Series
        How each p was obtained (``robustness.WILCOXON_*``).
    alpha : float
        Significance level.
    n_max : int, optional
        The most pairs any area has; if even that many cannot give p < alpha, say so.

    Returns
    -------
    str
        "It cannot be computed for any area: ..."; or one of "It finds a change in k of K areas (p ≤ .xxx;
        method: ...).", "It finds a change (p < .05) in none of the K areas (smallest p = .xxx; method: ...).",
        "It finds a change (p < .05) in k of K areas (p from .xxx to .yyy; method: ...).", each optionally
        followed by " With n pairs it cannot do otherwise: the smallest two-sided p ... above .05." and
        " It is undefined for k of K areas, where no one's score changed."
    """
    finite = p.dropna()
    total = len(p)
    if finite.empty:
        return "It cannot be computed for any area: no participant's area score changed."
    sig = finite[finite < alpha]
    used = wilcoxon_method_phrase(methods[finite.index])
    level = alpha_text(alpha)
    if len(sig) == len(finite):
        core = f"It finds a change in {count_of(len(sig), total, 'areas')} ({p_text(finite.max(), '≤')}, {used})."
    elif sig.empty:
        core = (f"It finds a change (p < {level}) in {count_of(0, total, 'areas')} "
                f"(smallest {p_text(finite.min())}, {used}).")
    else:
        core = (f"It finds a change (p < {level}) in {count_of(len(sig), total, 'areas')} "
                f"(p from {format_p(finite.min())} to {format_p(finite.max())}, {used}).")
    if n_max is not None and robustness.smallest_exact_wilcoxon_p(n_max) > alpha:
        core += (f" With {n_max} pairs it cannot do otherwise: the smallest two-sided p an exact Wilcoxon test can "
                 f"give is {wilcoxon_floor_text(n_max)}, "
                 f"above {level}.")
    missing = total - len(finite)
    if missing:
        core += f" It is undefined for {count_of(missing, total, 'areas')}, where no one's score changed."
    return core


def wilcoxon_method_note(methods: set[str], exact_max_n: int = 50) -> str:
    """How the Wilcoxon p values were obtained.

    Parameters
    ----------
    methods : set of str
        The methods of the areas with a p value (``robustness.WILCOXON_*``).

    Returns
    -------
    str
        Up to three sentences, one per method used: "The exact null distribution is used where ...",
        "[Where they do | As the changes have ties or zeros], with 13 pairs or fewer, the p value is computed
        exactly over all sign patterns, ..." and "With more pairs and ties or zeros (or more than 50 pairs),
        a normal approximation ... is used."; "" for none.
    """
    parts = []
    if robustness.WILCOXON_EXACT in methods:
        parts.append("The exact null distribution is used where the changes have no ties or zeros.")
    if robustness.WILCOXON_PERMUTATION in methods:
        lead = "Where they do" if robustness.WILCOXON_EXACT in methods else "As the changes have ties or zeros"
        parts.append(f"{lead}, with 13 pairs or fewer, the p value is computed exactly over all sign patterns, "
                     "as the usual normal approximation is poor at such sample sizes.")
    if robustness.WILCOXON_NORMAL in methods:
        parts.append(f"With more pairs and ties or zeros (or more than {min(50, exact_max_n)} pairs, the most "
                     "for an exact test), a normal approximation with tie and continuity corrections is used.")
    return " ".join(parts)


def agreement_sentence(effects: pd.DataFrame, wilcoxon: pd.DataFrame) -> str:
    """Whether the Hodges–Lehmann estimate and the rank-biserial r point the same way as the mean change.

    Parameters
    ----------
    effects : DataFrame
        Per area reported: ``mean_change``.
    wilcoxon : DataFrame
        Per area reported: ``hodges_lehmann``, ``rank_biserial``.

    Returns
    -------
    str
        "With no change at all, there is nothing for them to add.", "Both point the same way as the mean
        change in every area." or "In k of K areas they do not point the same way as the mean change."
    """
    rows = effects.index[effects["mean_change"].notna()]
    if (effects.loc[rows, "mean_change"] == 0).all():
        return "With no change at all, there is nothing for them to add."
    sign = np.sign(effects.loc[rows, "mean_change"])
    differ = (np.sign(wilcoxon.loc[rows, "hodges_lehmann"]) != sign) | (
        np.sign(wilcoxon.loc[rows, "rank_biserial"].fillna(0)) != sign)
    if not differ.any():
        return "Both point the same way as the mean change in every area."
    return f"In {count_of(int(differ.sum()), len(rows), 'areas')} they do not point the same way as the mean change."


def test_agreement_sentence(t_p: pd.Series, w_p: pd.Series, names: dict[str, str], alpha: float,
                            n_max: int | None = None) -> str:
    """Whether the t-test and the Wilcoxon test agree about which areas changed.

    Parameters
    ----------
    t_p, w_p : Series
        Paired t-test and Wilcoxon p per area reported.
    names : dict
        Area ID to area name.
    alpha : float
        Significance level.
    n_max : int, optional
        The most pairs any area has.

    Returns
    -------
    str
        "The t-test is undefined here, ...", "Neither test can be computed, ...", "The Wilcoxon test disagrees
        with the t-test about <areas>, but with n pairs it cannot reach p < .05 at all, ...", "The Wilcoxon
        test and the t-test agree about which areas show a change at p < .05, ..." or "The Wilcoxon test and
        the t-test disagree about <areas>, so for that area / those areas the normality assumption matters."
    """
    both = t_p.notna() & w_p.notna()
    if not both.any():
        if w_p.notna().any():
            return ("The t-test is undefined here, as the changes have no spread, so only the Wilcoxon test applies "
                    "and normality does not arise.")
        return "Neither test can be computed, so the question does not arise."
    level = alpha_text(alpha)
    disagree = [names[a] for a in t_p.index[both] if (t_p[a] < alpha) != (w_p[a] < alpha)]
    if disagree and n_max is not None and robustness.smallest_exact_wilcoxon_p(n_max) > alpha:
        return (f"The Wilcoxon test disagrees with the t-test about {join_words(disagree)}, but with {n_max} pairs it "
                f"cannot reach p < {level} at all, so the disagreement reflects the sample size rather than the "
                "shape of the changes.")
    if not disagree:
        return (f"The Wilcoxon test and the t-test agree about which areas show a change at p < {level}, which makes "
                "the question moot for the area tests.")
    return (f"The Wilcoxon test and the t-test disagree about {join_words(disagree)}, so for "
            f"{'that area' if len(disagree) == 1 else 'those areas'} the normality assumption matters.")


def expected_false_positives(m: int, alpha: float) -> str:
    """How many of m tests at level alpha would be significant by chance alone (alpha × m).

    Parameters
    ----------
    m : int
        Tests in the family.
    alpha : float

    Returns
    -------
    str
        "fewer than one (0.05 × 4 = 0.20)" or "about two".
    """
    expected = alpha * m
    if expected < 1:
        return f"fewer than one ({alpha:g} × {m} = {format_half_up(expected, 2)})"
    return f"about {number_word(int(format_half_up(expected, 0)))}"


def wilcoxon_floor_sentence(n: int, m: int, n_pass: int, n_min: int, alpha: float,
                            exact_max_n: int = 50) -> tuple[str, bool]:
    """Whether an exact Wilcoxon test on n pairs can pass the first Holm step alpha / m.

    Parameters
    ----------
    n : int
        The most pairs any tested behaviour has.
    m : int
        Behaviours tested (the family).
    n_pass : int
        Behaviours whose Wilcoxon test passes Holm.
    n_min : int
        The fewest pairs any tested behaviour has.
    alpha : float
    exact_max_n : int
        Most pairs for an exact Wilcoxon p (``wilcoxon_exact_max_n`` in ``analysis.yml``,
        at most scipy's 50); above it the normal approximation has no floor to speak of.

    Returns
    -------
    sentence : str
        "A rank-based test cannot rescue the behaviour-level claims either. With n pairs the smallest
        two-sided p an exact Wilcoxon test can give is 2/512 = 0.00391, which is above the Holm threshold
        of 0.0013: no behaviour can pass ..." or "With n pairs ... which is below the Holm threshold of
        0.0013, so a Holm-corrected Wilcoxon test can confirm a behaviour-level change here (it needs at
        least k pairs ...); k of the m behaviours pass it."
    can_pass : bool
    """
    threshold = alpha / m
    if n > min(50, exact_max_n):
        # 2/2**n underflows to 0 beyond n = 1075, and the exact floor no longer applies.
        return (f"With {n} pairs, more than the {min(50, exact_max_n)} up to which the exact test is used, the Wilcoxon "
                "test uses the normal approximation, whose p value has no floor that could keep a behaviour from "
                f"passing the Holm threshold of {threshold:.4f}; {count_phrase(n_pass, m, 'behaviours')} "
                f"{'passes' if n_pass == 1 else 'pass'} it."), True
    floor = robustness.smallest_exact_wilcoxon_p(n)
    can = robustness.wilcoxon_can_reach_threshold(n, alpha, m)
    most = f"{n} pairs" if n == n_min else f"{n} pairs (the most any tested behaviour has)"
    base = (f"With {most} the smallest two-sided p an exact Wilcoxon test can give is "
            f"{wilcoxon_floor_text(n)}, which is ")
    if not can:
        return (f"A rank-based test cannot rescue the behaviour-level claims either. {base}above the Holm "
                f"threshold of {threshold:.4f}: no behaviour can pass a Holm-corrected Wilcoxon test with this "
                f"design, whatever the data ({'none does' if n_pass == 0 else f'{n_pass} do'})."), False
    needed = next(k for k in range(1, 200) if robustness.wilcoxon_can_reach_threshold(k, alpha, m))
    return (f"{base}below the Holm threshold of {threshold:.4f}, so a Holm-corrected Wilcoxon test can confirm a "
            f"behaviour-level change here (it needs at least {needed} pairs with a non-zero change); "
            f"{count_phrase(n_pass, m, 'behaviours')} {'passes' if n_pass == 1 else 'pass'} it."), True


def power_sentence(d_z: pd.Series, mdd: float, power: float) -> str:
    """How the observed area effects compare with the smallest detectable effect.

    Parameters
    ----------
    d_z : Series
        d_z per area reported.
    mdd : float
        Smallest d_z detectable with ``power`` (:func:`robustness.minimum_detectable_dz`).
    power : float

    Returns
    -------
    str
        "No observed area effect can be compared with it, ...", "All K observed area effects are above the
        first threshold; ..." or "k of K observed area effects is/are above the first threshold (the smallest
        d_z is X): the design had less than an 80% chance of detecting ...".
    """
    d = d_z.dropna().abs()
    if d.empty:
        return "No observed area effect can be compared with it, as d_z is undefined for every area."
    above = int((d >= mdd).sum())
    if above == len(d):
        return (sentence_start(f"{count_of(above, len(d), 'observed area effects')} are above the first threshold; ")
                + "smaller but real changes could well have gone unnoticed.")
    return (f"{sentence_start(count_of(above, len(d), 'observed area effects'))} "
            f"{'is' if above == 1 else 'are'} above the first threshold (the smallest d_z is {format_half_up(d.min(), 2)}): "
            f"the design had less than an {percent_text(power)} chance of detecting a true effect as small as that, "
            "and smaller real changes could well have gone unnoticed.")


def power_paragraph(checks: RobustnessChecks, settings: AnalysisSettings) -> str:
    """The smallest detectable effect for an area and for a single behaviour, and the observed effects.

    The smallest detectable d_z is the paired t-test's (Cohen 1988, ch. 2) at the
    significance level, and at the first Holm step alpha / m for a single behaviour.

    Parameters
    ----------
    checks : RobustnessChecks
        Computed checks.
    settings : AnalysisSettings
        ``alpha`` and ``power``.

    Returns
    -------
    str
        "With n pairs[ (the fewest in any area reported)], a paired t-test at the two-sided 5% level has an
        80% chance of detecting a standardised change (d_z) of X or more.[ For a single behaviour with n pairs
        ... is d_z = Y.] " followed by :func:`power_sentence`.
    """
    area_n = checks.area_n[checks.shown_areas]
    n_min, n_max = int(area_n.min()), int(area_n.max())
    mdd_area = robustness.minimum_detectable_dz(n_min, alpha=settings.alpha, power=settings.power)
    item_power = ""
    if checks.m:
        tested_n = checks.item_n[checks.tested]
        item_min, item_max = int(tested_n.min()), int(tested_n.max())
        mdd_item = robustness.minimum_detectable_dz(item_max, alpha=settings.alpha / checks.m, power=settings.power)
        most = f"{item_max} pairs" if item_min == item_max else f"{item_max} pairs (the most any behaviour has)"
        item_power = (f" For a single behaviour with {most} tested at the Holm threshold the smallest detectable "
                      f"change is d_z = {format_half_up(mdd_item, 2)}.")
    return (f"With {n_min} pairs{'' if n_min == n_max else ' (the fewest in any area reported)'}, a paired "
            f"t-test at the two-sided {percent_text(settings.alpha)} level has an {percent_text(settings.power)} "
            f"chance of detecting a standardised change (d_z) of {format_half_up(mdd_area, 2)} or more.{item_power} "
            f"{power_sentence(checks.effects.loc[checks.shown_areas, 'd_z'], mdd_area, settings.power)}")


def bayes_sentence(bayes: pd.DataFrame, n_areas: int) -> str:
    """The range of the JZS Bayes factors (Rouder et al. 2009) and the weakest one's reading.

    Parameters
    ----------
    bayes : DataFrame
        Per area reported: ``log10_bf10``, ``favours``, ``strength``, ``reading``.
    n_areas : int
        Areas reported.

    Returns
    -------
    str
        "It cannot be computed for any area here, ..." or "For the four areas[ where it can be computed] it
        ranges from X upwards; [even the weakest is | the weakest is] <reading>.[ It cannot be computed for
        k of K areas, ...]"
    """
    bf = bayes["log10_bf10"].dropna()
    if bf.empty:
        return "It cannot be computed for any area here, because the changes do not vary."
    weakest = bf.idxmin()
    reading = bayes.loc[weakest, "reading"]
    strongest = ("even the weakest is" if bayes.loc[weakest, "favours"] == "H1" and bayes.loc[weakest, "strength"] != "anecdotal"
                 else "the weakest is")
    missing = n_areas - len(bf)
    tail = f" It cannot be computed for {count_of(missing, n_areas, 'areas')}, where the changes do not vary." if missing else ""
    where = " where it can be computed" if missing else ""
    return (f"For the {number_word(len(bf)) if len(bf) <= 12 else len(bf)} area{'s' if len(bf) != 1 else ''}"
            f"{where} it ranges from {bayes_factor_sentence_text(bf.min())} upwards; {strongest} {reading}.{tail}")


def rtm_sentence(rtm: pd.DataFrame) -> str:
    """Regression to the mean: start score against change, and Oldham's (1962) correction.

    Parameters
    ----------
    rtm : DataFrame
        Per area reported: ``r_start_change``, ``r_mean_change``.

    Returns
    -------
    str
        "The correlation between start score and change cannot be computed here, ..."; or one of
        "Participants who rated themselves lowest at the start tended to gain most (...)",
        "Participants who rated themselves highest at the start tended to gain most, the opposite of
        regression to the mean (...)", "There is no consistent link between start score and change (...)",
        then why part of the correlation is built in, then "Oldham's correction, ..., gives A to B." or
        "Oldham's correction cannot be computed."
    """
    r = rtm["r_start_change"].dropna()
    if r.empty:
        return ("The correlation between start score and change cannot be computed here, because the changes do "
                "not vary, so regression to the mean cannot be assessed.")
    span = (f"ranges from {format_half_up(r.min(), 2)} to {format_half_up(r.max(), 2)} across areas" if len(r) > 1
            else f"is {format_half_up(r.min(), 2)}")
    o = rtm["r_mean_change"].dropna()
    oldham = (f"Oldham's correction, which correlates the change with the average of start and end, gives "
              f"{oldham_span(o)}, {oldham_reading(o)}." if len(o)
              else "Oldham's correction cannot be computed.")
    if (r < 0).all():
        lead = f"Participants who rated themselves lowest at the start tended to gain most (the correlation between start score and change {span})."
        built_in = ("Part of that correlation is built in, because measurement error in the start score appears in "
                    "the change with the opposite sign;")
    elif (r > 0).all():
        lead = (f"Participants who rated themselves highest at the start tended to gain most, the opposite of "
                f"regression to the mean (the correlation between start score and change {span}).")
        built_in = ("Measurement error in the start score pushes this correlation the other way, towards negative "
                    "values, so the positive correlation is not an artefact of it;")
    else:
        lead = f"There is no consistent link between start score and change (the correlation {span})."
        built_in = ("Part of any negative correlation is built in, because measurement error in the start score "
                    "appears in the change with the opposite sign;")
    return f"{lead} {built_in} {oldham}"


def oldham_span(r: pd.Series) -> str:
    """Oldham's correlations as a value or a range: "0.12", "-0.18 to 0.21".

    Parameters
    ----------
    r : Series
        Oldham's correlation per area (no NaN).

    Returns
    -------
    str
    """
    low, high = format_half_up(r.min(), 2), format_half_up(r.max(), 2)
    return low if low == high else f"{low} to {high}"


def oldham_reading(r: pd.Series, weak: float = 0.3) -> str:
    """What Oldham's (1962) correlations mean for regression to the mean, in words.

    Parameters
    ----------
    r : Series
        Correlation of the change with the mean of start and end, per area (no NaN).
    weak : float
        Largest absolute correlation read as weak (Cohen 1988 calls 0.1 small and 0.3 medium).

    Returns
    -------
    str
        "all weak, so once that artefact is removed, how low a participant started says
        little about how much they gained" (every abs(r) < ``weak``); "negative in every
        area, so those who started lower still gained more once the artefact is removed";
        "positive in every area, so those who started higher gained more once the artefact
        is removed"; or "mixed in sign, so no consistent link remains once the artefact is
        removed".
    """
    if (r.abs() < weak).all():
        return ("all weak, so once that artefact is removed, how low a participant started says little about how "
                "much they gained")
    if (r < 0).all():
        return "negative in every area, so those who started lower still gained more once the artefact is removed"
    if (r > 0).all():
        return "positive in every area, so those who started higher gained more once the artefact is removed"
    return "mixed in sign, so no consistent link remains once the artefact is removed"


def ceiling_labels(scale_max: float, ceiling_offset: float) -> tuple[str, str]:
    """The ratings counted as near the ceiling, in words.

    Parameters
    ----------
    scale_max : float
        The top of the rating scale.
    ceiling_offset : float
        Ratings at or above ``scale_max - ceiling_offset`` count.

    Returns
    -------
    labels : str
        "9 or 10" (offset 1), "8, 9 or 10" (offset 2).
    points : str
        "the top two points" (offset 1).
    """
    top = [f"{v:g}" for v in np.arange(scale_max - ceiling_offset, scale_max + 0.5)]
    labels = top[0] if len(top) == 1 else ", ".join(top[:-1]) + " or " + top[-1]
    return labels, f"the top {number_word(len(top))} point{'s' if len(top) != 1 else ''}"


def ceiling_sentence(share: float, top_labels: str, scale: str, points: str = "the top two points") -> str:
    """How many end ratings are near the top of the scale.

    Parameters
    ----------
    share : float
        Share (0 to 1) of end ratings at or above the ceiling threshold.
    top_labels : str
        Those ratings ("9 or 10"), from :func:`ceiling_labels`.
    scale : str
        The scale ("1–10").
    points : str
        "the top two points", from :func:`ceiling_labels`.

    Returns
    -------
    str
        "No end rating is 9 or 10, the top two points of the 1–10 scale, so a ceiling does not limit the
        change here." or "31% of end ratings are 9 or 10, the top two points of the 1–10 scale; those ratings
        have little room to show further change."
    """
    if share == 0:
        return (f"No end rating is {top_labels}, {points} of the {scale} scale, so a ceiling does not "
                "limit the change here.")
    return sentence_start(f"{format_half_up(100 * share, 0)}% of end ratings are {top_labels}, {points} of the "
                          f"{scale} scale; those ratings have little room to show further change.")


def attrition_sentence(attended, n: int) -> str:
    """How many who attended are missing from the paired comparison.

    Parameters
    ----------
    attended : int, str or None
        ``attended`` in ``cohort.yml`` (None or "" when not recorded).
    n : int
        Participants who completed both self-assessments.

    Returns
    -------
    str
        "The cohort's records do not say how many people attended, ...", "The cohort's record of
        attendance gives k attendees, fewer than the n who completed both ...", "All k people who
        attended the course completed both self-assessments." or "Twenty-six people attended the
        course, but only nine completed both ..., so 17 (65%) are missing from the paired
        comparison. ..." (a count opening the sentence in words).
    """
    try:
        attended = int(attended) if attended not in (None, "") else None
    except (TypeError, ValueError):
        attended = None
    if attended is None:
        return (f"The cohort's records do not say how many people attended, so how many are missing "
                f"besides the {n} who completed both self-assessments is not known.")
    missing = attended - n
    if missing < 0:
        return (f"The cohort's record of attendance gives {attended} attendees, fewer than the {n} who completed both "
                "self-assessments, so the attendance figure needs checking and attrition cannot be estimated.")
    if missing == 0:
        return sentence_start(f"{count_of(n, attended, 'people who attended the course')} completed both self-assessments.")
    share = format_half_up(100 * missing / attended, 0)
    return (sentence_start(f"{attended} people attended the course, but only {number_word(n)} completed both "
                           f"self-assessments, so {number_word(missing)} ({share}%) are missing from the paired comparison.")
            + " Those who completed both may well be those who got most from the course.")


def robust_sentence(effects: pd.DataFrame, wilcoxon: pd.DataFrame, bayes: pd.DataFrame, area_holm: pd.Series,
                    names: dict[str, str], n_text: str, alpha: float, every: str = "in every area",
                    n_pairs: int | None = None) -> str:
    """The claim that survives: which areas changed, and which checks the change survives.

    Where every participant changed by the same amount the t-test is undefined; the
    Wilcoxon test (signs and ranks only) then decides whether there is a change.

    Parameters
    ----------
    effects : DataFrame
        Per area reported: ``t``, ``p_ttest``, ``mean_change``.
    wilcoxon : DataFrame
        Per area: ``p``.
    bayes : DataFrame
        Per area: ``favours``, ``strength``.
    area_holm : Series
        Per area: Holm-adjusted t-test p.
    names : dict
        Area ID to area name.
    n_text : str
        Participants in words ("nine").
    alpha : float
    every : str
        How "every area" reads ("in every area reported" when some are withheld).
    n_pairs : int, optional
        The most pairs any area has.

    Returns
    -------
    str
        Completes "The one claim that survives is ...": "no area-level change: no participant's area score
        changed ...", "no area-level change: in none of the K areas analysed does the paired t-test give
        p < .05, ...", or "the nine participants who rated themselves twice rated themselves clearly
        higher/lower at the end, <where>." followed by what it survives ("This survives a test without
        normality, Bayes factors and a correction for multiple testing at area level.", "... but not ...",
        "... does not survive ..., so even it is fragile.").
    """
    constant = effects["t"].isna() & effects["mean_change"].notna()
    p = effects["p_ttest"].where(~constant, wilcoxon["p"].reindex(effects.index))
    up = [a for a in effects.index if p[a] < alpha and effects.loc[a, "mean_change"] > 0]
    down = [a for a in effects.index if p[a] < alpha and effects.loc[a, "mean_change"] < 0]
    total = len(effects)
    level = alpha_text(alpha)
    if constant.all() and (effects["mean_change"] == 0).all():
        return "no area-level change: no participant's area score changed between the two self-assessments."
    if not up and not down:
        return (f"no area-level change: in {count_phrase(0, total, 'areas')} analysed does the paired t-test give p < {level}, "
                "so there is nothing here for the other checks to confirm.")
    who = f"the {n_text} participants who rated themselves twice"
    if up and not down:
        where = every if len(up) == total else f"in {join_words([names[a] for a in up])}"
        claim = f"{who} rated themselves clearly higher at the end, {where}."
    elif down and not up:
        where = every if len(down) == total else f"in {join_words([names[a] for a in down])}"
        claim = f"{who} rated themselves clearly lower at the end, {where}."
    else:
        claim = (f"{who} rated themselves clearly higher at the end in {join_words([names[a] for a in up])} and "
                 f"lower in {join_words([names[a] for a in down])}.")
    changed = [a for a in up + down if not constant[a]]
    same = [a for a in up + down if constant[a]]
    if same:
        claim += (f" In {'every one of these areas' if len(same) == len(up + down) else join_words([names[a] for a in same])} "
                  "every participant changed by the same amount, so the t-test, d_z and the Bayes factor are undefined; "
                  f"the Wilcoxon test, which needs no spread, gives {p_text(wilcoxon.loc[same, 'p'].max(), '≤')}.")
    if not changed:
        return claim
    checks = {
        "a test without normality": all(wilcoxon.loc[a, "p"] < alpha for a in changed),
        "Bayes factors": all(bayes.loc[a, "favours"] == "H1" and bayes.loc[a, "strength"] != "anecdotal" for a in changed),
        "a correction for multiple testing at area level": all(area_holm[a] <= alpha for a in changed),
    }
    passed = [c for c, ok in checks.items() if ok]
    failed = [c for c, ok in checks.items() if not ok]
    if not failed:
        return f"{claim} This survives {join_words(passed)}."
    if not passed:
        return f"{claim} This does not survive {join_words(failed)}, so even it is fragile."
    text = f"{claim} This survives {join_words(passed)}, but not {join_words(failed)}"
    if "a test without normality" in failed and n_pairs and robustness.smallest_exact_wilcoxon_p(n_pairs) > alpha:
        text += f" (which cannot give p < {level} with {n_pairs} pairs)"
    return text + "."


def area_coverage(area_n: pd.Series, withheld: list[str], names: dict[str, str], min_n: int) -> str:
    """Which participants each area's statistics rest on, and which areas are withheld.

    Parameters
    ----------
    area_n : Series
        Pairs per area reported.
    withheld : list of str
        Areas below the privacy threshold.
    names : dict
        Area ID to area name.
    min_n : int
        ``min_group_size`` in ``privacy.yml``.

    Returns
    -------
    str
        "Each area is based on the same n participants." or "Each area uses every participant with a score
        for it at both waves (n = a to b in the areas reported).[ Statistics are withheld for <areas>, which
        has/have fewer than the k participants below which this report publishes none.]"
    """
    n_min, n_max = int(area_n.min()), int(area_n.max())
    if area_n.nunique() <= 1 and not withheld:
        return f"Each area is based on the same {n_min} participants."
    n_text = str(n_min) if n_min == n_max else f"{n_min} to {n_max}"
    text = f"Each area uses every participant with a score for it at both waves (n = {n_text} in the areas reported)."
    if withheld:
        text += (f" Statistics are withheld for {join_words([names[a] for a in withheld])}, which "
                 f"{'has' if len(withheld) == 1 else 'have'} fewer than the {min_n} participants below which this "
                 "report publishes none.")
    return text


def chance_sentence(checks: RobustnessChecks, n_behaviours: int) -> str:
    """How many behaviours would be significant by chance alone, and which are not tested.

    Parameters
    ----------
    checks : RobustnessChecks
        Computed checks (``m``, ``item_n``, ``tested``, ``min_n``, ``alpha``).
    n_behaviours : int
        Behaviours in the framework.

    Returns
    -------
    str
        "No behaviour can be tested in this cohort: ..." or "Testing m behaviours at p < .05, each on its n
        pairs | each on its own available pairs (a to b), would, with no real change anywhere, flag about two
        by chance.[ k of the K behaviours are not tested: ...]"
    """
    k = checks.min_n
    m = checks.m
    if m == 0:
        return (f"No behaviour can be tested in this cohort: each has fewer than {k} pairs or a change "
                "that does not vary, so there is nothing to correct.")
    n_untested = n_behaviours - m
    untested = ""
    if n_untested:
        few = int((checks.item_n < k).sum())
        flat = n_untested - few
        reasons = []
        if few:
            reasons.append(f"{few if n_untested > 1 else 'it has'} {'with ' if n_untested > 1 else ''}fewer than {k} "
                           "pairs, for which no statistic is published")
        if flat:
            reasons.append(f"{flat if n_untested > 1 else 'every participant'}{' where every participant' if n_untested > 1 else ''}"
                           "'s change was the same, so no test is defined")
        verb = "is" if n_untested == 1 else "are"
        untested = f" {sentence_start(count_phrase(n_untested, n_behaviours, 'behaviours'))} {verb} not tested: {join_words(reasons)}."
    tested_n = checks.item_n[checks.tested]
    n_min, n_max = int(tested_n.min()), int(tested_n.max())
    per_n = f"each on its {n_min} pairs" if n_min == n_max else f"each on its own available pairs ({n_min} to {n_max})"
    return (f"Testing {m} behaviours at p < {alpha_text(checks.alpha)}, {per_n}, would, with no real change anywhere, "
            f"flag {expected_false_positives(m, checks.alpha)} by chance.{untested}")


def count_sentence(n_significant: int, alpha: float, published_count: int | None) -> str:
    """How many behaviours have a significant t-test, beside the 2013 report's count where it applies.

    Parameters
    ----------
    n_significant : int
        Behaviours with a raw t-test p below ``alpha``.
    alpha : float
    published_count : int or None
        The 2013 report's count (Appendix 3), or None for a cohort not compared with it.

    Returns
    -------
    str
        "The 2013 report counted 21 behaviours with p < .05; our data reproduce 21." or "In this cohort k
        behaviours have p < .05 in their own paired t-test (the comparison with the 2013 report applies only
        to the 2013 cohort)."
    """
    if published_count is not None:
        return (f"The 2013 report counted {published_count} behaviours with p < {alpha_text(PUBLISHED_ALPHA)}; "
                f"our data reproduce {n_significant}.")
    return (f"In this cohort {n_significant} behaviour{'s have' if n_significant != 1 else ' has'} p < {alpha_text(alpha)} "
            f"in {'their' if n_significant != 1 else 'its'} own paired t-test (the comparison with the 2013 report "
            "applies only to the 2013 cohort).")


def correction_sentence(n_significant: int, n_holm: int, n_bh: int, m: int, alpha: float) -> str:
    """How many significant behaviours survive Holm (1979) and Benjamini–Hochberg (1995).

    Parameters
    ----------
    n_significant : int
        Behaviours with a raw p below ``alpha``.
    n_holm, n_bh : int
        Behaviours passing each correction.
    m : int
        Behaviours tested.
    alpha : float

    Returns
    -------
    str
        "With none below .05, none can pass a correction either (Holm's threshold for the smallest p would be
        0.0013)." or "Of these, k survive(s) the Holm correction (...; threshold for the smallest p: 0.0013)
        and j the Benjamini–Hochberg correction (...)."
    """
    threshold = f"{alpha / m:.4f}"
    if n_significant == 0:
        return (f"With none below {alpha_text(alpha)}, none can pass a correction either (Holm's threshold "
                f"for the smallest p would be {threshold}).")
    return (f"Of these, {survive_verb(n_holm)} the Holm correction (which controls the chance of any false positive; "
            f"threshold for the smallest p: {threshold}) and {n_bh or 'none'} the Benjamini–Hochberg correction "
            "(which controls the expected share of false positives).")


def fragile_sentence(checks: RobustnessChecks, can_pass: bool, compare: bool) -> str:
    """What the behaviour-level claims rest on.

    Parameters
    ----------
    checks : RobustnessChecks
        Computed checks with at least one behaviour tested.
    can_pass : bool
        Whether a Holm-corrected exact Wilcoxon test can pass (:func:`wilcoxon_floor_sentence`).
    compare : bool
        Whether this is the 2013 cohort.

    Returns
    -------
    str
        Completes "The chapter cannot support ...": "anything about which behaviours changed. With up to n
        people per behaviour a Holm-corrected Wilcoxon test can confirm ..." or "... The behaviour-level
        counts rest on a method that cannot pass ...", ending ", and their survival under Holm in our data is
        a property of the synthetic data." (2013 cohort) or "; k of the m t-tests survive(s) the Holm
        correction."
    """
    m = checks.m
    n_max = int(checks.item_n[checks.tested].max())
    n_wil_pass = int(checks.wilcoxon_corrections["pass_holm"].sum())
    if can_pass:
        fragile = (f"with up to {n_max} people per behaviour a Holm-corrected Wilcoxon test can confirm a "
                   f"behaviour-level change, and {count_phrase(n_wil_pass, m, 'behaviours')} "
                   f"{'passes' if n_wil_pass == 1 else 'pass'} it")
    else:
        fragile = (f"the behaviour-level counts rest on a method that cannot pass a rank-based multiple-testing "
                   f"correction with {n_max} people per behaviour")
    if compare:
        fragile += ", and their survival under Holm in our data is a property of the synthetic data."
    else:
        n_holm = int(checks.corrections["pass_holm"].sum())
        fragile += f"; {count_phrase(n_holm, m, 't-tests')} {'survives' if n_holm == 1 else 'survive'} the Holm correction."
    return "anything about which behaviours changed. " + fragile[0].upper() + fragile[1:]


def synthetic_paragraph(compare: bool, p: pd.Series, significant: pd.Series, alpha: float) -> str:
    """Only for the 2013 cohort: what the reproduced behaviour counts rest on.

    Parameters
    ----------
    compare : bool
        Whether this is the 2013 cohort.
    p : Series
        Behaviour t-test p (NaN outside the family).
    significant : Series of bool
        Per behaviour: p below ``alpha``.
    alpha : float

    Returns
    -------
    str
        "" for another cohort; else "This part of the result says more about our synthetic data than about
        the 2013 cohort. The published report gives only the count of behaviours with p < .05, not their p
        values" followed by "; in these synthetic data the significant ones lie well below .001 and the
        rest well above .05. ..." or ", so whether they would survive a correction in the real data is not
        known."
    """
    if not compare:
        return ""
    text = ("This part of the result says more about our synthetic data than about the 2013 cohort. The published "
            f"report gives only the count of behaviours with p < {alpha_text(PUBLISHED_ALPHA)}, not their p values")
    sig_p, rest = p[significant], p[~significant & p.notna()]
    if len(sig_p) and len(rest) and sig_p.max() < 0.001 and rest.min() > alpha:
        text += ("; in these synthetic data the significant ones lie well below .001 and the rest well above "
                 f"{alpha_text(alpha)}. Real data could have put several close to {alpha_text(alpha)}, where a "
                 "correction would remove them.")
    else:
        text += ", so whether they would survive a correction in the real data is not known."
    return text


def alpha_sentence(reliability: pd.DataFrame, min_n: int, threshold: float, names: dict[str, str] | None = None) -> str:
    """Cronbach's (1951) alpha: on how many people, its range and precision, and what it allows.

    Parameters
    ----------
    reliability : DataFrame
        One row per wave and area: ``n_participants``, ``alpha``, ``ci_low``, ``ci_high``.
    min_n : int
        Fewest participants for which alpha is published (``privacy.yml``).
    threshold : float
        Alpha read as acceptable (``reliability_threshold``; 0.7 is the usual rule of
        thumb, Nunnally 1978).
    names : dict, optional
        Area ID (``unit``) to area name; default the IDs.

    Returns
    -------
    str
        "It cannot be computed here: ..." or "Here that is n people | a to b people, depending on area and
        wave. Alpha ranges from A to B" followed by one of ", but its intervals are very wide (...): the data
        cannot say whether the areas are reliable scales, ..." (naming every area and wave whose alpha is below
        the threshold, with its value), ", and the intervals are fairly narrow (...),
        so every area behaves as a consistent scale ..." or "; the intervals are fairly narrow, but the lowest
        limit, X, is below 0.7, ...", and "[ Alpha is withheld or undefined for k area-wave combinations.]"
    """
    rel = reliability[(reliability["n_participants"] >= min_n) & reliability["alpha"].notna()]
    if rel.empty:
        return (f"It cannot be computed here: no area has {min_n} or more participants who rated all its "
                "behaviours at a wave, or their total scores do not vary.")
    lo, hi = int(rel["n_participants"].min()), int(rel["n_participants"].max())
    people = f"{lo} people" if lo == hi else f"{lo} to {hi} people, depending on area and wave"
    skipped = len(reliability) - len(rel)
    low, high, ci_low = rel["alpha"].min(), rel["alpha"].max(), rel["ci_low"].min()
    width = (rel["ci_high"] - rel["ci_low"]).max()
    level = f"{threshold:g}"
    text = f"Here that is {people}. Alpha ranges from {format_half_up(low, 2)} to {format_half_up(high, 2)}"
    if width >= 0.5:
        below = rel[rel["alpha"] < threshold].sort_values("alpha", ascending=False)
        listed = join_words([f"{(names or {}).get(r.unit, r.unit)} at {'the ' + str(r.wave).replace('_', '-')} "
                             f"({format_half_up(r.alpha, 2)})" for r in below.itertuples()])
        verdict = ("only that they are not obviously incoherent" if below.empty else
                   f"and alpha is below {level}, the level often taken as acceptable, for {listed}, so "
                   f"{'that area score' if below['unit'].nunique() == 1 else 'those area scores'} should be read "
                   "with caution")
        text += (f", but its intervals are very wide (the lowest limit is {format_half_up(ci_low, 2)}): the data "
                 f"cannot say whether the areas are reliable scales, {verdict}.")
    elif ci_low >= threshold:
        text += (f", and the intervals are fairly narrow (the lowest limit is {format_half_up(ci_low, 2)}), so every "
                 f"area behaves as a consistent scale at the level often taken as acceptable ({level}).")
    else:
        text += (f"; the intervals are fairly narrow, but the lowest limit, {format_half_up(ci_low, 2)}, is below "
                 f"{level}, the level often taken as acceptable, so at least one area may be a weaker scale than its "
                 "alpha suggests.")
    if skipped:
        text += f" Alpha is withheld or undefined for {skipped} area-wave combination{'s' if skipped != 1 else ''}."
    return text


# ------------------------------------------------------------------ the chapter's glue


#: Why the chapter is withheld for unlinked waves (``linking: {by: none}``).
UNLINKED_NOTE = ("The start and end forms of this cohort are not linked person to person, so there are no pairs: every "
                 "check in this chapter (effect sizes of the change, tests that assume less, corrections, reliability of "
                 "the change, power) concerns paired changes and is withheld. The two waves are compared as independent "
                 "samples in the findings instead, which cannot show whether anyone's own rating changed.")


def withheld_note(n: int, min_n: int, most_area_pairs: int | None = None) -> str:
    """Why the chapter's analyses are withheld (the status line at its top).

    Parameters
    ----------
    n : int
        Participants with both self-assessments.
    min_n : int
        ``min_group_size`` in ``privacy.yml``.
    most_area_pairs : int, optional
        The most pairs any area has, when there are enough participants but no area has
        ``min_n`` pairs.

    Returns
    -------
    str
        "Only n participant(s) completed both self-assessments, fewer than the k below which ..." or "No area
        has a score at both waves for at least k participants (the most is j), ..."
    """
    if most_area_pairs is None:
        return (f"Only {n} participant(s) completed both self-assessments, fewer than the {min_n} "
                "below which this report publishes no statistics, so this chapter's analyses are withheld.")
    return (f"No area has a score at both waves for at least {min_n} participants (the most is {most_area_pairs}), "
            "the number below which this report publishes no statistics, so this chapter's analyses "
            "are withheld.")


def withheld_glue(status: str, n: int, n_behaviours: int, attended) -> dict[str, str]:
    """The glue when the analysis is withheld: the status and counts; :data:`ROBUST_GLUE` supplies the rest.

    Parameters
    ----------
    status : str
        From :func:`withheld_note`.
    n : int
        Participants with both self-assessments.
    n_behaviours : int
        Behaviours in the framework.
    attended : int, str or None
        ``attended`` in ``cohort.yml``.

    Returns
    -------
    dict
        Glue key to text.
    """
    return {"rob_status": status, "rob_n_word": number_word(n), "rob_n_behaviours": str(n_behaviours),
            "rob_attrition_sentence": attrition_sentence(attended, n)}


def robust_glue(checks: RobustnessChecks, names: dict[str, str], settings: AnalysisSettings, *,
                n_behaviours: int, scale: tuple[float, float], compare: bool, published_count: int | None,
                attended) -> dict[str, str]:
    """Every sentence the robustness chapter glues, for computed checks.

    Parameters
    ----------
    checks : RobustnessChecks
        Computed checks (``checks.computed`` is True).
    names : dict
        Area ID to area name.
    settings : AnalysisSettings
        ``alpha``, ``confidence``, ``effect_benchmarks``, ``power``, ``reliability_threshold``,
        ``ceiling_offset``.
    n_behaviours : int
        Behaviours in the framework.
    scale : (float, float)
        The rating scale's minimum and maximum.
    compare : bool
        Whether this is the 2013 cohort (compared with the published report).
    published_count : int or None
        The 2013 report's count of behaviours with p < .05 (Appendix 3), when ``compare``.
    attended : int, str or None
        ``attended`` in ``cohort.yml``.

    Returns
    -------
    dict
        Every key of :data:`ROBUST_GLUE` to its text.
    """
    alpha = settings.alpha
    benchmarks = settings.effect_benchmarks.labelled()
    shown = checks.shown_areas
    effects, wilcoxon = checks.effects.loc[shown], checks.wilcoxon.loc[shown]
    area_n = checks.area_n[shown]
    n_area_min, n_area_max = int(area_n.min()), int(area_n.max())
    area_n_text = str(n_area_min) if n_area_min == n_area_max else f"{n_area_min} to {n_area_max}"
    top_labels, points = ceiling_labels(scale[1], settings.ceiling_offset)
    g = {
        "status": "",
        "n_word": number_word(checks.n),
        "n_behaviours": str(n_behaviours),
        "area_coverage": area_coverage(area_n, checks.withheld_areas, names, checks.min_n),
        "dz_sentence": dz_sentence(effects["d_z"], benchmarks),
        "dz_precision": dz_precision_sentence(effects, names, benchmarks, settings.confidence),
        "wilcoxon_sentence": wilcoxon_sentence(wilcoxon["p"], wilcoxon["method"], alpha, n_area_max),
        "wilcoxon_method_note": wilcoxon_method_note(set(wilcoxon.dropna(subset=["p"])["method"]),
                                                     settings.wilcoxon_exact_max_n),
        "slope_figure_text": slope_figure_text(checks.n, settings.per_participant_plot_max_n),
        "agreement": agreement_sentence(effects, wilcoxon),
        "shapiro_sentence": shapiro_sentence(checks.normality.loc[shown, "shapiro_p"], area_n_text, alpha, n_area_max),
        "test_agreement": test_agreement_sentence(effects["p_ttest"], wilcoxon["p"], names, alpha, n_area_max),
        "bayes_sentence": bayes_sentence(checks.bayes.loc[shown], len(shown)),
        "rtm_sentence": rtm_sentence(checks.rtm.loc[shown]),
        "ceiling_sentence": ceiling_sentence(checks.ceiling_share, top_labels, f"{scale[0]:g}–{scale[1]:g}", points),
        "robust_sentence": robust_sentence(effects, checks.wilcoxon, checks.bayes, checks.area_holm, names,
                                           number_word(checks.n), alpha,
                                           "in every area reported" if checks.withheld_areas else "in every area",
                                           n_area_max),
        "attrition_sentence": attrition_sentence(attended, checks.n),
        "chance_sentence": chance_sentence(checks, n_behaviours),
        "power_paragraph": power_paragraph(checks, settings),
        "synthetic_paragraph": synthetic_paragraph(compare, checks.p_t, checks.significant, alpha),
        "alpha_sentence": alpha_sentence(checks.reliability, checks.min_n, settings.reliability_threshold, names),
    }
    if checks.m == 0:
        g["count_sentence"] = g["correction_sentence"] = g["wilcoxon_floor"] = ""
        g["fragile_sentence"] = "anything about which behaviours changed: no behaviour could be tested."
    else:
        n_significant = int(checks.significant.sum())
        tested_n = checks.item_n[checks.tested]
        g["count_sentence"] = count_sentence(n_significant, alpha, published_count if compare else None)
        g["correction_sentence"] = correction_sentence(n_significant, int(checks.corrections["pass_holm"].sum()),
                                                       int(checks.corrections["pass_bh"].sum()), checks.m, alpha)
        g["wilcoxon_floor"], can_pass = wilcoxon_floor_sentence(
            int(tested_n.max()), checks.m, int(checks.wilcoxon_corrections["pass_holm"].sum()), int(tested_n.min()), alpha,
            settings.wilcoxon_exact_max_n)
        g["fragile_sentence"] = fragile_sentence(checks, can_pass, compare)
    return {f"rob_{key}": value for key, value in g.items()}
