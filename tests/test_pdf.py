"""The printed report, ``_build/pdf/book.pdf`` (built by ``make pdf``).

Read back with pypdf: every chapter is in it, the contents' page numbers are
right, the reproduced Appendix 3 statistics are printed, every figure made it,
pages are A4 and numbered, and nothing of the web page (sidebars, search, code
cells) was printed.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import PATHS, toc_documents

pytestmark = [pytest.mark.build]

ROOT = Path(__file__).resolve().parents[1]
BUILD = PATHS.build
PDF = BUILD / "pdf" / "book.pdf"
#: The analysis notebooks, printed apart for reviewers (see lehc_report.tools.pdf.PARTS).
NOTEBOOKS_PDF = BUILD / "pdf" / "notebooks.pdf"
SITE = BUILD / "html"
#: The single-page book the PDF was printed from (see the Makefile's pdf rule).
SINGLE_PAGE = BUILD / "work-pdf" / "_build" / "singlehtml" / "book" / "index.html"

#: Appendix 3 as reproduced from the data: start and end means and the paired t of
#: each area.  -6.267 is our Driving Transformation t (2013 printed -6.256, which no
#: whole-number ratings can give; see the appendix).
APPENDIX3_NUMBERS = (
    "7.56", "8.56", "-7.799",
    "6.42", "7.43", "-6.267",
    "6.51", "7.52", "-4.264",
    "6.90", "7.63", "-4.307",
)
#: Text that only the web page has: sidebars, search, buttons, code cells.
WEB_LEFTOVERS = (
    "Search the report",
    "Jupyter Book",
    "Skip to main content",
    "Back to top",
    "Toggle primary sidebar",
    "Color mode",
    "Show code cell source",
    "Ctrl+K",
)
PAGE_RANGE = (15, 120)
A4_POINTS = (595.28, 841.89)


def normalise(text: str) -> str:
    """NFKC (ligatures such as "ﬁ"), minus signs as hyphens, whitespace collapsed."""
    text = unicodedata.normalize("NFKC", text).replace("\u2212", "-").replace("\u00a0", " ")
    return re.sub(r"\s+", " ", text).strip()


@lru_cache(maxsize=1)
def _reader():
    from pypdf import PdfReader

    return PdfReader(str(PDF))


@pytest.fixture(scope="module")
def pdf():
    if not PDF.is_file():
        pytest.fail(f"{PDF} does not exist: run `make pdf` first", pytrace=False)
    return _reader()


@pytest.fixture(scope="module")
def pages(pdf) -> list[str]:
    """The normalised text of each page."""
    return [normalise(page.extract_text() or "") for page in pdf.pages]


@pytest.fixture(scope="module")
def text(pages) -> str:
    return " ".join(pages)


class _Headings(HTMLParser):
    """The text of the first <h1> of a page, without its "#" permalink."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.depth = 0
        self.skip = 0
        self.h1: str | None = None
        self.parts: list[str] = []
        self.images: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "img":
            self.images.append(attrs.get("src") or "")
        if self.h1 is None and tag == "h1":
            self.depth = 1
        elif self.depth and tag == "a" and "headerlink" in (attrs.get("class") or ""):
            self.skip = 1

    def handle_endtag(self, tag):
        if self.depth and tag == "a" and self.skip:
            self.skip = 0
        elif self.depth and tag == "h1":
            self.depth = 0
            self.h1 = normalise("".join(self.parts))

    def handle_data(self, data):
        if self.depth and not self.skip:
            self.parts.append(data)


def _parse(path: Path) -> _Headings:
    parser = _Headings()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def chapter_titles(report_only: bool = False) -> list[str]:
    """The title of every document of ``_toc.yml``, as the HTML build numbered it.

    ``report_only``: the documents printed in ``book.pdf`` only (not the notebooks).
    """
    files = [doc for doc in toc_documents() if not (report_only and doc.startswith("notebooks/"))]
    titles = []
    for doc in files:
        page = SITE / f"{Path(doc).with_suffix('')}.html"
        if not page.is_file():
            pytest.fail(f"{page} does not exist: run `make book` first", pytrace=False)
        title = _parse(page).h1
        assert title, f"{page}: no <h1>"
        titles.append(title)
    return titles


# ---- the tests ----------------------------------------------------------------------


def test_page_count_in_range(pdf):
    low, high = PAGE_RANGE
    assert low <= len(pdf.pages) <= high, f"{len(pdf.pages)} pages, expected {low}-{high}"


def test_pages_are_a4(pdf):
    for number, page in enumerate(pdf.pages, 1):
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert abs(width - A4_POINTS[0]) < 2 and abs(height - A4_POINTS[1]) < 2, (
            f"page {number} is {width:.1f} x {height:.1f} pt, not A4"
        )


def test_pages_are_numbered(pages):
    """Every page but the title page."""
    total = len(pages)
    unnumbered = [n for n, page in enumerate(pages, 1) if n > 1 and f"Page {n} of {total}" not in page]
    assert not unnumbered, f"pages without 'Page N of {total}': {unnumbered}"


def test_title_page(pages):
    first = pages[0]
    title = chapter_titles()[0]
    assert title in first, f"title {title!r} not on page 1: {first[:300]!r}"
    assert "Client:" in first, "the client is not on the title page"
    assert "Synthetic data" in first and "synthetic" in first.lower(), "no synthetic-data notice on page 1"


def test_every_chapter_is_in_the_pdf(text):
    missing = [title for title in chapter_titles(report_only=True) if title not in text]
    assert not missing, f"chapters missing from the PDF: {missing}"


def test_contents_page_numbers_point_at_the_chapters(pages):
    """Every chapter is listed in the contents, with the page it starts on."""
    # The page starts with the running header, then "Contents".
    contents = next((n for n, page in enumerate(pages) if re.match(r"(?:[^.]{0,120} )?Contents ", page)), None)
    assert contents is not None, "no page starting with 'Contents'"
    toc = pages[contents]
    wrong = []
    for title in chapter_titles(report_only=True)[1:]:  # the root page is the title page, not listed
        match = re.search(re.escape(title) + r" (\d+)\b", toc)
        if not match:
            wrong.append(f"{title!r}: not in the contents with a page number")
            continue
        number = int(match.group(1))
        # A title may wrap, at a hyphen too ("co-" / "production"): compare without spaces.
        if not (0 < number <= len(pages)) or re.sub(r"\s", "", title) not in re.sub(r"\s", "", pages[number - 1]):
            wrong.append(f"{title!r}: contents say page {number}, the title is not there")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("number", APPENDIX3_NUMBERS)
def test_reproduced_appendix3_numbers_are_printed(text, number):
    assert re.search(r"(?<![\d.])" + re.escape(number) + r"(?!\d)", text), f"{number} is not in the PDF"


def test_every_figure_is_printed(pdf):
    if not SINGLE_PAGE.is_file():
        pytest.fail(f"{SINGLE_PAGE} does not exist: run `make pdf` first", pytrace=False)
    # Raster images are embedded as images; an SVG <img> is drawn as vector paths.
    expected = [src for src in _parse(SINGLE_PAGE).images if not src.lower().endswith(".svg")]
    from pypdf import PdfReader

    if not NOTEBOOKS_PDF.is_file():
        pytest.fail(f"{NOTEBOOKS_PDF} does not exist: run `make pdf` first", pytrace=False)
    embedded = sum(len(page.images) for page in pdf.pages)
    embedded += sum(len(page.images) for page in PdfReader(str(NOTEBOOKS_PDF)).pages)
    assert embedded >= len(expected), f"{embedded} images in the PDFs, {len(expected)} raster <img> in the book"


def test_no_web_page_leftovers(pdf):
    raw = "\n".join(page.extract_text() or "" for page in pdf.pages)
    found = [s for s in WEB_LEFTOVERS if s in raw]
    assert not found, f"web page text printed in the PDF: {found}"


def test_no_code_cells_printed(text):
    """Code inputs are hidden in print; their typical first lines must not appear."""
    found = sorted(set(re.findall(r"\b(?:from lehc_report(?:\.\w+)* import|import pandas as pd|glue\(\")", text)))
    assert not found, f"code cell source printed in the PDF: {found}"


def test_pdf_has_an_outline(pdf):
    """Chromium's document outline (bookmarks) lists the chapters."""
    outline = pdf.outline
    assert outline, "the PDF has no outline (bookmarks)"


def test_no_personal_data_in_the_pdf():
    # The exit gate's PDF scan: allow_names apply on the pages printed from their chapters only.
    from lehc_report import privacy
    from lehc_report.tools.exit_gate import scan_pdf

    assert list(scan_pdf(PDF, privacy.load_settings(ROOT))) == []


def test_pdf_quotes_only_consenting_respondents(text):
    import pandas as pd

    respondents = pd.read_csv(ROOT / "data" / "respondents.csv", dtype=str, keep_default_na=False)
    refused = set(respondents.loc[respondents["consent_to_quote"] != "yes", "respondent_id"])
    interviews = pd.read_csv(ROOT / "data" / "interview_segments.csv", dtype=str, keep_default_na=False)
    for passage in interviews.loc[interviews["respondent_id"].isin(refused), "text"]:
        assert normalise(passage)[:50] not in text
