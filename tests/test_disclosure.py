"""One disclosure rule for every count of a group (lehc_report.disclosure): the rule with
hand-worked values, the sentences and tables that pass through it, the 2013 exception
keyed by content hash, and the built reports (shipped cohort; a 4-person cohort)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest

from lehc_report import privacy
from lehc_report.disclosure import (
    SHIPPED_DATA_SHA256,
    disclosed_crossing,
    disclosed_group_counts,
    published_2013_counts,
    shipped_data_digests,
)
from lehc_report.prose import qual as words
from lehc_report.prose.quant import sample_description

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def settings():
    settings = privacy.load_settings(ROOT)
    assert settings.min_group_size == 5  # the hand-worked values below assume it
    return settings


# ---- the rule ------------------------------------------------------------------------------


def test_primary_both_genders_of_a_four_person_cohort_are_withheld(settings):
    """3 women and 1 man: the total (4, the cohort's size) is below 5, so nothing of the split is given."""
    shown = disclosed_group_counts(4, {"gender": {"female": 3, "male": 1}}, settings)
    assert shown.total == 4
    assert shown.counts == {"gender": {"female": None, "male": None}}
    assert shown.reasons == {("gender", "female"): "primary", ("gender", "male"): "primary"}


def test_complement_of_a_small_group_is_withheld(settings):
    """7 women and 2 men of 9: 2 is primary, and 7 = 9 - 2 would give it back (secondary)."""
    shown = disclosed_group_counts(9, {"gender": {"female": 7, "male": 2}}, settings)
    assert shown.counts["gender"] == {"female": None, "male": None}
    assert shown.reasons == {("gender", "male"): "primary", ("gender", "female"): "secondary"}
    assert shown.withheld("gender") and shown.shown("gender") == {}


def test_total_protected_by_withholding_enough_groups(settings):
    """10 women, 2 men, 6 others of 18: men primary, then the next-smallest group (6)
    secondary, so that 18 - 10 = 8 only gives the sum of the two withheld."""
    shown = disclosed_group_counts(18, {"gender": {"female": 10, "male": 2, "other": 6}}, settings)
    assert shown.counts["gender"] == {"female": 10, "male": None, "other": None}
    assert shown.reasons == {("gender", "male"): "primary", ("gender", "other"): "secondary"}
    assert shown.shown("gender") == {"female": 10}


def test_groups_at_the_threshold_and_empty_groups_are_given(settings):
    shown = disclosed_group_counts(12, {"gender": {"female": 7, "male": 5, "other": 0}}, settings)
    assert shown.counts["gender"] == {"female": 7, "male": 5, "other": 0} and not shown.withheld("gender")
    assert shown.shown("gender") == {"female": 7, "male": 5}


def test_a_breakdown_must_add_up_to_its_total(settings):
    with pytest.raises(ValueError, match="breakdown 'gender' adds up to 8 people, not the total 9"):
        disclosed_group_counts(9, {"gender": {"female": 6, "male": 2}}, settings)


@pytest.mark.parametrize(
    "raised, sizes, withheld, expected",
    [
        # 1 of 6 people who use services raised it: primary; 16 of 17 = 17 - 1 gives it back.
        ({"professional": 16, "uses_services": 1}, {"professional": 17, "uses_services": 6}, set(),
         {"professional": None, "uses_services": None}),
        # 5 of 6 raised it, so 1 did not (the complement): withheld.
        ({"professional": 10, "uses_services": 5}, {"professional": 12, "uses_services": 6}, set(),
         {"professional": None, "uses_services": None}),
        # 5 of 12 and 0 of 6: nobody's count is small either way.
        ({"professional": 5, "uses_services": 0}, {"professional": 12, "uses_services": 6}, set(),
         {"professional": 5, "uses_services": 0}),
        # The group itself is withheld: so is every cell of the breakdown.
        ({"professional": 12, "uses_services": 2}, {"professional": 17, "uses_services": 2}, {"uses_services"},
         {"professional": None, "uses_services": None}),
    ],
)
def test_crossing_with_an_outcome(settings, raised, sizes, withheld, expected):
    assert disclosed_crossing(raised, sizes, settings, withheld) == expected


def test_published_tally_blanks_a_small_crossing_and_its_complement(settings):
    """Groups of 12 and 6 are shown; for a theme raised by 1 of the 6 both group cells go."""
    rows = [("overall", "all", 13, 18), ("group", "professional", 12, 12), ("group", "uses_services", 1, 6),
            ("overall", "all", 12, 18), ("group", "professional", 7, 12), ("group", "uses_services", 5, 6)]
    tally = pd.DataFrame([dict(id=f"t{i // 3}", breakdown=b, subgroup=g, count=c, n=n, share=c / n)
                          for i, (b, g, c, n) in enumerate(rows)])
    sizes = {"overall": {"all": 18}, "group": {"professional": 12, "uses_services": 6}}
    safe = privacy.suppress_small_cells(tally, settings, plan=privacy.suppression_plan(sizes, settings))
    assert safe["count"].isna().tolist() == [False, True, True, False, True, True]
    assert safe["n"].tolist() == [18, 12, 6, 18, 12, 6]  # the groups' sizes (>= 5) stay
    assert safe["suppressed"].iloc[2] == ("fewer than 5 of the group raised it or did not, "
                                          "or another group's count for it is withheld")


def test_published_tally_blanks_a_withheld_groups_size(settings):
    rows = [("overall", "all", 18, 19), ("group", "professional", 16, 17), ("group", "uses_services", 2, 2)]
    tally = pd.DataFrame([dict(id="t", breakdown=b, subgroup=g, count=c, n=n, share=c / n) for b, g, c, n in rows])
    sizes = {"overall": {"all": 19}, "group": {"professional": 17, "uses_services": 2}}
    safe = privacy.suppress_small_cells(tally, settings, plan=privacy.suppression_plan(sizes, settings))
    assert safe["n"].tolist() == [19, pd.NA, pd.NA] and safe["count"].tolist() == [18, pd.NA, pd.NA]


# ---- the sentences and the table's caption ----------------------------------------------------


def register(women: int, men: int, other: int = 0) -> tuple[pd.DataFrame, list[str]]:
    genders = ["female"] * women + ["male"] * men + [""] * other
    ids = [f"P{i:02d}" for i in range(1, len(genders) + 1)]
    return pd.DataFrame({"participant_id": ids, "gender": genders}), ids


def test_sample_description(settings):
    assert sample_description(*register(3, 1), settings) == (
        "Of the 4 participants, the numbers of each gender are not given: a group of fewer than 5 people could point "
        "at a person.")
    assert sample_description(*register(7, 2), settings) == (
        "Of the 9 participants, the numbers of each gender are not given: a group of fewer than 5 people could point "
        "at a person.")
    assert sample_description(*register(7, 5), settings) == "Of the 12 participants, 7 are women and 5 are men."
    assert sample_description(*register(10, 2, 4), settings) == (
        "Of the 16 participants, 10 are women; the genders of the other 6 are not given separately: a group of fewer "
        "than 5 people could point at a person.")


def test_the_2013_counts_are_quoted_as_that_reports_facts(settings):
    text = sample_description(*register(7, 2), settings, published_2013_counts(ROOT / "data"))
    assert text == ("Of the 9 participants, 7 were women and 2 men, as the 2013 report published: that report's own "
                    "counts, quoted as its facts, which this rebuild's register reproduces.")


def test_survey_and_interview_sentences(settings):
    counts = {"survey": 9, "interview": 10}
    facts = {"n_survey_female": "6", "n_survey_male": "3", "n_interview_professional": "8",
             "n_interview_uses_services": "2", "n_interview_female": "5", "n_interview_male": "5"}
    assert words.survey_sentence(counts, facts, ("survey", "interview"), 0, settings) == (
        "Nine participants returned it; their numbers by gender are not given: a group of fewer than 5 people could point "
        "at a person (see Privacy in the methodology).")
    interview = words.interview_sentence(counts, facts, ("survey", "interview"), settings)
    assert interview.endswith(": people who commission or deliver services and people who use services, whose numbers "
                              "are not given: a group of fewer than 5 people could point at a person (see Privacy in "
                              "the methodology). They were 5 women and 5 men.")
    assert not re.search(r"\b[1-4] (who|wom|men|man)", interview)
    big = {"n_interview_professional": "7", "n_interview_uses_services": "5", "n_interview_female": "6",
           "n_interview_male": "6"}
    assert words.interview_sentence({"interview": 12}, big, ("interview",), settings).endswith(
        ": 7 who commission or deliver services and 5 who use services (6 women and 6 men in all).")


def test_tally_caption_does_not_give_a_withheld_groups_size(settings):
    from lehc_report.render.qual_tables import tally_caption

    sizes = {"overall": {"all": 19}, "source": {"survey": 9, "interview": 10}, "group": {"professional": 17, "uses_services": 2}}
    caption = tally_caption(sizes, privacy.suppression_plan(sizes, settings), settings, coder="A")
    assert "Not shown separately: people who use services, fewer than 5 people; and professionals, whose count" in caption
    assert "(n = 2)" not in caption and "(n = 17)" not in caption


# ---- the exception is keyed by content, never by a setting --------------------------------------


def test_exception_is_keyed_to_the_shipped_files(tmp_path):
    assert shipped_data_digests(ROOT / "data") == SHIPPED_DATA_SHA256
    assert published_2013_counts(ROOT / "data") is not None
    copy = shutil.copytree(ROOT / "data", tmp_path / "data")
    assert published_2013_counts(copy) is not None  # the same bytes elsewhere are still the 2013 cohort
    with (copy / "participants.csv").open("a", encoding="utf-8") as handle:
        handle.write("P99,female\n")  # one more person: no longer the 2013 cohort
    assert published_2013_counts(copy) is None
    other = shutil.copytree(ROOT / "tests" / "cohorts" / "cohort_b", tmp_path / "b")
    shutil.copy(ROOT / "data" / "cohort.yml", other / "cohort.yml")  # every flag of the shipped cohort.yml
    assert published_2013_counts(other) is None


# ---- the built reports ------------------------------------------------------------------------

_NUMBER = r"(\d+|one|two|three|four)"
_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4}
#: Statements of a count of people in a group: "2 are men", "1 woman", "2 who use
#: services", "people who use services (n = 2)", "2 people who use services".
GROUP_COUNT = [
    re.compile(rf"\b{_NUMBER} (?:are |is |were )?(?:a )?(?:women|woman|men|man)\b", re.I),
    re.compile(rf"\b{_NUMBER} who (?:commissions?|delivers?|uses?) ", re.I),
    re.compile(rf"\b{_NUMBER} (?:people who use services|persons? who uses? services|professionals?)\b", re.I),
    re.compile(r"(?:women|men|professionals|people who use services) \(n = (\d+)\)", re.I),
]
#: The marked 2013 published counts.
PUBLISHED_MARK = "the 2013 report published"


def small_group_counts(text: str, k: int) -> list[str]:
    """Statements of a count of people in a group below ``k``, outside the marked 2013 counts."""
    found = []
    for sentence in re.split(r"(?<=[.!?])\s+", text):
        if PUBLISHED_MARK in sentence.lower():
            continue
        for pattern in GROUP_COUNT:
            for match in pattern.finditer(sentence):
                value = match.group(1).lower()
                if int(_WORDS.get(value, value)) < k:
                    found.append(sentence.strip()[:200])
    return found


def test_the_scanner_finds_what_the_old_report_said(settings):
    old = ("Of the 9 participants, 7 are women and 2 are men. 9 participants returned it (6 women and 3 men). "
           "10 participants took part: 8 who commission or deliver services and 2 who use services (5 women and 5 "
           "men in all). Not shown separately: people who use services (n = 2), fewer than 5 people.")
    assert len(small_group_counts(old, settings.min_group_size)) == 4
    assert small_group_counts("Of the 9 participants, 7 were women and 2 men, as the 2013 report published.", 5) == []
    assert small_group_counts("Of the 9 participants, 7 were women and 2 men, as the report published.", 5) != []


def built_texts(build: Path) -> dict[str, str]:
    """The visible text of every page, and every results and tidy CSV and table snippet, of a build."""
    from conftest import visible_text

    texts = {str(p.relative_to(build)): visible_text(p.read_text(encoding="utf-8"))
             for p in (build / "html").rglob("*.html")}
    for folder, pattern in (("results", "*.csv"), ("generated/tables", "*.md")):
        for p in (build / folder).glob(pattern):
            texts[str(p.relative_to(build))] = p.read_text(encoding="utf-8")
    return texts


def assert_no_small_group_count(build: Path, k: int) -> None:
    found = {name: hits for name, text in built_texts(build).items() if (hits := small_group_counts(text, k))}
    assert not found, found
    # No profile sets a person's scores beside a role label.
    assert "change in area score from start to end" not in (build / "generated" / "tables" / "profiles.md").read_text(
        encoding="utf-8")


@pytest.mark.build
def test_shipped_report_states_no_small_group_count(built_html, settings, page_text):
    build = built_html.parent
    assert_no_small_group_count(build, settings.min_group_size)
    methodology = page_text("book/methodology.html")
    assert ("Of the 9 participants, 7 were women and 2 men, as the 2013 report published: that report's own counts, "
            "quoted as its facts, which this rebuild's register reproduces.") in methodology
    # Who attended is said once, in the programme chapter (from cohort.yml), never again in the methodology.
    assert "attended the course" not in methodology and "24 were health and social care" not in methodology
    tally = pd.read_csv(build / "results" / "theme_tally.csv", keep_default_na=False)
    assert set(tally.loc[tally["breakdown"] == "group", "n"]) == {""}


def four_person_cohort(folder: Path) -> Path:
    """The shipped self-assessments of P01, P02, P03 and P04 (3 women and 1 man), no qualitative data."""
    folder.mkdir()
    for name in ("self_assessment_start.csv", "self_assessment_end.csv", "participants.csv"):
        table = pd.read_csv(ROOT / "data" / name, dtype=str)
        table[table["participant_id"].isin(["P01", "P02", "P03", "P04"])].to_csv(folder / name, index=False)
    (folder / "cohort.yml").write_text("programme: A four-person course\nsynthetic: true\n", encoding="utf-8")
    return folder


@pytest.mark.slow
def test_four_person_report_states_no_small_group_count(tmp_path, settings):
    data = four_person_cohort(tmp_path / "four")
    build = tmp_path / "four-build"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LEHC_", "MAKE"))}
    done = subprocess.run(["make", "book", f"DATA={data}", f"BUILD={build}", f"VENV={ROOT / '.venv'}"], cwd=ROOT,
                          env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    participants = pd.read_csv(data / "participants.csv")
    assert participants["gender"].tolist() == ["female", "female", "male", "female"]
    assert_no_small_group_count(build, settings.min_group_size)
    from conftest import visible_text

    methodology = visible_text((build / "html" / "book" / "methodology.html").read_text(encoding="utf-8"))
    assert "Of the 4 participants, the numbers of each gender are not given" in methodology


def test_a_five_respondent_qualitative_strand_states_no_small_group_count(tmp_path, settings):
    """The hand-made fixture (3 survey returns, 2 interviews; 3 professionals, 2 who use
    services), coded: no sentence, table snippet or results CSV gives a group's count."""
    from qual_fixture import write_fixture

    from lehc_report.paths import ProjectPaths
    from lehc_report.stages.qual import analyse_qualitative

    directory = write_fixture(tmp_path / "data")
    register = directory / "respondents.csv"  # nobody quoted, so the fixture's one-person role labels are allowed
    register.write_text(register.read_text(encoding="utf-8").replace(",yes,", ",no,"), encoding="utf-8")
    paths = ProjectPaths(root=ROOT, data=directory, build=tmp_path / "build")
    glue = words.QUAL_GLUE.complete(analyse_qualitative(paths).glue)
    texts = {f"glue {k}": v for k, v in glue.items()}
    texts.update({p.name: p.read_text(encoding="utf-8") for p in [*paths.tables.glob("*.md"), *paths.results.glob("*.csv")]})
    found = {name: hits for name, text in texts.items() if (hits := small_group_counts(text, settings.min_group_size))}
    assert not found, found
    assert glue["survey_sentence"].startswith("Three participants returned it; their numbers by gender are not given")
    assert "whose numbers are not given" in glue["interview_sentence"]
    tally = pd.read_csv(paths.results / "theme_tally.csv", keep_default_na=False)
    assert set(tally.loc[tally["breakdown"] != "overall", "n"]) == {""}  # every source and group is below 5
    assert set(tally.loc[tally["breakdown"] == "overall", "n"]) == {"5"}  # the cohort's size is not a group
