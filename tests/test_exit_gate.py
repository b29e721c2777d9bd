"""The exit gate (lehc_report.tools.exit_gate): personal data planted in any output fails the
build naming the output and the text; names on the allow-list pass on their pages only; the
shipped build's outputs give no false hit."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from lehc_report import privacy
from lehc_report.tools import exit_gate

ROOT = Path(__file__).resolve().parents[1]
BUILD = ROOT / "_build"


@pytest.fixture(scope="module")
def settings():
    return privacy.load_settings(ROOT)


def page(body: str) -> str:
    return f"<html><head><title>t</title><script>var x = '07700 900123';</script></head><body>{body}</body></html>"


def fake_build(tmp_path: Path, pages: dict[str, str] | None = None, files: dict[str, str] | None = None) -> Path:
    build = tmp_path / "build"
    (build / "html" / "book").mkdir(parents=True)
    (build / "results").mkdir()
    (build / "tidy").mkdir()
    (build / "html" / "book" / "aims.html").write_text(page("<p>Mean 7.56 (SD 0.0441), p = .001</p>"), encoding="utf-8")
    (build / "results" / "quote_bank.csv").write_text("segment_id,text,share\nS01-q01,It helped.,0.0441\n", encoding="utf-8")
    for name, body in (pages or {}).items():
        (build / "html" / name).write_text(page(body), encoding="utf-8")
    for name, text in (files or {}).items():
        (build / name).parent.mkdir(parents=True, exist_ok=True)
        (build / name).write_text(text, encoding="utf-8")
    return build


def test_a_clean_fake_build_passes(tmp_path, settings):
    assert exit_gate.check_build(fake_build(tmp_path), settings, html=True) == []


@pytest.mark.parametrize("pages, files, expected", [
    ({"book/findings_people.html": "<p>Call 07700 <em>900123</em> or 0044\u00a07700\u00a0900124</p>"}, {},
     "html/book/findings_people.html: uk phone: '07700 900123'; uk phone: '0044\\xa07700\\xa0900124'"),
    ({"book/findings.html": "<td>Wilton,</td>"}, {}, None),  # a surname alone is not a name
    ({"book/findings.html": "<p>As <b>C.</b> Wilton said</p>"}, {}, "html/book/findings.html: name on the deny-list: 'C. Wilton'"),
    ({"book/aims2.html": '<img src="a.png" alt="photo of jo@example.org">'}, {},
     "html/book/aims2.html: email: 'jo@example.org'"),
    ({}, {"html/searchindex.js": 'Search.setIndex({"alltitles": {"Removed: Julia Slay": [[1, "x"]]}})'},
     "html/searchindex.js: name on the deny-list: 'Julia Slay'"),
    # JSON escapes are decoded first: "\u00eb" (an e with diaeresis) is not the postcode U0 0EB.
    ({}, {"html/searchindex.js": 'Search.setIndex({"terms": {"no\\u00ebl": [1], "jo@example.org": 2}})'},
     "html/searchindex.js: email: 'jo@example.org'"),
    ({}, {"html/searchindex.js": 'Search.setIndex({"terms": {"zo\\u00eb": [1]}})'}, None),
    ({}, {"html/_sources/book/findings.md": "Ring 020 7946 0958"}, "html/_sources/book/findings.md: uk phone: '020 7946 0958'"),
    ({}, {"results/theme_tally.csv": "name,count\nSE11 5NH theme,3\n"},
     "results/theme_tally.csv, row 2, column 'name': uk postcode: 'SE11 5NH'"),
    ({}, {"tidy/participants.csv": "participant_id,gender\n943 476 5919,female\n"},
     "tidy/participants.csv, row 2, column 'participant_id': nhs number: '943 476 5919'"),
    ({}, {"results/numbers.csv": "a,b\n0.04417700900,9434765919.5\n"}, None),  # numbers are not text cells
])
def test_planted_text_in_an_output_fails_naming_it(tmp_path, settings, pages, files, expected):
    found = exit_gate.check_build(fake_build(tmp_path, pages, files), settings, html=True)
    assert found == ([expected] if expected else [])


def test_allowed_names_pass_on_their_pages_only(tmp_path, settings):
    credit = "<p>Author: Dr Jenny Rouse, nef consulting. Cites Wilton, C (2012).</p>"
    build = fake_build(tmp_path, {"book/colophon.html": credit, "book/references.html": credit,
                                  "book/findings.html": credit})
    assert exit_gate.check_build(build, settings, html=True) == [
        "html/book/colophon.html: name on the deny-list: 'Wilton, C'",
        "html/book/findings.html: name on the deny-list: 'Jenny Rouse'; name on the deny-list: 'Wilton, C'"]


def test_the_command_fails_with_the_output_and_the_text(tmp_path):
    build = fake_build(tmp_path, {"book/findings.html": "<p>jo.bloggs@example.org</p>"})
    done = subprocess.run([sys.executable, "-m", "lehc_report.tools.exit_gate", "--build", str(build), "--html"],
                          cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 1
    assert "  html/book/findings.html: email: 'jo.bloggs@example.org'" in done.stderr.splitlines()


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(not (CHROMIUM and shutil.which("pdftotext")), reason="needs Chromium and pdftotext")
def test_planted_text_in_the_pdf_fails_naming_the_page(tmp_path, settings):
    source = tmp_path / "page.html"
    source.write_text(page("<h1>Findings</h1><p>Ring Maggie Woods on +44 20 7946 0958.</p>"), encoding="utf-8")
    build = tmp_path / "build"
    (build / "pdf").mkdir(parents=True)
    subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
                    f"--print-to-pdf={build / 'pdf' / 'book.pdf'}", source.as_uri()], check=True, capture_output=True,
                   timeout=120)
    assert exit_gate.check_build(build, settings, pdf=True) == [
        "pdf/book.pdf, page 1: uk phone: '+44 20 7946 0958'; name on the deny-list: 'Maggie Woods'"]


@pytest.mark.skipif(not (CHROMIUM and shutil.which("pdftotext")), reason="needs Chromium and pdftotext")
def test_a_contact_link_in_the_pdf_is_found_behind_its_text(tmp_path, settings):
    source = tmp_path / "page.html"
    source.write_text(page('<h1>Findings</h1><p><a href="mailto:jo.bloggs%40example.org">Write to us</a>.</p>'),
                      encoding="utf-8")
    build = tmp_path / "build"
    (build / "pdf").mkdir(parents=True)
    subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
                    f"--print-to-pdf={build / 'pdf' / 'book.pdf'}", source.as_uri()], check=True, capture_output=True,
                   timeout=120)
    assert exit_gate.check_build(build, settings, pdf=True) == ["pdf/book.pdf, page 1: email: 'jo.bloggs@example.org'"]


def test_qdpx_is_scanned_unless_the_respondent_is_allowed(tmp_path, settings):
    sys.path.insert(0, str(Path(__file__).parent))
    from qual_fixture import tables, write_fixture

    from lehc_report.inputs.qualitative import load_qualitative
    from lehc_report.tools.qdpx import write_qdpx

    t = tables()
    t["interview_segments.csv"][1][1]["text"] = "Write to me at jo.bloggs@example.org about it."
    data = load_qualitative(write_fixture(tmp_path / "csv", t))
    build = tmp_path / "build"
    write_qdpx(data, build / "lehc.qdpx", "LEHC")
    found = exit_gate.check_build(build, settings, qdpx=True)
    assert len(found) == 1 and found[0].startswith("lehc.qdpx, sources/") and found[0].endswith(
        "(respondent I01): email: 'jo.bloggs@example.org'")
    allowed = privacy.PrivacySettings(**{**settings.__dict__, "qdpx_allow_respondents": ("I01",)})
    assert exit_gate.check_build(build, allowed, qdpx=True) == []


@pytest.mark.skipif(not (BUILD / "html" / "index.html").exists(), reason="needs make book")
def test_the_shipped_build_has_no_false_hit(settings):
    pdf = (BUILD / "pdf" / "book.pdf").exists() and shutil.which("pdftotext") is not None
    assert exit_gate.check_build(BUILD, privacy.load_settings(ROOT, ROOT / "data"), html=True, pdf=pdf,
                                  docx=True) == []


def test_make_qdpx_refuses_personal_data_unless_the_respondent_is_allowed(tmp_path, capsys):
    """The input scan `make qdpx` runs first: qdpx_allow_respondents in privacy.yml lifts it for
    the named respondent's rows only."""
    import csv

    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    path = data / "interview_segments.csv"
    rows = list(csv.reader(path.open(encoding="utf-8", newline="")))
    row = next(r for r in rows if r[1] == "I04")
    row[3] += " Ask Maggie Woods."
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)
    root = tmp_path / "project"
    (root / "data").mkdir(parents=True)
    shutil.copy(ROOT / "data" / "deny_list.txt", root / "data" / "deny_list.txt")
    settings_text = (ROOT / "privacy.yml").read_text(encoding="utf-8")
    (root / "privacy.yml").write_text(settings_text, encoding="utf-8")
    command = ["--inputs-for-qdpx", "--data", str(data), "--root", str(root)]
    with pytest.raises(SystemExit) as stopped:
        exit_gate.main(command)
    assert stopped.value.code == 1
    number = rows.index(row) + 1
    assert capsys.readouterr().err.startswith(
        f"make qdpx: interview_segments.csv, row {number}, column 'text': possible personal data "
        "(name on the deny-list: 'Maggie Woods'); redact it in the source file, then rebuild (or, for the coding "
        "team only, allow the respondent under qdpx_allow_respondents in privacy.yml)")
    allowed = settings_text.replace("qdpx_allow_respondents: []",
                                    "qdpx_allow_respondents:\n  - {respondent: I04, why: the coders need the name}")
    (root / "privacy.yml").write_text(allowed, encoding="utf-8")
    exit_gate.main(command)  # passes
    assert privacy.load_settings(root).qdpx_allow_respondents == ("I04",)


@pytest.mark.skipif(not (BUILD / "html" / "searchindex.js").exists(), reason="needs make book")
def test_the_shipped_search_index_holds_only_current_words():
    from sphinx.search import js_index

    index = js_index.loads((BUILD / "html" / "searchindex.js").read_text(encoding="utf-8"))
    assert [w for key in ("terms", "titleterms") for w, pages in index[key].items() if pages == []] == []


def test_a_word_document_is_scanned_part_by_part_runs_joined_alt_text_included(tmp_path, settings):
    import docx

    document = docx.Document()
    paragraph = document.add_paragraph("Ring 07700 ")
    paragraph.add_run("900123 after six.")  # a number split over two runs, as Word stores edits
    document.add_paragraph("Nothing here.")
    document.core_properties.author = "jo.bloggs@example.org"
    path = tmp_path / "report.docx"
    document.save(str(path))
    with zipfile.ZipFile(path) as archive:  # a picture's alternative text, as pandoc writes it
        parts = {name: archive.read(name) for name in archive.namelist()}
    parts["word/document.xml"] = parts["word/document.xml"].replace(
        b"</w:body>", b'<wp:docPr xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
                      b'id="1" name="Picture 1" descr="Photo of Maggie Woods"/></w:body>')
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    assert list(exit_gate.scan_docx(path, settings, shown_as=Path("docx/report.docx"))) == [
        "docx/report.docx, docProps/core.xml: email: 'jo.bloggs@example.org'",
        "docx/report.docx, word/document.xml: uk phone: '07700 900123'; name on the deny-list: 'Maggie Woods'"]


def test_a_word_document_with_personal_data_is_never_written(tmp_path, settings, monkeypatch):
    from lehc_report.tools import docx as word

    out = tmp_path / "docx" / "report.docx"
    out.parent.mkdir()
    out.write_bytes(b"previous document")
    monkeypatch.setattr(word, "combined_html", lambda html_dir, toc: "<html><body><p>Mail jo@example.org</p></body></html>")
    with pytest.raises(exit_gate.ExitGateFailure) as refused:
        word.build_docx(tmp_path, ROOT / "_toc.yml", out, settings)
    assert str(refused.value).splitlines()[1:] == ["  docx/report.docx, word/document.xml: email: 'jo@example.org'"]
    assert out.read_bytes() == b"previous document" and [p.name for p in out.parent.iterdir()] == ["report.docx"]


def test_a_contact_link_is_scanned_whatever_text_it_shows(tmp_path, settings):
    """A mailto: or tel: target is personal data behind harmless link text (pages and Word)."""
    text = exit_gate.html_text('<p><a href="mailto:jo.bloggs%40example.org">write to us</a> or '
                               '<a href="tel:+442079460958">ring</a>; <a href="book/aims.html">aims</a></p>')
    assert ("email", "jo.bloggs@example.org") in privacy.find_personal_data(text, settings)
    assert ("uk phone", "+442079460958") in privacy.find_personal_data(text, settings)
    rels = (b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            b'<Relationship Id="r1" Type="hyperlink" Target="mailto:jo.bloggs@example.org" TargetMode="External"/>'
            b'<Relationship Id="r2" Type="image" Target="media/rId59.png"/></Relationships>')
    assert exit_gate.docx_part_text(rels).split() == ["mailto:jo.bloggs@example.org"]
