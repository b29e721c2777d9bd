"""Random-effects meta-analysis and meta-regression (stats/meta_analysis.py).

Every expected value is either printed in another package's documentation or worked
by hand below; none is recomputed with this module or with a library it calls.

The main example is the BCG vaccine meta-analysis (13 trials; Colditz et al. 1994),
as printed by the R package metafor (Viechtbauer 2010, J Stat Softw 36(3)):

- [rma.uni] metafor reference manual, ``rma.uni`` (https://wviechtb.github.io/metafor/reference/rma.uni.html),
  Examples: ``rma(yi, vi, data=dat, method="REML")`` and
  ``rma(yi, vi, mods = ~ ablat + year, data=dat)``;
  the same REML output is printed on the ``dat.bcg`` page (metafor 2.5-15) and in
  Viechtbauer (2010), section 3.3.
- [README] metafor's home page (https://wviechtb.github.io/metafor/, "Example"; the
  package README): ``rma(yi, vi, data=dat, test="knha")``, its ``predict(res, transf=exp,
  digits=2)``, and ``rma(yi, vi, mods = ~ ablat, data=dat, test="knha")``.
- [predict] metafor reference manual, ``predict.rma`` Examples: ``predict(res, digits=2)``.
- [emmprep] metafor reference manual, ``emmprep`` Examples: ``rma(yi, vi, mods = ~ ablat)``
  (Wald-type), for the residual tau^2, I^2 and Q_E.
- [metan] metafor's test ``tests/testthat/test_misc_metan_vs_rma.uni_with_dat.bcg.r``,
  which records the output of Stata's ``metan tpos tneg cpos cneg, randomi nograph rr
  log`` (DerSimonian-Laird): a second, independent program.
"""

from __future__ import annotations

import math
import warnings
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from lehc_report.stats import meta_analysis
from lehc_report.stats.meta_analysis import (
    dersimonian_laird_tau2,
    dz_sampling_variance,
    mean_change_variance,
    meta_regression,
    prediction_interval,
    random_effects,
)

# dat.bcg (metafor; Colditz et al. 1994, Table 1): TB cases and non-cases among the
# vaccinated (tpos, tneg) and the controls (cpos, cneg), absolute latitude, year.
BCG = pd.DataFrame(
    [
        (1, 4, 119, 11, 128, 44, 1948),
        (2, 6, 300, 29, 274, 55, 1949),
        (3, 3, 228, 11, 209, 42, 1960),
        (4, 62, 13536, 248, 12619, 52, 1977),
        (5, 33, 5036, 47, 5761, 13, 1973),
        (6, 180, 1361, 372, 1079, 44, 1953),
        (7, 8, 2537, 10, 619, 19, 1973),
        (8, 505, 87886, 499, 87892, 13, 1980),
        (9, 29, 7470, 45, 7232, 27, 1968),
        (10, 17, 1699, 65, 1600, 42, 1961),
        (11, 186, 50448, 141, 27197, 18, 1974),
        (12, 5, 2493, 3, 2338, 33, 1969),
        (13, 27, 16886, 29, 17825, 33, 1976),
    ],
    columns=["trial", "tpos", "tneg", "cpos", "cneg", "ablat", "year"],
)


def log_risk_ratios(table: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Log risk ratio and its large-sample variance from 2x2 counts (escalc measure "RR")."""
    treated, control = table.tpos + table.tneg, table.cpos + table.cneg
    yi = np.log((table.tpos / treated) / (table.cpos / control))
    vi = 1 / table.tpos - 1 / treated + 1 / table.cpos - 1 / control
    return yi.to_numpy(), vi.to_numpy()


YI, VI = log_risk_ratios(BCG)
#: dat.bcg's method of treatment allocation, trials 1 to 13.
ALLOCATION = ["random"] * 4 + ["alternate"] * 2 + ["random"] * 3 + ["systematic"] * 4


def assert_printed(value: float, printed: str) -> None:
    """``value`` agrees with a printed number to the digits printed (half a last unit)."""
    half_unit = Decimal(1).scaleb(Decimal(printed).as_tuple().exponent) / 2
    assert abs(Decimal(repr(float(value))) - Decimal(printed)) <= half_unit, (value, printed)


def test_log_risk_ratios_match_the_printed_escalc_values():
    # [rma.uni] / dat.bcg page: escalc(measure="RR", ...) yi and vi columns.
    printed_yi = "-0.8893 -1.5854 -1.3481 -1.4416 -0.2175 -0.7861 -1.6209 0.0120 -0.4694 -1.3713 -0.3394 0.4459 -0.0173"
    printed_vi = "0.3256 0.1946 0.4154 0.0200 0.0512 0.0069 0.2230 0.0040 0.0564 0.0730 0.0124 0.5325 0.0714"
    for value, printed in zip(YI, printed_yi.split()):
        assert_printed(value, printed)
    for value, printed in zip(VI, printed_vi.split()):
        assert_printed(value, printed)


def test_reml_random_effects_match_metafor_for_the_bcg_trials():
    result = random_effects(YI, VI)
    # [rma.uni] "Random-Effects Model (k = 13; tau^2 estimator: REML)"
    assert result.k == 13
    assert_printed(result.tau2, "0.3132")
    assert_printed(result.i2, "92.22")
    assert_printed(result.q, "152.2330")
    assert result.q_p < 0.0001  # printed "p-val < .0001"
    assert_printed(result.estimate, "-0.7145")
    assert_printed(result.se, "0.1798")


def test_hartung_knapp_interval_matches_metafor_knha_for_the_bcg_trials():
    result = random_effects(YI, VI)
    # [README] rma(yi, vi, data=dat, test="knha"):
    # estimate -0.7145, se 0.1808, tval -3.9522, df 12, pval 0.0019, ci -1.1084 to -0.3206
    assert result.df == 12
    assert_printed(result.se_hk, "0.1808")
    assert_printed(result.t, "-3.9522")
    assert_printed(result.p, "0.0019")
    assert_printed(result.ci_low, "-1.1084")
    assert_printed(result.ci_high, "-0.3206")


def test_dersimonian_laird_check_matches_stata_metan_for_the_bcg_trials():
    # [metan] Stata metan, randomi: tau2 0.3088, I2 92.1173%, pooled log RR -0.7141 with a
    # Wald interval -1.0644 to -0.3638 (so SE = 0.7006 / (2 x 1.95996) = 0.1787).
    assert_printed(random_effects(YI, VI).tau2_dl, "0.3088")
    result = random_effects(YI, VI, method="DL")
    assert_printed(result.tau2, "0.3088")
    assert_printed(result.i2, "92.1173")
    assert_printed(result.estimate, "-0.7141")
    assert_printed(result.estimate - 1.959964 * result.se, "-1.0644")
    assert_printed(result.estimate + 1.959964 * result.se, "-0.3638")


def test_prediction_interval_reproduces_metafor_with_its_degrees_of_freedom():
    # metafor uses t on k - 1 df with test="knha" and the normal otherwise; fed the
    # printed inputs and those df, the helper gives metafor's printed intervals.
    # [README] predict(res, transf=exp, digits=2) after test="knha": pi 0.14 to 1.76.
    low, high = prediction_interval(-0.7145, 0.1808, 0.3132, df=12)
    assert_printed(math.exp(low), "0.14")
    assert_printed(math.exp(high), "1.76")
    # [predict] predict(res, digits=2) after the default test="z": pi -1.87 to 0.44.
    low, high = prediction_interval(-0.7145, 0.1798, 0.3132, df=math.inf)
    assert_printed(low, "-1.87")
    assert_printed(high, "0.44")


def test_report_prediction_interval_uses_t_on_k_minus_2_df():
    # Higgins, Thompson & Spiegelhalter (2009) / Riley et al. (2011), by hand from the printed REML
    # results: t(0.975, 11) = 2.2010 (t table); sqrt(0.3132 + 0.1798^2) = 0.58782;
    # -0.7145 -/+ 2.2010 x 0.58782 = -2.0083 to 0.5793.
    result = random_effects(YI, VI)
    assert result.pi_low == pytest.approx(-2.0083, abs=1e-3)
    assert result.pi_high == pytest.approx(0.5793, abs=1e-3)


def test_meta_regression_on_latitude_matches_metafor_knha(monkeypatch):
    # metafor stops Fisher scoring once tau^2 moves by less than 1e-5 (rma.uni's default
    # control threshold), from the same Hedges start; this module stops at 1e-10. Here
    # that matters in the fourth decimal (metafor stops at tau^2 = 0.0763547, the REML
    # maximum is 0.0763480), so the printed digits are checked with metafor's threshold...
    monkeypatch.setattr(meta_analysis, "REML_TOLERANCE", 1e-5)
    result = meta_regression(YI, VI, BCG[["ablat"]])
    # [README] rma(yi, vi, mods = ~ ablat, data=dat, test="knha")
    assert_printed(result.tau2, "0.0764")
    assert_printed(result.i2, "68.39")
    assert_printed(result.r2, "75.62")
    assert result.qe_df == 11
    assert_printed(result.qe, "30.7331")
    assert_printed(result.qe_p, "0.0012")
    assert (result.f_df1, result.f_df2) == (1, 11)
    assert_printed(result.f, "12.5905")
    assert_printed(result.f_p, "0.0046")
    table = result.coefficients
    assert list(table.index) == ["intercept", "ablat"]
    expected = {
        "intercept": ("0.2515", "0.2839", "0.8857", "0.3948", "-0.3735", "0.8764"),
        "ablat": ("-0.0291", "0.0082", "-3.5483", "0.0046", "-0.0472", "-0.0111"),
    }
    for name, printed in expected.items():
        row = table.loc[name]
        for column, value in zip(["estimate", "se", "t", "p", "ci_low", "ci_high"], printed):
            assert_printed(row[column], value)
        assert row["df"] == 11
    # ... and the default, tighter fit moves nothing by more than metafor's threshold implies.
    monkeypatch.setattr(meta_analysis, "REML_TOLERANCE", 1e-10)
    tight = meta_regression(YI, VI, BCG[["ablat"]])
    assert abs(tight.tau2 - result.tau2) < 1e-5
    assert tight.coefficients["estimate"].to_numpy() == pytest.approx(result.coefficients["estimate"].to_numpy(), abs=1e-5)


def test_meta_regression_on_latitude_and_year_matches_metafor():
    # [rma.uni] rma(yi, vi, mods = ~ ablat + year): residual heterogeneity and R^2 do
    # not depend on the Knapp-Hartung adjustment.
    result = meta_regression(YI, VI, BCG[["ablat", "year"]])
    assert_printed(result.tau2, "0.1108")
    assert_printed(result.i2, "71.98")
    assert_printed(result.r2, "64.63")
    assert_printed(result.qe, "28.3251")
    assert_printed(result.qe_p, "0.0016")
    assert_printed(result.coefficients.loc["ablat", "estimate"], "-0.0280")
    assert_printed(result.coefficients.loc["year", "estimate"], "0.0019")


def test_meta_regression_with_a_categorical_moderator_as_indicators_matches_metafor():
    # Region will enter the network report as indicator columns; the BCG trials' method
    # of allocation (alternate / random / systematic) is the printed example of the same.
    # [rma.uni] rma(yi, vi, mods = ~ alloc.random + alloc.systematic + year + ablat), with
    # "alternate" the reference level, as get_dummies(drop_first=True) makes it.
    alloc = pd.Series(ALLOCATION, name="alloc")
    moderators = pd.concat([pd.get_dummies(alloc, prefix="alloc", drop_first=True, dtype=float), BCG[["year", "ablat"]]], axis=1)
    result = meta_regression(YI, VI, moderators)
    assert list(result.coefficients.index) == ["intercept", "alloc_random", "alloc_systematic", "year", "ablat"]
    assert_printed(result.tau2, "0.1796")
    assert_printed(result.i2, "73.09")
    assert_printed(result.r2, "42.67")
    assert result.qe_df == 8
    assert_printed(result.qe, "26.2030")
    assert_printed(result.qe_p, "0.0010")
    printed = {"intercept": "-14.4984", "alloc_random": "-0.3421", "alloc_systematic": "0.0101", "year": "0.0075", "ablat": "-0.0236"}
    for name, value in printed.items():
        assert_printed(result.coefficients.loc[name, "estimate"], value)


def test_dersimonian_laird_by_hand_on_three_studies():
    # y = 0, 1, 2 with v = 0.1, 0.2, 0.4, so w = 10, 5, 2.5:
    # sum(w) = 17.5, sum(w^2) = 131.25, fixed-effect mean = 10 / 17.5 = 4/7;
    # Q = 10 (4/7)^2 + 5 (3/7)^2 + 2.5 (10/7)^2 = (160 + 45 + 250) / 49 = 65/7;
    # C = 17.5 - 131.25 / 17.5 = 10; tau2 = (65/7 - 2) / 10 = 51/70;
    # typical within variance s2 = 2 x 17.5 / (17.5^2 - 131.25) = 0.2,
    # I2 = (51/70) / (51/70 + 1/5) = 51/65 (= the Q-based (Q - 2)/Q, as it must for DL);
    # v + tau2 = 58/70, 65/70, 79/70, so the pooled effect is
    # (1/65 + 2/79) / (1/58 + 1/65 + 1/79) and its SE sqrt(1 / (70 (1/58 + 1/65 + 1/79))).
    y, v = [0.0, 1.0, 2.0], [0.1, 0.2, 0.4]
    assert dersimonian_laird_tau2(y, v) == pytest.approx(51 / 70, rel=1e-12)
    result = random_effects(y, v, method="DL")
    assert result.q == pytest.approx(65 / 7, rel=1e-12)
    assert result.tau2 == pytest.approx(51 / 70, rel=1e-12)
    assert result.i2 == pytest.approx(100 * 51 / 65, rel=1e-12)
    inverse_sum = 1 / 58 + 1 / 65 + 1 / 79
    assert result.estimate == pytest.approx((1 / 65 + 2 / 79) / inverse_sum, rel=1e-12)
    assert result.se == pytest.approx(math.sqrt(1 / (70 * inverse_sum)), rel=1e-12)
    assert result.tau2_dl == result.tau2


def test_two_cohorts_have_an_interval_but_no_prediction_interval():
    # Equal variances: REML tau2 is the sample variance of the effects minus v
    # (0.5 - 0.1 = 0.4, the balanced-design ANOVA estimator). Pooled 0.5 with
    # weights 1/0.5 = 2 each: SE = sqrt(1/4) = 0.5; the weighted residual mean square is
    # 2 (0.25 + 0.25) / 1 = 1, so the Knapp-Hartung SE is also 0.5 and the interval is
    # 0.5 -/+ t(0.975, 1) x 0.5 = 0.5 -/+ 12.7062 x 0.5. Q = 10 (0.25 + 0.25) = 5 on 1 df,
    # p = 0.0253 (chi-squared table); s2 = 20 / (400 - 200) = 0.1, I2 = 0.4 / 0.5 = 80%.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = random_effects([0.0, 1.0], [0.1, 0.1])
    assert result.tau2 == pytest.approx(0.4, abs=1e-9)
    assert result.tau2_dl == pytest.approx(0.4, abs=1e-12)
    assert result.estimate == pytest.approx(0.5)
    assert result.se == pytest.approx(0.5, abs=1e-9)
    assert result.se_hk == pytest.approx(0.5, abs=1e-9)
    assert result.ci_low == pytest.approx(0.5 - 12.7062 * 0.5, abs=1e-4)
    assert result.ci_high == pytest.approx(0.5 + 12.7062 * 0.5, abs=1e-4)
    assert result.q == pytest.approx(5.0)
    assert result.q_p == pytest.approx(0.0253, abs=1e-4)
    assert result.i2 == pytest.approx(80.0, abs=1e-6)
    assert math.isnan(result.pi_low) and math.isnan(result.pi_high)


def test_one_cohort_is_its_own_estimate_and_everything_else_is_nan():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = random_effects([0.42], [0.04])
    assert (result.k, result.estimate, result.se) == (1, 0.42, 0.2)
    for name in ["se_hk", "t", "p", "ci_low", "ci_high", "tau2", "tau2_dl", "q", "q_p", "i2", "pi_low", "pi_high"]:
        assert math.isnan(getattr(result, name)), name


def test_homogeneous_cohorts_give_tau2_zero():
    # Identical variances and effects closer together than their sampling error
    # (sample variance 0.01 < v = 0.1): the REML estimate is at the boundary, 0.
    result = random_effects([0.9, 1.0, 1.1, 1.0], [0.1] * 4)
    assert result.tau2 == 0.0
    assert result.tau2_dl == 0.0
    assert result.i2 == 0.0
    assert result.estimate == pytest.approx(1.0)


def test_bounded_optimiser_takes_over_when_fisher_scoring_stops_short(monkeypatch):
    monkeypatch.setattr(meta_analysis, "REML_MAX_ITERATIONS", 1)
    result = random_effects(YI, VI)
    assert_printed(result.tau2, "0.3132")
    assert_printed(result.estimate, "-0.7145")


def test_fisher_scoring_finds_the_same_maximum_as_the_bounded_optimiser():
    # Two algorithms for the same restricted likelihood must agree wherever they land,
    # including on the boundary tau^2 = 0; no input here may warn.
    rng = np.random.default_rng(16)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for k in [2, 3, 4, 6, 10, 30] * 20:
            y = rng.normal(0.0, rng.uniform(0.05, 1.0), k)
            v = rng.uniform(0.01, 0.5, k)
            fisher = random_effects(y, v).tau2
            bounded = meta_analysis._reml_tau2_bounded(y, v, np.ones((k, 1)))
            assert fisher >= 0.0
            assert fisher == pytest.approx(bounded, abs=1e-6)


def test_as_record_has_the_pooled_csv_columns():
    record = random_effects(YI, VI).as_record()
    assert list(record) == ["k", "estimate", "ci_low", "ci_high", "tau2", "i2", "q", "q_p", "pi_low", "pi_high", "tau2_dl"]
    assert record["k"] == 13


def test_meta_regression_without_residual_degrees_of_freedom_is_nan():
    result = meta_regression([0.1, 0.5], [0.1, 0.2], [1.0, 2.0])
    assert result.qe_df == 0
    assert math.isnan(result.tau2) and math.isnan(result.f)
    assert result.coefficients.isna().all().all()


def test_meta_regression_with_collinear_moderators_is_nan():
    year = np.array([2013.0, 2014.0, 2015.0, 2016.0, 2017.0])
    moderators = pd.DataFrame({"year": year, "year_again": year - 2013})
    result = meta_regression([0.1, 0.2, 0.5, 0.3, 0.4], [0.05] * 5, moderators)
    assert math.isnan(result.tau2)


def test_meta_regression_refuses_text_moderators():
    with pytest.raises(ValueError, match="moderators must be numeric; code a categorical one as indicator columns"):
        meta_regression([0.1, 0.2, 0.3], [0.1] * 3, pd.DataFrame({"region": ["north", "south", "east"]}))


@pytest.mark.parametrize(
    ("y", "v", "message"),
    [
        ([0.1, 0.2], [0.1], "effects and sampling variances differ in length (2 and 1)"),
        ([0.1, float("nan")], [0.1, 0.1], "effect 1 is nan; leave a cohort without an effect out before pooling"),
        ([0.1, 0.2], [0.1, 0.0], "sampling variance 1 is 0.0; every variance must be positive and finite"),
        ([], [], "no effects to pool"),
    ],
)
def test_unusable_inputs_are_refused_in_one_line(y, v, message):
    with pytest.raises(ValueError) as raised:
        random_effects(y, v)
    assert str(raised.value) == message


def test_unknown_method_is_refused():
    with pytest.raises(ValueError, match="method must be 'REML' or 'DL', not 'PM'"):
        random_effects(YI, VI, method="PM")


def test_dz_sampling_variance_by_hand():
    # 1/20 + 0.5^2 / 40 = 0.05 + 0.00625
    assert dz_sampling_variance(0.5, 20) == pytest.approx(0.05625)
    values = dz_sampling_variance([0.5, -1.0, 0.3], [20, 10, 1])
    assert values[:2] == pytest.approx([0.05625, 0.1 + 1.0 / 20])
    assert math.isnan(values[2])  # one pair: no SD of changes, no d_z


def test_mean_change_variance_by_hand():
    assert mean_change_variance(0.8, 16) == pytest.approx(0.04)
    values = mean_change_variance([0.8, 1.2], [16, 1])
    assert values[0] == pytest.approx(0.04) and math.isnan(values[1])
