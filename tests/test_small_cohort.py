"""Cohorts of two to four people: the pipeline runs and withholds every statistic."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from lehc_report.stages import quant as pipeline
from lehc_report.inputs.framework import load_framework
from lehc_report.paths import ProjectPaths
from lehc_report.stages.qual import analyse_qualitative
from lehc_report.stages.robust import analyse_robustness
from lehc_report.render.text import myst_literal

ROOT = Path(__file__).resolve().parents[1]


def tiny_cohort(folder: Path, participants: int) -> Path:
    framework = load_framework(ROOT / "data" / "framework.yml")
    rng = np.random.default_rng(participants)
    ids = [f"T{i:02d}" for i in range(1, participants + 1)]
    start = rng.integers(4, 8, size=(participants, len(framework.behaviour_ids)))
    for wave, scores in (("start", start), ("end", np.clip(start + rng.integers(0, 3, size=start.shape), 1, 10))):
        table = pd.DataFrame(scores, columns=framework.behaviour_ids)
        table.insert(0, "participant_id", ids)
        table.to_csv(folder / f"self_assessment_{wave}.csv", index=False)
    return folder


@pytest.mark.parametrize("participants", [2, 4])
def test_small_cohort_builds_with_statistics_withheld(tmp_path, participants):
    data = tiny_cohort(tmp_path, participants)
    paths = ProjectPaths(root=ROOT, data=data, build=tmp_path / "build")
    cleaned = pipeline.clean_self_assessment(paths)
    assert cleaned.glue["clean_n_participants_start"] == str(participants)
    quant = pipeline.analyse_self_assessment(paths)
    assert quant.glue["n_complete"] == str(participants)
    for key in ("si_mean_start", "fo_t", "areas_significant_phrase", "n_behaviours_improved", "max_area_p"):
        assert quant.glue[key] == "suppressed (n < 5)", key
    assert myst_literal("suppressed (n < 5)") in (paths.tables / "appendix3.md").read_text(encoding="utf-8")  # escaped MyST
    robust = analyse_robustness(paths)
    assert robust.glue["rob_status"].startswith(f"Only {participants} participant(s) completed both")
    qual = analyse_qualitative(paths)
    assert qual.glue["qual_status"].startswith("This cohort has no survey returns or interviews")
    assert sorted(p.name for p in paths.figures.iterdir()) == [
        "figure1_area_means.png", "figure_code_cooccurrence.png", "figure_forest.png", "figure_qq.png",
        "figure_slopes.png", "figure_theme_by_question.png"]
