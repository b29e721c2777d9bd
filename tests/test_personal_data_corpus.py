"""Personal data planted in every input field and spelling stops the scan with its location
(tests/unsafe_text/personal_data.yml; lehc_report.inputs.personal_data)."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
import yaml

from lehc_report import privacy
from lehc_report.errors import PersonalDataFound
from lehc_report.inputs.personal_data import files_read_by, scan_inputs

ROOT = Path(__file__).resolve().parents[1]
CASES = yaml.safe_load((Path(__file__).parent / "unsafe_text" / "personal_data.yml").read_text(encoding="utf-8"))["cases"]


def plant(data: Path, spec: dict) -> None:
    if "file_name" in spec:
        (data / spec["file_name"]).write_text("", encoding="utf-8")
        return
    path = data / spec["file"]
    if path.suffix == ".csv":
        with path.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.reader(handle))
        rows[spec["row"] - 1][rows[0].index(spec["column"])] = spec["text"]
        with path.open("w", encoding="utf-8", newline="") as handle:
            csv.writer(handle, lineterminator="\n").writerows(rows)
        return
    if not path.exists():
        shutil.copy(ROOT / "data" / spec["file"], path)
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    node = document
    for key in spec["key"][:-1]:
        node = node[key]
    node[spec["key"][-1]] = spec["text"]
    path.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), encoding="utf-8")


def test_the_corpus_covers_every_field():
    assert len(CASES) >= 30 and len({c["name"] for c in CASES}) == len(CASES)
    fields = {c["field"] for c in CASES}
    assert {"participant_id", "gender", "column_header", "role_label", "survey_answer", "passage", "programme", "client",
            "report_date", "theme_name", "code_name", "code_definition", "area_name", "behaviour_label", "case_studies",
            "survey_instrument", "file_name"} <= fields


@pytest.mark.parametrize("case", CASES, ids=lambda c: c["name"])
def test_planted_personal_data_stops_the_scan_with_its_location(case, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data, ignore=shutil.ignore_patterns("deny_list.txt"))
    if case.get("deny"):
        (data / "deny_list.txt").write_text("\n".join(case["deny"]) + "\n", encoding="utf-8")
    plant(data, case["plant"])
    settings = privacy.load_settings(ROOT, data)
    planted = case["plant"].get("file")
    notebook = "01_clean" if planted in [p.name for p in files_read_by(data, ROOT, "01_clean")] else "03_qual"
    if "error" not in case:
        scan_inputs(data, settings, notebook, root=ROOT)
        return
    with pytest.raises(PersonalDataFound) as caught:
        scan_inputs(data, settings, notebook, root=ROOT)
    message = str(caught.value)
    assert message.startswith(case["error"]), message
    assert message.endswith("; redact it in the source file, then rebuild")


@pytest.mark.parametrize("folder", ["data", "tests/cohorts/cohort_b", *[f"tests/survey_exports/{p.name}" for p in sorted(
    (ROOT / "tests" / "survey_exports").iterdir()) if p.is_dir()]])
def test_shipped_and_example_inputs_are_clean(folder):
    """The survey tools' exports carry e-mail addresses and names in columns the reader drops: not hits."""
    data = ROOT / folder
    for notebook in ("01_clean", "03_qual"):
        scan_inputs(data, privacy.load_settings(ROOT, data), notebook, root=ROOT)
