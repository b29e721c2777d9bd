"""The built HTML report, opened in a real browser (system Chromium via Playwright).

Needs ``make book`` (the site in ``_build/html``) and a Chromium: ``$CHROMIUM``, else
the first of /usr/bin/chromium, /usr/bin/chromium-browser, /usr/bin/google-chrome
(the same search as ``make pdf``).  Without either, the tests fail, saying why.

The site is served from 127.0.0.1 by a throw-away HTTP server, so that any
request to another host is visible (and refused) as such.
"""

from __future__ import annotations

import functools
import http.server
import posixpath
import threading
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from conftest import PATHS, toc_documents

pytestmark = [pytest.mark.browser, pytest.mark.build]

ROOT = Path(__file__).resolve().parents[1]
BUILD = PATHS.build
SITE = BUILD / "html"
#: Folders of the build that hold assets, not pages.
NOT_PAGES = ("_static", "_sources", "_images", "_downloads")
#: axe-core impacts that fail the accessibility test.
BLOCKING_IMPACTS = ("serious", "critical")


def site_pages() -> list[str]:
    """Every page of the site, as a path relative to ``_build/html``."""
    if not SITE.is_dir():
        return []
    pages = []
    for path in sorted(SITE.rglob("*.html")):
        rel = path.relative_to(SITE)
        if rel.parts[0] in NOT_PAGES:
            continue
        pages.append(rel.as_posix())
    return pages


PAGES = site_pages() or ["index.html"]  # one placeholder, so the missing build is reported
CONTENT_PAGES = [p for p in PAGES if p not in ("genindex.html", "search.html")] or PAGES


toc_files = toc_documents  # shared with the PDF tests (conftest)


# ---- fixtures -------------------------------------------------------------------------


@pytest.fixture(scope="session")
def site() -> Path:
    if not (SITE / "index.html").is_file():
        pytest.fail(f"{SITE / 'index.html'} does not exist: run `make book` first", pytrace=False)
    return SITE


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass


@pytest.fixture(scope="session")
def server(site: Path):
    handler = functools.partial(_QuietHandler, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()


class PageLog:
    """What a page did while loading: console errors, failures, off-host requests."""

    def __init__(self, origin: str):
        self.origin = origin
        self.console_errors: list[str] = []
        self.page_errors: list[str] = []
        self.failed: list[str] = []
        self.off_host: list[str] = []

    def problems(self) -> list[str]:
        return (
            [f"console error: {m}" for m in self.console_errors]
            + [f"page error: {m}" for m in self.page_errors]
            + [f"failed request: {m}" for m in self.failed]
            + [f"off-host request: {m}" for m in self.off_host]
        )


@pytest.fixture
def open_page(browser, server):
    """``open_page(path)`` -> (page, log): the page loaded, off-host requests refused."""
    context = browser.new_context(color_scheme="light", viewport={"width": 1280, "height": 900})
    origin = server.rstrip("/")

    def open_(path: str, settle: bool = True):
        page = context.new_page()
        log = PageLog(origin)

        def route(route):
            url = route.request.url
            if url.startswith(origin + "/") or url.startswith(("data:", "blob:", "about:")):
                route.continue_()
            else:
                log.off_host.append(url)
                route.abort()

        page.route("**/*", route)
        page.on("console", lambda m: log.console_errors.append(f"{m.text} ({m.location.get('url', '')})") if m.type == "error" else None)
        page.on("pageerror", lambda e: log.page_errors.append(str(e)))
        # (refused off-host requests fail too; they are listed once, as off-host)
        page.on("requestfailed", lambda r: log.failed.append(f"{r.url} ({r.failure})") if r.url.startswith(origin) else None)
        page.on("response", lambda r: log.failed.append(f"{r.url} (HTTP {r.status})") if r.status >= 400 else None)
        page.goto(server + path, wait_until="load" if settle else "domcontentloaded")
        if settle:  # until late (async) requests are done too
            page.wait_for_load_state("networkidle")
        return page, log

    yield open_
    context.close()


# ---- static checks of the HTML --------------------------------------------------------


class _Anchors(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for key in ("id", "name") if tag == "a" else ("id",):
            if attrs.get(key):
                self.ids.add(attrs[key])
        if tag == "a" and attrs.get("href") is not None:
            self.links.append(attrs["href"])
        if tag in ("link", "script", "img", "source") and (attrs.get("href") or attrs.get("src")):
            if tag != "link" or (attrs.get("rel") or "") not in ("canonical",):
                self.links.append(attrs.get("href") or attrs.get("src"))


@functools.lru_cache(maxsize=None)
def _parse(path: Path) -> _Anchors:
    parser = _Anchors()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


@pytest.mark.parametrize("page_path", PAGES)
def test_internal_links_and_anchors_resolve(site, page_path):
    broken = []
    for href in _parse(site / page_path).links:
        parts = urlsplit(href)
        if parts.scheme in ("http", "https", "mailto", "tel", "data", "javascript") or parts.netloc:
            continue  # links to other sites are not followed (loads are checked in the browser)
        target = site / page_path if not parts.path else Path(
            posixpath.normpath(posixpath.join(posixpath.dirname((site / page_path).as_posix()), unquote(parts.path)))
        )
        if target.is_dir():
            target = target / "index.html"
        if not target.exists():
            broken.append(f"{href}: {target.relative_to(site) if target.is_relative_to(site) else target} does not exist")
            continue
        if parts.fragment and target.suffix == ".html":
            if unquote(parts.fragment) not in _parse(target).ids:
                broken.append(f"{href}: no id {unquote(parts.fragment)!r} in {target.relative_to(site)}")
    assert not broken, f"{page_path}: broken links:\n  " + "\n  ".join(broken)


def test_every_toc_chapter_is_built(site):
    missing = [f"{doc}.html" for doc in toc_files() if not (site / f"{doc}.html").is_file()]
    assert not missing, f"chapters of _toc.yml without a page: {missing}"


# ---- in the browser -------------------------------------------------------------------


@pytest.mark.parametrize("page_path", PAGES)
def test_page_loads_cleanly_offline(open_page, page_path):
    page, log = open_page(page_path)
    page.close()
    assert not log.problems(), f"{page_path}:\n  " + "\n  ".join(log.problems())


@pytest.mark.parametrize("page_path", PAGES)
def test_images_load_and_have_alt_text(open_page, page_path):
    page, _ = open_page(page_path)
    page.evaluate("Promise.all(Array.from(document.images).map(i => i.decode().catch(() => null)))")
    images = page.evaluate(
        """Array.from(document.images).map(i => ({
             src: i.getAttribute('src'), alt: i.getAttribute('alt'),
             complete: i.complete, width: i.naturalWidth}))"""
    )
    page.close()
    problems = []
    for img in images:
        if not img["complete"] or img["width"] == 0:
            problems.append(f"{img['src']}: did not load")
        if not (img["alt"] or "").strip():
            problems.append(f"{img['src']}: no alt text")
    assert not problems, f"{page_path}:\n  " + "\n  ".join(problems)


def test_navigation_reaches_every_chapter(open_page, server):
    """Following only the sidebar's links from the home page reaches every document of _toc.yml."""
    expected = {f"{doc}.html" for doc in toc_files()}
    seen: set[str] = set()
    queue = ["index.html"]
    while queue:
        path = queue.pop()
        if path in seen:
            continue
        seen.add(path)
        # index.html redirects to the root page: let it, and wait for the target
        page, _ = open_page(path, settle=path == "index.html")
        seen.add(page.url[len(server):].split("#")[0])
        hrefs = page.eval_on_selector_all(
            "nav.bd-docs-nav a[href], .bd-sidebar-primary a.navbar-brand[href]", "els => els.map(e => e.href)"
        )
        page.close()
        for href in hrefs:
            if not href.startswith(server):
                continue
            target = urlsplit(href).path[len(urlsplit(server).path):] or "index.html"
            if target.endswith("/"):
                target += "index.html"
            if target.endswith(".html") and target not in seen:
                queue.append(target)
    missing = sorted(expected - seen)
    assert not missing, f"not reachable through the navigation: {missing}"


@pytest.mark.parametrize("page_path", CONTENT_PAGES)
def test_no_serious_accessibility_violations(open_page, page_path):
    from axe_playwright_python.sync_playwright import Axe

    page, _ = open_page(page_path)
    results = Axe().run(page)
    page.close()
    blocking = [v for v in results.response["violations"] if v.get("impact") in BLOCKING_IMPACTS]
    lines = []
    for violation in blocking:
        targets = [", ".join(map(str, node.get("target", []))) for node in violation.get("nodes", [])][:5]
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}; e.g. {targets}")
    assert not blocking, f"{page_path}: axe-core found:\n  " + "\n  ".join(lines)
