"""The same report for another cohort, with no code changes: `make book DATA=...`.

Cohort B (tests/cohorts/cohort_b) has 14 participants, three waves, drop-outs,
missing ratings, one .xlsx export and no qualitative data.
"""

import re

import pytest

from test_staleness import ROOT, make_book, project_copy

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def cohort_b_site(tmp_path_factory):
    repo = project_copy(tmp_path_factory.mktemp("cohort") / "repo")
    log = make_book(repo, "DATA=tests/cohorts/cohort_b")
    assert "executed notebooks/05_about.md" in log
    return repo / "_build" / "html"


def text(site, page):
    from conftest import visible_text

    return re.sub(r"\s+", "", visible_text((site / page).read_text(encoding="utf-8")))


def test_cohort_facts_adapt(cohort_b_site):
    index = text(cohort_b_site, "book/index.html")
    assert "ExampleIntegratedCareBoard" in index
    methodology = text(cohort_b_site, "book/methodology.html")
    # 14 at the start, 12 at the end, 12 complete pairs, 2 left out (counts opening a sentence, and small ones, in words).
    assert "Fourteenparticipantsdidsoatthestartandtwelveattheend." in methodology and "Thetwelvewhocompletedboth" in methodology
    assert "(twotookpartatonewaveonly" in methodology


def test_follow_up_wave_adds_comparisons_and_omnibus_tests(cohort_b_site):
    impact = text(cohort_b_site, "book/findings_impact.html")
    assert "Afollow-upself-assessmentexists." in impact
    assert "RM-ANOVAF(p)" in impact and "FriedmanQ(p)" in impact


def test_absent_qualitative_sections_say_so(cohort_b_site):
    for page in ("book/findings.html", "book/findings_course.html", "book/findings_people.html"):
        assert "nothingtoreporthere" in text(cohort_b_site, page), page
