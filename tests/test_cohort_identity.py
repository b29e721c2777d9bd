"""The cohort's identity (title, programme, credits, context, principles, references and the
synthetic-or-real notice) comes from its data folder, in every page and output.

Unit tests read ``cohort.yml`` and compose the texts; the slow test builds a real cohort
(a copy of tests/cohorts/cohort_b saying ``synthetic: false`` with another programme)
into HTML and PDF and looks for its title, and for the 2013 names, in what was built.
"""

from __future__ import annotations

import dataclasses
import os
import re
import shutil
import subprocess
from pathlib import Path
from types import SimpleNamespace

import pytest

from lehc_report import privacy
from lehc_report.book import sphinxext
from lehc_report.errors import DataError
from lehc_report.inputs.cohort import load_identity
from lehc_report.paths import ProjectPaths
from lehc_report.prose import identity as words

ROOT = Path(__file__).resolve().parents[1]
COHORT_B = ROOT / "tests" / "cohorts" / "cohort_b"
NAME_2013 = "Leadership for Empowered and Healthy Communities"


def cohort(tmp_path: Path, text: str, **files: str) -> Path:
    """A data folder holding ``cohort.yml`` with ``text`` and the given other files."""
    folder = tmp_path / "data"
    folder.mkdir(exist_ok=True)
    (folder / "cohort.yml").write_text(text, encoding="utf-8")
    for name, content in files.items():
        (folder / name.replace("__", ".")).write_text(content, encoding="utf-8")
    return folder


def test_shipped_cohort_credits_the_2013_evaluation():
    identity = load_identity(ROOT / "data")
    assert identity.title == f"{NAME_2013}: programme evaluation"
    assert identity.synthetic is True
    credits = identity.credits
    assert (credits.evaluator, credits.authors, credits.client, credits.date) == (
        "nef consulting", ("Dr Jenny Rouse",), "South Central Strategic Health Authority", "February 2013")
    assert credits.reproduces_published_figures is True
    assert words.author_line(identity) == "nef consulting (original evaluation, February 2013)"
    assert words.credit_paragraph(identity) == (
        f"This report reproduces the published figures of \u201c{NAME_2013} Programme Evaluation\u201d (February 2013), the "
        "evaluation written by Dr Jenny Rouse of nef consulting for South Central Strategic Health Authority. "
        "The analysis is rebuilt from data; the words of the chapters are new.")


def test_shipped_cohort_attendance_is_the_published_make_up():
    identity = load_identity(ROOT / "data")
    assert words.attendance_sentence(identity, published_2013=True) == (
        "The 2013 report published that 26 people attended the course: 24 health and social care professionals "
        "and two people who use services.")
    # The same counts for any other cohort are groups under the small-cell rule: two people who
    # use services are withheld, and with them the professionals (26 - 2 would give them away).
    settings = privacy.load_settings(ROOT, ROOT / "data")
    assert words.attendance_sentence(identity, privacy_settings=settings) == "The course was attended by 26 people."
    big = dataclasses.replace(identity, attended=30, attended_professionals=24, attended_uses_services=6)
    assert words.attendance_sentence(big, privacy_settings=settings) == (
        "The course was attended by 30 people: 24 health and social care professionals and six people who use "
        "services.")


def test_shipped_cohort_context_principles_and_own_files():
    identity = load_identity(ROOT / "data")
    assert [p.name for p in identity.principles.items] == ["Assets", "Capacity", "Mutuality", "Networks",
                                                           "Blurred roles", "Catalysts"]
    assert identity.principles.title == "the six principles of co-production"
    assert len(identity.partners) == 6 and identity.partners[-1] == "NHS South Central Strategic Health Authority"
    assert words.partners_text(identity).startswith("The programme's partners were the ADASS Workforce Development "
                                                    "Network, the Local Government Ageing Well programme")
    assert identity.references_file == ROOT / "data" / "references.bib"
    assert identity.survey_instrument_file == ROOT / "data" / "survey_instrument.yml"
    assert words.identity_flags(identity) == {
        "synthetic": True, "credits": True, "reproduces": True, "origins": True, "partners": True,
        "attendance": True, "principles": True, "cohort_references": True, "survey_instrument": True}


def test_principles_are_in_our_own_words_not_the_seeds():
    # The 2013 report's Appendix 4 wording (its source's sentences) must not be copied.
    text = " ".join(p.description for p in load_identity(ROOT / "data").principles.items).lower()
    for phrase in ("passive recipients of services and burdens on the system", "deficit approach",
                   "range of incentives", "best way of transferring knowledge", "tightly defined boundaries",
                   "rather than central providers"):
        assert phrase not in text


def test_cohort_without_identity_keys_is_real_and_uncredited():
    identity = load_identity(COHORT_B)
    assert identity.title == "Leading Care Together (test cohort B): programme evaluation"
    assert identity.synthetic is False and identity.credits is None
    assert words.author_line(identity) == ""
    assert words.credit_paragraph(identity) == ""
    assert words.attendance_sentence(identity) == "The course was attended by 20 people."
    assert words.footer_text(identity) == (
        "Computed from the data of the Leading Care Together (test cohort B) cohort; see the data chapter.")
    assert words.identity_flags(identity) == {
        "synthetic": False, "credits": False, "reproduces": False, "origins": False, "partners": False,
        "attendance": True, "principles": False, "cohort_references": False, "survey_instrument": False}
    assert words.substitutions(identity)["cohort_principles_title"] == "the principles behind the course"


def test_own_evaluation_is_credited_as_such(tmp_path):
    folder = cohort(tmp_path, "programme: Northern Pathway\nclient: North ICB\nreport_date: March 2027\n"
                              "credits:\n  evaluator: Acme Research\n  authors: [A. Person, B. Person]\n"
                              "  report_title: Northern Pathway evaluation\n")
    identity = load_identity(folder)
    assert identity.credits.date == "March 2027" and identity.credits.client == "North ICB"  # the cohort's, by default
    assert words.author_line(identity) == "Acme Research"
    assert words.credit_paragraph(identity) == (
        "\u201cNorthern Pathway evaluation\u201d (March 2027): an evaluation by A. Person and B. Person of Acme Research for "
        "North ICB.")


def test_values_from_the_data_folder_are_shown_not_run(tmp_path):
    folder = cohort(tmp_path, 'title: "*Bold* {{ cohort_client }} <script>x</script>"\nprogramme: "{raw}`html` P"\n')
    subs = words.substitutions(load_identity(folder))
    assert subs["cohort_title"] == r"\*Bold\* \{\{ cohort\_client \}\} \<script\>x\</script\>"
    assert subs["cohort_programme"] == r"\{raw\}\`html\` P"
    assert words.footer_text(load_identity(folder)) == (
        "Computed from the data of the {raw}`html` P cohort; see the data chapter.")
    html_folder = cohort(tmp_path, 'programme: "<b>P</b>"\n')
    assert "&lt;b&gt;P&lt;/b&gt;" in words.footer_text(load_identity(html_folder))


@pytest.mark.parametrize(("text", "message"), [
    ("credits: nef\n", "key 'credits' is 'nef'; write it as 'key: value' lines indented under 'credits:'"),
    ("credits:\n  author: X\n", "unknown key 'author' under 'credits' (known: evaluator, authors, report_title, "
                                "client, date, reproduces_published_figures); remove or correct it"),
    ("credits:\n  reproduces_published_figures: 'yes'\n",
     "'credits: reproduces_published_figures' is 'yes'; write true or false"),
    ("credits:\n  authors: {a: 1}\n", "key 'credits.authors' is {'a': 1}; write a list, one '- item' line each"),
    ("context:\n  partners: [[a, b]]\n", "key 'context.partners[1]' is ['a', 'b']; write it as text"),
    ("title: [a, b]\n", "key 'title' is ['a', 'b']; write it as one line of text"),
])
def test_bad_identity_keys_are_refused_with_what_to_do(tmp_path, text, message):
    with pytest.raises(DataError) as caught:
        load_identity(cohort(tmp_path, text))
    assert message in str(caught.value)


def test_bad_principles_file_is_refused(tmp_path):
    folder = cohort(tmp_path, "programme: P\n", principles__yml="principles:\n  - name: Assets\n")
    with pytest.raises(DataError) as caught:
        load_identity(folder)
    assert "principle 1 must have exactly the keys 'name' and 'description'" in str(caught.value)


def test_sphinx_configuration_follows_the_cohort(tmp_path, monkeypatch):
    folder = cohort(tmp_path, "programme: Northern Pathway\nsynthetic: false\n", references__bib="@misc{a, title={A}}\n")
    monkeypatch.setenv("LEHC_DATA", str(folder))
    monkeypatch.setenv("LEHC_BUILD", str(tmp_path / "build"))
    config = SimpleNamespace(project="x", html_title="x", author="x", html_theme_options={"keep": 1},
                             myst_substitutions={"other": "o"}, bibtex_bibfiles=["book/methods.bib"])
    sphinxext.use_cohort_identity(SimpleNamespace(srcdir=str(ROOT)), config)
    assert config.project == config.html_title == "Northern Pathway: programme evaluation"
    assert config.author == ""
    assert config.html_theme_options == {
        "keep": 1, "extra_footer": "Computed from the data of the Northern Pathway cohort; see the data chapter."}
    assert config.myst_substitutions["other"] == "o"
    assert config.myst_substitutions["cohort_title"] == "Northern Pathway: programme evaluation"
    assert config.bibtex_bibfiles == ["book/methods.bib", str((folder / "references.bib").resolve())]


def test_another_book_using_the_extension_keeps_its_own_title(tmp_path, monkeypatch):
    # The network report is built from <build>/network/book with this extension.
    monkeypatch.setenv("LEHC_DATA", str(ROOT / "data"))
    config = SimpleNamespace(project="The programme across cohorts", html_title="The programme across cohorts",
                             author="Network report", html_theme_options={}, myst_substitutions={}, bibtex_bibfiles=[])
    sphinxext.use_cohort_identity(SimpleNamespace(srcdir=str(tmp_path)), config)
    assert (config.project, config.html_title, config.author, config.html_theme_options, config.myst_substitutions) == (
        "The programme across cohorts", "The programme across cohorts", "Network report", {}, {})


def test_content_flags_join_identity_and_stage_flags(tmp_path):
    folder = cohort(tmp_path, "programme: P\nsynthetic: true\n")
    paths = ProjectPaths(root=ROOT, data=folder, build=tmp_path / "build")
    assert sphinxext.content_flags(paths)["synthetic"] is True
    paths.content_flags.parent.mkdir(parents=True)
    paths.content_flags.write_text('{"coded": false}', encoding="utf-8")
    flags = sphinxext.content_flags(paths)
    assert flags["coded"] is False and flags["synthetic"] is True and flags["principles"] is False
    text = "<!-- if: synthetic -->made up<!-- else -->real<!-- end if --> <!-- if: principles -->P<!-- else -->none<!-- end if -->"
    assert sphinxext.resolve_conditions(text, flags) == "made up none"


def test_bibliography_entries_are_list_items_for_assistive_technology():
    body = ('<div role="list" class="citation-list">\n<div class="citation" id="id5" role="doc-biblioentry">'
            '<span class="label">M1</span><p>Holm</p></div></div>')
    assert sphinxext.citation_list_roles(body) == body.replace('role="doc-biblioentry"', 'role="listitem"')
    assert sphinxext.citation_list_roles('<p role="doc-biblioentry">x</p>') == '<p role="doc-biblioentry">x</p>'


def test_book_fingerprint_covers_the_cohort_files(tmp_path):
    from lehc_report.tools.build import prepare

    folder = cohort(tmp_path, "programme: P\n")
    paths = ProjectPaths(root=ROOT, data=folder, build=tmp_path / "build")
    prepare(paths)
    stamp = (paths.stamps / "book-config.inputs").read_text(encoding="utf-8")
    assert re.search(r"^[0-9a-f]{64}  data/cohort\.yml$", stamp, re.M)
    assert re.search(r"^absent +data/principles\.yml$", stamp, re.M)
    (folder / "cohort.yml").write_text("programme: Q\n", encoding="utf-8")
    assert "book-config" in prepare(paths)


@pytest.mark.slow
def test_a_real_cohort_report_carries_its_own_identity_everywhere(tmp_path):
    """HTML <title>, page 1 of the PDF, the Word title: the cohort's title; nowhere (HTML, PDF,
    Word) the 2013 name or the word "synthetic"."""
    data = tmp_path / "northern data"
    shutil.copytree(COHORT_B, data)
    (data / "cohort.yml").write_text(
        "programme: Northern Leadership Pathway\nclient: North Integrated Care Board\nreport_date: March 2027\n"
        "attended: 20\nsynthetic: false\n", encoding="utf-8")
    build = tmp_path / "northern build"
    env = {k: v for k, v in os.environ.items() if k not in ("LEHC_DATA", "LEHC_BUILD")}
    done = subprocess.run(["make", "pdf", "docx", f"DATA={data}", f"BUILD={build}"], cwd=ROOT, env=env,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    title = "Northern Leadership Pathway: programme evaluation"
    index = (build / "html" / "book" / "index.html").read_text(encoding="utf-8")
    assert re.search(r"<title>[^<]*Northern Leadership Pathway: programme evaluation[^<]*</title>", index)
    from pypdf import PdfReader

    pages = PdfReader(build / "pdf" / "book.pdf").pages
    assert title in " ".join(pages[0].extract_text().split())
    from conftest import visible_text

    for page in sorted((build / "html").rglob("*.html")):
        text = visible_text(page.read_text(encoding="utf-8"))
        assert NAME_2013 not in text, page
        assert not re.search(r"\b(synthetic|generator)\b", text, re.I), page  # words, not glue keys (rob_synthetic_paragraph)
    pdf_text = " ".join(page.extract_text() for page in pages)
    assert NAME_2013 not in " ".join(pdf_text.split())
    assert not re.search(r"\b(synthetic|generator)\b", pdf_text, re.I)
    from docx import Document

    word = Document(build / "docx" / "report.docx")
    assert word.core_properties.title == title
    word_text = " ".join([p.text for p in word.paragraphs]
                         + [cell.text for table in word.tables for row in table.rows for cell in row.cells])
    assert title in word_text or word.paragraphs[0].text == title
    assert NAME_2013 not in word_text and not re.search(r"\b(synthetic|generator)\b", word_text, re.I)


def test_built_references_list_the_methods_and_the_2013_reports_own(built_html, page_text):
    text = page_text("book/references.html")
    for source in ("Sture Holm. A simple sequentially rejective multiple test procedure",
                   "Yoav Benjamini and Yosef Hochberg. Controlling the false discovery rate",
                   "Klaus Krippendorff. Content Analysis", "Jeffrey N. Rouder, Paul L. Speckman",
                   "Daniël Lakens. Calculating and reporting effect sizes", "Jacob Cohen. Statistical Power Analysis",
                   "Jacob Cohen. A coefficient of agreement for nominal scales", "J. Richard Landis and Gary G. Koch",
                   "Guido Knapp and Joachim Hartung", "Office for National Statistics. Disclosure control guidance",
                   "NHS Digital. Disclosure control method",
                   # the 2013 report and its own references (data/references.bib)
                   "Leadership for Empowered and Healthy Communities Programme Evaluation. Technical Report, nef consulting",
                   "Nesta, nef, and Innovation Unit. People-powered health co-production catalogue",
                   "nef. Co-production: a manifesto for growing the core economy"):
        assert source in text, source
    html = (built_html / "book" / "robustness.html").read_text(encoding="utf-8")
    # Cited where used, linked to the references page, in round brackets.
    assert re.search(r'\(<a [^>]*href="references\.html#id\d+"[^>]*>Lakens, 2013</a>\)', html)


def test_built_title_page_and_colophon_credit_the_original_evaluation(built_html, page_text):
    index = (built_html / "book" / "index.html").read_text(encoding="utf-8")
    assert re.search(r"<title>Leadership for Empowered and Healthy Communities: programme evaluation", index)
    assert "Evaluation rebuilt as a reproducible report" not in index
    assert "By nef consulting (original evaluation, February 2013)" in page_text("book/index.html")
    assert "written by Dr Jenny Rouse of nef consulting for South Central Strategic Health Authority" in page_text(
        "book/index.html")
    colophon = page_text("book/colophon.html")
    assert "The original evaluation was carried out by nef consulting for South Central Strategic Health Authority." \
        in colophon and "was published in February 2013" in colophon


def test_title_and_author_reach_the_page_as_text():
    """A cohort's title is data: the themes print it raw in the navbar and escaped in <title>;
    escaped once and marked safe, it reads as typed in both and is never markup."""
    from jinja2 import Environment
    from markupsafe import Markup

    from lehc_report.book.sphinxext import escape_identity_in_pages

    context = {"docstitle": "<script>alert(1)</script> Health & Care", "author": "A & B <b>",
               "root_title": "<img src=x onerror=alert(1)>", "pagetitle": "Plain", "body": "<p>kept</p>",
               "project": Markup("already &amp; safe")}
    escape_identity_in_pages(None, "index", "page.html", context, None)
    assert context["docstitle"] == "&lt;script&gt;alert(1)&lt;/script&gt; Health &amp; Care"
    assert context["author"] == "A &amp; B &lt;b&gt;" and context["root_title"].startswith("&lt;img")
    assert context["body"] == "<p>kept</p>" and context["project"] == "already &amp; safe"
    template = Environment().from_string("<title>{{ docstitle|e }}</title><p>{{ docstitle }}</p>")
    assert template.render(context) == ("<title>&lt;script&gt;alert(1)&lt;/script&gt; Health &amp; Care</title>"
                                        "<p>&lt;script&gt;alert(1)&lt;/script&gt; Health &amp; Care</p>")
