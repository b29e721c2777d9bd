"""Sentences (lehc_report.prose.qual, lehc_report.published.codebook_2013), display tables
(lehc_report.render.qual_tables) and safeguards of the qualitative stage, with real values."""

from __future__ import annotations

from pathlib import Path

import pytest
from qual_fixture import write_fixture

from lehc_report import privacy
from lehc_report.inputs.qualitative import check_case_studies, load_qualitative
from lehc_report.prose import qual as words
from lehc_report.published import codebook_2013

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def settings():
    return privacy.load_settings(ROOT)


def test_plurals_and_share_phrases():
    assert words.counted(1, "respondents") == "1 respondent"
    assert words.counted(12, "respondents") == "12 respondents"
    assert words.counted(1, "women") == "1 woman" and words.counted(1, "men") == "1 man"
    assert words.share_phrase(3, 3, "interviewees") == "all three interviewees"
    assert words.share_phrase(1, 1, "interviewees") == "the one interviewee"
    assert words.share_phrase(0, 10, "interviewees") == "none of the ten interviewees"


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
    assert words.quote_markdown(raw, "provider") == f"“{inner}” (provider)"
    assert "““" not in words.quote_markdown(raw, "provider")


def test_sentences_for_a_cohort_without_interviews(settings):
    counts = {"all": 9, "survey": 9, "interview": 0, "professional": 9, "uses_services": 0}
    facts = {"n_survey_female": "1", "n_survey_male": "8"}
    assert words.sources_sentence(counts, ("survey",)) == (
        "The findings below combine two sources: the self-assessments and the nine survey returns "
        "(this cohort's data hold no interviews).")
    assert words.survey_sentence(counts, facts, ("survey",), 1, settings) == (
        "Nine participants returned it; their numbers by gender are not given: a group of fewer than 5 people could point "
        "at a person (see Privacy in the methodology). Of these, one came back blank: a blank form is still a return, "
        "so it counts in every denominator, as a return that raised no theme.")
    assert words.interview_sentence(counts, facts, ("survey",), settings).startswith("No interviews are in this cohort's data")


def test_interview_sentence_of_three_gives_no_breakdown(settings):
    counts = {"all": 3, "survey": 0, "interview": 3, "professional": 2, "uses_services": 1}
    facts = {"n_interview_professional": "2", "n_interview_uses_services": "1", "n_interview_female": "1", "n_interview_male": "2"}
    assert words.interview_sentence(counts, facts, ("interview",), settings).endswith(
        ": people who commission or deliver services and people who use services, whose numbers are not given: a group "
        "of fewer than 5 people could point at a person (see Privacy in the methodology).")


def test_group_of_people_who_use_services_below_two_is_never_spoken_for(settings):
    assert "No person who uses services took part" in words.uses_services_sentences(0, settings)["us_valued_sentence"]
    one = words.uses_services_sentences(1, settings)
    assert one["us_valued_sentence"].startswith("Too few people who use services") and "valued it" not in one["us_valued_sentence"]
    assert words.uses_services_sentences(2, settings)["us_valued_sentence"].startswith("The people who use services who took part valued it")


def test_profile_intro_counts_the_profiles():
    assert words.profiles_intro(3).startswith("Three short profiles")
    assert words.profiles_intro(1).startswith("One short profile,")
    assert "no profiles" in words.profiles_intro(0)


def test_consent_sentence():
    assert "(2 did not, and are never quoted)" in words.consent_sentence(2, 19)
    assert "(1 did not, and is never quoted)" in words.consent_sentence(1, 19)
    assert words.consent_sentence(19, 19) == "No respondent agreed to be quoted, so the report quotes no one."


def test_theme_sentences_fall_back_when_interviews_are_withheld():
    counts = {"all": 12, "survey": 9, "interview": 3, "professional": 12, "uses_services": 0}
    by_item = {"framework.resonates": {"all": 5, "interview": 3},
               "impact_role.concrete_changes": {"all": 4, "interview": 3},
               "impact_others.community_not_yet": {"all": 0, "interview": 0}}
    out = codebook_2013.finding_sentences(by_item, counts, shown={"all"}, sources=("survey", "interview"))
    assert out["subj_framework_resonates"] == "5 respondents"  # not "all 3 interviewees"
    assert out["concrete_changes_sentence"].startswith("Four of the twelve respondents already had concrete examples")
    assert "interviewees" not in out["concrete_changes_sentence"]
    assert out["community_sentence"].startswith("No respondent commented")
    shown = codebook_2013.finding_sentences(by_item, {**counts, "interview": 10}, shown={"all", "survey", "interview"},
                                       sources=("survey", "interview"))
    assert shown["subj_framework_resonates"] == "5 respondents, among them three of the ten interviewees,"
    assert shown["concrete_changes_sentence"].endswith("Four respondents across both sources gave such examples.")
    alone = codebook_2013.finding_sentences(by_item, {**counts, "all": 10, "interview": 10}, shown={"interview"}, sources=("interview",))
    assert alone["subj_framework_resonates"] == "5 respondents"  # not "among them 3 of the 10 interviewees" when all are


def test_case_study_not_in_the_register_is_named_as_such(tmp_path):
    data = load_qualitative(write_fixture(tmp_path))
    with pytest.raises(ValueError, match=r"case_studies\.yml: I99 is not in respondents\.csv"):
        check_case_studies(data, ["S01", "I99"])
    with pytest.raises(ValueError, match=r"case_studies\.yml: S02 did not consent to quotation"):
        check_case_studies(data, ["S02"])


def test_no_double_coding_is_said_plainly(tmp_path):
    directory = write_fixture(tmp_path)
    (directory / "double_coded.csv").unlink()
    (directory / "codings.csv").write_text(
        "\n".join(line for line in (directory / "codings.csv").read_text(encoding="utf-8").splitlines() if ",B," not in line) + "\n",
        encoding="utf-8")
    data = load_qualitative(directory)
    sentence = words.coders_sentence(data.coded, data.double_coding, {})
    assert "agreement between coders was not measured" in sentence and "alpha" not in sentence


def test_case_study_problems_name_the_line_and_every_id(tmp_path):
    from lehc_report.inputs.self_assessment import DataError

    data = load_qualitative(write_fixture(tmp_path))
    case_file = tmp_path / "case_studies.yml"
    case_file.write_text("# profiles\ncase_studies:\n  - S01\n  - I99\n  - S02\n", encoding="utf-8")
    with pytest.raises(DataError) as caught:
        check_case_studies(data, ["S01", "I99", "S02"], case_file=case_file)
    assert str(caught.value).startswith("case_studies.yml, row 4: I99 is not in respondents.csv; S02 did not consent")


def test_alpha_reading_follows_the_thresholds_in_the_settings():
    from lehc_report.settings import AnalysisSettings

    defaults = AnalysisSettings()
    firm, tentative = defaults.krippendorff_firm, defaults.krippendorff_tentative
    assert words.alpha_reading(0.85, firm, tentative) == "above the 0.80 Krippendorff recommends for firm conclusions"
    assert words.alpha_reading(0.70, firm, tentative) == (
        "between the 0.667 Krippendorff accepts for tentative conclusions and the 0.80 he recommends for firm ones")
    assert words.alpha_reading(0.60, firm, tentative).startswith("below the 0.667 Krippendorff sets as the minimum")
    assert words.alpha_reading(float("nan"), firm, tentative) == "which cannot be computed for this sample"
    # Stricter settings turn the same alpha from firm to tentative.
    assert words.alpha_reading(0.85, 0.9, 0.7) == (
        "between the 0.70 Krippendorff accepts for tentative conclusions and the 0.90 he recommends for firm ones")


def test_the_tally_counts_the_coder_named_in_the_settings(tmp_path):
    from lehc_report.stats.tally import theme_tally

    data = load_qualitative(write_fixture(tmp_path))
    tally = theme_tally(data, coder="B").set_index(["id", "subgroup"])["count"]
    # Coder B (by hand from qual_fixture): values S02, I01; person_centred S03; coproduction S03, I01.
    assert tally[("philosophy", "all")] == 3 and tally[("practice", "all")] == 2
    assert tally[("philosophy.values", "all")] == 2 and tally[("philosophy.values", "interview")] == 1
    assert tally[("practice.confidence", "all")] == 0


def test_tally_caption_names_the_analysis_coder(settings):
    from lehc_report.render.qual_tables import tally_caption

    sizes = {"overall": {"all": 19}, "source": {"survey": 9, "interview": 10}, "group": {"professional": 19, "uses_services": 0}}
    caption = tally_caption(sizes, {}, settings, coder="B")
    assert caption.startswith("Respondents raising each theme, by source and group (respondents, not segments; coder B). ")
    assert caption.endswith("could be worked out. Source: notebook 03_qual.")


def test_the_2013_codebook_is_recognised_by_its_identity_and_ids(tmp_path):
    from lehc_report.inputs.codebook import load_codebook

    shipped = load_codebook(ROOT / "data" / "codebook.yml")
    assert shipped.identity == "lehc-2013" and codebook_2013.is_codebook_2013(shipped)
    assert not codebook_2013.is_codebook_2013(load_qualitative(write_fixture(tmp_path)).codebook)
    # Another codebook that reuses every 2013 ID but declares its own identity is not the 2013 one;
    # one that declares none (e.g. imported from a .qdpx) is judged by its IDs.
    text = (ROOT / "data" / "codebook.yml").read_text(encoding="utf-8")
    (tmp_path / "other.yml").write_text(text.replace("identity: lehc-2013", "identity: north-2027"), encoding="utf-8")
    assert not codebook_2013.is_codebook_2013(load_codebook(tmp_path / "other.yml"))
    (tmp_path / "none.yml").write_text(text.replace("identity: lehc-2013\n", ""), encoding="utf-8")
    assert load_codebook(tmp_path / "none.yml").identity == ""
    assert codebook_2013.is_codebook_2013(load_codebook(tmp_path / "none.yml"))


def test_every_quotation_slot_is_filled():
    import pandas as pd

    quotes = pd.DataFrame({"quote_id": ["mix-1"], "text": ["“It was real.”"], "attribution": ["provider"]})
    glue = words.quote_glue(quotes, ["mix", "networks"], 2)
    assert glue == {"quote_mix_1": "“It was real.” (provider)", "quote_mix_2": words.NO_QUOTE,
                    "quote_networks_1": words.NO_QUOTE, "quote_networks_2": words.NO_QUOTE}
    assert all(words.QUAL_GLUE.declares(k) for k in glue)


def test_glue_spec_refuses_an_undeclared_key_and_fills_the_defaults():
    with pytest.raises(KeyError, match="03_qual: glue keys not declared in its GlueSpec: n_survey_female"):
        words.QUAL_GLUE.complete({"qual_status": "x", "min_group_size": "5", "n_survey_female": "1"})
    complete = words.QUAL_GLUE.complete({"qual_status": "x", "min_group_size": "5"})
    assert complete["n_all"] == "0" and "not available" not in " ".join(complete.values())


def test_uncoded_and_absent_data_share_one_withheld_path(tmp_path):
    from lehc_report.paths import ProjectPaths
    from lehc_report.stages.qual import analyse_qualitative

    directory = write_fixture(tmp_path / "data")
    for name in ("codings.csv", "double_coded.csv"):
        (directory / name).unlink()
    (directory / "respondents.csv").unlink()  # no register: no qualitative data at all
    paths = ProjectPaths(root=ROOT, data=directory, build=tmp_path / "build")
    result = analyse_qualitative(paths)
    assert result.glue == {"min_group_size": "5", "qual_status": words.NO_QUALITATIVE.status}
    assert paths.content_flags.read_text(encoding="utf-8") == ('{"codebook_2013": false, "codebook_own": false, '
                                                                  '"coded": false, "qualitative": false}\n')
    tally = (paths.tables / "theme_tally.md").read_text(encoding="utf-8")
    assert ":name: tbl-theme-tally" in tally and "| none in this cohort |" in tally
    assert (paths.figures / "figure_code_cooccurrence.png").exists()


def test_uncoded_texts_take_the_withheld_path(tmp_path):
    from lehc_report.paths import ProjectPaths
    from lehc_report.stages.qual import analyse_qualitative

    directory = write_fixture(tmp_path / "data")
    for name in ("codings.csv", "double_coded.csv"):
        (directory / name).unlink()
    register = directory / "respondents.csv"  # nobody quoted, so the fixture's one-person role labels are allowed
    register.write_text(register.read_text(encoding="utf-8").replace(",yes,", ",no,"), encoding="utf-8")
    paths = ProjectPaths(root=ROOT, data=directory, build=tmp_path / "build")
    glue = words.QUAL_GLUE.complete(analyse_qualitative(paths).glue)
    assert glue["qual_status"] == words.NOT_CODED.status
    assert glue["coders_sentence"].startswith("No segment has been coded yet")
    assert glue["quote_philosophy_1"] == glue["quote_practice_3"] == words.NO_QUOTE_UNCODED
    assert glue["n_all"] == "5" and glue["n_themes"] == "2" and glue["n_codes"] == "4"
    assert glue["consent_sentence"] == "No respondent agreed to be quoted, so the report quotes no one."
    # Not the 2013 codebook: its findings keep their declared defaults.
    assert glue["concrete_changes_sentence"] == words.QUAL_GLUE.keys["concrete_changes_sentence"]
    assert paths.content_flags.read_text(encoding="utf-8") == ('{"codebook_2013": false, "codebook_own": false, '
                                                                  '"coded": false, "qualitative": true}\n')
    agreement = (paths.tables / "intercoder_agreement.md").read_text(encoding="utf-8")
    assert "Agreement between two coders: not measured, as nothing has been coded." in agreement


def test_profiles_say_shared_changes_once_and_each_profile_what_is_its_own():
    """The three shipped profiles were coded with the same three changes: said once above
    them, not three times; each profile lists only the codes that set it apart."""
    from lehc_report.render.qual_tables import profiles_markdown

    data = load_qualitative(ROOT / "data")
    kwargs = dict(change_themes=codebook_2013.CHANGE_THEMES, quote_code=codebook_2013.PROFILE_QUOTE_CODE)
    text = profiles_markdown(data, ["I02", "I05", "I09"], **kwargs)
    assert text.startswith("All three profiled respondents were coded with the same changes: confidence and authority, "
                           "concrete changes already made and peers, seniors or own networks informed.\n\n### Profile 1")
    assert "What changed" not in text
    assert ("- **Also raised, as coded:** organisation and administration, reality check from people who use services, "
            "want more co-production in design and delivery, run it again.") in text
    assert "philosophy endorsed" not in text  # raised by all three: not a difference
    single = profiles_markdown(data, ["I09"], **kwargs)
    assert ("- **What changed, as coded:** confidence and authority, concrete changes already made, peers, seniors or "
            "own networks informed.") in single and "All three" not in single
