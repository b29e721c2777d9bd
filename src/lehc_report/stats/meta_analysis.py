"""Random-effects meta-analysis and meta-regression across cohorts (issue 16).

Each cohort contributes one effect ``y_i`` (a d_z or a raw mean change) with a known
sampling variance ``v_i``; the cohorts' true effects are assumed to vary around a mean
``mu`` with between-cohort variance ``tau^2`` (the random-effects model,
``y_i ~ N(mu, v_i + tau^2)``; Viechtbauer 2010, section 2).  This module estimates:

- ``tau^2`` by restricted maximum likelihood (REML; Fisher scoring as in
  Viechtbauer 2005 and metafor), with the DerSimonian-Laird (1986) moment estimate
  beside it as a check;
- the pooled effect, its standard error and a Hartung-Knapp(-Sidik-Jonkman) interval
  (Hartung 1999; Sidik and Jonkman 2002; Knapp and Hartung 2003: the variance of the
  pooled effect rescaled by the weighted residual mean square, with t on k - p df);
- Cochran's Q and its p; I-squared from ``tau^2`` and the typical within-cohort
  variance (Higgins and Thompson 2002), which is how metafor reports I-squared
  for REML (for DerSimonian-Laird it equals the Q-based (Q - df) / Q);
- the 95% prediction interval for the true effect in a new cohort
  (Higgins, Thompson and Spiegelhalter 2009; Riley, Higgins and Deeks 2011):
  ``mu +/- t_{k-2} sqrt(tau^2 + SE(mu)^2)``, with the unadjusted SE, undefined when k < 3;
- a mixed-effects meta-regression on cohort-level moderators (year, region) with REML
  ``tau^2`` and Knapp-Hartung t and F tests.

Why this is written here and not taken from a library
-----------------------------------------------------
The two Python candidates were checked against the project's pins:

- **PyMARE 0.0.13** (``VarianceBasedLikelihoodEstimator(method="REML")``) installs
  against numpy 2.4.6, scipy 1.17.1 and pandas 3.1.1 (``pip install --dry-run -c
  constraints.txt`` adds only sympy 1.14.0 and mpmath 1.3.0, for symbolic effect-size
  conversions this project does not use; importing it took about 6 s on this machine).
  Tried on the BCG trials it gives metafor's REML tau^2 (0.3132) and Knapp-Hartung
  interval (-1.1084 to -0.3206; it applies Knapp-Hartung by default and labels the t
  statistic "z-score"), but its I-squared is the Q-based ``(Q - df) / Q`` (92.12%, and
  64.21% for the latitude meta-regression) where the report needs metafor's
  tau^2-based value (92.22%, 68.39%); it has no prediction interval; and with a single
  study it returns a made-up tau^2 (0.02 for one effect with v = 0.04) and an interval
  instead of NaN.  Everything the report needs beyond the REML iteration and the
  Knapp-Hartung variance (a few lines each) would have been written around it anyway,
  so it is not added.
- **statsmodels 0.15** (already pinned) ``statsmodels.stats.meta_analysis.combine_effects``
  has DerSimonian-Laird and Paule-Mandel but no REML.  It is used here for the
  DerSimonian-Laird check, so that the check comes from a second implementation rather
  than from this module's own arithmetic; only its tau^2 is taken, truncated at 0,
  because it leaves the moment estimate negative when Q < k - 1 and pools with that.

So the REML fit, the Knapp-Hartung tests and the prediction interval are written out
below (numpy and scipy only) and tested against values printed in metafor's
documentation for the BCG vaccine trials, not against this code.

Undefined results are NaN, never an exception: with one cohort there is no ``tau^2``,
no Q test and no interval; with two there is no prediction interval (t on 0 df).
Unusable input (lengths that differ, a missing effect, a variance that is not positive)
is refused with a one-line ``ValueError``: the caller leaves such a cohort out and says so.

References
----------
DerSimonian, R., & Laird, N. (1986). Meta-analysis in clinical trials. Controlled
Clinical Trials, 7(3), 177-188.
Gibbons, R. D., Hedeker, D. R., & Davis, J. M. (1993). Estimation of effect size from a
series of experiments involving paired comparisons. Journal of Educational Statistics,
18(3), 271-279.
Hartung, J. (1999). An alternative method for meta-analysis. Biometrical Journal, 41(8),
901-916.
Higgins, J. P. T., & Thompson, S. G. (2002). Quantifying heterogeneity in a
meta-analysis. Statistics in Medicine, 21(11), 1539-1558.
Higgins, J. P. T., & Thompson, S. G. (2004). Controlling the risk of spurious findings
from meta-regression. Statistics in Medicine, 23(11), 1663-1682.
Higgins, J. P. T., Thompson, S. G., & Spiegelhalter, D. J. (2009). A re-evaluation of
random-effects meta-analysis. JRSS A, 172(1), 137-159.
Knapp, G., & Hartung, J. (2003). Improved tests for a random effects meta-regression with
a single covariate. Statistics in Medicine, 22(17), 2693-2710.
Raudenbush, S. W. (2009). Analyzing effect sizes: Random-effects models. In Cooper,
Hedges & Valentine (Eds.), The Handbook of Research Synthesis and Meta-Analysis (2nd ed.).
Riley, R. D., Higgins, J. P. T., & Deeks, J. J. (2011). Interpretation of random effects
meta-analyses. BMJ, 342, d549.
Sidik, K., & Jonkman, J. N. (2002). A simple confidence interval for meta-analysis.
Statistics in Medicine, 21(21), 3153-3159.
Viechtbauer, W. (2005). Bias and efficiency of meta-analytic variance estimators in the
random-effects model. Journal of Educational and Behavioral Statistics, 30(3), 261-293.
Viechtbauer, W. (2010). Conducting meta-analyses in R with the metafor package. Journal
of Statistical Software, 36(3), 1-48.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats
from scipy.optimize import minimize_scalar
from statsmodels.stats.meta_analysis import combine_effects

__all__ = [
    "MetaRegressionResult",
    "RandomEffectsResult",
    "dersimonian_laird_tau2",
    "dz_sampling_variance",
    "mean_change_variance",
    "meta_regression",
    "prediction_interval",
    "random_effects",
]

NAN = float("nan")

#: Fisher scoring stops when tau^2 moves by less than this (metafor uses 1e-5; tighter
#: costs nothing at the report's sizes and keeps the fourth decimal stable).
REML_TOLERANCE = 1e-10
REML_MAX_ITERATIONS = 100


# --------------------------------------------------------------------------- inputs


def dz_sampling_variance(d_z, n):
    """Large-sample sampling variance of a standardised mean change d_z.

    ``var(d_z) = 1/n + d_z^2 / (2n)``: the variance of a mean change standardised by
    the SD of the changes (change-score standardisation; Gibbons, Hedeker and Davis
    1993, Eq. 21 with n in place of n - 1, as metafor's
    ``escalc(measure="SMCC", vtype="LS")`` computes it), as issue 16 specifies.

    Parameters
    ----------
    d_z : float or array-like
        Standardised mean change per cohort (mean change / SD of the changes), unitless.
    n : int or array-like
        Number of participants with both waves (pairs), broadcastable against ``d_z``.

    Returns
    -------
    float or numpy.ndarray
        Sampling variance of each d_z; NaN where ``n < 2`` (no SD of changes, so no
        d_z) or ``d_z`` is NaN.
    """
    d_z, n = np.asarray(d_z, dtype=float), np.asarray(n, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        variance = np.where(n >= 2, 1.0 / n + d_z**2 / (2.0 * n), np.nan)
    return variance.item() if variance.ndim == 0 else variance


def mean_change_variance(sd_change, n):
    """Sampling variance of a raw mean change: ``SD_change^2 / n``.

    The squared standard error of a mean of ``n`` paired differences (any statistics
    textbook; used as issue 16 specifies for pooling the raw mean change).

    Parameters
    ----------
    sd_change : float or array-like
        SD of the participants' changes (sample SD, ddof = 1), in rating points.
    n : int or array-like
        Number of pairs, broadcastable against ``sd_change``.

    Returns
    -------
    float or numpy.ndarray
        Variance in squared rating points; NaN where ``n < 2`` or ``sd_change`` is NaN.
    """
    sd_change, n = np.asarray(sd_change, dtype=float), np.asarray(n, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        variance = np.where(n >= 2, sd_change**2 / n, np.nan)
    return variance.item() if variance.ndim == 0 else variance


def _checked(y, v) -> tuple[np.ndarray, np.ndarray]:
    """Effects and variances as 1-D float arrays, refused in one line if unusable."""
    y = np.asarray(y, dtype=float).reshape(-1)
    v = np.asarray(v, dtype=float).reshape(-1)
    if y.shape != v.shape:
        raise ValueError(f"effects and sampling variances differ in length ({y.size} and {v.size})")
    bad_y = np.flatnonzero(~np.isfinite(y))
    if bad_y.size:
        raise ValueError(f"effect {bad_y[0]} is {y[bad_y[0]]}; leave a cohort without an effect out before pooling")
    bad_v = np.flatnonzero(~(np.isfinite(v) & (v > 0)))
    if bad_v.size:
        raise ValueError(
            f"sampling variance {bad_v[0]} is {v[bad_v[0]]}; every variance must be positive and finite"
        )
    return y, v


# ------------------------------------------------------------------ shared numerics


def _projection(weights: np.ndarray, design: np.ndarray) -> np.ndarray:
    """``P = W - W X (X'WX)^-1 X'W``: the residual-maker of weighted least squares."""
    wx = design * weights[:, None]
    core = np.linalg.pinv(design.T @ wx)
    return np.diag(weights) - wx @ core @ wx.T


def _reml_tau2(y: np.ndarray, v: np.ndarray, design: np.ndarray) -> tuple[float, bool]:
    """REML estimate of tau^2 by Fisher scoring (Viechtbauer 2005; as metafor's rma.uni).

    Each step adds ``(y'PPy - tr(P)) / tr(PP)``, halved while it would make tau^2
    negative, from the non-negative Hedges (method-of-moments) start that metafor also
    uses by default.  Returns the estimate and whether it converged.
    """
    k, p = design.shape
    ols_residuals = y - design @ np.linalg.lstsq(design, y, rcond=None)[0]
    hat = design @ np.linalg.pinv(design.T @ design) @ design.T
    tau2 = max(0.0, (ols_residuals @ ols_residuals - np.sum(v * (1.0 - np.diag(hat)))) / (k - p))
    for _ in range(REML_MAX_ITERATIONS):
        proj = _projection(1.0 / (v + tau2), design)
        py = proj @ y
        step = (py @ py - np.trace(proj)) / np.sum(proj * proj.T)
        while tau2 + step < 0:
            step /= 2.0
            if abs(step) < REML_TOLERANCE:
                step = -tau2
                break
        tau2 += step
        if abs(step) < REML_TOLERANCE:
            return max(tau2, 0.0), True
    return tau2, False


def _reml_tau2_bounded(y: np.ndarray, v: np.ndarray, design: np.ndarray) -> float:
    """REML tau^2 by a bounded 1-D optimiser: the fallback when Fisher scoring stalls."""

    def negative_restricted_loglik(tau2: float) -> float:
        weights = 1.0 / (v + tau2)
        residual = y @ _projection(weights, design) @ y
        _, logdet = np.linalg.slogdet((design * weights[:, None]).T @ design)
        return 0.5 * (np.sum(np.log(v + tau2)) + logdet + residual)

    # The REML estimate cannot exceed the spread of the effects by orders of magnitude.
    upper = 10.0 * (np.var(y) + v.max()) + 1.0
    fit = minimize_scalar(negative_restricted_loglik, bounds=(0.0, upper), method="bounded", options={"xatol": 1e-12})
    return float(fit.x)


def _estimate_tau2(y: np.ndarray, v: np.ndarray, design: np.ndarray) -> float:
    tau2, converged = _reml_tau2(y, v, design)
    return tau2 if converged else _reml_tau2_bounded(y, v, design)


def _typical_within_variance(v: np.ndarray, design: np.ndarray) -> float:
    """Higgins and Thompson's typical within-study variance, ``(k - p) / tr(P_FE)``.

    With an intercept only this is ``(k-1) sum(w) / (sum(w)^2 - sum(w^2))``, w = 1/v
    (Higgins and Thompson 2002); with moderators it is metafor's generalisation.
    """
    k, p = design.shape
    return (k - p) / np.trace(_projection(1.0 / v, design))


def dersimonian_laird_tau2(y, v) -> float:
    """DerSimonian-Laird moment estimate of tau^2, from statsmodels.

    ``max(0, (Q - (k-1)) / (sum(w) - sum(w^2)/sum(w)))`` with w = 1/v
    (DerSimonian and Laird 1986), computed by
    ``statsmodels.stats.meta_analysis.combine_effects(method_re="dl")`` so that the
    report's check on the REML value comes from a second implementation, and truncated
    at 0 here (statsmodels leaves it negative when Q < k - 1).

    Parameters
    ----------
    y : array-like, shape (k,)
        Effect per cohort.
    v : array-like, shape (k,)
        Sampling variance per cohort, positive.

    Returns
    -------
    float
        tau^2 in squared effect units; NaN when k < 2 (no between-cohort variance).

    Raises
    ------
    ValueError
        If ``y`` and ``v`` differ in length, an effect is not finite or a variance is
        not positive and finite.
    """
    y, v = _checked(y, v)
    if y.size < 2:
        return NAN
    with warnings.catch_warnings():
        # combine_effects also computes quantities we do not use, which can divide by
        # zero for perfectly homogeneous inputs.
        warnings.simplefilter("ignore", RuntimeWarning)
        moment_estimate = float(combine_effects(y, v, method_re="dl").tau2)
    # statsmodels returns the untruncated moment estimate, negative when Q < k - 1 (and
    # pools with it); DerSimonian and Laird truncate at 0, so only tau^2 is taken, truncated.
    return max(0.0, moment_estimate)


def prediction_interval(estimate: float, se: float, tau2: float, df: float, level: float = 0.95) -> tuple[float, float]:
    """Prediction interval for the true effect in a new study.

    ``estimate +/- t_{df, (1+level)/2} sqrt(tau^2 + se^2)`` (Higgins, Thompson and
    Spiegelhalter 2009, with df = k - 2; Riley, Higgins and Deeks 2011).
    ``df = inf`` gives the normal-based interval metafor prints by default.

    Parameters
    ----------
    estimate : float
        Pooled effect.
    se : float
        Its standard error.
    tau2 : float
        Between-study variance, in squared effect units.
    df : float
        Degrees of freedom of the t quantile (``k - 2`` in this report).
    level : float, default 0.95
        Coverage of the interval.

    Returns
    -------
    tuple of float
        Lower and upper bound; both NaN when ``df < 1`` or any input is NaN.
    """
    if not (df >= 1) or not np.isfinite([estimate, se, tau2]).all():
        return NAN, NAN
    half_width = stats.t.ppf((1 + level) / 2, df) * np.sqrt(tau2 + se**2)
    return float(estimate - half_width), float(estimate + half_width)


# ------------------------------------------------------------- random-effects model


@dataclass(frozen=True)
class RandomEffectsResult:
    """A random-effects meta-analysis of k effects (see :func:`random_effects`).

    Attributes
    ----------
    k : int
        Number of effects pooled.
    estimate : float
        Pooled effect (inverse-variance weighted with weights ``1/(v_i + tau^2)``).
    se : float
        Its usual standard error, ``sqrt(1 / sum(w))`` (metafor's ``se`` for test="z").
    se_hk : float
        Knapp-Hartung standard error (``se`` times the root of the weighted residual
        mean square, unbounded as in metafor's test="knha").
    t : float
        ``estimate / se_hk``; NaN when ``se_hk`` is 0 (every effect identical, where the
        Knapp-Hartung interval collapses onto the estimate, as in metafor).
    p : float
        Two-sided p of the Knapp-Hartung t test on ``df`` degrees of freedom.
    df : int
        ``k - 1``.
    ci_low, ci_high : float
        Knapp-Hartung confidence interval at ``level``.
    tau2 : float
        Between-cohort variance by ``method`` (REML unless asked otherwise).
    tau2_dl : float
        DerSimonian-Laird tau^2, reported beside it as a check.
    q : float
        Cochran's Q (inverse-variance weights 1/v) on ``k - 1`` df.
    q_p : float
        Its chi-squared p.
    i2 : float
        I-squared in percent, ``100 tau2 / (tau2 + s2)`` with the typical within-cohort
        variance s2 (Higgins and Thompson 2002).
    pi_low, pi_high : float
        Prediction interval for a new cohort (t on k - 2 df); NaN when k < 3.
    method : str
        Estimator of tau^2.
    level : float
        Coverage of the intervals.
    """

    k: int
    estimate: float
    se: float
    se_hk: float
    t: float
    p: float
    df: int
    ci_low: float
    ci_high: float
    tau2: float
    tau2_dl: float
    q: float
    q_p: float
    i2: float
    pi_low: float
    pi_high: float
    method: str
    level: float

    def as_record(self) -> dict[str, float]:
        """The columns of the network report's ``pooled.csv`` this result fills.

        Returns
        -------
        dict
            ``k, estimate, ci_low, ci_high, tau2, i2, q, q_p, pi_low, pi_high, tau2_dl``
            (NaN where undefined; the writer leaves those blank).
        """
        names = ["k", "estimate", "ci_low", "ci_high", "tau2", "i2", "q", "q_p", "pi_low", "pi_high", "tau2_dl"]
        return {name: getattr(self, name) for name in names}


def random_effects(y, v, method: str = "REML", level: float = 0.95) -> RandomEffectsResult:
    """Random-effects meta-analysis with a Hartung-Knapp interval and a prediction interval.

    Parameters
    ----------
    y : array-like, shape (k,)
        Effect per cohort (e.g. d_z, or mean change in rating points).
    v : array-like, shape (k,)
        Sampling variance of each effect, in squared effect units, positive (see
        :func:`dz_sampling_variance` and :func:`mean_change_variance`).
    method : {"REML", "DL"}, default "REML"
        Estimator of tau^2 used for pooling; the DerSimonian-Laird value is reported
        in ``tau2_dl`` either way.
    level : float, default 0.95
        Coverage of the confidence and prediction intervals.

    Returns
    -------
    RandomEffectsResult
        With k = 1 the estimate and ``se`` are the one cohort's own and every other
        statistic is NaN; with k = 2 the prediction interval is NaN.

    Raises
    ------
    ValueError
        If ``method`` is not "REML" or "DL", ``y`` is empty, ``y`` and ``v`` differ in
        length, an effect is not finite or a variance is not positive and finite.

    Notes
    -----
    Methods as in the module docstring: REML by Fisher scoring (Viechtbauer 2005),
    Knapp and Hartung (2003) / Sidik and Jonkman (2002) interval with t on k - 1 df,
    I-squared of Higgins and Thompson (2002), prediction interval of Higgins, Thompson
    and Spiegelhalter (2009) with t on k - 2 df and the unadjusted SE.
    """
    method = method.upper()
    if method not in {"REML", "DL"}:
        raise ValueError(f"method must be 'REML' or 'DL', not {method!r}")
    y, v = _checked(y, v)
    k = y.size
    if k == 0:
        raise ValueError("no effects to pool")
    design = np.ones((k, 1))
    fixed_weights = 1.0 / v
    fixed_mean = np.sum(fixed_weights * y) / np.sum(fixed_weights)
    q = float(np.sum(fixed_weights * (y - fixed_mean) ** 2))
    tau2_dl = dersimonian_laird_tau2(y, v)
    if k == 1:
        return RandomEffectsResult(
            k=1, estimate=float(y[0]), se=float(np.sqrt(v[0])), se_hk=NAN, t=NAN, p=NAN, df=0,
            ci_low=NAN, ci_high=NAN, tau2=NAN, tau2_dl=NAN, q=NAN, q_p=NAN, i2=NAN,
            pi_low=NAN, pi_high=NAN, method=method, level=level,
        )  # fmt: skip
    tau2 = _estimate_tau2(y, v, design) if method == "REML" else tau2_dl
    weights = 1.0 / (v + tau2)
    estimate = float(np.sum(weights * y) / np.sum(weights))
    se = float(np.sqrt(1.0 / np.sum(weights)))
    df = k - 1
    residual_mean_square = np.sum(weights * (y - estimate) ** 2) / df
    se_hk = float(se * np.sqrt(residual_mean_square))
    t_crit = stats.t.ppf((1 + level) / 2, df)
    with np.errstate(divide="ignore", invalid="ignore"):
        t_value = estimate / se_hk
    p_value = float(2 * stats.t.sf(abs(t_value), df)) if se_hk > 0 else NAN
    s2 = _typical_within_variance(v, design)
    pi_low, pi_high = prediction_interval(estimate, se, tau2, k - 2, level)
    return RandomEffectsResult(
        k=k,
        estimate=estimate,
        se=se,
        se_hk=se_hk,
        t=float(t_value) if se_hk > 0 else NAN,
        p=p_value,
        df=df,
        ci_low=float(estimate - t_crit * se_hk),
        ci_high=float(estimate + t_crit * se_hk),
        tau2=float(tau2),
        tau2_dl=tau2_dl,
        q=q,
        q_p=float(stats.chi2.sf(q, df)),
        i2=float(100.0 * tau2 / (tau2 + s2)),
        pi_low=pi_low,
        pi_high=pi_high,
        method=method,
        level=level,
    )


# ---------------------------------------------------------------- meta-regression


@dataclass(frozen=True)
class MetaRegressionResult:
    """A mixed-effects meta-regression (see :func:`meta_regression`).

    Attributes
    ----------
    k : int
        Number of effects.
    coefficients : pandas.DataFrame
        One row per coefficient (``intercept`` first, then the moderators by name) with
        columns ``estimate, se, t, df, p, ci_low, ci_high``: Knapp-Hartung standard
        errors and t tests on ``k - p`` df.
    tau2 : float
        Residual between-cohort variance (REML).
    i2 : float
        Residual I-squared in percent (typical within-cohort variance ``(k-p)/tr(P)``).
    r2 : float
        Percent of the intercept-only model's tau^2 the moderators account for,
        ``max(0, 100 (tau2_RE - tau2) / tau2_RE)`` (Raudenbush 2009); NaN when
        tau2_RE is 0.
    qe, qe_df, qe_p : float, int, float
        Test for residual heterogeneity (weights 1/v) and its chi-squared p.
    f, f_df1, f_df2, f_p : float, int, int, float
        Knapp-Hartung omnibus F test that every moderator coefficient is 0.
    level : float
        Coverage of the intervals.
    """

    k: int
    coefficients: pd.DataFrame
    tau2: float
    i2: float
    r2: float
    qe: float
    qe_df: int
    qe_p: float
    f: float
    f_df1: int
    f_df2: int
    f_p: float
    level: float


def meta_regression(y, v, X, level: float = 0.95) -> MetaRegressionResult:
    """Mixed-effects meta-regression with REML tau^2 and Knapp-Hartung tests.

    Fits ``y_i = x_i' beta + u_i + e_i`` with ``u_i ~ N(0, tau^2)`` and
    ``e_i ~ N(0, v_i)`` by weighted least squares with weights ``1/(v_i + tau^2)``,
    tau^2 by REML (Viechtbauer 2005); coefficient tests and the omnibus test use the
    Knapp and Hartung (2003) variance, with t and F on k - p df.  With few cohorts
    the tests have little power and the coefficients are fragile (Higgins and
    Thompson 2004): the report should say so.

    Parameters
    ----------
    y : array-like, shape (k,)
        Effect per cohort.
    v : array-like, shape (k,)
        Sampling variance per cohort, positive.
    X : pandas.DataFrame, pandas.Series or array-like, shape (k,) or (k, m)
        Moderators, numeric, without an intercept (one is added).  Code a categorical
        moderator such as region as indicator columns, e.g.
        ``pandas.get_dummies(region, drop_first=True, dtype=float)``; centring a
        continuous one (year - first year) keeps the intercept readable.
    level : float, default 0.95
        Coverage of the confidence intervals.

    Returns
    -------
    MetaRegressionResult
        Every statistic NaN when k <= p (no residual degrees of freedom) or the
        moderators are collinear with each other or the intercept.

    Raises
    ------
    ValueError
        If the inputs differ in length, an effect is not finite, a variance is not
        positive and finite, or a moderator value is missing or not numeric.
    """
    y, v = _checked(y, v)
    if isinstance(X, pd.Series):
        X = X.to_frame()
    if isinstance(X, pd.DataFrame):
        names = [str(column) for column in X.columns]
        values = X.to_numpy()
    else:
        values = np.asarray(X)
        values = values.reshape(-1, 1) if values.ndim == 1 else values
        names = [f"x{i + 1}" for i in range(values.shape[1])]
    try:
        values = values.astype(float)
    except (TypeError, ValueError):
        raise ValueError("moderators must be numeric; code a categorical one as indicator columns") from None
    if values.shape[0] != y.size:
        raise ValueError(f"moderators have {values.shape[0]} rows for {y.size} effects")
    if not np.isfinite(values).all():
        raise ValueError("a moderator value is missing; leave that cohort out or give it a value")
    design = np.column_stack([np.ones(y.size), values])
    names = ["intercept", *names]
    k, p = design.shape
    m = p - 1
    qe_df = k - p
    if qe_df < 1 or np.linalg.matrix_rank(design) < p:
        empty = pd.DataFrame(NAN, index=names, columns=["estimate", "se", "t", "df", "p", "ci_low", "ci_high"])
        return MetaRegressionResult(
            k=k, coefficients=empty, tau2=NAN, i2=NAN, r2=NAN, qe=NAN, qe_df=max(qe_df, 0), qe_p=NAN,
            f=NAN, f_df1=m, f_df2=max(qe_df, 0), f_p=NAN, level=level,
        )  # fmt: skip

    qe = float(y @ _projection(1.0 / v, design) @ y)
    tau2 = float(_estimate_tau2(y, v, design))
    weights = 1.0 / (v + tau2)
    wx = design * weights[:, None]
    information_inverse = np.linalg.inv(design.T @ wx)
    beta = information_inverse @ (wx.T @ y)
    residuals = y - design @ beta
    residual_mean_square = np.sum(weights * residuals**2) / qe_df
    covariance = residual_mean_square * information_inverse
    se = np.sqrt(np.diag(covariance))
    with np.errstate(divide="ignore", invalid="ignore"):
        t_values = beta / se
    t_crit = stats.t.ppf((1 + level) / 2, qe_df)
    coefficients = pd.DataFrame(
        {
            "estimate": beta,
            "se": se,
            "t": t_values,
            "df": float(qe_df),
            "p": 2 * stats.t.sf(np.abs(t_values), qe_df),
            "ci_low": beta - t_crit * se,
            "ci_high": beta + t_crit * se,
        },
        index=names,
    )
    moderators = beta[1:]
    f_value = float(moderators @ np.linalg.solve(covariance[1:, 1:], moderators) / m) if m else NAN
    tau2_intercept_only = _estimate_tau2(y, v, np.ones((k, 1)))
    r2 = max(0.0, 100.0 * (tau2_intercept_only - tau2) / tau2_intercept_only) if tau2_intercept_only > 0 else NAN
    s2 = _typical_within_variance(v, design)
    return MetaRegressionResult(
        k=k,
        coefficients=coefficients,
        tau2=tau2,
        i2=float(100.0 * tau2 / (tau2 + s2)),
        r2=float(r2),
        qe=qe,
        qe_df=qe_df,
        qe_p=float(stats.chi2.sf(qe, qe_df)),
        f=f_value,
        f_df1=m,
        f_df2=qe_df,
        f_p=float(stats.f.sf(f_value, m, qe_df)) if m else NAN,
        level=level,
    )
