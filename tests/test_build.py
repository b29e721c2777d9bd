"""The built HTML report shows what the data produce (run after `make book`)."""

import re
from pathlib import Path

import pandas as pd
import pytest

from conftest import PATHS

from lehc_report import privacy
from lehc_report.prose.rounding import format_half_up, format_p

ROOT = Path(__file__).resolve().parents[1]
RESULTS = PATHS.results
pytestmark = pytest.mark.build


@pytest.fixture(scope="module")
def area_tests():
    return pd.read_csv(RESULTS / "area_tests.csv")


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def chapter_pages(built_html):
    return sorted(p.relative_to(built_html).as_posix() for p in (built_html / "book").glob("*.html"))


def test_appendix3_table_is_shown_with_reproduced_values(page_text, area_tests):
    text = page_text("book/findings_impact.html")
    assert "Table 4.1" in text or "Table" in text
    for row in area_tests.itertuples():
        cells = [format_half_up(row.mean_start, 2), format_half_up(row.sd_start, 2), format_half_up(row.mean_end, 2),
                 format_half_up(row.sd_end, 2), format_half_up(row.t, 3), format_p(row.p)]
        pattern = r"\s+".join(re.escape(c) for c in cells[:4])
        assert re.search(pattern, text), f"{row.area} means and SDs not in the table"
        assert cells[4] in text and cells[5] in text


def test_prose_numbers_equal_the_table(page_text, area_tests):
    text = squash(page_text("book/findings_impact.html"))
    for row in area_tests.itertuples():
        sentence = squash(f"from {format_half_up(row.mean_start, 2)} to {format_half_up(row.mean_end, 2)} "
                          f"(t({int(row.df)}) = {format_half_up(row.t, 3)}, ")
        assert squash(row.area) + sentence in text.replace("rosefrom", "from"), row.area


def test_published_tie_is_rounded_half_up_in_the_report(page_text):
    assert "exactly7.625,printedas7.63" in squash(page_text("book/appendix_results.html"))


def test_unreachable_t_is_explained_with_its_arithmetic(page_text):
    text = page_text("book/appendix_results.html")
    assert "-6.256" in text and "-6.2671" in text and "-6.2439" in text and "1589" in text


def test_every_glued_value_is_available(built_html, page_text):
    for page in chapter_pages(built_html):
        assert "not available" not in page_text(page), page


def test_no_quote_from_a_respondent_who_did_not_consent(built_html, page_text):
    respondents = pd.read_csv(ROOT / "data" / "respondents.csv", dtype=str, keep_default_na=False)
    refused = set(respondents.loc[respondents["consent_to_quote"] != "yes", "respondent_id"])
    assert refused, "the shipped data must include respondents who refused, to exercise this test"
    survey = pd.read_csv(ROOT / "data" / "survey_returns.csv", dtype=str, keep_default_na=False)
    interviews = pd.read_csv(ROOT / "data" / "interview_segments.csv", dtype=str, keep_default_na=False)
    texts = [t for t in interviews.loc[interviews["respondent_id"].isin(refused), "text"]]
    texts += [t for _, r in survey[survey["respondent_id"].isin(refused)].iterrows() for t in r.iloc[1:] if t.strip()]
    pages = [p.relative_to(built_html).as_posix() for p in built_html.rglob("*.html")]
    for text in texts:
        probe = re.sub(r"\s+", " ", text.strip())[:60]
        for page in pages:
            assert probe not in page_text(page), f"text of a non-consenting respondent on {page}"


def test_no_respondent_or_participant_id_in_the_chapters(built_html, page_text):
    for page in chapter_pages(built_html):
        found = re.findall(r"\b(?:[SI]\d{2}|P\d{2})\b", page_text(page))
        assert not found, f"{page}: {found}"


def test_no_personal_data_in_the_built_html(built_html, page_text):
    settings = privacy.load_settings(ROOT)
    for page in sorted(built_html.rglob("*.html")):
        hits = privacy.find_personal_data(page_text(page.relative_to(built_html).as_posix()), settings,
                                          skip_names=privacy.allowed_on_page(page.stem, settings))  # allow_names
        assert not hits, f"{page}: {hits}"


def test_figures_and_tables_name_their_notebook(page_text, built_html):
    for page in chapter_pages(built_html):
        html = (built_html / page).read_text(encoding="utf-8")
        for caption in re.findall(r"<(?:figcaption|caption)\b.*?</(?:figcaption|caption)>", html, flags=re.S):
            assert "Source: notebook" in caption, f"{page}: {caption[:120]}"


def test_conditional_passages_follow_the_content_flags():
    from lehc_report.book.sphinxext import resolve_conditions

    text = "A.\n<!-- if: coded -->\n## Themes\n12 of 19.\n<!-- else -->\nNot coded.\n<!-- end if -->\nB <!-- if: coded -->(7 said so)<!-- end if -->."
    assert resolve_conditions(text, {"coded": True}) == "A.\n\n## Themes\n12 of 19.\n\nB (7 said so)."
    assert resolve_conditions(text, {"coded": False}) == "A.\n\nNot coded.\n\nB ."
    assert resolve_conditions(text, {}) == resolve_conditions(text, {"coded": True})  # no flags: the full report


def test_no_marker_is_left_in_the_built_pages():
    for page in sorted((PATHS.html / "book").glob("*.html")):
        text = page.read_text(encoding="utf-8")
        assert "<!-- if:" not in text and "<!-- end if -->" not in text, page.name


def test_no_nan_or_na_is_shown_on_any_page():
    """Withheld or undefined values read as a dash or in words, never as NaN or <NA>."""
    import re

    for page in sorted(PATHS.html.glob("*/*.html")):
        text = re.sub(r"<[^>]+>", " ", page.read_text(encoding="utf-8"))
        assert not re.search(r"\bNaN\b|&lt;NA&gt;|\bnan\b", text), page.name
