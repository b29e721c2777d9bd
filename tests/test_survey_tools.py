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
import yaml
from scipy import stats

from lehc_report.errors import DataError
from lehc_report.inputs.cohort import load_linking
from lehc_report.inputs.framework import load_framework
from lehc_report.inputs.self_assessment import edit_distance, load_self_assessment
from lehc_report.inputs.survey_tools import counts_rows, header_candidates, is_personal_or_technical
from lehc_report.stats.paired import area_scores, area_table

ROOT = Path(__file__).resolve().parents[1]
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
    areas, excluded = area_table(tidy, framework)
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
                   "Timestamp", "Custom Data 1", "self_assessment_complete", "Last modified time"):
        assert is_personal_or_technical(header), header
    for header in ("Asks residents what matters to them", "Q1", "participant_id", "record_id", "Complete the course"):
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

