"""Test cohort B (tests/cohorts/cohort_b/): a second, complete cohort folder.

Checks that ingest reads it with exactly the counts its generator
(tests/cohorts/make_cohort_b.py, seed fixed) produced, and that the committed files
are what the generator still makes.  The expected values below were read off the
generator's output when the files were made, not recomputed here.
"""

from __future__ import annotations

import hashlib
import importlib.util
import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook

from lehc_report.inputs.cohort import framework_file, load_cohort
from lehc_report.inputs.framework import load_framework
from lehc_report.inputs.self_assessment import load_self_assessment

ROOT = Path(__file__).resolve().parents[1]
COHORTS = Path(__file__).resolve().parent / "cohorts"
COHORT_B = COHORTS / "cohort_b"

FILES = ["cohort.yml", "participants.csv", "self_assessment_end.xlsx", "self_assessment_follow_up.csv", "self_assessment_start.csv"]
ALL = [f"C{i:02d}" for i in range(1, 15)]
PER_WAVE = {"start": 14, "end": 12, "follow_up": 11}
DROPPED = ["C01", "C11"]  # start only
NO_FOLLOW_UP = "C13"  # start and end
MISSING = {  # (participant, wave, behaviour) -> the marker in the export
    ("C02", "start", "DT12"): "N/A",
    ("C08", "start", "FC09"): "",
    ("C09", "start", "FC10"): "N/A",
    ("C04", "end", "FC05"): "N/A",
    ("C06", "end", "DT01"): "",
    ("C05", "follow_up", "DT12"): "N/A",
    ("C10", "follow_up", "FO01"): "",
}


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cohort") / "cohort_b"
    shutil.copytree(COHORT_B, folder)
    before = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()}
    framework = load_framework(framework_file(folder, ROOT))
    tidy, log, participants = load_self_assessment(folder, framework)
    after = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()}
    assert after == before, "reading the cohort changed its files"
    return folder, framework, tidy, log, participants


def test_folder_holds_exports_register_and_settings_only():
    assert sorted(p.name for p in COHORT_B.iterdir()) == FILES  # no qualitative files, no framework.yml


def test_uses_the_project_framework(loaded):
    folder, framework, *_ = loaded
    assert framework_file(folder, ROOT) == ROOT / "data" / "framework.yml"
    assert framework.wave_ids == ["start", "end", "follow_up"]


def test_participants_per_wave(loaded):
    _, framework, tidy, _, participants = loaded
    assert tidy.groupby("wave", sort=False)["participant_id"].nunique().to_dict() == PER_WAVE
    assert len(tidy) == sum(PER_WAVE.values()) * len(framework.behaviour_ids)
    assert sorted(tidy["participant_id"].unique()) == ALL
    assert participants["participant_id"].tolist() == ALL


def test_who_lacks_which_wave(loaded):
    tidy = loaded[2]
    waves = tidy.groupby("participant_id")["wave"].agg(lambda s: sorted(set(s)))
    lacking = {pid: sorted({"start", "end", "follow_up"} - set(has)) for pid, has in waves.items()}
    expected = {pid: [] for pid in ALL}
    expected.update({pid: ["end", "follow_up"] for pid in DROPPED})
    expected[NO_FOLLOW_UP] = ["follow_up"]
    assert lacking == expected


def test_missing_ratings(loaded):
    tidy, log = loaded[2], loaded[3]
    gaps = tidy[tidy["score"].isna()]
    assert set(zip(gaps["participant_id"], gaps["wave"], gaps["behaviour_id"])) == set(MISSING)
    assert gaps.groupby("wave", sort=False).size().to_dict() == {"start": 3, "end": 2, "follow_up": 2}
    assert log["action"].tolist() == ["missing rating"] * len(MISSING)
    assert sorted(log["detail"]) == sorted(f"{m!r} read as not answered" for m in MISSING.values())
    assert set(log["file"]) == {"self_assessment_start.csv", "self_assessment_end.xlsx", "self_assessment_follow_up.csv"}


def test_scores_on_the_scale_and_improving(loaded):
    tidy = loaded[2]
    answered = tidy.dropna(subset=["score"])
    assert answered["score"].between(1, 10).all()
    means = answered.groupby("wave")["score"].mean()
    assert means["start"] < means["follow_up"] < means["end"]


def test_cohort_settings():
    settings = load_cohort(COHORT_B)
    assert settings["client"] == "Example Integrated Care Board"
    assert settings["report_date"] == "2027"
    assert settings["attended"] == 20
    assert settings["programme"]


def test_generator_makes_the_committed_files(tmp_path):
    spec = importlib.util.spec_from_file_location("make_cohort_b", COHORTS / "make_cohort_b.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    facts = module.make(tmp_path)
    assert facts["dropped"] == DROPPED and facts["no_follow_up"] == NO_FOLLOW_UP
    assert sorted(p.name for p in tmp_path.iterdir()) == FILES
    for name in FILES:
        if name.endswith(".xlsx"):  # workbooks carry timestamps: compare the cells
            assert cells(tmp_path / name) == cells(COHORT_B / name)
        else:
            assert (tmp_path / name).read_bytes() == (COHORT_B / name).read_bytes(), name


def cells(path: Path) -> list:
    workbook = load_workbook(path, read_only=True)
    try:
        return [(ws.title, list(ws.iter_rows(values_only=True))) for ws in workbook.worksheets]
    finally:
        workbook.close()
