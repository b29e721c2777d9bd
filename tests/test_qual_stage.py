"""Sentences and safeguards of the qualitative stage (lehc_report.stages.qual), with real values."""

from __future__ import annotations

from pathlib import Path

import pytest
from qual_fixture import write_fixture

from lehc_report import privacy
from lehc_report.stages import qual as qual_stage
from lehc_report.inputs.qualitative import load_qualitative

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def settings():
    return privacy.load_settings(ROOT)


def test_plurals_and_share_phrases():
    assert qual_stage.counted(1, "respondents") == "1 respondent"
    assert qual_stage.counted(12, "respondents") == "12 respondents"
    assert qual_stage.counted(1, "women") == "1 woman" and qual_stage.counted(1, "men") == "1 man"
    assert qual_stage.share_phrase(3, 3, "interviewees") == "all 3 interviewees"
    assert qual_stage.share_phrase(1, 1, "interviewees") == "the one interviewee"
    assert qual_stage.share_phrase(0, 10, "interviewees") == "none of the 10 interviewees"


@pytest.mark.parametrize(
    "raw, inner",
    [
        ("“Café” – naïve résumé, it’s fine", "‘Café’ – naïve résumé, it’s fine"),
        ("“The whole thing was real.”", "The whole thing was real."),
        ('"Plain marks round it."', "Plain marks round it."),
        ("No marks at all.", "No marks at all."),
        ("the users' view", "the users' view"),
    ],
)
def test_quote_marks_are_never_doubled(raw, inner):
    assert qual_stage.quote_markdown(raw, "provider") == f"“{inner}” (provider)"
    assert "““" not in qual_stage.quote_markdown(raw, "provider")


def test_sentences_for_a_cohort_without_interviews():
    counts = {"all": 9, "survey": 9, "interview": 0, "professional": 9, "uses_services": 0}
    glue = {"n_survey_female": "1", "n_survey_male": "8"}
    assert qual_stage.sources_sentence(counts, ("survey",)) == (
        "The findings below combine two sources: the self-assessments and the nine survey returns "
        "(this cohort's data hold no interviews).")
    assert qual_stage.survey_sentence(counts, glue, ("survey",), n_blank=1) == (
        "9 participants returned it (1 woman and 8 men). Of these, one came back blank: a blank form is still a return, "
        "so it counts in every denominator, as a return that raised no theme.")
    assert qual_stage.interview_sentence(counts, glue, ("survey",)).startswith("No interviews are in this cohort's data")


def test_interview_sentence_agrees_in_number():
    counts = {"all": 3, "survey": 0, "interview": 3, "professional": 2, "uses_services": 1}
    glue = {"n_interview_professional": "2", "n_interview_uses_services": "1", "n_interview_female": "1", "n_interview_male": "2"}
    assert qual_stage.interview_sentence(counts, glue, ("interview",)).endswith(
        "2 who commission or deliver services and 1 who uses services (1 woman and 2 men in all).")


def test_group_of_people_who_use_services_below_two_is_never_spoken_for(settings):
    assert "No person who uses services took part" in qual_stage.uses_services_sentences(0, settings)["us_valued_sentence"]
    one = qual_stage.uses_services_sentences(1, settings)
    assert one["us_valued_sentence"].startswith("Too few people who use services") and "valued it" not in one["us_valued_sentence"]
    assert qual_stage.uses_services_sentences(2, settings)["us_valued_sentence"].startswith("The people who use services who took part valued it")


def test_profile_intro_counts_the_profiles():
    assert qual_stage.profiles_intro(3).startswith("Three short profiles")
    assert qual_stage.profiles_intro(1).startswith("One short profile,")
    assert "no profiles" in qual_stage.profiles_intro(0)


def test_consent_sentence():
    assert "(2 did not, and are never quoted)" in qual_stage.consent_sentence(2, 19)
    assert "(1 did not, and is never quoted)" in qual_stage.consent_sentence(1, 19)
    assert qual_stage.consent_sentence(19, 19) == "No respondent agreed to be quoted, so the report quotes no one."


def test_theme_sentences_fall_back_when_interviews_are_withheld():
    counts = {"all": 12, "survey": 9, "interview": 3, "professional": 12, "uses_services": 0}
    by_item = {"framework.resonates": {"all": 5, "interview": 3},
               "impact_role.concrete_changes": {"all": 4, "interview": 3},
               "impact_others.community_not_yet": {"all": 0, "interview": 0}}
    out = qual_stage.theme_sentences({}, by_item, counts, shown={"all"}, sources=("survey", "interview"))
    assert out["subj_framework_resonates"] == "5 respondents"  # not "all 3 interviewees"
    assert out["concrete_changes_sentence"].startswith("4 of the 12 respondents already had concrete examples")
    assert "interviewees" not in out["concrete_changes_sentence"]
    assert out["community_sentence"].startswith("No respondent commented")
    shown = qual_stage.theme_sentences({}, by_item, {**counts, "interview": 10}, shown={"all", "survey", "interview"},
                                       sources=("survey", "interview"))
    assert shown["subj_framework_resonates"] == "5 respondents, among them 3 of the 10 interviewees,"
    assert shown["concrete_changes_sentence"].endswith("4 respondents across both sources gave such examples.")
    alone = qual_stage.theme_sentences({}, by_item, {**counts, "all": 10, "interview": 10}, shown={"interview"}, sources=("interview",))
    assert alone["subj_framework_resonates"] == "5 respondents"  # not "among them 3 of the 10 interviewees" when all are


def test_case_study_not_in_the_register_is_named_as_such(tmp_path):
    data = load_qualitative(write_fixture(tmp_path))
    with pytest.raises(ValueError, match=r"case_studies\.yml: I99 is not in respondents\.csv"):
        qual_stage.profiles_markdown(data, ["S01", "I99"], None, {})
    with pytest.raises(ValueError, match=r"case_studies\.yml: S02 did not consent to quotation"):
        qual_stage.profiles_markdown(data, ["S02"], None, {})


def test_no_double_coding_is_said_plainly(tmp_path):
    directory = write_fixture(tmp_path)
    (directory / "double_coded.csv").unlink()
    (directory / "codings.csv").write_text(
        "\n".join(line for line in (directory / "codings.csv").read_text(encoding="utf-8").splitlines() if ",B," not in line) + "\n",
        encoding="utf-8")
    data = load_qualitative(directory)
    sentence = qual_stage.coders_sentence(data, {})
    assert "agreement between coders was not measured" in sentence and "alpha" not in sentence


def test_case_study_problems_name_the_line_and_every_id(tmp_path):
    from lehc_report.inputs.self_assessment import DataError

    data = load_qualitative(write_fixture(tmp_path))
    case_file = tmp_path / "case_studies.yml"
    case_file.write_text("# profiles\ncase_studies:\n  - S01\n  - I99\n  - S02\n", encoding="utf-8")
    with pytest.raises(DataError) as caught:
        qual_stage.profiles_markdown(data, ["S01", "I99", "S02"], None, {}, case_file=case_file)
    assert str(caught.value).startswith("case_studies.yml, row 4: I99 is not in respondents.csv; S02 did not consent")
