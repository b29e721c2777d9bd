"""Robustness checks for the paired before/after comparisons ("How robust are these findings?").

The published report ran one paired t-test per area.  The functions here ask how far
those conclusions survive other reasonable analyses: effect sizes with confidence
intervals, a rank-based test, the normality assumption, correction for many tests, the
floor that n = 9 puts under an exact Wilcoxon p value, internal consistency of the areas,
the smallest effect the design could detect, Bayes factors, regression to the mean and
ceiling effects.

Input convention (shared by the pipeline):

* ``before`` and ``after`` are pandas DataFrames with the same index (participant IDs,
  complete pairs only, already aligned) and the same columns (the *units*: area IDs for
  area scores, or behaviour IDs for single behaviours), float values.
* Change is always ``after - before``, so a positive value is an improvement.
* Every function works on all columns at once with array calls (``axis=0``) and returns a
  tidy DataFrame indexed by unit (index name ``"unit"``) with the columns documented in
  its docstring.  Only where the library offers no array form (pingouin's Bayes factor and
  Cronbach's alpha) do we loop over the at most 38 units.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
import pingouin as pg
from scipy import optimize, stats
from scipy.optimize import elementwise

from lehc_report.stats.bayes import MEDIUM_PRIOR_SCALE, jzs_log_bf10
from lehc_report.stats.spread import no_spread

__all__ = [
    "pairs_available",
    "by_available_pairs",
    "paired_effect_sizes",
    "wilcoxon_signed_rank",
    "normality_of_changes",
    "multiple_comparisons",
    "smallest_exact_wilcoxon_p",
    "wilcoxon_can_reach_threshold",
    "cronbach_alpha_by_area",
    "minimum_detectable_dz",
    "bayes_factors",
    "evidence_category",
    "regression_to_mean",
    "ceiling_share",
]

UNIT = "unit"

# Method labels reported by wilcoxon_signed_rank.
WILCOXON_EXACT = "exact"
WILCOXON_PERMUTATION = "exact permutation"
WILCOXON_NORMAL = "normal approximation"


# --------------------------------------------------------------------------- helpers


def _check_pairs(before: pd.DataFrame, after: pd.DataFrame) -> None:
    """Fail loudly if the pipeline's input convention is broken (silent misalignment
    would give plausible but wrong numbers)."""
    if not before.index.equals(after.index):
        raise ValueError("before and after must have the same index (participants), in the same order")
    if not before.columns.equals(after.columns):
        raise ValueError("before and after must have the same columns (units), in the same order")
    if before.isna().to_numpy().any() or after.isna().to_numpy().any():
        raise ValueError("before and after must hold complete pairs (no missing values)")
    if len(before) < 2:
        raise ValueError("at least two pairs are needed")


def _changes(before: pd.DataFrame, after: pd.DataFrame) -> pd.DataFrame:
    _check_pairs(before, after)
    return after.astype(float) - before.astype(float)


# "Do all changes agree (up to floating-point noise)?": the one tolerance shared by every
# test in every stage (stats/spread.py).  Area scores are means, so a change that is
# exactly 1 for everyone can come out as 1 +- 4e-16; an exact test ``sd == 0`` would
# miss it and report d_z ~ 1e16.
_constant = no_spread


def _frame(columns: pd.Index, data: dict) -> pd.DataFrame:
    out = pd.DataFrame(data, index=pd.Index(columns, name=UNIT))
    return out


# ------------------------------------------------------- 0. all available pairs


def pairs_available(before: pd.DataFrame, after: pd.DataFrame) -> pd.Series:
    """Per unit, how many participants have a value at both waves.

    Parameters
    ----------
    before, after : DataFrame
        Participants x units, same index and columns, NaN where not rated.

    Returns
    -------
    Series
        Pairs (int) per unit, indexed by unit.
    """
    return (before.notna() & after.notna()).sum(axis=0).astype(int)


def by_available_pairs(func, before: pd.DataFrame, after: pd.DataFrame, min_n: int = 2, **kwargs) -> pd.DataFrame:
    """Run one of this module's paired functions on every unit's own available pairs.

    The functions above need complete pairs.  Rather than dropping every participant
    with a gap anywhere (which let the sparsest unit set n for all), units are grouped
    by their pattern of available pairs and ``func`` is called once per pattern on the
    participants complete for it, so units with the same participants (usually all of
    them) are still computed in one vectorised call.  A unit with fewer than ``min_n``
    pairs (at least 2) is not computed: its row holds only ``n``; every other column is
    NaN.

    Parameters
    ----------
    func : callable
        One of this module's paired functions, ``func(before, after, **kwargs)``.
    before, after : DataFrame
        Participants x units, same index and columns, float, NaN where not rated.
    min_n : int
        Fewest pairs for which a unit is computed (at least 2).
    **kwargs
        Passed to ``func`` (e.g. ``confidence``).

    Returns
    -------
    DataFrame
        Indexed by unit in ``before``'s column order: ``n`` first, then ``func``'s columns.
    """
    both = before.notna() & after.notna()
    n = both.sum(axis=0).astype(int)
    floor = max(int(min_n), 2)
    groups: dict[tuple, list] = {}
    for unit in before.columns:
        if n[unit] >= floor:
            groups.setdefault(tuple(both[unit].to_numpy()), []).append(unit)
    parts = []
    for pattern, units in groups.items():
        rows = np.array(pattern)
        parts.append(func(before.loc[rows, units].astype(float), after.loc[rows, units].astype(float), **kwargs))
    out = pd.concat(parts) if parts else pd.DataFrame(index=pd.Index([], name=UNIT))
    out = out.reindex(pd.Index(before.columns, name=UNIT))
    out["n"] = n.to_numpy()
    return out[["n"] + [c for c in out.columns if c != "n"]]


# ------------------------------------------------------------------ 1. effect sizes


#: Above this |t| the d_z limits come from the noncentral t written as an integral over
#: the normal part (:func:`_nct_sf_large_t`): scipy 1.17's ``nct`` is wrong there for
#: small df (df = 1, t = 1e5: upper limit 2.01e5 instead of 2.24e5) and for t ~ 1e8 it
#: returns NaN or runs for minutes.
_NCT_DIRECT_MAX_T = 30.0


@functools.cache
def _gauss_legendre(points: int = 4096) -> tuple[np.ndarray, np.ndarray]:
    """Gauss-Legendre nodes and weights on [-1, 1], computed once, when first needed.

    Parameters
    ----------
    points : int
        Number of nodes.

    Returns
    -------
    tuple of numpy.ndarray
        Nodes and weights, each of shape (points,).

    Notes
    -----
    ``scipy.special.roots_legendre`` (Newton iteration from asymptotic starting values,
    O(points^2)) and not ``numpy.polynomial.legendre.leggauss`` (the eigenvalues of a
    points x points matrix, O(points^3)): for 4,096 points the latter took 23 s of CPU
    at every import of this module; the two agree to 2e-16 in the nodes and 3e-13 in
    the weights.
    """
    from scipy.special import roots_legendre

    return roots_legendre(points)


def _nct_sf_large_t(t: float, df: float, ncp: float) -> float:
    r"""P(T > t) for T ~ noncentral t(df, ncp), t > 0, from its definition.

    :math:`T = (Z + \delta)/\sqrt{V/\nu}` with Z standard normal and V chi-square(df),
    independent, so for t > 0
    :math:`P(T > t) = \int \phi(z)\, 1\{z > -\delta\}\, F_{\chi^2_\nu}(\nu (z + \delta)^2 / t^2)\, dz`
    (Johnson, Kotz & Balakrishnan 1995, *Continuous Univariate Distributions* vol. 2,
    ch. 31), integrated over z in [max(-delta, -12), 12] (the normal carries less than
    1e-32 beyond) by 4,096-point Gauss-Legendre quadrature, one array call: the
    chi-square factor's steepest step (df = 1e6 at t = 30) is about 0.02 wide in z,
    several nodes.
    """
    lower = max(-ncp, -12.0)
    if lower >= 12.0:
        return 0.0
    nodes, weights = _gauss_legendre()
    half = (12.0 - lower) / 2.0
    z = lower + half * (nodes + 1.0)
    values = stats.norm.pdf(z) * stats.chi2.cdf(df * ((z + ncp) / t) ** 2, df)
    return float(half * np.dot(weights, values))


def _nct_ncp_limits_large_t(t_abs: float, df: float, tail: float) -> tuple[float, float]:
    """Both limits for one |t| > _NCT_DIRECT_MAX_T by Brent's method on :func:`_nct_sf_large_t`.

    The brackets come from the large-t limit ncp ~ t sqrt(chi2_q(df) / df), widened
    by 12 (the reach of Z) on either side.
    """
    limits = []
    for target in (tail, 1.0 - tail):
        guess_low = t_abs * np.sqrt(stats.chi2.ppf(min(target, 1e-6), df) / df) - 12.0
        guess_high = t_abs * np.sqrt(stats.chi2.ppf(max(target, 1.0 - 1e-6), df) / df) + 12.0

        def shortfall(ncp: float) -> float:
            return _nct_sf_large_t(t_abs, df, ncp) - target

        limits.append(optimize.brentq(shortfall, guess_low, guess_high, xtol=1e-10 * max(1.0, t_abs), rtol=1e-12))
    return limits[0], limits[1]


def _nct_ncp_limits(t_obs: np.ndarray, df: float, confidence: float) -> tuple[np.ndarray, np.ndarray]:
    """Confidence limits for the noncentrality parameter of a noncentral t.

    Parameters
    ----------
    t_obs : numpy.ndarray of float
        Observed t statistics, one per unit (NaN for an undefined test).
    df : float
        Degrees of freedom (n - 1 for a paired t on n pairs).
    confidence : float
        Confidence level, e.g. 0.95.

    Returns
    -------
    tuple of numpy.ndarray
        ``(ncp_low, ncp_high)``, the shape of ``t_obs``; NaN where ``t_obs`` is NaN.
        Divide by sqrt(n) for the limits of d_z.

    Notes
    -----
    The limits are the values of ``ncp`` for which the observed t sits at the upper and
    lower ``(1 - confidence) / 2`` tail (Steiger & Fouladi 1997 "confidence interval
    inversion"):

        nct.cdf(t_obs, df, ncp_low)  = 1 - (1 - confidence) / 2
        nct.cdf(t_obs, df, ncp_high) =     (1 - confidence) / 2

    We write them with the survival function, ``nct.sf = 1 - nct.cdf``, because in scipy
    1.17 ``nct.cdf`` returns NaN over wide stretches of its far lower tail (e.g.
    ``nct.cdf(-10, 8, 6)``; scipy issue #25470), which the bracket search can wander
    into, whereas ``nct.sf`` stays finite.  ``nct.sf`` rises monotonically in ``ncp``, so
    each equation has one root.  Units with |t| <= 30 are solved at once with scipy's
    elementwise (vectorised) bracketing root finder; larger |t| (e.g. 2,000
    participants and a large effect) by Brent's method on the noncentral t's definition
    (:func:`_nct_sf_large_t`), using ``ncp_low(-t) = -ncp_high(t)``.
    """
    t_obs = np.asarray(t_obs, dtype=float)
    low = np.full(t_obs.shape, np.nan)
    high = np.full(t_obs.shape, np.nan)
    tail = (1.0 - confidence) / 2.0
    ok = np.isfinite(t_obs) & (np.abs(t_obs) <= _NCT_DIRECT_MAX_T)
    if ok.any():
        t_ok = t_obs[ok]

        def f(ncp, t, target):
            return stats.nct.sf(t, df, ncp) - target

        for target, out in ((tail, low), (1.0 - tail, high)):
            bracket = elementwise.bracket_root(f, t_ok - 1.0, t_ok + 1.0, args=(t_ok, target))
            root = elementwise.find_root(f, bracket.bracket, args=(t_ok, target))
            out[ok] = np.where(bracket.success & root.success, root.x, np.nan)
    for index in zip(*np.nonzero(np.isfinite(t_obs) & (np.abs(t_obs) > _NCT_DIRECT_MAX_T))):
        lim_low, lim_high = _nct_ncp_limits_large_t(abs(float(t_obs[index])), float(df), tail)
        low[index], high[index] = (lim_low, lim_high) if t_obs[index] > 0 else (-lim_high, -lim_low)
    return low, high


def paired_effect_sizes(before: pd.DataFrame, after: pd.DataFrame, confidence: float) -> pd.DataFrame:
    r"""Mean change, its t-based CI, the paired t-test and standardised effect sizes.

    With change :math:`D = after - before` over the *n* pairs of one unit:

    * ``n``: number of pairs.
    * ``mean_change``: :math:`\bar D`.
    * ``ci_low``, ``ci_high``: :math:`\bar D \pm t_{1-(1-c)/2,\,n-1}\; s_D / \sqrt n`.
    * ``sd_change``: :math:`s_D` (ddof = 1).
    * ``t``, ``p_ttest``: paired t-test, :math:`t = \bar D / (s_D/\sqrt n)`, df = n - 1,
      two-sided (``scipy.stats.ttest_rel(after, before, axis=0)``).
    * ``d_z``: :math:`\bar D / s_D` (= :math:`t/\sqrt n`; Cohen 1988, Lakens 2013 eq. 6).
    * ``d_z_ci_low``, ``d_z_ci_high``: exact CI from the noncentral t.  The observed
      :math:`t = d_z\sqrt n` follows a noncentral t with df = n - 1 and noncentrality
      :math:`\delta\sqrt n`; the limits for the noncentrality are found by root finding
      (``nct.cdf(t, df, ncp_low) = 1-(1-c)/2``, ``nct.cdf(t, df, ncp_high) = (1-c)/2``,
      solved in the equivalent ``nct.sf`` form) and divided by :math:`\sqrt n`.
    * ``sd_before``, ``sd_after``: SDs of the two occasions (ddof = 1).
    * ``d_av``: :math:`\bar D / ((s_{before} + s_{after}) / 2)`, the mean change in units
      of the *arithmetic* mean SD (Lakens 2013 eq. 10).
    * ``d_av_rms``: :math:`\bar D / \sqrt{(s_{before}^2 + s_{after}^2)/2}`, the mean change
      in units of the root-mean-square SD (Cumming 2012).  This is what
      ``pingouin.compute_effsize(after, before, paired=True, eftype="cohen")`` returns in
      pingouin 0.7.0 (its source says it switched from the arithmetic mean SD to this in
      v0.3.4), so pingouin does **not** give ``d_av``; the two agree only when the SDs are
      equal.

    A unit whose changes are all equal has :math:`s_D = 0`: ``t``, ``p_ttest``, ``d_z``
    and its CI are then undefined and returned as NaN (scipy would give t = inf and
    p = 0 when the common change is not zero, which reads as overwhelming evidence
    from what is really a degenerate sample).

    Parameters
    ----------
    before, after : DataFrame
        Participants x units, complete pairs, same index and columns (scores on the
        rating scale).
    confidence : float
        Level of both intervals (0.95 for 95%).

    Returns
    -------
    DataFrame
        One row per unit (index ``unit``) with the columns listed above; changes in
        scale points, effect sizes in SD units.

    Raises
    ------
    ValueError
        Misaligned or incomplete pairs, or fewer than two.
    """
    change = _changes(before, after)
    n = len(change)
    df = n - 1
    diff = change.to_numpy()
    mean_change = diff.mean(axis=0)
    sd_change = diff.std(axis=0, ddof=1)
    sd_before = before.to_numpy(dtype=float).std(axis=0, ddof=1)
    sd_after = after.to_numpy(dtype=float).std(axis=0, ddof=1)

    half_width = stats.t.ppf(1.0 - (1.0 - confidence) / 2.0, df) * sd_change / np.sqrt(n)
    with np.errstate(divide="ignore", invalid="ignore"):
        ttest = stats.ttest_rel(after.to_numpy(dtype=float), before.to_numpy(dtype=float), axis=0)
        d_z = mean_change / sd_change
        d_av = mean_change / ((sd_before + sd_after) / 2.0)
        d_av_rms = mean_change / np.sqrt((sd_before**2 + sd_after**2) / 2.0)
    constant = _constant(diff)
    t_stat = np.where(constant, np.nan, np.atleast_1d(ttest.statistic))
    p_ttest = np.where(constant, np.nan, np.atleast_1d(ttest.pvalue))
    d_z = np.where(constant, np.nan, d_z)
    ncp_low, ncp_high = _nct_ncp_limits(d_z * np.sqrt(n), df, confidence)

    return _frame(
        change.columns,
        {
            "n": n,
            "mean_change": mean_change,
            "ci_low": mean_change - half_width,
            "ci_high": mean_change + half_width,
            "sd_change": sd_change,
            "t": t_stat,
            "p_ttest": p_ttest,
            "d_z": d_z,
            "d_z_ci_low": ncp_low / np.sqrt(n),
            "d_z_ci_high": ncp_high / np.sqrt(n),
            "sd_before": sd_before,
            "sd_after": sd_after,
            "d_av": d_av,
            "d_av_rms": d_av_rms,
        },
    )


# ------------------------------------------------------------------- 2. Wilcoxon


def _wilcoxon_method(change: np.ndarray, exact_max_n: int = 50) -> np.ndarray:
    """Per-unit replica of ``scipy.stats.wilcoxon(method="auto")`` (scipy 1.17).

    scipy decides between its methods *once for the whole array* when called with
    ``axis=0`` (any tie or zero anywhere switches every column), so we make the decision
    per unit ourselves and then call scipy once per method group.  The rule, as in
    scipy's ``_wilcoxon.py``, with n = number of pairs including zero differences:

    * n > 50 -> normal approximation;
    * no ties among |D| and no zero D -> exact null distribution;
    * otherwise n <= 13 -> permutation test, which for n <= 13 enumerates all 2**n sign
      assignments and is therefore exact given the ties;
    * otherwise -> normal approximation.
    """
    n, m = change.shape
    nonzero = np.where(change == 0, np.nan, np.abs(change))
    sorted_abs = np.sort(nonzero, axis=0)  # NaNs (zeros) sort last and never compare equal
    has_ties = (np.diff(sorted_abs, axis=0) == 0).any(axis=0)
    has_zero = (change == 0).any(axis=0)
    if n > min(50, exact_max_n):  # scipy's own limit is 50; analysis.yml can set a lower one
        return np.full(m, WILCOXON_NORMAL, dtype=object)
    method = np.where(has_ties | has_zero, WILCOXON_PERMUTATION, WILCOXON_EXACT).astype(object)
    if n > 13:
        method[method == WILCOXON_PERMUTATION] = WILCOXON_NORMAL
    return method


def _walsh_median(change: np.ndarray) -> float:
    """Median of the n(n+1)/2 Walsh averages (D_i + D_j)/2, i <= j, from the distinct changes.

    Equal to ``np.median`` over all Walsh averages, but built from the k distinct values
    and their counts (k x k pairs, weighted), so 10,000 participants whose changes take a
    few hundred values need megabytes, not the gigabytes of all n(n+1)/2 averages.
    """
    values, counts = np.unique(change, return_counts=True)
    a, b = np.triu_indices(len(values))
    walsh = (values[a] + values[b]) / 2.0
    weight = np.where(a == b, counts[a] * (counts[a] + 1) // 2, counts[a] * counts[b])
    order = np.argsort(walsh, kind="stable")
    cumulative = np.cumsum(weight[order])
    total = int(cumulative[-1])
    low = walsh[order][np.searchsorted(cumulative, (total - 1) // 2, side="right")]
    high = walsh[order][np.searchsorted(cumulative, total // 2, side="right")]
    return float((low + high) / 2.0)


def _exact_sign_flip_p(ranks: np.ndarray, t_plus: np.ndarray) -> np.ndarray:
    """Two-sided p of T+ over all 2**n sign assignments, for every unit at once.

    ``ranks``: (n, units) ranks of |D| with zero differences given rank 0 (flipping a
    zero changes nothing, so it only duplicates the distribution).  As in
    ``scipy.stats.permutation_test``: p = 2 * min(P(T+ <= obs), P(T+ >= obs)), at most 1.
    """
    n = ranks.shape[0]
    patterns = (np.arange(2**n)[:, None] >> np.arange(n)[None, :]) & 1  # (2**n, n) of 0/1
    null = patterns @ ranks  # (2**n, units): T+ under each sign pattern
    tolerance = 1e-9 * np.maximum(np.abs(t_plus), 1.0)
    less = (null <= t_plus + tolerance).mean(axis=0)
    greater = (null >= t_plus - tolerance).mean(axis=0)
    return np.minimum(1.0, 2.0 * np.minimum(less, greater))


def wilcoxon_signed_rank(before: pd.DataFrame, after: pd.DataFrame, exact_max_n: int = 50) -> pd.DataFrame:
    r"""Wilcoxon signed-rank test of the changes, with rank-biserial r and Hodges–Lehmann.

    Zero differences are dropped before ranking (Wilcoxon's original method,
    ``zero_method="wilcox"``, as in scipy's and pingouin's default); tied |D| get average
    ranks.  Returned columns:

    * ``n``: number of pairs; ``n_nonzero``: pairs with a non-zero change (the ranked ones).
    * ``t_plus``, ``t_minus``: rank sums of the positive and negative changes.
    * ``statistic``: :math:`\min(T^+, T^-)` (scipy's two-sided statistic).
    * ``p``: two-sided p value; ``method``: how it was obtained for this unit —
      ``"exact"`` (no ties, no zeros, n <= 50: exact null distribution),
      ``"exact permutation"`` (ties or zeros, n <= 13: all :math:`2^n` sign flips
      enumerated, exact conditional on the ties) or ``"normal approximation"`` (otherwise;
      tie-corrected, *with* continuity correction as in R's ``wilcox.test`` and
      ``pingouin.wilcoxon``).  The choice per unit follows ``scipy.stats.wilcoxon``'s
      ``method="auto"`` for that unit alone, so each row equals
      ``pingouin.wilcoxon(after[u], before[u])``.
    * ``rank_biserial``: matched-pairs rank-biserial correlation
      :math:`r = (T^+ - T^-)/(T^+ + T^-)` over the non-zero changes (Kerby 2014); +1 when
      every non-zero change is positive.
    * ``hodges_lehmann``: median of the :math:`n(n+1)/2` Walsh averages
      :math:`(D_i + D_j)/2,\ i \le j` of *all* n changes, zeros included (Hodges &
      Lehmann 1963; Hollander & Wolfe).  Note R's ``wilcox.test(conf.int=TRUE)`` drops
      zeros first and, with ties, reports a different (root-finding) estimate.

    A unit with all changes zero gets NaN p, statistic and rank-biserial.

    Parameters
    ----------
    before, after : DataFrame
        Participants x units, complete pairs, same index and columns.
    exact_max_n : int
        Most pairs for an exact (or exact permutation) p; above it, and above scipy's
        own limit of 50, the normal approximation (``wilcoxon_exact_max_n`` in ``analysis.yml``).

    Returns
    -------
    DataFrame
        One row per unit (index ``unit``) with the columns listed above.

    Raises
    ------
    ValueError
        Misaligned or incomplete pairs, or fewer than two.
    """
    change = _changes(before, after)
    # Area scores are means (e.g. 61/7), so two equal changes can differ in the last bit
    # of a float and escape tie detection (the default cohort's Strategic Intent did).
    # Rounding to 9 decimals, far below the 1/(behaviours x behaviours) resolution of a
    # change in means, makes equal changes equal.
    d = np.round(change.to_numpy(dtype=float), 9)
    n, m = d.shape

    # Rank |D| with zeros removed (as NaN, which rankdata leaves unranked).
    abs_nonzero = np.where(d == 0, np.nan, np.abs(d))
    ranks = stats.rankdata(abs_nonzero, axis=0, nan_policy="omit")
    t_plus = np.nansum(np.where(d > 0, ranks, 0.0), axis=0)
    t_minus = np.nansum(np.where(d < 0, ranks, 0.0), axis=0)
    n_nonzero = (d != 0).sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        rank_biserial = np.where(n_nonzero > 0, (t_plus - t_minus) / (t_plus + t_minus), np.nan)

    method = _wilcoxon_method(d, exact_max_n)
    statistic = np.full(m, np.nan)
    p = np.full(m, np.nan)
    scipy_method = {
        WILCOXON_EXACT: "exact",
        WILCOXON_PERMUTATION: stats.PermutationMethod(),
        WILCOXON_NORMAL: "asymptotic",
    }
    for label, how in scipy_method.items():
        cols = (method == label) & (n_nonzero > 0)
        if not cols.any():
            continue
        if label == WILCOXON_PERMUTATION:
            # scipy's PermutationMethod calls the statistic once per sign pattern in
            # Python (2**n calls per unit, ~5 s for 38 units); the same exact
            # enumeration is one matrix product here.
            statistic[cols] = np.minimum(t_plus[cols], t_minus[cols])
            p[cols] = _exact_sign_flip_p(np.nan_to_num(ranks[:, cols]), t_plus[cols])
            continue
        res = stats.wilcoxon(d[:, cols], axis=0, method=how, correction=True, zero_method="wilcox")
        statistic[cols] = res.statistic
        p[cols] = res.pvalue

    hodges_lehmann = np.array([_walsh_median(d[:, u]) for u in range(m)], dtype=float)

    return _frame(
        change.columns,
        {
            "n": n,
            "n_nonzero": n_nonzero,
            "t_plus": t_plus,
            "t_minus": t_minus,
            "statistic": statistic,
            "p": p,
            "method": method,
            "rank_biserial": rank_biserial,
            "hodges_lehmann": hodges_lehmann,
        },
    )


# ------------------------------------------------------------------- 3. normality


def normality_of_changes(before: pd.DataFrame, after: pd.DataFrame) -> pd.DataFrame:
    """Shapiro–Wilk test of the changes (the paired t-test assumes they are normal).

    Columns: ``n``, ``shapiro_w`` (W statistic), ``shapiro_p``.  scipy 1.17's
    ``shapiro`` accepts ``axis``, so all units are tested in one call.  With n = 9 the
    test has little power: a large p is weak reassurance, not proof of normality.
    A unit whose changes are all equal gives NaN: normality is then undefined (scipy
    would return W = 1, p = 1, which reads as "no departure").  Fewer than three pairs
    also give NaN (the test needs three).  Method: Shapiro & Wilk (1965).

    Parameters
    ----------
    before, after : DataFrame
        Participants x units, complete pairs, same index and columns.

    Returns
    -------
    DataFrame
        One row per unit (index ``unit``): ``n``, ``shapiro_w``, ``shapiro_p``.

    Raises
    ------
    ValueError
        Misaligned or incomplete pairs, or fewer than two.
    """
    change = _changes(before, after)
    d = change.to_numpy()
    w = np.full(d.shape[1], np.nan)
    p = np.full(d.shape[1], np.nan)
    varies = ~_constant(d)
    if len(d) >= 3 and varies.any():
        res = stats.shapiro(d[:, varies], axis=0)
        w[varies] = np.atleast_1d(res.statistic)
        p[varies] = np.atleast_1d(res.pvalue)
    return _frame(change.columns, {"n": len(change), "shapiro_w": w, "shapiro_p": p})


# ------------------------------------------------------------ 4. multiple comparisons


def _holm(p: np.ndarray) -> np.ndarray:
    """Holm step-down adjusted p values, vectorised.

    Sort ascending, multiply the i-th smallest (i = 0..m-1) by (m - i), take the
    cumulative maximum (adjusted p values may not decrease), clip at 1, unsort.
    """
    m = p.size
    order = np.argsort(p, kind="stable")
    adjusted_sorted = np.minimum(np.maximum.accumulate((m - np.arange(m)) * p[order]), 1.0)
    adjusted = np.empty(m)
    adjusted[order] = adjusted_sorted
    return adjusted


def multiple_comparisons(p_values: pd.Series, alpha: float) -> pd.DataFrame:
    """Holm (family-wise error) and Benjamini–Hochberg (false discovery rate) adjustment.

    Columns: ``p`` (raw), ``p_holm`` (Holm 1979, own vectorised implementation, checked
    against statsmodels in the tests), ``p_bh`` (``scipy.stats.false_discovery_control``,
    method ``"bh"``), ``pass_raw`` (p <= alpha), ``pass_holm`` (p_holm <= alpha),
    ``pass_bh`` (p_bh <= alpha).  ``p <= alpha`` on the adjusted p is the same decision as
    the step-down/step-up rules (and as statsmodels' ``reject``).

    The family is every unit with a finite p; a NaN p (e.g. a unit with no change at all)
    is not counted in m, stays NaN and never passes.  Methods: Holm (1979), Benjamini &
    Hochberg (1995).

    Parameters
    ----------
    p_values : Series
        Raw p per unit (NaN = not in the family).
    alpha : float
        Family-wise (Holm) and false-discovery (BH) level.

    Returns
    -------
    DataFrame
        Indexed like ``p_values`` (named ``unit`` if unnamed), with the columns above.
    """
    p_raw = p_values.astype(float).to_numpy()
    finite = np.isfinite(p_raw)
    p_holm = np.full(p_raw.shape, np.nan)
    p_bh = np.full(p_raw.shape, np.nan)
    if finite.any():
        p_holm[finite] = _holm(p_raw[finite])
        p_bh[finite] = stats.false_discovery_control(p_raw[finite], method="bh")
    out = pd.DataFrame(
        {
            "p": p_raw,
            "p_holm": p_holm,
            "p_bh": p_bh,
            "pass_raw": p_raw <= alpha,
            "pass_holm": p_holm <= alpha,
            "pass_bh": p_bh <= alpha,
        },
        index=p_values.index.copy(),
    )
    if out.index.name is None:
        out.index.name = UNIT
    return out


# ---------------------------------------------------- 5. floor of the exact Wilcoxon p


def smallest_exact_wilcoxon_p(n: int) -> float:
    """Smallest two-sided p the exact Wilcoxon signed-rank test can give with n pairs.

    The most extreme outcome (all n changes of one sign) has probability 1/2**n under
    H0 in each tail, so the floor is 2 / 2**n (n = 9: 2/512 = 0.00390625).  We read it
    off scipy's exact null distribution rather than the formula: ``scipy.stats.wilcoxon``
    on n distinct, all *negative* differences (T+ = 0).  Negative, because scipy then
    sums the lower tail directly; with all-positive differences it computes 1 - sf and
    the p value underflows to 0 from n = 54 on.

    With zero differences the test ranks fewer pairs, so the floor is higher
    (2 / 2**n_nonzero); ties do not lower it.

    Parameters
    ----------
    n : int
        Pairs with a non-zero change, at least 1.

    Returns
    -------
    float
        The smallest two-sided p, 2 / 2**n.

    Raises
    ------
    ValueError
        n below 1.
    """
    n = int(n)
    if n < 1:
        raise ValueError("n must be at least 1")
    if n > 50:
        # Beyond scipy's exact range the test is not exact anyway, and building the exact
        # distribution costs O(n**3) (9 s at n = 2,000); 2**(1 - n) is exact in binary
        # floating point (0.0 once it underflows, n > 1075).
        return 2.0 ** (1 - n)
    differences = -np.arange(1.0, n + 1.0)
    return float(stats.wilcoxon(differences, method="exact").pvalue)


def wilcoxon_can_reach_threshold(n: int, alpha: float, n_tests: int) -> bool:
    """Whether an exact Wilcoxon test on n pairs can reach p <= alpha / n_tests at all.

    ``alpha / n_tests`` is the Bonferroni threshold and the first (strictest) Holm step
    (Holm 1979), so if the floor :func:`smallest_exact_wilcoxon_p` lies above it, no unit
    can pass a Holm-corrected Wilcoxon test whatever the data.  For n = 9 and 38
    behaviours: 0.0039 > 0.05/38 = 0.0013, so it cannot.

    Parameters
    ----------
    n : int
        Pairs with a non-zero change.
    alpha : float
        Family-wise significance level.
    n_tests : int
        Tests in the family (m).

    Returns
    -------
    bool
    """
    return smallest_exact_wilcoxon_p(n) <= alpha / n_tests


# ---------------------------------------------------------------- 6. Cronbach alpha


def cronbach_alpha_by_area(
    scores_wide: pd.DataFrame,
    framework_items: Mapping[object, Sequence[object]],
    confidence: float,
    min_n: int = 2,
) -> pd.DataFrame:
    r"""Cronbach's alpha of each area's behaviours, with its CI.

    ``scores_wide``: participants x behaviours at one occasion.  ``framework_items``:
    area ID -> list of its behaviour IDs.  Per area,
    :math:`\alpha = \frac{k}{k-1}\left(1 - \frac{\sum_i s_i^2}{s_{total}^2}\right)` and the
    CI is Feldt's F-based interval, both from ``pingouin.cronbach_alpha(..., ci=confidence)``
    (one call per area; pingouin has no vectorised form).  pingouin rounds the CI limits
    to 3 decimals.

    Alpha needs complete cases: per area, only participants who rated every one of its
    behaviours are used (listwise within the area; pingouin's default would otherwise
    mix pairwise covariances).  ``n_participants`` is how many that is.

    Areas with fewer than two items, fewer than ``min_n`` (at least 2) complete
    participants, or no variation in the total score get NaN.  Methods: Cronbach (1951);
    Feldt, Woodruff & Salih (1987) for the interval.

    Parameters
    ----------
    scores_wide : DataFrame
        Participants x behaviours at one occasion (ratings, NaN = not answered).
    framework_items : Mapping
        Area ID -> list of its behaviour IDs.
    confidence : float
        Level of the interval (0.95 for 95%).
    min_n : int
        Fewest complete participants for which alpha is computed.

    Returns
    -------
    DataFrame
        One row per area (index ``unit``): ``n_items`` (k), ``n_participants``, ``alpha``,
        ``ci_low``, ``ci_high``.

    Raises
    ------
    KeyError
        An area names a behaviour that is not a column of ``scores_wide``.
    """
    rows = {}
    for area, items in framework_items.items():
        items = list(items)
        missing = [item for item in items if item not in scores_wide.columns]
        if missing:
            raise KeyError(f"area {area!r}: behaviours not in scores_wide: {missing}")
        data = scores_wide[items].astype(float).dropna()
        if len(items) < 2 or len(data) < max(int(min_n), 2) or not data.sum(axis=1).var(ddof=1) > 0:
            alpha, ci = np.nan, (np.nan, np.nan)
        else:
            alpha, ci = pg.cronbach_alpha(data=data, ci=confidence)
        rows[area] = {
            "n_items": len(items),
            "n_participants": len(data),
            "alpha": float(alpha),
            "ci_low": float(ci[0]),
            "ci_high": float(ci[1]),
        }
    out = pd.DataFrame.from_dict(rows, orient="index")
    out.index.name = UNIT
    return out


# ---------------------------------------------------- 7. minimum detectable effect


def _paired_t_power(d: float, n: int, alpha: float, two_sided: bool) -> float:
    """Power of the paired t-test (df = n - 1) for a true d_z = d, from the noncentral t.

    The lower rejection region P(T < -t_crit | ncp) is written as P(T > t_crit | -ncp)
    (the noncentral t is symmetric under T -> -T, ncp -> -ncp) because scipy 1.17's
    ``nct.cdf`` returns NaN in its far lower tail (scipy issue #25470); ``nct.sf`` does not.
    """
    df = n - 1
    ncp = d * np.sqrt(n)
    if two_sided:
        t_crit = stats.t.ppf(1.0 - alpha / 2.0, df)
        return float(stats.nct.sf(t_crit, df, ncp) + stats.nct.sf(t_crit, df, -ncp))
    t_crit = stats.t.ppf(1.0 - alpha, df)
    return float(stats.nct.sf(t_crit, df, ncp))


def minimum_detectable_dz(n: int, alpha: float, power: float, two_sided: bool = True) -> float:
    r"""Smallest true d_z a paired t-test on n pairs detects with the given power.

    Power is :math:`P(|T| > t_{crit})` (two-sided; :math:`P(T > t_{crit})` one-sided) with
    :math:`T \sim` noncentral t(df = n - 1, ncp = :math:`d\sqrt n`) and
    :math:`t_{crit}` the central-t critical value; power rises with d, and ``brentq``
    finds the d where it equals ``power`` (Cohen 1988, ch. 2).  For a single behaviour
    under Holm/Bonferroni, pass ``alpha / m``.

    Parameters
    ----------
    n : int
        Pairs, at least 2.
    alpha : float
        Significance level of the test.
    power : float
        Required power, between ``alpha`` and 1.
    two_sided : bool

    Returns
    -------
    float
        The smallest detectable d_z (SD units of the change).

    Raises
    ------
    ValueError
        n below 2, or power not between alpha and 1.
    """
    if n < 2:
        raise ValueError("n must be at least 2")
    if not alpha < power < 1:
        raise ValueError("power must lie between alpha and 1")

    def shortfall(d: float) -> float:
        return _paired_t_power(d, n, alpha, two_sided) - power

    upper = 1.0
    while shortfall(upper) < 0:  # widen the bracket until power is reached
        upper *= 2.0
    return float(optimize.brentq(shortfall, 0.0, upper, xtol=1e-12, rtol=1e-12))


# ------------------------------------------------------------------ 8. Bayes factors

# Lee & Wagenmakers (2013, Table 7.1), adapted from Jeffreys (1961): lower bounds of
# each category on the scale of the Bayes factor in favour of the favoured hypothesis.
_EVIDENCE_BOUNDS = np.array([1.0, 3.0, 10.0, 30.0, 100.0])
_EVIDENCE_LABELS = np.array(["anecdotal", "moderate", "strong", "very strong", "extreme"], dtype=object)


def evidence_category(bf10) -> pd.DataFrame:
    """Verbal reading of BF10 values (Lee & Wagenmakers 2013 / Jeffreys 1961).

    BF10 > 1 favours H1, < 1 favours H0 (read on BF01 = 1/BF10).  Strength by the
    favoured Bayes factor B: [1, 3) anecdotal, [3, 10) moderate, [10, 30) strong,
    [30, 100) very strong, >= 100 extreme.  BF10 = 1 exactly: no evidence either way.

    Parameters
    ----------
    bf10 : float or array-like
        Bayes factors in favour of H1 (a change).

    Returns
    -------
    DataFrame
        One row per value: ``favours`` ("H1", "H0", "neither" or NaN), ``strength`` and
        ``reading`` (e.g. "moderate evidence for H1 (a change)"; "not computable" for a
        missing or non-positive value).
    """
    bf10 = np.atleast_1d(np.asarray(bf10, dtype=float))
    finite = np.isfinite(bf10) & (bf10 > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        favoured_bf = np.where(bf10 >= 1, bf10, 1.0 / bf10)
    strength = _EVIDENCE_LABELS[np.clip(np.digitize(favoured_bf, _EVIDENCE_BOUNDS) - 1, 0, 4)]
    favours = np.where(bf10 > 1, "H1", np.where(bf10 < 1, "H0", "neither")).astype(object)
    target = np.where(bf10 > 1, "H1 (a change)", "H0 (no change)")
    reading = (strength + " evidence for " + target).astype(object)
    reading[bf10 == 1] = "no evidence either way"
    strength[bf10 == 1] = "none"
    favours[~finite] = np.nan
    strength[~finite] = np.nan
    reading[~finite] = "not computable"
    return pd.DataFrame({"favours": favours, "strength": strength, "reading": reading})


def bayes_factors(before: pd.DataFrame, after: pd.DataFrame, r: float = MEDIUM_PRIOR_SCALE) -> pd.DataFrame:
    r"""JZS Bayes factor for the paired t-test (Rouder et al. 2009), per unit.

    Parameters
    ----------
    before, after : pandas.DataFrame
        Participants x units ratings or scores at the two occasions, complete pairs,
        same index and columns (the module's input convention).
    r : float, default 0.707
        Scale of the Cauchy(0, r) prior on the standardised change :math:`d_z`.  Note
        that the "medium" default of JASP and R's BayesFactor is exactly
        :math:`\sqrt 2/2 = 0.70710678`; r = 0.707 gives a slightly different value
        (t = 7.911441657, n = 10: 964.71 against BayesFactor's 964.82).

    Returns
    -------
    pandas.DataFrame
        Indexed by unit, columns ``n``, ``t`` (paired t, after - before), ``log10_bf10``
        (:math:`\log_{10} BF_{10}`, finite at any t and n), ``bf10`` (evidence for a
        change over none; ``inf`` beyond the largest float, about 1e308), ``bf01`` =
        1 / bf10 (0 there), and ``favours``, ``strength``, ``reading`` from
        :func:`evidence_category`.  A unit whose changes do not vary
        (:func:`lehc_report.stats.spread.no_spread`) has an undefined t and NaN Bayes
        factors ("not computable").

    Raises
    ------
    ValueError
        If the input convention is broken (misaligned or incomplete pairs, fewer than
        two), or ``r`` is not positive.

    Notes
    -----
    Rouder, Speckman, Sun, Morey & Iverson (2009), *Psychon. Bull. Rev.* 16, 225-237,
    eq. 1, computed in log space to a relative accuracy of 1e-6 by
    :func:`lehc_report.stats.bayes.jzs_log_bf10` (pingouin's ``bayesfactor_ttest``
    raised ZeroDivisionError for large t, e.g. with 2,000 participants).  Show the
    values with :func:`lehc_report.prose.robust.bayes_factor_text`, which prints a
    bound ("> 10^100") beyond its cap.
    """
    _check_pairs(before, after)
    n = len(before)
    change = after.to_numpy(dtype=float) - before.to_numpy(dtype=float)
    # No spread in the changes: t (and so the Bayes factor) is undefined, and not computed
    # (scipy would divide by floating-point noise and warn).
    varies = ~no_spread(change, axis=0)
    t = np.full(change.shape[1], np.nan)
    if varies.any():
        t[varies] = stats.ttest_rel(after.to_numpy(dtype=float)[:, varies], before.to_numpy(dtype=float)[:, varies], axis=0).statistic
    log10_bf10 = jzs_log_bf10(t, n, r) / np.log(10.0)
    with np.errstate(over="ignore"):
        bf10 = 10.0**log10_bf10
        bf01 = 10.0 ** (-log10_bf10)
    # Beyond the float range the reading is still "extreme evidence for H1".
    verbal = evidence_category(np.minimum(bf10, np.finfo(float).max))
    return _frame(
        before.columns,
        {
            "n": n,
            "t": t,
            "log10_bf10": log10_bf10,
            "bf10": bf10,
            "bf01": bf01,
            "favours": verbal["favours"].to_numpy(),
            "strength": verbal["strength"].to_numpy(),
            "reading": verbal["reading"].to_numpy(),
        },
    )


# ------------------------------------------------- 9. regression to the mean, ceiling


def regression_to_mean(before: pd.DataFrame, after: pd.DataFrame) -> pd.DataFrame:
    """Do participants who started low gain most?  Correlations across participants.

    * ``r_start_change``, ``p_start_change``: Pearson r between the start score and the
      change (after - before).  A negative r is what regression to the mean produces,
      but it is also *built in*: measurement error in ``before`` enters the change with the
      opposite sign, so r < 0 is expected even without any real effect.
    * ``r_mean_change``, ``p_mean_change``: Oldham's (1962) correction — Pearson r between
      the participant's mean of before and after and the change.  It equals zero exactly
      when the SDs of before and after are equal, so a clear non-zero r here means the
      spread changed (low starters gained more: r < 0), not a mere artefact.

    Uses ``scipy.stats.pearsonr(..., axis=0)``.  A unit whose changes do not vary gets NaN.

    Parameters
    ----------
    before, after : DataFrame
        Participants x units, complete pairs, same index and columns.

    Returns
    -------
    DataFrame
        One row per unit (index ``unit``): ``n`` (participants) and the four columns above.

    Raises
    ------
    ValueError
        Misaligned or incomplete pairs, or fewer than two.
    """
    change = _changes(before, after)
    start = before.to_numpy(dtype=float)
    d = change.to_numpy()
    mean_score = (start + after.to_numpy(dtype=float)) / 2.0
    # A change with no spread has no correlation with anything (pearsonr would warn and,
    # with floating-point noise in the changes, return a meaningless r).
    flat = _constant(d)
    r_start, p_start, r_mean, p_mean = (np.full(d.shape[1], np.nan) for _ in range(4))
    if len(d) >= 2 and (~flat).any():
        with np.errstate(divide="ignore", invalid="ignore"):
            start_res = stats.pearsonr(start[:, ~flat], d[:, ~flat], axis=0)
            mean_res = stats.pearsonr(mean_score[:, ~flat], d[:, ~flat], axis=0)
        r_start[~flat], p_start[~flat] = start_res.statistic, start_res.pvalue
        r_mean[~flat], p_mean[~flat] = mean_res.statistic, mean_res.pvalue
    return _frame(
        change.columns,
        {
            "n": len(change),
            "r_start_change": r_start,
            "p_start_change": p_start,
            "r_mean_change": r_mean,
            "p_mean_change": p_mean,
        },
    )


def ceiling_share(after_ratings: pd.DataFrame, threshold: float) -> pd.DataFrame:
    """Share of ratings at or above ``threshold`` per unit (a ceiling effect).

    The overall share is ``out.n_at_or_above.sum() / out.n_ratings.sum()``.

    Parameters
    ----------
    after_ratings : DataFrame
        Participants x units (e.g. the end ratings of each behaviour); missing ratings
        are ignored.
    threshold : float
        The rating counted as near the ceiling (e.g. scale maximum minus one).

    Returns
    -------
    DataFrame
        One row per unit (index ``unit``): ``n_ratings`` (non-missing), ``n_at_or_above``
        and ``share`` = n_at_or_above / n_ratings (NaN with no ratings).
    """
    values = after_ratings.to_numpy(dtype=float)
    n_ratings = np.isfinite(values).sum(axis=0)
    n_at_or_above = (values >= threshold).sum(axis=0)  # NaN >= threshold is False
    with np.errstate(divide="ignore", invalid="ignore"):
        share = n_at_or_above / n_ratings
    return _frame(
        after_ratings.columns,
        {"n_ratings": n_ratings, "n_at_or_above": n_at_or_above, "share": share},
    )
