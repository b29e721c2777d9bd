"""Findings for any codebook (issue 15, items 2 and 3): the 2013 sentences only for the 2013
codebook, findings written from the data for any other, every typed claim checked against
its count, and a build check that fails on "not available", false zeros and 2013 sentences.

The chapters are rendered here as the book build renders them (conditions, then claims,
then glue), without Sphinx: :func:`chapter_text`.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from own_codebook_cohort import write_cohort

from lehc_report.book import claims
from lehc_report.book.report_check import report_problems
from lehc_report.book.sphinxext import resolve_conditions
from lehc_report.paths import ProjectPaths
from lehc_report.prose import qual as words
from lehc_report.prose.qual import QUAL_GLUE
from lehc_report.published import codebook_2013
from lehc_report.stages.qual import CLAIM_COUNTS, analyse_qualitative

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = sorted((ROOT / "book").glob("*.md"))
QUAL_CHAPTERS = ("findings", "findings_course", "findings_people", "findings_impact", "recommendations", "conclusions",
                 "index", "methodology")
GLUE = re.compile(r"\{glue:text\}`/notebooks/(?P<notebook>[0-9a-z_]+)\.md::(?P<key>[A-Za-z0-9_]+):s`")
INCLUDE = re.compile(r"^```\{generated-table\} (?P<name>[\w.-]+)\n```", re.M)


def run_stage(data: Path, build: Path):
    paths = ProjectPaths(root=ROOT, data=data, build=build)
    result = analyse_qualitative(paths)
    flags = json.loads(paths.content_flags.read_text(encoding="utf-8"))
    counts = claims.read_counts(paths.content_flags.with_name(CLAIM_COUNTS))
    return paths, QUAL_GLUE.complete(result.glue), flags, counts


def chapter_text(name: str, paths: ProjectPaths, glue: dict, flags: dict, counts: dict) -> tuple[str, list]:
    """A chapter as its reader sees its qualitative sentences: conditions and claims resolved,
    03_qual glue filled in, the theme-findings snippet included (other notebooks' glue and
    other tables are left as placeholders)."""
    source = (ROOT / "book" / f"{name}.md").read_text(encoding="utf-8")
    text, results = claims.resolve_claims(resolve_conditions(source, flags), counts)

    def include(match):
        if match["name"] == "theme_findings":
            return (paths.tables / "theme_findings.md").read_text(encoding="utf-8").replace("\\", "")
        return f"[table {match['name']}]"

    text = INCLUDE.sub(include, text)
    text = GLUE.sub(lambda m: glue_value(glue, m["key"]) if m["notebook"] == "03_qual" else f"[{m['key']}]", text)
    return text, results


def glue_value(glue: dict, key: str) -> str:
    # A key the stage did not produce takes its pattern's default (only a chapter shown to the
    # wrong cohort, in the tests below, refers to one).
    if key in glue:
        return glue[key]
    return next(default for pattern, default in QUAL_GLUE.patterns.items() if re.fullmatch(pattern, key))


def report(paths, glue, flags, counts) -> dict[str, str]:
    return {name: chapter_text(name, paths, glue, flags, counts)[0] for name in QUAL_CHAPTERS}


# ------------------------------------------------------------------------------------------
# The claim rules and markers
# ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("word, count, n, expected", [
    ("all", 19, 19, True), ("all", 18, 19, False), ("every", 0, 0, False),
    ("none", 0, 19, True), ("none", 1, 19, False),
    ("most", 10, 19, True), ("most", 9, 18, False), ("most", 10, 18, True),
    ("many", 3, 9, True), ("many", 2, 9, False), ("many", 11, 33, True),
    ("several", 3, 30, True), ("several", 2, 3, False),
    ("a few", 2, 30, True), ("a few", 4, 30, True), ("a few", 1, 30, False), ("a few", 5, 30, False),
    ("a couple", 2, 19, True), ("a couple", 3, 19, False), ("two", 2, 2, True), ("two", 1, 2, False),
])
def test_rules(word, count, n, expected):
    assert claims.holds(word, count, n) is expected


MARKED = ('Before. <!-- claim: most t_a of n_all -->Most liked it.<!-- else claim -->{n} liked it.<!-- end claim --> '
          'After.')


def test_a_claim_keeps_its_wording_when_it_holds_and_falls_back_when_not():
    text, results = claims.resolve_claims(MARKED, {"t_a": 10, "n_all": 19})
    assert text == "Before. Most liked it. After." and results[0].holds
    text, results = claims.resolve_claims(MARKED, {"t_a": 9, "n_all": 19})
    assert text == "Before. {n} liked it. After."
    assert results[0].reasons == ("'most' does not hold: t_a is 9 of n_all 19",)
    # A withheld count (absent from the counts) cannot justify a claim.
    text, results = claims.resolve_claims(MARKED, {"n_all": 19})
    assert text == "Before. {n} liked it. After."
    assert "no count for t_a" in results[0].reasons[0]


def test_every_condition_of_a_claim_must_hold():
    marked = ('<!-- claim: most t_a of n_all for "warm reception"; several t_b of n_all -->A warm reception from several.'
              '<!-- else claim -->Alt.<!-- end claim -->')
    assert claims.resolve_claims(marked, {"t_a": 10, "t_b": 3, "n_all": 19})[0] == "A warm reception from several."
    assert claims.resolve_claims(marked, {"t_a": 10, "t_b": 2, "n_all": 19})[0] == "Alt."


def test_a_marker_must_say_its_word_and_be_well_formed():
    with pytest.raises(claims.ClaimSyntaxError, match="does not say 'most'"):
        claims.check_claims("<!-- claim: most t_a of n_all -->Many liked it.<!-- else claim -->x<!-- end claim -->", {})
    with pytest.raises(claims.ClaimSyntaxError, match="is not 'WORD COUNT of DENOMINATOR"):
        claims.check_claims("<!-- claim: lots t_a of n_all -->Lots.<!-- else claim -->x<!-- end claim -->", {})
    # "most" inside "almost" is not the word.
    with pytest.raises(claims.ClaimSyntaxError):
        claims.check_claims("<!-- claim: most t_a of n_all -->Almost all.<!-- else claim -->x<!-- end claim -->", {})


def test_methodology_prints_the_rules():
    assert "Words of quantity" in QUAL_GLUE.keys["claim_rules_sentence"]
    for phrase in ("\u201cmost\u201d more than half", "\u201cmany\u201d at least a third", "\u201cseveral\u201d at least three",
                   "\u201ca few\u201d two to four", "\u201ca couple\u201d or \u201ctwo\u201d exactly two", "\u201cnone\u201d means no one"):
        assert phrase in claims.RULES_TEXT
    assert "claim_rules_sentence" in (ROOT / "book" / "methodology.md").read_text(encoding="utf-8")


# ------------------------------------------------------------------------------------------
# The build check
# ------------------------------------------------------------------------------------------

def test_the_build_check_finds_each_kind_of_problem():
    assert report_problems("3 of the 30 respondents raised it. No respondent was coded with \u201cPace\u201d.", False) == []
    found = report_problems("The closing session disappointed not available of the 9 respondents.", False)
    assert any("'not available'" in p for p in found) and any("closing session disappointed" in p for p in found)
    assert report_problems("0 respondents said it described the way they wanted to work.", False)[0].startswith(
        "a count of zero")
    assert report_problems("None of the 9 respondents yet had concrete examples.", False)
    assert report_problems("disappointed 0 of the 4 respondents", False)
    # The 2013 codebook's own report may say its sentences, and count its codes' zeros.
    assert report_problems("None of the 9 respondents yet had concrete examples of changes made at work.", True) == []
    assert report_problems("it was not available", True)


def test_the_build_check_runs_on_every_built_chapter():
    source = (ROOT / "src" / "lehc_report" / "book" / "sphinxext.py").read_text(encoding="utf-8")
    assert 'app.connect("doctree-resolved", check_report_page)' in source
    assert 'app.connect("source-read", apply_claims, priority=550)' in source


def test_theme_counts_by_source_withhold_small_cells_and_never_word_a_zero():
    counts = {"all": 19, "survey": 9, "interview": 10}
    assert words.raised_sentence(7, {"survey": 7, "interview": 0}, counts, {"survey", "interview"}, False) == (
        "Seven of the 19 respondents raised it: seven of the nine survey respondents and no interviewee.")
    assert words.raised_sentence(10, {"survey": 0, "interview": 10}, counts, {"survey", "interview"}, False) == (
        "Ten of the 19 respondents raised it: no survey respondent and all ten interviewees.")
    # A withheld source is not named with its own count.
    assert words.raised_sentence(7, {"survey": 3, "interview": 4}, counts, {"interview"}, False) == (
        "Seven of the 19 respondents raised it.")
    assert words.raised_sentence(0, {"survey": 0, "interview": 0}, counts, {"survey", "interview"}, False) == (
        "No respondent raised it.")
    assert words.raised_sentence(3, {"survey": 3, "interview": 0}, counts, set(), True) == ""
    assert words.codes_sentence([("A", 2), ("B", 0)], True) == "Its codes are \u201cA\u201d and \u201cB\u201d."
    assert words.weak_agreement_sentence([("A", 0.2), ("B", float("nan")), ("C", 0.35)], 0.4) == (
        "The two coders agreed only weakly on \u201cA\u201d (0.20) and \u201cC\u201d (0.35) (Cohen's kappa below the 0.4 "
        "this report requires), so their counts are tentative.")
    assert words.weak_agreement_sentence([("A", 0.4)], 0.4) == ""


# ------------------------------------------------------------------------------------------
# The shipped cohort: the 2013 codebook, every claim holds with its own wording
# ------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def shipped(tmp_path_factory):
    return run_stage(ROOT / "data", tmp_path_factory.mktemp("shipped"))


def test_shipped_cohort_is_the_2013_codebook(shipped):
    _, _, flags, counts = shipped
    assert flags["codebook_2013"] and not flags["codebook_own"]
    assert counts["n_all"] == 19 and counts["t_philosophy_unlike_other_courses"] == 16


def test_no_claim_of_the_shipped_report_falls_back(shipped):
    paths, glue, flags, counts = shipped
    checked = []
    for chapter in CHAPTERS:
        _, results = chapter_text(chapter.stem, paths, glue, flags, counts)
        checked += [(chapter.stem, r) for r in results]
        assert all(r.holds for r in results), [(chapter.stem, r.reasons) for r in results if not r.holds]
    assert len(checked) >= 10
    assert {name for name, _ in checked} >= {"findings_course", "findings_people", "findings_impact", "recommendations",
                                            "conclusions"}


def test_shipped_report_says_its_own_findings(shipped):
    text = report(*shipped)
    assert "met with a warm reception" in text["findings_course"]
    assert "One criticism recurs. The closing session" in text["findings_course"]
    assert "by its participants' accounts\nit did. Most found its ideas convincing" in text["conclusions"]
    assert "The qualitative findings, drawn from the survey returns and interviews, are in" in text["index"]
    assert "ways of working more closely" not in glue_values(shipped)
    for name, page in text.items():
        assert report_problems(page, True) == [], name


def glue_values(stage) -> str:
    return " ".join(stage[1].values())


def test_a_claim_that_is_false_for_a_cohort_falls_back(shipped):
    paths, glue, flags, counts = shipped
    fewer = dict(counts, t_philosophy_unlike_other_courses=9)  # 9 of 19: not most
    text, results = chapter_text("findings_course", paths, glue, flags, fewer)
    assert "most found it hard" not in text
    # The alternative words the glued count (the stage's own, 16 here: only the claim's count was lowered).
    assert "Asked to compare the course with other leadership\ntraining, 16 respondents said it was different in kind" in text
    assert [r.holds for r in results].count(False) == 1


# ------------------------------------------------------------------------------------------
# Another codebook: 30 survey respondents, six codes, double coded
# ------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def own(tmp_path_factory):
    data = write_cohort(tmp_path_factory.mktemp("own") / "cohort")
    return run_stage(data, tmp_path_factory.mktemp("own_build"))


def test_own_codebook_is_not_2013(own):
    _, _, flags, counts = own
    assert flags == {"coded": True, "codebook_2013": False, "codebook_own": True, "qualitative": True}
    assert counts["t_practice_changed_practice"] == 3 and counts["t_learning"] == 23 and counts["n_all"] == 30


def test_own_codebook_findings_are_written_from_its_data(own):
    paths = own[0]
    snippet = (paths.tables / "theme_findings.md").read_text(encoding="utf-8")
    assert snippet.startswith("### Changed practice\n\nThe codebook's definition: \u201cWhat respondents now do differently at "
                              "work.\u201d\n\nFive of the 30")
    assert ("Five of the 30 respondents raised it. Within it, \u201cChanged practice\u201d was raised by 3 respondents and "
            "\u201cNew partners\u201d by 2. The two coders agreed only weakly on \u201cNew partners\u201d (Cohen's kappa "
            "-0.15, below the 0.4 this report requires), so its count is tentative.") in snippet
    assert "None of its passages marked as quotable came from a respondent who agreed to be quoted" in snippet
    assert ("Twenty-three of the 30 respondents raised it. Within it, \u201cPeer support\u201d was raised by 12 respondents and "
            "\u201cMixed groups\u201d by 11; no respondent was coded with \u201cPace\u201d.") in snippet
    assert "> \u201cThe others in my group helped me" in snippet
    assert "### Doubts" in snippet and "Two of the 30 respondents raised it." in snippet


def test_own_codebook_report_says_only_what_its_data_hold(own):
    text = report(*own)
    for name, page in text.items():
        assert report_problems(page, False) == [], name
    assert "concrete examples of changes made at work" not in text["findings_impact"]
    assert "what respondents said about\nany change in their work is told under its themes" in text["findings_impact"]
    assert "The themes raised by the largest numbers of respondents were \u201cLearning together\u201d (23 of the 30), " \
           "\u201cChanged practice\u201d (5) and \u201cDoubts\u201d (2)." in text["conclusions"]
    assert "The qualitative findings, drawn from the survey returns, are in" in text["index"]
    assert "so the 2013 report's recommendations about the course's content, which rest on what the 2013 participants " \
           "said, are not repeated." in text["recommendations"]
    assert "should run again" not in text["recommendations"] and "closing session" not in text["recommendations"]


def test_the_build_check_fails_an_own_codebook_report_given_the_2013_chapters(own):
    paths, glue, flags, counts = own
    as_if_2013 = dict(flags, codebook_2013=True, codebook_own=False)
    problems = [p for name in QUAL_CHAPTERS
                for p in report_problems(chapter_text(name, paths, glue, as_if_2013, counts)[0], False)]
    assert any("a sentence of the 2013 findings" in p for p in problems)


def test_a_small_2013_codebook_cohort_gets_findings_from_its_data(tmp_path):
    # Four respondents: every count withheld, so the 2013 sentences could say nothing.
    from qual_fixture import tables, write_fixture

    data = tables()
    data["codebook.yml"] = (ROOT / "data" / "codebook.yml").read_text(encoding="utf-8")
    columns, rows = data["respondents.csv"]
    # Nobody quoted: with four respondents, no role label is shared.
    data["respondents.csv"] = (columns, [dict(r, consent_to_quote="no") for r in rows if r["respondent_id"] != "I02"])
    for name in ("codings.csv",):
        columns, rows = data[name]
        mapping = {"philosophy.values": "philosophy.endorsed", "philosophy.person_centred": "philosophy.timely",
                   "practice.coproduction": "coproduction.praised", "practice.confidence": "impact_role.concrete_changes"}
        data[name] = (columns, [dict(r, code_id=mapping[r["code_id"]]) for r in rows if not r["segment_id"].startswith("I02")])
    columns, rows = data["interview_segments.csv"]
    data["interview_segments.csv"] = (columns, [r for r in rows if r["respondent_id"] != "I02"])
    folder = write_fixture(tmp_path / "small", data)
    paths, glue, flags, counts = run_stage(folder, tmp_path / "build")
    assert flags["codebook_own"] and not flags["codebook_2013"]
    assert counts == {}
    text = report(paths, glue, flags, counts)
    for name, page in text.items():
        assert report_problems(page, False) == [], name
        assert "suppressed" not in page and "withheld (n <" not in page, name
    assert "Its themes were" in text["conclusions"]


# ------------------------------------------------------------------------------------------
# cohort_b: no qualitative data
# ------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def cohort_b(tmp_path_factory):
    return run_stage(ROOT / "tests" / "cohorts" / "cohort_b", tmp_path_factory.mktemp("b_build"))


def test_cohort_b_says_nothing_its_data_do_not_hold(cohort_b):
    paths, glue, flags, counts = cohort_b
    assert flags == {"coded": False, "codebook_2013": False, "codebook_own": False, "qualitative": False}
    assert not (paths.tables / "theme_findings.md").exists()
    text = report(*cohort_b)
    for name, page in text.items():
        assert report_problems(page, False) == [], name
    assert "participants' accounts" not in text["conclusions"]
    assert "This cohort has no qualitative data, so what its participants made of the course" in text["conclusions"]
    assert "drawn from the survey returns and interviews" not in text["index"]
    assert "This cohort has no qualitative data, so the report's findings rest on the self-assessments alone." \
        in text["index"]


# ------------------------------------------------------------------------------------------
# No quantity word beside a glued count goes unchecked
# ------------------------------------------------------------------------------------------

QUANTITY_WORDS = re.compile(r"\b(all|every|none|most|many|several|a few|a couple|two)\b", re.I)
#: Quantity words beside a glued count that do not describe it: "in all" (the total),
#: "every group" (each group of the table), "in so many words" (an idiom), "most often"
#: (which sessions were named first, not how many named one), "a few more sceptics"
#: (people respondents wanted to add, not respondents).
NOT_ABOUT_A_COUNT = ("in all", "every group", "so many words", "most often", "a few more sceptics")


def untied_quantity_words(text: str) -> list[str]:
    """Quantity words in a sentence with a 03_qual glued value, outside any claim marker."""
    text = re.sub(r"<!--.*?-->", " ", claims.CLAIM.sub(" ", text), flags=re.S)
    found = []
    for paragraph in re.split(r"\n\s*\n", text):
        for sentence in re.split(r"(?<=[.])\s+", " ".join(paragraph.split())):
            if "03_qual.md::" not in sentence:
                continue
            plain = re.sub(r"\{glue:text\}`[^`]*`", "N", sentence)
            for phrase in NOT_ABOUT_A_COUNT:
                plain = re.sub(re.escape(phrase), " ", plain, flags=re.I)
            found += [f"{match.group(0)!r} in {sentence[:100]!r}" for match in QUANTITY_WORDS.finditer(plain)]
    return found


@pytest.mark.parametrize("chapter", ["findings", "findings_course", "findings_people", "findings_impact", "recommendations",
                                     "conclusions", "index"])
def test_every_quantity_word_beside_a_count_is_a_checked_claim(chapter):
    assert untied_quantity_words((ROOT / "book" / f"{chapter}.md").read_text(encoding="utf-8")) == []


def test_the_quantity_word_check_finds_an_untied_word():
    typed = "Most said so: {glue:text}`/notebooks/03_qual.md::np_a:s` in all."
    assert untied_quantity_words(typed) == ["'Most' in " + repr(typed)]
    tied = f"<!-- claim: most t_a of n_all -->{typed}<!-- else claim -->x<!-- end claim -->"
    assert untied_quantity_words(tied) == []


def test_every_2013_only_passage_carries_a_fingerprint_the_build_check_knows():
    # Were a 2013 passage ever shown to another cohort, the build check would name it.
    block = re.compile(r"<!-- if: codebook_2013 -->(?P<yes>.*?)(?:<!-- else -->.*?)?<!-- end if -->", re.S)
    # Passages that say something of the data (a glued count or a claim); the findings
    # chapter's list of its parts says nothing of them.
    passages = [(chapter.stem, m["yes"]) for chapter in CHAPTERS for m in block.finditer(chapter.read_text(encoding="utf-8"))
                if "03_qual.md::" in m["yes"] or "<!-- claim:" in m["yes"]]
    assert len(passages) >= 6
    for chapter, passage in passages:
        plain = " ".join(passage.replace("\u2019", "'").split()).lower()
        assert any(f.lower() in plain for f in codebook_2013.FINGERPRINTS), (chapter, passage[:200])
