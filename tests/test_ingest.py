"""Unit tests of lehc_report.inputs.self_assessment beyond the input corpus: score parsing, the
participant register, and randomly damaged exports (only ever a DataError)."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from lehc_report.inputs.framework import load_framework
from lehc_report.inputs.self_assessment import DataError, column_letter, load_self_assessment, number_ranges, parse_score

ROOT = Path(__file__).resolve().parents[1]
CORPUS = Path(__file__).resolve().parent / "input_corpus"
FRAMEWORK = load_framework(ROOT / "data" / "framework.yml")


@pytest.mark.parametrize("text, expected", [("7", 7), (" 7 ", 7), ("+7", 7), ("7.0", 7), ("10.00", 10), ("1", 1),
                                            ("", None), ("  ", None), ("N/A", None), ("na", None), ("-", None), ("Not answered", None)])
def test_parse_score_accepts(text, expected):
    assert parse_score(text, (1, 10), Path("x.csv"), 2, "B (SI01)") == expected


@pytest.mark.parametrize("text", ["1e1", "1_0", "NaN", "sNaN", "Infinity", "\u0667", "7,0", "7.", ".7", "7/10", "0x7", "seven", "7 7", "--7"])
def test_parse_score_refuses_anything_else_with_a_data_error(text):
    with pytest.raises(DataError) as raised:
        parse_score(text, (1, 10), Path("x.csv"), 2, "B (SI01)")
    assert "x.csv, row 2, column 'B (SI01)'" in str(raised.value)


def test_helpers():
    assert [column_letter(i) for i in (0, 25, 26, 38, 701, 702)] == ["A", "Z", "AA", "AM", "ZZ", "AAA"]
    assert number_ranges([3, 4, 5, 9, 11, 12]) == "3-5, 9, 11-12"


def copy_case(name: str, tmp_path: Path) -> Path:
    folder = tmp_path / name
    shutil.copytree(CORPUS / name, folder)
    return folder


def test_missing_folder_is_a_data_error(tmp_path):
    with pytest.raises(DataError, match="is not a folder"):
        load_self_assessment(tmp_path / "nowhere", FRAMEWORK)


def test_register_blank_id_and_empty_rows(tmp_path):
    folder = copy_case("register_with_non_respondent", tmp_path)
    register = folder / "participants.csv"
    register.write_text("participant_id,gender,\nP01,female,\n,,\nP02,male,\nP03,female,\nP04,male,\n", encoding="utf-8")
    _, _, participants = load_self_assessment(folder, FRAMEWORK)  # empty row and column ignored
    assert participants["participant_id"].tolist() == ["P01", "P02", "P03", "P04"]
    register.write_text("participant_id,gender\nP01,female\n,male\nP02,male\nP03,female\nP04,male\n", encoding="utf-8")
    with pytest.raises(DataError) as raised:
        load_self_assessment(folder, FRAMEWORK)
    assert "participants.csv, row 3, column 'A (participant_id)': participant ID is blank; fill it in" in str(raised.value)


def test_register_ids_trimmed_and_logged(tmp_path):
    folder = copy_case("register_with_non_respondent", tmp_path)
    (folder / "participants.csv").write_text("participant_id,gender\n P01,female\nP02,male\nP03 ,female\nP04,male\n", encoding="utf-8")
    _, log, participants = load_self_assessment(folder, FRAMEWORK)
    assert participants["participant_id"].tolist() == ["P01", "P02", "P03", "P04"]
    assert log[log["action"] == "ID trimmed"][["file", "row"]].values.tolist() == [["participants.csv", 2], ["participants.csv", 4]]


def test_the_project_data_read_cleanly():
    tidy, log, participants = load_self_assessment(ROOT / "data", FRAMEWORK)
    assert len(log) == 0
    assert tidy["score"].notna().all()


MUTATIONS = [b'"', b",", b"\n", b"\r", b"\xff", b"\xe9", b"x", b"", b"\x00", b";", b"11", b" "]


@pytest.mark.parametrize("seed", range(40))
def test_randomly_damaged_csv_gives_a_result_or_a_data_error(seed, tmp_path):
    """Flip, insert or delete a few bytes of a valid export: never a traceback."""
    rng = np.random.default_rng(seed)
    folder = copy_case("crlf_line_endings", tmp_path)
    target = folder / ("self_assessment_start.csv" if seed % 2 else "self_assessment_end.csv")
    data = bytearray(target.read_bytes())
    for _ in range(int(rng.integers(1, 6))):
        at = int(rng.integers(0, len(data)))
        data[at : at + int(rng.integers(0, 3))] = MUTATIONS[int(rng.integers(0, len(MUTATIONS)))]
    target.write_bytes(bytes(data))
    try:
        load_self_assessment(folder, FRAMEWORK)
    except DataError as error:
        assert str(error).startswith(target.name) and ";" in str(error)


@pytest.mark.parametrize("cut", [0.1, 0.5, 0.9, 0.99])
def test_truncated_workbook_is_a_data_error(cut, tmp_path):
    folder = copy_case("xlsx_instead_of_csv", tmp_path)
    target = folder / "self_assessment_end.xlsx"
    data = target.read_bytes()
    target.write_bytes(data[: int(len(data) * cut)])
    with pytest.raises(DataError, match="cannot be read as an Excel workbook"):
        load_self_assessment(folder, FRAMEWORK)


def test_gender_spellings_are_read_and_other_answers_kept_as_not_stated(tmp_path):
    from lehc_report.inputs.self_assessment import CleaningLog, load_participants

    (tmp_path / "participants.csv").write_text(
        "participant_id,gender\nP1,F\nP2, Male \nP3,non-binary\nP4,\nP5,female\n", encoding="utf-8")
    log = CleaningLog()
    table = load_participants(tmp_path, log)
    assert table["gender"].tolist() == ["female", "male", "", "", "female"]
    entries = log.to_frame()
    assert entries["row"].tolist() == [2, 3, 4]
    assert entries["detail"].tolist() == ["'F' read as 'female'", "'Male' read as 'male'", "'non-binary' counted as 'other or not stated'"]
    assert entries["column"].tolist() == ["B (gender)"] * 3


# --------------------------------------------------------------------------- scale labels (answers in words)
def framework_with_labels(tmp_path: Path, labels) -> Path:
    import yaml

    spec = yaml.safe_load((ROOT / "data" / "framework.yml").read_text(encoding="utf-8"))
    spec["scale"] = {"min": 1, "max": 10, "labels": labels}
    path = tmp_path / "framework.yml"
    path.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    return path


@pytest.mark.parametrize("text, expected", [("Completely", 10), ("completely ", 10), ("10 - Completely", 10), ("1 - Not at all", 1),
                                            ("Not at all.", 1), ("7", 7), ("N/A", None)])
def test_answers_in_words_map_through_the_labels(text, expected, tmp_path):
    framework = load_framework(framework_with_labels(tmp_path, {1: "Not at all", 10: "Completely"}))
    assert parse_score(text, (1, 10), Path("x.csv"), 2, "B (SI01)", framework.answer_lookup(), framework.allowed_answers()) == expected


@pytest.mark.parametrize("text", ["Somewhat", "5 - Completely", "Agree"])
def test_unknown_answer_text_lists_the_labels(text, tmp_path):
    framework = load_framework(framework_with_labels(tmp_path, {1: "Not at all", 10: "Completely"}))
    with pytest.raises(DataError) as raised:
        parse_score(text, (1, 10), Path("x.csv"), 2, "B (SI01)", framework.answer_lookup(), framework.allowed_answers())
    assert str(raised.value).startswith(f"x.csv, row 2, column 'B (SI01)': {text!r} is not one of the scale's answers; "
                                        "the answers allowed are 1 = 'Not at all', 10 = 'Completely'")


@pytest.mark.parametrize("labels, fragment", [
    ({0: "Never"}, "scale label key 0 is not a score from 1 to 10"),
    ({1: "Agree", 2: "agree"}, "label 'agree' is given to scores 1 and 2"),
    ({1: ""}, "the label of score 1 is ''"),
    (["Agree"], "write one 'score: label' line per answer"),
])
def test_bad_scale_labels_are_refused(labels, fragment, tmp_path):
    with pytest.raises(DataError) as raised:
        load_framework(framework_with_labels(tmp_path, labels))
    assert fragment in str(raised.value) and "column 'scale.labels'" in str(raised.value)


def test_words_without_labels_point_to_the_labels(tmp_path):
    with pytest.raises(DataError, match="answers in words need the scale's labels in framework.yml"):
        parse_score("Agree", (1, 10), Path("x.csv"), 2, "B (SI01)")
