"""Survey tools' exports (issue 13): recognised, personal columns dropped, linked only as declared.

Two kinds of test:

* ``tests/survey_exports/`` holds one export pair per tool, laid out as the tool
  documents its export, with invented people (written by ``make_exports.py``). The
  paired and independent statistics each must give are computed here, independently,
  with scipy from the generator's own scores.
* ``../shared/cases/`` (beside the project, absent on most machines) holds the cases
  of the issue; each test copies a case to a temporary folder, writes the linking the
  issue's table names into its ``cohort.yml``, and checks the outcome. They skip
  where the folder is absent.
"""

from __future__ import annotations

import importlib.util
import shutil
import stat
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from lehc_report.settings import AnalysisSettings
import yaml
from scipy import stats

from lehc_report.errors import DataError
from lehc_report.inputs.cohort import load_linking
from lehc_report.inputs.framework import load_framework
from lehc_report.inputs.self_assessment import edit_distance, load_self_assessment
from lehc_report.inputs.survey_tools import counts_rows, header_candidates, is_personal_or_technical
from lehc_report.stats.paired import area_scores, area_table

ROOT = Path(__file__).resolve().parents[1]
SHARE = AnalysisSettings().min_share_answered  # the shipped analysis.yml's value
SHARED = ROOT.parent / "shared" / "cases"
EXPORTS = Path(__file__).resolve().parent / "survey_exports"
needs_shared = pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/cases is not on this machine")


def load_generator():
    spec = importlib.util.spec_from_file_location("make_exports", EXPORTS / "make_exports.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def copy_case(source: Path, tmp_path: Path, cohort: dict | None = None, scale_labels: dict | None = None) -> Path:
    """A writable copy of a case folder, with cohort.yml keys added and scale labels declared."""
    folder = tmp_path / source.name
    shutil.copytree(source, folder)
    for path in [folder, *folder.iterdir()]:
        path.chmod(path.stat().st_mode | stat.S_IWUSR)
    if cohort:
        path = folder / "cohort.yml"
        spec = yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else {}
        path.write_text(yaml.safe_dump({**(spec or {}), **cohort}, sort_keys=False), encoding="utf-8")
    if scale_labels:
        path = folder / "framework.yml"
        spec = yaml.safe_load(path.read_text(encoding="utf-8"))
        spec["scale"]["labels"] = scale_labels
        path.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    return folder


def load(folder: Path):
    framework = load_framework(folder / "framework.yml")
    return (*load_self_assessment(folder, framework), framework)


def refused(folder: Path) -> str:
    framework = load_framework(folder / "framework.yml")
    with pytest.raises(DataError) as raised:
        load_self_assessment(folder, framework)
    return str(raised.value)


# --------------------------------------------------------------------------- shared cases
LIKERT = {1: "Strongly disagree", 2: "Disagree", 3: "Neither agree nor disagree", 4: "Agree", 5: "Strongly agree"}


@needs_shared
@pytest.mark.parametrize("name, cohort, scale_labels, expected_t", [
    ("qualtrics_as_exported", {"linking": {"by": "code", "column": "Q1"}}, None, -7.746),
    ("qualtrics_as_exported", {"linking": {"by": "code", "column": "Your course code"}}, None, -7.746),
    ("surveymonkey_as_exported", {"linking": {"by": "code", "column": "Please enter your course code"}}, None, -7.746),
    ("redcap_longitudinal_split", None, None, -7.746),
    ("likert_words", None, LIKERT, -5.966),
])
def test_shared_case_is_paired_correctly(name, cohort, scale_labels, expected_t, tmp_path):
    tidy, log, _, framework = load(copy_case(SHARED / name, tmp_path, cohort, scale_labels))
    areas, excluded = area_table(tidy, framework, SHARE)
    assert list(areas["n"]) == [6, 6] and excluded.empty
    assert np.round(areas["t"].to_numpy(dtype=float), 3).tolist() == [expected_t, expected_t]
    assert tidy.attrs["linking"]["matched"] == 6


@needs_shared
def test_shared_qualtrics_drops_personal_columns_by_name_only(tmp_path):
    tidy, log, _, _ = load(copy_case(SHARED / "qualtrics_as_exported", tmp_path, {"linking": {"by": "code", "column": "Q1"}}))
    dropped = log.loc[log["action"] == "personal columns dropped", "detail"]
    assert len(dropped) == 2 and all("'IPAddress'" in d and "'RecipientEmail'" in d for d in dropped)
    text = log.to_string()
    assert "10.0.0.1" not in text and "R_0x0AbCdEf" not in text  # values never logged
    assert (log["action"] == "export recognised").sum() == 2 and "Qualtrics" in log.loc[log["action"] == "export recognised", "detail"].iloc[0]
    assert set(tidy["participant_id"]) == {f"K0{i}" for i in range(1, 7)}


@needs_shared
def test_shared_msforms_by_none_is_two_independent_samples(tmp_path):
    from lehc_report.stats.independent import compare_independent

    tidy, log, _, framework = load(copy_case(SHARED / "msforms_as_exported", tmp_path, {"linking": {"by": "none"}}))
    assert tidy.attrs["linking"]["by"] == "none" and tidy.attrs["linking"]["matched"] == 0
    areas, _ = area_table(tidy, framework, SHARE)
    assert list(areas["n"]) == [0, 0]  # nobody paired: strangers are never paired
    scores = area_scores(tidy, framework, SHARE)
    la = scores[scores["area_id"] == "LA"]
    start, end = la.loc[la["wave"] == "start", "score"].astype(float), la.loc[la["wave"] == "end", "score"].astype(float)
    result = compare_independent(start, end)
    assert result.n_before == result.n_after == 6
    assert result.t == pytest.approx(stats.ttest_ind(end, start, equal_var=False).statistic)
    assert "'Email'" in log.to_string() and "anonymous" not in log.to_string()


@needs_shared
@pytest.mark.parametrize("name, fragments", [
    ("msforms_id_column_kept", ["self_assessment_start.xlsx, row 1, column 'A (ID)'", "a Microsoft Forms export", "a response ID is not a person",
                                "linking: {by: code, column:", "linking: {by: none}"]),
    ("surveymonkey_respondent_id_kept", ["self_assessment_start.csv, row 1, column 'A (Respondent ID)'", "a response ID is not a person", "linking: {by: code"]),
    ("google_forms_grid_headers", ["self_assessment_end.csv, row 8, column 'A (participant_id)'", "'K01' appears twice", "rows 3 and 8", "double submission"]),
    ("xlsx_formulas_no_cache", ["self_assessment_end.xlsx, row 2, column 'B'", "cell B2 holds the formula '=raw_0_to_9!B2+1' but no stored value", "let it calculate"]),
])
def test_shared_case_is_refused(name, fragments, tmp_path):
    message = refused(copy_case(SHARED / name, tmp_path))
    missing = [f for f in fragments if f not in message]
    assert not missing, f"{message!r} lacks {missing}"


@needs_shared
def test_shared_response_id_declared_as_the_code_is_refused(tmp_path):
    folder = copy_case(SHARED / "surveymonkey_respondent_id_kept", tmp_path, {"linking": {"by": "code", "column": "Respondent ID"}})
    assert "that column numbers the responses: a response ID is not a person" in refused(folder)


# --------------------------------------------------------------------------- units
def test_personal_and_technical_headers():
    for header in ("Email", "RecipientLastName", "IP Address", "LocationLatitude", "Start time", "Duration (in seconds)",
                   "Timestamp", "Custom Data 1", "self_assessment_complete", "Last modified time", "Q_RecaptchaScore",
                   "Q_RelevantIDDuplicate", "Total points"):
        assert is_personal_or_technical(header), header
    for header in ("Asks residents what matters to them", "Q1", "Q2_1", "participant_id", "record_id", "Complete the course"):
        assert not is_personal_or_technical(header), header


def test_header_candidates_reads_grid_and_qualtrics_statements():
    assert header_candidates(["Rate yourself [Gives time to quieter voices]"])[0] == "Gives time to quieter voices"
    assert header_candidates(["Q2_1", "Rate yourself from 1 to 10 - Sets goals with partners"])[:1] == ["Sets goals with partners"]
    assert header_candidates(["Q2_1", "Rate yourself"])[-1] == "Q2_1"


def test_counts_rows():
    assert counts_rows(["1", "2", "3"]) and counts_rows(["1.0", "2.0"])
    assert not counts_rows(["1", "3", "2"]) and not counts_rows(["K01", "K02"]) and not counts_rows(["1"])


@pytest.mark.parametrize("a, b, distance", [("AB12", "AB12", 0), ("AB12", "AB13", 1), ("AB12", "A12", 1), ("kitten", "sitting", 3), ("", "abc", 3)])
def test_edit_distance_against_textbook_values(a, b, distance):
    assert edit_distance(a, b) == distance


@pytest.mark.parametrize("linking, fragment", [
    ({"by": "email"}, "'linking: by' is 'email'; write one of code, self_generated_code, none"),
    ({"by": "code"}, "needs 'column'"),
    ({"by": "none", "column": "Q1"}, "takes no 'column'"),
    ({"by": "code", "column": "Q1", "max_edits": 1}, "'max_edits' applies only to 'by: self_generated_code'"),
    ({"by": "self_generated_code", "column": "Q1", "max_edits": 9}, "give a whole number from 0 to 3"),
    ({"by": "code", "col": "Q1"}, "unknown key 'col' under 'linking'"),
])
def test_linking_is_validated(linking, fragment, tmp_path):
    (tmp_path / "cohort.yml").write_text(yaml.safe_dump({"linking": linking}), encoding="utf-8")
    with pytest.raises(DataError) as raised:
        load_linking(tmp_path)
    assert fragment in str(raised.value)
    assert str(raised.value).startswith("cohort.yml, column 'linking")


def test_linking_defaults(tmp_path):
    assert load_linking(tmp_path).by is None
    (tmp_path / "cohort.yml").write_text("linking: {by: self_generated_code, column: Code}\nevents: {pre_arm_1: start}\n", encoding="utf-8")
    linking = load_linking(tmp_path)
    assert (linking.by, linking.column, linking.max_edits, linking.events) == ("self_generated_code", "Code", 1, {"pre_arm_1": "start"})


# --------------------------------------------------------------------------- independent samples
SLEEP_1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0]  # Student's (1908) sleep data, R's `sleep`
SLEEP_2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4]


def test_welch_against_the_textbook_sleep_example():
    from lehc_report.stats.independent import welch_t

    # R: t.test(extra ~ group, data = sleep) gives t = -1.8608, df = 17.776, p = 0.07939 (group 1 minus group 2)
    t, df, p = welch_t(SLEEP_1, SLEEP_2)
    assert (round(t, 4), round(df, 3), round(p, 5)) == (1.8608, 17.776, 0.07939)


def brunner_munzel_by_hand(x, y):
    """Brunner and Munzel (2000), eqs. 4.4-4.6, from ranks (independent of scipy's code)."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    n1, n2 = len(x), len(y)
    ranks = stats.rankdata(np.concatenate([x, y]))
    r1, r2 = ranks[:n1], ranks[n1:]
    w1, w2 = stats.rankdata(x), stats.rankdata(y)
    s1 = ((r1 - w1 - r1.mean() + (n1 + 1) / 2) ** 2).sum() / (n1 - 1)
    s2 = ((r2 - w2 - r2.mean() + (n2 + 1) / 2) ** 2).sum() / (n2 - 1)
    w = n1 * n2 * (r2.mean() - r1.mean()) / (n1 + n2) / np.sqrt(n1 * s1 + n2 * s2)
    df = (n1 * s1 + n2 * s2) ** 2 / ((n1 * s1) ** 2 / (n1 - 1) + (n2 * s2) ** 2 / (n2 - 1))
    return w, 2 * stats.t.sf(abs(w), df)


def test_brunner_munzel_against_a_computation_from_ranks():
    from lehc_report.stats.independent import brunner_munzel

    before = [1, 2, 1, 1, 1, 1, 1, 1, 1, 1, 2, 4, 1, 1]
    after = [3, 3, 4, 3, 1, 2, 3, 1, 1, 5, 4]
    w, p = brunner_munzel(before, after)
    # scipy's documented example: brunnermunzel(before, after) = 3.1374674823029505, p = 0.0057862086661515377
    assert (round(w, 6), round(p, 6)) == (3.137467, 0.005786)
    expected_w, expected_p = brunner_munzel_by_hand(before, after)
    assert (w, p) == (pytest.approx(expected_w), pytest.approx(expected_p))


def with_moments(n: int, mean: float, sd: float, seed: int) -> np.ndarray:
    values = np.random.default_rng(seed).normal(size=n)
    return mean + sd * (values - values.mean()) / values.std(ddof=1)


def test_hedges_g_against_borenstein_worked_example():
    from lehc_report.stats.independent import hedges_g

    # Borenstein et al. (2009), Introduction to Meta-Analysis, section 4.3: means 103 and 100, SDs 5.5 and
    # 4.5, n = 50 each: d = 0.5970, J = 0.9923, g = 0.5924, V(g) = 0.0411.
    before, after = with_moments(50, 100, 4.5, 1), with_moments(50, 103, 5.5, 2)
    g, low, high = hedges_g(before, after)
    assert round(g, 4) == 0.5924
    se = (high - low) / 2 / stats.norm.ppf(0.975)
    assert round(se**2, 4) == 0.0411


def test_undefined_statistics_are_nan_not_errors():
    from lehc_report.stats.independent import compare_independent

    result = compare_independent([3, 3, 3], [3, 3, 3])
    assert np.isnan([result.t, result.hedges_g, result.g_low]).all()
    assert compare_independent([4], [5, 6]).n_before == 1 and np.isnan(compare_independent([4], [5, 6]).t)


# --------------------------------------------------------------------------- one export per tool (tests/survey_exports)
GENERATOR = load_generator()


def expected_area_means(wave: str, people: list[str]) -> pd.DataFrame:
    """Area means from the generator's own scores (people x areas), independent of the package."""
    rows = {p: GENERATOR.scores(p, wave) for p in people}
    table = pd.DataFrame.from_dict(rows, orient="index", columns=GENERATOR.IDS, dtype=float)
    return pd.DataFrame({area: table[[c for c in GENERATOR.IDS if c.startswith(area)]].mean(axis=1) for area in GENERATOR.AREAS})


def test_generator_reproduces_the_committed_exports(tmp_path):
    from openpyxl import load_workbook

    GENERATOR.generate(tmp_path)
    for name in GENERATOR.CASES:
        fresh, committed = tmp_path / name, EXPORTS / name
        assert sorted(p.name for p in fresh.iterdir()) == sorted(p.name for p in committed.iterdir()), name
        for path in fresh.iterdir():
            if path.suffix == ".xlsx":
                cells = [list(load_workbook(p, read_only=True).worksheets[0].iter_rows(values_only=True)) for p in (path, committed / path.name)]
                assert cells[0] == cells[1], path.name
            else:
                assert path.read_bytes() == (committed / path.name).read_bytes(), f"{name}/{path.name}"


@pytest.mark.parametrize("name", [n for n, (_, by) in GENERATOR.CASES.items() if by != "none"])
def test_linked_export_gives_the_paired_t_computed_with_scipy(name, tmp_path):
    tidy, log, _, framework = load(copy_case(EXPORTS / name, tmp_path))
    both = sorted(set(GENERATOR.PEOPLE["start"]) & set(GENERATOR.PEOPLE["end"]))
    before, after = expected_area_means("start", both), expected_area_means("end", both)
    areas, excluded = area_table(tidy, framework, SHARE)
    for area in GENERATOR.AREAS:
        expected = stats.ttest_rel(before[area], after[area])  # before minus after, as the report tests
        got = areas.set_index("area_id").loc[area]
        assert got["n"] == len(both) == 7
        assert got["t"] == pytest.approx(expected.statistic, rel=1e-12) and got["p"] == pytest.approx(expected.pvalue, rel=1e-10)
    summary = tidy.attrs["linking"]
    assert summary["by"] == GENERATOR.CASES[name][1] and summary["matched"] == 7
    assert summary["unmatched"] == {"start": 1, "end": 1}  # T08 only at the start, T09 only at the end
    assert len(excluded) == 2
    shown = log.to_string() + tidy.to_string()
    assert "example.org" not in shown and "192.0.2." not in shown and "Surname" not in shown and "R_s0Invented" not in shown
    assert (log["action"] == "waves linked").sum() == 1


def test_self_generated_codes_report_only_counts_per_edit_distance(tmp_path):
    tidy, log, _, _ = load(copy_case(EXPORTS / "google_forms_csv", tmp_path))
    assert tidy.attrs["linking"]["by_edit_distance"] == {0: 6, 1: 1}
    detail = log.loc[log["action"] == "waves linked", "detail"].iloc[0]
    assert "matches by edit distance: 0: 6, 1: 1" in detail and "EK05" not in log.to_string()


def test_google_forms_exact_codes_leave_the_slip_unmatched(tmp_path):
    folder = copy_case(EXPORTS / "google_forms_csv", tmp_path)
    spec = yaml.safe_load((folder / "cohort.yml").read_text(encoding="utf-8"))
    spec["linking"] = {"by": "code", "column": spec["linking"]["column"]}
    (folder / "cohort.yml").write_text(yaml.safe_dump(spec), encoding="utf-8")
    tidy, _, _, _ = load(folder)
    assert tidy.attrs["linking"]["matched"] == 6


def test_unlinked_microsoft_forms_gives_independent_samples_computed_with_scipy(tmp_path):
    from lehc_report.stats.independent import compare_independent

    tidy, log, _, framework = load(copy_case(EXPORTS / "msforms_xlsx", tmp_path))
    assert tidy.attrs["linking"]["matched"] == 0 and (log["action"] == "waves not linked").sum() == 1
    scores = area_scores(tidy, framework, SHARE)
    for area in GENERATOR.AREAS:
        mine = scores[scores["area_id"] == area]
        result = compare_independent(mine.loc[mine["wave"] == "start", "score"].astype(float), mine.loc[mine["wave"] == "end", "score"].astype(float))
        before = expected_area_means("start", GENERATOR.PEOPLE["start"])[area]
        after = expected_area_means("end", GENERATOR.PEOPLE["end"])[area]
        welch = stats.ttest_ind(after, before, equal_var=False)
        assert (result.t, result.p_welch) == (pytest.approx(welch.statistic), pytest.approx(welch.pvalue))
        assert result.p_brunner_munzel == pytest.approx(stats.brunnermunzel(before, after).pvalue)


def test_tool_export_without_declared_linking_is_refused(tmp_path):
    folder = copy_case(EXPORTS / "qualtrics_csv", tmp_path)
    (folder / "cohort.yml").write_text("programme: Invented course\n", encoding="utf-8")
    message = refused(folder)
    assert "a Qualtrics export, and cohort.yml does not say how its waves are linked" in message
    assert "column 'I (ResponseId)'" in message and "a response ID is not a person" in message


def test_google_forms_without_a_code_is_told_how_to_declare_linking(tmp_path):
    folder = copy_case(EXPORTS / "google_forms_csv", tmp_path)
    (folder / "cohort.yml").write_text("programme: Invented course\n", encoding="utf-8")
    message = refused(folder)
    assert message.startswith("self_assessment_start.csv, row 1: a Google Forms export, and cohort.yml does not say how its waves are linked")
    assert "linking: {by: self_generated_code" in message and "move the ID column" not in message


def test_wave_nobody_can_be_matched_in_is_refused(tmp_path):
    folder = copy_case(EXPORTS / "surveymonkey_csv", tmp_path)
    end = folder / "self_assessment_end.csv"
    end.write_text(end.read_text(encoding="utf-8").replace(",T0", ",X0"), encoding="utf-8")
    message = refused(folder)
    assert message.startswith("self_assessment_end.csv, row 3, column 'J (Please enter your course code)': nobody in this wave can be matched")
    assert "linking: {by: none}" in message


def test_code_column_that_counts_rows_is_refused(tmp_path):
    rows = ["participant_id," + ",".join(GENERATOR.IDS)] + [f"{i}," + ",".join(map(str, GENERATOR.scores(f'T0{i}', 'start'))) for i in (1, 2, 3)]
    (tmp_path / "framework.yml").write_text(GENERATOR.framework(), encoding="utf-8")
    for wave in ("start", "end"):
        (tmp_path / f"self_assessment_{wave}.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    message = refused(tmp_path)
    assert message.startswith("self_assessment_start.csv, row 2, column 'A (participant_id)': column 'participant_id' holds 1, 2, 3, ... in row order")


def test_unknown_answer_text_is_refused_listing_the_labels(tmp_path):
    from openpyxl import load_workbook

    folder = copy_case(EXPORTS / "qualtrics_xlsx_choice_text", tmp_path)
    path = folder / "self_assessment_start.xlsx"
    workbook = load_workbook(path)
    workbook.active["S3"] = "Somewhat"
    workbook.save(path)
    message = refused(folder)
    assert message.startswith("self_assessment_start.xlsx, row 3, column 'S (LA01)': 'Somewhat' is not one of the scale's answers")
    assert "the answers allowed are 1 = 'Not at all', 10 = 'Completely'" in message


def test_longitudinal_redcap_file_needs_events(tmp_path):
    folder = copy_case(EXPORTS / "redcap_longitudinal", tmp_path)
    (folder / "cohort.yml").write_text("programme: Invented course\n", encoding="utf-8")
    assert "one file for every wave needs 'events:' in cohort.yml" in refused(folder)


def test_redcap_event_not_declared_is_refused(tmp_path):
    folder = copy_case(EXPORTS / "redcap_longitudinal", tmp_path)
    (folder / "cohort.yml").write_text("events: {pre_course_arm_1: start, six_months_arm_1: end}\n", encoding="utf-8")
    message = refused(folder)
    assert "event 'post_course_arm_1' is not under 'events' in cohort.yml" in message and "column 'B (redcap_event_name)'" in message


# --------------------------------------------------------------------------- the cleaning stage
def test_cleaning_stage_records_the_linking_and_stops_for_unlinked_waves(tmp_path):
    import json

    from lehc_report.paths import ProjectPaths
    from lehc_report.stages.quant import clean_self_assessment

    linked = ProjectPaths(root=ROOT, data=copy_case(EXPORTS / "redcap_split", tmp_path / "linked"), build=tmp_path / "linked" / "_build")
    clean_self_assessment(linked)
    recorded = json.loads((linked.tidy / "linking.json").read_text(encoding="utf-8"))
    assert (recorded["by"], recorded["matched"], recorded["unmatched"]) == ("record_id", 7, {"start": 1, "end": 1})
    with pytest.raises(DataError, match="this build has no independent-samples report yet"):
        clean_self_assessment(ProjectPaths(root=ROOT, data=copy_case(EXPORTS / "msforms_xlsx", tmp_path / "none"), build=tmp_path / "none" / "_build"))


def test_independent_area_table_matches_scipy_on_the_unlinked_export(tmp_path):
    from lehc_report.stats.independent import independent_area_table

    tidy, _, _, framework = load(copy_case(EXPORTS / "msforms_xlsx", tmp_path))
    table = independent_area_table(tidy, framework, SHARE).set_index("area_id")
    assert list(table.index) == list(GENERATOR.AREAS)
    for area in GENERATOR.AREAS:
        before = expected_area_means("start", GENERATOR.PEOPLE["start"])[area].to_numpy()
        after = expected_area_means("end", GENERATOR.PEOPLE["end"])[area].to_numpy()
        row = table.loc[area]
        assert (row["n_before"], row["n_after"]) == (8, 8)
        assert row["mean_difference"] == pytest.approx(after.mean() - before.mean())
        assert row["t"] == pytest.approx(stats.ttest_ind(after, before, equal_var=False).statistic)
        assert row["w"] == pytest.approx(stats.brunnermunzel(before, after).statistic)
        pooled = np.sqrt((7 * before.var(ddof=1) + 7 * after.var(ddof=1)) / 14)
        assert row["hedges_g"] == pytest.approx((1 - 3 / (4 * 14 - 1)) * (after.mean() - before.mean()) / pooled)
        assert row["g_low"] < row["hedges_g"] < row["g_high"]
