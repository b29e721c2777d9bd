"""What keeps the Sphinx builds quick, each without changing a page.

* The Jupyter Book runs start through :mod:`lehc_report.tools.jupyter_book`, which keeps
  jsonschema from compiling ``rfc3987_syntax``'s grammars (1.6 s a run).
* The Sphinx process imports no pandas (nor numpy): our extension needs neither.
* The cohort's identity and content flags are read once per Sphinx build, not per page.
* The sidebar's toggles are still labelled (:func:`sphinxext.label_toggles`).

That the pages stay the same bytes is checked by the build tests (``test_reproducible.py``,
``test_incremental_build.py``) and ``make verify``.
"""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from bs4 import BeautifulSoup

from lehc_report.book import sphinxext
from lehc_report.paths import ProjectPaths

ROOT = Path(__file__).resolve().parents[1]


def run_python(code: str) -> str:
    """stdout of ``code`` run by this interpreter in a fresh process (imports start empty)."""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    return result.stdout.strip()


def test_the_wrapper_keeps_jsonschema_from_loading_rfc3987_syntax():
    # jsonschema imports the package when it is importable; after the wrapper, it is marked absent.
    seen = run_python("import lehc_report.tools.jupyter_book, jsonschema, sys; "
                      "print(sys.modules['rfc3987_syntax'] is None, 'lark' in sys.modules)")
    assert seen == "True False"


def test_without_the_wrapper_jsonschema_loads_it():
    # The test above is only worth something while jsonschema does import the package.
    assert run_python("import jsonschema, sys; print(sys.modules.get('rfc3987_syntax') is not None)") == "True"


def test_the_wrapper_is_jupyter_books_command_line():
    wrapper = subprocess.run([sys.executable, "-m", "lehc_report.tools.jupyter_book", "--version"], capture_output=True,
                             text=True, cwd=ROOT)
    original = subprocess.run([str(Path(sys.executable).parent / "jupyter-book"), "--version"], capture_output=True,
                              text=True, cwd=ROOT)
    assert wrapper.returncode == 0
    assert wrapper.stdout.startswith("Jupyter Book      : ")
    assert wrapper.stdout == original.stdout


def test_the_wrapper_passes_the_exit_status_on(tmp_path):
    result = subprocess.run([sys.executable, "-m", "lehc_report.tools.jupyter_book", "build", str(tmp_path / "absent")],
                            capture_output=True, text=True, cwd=ROOT)
    assert result.returncode != 0
    assert "does not exist" in result.stderr


def test_the_extension_and_its_report_check_import_no_pandas():
    seen = run_python("import sys; import lehc_report.book.sphinxext; "
                      "from lehc_report.book.report_check import report_problems; "
                      "problems = report_problems('Most respondents said so.', codebook_2013=True); "
                      "print(problems, 'pandas' in sys.modules, 'numpy' in sys.modules)")
    assert seen == "[] False False"


def test_the_report_check_still_finds_a_2013_sentence_for_another_codebook():
    from lehc_report.book.report_check import report_problems
    from lehc_report.published.codebook_2013 import FINGERPRINTS

    problems = report_problems(f"Intro. {FINGERPRINTS[0]} More.", codebook_2013=False)
    assert problems == [f"a sentence of the 2013 findings: {FINGERPRINTS[0]!r}"]
    assert report_problems(f"Intro. {FINGERPRINTS[0]} More.", codebook_2013=True) == []


def write_cohort(tmp_path: Path, content: dict | None) -> ProjectPaths:
    data = tmp_path / "data"
    data.mkdir()
    (data / "cohort.yml").write_text("programme: Test programme\nsynthetic: true\n", encoding="utf-8")
    paths = ProjectPaths(root=tmp_path, data=data, build=tmp_path / "_build")
    if content is not None:
        paths.content_flags.parent.mkdir(parents=True)
        paths.content_flags.write_text(json.dumps(content), encoding="utf-8")
    return paths


def test_identity_and_flags_are_read_once_per_build(tmp_path, monkeypatch):
    paths = write_cohort(tmp_path, {"coded": False})
    monkeypatch.setattr(sphinxext, "get_paths", lambda: paths)
    readings = []
    load = sphinxext.load_identity
    monkeypatch.setattr(sphinxext, "load_identity", lambda data: readings.append(data) or load(data))
    app = SimpleNamespace()
    flags = [sphinxext.build_content_flags(app) for _ in range(5)]
    identity = sphinxext.build_identity(app)
    assert readings == [paths.data]
    assert identity.programme == "Test programme"
    assert flags[0]["coded"] is False and flags[0]["synthetic"] is True
    assert all(f == flags[0] for f in flags)
    assert flags[0] == sphinxext.content_flags(paths)
    sphinxext.build_content_flags(SimpleNamespace())  # another build reads again
    assert len(readings) == 3  # that build's identity, and content_flags(paths) above


def test_build_content_flags_are_a_copy_each_time(tmp_path, monkeypatch):
    paths = write_cohort(tmp_path, None)
    monkeypatch.setattr(sphinxext, "get_paths", lambda: paths)
    app = SimpleNamespace()
    sphinxext.build_content_flags(app)["synthetic"] = False
    assert sphinxext.build_content_flags(app)["synthetic"] is True


def test_content_flags_use_the_identity_given(tmp_path):
    paths = write_cohort(tmp_path, {"paired": True})
    other = dataclasses.replace(sphinxext.load_identity(paths.data), synthetic=False)
    assert sphinxext.content_flags(paths)["synthetic"] is True
    flags = sphinxext.content_flags(paths, identity=other)
    assert flags["synthetic"] is False and flags["paired"] is True


def test_label_toggles_names_each_empty_summary_after_its_chapter():
    soup = BeautifulSoup(
        '<ul><li><a href="a.html">Findings <em>in</em> brief</a><details><summary><i class="fa-chevron"></i></summary>'
        '<ul><li><a href="b.html">B</a></li></ul></details></li>'
        '<li><details><summary> </summary></details></li>'
        '<li><a href="c.html">C</a><details><summary>Has text</summary></details></li>'
        '<li><a href="d.html">D</a><details><summary aria-label="Kept"></summary></details></li></ul>', "html.parser")
    assert sphinxext.label_toggles(soup) is soup
    labels = [s.get("aria-label") for s in soup.find_all("summary")]
    assert labels == ["Sections of Findings in brief", "Show or hide sections", None, "Kept"]


def test_label_toggles_leaves_a_string_alone():
    assert sphinxext.label_toggles("<ul></ul>") == "<ul></ul>"


@pytest.mark.parametrize("module", ["lehc_report.tools.exit_gate", "lehc_report.tools.build", "lehc_report.tools.publish"])
def test_the_builds_other_steps_import_neither_pandas_nor_rfc3987_syntax(module):
    assert run_python(f"import sys, {module}; print('pandas' in sys.modules, 'rfc3987_syntax' in sys.modules)") \
        == "False False"


def test_the_search_index_stems_with_the_c_stemmer_and_the_same_stems():
    # Sphinx's English search language stems with snowballstemmer, which hands over to
    # PyStemmer (requirements.txt) when it is installed; the stems, and so searchindex.js,
    # must be those of the pure-Python algorithm.
    import Stemmer
    import snowballstemmer
    from snowballstemmer.porter_stemmer import PorterStemmer
    from sphinx.search.en import SearchEnglish

    search = SearchEnglish({})
    assert isinstance(search.stemmer, Stemmer.Stemmer)
    words = sorted({w.lower() for page in (ROOT / "book").glob("*.md")
                    for w in page.read_text(encoding="utf-8").split() if w.isalpha()})
    assert len(words) > 500
    python = PorterStemmer()
    assert [search.stem(w) for w in words] == [python.stemWord(w) for w in words]
    assert snowballstemmer.stemmer("porter").stemWord("relational") == "relat"  # Porter (1980), step 2
