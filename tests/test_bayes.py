"""JZS Bayes factor for the paired t-test (stats/bayes.py) against independent values.

References:
* 30-digit mpmath integration of Rouder et al. (2009), eq. 1, written out here from the
  paper (integration over g, not our log-space substitution);
* the same Bayes factor in its other form, the noncentral-t likelihood averaged over a
  Cauchy(0, r) prior on delta (Rouder et al. 2009, p. 231), with scipy's ``nct``;
* R's BayesFactor: ``ttestBF(mu = 0)`` with the default ``rscale = "medium"``, which is
  sqrt(2)/2, prints 964.8 for t = 7.911441657, n = 10 (issue 14).  With r = 0.707 the
  exact value is 964.71: the 964.82-vs-964.71 difference is the prior scale, not
  pingouin's integration.
"""

from __future__ import annotations

import math

import mpmath as mp
import numpy as np
import pandas as pd
import pytest
from scipy import integrate, stats

from lehc_report.stats import robustness
from lehc_report.prose.robust import bayes_factor_text
from lehc_report.stats.bayes import RELATIVE_ACCURACY, jzs_bf10, jzs_log_bf10

MEDIUM = math.sqrt(2) / 2


def mpmath_log_bf10(t: float, n: int, r: float) -> float:
    """ln BF10 by Rouder et al.'s eq. 1, integrated over g with 30 digits."""
    with mp.workdps(30):
        t, r, nu = mp.mpf(t), mp.mpf(r), n - 1

        def integrand(g):
            s = 1 + n * g * r**2
            return s ** (-0.5) * (1 + t**2 / (s * nu)) ** (-(nu + 1) / mp.mpf(2)) * (2 * mp.pi) ** (-0.5) * g ** (-1.5) * mp.exp(-1 / (2 * g))

        peak = max(mp.mpf(1), t**2 / (n * r**2))  # the likelihood peaks near 1 + n g r^2 = t^2
        integral = mp.quad(integrand, [0, peak / 100, peak / 10, peak, peak * 10, peak * 100, mp.inf])
        return float(mp.log(integral) + (nu + 1) / mp.mpf(2) * mp.log(1 + t**2 / nu))


CASES = [
    (7.911441657, 10, 0.707),
    (7.911441657, 10, MEDIUM),
    (60.0, 2000, 0.707),  # pingouin: ZeroDivisionError; BF10 ~ 10^445
    (0.1, 5, 0.707),
    (0.0, 3, 0.707),
    (-3.0, 20, 0.707),
    (1e4, 10_000, 0.707),
    (1e8, 5, 0.707),
    (1.5, 100_000, 0.5),
]


@pytest.mark.parametrize(("t", "n", "r"), CASES)
def test_log_bf10_matches_mpmath_to_the_stated_accuracy(t, n, r):
    expected = mpmath_log_bf10(t, n, r)
    # |ln ours - ln exact| <= 1e-6 means BF10 has relative error <= 1e-6; the code does
    # far better (about 1e-12 here), so the test can fail on any real error.
    assert float(jzs_log_bf10(t, n, r)) == pytest.approx(expected, abs=RELATIVE_ACCURACY * 1e-3)


def test_the_published_example_to_every_printed_digit():
    # BayesFactor's default prior (sqrt(2)/2) gives 964.82 (R prints 964.8) ...
    assert round(float(jzs_bf10(7.911441657, 10, MEDIUM)), 2) == 964.82
    assert bayes_factor_text(float(jzs_log_bf10(7.911441657, 10, MEDIUM)) / math.log(10)) == "964.8"
    # ... and r = 0.707 (the report's setting) gives 964.71, shown as "964.7".
    assert round(float(jzs_bf10(7.911441657, 10, 0.707)), 2) == 964.71
    assert bayes_factor_text(float(jzs_log_bf10(7.911441657, 10, 0.707)) / math.log(10)) == "964.7"


def test_agrees_with_the_noncentral_t_form():
    t, n, r = 2.5, 12, 0.707
    nu = n - 1

    def integrand(delta):
        return stats.nct.pdf(t, nu, delta * math.sqrt(n)) * stats.cauchy.pdf(delta, scale=r)

    numerator = sum(integrate.quad(integrand, a, b, epsabs=0, epsrel=1e-12, limit=200)[0]
                    for a, b in ((-np.inf, 0.0), (0.0, t / math.sqrt(n)), (t / math.sqrt(n), np.inf)))
    assert float(jzs_bf10(t, n, r)) == pytest.approx(numerator / stats.t.pdf(t, nu), rel=1e-8)


def test_shape_sign_and_undefined_inputs():
    out = jzs_log_bf10(np.array([[2.0, -2.0], [np.nan, 2.0]]), np.array([[10, 10], [10, 1]]))
    assert out.shape == (2, 2)
    assert out[0, 0] == out[0, 1]  # depends on t^2 only
    assert np.isnan(out[1, 0]) and np.isnan(out[1, 1])  # undefined t; fewer than two pairs
    assert np.isinf(jzs_bf10(60.0, 2000)) and np.isfinite(jzs_log_bf10(60.0, 2000))
    with pytest.raises(ValueError, match="the prior scale r must be a positive number, not 0"):
        jzs_log_bf10(1.0, 5, r=0)


@pytest.mark.parametrize(
    ("log10_bf10", "text"),
    [
        (math.log10(964.8219502566522), "964.8"),
        (math.log10(0.3990803705584521), "0.4"),
        (math.log10(123456.0), "1.2e+05"),
        (99.5, "3.2e+99"),
        (100.5, "> 10^100"),
        (445.037, "> 10^100"),
        (math.inf, "> 10^100"),
        (math.nan, "–"),
    ],
)
def test_bayes_factor_text(log10_bf10, text):
    assert bayes_factor_text(log10_bf10) == text


def test_bayes_factors_at_2000_participants_do_not_crash():
    rng = np.random.default_rng(14)
    before = pd.DataFrame(rng.integers(1, 6, size=(2000, 3)).astype(float), columns=["a", "b", "c"])
    after = before + rng.normal([2.0, 0.0, 1.0], 1.0, size=(2000, 3))
    after["c"] = before["c"] + 1.0  # no spread: undefined
    table = robustness.bayes_factors(before, after, r=0.707)
    t_a = stats.ttest_rel(after["a"], before["a"]).statistic
    assert table.loc["a", "t"] == pytest.approx(t_a, rel=1e-12)
    assert table.loc["a", "log10_bf10"] == pytest.approx(mpmath_log_bf10(t_a, 2000, 0.707) / math.log(10), abs=1e-8)
    assert table.loc["a", "bf10"] == np.inf and table.loc["a", "bf01"] == 0.0
    assert table.loc["a", "reading"] == "extreme evidence for H1 (a change)"
    assert table.loc["b", "favours"] == "H0"
    assert np.isnan(table.loc["c", "t"]) and table.loc["c", "reading"] == "not computable"
