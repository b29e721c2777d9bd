"""The messy-input corpus (tests/input_corpus/): every case accepted or refused as documented.

``cases.yml`` says, for each case folder, whether ``load_self_assessment`` must accept
it (with the participants per wave, missing ratings and cleaning-log actions it must
report) or refuse it with a :class:`DataError` whose message names the file, row and
column and says what to do.  No case may end in any other exception, and no case may
change its input files: each runs on a copy in ``tmp_path`` that is hashed before and
after.
"""

from __future__ import annotations

import hashlib
import importlib.util
import shutil
from pathlib import Path

import pytest
import yaml
from openpyxl import load_workbook

from lehc_report.inputs.framework import load_framework
from lehc_report.inputs.self_assessment import DataError, load_self_assessment

ROOT = Path(__file__).resolve().parents[1]
CORPUS = Path(__file__).resolve().parent / "input_corpus"
FRAMEWORK = ROOT / "data" / "framework.yml"
CASES = yaml.safe_load((CORPUS / "cases.yml").read_text(encoding="utf-8"))["cases"]


def snapshot(folder: Path) -> dict[str, str]:
    """Relative path -> SHA-256 of every file under ``folder``."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*")) if p.is_file()}


def load_generator():
    spec = importlib.util.spec_from_file_location("make_corpus", CORPUS / "make_corpus.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_manifest_lists_every_case_folder_once():
    names = [c["name"] for c in CASES]
    assert len(names) == len(set(names))
    folders = {p.name for p in CORPUS.iterdir() if p.is_dir() and not p.name.startswith(("_", "."))}
    assert set(names) == folders
    assert len(names) >= 25
    assert {c["outcome"] for c in CASES} == {"accept", "refuse"}
    for case in CASES:
        assert case.get("what"), case["name"]
        if case["outcome"] == "accept":
            assert {"participants", "missing", "log"} <= set(case), case["name"]
        else:
            assert case["outcome"] == "refuse" and case["fragments"], case["name"]


def test_generator_reproduces_the_committed_corpus(tmp_path):
    generator = load_generator()
    assert set(generator.CASES) == {c["name"] for c in CASES}
    generator.generate(tmp_path)
    for case in CASES:
        fresh, committed = tmp_path / case["name"], CORPUS / case["name"]
        assert sorted(p.name for p in fresh.iterdir()) == sorted(p.name for p in committed.iterdir()), case["name"]
        for path in fresh.iterdir():
            if path.suffix == ".xlsx" and not path.name.startswith("~$") and path.read_bytes()[:2] == b"PK":
                # workbooks carry timestamps: compare what is in the cells
                assert workbook_cells(path) == workbook_cells(committed / path.name), path.name
            else:
                assert path.read_bytes() == (committed / path.name).read_bytes(), f"{case['name']}/{path.name}"


def workbook_cells(path: Path) -> list:
    workbook = load_workbook(path, read_only=True)
    try:
        return [(ws.title, list(ws.iter_rows(values_only=True))) for ws in workbook.worksheets]
    finally:
        workbook.close()


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_case(case, tmp_path):
    folder = tmp_path / case["name"]
    shutil.copytree(CORPUS / case["name"], folder)
    framework_path = tmp_path / "framework.yml"
    shutil.copyfile(FRAMEWORK, framework_path)
    before = snapshot(tmp_path)
    framework = load_framework(framework_path)
    try:
        if case["outcome"] == "accept":
            check_accepted(case, *load_self_assessment(folder, framework), framework)
        else:
            # pytest.raises lets any other exception type through, failing the test
            with pytest.raises(DataError) as raised:
                load_self_assessment(folder, framework)
            check_refused(case, raised.value, folder)
    finally:
        assert snapshot(tmp_path) == before, "the raw input files were changed or added to"


def check_accepted(case, tidy, log, participants, framework):
    n_behaviours = len(framework.behaviour_ids)
    per_wave = tidy.groupby("wave", sort=False)["participant_id"].nunique().to_dict()
    assert per_wave == case["participants"]
    assert list(per_wave) == [w for w in framework.wave_ids if w in per_wave]  # waves in time order
    assert len(tidy) == sum(per_wave.values()) * n_behaviours  # every behaviour for every participant
    assert int(tidy["score"].isna().sum()) == case["missing"]
    assert log["action"].value_counts().to_dict() == case["log"]
    assert log[["file", "action", "detail"]].notna().all().all()
    waves_present = set(per_wave)
    for pid, absent in case.get("absent", {}).items():
        has = set(tidy.loc[tidy["participant_id"] == pid, "wave"])
        assert waves_present - has == set(absent), pid
    for key, expected in case.get("scores", {}).items():
        pid, wave, behaviour = key.split("/")
        cell = tidy[(tidy["participant_id"] == pid) & (tidy["wave"] == wave) & (tidy["behaviour_id"] == behaviour)]
        assert len(cell) == 1 and cell["score"].iloc[0] == expected, key
    assert tidy["participant_id"].str.strip().eq(tidy["participant_id"]).all()


def check_refused(case, error: DataError, folder: Path):
    message = str(error)
    missing = [f for f in case["fragments"] if f not in message]
    assert not missing, f"{message!r} lacks {missing}"
    # "<file>[, row N][, column 'X']: what is wrong; what to do [full path]"
    assert Path(error.file).parent == folder
    assert message.startswith(Path(error.file).name)
    assert message.endswith(f"[{error.file}]")
    problem = message.split(": ", 1)[1]
    assert ";" in problem, f"no 'what to do' part in {message!r}"
    if error.row is not None:
        assert f"row {error.row}" in message
    if error.column is not None:
        assert f"column {error.column!r}" in message
    assert "Traceback" not in message
