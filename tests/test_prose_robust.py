"""The robustness chapter's sentences (lehc_report.prose.robust), fed hand-built frames.

Each test gives a sentence function the numbers it reads and checks the exact words:
that the reading follows the numbers (it flips when they do) and that every threshold
in a sentence comes from the settings passed in, not from a typed constant.  No file
is read.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from lehc_report.book.glue import REQUIRED
from lehc_report.prose import robust as pr
from lehc_report.stats import robustness as rb

BENCHMARKS = ((0.8, "large"), (0.5, "medium"), (0.2, "small"))


# ------------------------------------------------------------------ numbers as words


def test_level_percent_and_counts():
    assert pr.alpha_text(0.05) == ".05" and pr.alpha_text(0.01) == ".01" and pr.alpha_text(0.1) == ".1"
    assert pr.percent_text(0.95) == "95%" and pr.percent_text(0.05) == "5%" and pr.percent_text(0.8) == "80%"
    assert pr.percent_text(0.975) == "97.5%"
    assert pr.count_of(0, 4, "areas") == "none of the four areas" and pr.count_of(3, 4, "areas") == "three of the four areas"
    assert pr.count_of(4, 4, "areas") == "all four areas" and pr.count_of(7, 19, "areas") == "7 of the 19 areas"
    assert [pr.survive_verb(k) for k in (0, 1, 3)] == ["none survives", "1 survives", "3 survive"]
    assert pr.bf_text(3.456) == "3.5" and pr.bf_text(12345.6) == "12,346"
    assert pr.fmt_or_undefined(np.nan) == "undefined" and pr.fmt_or_undefined(0.125) == "0.13"
    assert pr.p_or_undefined(None) == "undefined" and pr.p_or_undefined(0.0123) == ".012"


def test_small_p_and_wilcoxon_floor_fraction():
    assert pr.wilcoxon_floor_text(9) == "2/512 = 0.00391"
    assert pr.wilcoxon_floor_text(19) == "2/524288 = 3.8 × 10⁻⁶"
    assert pr.wilcoxon_floor_text(40) == "2/2⁴⁰ = 1.8 × 10⁻¹²"
    # 2/2**2000 underflows to 0 as a float; the text is worked out from its logarithm.
    assert pr.wilcoxon_floor_text(2000) == "2/2²⁰⁰⁰ = 1.7 × 10⁻⁶⁰²"
    assert pr.wilcoxon_floor_fraction(9) == "2/512" and pr.wilcoxon_floor_fraction(40) == "2/2⁴⁰"


def test_ceiling_labels_follow_the_offset():
    assert pr.ceiling_labels(10, 1) == ("9 or 10", "the top two points")
    assert pr.ceiling_labels(5, 2) == ("3, 4 or 5", "the top three points")
    assert pr.ceiling_labels(5.0, 1.0) == ("4 or 5", "the top two points")


# ------------------------------------------------------------------ readings flip


def test_effect_size_labels_follow_the_benchmarks():
    assert [pr.effect_size_label(d, BENCHMARKS) for d in (-0.9, 0.5, 0.2, 0.19)] == ["large", "medium", "small", "negligible"]
    assert pr.effect_size_label(0.5, ((1.0, "large"), (0.6, "medium"), (0.3, "small"))) == "small"


def test_dz_sentence():
    assert pr.dz_sentence(pd.Series([-4.05, -1.5]), BENCHMARKS) == (
        "The effects are large by any convention, and every one is a fall: d_z ranges from -4.05 to -1.50.")
    assert pr.dz_sentence(pd.Series([0.3, 0.6, np.nan]), BENCHMARKS) == (
        "By the usual conventions (0.2 small, 0.5 medium, 0.8 large) the effects are small to medium: d_z ranges "
        "from 0.30 to 0.60 (it is undefined for one of the three areas, where every change was the same).")
    assert pr.dz_sentence(pd.Series([0.3, -0.1]), ((1.2, "large"), (0.6, "medium"), (0.25, "small"))) == (
        "By the usual conventions (0.25 small, 0.6 medium, 1.2 large) the effects are negligible to small: "
        "d_z ranges from -0.10 to 0.30; some areas moved up and some down.")
    assert pr.dz_sentence(pd.Series([np.nan]), BENCHMARKS).startswith("d_z is undefined for every area")


def test_interval_reading_depends_on_the_limit():
    assert pr.interval_reading(0.46, 2.35, BENCHMARKS)[1] == "still indicate at least a small rise"
    assert pr.interval_reading(0.63, 3.7, BENCHMARKS)[1] == "still indicate at least a moderate rise"
    assert pr.interval_reading(0.19, 2.95, BENCHMARKS)[1] == "exclude no change but allow a rise too small to matter"
    assert pr.interval_reading(-0.2, 1.5, BENCHMARKS) == (0.0, "include no change at all")
    assert pr.interval_reading(-2.4, -0.56, BENCHMARKS)[1] == "still indicate at least a moderate fall"


def test_dz_precision_names_the_weakest_area_and_the_level():
    effects = pd.DataFrame({"d_z": [2.0, 0.9], "d_z_ci_low": [0.8, 0.1], "d_z_ci_high": [3.2, 1.7]}, index=["A", "B"])
    names = {"A": "Alpha", "B": "Beta"}
    assert pr.dz_precision_sentence(effects, names, BENCHMARKS, 0.95) == (
        "They are also imprecise. The 95% intervals for d_z are wide (for Beta, the area with the smallest effect, "
        "0.10 to 1.70); the lower limits, no lower than 0.10, exclude no change but allow a rise too small to matter "
        "on this measure.")
    effects["d_z_ci_low"] = [1.5, -0.1]
    effects["d_z_ci_high"] = [2.4, 0.8]
    assert pr.dz_precision_sentence(effects, names, BENCHMARKS, 0.9) == (
        "The 90% intervals for d_z are fairly narrow (for Beta, the area with the smallest effect, -0.10 to 0.80); "
        "the intervals include no change at all for one of the two areas.")


def test_shapiro_reading_follows_p_and_alpha():
    assert "finds a departure from normality in the changes for one of the four areas (smallest p = .044)" in pr.shapiro_sentence(
        pd.Series([0.044, 0.3, 0.5, 0.8]), "5", 0.05)
    # The same p at alpha = .01 is no departure.
    assert pr.shapiro_sentence(pd.Series([0.044, 0.3]), "9", 0.01) == (
        "The Shapiro–Wilk test finds no departure from normality in the changes (smallest p = .044), but with 9 "
        "values per area this is weak reassurance: the test has little power to detect even marked skew in so few values.")
    assert pr.shapiro_sentence(pd.Series([0.111, 0.997]), "30", 0.05, n_max=30).endswith(
        "though a non-significant result does not prove normality.")


def test_wilcoxon_sentence_and_its_floor():
    methods = pd.Series(["exact permutation"] * 4)
    assert pr.wilcoxon_sentence(pd.Series([0.0039, 0.0039, 0.0078, 0.0039]), methods, 0.05) == (
        "It finds a change in all four areas (p ≤ .008, all exact).")
    text = pr.wilcoxon_sentence(pd.Series([0.0625, 0.0625, np.nan]), pd.Series(["exact"] * 3), 0.05, n_max=5)
    assert text == ("It finds a change (p < .05) in none of the three areas (smallest p = .063, both exact). With 5 pairs "
                    "it cannot do otherwise: the smallest two-sided p an exact Wilcoxon test can give is 2/32 = 0.06250, "
                    "above .05. It is undefined for one of the three areas, where no one's score changed.")
    assert pr.wilcoxon_sentence(pd.Series([0.004, 0.02]), pd.Series(["exact"] * 2), 0.01) == (
        "It finds a change (p < .01) in one of the two areas (p from .004 to .020, both exact).")


def test_wilcoxon_method_note():
    assert pr.wilcoxon_method_note(set()) == ""
    assert pr.wilcoxon_method_note({rb.WILCOXON_PERMUTATION}).startswith(
        "As the changes have ties or zeros, with 13 pairs or fewer, the p value is computed exactly")
    both = pr.wilcoxon_method_note({rb.WILCOXON_EXACT, rb.WILCOXON_PERMUTATION})
    assert both.startswith("The exact null distribution is used where the changes have no ties or zeros. Where they do,")


def test_agreement_sentences():
    effects = pd.DataFrame({"mean_change": [1.0, 0.5]}, index=["A", "B"])
    wilcoxon = pd.DataFrame({"hodges_lehmann": [1.0, -0.5], "rank_biserial": [0.9, 0.2]}, index=["A", "B"])
    assert pr.agreement_sentence(effects, wilcoxon) == "In one of the two areas they do not point the same way as the mean change."
    wilcoxon["hodges_lehmann"] = [1.0, 0.5]
    assert pr.agreement_sentence(effects, wilcoxon) == "Both point the same way as the mean change in every area."
    names = {"A": "Alpha", "B": "Beta"}
    t_p, w_p = pd.Series({"A": 0.001, "B": 0.03}), pd.Series({"A": 0.004, "B": 0.06})
    assert pr.test_agreement_sentence(t_p, w_p, names, 0.05) == (
        "The Wilcoxon test and the t-test disagree about Beta, so for that area the normality assumption matters.")
    assert pr.test_agreement_sentence(t_p, w_p, names, 0.01).startswith(
        "The Wilcoxon test and the t-test agree about which areas show a change at p < .01")
    assert "cannot reach p < .05 at all" in pr.test_agreement_sentence(t_p, w_p, names, 0.05, n_max=5)


def test_expected_false_positives_and_corrections():
    assert pr.expected_false_positives(4, 0.05) == "fewer than one (0.05 × 4 = 0.20)"
    assert pr.expected_false_positives(38, 0.05) == "about two"
    assert pr.expected_false_positives(38, 0.01) == "fewer than one (0.01 × 38 = 0.38)"
    assert pr.correction_sentence(0, 0, 0, 38, 0.05) == (
        "With none below .05, none can pass a correction either (Holm's threshold for the smallest p would be 0.0013).")
    assert pr.correction_sentence(21, 3, 0, 38, 0.05) == (
        "Of these, 3 survive the Holm correction (which controls the chance of any false positive; threshold for the "
        "smallest p: 0.0013) and none the Benjamini–Hochberg correction (which controls the expected share of false "
        "positives).")
    assert pr.count_sentence(21, 0.05, 21) == "The 2013 report counted 21 behaviours with p < .05; our data reproduce 21."
    # The 2013 report's own level stays .05 whatever this report's level.
    assert pr.count_sentence(9, 0.01, 21) == "The 2013 report counted 21 behaviours with p < .05; our data reproduce 9."
    assert pr.count_sentence(1, 0.01, None).startswith("In this cohort 1 behaviour has p < .01 in its own paired t-test")


def test_wilcoxon_floor_uses_the_actual_n_and_alpha():
    text, can = pr.wilcoxon_floor_sentence(9, 38, 0, 9, 0.05)
    assert not can and "2/512 = 0.00391, which is above the Holm threshold of 0.0013" in text
    text, can = pr.wilcoxon_floor_sentence(40, 38, 30, 34, 0.05)
    assert can and "2/2⁴⁰ = 1.8 × 10⁻¹²" in text and "below the Holm threshold of 0.0013" in text
    assert "at least 11 pairs" in text  # 2/2**11 = 0.00098 <= 0.05/38 = 0.0013 < 2/2**10
    text, can = pr.wilcoxon_floor_sentence(9, 4, 2, 9, 0.05)
    assert can and "below the Holm threshold of 0.0125" in text and "at least 8 pairs" in text  # 2/256 <= .0125 < 2/128
    assert not pr.wilcoxon_floor_sentence(9, 4, 0, 9, 0.01)[1]  # 0.0039 > 0.01/4


def test_power_sentence():
    mdd = rb.minimum_detectable_dz(9, alpha=0.05, power=0.80)
    assert pr.power_sentence(pd.Series([0.98, 2.1, 1.3, 2.5]), mdd, 0.80) == (
        "Three of the four observed area effects are above the first threshold (the smallest d_z is 0.98): the design had less "
        "than an 80% chance of detecting a true effect as small as that, and smaller real changes could well have "
        "gone unnoticed.")
    assert pr.power_sentence(pd.Series([1.42, 2.6]), mdd, 0.80).startswith("Both observed area effects are above")
    assert "less than an 90% chance" in pr.power_sentence(pd.Series([0.5]), mdd, 0.90)


def test_bayes_and_rtm_sentences():
    bayes = pd.DataFrame({"log10_bf10": np.log10([40.0, 5.2, np.nan]), "favours": ["H1", "H1", np.nan],
                          "strength": ["very strong", "moderate", np.nan],
                          "reading": ["very strong evidence for H1 (a change)", "moderate evidence for H1 (a change)",
                                      "not computable"]})
    assert pr.bayes_sentence(bayes, 3) == (
        "For the two areas where it can be computed it ranges from 5.2 upwards; even the weakest is moderate evidence "
        "for H1 (a change). It cannot be computed for one of the three areas, where the changes do not vary.")
    # Beyond 10^100 the sentence gives a bound (a 2,000-person cohort reaches 10^445).
    huge = bayes.assign(log10_bf10=[445.2, 120.0, np.nan])
    assert "it ranges from more than 10^100 upwards" in pr.bayes_sentence(huge, 3)
    assert pr.bayes_factor_text(445.2) == "> 10^100" and pr.bayes_factor_text(np.log10(964.82)) == "964.8"
    rtm = pd.DataFrame({"r_start_change": [0.2, 0.5], "r_mean_change": [0.1, 0.3]})
    assert "highest at the start tended to gain most" in pr.rtm_sentence(rtm)
    rtm["r_start_change"] = [-0.57, -0.22]
    assert pr.rtm_sentence(rtm).startswith(
        "Participants who rated themselves lowest at the start tended to gain most (the correlation between start "
        "score and change ranges from -0.57 to -0.22 across areas).")
    rtm["r_start_change"] = [-0.3, 0.5]
    assert "no consistent link" in pr.rtm_sentence(rtm)


def test_robust_sentence_follows_direction_and_alpha():
    effects = pd.DataFrame({"p_ttest": [0.001, 0.02], "t": [-6.3, -3.0], "mean_change": [-1.0, -1.2]}, index=["A", "B"])
    wilcoxon = pd.DataFrame({"p": [0.002, 0.002]}, index=["A", "B"])
    bayes = pd.DataFrame({"favours": ["H1", "H1"], "strength": ["strong", "extreme"]}, index=["A", "B"])
    holm = pd.Series({"A": 0.03, "B": 0.04})
    text = pr.robust_sentence(effects, wilcoxon, bayes, holm, {"A": "Alpha", "B": "Beta"}, "ten", 0.05)
    assert text == ("the ten participants who rated themselves twice rated themselves clearly lower at the end, in every "
                    "area. This survives a test without normality, Bayes factors and a correction for multiple testing "
                    "at area level.")
    text = pr.robust_sentence(effects, wilcoxon, bayes, holm, {"A": "Alpha", "B": "Beta"}, "ten", 0.01)
    assert text == ("the ten participants who rated themselves twice rated themselves clearly lower at the end, in Alpha. "
                    "This survives a test without normality and Bayes factors, but not a correction for multiple "
                    "testing at area level.")


def test_coverage_attrition_and_ceiling():
    names = {"A": "Alpha", "B": "Beta", "C": "Gamma"}
    assert pr.area_coverage(pd.Series({"A": 9, "B": 9}), [], names, 5) == "Each area is based on the same 9 participants."
    assert pr.area_coverage(pd.Series({"A": 9, "B": 7}), ["C"], names, 5) == (
        "Each area uses every participant with a score for it at both waves (n = 7 to 9 in the areas reported). "
        "Statistics are withheld for Gamma, which has fewer than the 5 participants below which this report "
        "publishes none.")
    assert pr.attrition_sentence(None, 9).startswith("The cohort's records do not say how many")
    assert pr.attrition_sentence(26, 9) == (
        "Twenty-six people attended the course, but only nine completed both self-assessments, so 17 (65%) are missing from the "
        "paired comparison. Those who completed both may well be those who got most from the course.")
    assert pr.attrition_sentence("9", 9) == "All nine people who attended the course completed both self-assessments."
    assert pr.attrition_sentence(8, 9).startswith("The cohort's record of attendance gives 8 attendees, fewer than the 9")
    assert pr.ceiling_sentence(0.31, "4 or 5", "1–5") == (
        "Thirty-one per cent of end ratings are 4 or 5, the top two points of the 1–5 scale; those ratings have little room to show "
        "further change.")
    assert pr.ceiling_sentence(0, "3, 4 or 5", "1–5", "the top three points").startswith(
        "No end rating is 3, 4 or 5, the top three points of the 1–5 scale")


def test_synthetic_paragraph_only_for_the_2013_cohort():
    p = pd.Series([0.0001, 0.0002, 0.3, np.nan])
    assert pr.synthetic_paragraph(False, p, p < 0.05, 0.05) == ""
    assert pr.synthetic_paragraph(True, p, p < 0.05, 0.05).endswith(
        "in these synthetic data the significant ones lie well below .001 and the rest well above .05. Real data "
        "could have put several close to .05, where a correction would remove them.")
    assert pr.synthetic_paragraph(True, p, p < 0.5, 0.5).endswith(
        "so whether they would survive a correction in the real data is not known.")


def test_alpha_sentence_uses_the_reliability_threshold():
    rel = pd.DataFrame({"n_participants": [9, 9, 4], "alpha": [0.82, 0.75, np.nan],
                        "ci_low": [0.72, 0.71, np.nan], "ci_high": [0.93, 0.9, np.nan]})
    assert pr.alpha_sentence(rel, 5, 0.7) == (
        "Here that is 9 people. Alpha ranges from 0.75 to 0.82, and the intervals are fairly narrow (the lowest limit "
        "is 0.71), so every area behaves as a consistent scale at the level often taken as acceptable (0.7). Alpha is "
        "withheld or undefined for 1 area-wave combination.")
    assert pr.alpha_sentence(rel, 5, 0.8) == (
        "Here that is 9 people. Alpha ranges from 0.75 to 0.82; the intervals are fairly narrow, but the lowest limit, "
        "0.71, is below 0.8, the level often taken as acceptable, so at least one area may be a weaker scale than its "
        "alpha suggests. Alpha is withheld or undefined for 1 area-wave combination.")
    assert pr.alpha_sentence(rel.iloc[[2]], 5, 0.7).startswith("It cannot be computed here: no area has 5 or more")


# ------------------------------------------------------------------ glue


def test_withheld_glue_is_completed_by_the_spec():
    status = pr.withheld_note(3, 5)
    assert status.startswith("Only 3 participant(s) completed both self-assessments, fewer than the 5 below which")
    assert pr.withheld_note(6, 5, 4).startswith("No area has a score at both waves for at least 5 participants (the most is 4)")
    glue = pr.ROBUST_GLUE.complete(pr.withheld_glue(status, 3, 38, None))
    assert set(glue) == set(pr.ROBUST_GLUE.keys)
    assert glue["rob_dz_sentence"] == "Withheld: too few participants (see the note at the top of this chapter)."
    assert glue["rob_rtm_sentence"] == "Not assessed: too few participants." and glue["rob_alpha_sentence"] == ""
    assert glue["rob_n_word"] == "three" and glue["rob_n_behaviours"] == "38"
    required = {k for k, v in pr.ROBUST_GLUE.keys.items() if v is REQUIRED}
    assert required == {"rob_status", "rob_n_word", "rob_n_behaviours", "rob_attrition_sentence"}
    with pytest.raises(KeyError, match="rob_status"):
        pr.ROBUST_GLUE.complete({})
