"""The robustness chapter for cohorts unlike the 2013 one.

Function-level checks that each unit uses its own available pairs, that statistics are
withheld below the privacy threshold, that degenerate changes give "undefined" instead
of a crash, and that the glued readings follow the numbers (they flip when the numbers
do).  One stage-level check builds a small cohort with a sparse behaviour, a constant
change and a 1..5 scale.  Nothing is read from data/ except framework.yml.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from lehc_report.stages import quant as pipeline
from lehc_report.stages import robust as rs
from lehc_report.stats import robustness as rb
from lehc_report.paths import ProjectPaths

ROOT = Path(__file__).resolve().parents[1]


def frame(columns: dict[str, list[float]]) -> pd.DataFrame:
    values = pd.DataFrame(columns, dtype=float)
    values.index = [f"P{i}" for i in range(1, len(values) + 1)]
    return values


# ------------------------------------------------------- each unit on its own pairs


def test_each_unit_uses_its_own_pairs_and_sparse_units_are_withheld():
    nan = np.nan
    before = frame({
        "full": [4, 5, 6, 3, 7, 5, 4, 6],
        "gappy": [5, 5, 4, 6, 5, 3, nan, nan],  # 6 pairs
        "sparse": [6, 7, 5, nan, nan, nan, nan, nan],  # 3 pairs
    })
    after = frame({
        "full": [6, 7, 6, 6, 9, 8, 5, 8],
        "gappy": [5, 7, 4, 8, 6, 5, 9, nan],
        "sparse": [7, 9, 6, 8, nan, nan, nan, 7],
    })
    out = rb.by_available_pairs(rb.paired_effect_sizes, before, after, min_n=5)
    assert out["n"].tolist() == [8, 6, 3]
    # The sparse behaviour is withheld: only its n is reported.
    assert out.loc["sparse"].drop("n").isna().all()
    # The others equal a direct computation on their own complete pairs.
    direct_full = rb.paired_effect_sizes(before[["full"]], after[["full"]]).loc["full"]
    rows = before["gappy"].notna() & after["gappy"].notna()
    direct_gappy = rb.paired_effect_sizes(before.loc[rows, ["gappy"]], after.loc[rows, ["gappy"]]).loc["gappy"]
    pd.testing.assert_series_equal(out.loc["full"], direct_full, check_names=False, check_dtype=False)
    pd.testing.assert_series_equal(out.loc["gappy"], direct_gappy, check_names=False, check_dtype=False)
    # gappy's changes over its 6 pairs: 0, 2, 0, 2, 1, 2 -> mean 7/6
    assert out.loc["gappy", "mean_change"] == pytest.approx(7 / 6)
    # Dropping every participant with a gap anywhere would have left 3 people for all units.
    wil = rb.by_available_pairs(rb.wilcoxon_signed_rank, before, after, min_n=5)
    assert wil.loc["full", "n"] == 8 and math.isnan(wil.loc["sparse", "p"])


def test_no_unit_with_enough_pairs_returns_only_n():
    before = frame({"a": [1, 2, np.nan], "b": [1, np.nan, 3]})
    after = frame({"a": [2, 3, 4], "b": [2, 2, np.nan]})
    out = rb.by_available_pairs(rb.paired_effect_sizes, before, after, min_n=5)
    assert out["n"].tolist() == [2, 1]
    assert list(out.columns) == ["n"]


def test_cronbach_alpha_uses_complete_cases_within_each_area():
    wide = frame({
        "x1": [4, 5, 6, 7, 5, 6, np.nan],
        "x2": [5, 5, 7, 8, 4, 6, 3],
        "y1": [3, 4, 5, 6, 7, 8, 9],
        "y2": [4, 4, 6, 6, 8, 7, 9],
    })
    out = rb.cronbach_alpha_by_area(wide, {"X": ["x1", "x2"], "Y": ["y1", "y2"]}, min_n=7)
    assert out.loc["X", "n_participants"] == 6  # P7 did not rate x1
    assert math.isnan(out.loc["X", "alpha"])  # 6 < min_n = 7: withheld
    assert out.loc["Y", "n_participants"] == 7
    # Y by hand: k = 2, item variances and total variance (ddof = 1)
    y = wide[["y1", "y2"]]
    expected = 2 * (1 - y.var().sum() / y.sum(axis=1).var())
    assert out.loc["Y", "alpha"] == pytest.approx(expected)


# ------------------------------------------------------------ degenerate changes


def test_constant_change_is_undefined_not_a_crash():
    before = frame({"up": [1, 2, 3, 4, 5], "flat": [1, 2, 3, 4, 5]})
    after = frame({"up": [2, 3, 4, 5, 6], "flat": [1, 2, 3, 4, 5]})
    effects = rb.paired_effect_sizes(before, after)
    for column in ("t", "p_ttest", "d_z", "d_z_ci_low", "d_z_ci_high"):
        assert effects[column].isna().all(), column
    assert effects.loc["up", "mean_change"] == 1.0
    shapiro = rb.normality_of_changes(before, after)
    assert shapiro["shapiro_p"].isna().all()  # scipy alone would say W = 1, p = 1
    bayes = rb.bayes_factors(before, after)
    assert (bayes["reading"] == "not computable").all()
    assert rs.fmt_or_undefined(effects.loc["up", "d_z"]) == "undefined"
    assert "undefined for every area" in rs.dz_sentence(effects["d_z"])
    assert "cannot be computed" in rs.shapiro_sentence(shapiro["shapiro_p"], "5")
    wil = rb.wilcoxon_signed_rank(before, after)
    # every participant up by 1: the t-test is undefined, the Wilcoxon test is not (2/32)
    assert wil.loc["up", "p"] == pytest.approx(0.0625)
    names = {"up": "Up", "flat": "Flat"}
    sentence = rs.robust_sentence(effects.loc[["up"]], wil, bayes, pd.Series({"up": np.nan}), names, "five")
    assert "no area-level change" in sentence  # .0625 is not below .05
    nothing = rs.robust_sentence(effects.loc[["flat"]], wil, bayes, pd.Series({"flat": np.nan}), names, "five")
    assert nothing.startswith("no area-level change: no participant's area score changed")


# ------------------------------------------------------------- readings flip


def test_shapiro_reading_follows_p():
    assert "finds a departure from normality in the changes for 1 of 4 areas (smallest p = .044)" in rs.shapiro_sentence(
        pd.Series([0.044, 0.3, 0.5, 0.8]), "5")
    assert "finds no departure from normality in the changes (smallest p = .111)" in rs.shapiro_sentence(
        pd.Series([0.111, 0.997, 0.5, 0.6]), "9")


def test_interval_reading_depends_on_the_limit():
    assert rs.interval_reading(0.46, 2.35)[1] == "still indicate at least a small rise"
    assert rs.interval_reading(0.63, 3.7)[1] == "still indicate at least a moderate rise"
    assert rs.interval_reading(0.19, 2.95)[1] == "exclude no change but allow a rise too small to matter"
    assert rs.interval_reading(-0.2, 1.5) == (0.0, "include no change at all")
    assert rs.interval_reading(-2.4, -0.56)[1] == "still indicate at least a moderate fall"


def test_wilcoxon_floor_uses_the_actual_n():
    text, can = rs.wilcoxon_floor_sentence(9, 38, 0, 9)
    assert not can and "2/512 = 0.00391, which is above the Holm threshold of 0.0013" in text
    text, can = rs.wilcoxon_floor_sentence(40, 38, 30, 34)
    assert can and "2/2⁴⁰ = 1.8 × 10⁻¹²" in text and "below the Holm threshold of 0.0013" in text
    assert "at least 11 pairs" in text  # 2/2**11 = 0.00098 <= 0.05/38 = 0.0013 < 2/2**10
    assert rs.format_small_p(2 / 2**19) == "3.8 × 10⁻⁶"


def test_power_and_direction_readings():
    mdd = rb.minimum_detectable_dz(9)
    assert rs.fmt(mdd) == "1.07"
    assert rs.power_sentence(pd.Series([0.98, 2.1, 1.3, 2.5]), mdd).startswith("3 of 4 observed area effects are above")
    assert rs.power_sentence(pd.Series([1.42, 2.6]), mdd).startswith("All 2 observed area effects are above")
    assert rs.dz_sentence(pd.Series([-4.05, -1.5])).startswith("The effects are large by any convention, and every one is a fall")
    assert "small to medium" in rs.dz_sentence(pd.Series([0.3, 0.6]))
    rtm = pd.DataFrame({"r_start_change": [0.2, 0.5], "r_mean_change": [0.1, 0.3]})
    assert "highest at the start tended to gain most" in rs.rtm_sentence(rtm)
    rtm["r_start_change"] = [-0.57, -0.22]
    assert "lowest at the start tended to gain most" in rs.rtm_sentence(rtm)
    rtm["r_start_change"] = [-0.3, 0.5]
    assert "no consistent link" in rs.rtm_sentence(rtm)


def test_robust_sentence_says_lower_when_ratings_fell():
    effects = pd.DataFrame({"p_ttest": [0.001, 0.002], "t": [-6.3, -5.9], "mean_change": [-1.0, -1.2]}, index=["A", "B"])
    wilcoxon = pd.DataFrame({"p": [0.002, 0.002]}, index=["A", "B"])
    bayes = pd.DataFrame({"favours": ["H1", "H1"], "strength": ["strong", "extreme"]}, index=["A", "B"])
    text = rs.robust_sentence(effects, wilcoxon, bayes, pd.Series({"A": 0.002, "B": 0.002}), {"A": "A", "B": "B"}, "ten")
    assert "clearly lower at the end, in every area" in text and "higher" not in text


def test_attrition_and_ceiling_wording():
    assert rs.attrition_glue(None, 9)["attended"] == "not recorded"
    assert rs.attrition_glue(26, 9)["attrition"] == "17"
    assert rs.attrition_glue(9, 9)["attrition_sentence"].startswith("All 9 people who attended")
    assert rs.ceiling_sentence(0.31, "4 or 5", "1–5").startswith("31% of end ratings are 4 or 5, the top two points of the 1–5 scale")


# --------------------------------------------------------------- the whole stage


def small_cohort(folder: Path) -> Path:
    """8 people on a 1..5 version of the framework; one behaviour rated by 3 at the end;
    every participant +1 on every behaviour of the first area (a constant change)."""
    spec = yaml.safe_load((ROOT / "data" / "framework.yml").read_text(encoding="utf-8"))
    spec["scale"] = {"min": 1, "max": 5}
    (folder / "framework.yml").write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    from lehc_report.inputs.framework import load_framework

    framework = load_framework(folder / "framework.yml")
    ids = [f"T{i:02d}" for i in range(1, 9)]
    rng = np.random.default_rng(7)
    start = rng.integers(1, 4, size=(8, len(framework.behaviour_ids))).astype(float)
    end = np.clip(start + rng.integers(0, 3, size=start.shape), 1, 5).astype(float)
    first_area = framework.items_by_area()[framework.area_ids[0]]
    cols = [framework.behaviour_ids.index(b) for b in first_area]
    start[:, cols] = rng.integers(1, 4, size=(8, len(cols)))
    end[:, cols] = start[:, cols] + 1
    sparse = framework.behaviour_ids[-1]
    end[3:, framework.behaviour_ids.index(sparse)] = np.nan
    for wave, scores in (("start", start), ("end", end)):
        table = pd.DataFrame(scores, columns=framework.behaviour_ids).astype("Int64")
        table.insert(0, "participant_id", ids)
        table.to_csv(folder / f"self_assessment_{wave}.csv", index=False)
    (folder / "cohort.yml").write_text("attended: 10\n", encoding="utf-8")
    return folder


def test_stage_on_a_small_unusual_cohort(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    small_cohort(data)
    paths = ProjectPaths(root=ROOT, data=data, build=tmp_path / "build")
    pipeline.clean_self_assessment(paths)
    result = rs.analyse_robustness(paths)
    glue = result.glue
    behaviours = pd.read_csv(paths.results / "robustness_behaviours.csv").set_index("behaviour_id")
    sparse = behaviours.index[-1]
    assert behaviours.loc[sparse, "n"] == 3 and math.isnan(behaviours.loc[sparse, "mean_change"])
    assert (behaviours.drop(index=sparse)["n"] == 8).all()
    assert glue["rob_chance_sentence"].startswith("Testing 30 behaviours at p < .05, each on its 8 pairs,")
    assert ("8 of the 38 behaviours are not tested: 1 with fewer than 5 pairs, for which no statistic is published "
            "(privacy.yml) and 7 where every participant's change was the same, so no test is defined.") in glue["rob_chance_sentence"]
    assert glue["rob_ceiling_sentence"].split("%")[1].startswith(" of end ratings are 4 or 5, the top two points of the 1–5 scale")
    areas = pd.read_csv(paths.results / "robustness_areas.csv").set_index("area_id")
    assert math.isnan(areas.iloc[0]["d_z"]) and areas.iloc[0]["mean_change"] == 1.0
    assert "undefined" in result.tables["areas"].iloc[0]["d_z [95% CI]"]
    # Not the 2013 cohort: no comparison with the published counts.
    assert "Published p < .05" not in result.tables["multiplicity"].columns
    assert glue["rob_synthetic_paragraph"] == "" and "2013 report applies only" in glue["rob_count_sentence"]
    assert glue["rob_n"] == "8" and glue["rob_attrition"] == "2"
