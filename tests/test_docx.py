"""The Word report (`make docx`) read back with python-docx: real tables holding the
Appendix 3 numbers, every figure with its caption and alternative text, every chapter
heading, the footer's page-number field, and two builds byte-identical."""

import re
import zipfile

import docx
import pytest
from lxml import html as lxml_html

from conftest import ROOT
from lehc_report.tools.docx import build_docx, report_pages

pytestmark = [pytest.mark.build]

APPENDIX3_SNIPPET = ROOT / "_build" / "generated" / "tables" / "appendix3.md"


def normalise(text: str) -> str:
    return " ".join(text.replace("\u00a0", " ").split())


@pytest.fixture(scope="module")
def built_docx(built_html, tmp_path_factory):
    """The report built twice from the same HTML (into a temporary folder)."""
    folder = tmp_path_factory.mktemp("docx")
    first = build_docx(built_html, ROOT / "_toc.yml", folder / "first.docx")
    second = build_docx(built_html, ROOT / "_toc.yml", folder / "second.docx")
    return first, second


@pytest.fixture(scope="module")
def document(built_docx):
    return docx.Document(str(built_docx[0]))


def markdown_table_rows(snippet: str) -> list[list[str]]:
    """The header and body rows of the pipe table in a MyST table snippet."""
    rows = [line for line in snippet.splitlines() if line.startswith("|")]
    # Cells are split on unescaped pipes, then Markdown's backslash escapes (the snippets
    # escape every character that could be markup: "p \\< .05") are undone, as a reader sees them.
    cells = [[normalise(re.sub(r"\\(.)", r"\1", cell)) for cell in re.split(r"(?<!\\)\|", row.strip().strip("|"))]
             for row in rows]
    return [row for row in cells if not all(re.fullmatch(r":?-+:?", cell) for cell in row)]


def test_two_builds_are_byte_identical(built_docx):
    first, second = built_docx
    assert first.read_bytes() == second.read_bytes()
    with zipfile.ZipFile(first) as archive:
        assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_appendix3_numbers_are_in_a_word_table(document):
    expected = markdown_table_rows(APPENDIX3_SNIPPET.read_text(encoding="utf-8"))
    assert expected[0][:2] == ["Leadership area", "Behaviours"] and len(expected) >= 2
    tables = [[[normalise(cell.text) for cell in row.cells] for row in table.rows] for table in document.tables]
    assert expected in tables, "Appendix 3's table (header and every row) is not a Word table in the document"


def test_every_figure_is_a_picture_with_alt_text_and_caption(document, built_html):
    pages = [built_html / f"{page}.html" for page, _ in report_pages(ROOT / "_toc.yml")]
    figures = []
    for page in pages:
        for figure in lxml_html.parse(str(page)).xpath("//article//figure[.//img]"):
            alt = figure.xpath(".//img/@alt")[0]
            caption = normalise("".join(figure.xpath(".//span[@class='caption-text']//text()")))
            figures.append((normalise(alt), caption))
    assert len(figures) >= 4
    pictures = [shape._inline.docPr.get("descr") for shape in document.inline_shapes]
    assert [normalise(alt) for alt in pictures] == [alt for alt, _ in figures]
    captions = [normalise(p.text) for p in document.paragraphs if p.style.name == "Image Caption"]
    assert len(captions) == len(figures)
    for (_, caption), written in zip(figures, captions):
        assert caption and caption in written


def test_every_chapter_heading_is_a_word_heading(document, built_html):
    headings = {normalise(p.text) for p in document.paragraphs if p.style.name.startswith(("Heading", "Title"))}
    pages = report_pages(ROOT / "_toc.yml")
    assert [page for page, _ in pages][:2] == ["book/index", "book/programme"]
    assert not any(page.startswith("notebooks/") for page, _ in pages)
    for page, _ in pages:
        h1 = lxml_html.parse(str(built_html / f"{page}.html")).xpath("//article//h1")[0]
        text = normalise("".join(t for t in h1.itertext() if t not in ("#", "¶")))
        assert text in headings, f"{page}: heading {text!r} is not a heading in the Word file"
    title = [p.text for p in document.paragraphs if p.style.name == "Title"]
    assert title == ["Leadership for Empowered and Healthy Communities: programme evaluation"]
    assert document.core_properties.title == title[0]


def test_no_analysis_notebook_is_included(document):
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert not [h for h in headings if h.startswith("Notebook")]
    assert "About the data" in headings  # the data chapter is, as in book.pdf


def test_footer_has_page_number_field(document):
    footer = document.sections[0].footer._element
    instructions = [normalise(t) for t in footer.xpath(".//w:instrText/text()")]
    assert instructions == ["PAGE", "NUMPAGES"]
    field_types = footer.xpath(".//w:fldChar/@w:fldCharType")
    assert field_types == ["begin", "separate", "end"] * 2
    section = document.sections[0]
    assert (round(section.page_width.cm, 1), round(section.page_height.cm, 1)) == (21.0, 29.7)


def test_missing_page_is_named(tmp_path):
    (tmp_path / "html").mkdir()
    with pytest.raises(FileNotFoundError, match=r"not built \(run make book\): .*book/index\.html"):
        build_docx(tmp_path / "html", ROOT / "_toc.yml", tmp_path / "out.docx")


def test_links_between_chapters_stay_inside_the_document(built_docx):
    with zipfile.ZipFile(built_docx[0]) as archive:
        body = archive.read("word/document.xml").decode()
        relations = archive.read("word/_rels/document.xml.rels").decode()
    anchors = set(re.findall(r'w:anchor="([^"]+)"', body))
    bookmarks = set(re.findall(r'w:bookmarkStart w:id="\d+" w:name="([^"]+)"', body))
    assert "tbl-appendix3" in anchors  # the summary's reference to Table 4.2
    assert anchors <= bookmarks, f"links to no bookmark: {sorted(anchors - bookmarks)}"
    assert ".html" not in relations and str(ROOT) not in body


def test_the_built_document_passes_the_exit_gate(built_docx):
    from lehc_report import privacy
    from lehc_report.tools.exit_gate import scan_docx

    assert list(scan_docx(built_docx[0], privacy.load_settings(ROOT, ROOT / "data"))) == []
