"""Prose an editor would pass: the checker's rules, the one wording of counts, and every built chapter.

The rules are tested on sentences that must fail and sentences that must pass; then
every chapter of the build under test (``make test``: the shipped cohort; ``make test
DATA=tests/cohorts/cohort_b BUILD=...``: cohort B) is checked, and a slow test builds
cohort B in a copy of the project and checks its chapters too.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from conftest import HTML
from lehc_report.prose import quant as pq
from lehc_report.prose import qual as pl
from lehc_report.prose import robust as pr
from lehc_report.prose import style
from lehc_report.prose.words import cardinal_words, count_noun, count_phrase, sentence_start


def rules_broken(text: str) -> set[str]:
    """The rules a paragraph breaks, checked as a page would be."""
    return {problem.rule for problem in style.check_page(f"<html><body><article><p>{text}</p></article></body></html>")}


@pytest.mark.parametrize("text, rule", [
    ("The mean rating rose for 38 of the 38 behaviours.", "same count"),
    ("It finds a change in 4 of 4 areas.", "same count"),
    ("All areas rose: four of the four areas passed.", "same count"),
    ("9 did so at the start and 9 at the end.", "sentence opens with a digit"),
    ("The waves were linked. 31 of 32 cells match.", "sentence opens with a digit"),
    ("Where are the findings?. Nobody knows.", "doubled punctuation"),
    ("What are the findings?: a list.", "doubled punctuation"),
    ("It ended here.. Then more.", "doubled punctuation"),
    ("Some words,. and more.", "doubled punctuation"),
    ("most found it hard to do so directly ...: 16 respondents made one.", "doubled punctuation"),
    ("computed from **synthetic, anonymised data** here.", "literal Markdown"),
    ("computed from *synthetic* data here.", "literal Markdown"),
    ("computed from _synthetic_ data here.", "literal Markdown"),
    ("The mean is nan for this area.", "nan"),
    ("The mean is NaN for this area.", "nan"),
    ("The kappa is None.", "bare None"),
    ("The kappa (None) is shown.", "bare None"),
    ("The follow-up is not available for this cohort.", "not available"),
    ("The nine form it (0 took part at one wave only).", "zero in parentheses"),
    ("It finds a change (p ≤ .004; method: exact, exact permutation).", "repeated word"),
])
def test_each_rule_catches_its_pattern(text, rule):
    assert rule in rules_broken(text)


@pytest.mark.parametrize("text", [
    "The mean rating rose for all 38 behaviours; 15 rises passed a paired t-test at p < .05.",
    "Seven of the 19 respondents commented, and 18 of 19 in the survey.",
    "Nine participants did so at the start and nine at the end.",
    "The test gave p < .001 (t(8) = -7.799), and d_z = 2.60 for Strategic Intent.",
    "None of the four areas changed. None was expected to.",
    "The Flexibility and Openness end mean is exactly 7.625, printed as 7.63.",
    "Alpha ranges from 0.52 to 0.89 (the lowest limit is -0.18).",
    "A comment left off mid-thought ... and then picked up again.",
])
def test_ordinary_prose_passes(text):
    assert rules_broken(text) == set()


@pytest.mark.parametrize("text, page, found", [
    ("Rebuild everything with make book.", "book/index.html", ["make book"]),
    ("The safeguards are set in privacy.yml and data/codebook.yml.", "book/methodology.html", ["privacy.yml", "codebook.yml"]),
    ("A third wave works (the pipeline accepts it).", "book/recommendations.html", ["the pipeline"]),
    ("Rounded as Python's round would not.", "book/appendix_results.html", ["Python"]),
    # The data chapter is where the files and commands are described on purpose.
    ("The files are self_assessment_start.csv and data/codebook.yml; make book rebuilds.", "book/data.html", []),
    ("Source: notebook 01_clean, from the cohort's leadership framework.", "book/appendix_framework.html", []),
])
def test_software_talk_only_in_the_data_chapter(text, page, found):
    problems = style.check_page(f"<html><body><article><p>{text}</p></article></body></html>", page)
    assert [p.rule for p in problems] == ["software talk"] * len(found)
    assert all(word in p.excerpt for p, word in zip(problems, found))


def test_quotations_tables_and_headings():
    quoted = ("<article><blockquote><p>38 of the 38.. we loved it?.</p></blockquote>"
              "<table><tr><td>19 of 19</td><td>nan</td></tr></table></article>")
    problems = style.check_page(quoted, "book/x.html")
    # Respondents' words are quoted as written; a table's "19 of 19" column is consistent, but "nan" is not.
    assert [(p.rule, p.page) for p in problems] == [("nan", "book/x.html")]
    empty = ("<article><section><h1>Impact</h1><p>Intro text.</p>"
             "<section><h2>After the course</h2><p>This cohort has no follow-up, so no comparison is possible.</p></section>"
             "<section><h2>What changed</h2><p>Ratings rose.</p></section></section></article>")
    assert [str(p) for p in style.check_page(empty, "p")] == [
        "p: empty heading: ...After the course: This cohort has no follow-up, so no comparison is possible...."]


def test_inline_elements_join_as_the_reader_sees_them():
    linked = '<article><p>The limits set out in <a href="r.html">How robust are these findings?</a>.</p></article>'
    assert [p.rule for p in style.check_page(linked)] == ["doubled punctuation"]
    assert style.check_page("<article><p>Rose in <em>all</em> areas, <a href='x'>Table 4.2</a>.</p></article>") == []


def test_sentences_split_at_stops_not_at_abbreviations_or_decimals():
    assert style.sentences("It rose (p < .001). Then, e.g. 5 fell. Mean 7.63 here! Next? Yes.") == [
        "It rose (p < .001).", "Then, e.g. 5 fell.", "Mean 7.63 here!", "Next?", "Yes."]


def test_check_build_needs_a_build(tmp_path):
    with pytest.raises(FileNotFoundError, match="no page book/\\*.html in"):
        style.check_build(tmp_path)


# ---------------------------------------------------------------- one wording of counts


@pytest.mark.parametrize("n, words", [(0, "zero"), (7, "seven"), (13, "thirteen"), (20, "twenty"), (26, "twenty-six"),
                                      (99, "ninety-nine"), (100, "one hundred"), (105, "one hundred and five"),
                                      (342, "three hundred and forty-two"), (1000, "1000")])
def test_cardinal_words(n, words):
    assert cardinal_words(n) == words


@pytest.mark.parametrize("k, n, text", [
    (38, 38, "all 38 behaviours"), (4, 4, "all four behaviours"), (2, 2, "both behaviours"),
    (1, 1, "the one behaviour"), (0, 4, "none of the four behaviours"), (0, 19, "none of the 19 behaviours"),
    (3, 4, "three of the four behaviours"), (7, 19, "7 of the 19 behaviours"), (0, 0, "no behaviours"),
])
def test_count_phrase_never_writes_n_of_the_n(k, n, text):
    assert count_phrase(k, n, "behaviours") == text


def test_sentence_start_never_opens_with_a_digit():
    assert sentence_start("16 respondents made such a comparison.") == "Sixteen respondents made such a comparison."
    assert sentence_start("27% of end ratings are 9 or 10.") == "Twenty-seven per cent of end ratings are 9 or 10."
    assert sentence_start("2013 was the year.") == "In all, 2013 was the year."
    assert sentence_start("0.63 is low.") == "In all, 0.63 is low."
    assert sentence_start("all four areas rose.") == "All four areas rose."
    assert count_noun(1, "respondents") == "one respondent" and count_noun(0, "respondents") == "no respondents"


def test_participation_sentences():
    assert pq.participation_text(9, 9) == "Nine participants did so at the start and nine at the end."
    assert pq.participation_text(14, 12) == "Fourteen participants did so at the start and twelve at the end."
    assert pq.paired_sample_text(9, 0) == "The nine who completed both form the paired comparison."
    assert pq.paired_sample_text(12, 2) == (
        "The twelve who completed both form the paired comparison (two took part at one wave only and are left out of it).")
    assert pq.paired_sample_text(12, 1).endswith("(one took part at one wave only and was left out of it).")


def test_appendix3_caption_explains_000_only_where_shown():
    shown = pq.appendix3_caption(pd.Series([0.00004, 0.003]))
    assert "The p values are shown to three decimals, as published: .000 means p < .0005." in shown
    assert ".000" not in pq.appendix3_caption(pd.Series([0.0007, 0.003, math.nan]))


def test_reproduction_sentences_in_words():
    glue = {"n_cells": "32", "n_cells_matched": "31", "mismatch_list": "Driving Transformation t"}
    out = pq.reproduction_sentences(glue, True)
    assert out["comparison_sentence"] == "Thirty-one of the 32 cells match."
    assert out["reproduction_summary"].startswith("The 2013 statistics are reproduced: 31 of the 32 published cells of")
    # One exception, set off by commas: its own "(published ..., reproduced ...)" is not nested in parentheses.
    glue["mismatch_list"] = "Driving Transformation t (published -6.256, reproduced -6.267)"
    assert pq.reproduction_sentences(glue, True)["reproduction_summary"].endswith(
        "; the exception, Driving Transformation t (published -6.256, reproduced -6.267), is a value no whole-number "
        "ratings can produce.")
    glue.update(n_cells_matched="30")
    assert pq.reproduction_sentences(glue, True)["reproduction_summary"].endswith(
        "; the exceptions, Driving Transformation t (published -6.256, reproduced -6.267), are values no "
        "whole-number ratings can produce.")
    glue.update(n_cells_matched="32")
    assert pq.reproduction_sentences(glue, True)["comparison_sentence"] == "All 32 cells match."


# ---------------------------------------------------------------- the robustness chapter's wording


def test_wilcoxon_method_named_once():
    methods = pd.Series(["exact", "exact permutation", "exact permutation", "exact permutation"])
    assert pr.wilcoxon_sentence(pd.Series([0.0039] * 4), methods, 0.05) == (
        "It finds a change in all four areas (p ≤ .004, all exact).")
    mixed = pd.Series(["exact", "normal approximation", "normal approximation"])
    assert pr.wilcoxon_method_phrase(mixed) == "exact in one area and from the normal approximation in two"


def test_alpha_sentence_names_every_area_below_the_threshold():
    reliability = pd.DataFrame({
        "unit": ["SI", "FO", "SI", "FO"], "wave": ["start", "start", "end", "end"], "n_participants": 9,
        "alpha": [0.72, 0.85, 0.63, 0.52], "ci_low": [0.31, 0.63, 0.08, -0.18], "ci_high": [0.93, 0.96, 0.90, 0.87]})
    text = pr.alpha_sentence(reliability, 5, 0.7, {"SI": "Strategic Intent", "FO": "Flexibility and Openness"})
    assert ("and alpha is below 0.7, the level often taken as acceptable, for Strategic Intent at the end (0.63) and "
            "Flexibility and Openness at the end (0.52), so those area scores should be read with caution.") in text


def test_oldham_correlations_are_read():
    rtm = pd.DataFrame({"r_start_change": [-0.57, -0.22], "r_mean_change": [-0.18, 0.21]})
    assert pr.rtm_sentence(rtm).endswith(
        "Oldham's correction, which correlates the change with the average of start and end, gives -0.18 to 0.21, "
        "all weak, so once that artefact is removed, how low a participant started says little about how much they gained.")


def test_attrition_and_ceiling_never_open_with_a_digit():
    assert pr.attrition_sentence(26, 9).startswith(
        "Twenty-six people attended the course, but only nine completed both self-assessments, so 17 (65%) are missing")
    assert pr.ceiling_sentence(0.27, "9 or 10", "1–10").startswith("Twenty-seven per cent of end ratings are 9 or 10")


# ---------------------------------------------------------------- weak coding agreement flagged


def test_agreement_caveat_follows_the_threshold():
    assert pl.agreement_caveat(0.0, 0.4) == " (coding agreement for this code was weak, kappa = 0.00)"
    assert pl.agreement_caveat(0.395, 0.4) == " (coding agreement for this code was weak, kappa = 0.40)"
    assert pl.agreement_caveat(0.4, 0.4) == ""
    assert pl.agreement_caveat(math.nan, 0.4) == " (coding agreement for this code could not be measured: kappa is undefined)"


def test_weak_agreement_glue_flags_every_count_of_the_code():
    glue = {"t_impact_team": "4", "np_impact_team": "4 respondents", "ph_impact_team": "4 of the 19 respondents",
            "t_impact_team_opening": "Four", "t_impact_ok": "5", "np_impact_ok": "5 respondents"}
    agreement = pd.DataFrame({"code_id": ["impact.team", "impact.ok"], "cohen_kappa": [math.nan, 0.8]})
    out = pl.weak_agreement_glue(glue, agreement, 0.4)
    caveat = " (coding agreement for this code could not be measured: kappa is undefined)"
    assert out == {"t_impact_team": "4" + caveat, "np_impact_team": "4 respondents" + caveat,
                   "ph_impact_team": "4 of the 19 respondents" + caveat, "t_impact_team_opening": "Four" + caveat}


# ---------------------------------------------------------------- every built chapter


def built_chapters():
    return sorted(p.relative_to(HTML).as_posix() for p in (HTML / "book").glob("*.html")) if (HTML / "book").is_dir() else []


@pytest.mark.parametrize("page", built_chapters() or ["(not built)"])
def test_built_chapter_reads_as_edited_prose(built_html, page):
    if page == "(not built)":
        pytest.fail("the report has not been built: run `make book` first")
    problems = style.check_page((built_html / page).read_text(encoding="utf-8"), page)
    assert not problems, "\n".join(map(str, problems))


@pytest.mark.slow
def test_cohort_b_chapters_read_as_edited_prose(tmp_path_factory):
    from test_staleness import make_book, project_copy

    repo = project_copy(tmp_path_factory.mktemp("prose") / "repo")
    make_book(repo, "DATA=tests/cohorts/cohort_b")
    problems = style.check_build(repo / "_build" / "html")
    assert not problems, "\n".join(map(str, problems))


def test_count_glue_has_sentence_opening_forms():
    from conftest import ROOT
    from lehc_report import privacy

    settings = privacy.load_settings(ROOT)
    sizes = {"overall": {"all": 19}, "source": {"survey": 9, "interview": 10},
             "group": {"professional": 17, "uses_services": 2}}
    counts = {"all": 19, "survey": 9, "interview": 10, "professional": 17, "uses_services": 2}
    by_item = {"mix.valued": {"all": 18, "survey": 9, "interview": 9, "professional": 16, "uses_services": 2}}
    glue = pl.theme_count_glue(by_item, counts, sizes, privacy.suppression_plan(sizes, settings),
                               {"all", "survey", "interview"}, {"survey", "interview"}, settings)
    assert (glue["t_mix_valued_opening"], glue["np_mix_valued_opening"], glue["ph_mix_valued_opening"]) == (
        "Eighteen", "Eighteen respondents", "Eighteen of the 19 respondents")
    assert glue["ph_mix_valued_survey"] == "all nine survey respondents"
    assert glue["ph_mix_valued_interview"] == "nine of the ten interviewees"
