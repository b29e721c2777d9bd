"""An incremental build writes what a clean build does.

* The search index holds only the current pages' words: a word removed from a chapter,
  or from the data a page quotes, is gone from ``searchindex.js`` after the next build
  (Sphinx 7.4 kept it as ``"word": []``).
* Pages rewritten by an incremental build link myst-nb's stylesheet as a clean build
  does (``mystnb.<hash>.css?v=<crc>``; clean builds used to link it without ``?v=``).
* Slow: the real ``make book pdf`` in a copy of the project, edited and rebuilt, is
  byte-identical (pages, search index, PDF) and text-identical to a clean build of the
  same sources in another folder.

The fast tests build a two-page Sphinx project with only the handlers under test.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from lehc_report.tools import verify
from lehc_report.tools.bench import copy_project

ROOT = Path(__file__).resolve().parents[1]


def search_terms(searchindex: Path) -> dict:
    """The ``terms`` of a ``searchindex.js`` (``Search.setIndex({...})``)."""
    text = searchindex.read_text(encoding="utf-8")
    return json.loads(text[text.index("(") + 1:text.rindex(")")])["terms"]


# ---- fast: Sphinx alone, with the extension's handlers -------------------------------------
def sphinx_project(folder: Path, handlers: str, extensions: str = "") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "conf.py").write_text(
        f"extensions = [{extensions}]\n"
        "from lehc_report.book import sphinxext\n"
        "def setup(app):\n"
        + "".join(f"    app.connect('builder-inited', sphinxext.{name})\n" for name in handlers.split())
        + "    return {}\n",
        encoding="utf-8")
    (folder / "index.rst").write_text("Index\n=====\n\n.. toctree::\n\n   chapter\n\nCommon words here.\n",
                                      encoding="utf-8")
    (folder / "chapter.rst").write_text("Chapter\n=======\n\nThe quokka sat in a wheelbarrow.\n", encoding="utf-8")
    return folder


def sphinx_build(project: Path, *options: str) -> Path:
    from sphinx.cmd.build import build_main

    out = project / "_out"
    assert build_main(["-q", "-b", "html", *options, str(project), str(out)]) == 0
    return out


@pytest.mark.parametrize("fresh", [False, True], ids=["incremental", "all pages re-read (--all)"])
def test_a_word_removed_from_a_page_leaves_the_search_index(tmp_path, fresh):
    project = sphinx_project(tmp_path / "p", "search_index_of_current_pages")
    out = sphinx_build(project)
    assert "quokka" in search_terms(out / "searchindex.js") and "wheelbarrow" in search_terms(out / "searchindex.js")
    chapter = project / "chapter.rst"
    chapter.write_text("Chapter\n=======\n\nThe wombat sat in a wheelbarrow.\n", encoding="utf-8")
    terms = search_terms(sphinx_build(project, *(["-E"] if fresh else [])) / "searchindex.js")
    assert "quokka" not in terms
    assert "wombat" in terms and "wheelbarrow" in terms and "common" in terms


def test_sphinx_alone_keeps_removed_words(tmp_path):
    """The fault the handler mends: without it the removed word stays, with no page."""
    project = sphinx_project(tmp_path / "p", "")
    sphinx_build(project)
    (project / "chapter.rst").write_text("Chapter\n=======\n\nThe wombat sat.\n", encoding="utf-8")
    assert search_terms(sphinx_build(project) / "searchindex.js")["quokka"] == []


def test_drop_unused_search_terms_removes_only_words_without_pages():
    from types import SimpleNamespace

    from lehc_report.book.sphinxext import drop_unused_search_terms

    indexer = SimpleNamespace(_mapping={"quokka": set(), "wombat": {"chapter"}},
                              _title_mapping={"chapter": {"chapter"}, "old": set()})
    assert drop_unused_search_terms(indexer) == ["old", "quokka"]
    assert indexer._mapping == {"wombat": {"chapter"}} and indexer._title_mapping == {"chapter": {"chapter"}}


def stylesheet_links(page: Path) -> list[str]:
    import re

    return re.findall(r'href="(_static/mystnb\.[^"]+)"', page.read_text(encoding="utf-8"))


def test_clean_and_incremental_builds_link_mystnb_css_alike(tmp_path):
    project = sphinx_project(tmp_path / "p", "copy_mystnb_css_before_pages", extensions="'myst_nb'")
    clean = stylesheet_links(sphinx_build(project) / "chapter.html")
    assert len(clean) == 1 and "?v=" in clean[0], clean
    (project / "chapter.rst").write_text("Chapter\n=======\n\nEdited.\n", encoding="utf-8")
    assert stylesheet_links(sphinx_build(project) / "chapter.html") == clean


# ---- slow: the real build ------------------------------------------------------------------
def make(repo: Path, *arguments: str) -> str:
    env = dict(os.environ, PYTHONPATH=str(repo / "src"), SOURCE_DATE_EPOCH="1700000000")
    for name in ("LEHC_DATA", "LEHC_BUILD", "MAKEFLAGS", "MAKELEVEL"):
        env.pop(name, None)
    done = subprocess.run(["make", *arguments, f"VENV={ROOT / '.venv'}"], cwd=repo, env=env, capture_output=True,
                          text=True, timeout=3600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return done.stdout + done.stderr


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.mark.slow
@pytest.mark.browser
def test_incremental_builds_forget_removed_words_and_equal_a_clean_build(tmp_path, capsys):
    repo = copy_project(ROOT, tmp_path / "repo")
    built = repo / "_build"
    make(repo, "book", "pdf")
    # A word added to a chapter, then removed (a prose-only build: no page re-read by force).
    aims = repo / "book" / "aims.md"
    original_aims = aims.read_text(encoding="utf-8")
    aims.write_text(original_aims + "\nA quokka passed by.\n", encoding="utf-8")
    make(repo, "book", "pdf")
    assert "quokka" in search_terms(built / "html" / "searchindex.js")
    aims.write_text(original_aims, encoding="utf-8")
    log = make(repo, "book", "pdf")
    assert "all pages re-read" not in log
    assert "quokka" not in search_terms(built / "html" / "searchindex.js")
    # A word of the data, quoted on one page (interview segment I02-04), replaced.
    assert "spreadsheet" in search_terms(built / "html" / "searchindex.js")
    replace_in(repo / "data" / "interview_segments.csv", "spreadsheet", "ledger")
    make(repo, "book", "pdf")
    terms = search_terms(built / "html" / "searchindex.js")
    assert "spreadsheet" not in terms and "ledger" in terms
    # The same sources, built clean in another folder: the same bytes and text.
    make(repo, "book", "pdf", f"BUILD={tmp_path / 'clean build'}")
    capsys.readouterr()
    status = verify.compare_builds(built, tmp_path / "clean build")
    out = capsys.readouterr().out
    assert status == 0, "\n".join(line for line in out.splitlines() if not line.startswith("PASS"))
    assert "PASS bytes:html/searchindex.js" in out and "PASS bytes:pdf/book.pdf" in out
    assert "PASS bytes:html/book/aims.html" in out and "PASS text:pdf/book.pdf" in out
