"""The unlinked (independent-samples) report and the linked report's match counts (issue 13).

An unlinked pair of forms (``tests/survey_exports/msforms_xlsx``: two Microsoft Forms
workbooks, ``linking: {by: none}``, invented people made by ``make_exports.py``) is run
through the stages directly: the report says it compares independent samples, shows
Welch's t, Brunner-Munzel and Hedges' g computed here again with scipy from the
generator's own scores, writes no paired result, and the chapters keep only their
unlinked passages.  The shipped (paired) cohort's report states its match count.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from lehc_report.book.sphinxext import resolve_conditions
from lehc_report.paths import ProjectPaths
from lehc_report.prose.quant import QUANT_GLUE, UNLINKED_CAVEAT, linking_text
from lehc_report.prose.robust import ROBUST_GLUE, UNLINKED_NOTE
from lehc_report.prose.rounding import format_half_up
from lehc_report.prose.words import p_text
from lehc_report.stages.base import write_content_flags
from lehc_report.stages.clean import clean_self_assessment
from lehc_report.stages.quant import analyse_self_assessment
from lehc_report.stages.robust import analyse_robustness

ROOT = Path(__file__).resolve().parents[1]
UNLINKED = Path(__file__).resolve().parent / "survey_exports" / "msforms_xlsx"


def load_generator():
    spec = importlib.util.spec_from_file_location("make_exports", UNLINKED.parent / "make_exports.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


GENERATOR = load_generator()


def area_scores_from_generator(wave: str, area: str) -> np.ndarray:
    """Each person's mean over the area's behaviours, from the generator's scores (every rating answered)."""
    columns = [j for j, behaviour in enumerate(GENERATOR.IDS) if behaviour.startswith(area)]
    return np.array([np.mean([GENERATOR.score(person, j, wave) for j in columns]) for person in GENERATOR.PEOPLE[wave]])


@pytest.fixture(scope="module")
def unlinked(tmp_path_factory):
    paths = ProjectPaths(root=ROOT, data=UNLINKED, build=tmp_path_factory.mktemp("unlinked"))
    clean = clean_self_assessment(paths)
    return paths, clean, analyse_self_assessment(paths), analyse_robustness(paths)


def test_unlinked_waves_set_the_paired_flag_false(unlinked):
    paths, *_ = unlinked
    assert json.loads(paths.content_flags.read_text(encoding="utf-8")) == {"follow_up": False, "paired": False}
    assert json.loads((paths.tidy / "linking.json").read_text(encoding="utf-8"))["by"] == "none"


def test_independent_statistics_match_scipy(unlinked):
    paths, *_ = unlinked
    results = pd.read_csv(paths.results / "independent_area_tests.csv").set_index("area_id")
    assert list(results.index) == list(GENERATOR.AREAS)
    for area in GENERATOR.AREAS:
        start, end = area_scores_from_generator("start", area), area_scores_from_generator("end", area)
        row = results.loc[area]
        welch = stats.ttest_ind(end, start, equal_var=False)
        assert (row["n_before"], row["n_after"]) == (len(start), len(end)) == (8, 8)
        assert row["t"] == pytest.approx(welch.statistic, rel=1e-9)
        assert row["p_welch"] == pytest.approx(welch.pvalue, rel=1e-9)
        assert row["p_brunner_munzel"] == pytest.approx(stats.brunnermunzel(start, end).pvalue, rel=1e-9)
        # Hedges' g with its 95% interval, as Borenstein et al. (2009), eqs. 4.18-4.24, give it.
        n1, n2 = len(start), len(end)
        pooled = np.sqrt(((n1 - 1) * start.var(ddof=1) + (n2 - 1) * end.var(ddof=1)) / (n1 + n2 - 2))
        d = (end.mean() - start.mean()) / pooled
        j = 1 - 3 / (4 * (n1 + n2 - 2) - 1)
        se = j * np.sqrt((n1 + n2) / (n1 * n2) + d**2 / (2 * (n1 + n2)))
        assert row["hedges_g"] == pytest.approx(j * d, rel=1e-9)
        assert (row["g_low"], row["g_high"]) == pytest.approx((j * d - 1.959963984540054 * se, j * d + 1.959963984540054 * se), rel=1e-9)


def test_the_report_says_it_compares_independent_samples(unlinked):
    paths, _, quant, _ = unlinked
    glue = QUANT_GLUE.complete(quant.glue)  # every declared key present, nothing undeclared
    assert glue["linking_text"] == (
        "The waves were not linked: the forms carry no code that identifies a person at every wave, and cohort.yml "
        "declares `linking: {by: none}`, so nobody was matched and the responses (8 at the start and 8 at the end) "
        "are compared as independent samples.")
    assert glue["independent_caveat"] == UNLINKED_CAVEAT
    assert "cannot show whether any one participant's rating changed" in UNLINKED_CAVEAT
    assert "who may be different people" in UNLINKED_CAVEAT
    assert glue["independent_summary"].startswith(
        "The eight people who answered at the start and the eight who answered at the end cannot be linked, so the waves "
        "are compared as independent samples")
    assert glue["independent_summary"].endswith(
        "the mean area scores were higher at the end than at the start in both areas. This is a difference between two "
        "groups, not anyone's own change")
    assert glue["independent_headline"] == ("Self-ratings higher at the end than at the start in both areas (two unlinked "
                                            "groups, not the same people followed).")
    for area, (name, _) in GENERATOR.AREAS.items():
        start, end = area_scores_from_generator("start", area), area_scores_from_generator("end", area)
        welch = stats.ttest_ind(end, start, equal_var=False)
        v1, v2 = start.var(ddof=1) / len(start), end.var(ddof=1) / len(end)
        df = (v1 + v2) ** 2 / (v1**2 / (len(start) - 1) + v2**2 / (len(end) - 1))
        expected = (f"{name}: {format_half_up(start.mean(), 2)} at the start (n = 8) and {format_half_up(end.mean(), 2)} at "
                    f"the end (n = 8); Welch's t({format_half_up(df, 1)}) = {format_half_up(welch.statistic, 3)}, "
                    f"{p_text(welch.pvalue)}")
        assert expected in glue["independent_results_text"]
    # The paired keys say why they have no value, rather than a number of nobody.
    assert glue["n_complete"] == glue["area_results_text"] == "not applicable: the waves are not linked, so nobody is paired"
    snippet = (paths.tables / "independent_areas.md").read_text(encoding="utf-8")
    assert ":name: tbl-independent-areas" in snippet and "compared as independent samples" in snippet


def test_no_paired_result_is_written_and_robustness_says_why(unlinked):
    paths, _, quant, robust = unlinked
    for name in ("area_tests.csv", "behaviour_tests.csv", "appendix3_comparison.csv", "excluded_from_paired_tests.csv"):
        assert not (paths.results / name).exists(), name
    assert not (paths.tables / "appendix3.md").exists()
    assert (paths.figures / "figure1_area_means.png").exists()
    assert ROBUST_GLUE.complete(robust.glue)["rob_status"] == UNLINKED_NOTE
    assert "not linked person to person, so there are no pairs" in UNLINKED_NOTE


PAIRED_ONLY = ("02_quant.md::n_complete", "02_quant.md::area_results_text", "02_quant.md::behaviour_change_text",
               "02_quant.md::change_headline", "tbl-appendix3", "appendix3_comparison.md", "04_robust.md::rob_dz_sentence",
               "robustness_areas.md")


@pytest.mark.parametrize("chapter", sorted(p.name for p in (ROOT / "book").glob("*.md")))
def test_unlinked_chapters_keep_no_paired_passage(chapter):
    text = (ROOT / "book" / chapter).read_text(encoding="utf-8")
    unlinked = resolve_conditions(text, {"paired": False, "qualitative": False, "coded": False})
    assert not [key for key in PAIRED_ONLY if key in unlinked], chapter
    paired = resolve_conditions(text, {"paired": True, "qualitative": True, "coded": True})
    assert "independent_" not in paired, chapter


def test_the_paired_chapters_name_the_independent_passages_only_for_unlinked_waves():
    impact = (ROOT / "book" / "findings_impact.md").read_text(encoding="utf-8")
    assert "{generated-table} independent_areas" in resolve_conditions(impact, {"paired": False})
    assert "{generated-table} appendix3" in resolve_conditions(impact, {"paired": True})


def test_content_flags_are_merged_by_the_stages(tmp_path):
    paths = ProjectPaths(root=ROOT, data=UNLINKED, build=tmp_path)
    write_content_flags(paths, paired=True)
    write_content_flags(paths, qualitative=False, coded=False)
    assert json.loads(paths.content_flags.read_text(encoding="utf-8")) == {"coded": False, "paired": True, "qualitative": False}
    write_content_flags(paths, paired=False)
    assert json.loads(paths.content_flags.read_text(encoding="utf-8")) == {"coded": False, "paired": False, "qualitative": False}


def test_linking_text_counts_matches_by_rule_and_edit_distance():
    linking = {"tool": "qualtrics", "by": "self_generated_code", "column": "Your code", "people": {"start": 8, "end": 7},
               "matched": 6, "unmatched": {"start": 2, "end": 1}, "by_edit_distance": {"0": 4, "1": 2}, "ambiguous": 1}
    assert linking_text(linking, ["start", "end"]) == (
        "The waves were linked by the code each person made up from a rule, in the column \u201cYour code\u201d, matched "
        "exactly or to the one unmatched code of the first wave within a few characters' difference: 6 people were matched "
        "between the start and a later wave (4 exactly and 2 with codes 1 character apart); 2 people at the start and "
        "1 person at the end could not be matched to another wave and left out of the paired comparison (1 code was as "
        "close to two others and was left unmatched rather than guessed).")
    code = {"tool": "surveymonkey", "by": "code", "column": "Please enter your course code", "people": {"start": 6, "end": 6},
            "matched": 6, "unmatched": {"start": 0, "end": 0}}
    assert linking_text(code, ["start", "end"]) == ("The waves were linked by the code people entered in the column \u201cPlease enter your "
                                  "course code\u201d (exact match): 6 people were matched between the start and a later "
                                  "wave; everyone who answered was matched.")


def test_the_shipped_paired_report_states_its_match_count(tmp_path):
    paths = ProjectPaths(root=ROOT, data=ROOT / "data", build=tmp_path)
    clean_self_assessment(paths)
    linking = json.loads((paths.tidy / "linking.json").read_text(encoding="utf-8"))
    tidy = pd.read_csv(paths.tidy / "self_assessment.csv", dtype=str)
    waves = tidy.groupby("wave")["participant_id"].apply(set)
    both = waves["start"] & waves["end"]
    assert json.loads(paths.content_flags.read_text(encoding="utf-8")) == {"paired": True}
    glue = analyse_self_assessment(paths).glue
    assert waves["start"] == waves["end"]  # the shipped cohort: everyone answered both waves
    assert glue["linking_text"] == (
        "The waves were linked by the participant code that every form carries (exact match): "
        f"{len(both)} people were matched between the start and a later wave; everyone who answered was matched.")
    assert linking["matched"] == len(both) == int(glue["n_complete"])


SHARED = ROOT.parent / "shared" / "cases"


@pytest.mark.skipif(not (SHARED / "msforms_as_exported").is_dir(), reason="../shared/cases is not on this machine")
def test_shared_msforms_export_declared_unlinked_gives_the_independent_report(tmp_path):
    import shutil

    data = tmp_path / "msforms_as_exported"
    shutil.copytree(SHARED / "msforms_as_exported", data)
    import yaml

    cohort = yaml.safe_load((data / "cohort.yml").read_text(encoding="utf-8")) or {}
    (data / "cohort.yml").write_text(yaml.safe_dump({**cohort, "linking": {"by": "none"}}), encoding="utf-8")
    paths = ProjectPaths(root=ROOT, data=data, build=tmp_path / "_build")
    clean_self_assessment(paths)
    glue = analyse_self_assessment(paths).glue
    assert json.loads(paths.content_flags.read_text(encoding="utf-8")) == {"follow_up": False, "paired": False}
    assert "compared as independent samples" in glue["independent_summary"]
    assert glue["linking_text"].startswith("The waves were not linked")
    results = pd.read_csv(paths.results / "independent_area_tests.csv")
    tidy = pd.read_csv(paths.tidy / "self_assessment.csv")
    for row in results.itertuples():
        area = tidy[tidy["area_id"] == row.area_id].groupby(["wave", "participant_id"])["score"].mean()
        assert row.t == pytest.approx(stats.ttest_ind(area["end"], area["start"], equal_var=False).statistic, rel=1e-9)
