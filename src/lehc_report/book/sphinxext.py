"""A Sphinx extension for the report's HTML (listed in ``_config.yml``).

Two fixes to what the theme stack writes, both caught by ``tests/test_browser.py``:

* Duplicate ``<script>`` tags are dropped.  Sphinx 7.4 registers an inline script
  added after the builder started (sphinx-thebe adds its configuration,
  ``const THEBE_JS_URL = …``, that way) once under the name ``None`` and once
  under ``''``, so every page declared the same constants twice and the browser
  reported "Identifier 'THEBE_JS_URL' has already been declared" on each load.
* The sidebar's expand/collapse toggles get an accessible name.  The theme writes
  ``<summary>`` elements holding only a chevron icon, which axe-core reports as a
  serious violation (summary-name, WCAG 4.1.2): screen readers announce an
  unlabelled control.  Each is labelled after the chapter whose sections it shows.

And one for the PDF: Jupyter Book makes the ``singlehtml`` build (``make pdf``)
load MathJax, from its CDN, whether or not the book has any mathematics; when it
has none the script is dropped, so the page printed to PDF asks for nothing
from the network.  (The HTML pages load MathJax only when they hold maths.)

And one for other cohorts: passages that only make sense with coded qualitative
data are marked in the chapters,

    <!-- if: coded -->  ...  <!-- else -->  what to say without  <!-- end if -->

and kept or replaced as the qualitative stage found (``generated/content.json``),
so a cohort without coded texts reads "not coded" instead of sentences full of
"not available".  The markers are removed before MyST parses the page, so they can
enclose headings.

Conditions may name ``codebook_2013`` (the cohort was coded with the 2013 codebook: the
chapters' theme sentences apply) and ``codebook_own`` (coded with another codebook: its
findings are written from the data, ``generated/tables/theme_findings.md``).  After the
conditions, typed claims beside glued counts are checked against the cohort's counts,

    <!-- claim: most t_philosophy_unlike_other_courses of n_all -->Most ...<!-- else claim -->
    what the counts show<!-- end claim -->

(:mod:`lehc_report.book.claims`), and once a chapter's glue is resolved its text is checked
for "not available", false zeros and, outside the 2013 codebook, any 2013 sentence
(:mod:`lehc_report.book.report_check`): a problem is a warning, which stops the build.

And the build folder (``BUILD``, :class:`lehc_report.paths.ProjectPaths`): pages never
name it.  They name what a stage generated, and this extension finds it in the
current build's folder, so two builds (two cohorts) never read each other's files:

    ```{generated-table} framework
    ```

    ```{generated-figure} figure_qq
    :name: fig-qq
    ...
    ```

``generated-table`` is rewritten, before MyST parses the page, into MyST's own
``{include}`` of ``<build>/generated/tables/framework.md`` by a path relative to the
page (MyST then records the dependency, so the page is re-read when the table
changes); ``generated-figure`` is Sphinx's ``figure`` with the path set by the
directive itself (``figure`` would drop the spaces of a path written in the page).
The execution cache is set to the build's too (``nb_execution_cache_path``), and a
build folder inside the project is excluded from the pages.

And the cohort's identity (:class:`lehc_report.inputs.cohort.CohortIdentity`, from the data
folder's ``cohort.yml``): glue cannot enter a heading or the HTML ``<title>``, so at
``config-inited`` Sphinx's ``project``, ``html_title`` and ``author`` and the theme's footer
are set from the cohort, and the texts of :mod:`lehc_report.prose.identity` become MyST
substitutions (``# {{ cohort_title }}``).  The identity's flags (``synthetic``, ``credits``,
``principles``, ``survey_instrument``, ...) join the content flags, and the cohort's own
``references.bib`` joins ``bibtex_bibfiles``; ``{cohort-bibliography}`` is rewritten into a
``{bibliography}`` of that file by a path relative to the page.

Last, the book is re-read by content, not only by date: a chapter replaced by an
older-dated copy (``cp -p``, unzip) is re-read because its hash changed; and an
incremental build writes what a clean one does: myst-nb's stylesheet is in place before
the pages link it, and the search index holds only the current pages' words.

Speed (issue 10): the cohort's identity and the content flags are read once per build
(:func:`build_identity`, :func:`build_content_flags`), not once per page, and nothing here
imports pandas (the report check imports the 2013 codebook only when it needs its
sentences).  The builds run through :mod:`lehc_report.tools.jupyter_book`.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import Any

import sphinxcontrib.bibtex.plugin
from markupsafe import Markup
from sphinx.directives.patches import Figure
from sphinxcontrib.bibtex.style.referencing import BracketStyle
from sphinxcontrib.bibtex.style.referencing.author_year import AuthorYearReferenceStyle

from lehc_report.inputs.cohort import load_identity
from lehc_report.paths import BUILD_MARKER, get_paths
from lehc_report.disclosure import published_2013_counts
from lehc_report.privacy import load_settings as load_privacy_settings
from lehc_report.prose.identity import author_line, footer_text, identity_flags, substitutions


def _key(script: Any) -> tuple:
    filename = getattr(script, "filename", script) or ""
    attributes = getattr(script, "attributes", {}) or {}
    return (filename, tuple(sorted((k, str(v)) for k, v in attributes.items())))


def dedupe_scripts(app, pagename, templatename, context, doctree) -> None:
    """Sphinx ``html-page-context`` handler: drop repeated ``<script>`` tags from a page's
    script list (Sphinx 7.4 writes sphinx-thebe's inline script twice, which made every page
    throw a JavaScript error).

    Parameters
    ----------
    app, pagename, templatename, context, doctree
        As Sphinx passes them; ``context["script_files"]`` is edited in place.
    """
    scripts = context.get("script_files")
    if not scripts:
        return
    seen: set[tuple] = set()
    unique = []
    for script in scripts:
        key = _key(script)
        if key in seen:
            continue
        seen.add(key)
        unique.append(script)
    if len(unique) != len(scripts):
        context["script_files"] = unique


def drop_unused_mathjax(app, pagename, templatename, context, doctree) -> None:
    """Sphinx ``html-page-context`` handler: in the single-page build (what the PDF is
    printed from), no MathJax script when the book has no maths.

    Parameters
    ----------
    app, pagename, templatename, context, doctree
        As Sphinx passes them; ``context["script_files"]`` is edited in place.
    """
    if app.builder.name != "singlehtml":
        return
    mathjax = getattr(app.config, "mathjax_path", None)
    if not mathjax or app.env.get_domain("math").has_equations():
        return
    scripts = context.get("script_files") or []
    kept = [s for s in scripts if (getattr(s, "filename", s) or "") != mathjax]
    if len(kept) != len(scripts):
        context["script_files"] = kept


def label_toggles(soup: Any) -> Any:
    """Give each text-less ``<summary>`` of a navigation tree an ``aria-label`` (axe's
    "summary-name" rule).

    Parameters
    ----------
    soup : bs4.BeautifulSoup
        The navigation tree's HTML, edited in place.

    Returns
    -------
    bs4.BeautifulSoup
        ``soup``.
    """
    if not hasattr(soup, "select"):
        return soup
    # find_all, not select("summary"): the same elements, without a CSS selector's cost on every page.
    for summary in soup.find_all("summary"):
        if summary.get("aria-label") or summary.get_text(strip=True):
            continue
        item = summary.find_parent("li")
        link = item.find("a", recursive=False) if item is not None else None
        title = link.get_text(" ", strip=True) if link is not None else ""
        summary["aria-label"] = f"Sections of {title}" if title else "Show or hide sections"
    return soup


def label_sidebar_toggles(app, pagename, templatename, context, doctree) -> None:
    """Sphinx ``html-page-context`` handler: label the sidebar's toggles (:func:`label_toggles`).

    Parameters
    ----------
    app, pagename, templatename, context, doctree
        As Sphinx passes them; the sidebar generator in ``context`` is wrapped.
    """
    generate = context.get("generate_toctree_html")
    if generate is None or getattr(generate, "_lehc_labelled", False):
        return

    def generate_labelled(*args, **kwargs):
        return label_toggles(generate(*args, **kwargs))

    generate_labelled._lehc_labelled = True
    context["generate_toctree_html"] = generate_labelled


def citation_list_roles(body: str) -> str:
    """The bibliography's entries as ARIA list items.

    Sphinx writes a bibliography (sphinxcontrib-bibtex's ``{bibliography}``) as a ``<div
    role="list">`` of ``<div role="doc-biblioentry">``; axe-core reports this as a critical
    violation (aria-required-children, WCAG 1.3.1), since a list must own ``listitem``
    elements.  Each entry becomes ``role="listitem"`` (a list of references, which is what
    it is), inside citation lists only.

    Parameters
    ----------
    body : str
        A page's HTML body.

    Returns
    -------
    str
        ``body`` with the entries' role replaced; unchanged without a citation list.
    """
    if 'class="citation-list"' not in body:
        return body
    return body.replace('role="doc-biblioentry"', 'role="listitem"')


def label_citation_lists(app, pagename, templatename, context, doctree) -> None:
    """Sphinx ``html-page-context`` handler: :func:`citation_list_roles` on the page's body.

    Parameters
    ----------
    app, pagename, templatename, context, doctree
        As Sphinx passes them; ``context["body"]`` is replaced.
    """
    if "body" in context:
        context["body"] = citation_list_roles(context["body"])


CONDITION = re.compile(r"<!-- if: (?P<flag>[a-z][a-z0-9_]*) -->(?P<yes>.*?)(?:<!-- else -->(?P<no>.*?))?<!-- end if -->", re.S)


def content_flags(paths=None, identity=None) -> dict[str, bool]:
    """What the analysis stages found, from ``content.json`` in this build's folder:
    ``paired`` (the cleaning stage: false for unlinked waves), ``qualitative`` and
    ``coded`` (the qualitative stage); and what the cohort's data folder holds
    (``synthetic``, ``credits``, ``principles``, ...).

    Parameters
    ----------
    paths : ProjectPaths, optional
        Default: :func:`lehc_report.paths.get_paths`.
    identity : CohortIdentity, optional
        The cohort's identity, when already read; default: read from ``paths.data``
        (:func:`lehc_report.inputs.cohort.load_identity`).

    Returns
    -------
    dict of str to bool
        E.g. ``{"coded": True, "qualitative": True, "synthetic": False, ...}``: the
        cohort's identity flags (:func:`lehc_report.prose.identity.identity_flags`) and
        the stages' (every stage flag absent from a build without ``content.json``, so
        those passages keep their ``if`` branch).

    Raises
    ------
    lehc_report.errors.DataError
        A ``cohort.yml`` or ``principles.yml`` that breaks the contract.
    """
    paths = paths or get_paths()
    flags = identity_flags(identity if identity is not None else load_identity(paths.data))
    if paths.content_flags.exists():
        flags.update(json.loads(paths.content_flags.read_text(encoding="utf-8")))
    return flags


def build_identity(app) -> Any:
    """The cohort's identity for this Sphinx build, read once.

    Every page's handlers need it (conditions, report checks, the bibliography); read per
    page, its three YAML files cost 0.3 s of each build.  The data folder does not change
    while Sphinx runs (the notebooks have run before it starts), so one reading serves the
    whole build; a new build (a new ``app``) reads it again.

    Parameters
    ----------
    app : sphinx.application.Sphinx
        The identity is kept on it (``app._lehc_identity``).

    Returns
    -------
    CohortIdentity
        :func:`lehc_report.inputs.cohort.load_identity` of the build's data folder.

    Raises
    ------
    lehc_report.errors.DataError
        As :func:`~lehc_report.inputs.cohort.load_identity`.
    """
    identity = getattr(app, "_lehc_identity", None)
    if identity is None:
        identity = app._lehc_identity = load_identity(get_paths().data)
    return identity


def build_content_flags(app) -> dict[str, bool]:
    """:func:`content_flags` for this Sphinx build, read once (as :func:`build_identity`:
    ``content.json`` is written by the notebooks, before Sphinx starts).

    Parameters
    ----------
    app : sphinx.application.Sphinx
        The flags are kept on it (``app._lehc_content_flags``).

    Returns
    -------
    dict of str to bool
        A copy, so that no caller changes another's.

    Raises
    ------
    lehc_report.errors.DataError
        As :func:`content_flags`.
    """
    flags = getattr(app, "_lehc_content_flags", None)
    if flags is None:
        flags = app._lehc_content_flags = content_flags(identity=build_identity(app))
    return dict(flags)


def resolve_conditions(text: str, flags: dict[str, bool]) -> str:
    """Keep the ``if`` branch of each marked passage whose flag is true, else the ``else`` branch.

    Parameters
    ----------
    text : str
        A page's source with ``<!-- if: FLAG --> ... <!-- else --> ... <!-- end if -->`` passages.
    flags : dict of str to bool
        From :func:`content_flags`; a flag not written counts as true.

    Returns
    -------
    str
    """
    return CONDITION.sub(lambda m: m.group("yes") if flags.get(m.group("flag"), True) else (m.group("no") or ""), text)


def apply_conditions(app, docname: str, source: list[str]) -> None:
    """Sphinx ``source-read`` handler: resolve the page's conditional passages.

    Parameters
    ----------
    app : sphinx.application.Sphinx
    docname : str
    source : list of str
        The page's source, replaced in place.
    """
    if "<!-- if: " in source[0]:
        source[0] = resolve_conditions(source[0], build_content_flags(app))


def claim_counts(paths=None) -> dict[str, int]:
    """The counts the chapters' claims are checked against (``generated/claim_counts.json``,
    written by the qualitative stage beside ``content.json``).

    Parameters
    ----------
    paths : ProjectPaths, optional
        Default: :func:`lehc_report.paths.get_paths`.

    Returns
    -------
    dict of str to int
        Glue key -> count; empty when the file is absent.
    """
    from lehc_report.book.claims import read_counts

    return read_counts((paths or get_paths()).content_flags.with_name("claim_counts.json"))


def apply_claims(app, docname: str, source: list[str]) -> None:
    """Sphinx ``source-read`` handler, after :func:`apply_conditions`: keep each claim's typed
    wording where it holds for this cohort's counts, else its data-driven alternative
    (:mod:`lehc_report.book.claims`).  A fallback is logged (not a warning: another
    cohort's data may differ from 2013's); a malformed marker stops the build.

    Parameters
    ----------
    app : sphinx.application.Sphinx
    docname : str
    source : list of str
        The page's source, replaced in place.

    Raises
    ------
    sphinx.errors.ExtensionError
        A claim marker that cannot be read, or whose typed text lacks its word.
    """
    if "<!-- claim: " not in source[0]:
        return
    from sphinx.errors import ExtensionError
    from sphinx.util import logging

    from lehc_report.book.claims import ClaimSyntaxError, resolve_claims

    try:
        source[0], results = resolve_claims(source[0], claim_counts())
    except ClaimSyntaxError as exc:
        raise ExtensionError(f"{docname}: {exc}") from exc
    logger = logging.getLogger(__name__)
    for result in results:
        if not result.holds:
            logger.info(f"{docname}: claim falls back to its alternative: {'; '.join(result.reasons)}")


def check_report_page(app, doctree, docname: str) -> None:
    """Sphinx ``doctree-resolved`` handler: a chapter must not say what its cohort's data cannot
    bear (:func:`lehc_report.book.report_check.report_problems`): each problem is a warning,
    which stops the build.

    Parameters
    ----------
    app : sphinx.application.Sphinx
    doctree : docutils.nodes.document
        The page, its glue resolved.
    docname : str
        Only chapters (``book/...``) are checked.
    """
    if not docname.startswith("book/"):
        return
    from sphinx.util import logging

    from lehc_report.book.report_check import report_problems

    flags = build_content_flags(app)
    logger = logging.getLogger(__name__)
    for problem in report_problems(doctree.astext(), flags.get("codebook_2013", True)):
        logger.warning(f"report check: {problem}", location=docname)


GENERATED_TABLE = re.compile(r"^(?P<fence>[`:]{3,})\{generated-table\}[ \t]+(?P<name>[\w.-]+)[ \t]*$", re.M)


def generated_path(kind: str, name: str, paths=None) -> Path:
    """The file a stage generated for the chapters, in this build's folder.

    Parameters
    ----------
    kind : {"table", "figure"}
    name : str
        The table's name (``framework`` for ``generated/tables/framework.md``) or the
        figure's (``figure_qq`` for ``generated/figures/figure_qq.png``).
    paths : ProjectPaths, optional
        Default: :func:`lehc_report.paths.get_paths`.

    Returns
    -------
    Path
        Absolute path (the file may not exist yet; Sphinx then warns, and ``-W`` stops the build).
    """
    paths = paths or get_paths()
    return paths.tables / f"{name}.md" if kind == "table" else paths.figures / f"{name}.png"


def relative_to_page(app, docname: str, target: Path) -> str:
    """A file as a path relative to the folder of a page, as Sphinx resolves them.

    Parameters
    ----------
    app : sphinx.application.Sphinx
    docname : str
        The page (``book/findings_impact``).
    target : Path
        An absolute path.

    Returns
    -------
    str
        POSIX path.
    """
    page_dir = Path(app.srcdir, docname).parent
    return os.path.relpath(target, page_dir).replace(os.sep, "/")


def include_generated_tables(app, docname: str, source: list[str]) -> None:
    """Sphinx ``source-read`` handler: ``{generated-table} NAME`` becomes MyST's ``{include}``
    of this build's ``generated/tables/NAME.md``, so MyST records the dependency.

    Parameters
    ----------
    app : sphinx.application.Sphinx
    docname : str
    source : list of str
        The page's source, replaced in place.
    """
    if "{generated-table}" not in source[0]:
        return

    def include(match: re.Match) -> str:
        path = relative_to_page(app, docname, generated_path("table", match.group("name")))
        return f"{match.group('fence')}{{include}} {path}"

    source[0] = GENERATED_TABLE.sub(include, source[0])


class GeneratedFigure(Figure):
    """``{generated-figure} NAME``: Sphinx's ``figure`` of this build's ``generated/figures/NAME.png``.

    The options and caption are those of ``figure``.  The path is set here, escaped,
    because ``figure`` removes unescaped whitespace from its argument.
    """

    def run(self):
        """Resolve the figure's name to a path relative to the page, then run ``figure``."""
        env = self.state.document.settings.env
        path = relative_to_page(env.app, env.docname, generated_path("figure", self.arguments[0].strip()))
        self.arguments = [path.replace("\\", "\\\\").replace(" ", "\\ ")]
        return super().run()


def use_build_folder(app, config) -> None:
    """Sphinx ``config-inited`` handler: the execution cache is this build's, and no build
    folder inside the project is read as pages.

    Parameters
    ----------
    app : sphinx.application.Sphinx
    config : sphinx.config.Config
        Edited in place.
    """
    paths = get_paths()
    config.nb_execution_cache_path = str(paths.execution_cache)
    srcdir = Path(app.srcdir).resolve()
    # Build folders are found by their marker, two levels down at most (never into .venv).
    builds = {paths.build.resolve(), *(marker.parent.resolve() for pattern in (f"*/{BUILD_MARKER}", f"*/*/{BUILD_MARKER}")
                                       for marker in srcdir.glob(pattern))}
    for build in sorted(builds):
        if srcdir in build.parents:
            relative = build.relative_to(srcdir).as_posix()
            config.exclude_patterns.extend([relative, f"{relative}/**"])


def use_cohort_identity(app, config) -> None:
    """Sphinx ``config-inited`` handler: the book's title, author, footer and substitutions
    from the cohort's ``cohort.yml`` (glue cannot reach a heading or ``<title>``), and the
    cohort's ``references.bib`` added to the bibliography files.  Only for the project's own
    book: the network report (:mod:`lehc_report.network.report`), built from another folder
    with this extension, keeps the title its configuration gives.

    Parameters
    ----------
    app : sphinx.application.Sphinx
    config : sphinx.config.Config
        ``project``, ``html_title``, ``author``, ``html_theme_options["extra_footer"]``,
        ``myst_substitutions`` and ``bibtex_bibfiles`` are set in place.

    Raises
    ------
    lehc_report.errors.DataError
        A ``cohort.yml`` or ``principles.yml`` that breaks the contract (the build stops).
    """
    paths = get_paths()
    if Path(app.srcdir).resolve() != paths.root:
        return  # another book using this extension (the network report) keeps its own title
    identity = build_identity(app)
    # Data, not markup: the pages get these escaped (escape_identity_in_pages).
    config.project = identity.title
    config.html_title = identity.title
    config.author = author_line(identity)
    config.html_theme_options = {**(config.html_theme_options or {}),
                                 "extra_footer": footer_text(identity)}  # footer_text escapes it
    config.myst_substitutions = {**(getattr(config, "myst_substitutions", None) or {}),
                                 **substitutions(identity, published_2013=published_2013_counts(paths.data) is not None,
                                                 privacy_settings=load_privacy_settings(paths.root, paths.data))}
    if identity.references_file is not None and hasattr(config, "bibtex_bibfiles"):
        config.bibtex_bibfiles = [*config.bibtex_bibfiles, str(identity.references_file.resolve())]


COHORT_BIBLIOGRAPHY = re.compile(r"^(?P<fence>[`:]{3,})\{cohort-bibliography\}[ \t]*$", re.M)


def include_cohort_bibliography(app, docname: str, source: list[str]) -> None:
    """Sphinx ``source-read`` handler: ``{cohort-bibliography}`` becomes a ``{bibliography}`` of
    the cohort's own ``references.bib`` (by a path relative to the page; pages never name the
    data folder).  Put it inside ``<!-- if: cohort_references -->``: without the file the
    directive is left as it is and Sphinx reports it.

    Parameters
    ----------
    app : sphinx.application.Sphinx
    docname : str
    source : list of str
        The page's source, replaced in place.
    """
    if "{cohort-bibliography}" not in source[0]:
        return
    references = build_identity(app).references_file
    if references is None:
        return
    path = relative_to_page(app, docname, references.resolve())
    source[0] = COHORT_BIBLIOGRAPHY.sub(lambda m: f"{m.group('fence')}{{bibliography}} {path}", source[0])


def source_hash(app, docname: str) -> str:
    """sha256 of a page's source file.

    Parameters
    ----------
    app : sphinx.application.Sphinx
    docname : str

    Returns
    -------
    str
        Hexadecimal digest; empty when the file is missing.
    """
    return hashlib.sha256(Path(app.env.doc2path(docname)).read_bytes()).hexdigest()


def record_source_hash(app, docname: str, source: list[str]) -> None:
    """Sphinx ``source-read`` handler: remember the hash of what was read.

    Parameters
    ----------
    app : sphinx.application.Sphinx
    docname : str
    source : list of str
    """
    if not hasattr(app.env, "lehc_source_hashes"):
        app.env.lehc_source_hashes = {}
    app.env.lehc_source_hashes[docname] = source_hash(app, docname)


def changed_by_content(app, env, added, changed, removed) -> list[str]:
    """Sphinx ``env-get-outdated`` handler: pages whose content changed though their date did
    not (a chapter replaced by an older-dated copy is re-read).

    Parameters
    ----------
    app, env, added, changed, removed
        As Sphinx passes them.

    Returns
    -------
    list of str
        The pages to re-read as well.
    """
    known = getattr(env, "lehc_source_hashes", {})
    stale = []
    for docname, digest in known.items():
        if docname in added or docname in changed or docname in removed or docname not in env.found_docs:
            continue
        try:
            if source_hash(app, docname) != digest:
                stale.append(docname)
        except OSError:
            continue
    return stale


def merge_source_hashes(app, env, docnames, other) -> None:
    """Sphinx ``env-merge-info`` handler: keep the hashes recorded by parallel readers.

    Parameters
    ----------
    app, env, docnames, other
        As Sphinx passes them.
    """
    if not hasattr(env, "lehc_source_hashes"):
        env.lehc_source_hashes = {}
    env.lehc_source_hashes.update(getattr(other, "lehc_source_hashes", {}))


# ---- the HTML build's cache: the same pages and search index from a clean or an incremental build ----


def copy_mystnb_css_before_pages(app) -> None:
    """Sphinx ``builder-inited`` handler: put myst-nb's stylesheet in ``_static`` before any page is written.

    Sphinx 7.4 links a stylesheet as ``mystnb.<hash>.css?v=<crc32>`` when the file is
    already in the output folder as the page is written, and without ``?v=`` when it is
    not.  myst-nb copies it only when the build has finished, so a clean build's pages
    linked it without ``?v=`` and an incremental build's (the file left by the last
    build) with it: the same sources gave different pages.  Copied first (by myst-nb's
    own function, so the name follows its version), every build links ``?v=``.

    Parameters
    ----------
    app : sphinx.application.Sphinx
    """
    if app.builder is None or app.builder.format != "html":
        return
    from myst_nb.sphinx_ext import add_global_html_resources

    Path(app.builder.outdir, "_static").mkdir(parents=True, exist_ok=True)
    add_global_html_resources(app, None)


def drop_unused_search_terms(indexer) -> list[str]:
    """Remove the words that no page holds any more from a Sphinx search index, in place.

    Sphinx 7.4's incremental build loads the last ``searchindex.js`` and, before the
    pages it rewrites are indexed again, removes those pages from each word's set of
    pages (``IndexBuilder.prune``); a word left with no page stays, and is written as
    ``"word": []``.  So a word removed from a chapter or from the data (a redacted name
    included) stayed in ``searchindex.js`` until ``make clean``.

    Parameters
    ----------
    indexer : sphinx.search.IndexBuilder
        Its ``_mapping`` (words of the text) and ``_title_mapping`` (words of titles),
        each ``{stemmed word: set of docnames}``, are edited in place.

    Returns
    -------
    list of str
        The words removed, sorted.
    """
    removed = set()
    for mapping in (indexer._mapping, indexer._title_mapping):
        unused = [word for word, docnames in mapping.items() if not docnames]
        for word in unused:
            del mapping[word]
        removed.update(unused)
    return sorted(removed)


def search_index_of_current_pages(app) -> None:
    """Sphinx ``builder-inited`` handler: the search index is written with the words of the
    current pages only (:func:`drop_unused_search_terms` runs just before it is dumped).

    Parameters
    ----------
    app : sphinx.application.Sphinx
        Its HTML builder's ``dump_search_index`` is wrapped.
    """
    builder = app.builder
    dump = getattr(builder, "dump_search_index", None)
    if dump is None or getattr(dump, "_lehc_current_pages", False):
        return

    def dump_current_pages_only() -> None:
        if builder.indexer is not None:
            builder.indexer.prune(app.env.all_docs)  # as Sphinx does first: pages removed from the book
            drop_unused_search_terms(builder.indexer)
        dump()

    dump_current_pages_only._lehc_current_pages = True
    builder.dump_search_index = dump_current_pages_only


def round_brackets() -> BracketStyle:
    """Round brackets for citations: "(Lakens, 2013)".

    Returns
    -------
    sphinxcontrib.bibtex.style.referencing.BracketStyle
    """
    return BracketStyle(left="(", right=")")


@dataclass
class RoundAuthorYearStyle(AuthorYearReferenceStyle):
    """sphinxcontrib-bibtex's ``author_year`` citations in round brackets, "(Lakens, 2013)" and
    "Holm (1979)", as reports in health and social care cite (``author_year`` uses square
    brackets).  The recipe is the one sphinxcontrib-bibtex's documentation gives for a custom
    referencing style; registered as ``author_year_round`` (``bibtex_reference_style``).
    """

    bracket_parenthetical: BracketStyle = field(default_factory=round_brackets)
    bracket_textual: BracketStyle = field(default_factory=round_brackets)
    bracket_author: BracketStyle = field(default_factory=round_brackets)
    bracket_label: BracketStyle = field(default_factory=round_brackets)
    bracket_year: BracketStyle = field(default_factory=round_brackets)


#: The page context's values that come from the data (the cohort's or the network's title,
#: the author line, page titles as plain text), which the themes print raw and escaped.
IDENTITY_CONTEXT_KEYS = ("docstitle", "shorttitle", "project", "author", "root_title", "pagetitle")


def escape_identity_in_pages(app, pagename, templatename, context, doctree) -> None:
    """Sphinx ``html-page-context`` handler: the title and author reach the page as text.

    They come from the data (``cohort.yml``, a network file), and the themes print them raw
    in places (``{{ docstitle }}`` in pydata-sphinx-theme's navbar, ``{{ author }}`` in
    sphinx-book-theme's footer, ``{{ root_title }}`` and ``{{ pagetitle }}``, which that
    theme copies as plain text from the titles) and escaped in others (``{{ docstitle|e }}`` in
    ``<title>``): a ``<script>`` in a cohort's title ran on every page.  Escaped once and
    marked safe (:class:`markupsafe.Markup`, which Jinja's ``|e`` leaves alone), each reads
    as typed in both.  (The config values themselves must stay ``str``: Sphinx warns on
    another type, and the build treats warnings as errors.)

    Parameters
    ----------
    app, pagename, templatename, context, doctree
        As Sphinx passes them; the :data:`IDENTITY_CONTEXT_KEYS` of ``context`` are replaced.
    """
    for key in IDENTITY_CONTEXT_KEYS:
        value = context.get(key)
        if isinstance(value, str) and not isinstance(value, Markup):
            context[key] = Markup(escape(value))


def setup(app) -> dict:
    """Register the handlers and directives with Sphinx.

    Parameters
    ----------
    app : sphinx.application.Sphinx

    Returns
    -------
    dict
        Extension metadata (parallel read and write safe).
    """
    sphinxcontrib.bibtex.plugin.register_plugin("sphinxcontrib.bibtex.style.referencing", "author_year_round",
                                                RoundAuthorYearStyle, force=True)
    app.connect("config-inited", use_build_folder)
    app.connect("config-inited", use_cohort_identity)
    app.connect("source-read", record_source_hash)
    app.connect("source-read", apply_conditions)
    # After the conditions, so that a claim inside a dropped passage is never checked.
    app.connect("source-read", apply_claims, priority=550)
    app.connect("doctree-resolved", check_report_page)
    # After the conditions, so that a table inside a dropped passage is never looked for.
    app.connect("source-read", include_generated_tables, priority=600)
    app.connect("source-read", include_cohort_bibliography, priority=600)
    app.connect("env-get-outdated", changed_by_content)
    app.connect("env-merge-info", merge_source_hashes)
    app.connect("builder-inited", copy_mystnb_css_before_pages)
    app.connect("builder-inited", search_index_of_current_pages)
    app.add_directive("generated-figure", GeneratedFigure)
    # After the themes' own handlers (priority 500), which fill in the context.
    # After sphinx-book-theme's own handler (500), which copies the author and the root and
    # page titles (as plain text) into the context.
    app.connect("html-page-context", escape_identity_in_pages, priority=600)
    app.connect("html-page-context", dedupe_scripts, priority=900)
    app.connect("html-page-context", label_sidebar_toggles, priority=900)
    app.connect("html-page-context", drop_unused_mathjax, priority=900)
    app.connect("html-page-context", label_citation_lists, priority=900)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
