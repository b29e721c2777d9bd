"""One tolerance for "no spread" (stats/spread.py), used by every test in every stage.

The small input below is five people who each rise exactly one point on one of the
seven behaviours of area "flat": every area change is 1/7, but as a difference of two
means of seven ratings it comes out of floating-point arithmetic in the last bit
different for different people (scipy's paired t is then about -6.6e14).  Area
"varied" (three behaviours) changes by different amounts, so its tests are defined
and checked against hand computations.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from lehc_report.inputs.framework import Framework
from lehc_report.stats import paired, robustness
from lehc_report.stats.spread import NOISE_DECIMALS, RELATIVE_TOLERANCE, has_spread, no_spread

PEOPLE = ["P1", "P2", "P3", "P4", "P5"]
FLAT_START_SUMS = [30, 41, 47, 55, 62]  # of seven ratings; +1 each at the end, +1 more at follow-up
VARIED_START = [[5, 5, 5], [4, 6, 5], [6, 6, 6], [3, 4, 5], [7, 7, 6]]
VARIED_END = [[6, 5, 5], [6, 6, 5], [6, 6, 6], [5, 5, 5], [8, 7, 6]]  # changes in sum 1, 2, 0, 3, 1
VARIED_FOLLOW = [[6, 5, 6], [5, 6, 5], [6, 7, 6], [4, 5, 5], [8, 8, 6]]


def seven_ratings(total: int) -> list[int]:
    """Seven ratings on 1..10 summing to ``total``."""
    base, extra = divmod(total, 7)
    return [base + (1 if i < extra else 0) for i in range(7)]


@pytest.fixture(scope="module")
def framework() -> Framework:
    behaviours = [(f"F{i}", "flat") for i in range(1, 8)] + [(f"V{i}", "varied") for i in range(1, 4)]
    return Framework(
        areas=pd.DataFrame({"area_id": ["flat", "varied"], "area_name": ["Flat", "Varied"], "tagline": "", "n_behaviours": [7, 3]}),
        behaviours=pd.DataFrame({"behaviour_id": [b for b, _ in behaviours], "area_id": [a for _, a in behaviours],
                                 "label": [b for b, _ in behaviours], "position": range(1, 11)}),
        waves=pd.DataFrame({"wave": ["start", "end", "follow_up"], "wave_label": ["Start", "End", "Follow-up"], "wave_order": [1, 2, 3]}),
        scale_min=1,
        scale_max=10,
    )


@pytest.fixture(scope="module")
def tidy(framework) -> pd.DataFrame:
    rows = []
    for person, total, v_start, v_end, v_follow in zip(PEOPLE, FLAT_START_SUMS, VARIED_START, VARIED_END, VARIED_FOLLOW):
        start = seven_ratings(total)
        end = list(start)
        end[6] += 1  # the lowest-rated behaviour rises one point
        follow = list(end)
        follow[5] += 1
        for wave, flat, varied in (("start", start, v_start), ("end", end, v_end), ("follow_up", follow, v_follow)):
            rows += [(person, wave, f"F{i + 1}", "flat", float(s)) for i, s in enumerate(flat)]
            rows += [(person, wave, f"V{i + 1}", "varied", float(s)) for i, s in enumerate(varied)]
    return pd.DataFrame(rows, columns=["participant_id", "wave", "behaviour_id", "area_id", "score"])


@pytest.fixture(scope="module")
def areas(tidy, framework):
    scores = paired.area_scores(tidy, framework, 0.5)
    before, after, _ = paired.paired_wide(scores, "area_id", "score", "start", "end")
    return scores, before, after


# ------------------------------------------------------------------ the function


def test_no_spread_ignores_last_bit_noise_but_not_real_differences():
    values = np.array([[1 / 7, 2.0, 5.0], [(31 / 7) - (30 / 7), 2.0, 5.0 + 1 / 49]])
    assert values[0, 0] != values[1, 0]  # the noise is really there
    assert no_spread(values).tolist() == [True, True, False]
    assert has_spread(values).tolist() == [False, False, True]


def test_tolerance_is_relative_above_one_and_absolute_below():
    big = 1e6
    assert no_spread([big, big * (1 + 0.5 * RELATIVE_TOLERANCE)]).item()
    assert not no_spread([big, big * (1 + 2 * RELATIVE_TOLERANCE)]).item()
    assert no_spread([0.0, 0.5 * RELATIVE_TOLERANCE]).item()
    assert not no_spread([0.0, 2 * RELATIVE_TOLERANCE]).item()
    # Rounding to NOISE_DECIMALS is the same resolution (for code that rounds before ranking).
    assert 10.0**-NOISE_DECIMALS == RELATIVE_TOLERANCE


def test_missing_values_empty_and_single_slices():
    values = np.array([[1.0, np.nan, np.nan, 3.0], [1.0, 2.0, np.nan, np.nan], [np.nan, 2.0, np.nan, 4.0]])
    assert no_spread(values, axis=0).tolist() == [True, True, True, False]
    rows = np.array([[2.0, np.nan, 2.0], [np.nan, np.nan, np.nan], [1.0, 3.0, np.nan]])
    assert no_spread(rows, axis=1).tolist() == [True, True, False]
    assert no_spread(np.empty((0, 2))).tolist() == [True, True]
    assert no_spread(values, axis=None).item() is False


def test_infinities_and_integer_codings():
    assert no_spread([np.inf, np.inf]).item()
    assert not no_spread([np.inf, 1.0]).item()
    assert no_spread([[0, 1], [0, 1], [0, 0]], axis=0).tolist() == [True, False]
    assert no_spread(np.array([[True], [True]])).tolist() == [True]


# ------------------------------------------------------- every test uses it


def test_the_input_carries_the_noise(areas):
    _, before, after = areas
    change = (after - before)["flat"].to_numpy()
    assert np.unique(change).size > 1  # equal changes that differ in the last bit
    assert abs(stats.ttest_rel(before["flat"], after["flat"]).statistic) > 1e12  # what was printed before


def test_paired_t_is_undefined_where_changes_do_not_vary(areas):
    _, before, after = areas
    table = paired.paired_tests(before, after)
    flat, varied = table.loc["flat"], table.loc["varied"]
    assert np.isnan(flat["t"]) and np.isnan(flat["p"])
    assert flat["sd_change"] == 0.0 and flat["df"] == 4 and flat["n"] == 5
    assert flat["mean_change"] == pytest.approx(1 / 7, abs=1e-15)
    # Varied: changes in area means 1/3, 2/3, 0, 3/3, 1/3 (start minus end, as published).
    d = np.array([1, 2, 0, 3, 1]) / 3
    t = -d.mean() / (d.std(ddof=1) / np.sqrt(5))
    assert varied["t"] == pytest.approx(t, rel=1e-12)
    assert varied["p"] == pytest.approx(2 * stats.t.sf(abs(t), 4), rel=1e-10)


def test_robustness_statistics_are_undefined_for_the_flat_area(areas):
    _, before, after = areas
    effects = robustness.paired_effect_sizes(before, after, confidence=0.95)
    assert effects.loc["flat", ["t", "p_ttest", "d_z", "d_z_ci_low", "d_z_ci_high"]].isna().all()
    assert effects.loc["varied", ["t", "d_z", "d_z_ci_low", "d_z_ci_high"]].notna().all()
    bayes = robustness.bayes_factors(before, after)
    assert np.isnan(bayes.loc["flat", "bf10"]) and np.isnan(bayes.loc["flat", "log10_bf10"])
    assert bayes.loc["flat", "reading"] == "not computable"
    assert np.isnan(robustness.normality_of_changes(before, after).loc["flat", "shapiro_w"])
    # Wilcoxon ranks after rounding to NOISE_DECIMALS, so the five equal changes tie:
    # all positive, T+ = 15, and the exact p is the floor 2 / 2**5 = .0625, not a
    # ranking of floating-point noise.
    wilcoxon = robustness.wilcoxon_signed_rank(before, after).loc["flat"]
    assert (wilcoxon["t_plus"], wilcoxon["t_minus"]) == (15.0, 0.0)
    assert wilcoxon["p"] == pytest.approx(2 / 2**5)


def test_rm_anova_is_undefined_when_profiles_differ_by_a_constant(areas, framework):
    scores, _, _ = areas
    omnibus = paired.omnibus_over_waves(scores, framework).set_index("area_id")
    assert omnibus.loc["flat", ["F", "df1", "df2", "p_anova"]].isna().all()
    assert omnibus.loc["flat", "n"] == 5
    # Friedman ranks the scores within each person: every person's profile rises, so
    # ranks 1, 2, 3 for all and Q = n (k - 1) = 10, defined (chi-square, 2 df).
    assert omnibus.loc["flat", "friedman_q"] == pytest.approx(10.0)
    assert omnibus.loc["flat", "p_friedman"] == pytest.approx(np.exp(-10 / 2), rel=1e-12)
    # Varied: a one-way repeated-measures ANOVA by hand (Maxwell & Delaney ch. 11).
    y = np.array([np.mean(w, axis=1) for w in (VARIED_START, VARIED_END, VARIED_FOLLOW)]).T  # people x waves
    n, k = y.shape
    grand = y.mean()
    ss_waves = n * ((y.mean(axis=0) - grand) ** 2).sum()
    ss_people = k * ((y.mean(axis=1) - grand) ** 2).sum()
    ss_error = ((y - grand) ** 2).sum() - ss_waves - ss_people
    f = (ss_waves / (k - 1)) / (ss_error / ((n - 1) * (k - 1)))
    assert omnibus.loc["varied", "F"] == pytest.approx(f, rel=1e-10)
    assert omnibus.loc["varied", "p_anova"] == pytest.approx(stats.f.sf(f, k - 1, (n - 1) * (k - 1)), rel=1e-8)
