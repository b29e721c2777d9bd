"""Privacy safeguards: the personal-data scan, small-cell suppression, consent."""

import shutil
from pathlib import Path

import pandas as pd
import pytest

from lehc_report import privacy
from lehc_report.stages.qual import scan_free_text

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


def test_small_groups_are_withheld_in_words(settings):
    assert settings.min_group_size == 5
    assert privacy.withheld_text(settings.min_group_size) == "withheld (n < 5)"


def test_long_tally_is_blanked_for_small_groups(settings):
    tally = pd.DataFrame({"subgroup": ["professional", "uses_services", "survey"], "count": [12, 1, 4],
                          "n": [17, 2, 4], "share": [12 / 17, 0.5, 1.0]})
    safe = privacy.suppress_small_cells(tally, settings)
    assert safe["count"].tolist() == [12, pd.NA, pd.NA]
    assert safe["share"].iloc[0] == pytest.approx(0.7058823529) and safe["share"].isna().tolist() == [False, True, True]
    assert safe["suppressed"].tolist() == ["", "n < 5", "n < 5"]
    assert safe["n"].tolist() == [17, pd.NA, pd.NA]  # a withheld group's size is a count of a group too
    assert tally["count"].tolist() == [12, 1, 4]  # the input is not modified


def test_no_small_group_count_in_the_tally_results(settings):
    """The published long tally blanks every count whose group is below the threshold,
    and the counts of the complementary group (professionals, 17 = 19 - 2)."""
    tally = pd.read_csv(ROOT / "_build" / "results" / "theme_tally.csv", keep_default_na=False)
    small = tally[tally["subgroup"] == "uses_services"]  # 2 people (the shipped respondents.csv)
    assert len(small) > 0 and set(small["count"]) == {""} and set(small["share"]) == {""} and set(small["n"]) == {""}
    complement = tally[tally["subgroup"] == "professional"]
    assert set(complement["count"]) == {""} and set(complement["n"]) == {""}
    assert set(complement["suppressed"]) == {"complement of a group with n < 5"}
    shown = tally[tally["breakdown"] != "group"]
    assert (shown["suppressed"] == "").all() and (shown["count"] != "").all()


# ---- complementary (secondary) suppression ---------------------------------------------


def test_plan_withholds_the_complement_of_a_small_group(settings):
    sizes = {"overall": {"all": 19}, "source": {"survey": 9, "interview": 10},
             "group": {"professional": 17, "uses_services": 2}}
    plan = privacy.suppression_plan(sizes, settings)
    assert plan == {("group", "uses_services"): "primary", ("group", "professional"): "secondary"}


def test_plan_withholds_a_small_source_and_its_complement(settings):
    sizes = {"overall": {"all": 12}, "source": {"survey": 9, "interview": 3},
             "group": {"professional": 12, "uses_services": 0}}
    plan = privacy.suppression_plan(sizes, settings)
    assert plan == {("source", "interview"): "primary", ("source", "survey"): "secondary"}


def test_plan_with_three_groups_hides_only_as_many_as_needed(settings):
    sizes = {"overall": {"all": 30}, "area": {"north": 2, "south": 8, "west": 20}}
    plan = privacy.suppression_plan(sizes, settings)
    assert plan == {("area", "north"): "primary", ("area", "south"): "secondary"}  # 2 + 8 >= 5; west stays


def test_plan_hides_everything_in_a_tiny_cohort(settings):
    sizes = {"overall": {"all": 4}, "source": {"survey": 4, "interview": 0}}
    plan = privacy.suppression_plan(sizes, settings)
    assert plan == {("overall", "all"): "primary", ("source", "survey"): "primary"}


def test_display_of_a_hand_made_tally_cannot_be_subtracted(settings):
    """Theme raised by 18 of 19: professionals 17 of 17 beside a hidden 1 of 2 would give it away."""
    from lehc_report.stages.qual import tally_display

    rows = [("overall", "all", 18, 19), ("source", "survey", 9, 9), ("source", "interview", 9, 10),
            ("group", "professional", 17, 17), ("group", "uses_services", 1, 2)]
    tally = pd.DataFrame([dict(level="theme", id="t", name="A theme", breakdown=b, subgroup=g, count=c, n=n, share=c / n)
                          for b, g, c, n in rows])
    show = tally_display(tally, settings)
    assert list(show.columns) == ["Theme", "All respondents (n = 19)", "Survey (n = 9)", "Interviews (n = 10)"]
    assert show.iloc[0].tolist() == ["A theme", "18 of 19", "9 of 9", "9 of 10"]
    safe = privacy.suppress_small_cells(tally, settings, plan=privacy.suppression_plan(
        {"overall": {"all": 19}, "source": {"survey": 9, "interview": 10}, "group": {"professional": 17, "uses_services": 2}}, settings))
    assert safe["count"].isna().tolist() == [False, False, False, True, True]
    assert safe["suppressed"].tolist()[3:] == ["complement of a group with n < 5", "n < 5"]


# ---- the scan: sentence ends, lower case, line breaks, the cohort's own list --------------


@pytest.mark.parametrize(
    "text, kind, found",
    [
        ("Ring me on 07700 900123.", "uk phone", "07700 900123"),
        ("Ring me on 020 7946 0958. Thanks", "uk phone", "020 7946 0958"),
        ("My NHS number is 943 476 5919.", "nhs number", "943 476 5919"),
        ("from our office at se11 5nh. I'd cleared", "uk postcode", "se11 5nh"),
        ("near m1 1ae", "uk postcode", "m1 1ae"),
        ("the final day felt thin; Catherine\nWilton ran it", "name on the deny-list", "Catherine\nWilton"),
        ("catherine   wilton again", "name on the deny-list", "catherine   wilton"),
    ],
)
def test_scan_catches_the_gaps_a_tester_found(text, kind, found, settings):
    assert (kind, found) in privacy.find_personal_data(text, settings)


def test_decimals_at_a_sentence_end_are_not_phone_numbers(settings):
    assert privacy.find_personal_data("The mean rose to 8.556. Then 0.0001234567 fell.", settings) == []


def test_cohort_deny_list_is_added_to_the_projects(tmp_path):
    (tmp_path / "deny_list.txt").write_text("# facilitators of this cohort\nPriya Kaur\n", encoding="utf-8")
    settings = privacy.load_settings(ROOT, tmp_path)
    assert "Priya Kaur" in settings.deny_list and "Catherine Wilton" in settings.deny_list
    assert privacy.find_personal_data("Priya\nKaur led day two", settings) == [("name on the deny-list", "Priya\nKaur")]
    assert "Priya Kaur" not in privacy.load_settings(ROOT).deny_list


def test_cohort_deny_list_stops_the_scan_with_file_row_and_column(tmp_path):
    for name in ["respondents.csv", "survey_returns.csv", "interview_segments.csv"]:
        shutil.copy(ROOT / "data" / name, tmp_path / name)
    (tmp_path / "deny_list.txt").write_text("Priya Kaur\n", encoding="utf-8")
    segments = pd.read_csv(tmp_path / "interview_segments.csv", dtype=str, keep_default_na=False)
    segments.loc[0, "text"] += " Priya Kaur ran it."
    segments.to_csv(tmp_path / "interview_segments.csv", index=False)
    with pytest.raises(privacy.PersonalDataFound, match=r"interview_segments\.csv, row 2, column 'text'.*Priya Kaur"):
        scan_free_text(tmp_path, privacy.load_settings(ROOT, tmp_path))


def test_every_hit_in_a_cell_is_named(tmp_path):
    for name in ["respondents.csv", "survey_returns.csv", "interview_segments.csv"]:
        shutil.copy(ROOT / "data" / name, tmp_path / name)
    segments = pd.read_csv(tmp_path / "interview_segments.csv", dtype=str, keep_default_na=False)
    segments.loc[26, "text"] = "The final day felt thin; Catherine\nWilton ran it from our office at se11 5nh."
    segments.to_csv(tmp_path / "interview_segments.csv", index=False)
    with pytest.raises(privacy.PersonalDataFound) as caught:
        scan_free_text(tmp_path, privacy.load_settings(ROOT))
    assert str(caught.value).startswith("interview_segments.csv, row 28, column 'text': possible personal data "
                                        "(uk postcode: 'se11 5nh'; name on the deny-list: 'Catherine\\nWilton')")
