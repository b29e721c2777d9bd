"""Privacy safeguards: the personal-data scan, small-cell suppression, consent."""

import shutil
from pathlib import Path

import pandas as pd
import pytest

from lehc_report import privacy
from lehc_report.qual_stage import scan_free_text

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def settings():
    return privacy.load_settings(ROOT)


@pytest.mark.parametrize(
    "text, kind",
    [
        ("write to jo.bloggs@example.org for a copy", "email"),
        ("call me on 01632 960 123 any time", "uk phone"),
        ("or +44 7700 900123", "uk phone"),
        ("the office at SE11 5NH was handy", "uk postcode"),
        ("her NHS number is 943 476 5919", "nhs number"),
        ("Julia Slay's session", "name on the deny-list"),
    ],
)
def test_scan_finds_each_kind_of_personal_data(text, kind, settings):
    assert kind in [k for k, _ in privacy.find_personal_data(text, settings)]


@pytest.mark.parametrize(
    "text",
    ["Strategic Intent rose from 7.56 to 8.56 (t(8) = -7.799, p < .001)", "2/512 = 0.00391", "FC11 Keeps partnerships centred on people",
     "sha256 3f5a0c9d1e2b4a6c8e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d"],
)
def test_scan_leaves_report_text_alone(text, settings):
    assert privacy.find_personal_data(text, settings) == []


def test_planted_email_in_a_survey_answer_stops_with_file_row_and_column(tmp_path, settings):
    for name in ["respondents.csv", "survey_returns.csv", "interview_segments.csv"]:
        shutil.copy(ROOT / "data" / name, tmp_path / name)
    survey = pd.read_csv(tmp_path / "survey_returns.csv", dtype=str, keep_default_na=False)
    survey.loc[3, "q09"] = survey.loc[3, "q09"] + " Happy to talk more: sam.taylor@council.example.gov.uk"
    survey.to_csv(tmp_path / "survey_returns.csv", index=False)
    with pytest.raises(privacy.PersonalDataFound) as caught:
        scan_free_text(tmp_path, settings)
    message = str(caught.value)
    assert message.startswith("survey_returns.csv, row 5, column 'q09': possible personal data (email: 'sam.taylor@council.example.gov.uk')")
    assert "redact it in the source file" in message


def test_shipped_free_text_is_clean(settings):
    scan_free_text(ROOT / "data", settings)  # raises if anything is found


def test_small_groups_are_suppressed(settings):
    assert settings.min_group_size == 5
    assert privacy.suppress_small(2, 2, settings) == "suppressed (n < 5)"
    assert privacy.suppress_small(3, 17, settings) == "3 of 17"


def test_long_tally_is_blanked_for_small_groups(settings):
    tally = pd.DataFrame({"subgroup": ["professional", "uses_services", "survey"], "count": [12, 1, 4],
                          "n": [17, 2, 4], "share": [12 / 17, 0.5, 1.0]})
    safe = privacy.suppress_small_cells(tally, settings)
    assert safe["count"].tolist() == [12, pd.NA, pd.NA]
    assert safe["share"].iloc[0] == pytest.approx(0.7058823529) and safe["share"].isna().tolist() == [False, True, True]
    assert safe["suppressed"].tolist() == ["", "n < 5", "n < 5"]
    assert safe["n"].tolist() == [17, 2, 4]  # group sizes stay: the report states them
    assert tally["count"].tolist() == [12, 1, 4]  # the input is not modified


def test_no_small_group_count_in_the_tally_results(settings):
    """The published long tally blanks every count whose group is below the threshold."""
    tally = pd.read_csv(ROOT / "_build" / "results" / "theme_tally.csv", keep_default_na=False)
    small = tally[tally["n"] < settings.min_group_size]
    assert len(small) > 0 and set(small["count"]) == {""} and set(small["share"]) == {""}
    large = tally[tally["n"] >= settings.min_group_size]
    assert (large["suppressed"] == "").all() and (large["count"] != "").all()
