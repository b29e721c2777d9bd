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

Last, the book is re-read by content, not only by date: a chapter replaced by an
older-dated copy (``cp -p``, unzip) is re-read because its hash changed.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path
from typing import Any

from sphinx.directives.patches import Figure

from lehc_report.tools.search_index import prune_search_index
from lehc_report.paths import BUILD_MARKER, get_paths


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
    for summary in soup.select("summary"):
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


CONDITION = re.compile(r"<!-- if: (?P<flag>[a-z_]+) -->(?P<yes>.*?)(?:<!-- else -->(?P<no>.*?))?<!-- end if -->", re.S)


def content_flags(paths=None) -> dict[str, bool]:
    """What the analysis stages found, from ``content.json`` in this build's folder:
    ``paired`` (the cleaning stage: false for unlinked waves), ``qualitative`` and
    ``coded`` (the qualitative stage).

    Parameters
    ----------
    paths : ProjectPaths, optional
        Default: :func:`lehc_report.paths.get_paths`.

    Returns
    -------
    dict of str to bool
        E.g. ``{"coded": True, "qualitative": True}``; empty when the file is absent
        (every marked passage then keeps its ``if`` branch).
    """
    path = (paths or get_paths()).content_flags
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


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
        source[0] = resolve_conditions(source[0], content_flags())


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
    app.connect("config-inited", use_build_folder)
    app.connect("source-read", record_source_hash)
    app.connect("source-read", apply_conditions)
    # After the conditions, so that a table inside a dropped passage is never looked for.
    app.connect("source-read", include_generated_tables, priority=600)
    app.connect("env-get-outdated", changed_by_content)
    app.connect("env-merge-info", merge_source_hashes)
    app.add_directive("generated-figure", GeneratedFigure)
    # After the themes' own handlers (priority 500), which fill in the context.
    app.connect("html-page-context", dedupe_scripts, priority=900)
    app.connect("html-page-context", label_sidebar_toggles, priority=900)
    app.connect("html-page-context", drop_unused_mathjax, priority=900)
    app.connect("build-finished", prune_search_index)  # no word of a redacted page stays searchable
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
