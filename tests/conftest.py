"""Shared fixtures: the project root, the build's paths and the built report."""

import re
from pathlib import Path

import pytest

from lehc_report.paths import ProjectPaths, get_paths

ROOT = Path(__file__).resolve().parents[1]
#: This build's paths (``LEHC_DATA``/``LEHC_BUILD`` as Make sets them, else data/ and _build/):
#: the tests read no environment variable themselves.  Module-level because some tests
#: list the built pages when they are collected.
PATHS: ProjectPaths = get_paths(root=ROOT)
HTML = PATHS.html


@pytest.fixture(scope="session")
def project_paths() -> ProjectPaths:
    """The paths of the build under test (see :data:`PATHS`)."""
    return PATHS


def visible_text(html: str) -> str:
    """Page text without scripts, styles and tags, whitespace collapsed."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S | re.I)
    text = re.sub(r"<[^>]+>", " ", html)
    import html as html_lib

    return re.sub(r"\s+", " ", html_lib.unescape(text))


@pytest.fixture(scope="session")
def built_html() -> Path:
    if not (HTML / "index.html").exists():
        pytest.fail("the report has not been built: run `make book` first (make test does this)")
    return HTML


@pytest.fixture(scope="session")
def page_text(built_html):
    cache = {}

    def read(relative: str) -> str:
        if relative not in cache:
            cache[relative] = visible_text((built_html / relative).read_text(encoding="utf-8"))
        return cache[relative]

    return read


def toc_documents() -> list[str]:
    """Every document of ``_toc.yml`` (root, chapters, sections) in order, without suffix."""
    import yaml

    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    files = [toc["root"]]

    def walk(entries):
        for entry in entries or []:
            if "file" in entry:
                files.append(entry["file"])
            walk(entry.get("sections"))
            walk(entry.get("chapters"))

    for part in toc.get("parts", []):
        walk(part.get("chapters"))
    walk(toc.get("chapters"))
    return [str(Path(f).with_suffix("")) for f in files]


# ---- one browser for the whole session --------------------------------------------------
# Playwright's sync API runs an event loop for as long as it is open; a second
# sync_playwright() while another is open fails ("using Playwright Sync API inside the
# asyncio loop").  So every browser test shares this one.


@pytest.fixture(scope="session")
def chromium() -> str:
    from lehc_report.tools.pdf import find_chromium

    try:
        return find_chromium()
    except SystemExit as missing:
        pytest.fail(f"the browser tests need Chromium: {missing}", pytrace=False)


@pytest.fixture(scope="session")
def browser(chromium: str):
    from playwright.sync_api import sync_playwright

    from lehc_report.tools.pdf import CHROMIUM_ARGS

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
