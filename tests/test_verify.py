"""make verify's comparisons: artefacts, the pages' and the PDF's text, two builds byte for byte."""

from __future__ import annotations

from pathlib import Path

from lehc_report.tools import verify

PAGE = """<html><head><title>T</title><style>p { color: red }</style>
<script>var x = "not text";</script></head>
<body><h1>Results</h1><!-- a comment --><p>Scores rose by <b>1.00</b>&nbsp;point.</p>
<noscript>enable js</noscript></body></html>"""


def fake_build(folder: Path, words: str = "rose") -> Path:
    (folder / "html" / "book").mkdir(parents=True)
    (folder / "results").mkdir()
    (folder / "html" / "book" / "findings.html").write_text(PAGE.replace("rose", words), encoding="utf-8")
    (folder / "html" / "searchindex.js").write_text(f'Search.setIndex({{"terms": ["{words}"]}})', encoding="utf-8")
    (folder / "results" / "area_tests.csv").write_text("area,t\nSI,-7.799\n", encoding="utf-8")
    return folder


def test_page_text_is_what_a_reader_sees(tmp_path):
    page = tmp_path / "p.html"
    page.write_text(PAGE, encoding="utf-8")
    assert verify.page_text(page) == "T Results Scores rose by 1.00 point."


def test_compare_texts_names_the_page_and_the_first_difference():
    lines = verify.compare_texts({"text:a.html": "Scores rose by 1.00", "text:gone.html": "x"},
                                 {"text:a.html": "Scores fell by 1.00", "text:new.html": "y"})
    assert lines[0].startswith("FAIL text:a.html (at character 7: 'Scores rose by 1.00' became 'Scores fell by 1.00'")
    assert lines[1:] == ["MISSING text:gone.html", "EXTRA text:new.html"]


def test_two_identical_builds_compare_equal(tmp_path, capsys):
    a, b = fake_build(tmp_path / "a"), fake_build(tmp_path / "b")
    assert verify.compare_builds(a, b) == 0
    out = capsys.readouterr().out
    assert "PASS bytes:html/searchindex.js" in out and "PASS text:html/book/findings.html" in out
    assert "PASS bytes:results/area_tests.csv" in out


def test_a_changed_word_fails_bytes_text_and_search_index(tmp_path, capsys):
    a, b = fake_build(tmp_path / "a"), fake_build(tmp_path / "b", words="fell")
    assert verify.compare_builds(a, b) == 1
    out = capsys.readouterr().out
    assert "FAIL bytes:html/searchindex.js" in out
    assert "FAIL bytes:html/book/findings.html" in out
    assert "FAIL text:html/book/findings.html" in out
    assert "PASS bytes:results/area_tests.csv" in out
