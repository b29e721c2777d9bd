"""The analysis settings (analysis.yml): validation, and the significance level followed everywhere.

The first tests check what a researcher is told about a bad settings file.  The last
builds the self-assessment stages in a copy of the project with ``alpha: 0.001`` and
checks the count of significant behaviours, its sentence and the table headers against
counts computed here with ``scipy.stats.ttest_rel`` straight from ``data/*.csv``.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest
from scipy import stats

from lehc_report.errors import InputError
from lehc_report.paths import ProjectPaths
from lehc_report.settings import AnalysisSettings, load_analysis_settings

ROOT = Path(__file__).resolve().parents[1]


def settings_in(folder: Path, text: str) -> AnalysisSettings:
    (folder / "analysis.yml").write_text(text, encoding="utf-8")
    return load_analysis_settings(folder)


# --- (a) validation ---------------------------------------------------------------------


def test_project_settings_are_the_documented_defaults():
    assert load_analysis_settings(ROOT) == AnalysisSettings()
    assert load_analysis_settings(ROOT).alpha == 0.05


def test_missing_file_gives_the_defaults(tmp_path):
    assert load_analysis_settings(tmp_path) == AnalysisSettings()


def test_unknown_setting_is_named(tmp_path):
    path = tmp_path / "analysis.yml"
    allowed = ", ".join(AnalysisSettings.model_fields)
    with pytest.raises(InputError) as caught:
        settings_in(tmp_path, "alpha: 0.05\nsignificance: 0.01\n")
    assert str(caught.value) == (
        f"analysis.yml, column 'significance': Extra inputs are not permitted (allowed settings: {allowed}) [{path.resolve()}]")
    assert caught.value.column == "significance"


def test_out_of_range_level_is_named(tmp_path):
    path = tmp_path / "analysis.yml"
    allowed = ", ".join(AnalysisSettings.model_fields)
    with pytest.raises(InputError) as caught:
        settings_in(tmp_path, "alpha: 5\n")
    assert str(caught.value) == (
        f"analysis.yml, column 'alpha': Input should be less than 1 (allowed settings: {allowed}) [{path.resolve()}]")
    with pytest.raises(InputError, match=r"column 'min_share_answered': Input should be greater than 0 "):
        settings_in(tmp_path, "min_share_answered: 0\n")


def test_nested_setting_is_named_with_its_path(tmp_path):
    with pytest.raises(InputError, match=r"column 'effect_benchmarks.huge': Extra inputs are not permitted"):
        settings_in(tmp_path, "effect_benchmarks:\n  huge: 2\n")


def test_file_that_is_not_a_mapping(tmp_path):
    path = tmp_path / "analysis.yml"
    with pytest.raises(InputError) as caught:
        settings_in(tmp_path, "- 0.05\n")
    assert str(caught.value) == f"analysis.yml: must be a mapping of setting: value [{path.resolve()}]"


def test_assumptions_table_prints_the_settings(tmp_path):
    table = settings_in(tmp_path, "alpha: 0.001\nmin_share_answered: 0.75\n").assumptions_table()
    values = dict(zip(table["Setting"], table["Value"]))
    assert values["Significance level (every test)"] == "0.001"
    assert values["Behaviours an area score needs answered"] == "at least 75%"


# --- (b) the significance level changes the report ---------------------------------------


def project_copy(target: Path) -> Path:
    """The project's tracked and untracked (not ignored) files, as tests/test_staleness.py copies them."""
    files = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=ROOT, capture_output=True, text=True,
                           check=True).stdout.split()
    for name in files:
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return target


def scipy_p_values() -> tuple[pd.Series, pd.Series]:
    """Paired t-test p values (start against end) from data/*.csv with scipy only: per
    behaviour, and per area on the mean of the area's behaviours (every one is answered)."""
    import yaml

    start = pd.read_csv(ROOT / "data" / "self_assessment_start.csv", index_col="participant_id")
    end = pd.read_csv(ROOT / "data" / "self_assessment_end.csv", index_col="participant_id").loc[start.index, start.columns]
    behaviour_p = pd.Series(stats.ttest_rel(start, end).pvalue, index=start.columns)
    framework = yaml.safe_load((ROOT / "data" / "framework.yml").read_text(encoding="utf-8"))
    area_p = pd.Series({
        area["id"]: stats.ttest_rel(start[[b["id"] for b in area["behaviours"]]].mean(axis=1),
                                    end[[b["id"] for b in area["behaviours"]]].mean(axis=1)).pvalue
        for area in framework["areas"]})
    return behaviour_p, area_p


def test_significance_level_changes_counts_sentence_and_headers(tmp_path):
    from lehc_report.stages.clean import clean_self_assessment
    from lehc_report.stages.quant import analyse_self_assessment

    behaviour_p, area_p = scipy_p_values()
    assert int((behaviour_p < 0.05).sum()) == 15  # 5 + 4 + 4 + 2, as published in 2013
    # At .001 two areas (FC and FO, p = .003 as published) are no longer significant.
    assert int((area_p < 0.05).sum()) == 4 and int((area_p < 0.001).sum()) == 2

    built = {}
    for alpha, label in ((0.05, "p < .05"), (0.001, "p < .001")):
        root = project_copy(tmp_path / f"alpha_{alpha}")
        (root / "analysis.yml").write_text((ROOT / "analysis.yml").read_text(encoding="utf-8").replace(
            "\nalpha: 0.05\n", f"\nalpha: {alpha}\n"), encoding="utf-8")
        assert load_analysis_settings(root).alpha == alpha
        paths = ProjectPaths(root=root, data=root / "data", build=root / "_build")
        clean_self_assessment(paths)
        quant = analyse_self_assessment(paths)
        built[alpha] = quant

        # The counts of significant behaviours and areas, against scipy.
        n_behaviours, n_areas = int((behaviour_p < alpha).sum()), int((area_p < alpha).sum())
        assert quant.glue["n_behaviours_significant"] == str(n_behaviours)
        assert int(quant.tables["counts"]["n_significant"].sum()) == n_behaviours
        assert quant.glue["n_areas_significant"] == str(n_areas)
        # Their sentences and the glued criterion.
        assert quant.glue["significance_text"] == label
        assert f"{n_behaviours} rises passed a paired t-test at {label}." in quant.glue["behaviour_change_text"]
        # The table headers, in the snippet the chapters include and in the notebook's table.
        header = (paths.tables / "appendix3.md").read_text(encoding="utf-8").splitlines()[3]
        assert header == f"| Leadership area | Behaviours | {label} | n | Mean start | SD start | Mean end | SD end | t | df | p |"
        assert label in quant.tables["behaviour_display"].columns
        assert f"| Significance level (every test) | {alpha:g} |" in (paths.tables / "assumptions.md").read_text(encoding="utf-8")

    assert built[0.05].glue["change_headline"] == "Self-assessed leadership rose in all four areas."
    assert built[0.001].glue["change_headline"] == (
        "Self-assessed leadership rose in two of the four areas and showed no clear change in two.")
    assert built[0.05].glue["areas_significant_phrase"] == "all four areas"
    assert built[0.001].glue["areas_significant_phrase"] == "two of the four areas"
    # The comparison with 2013 stays at the published level, whatever the report's own level.
    for quant in built.values():
        assert quant.glue["n_cells_matched"] == "31" and quant.glue["published_significance_text"] == "p < .05"
    # The area tests themselves do not depend on the level.
    pd.testing.assert_frame_equal(built[0.05].tables["areas"], built[0.001].tables["areas"])
