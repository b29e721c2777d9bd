"""The robustness chapter for cohorts unlike the 2013 one.

Function-level checks that each unit uses its own available pairs, that statistics are
withheld below the privacy threshold and that degenerate changes give "undefined" instead
of a crash (the sentences on their own: tests/test_prose_robust.py).  Two stage-level
checks build a small cohort with a sparse behaviour, a constant change and a 1..5 scale:
one checks what the stage writes and glues, the other that the significance level in
analysis.yml changes the counts, the table header and the sentences.  Nothing is read
from data/ except framework.yml and privacy.yml.
"""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from lehc_report.prose import robust as pr
from lehc_report.stages import quant as pipeline
from lehc_report.stages import robust as rs
from lehc_report.stats import robustness as rb
from lehc_report.paths import ProjectPaths

ROOT = Path(__file__).resolve().parents[1]
BENCHMARKS = ((0.8, "large"), (0.5, "medium"), (0.2, "small"))


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
    out = rb.by_available_pairs(rb.paired_effect_sizes, before, after, min_n=5, confidence=0.95)
    assert out["n"].tolist() == [8, 6, 3]
    # The sparse behaviour is withheld: only its n is reported.
    assert out.loc["sparse"].drop("n").isna().all()
    # The others equal a direct computation on their own complete pairs.
    direct_full = rb.paired_effect_sizes(before[["full"]], after[["full"]], confidence=0.95).loc["full"]
    rows = before["gappy"].notna() & after["gappy"].notna()
    direct_gappy = rb.paired_effect_sizes(before.loc[rows, ["gappy"]], after.loc[rows, ["gappy"]], confidence=0.95).loc["gappy"]
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
    out = rb.by_available_pairs(rb.paired_effect_sizes, before, after, min_n=5, confidence=0.95)
    assert out["n"].tolist() == [2, 1]
    assert list(out.columns) == ["n"]


def test_cronbach_alpha_uses_complete_cases_within_each_area():
    wide = frame({
        "x1": [4, 5, 6, 7, 5, 6, np.nan],
        "x2": [5, 5, 7, 8, 4, 6, 3],
        "y1": [3, 4, 5, 6, 7, 8, 9],
        "y2": [4, 4, 6, 6, 8, 7, 9],
    })
    out = rb.cronbach_alpha_by_area(wide, {"X": ["x1", "x2"], "Y": ["y1", "y2"]}, confidence=0.95, min_n=7)
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
    effects = rb.paired_effect_sizes(before, after, confidence=0.95)
    for column in ("t", "p_ttest", "d_z", "d_z_ci_low", "d_z_ci_high"):
        assert effects[column].isna().all(), column
    assert effects.loc["up", "mean_change"] == 1.0
    shapiro = rb.normality_of_changes(before, after)
    assert shapiro["shapiro_p"].isna().all()  # scipy alone would say W = 1, p = 1
    bayes = rb.bayes_factors(before, after)
    assert (bayes["reading"] == "not computable").all()
    assert pr.fmt_or_undefined(effects.loc["up", "d_z"]) == "undefined"
    assert "undefined for every area" in pr.dz_sentence(effects["d_z"], BENCHMARKS)
    assert "cannot be computed" in pr.shapiro_sentence(shapiro["shapiro_p"], "5", 0.05)
    wil = rb.wilcoxon_signed_rank(before, after)
    # every participant up by 1: the t-test is undefined, the Wilcoxon test is not (2/32)
    assert wil.loc["up", "p"] == pytest.approx(0.0625)
    names = {"up": "Up", "flat": "Flat"}
    sentence = pr.robust_sentence(effects.loc[["up"]], wil, bayes, pd.Series({"up": np.nan}), names, "five", 0.05)
    assert "no area-level change" in sentence  # .0625 is not below .05
    nothing = pr.robust_sentence(effects.loc[["flat"]], wil, bayes, pd.Series({"flat": np.nan}), names, "five", 0.05)
    assert nothing.startswith("no area-level change: no participant's area score changed")


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
    assert ("Eight of the 38 behaviours are not tested: 1 with fewer than 5 pairs, for which no statistic is published "
            "and 7 where every participant's change was the same, so no test is defined.") in glue["rob_chance_sentence"]
    assert glue["rob_ceiling_sentence"].split(" per cent")[1].startswith(" of end ratings are 4 or 5, the top two points of the 1–5 scale")
    areas = pd.read_csv(paths.results / "robustness_areas.csv").set_index("area_id")
    assert math.isnan(areas.iloc[0]["d_z"]) and areas.iloc[0]["mean_change"] == 1.0
    assert "undefined" in result.tables["areas"].iloc[0]["d_z [95% CI]"]
    # Not the 2013 cohort: no comparison with the published counts.
    assert "Published p < .05" not in result.tables["multiplicity"].columns
    assert glue["rob_synthetic_paragraph"] == "" and "2013 report applies only" in glue["rob_count_sentence"]
    assert glue["rob_n_word"] == "eight"
    assert glue["rob_attrition_sentence"].startswith("Ten people attended the course, but only eight completed both self-assessments, so two (20%) are missing")
    # The stage produces exactly the keys the notebook declares (nothing left to a default).
    assert set(glue) == set(pr.ROBUST_GLUE.keys) and pr.ROBUST_GLUE.complete(glue) == dict(sorted(glue.items()))


def test_significance_level_comes_from_analysis_yml(tmp_path):
    """alpha in analysis.yml changes the counts, the table header and the sentences."""
    data = tmp_path / "data"
    data.mkdir()
    small_cohort(data)
    cleaned = ProjectPaths(root=ROOT, data=data, build=tmp_path / "cleaned")
    pipeline.clean_self_assessment(cleaned)
    results = {}
    for alpha in (0.05, 0.2):
        # A project root of its own: the project's privacy.yml and an analysis.yml with this alpha.
        root = tmp_path / f"root_{alpha}"
        root.mkdir()
        shutil.copy(ROOT / "privacy.yml", root / "privacy.yml")
        (root / "analysis.yml").write_text(f"alpha: {alpha}\n", encoding="utf-8")
        paths = ProjectPaths(root=root, data=data, build=tmp_path / f"build_{alpha}")
        shutil.copytree(cleaned.tidy, paths.tidy)
        results[alpha] = rs.analyse_robustness(paths)
    loose = results[0.2]
    assert loose.glue["rob_chance_sentence"].startswith("Testing 30 behaviours at p < .2, each on its 8 pairs,")
    assert "flag about six by chance" in loose.glue["rob_chance_sentence"]  # 0.2 x 30
    assert "p < .2" in loose.tables["multiplicity"].columns and "p < .05" not in loose.tables["multiplicity"].columns
    assert "p < .05" in results[0.05].tables["multiplicity"].columns
    counts = {a: int(r.tables["multiplicity"].filter(like="p < ").iloc[:, 0].astype(int).sum()) for a, r in results.items()}
    raw = pd.read_csv(tmp_path / "build_0.2" / "results" / "robustness_behaviours.csv")["p_ttest"]
    assert counts == {0.05: int((raw < 0.05).sum()), 0.2: int((raw < 0.2).sum())} and counts[0.2] > counts[0.05]


def test_the_chapter_uses_exactly_the_declared_keys():
    import re

    used = set(re.findall(r"/notebooks/04_robust\.md::(\w+)", "".join(
        page.read_text(encoding="utf-8") for page in sorted((ROOT / "book").glob("*.md")))))
    assert used == set(pr.ROBUST_GLUE.keys)
