"""Two waves compared as independent samples (``linking: {by: none}`` in ``cohort.yml``).

When the start and end questionnaires cannot be linked person to person, the waves
are two samples of the cohort, not pairs: a paired test would pair strangers.  This
module gives the comparisons that stay honest without links: Welch's t-test (no
equal-variance assumption), the Brunner-Munzel test (no normality or equal-variance
assumption) and Hedges' g with its confidence interval.  What an unlinked comparison
cannot show (whether any one person changed) is for the report to say.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from scipy import stats


@dataclass(frozen=True)
class IndependentComparison:
    """Welch, Brunner-Munzel and Hedges' g for one unit (an area or a behaviour).

    ``t``, ``df``, ``p_welch``, ``w``, ``p_brunner_munzel``, ``hedges_g``, ``g_low`` and
    ``g_high`` are NaN where the statistic is undefined (fewer than two answers in a
    wave, or no spread at all).  ``mean_difference`` is after minus before.
    """

    n_before: int
    n_after: int
    mean_before: float
    mean_after: float
    mean_difference: float
    t: float
    df: float
    p_welch: float
    w: float
    p_brunner_munzel: float
    hedges_g: float
    g_low: float
    g_high: float


def _clean(values) -> np.ndarray:
    array = np.asarray(values, dtype="float64")
    return array[~np.isnan(array)]


def welch_t(before, after) -> tuple[float, float, float]:
    """Welch's unequal-variance t-test of ``after`` against ``before``.

    Parameters
    ----------
    before, after : array-like of float, shape (n1,) and (n2,)
        One wave's scores each (e.g. area scores on the framework's scale); NaN is
        dropped. The two samples hold different people, or unlinked people.

    Returns
    -------
    t : float
        (mean(after) - mean(before)) / sqrt(s1^2/n1 + s2^2/n2).
    df : float
        Welch-Satterthwaite degrees of freedom.
    p : float
        Two-sided p-value. All three are NaN with fewer than two values in a wave or
        no spread in either.

    Notes
    -----
    Welch, B. L. (1947). The generalization of 'Student's' problem when several
    different population variances are involved. *Biometrika* 34, 28-35.
    """
    x, y = _clean(before), _clean(after)
    if len(x) < 2 or len(y) < 2:
        return (np.nan, np.nan, np.nan)
    v1, v2 = x.var(ddof=1) / len(x), y.var(ddof=1) / len(y)
    if v1 + v2 == 0:
        return (np.nan, np.nan, np.nan)
    result = stats.ttest_ind(y, x, equal_var=False)
    df = (v1 + v2) ** 2 / (v1**2 / (len(x) - 1) + v2**2 / (len(y) - 1))
    return (float(result.statistic), float(df), float(result.pvalue))


def brunner_munzel(before, after) -> tuple[float, float]:
    """Brunner-Munzel test of stochastic equality, ``after`` against ``before``.

    Parameters
    ----------
    before, after : array-like of float, shape (n1,) and (n2,)
        One wave's scores each; NaN is dropped.

    Returns
    -------
    w : float
        The Brunner-Munzel statistic (``scipy.stats.brunnermunzel(before, after)``;
        positive when ``after`` tends to be larger, as Welch's t is).
    p : float
        Two-sided p-value from the t approximation. Both are NaN with fewer than two
        values in a wave, or when the statistic is undefined (no spread within the
        waves' ranks).

    Notes
    -----
    Brunner, E. and Munzel, U. (2000). The nonparametric Behrens-Fisher problem:
    asymptotic theory and a small-sample approximation. *Biometrical Journal* 42, 17-25.
    """
    x, y = _clean(before), _clean(after)
    if len(x) < 2 or len(y) < 2:
        return (np.nan, np.nan)
    with warnings.catch_warnings():  # undefined statistic (no spread in ranks): NaN, reported as such
        warnings.simplefilter("ignore", RuntimeWarning)
        result = stats.brunnermunzel(x, y)
    w, p = float(result.statistic), float(result.pvalue)
    if not np.isfinite(w):
        return (np.nan, np.nan)
    return (w, p)


def hedges_g(before, after, confidence: float = 0.95) -> tuple[float, float, float]:
    """Hedges' g (after minus before, pooled SD) with its confidence interval.

    Parameters
    ----------
    before, after : array-like of float, shape (n1,) and (n2,)
        One wave's scores each; NaN is dropped.
    confidence : float
        Coverage of the interval, e.g. 0.95.

    Returns
    -------
    g : float
        J * d, with d = (mean(after) - mean(before)) / s_pooled,
        s_pooled = sqrt(((n1-1) s1^2 + (n2-1) s2^2) / (n1 + n2 - 2)) and the small-sample
        correction J = 1 - 3 / (4 (n1 + n2 - 2) - 1).
    low, high : float
        g -/+ z * SE(g), with Var(d) = (n1 + n2) / (n1 n2) + d^2 / (2 (n1 + n2)) and
        Var(g) = J^2 Var(d). All three are NaN with fewer than two values in a wave or a
        pooled SD of 0.

    Notes
    -----
    Hedges, L. V. and Olkin, I. (1985). *Statistical Methods for Meta-Analysis*,
    ch. 5; the formulas as given in Borenstein, M., Hedges, L. V., Higgins, J. P. T. and
    Rothstein, H. R. (2009). *Introduction to Meta-Analysis*, eqs. 4.18-4.24.
    """
    x, y = _clean(before), _clean(after)
    n1, n2 = len(x), len(y)
    if n1 < 2 or n2 < 2:
        return (np.nan, np.nan, np.nan)
    pooled = np.sqrt(((n1 - 1) * x.var(ddof=1) + (n2 - 1) * y.var(ddof=1)) / (n1 + n2 - 2))
    if pooled == 0:
        return (np.nan, np.nan, np.nan)
    d = (y.mean() - x.mean()) / pooled
    j = 1 - 3 / (4 * (n1 + n2 - 2) - 1)
    var_d = (n1 + n2) / (n1 * n2) + d**2 / (2 * (n1 + n2))
    g, se = j * d, j * np.sqrt(var_d)
    z = stats.norm.ppf(0.5 + confidence / 2)
    return (float(g), float(g - z * se), float(g + z * se))


def compare_independent(before, after, confidence: float = 0.95) -> IndependentComparison:
    """Every independent-samples statistic for one unit.

    Parameters
    ----------
    before, after : array-like of float, shape (n1,) and (n2,)
        One wave's scores each (e.g. one area's scores at start and at end); NaN is
        dropped.
    confidence : float
        Coverage of Hedges' g interval (``analysis.yml``'s ``confidence``).

    Returns
    -------
    IndependentComparison
        Counts, means, Welch's t, Brunner-Munzel and Hedges' g with its interval.

    Notes
    -----
    See :func:`welch_t`, :func:`brunner_munzel` and :func:`hedges_g` for the sources.
    """
    x, y = _clean(before), _clean(after)
    mean_x = float(x.mean()) if len(x) else np.nan
    mean_y = float(y.mean()) if len(y) else np.nan
    t, df, p = welch_t(x, y)
    w, p_bm = brunner_munzel(x, y)
    g, low, high = hedges_g(x, y, confidence)
    return IndependentComparison(len(x), len(y), mean_x, mean_y, mean_y - mean_x, t, df, p, w, p_bm, g, low, high)


def independent_area_table(tidy, framework, min_share_answered: float, before: str = "start", after: str = "end",
                           confidence: float = 0.95):
    """Each area compared between two unlinked waves, as independent samples.

    Parameters
    ----------
    tidy : pandas.DataFrame
        The tidy ratings (``participant_id``, ``wave``, ``behaviour_id``, ``area_id``,
        ``score`` on the framework's scale), e.g. from ``linking: {by: none}``.
    framework : Framework
    min_share_answered : float
        Share of an area's behaviours a person must have answered for an area score
        (``min_share_answered`` in ``analysis.yml``).
    before, after : str
        The two waves compared.
    confidence : float
        Coverage of Hedges' g interval.

    Returns
    -------
    pandas.DataFrame
        One row per area in framework order: ``area_id``, ``area``, ``n_before``,
        ``n_after`` (people with an area score), ``mean_before``, ``sd_before``,
        ``mean_after``, ``sd_after``, ``mean_difference`` (after minus before), ``t``,
        ``df``, ``p_welch``, ``w``, ``p_brunner_munzel``, ``hedges_g``, ``g_low``,
        ``g_high``. Area scores are those of
        :func:`lehc_report.stats.paired.area_scores` (missing with fewer than
        ``min_share_answered`` of the behaviours answered).

    Notes
    -----
    See :func:`compare_independent` for the methods and their sources.
    """
    import pandas as pd

    from lehc_report.stats.paired import area_scores

    scores = area_scores(tidy, framework, min_share_answered)
    rows = []
    for area in framework.areas.itertuples():
        mine = scores[scores["area_id"] == area.area_id]
        x = mine.loc[mine["wave"] == before, "score"].astype("float64").dropna().to_numpy()
        y = mine.loc[mine["wave"] == after, "score"].astype("float64").dropna().to_numpy()
        result = compare_independent(x, y, confidence)
        rows.append({
            "area_id": area.area_id, "area": area.area_name, "n_before": result.n_before, "n_after": result.n_after,
            "mean_before": result.mean_before, "sd_before": x.std(ddof=1) if len(x) > 1 else np.nan,
            "mean_after": result.mean_after, "sd_after": y.std(ddof=1) if len(y) > 1 else np.nan,
            "mean_difference": result.mean_difference, "t": result.t, "df": result.df, "p_welch": result.p_welch,
            "w": result.w, "p_brunner_munzel": result.p_brunner_munzel, "hedges_g": result.hedges_g,
            "g_low": result.g_low, "g_high": result.g_high,
        })
    return pd.DataFrame(rows)
