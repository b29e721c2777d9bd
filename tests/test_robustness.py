"""Tests for lehc_report.stats.robustness.

Every statistic is checked against a value obtained independently: a hand-worked example
(in the comments), a published value, or a second implementation (pingouin, statsmodels,
a hand formula, a numerical integral).  Fixtures are small and built here; nothing is
read from data/.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pingouin as pg
import pytest
from scipy import integrate, optimize, stats
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.power import TTestPower
from statsmodels.stats.weightstats import DescrStatsW

from lehc_report.stats import robustness as rb

def frame(columns: dict[str, list[float]], index=None) -> pd.DataFrame:
    values = pd.DataFrame(columns, dtype=float)
    values.index = index if index is not None else [f"P{i}" for i in range(1, len(values) + 1)]
    return values


@pytest.fixture
def nine_pairs() -> tuple[pd.DataFrame, pd.DataFrame]:
    """9 participants x 3 units on a 1..10 scale, with unequal SDs before/after."""
    before = frame(
        {
            "A1": [4, 5, 6, 3, 7, 5, 4, 6, 5],
            "A2": [5, 5, 4, 6, 5, 3, 6, 5, 4],
            "A3": [6, 7, 5, 6, 8, 6, 7, 5, 6],
        }
    )
    after = frame(
        {
            "A1": [6, 7, 6, 6, 9, 8, 5, 8, 7],
            "A2": [5, 7, 4, 8, 6, 5, 9, 5, 6],
            "A3": [6, 6, 7, 5, 9, 7, 7, 6, 8],
        }
    )
    return before, after


# ------------------------------------------------------------------ 1. effect sizes


def test_effect_sizes_hand_worked():
    # before 1,2,3,4; after 2,4,5,5 -> D = 1,2,2,1: mean 1.5, s_D = sqrt(1/3),
    # d_z = 1.5 / sqrt(1/3) = 1.5*sqrt(3) = 2.598...
    # s_before = sqrt(5/3), s_after = sqrt(2):
    # d_av = 1.5 / ((sqrt(5/3) + sqrt(2)) / 2) = 1.10897..., d_av_rms = 1.5 / sqrt(11/6).
    before = frame({"u": [1, 2, 3, 4]})
    after = frame({"u": [2, 4, 5, 5]})
    row = rb.paired_effect_sizes(before, after, confidence=0.95).loc["u"]
    assert row["n"] == 4
    assert row["mean_change"] == pytest.approx(1.5)
    assert row["sd_change"] == pytest.approx(math.sqrt(1 / 3))
    assert row["d_z"] == pytest.approx(1.5 * math.sqrt(3))
    assert row["t"] == pytest.approx(1.5 * math.sqrt(3) * 2)  # t = d_z * sqrt(n)
    assert row["d_av"] == pytest.approx(3 / (math.sqrt(5 / 3) + math.sqrt(2)))
    assert row["d_av"] == pytest.approx(1.108972, abs=1e-6)
    assert row["d_av_rms"] == pytest.approx(1.5 / math.sqrt(11 / 6))
    # CI of the mean change: 1.5 +- t_.975,3 * sqrt(1/3)/2, t_.975,3 = 3.182446
    assert row["ci_low"] == pytest.approx(1.5 - 3.182446 * math.sqrt(1 / 3) / 2, abs=1e-6)
    assert row["ci_high"] == pytest.approx(1.5 + 3.182446 * math.sqrt(1 / 3) / 2, abs=1e-6)


def test_effect_sizes_against_second_methods(nine_pairs):
    before, after = nine_pairs
    out = rb.paired_effect_sizes(before, after, confidence=0.90)
    assert list(out.columns) == [
        "n", "mean_change", "ci_low", "ci_high", "sd_change", "t", "p_ttest",
        "d_z", "d_z_ci_low", "d_z_ci_high", "sd_before", "sd_after", "d_av", "d_av_rms",
    ]
    assert out.index.name == "unit"
    for unit in before.columns:
        x, y = after[unit].to_numpy(), before[unit].to_numpy()
        d = x - y
        row = out.loc[unit]
        # statsmodels t interval of the mean change
        low, high = DescrStatsW(d).tconfint_mean(alpha=0.10)
        assert row["ci_low"] == pytest.approx(low)
        assert row["ci_high"] == pytest.approx(high)
        # d_z: hand formula and pingouin's cohen_dz
        assert row["d_z"] == pytest.approx(d.mean() / d.std(ddof=1))
        assert row["d_z"] == pytest.approx(pg.compute_effsize(x, y, paired=True, eftype="cohen_dz"))
        # pingouin 0.7.0 paired "cohen" is the RMS-SD version, not the arithmetic-mean d_av
        assert row["d_av_rms"] == pytest.approx(pg.compute_effsize(x, y, paired=True, eftype="cohen"))
        assert row["d_av"] == pytest.approx(d.mean() / ((x.std(ddof=1) + y.std(ddof=1)) / 2))
        # paired t-test by hand
        t = d.mean() / (d.std(ddof=1) / 3)
        assert row["t"] == pytest.approx(t)
        assert row["p_ttest"] == pytest.approx(2 * stats.t.sf(abs(t), 8))
    # A2's SDs differ (0.97 vs 1.62), so the two d_av definitions really differ there:
    # the arithmetic mean SD is smaller than the RMS SD, so d_av > d_av_rms.
    assert out.loc["A2", "d_av"] == pytest.approx(1.030509, abs=1e-6)
    assert out.loc["A2", "d_av"] - out.loc["A2", "d_av_rms"] > 0.02


def _nct_cdf_by_quadrature(t: float, df: int, ncp: float) -> float:
    """Noncentral t CDF from its definition T = (Z + ncp) / sqrt(V/df), V ~ chi2(df):
    P(T <= t) = integral over v of Phi(t*sqrt(v/df) - ncp) * chi2.pdf(v, df)."""
    integrand = lambda v: stats.norm.cdf(t * math.sqrt(v / df) - ncp) * stats.chi2.pdf(v, df)
    return integrate.quad(integrand, 0, np.inf, epsabs=1e-13, epsrel=1e-12)[0]


def test_dz_confidence_interval_against_quadrature(nine_pairs):
    before, after = nine_pairs
    out = rb.paired_effect_sizes(before, after, confidence=0.95)
    n, df = 9, 8
    for unit in before.columns:
        t_obs = out.loc[unit, "d_z"] * math.sqrt(n)
        # Independent inversion: own nct CDF (quadrature) + brentq.
        low = optimize.brentq(lambda c: _nct_cdf_by_quadrature(t_obs, df, c) - 0.975, -20, 20, xtol=1e-12)
        high = optimize.brentq(lambda c: _nct_cdf_by_quadrature(t_obs, df, c) - 0.025, -20, 20, xtol=1e-12)
        assert out.loc[unit, "d_z_ci_low"] == pytest.approx(low / math.sqrt(n), abs=1e-6)
        assert out.loc[unit, "d_z_ci_high"] == pytest.approx(high / math.sqrt(n), abs=1e-6)
        assert out.loc[unit, "d_z_ci_low"] < out.loc[unit, "d_z"] < out.loc[unit, "d_z_ci_high"]


def test_dz_confidence_interval_large_and_negative_effects():
    # Large |t| pushes the root search far into the tails (where scipy's nct.cdf gives
    # NaN); the interval must still match the quadrature inversion, and reversing the
    # sign of every change must mirror the interval.
    before = frame({"u": [1, 2, 3, 4, 5, 6, 7, 8, 9]})
    after = before + np.array([[3, 3.5, 3, 3.2, 3, 2.8, 3, 3.1, 3.4]]).T
    up = rb.paired_effect_sizes(before, after, confidence=0.95).loc["u"]
    down = rb.paired_effect_sizes(after, before, confidence=0.95).loc["u"]
    t_obs = up["t"]
    assert t_obs > 40
    low = optimize.brentq(lambda c: _nct_cdf_by_quadrature(t_obs, 8, c) - 0.975, 1, 3 * t_obs, xtol=1e-12)
    high = optimize.brentq(lambda c: _nct_cdf_by_quadrature(t_obs, 8, c) - 0.025, 1, 3 * t_obs, xtol=1e-12)
    assert up["d_z_ci_low"] == pytest.approx(low / 3, rel=1e-6)
    assert up["d_z_ci_high"] == pytest.approx(high / 3, rel=1e-6)
    assert down["d_z_ci_low"] == pytest.approx(-up["d_z_ci_high"], rel=1e-9)
    assert down["d_z_ci_high"] == pytest.approx(-up["d_z_ci_low"], rel=1e-9)


def test_dz_confidence_interval_large_n_matches_normal_approximation():
    # For large n the exact interval approaches d +- z * sqrt(1/n + d^2/(2n)).
    rng = np.random.default_rng(7)
    n = 4000
    before = pd.DataFrame({"u": rng.normal(5, 1, n)})
    after = before + rng.normal(0.5, 1, (n, 1))
    row = rb.paired_effect_sizes(before, after, confidence=0.95).loc["u"]
    d = row["d_z"]
    se = math.sqrt(1 / n + d**2 / (2 * n))
    assert row["d_z_ci_low"] == pytest.approx(d - 1.959964 * se, abs=2e-3)
    assert row["d_z_ci_high"] == pytest.approx(d + 1.959964 * se, abs=2e-3)


def test_misaligned_input_is_rejected(nine_pairs):
    before, after = nine_pairs
    with pytest.raises(ValueError):
        rb.paired_effect_sizes(before, after.iloc[::-1], confidence=0.95)
    with pytest.raises(ValueError):
        rb.paired_effect_sizes(before, after[["A2", "A1", "A3"]], confidence=0.95)


# ------------------------------------------------------------------- 2. Wilcoxon


def test_wilcoxon_hand_worked_without_ties():
    # D = 2, -1, 4, 3, 5. |D| ranks 2,1,4,3,5 -> T+ = 14, T- = 1, statistic 1.
    # Exact null: of the 32 sign patterns, T+ <= 1 for {} and {1} -> 2/32 per tail,
    # p = 4/32 = 0.125.  r = (14 - 1)/15 = 13/15.
    # Walsh averages (15): -1, .5, 1, 1.5, 2, 2, 2.5, 3, 3, 3.5, 3.5, 4, 4, 4.5, 5 -> median 3.
    before = frame({"u": [5, 5, 5, 5, 5]})
    after = before + np.array([[2], [-1], [4], [3], [5]])
    row = rb.wilcoxon_signed_rank(before, after).loc["u"]
    assert (row["t_plus"], row["t_minus"], row["statistic"]) == (14, 1, 1)
    assert row["p"] == pytest.approx(0.125)
    assert row["method"] == "exact"
    assert row["rank_biserial"] == pytest.approx(13 / 15)
    assert row["hodges_lehmann"] == pytest.approx(3.0)


def test_wilcoxon_hand_worked_with_tie_and_zero():
    # D = 0, 1, 1, 2, -2, 3. Drop the zero; |D| = 1,1,2,2,3 -> ranks 1.5,1.5,3.5,3.5,5.
    # T+ = 1.5+1.5+3.5+5 = 11.5, T- = 3.5, r = 8/15.
    # Permutation null over the 5 ranks: T- <= 3.5 for {}, {1.5a}, {1.5b}, {1.5a,1.5b},
    # {3.5a}, {3.5b} -> 6/32; two-sided p = 2 * 6/32 = 0.375.
    # Walsh averages of all 6 D (21 values, zero included):
    # -2,-1,-.5,-.5,0,0,.5,.5,.5,1,1,1,1,1.5,1.5,1.5,2,2,2,2.5,3 -> median (11th) = 1.
    before = frame({"u": [4, 4, 4, 4, 4, 4]})
    after = before + np.array([[0], [1], [1], [2], [-2], [3]])
    row = rb.wilcoxon_signed_rank(before, after).loc["u"]
    assert row["n"] == 6 and row["n_nonzero"] == 5
    assert (row["t_plus"], row["t_minus"], row["statistic"]) == (11.5, 3.5, 3.5)
    assert row["p"] == pytest.approx(0.375)
    assert row["method"] == "exact permutation"
    assert row["rank_biserial"] == pytest.approx(8 / 15)
    assert row["hodges_lehmann"] == pytest.approx(1.0)


def test_wilcoxon_matches_pingouin_per_unit(nine_pairs):
    before, after = nine_pairs
    before = before.assign(A4=[1, 2, 3, 4, 5, 6, 7, 8, 9.0])
    # A4: distinct non-zero changes -> exact method even though other units have ties
    after = after.assign(A4=before["A4"] + [1, -2, 3, 4, 5, 6, -7, 8, 9.0])
    out = rb.wilcoxon_signed_rank(before, after)
    assert out.loc["A4", "method"] == "exact"
    assert set(out.loc[["A1", "A2", "A3"], "method"]) == {"exact permutation"}
    for unit in before.columns:
        ref = pg.wilcoxon(after[unit], before[unit]).loc["Wilcoxon"]
        assert out.loc[unit, "statistic"] == pytest.approx(ref["W_val"])
        assert out.loc[unit, "p"] == pytest.approx(ref["p_val"], rel=1e-12)
        assert out.loc[unit, "rank_biserial"] == pytest.approx(ref["RBC"])


def test_wilcoxon_normal_approximation_against_formula_and_pingouin():
    # n = 20 with ties -> too many pairs for enumeration -> normal approximation.
    d = np.array([1, 2, 2, 3, 3, 3, -1, 4, 5, -2, 1, 2, 6, 0, 3, 4, -3, 2, 1, 5.0])
    before = pd.DataFrame({"u": np.full(20, 3.0)})
    after = before + d[:, None]
    row = rb.wilcoxon_signed_rank(before, after).loc["u"]
    assert row["method"] == "normal approximation"
    # Hand formula: zeros dropped, tie-corrected variance, continuity correction 0.5.
    nz = d[d != 0]
    n = nz.size
    ranks = stats.rankdata(np.abs(nz))
    t_plus = ranks[nz > 0].sum()
    _, counts = np.unique(np.abs(nz), return_counts=True)
    var = n * (n + 1) * (2 * n + 1) / 24 - (counts**3 - counts).sum() / 48
    z = (t_plus - n * (n + 1) / 4 - 0.5) / math.sqrt(var)
    assert row["p"] == pytest.approx(2 * stats.norm.sf(z), rel=1e-10)
    assert row["p"] == pytest.approx(pg.wilcoxon(after["u"], before["u"]).loc["Wilcoxon", "p_val"], rel=1e-12)


def test_wilcoxon_large_n_without_ties_uses_normal_approximation():
    rng = np.random.default_rng(11)
    d = rng.permutation(np.arange(1, 61.0)) * rng.choice([-1, 1, 1], 60)
    before = pd.DataFrame({"u": np.zeros(60)})
    after = before + d[:, None]
    row = rb.wilcoxon_signed_rank(before, after).loc["u"]
    assert row["method"] == "normal approximation"
    assert row["p"] == pytest.approx(pg.wilcoxon(after["u"], before["u"]).loc["Wilcoxon", "p_val"], rel=1e-12)


def test_wilcoxon_all_zero_changes_give_nan():
    before = frame({"u": [3, 4, 5], "v": [1, 2, 3]})
    after = frame({"u": [3, 4, 5], "v": [2, 4, 6]})
    out = rb.wilcoxon_signed_rank(before, after)
    assert np.isnan(out.loc["u", "p"]) and np.isnan(out.loc["u", "rank_biserial"])
    assert out.loc["u", "hodges_lehmann"] == 0
    assert out.loc["v", "p"] == pytest.approx(0.25)  # 3 positive distinct: 2/2**3


# ------------------------------------------------------------------- 3. normality


def test_shapiro_published_example():
    # Shapiro & Wilk (1965) worked example, weights of 11 men: W = 0.79 (2 d.p.),
    # clearly non-normal.  scipy (Royston's algorithm) gives W = 0.7888, p = 0.0067.
    weights = [148, 154, 158, 160, 161, 162, 166, 170, 182, 195, 236]
    before = frame({"weights": [0.0] * 11, "other": [0.0] * 11})
    after = frame({"weights": weights, "other": [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5]})
    out = rb.normality_of_changes(before, after)
    assert out.loc["weights", "shapiro_w"] == pytest.approx(0.79, abs=0.005)
    assert out.loc["weights", "shapiro_p"] < 0.01
    # second column wired correctly (not swapped with the first)
    one = stats.shapiro([3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5])
    assert out.loc["other", "shapiro_w"] == pytest.approx(one.statistic)
    assert out.loc["other", "shapiro_p"] == pytest.approx(one.pvalue)


# ------------------------------------------------------------ 4. multiple comparisons


def test_multiple_comparisons_hand_worked():
    # p = .01, .04, .03, .005 (m = 4).
    # Holm: sorted .005,.01,.03,.04 x 4,3,2,1 = .02,.03,.06,.04 -> cummax .02,.03,.06,.06
    # BH:   sorted x 4/1,4/2,4/3,4/4 = .02,.02,.04,.04 -> (cummin from the top) same
    p = pd.Series([0.01, 0.04, 0.03, 0.005], index=["a", "b", "c", "d"])
    out = rb.multiple_comparisons(p, alpha=0.05)
    assert out["p_holm"].tolist() == pytest.approx([0.03, 0.06, 0.06, 0.02])
    assert out["p_bh"].tolist() == pytest.approx([0.02, 0.04, 0.04, 0.02])
    assert out["pass_holm"].tolist() == [True, False, False, True]
    assert out["pass_bh"].tolist() == [True, True, True, True]
    assert out["pass_raw"].all()


def test_multiple_comparisons_against_statsmodels():
    rng = np.random.default_rng(2)
    raw = np.concatenate([rng.uniform(0, 0.01, 10), rng.uniform(0, 1, 28)])
    raw[[3, 17]] = raw[5]  # ties
    p = pd.Series(raw, index=[f"B{i}" for i in range(38)])
    out = rb.multiple_comparisons(p, alpha=0.05)
    for method, column, passed in (("holm", "p_holm", "pass_holm"), ("fdr_bh", "p_bh", "pass_bh")):
        reject, adjusted, _, _ = multipletests(raw, alpha=0.05, method=method)
        assert out[column].to_numpy() == pytest.approx(adjusted, rel=1e-12)
        assert out[passed].tolist() == reject.tolist()
    assert out["pass_holm"].sum() >= 1  # the fixture makes some survive


def test_multiple_comparisons_ignores_nan_in_family():
    p = pd.Series([0.01, np.nan, 0.02])
    out = rb.multiple_comparisons(p, alpha=0.05)
    assert out["p_holm"].iloc[[0, 2]].tolist() == pytest.approx([0.02, 0.02])
    assert np.isnan(out["p_holm"].iloc[1]) and not out["pass_holm"].iloc[1]


# ---------------------------------------------------- 5. floor of the exact Wilcoxon p


@pytest.mark.parametrize("n", [1, 2, 5, 9, 13, 20, 54, 60])
def test_smallest_exact_wilcoxon_p(n):
    # abs=0: pytest's default absolute tolerance (1e-12) would accept 0 for large n
    assert rb.smallest_exact_wilcoxon_p(n) == pytest.approx(2 / 2**n, rel=1e-12, abs=0)


def test_smallest_exact_wilcoxon_p_for_nine_and_threshold():
    assert rb.smallest_exact_wilcoxon_p(9) == 0.00390625  # 2/512
    assert rb.wilcoxon_can_reach_threshold(9, alpha=0.05, n_tests=38) is False  # 0.0039 > 0.0013
    assert rb.wilcoxon_can_reach_threshold(9, alpha=0.05, n_tests=4) is True  # 0.0039 <= 0.0125
    assert rb.wilcoxon_can_reach_threshold(11, alpha=0.05, n_tests=38) is True  # 2/2048 <= 0.0013


# ---------------------------------------------------------------- 6. Cronbach alpha


def test_cronbach_alpha_hand_worked():
    # 4 participants x 3 items. Item variances 5/3, 4.75/3, 5/3 (sum 14.75/3);
    # totals 5, 8, 10, 14 have variance 42.75/3.
    # alpha = 3/2 * (1 - 14.75/42.75) = 56/57 = 0.98246.
    scores = frame({"b1": [1, 2, 3, 4], "b2": [2, 3, 3, 5], "b3": [2, 3, 4, 5], "c1": [1, 3, 2, 4], "c2": [4, 1, 3, 2]})
    out = rb.cronbach_alpha_by_area(scores, {"A": ["b1", "b2", "b3"], "C": ["c1", "c2"]}, confidence=0.95)
    assert out.loc["A", "alpha"] == pytest.approx(56 / 57)
    assert out.loc["A", "n_items"] == 3 and out.loc["A", "n_participants"] == 4
    # Area C by the generic hand formula k/(k-1) * (1 - sum var_i / var_total)
    c = scores[["c1", "c2"]]
    expected = 2 * (1 - c.var(ddof=1).sum() / c.sum(axis=1).var(ddof=1))
    assert out.loc["C", "alpha"] == pytest.approx(expected)
    assert out.loc["C", "alpha"] < 0  # negatively correlated items
    # Feldt CI: 1 - (1 - alpha) * F_{upper .025}(n-1, (n-1)(k-1)) etc.; pingouin rounds to 3 d.p.
    f_hi, f_lo = stats.f.isf(0.025, 3, 6), stats.f.isf(0.975, 3, 6)
    assert out.loc["A", "ci_low"] == pytest.approx(1 - (1 / 57) * f_hi, abs=5e-4)
    assert out.loc["A", "ci_high"] == pytest.approx(1 - (1 / 57) * f_lo, abs=5e-4)


def test_cronbach_alpha_unknown_item():
    with pytest.raises(KeyError):
        rb.cronbach_alpha_by_area(frame({"b1": [1, 2], "b2": [2, 3]}), {"A": ["b1", "zz"]}, confidence=0.95)


# ---------------------------------------------------- 7. minimum detectable effect


@pytest.mark.parametrize("alpha", [0.05, 0.05 / 38, 0.05 / 4])
def test_minimum_detectable_dz_against_statsmodels(alpha):
    mine = rb.minimum_detectable_dz(9, alpha=alpha, power=0.80)
    ref = TTestPower().solve_power(effect_size=None, nobs=9, alpha=alpha, power=0.80)
    assert mine == pytest.approx(ref, rel=1e-6)


def test_minimum_detectable_dz_counts_both_rejection_regions():
    # With power barely above alpha the true effect is tiny and the wrong-sign region
    # P(T < -t_crit) carries a visible share of the power; statsmodels counts both tails.
    # statsmodels' own solver stops at ~1e-5 relative here, so we check statsmodels'
    # power *function* at our solution instead (power = target to 1e-10).
    for n, power in ((9, 0.06), (4, 0.10)):
        d = rb.minimum_detectable_dz(n, alpha=0.05, power=power)
        assert TTestPower().power(effect_size=d, nobs=n, alpha=0.05) == pytest.approx(power, abs=1e-10)
        ref = TTestPower().solve_power(effect_size=None, nobs=n, alpha=0.05, power=power)
        assert d == pytest.approx(ref, rel=2e-5)


def test_minimum_detectable_dz_values():
    assert rb.minimum_detectable_dz(9, alpha=0.05, power=0.80) == pytest.approx(1.06697, abs=1e-4)
    assert rb.minimum_detectable_dz(9, alpha=0.05 / 38, power=0.80) == pytest.approx(1.99104, abs=1e-4)
    one_sided = TTestPower().solve_power(effect_size=None, nobs=9, alpha=0.05, power=0.8, alternative="larger")
    assert rb.minimum_detectable_dz(9, alpha=0.05, power=0.80, two_sided=False) == pytest.approx(one_sided, rel=1e-6)
    # Large n: approaches the normal-theory value (z_.975 + z_.80) / sqrt(n).
    assert rb.minimum_detectable_dz(2000, alpha=0.05, power=0.80) == pytest.approx((1.959964 + 0.841621) / math.sqrt(2000), rel=1e-3)


# ------------------------------------------------------------------ 8. Bayes factors


def _jzs_bf10_over_delta(t: float, n: int, r: float) -> float:
    """Independent JZS BF10: average the likelihood of t over a Cauchy(0, r) prior on the
    effect size delta (t | delta ~ noncentral t, df n-1, ncp delta*sqrt(n)) and divide by
    the likelihood under delta = 0.  pingouin instead integrates over Rouder's g."""
    df = n - 1
    marginal = integrate.quad(
        lambda delta: stats.nct.pdf(t, df, delta * math.sqrt(n)) * stats.cauchy.pdf(delta, scale=r),
        -np.inf, np.inf, epsabs=1e-14, epsrel=1e-10, limit=200,
    )[0]
    return marginal / stats.t.pdf(t, df)


def test_bayes_factor_published_example():
    # pingouin documentation: bayesfactor_ttest(3.5, 20, 20, paired=True) -> 17.185
    assert _jzs_bf10_over_delta(3.5, 20, 0.707) == pytest.approx(17.185, abs=1e-3)


def test_bayes_factors_against_independent_integral(nine_pairs):
    before, after = nine_pairs
    out = rb.bayes_factors(before, after)  # r = sqrt(2)/2, the "medium" default
    assert list(out.columns) == ["n", "t", "log10_bf10", "bf10", "bf01", "favours", "strength", "reading"]
    for unit in before.columns:
        t = out.loc[unit, "t"]
        assert out.loc[unit, "bf10"] == pytest.approx(_jzs_bf10_over_delta(t, 9, np.sqrt(2) / 2), rel=1e-5)
        assert out.loc[unit, "bf01"] == pytest.approx(1 / out.loc[unit, "bf10"])
    wide = rb.bayes_factors(before, after, r=1.0)
    t = wide.loc["A2", "t"]
    assert wide.loc["A2", "bf10"] == pytest.approx(_jzs_bf10_over_delta(t, 9, 1.0), rel=1e-5)


def test_evidence_categories():
    out = rb.evidence_category([150, 40, 17.185, 3, 2.9, 1, 0.5, 0.2, 1 / 50, 0.005, np.nan])
    assert out["strength"].tolist()[:10] == [
        "extreme", "very strong", "strong", "moderate", "anecdotal",
        "none", "anecdotal", "moderate", "very strong", "extreme",
    ]
    assert out["favours"].tolist()[:10] == ["H1"] * 5 + ["neither"] + ["H0"] * 4
    # category edges: a bound belongs to the category above it
    edges = rb.evidence_category([10, 25, 29.9, 30, 99.9, 100, 1 / 25, 1 / 30])
    assert edges["strength"].tolist() == [
        "strong", "strong", "strong", "very strong", "very strong", "extreme", "strong", "very strong",
    ]
    assert out["reading"].iloc[2] == "strong evidence for H1 (a change)"
    assert out["reading"].iloc[7] == "moderate evidence for H0 (no change)"
    assert out["reading"].iloc[10] == "not computable"


# ------------------------------------------------- 9. regression to the mean, ceiling


def test_regression_to_mean_against_hand_formula(nine_pairs):
    before, after = nine_pairs
    out = rb.regression_to_mean(before, after)
    for unit in before.columns:
        x, y = before[unit].to_numpy(), after[unit].to_numpy()
        for column, predictor in (("start", x), ("mean", (x + y) / 2)):
            r = np.corrcoef(predictor, y - x)[0, 1]
            t = r * math.sqrt(7) / math.sqrt(1 - r**2)
            assert out.loc[unit, f"r_{column}_change"] == pytest.approx(r)
            assert out.loc[unit, f"p_{column}_change"] == pytest.approx(2 * stats.t.sf(abs(t), 7))


def test_regression_to_mean_oldham_zero_with_equal_spread():
    # after is a reshuffle of before plus 1: equal SDs -> Oldham's r is exactly 0,
    # while the naive start-vs-change r is negative.
    before = frame({"u": [2, 4, 5, 7, 8, 3, 6, 9, 5]})
    after = frame({"u": [6, 3, 9, 5, 10, 7, 4, 8, 6]})  # {2,4,5,7,8,3,6,9,5} + 1, reshuffled
    assert after["u"].std() == pytest.approx(before["u"].std())
    out = rb.regression_to_mean(before, after).loc["u"]
    assert out["r_mean_change"] == pytest.approx(0, abs=1e-12)
    assert out["r_start_change"] < 0


def test_ceiling_share():
    ratings = frame({"b1": [9, 10, 8, 7], "b2": [10, 10, 10, 9], "b3": [1, 2, np.nan, 9]})
    out = rb.ceiling_share(ratings, threshold=9)
    assert out["n_ratings"].tolist() == [4, 4, 3]
    assert out["n_at_or_above"].tolist() == [2, 4, 1]
    assert out["share"].tolist() == pytest.approx([0.5, 1.0, 1 / 3])
    assert out["n_at_or_above"].sum() / out["n_ratings"].sum() == pytest.approx(7 / 11)
    assert rb.ceiling_share(ratings, threshold=10)["share"].tolist() == pytest.approx([0.25, 0.75, 0])


def test_vectorised_sign_flip_p_equals_scipy_permutation_method():
    # Integer changes on a 1..10 scale: ties and zeros everywhere, as in the real data.
    rng = np.random.default_rng(11)
    before = pd.DataFrame(rng.integers(4, 9, size=(9, 12)).astype(float))
    after = before + rng.integers(-1, 3, size=(9, 12))
    ours = rb.wilcoxon_signed_rank(before, after)
    change = (after - before).to_numpy()
    for j in range(change.shape[1]):
        if ours["method"].iloc[j] != "exact permutation" or not change[:, j].any():
            continue
        ref = stats.wilcoxon(change[:, j], method=stats.PermutationMethod(), zero_method="wilcox")
        assert ours["p"].iloc[j] == pytest.approx(ref.pvalue, abs=1e-12)
        assert ours["statistic"].iloc[j] == pytest.approx(ref.statistic)


def test_wilcoxon_sees_ties_between_area_means_that_floats_hide():
    """40/7 - 41/7 and 41/7 - 42/7 are both -1/7, but differ in the last bit as floats."""
    from lehc_report.stats.robustness import wilcoxon_signed_rank

    before = pd.DataFrame({"A": [41 / 7, 42 / 7, 40 / 7, 43 / 7, 40 / 7]})
    after = pd.DataFrame({"A": [40 / 7, 41 / 7, 45 / 7, 47 / 7, 46 / 7]})
    assert (40 / 7 - 41 / 7) != (41 / 7 - 42 / 7)
    row = wilcoxon_signed_rank(before, after).iloc[0]
    # changes -1/7, -1/7, 5/7, 4/7, 6/7: |D| ranks 1.5, 1.5, 4, 3, 5 -> T+ = 12, T- = 3
    assert row["method"] == "exact permutation"
    assert (row["t_plus"], row["t_minus"]) == (12.0, 3.0)


def test_wilcoxon_can_reach_threshold_needs_the_family_size():
    # No default family size: the 2013 report's 38 behaviours must not be assumed.
    with pytest.raises(TypeError):
        rb.wilcoxon_can_reach_threshold(9, 0.05)
    assert rb.wilcoxon_can_reach_threshold(9, 0.01, 2) is True  # 2/512 = 0.0039 <= 0.005
    assert rb.wilcoxon_can_reach_threshold(9, 0.01, 3) is False  # 0.0039 > 0.0033
