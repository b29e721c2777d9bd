"""A cohort with markup in every text field, built and opened in Chromium with JavaScript on.

``tests/payloads.py`` puts a payload (script element, event-handler attribute, ``{raw}``
and ``{eval-rst}`` blocks, roles, substitutions, a remote image, links, a
``javascript:`` URL, a style element, maths, a 10,000-character word, right-to-left and
zero-width characters) into every survey answer, passage, role label, codebook and
framework text, programme and client name, the cohort's title, credits, context and
principles, and a file name.  The report is built from it
(``make book DATA=... BUILD=...``, a few minutes), served from 127.0.0.1 and every page
is opened with JavaScript on, recording every request and dialog.  On no page may a
dialog open, a request leave the built folder, an element or attribute come from the
data, the data read other than as typed, or the page be wider than the window.

Set ``LEHC_PAYLOAD_BUILD`` to the ``_build`` folder of a project copy built with
``make book DATA=<folder made by python tests/payloads.py data FOLDER>`` to reuse it.
"""

from __future__ import annotations

import functools
import http.server
import os
import re
import shutil
import subprocess
import threading
from pathlib import Path

import pytest
from payloads import MARK, make_payload_cohort, payload, shown

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[1]
VIEWPORT = {"width": 1280, "height": 900}
NOT_PAGES = ("_static", "_sources", "_images", "_downloads")

#: Elements the data could only have made by being parsed as markup.
MARKUP_TAGS = ("SCRIPT", "STYLE", "IMG", "IFRAME", "OBJECT", "EMBED", "SVG", "MATH", "EM", "STRONG", "CODE", "KBD",
               "DEL", "S", "B", "I")

#: For every element: attributes holding data (or a payload's URL) and markup elements holding a marker.
FIND_DATA_ELEMENTS = """
([mark, markupTags]) => {
  const found = [];
  for (const el of document.querySelectorAll('*')) {
    for (const attr of el.attributes) {
      const value = attr.value;
      const sphinxMade = ['id', 'href', 'aria-labelledby', 'aria-describedby', 'title'].includes(attr.name);
      if (/evil\\.example|^\\s*javascript:/i.test(value) || (value.includes(mark) && !sphinxMade)
          || (attr.name.startsWith('on') && value.includes(mark))) {
        found.push(`${el.tagName} ${attr.name}="${value.slice(0, 80)}"`);
      }
    }
    const tag = el.tagName.toUpperCase();
    if ((markupTags.includes(tag) || el.classList.contains('math')) && el.textContent.includes(mark)) {
      found.push(`<${el.tagName.toLowerCase()}> ${el.textContent.slice(0, 80)}`);
    }
  }
  return found;
}
"""

#: The page's text as a reader sees it (text nodes outside scripts and styles).
PAGE_TEXT = """
() => {
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT, {
    acceptNode: (n) => n.parentElement.closest('script, style, noscript, template')
      ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT});
  const parts = [];
  while (walker.nextNode()) parts.push(walker.currentNode.data);
  return parts.join(' ');
}
"""


def project_copy(target: Path) -> Path:
    """The project's files (tracked and untracked, not ignored) copied to ``target``, mtimes kept."""
    files = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=ROOT, capture_output=True, text=True,
                           check=True).stdout.split()
    for name in files:
        if (ROOT / name).is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, target / name)
    return target


@pytest.fixture(scope="module")
def payload_build(tmp_path_factory) -> tuple[Path, dict[str, str]]:
    """The payload cohort's built site, and marker -> the field text that carries it.

    Built in a copy of the project (the chapters include their tables from ``_build``),
    reusing this project's ``.venv``.
    """
    reuse = os.environ.get("LEHC_PAYLOAD_BUILD")
    root = tmp_path_factory.mktemp("payload")
    placed = make_payload_cohort(ROOT / "data", root / "cohort")
    if reuse:
        return Path(reuse) / "html", placed
    repo = project_copy(root / "repo")
    env = dict(os.environ, PYTHONPATH=str(repo / "src"))
    env.pop("LEHC_DATA", None)
    env.pop("LEHC_BUILD", None)
    run = subprocess.run(["nice", "-n", "10", "make", "book", f"VENV={ROOT / '.venv'}", f"DATA={root / 'cohort'}"],
                         cwd=repo, env=env, capture_output=True, text=True)
    if run.returncode != 0:
        pytest.fail(f"the payload cohort did not build:\n{(run.stdout + run.stderr)[-3000:]}", pytrace=False)
    return repo / "_build" / "html", placed


#: Sphinx's smartquotes transform curls straight quotes in every text node of the book,
#: data included: typography, not markup, so quotes are compared straightened.
STRAIGHT_QUOTES = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"'})


@pytest.fixture(scope="module")
def served(payload_build):
    site, _ = payload_build

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format, *args):  # noqa: A002 - the base class's name
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(site)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture(scope="module")
def visits(payload_build, served, browser):
    """Page -> what happened when it was opened: dialogs, requests, data elements, text, width."""
    site, _ = payload_build
    pages = sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html") if p.relative_to(site).parts[0] not in NOT_PAGES)
    results = {}
    context = browser.new_context(viewport=VIEWPORT, java_script_enabled=True)
    try:
        for name in pages:
            page = context.new_page()
            record = {"dialogs": [], "requests": []}
            page.on("dialog", lambda d, r=record: (r["dialogs"].append(d.message), d.dismiss()))
            page.on("request", lambda q, r=record: r["requests"].append(q.url))
            page.goto(served + name, wait_until="load")
            page.wait_for_timeout(200)  # let onload handlers and deferred scripts run
            # The top index.html only redirects (a meta refresh): wait for the page it opens.
            page.wait_for_load_state("load")
            page.wait_for_function("document.body !== null")
            record["data_elements"] = page.evaluate(FIND_DATA_ELEMENTS, [MARK, list(MARKUP_TAGS)])
            record["text"] = " ".join(page.evaluate(PAGE_TEXT).split())
            record["width"] = page.evaluate("document.documentElement.scrollWidth")
            results[name] = record
            page.close()
    finally:
        context.close()
    return results


def test_every_page_was_opened(visits):
    assert "index.html" in visits and len(visits) >= 10


def test_no_dialog_opens(visits):
    assert {p: v["dialogs"] for p, v in visits.items() if v["dialogs"]} == {}


def test_no_request_leaves_the_built_folder(visits, served):
    outside = {p: [u for u in v["requests"] if not u.startswith((served, "data:", "blob:"))] for p, v in visits.items()}
    assert {p: u for p, u in outside.items() if u} == {}


def test_no_element_or_attribute_is_made_from_data(visits):
    assert {p: v["data_elements"] for p, v in visits.items() if v["data_elements"]} == {}


def test_no_page_is_wider_than_the_window(visits):
    assert {p: v["width"] for p, v in visits.items() if v["width"] > VIEWPORT["width"]} == {}


def test_data_reads_as_typed_wherever_it_appears(visits, payload_build):
    """Each payload that reaches a chapter appears there whole, as typed (bidi controls removed).

    The analysis notebooks' pages show their own data structures (pandas cuts long cells to
    50 characters, a dict's repr escapes quotes), so they are held to every other check but
    not this one.
    """
    _, placed = payload_build
    wrong, seen = {}, set()
    for page, visit in visits.items():
        if not page.startswith(("book/", "notebooks/05_about")):
            continue
        text = visit["text"].translate(STRAIGHT_QUOTES).casefold()
        for marker in placed:
            if marker.casefold() not in text:
                continue
            seen.add(marker)
            field, kind = marker.split("-")[1:3]
            expected = shown(placed[marker]) if field == "filename" else shown(payload(field, kind))
            if expected.casefold() not in text:
                wrong.setdefault(page, []).append(marker)
    assert wrong == {}
    fields = {re.match(r"[a-z]+", marker.split("-")[1]).group() for marker in seen}
    # Every kind of field that the report shows was found on some page.
    assert {"role", "theme", "code", "area", "tagline", "behaviour", "wave", "client", "filename",
            "title", "creditsevaluator", "creditsreporttitle", "origins", "partner", "principle", "principledesc"} <= fields
    assert {"answer", "passage"} & fields
